"""CSL-JSON (Zotero, Mendeley, pandoc/citeproc, Better BibTeX): a list of
items, a single item, or JSON Lines of items.

Kept: ``id`` (record id; else ``item-N``, N the item's position), ``DOI``,
``URL``, ``ISSN``, ``ISBN`` (several in one string too), ``PMID``, ``PMCID``,
and arXiv ids in
``number``, ``archive_location`` or ``note`` (Zotero's preprints).  Dates are
read from ``issued`` as ``date-parts`` (numbers or strings), ``raw``,
``literal`` or a plain string.  An author given as ``literal`` alone is an
organization, kept whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import normalize as nz
from .base import BadRecord, Item, compact, date_parts, dicts, first, s, strs
from .jsondoc import parse_objects

_ARXIV_RE = re.compile(r"\barxiv:?\s*([a-z\-.]+/\d{7}|\d{4}\.\d{4,5})(v\d+)?", re.I)


def _author(a: dict) -> dict | None:
    family = " ".join(p for p in (s(a.get("non-dropping-particle")), s(a.get("family"))) if p)
    given = " ".join(p for p in (s(a.get("given")), s(a.get("dropping-particle"))) if p)
    literal = s(a.get("literal"))
    if literal and not (family or given):  # an organization: kept whole
        return {"literal": literal}
    name = literal or s(a.get("name"))
    if not (family or given or name):
        return None
    return {"family": family or None, "given": given or None, "name": name}


def _isbns(value: object) -> list[str]:
    """Each ISBN of a value that may hold several ("978... 978..."); a value
    whose parts are no ISBN is kept whole (an ISBN written with spaces)."""
    out: list[str] = []
    for text in strs(value):
        parts = [p for p in re.split(r"[\s,;]+", text) if nz.normalize_isbn(p)]
        out += parts if len(parts) > 1 else [text]
    return out


def item_fields(item: dict, position: int) -> dict:
    if not item:
        raise BadRecord("empty CSL-JSON item")
    notes = strs(item.get("number")) + strs(item.get("archive_location")) + strs(item.get("note"))
    arxiv = [m.group(1) + (m.group(2) or "") for n in notes for m in _ARXIV_RE.finditer(n)]
    return compact({
        "id": s(item.get("id")) or s(item.get("citation-key")) or f"item-{position}",
        "title": s(item.get("title")),
        "authors": [a for x in dicts(item.get("author")) if (a := _author(x))],
        "date": date_parts(item.get("issued")),
        "venue": first(item.get("container-title")) or first(item.get("event-title"))
        or first(item.get("event")),
        "volume": s(item.get("volume")),
        "issue": s(item.get("issue")),
        "pages": s(item.get("page")),
        "abstract": s(item.get("abstract")),
        "type": s(item.get("type")),
        "doi": strs(item.get("DOI")),
        "pmid": strs(item.get("PMID")),
        "pmcid": strs(item.get("PMCID")),
        "arxiv": arxiv,
        "isbn": _isbns(item.get("ISBN")),
        "issn": strs(item.get("ISSN")),
        "urls": strs(item.get("URL")),
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, item_fields, "CSL-JSON", envelopes=(("items",),),
                             positional=True)
