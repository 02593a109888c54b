"""Read input files into normalized records.

Supported: JSON Lines of normalized records (``.jsonl``, ``.ndjson``) and CSV
(``.csv``, ``.tsv``), each optionally gzip-compressed (``.gz``).

A record that cannot be used becomes a :class:`~resolve.types.Rejection`
naming its file and line; it is never silently dropped.  A file that cannot be
read at all raises :class:`InputError`, as does a record id repeated within a
source (ids must be unique within a source so every record can be linked back).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import normalize as nz
from .types import Author, Record, Rejection

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


class InputError(Exception):
    """A file that cannot be read, or input that breaks a hard rule."""


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One input argument: ``[SOURCE=]PATH``."""

    source: str
    path: Path

    @classmethod
    def parse(cls, arg: str) -> InputSpec:
        source, sep, path = arg.partition("=")
        if not sep:
            source, path = "", arg
        p = Path(path)
        if not source:
            name = p.name
            for suffix in (".gz", ".jsonl", ".ndjson", ".json", ".csv", ".tsv"):
                name = name.removesuffix(suffix)
            source = name
        source = source.strip()
        if not source or any(c.isspace() or c in "/#?" for c in source):
            raise InputError(f"{arg}: a source name must be non-empty, without spaces, '/', '#', '?'")
        return cls(source, p)


def detect_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    raise InputError(f"{path}: unknown file type (expected .jsonl, .ndjson, .csv or .tsv, optionally .gz)")


def read_text(path: Path, encoding: str | None = None) -> str:
    """Read a whole file as text, un-gzipping and detecting the encoding.

    Without ``encoding``: UTF-8 (with or without BOM), UTF-16 when it has a
    BOM, else Windows-1252, else ISO-8859-1 (which decodes any byte).
    """
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    try:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError as exc:
            raise InputError(f"unknown encoding {encoding!r}") from exc
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(f"{path}:{line}: not valid {encoding} (byte {exc.start})") from exc
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(f"{path}: contains NUL bytes; not a text file (or an encoding without BOM)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_input(spec: InputSpec, encoding: str | None = None) -> Iterator[Record | Rejection]:
    """Yield the records (or rejections) of one input file, in file order."""
    fmt = detect_format(spec.path)
    text = read_text(spec.path, encoding)
    if fmt == "jsonl":
        yield from _read_jsonl(text, spec)
    else:
        yield from _read_csv(text, spec)


def iter_inputs(specs: Iterable[InputSpec], encoding: str | None = None,
                on_file: Callable[[InputSpec], None] | None = None,
                ) -> Iterator[Record | Rejection]:
    """Every record (or rejection) of every input, in order; fails on a
    record id repeated within a source.  ``on_file`` is called as each file
    starts (for progress display)."""
    seen: dict[tuple[str, str], str] = {}
    for spec in specs:
        if on_file:
            on_file(spec)
        for item in read_input(spec, encoding):
            if isinstance(item, Record):
                first = seen.get(item.key)
                if first is not None:
                    raise InputError(
                        f"{item.origin}: record id {item.record_id!r} repeats in source "
                        f"{item.source!r} (first at {first}); ids must be unique within a source"
                    )
                seen[item.key] = item.origin
            yield item


def read_inputs(
    specs: Iterable[InputSpec], encoding: str | None = None
) -> tuple[list[Record], list[Rejection]]:
    """Read every input into records and rejections."""
    records: list[Record] = []
    rejections: list[Rejection] = []
    for item in iter_inputs(specs, encoding):
        (rejections if isinstance(item, Rejection) else records).append(item)
    return records, rejections


# --- JSON Lines ------------------------------------------------------------

def _read_jsonl(text: str, spec: InputSpec) -> Iterator[Record | Rejection]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        origin = f"{spec.path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(origin, f"malformed JSON: {exc.msg} at column {exc.colno}",
                            raw=line, source=spec.source)
            continue
        if not isinstance(obj, dict):
            yield Rejection(origin, f"expected a JSON object, got {type(obj).__name__}",
                            raw=line, source=spec.source)
            continue
        yield record_from_mapping(obj, spec.source, origin, raw=line)


# --- CSV -------------------------------------------------------------------

def _read_csv(text: str, spec: InputSpec) -> Iterator[Record | Rejection]:
    csv.field_size_limit(1 << 27)
    delimiter = "\t" if spec.path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"{spec.path}:1: malformed CSV header: {exc}") from exc
    columns = [CSV_COLUMNS.get(h.strip().lower()) for h in header]
    if "title" not in columns:
        raise InputError(
            f"{spec.path}:1: no title column (header: {', '.join(header)}); "
            f"expected one of: title, article title, primary title"
        )
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Rejection(f"{spec.path}:{start}", f"malformed CSV: {exc}", source=spec.source)
            start = reader.line_num + 1
            continue
        origin = f"{spec.path}:{start}"
        rownum = start
        start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Rejection(origin, f"expected {len(header)} fields, found {len(row)}",
                            raw=",".join(row), source=spec.source)
            continue
        obj: dict[str, object] = {}
        for name, cell in zip(columns, row, strict=True):
            if name and cell.strip() and name not in obj:
                obj[name] = cell
        obj.setdefault("id", f"line-{rownum}")
        yield record_from_mapping(obj, spec.source, origin, raw=",".join(row))


