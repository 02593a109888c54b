"""Our own flat records: JSON Lines (or a JSON list) and CSV/TSV.

A JSON record is a flat object (``id``, ``title``, ``authors``, ``year``,
``doi``, ``identifiers``... see the README); a CSV row is mapped onto the
same keys by its column names (:data:`CSV_COLUMNS`, which also knows the
column names of IEEE Xplore, SpringerLink, Scopus, PubMed and Zotero CSV
exports).
"""

from __future__ import annotations

import csv
import io
import json
import re
from _csv import Reader
from collections.abc import Iterator

from .base import Entry, FormatError, Item, Notice, Problem, pages
from .contentid import ContentIds
from .jsondoc import parse_objects

# Column names (lower-cased) mapped onto the record model, with those of the
# databases' own CSV exports: IEEE Xplore, SpringerLink, Scopus, PubMed, Zotero.
CSV_COLUMNS: dict[str, str] = {
    "id": "id", "key": "id", "record_id": "id", "recordid": "id",
    "title": "title", "article title": "title", "primary title": "title",
    "document title": "title", "item title": "title",
    "author": "authors", "authors": "authors", "author full names": "authors",
    "year": "year", "publication year": "year", "py": "year", "date": "date",
    "venue": "venue", "journal": "venue", "booktitle": "venue",
    "publication title": "venue", "source title": "venue", "container-title": "venue",
    "journal/book": "venue",
    "volume": "volume", "journal volume": "volume", "number": "issue", "issue": "issue",
    "journal issue": "issue", "pages": "pages",
    "start page": "first_page", "page start": "first_page",
    "end page": "last_page", "page end": "last_page",
    "abstract": "abstract", "abstract note": "abstract",
    "doi": "doi", "item doi": "doi", "isbn": "isbn", "isbns": "isbn", "issn": "issn",
    "url": "url", "urls": "url", "link": "url", "pdf link": "url",
    "type": "type", "entrytype": "type", "item type": "type", "content type": "type",
    "document type": "type", "document identifier": "type",
    "arxiv": "arxiv", "eprint": "arxiv", "pmid": "pmid", "pubmed id": "pmid",
    "pmcid": "pmcid", "eid": "eid", "extra": "extra", "citation": "citation",
}
# Columns the deduplicated exports carry over (keywords, language; kg.deduplicated
# reads them from the record's source text, a JSON object of the row).
CSV_EXTRA_COLUMNS: frozenset[str] = frozenset({
    "keywords", "author keywords", "index keywords", "ieee terms", "inspec controlled terms",
    "inspec non-controlled terms", "mesh terms", "mesh_terms", "manual tags",
    "automatic tags", "language", "language of original document", "notes",
})
# Columns read only when the field has no other value: a book series stands
# for the venue of a chapter without a book title, as a conference's name does.
CSV_FALLBACK_COLUMNS: dict[str, str] = {
    "book series title": "venue", "conference name": "venue", "proceedings title": "venue",
}
# Lines of Zotero's "Extra" field that name an identifier ("PMID: 35319117").
_EXTRA_RE = re.compile(r"^\s*(pmid|pmcid|doi|arxiv)\s*:\s*(\S+)", re.I | re.M)
# PubMed's "Citation": "Nature. 2022 Apr;604(7904):120-126. doi: ..."
_CITATION_RE = re.compile(r";\s*([^;():\s]+)(?:\(([^()]+)\))?:\s*([A-Za-z]?\d+(?:-[A-Za-z]?\d+)?)")


def split_run_together(names: str) -> list[str]:
    """SpringerLink's authors, written without separators ("Tomas MikolovKai
    Chen"): a name starts where a capitalized word ended by a space, dot or
    hyphen follows a lower-case letter ("LeCun", "McDonald" stay whole)."""
    cuts = [0]
    for i in range(1, len(names)):
        if names[i - 1].islower() and names[i].isupper():
            j = i + 1
            while j < len(names) and names[j].isalpha() and names[j].islower():
                j += 1
            if j < len(names) and names[j] in " .-\u2010":
                cuts.append(i)
    return [names[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(names)], strict=True)
            if names[a:b].strip()]


def parse_jsonl(text: str, hint: str = "") -> Iterator[Item]:
    """Flat records, one JSON object per line (or a JSON list of them)."""
    yield from parse_objects(text, hint, dict, "record", api=False)


