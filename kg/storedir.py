"""The store directory: where the complete store now current is, how a build
replaces it atomically, and who may remove what.

    DIR/kg-resolve.json     the current build's metadata plus "current":
                            "builds/NAME"; replacing this file (os.replace) is
                            what makes a new build current
    DIR/builds/NAME/        one complete store per build: Oxigraph's files and
                            the build's own kg-resolve.json
    DIR/.kg-build.lock      held (flock) by the build writing DIR; holds its pid
    DIR/decisions.csv       what people decided about pairs of records (kg
                            decide, kg.decisions): kept across builds, written
                            atomically under the build lock

A build (:func:`begin_build`) writes a new directory under ``builds/`` and
makes it current (:meth:`StagedBuild.commit`) only once it is complete, so a
reader always finds a whole store: the old one until the new one is committed.
What a build that died leaves (a directory under ``builds/`` that is not
current) is ignored by readers and removed by the next build. A reader pins
the build it opens (:func:`pin_store`, :func:`open_store`: a shared flock on
that build's kg-resolve.json); a build removes an old build only when no
reader pins it, else a later build does.

A store made before this layout (Oxigraph's files and a kg-resolve.json
without "current" directly in DIR) is read as it is; the next build moves it
to this layout.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import Store

try:
    import fcntl
except ImportError:  # Windows: no flock; builds are not locked, pins do nothing
    fcntl = None  # type: ignore[assignment]

MARKER = "kg-resolve.json"
"""File in a store directory describing the build that made it."""


class StoreError(Exception):
    """A store directory that cannot be created or opened, or a failed load."""


BUILDS = "builds"
LOCK = ".kg-build.lock"
DECISIONS = "decisions.csv"
KEPT = (MARKER, LOCK, BUILDS, DECISIONS)
"""What a build leaves in the store directory: the rest is removed."""
_HOOK_ENV = "KG_TEST_HOOK"


def _read_json(path: Path) -> dict | None:
    """The JSON object in ``path``; ``None`` if there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc}") from exc
    try:
        meta = json.loads(text)
    except ValueError as exc:
        raise StoreError(f"{path}: not a kg-resolve store marker: {exc}") from exc
    if not isinstance(meta, dict):
        raise StoreError(f"{path}: not a kg-resolve store marker")
    return meta


def _current_name(store: Path, meta: dict) -> str | None:
    """The build directory's name under builds/ that ``meta`` (the store's
    top marker) names current; ``None`` for a store of the older layout."""
    current = meta.get("current")
    if current is None:
        return None
    name = str(current).removeprefix(f"{BUILDS}/")
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise StoreError(f"{store}/{MARKER}: bad \"current\": {current!r}")
    return name


def current_path(store: Path) -> Path:
    """The directory of the complete store now current at ``store``: a
    directory ``store/builds/NAME``, or ``store`` itself for a store of the
    older layout (or a build directory given directly). Every build gets a
    directory of its own, so a change of this path means a new build."""
    store = Path(store)
    seen = None
    for _ in range(5):
        meta = _read_json(store / MARKER)
        if meta is None:
            raise StoreError(f"{store}: not a kg-resolve store "
                             f"(run 'kg build ... --store {store}')")
        name = _current_name(store, meta)
        if name is None:
            return store
        path = store / BUILDS / name
        if (path / MARKER).is_file():
            return path
        if name == seen:  # still current, and gone
            raise StoreError(f"{store}: the current build {BUILDS}/{name} is missing")
        seen = name  # else a build may have replaced it just now: look again
    raise StoreError(f"{store}: the store keeps changing; try again")


def store_metadata(store: Path) -> dict:
    """What the build that made the store now current at ``store`` saved
    (``kg info``): inputs, settings, summary counts, timings; ``build`` is its
    id."""
    for _ in range(5):
        path = current_path(store)
        meta = _read_json(path / MARKER)
        if meta is not None:  # else: removed by a build just now; look again
            meta.pop("current", None)
            return meta
    raise StoreError(f"{store}: the store keeps changing; try again")


class PinnedStore:
    """A complete store pinned for reading: a build does not remove it while
    it is pinned. ``path`` is its directory (open it with ``Store.read_only``
    or :func:`open_store`), ``metadata`` its kg-resolve.json. :meth:`close`
    (or leaving a ``with`` block) releases it."""

    def __init__(self, path: Path, fd: int | None, metadata: dict) -> None:
        self.path, self.metadata, self._fd = path, metadata, fd

    @property
    def build(self) -> str:
        return str(self.metadata.get("build", ""))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> PinnedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


_PINNED: dict[Path, PinnedStore] = {}
"""The builds :func:`open_store` opened in this process, pinned until it ends."""


