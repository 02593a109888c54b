"""The packed copy of the resolution state (:mod:`kg.packed`) gives the state
the JSON files give, links the old build's segments in an add, and is not
read when damaged or written by another Python."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from _kgfixtures import EXAMPLE_FILES

from kg import packed, state
from kg.add import add_records
from kg.build import build_store
from kg.store import StoreError
from kg.storedir import current_path


def _json_state(directory: Path, monkeypatch: pytest.MonkeyPatch) -> state.State:
    with monkeypatch.context() as m:
        m.setattr(packed, "load", lambda directory, *codes: None)
        return state.load_state(directory)


def _same(a: state.State, b: state.State) -> None:
    for name in ("records", "rejected", "ids", "features", "works"):
        assert getattr(a, name) == getattr(b, name), name
    assert repr(a.estimation) == repr(b.estimation)  # read from one file (nan != nan)
    assert a.levels is not None and b.levels is not None
    assert list(a.levels.keys) == list(b.levels.keys)
    for name in ("a", "b", "levels"):
        assert np.array_equal(getattr(a.levels, name), getattr(b.levels, name))


def test_packed_state_is_the_json_state(tmp_path, monkeypatch):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES[:3], store, jobs=1)
    first = current_path(store)
    fast = state.load_state(first)
    assert packed.load(first, "x", "y") is not None and fast.features and fast.works
    _same(fast, _json_state(first, monkeypatch))
    add_records(EXAMPLE_FILES[3:], store, jobs=1)
    second = current_path(store)
    _same(state.load_state(second), _json_state(second, monkeypatch))
    # the add linked the first build's segments and wrote its own
    doc = json.loads((second / packed.MANIFEST).read_text())
    old = json.loads((first / packed.MANIFEST).read_text())
    assert doc["records"][0] == old["records"][0] and len(doc["records"]) == 2
    assert doc["records"][1]["records"] > 0
    name = doc["records"][0]["file"]
    assert os.stat(first / name).st_ino == os.stat(second / name).st_ino
    assert len(doc["features"]["segments"]) == 2


def test_another_python_reads_the_json(tmp_path, monkeypatch):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES[:2], store, jobs=1)
    path = current_path(store)
    doc = json.loads((path / packed.MANIFEST).read_text())
    (path / packed.MANIFEST).write_text(json.dumps({**doc, "python": "2.7"}))
    assert packed.load(path, "x", "y") is None
    _same(state.load_state(path), _json_state(path, monkeypatch))


def test_a_damaged_segment_is_an_error(tmp_path):
    store = tmp_path / "s"
    build_store(EXAMPLE_FILES[:2], store, jobs=1)
    path = current_path(store)
    doc = json.loads((path / packed.MANIFEST).read_text())
    segment = path / doc["records"][0]["file"]
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 1
    segment.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        state.load_state(path)