def parse_csv(text: str, hint: str = "") -> Iterator[Item | Notice]:
    """CSV (or TSV: by the ``.tsv`` extension, or a header with tabs and no
    commas) with a header row, its columns named as in :data:`CSV_COLUMNS`
    (ours, and those of IEEE Xplore, SpringerLink, Scopus, PubMed and
    Zotero exports).  The columns that are not read are named in one
    :class:`Notice`.  A row without an id column takes its ``EID`` (Scopus),
    else its PMID, else an id from its content (:mod:`resolve.formats.contentid`).

    A quoted field may span lines.  A row over several lines that does not
    parse, has the wrong number of fields, or runs to the end of the file
    inside a quoted field (a stray quote opened a field that never closed)
    is rejected for its first line only, and reading starts again on the
    next line: one stray quote does not swallow the rest of the file."""
    csv.field_size_limit(1 << 27)
    newline = text.find("\n")
    header_line = text if newline < 0 else text[:newline]
    tsv = hint.lower().removesuffix(".gz").endswith(".tsv") or (
        "\t" in header_line and "," not in header_line)
    delimiter = "\t" if tsv else ","
    # Physical lines as csv counts them (ending in "\n", "\r\n" or "\r").
    lines = list(io.StringIO(text, newline=""))
    reader = _reader(lines, 0, delimiter)
    header = _header(reader)
    if header is None:
        return
    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    columns = [CSV_COLUMNS.get(h.lower()) for h in names]
    fallbacks = [CSV_FALLBACK_COLUMNS.get(h.lower()) for h in names]
    unread = [h for h, c, f in zip(names, columns, fallbacks, strict=True)
              if h and not c and not f and h.lower() not in CSV_EXTRA_COLUMNS]
    if unread:
        yield Notice(f"{len(unread)} CSV column(s) not read: {', '.join(unread)}", 1)
    springer = "item title" in (h.lower() for h in names)
    ids = ContentIds()
    for item in _rows(lines, reader, delimiter, len(header)):
        if isinstance(item, Problem):
            yield item
            continue
        rownum, row = item
        obj: dict[str, object] = {}
        for name, cell in zip(columns, row, strict=True):
            if name and cell.strip() and name not in obj:
                obj[name] = cell
        for name, cell in zip(fallbacks, row, strict=True):
            if name and cell.strip() and name not in obj:
                obj[name] = cell
        if springer and isinstance(obj.get("authors"), str):
            obj["authors"] = "; ".join(split_run_together(str(obj["authors"])))
        _derived_fields(obj)
        if "id" not in obj:
            obj["id"] = ids.assign(obj)
        # the source text: the row by its column names (what the exports read back)
        yield Entry(obj, json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False),
                    rownum)


def _derived_fields(obj: dict[str, object]) -> None:
    """Pages from first and last page, a Scopus EID, the identifiers in
    Zotero's Extra and the volume, issue and pages in PubMed's Citation."""
    first, last = obj.pop("first_page", None), obj.pop("last_page", None)
    if "pages" not in obj and (joined := pages(first, last)):
        obj["pages"] = joined
    if (eid := obj.pop("eid", None)) is not None:
        obj.setdefault("id", str(eid).strip())
        obj["identifiers"] = {"scopus": [str(eid).strip()]}
    extra = obj.pop("extra", None)
    for m in _EXTRA_RE.finditer(str(extra or "")):
        key = m.group(1).lower()
        value = obj.get(key)
        obj[key] = [*(value if isinstance(value, list) else [value] if value else []),
                    m.group(2)]
    citation = obj.pop("citation", None)
    if citation and (cited := _CITATION_RE.search(str(citation))):
        for key, value in zip(("volume", "issue", "pages"), cited.groups(), strict=True):
            if value and key not in obj:
                obj[key] = value
    if "id" not in obj and isinstance(obj.get("pmid"), str) and str(obj["pmid"]).strip():
        obj["id"] = str(obj["pmid"]).strip()


def _header(reader: Reader) -> list[str] | None:
    """The header row (``None`` for an empty file); :class:`FormatError`
    when it does not parse or has no title column."""
    try:
        header = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise FormatError(f"malformed CSV header: {exc}", 1) from exc
    if "title" not in (CSV_COLUMNS.get(h.strip().lstrip("\ufeff").strip().lower())
                       for h in header):
        raise FormatError(
            f"no title column (header: {', '.join(header)}); expected one of: title, "
            f"article title, primary title, document title, item title", 1)
    return header


def _rows(lines: list[str], reader: Reader, delimiter: str, width: int
          ) -> Iterator[Problem | tuple[int, list[str]]]:
    """``(line, row)`` for each non-blank row of ``width`` fields after the
    header, a :class:`Problem` for each row that does not parse or has
    another width; a bad row over several lines costs its first line only."""
    base = 0  # index in lines of the reader's first line
    while True:
        before = reader.line_num
        try:
            row: list[str] | None = next(reader)
            why = None
        except StopIteration:
            return
        except csv.Error as exc:
            row, why = None, f"malformed CSV: {exc}"
        first, count = base + before, reader.line_num - before
        blank = row is not None and not any(cell.strip() for cell in row)
        if row is not None and len(row) != width and not blank:
            why = f"expected {width} fields, found {len(row)}"
        if count > 1 and (why or _unclosed(lines, first, count)):
            why = why or "a quoted field runs to the end of the file"
            yield Problem(f"{why}, in a row of {count} lines (a stray quote?); read again "
                          f"from line {first + 2}", lines[first].rstrip("\r\n"), first + 1)
            base = first + 1
            reader = _reader(lines, base, delimiter)
        elif row is None or why:
            raw = lines[first].rstrip("\r\n") if row is None else ",".join(row)
            yield Problem(why or "malformed CSV", raw, first + 1)
        elif not blank:
            yield first + 1, row


def _reader(lines: list[str], start: int, delimiter: str) -> Reader:
    """A csv reader of ``lines`` from index ``start`` on."""
    return csv.reader((lines[i] for i in range(start, len(lines))), delimiter=delimiter)


def _unclosed(lines: list[str], first: int, count: int) -> bool:
    """Whether a row of ``count`` lines ends at the end of the file inside a
    quoted field (an odd number of quotes: csv accepts that without a word)."""
    return first + count >= len(lines) and "".join(lines[first:first + count]).count('"') % 2 == 1
