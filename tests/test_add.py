"""kg add and stable work ids, end to end: a record set split in two, built
then added, gives the works of one build of all of it; ids survive or redirect."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import random
import sys
from pathlib import Path

import pytest
from _kgfixtures import EXAMPLE_FILES, describe, run

from kg.add import add_records
from kg.build import build_store
from kg.state import IDS_FILE, load_ids
from kg.storedir import current_path, store_metadata

ROOT = Path(__file__).resolve().parent.parent


def clusters(store: Path) -> dict[tuple[str, str], str]:
    r = run("export", "--store", store, "-f", "clusters", "-o", "-")
    assert r.exit_code == 0, describe(r)
    return {(row["source"], row["record_id"]): row["work_id"]
            for row in csv.DictReader(io.StringIO(r.stdout))}


def works(assign: dict[tuple[str, str], str]) -> set[frozenset]:
    by: dict[str, set] = {}
    for k, w in assign.items():
        by.setdefault(w, set()).add(k)
    return {frozenset(v) for v in by.values()}


def assert_ids_kept(first: dict, after: Path) -> None:
    """Every work of the first build keeps its id, or (merged) redirects to
    the work that now holds its founding record."""
    state = load_ids(current_path(after))
    assert state is not None
    redirects, now = state.redirects, clusters(after)
    for wid, members in {w: {k for k, v in first.items() if v == w}
                         for w in set(first.values())}.items():
        founder = min(members)
        holder = now[founder]
        assert holder == wid or redirects.get(wid) == holder, (wid, holder)


# ------------------------------------------------------------ the examples


def test_add_gives_the_works_of_one_build_and_keeps_ids(tmp_path):
    first, second = EXAMPLE_FILES[:3], EXAMPLE_FILES[3:]
    added, whole = tmp_path / "added", tmp_path / "whole"
    r = run("build", "-q", *first, "--store", added)
    assert r.exit_code == 0, describe(r)
    before = clusters(added)
    r = run("add", "-q", *second, "--store", added)
    assert r.exit_code == 0, describe(r)
    assert "records added" in r.stdout and "works touched" in r.stdout
    r = run("build", "-q", *first, *second, "--store", whole)
    assert r.exit_code == 0, describe(r)
    assert works(clusters(added)) == works(clusters(whole))
    assert_ids_kept(before, added)
    meta = store_metadata(added)
    assert meta["summary"]["records added"] == 57 - len(before)
    assert [i["path"] for i in meta["inputs"]] == [i["path"] for i in
                                                   store_metadata(whole)["inputs"]]
    # the source text of old and new records, for the exports
    r = run("export", "--store", added, "-f", "csv", "--all-records", "-o", "-")
    assert r.exit_code == 0 and len(list(csv.DictReader(io.StringIO(r.stdout)))) == 57
    # every record in exactly one work, and the graph valid
    assert len(clusters(added)) == 57
    r = run("validate", "--store", added)
    assert r.exit_code == 0, describe(r)


def test_add_is_deterministic(tmp_path):
    out = []
    for name in ("a", "b"):
        store = tmp_path / name
        build_store(EXAMPLE_FILES[:4], store, jobs=1)
        add_records(EXAMPLE_FILES[4:], store, jobs=1)
        path = current_path(store)
        out.append(((path / IDS_FILE).read_bytes(), (path / "levels.npz").read_bytes(),
                    clusters(store)))
    assert out[0] == out[1]


# ------------------------------------------------ a merge: ids redirect

A1 = {"id": "a1", "title": "Sparse attention for long documents in legal retrieval",
      "authors": ["Maria Novak", "Peter Holt"], "year": 2021,
      "venue": "Journal of Legal Informatics", "doi": "10.5555/jli.2021.7"}
B1 = {"id": "b1", "title": "Sparse attention for long documents in legal search engines",
      "authors": ["M. Novak"], "year": 2020, "venue": "arXiv", "arxiv": "2003.01234v1"}
C1 = {**A1, "id": "c1", "arxiv": "2003.01234v2"}


def _write(path: Path, *records: dict) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("how", ["add", "rebuild"])
def test_a_merge_keeps_the_older_id_and_redirects_the_other(tmp_path, how):
    x, y, z = (_write(tmp_path / "x.jsonl", A1), _write(tmp_path / "y.jsonl", B1),
               _write(tmp_path / "z.jsonl", C1))
    store = tmp_path / "s"
    assert run("build", "-q", x, y, "--store", store).exit_code == 0
    before = clusters(store)
    wa, wb = before[("x", "a1")], before[("y", "b1")]
    assert wa != wb, "a1 and b1 start apart"
    if how == "add":
        r = run("add", "-q", z, "--store", store)
    else:
        r = run("build", "-q", x, y, z, "--store", store)
    assert r.exit_code == 0, describe(r)
    after = clusters(store)
    assert set(after.values()) == {wa}  # c1 joins them: a1's id is the older (same build, smaller)
    assert store_metadata(store)["work ids"]["works merged into others"] == 1
    # the retired id answers for its work in the queries that take a work id
    r = run("query", "--store", store, "work-records", "-p", f"work={wb}", "--format", "csv")
    assert r.exit_code == 0, describe(r)
    assert {row["record_id"] for row in csv.DictReader(io.StringIO(r.stdout))} == {
        "a1", "b1", "c1"}
    r = run("query", "--store", store, "--format", "csv",
            f'SELECT ?n WHERE {{ id:work\\/{wb} dcterms:isReplacedBy ?n }}')
    assert r.exit_code == 0 and f"work/{wa}" in r.stdout, describe(r)
    r = run("validate", "--store", store)
    assert r.exit_code == 0, describe(r)
    # and once the bridge is gone, b1 gets its old id back
    assert run("build", "-q", x, y, "--store", store).exit_code == 0
    assert clusters(store) == before
    assert load_ids(current_path(store)).redirects == {}


# ------------------------------------------------------- errors and safety


def test_a_failed_add_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES[:3], store, jobs=1)
    meta, before = store_metadata(store), clusters(store)
    monkeypatch.setenv("KG_TEST_HOOK", "commit:fail")
    with pytest.raises(OSError):
        add_records(EXAMPLE_FILES[3:], store, jobs=1)
    monkeypatch.delenv("KG_TEST_HOOK")
    assert store_metadata(store)["build"] == meta["build"] and clusters(store) == before


def test_a_record_already_in_the_store(tmp_path):
    x = _write(tmp_path / "x.jsonl", A1)
    store = tmp_path / "s"
    assert run("build", "-q", x, "--store", store).exit_code == 0
    (tmp_path / "again").mkdir()
    again = _write(tmp_path / "again" / "x.jsonl", A1)
    r = run("add", again, "--store", store)
    assert r.exit_code == 0, describe(r)
    assert len(clusters(store)) == 1 and "collapsed" in r.stderr
    other = tmp_path / "other"
    other.mkdir()
    r = run("add", _write(other / "x.jsonl", {**A1, "title": "Something else"}), "--store",
            store)
    assert r.exit_code == 2 and "in the store already" in r.stderr, describe(r)


def test_add_needs_a_store(tmp_path):
    r = run("add", EXAMPLE_FILES[0], "--store", tmp_path / "none")
    assert r.exit_code == 4, describe(r)


# ------------------------------------ a larger set: duplicates across halves


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic",
                                                  ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)
    return module


def test_synthetic_set_split_in_two(tmp_path):
    """1,500 synthetic records (several per work, nine sources), a fifth of
    them, drawn at random, added later: with --reestimate the works are those
    of one build of all of them; without, the store's weights are kept and
    the works differ in at most a few pairs."""
    rng = random.Random(3)
    parts: dict[str, dict[str, list[str]]] = {"p1": {}, "p2": {}}
    for source, rec, _ in _synthetic().generate(1500, 4):
        part = "p2" if rng.random() < 0.2 else "p1"
        parts[part].setdefault(source, []).append(json.dumps(rec))
    files: dict[str, list[str]] = {}
    for part, by_source in parts.items():
        (tmp_path / part).mkdir()
        for source, lines in sorted(by_source.items()):
            path = tmp_path / part / f"{source}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            files.setdefault(part, []).append(str(path))
    whole = tmp_path / "whole"
    build_store([*files["p1"], *files["p2"]], whole, jobs=1)
    full = works(clusters(whole))
    for reestimate in (True, False):
        store = tmp_path / f"added-{reestimate}"
        build_store(files["p1"], store, jobs=1)
        before = clusters(store)
        report = add_records(files["p2"], store, jobs=1, reestimate=reestimate)
        assert report.summary["records added"] == sum(len(v) for v in parts["p2"].values())
        assert report.summary["works touched"] > 50  # duplicates across the halves
        assert report.resolution.reused > 0
        got = works(clusters(store))
        if reestimate:
            assert got == full
        else:
            assert len(got ^ full) <= 0.02 * len(full)
        assert_ids_kept(before, store)
