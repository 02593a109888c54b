"""``kg dedupe``: the deduplicated library straight from the inputs, no graph.

For users who want the deduplicated file (BibTeX, RIS or CSV) and nothing
else: the inputs are read and resolved as ``kg build`` does
(:func:`kg.build.read_records`, :func:`resolve.pipeline.resolve_records`),
and the library is written by the code ``kg export`` uses
(:func:`kg.deduplicated.write_library`), from the resolution instead of a
store.  No store is written, so it costs the resolution and the file only.

    from kg.dedupe import dedupe
    text, result = dedupe(["refs.ris"], "ris")

The entries are those ``kg build`` followed by ``kg export --format FORMAT``
writes for the same inputs and settings, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from resolve.pipeline import Resolution, resolve_records
from resolve.settings import Settings
from resolve.types import RecordKey

from .build import Progress, ReadResult, check_clean_sources, read_records
from .deduplicated import ExportResult, WorkExport, write_library
from .library_file import record_entries_of, work_entries_of


class RawMemory:
    """The records' source text, kept in memory as they are read (what
    :class:`kg.rawrecords.RawWriter` writes into a build's directory)."""

    def __init__(self) -> None:
        self.records: dict[RecordKey, tuple[str, str]] = {}
        self.count = 0

    def add(self, source: str, record_id: str, fmt: str, raw: str) -> None:
        self.records[(source, record_id)] = (fmt, raw)
        self.count += 1


def library_of(read: ReadResult, resolution: Resolution, raw: RawMemory, fmt: WorkExport,
               **options: object) -> tuple[str, ExportResult]:
    """The deduplicated library of a resolution (``options`` are
    :func:`kg.deduplicated.write_library`'s)."""
    records = resolution.records
    return write_library(work_entries_of(records, resolution.works),
                         record_entries_of(records, resolution.works), raw.records, fmt,
                         **options)  # type: ignore[arg-type]


def dedupe(inputs: Iterable[str | Path], fmt: WorkExport, settings: Settings | None = None, *,
           input_format: str | None = None, encoding: str | None = None,
           clean_sources: Iterable[str] = (), jobs: int = 0,
           progress: Progress | None = None, **options: object
           ) -> tuple[str, ExportResult, ReadResult]:
    """Read and resolve ``inputs`` (as :func:`kg.build.build_store` does) and
    return the deduplicated library as ``fmt`` text, what was written, and
    what was read (rejections, warnings)."""
    settings = settings or Settings()
    if clean_sources:
        settings = replace(settings, clean_sources=tuple(sorted(
            {*settings.clean_sources, *clean_sources})))
    raw = RawMemory()
    read = read_records(inputs, input_format, encoding, progress, raw=raw,
                        jobs=jobs or os.cpu_count() or 1)
    check_clean_sources(settings, read)
    resolution = resolve_records(read.records, settings, step=progress,
                                 jobs=jobs or os.cpu_count() or 1)
    if progress:
        progress(f"writing the {fmt} library")
    text, result = library_of(read, resolution, raw, fmt, **options)
    return text, result, read


__all__ = ["RawMemory", "dedupe", "library_of"]
