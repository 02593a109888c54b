"""People's decisions through the CLI: kg decide, kg decisions (export and
import), and what a rebuild of the store does with them."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from _kgfixtures import build, clusters_of, describe, flat, run, text

from kg import decisions as human

# Two records the example resolves into two works (the GAN preprint and the
# 2020 CACM article of the same title), and two it resolves into one (BERT).
GAN_PREPRINT, GAN_CACM = "arxiv:1406.2661v1", "crossref:10.1145/3422622"
BERT_CROSSREF, BERT_ZOTERO = "crossref:10.18653/v1/n19-1423", "zotero:8FJ2NWXA"


def key(name: str) -> tuple[str, str]:
    source, _, rid = name.partition(":")
    return (source, rid)


@pytest.fixture
def store(example_store: Path, tmp_path: Path) -> Path:
    """A copy of the example store this test may change."""
    copy = tmp_path / "store"
    shutil.copytree(example_store, copy)
    return copy


def decide(store: Path, *args: str):
    res = run("decide", *args, "--store", store, "--by", "tester")
    assert res.exit_code == 0, describe(res)
    return flat(text(res))


def test_same_survives_rebuilds_and_joins_two_works(store: Path, tmp_path: Path) -> None:
    before = clusters_of(store, tmp_path / "c0.csv")
    assert before[key(GAN_PREPRINT)] != before[key(GAN_CACM)]
    said = decide(store, GAN_PREPRINT, GAN_CACM, "--same", "--note", "same paper, reprinted")
    assert flat("the next build joins their works") in said
    # nothing changes until the next build ...
    assert clusters_of(store, tmp_path / "c1.csv") == before
    for n in (2, 3):  # ... which applies it, and so does every later one
        res = build(store)
        assert res.exit_code == 0, describe(res)
        after = clusters_of(store, tmp_path / f"c{n}.csv")
        assert after[key(GAN_PREPRINT)] == after[key(GAN_CACM)]
        joined = {k for k, w in before.items() if w in (before[key(GAN_PREPRINT)],
                                                        before[key(GAN_CACM)])}
        assert {k for k, w in after.items() if w == after[key(GAN_PREPRINT)]} == joined
    assert human.read(store)[0].note == "same paper, reprinted"


def test_different_survives_rebuilds_and_splits_a_work(store: Path, tmp_path: Path) -> None:
    before = clusters_of(store, tmp_path / "c0.csv")
    assert before[key(BERT_CROSSREF)] == before[key(BERT_ZOTERO)]
    said = decide(store, BERT_ZOTERO, BERT_CROSSREF, "--different")
    assert flat("the next build splits work") in said
    for n in (1, 2):
        assert build(store).exit_code == 0
        after = clusters_of(store, tmp_path / f"c{n}.csv")
        assert after[key(BERT_CROSSREF)] != after[key(BERT_ZOTERO)]
    # the other records are untouched: every other work is as it was
    untouched = {w for k, w in before.items() if w != before[key(BERT_CROSSREF)]}
    assert {w for w in after.values()} >= untouched
    listing = flat(text(run("decisions", "--store", store)))
    assert "applied" in listing and "nextbuild" not in listing


def test_same_decisions_give_the_same_bytes(store: Path, tmp_path: Path) -> None:
    decide(store, GAN_PREPRINT, GAN_CACM, "--same")
    decide(store, BERT_ZOTERO, BERT_CROSSREF, "--different", "--note", "a \"quoted\" why")
    outs = []
    for n in (1, 2):
        assert build(store).exit_code == 0
        out = tmp_path / f"g{n}.nq"
        res = run("export", "--store", store, "--format", "nquads", "--output", out)
        assert res.exit_code == 0, describe(res)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert b"graph/decisions" in outs[0] and b'"a \\"quoted\\" why"' in outs[0]
    assert run("validate", "--store", store, "--quiet").exit_code == 0


def test_export_import_round_trip(store: Path, example_store: Path, tmp_path: Path) -> None:
    decide(store, GAN_PREPRINT, GAN_CACM, "--same", "--note", "comma, and \"quotes\"")
    decide(store, BERT_ZOTERO, BERT_CROSSREF, "--different")
    exported = tmp_path / "decisions.csv"
    res = run("decisions", "--store", store, "--export", exported)
    assert res.exit_code == 0, describe(res)
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert [r["decision"] for r in rows] == ["same", "different"]
    other = tmp_path / "other"
    shutil.copytree(example_store, other)
    res = run("decisions", "--store", other, "--import", exported)
    assert res.exit_code == 0, describe(res)
    assert "2neworchanged" in flat(text(res))
    again = run("decisions", "--store", other, "--export", "-")
    assert again.stdout == exported.read_text(encoding="utf-8")
    # importing the same again changes nothing
    res = run("decisions", "--store", other, "--import", exported)
    assert "0neworchanged" in flat(text(res))
    assert human.read(other) == human.read(store)


def test_a_later_decision_replaces_an_earlier_one(store: Path) -> None:
    decide(store, GAN_PREPRINT, GAN_CACM, "--same")
    said = decide(store, GAN_CACM, GAN_PREPRINT, "--different")
    assert "replaces:same" in said
    assert [d.verdict for d in human.read(store)] == ["different"]


def test_contradictions_are_refused(store: Path) -> None:
    decide(store, GAN_PREPRINT, GAN_CACM, "--same")
    decide(store, GAN_CACM, BERT_ZOTERO, "--same")
    kept = human.path(store).read_bytes()
    res = run("decide", GAN_PREPRINT, BERT_ZOTERO, "--different", "--store", store)
    assert res.exit_code == 2
    assert "contradict" in text(res)
    assert human.path(store).read_bytes() == kept


def test_bad_record_names_and_options(store: Path) -> None:
    res = run("decide", "arxiv:nope", GAN_CACM, "--same", "--store", store)
    assert res.exit_code == 2 and "no such record" in text(res)
    res = run("decide", GAN_PREPRINT, GAN_CACM, "--store", store)
    assert res.exit_code == 2 and "--same or --different" in text(res)
    res = run("decide", GAN_PREPRINT, GAN_PREPRINT, "--same", "--store", store)
    assert res.exit_code == 2
    assert not human.path(store).exists()


def test_a_record_id_with_a_colon() -> None:
    known = [("wos", "WOS:000123"), ("wos", "x")]
    assert human.parse_name("wos:WOS:000123", known) == ("wos", "WOS:000123")
    with pytest.raises(human.DecisionError):
        human.parse_name("wos:nope", known)


def test_decisions_survive_what_a_build_removes(store: Path) -> None:
    decide(store, GAN_PREPRINT, GAN_CACM, "--same")
    (store / ".decisions.csv.999").write_text("left by a crash", encoding="utf-8")
    assert build(store).exit_code == 0
    assert human.path(store).is_file()
    assert not (store / ".decisions.csv.999").exists()
    meta = json.loads((store / "kg-resolve.json").read_text(encoding="utf-8"))
    assert meta["decisions"] == {"kept": 1, "applied": 1, "not applied": []}


def test_decide_is_refused_while_a_build_writes_the_store(store: Path) -> None:
    from kg.storedir import store_lock

    with store_lock(store):  # as a build writing the store holds it
        res = run("decide", GAN_PREPRINT, GAN_CACM, "--same", "--store", store)
    assert res.exit_code == 4 and "another kg build is writing" in text(res)
    assert not human.path(store).exists()
