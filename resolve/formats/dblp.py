"""dblp: publication search API results as JSON (``{"result": {"hits":
{"hit": [{"info": ...}]}}}``) or XML (``<result><hits><hit><info>``), and
dblp record XML (``<dblp><article key="...">``, as from
``https://dblp.org/rec/KEY.xml`` or the XML dump).

Kept: the dblp key (record id and ``dblp``), ``doi``, every ``ee``
(electronic edition) URL and the record's dblp page (``/rec/KEY``).  Search result types
("Conference and Workshop Papers", ...) are given as the record XML's
element names (``inproceedings``, ...).  Authors' homonym numbers ("Jian Sun
0001") are dropped when names are parsed.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .base import (
    BadRecord,
    FormatError,
    Item,
    as_dict,
    as_list,
    compact,
    guarded,
    s,
    strs,
)
from .jsondoc import parse_objects
from .xmltree import Node, parse_xml, raw_of

# Search API "type" labels -> record XML element names.
TYPES = {
    "journal articles": "article", "conference and workshop papers": "inproceedings",
    "informal publications": "informal", "informal and other publications": "informal",
    "parts in books or collections": "incollection", "books and theses": "book",
    "editorship": "proceedings", "reference works": "reference",
    "data and artifacts": "data",
}
RECORD_TAGS = ("article", "inproceedings", "proceedings", "book", "incollection",
               "phdthesis", "mastersthesis", "www", "data")


def _url(value: str) -> str:
    return value if "://" in value else f"https://dblp.org/{value.lstrip('/')}"


def info_fields(info: dict) -> dict:
    """One search hit's ``info`` object (JSON)."""
    key = s(info.get("key"))
    if not key:
        raise BadRecord("dblp hit without a key")
    authors = []
    for a in as_list(as_dict(info.get("authors")).get("author")):
        name = s(a.get("text")) if isinstance(a, dict) else s(a)
        if name:
            authors.append(name)
    kind = s(info.get("type"))
    return compact({
        "id": key,
        "title": s(info.get("title")),
        "authors": authors,
        "year": info.get("year"),
        "venue": ", ".join(strs(info.get("venue"))) or None,
        "volume": s(info.get("volume")),
        "issue": s(info.get("number")),
        "pages": s(info.get("pages")),
        "type": TYPES.get(kind.lower(), kind) if kind else None,
        "doi": strs(info.get("doi")),
        "urls": strs(info.get("ee")) + [_url(u) for u in strs(info.get("url"))],
        "identifiers": {"dblp": [key]},
    })


def _hit_fields(hit: dict) -> dict:
    info = hit.get("info")
    if not isinstance(info, dict):
        raise BadRecord("dblp hit without info")
    return info_fields(info)


def parse_json(text: str, hint: str = "") -> Iterator[Item]:
    yield from parse_objects(text, hint, _hit_fields, "dblp",
                             envelopes=(("result", "hits", "hit"), ("hits", "hit")))


def _xml_info_fields(info: Node) -> dict:
    key = info.get_text("key")
    if not key:
        raise BadRecord("dblp hit without a key")
    kind = info.get_text("type")
    authors_node = info.find("authors")
    return compact({
        "id": key,
        "title": info.get_text("title"),
        "authors": authors_node.texts("author") if authors_node else [],
        "year": info.get_text("year"),
        "venue": ", ".join(info.texts("venue")) or None,
        "volume": info.get_text("volume"),
        "issue": info.get_text("number"),
        "pages": info.get_text("pages"),
        "type": TYPES.get(kind.lower(), kind) if kind else None,
        "doi": info.texts("doi"),
        "urls": info.texts("ee") + [_url(u) for u in info.texts("url")],
        "identifiers": {"dblp": [key]},
    })


def _record_fields(rec: Node) -> dict:
    key = s(rec.attrib.get("key"))
    if rec.tag == "www" or (key or "").startswith("homepages/"):
        raise BadRecord("dblp homepage record, not a publication")
    if not key:
        raise BadRecord(f"dblp <{rec.tag}> without a key attribute")
    kind = "informal" if rec.attrib.get("publtype") == "informal" else rec.tag
    return compact({
        "id": key,
        "title": rec.get_text("title"),
        "authors": rec.texts("author"),
        "year": rec.get_text("year"),
        "venue": rec.get_text("journal") or rec.get_text("booktitle") or rec.get_text("school"),
        "volume": rec.get_text("volume"),
        "issue": rec.get_text("number"),
        "pages": rec.get_text("pages"),
        "type": kind,
        "isbn": rec.texts("isbn"),
        # <url> is the table of contents (db/conf/nips/nips2017.html#...), shared
        # by every paper there; the record's own page is /rec/KEY.
        "urls": [*rec.texts("ee"), f"https://dblp.org/rec/{key}"],
        "identifiers": {"dblp": [key]},
    })


def parse_xml_text(text: str) -> Iterator[Item]:
    root, data = parse_xml(text)
    if root.tag == "result":
        hits = root.find("hits")
        for n, hit in enumerate(hits.findall("hit") if hits else [], 1):
            info = hit.find("info")
            where = f"/result/hits/hit[{n}]"
            if info is None:
                yield guarded(_no_info, raw_of(hit, data), hit.line, where, "dblp")
                continue
            yield guarded(partial(_xml_info_fields, info), raw_of(hit, data), hit.line,
                          where, "dblp")
    elif root.tag == "dblp" or root.tag in RECORD_TAGS:
        if root.tag in RECORD_TAGS:
            records = [(f"/{root.tag}", root)]
        else:
            seen: dict[str, int] = {}
            records = []
            for c in root.children:
                if c.tag in RECORD_TAGS:
                    seen[c.tag] = seen.get(c.tag, 0) + 1
                    records.append((f"/dblp/{c.tag}[{seen[c.tag]}]", c))
        for where, rec in records:
            yield guarded(partial(_record_fields, rec), raw_of(rec, data), rec.line, where,
                          "dblp")
    else:
        raise FormatError(f"not dblp XML (root element <{root.tag}>)", root.line)


def _no_info() -> dict:
    raise BadRecord("dblp hit without info")


def parse(text: str, hint: str = "") -> Iterator[Item]:
    if text.lstrip().startswith("<"):
        yield from parse_xml_text(text)
    else:
        yield from parse_json(text, hint)
