"""kg add reuses what the store's state derived from its records (features,
works and versions of unchanged clusters: :mod:`kg.derived`): the
add gives exactly what it gives when it derives everything again from the
records, the resolution and the store alike."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

import pytest
from _kgfixtures import EXAMPLE_FILES
from test_add import A1, B1, C1, _synthetic, _write
from test_add_in_place import dump, unzip

from kg import derived, packed, state
from kg.add import add_records
from kg.build import BuildReport, build_store
from kg.derived import FEATURES_FILE, WORKS_FILE, load_features
from kg.state import RECORDS_FILE, load_records
from kg.storedir import current_path, store_metadata
from resolve.features import features_of


def _derive_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """kg add as it was: nothing the state derived is read back (nor the
    packed copy of the state, which has it too)."""
    monkeypatch.setattr(packed, "load", lambda directory, *codes: None)
    monkeypatch.setattr(state, "load_features", lambda directory, count: None)
    monkeypatch.setattr(state, "load_works", lambda directory, count: None)


def resolution_of(report: BuildReport) -> dict:
    """Everything a resolution decided, as plain data."""
    r = report.resolution
    return {
        "features": r.features, "stats": r.stats,
        "candidates": (r.candidates.per_rule, r.candidates.total, r.candidates.hopeless,
                       r.candidates.windowed_blocks),
        "scored": [(p.a, p.b, p.score) for p in r.scored],
        "completed": [(p.a, p.b, p.score) for p in r.clustering.completed_pairs],
        "levels": r.levels.tolist(),
        "clusters": r.clustering.clusters, "splits": r.clustering.splits,
        "constrained": r.clustering.constrained, "ties": r.clustering.ties,
        "works": r.works, "versions": r.versions,
        "field order": [(list(w.fields), list(w.field_sources)) for w in r.works],
        "ids": (r.ids.ids, r.ids.founders, r.ids.since, r.ids.redirects, r.ids.merged)
        if r.ids else None,
        "reused": r.reused,
    }


def add_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: list[str],
                  steps: list[list[str]]) -> list[BuildReport]:
    """``kg build first``, then ``kg add`` of each of ``steps``, once reusing
    the state and once deriving everything again; checks that both give the
    same resolution, the same quads and the same state files.  Returns the
    reports of the adds that reused the state."""
    reusing, again = tmp_path / "reusing", tmp_path / "again"
    build_store(first, reusing, jobs=1)
    shutil.copytree(reusing, again)
    reports = []
    for step in steps:
        with monkeypatch.context() as m:
            _derive_everything(m)
            expected = add_records(step, again, jobs=1)
        kept = state.load_state(current_path(reusing))
        assert kept.features and kept.works  # reused
        got = add_records(step, reusing, jobs=1)
        assert resolution_of(got) == resolution_of(expected)
        assert dump(current_path(reusing)) == dump(current_path(again))
        for name in (RECORDS_FILE, FEATURES_FILE, WORKS_FILE):
            assert unzip(current_path(reusing) / name) == unzip(current_path(again) / name)
        meta, meta_again = store_metadata(reusing), store_metadata(again)
        for key in ("summary", "candidates per rule", "work ids", "graph"):
            if key == "summary":
                meta["summary"].pop("seconds"), meta_again["summary"].pop("seconds")
            assert meta[key] == meta_again[key], key
        reports.append(got)
    return reports


def test_kept_features_are_those_computed_again(tmp_path):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES, store, jobs=1)
    path = current_path(store)
    records, _ = load_records(path)
    kept = load_features(path, len(records))
    assert kept is not None and kept == [features_of(r) for r in records]
    assert load_features(path, len(records) + 1) is None  # not these records'


def test_features_made_by_other_code_are_made_again(tmp_path, monkeypatch):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES[:3], store, jobs=1)
    monkeypatch.setattr(derived, "features_code", lambda: "another")
    path = current_path(store)
    assert load_features(path, len(load_records(path)[0])) is None
    add_records(EXAMPLE_FILES[3:], store, jobs=1)  # written whole, with its own header
    path = current_path(store)
    with gzip.open(path / FEATURES_FILE, "rt") as fh:
        assert json.loads(fh.readline())["code"] == "another"
    assert len(load_features(path, len(load_records(path)[0])) or ()) == 57


def test_examples_added_in_two_steps(tmp_path, monkeypatch):
    add_both_ways(tmp_path, monkeypatch, EXAMPLE_FILES[:2],
                  [EXAMPLE_FILES[2:4], EXAMPLE_FILES[4:]])


def test_a_merge_that_retires_an_id(tmp_path, monkeypatch):
    x, y, z = (_write(tmp_path / "x.jsonl", A1), _write(tmp_path / "y.jsonl", B1),
               _write(tmp_path / "z.jsonl", C1))
    (report,) = add_both_ways(tmp_path, monkeypatch, [x, y], [[z]])
    assert report.summary["works merged into others"] == 1


def _split_synthetic(tmp_path: Path, n: int, share: float, seed: int) -> tuple[list, list]:
    rng = random.Random(seed)
    parts: dict[str, dict[str, list[str]]] = {"p1": {}, "p2": {}}
    for source, rec, _ in _synthetic().generate(n, 4):
        part = "p2" if rng.random() < share else "p1"
        parts[part].setdefault(source, []).append(json.dumps(rec))
    files: dict[str, list[str]] = {"p1": [], "p2": []}
    for part, by_source in parts.items():
        (tmp_path / part).mkdir()
        for source, lines in sorted(by_source.items()):
            path = tmp_path / part / f"{source}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            files[part].append(str(path))
    return files["p1"], files["p2"]


def test_synthetic_set_split_in_two(tmp_path, monkeypatch):
    """1,500 synthetic records (copies, many sources, common titles), a
    tenth added later."""
    first, second = _split_synthetic(tmp_path, 1500, 0.1, 11)
    (report,) = add_both_ways(tmp_path, monkeypatch, first, [second])
    assert report.summary["works touched"] > 10


def test_a_title_word_author_comes_back_when_another_record_has_it(tmp_path, monkeypatch):
    """The state keeps each record's own features: "D Proposal" is left out
    as a title word while it is the only author so named, and is an author
    again once an added record has the same name (as a build of both says)."""
    title_words = [{"id": f"t{k}", "title": title, "authors": ["A Writer"]} for k, title in
                   enumerate(["A proposal for streams", "A research proposal",
                              "Proposal: gray codes"])]
    x = _write(tmp_path / "x.jsonl", *title_words,
               {"id": "p1", "title": "Stream data manager", "authors": ["D Proposal"]})
    y = _write(tmp_path / "y.jsonl",
               {"id": "p2", "title": "Warehouse query planner", "authors": ["D Proposal"]})
    (report,) = add_both_ways(tmp_path, monkeypatch, [x], [[y]])
    features = {r.record_id: f for r, f in zip(report.resolution.records,
                                                report.resolution.features, strict=True)}
    assert features["p1"].authors == features["p2"].authors == ("proposal d",)
    alone = build_store([x], tmp_path / "alone", jobs=1)
    assert [f.authors for r, f in zip(alone.resolution.records, alone.resolution.features,
                                      strict=True) if r.record_id == "p1"] == [()]
