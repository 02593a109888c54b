"""Read input files into normalized records.

Supported: our own flat records (JSON Lines or a JSON list, CSV/TSV),
reference formats (BibTeX, RIS, EndNote XML, CSL-JSON) and the native
payloads of scholarly APIs (OpenAlex, Crossref, arXiv, Semantic Scholar,
scholar.archive.org, CORE, Unpaywall, dblp, Papers with Code), each
optionally gzip-compressed (``.gz``).  :mod:`resolve.formats` holds one pure
parser per format and recognizes a file's format; ``kg sources`` lists them.

An input argument is ``[SOURCE=][FORMAT:]PATH``.  ``FORMAT`` (or
``--format``) forces a format; otherwise the content decides, then the
extension.  ``SOURCE`` names the source; otherwise a native payload is named
after its service (``openalex``) and any other file after its name without
extensions.  A directory stands for every file under it (recursively, in
sorted order, hidden files skipped); a file there of no known format is
skipped and reported, while such a file given by name is an error.

A record that cannot be used becomes a :class:`~resolve.types.Rejection`
naming its file and position (``file:line``, ``file#/json/pointer``,
``file:line#/pointer``); it is never silently dropped.  A file that cannot
be read at all raises :class:`InputError`, as does a record id repeated
within a source (ids must be unique within a source so every record can be
linked back).
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from . import normalize as nz
from .formats import FORMATS, FormatError, Problem, detect
from .formats.base import DATA_ERRORS
from .formats.records import CSV_COLUMNS
from .types import Author, Record, Rejection

__all__ = [
    "CSV_COLUMNS", "InputError", "InputSpec", "UnknownFormat", "detect_format", "expand_inputs",
    "iter_inputs", "make_origin", "origin_parts", "parse_authors", "read_head", "read_input",
    "read_inputs", "read_text", "record_from_mapping", "resolve_spec",
]

# Suffixes dropped from a file name to make its default source name.
_SUFFIXES = (".gz", ".jsonl", ".ndjson", ".jsonlines", ".json", ".csv", ".tsv", ".bib",
             ".bibtex", ".ris", ".xml", ".atom", ".txt")
_FORMAT_PREFIX = re.compile(r"^([a-z][a-z0-9-]*):(.+)$", re.S)
HEAD_SIZE = 1 << 16


class InputError(Exception):
    """A file that cannot be read, or input that breaks a hard rule."""


class UnknownFormat(InputError):
    """A file whose format is not recognized."""


def _stem(path: Path) -> str:
    name = path.name
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                changed = True
    return name if name.lower() not in _SUFFIXES else ""


def _check_source(source: str, arg: str) -> str:
    source = source.strip()
    if not source or any(c.isspace() or c in "/#?" for c in source):
        raise InputError(f"{arg}: a source name must be non-empty, without spaces, '/', '#', '?'")
    return source


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One input: ``[SOURCE=][FORMAT:]PATH``.

    ``format`` is ``None`` until detected (or given); ``source_given`` says
    whether ``source`` was named by the user (else it is the file stem, and a
    native payload is renamed after its service once detected)."""

    source: str
    path: Path
    format: str | None = None
    source_given: bool = False

    @classmethod
    def parse(cls, arg: str) -> InputSpec:
        source, sep, path = arg.partition("=")
        if not sep:
            source, path = "", arg
        fmt = None
        m = _FORMAT_PREFIX.match(path)
        if m and m.group(1) in FORMATS:
            fmt, path = m.group(1), m.group(2)
        elif m and not Path(path).exists() and Path(m.group(2)).exists():
            raise InputError(f"{arg}: unknown format {m.group(1)!r} (see kg sources)")
        p = Path(path)
        if source.strip():
            return cls(_check_source(source, arg), p, fmt, True)
        if p.is_dir():
            return cls("", p, fmt, False)
        return cls(_check_source(_stem(p), arg), p, fmt, False)


def detect_format(path: Path, text: str | None = None) -> str:
    """The format name of a file from the first part of its text (if given)
    and its name; :class:`UnknownFormat` when neither tells."""
    fmt = detect(text, path.name)
    if fmt is None:
        raise UnknownFormat(
            f"{path}: unknown file type (not recognized from its content or extension; "
            f"give FORMAT:PATH or --format, see kg sources)")
    return fmt


def _decode(data: bytes, encoding: str | None, errors: str) -> str:
    if encoding:
        return data.decode(encoding, errors)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors)
    return data.decode("utf-8-sig", errors)  # the markers detection looks for are ASCII


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")


