"""Our own flat records: JSON Lines (or a JSON list) and CSV/TSV.

A JSON record is a flat object (``id``, ``title``, ``authors``, ``year``,
``doi``, ``identifiers``... see the README); a CSV row is mapped onto the
same keys by its column names (:data:`CSV_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from .base import Entry, FormatError, Item, Problem
from .jsondoc import parse_objects

# Column names (lower-cased) mapped onto the record model.
CSV_COLUMNS: dict[str, str] = {
    "id": "id", "key": "id", "record_id": "id", "recordid": "id",
    "title": "title", "article title": "title", "primary title": "title",
    "author": "authors", "authors": "authors", "author full names": "authors",
    "year": "year", "publication year": "year", "py": "year", "date": "date",
    "venue": "venue", "journal": "venue", "booktitle": "venue",
    "publication title": "venue", "source title": "venue", "container-title": "venue",
    "volume": "volume", "number": "issue", "issue": "issue", "pages": "pages",
    "abstract": "abstract", "doi": "doi", "isbn": "isbn", "issn": "issn",
    "url": "url", "urls": "url", "link": "url",
    "type": "type", "entrytype": "type", "item type": "type",
    "arxiv": "arxiv", "eprint": "arxiv", "pmid": "pmid", "pmcid": "pmcid",
}


def parse_jsonl(text: str, hint: str = "") -> Iterator[Item]:
    """Flat records, one JSON object per line (or a JSON list of them)."""
    yield from parse_objects(text, hint, dict, "record", api=False)


def parse_csv(text: str, hint: str = "") -> Iterator[Item]:
    """CSV (or TSV: by the ``.tsv`` extension, or a header with tabs and no
    commas) with a header row; rows without an id column are ``line-N``.

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
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise FormatError(f"malformed CSV header: {exc}", 1) from exc
    columns = [CSV_COLUMNS.get(h.strip().lower()) for h in header]
    if "title" not in columns:
        raise FormatError(
            f"no title column (header: {', '.join(header)}); "
            f"expected one of: title, article title, primary title", 1)
    base = 0  # index in lines of the reader's first line
    while True:
        before = reader.line_num
        try:
            row: list[str] | None = next(reader)
            why = None
        except StopIteration:
            break
        except csv.Error as exc:
            row, why = None, f"malformed CSV: {exc}"
        first, count = base + before, reader.line_num - before
        rownum = first + 1
        if row is not None and len(row) != len(header) and any(c.strip() for c in row):
            why = f"expected {len(header)} fields, found {len(row)}"
        if count > 1 and (why or _unclosed(lines, first, count)):
            why = why or "a quoted field runs to the end of the file"
            yield Problem(f"{why}, in a row of {count} lines (a stray quote?); read again "
                          f"from line {rownum + 1}", lines[first].rstrip("\r\n"), rownum)
            base = first + 1
            reader = _reader(lines, base, delimiter)
            continue
        if row is None:
            yield Problem(why or "malformed CSV", lines[first].rstrip("\r\n"), rownum)
            continue
        if not any(cell.strip() for cell in row):
            continue
        raw = ",".join(row)
        if why:
            yield Problem(why, raw, rownum)
            continue
        obj: dict[str, object] = {}
        for name, cell in zip(columns, row, strict=True):
            if name and cell.strip() and name not in obj:
                obj[name] = cell
        obj.setdefault("id", f"line-{rownum}")
        yield Entry(obj, raw, rownum)


def _reader(lines: list[str], start: int, delimiter: str) -> Iterator[list[str]]:
    """A csv reader of ``lines`` from index ``start`` on."""
    return csv.reader((lines[i] for i in range(start, len(lines))), delimiter=delimiter)


def _unclosed(lines: list[str], first: int, count: int) -> bool:
    """Whether a row of ``count`` lines ends at the end of the file inside a
    quoted field (an odd number of quotes: csv accepts that without a word)."""
    return first + count >= len(lines) and "".join(lines[first:first + count]).count('"') % 2 == 1