# --- mapping onto the model -----------------------------------------------

def _as_list(value: object) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v not in (None, "")]
    return [value]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return nz.clean_text(str(value))


def parse_authors(value: object) -> tuple[Author, ...]:
    """Authors from a string (``"A; B"``, run-together PubMed style, ...),
    a list of names, or a list of ``{"family", "given"}``/``{"name"}`` objects."""
    authors: list[Author] = []
    items = nz.split_authors(value) if isinstance(value, str) else _as_list(value)
    for item in items:
        if isinstance(item, dict):
            family = item.get("family") or item.get("last") or item.get("lastName")
            given = item.get("given") or item.get("first") or item.get("firstName")
            name = item.get("name") or item.get("display_name") or item.get("literal")
            if family or given or name:
                a = nz.author_from_parts(
                    str(family) if family else None, str(given) if given else None,
                    str(name) if name else None)
                if a.key:
                    authors.append(a)
        elif isinstance(item, str) and item.strip():
            a = nz.parse_author(item)
            if a.key:
                authors.append(a)
    return tuple(authors)


def record_from_mapping(obj: dict, source: str, origin: str, raw: str = "") -> Record | Rejection:
    """Map one input object (JSONL line or CSV row) onto a :class:`Record`."""
    rid = obj.get("id")
    if isinstance(rid, int | float) and not isinstance(rid, bool):
        rid = str(int(rid)) if float(rid).is_integer() else str(rid)
    if not isinstance(rid, str) or not rid.strip():
        return Rejection(origin, "record has no id (a non-empty string or number)",
                         raw=raw, source=source)
    rid = rid.strip()
    try:
        return _build_record(obj, source, rid, origin)
    except (TypeError, ValueError, AttributeError) as exc:
        return Rejection(origin, f"unusable record: {exc}", raw=raw, source=source,
                         record_id=rid)


def _build_record(obj: dict, source: str, rid: str, origin: str) -> Record:
    ids: set[tuple[str, str]] = set()
    arxiv_version: int | None = None

    def add_arxiv(value: object) -> None:
        nonlocal arxiv_version
        parsed = nz.parse_arxiv(str(value))
        if parsed:
            ids.add(("arxiv", parsed[0]))
            if parsed[1] is not None and arxiv_version is None:
                arxiv_version = parsed[1]

    for value in _as_list(obj.get("doi")):
        doi = nz.normalize_doi(str(value))
        if doi:
            ids.add(("doi", doi))
    for value in _as_list(obj.get("arxiv")):
        add_arxiv(value)
    for value in _as_list(obj.get("pmid")):
        if v := nz.normalize_pmid(str(value)):
            ids.add(("pmid", v))
    for value in _as_list(obj.get("pmcid")):
        if v := nz.normalize_pmcid(str(value)):
            ids.add(("pmcid", v))
    for value in _as_list(obj.get("isbn")):
        # Exports put ISSNs (with notes and line breaks) in the isbn field too.
        if v := nz.normalize_isbn(str(value)):
            ids.add(("isbn", v))
        for issn in nz.normalize_issns(str(value)):
            ids.add(("issn", issn))
    for value in _as_list(obj.get("issn")):
        for issn in nz.normalize_issns(str(value)):
            ids.add(("issn", issn))
    extra = obj.get("identifiers")
    if isinstance(extra, dict):
        for scheme, values in extra.items():
            scheme = str(scheme).strip().lower()
            for value in _as_list(values):
                text = str(value).strip()
                if not scheme or not text:
                    continue
                if scheme == "doi":
                    if doi := nz.normalize_doi(text):
                        ids.add(("doi", doi))
                elif scheme == "arxiv":
                    add_arxiv(text)
                else:
                    ids.add((scheme, text))
    urls: list[str] = []
    for value in _as_list(obj.get("url")) + _as_list(obj.get("urls")):
        for part in str(value).split():
            url = nz.normalize_url(part)
            # An archived copy also names the original it copies.
            for u in (url, nz.archived_original(url)):
                if not u or u in urls:
                    continue
                urls.append(u)
                found = nz.url_identifier(u)
                if found and found[0] == "arxiv":
                    add_arxiv(u)
                elif found:
                    ids.add(found)

    # A DOI minted by arXiv names the arXiv preprint.
    for scheme, value in sorted(ids):
        if scheme == "doi" and value.startswith("10.48550/arxiv."):
            add_arxiv(value)

    year = nz.normalize_year(obj.get("year"))
    date = _text(obj.get("date")) or None
    if year is None and date:
        year = nz.normalize_year(date)
    return Record(
        source=source,
        record_id=rid,
        title=_text(obj.get("title")),
        authors=parse_authors(obj.get("authors", obj.get("author"))),
        year=year,
        date=date,
        venue=_text(obj.get("venue")),
        volume=_text(obj.get("volume")),
        issue=_text(obj.get("issue")),
        pages=nz.normalize_pages(_text(obj.get("pages"))),
        abstract=_text(obj.get("abstract")),
        type=_text(obj.get("type")),
        identifiers=tuple(sorted(ids)),
        urls=tuple(urls),
        arxiv_version=arxiv_version,
        origin=origin,
    )
