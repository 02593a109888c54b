"""Blocking recall in ``kg evaluate``: the build keeps its candidate pairs
(``candidates.npz``) and evaluation counts the gold pairs among them."""

from __future__ import annotations

import csv
import json
import re
from itertools import combinations
from pathlib import Path

import pytest
from _kgfixtures import EXAMPLE_FILES, EXAMPLES, describe, run, text

from kg.build import build_store
from kg.store import current_path
from resolve.candidates import CANDIDATES_FILE, load_candidates
from resolve.evaluate import read_clusters_csv

GOLD = EXAMPLES / "gold.csv"
EXIT_STORE = 4


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = tmp_path_factory.mktemp("blocking") / "store"
    return build_store(EXAMPLE_FILES, store, jobs=1)


def _gold_pairs(labels: dict) -> set[frozenset]:
    by: dict = {}
    for key, label in labels.items():
        by.setdefault(label, []).append(key)
    return {frozenset(p) for ms in by.values() for p in combinations(ms, 2)}


def _write_gold(path: Path, labels: dict) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "record_id", "cluster"])
        w.writerows([s, r, c] for (s, r), c in sorted(labels.items()))
    return path


def test_the_build_saves_blockings_pairs(built) -> None:
    path = current_path(built.store) / CANDIDATES_FILE
    saved = load_candidates(path)
    records = built.records
    assert saved.keys == [r.key for r in records]
    scored = [(p.a, p.b) for p in built.resolution.scored]
    assert list(zip(saved.a.tolist(), saved.b.tolist(), strict=True)) == scored
    assert len(saved) == built.resolution.candidates.total == built.summary[
        "candidate pairs scored"]
    assert built.resolution.candidate_pairs.tolist() == [list(p) for p in scored]


def test_blocking_recall_against_the_example_gold(built) -> None:
    candidates = load_candidates(current_path(built.store))
    gold_pairs = _gold_pairs(read_clusters_csv(GOLD))
    proposed = {frozenset(p) for p in candidates.key_pairs()} & gold_pairs
    res = run("evaluate", GOLD, "--store", built.store)
    assert res.exit_code == 0, describe(res)
    out = text(res)
    line = f"blocking recall: {len(proposed) / len(gold_pairs):.4f} ({len(proposed)} of " \
           f"{len(gold_pairs)} gold pairs were candidates)"
    assert line in out.splitlines()
    assert 0 < len(proposed) <= len(gold_pairs)
    assert "never candidates: 0; candidates scored too low or split apart: 0" in out

    res = run("evaluate", GOLD, "--store", built.store, "--format", "json")
    assert res.exit_code == 0, describe(res)
    b = json.loads(res.stdout)["blocking"]
    assert b == {"recall": pytest.approx(len(proposed) / len(gold_pairs)),
                 "candidates": len(proposed), "gold_pairs": len(gold_pairs),
                 "missed_not_candidates": 0, "missed_candidates": 0}


def test_missed_pairs_split_by_whether_they_were_candidates(built, tmp_path: Path) -> None:
    """A gold that joins two works blocking linked by a candidate pair: the
    missed pairs across them are candidates or not, counted apart."""
    candidates = load_candidates(current_path(built.store))
    work_of = {built.records[i].key: w.work_id for w in built.resolution.works
               for i in w.members}
    a, b = next((x, y) for x, y in candidates.key_pairs() if work_of[x] != work_of[y])
    joined = {k: (work_of[a] if w == work_of[b] else w) for k, w in work_of.items()}
    gold = _write_gold(tmp_path / "gold.csv", joined)
    missed = {frozenset({x, y}) for x in work_of for y in work_of
              if work_of[x] == work_of[a] and work_of[y] == work_of[b]}
    were_candidates = missed & {frozenset(p) for p in candidates.key_pairs()}
    assert frozenset({a, b}) in were_candidates

    res = run("evaluate", gold, "--store", built.store, "--format", "json")
    assert res.exit_code == 0, describe(res)
    data = json.loads(res.stdout)
    assert data["missed_pairs"] == len(missed)
    assert data["blocking"]["missed_candidates"] == len(were_candidates)
    assert data["blocking"]["missed_not_candidates"] == len(missed) - len(were_candidates)
    res = run("evaluate", gold, "--store", built.store)
    assert re.search(rf"never candidates: {len(missed) - len(were_candidates)}; candidates "
                     rf"scored too low or split apart: {len(were_candidates)}$", text(res), re.M)


def test_a_store_without_candidates_says_unknown(built, tmp_path: Path) -> None:
    path = current_path(built.store) / CANDIDATES_FILE
    kept = path.read_bytes()
    try:
        path.unlink()
        res = run("evaluate", GOLD, "--store", built.store)
        assert res.exit_code == 0, describe(res)
        assert "blocking recall: unknown" in text(res)
        res = run("evaluate", GOLD, "--store", built.store, "-f", "json")
        assert json.loads(res.stdout)["blocking"] is None
        path.write_bytes(b"not a zip")
        res = run("evaluate", GOLD, "--store", built.store)
        assert res.exit_code == EXIT_STORE, describe(res)
        assert "candidate pairs" in text(res)
    finally:
        path.write_bytes(kept)
