"""OpenAlex works: ``/works`` pages (``{"meta", "results"}``), a single work,
a list of works, or the snapshot's JSON Lines.

Kept: the W-id (record id and ``openalex``), ``ids`` (DOI, MAG, PMID, PMCID),
every location's landing page and PDF URL, the primary source's name and
ISSNs, ``biblio`` volume/issue/pages and the abstract rebuilt from
``abstract_inverted_index``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import (
    BadRecord,
    Item,
    abstract_from_inverted_index,
    add,
    as_dict,
    compact,
    date_text,
    dicts,
    pages,
    s,
    strs,
)
from .jsondoc import parse_objects

_WID_RE = re.compile(r"(?:^|/)(W\d+)$", re.I)
_DIGITS_RE = re.compile(r"(\d+)/?$")


def short_id(value: object) -> str | None:
    """``W2741809807`` from an OpenAlex id or URL."""
    t = s(value)
    m = _WID_RE.search(t) if t else None
    return m.group(1).upper() if m else None


def _tail_digits(value: object) -> str | None:
    t = s(value)
    m = _DIGITS_RE.search(t) if t else None
    return m.group(1) if m else None


def work_fields(w: dict) -> dict:
    ids_obj = as_dict(w.get("ids"))
    wid = short_id(w.get("id")) or short_id(ids_obj.get("openalex"))
    if not wid:
        raise BadRecord("OpenAlex work without an id (https://openalex.org/W...)")
    ids: dict[str, list[str]] = {"openalex": [wid]}
    add(ids, "mag", ids_obj.get("mag"))
    pmid = _tail_digits(ids_obj.get("pmid"))
    pmcid = _tail_digits(ids_obj.get("pmcid"))

    primary = as_dict(w.get("primary_location")) or as_dict(w.get("host_venue"))
    source = as_dict(primary.get("source")) or primary
    issn = strs(source.get("issn")) + strs(source.get("issn_l"))

    urls: list[str] = []
    locations = [primary, *dicts(w.get("locations")), as_dict(w.get("best_oa_location"))]
    for loc in locations:
        urls += strs(loc.get("landing_page_url")) + strs(loc.get("pdf_url")) + strs(loc.get("url"))
    urls += strs(as_dict(w.get("open_access")).get("oa_url"))

    authors = []
    for a in dicts(w.get("authorships")):
        name = s(as_dict(a.get("author")).get("display_name")) or s(a.get("raw_author_name"))
        if name:
            authors.append(name)

    biblio = as_dict(w.get("biblio"))
    date = s(w.get("publication_date"))
    return compact({
        "id": wid,
        "title": s(w.get("title")) or s(w.get("display_name")),
        "authors": authors,
        "year": w.get("publication_year"),
        "date": date_text(date) if date else None,
        "venue": s(source.get("display_name")),
        "volume": s(biblio.get("volume")),
        "issue": s(biblio.get("issue")),
        "pages": pages(biblio.get("first_page"), biblio.get("last_page")),
        "abstract": abstract_from_inverted_index(w.get("abstract_inverted_index")),
        "type": s(w.get("type")) or s(w.get("type_crossref")),
        "doi": strs(w.get("doi")) + strs(ids_obj.get("doi")),
        "pmid": pmid,
        "pmcid": pmcid,
        "issn": issn,
        "urls": urls,
        "identifiers": ids,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, work_fields, "OpenAlex",
                             envelopes=(("results",), ("works",)))

