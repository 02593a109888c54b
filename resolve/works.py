"""Turn clusters into works: a stable id and canonical fields with provenance."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from . import normalize as nz
from .types import Record, RecordKey, Work, is_preprint_doi

TEXT_FIELDS = ("title", "venue", "volume", "issue", "pages", "abstract", "type")


def work_id(keys: Sequence[RecordKey]) -> str:
    """A deterministic id from the cluster's smallest record key.

    It does not change when records join or leave the cluster, as long as its
    smallest ``(source, record_id)`` stays the same.
    """
    source, rid = min(keys)
    digest = hashlib.blake2b(f"{source}\x1f{rid}".encode(), digest_size=8).hexdigest()
    return f"w{digest}"


def _non_ascii(text: str) -> int:
    """How many characters of ``text`` are not ASCII (what dropping them drops)."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _display_rank(text: str) -> tuple[bool, int, bool, int]:
    """Lower is better: mixed case over SHOUTING, then more accents (kept, not
    folded away), then without a trailing full stop (DBLP adds one), then longer."""
    shouting = text.isupper() and all(c.isupper() for c in text if c.isalpha())
    accents = 0 if text.isascii() else _non_ascii(text)
    return (shouting, -accents, text.endswith("."), -len(text))


def choose(values: Sequence[tuple[str, int]], key: Callable[[str], str],
           order: Callable[[int], Any] = lambda i: i) -> tuple[str, int] | None:
    """The canonical value among ``(value, record position)`` candidates:
    the most frequent by matching ``key``, then the best-displayed variant,
    then the record first by ``order`` (the record key, so that the choice
    does not depend on the order the records were read in)."""
    present = [(v, i) for v, i in values if v]
    if len(present) < 2:
        return present[0] if present else None
    keys = [key(v) for v, _ in present]
    counts = Counter(keys)
    top = max(counts.values())
    return min((vi for vi, k in zip(present, keys, strict=True) if counts[k] == top),
               key=lambda vi: (_display_rank(vi[0]), vi[0], order(vi[1])))


def canonical_fields(records: Sequence[Record], members: Sequence[int]) -> tuple[dict, dict]:
    """The canonical value of each field of one work and the record it was
    taken from.  Ties are broken by value, then by record key, never by input
    order: the same records in any order give the same work."""
    if len(members) == 1:
        return _own_fields(records[members[0]], members[0])

    def order(i: int) -> tuple[str, str]:
        return records[i].key

    fields: dict[str, object] = {}
    sources: dict[str, int] = {}
    for name in TEXT_FIELDS:
        key = nz.normalize_title if name in ("title", "venue") else str.lower
        picked = choose([(getattr(records[i], name), i) for i in members], key, order)
        if picked:
            fields[name], sources[name] = picked
    years = [(records[i].year, i) for i in members if records[i].year is not None]
    if years:
        counts = Counter(y for y, _ in years)
        year, pos = min(years, key=lambda yi: (-counts[yi[0]], yi[0], order(yi[1])))
        fields["year"], sources["year"] = year, pos
    with_authors = [i for i in members if records[i].authors]
    if with_authors:
        best = min(with_authors, key=lambda i: (
            -len(records[i].authors),
            -sum(len(a.given) for a in records[i].authors),
            -sum(_non_ascii(a.name) for a in records[i].authors),
            order(i)))
        fields["authors"] = tuple(a.name for a in records[best].authors)
        sources["authors"] = best
    dois = [(v, i) for i in members for v in records[i].ids("doi")]
    if dois:
        # The version of record's DOI over a preprint server's.
        doi_counts = Counter(v for v, _ in dois)
        doi, pos = min(dois, key=lambda vi: (is_preprint_doi(vi[0]), -doi_counts[vi[0]],
                                             vi[0], order(vi[1])))
        fields["doi"], sources["doi"] = doi, pos
    return fields, sources


def fields_from_sources(records: Sequence[Record], sources: dict[str, int],
                        doi: str | None) -> tuple[dict, dict]:
    """:func:`canonical_fields` of a work given what it chose (``sources``: the
    record each field was taken from, in the order it gives them; ``doi``: the
    DOI chosen): each field's value is that record's, as it takes them."""
    fields: dict[str, object] = {}
    for name, i in sources.items():
        rec = records[i]
        if name == "authors":
            fields[name] = tuple(a.name for a in rec.authors)
        elif name == "doi":
            fields[name] = doi
        else:
            fields[name] = getattr(rec, name)
    return fields, dict(sources)


def _own_fields(rec: Record, i: int) -> tuple[dict, dict]:
    """:func:`canonical_fields` of a work of one record (most works): its
    own fields, each from itself."""
    fields: dict[str, object] = {}
    for name in TEXT_FIELDS:
        value = getattr(rec, name)
        if value:
            fields[name] = value
    if rec.year is not None:
        fields["year"] = rec.year
    if rec.authors:
        fields["authors"] = tuple(a.name for a in rec.authors)
    dois = rec.ids("doi")
    if dois:
        counts = Counter(dois)
        fields["doi"] = min(dois, key=lambda v: (is_preprint_doi(v), -counts[v], v))
    return fields, dict.fromkeys(fields, i)


def make_works(records: Sequence[Record], clusters: Sequence[Sequence[int]],
               ids: Sequence[str] | None = None,
               fields_of: Callable[[Sequence[Record], tuple[int, ...]], tuple[dict, dict]]
               = canonical_fields) -> list[Work]:
    """One :class:`Work` per cluster, sorted by work id; ``ids`` are the
    clusters' ids (:func:`resolve.ids.assign_ids`), else :func:`work_id`.
    ``fields_of``: :func:`canonical_fields`, or what gives the same (``kg
    add``: those of the works it had before, see :mod:`resolve.prior`)."""
    works: list[Work] = []
    for n, members in enumerate(clusters):
        members = tuple(sorted(members))
        fields, sources = fields_of(records, members)
        wid = ids[n] if ids is not None else work_id([records[i].key for i in members])
        works.append(Work(wid, members, fields, sources))
    works.sort(key=lambda w: w.work_id)
    ids = [w.work_id for w in works]
    if len(set(ids)) != len(ids):  # pragma: no cover - 64-bit hash collision
        raise RuntimeError("work id collision; please report this input")
    return works
