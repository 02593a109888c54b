"""A build's candidate pairs saved and loaded (resolve.candidates)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from conftest import make_record

from resolve.candidates import CANDIDATES_FILE, load_candidates, save_candidates


def _records():
    return [make_record("crossref", id="10.1/a"), make_record("dblp", id="journals/x/Y19"),
            make_record("zotero", id="ÄÖ 漢字 ;,\n\x00odd"), make_record("crossref", id="2")]


def test_round_trip_through_a_store_directory(tmp_path: Path) -> None:
    records = _records()
    pairs = [(0, 1), (0, 2), (2, 3)]
    written = save_candidates(tmp_path, records, pairs)
    assert written == tmp_path / CANDIDATES_FILE
    loaded = load_candidates(tmp_path)
    assert loaded.keys == [r.key for r in records]
    assert len(loaded) == 3
    assert list(loaded.key_pairs()) == [(records[a].key, records[b].key) for a, b in pairs]
    # An ordinary .npz: two int32 arrays of positions.
    with np.load(written) as z:
        assert z["a"].dtype == np.int32 and z["a"].tolist() == [0, 0, 2]
        assert z["b"].tolist() == [1, 2, 3]


def test_same_pairs_same_bytes(tmp_path: Path) -> None:
    records = _records()
    first = save_candidates(tmp_path / "one.npz", records, np.array([[0, 1], [1, 2]]))
    time.sleep(2.1)  # zip timestamps have a two-second resolution
    second = save_candidates(tmp_path / "two.npz", records, [(0, 1), (1, 2)])
    assert first.read_bytes() == second.read_bytes()


def test_no_pairs_and_no_records(tmp_path: Path) -> None:
    save_candidates(tmp_path, [], [])
    loaded = load_candidates(tmp_path)
    assert loaded.keys == [] and len(loaded) == 0 and loaded.within({}) == set()


def test_within_keeps_pairs_of_one_label(tmp_path: Path) -> None:
    records = _records()
    save_candidates(tmp_path, records, [(0, 1), (0, 2), (1, 3), (2, 3)])
    loaded = load_candidates(tmp_path)
    k = [r.key for r in records]
    labels = {k[0]: 7, k[1]: 7, k[2]: 8, k[3]: 9}  # (0, 1) only
    assert loaded.within(labels) == {frozenset({k[0], k[1]})}
    assert loaded.within({k[2]: 1, k[3]: 1, k[0]: 1}) == {frozenset({k[0], k[2]}),
                                                         frozenset({k[2], k[3]})}
    assert loaded.within({}) == set()


def test_pairs_outside_the_records_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        save_candidates(tmp_path, _records(), [(0, 4)])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_candidates(tmp_path)


def test_scores_round_trip_and_older_files_have_none(tmp_path: Path) -> None:
    records = _records()
    save_candidates(tmp_path / "with.npz", records, [(0, 1), (2, 3)], [0.25, 0.999])
    loaded = load_candidates(tmp_path / "with.npz")
    assert loaded.scores is not None and loaded.scores.tolist() == [0.25, 0.999]
    save_candidates(tmp_path / "without.npz", records, [(0, 1)])
    assert load_candidates(tmp_path / "without.npz").scores is None
    with pytest.raises(ValueError, match="scores for"):
        save_candidates(tmp_path / "bad.npz", records, [(0, 1)], [0.1, 0.2])
