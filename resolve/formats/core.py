"""CORE API v3 works: search pages (``{"totalHits", "limit", "offset",
"scrollId", "results"}``), a single work, or JSON Lines of works; and API v2
responses (``{"status": "OK", "totalHits", "data": [...]}``, one article
``{"status": "OK", "data": {...}}``, batches of those) with v2's field names
(``year``, ``datePublished``, ``description``, ``oai``, ``fulltextIdentifier``,
``types``).

Kept: the CORE id (record id and ``core``), ``doi``, ``arxivId``,
``pubmedId``, ``magId`` (``mag``), every ``oaiIds`` entry (``oai``), the typed
``identifiers`` list (``CORE_ID``, ``DOI``, ``ARXIV_ID``, ``MAG_ID``,
``PUBMED_ID``, ``OAI_ID``...), the output ids (``core-output``), journal
ISSNs, ``downloadUrl``, ``sourceFulltextUrls`` and the download/display/
reader ``links``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import BadRecord, Item, add, as_list, compact, date_text, dicts, first, s, strs
from .jsondoc import parse_objects

_TYPED = {"core_id": "core", "doi": "doi", "arxiv_id": "arxiv", "mag_id": "mag",
          "pubmed_id": "pmid", "pmc_id": "pmcid", "oai_id": "oai"}
_FIELD_SCHEMES = {"doi", "arxiv", "pmid", "pmcid"}
_OUTPUT_RE = re.compile(r"/outputs/(\d+)/?$")
_LINK_TYPES = {"download", "display", "reader"}


def work_fields(w: dict) -> dict:
    rid = s(w.get("id"))
    if not rid:
        raise BadRecord("CORE work without an id")
    found: dict[str, list[str]] = {}
    ids: dict[str, list[str]] = {"core": [rid]}
    add(found, "doi", w.get("doi"))
    add(found, "arxiv", w.get("arxivId"))
    add(found, "pmid", w.get("pubmedId"))
    add(ids, "mag", w.get("magId"))
    add(ids, "oai", *strs(w.get("oaiIds")), *strs(w.get("oai")))
    for ident in as_list(w.get("identifiers")):
        if isinstance(ident, dict):
            kind = (s(ident.get("type")) or "").lower()
            value = ident.get("identifier")
        else:
            kind, value = "", ident
        scheme = _TYPED.get(kind, kind)
        if not scheme:
            text = s(value) or ""
            scheme = "oai" if text.lower().startswith("oai:") else "doi" if "10." in text else ""
        if scheme:
            add(found if scheme in _FIELD_SCHEMES else ids, scheme, value)
    for output in strs(w.get("outputs")):
        m = _OUTPUT_RE.search(output)
        add(ids, "core-output", m.group(1) if m else None)
    issn = [i.split(":", 1)[-1] for j in dicts(w.get("journals"))
            for i in strs(j.get("identifiers"))]
    urls = strs(w.get("downloadUrl")) + strs(w.get("sourceFulltextUrls"))
    urls += strs(w.get("fulltextIdentifier")) + strs(w.get("fulltextUrls"))  # API v2
    urls += [u for link in dicts(w.get("links"))
             if (s(link.get("type")) or "").lower() in _LINK_TYPES and (u := s(link.get("url")))]
    authors: list[str] | str | None = s(w.get("authors"))  # a plain string: split later
    if authors is None:
        authors = [n for a in as_list(w.get("authors"))
                   if (n := s(a.get("name")) if isinstance(a, dict) else s(a))]
    journal = next((t for j in dicts(w.get("journals")) if (t := s(j.get("title")))), None)
    date = s(w.get("publishedDate")) or s(w.get("datePublished"))
    return compact({
        "id": rid,
        "title": s(w.get("title")),
        "authors": authors,
        "year": w.get("yearPublished") if "yearPublished" in w else w.get("year"),
        "date": date_text(date) if date else None,
        "venue": journal,
        "abstract": s(w.get("abstract")) or s(w.get("description")),
        "type": s(w.get("documentType")) or first(w.get("types")),
        "issn": issn,
        "urls": urls,
        "identifiers": ids,
        **found,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, work_fields, "CORE",
                             envelopes=(("results",), ("data",)), inner=("data",))

