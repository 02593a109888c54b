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
    commas) with a header row; rows without an id column are ``line-N``."""
    csv.field_size_limit(1 << 27)
    newline = text.find("\n")
    header_line = text if newline < 0 else text[:newline]
    tsv = hint.lower().removesuffix(".gz").endswith(".tsv") or (
        "\t" in header_line and "," not in header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tsv else ",")
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
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Problem(f"malformed CSV: {exc}", line=start)
            start = reader.line_num + 1
            continue
        rownum = start
        start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        raw = ",".join(row)
        if len(row) != len(header):
            yield Problem(f"expected {len(header)} fields, found {len(row)}", raw, rownum)
            continue
        obj: dict[str, object] = {}
        for name, cell in zip(columns, row, strict=True):
            if name and cell.strip() and name not in obj:
                obj[name] = cell
        obj.setdefault("id", f"line-{rownum}")
        yield Entry(obj, raw, rownum)
