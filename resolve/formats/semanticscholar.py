"""Semantic Scholar Graph API papers: search pages (``{"total", "offset",
"next", "data"}``), bulk search (``{"total", "token", "data"}``),
recommendations (``{"recommendedPapers": [...]}``), batch
responses (a list, ``null`` for an id not found), citation/reference pages
(``{"data": [{"citingPaper": ...}]}``), a single paper, and the datasets'
JSON Lines rows (lower-case keys: ``corpusid``, ``externalids``).

Kept: ``paperId`` (record id and ``s2``; a dataset row's is read from its
``url``), every ``externalIds`` entry (DOI,
ArXiv, PubMed, PubMedCentral as such; CorpusId as ``corpusid``, MAG as
``mag``, DBLP as ``dblp``, ACL as ``acl``, any other under its lower-cased
name), the paper ``url`` and ``openAccessPdf.url``, the venue (``venue``,
else ``publicationVenue.name``, else ``journal.name``) and its ISSN,
``journal`` volume and pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import BadRecord, Item, add, as_dict, compact, date_text, dicts, first, s, strs
from .jsondoc import parse_objects

_PAPER_URL_RE = re.compile(r"/paper/(?:[^/]+/)?([0-9a-f]{40})\b")
# externalIds keys (lower-cased) that are fields of the record model.
_FIELDS = {"doi": "doi", "arxiv": "arxiv", "pubmed": "pmid", "pubmedcentral": "pmcid"}


def _get(obj: dict, key: str) -> object:
    """``obj[key]`` under the Graph API's camelCase or the datasets' lower case."""
    return obj[key] if key in obj else obj.get(key.lower())


def paper_fields(p: dict) -> dict:
    ext = as_dict(_get(p, "externalIds"))
    url = s(p.get("url"))
    in_url = _PAPER_URL_RE.search(url) if url else None
    pid = s(_get(p, "paperId")) or (in_url.group(1) if in_url else None)
    corpus = s(_get(p, "corpusId")) or next(
        (s(v) for k, v in ext.items() if str(k).lower() == "corpusid"), None)
    rid = pid or (f"CorpusId:{corpus}" if corpus else None)
    if not rid:
        raise BadRecord("Semantic Scholar paper without a paperId or CorpusId")
    fields: dict[str, list[str]] = {}
    ids: dict[str, list[str]] = {}
    add(ids, "s2", pid)
    add(ids, "corpusid", corpus)
    for key, value in ext.items():
        name = str(key).strip().lower()
        if name in _FIELDS:
            add(fields, _FIELDS[name], value)
        elif name != "corpusid" and name:
            add(ids, name, value)
    venue_obj = as_dict(_get(p, "publicationVenue"))
    journal = as_dict(p.get("journal"))
    types = strs(_get(p, "publicationTypes"))
    date = s(_get(p, "publicationDate"))
    return compact({
        "id": rid,
        "title": s(p.get("title")),
        "authors": [n for a in dicts(p.get("authors")) if (n := s(a.get("name")))],
        "year": p.get("year"),
        "date": date_text(date) if date else None,
        "venue": s(p.get("venue")) or s(venue_obj.get("name")) or s(journal.get("name")),
        "volume": s(journal.get("volume")),
        "pages": s(journal.get("pages")),
        "abstract": s(p.get("abstract")),
        "type": "Conference" if "Conference" in types else first(types),
        "issn": strs(venue_obj.get("issn")),
        "urls": strs(p.get("url")) + strs(as_dict(_get(p, "openAccessPdf")).get("url")),
        "identifiers": ids,
        **fields,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, paper_fields, "Semantic Scholar",
                             envelopes=(("data",), ("recommendedPapers",)),
                             inner=("citingPaper", "citedPaper"))
