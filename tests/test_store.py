"""kg.store.bulk_load: N-Quads streamed into Oxigraph while they are produced."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator

import pytest
from pyoxigraph import Store

from kg import store as kgstore
from kg.store import StoreError, bulk_load, load_in_turns

EX = "http://example.org/"


def lines(n: int, graph: str = "") -> list[str]:
    g = f" <{EX}g>" if graph else ""
    return [f'<{EX}s{i}> <{EX}p> "value {i}"{g} .\n' for i in range(n)]


@pytest.fixture
def tmp_dirs(tmp_path, monkeypatch):
    """Temporary files go under tmp_path/tmp, so a test can see what is left."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def loader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kg-resolve bulk load"]


@pytest.mark.parametrize(("via_file", "streams"), [(False, 1), (False, 2), (False, 3),
                                                   (True, 1)])
def test_loads_every_quad_in_chunks_of_any_size(tmp_path, tmp_dirs, monkeypatch, via_file,
                                                streams):
    if via_file:
        monkeypatch.delattr(kgstore.os, "mkfifo")
    text = lines(5000) + lines(300, graph="g")
    chunks = ["".join(text[:1]), "".join(text[1:4000]), "", "".join(text[4000:])]
    store = Store(str(tmp_path / "s"))
    loaded = bulk_load(store, iter(chunks), streams=streams)
    assert loaded.quads == len(text) == len(store)
    assert loaded.generate >= 0 and loaded.load >= 0 and loaded.optimize >= 0
    assert list(tmp_dirs.iterdir()) == []
    assert loader_threads() == []


def test_no_file_is_left_even_while_loading(tmp_path, tmp_dirs):
    """The pipes' names are removed once both ends are open: a build that is
    killed leaves nothing behind."""
    seen = []

    def produce() -> Iterator[str]:
        yield "".join(lines(10))
        seen.append(list(tmp_dirs.iterdir()))
        yield "".join(lines(10, graph="g"))

    store = Store(str(tmp_path / "s"))
    assert bulk_load(store, produce()).quads == 20
    assert seen == [[]]


def test_nothing_to_load(tmp_path, tmp_dirs):
    store = Store(str(tmp_path / "s"))
    assert bulk_load(store, []).quads == 0
    assert len(store) == 0
    assert list(tmp_dirs.iterdir()) == []


def test_an_error_while_producing_is_raised_and_stops_the_loader(tmp_path, tmp_dirs):
    def produce() -> Iterator[str]:
        yield "".join(lines(1000))
        raise RuntimeError("the generator broke")

    store = Store(str(tmp_path / "s"))
    with pytest.raises(RuntimeError, match="the generator broke"):
        bulk_load(store, produce())
    assert len(store) == 0  # the loaders were stopped, not left to load what they had
    assert list(tmp_dirs.iterdir()) == []
    assert loader_threads() == []


@pytest.mark.parametrize("via_file", [False, True], ids=["pipe", "file"])
def test_a_load_error_is_a_store_error(tmp_path, tmp_dirs, monkeypatch, via_file):
    if via_file:
        monkeypatch.delattr(kgstore.os, "mkfifo")
    produced = []

    def produce() -> Iterator[str]:
        yield "".join(lines(10))
        yield "<not an IRI> oops .\n"
        for i in range(200):  # more than a pipe holds: the producer sees the loader stop
            produced.append(i)
            yield "".join(lines(1000))

    store = Store(str(tmp_path / "s"))
    with pytest.raises(StoreError, match="loading the graph into the store failed"):
        bulk_load(store, produce())
    assert list(tmp_dirs.iterdir()) == []
    assert loader_threads() == []
    if not via_file:
        assert len(produced) < 200  # stopped early, not after producing everything


# --- load_in_turns: loaders of a batch of lines each, at most two alive -----------

@pytest.mark.parametrize("batch", [1, 700, 4000, 10**6])
def test_loaders_in_turns_load_every_quad(tmp_path, tmp_dirs, batch):
    text = lines(5000) + lines(300, graph="g")
    chunks = ["".join(text[i:i + 250]) for i in range(0, len(text), 250)]
    store = Store(str(tmp_path / "s"))
    started = []

    def produce() -> Iterator[str]:
        for chunk in chunks:
            started.append(len(loader_threads()))
            yield chunk

    loaded = load_in_turns(store, produce(), batch=batch)
    assert loaded.quads == len(text) == len(store)
    assert max(started) <= 2
    assert list(tmp_dirs.iterdir()) == []
    assert loader_threads() == []
    other = Store(str(tmp_path / "t"))
    bulk_load(other, iter(chunks))
    assert sorted(map(str, store)) == sorted(map(str, other))


def test_loaders_in_turns_stop_on_a_producer_error(tmp_path, tmp_dirs):
    def produce() -> Iterator[str]:
        yield "".join(lines(1000))
        yield "".join(lines(1000))
        raise RuntimeError("the generator broke")

    store = Store(str(tmp_path / "s"))
    with pytest.raises(RuntimeError, match="the generator broke"):
        load_in_turns(store, produce(), batch=1500)
    assert list(tmp_dirs.iterdir()) == []
    assert loader_threads() == []


def test_loaders_in_turns_raise_a_load_error(tmp_path, tmp_dirs):
    produced = []

    def produce() -> Iterator[str]:
        yield "".join(lines(10))
        yield "<not an IRI> oops .\n"
        for i in range(200):
            produced.append(i)
            yield "".join(lines(1000))

    store = Store(str(tmp_path / "s"))
    with pytest.raises(StoreError, match="loading the graph into the store failed"):
        load_in_turns(store, produce(), batch=10**6)
    assert list(tmp_dirs.iterdir()) == []
    assert loader_threads() == []
    assert len(produced) < 200
