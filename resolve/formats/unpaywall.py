"""Unpaywall: DOI objects (``/v2/{doi}``), search responses (``{"results":
[{"response": {...}, "score", "snippet"}]}``), lists and the snapshot's
JSON Lines.

Kept: the DOI (record id), ``doi_url``, every OA location's URLs (landing
page, PDF) including ``best_oa_location``, ``first_oa_location`` and
``oa_locations_embargoed``, OAI ids of repository copies (``pmh_id`` as
``oai``), the journal ISSNs and ``z_authors``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import normalize as nz
from .base import BadRecord, Item, add, as_dict, compact, date_text, dicts, s, strs
from .jsondoc import parse_objects

_LOCATION_URLS = ("url", "url_for_landing_page", "url_for_pdf")


def _author(a: dict) -> dict | None:
    family, given = s(a.get("family")), s(a.get("given"))
    name = s(a.get("name")) or s(a.get("raw_author_name"))
    return {"family": family, "given": given, "name": name} if family or given or name else None


def doi_fields(o: dict) -> dict:
    doi = nz.normalize_doi(s(o.get("doi")))
    if not doi:
        raise BadRecord("Unpaywall object without a DOI")
    locations = [as_dict(o.get("best_oa_location")), as_dict(o.get("first_oa_location")),
                 *dicts(o.get("oa_locations")), *dicts(o.get("oa_locations_embargoed"))]
    urls = strs(o.get("doi_url"))
    ids: dict[str, list[str]] = {}
    for loc in locations:
        urls += [u for key in _LOCATION_URLS if (u := s(loc.get(key)))]
        pmh = s(loc.get("pmh_id"))
        if pmh and pmh.lower().startswith("oai:"):
            add(ids, "oai", pmh)
    issns = s(o.get("journal_issns")) or ""
    date = s(o.get("published_date"))
    return compact({
        "id": doi,
        "title": s(o.get("title")),
        "authors": [a for x in dicts(o.get("z_authors")) if (a := _author(x))],
        "year": o.get("year"),
        "date": date_text(date) if date else None,
        "venue": s(o.get("journal_name")),
        "type": s(o.get("genre")),
        "doi": doi,
        "issn": [issns, *strs(o.get("journal_issn_l"))],
        "urls": urls,
        "identifiers": ids,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, doi_fields, "Unpaywall", envelopes=(("results",),),
                             inner=("response",))
