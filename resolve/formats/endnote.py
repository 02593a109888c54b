"""EndNote XML (``File > Export > XML``): ``<xml><records><record>``.

Text may be split into ``<style>`` runs; they are joined.  Kept:
``rec-number`` (record id; else ``record-N``), ``electronic-resource-num``
(DOIs), every related/web/PDF URL (not ``internal-pdf://``), ``isbn`` (ISBNs
and ISSNs), ``accession-num`` from Web of Science (``WOS:...`` as ``wos``)
or PubMed (as PMID), and PMCIDs, PMIDs and arXiv ids written in the custom
fields or notes.  A record with nothing in it is a rejection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import BadRecord, FormatError, Item, compact, date_text, guarded
from .xmltree import Node, parse_xml, raw_of

_PMCID_RE = re.compile(r"\bPMC\d+\b")
_PMID_RE = re.compile(r"\bPMID:?\s*(\d+)", re.I)
_ARXIV_RE = re.compile(r"\barxiv:?\s*([a-z\-.]+/\d{7}|\d{4}\.\d{4,5})(v\d+)?", re.I)
_URL_GROUPS = ("related-urls", "web-urls", "pdf-urls", "text-urls", "image-urls")


def record_fields(rec: Node, position: int) -> dict:
    if not any(c.text() for c in rec.children):
        raise BadRecord("empty EndNote record")
    titles = rec.find("titles")
    dates = rec.find("dates")
    contributors = rec.find("contributors")
    authors_node = contributors.find("authors") if contributors else None
    ref_type = rec.find("ref-type")
    urls: list[str] = []
    url_root = rec.find("urls")
    for group in _URL_GROUPS:
        node = url_root.find(group) if url_root else None
        urls += [u for u in (node.texts("url") if node else [])
                 if u.lower().startswith(("http://", "https://"))]
    notes = [t for tag in ("notes", "custom1", "custom2", "custom3", "custom4", "custom5",
                           "custom6", "custom7", "label")
             if (t := rec.get_text(tag))]
    provider = (rec.get_text("remote-database-provider") or "").lower() + " " + (
        rec.get_text("remote-database-name") or "").lower()
    ids: dict[str, list[str]] = {}
    pmid = [m.group(1) for n in notes for m in _PMID_RE.finditer(n)]
    accession = rec.get_text("accession-num") or ""
    if accession.upper().startswith("WOS:"):
        ids["wos"] = [accession[4:]]
    elif accession.isdigit() and any(w in provider for w in ("pubmed", "nlm", "medline")):
        pmid.append(accession)
    year = dates.get_text("year") if dates else None
    pub_date = dates.get_text("pub-dates", "date") if dates else None
    date = date_text(pub_date) if pub_date else None
    if date and year and not date.startswith(year[:4]):
        date = None  # "Dec" alone, or a date of another year: the year is the date
    return compact({
        "id": rec.get_text("rec-number") or f"record-{position}",
        "title": titles.get_text("title") if titles else None,
        "authors": authors_node.texts("author") if authors_node else [],
        "year": year,
        "date": date,
        "venue": ((titles.get_text("secondary-title") if titles else None)
                  or rec.get_text("periodical", "full-title")
                  or (titles.get_text("alt-title") if titles else None)),
        "volume": rec.get_text("volume"),
        "issue": rec.get_text("number"),
        "pages": rec.get_text("pages"),
        "abstract": rec.get_text("abstract"),
        "type": (ref_type.attrib.get("name") or ref_type.text()) if ref_type else None,
        "doi": (rec.get_text("electronic-resource-num") or "").split(),
        "pmid": pmid,
        "pmcid": [m.group(0) for n in notes for m in _PMCID_RE.finditer(n)],
        "arxiv": [m.group(1) + (m.group(2) or "") for n in notes for m in _ARXIV_RE.finditer(n)],
        "isbn": rec.get_text("isbn"),
        "urls": urls,
        "identifiers": ids,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    root, data = parse_xml(text)
    if root.tag == "record":
        records = [root]
    else:
        container = root if root.tag == "records" else root.find("records")
        if container is None:
            raise FormatError(f"not EndNote XML (no <records> under <{root.tag}>)", root.line)
        records = container.findall("record")
    # EndNote writes the whole file on one line: the XPath tells records apart.
    base = "/record" if root.tag == "record" else (
        "/records" if root.tag == "records" else f"/{root.tag}/records")
    for n, rec in enumerate(records, 1):
        where = base if root.tag == "record" else f"{base}/record[{n}]"
        yield guarded(lambda rec=rec, n=n: record_fields(rec, n), raw_of(rec, data), rec.line,
                      where, "EndNote")
