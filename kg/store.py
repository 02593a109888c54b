"""The on-disk Oxigraph store a build writes and the other commands read:
loading the graph (:func:`bulk_load`); the store directory, its builds and who
may read or replace them are :mod:`kg.storedir`, whose API is re-exported
here."""

from __future__ import annotations

import errno
import os
import select
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from .storedir import (  # noqa: F401 - the store directory's API, re-exported
    BUILDS,
    LOCK,
    MARKER,
    PinnedStore,
    StagedBuild,
    StoreError,
    _test_hook,
    begin_build,
    create_store,
    current_path,
    open_store,
    pin_store,
    remove_stale_builds,
    store_metadata,
    write_metadata,
)

try:
    import fcntl
except ImportError:  # Windows: no named pipes either, see bulk_load
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Loaded:
    """What :func:`bulk_load` did: quads written, and seconds spent producing
    the text (``generate``: in the caller's iterable), loading it (``load``:
    wall time of Oxigraph's bulk loaders, which run alongside) and compacting
    the store afterwards (``optimize``)."""

    quads: int
    generate: float
    load: float
    optimize: float


# Oxigraph's bulk loader parses in one thread and sorts and writes batches of a
# million quads in two more; two loaders side by side keep both cores of a small
# machine busy (a build of under a million quads is a single batch otherwise).
STREAMS = 2

# Ends the N-Quads of a load that is given up: not N-Quads, so the loader stops
# at once rather than load what it was sent.
_ABORT = b"\n!\n"

_PIPE_SIZE = 1 << 20


class _Loader(threading.Thread):
    """``Store.bulk_load`` reading N-Quads from the named pipe ``path`` in a
    thread of its own (Oxigraph releases the GIL while it loads)."""

    def __init__(self, store: Store, path: Path) -> None:
        super().__init__(name="kg-resolve bulk load", daemon=True)
        self.store, self.path = store, path
        self.error: BaseException | None = None
        self.seconds = 0.0

    def run(self) -> None:
        t = time.perf_counter()
        try:
            # lenient: no IRI validation; kg.model builds every IRI from
            # percent-encoded parts, and the parse is part of the load's cost
            self.store.bulk_load(path=str(self.path), format=RdfFormat.N_QUADS, lenient=True)
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            self.error = exc
        self.seconds = time.perf_counter() - t

    def open_pipe(self) -> int | None:
        """The write end of the pipe, once this loader reads it; ``None`` if
        the loader stopped before it did."""
        while True:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
                if not self.is_alive():
                    return None
                time.sleep(0.001)
                continue
            os.set_blocking(fd, True)
            if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux: room for a few items, not 64 KiB
                try:
                    fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
                except OSError:
                    pass
            return fd


class _Timed:
    """An iterable of N-Quads text that counts the seconds spent making it
    (the ``generate`` time of :class:`Loaded`), an exception included."""

    def __init__(self, nquads: Iterable[str]) -> None:
        self._it = iter(nquads)
        self.seconds = 0.0

    def __iter__(self) -> Iterator[str]:
        while True:
            t = time.perf_counter()
            try:
                text = next(self._it)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - t
            yield text


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def bulk_load(store: Store, nquads: Iterable[str], optimize: bool = True,
              streams: int = STREAMS) -> Loaded:
    """Load N-Quads text (whole lines, one or many per item) into ``store``
    while it is produced, then compact the store (``optimize``).

    ``streams`` Oxigraph bulk loaders each read a named pipe in a thread of
    their own; this thread produces the text and hands each item to a loader
    ready for more, so producing and loading overlap and no file of quads is
    written. Compacting matters: bulk loads leave many small files behind, and
    reading a compacted store is about twice as fast (the shipped queries on an
    80,000-record build; see benchmarks/QUERIES.md).

    A failure on either side stops both: an exception from ``nquads`` is
    re-raised once the loaders have stopped, and a failed load raises
    :class:`StoreError`. The store then holds part of the graph.
    """
    if not hasattr(os, "mkfifo"):  # no named pipes here: write a file, then load it
        return _load_via_file(store, nquads, optimize)
    count = 0
    produced = _Timed(nquads)
    failure: BaseException | None = None
    tmpdir = Path(tempfile.mkdtemp(prefix="kg-resolve-"))
    loaders = [_Loader(store, tmpdir / f"load-{k}.nq") for k in range(streams)]
    fds: list[int] = []
    try:
        for loader in loaders:
            os.mkfifo(loader.path, 0o600)
            loader.start()
            fd = loader.open_pipe()
            if fd is None:  # the loader failed: its error is raised below
                raise BrokenPipeError
            fds.append(fd)
        # both ends of every pipe are open: their names are not needed any more,
        # so nothing is left behind even if the process is killed
        shutil.rmtree(tmpdir, ignore_errors=True)
        poll = select.poll()  # not select.select: RocksDB may hold over 1,024 files open
        for fd in fds:
            poll.register(fd, select.POLLOUT)
        turn = 0
        for text in produced:
            count += text.count("\n")
            # a loader with room in its pipe; whole items, so lines stay whole
            ready = [fd for fd, _ in poll.poll()] if len(fds) > 1 else fds
            turn += 1
            _write(ready[turn % len(ready)], text.encode())
            if turn == 1:
                _test_hook("loading")
    except BrokenPipeError:
        for fd in fds:  # a loader stopped reading: stop the others too
            _try_write(fd, _ABORT)
    except BaseException as exc:
        failure = exc
        for fd in fds:
            _try_write(fd, _ABORT)
    finally:
        for fd in fds:
            os.close(fd)
        for loader in loaders:
            if loader.ident is not None:
                loader.join()
        shutil.rmtree(tmpdir, ignore_errors=True)
    if failure is not None:
        raise failure
    for loader in loaders:
        if loader.error is not None:
            raise StoreError(f"loading the graph into the store failed: {loader.error}") \
                from loader.error
    return _finish(store, count, produced.seconds, max(loader.seconds for loader in loaders),
                   optimize)


