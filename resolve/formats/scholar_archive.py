"""scholar.archive.org (Internet Archive Scholar) search results: a response
page (``{"count_returned", "count_found", "offset", "limit", "results"}``),
a single result document, or JSON Lines of them.

A result is one fatcat *work*: ``biblio`` describes its primary release,
``releases`` all of them (preprint, published version...).  Kept: the result
``key`` (record id), ``work_ident`` (``fatcat-work``), every release's ident
(``fatcat-release``), and the primary release's DOI, arXiv id (with
version), PMID, PMCID, ISBN-13, Wikidata QID (``wikidata``), JSTOR
(``jstor``), DOAJ (``doaj``), dblp (``dblp``) and OAI (``oai``) ids, the
container's ISSNs, and every access URL (Wayback copies name the original
they archive).  The other releases' DOIs and arXiv ids name other versions
and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import BadRecord, Item, add, as_dict, compact, date_text, dicts, s, strs
from .jsondoc import parse_objects

# Biblio/release keys -> record field or identifier scheme.
_ID_KEYS = {
    "doi": "doi", "arxiv_id": "arxiv", "pmid": "pmid", "pmcid": "pmcid", "isbn13": "isbn",
    "wikidata_qid": "wikidata", "jstor_id": "jstor", "doaj_id": "doaj", "dblp_id": "dblp",
    "oai_id": "oai",
}
_FIELD_SCHEMES = {"doi", "arxiv", "pmid", "pmcid", "isbn"}


def result_fields(d: dict) -> dict:
    biblio = as_dict(d.get("biblio"))
    work = s(d.get("work_ident"))
    rid = s(d.get("key")) or (f"work_{work}" if work else None)
    if not rid:
        raise BadRecord("scholar.archive.org result without a key or work_ident")
    found: dict[str, list[str]] = {}
    ids: dict[str, list[str]] = {}
    add(ids, "fatcat-work", work)
    add(ids, "fatcat-release", biblio.get("release_ident"))
    for key, scheme in _ID_KEYS.items():
        add(found if scheme in _FIELD_SCHEMES else ids, scheme, biblio.get(key))
    for release in dicts(d.get("releases")):
        add(ids, "fatcat-release", release.get("ident"))
    fulltext = as_dict(d.get("fulltext"))
    urls = strs(fulltext.get("access_url"))
    urls += [u for a in dicts(d.get("access")) if (u := s(a.get("access_url")))]
    title = s(biblio.get("title")) or s(biblio.get("original_title"))
    subtitle = s(biblio.get("subtitle"))
    if title and subtitle:
        title = f"{title}: {subtitle}"
    date = s(biblio.get("release_date"))
    abstracts = [b for a in dicts(d.get("abstracts")) if (b := s(a.get("body")))]
    return compact({
        "id": rid,
        "title": title,
        "authors": strs(biblio.get("contrib_names")),
        "year": biblio.get("release_year"),
        "date": date_text(date) if date else None,
        "venue": s(biblio.get("container_name")),
        "volume": s(biblio.get("volume")),
        "issue": s(biblio.get("issue")),
        "pages": s(biblio.get("pages")) or s(biblio.get("first_page")),
        "abstract": abstracts[0] if abstracts else None,
        "type": s(biblio.get("release_type")),
        "issn": strs(biblio.get("issns")) + strs(biblio.get("container_issnl")),
        "urls": urls,
        "identifiers": ids,
        **found,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, result_fields, "scholar.archive.org",
                             envelopes=(("results",),))
