"""The library file of a build: every work and record as the deduplicated
exports read them, beside the graph.

Reading the canonical fields, authors, identifiers and URLs of 80,000
records back out of Oxigraph takes minutes (each term is looked up in the
store's string table: about 20 microseconds a quad, some 2.5 million quads),
while the build has them at hand.  ``kg build`` therefore writes them into
``library.jsonl.gz`` in the build's directory (:func:`save_library`, from
:func:`work_entries_of` and :func:`record_entries_of`, the same entries
``kg dedupe`` writes from), and the exports of works read that
(:func:`load_library`); a store built before the file existed is read from
its graph (:func:`kg.bibliography.work_entries`,
:func:`kg.deduplicated.record_entries`), with the same result.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from resolve.decisions import work_of
from resolve.types import Record, Work, is_preprint_doi

from .bibliography import WorkEntry, best_url, entry_key

LIBRARY_FILE = "library.jsonl.gz"
_FIELDS = [f.name for f in fields(WorkEntry)]
_TUPLES = ("authors", "identifiers")


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


def save_library(directory: Path, records: Sequence[Record], works: Sequence[Work]) -> int:
    """Write the works' and records' entries to ``directory/library.jsonl.gz``
    (a header line naming the fields, then one line per work, then one per
    record); its size in bytes."""
    dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    path = Path(directory) / LIBRARY_FILE
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1,
                                               mtime=0) as fh:
        lines = [dumps({"fields": _FIELDS, "works": len(works), "records": len(records)})]
        for make in (work_entries_of, record_entries_of):  # one list at a time
            for e in make(records, works):
                lines.append(dumps([getattr(e, name) for name in _FIELDS]))
                if len(lines) >= 4096:  # a batch at a time: the abstracts add up
                    fh.write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
                    lines.clear()
        fh.write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape") if lines else b"")
    return path.stat().st_size


def load_library(directory: Path | None
                 ) -> tuple[list[WorkEntry], list[WorkEntry]] | None:
    """The works' and records' entries of the build in ``directory``; None if
    it has no library file (a store built before it was written)."""
    if directory is None or not (Path(directory) / LIBRARY_FILE).is_file():
        return None
    with gzip.open(Path(directory) / LIBRARY_FILE, "rt", encoding="utf-8",
                   errors="surrogateescape") as fh:
        head = json.loads(fh.readline())
        if head.get("fields") != _FIELDS:
            return None  # written by another version: read the graph
        entries = []
        for line in fh:
            e = WorkEntry(*json.loads(line))
            e.authors = [tuple(a) for a in e.authors]  # type: ignore[misc]
            e.identifiers = [tuple(x) for x in e.identifiers]  # type: ignore[misc]
            entries.append(e)
    n = head["works"]
    return entries[:n], entries[n:]


__all__ = ["LIBRARY_FILE", "load_library", "record_entries_of", "save_library",
           "work_entries_of"]