def load_in_turns(store: Store, nquads: Iterable[str], batch: int = 500_000,
                  optimize: bool = True) -> Loaded:
    """:func:`bulk_load` in bounded memory: the text goes to one Oxigraph
    bulk loader until it has ``batch`` lines, then to a new one while the
    first sorts and writes what it was given; at most two loaders are alive.

    A loader holds everything it is sent until its input ends (up to a
    million quads, then again), and a single loader keeps up to three such
    batches: on depression's 2.9 million quads it held over a gigabyte, more
    than the build's own data.  Loaders of ``batch`` lines each hold a
    fraction of that, and parsing one overlaps writing the other.  The same
    quads are loaded (the store holds a set); failures are handled as in
    :func:`bulk_load`."""
    if not hasattr(os, "mkfifo"):
        return _load_via_file(store, nquads, optimize)
    count = in_batch = 0
    produced = _Timed(nquads)
    failure: BaseException | None = None
    loaders: list[_Loader] = []
    fd: int | None = None
    t_load = time.perf_counter()

    def check(loader: _Loader) -> None:
        loader.join()
        if loader.error is not None:
            raise StoreError(f"loading the graph into the store failed: {loader.error}") \
                from loader.error

    try:
        for text in produced:
            if fd is None:
                for old in loaders[:-1]:  # all but the one still writing its batch
                    check(old)
                tmpdir = Path(tempfile.mkdtemp(prefix="kg-resolve-"))
                try:
                    loader = _Loader(store, tmpdir / "load.nq")
                    os.mkfifo(loader.path, 0o600)
                    loader.start()
                    loaders.append(loader)
                    fd = loader.open_pipe()
                finally:  # both ends are open: nothing is left behind if killed
                    shutil.rmtree(tmpdir, ignore_errors=True)
                if fd is None:  # the loader failed: its error is raised below
                    raise BrokenPipeError
            lines = text.count("\n")
            _write(fd, text.encode())
            if count == 0:
                _test_hook("loading")
            count += lines
            in_batch += lines
            if in_batch >= batch:  # its input ends: it writes while the next one parses
                os.close(fd)
                fd, in_batch = None, 0
    except BrokenPipeError:
        if fd is not None:
            _try_write(fd, _ABORT)
    except BaseException as exc:
        failure = exc
        if fd is not None:
            _try_write(fd, _ABORT)
    finally:
        if fd is not None:
            os.close(fd)
        for loader in loaders:
            if loader.ident is not None:
                loader.join()
    if failure is not None:
        raise failure
    for loader in loaders:
        check(loader)
    return _finish(store, count, produced.seconds, time.perf_counter() - t_load, optimize)


def _try_write(fd: int, data: bytes) -> None:
    try:
        _write(fd, data)
    except OSError:
        pass


def _load_via_file(store: Store, nquads: Iterable[str], optimize: bool) -> Loaded:
    count = 0
    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-resolve-") as tmpdir:
        tmp = Path(tmpdir) / "load.nq"
        with tmp.open("w", encoding="utf-8") as fh:
            for text in nquads:
                fh.write(text)
                count += text.count("\n")
        generate = time.perf_counter() - t
        t = time.perf_counter()
        try:
            store.bulk_load(path=str(tmp), format=RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"loading the graph into the store failed: {exc}") from exc
    return _finish(store, count, generate, time.perf_counter() - t, optimize)


def _finish(store: Store, count: int, generate: float, load: float, optimize: bool) -> Loaded:
    t = time.perf_counter()
    store.flush()
    if optimize:
        store.optimize()
    return Loaded(count, round(generate, 3), round(load, 3), round(time.perf_counter() - t, 3))
