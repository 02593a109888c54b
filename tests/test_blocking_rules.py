"""The blocking table (resolve.blocking.BLOCKING_RULES): names, documentation,
and each rule on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import features_and_stats, make_record

import resolve.blocking as blocking
from resolve.blocking import (
    BLOCKING_RULES,
    BlockingInput,
    BlockingRule,
    blocking_rules_markdown,
    candidate_pairs,
)
from resolve.graph import build_evidence_graph
from resolve.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"

# The names are the keys of "candidates per rule" in every store's kg-resolve.json.
SAVED_NAMES = ["shared identifier", "shared url", "title", "title prefix", "title suffix",
               "rare title tokens", "first author + year", "first author + title word",
               "volume + page"]


def _records():
    return [
        make_record(title="Completely unrelated words", authors=["Ann Smith"], year=1999,
                    doi="10.1000/same", volume="3", pages="10-20"),
        make_record(title="Nothing alike whatsoever here", authors=["Ann Smith"], year=1999,
                    url="https://doi.org/10.1000/SAME"),
        make_record(title="Deep residual learning for image recognition", authors=["Kai He"],
                    url="https://example.org/resnet", year=2016),
        make_record(title="Deep residual learning for image recognition", authors=["K. He"],
                    url="https://example.org/resnet/", year=2015, volume="3", pages="10"),
    ]


def test_names_are_the_saved_ones_in_order() -> None:
    assert [r.name for r in BLOCKING_RULES] == SAVED_NAMES
    feats, stats = features_and_stats(_records())
    _, report = candidate_pairs(feats, build_evidence_graph(_records()), stats, Settings())
    assert list(report.per_rule) == SAVED_NAMES


def test_only_identifier_and_url_rules_skip_the_screen() -> None:
    assert [r.name for r in BLOCKING_RULES if not r.screened] == ["shared identifier",
                                                                   "shared url"]


def test_every_rule_is_documented_in_the_module_and_the_readme() -> None:
    table = blocking_rules_markdown()
    readme = README.read_text(encoding="utf-8")
    marker = "<!-- resolve.blocking.blocking_rules_markdown() -->\n"
    start = readme.index(marker) + len(marker)
    shown = [ln.strip() for ln in readme[start:].splitlines()]
    assert shown[:len(table.splitlines())] == table.splitlines(), \
        "README.md's blocking table is out of date: paste blocking_rules_markdown() into it"
    for rule in BLOCKING_RULES:
        assert f"``{rule.name}``" in blocking.__doc__
        assert rule.description and "|" not in rule.description


@pytest.mark.parametrize("rule", BLOCKING_RULES, ids=lambda r: r.name)
def test_each_rule_alone(rule: BlockingRule) -> None:
    """Every rule's blocks are ascending record positions; alone, it gives its
    own pairs, counted under its name."""
    records = _records()
    feats, stats = features_and_stats(records)
    graph = build_evidence_graph(records)
    settings = Settings(min_title_similarity=0)
    blocks = [list(b) for b in rule.blocks(BlockingInput(feats, graph, stats, settings))]
    assert all(b == sorted(set(b)) for b in blocks)
    expected = sorted({(x, y) for b in blocks for i, x in enumerate(b) for y in b[i + 1:]})
    pairs, report = candidate_pairs(feats, graph, stats, settings, rules=(rule,))
    assert pairs == expected
    assert report.per_rule == {rule.name: len(expected)}


def test_expected_pairs_by_rule() -> None:
    records = _records()
    feats, stats = features_and_stats(records)
    graph = build_evidence_graph(records)
    inp = BlockingInput(feats, graph, stats, Settings())
    by_name = {r.name: r for r in BLOCKING_RULES}

    def paired(name: str) -> set[tuple[int, int]]:
        return {(b[i], c) for b in by_name[name].blocks(inp) for i in range(len(b))
                for c in b[i + 1:]}

    assert paired("shared identifier") == {(0, 1)}
    assert paired("shared url") == {(2, 3)}
    assert paired("title") == {(2, 3)}
    assert paired("first author + year") == {(0, 1)}
    assert paired("volume + page") == {(0, 3)}


def test_an_unscreened_rule_keeps_pairs_the_screen_would_drop() -> None:
    records = _records()
    feats, stats = features_and_stats(records)
    graph = build_evidence_graph(records)
    year = next(r for r in BLOCKING_RULES if r.name == "first author + year")
    pairs, report = candidate_pairs(feats, graph, stats, Settings(), rules=(year,))
    assert (0, 1) not in pairs and report.hopeless == 1  # unrelated titles
    unscreened = BlockingRule(year.name, year.blocks, year.description, screened=False)
    pairs, report = candidate_pairs(feats, graph, stats, Settings(), rules=(unscreened,))
    assert (0, 1) in pairs and report.hopeless == 0
