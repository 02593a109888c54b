"""RIS (``.ris``): reference manager and database exports, parsed with rispy.

Records are found here, line by line, so each keeps its line number: a
record runs from ``TY`` to ``ER``.  A record without ``ER`` (cut off by the
next ``TY`` or the end of the file) and lines outside any record are
rejections; the records around them are read.  Each record is then parsed
by rispy.

Lines before the first ``TY`` that read ``Key: value`` (JSTOR's and APA
PsycInfo's ``Provider:``/``Database:``/``Content:`` header) are skipped.

Kept: ``ID`` (record id; else an id from the record's content, see
:mod:`resolve.formats.contentid`), every ``DO`` DOI, every ``UR``/``L1``/``L2``
URL (several to a line, separated by commas, too), ``SN`` (ISSNs and ISBNs),
``AN`` accession numbers from Web of Science (``WOS:``/``ISI:`` as ``wos``),
Scopus (``2-s2.0-...`` as ``scopus``) and PubMed (as PMIDs), ``PMID``/
``PMCID`` lines, EndNote's ``<Go to ISI>://WOS:...`` links (as ``wos``, not a
URL), and PMCIDs, PMIDs (``PMID: 1``, ``1[pmid]``) and arXiv ids written in
notes and the user fields ``U1``-``U5``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import rispy

from .base import Item, Problem, compact, date_text, guarded, pages, s, strs
from .contentid import ContentIds

# Lines end at "\n", "\r\n" or "\r", not at U+2028 and the like (which
# str.splitlines() also breaks on) that an abstract may hold.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAG_RE = re.compile(r"^\s*([A-Z][A-Z0-9])\s{1,2}-(?: (.*)|\s*)$")
_LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "DO", "SN", "L1", "L2", "L4", "AN", "C1", "C2", "C3",
              "C4", "C5", "C6", "C7", "C8", "M1"]
_PMCID_RE = re.compile(r"\bPMC\d+\b")
_PMID_RE = re.compile(r"\bPMID:?\s*(\d+)|\b(\d+)\s*\[pmid\]", re.I)
# Tags longer than two letters that PubMed-derived RIS writes ("PMID  - 123").
_LONG_TAG_RE = re.compile(r"^\s*(PMID|PMCID)\s*-\s*(.*)$")
# Lines some databases write before the first record (JSTOR: "Provider: JSTOR
# http://www.jstor.org", "Database: JSTOR", "Content: text/plain..."): not records.
_HEADER_RE = re.compile(r"^[A-Z][A-Za-z ]{0,30}:(?:\s|$)")
_WOS_URL_RE = re.compile(r"^<?Go to ISI>?://(?:WOS|ISI):(\w+)", re.I)
_URL_SPLIT_RE = re.compile(r"[\s,;]+(?=https?://)", re.I)
_ARXIV_RE = re.compile(r"\barxiv:?\s*([a-z\-.]+/\d{7}|\d{4}\.\d{4,5})(v\d+)?", re.I)


def _lists(rec: dict, *keys: str) -> list[str]:
    out: list[str] = []
    for k in keys:
        out += strs(rec.get(k))
    return out


def _date(rec: dict) -> str | None:
    for key in ("date", "year", "publication_year"):
        t = s(rec.get(key))
        if t:
            d = date_text(t.replace("//", "/").strip("/"))
            if d:
                return d
    return None


def record_fields(rec: dict, default_id: str) -> dict:
    notes = _lists(rec, "notes", "note", "custom1", "custom2", "custom3", "custom4", "custom5",
                   "custom6", "custom7", "custom8", "research_notes")
    provider = " ".join(_lists(rec, "database_provider", "name_of_database")).lower()
    pmid: list[str] = []
    ids: dict[str, list[str]] = {}
    unknown = rec.get("unknown_tag")
    if isinstance(unknown, dict):  # U1-U5 (user fields), and others rispy does not know
        notes += [t for tag in sorted(unknown) for t in strs(unknown[tag])]
    for an in _lists(rec, "accession_number"):
        if an.upper().startswith(("WOS:", "ISI:")):
            ids.setdefault("wos", []).append(an[4:])
        elif an.startswith("2-s2.0-"):
            ids.setdefault("scopus", []).append(an)
        elif an.isdigit() and any(w in provider for w in ("pubmed", "nlm", "medline")):
            pmid.append(an)
        else:
            notes.append(an)  # "PMID: 123", "123[pmid]"
    pmid += [m.group(1) or m.group(2) for n in notes for m in _PMID_RE.finditer(n)]
    pmcid = [m.group(0) for n in notes for m in _PMCID_RE.finditer(n)]
    arxiv = [m.group(1) + (m.group(2) or "") for n in notes for m in _ARXIV_RE.finditer(n)]
    urls: list[str] = []
    for value in _lists(rec, "urls", "file_attachments1", "file_attachments2", "figure"):
        if (m := _WOS_URL_RE.match(value)):  # EndNote's link to Web of Science
            ids.setdefault("wos", []).append(m.group(1))
            continue
        urls += [u for u in _URL_SPLIT_RE.split(value.strip())
                 if u.lower().startswith(("http://", "https://"))]
    venue = next((v for key in ("secondary_title", "journal_name", "alternate_title3",
                                "custom3", "alternate_title1", "alternate_title2")
                  if (v := s(rec.get(key)))), None)
    return compact({
        "id": s(rec.get("id")) or default_id,
        "title": s(rec.get("title")) or s(rec.get("primary_title")),
        "authors": _lists(rec, "authors", "first_authors"),
        "date": _date(rec),
        "venue": venue,
        "volume": s(rec.get("volume")),
        "issue": s(rec.get("number")),
        "pages": pages(rec.get("start_page"), rec.get("end_page")),
        "abstract": s(rec.get("abstract")) or s(rec.get("notes_abstract")),
        "type": s(rec.get("type_of_reference")),
        "doi": _lists(rec, "doi"),
        "pmid": pmid,
        "pmcid": pmcid,
        "arxiv": arxiv,
        "isbn": _lists(rec, "issn"),
        "urls": urls,
        "identifiers": ids,
    })


def _parse_record(lines: list[str], ids: ContentIds) -> dict:
    extra: dict[str, list[str]] = {}
    kept: list[str] = []
    for line in lines:
        if (m := _LONG_TAG_RE.match(line)):
            extra.setdefault(m.group(1).lower(), []).append(m.group(2).strip())
        else:
            kept.append(line)
    found = rispy.loads("\n".join(kept) + "\n", list_tags=_LIST_TAGS)
    if not found:
        raise ValueError("rispy found no record")
    fields = record_fields(found[0], "")
    for scheme, values in extra.items():
        fields[scheme] = [*strs(fields.get(scheme)), *values]
    if not fields.get("id"):
        fields = {"id": ids.assign(fields), **fields}
    return fields


def parse(text: str, hint: str = "") -> Iterator[Item]:
    current: list[str] = []
    start = 0
    stray: list[str] = []
    stray_start = 0
    ids = ContentIds()
    before_first = True
    for lineno, line in enumerate(_LINE_BREAK.split(text), 1):
        m = _TAG_RE.match(line.lstrip("\ufeff"))
        tag = m.group(1) if m else None
        canonical = f"{tag}  - {m.group(2) or ''}".rstrip() if m else line
        if before_first and tag != "TY" and not current and (
                not line.strip() or _HEADER_RE.match(line.lstrip("\ufeff"))):
            continue  # an export header before the first record
        before_first = False
        if tag == "TY":
            if stray:
                yield _stray(stray, stray_start)
                stray = []
            if current:
                yield Problem("RIS record without ER (cut off by the next TY)",
                              "\n".join(current), start)
            current, start = [canonical], lineno
        elif tag == "ER":
            if current:
                current.append("ER  - ")
                raw, at = "\n".join(current), start
                yield guarded(partial(_parse_record, current, ids), raw, at,
                              None, "RIS")
                current = []
        elif current:
            current.append(canonical)
        elif line.strip():
            if not stray:
                stray_start = lineno
            stray.append(line)
    if stray:
        yield _stray(stray, stray_start)
    if current:
        yield Problem("RIS record without ER (file ends inside it)", "\n".join(current), start)


def _stray(lines: list[str], start: int) -> Problem:
    return Problem("text outside any RIS record (no TY line before it)", "\n".join(lines), start)
