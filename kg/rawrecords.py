"""The source text of every record of a build, kept beside its graph.

``kg build`` writes ``records.jsonl.gz`` into the build's directory
(``DIR/builds/NAME/``): one JSON line per record, in input order, with its
``source``, ``id``, ``format`` (the name ``kg sources`` lists) and ``raw``
text (a RIS record, a BibTeX entry, a JSON line, a CSV row...).  The exports
of works (:mod:`kg.deduplicated`) read it to write a record back in its own
format with nothing lost.  The records themselves do not keep their text
(:func:`kg.build.read_records` streams it here as it reads), so a large build
holds no more in memory than before.

The file is written while the inputs are read, before the build's directory
exists, into an unnamed temporary file next to the store (it vanishes if the
build dies), then copied into the build's directory once the graph is loaded.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from collections.abc import Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Protocol

from resolve.types import RecordKey

RAW_FILE = "records.jsonl.gz"
"""The file in a build's directory holding its records' source text."""

# gzip level 1: a third faster than the default for a few percent more bytes
# (the raw text is written once per build and read only by exports).
_LEVEL = 1
_BATCH = 1 << 20
_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _temp_dir(store: Path) -> str | None:
    """The nearest existing directory of ``store`` (the same file system as
    the build, unlike a RAM-backed /tmp); ``None``: the system's default."""
    for d in (store, *store.absolute().parents):
        if d.is_dir():
            return str(d)
    return None


class RawSink(Protocol):
    """Where :func:`kg.build.read_records` puts each record's source text."""

    def add(self, source: str, record_id: str, fmt: str, raw: str) -> None: ...


class RawWriter:
    """Collects the raw text of records as they are read (:meth:`add`), and
    writes it into a build's directory (:meth:`install`)."""

    def __init__(self, store: Path) -> None:
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(dir=_temp_dir(Path(store)))
        except OSError:
            self._file = tempfile.TemporaryFile()
        self._gz = gzip.GzipFile(fileobj=self._file, mode="wb", compresslevel=_LEVEL, mtime=0)
        self.count = 0
        self.skip: Collection[RecordKey] = ()
        """Keys of records whose text is not kept (``kg add``: the records
        the store holds already)."""
        self._lines: list[str] = []
        self._size = 0
        # gzip compresses in a thread of its own (zlib releases the GIL), while
        # this one goes on reading: one batch in flight, in order
        self._compressor = ThreadPoolExecutor(1, thread_name_prefix="kg-resolve raw records")
        self._pending: Future | None = None

    def add(self, source: str, record_id: str, fmt: str, raw: str) -> None:
        if self.skip and (source, record_id) in self.skip:
            return
        self._lines.append(_dumps({"source": source, "id": record_id, "format": fmt,
                                   "raw": raw}))
        self._size += len(raw)
        self.count += 1
        if self._size > _BATCH:
            self._flush()

    def _flush(self) -> None:
        # one write per megabyte: GzipFile.write per line costs more than the compression
        if self._lines:
            data = ("\n".join(self._lines) + "\n").encode("utf-8", "replace")
            self._lines, self._size = [], 0
            self._wait()
            self._pending = self._compressor.submit(self._gz.write, data)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # raises what the write raised

    def install(self, directory: Path, before: Path | None = None) -> int:
        """Copy what was collected to ``directory/records.jsonl.gz``; its size
        in bytes.  ``before``: an earlier ``records.jsonl.gz`` whose records
        come first (``kg add``; copied as it is: gzip members concatenate)."""
        self._flush()
        self._wait()
        self._gz.close()
        self._file.seek(0)
        target = Path(directory) / RAW_FILE
        with target.open("wb") as fh:
            if before is not None and before.is_file():
                with before.open("rb") as old:
                    shutil.copyfileobj(old, fh, 1 << 20)
            shutil.copyfileobj(self._file, fh, 1 << 20)
        self.close()
        return target.stat().st_size

    def close(self) -> None:
        try:
            self._wait()
        except Exception:  # noqa: BLE001 - given up: install would have raised it
            pass
        self._compressor.shutdown()
        if not self._gz.closed:
            self._gz.close()
        self._file.close()

    def __enter__(self) -> RawWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def iter_raw(directory: Path) -> Iterator[dict]:
    """The lines of ``directory/records.jsonl.gz`` as dicts (none if absent)."""
    path = Path(directory) / RAW_FILE
    if not path.is_file():
        return
    with gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_raw(directory: Path, keys: Collection[RecordKey] | None = None
             ) -> dict[RecordKey, tuple[str, str]]:
    """``(source, id) -> (format, raw text)`` for the records ``keys`` (all
    when ``None``) of the build in ``directory``; empty for a build made
    before the file existed."""
    wanted = set(keys) if keys is not None else None
    out: dict[RecordKey, tuple[str, str]] = {}
    for d in iter_raw(directory):
        key = (d["source"], d["id"])
        if wanted is None or key in wanted:
            out[key] = (d.get("format") or "", d.get("raw") or "")
    return out
