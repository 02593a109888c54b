"""EndNote XML (``File > Export > XML``): ``<xml><records><record>``.

Text may be split into ``<style>`` runs; they are joined.  Kept:
``rec-number`` (record id; else ``record-N``), ``electronic-resource-num``
(DOIs), every related/web/PDF URL (not ``internal-pdf://``; a ``<Go to
ISI>://WOS:...`` link is a Web of Science id), ``isbn`` (ISBNs and ISSNs),
``accession-num`` from Web of Science (``WOS:``/``ISI:`` as ``wos``), Scopus
(``2-s2.0-...`` as ``scopus``) or PubMed (as PMID; a bare number of up to 8
digits is a PMID unless another database is named), and PMCIDs, PMIDs and
arXiv ids written in the custom fields or notes.  The issue is ``number``,
else ``issue`` (Mendeley).  A record with nothing in it is a rejection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from .base import BadRecord, FormatError, Item, compact, date_text, guarded
from .xmltree import Node, parse_xml, raw_of

_PMCID_RE = re.compile(r"\bPMC\d+\b")
_PMID_RE = re.compile(r"\bPMID:?\s*(\d+)|\b(\d+)\s*\[pmid\]", re.I)
_WOS_URL_RE = re.compile(r"^<?Go to ISI>?://(?:WOS|ISI):(\w+)", re.I)
_ARXIV_RE = re.compile(r"\barxiv:?\s*([a-z\-.]+/\d{7}|\d{4}\.\d{4,5})(v\d+)?", re.I)
_URL_GROUPS = ("related-urls", "web-urls", "pdf-urls", "text-urls", "image-urls")


_NOTE_TAGS = ("notes", "custom1", "custom2", "custom3", "custom4", "custom5", "custom6",
              "custom7", "label")


def _text_of(node: Node | None, *path: str) -> str | None:
    return node.get_text(*path) if node else None


def _urls(rec: Node) -> tuple[list[str], list[str]]:
    """Every http(s) URL of the URL groups (not ``internal-pdf://``), and the
    Web of Science ids of ``<Go to ISI>://WOS:...`` links."""
    url_root = rec.find("urls")
    urls: list[str] = []
    wos: list[str] = []
    for group in _URL_GROUPS:
        node = url_root.find(group) if url_root else None
        for u in node.texts("url") if node else []:
            if (m := _WOS_URL_RE.match(u)):
                wos.append(m.group(1))
            elif u.lower().startswith(("http://", "https://")):
                urls.append(u)
    return urls, wos


def _accession(rec: Node) -> tuple[dict[str, list[str]], list[str]]:
    """``accession-num``: a Web of Science id (``wos``), or a PMID when the
    record comes from PubMed; as ``(identifiers, pmids)``."""
    provider = (rec.get_text("remote-database-provider") or "").lower() + " " + (
        rec.get_text("remote-database-name") or "").lower()
    accession = (rec.get_text("accession-num") or "").strip()
    if accession.upper().startswith(("WOS:", "ISI:")):
        return {"wos": [accession[4:]]}, []
    if accession.startswith("2-s2.0-"):
        return {"scopus": [accession]}, []
    pubmed = any(w in provider for w in ("pubmed", "nlm", "medline"))
    # A bare number of up to 8 digits is a PMID unless another database is named.
    if accession.isdigit() and (pubmed or (not provider.strip() and len(accession) <= 8)):
        return {}, [accession]
    return {}, []


def _year_and_date(dates: Node | None) -> tuple[str | None, str | None]:
    year = _text_of(dates, "year")
    pub_date = _text_of(dates, "pub-dates", "date")
    date = date_text(pub_date) if pub_date else None
    if date and year and not date.startswith(year[:4]):
        date = None  # "Dec" alone, or a date of another year: the year is the date
    return year, date


def _venue(rec: Node, titles: Node | None) -> str | None:
    return (_text_of(titles, "secondary-title") or rec.get_text("periodical", "full-title")
            or _text_of(titles, "alt-title"))


def _note_ids(notes: list[str]) -> dict[str, list[str]]:
    """PMIDs, PMCIDs and arXiv ids written in the notes and custom fields."""
    return {
        "pmid": [m.group(1) or m.group(2) for n in notes for m in _PMID_RE.finditer(n)],
        "pmcid": [m.group(0) for n in notes for m in _PMCID_RE.finditer(n)],
        "arxiv": [m.group(1) + (m.group(2) or "") for n in notes for m in _ARXIV_RE.finditer(n)],
    }


def _ref_type(rec: Node) -> str | None:
    ref_type = rec.find("ref-type")
    return (ref_type.attrib.get("name") or ref_type.text()) if ref_type else None


def record_fields(rec: Node, position: int) -> dict:
    if not any(c.text() for c in rec.children):
        raise BadRecord("empty EndNote record")
    titles = rec.find("titles")
    contributors = rec.find("contributors")
    authors_node = contributors.find("authors") if contributors else None
    notes = _note_ids([t for tag in _NOTE_TAGS if (t := rec.get_text(tag))])
    ids, accession_pmids = _accession(rec)
    urls, wos = _urls(rec)
    if wos:
        ids.setdefault("wos", []).extend(wos)
    year, date = _year_and_date(rec.find("dates"))
    return compact({
        "id": rec.get_text("rec-number") or f"record-{position}",
        "title": _text_of(titles, "title"),
        "authors": authors_node.texts("author") if authors_node else [],
        "year": year,
        "date": date,
        "venue": _venue(rec, titles),
        "volume": rec.get_text("volume"),
        "issue": rec.get_text("number") or rec.get_text("issue"),
        "pages": rec.get_text("pages"),
        "abstract": rec.get_text("abstract"),
        "type": _ref_type(rec),
        "doi": (rec.get_text("electronic-resource-num") or "").split(),
        "pmid": notes["pmid"] + accession_pmids,
        "pmcid": notes["pmcid"],
        "arxiv": notes["arxiv"],
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
        yield guarded(partial(record_fields, rec, n), raw_of(rec, data), rec.line,
                      where, "EndNote")
