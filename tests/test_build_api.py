"""``kg.build.build_store``: the library function behind ``kg build``."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from _kgfixtures import EXAMPLE_FILES, RECORDS_DIR, build, run, summary_of

from kg.build import StrictError, build_store, read_records
from kg.store import open_store
from resolve.decisions import NEAR_MISS
from resolve.readers import InputError
from resolve.settings import Settings


def test_build_store_from_python_matches_the_cli(tmp_path):
    report = build_store(EXAMPLE_FILES, tmp_path / "api", jobs=1)
    assert report.summary["records read"] == 57
    assert report.summary["records in works"] + report.summary["records rejected"] == 57
    assert len(report.resolution.works) == report.summary["works"]
    assert json.loads((tmp_path / "api" / "kg-resolve.json").read_text())["build"] \
        == report.build_id
    store = open_store(tmp_path / "api")
    n = next(iter(store.query("SELECT (COUNT(?w) AS ?n) WHERE { ?w a "
                              "<http://purl.org/spar/fabio/Work> }")))["n"]
    assert int(n.value) == report.summary["works"]
    cli = summary_of(build(tmp_path / "cli"))
    for key in ("records read", "works", "multi-record works", "quads written"):
        assert cli[key] == report.summary[key]


def test_read_records_reads_a_directory():
    read = read_records([RECORDS_DIR])
    assert len(read.records) == 57 and not read.rejected
    assert {r.source for r in read.records} >= {"arxiv", "crossref", "dblp"}


def test_build_store_errors_are_exceptions(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "T"}\nnot json\n', encoding="utf-8")
    with pytest.raises(StrictError):
        build_store([bad], tmp_path / "s", strict=True)
    assert not (tmp_path / "s").exists()
    with pytest.raises(InputError, match="no such source"):
        build_store([bad], tmp_path / "s", clean_sources=["nope"])
    with pytest.raises(InputError, match="--rejects"):
        build_store([bad], tmp_path / "s", rejects=tmp_path / "missing" / "r.jsonl")


def test_decisions_are_plain_data_and_name_their_veto(tmp_path):
    report = build_store(EXAMPLE_FILES, tmp_path / "s", Settings(), jobs=1)
    decisions = list(report.resolution.decisions())
    assert decisions
    owner = {i: k for k, w in enumerate(report.resolution.works) for i in w.members}
    for d in decisions:
        assert d.merged == (owner[d.a] == owner[d.b])
        assert d.merged or d.score >= NEAR_MISS
        assert d.evidence and all(e.field for e in d.evidence)
        if d.merged or d.score < report.resolution.settings.match_threshold:
            assert d.vetoed_by is None
        else:
            assert d.vetoed_by


def test_versions_are_a_stage_of_the_resolution(tmp_path):
    report = build_store(EXAMPLE_FILES, tmp_path / "s", jobs=1)
    res = report.resolution
    assert len(res.versions) == len(res.works)
    for work, wv in zip(res.works, res.versions, strict=True):
        assert sorted(i for v in wv.versions for i in v.members) == list(work.members)
    assert "versions" in res.timings


def _shuffled_copy(src: Path, dst: Path, seed: int) -> None:
    """The same records in another order: lines shuffled (a CSV keeps its header)."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    head, body = (lines[:1], lines[1:]) if src.suffix == ".csv" else ([], lines)
    random.Random(seed).shuffle(body)
    dst.write_text("".join(head + body), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csv", "clusters"])
def test_the_same_records_in_another_order_export_the_same_bytes(tmp_path, fmt):
    outputs = []
    for seed in (0, 1):
        d = tmp_path / f"in{seed}"
        d.mkdir()
        for f in EXAMPLE_FILES:
            _shuffled_copy(Path(f), d / Path(f).name, seed)
        inputs = sorted(d.iterdir(), reverse=bool(seed))
        build_store(inputs, tmp_path / f"s{seed}", jobs=1)
        out = tmp_path / f"out{seed}.{fmt}"
        res = run("export", "--store", tmp_path / f"s{seed}", "--format", fmt, "-o", out)
        assert res.exit_code == 0, res.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_evidence_levels_choose_the_match_decisions_kept(tmp_path):
    """``--evidence``: none keeps no decision, decisions the merged pairs and
    vetoed merges, all the near misses too; the works never change."""
    q = ("SELECT ?label (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m a "
         "<https://w3id.org/kg-resolve/ns#Match> ; <http://www.w3.org/2000/01/rdf-schema#label> "
         "?label } } GROUP BY ?label")
    counts, quads, works = {}, {}, {}
    for level in ("none", "decisions", "all"):
        res = build(tmp_path / level, extra=("--evidence", level))
        assert res.exit_code == 0
        quads[level] = summary_of(res)["quads written"]
        works[level] = summary_of(res)["works"]
        store = open_store(tmp_path / level)
        counts[level] = {row["label"].value: int(row["n"].value) for row in store.query(q)}
        assert json.loads((tmp_path / level / "kg-resolve.json").read_text())["evidence"] == level
        del store
    assert counts["none"] == {}
    assert counts["decisions"]["merged"] == counts["all"]["merged"] > 0
    assert counts["all"].get("not merged", 0) >= counts["decisions"].get("not merged", 0)
    assert quads["none"] < quads["decisions"] <= quads["all"]
    assert len(set(works.values())) == 1
    assert run("build", RECORDS_DIR, "--store", tmp_path / "x", "--evidence", "some").exit_code == 2