def pin_store(store: Path) -> PinnedStore:
    """Pin the complete store now current at ``store`` (see
    :func:`current_path`) and return it."""
    store = Path(store)
    for _ in range(5):
        path = current_path(store)
        try:
            fd = os.open(path / MARKER, os.O_RDONLY)
        except FileNotFoundError:  # removed by a build since: look again
            continue
        except OSError as exc:
            raise StoreError(f"{path}: cannot open {MARKER}: {exc}") from exc
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH)
                except OSError as exc:  # no flock on this file system: read unpinned
                    if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                        raise
            if os.fstat(fd).st_nlink == 0:  # removed while we waited
                os.close(fd)
                continue
            with os.fdopen(os.dup(fd), encoding="utf-8") as fh:
                meta = json.loads(fh.read())
        except (OSError, ValueError) as exc:
            os.close(fd)
            raise StoreError(f"{path}/{MARKER}: cannot read: {exc}") from exc
        if not isinstance(meta, dict):
            os.close(fd)
            raise StoreError(f"{path}/{MARKER}: not a kg-resolve store marker")
        meta.pop("current", None)
        if fcntl is None:  # nothing to hold
            os.close(fd)
            return PinnedStore(path, None, meta)
        return PinnedStore(path, fd, meta)
    raise StoreError(f"{store}: the store keeps changing; try again")


def _test_hook(point: str) -> None:
    """For tests only: ``KG_TEST_HOOK=POINT:ACTION[,...]`` makes a build stop
    at POINT (``staged``: staging directory made; ``loading``: the first quads
    sent to the loaders; ``commit``: the new build complete, not yet current;
    ``committed``: current, the old build not yet removed). ACTION ``pause``
    prints ``kg-test-hook POINT`` to stderr and waits for a line on stdin;
    ``fail`` raises OSError(ENOSPC) as a full disk would."""
    spec = os.environ.get(_HOOK_ENV)
    if not spec:
        return
    for item in spec.split(","):
        where, _, action = item.partition(":")
        if where != point:
            continue
        if action == "pause":
            print(f"kg-test-hook {point}", file=sys.stderr, flush=True)
            sys.stdin.readline()
        elif action == "fail":
            raise OSError(errno.ENOSPC, f"No space left on device (injected at {point})")


def _is_ours(store: Path, names: set[str]) -> bool:
    """Whether a directory holding ``names`` is a kg-resolve store (or what a
    first build that died left of one)."""
    return MARKER in names or (LOCK in names
                               and names <= {LOCK, BUILDS, DECISIONS} | _tmp_names(names))


def _tmp_names(names: set[str]) -> set[str]:
    return {n for n in names if n.startswith((f".{MARKER}.", f".{DECISIONS}."))}


