"""kg explain (merged, chained, vetoed, separated by a person, never scored)
and kg review (order, formats, interactive mode fed through stdin)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from _kgfixtures import ENV, build, describe, flat, run, text
from typer.testing import CliRunner

from kg import decisions as human
from kg.cli import app
from kg.explain import explain_pair
from kg.review import KINDS, review_queue

BERT_ARXIV, BERT_ZOTERO = "arxiv:1810.04805v2", "zotero:8FJ2NWXA"
BERT_CROSSREF, BERT_CORR = "crossref:10.18653/v1/n19-1423", "dblp:journals/corr/abs-1810-04805"
GAN_PREPRINT, ADAM_ZOTERO = "arxiv:1406.2661v1", "zotero:ZP9D3HUK"


def key(name: str) -> tuple[str, str]:
    source, _, rid = name.partition(":")
    return (source, rid)


def explain(store: Path, a: str, b: str) -> str:
    res = run("explain", a, b, "--store", store)
    assert res.exit_code == 0, describe(res)
    return res.stdout


def test_explain_a_merged_pair(example_store: Path) -> None:
    said = explain(example_store, BERT_ZOTERO, BERT_ARXIV)
    lines = said.splitlines()
    assert lines[2] == "one work: merged, their score reaches the threshold 0.5"
    assert lines[3].startswith("score 1.0000: arxiv same +14")  # kg evaluate's one line
    res = run("explain", BERT_ZOTERO, BERT_ARXIV, "--store", example_store, "--format", "json")
    data = json.loads(res.stdout)
    assert data["same_work"] and data["stored"] and data["line"] == lines[3]


def test_explain_a_chained_pair(example_store: Path) -> None:
    x = explain_pair(example_store, key(BERT_CROSSREF), key(BERT_CORR))
    assert x.same_work and x.score < 0.5  # alone, they would not be one work
    assert x.why == "one work: joined through 1 other record(s)"
    assert len(x.path) == 2 and x.path[0].a == key(BERT_CROSSREF)
    assert x.path[-1].b == key(BERT_CORR)
    assert all(link.score is not None and link.score >= 0.5 for link in x.path)
    assert "path: crossref:10.18653/v1/n19-1423 =" in explain(
        example_store, BERT_CROSSREF, BERT_CORR)


def test_explain_a_pair_never_scored(example_store: Path) -> None:
    said = explain(example_store, GAN_PREPRINT, ADAM_ZOTERO)
    assert "two works: their score is below the threshold" in said
    assert "(scored now" in said and "title unrelated" in said


def test_explain_scores_now_as_the_build_did(example_store: Path) -> None:
    """A pair the build kept, scored again from the stored records and
    weights, gets the build's score."""
    from kg.evaluation import stored_scores
    from kg.explain import StoreView

    view = StoreView(example_store)
    x = explain_pair(view, key(BERT_ZOTERO), key(BERT_CROSSREF))
    assert x.stored
    kept = stored_scores(view.oxi)
    assert len(kept) > 100
    for pair, score in kept.items():
        a, b = sorted(pair)
        again, _ = view.scorer.score(a, b)
        assert again == pytest.approx(score, abs=1e-6), (a, b)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    """Two records of one source declared clean, alike enough to be joined."""
    d = tmp_path_factory.mktemp("clean")
    rec = {"title": "Deep residual learning for image recognition", "year": 2016,
           "authors": ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]}
    (d / "cat.jsonl").write_text(
        json.dumps({"id": "c1", **rec}) + "\n" + json.dumps({"id": "c2", **rec}) + "\n"
        + json.dumps({"id": "c3", "title": "A survey of graph databases", "year": 2008,
                      "authors": ["Renzo Angles"]}) + "\n", encoding="utf-8")
    store = d / "store"
    res = build(store, d / "cat.jsonl", extra=("--clean-source", "cat"))
    assert res.exit_code == 0, describe(res)
    return store


def test_explain_a_vetoed_pair(catalogue: Path) -> None:
    said = explain(catalogue, "cat:c1", "cat:c2")
    assert "two works: kept apart by a rule: two records of one source declared clean" in said
    items = review_queue(catalogue)
    assert items[0].kind == "vetoed" and items[0].note == "kept apart by clean source"
    assert (items[0].a, items[0].b) == (("cat", "c1"), ("cat", "c2"))


