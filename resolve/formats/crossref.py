"""Crossref REST API works: a ``work-list`` response (``message.items``), a
single ``work`` response (``message``), bare work objects (a list, JSON
Lines, the public data file's ``{"items": [...]}``).

Kept: the DOI (record id), DOIs among ``alternative-id`` and
``is-identical-to`` relations (other DOIs of this same object), other
alternative ids as ``publisher-id``, ISSNs, ISBNs, the ``URL``, ``resource``
and full-text ``link`` URLs.  Relations to other versions (``has-preprint``,
``is-version-of``...) name other records and are left out.  The title is
``title`` + ``subtitle``; the date ``issued`` (else ``published``...).
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import normalize as nz
from .base import (
    BadRecord,
    Item,
    add,
    as_dict,
    compact,
    date_parts,
    dicts,
    first,
    s,
    strs,
)
from .jsondoc import parse_objects

# Relations whose target is another DOI of this same object (not of another version).
SAME_OBJECT_RELATIONS = ("is-identical-to",)
_DATE_KEYS = ("issued", "published", "published-print", "published-online", "posted",
              "accepted", "created")


def _title(m: dict) -> str | None:
    title = first(m.get("title")) or first(m.get("original-title"))
    subtitle = first(m.get("subtitle"))
    if title and subtitle and nz.normalize_title(subtitle) not in nz.normalize_title(title):
        return f"{title}: {subtitle}"
    return title or subtitle


def _author(a: dict) -> dict | None:
    family, given = s(a.get("family")), s(a.get("given"))
    suffix = s(a.get("suffix"))
    if family and suffix:
        family = f"{family} {suffix}"
    name = s(a.get("name")) or s(a.get("literal"))
    if not (family or given or name):
        return None
    return {"family": family, "given": given, "name": name}


def work_fields(m: dict) -> dict:
    doi = nz.normalize_doi(s(m.get("DOI")))
    if not doi:
        raise BadRecord("Crossref work without a DOI")
    dois: list[str] = [doi]
    ids: dict[str, list[str]] = {}
    arxiv: list[str] = []
    urls = strs(m.get("URL")) + strs(as_dict(as_dict(m.get("resource")).get("primary")).get("URL"))
    urls += [u for link in dicts(m.get("link")) if (u := s(link.get("URL")))]
    for alt in strs(m.get("alternative-id")):
        if d := nz.normalize_doi(alt):
            dois.append(d)
        elif alt.lower() != doi:
            add(ids, "publisher-id", alt)
    relation = as_dict(m.get("relation"))
    for rel in SAME_OBJECT_RELATIONS:
        for target in dicts(relation.get(rel)):
            kind, value = (s(target.get("id-type")) or "").lower(), s(target.get("id"))
            if kind == "doi" and value:
                dois.append(value)
            elif kind == "arxiv" and value:
                arxiv.append(value)
            elif kind in ("uri", "url") and value:
                urls.append(value)
    date = next((d for key in _DATE_KEYS if (d := date_parts(m.get(key)))), None)
    venue = (first(m.get("container-title")) or first(m.get("group-title"))
             or first([i.get("name") for i in dicts(m.get("institution"))]))
    return compact({
        "id": doi,
        "title": _title(m),
        "authors": [a for x in dicts(m.get("author")) if (a := _author(x))],
        "date": date,
        "venue": venue,
        "volume": s(m.get("volume")),
        "issue": s(m.get("issue")) or s(as_dict(m.get("journal-issue")).get("issue")),
        "pages": s(m.get("page")) or s(m.get("article-number")),
        "abstract": s(m.get("abstract")),
        "type": s(m.get("type")),
        "doi": dois,
        "arxiv": arxiv,
        "issn": strs(m.get("ISSN")) + [v for t in dicts(m.get("issn-type"))
                                       if (v := s(t.get("value")))],
        "isbn": strs(m.get("ISBN")) + [v for t in dicts(m.get("isbn-type"))
                                       if (v := s(t.get("value")))],
        "urls": urls,
        "identifiers": ids,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, work_fields, "Crossref",
                             envelopes=(("message", "items"), ("message",), ("items",)))
