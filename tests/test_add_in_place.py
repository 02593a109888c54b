"""kg add updates the graph in place (kg.incremental): the store it leaves
holds exactly the quads of the same add written in full."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

import pytest
from _kgfixtures import EXAMPLE_FILES, describe, run
from pyoxigraph import NamedNode, Store
from test_add import A1, B1, C1, _synthetic, _write

from kg import evidence_text, incremental, library_file
from kg.add import add_records
from kg.build import build_store
from kg.library_file import CHANGES_FILE, load_library
from kg.state import RECORDS_FILE
from kg.storedir import current_path, store_metadata
from kg.vocab import BUILD_GRAPH, DATA, PROV

# The build activity's start and end times: the only quads two writes of one
# resolution differ in (the clock moves); everything else, the build's IRI too,
# is the same.
_TIMES = (f"<{PROV.startedAtTime}>", f"<{PROV.endedAtTime}>")


def dump(path: Path) -> list[str]:
    """Every quad of the Oxigraph store in ``path``, sorted, without the times."""
    store = Store.read_only(str(path))
    try:
        return sorted(s for s in map(str, store) if not any(t in s for t in _TIMES))
    finally:
        del store


def add_both_ways(tmp_path: Path, monkeypatch, first: list[str], second: list[str],
                  between=None, evidence: str = "decisions", then: list[str] | None = None
                  ) -> tuple[Path, Path]:
    """``kg build first``, then ``kg add second`` (and ``then``, if given),
    once in place and once written in full; ``between(store)`` runs on the
    store before the add.  Returns the two stores, checked to hold the same
    quads."""
    inplace, full = tmp_path / "inplace", tmp_path / "full"
    build_store(first, inplace, jobs=1, evidence=evidence)
    if between:
        between(inplace)
    shutil.copytree(inplace, full)
    for step in ([second, then] if then else [second]):
        monkeypatch.setattr(incremental, "IN_PLACE_UP_TO", 1.0)
        monkeypatch.setattr(library_file, "CHANGES_UP_TO", 1.0)
        add_records(step, inplace, jobs=1)
        assert store_metadata(inplace)["graph"]["written"] == "in place"
        assert (current_path(inplace) / CHANGES_FILE).is_file()
        monkeypatch.setattr(incremental, "IN_PLACE_UP_TO", -1.0)
        add_records(step, full, jobs=1)
        meta = store_metadata(full)
        assert meta["graph"]["written"] == "in full" and "rewrites" in meta["graph"]["why"]
        assert store_metadata(inplace)["build"] == meta["build"]
        assert dump(current_path(inplace)) == dump(current_path(full))
        for name in (RECORDS_FILE, evidence_text.EVIDENCE_FILE):  # reused, or not
            assert unzip(current_path(inplace) / name) == unzip(current_path(full) / name), name
        # the library: the old file and the add's changes, or the file whole
        assert not (current_path(full) / CHANGES_FILE).exists()
        assert load_library(current_path(inplace)) == load_library(current_path(full))
    return inplace, full


def unzip(path: Path) -> bytes:
    with gzip.open(path) as fh:
        return fh.read()


def test_examples_added_in_place_equal_a_full_write(tmp_path, monkeypatch):
    inplace, _ = add_both_ways(tmp_path, monkeypatch, EXAMPLE_FILES[:3], EXAMPLE_FILES[3:])
    s = store_metadata(inplace)["summary"]
    assert s["quads removed"] > 0 and s["works touched"] > 0
    r = run("validate", "--store", inplace)
    assert r.exit_code == 0, describe(r)


def test_two_adds_in_place_in_a_row(tmp_path, monkeypatch):
    add_both_ways(tmp_path, monkeypatch, EXAMPLE_FILES[:2], EXAMPLE_FILES[2:4],
                  then=EXAMPLE_FILES[4:])


def test_a_merge_in_place_retires_an_id(tmp_path, monkeypatch):
    x, y, z = (_write(tmp_path / "x.jsonl", A1), _write(tmp_path / "y.jsonl", B1),
               _write(tmp_path / "z.jsonl", C1))
    inplace, _ = add_both_ways(tmp_path, monkeypatch, [x, y], [z])
    assert store_metadata(inplace)["work ids"]["redirects"] == 1


@pytest.mark.parametrize("evidence", ["all", "none"])
def test_evidence_levels_in_place(tmp_path, monkeypatch, evidence):
    add_both_ways(tmp_path, monkeypatch, EXAMPLE_FILES[:4], EXAMPLE_FILES[4:],
                  evidence=evidence)


def test_synthetic_set_with_a_decision_in_place(tmp_path, monkeypatch):
    """1,200 synthetic records, a tenth added later, and a person's decision
    made between the build and the add (its graph and the veto it makes)."""
    rng = random.Random(5)
    parts: dict[str, dict[str, list[str]]] = {"p1": {}, "p2": {}}
    for source, rec, _ in _synthetic().generate(1200, 4):
        part = "p2" if rng.random() < 0.1 else "p1"
        parts[part].setdefault(source, []).append(json.dumps(rec))
    files: dict[str, list[str]] = {}
    for part, by_source in parts.items():
        (tmp_path / part).mkdir()
        for source, lines in sorted(by_source.items()):
            path = tmp_path / part / f"{source}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            files.setdefault(part, []).append(str(path))

    def decide(store: Path) -> None:
        # the two records of the first multi-record work are different works
        r = run("export", "--store", store, "-f", "clusters", "-o", "-")
        rows = [line.split(",") for line in r.stdout.splitlines()[1:]]
        by: dict[str, list[str]] = {}
        for source, record_id, work in rows:
            by.setdefault(work, []).append(f"{source}:{record_id}")
        pair = next(v for _, v in sorted(by.items()) if len(v) > 1)[:2]
        r = run("decide", *pair, "--different", "--by", "tester", "--store", store)
        assert r.exit_code == 0, describe(r)

    inplace, _ = add_both_ways(tmp_path, monkeypatch, files["p1"], files["p2"], between=decide)
    meta = store_metadata(inplace)
    assert meta["decisions"]["applied"] == 1
    # most decisions' text is the old build's: only those that changed are explained
    explained = meta["graph"]["match decisions explained"]
    _, sigs = evidence_text.load(current_path(inplace))
    assert 0 < explained < len(sigs) / 2
    assert meta["summary"]["works touched"] > 10


def test_the_old_build_stays_whole(tmp_path, monkeypatch):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES[:3], store, jobs=1)
    old = current_path(store)
    before = dump(old)
    monkeypatch.setattr(incremental, "IN_PLACE_UP_TO", 1.0)
    reader = Store.read_only(str(old))  # a reader has it open: it is not removed
    add_records(EXAMPLE_FILES[3:], store, jobs=1)
    assert current_path(store) != old and store_metadata(store)["graph"]["written"] == "in place"
    assert sorted(s for s in map(str, reader) if not any(t in s for t in _TIMES)) == before


def test_a_large_add_is_written_in_full(tmp_path):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES[:1], store, jobs=1)
    add_records(EXAMPLE_FILES[1:], store, jobs=1)
    graph = store_metadata(store)["graph"]
    assert graph["written"] == "in full" and "more than 20%" in graph["why"]


def test_a_build_without_the_evidence_text_is_read_from_the_store(tmp_path, monkeypatch):
    def forget(store: Path) -> None:
        (current_path(store) / evidence_text.EVIDENCE_FILE).unlink()

    add_both_ways(tmp_path, monkeypatch, EXAMPLE_FILES[:4], EXAMPLE_FILES[4:], between=forget)


def test_an_author_node_goes_with_the_last_record_linking_to_it():
    """Author nodes are shared by the records writing an author the same way
    (kg.model): one goes when nothing links to it any more, not before."""
    from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

    from kg.vocab import DATA, DCTERMS, FOAF

    creator, name = NamedNode(DCTERMS.creator), NamedNode(FOAF.name)
    r1, r2, w = (NamedNode(f"{DATA}record/s/{n}") for n in ("1", "2", "3"))
    a = NamedNode(f"{DATA}author/00000000000000aa")
    links = [Quad(s, creator, a, DefaultGraph()) for s in (r1, r2, w)]
    own = Quad(a, name, Literal("Ann Example"), DefaultGraph())
    store = Store()
    store.extend([*links, own])
    # two of three links go: the node stays
    assert incremental._orphan_authors(store, [a.value], {}, links[:2]) == []
    # the last link goes, or is written again: the node goes, or stays
    assert incremental._orphan_authors(store, [a.value], {}, links) == [own]
    assert incremental._orphan_authors(store, [a.value], {str(links[2]): links[2]}, links) == []
    # only author nodes are looked at
    assert incremental._orphan_authors(store, [r1.value], {}, links) == []


def test_a_work_names_the_build_that_made_it_as_it_is(tmp_path):
    """An add rewrites no quad of a work it left as it was: the work's
    prov:wasGeneratedBy names the build that made it so (and the new build
    is informed by that one); the works it changed or made name the add."""
    store = tmp_path / "s"
    first = build_store(EXAMPLE_FILES[:3], store, jobs=1)
    before = {w.work_id: frozenset(first.read.records[i].key for i in w.members)
              for w in first.resolution.works}
    added = add_records(EXAMPLE_FILES[3:], store, jobs=1)
    b1, b2 = (f"{DATA}build/{r.build_id}" for r in (first, added))
    db = Store.read_only(str(current_path(store)))
    made = {q.subject.value.rsplit("/", 1)[-1]: q.object.value
            for q in db.quads_for_pattern(None, NamedNode(PROV.wasGeneratedBy), None)}
    records = added.resolution.records
    kept = {w.work_id for w in added.resolution.works
            if before.get(w.work_id) == frozenset(records[i].key for i in w.members)}
    assert kept and len(kept) < len(added.resolution.works)
    for w in added.resolution.works:
        assert made[w.work_id] == (b1 if w.work_id in kept else b2), w.work_id
    assert NamedNode(b1) in [q.object for q in db.quads_for_pattern(
        NamedNode(b2), NamedNode(PROV.wasInformedBy), None, NamedNode(BUILD_GRAPH))]
    del db
    again = add_records(EXAMPLE_FILES[3:], store, jobs=1)  # nothing new: the same build id
    assert again.build_id == added.build_id
