"""Papers with Code: API paper pages (``{"count", "next", "previous",
"results"}``), a single paper, and the ``papers-with-abstracts.json`` dump
(a list with ``paper_url`` instead of ``id``).

Kept: the paper id (record id and ``pwc``), ``arxiv_id``, ``nips_id``
(``nips``), the paper page, ``url_abs``, ``url_pdf`` and the conference
abstract/PDF URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import BadRecord, Item, add, compact, date_text, s, strs
from .jsondoc import parse_objects

_SLUG_RE = re.compile(r"/paper/([^/?#]+)")


def paper_fields(p: dict) -> dict:
    page = s(p.get("paper_url"))
    m = _SLUG_RE.search(page) if page else None
    rid = s(p.get("id")) or (m.group(1) if m else None)
    if not rid:
        raise BadRecord("Papers with Code paper without an id or paper_url")
    ids: dict[str, list[str]] = {"pwc": [rid]}
    add(ids, "nips", p.get("nips_id"))
    urls = [page or f"https://paperswithcode.com/paper/{rid}"]
    for key in ("url_abs", "url_pdf", "conference_url_abs", "conference_url_pdf"):
        urls += strs(p.get(key))
    date = s(p.get("published")) or s(p.get("date"))
    authors = p.get("authors")
    return compact({
        "id": rid,
        "title": s(p.get("title")),
        "authors": s(authors) or strs(authors),
        "date": date_text(date) if date else None,
        "abstract": s(p.get("abstract")),
        "arxiv": s(p.get("arxiv_id")),
        "urls": urls,
        "identifiers": ids,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, paper_fields, "Papers with Code",
                             envelopes=(("results",),))
