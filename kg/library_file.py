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

``kg add`` does not write the file again (rewriting 80,000 records' entries
took 9 s of a 36 s add of 1% to depression): the new build's
``library.jsonl.gz`` is the old one's, hard-linked (it is never changed once
written), and what the adds since it changed is in ``library-changes.jsonl.gz``
(:func:`save_changes`): the ids of the works to drop, the entries of the works
new or changed, and the entries of the records rewritten, by position.
:func:`load_library` applies them and gives the works' entry keys again in
work-id order, which gives exactly the entries :func:`save_library` would
write.  Once the changes hold more than :data:`CHANGES_UP_TO` of the records,
the add writes the file whole again.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path

from resolve.decisions import work_of
from resolve.types import Record, Work, is_preprint_doi

from .bibliography import WorkEntry, best_url, entry_key, suffixed_key

LIBRARY_FILE = "library.jsonl.gz"
CHANGES_FILE = "library-changes.jsonl.gz"
CHANGES_UP_TO = 0.1
"""The largest share of the records the changes file may rewrite before an
add writes the library file whole again."""
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
    read = _read_lines(Path(directory) / LIBRARY_FILE)
    if read is None:
        return None  # written by another version: read the graph
    head, lines = read
    n = head["works"]
    entries = [_entry(json.loads(line)) for line in lines]
    works, records = entries[:n], entries[n:]
    changes = _load_changes(Path(directory))
    if changes is None:
        return works, records
    drop = set(changes["drop"])
    by_id = {e.work_id: e for e in works if e.work_id not in drop}
    by_id.update((e.work_id, e) for e in changes["works"])
    works = [by_id[k] for k in sorted(by_id)]
    used: set[str] = set()
    for e in works:  # the keys again in work-id order, as work_entries_of gives them
        e.key = _key_again(e.key, e.work_id, used)
    for pos, e in sorted(changes["records"].items()):
        if pos < len(records):
            records[pos] = e
        else:
            records.append(e)
    return works, records


def _entry(values: list) -> WorkEntry:
    e = WorkEntry(*values)
    e.authors = [tuple(a) for a in e.authors]  # type: ignore[misc]
    e.identifiers = [tuple(x) for x in e.identifiers]  # type: ignore[misc]
    return e


def _read_lines(path: Path) -> tuple[dict, list[str]] | None:
    with gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape", newline="\n") as fh:
        head = json.loads(fh.readline())
        if head.get("fields") != _FIELDS:
            return None
        lines = fh.read().split("\n")  # not splitlines: U+2028 may be in a value
    if lines and not lines[-1]:
        lines.pop()
    return head, lines


def _load_changes(directory: Path) -> dict | None:
    """The changes file of the build in ``directory``: ``drop`` (work ids),
    ``works`` (entries), ``records`` (entries by position); None if none."""
    path = directory / CHANGES_FILE
    if not path.is_file():
        return None
    read = _read_lines(path)
    if read is None:
        raise ValueError(f"{path}: written by another version")
    head, lines = read
    n = head["works"]
    works = [_entry(json.loads(line)) for line in lines[:n]]
    records = {}
    for line in lines[n:]:
        pos, *values = json.loads(line)
        records[int(pos)] = _entry(values)
    return {"drop": head["drop"], "works": works, "records": records}


def save_changes(old: Path, directory: Path, records: Sequence[Record], works: Sequence[Work],
                 changed_works: Iterable[int], changed_records: Iterable[int],
                 old_works: Iterable[str]) -> int:
    """The library of ``records`` and ``works`` in ``directory``, from that of
    the build in ``old``: its ``library.jsonl.gz`` linked (or copied), and its
    changes with those of this add in ``library-changes.jsonl.gz``.  An add's
    changes: the works at positions ``changed_works`` (new or changed) and
    the records at ``changed_records`` (theirs), ``old_works`` the ids of the
    old works gone or changed.  The file is written whole
    (:func:`save_library`) when ``old`` has none made by this version or the
    changes would rewrite more than :data:`CHANGES_UP_TO` of the records.
    The size in bytes of the files."""
    old, directory = Path(old), Path(directory)
    try:
        with gzip.open(old / LIBRARY_FILE, "rt", encoding="utf-8") as fh:
            head = json.loads(fh.readline())
        before = _load_changes(old)
    except (OSError, ValueError):
        return save_library(directory, records, works)
    if head.get("fields") != _FIELDS:
        return save_library(directory, records, works)
    before = before or {"drop": [], "works": [], "records": {}}
    changed_records = sorted(changed_records)
    gone = set(old_works)
    rewritten = set(before["records"]) | set(changed_records)
    if len(rewritten) > CHANGES_UP_TO * len(records):
        return save_library(directory, records, works)
    # the works: those changed before and not since, then this add's
    fresh = work_entries_of(records, [works[n] for n in changed_works])
    kept = [e for e in before["works"] if e.work_id not in gone]
    work_list = sorted([*kept, *fresh], key=lambda e: e.work_id)
    drop = sorted({*before["drop"], *gone})
    owner = work_of(len(records), works)
    entries = record_entries_of([records[i] for i in changed_records],
                                [Work(works[owner[i]].work_id, (j,))
                                 for j, i in enumerate(changed_records)])
    record_changes = {**before["records"], **dict(zip(changed_records, entries, strict=True))}
    target = directory / LIBRARY_FILE
    try:
        os.link(old / LIBRARY_FILE, target)
    except OSError:  # another file system
        shutil.copyfile(old / LIBRARY_FILE, target)
    dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    lines = [dumps({"fields": _FIELDS, "works": len(work_list), "drop": drop,
                    "records": len(record_changes)})]
    lines += [dumps([getattr(e, name) for name in _FIELDS]) for e in work_list]
    lines += [dumps([pos, *(getattr(e, name) for name in _FIELDS)])
              for pos, e in sorted(record_changes.items())]
    path = directory / CHANGES_FILE
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1,
                                               mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
    return target.stat().st_size + path.stat().st_size


def _key_again(old_key: str, work_id: str, used: set[str]) -> str:
    """:func:`kg.bibliography.entry_key` of a work, from a key it was given
    before (its family-and-year part and the work id's digits)."""
    return suffixed_key(old_key.rsplit("_", 1)[0], work_id, used)


__all__ = ["CHANGES_FILE", "LIBRARY_FILE", "load_library", "record_entries_of",
           "save_changes", "save_library", "work_entries_of"]
