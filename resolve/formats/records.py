"""Our own flat records: JSON Lines (or a JSON list) and CSV/TSV.

A JSON record is a flat object (``id``, ``title``, ``authors``, ``year``,
``doi``, ``identifiers``... see the README); a CSV row is mapped onto the
same keys by its column names (:data:`CSV_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
from _csv import Reader
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
    header = _header(reader)
    if header is None:
        return
    columns = [CSV_COLUMNS.get(h.strip().lower()) for h in header]
    for item in _rows(lines, reader, delimiter, len(header)):
        if isinstance(item, Problem):
            yield item
            continue
        rownum, row = item
        obj: dict[str, object] = {}
        for name, cell in zip(columns, row, strict=True):
            if name and cell.strip() and name not in obj:
                obj[name] = cell
        obj.setdefault("id", f"line-{rownum}")
        yield Entry(obj, ",".join(row), rownum)


def _header(reader: Reader) -> list[str] | None:
    """The header row (``None`` for an empty file); :class:`FormatError`
    when it does not parse or has no title column."""
    try:
        header = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise FormatError(f"malformed CSV header: {exc}", 1) from exc
    if "title" not in (CSV_COLUMNS.get(h.strip().lower()) for h in header):
        raise FormatError(
            f"no title column (header: {', '.join(header)}); "
            f"expected one of: title, article title, primary title", 1)
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
