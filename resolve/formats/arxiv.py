"""arXiv: API Atom feeds (``<feed><entry>``), and the JSON Lines metadata
snapshot (``arxiv-metadata-oai-snapshot.json``: ``id``, ``versions``,
``authors_parsed``...).

Kept: the arXiv id with its version (record id, e.g. ``1706.03762v7``), the
``arxiv:doi`` DOIs (space separated when several), every ``link`` (abstract
page, PDF, DOI).  The date is the first version's (``published``).  An
error entry of the API (``<id>http://arxiv.org/api/errors#...``) is a
rejection with the error text.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from functools import partial

from .. import normalize as nz
from .base import (
    BadRecord,
    FormatError,
    Item,
    as_list,
    compact,
    date_text,
    guarded,
    s,
    strs,
)
from .jsondoc import parse_objects
from .xmltree import Node, parse_xml, raw_of

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"


def arxiv_id(value: object) -> str | None:
    """``1706.03762v7`` (version kept when given) from an id or abs URL."""
    parsed = nz.parse_arxiv(s(value))
    if not parsed:
        return None
    return parsed[0] + (f"v{parsed[1]}" if parsed[1] is not None else "")


def entry_fields(e: Node) -> dict:
    raw_id = e.get_text("id")
    if raw_id and "/api/errors" in raw_id:
        raise BadRecord(f"arXiv API error: {e.get_text('summary') or raw_id}")
    rid = arxiv_id(raw_id)
    if not rid:
        raise BadRecord(f"arXiv entry without an arXiv id (id: {raw_id!r})")
    dois: list[str] = []
    for node in e.findall("doi"):
        dois += node.text().split()
    urls = [href for link in e.findall("link") if (href := link.attrib.get("href"))]
    published = e.get_text("published") or e.get_text("updated")
    return compact({
        "id": rid,
        "title": e.get_text("title"),
        "authors": [n for a in e.findall("author") if (n := a.get_text("name"))],
        "date": date_text(published) if published else None,
        "abstract": e.get_text("summary"),
        "type": "preprint",
        "arxiv": rid,
        "doi": dois,
        "urls": urls,
    })


def parse_atom(text: str) -> Iterator[Item]:
    root, data = parse_xml(text)
    if root.tag != "feed":
        raise FormatError(f"not an arXiv Atom feed (root element <{root.tag}>)", root.line)
    for n, e in enumerate(root.findall("entry"), 1):
        if e.ns != ATOM:
            continue
        yield guarded(partial(entry_fields, e), raw_of(e, data), e.line, f"/feed/entry[{n}]",
                      "arXiv")


def _first_version_date(versions: object) -> str | None:
    for v in as_list(versions):
        created = s(v.get("created")) if isinstance(v, dict) else None
        if created:
            try:
                return parsedate_to_datetime(created).date().isoformat()
            except (TypeError, ValueError, IndexError, OverflowError):
                return date_text(created)
    return None


def metadata_fields(m: dict) -> dict:
    base = arxiv_id(m.get("id"))
    if not base:
        raise BadRecord("arXiv metadata record without an arXiv id")
    versions = [s(v.get("version")) for v in as_list(m.get("versions")) if isinstance(v, dict)]
    latest = next((v for v in reversed(versions) if v and v[1:].isdigit()), None)
    rid = base if latest is None or "v" in base else f"{base}{latest}"
    authors: list[object] = []
    for parts in as_list(m.get("authors_parsed")):
        names = strs(parts)
        if names:
            authors.append({"family": names[0], "given": names[1] if len(names) > 1 else None})
    return compact({
        "id": rid,
        "title": s(m.get("title")),
        "authors": authors or s(m.get("authors")),
        "date": _first_version_date(m.get("versions")) or date_text(s(m.get("update_date")) or ""),
        "abstract": s(m.get("abstract")),
        "type": "preprint",
        "arxiv": rid,
        "doi": (s(m.get("doi")) or "").split(),
        "urls": [f"https://arxiv.org/abs/{rid}"],
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    if text.lstrip().startswith("<"):
        yield from parse_atom(text)
    else:
        yield from parse_objects(text, hint, metadata_fields, "arXiv")

