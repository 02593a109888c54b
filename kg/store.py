"""The on-disk Oxigraph store a build writes and the other commands read."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import RdfFormat, Store

MARKER = "kg-resolve.json"
"""File in a store directory describing the build that made it."""


class StoreError(Exception):
    """A store directory that cannot be created or opened."""


def create_store(path: Path) -> Store:
    """A new, empty store at ``path``.

    An existing kg-resolve store there is replaced (a build is a whole); any
    other non-empty directory is refused rather than deleted.
    """
    if path.exists():
        if not path.is_dir():
            raise StoreError(f"{path}: exists and is not a directory")
        if any(path.iterdir()):
            if not (path / MARKER).exists():
                raise StoreError(
                    f"{path}: directory is not empty and is not a kg-resolve store; "
                    "choose another --store directory")
            shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return Store(str(path))


def open_store(path: Path, read_only: bool = True) -> Store:
    if not (path / MARKER).exists():
        raise StoreError(f"{path}: not a kg-resolve store (run 'kg build ... --store {path}')")
    try:
        return Store.read_only(str(path)) if read_only else Store(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open store: {exc}") from exc


def bulk_load(store: Store, quads: Iterable[str], optimize: bool = True) -> int:
    """Stream N-Quads to a temporary file, bulk-load it, remove it, and
    compact the store (``optimize``): a bulk load leaves many small files
    behind, and reading a compacted store is about twice as fast (the shipped
    queries on an 80,000-record build; see benchmarks/QUERIES.md).

    Returns the number of quads written.
    """
    count = 0
    with tempfile.TemporaryDirectory(prefix="kg-resolve-") as tmpdir:
        tmp = Path(tmpdir) / "load.nq"
        with tmp.open("w", encoding="utf-8") as fh:
            for q in quads:
                fh.write(q)
                count += 1
        store.bulk_load(path=str(tmp), format=RdfFormat.N_QUADS)
    store.flush()
    if optimize:
        store.optimize()
    return count


def write_metadata(path: Path, meta: dict) -> None:
    (path / MARKER).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n",
                               encoding="utf-8")
