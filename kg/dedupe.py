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
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from resolve.decisions import work_of
from resolve.pipeline import Resolution, resolve_records
from resolve.readers import InputError
from resolve.settings import Settings
from resolve.types import Record, RecordKey, Work, is_preprint_doi

from .bibliography import WorkEntry, best_url, entry_key
from .build import Progress, ReadResult, read_records
from .deduplicated import ExportResult, WorkExport, write_library


class RawMemory:
    """The records' source text, kept in memory as they are read (what
    :class:`kg.rawrecords.RawWriter` writes into a build's directory)."""

    def __init__(self) -> None:
        self.records: dict[RecordKey, tuple[str, str]] = {}
        self.count = 0

    def add(self, source: str, record_id: str, fmt: str, raw: str) -> None:
        self.records[(source, record_id)] = (fmt, raw)
        self.count += 1


def _year(value: object) -> str:
    return f"{value:04d}" if isinstance(value, int) else ""


def _authors(rec: Record) -> list[tuple[int, str, str, str]]:
    return [(pos, a.name, a.family, a.given) for pos, a in enumerate(rec.authors, 1)]


def work_entries_of(records: Sequence[Record], works: Sequence[Work]) -> list[WorkEntry]:
    """Every work with its canonical fields, as :func:`kg.bibliography.work_entries`
    reads them from a store, sorted by work id."""
    entries = []
    for w in works:
        f = w.fields
        e = WorkEntry(w.work_id)
        for name in ("title", "venue", "volume", "issue", "pages", "doi", "type", "abstract"):
            if name in f:
                setattr(e, name, str(f[name]))
        e.year = _year(f.get("year"))
        if "authors" in f:
            e.authors = sorted(_authors(records[w.field_sources["authors"]]))
        members = [records[i] for i in w.members]
        e.records = sorted(f"{r.source}:{r.record_id}" for r in members)
        arxiv = sorted({v for r in members for v in r.ids("arxiv")})
        e.arxiv = arxiv[0] if arxiv else ""
        e.url = best_url(e.doi, e.arxiv, {u for r in members for u in r.urls})
        entries.append(e)
    entries.sort(key=lambda e: e.work_id)
    used: set[str] = set()
    for e in entries:
        e.key = entry_key(e, used)
    return entries


def record_entries_of(records: Sequence[Record], works: Sequence[Work]) -> list[WorkEntry]:
    """Every record as an entry of its own fields, as
    :func:`kg.deduplicated.record_entries` reads them from a store."""
    owner = work_of(len(records), works)
    out = []
    for i, r in enumerate(records):
        e = WorkEntry(works[owner[i]].work_id, source=r.source, record_id=r.record_id,
                      title=r.title or "", year=_year(r.year), date=r.date or "",
                      venue=r.venue or "", volume=r.volume or "", issue=r.issue or "",
                      pages=r.pages or "", type=r.type or "", abstract=r.abstract or "",
                      authors=sorted(_authors(r)), identifiers=sorted(set(r.identifiers)))
        dois = sorted(e.ids("doi"), key=lambda d: (is_preprint_doi(d), d))
        e.doi = dois[0] if dois else ""
        e.arxiv = next(iter(e.ids("arxiv")), "")
        e.url = best_url(e.doi, e.arxiv, set(r.urls))
        out.append(e)
    return out


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
    read = read_records(inputs, input_format, encoding, progress, raw=raw)
    sources = {r.source for r in read.records} | {r.source for r in read.rejected}
    unknown = set(settings.clean_sources) - sources
    if unknown:
        raise InputError(f"--clean-source {', '.join(sorted(unknown))}: no such source among "
                         "the inputs")
    resolution = resolve_records(read.records, settings, step=progress,
                                 jobs=jobs or os.cpu_count() or 1)
    if progress:
        progress(f"writing the {fmt} library")
    text, result = library_of(read, resolution, raw, fmt, **options)
    return text, result, read


__all__ = ["RawMemory", "dedupe", "library_of", "record_entries_of", "work_entries_of"]