class StagedBuild:
    """A build being written into ``path``, a new directory under
    ``store/builds``, while the build lock on ``store`` is held. :meth:`commit`
    makes it the current store; leaving a ``with`` block without committing
    (an exception, Ctrl-C) removes it and leaves the old store as it was."""

    def __init__(self, store: Path, path: Path, lock_fd: int) -> None:
        self.store, self.path, self._lock = store, path, lock_fd
        self.committed = False

    def commit(self) -> Path:
        """Make the complete build in :attr:`path` (its kg-resolve.json
        written) current, then remove the old one and what crashed builds
        left, unless readers pin them. Returns :attr:`path`."""
        meta = _read_json(self.path / MARKER)
        if meta is None:
            raise StoreError(f"{self.path}: no {MARKER}: the build is not complete")
        _fsync_dir(self.path)
        _test_hook("commit")
        top = {**meta, "current": f"{BUILDS}/{self.path.name}"}
        tmp = self.store / f".{MARKER}.{os.getpid()}"
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps(top, indent=2, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.store / MARKER)  # the commit: readers now open the new build
        self.committed = True
        _fsync_dir(self.store)
        _test_hook("committed")
        try:
            remove_stale_builds(self.store, locked=True)
        except (OSError, StoreError):
            pass  # the build is committed; a later build removes what is left
        finally:
            self._release()
        return self.path

    def abort(self) -> None:
        """Remove the staging directory (unless it was made current)."""
        try:
            if not self.committed and not self._is_current():
                shutil.rmtree(self.path, ignore_errors=True)
                (self.store / f".{MARKER}.{os.getpid()}").unlink(missing_ok=True)
        finally:
            self._release()

    def _is_current(self) -> bool:
        try:
            return current_path(self.store) == self.path
        except StoreError:
            return False

    def _release(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1

    def __enter__(self) -> StagedBuild:
        return self

    def __del__(self) -> None:  # the lock, at least, if neither commit nor abort ran
        self._release()

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self.abort()
        self._release()


def begin_build(store: Path, label: str = "") -> StagedBuild:
    """Lock ``store`` for a build, remove what earlier builds that died left
    there, and make the new directory the build writes into (named after the
    time, ``label`` and a random part). Raises :class:`StoreError` if ``store``
    is a non-empty directory that is not a kg-resolve store (it is never
    overwritten) or another build holds the lock."""
    store = Path(store)
    if store.exists():
        if not store.is_dir():
            raise StoreError(f"{store}: exists and is not a directory")
        names = {p.name for p in store.iterdir()}
        if names and not _is_ours(store, names):
            raise StoreError(f"{store}: directory is not empty and is not a kg-resolve store; "
                             "choose another --store directory")
    store.mkdir(parents=True, exist_ok=True)
    lock = _lock(store)
    try:
        remove_stale_builds(store, locked=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        name = "-".join(p for p in (stamp, label, secrets.token_hex(3)) if p)
        staged = StagedBuild(store, store / BUILDS / name, lock)
    except BaseException:
        os.close(lock)
        raise
    with _abort_on_error(staged):
        staged.path.mkdir(parents=True)
        _test_hook("staged")
    return staged


@contextmanager
def _abort_on_error(staged: StagedBuild) -> Iterator[None]:
    try:
        yield
    except BaseException:
        staged.abort()
        raise


def _lock(store: Path) -> int:
    """The build lock of ``store``, taken (an open file descriptor)."""
    fd = os.open(store / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    if fcntl is None:  # Windows: no lock
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            os.close(fd)
            raise
        pid = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise StoreError(f"another kg build is writing {store} (pid {pid})") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


@contextmanager
def store_lock(store: Path) -> Iterator[None]:
    """Hold the build lock of ``store`` (an existing store directory) for a
    short change beside its builds, such as :func:`write_kept`; raises
    :class:`StoreError` if a build is writing it."""
    fd = _lock(Path(store))
    try:
        yield
    finally:
        os.close(fd)


def write_kept(store: Path, name: str, data: bytes) -> None:
    """Replace the file ``name`` of :data:`KEPT` in ``store`` atomically (a
    temporary file, synced, then renamed), the caller holding
    :func:`store_lock`."""
    if name not in KEPT:
        raise ValueError(f"{name}: not a file kept in a store directory")
    tmp = Path(store) / f".{name}.{os.getpid()}"
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, Path(store) / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(Path(store))


def check_unlocked(store: Path) -> None:
    """Raise :class:`StoreError` now if another build is writing ``store``, so
    that a build does not read and resolve its input only to be refused at
    the end.  (The lock itself is taken by :func:`begin_build`.)"""
    store = Path(store)
    if not (store / LOCK).is_file():
        return
    os.close(_lock(store))


def remove_stale_builds(store: Path, locked: bool = False) -> list[Path]:
    """Remove from ``store`` what is not part of its current build: builds
    that are no longer current (unless a reader pins them), what builds that
    died left, and the files of the older layout once a build replaced it.
    Takes the build lock unless ``locked`` (the caller holds it); returns what
    was removed, nothing if a build is writing ``store``."""
    store = Path(store)
    if not locked:
        try:
            lock = _lock(store)
        except StoreError:
            return []
        try:
            return remove_stale_builds(store, locked=True)
        finally:
            os.close(lock)
    top = _read_json(store / MARKER)
    current = _current_name(store, top) if top is not None else None
    removed: list[Path] = []
    for entry in store.iterdir():
        # the older layout's files once a build replaced them; a marker never committed
        if entry.name not in KEPT and (
                current is not None or entry.name in _tmp_names({entry.name})):
            _remove(entry)
            removed.append(entry)
    builds = store / BUILDS
    for entry in sorted(builds.iterdir()) if builds.is_dir() else ():
        if entry.name == current:
            continue
        if entry.is_dir() and not entry.is_symlink():
            if not _remove_unpinned(entry):
                continue
        else:
            _remove(entry)
        removed.append(entry)
    return removed


def _remove_unpinned(path: Path) -> bool:
    """Remove the build directory ``path`` unless a reader pins it."""
    try:
        fd = os.open(path / MARKER, os.O_RDONLY)
    except FileNotFoundError:  # no marker: never complete, nobody reads it
        shutil.rmtree(path, ignore_errors=True)
        return True
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # pinned: removed by a later build
        shutil.rmtree(path, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def create_store(path: Path) -> Store:
    """A new, empty store in ``path``, a directory that does not exist yet or
    is empty (a build's staging directory, see :func:`begin_build`)."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise StoreError(f"{path}: not an empty directory")
    path.mkdir(parents=True, exist_ok=True)
    return Store(str(path))


def open_store(path: Path, read_only: bool = True) -> Store:
    """The complete store current at ``path`` (see :func:`current_path`),
    pinned for the life of this process: a later build does not delete it
    while it is open (it is removed by the first build after this process
    ends)."""
    pin = pin_store(path)
    try:
        store = Store.read_only(str(pin.path)) if read_only else Store(str(pin.path))
    except (OSError, RuntimeError) as exc:  # RuntimeError: Oxigraph finds its files corrupt
        pin.close()
        raise StoreError(f"{path}: cannot open store: {exc}") from exc
    if _PINNED.setdefault(pin.path, pin) is not pin:
        pin.close()  # this process pins that build already
    return store


def write_metadata(path: Path, meta: dict) -> None:
    """Write a build's ``kg-resolve.json`` into its directory ``path`` (a
    build is complete once it has one; see :meth:`StagedBuild.commit`)."""
    with (path / MARKER).open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