def read_head(path: Path, encoding: str | None = None, size: int = HEAD_SIZE) -> str | None:
    """The first ``size`` bytes of a file (un-gzipped) as text, for format
    detection; ``None`` if it is not text (NUL bytes without a UTF-16 BOM)."""
    _check_file(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(size)
        if data[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as gz:
                data = gz.read(size)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in data[:4096] and not encoding:
        return None
    try:
        return _decode(data, encoding, "replace")
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r}") from exc


def read_text(path: Path, encoding: str | None = None) -> str:
    """Read a whole file as text, un-gzipping and detecting the encoding.

    Without ``encoding``: UTF-8 (with or without BOM), UTF-16 when it has a
    BOM, else Windows-1252, else ISO-8859-1 (which decodes any byte).
    """
    _check_file(path)
    try:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
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
        raise InputError(
            f"{path}: contains NUL bytes; not a text file (or an encoding without BOM)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def resolve_spec(spec: InputSpec, encoding: str | None = None) -> InputSpec:
    """``spec`` with its format detected (unless given) and, for a native
    payload without a given source, the service as its source."""
    fmt = spec.format
    if fmt is None:
        head = read_head(spec.path, encoding)
        if head is None:
            raise UnknownFormat(f"{spec.path}: not a text file (NUL bytes); unknown file type")
        fmt = detect_format(spec.path, head)
    elif fmt not in FORMATS:
        raise InputError(f"{spec.path}: unknown format {fmt!r} (see kg sources)")
    else:
        _check_file(spec.path)
    service = FORMATS[fmt].service
    source = service if service and not spec.source_given else spec.source
    if not source:
        source = _check_source(_stem(spec.path), str(spec.path))
    return replace(spec, source=source, format=fmt)


def _files_under(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / f for f in filenames if not f.startswith(".")]
    return sorted(found)


def _safe_stem(path: Path) -> str:
    stem = re.sub(r"[\s/#?]+", "_", _stem(path)).strip("_")
    return stem or "input"


def expand_inputs(args: Iterable[str], fmt: str | None = None, encoding: str | None = None,
                  ) -> tuple[list[InputSpec], list[tuple[Path, str]]]:
    """The input files of ``[SOURCE=][FORMAT:]PATH`` arguments, formats and
    sources resolved, and the files skipped in directories with the reason.

    ``fmt`` (``--format``) applies to every argument without its own
    ``FORMAT:``.  A directory gives every file under it whose format is
    recognized (then read as the given format, if any); others are skipped.
    """
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format {fmt}: unknown format; one of {', '.join(FORMATS)}")
    specs: list[InputSpec] = []
    skipped: list[tuple[Path, str]] = []
    for arg in args:
        spec = InputSpec.parse(arg)
        forced = spec.format or fmt
        if not spec.path.is_dir():
            specs.append(resolve_spec(replace(spec, format=forced), encoding))
            continue
        for path in _files_under(spec.path):
            child = InputSpec(spec.source if spec.source_given else _safe_stem(path), path,
                              None, spec.source_given)
            try:
                found = resolve_spec(child, encoding)
            except UnknownFormat as exc:
                skipped.append((path, str(exc).removeprefix(f"{path}: ")))
                continue
            specs.append(resolve_spec(replace(child, format=forced), encoding)
                         if forced else found)
    return specs, skipped


def make_origin(path: Path | str, line: int | None = None, pointer: str | None = None) -> str:
    """``file``, ``file:line``, ``file#/pointer`` or ``file:line#/pointer``."""
    origin = str(path)
    if line is not None:
        origin += f":{line}"
    if pointer:
        origin += f"#{pointer}"
    return origin


_ORIGIN_RE = re.compile(r"^(?P<file>.*?)(?::(?P<line>\d+))?(?:#(?P<pointer>/.*))?$", re.S)


def origin_parts(origin: str) -> dict[str, object]:
    """``{"file", "line", "position"}`` of an origin made by :func:`make_origin`."""
    m = _ORIGIN_RE.match(origin)
    assert m is not None  # the pattern matches any string
    line = m.group("line")
    return {"file": m.group("file"), "line": int(line) if line else None,
            "position": m.group("pointer")}


def read_input(spec: InputSpec, encoding: str | None = None) -> Iterator[Record | Rejection]:
    """Yield the records (or rejections) of one input file, in file order."""
    if spec.format is None:
        spec = resolve_spec(spec, encoding)
    fmt = FORMATS[spec.format]  # type: ignore[index]
    text = read_text(spec.path, encoding)
    try:
        for item in fmt.parse(text, spec.path.name.lower()):
            origin = make_origin(spec.path, item.line, item.pointer)
            if isinstance(item, Problem):
                yield Rejection(origin, item.reason, raw=item.raw, source=spec.source,
                                record_id=item.record_id)
            else:
                yield record_from_mapping(item.fields, spec.source, origin, raw=item.raw)
    except FormatError as exc:
        where = make_origin(spec.path, exc.line)
        if exc.line is not None and exc.column is not None:
            where += f":{exc.column}"
        raise InputError(f"{where}: {exc.message} (read as {fmt.name})") from exc


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
    text = nz.clean_text(str(value))
    return "" if nz.is_placeholder(text) else text


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
        elif isinstance(item, str) and item.strip() and not nz.is_placeholder(item):
            a = nz.parse_author(item)
            if a.key:
                authors.append(a)
    return tuple(authors)


def record_from_mapping(obj: dict, source: str, origin: str, raw: str = "") -> Record | Rejection:
    """Map one flat input object (a JSON record, a CSV row, or what a format
    parser made of a native record) onto a :class:`Record`."""
    rid = obj.get("id")
    if isinstance(rid, int | float) and not isinstance(rid, bool):
        rid = str(int(rid)) if float(rid).is_integer() else str(rid)
    if not isinstance(rid, str) or not rid.strip():
        return Rejection(origin, "record has no id (a non-empty string or number)",
                         raw=raw, source=source)
    rid = rid.strip()
    try:
        return _build_record(obj, source, rid, origin)
    except DATA_ERRORS as exc:
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