def test_explain_a_pair_a_person_separated(example_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(example_store, store)
    run("decide", BERT_ZOTERO, BERT_ARXIV, "--different", "--store", store, "--note", "no")
    said = explain(store, BERT_ZOTERO, BERT_ARXIV)
    assert "one work: merged" in said and "(applies at the next build)" in said
    assert build(store).exit_code == 0
    said = explain(store, BERT_ZOTERO, BERT_ARXIV)
    assert "two works: a person decided they are different" in said
    assert 'decided different by' in said and '"no" (applied)' in said


# ---------------------------------------------------------------- review


def test_review_is_ordered_by_doubt_and_limited(example_store: Path) -> None:
    items = review_queue(example_store)
    assert items and all(i.kind in KINDS for i in items)
    doubts = [i.doubt for i in items]
    assert doubts == sorted(doubts, reverse=True)
    assert all(0 < d <= 1 for d in doubts)
    assert all(i.line.startswith("score ") for i in items)
    assert review_queue(example_store, limit=3) == items[:3]
    assert review_queue(example_store) == items  # the same store, the same queue
    near = [i for i in items if i.kind == "near threshold"]
    assert near[0].score is not None and near[0].doubt == pytest.approx(
        1 - near[0].score if near[0].same_work else near[0].score, abs=1e-4)


def test_review_formats(example_store: Path) -> None:
    items = review_queue(example_store, limit=5)
    res = run("review", "--store", example_store, "--limit", "5", "--format", "json")
    assert res.exit_code == 0, describe(res)
    assert [(d["a"], d["b"]) for d in json.loads(res.stdout)] == [
        (human.name(i.a), human.name(i.b)) for i in items]
    res = run("review", "--store", example_store, "--limit", "5", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["explanation"] == items[0].line
    res = run("review", "--store", example_store, "--limit", "5")
    assert res.stdout.splitlines()[0].startswith("  1. [")
    assert run("review", "--store", example_store, "--format", "xml").exit_code == 2


def test_review_leaves_out_decided_pairs(example_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(example_store, store)
    first = review_queue(store)[0]
    run("decide", human.name(first.a), human.name(first.b), "--same", "--store", store)
    assert (first.a, first.b) not in {(i.a, i.b) for i in review_queue(store)}


def test_interactive_review_records_as_it_goes(example_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(example_store, store)
    items = review_queue(store, limit=4)
    # same on the 1st; skip the 2nd; undo the skip, undo the same; different
    # on the 1st; same on the 2nd; quit
    res = run_input(store, "s\nk\nu\nu\nd\ns\nq\n")
    assert res.exit_code == 0, describe(res)
    out = res.stdout
    assert "[1/4]" in out and "record" in out and " | " in out  # side by side
    assert "undone: same" in out and "2 decision(s) recorded" in out
    decided = {d.pair: d.verdict for d in human.read(store)}
    assert decided == {(items[0].a, items[0].b): "different",
                       (items[1].a, items[1].b): "same"}
    assert {d.by for d in human.read(store)} == {"reviewer"}


def test_interactive_review_ends_with_its_input(example_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(example_store, store)
    res = run_input(store, "x\nk\n")
    assert res.exit_code == 0, describe(res)
    assert "s same work, d different works" in res.stdout
    assert "0 decision(s) recorded" in res.stdout
    assert not human.path(store).exists()


def run_input(store: Path, keys: str):
    """``kg review --interactive`` with ``keys`` on its standard input."""
    return CliRunner().invoke(app, ["review", "--store", str(store), "--limit", "4",
                                    "--interactive", "--by", "reviewer"],
                              input=keys, env=ENV)


def test_review_help_names_the_keys() -> None:
    assert "ssame,ddifferent,kskip,uundo,qquit" in flat(text(run("review", "--help")))


def test_review_lists_unusual_works(tmp_path: Path) -> None:
    """Three records of one source in one work: worth a look."""
    rec = {"title": "Attention is all you need", "year": 2017,
           "authors": ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]}
    lines = [json.dumps({"id": f"v{i}", **rec}) for i in range(3)]
    (tmp_path / "lib.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    assert build(store, tmp_path / "lib.jsonl").exit_code == 0
    works = [i for i in review_queue(store) if i.kind == "unusual work"]
    assert len(works) == 1 and works[0].doubt == 0.3
    assert works[0].note == "3 records (lib 3); weakest link shown"
    assert works[0].work and works[0].same_work
