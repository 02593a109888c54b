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
extensions.  A directory stands for every regular file under it
(recursively, in sorted order, hidden files skipped); a file there of no
known format, a special file (named pipe, socket, device), a broken or
looping symbolic link, a symbolic link to a directory, a directory that
cannot be listed and a kg-resolve store (a directory holding
``kg-resolve.json``) are skipped and reported, while such a file given by
name is an error.  A file in a directory that turns out to be unreadable
(a decoding error, a broken document) is one rejection naming the file.

A record that cannot be used becomes a :class:`~resolve.types.Rejection`
naming its file and position (``file:line``, ``file#/json/pointer``,
``file:line#/pointer``); it is never silently dropped.  A file that cannot
be read at all raises :class:`InputError`, as does a record id repeated
within a source with other content (ids must be unique within a source so
every record can be linked back); identical copies of a record (overlapping
saved pages of one search) are one record, the copies counted.  The limits
on what one input may hold (field size, BibTeX macro expansion, gzip
expansion) and the handling of text that is not Unicode are in
:mod:`resolve.formats.limits`.
"""

from __future__ import annotations

import gzip
import io
import operator
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .formats import FORMATS, FormatError, Notice, Problem, detect, sniff
from .formats.base import DATA_ERRORS
from .formats.limits import (
    MAX_GZIP_RATIO,
    MIN_DECOMPRESSED_LIMIT,
    escape_surrogates,
    has_surrogate,
    max_decompressed,
    size_text,
)
from .formats.mapping import parse_authors, record_from_mapping
from .formats.records import CSV_COLUMNS
from .readpool import Pending, map_entries, use_workers
from .types import Record, Rejection

__all__ = [
    "CSV_COLUMNS", "InputError", "InputSpec", "ReadLog", "UnknownFormat", "detect_format",
    "expand_inputs",
    "iter_inputs", "make_origin", "origin_parts", "parse_authors", "read_head", "read_input",
    "read_inputs", "read_text", "record_from_mapping", "resolve_spec",
]

# Suffixes dropped from a file name to make its default source name.
_SUFFIXES = (".gz", ".jsonl", ".ndjson", ".jsonlines", ".json", ".csv", ".tsv", ".bib",
             ".bibtex", ".ris", ".xml", ".atom", ".txt", ".nbib")
_FORMAT_PREFIX = re.compile(r"^([a-z][a-z0-9-]*):(.+)$", re.S)
HEAD_SIZE = 1 << 16
# What a kg-resolve store holds (kg.store.MARKER); a store is never input.
STORE_MARKER = "kg-resolve.json"
# Formats that read any text (no JSON or XML document to be well-formed).
_TEXT_FORMATS = frozenset({"bibtex", "ris", "csv", "medline", "wos"})
_CONTENT_LINE = re.compile(r"^[ \t\ufeff]*[^%\s]", re.M)


class InputError(Exception):
    """A file that cannot be read, or input that breaks a hard rule."""

    def __init__(self, message: object = "") -> None:
        # A file name that is not UTF-8 (surrogate-escaped) stays printable.
        super().__init__(escape_surrogates(str(message)))


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


def _exists(path: Path) -> bool:
    try:
        path.stat()
    except OSError:  # also a name too long, which Path.exists() raises on
        return False
    return True


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except OSError:
        return False


def _check_source(source: str, arg: str) -> str:
    source = escape_surrogates(source.strip())
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
    in_directory: bool = False
    """Found in a directory given as input: if it turns out to be unreadable,
    it is one rejection, not the end of the build."""

    @classmethod
    def parse(cls, arg: str) -> InputSpec:
        source, sep, path = arg.partition("=")
        if not sep:
            source, path = "", arg
        fmt = None
        m = _FORMAT_PREFIX.match(path)
        if m and m.group(1) in FORMATS:
            fmt, path = m.group(1), m.group(2)
        elif m and not _exists(Path(path)) and _exists(Path(m.group(2))):
            raise InputError(f"{arg}: unknown format {m.group(1)!r} (see kg sources)")
        p = Path(path)
        if source.strip():
            return cls(_check_source(source, arg), p, fmt, True)
        if _is_dir(p):
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


def _not_regular(path: Path) -> str | None:
    """Why ``path`` is not a regular file to read (following symbolic links), or ``None``."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if path.is_symlink() else "no such file"
    except OSError as exc:  # ELOOP, EACCES on a parent, ENAMETOOLONG...
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, expected a file"
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return f"not a regular file ({kind})"


def _check_file(path: Path) -> None:
    if (why := _not_regular(path)) is not None:
        raise InputError(f"{path}: {why}")


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
    except (UnicodeError, ValueError, TypeError) as exc:  # codecs such as idna, punycode
        raise InputError(f"{path}: not valid {encoding}: {exc}") from exc


def read_text(path: Path, encoding: str | None = None) -> str:
    """Read a whole file as text, un-gzipping and detecting the encoding.

    Without ``encoding``: UTF-8 (with or without BOM), UTF-16 when it has a
    BOM, else Windows-1252, else ISO-8859-1 (which decodes any byte).
    """
    _check_file(path)
    try:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = _gunzip(path, data)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if encoding:
        return _decode_as(path, data, encoding)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _decode_as(path, data, "utf-16")
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


def _gunzip(path: Path, data: bytes) -> bytes:
    """``data`` decompressed, at most :func:`~resolve.formats.limits.max_decompressed` bytes."""
    limit = max_decompressed(len(data))
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
        out = gz.read(limit + 1)
    if len(out) > limit:
        raise InputError(
            f"{path}: decompresses to more than {size_text(limit)} (the limit is "
            f"{size_text(MIN_DECOMPRESSED_LIMIT)} or {MAX_GZIP_RATIO} times the compressed size, "
            "against gzip bombs); decompress it yourself to read it")
    return out


def _decode_as(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not valid {encoding} ({exc.reason} at byte "
                         f"{exc.start})") from exc
    except (UnicodeError, ValueError, TypeError) as exc:  # codecs such as idna, punycode
        raise InputError(f"{path}: not valid {encoding}: {exc}") from exc


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


def _files_under(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The regular files under ``root`` (hidden ones left out), and what was
    skipped there with the reason: special files, broken links, links to
    directories (never followed), directories that cannot be listed, stores."""
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []

    def unlisted(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        skipped.append((where, f"cannot list the directory: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unlisted):
        here = Path(dirpath)
        if STORE_MARKER in filenames:
            skipped.append((here, f"a kg-resolve store (holds {STORE_MARKER}), not input"))
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in [d for d in dirnames if (here / d).is_symlink()]:
            skipped.append((here / d, "a symbolic link to a directory (not followed)"))
            dirnames.remove(d)
        for name in filenames:
            if name.startswith("."):
                continue
            why = _not_regular(here / name)
            (found.append(here / name) if why is None else skipped.append((here / name, why)))
    return sorted(found), sorted(skipped)


def _safe_stem(path: Path) -> str:
    stem = re.sub(r"[\s/#?]+", "_", escape_surrogates(_stem(path))).strip("_")
    return stem or "input"


def expand_inputs(args: Iterable[str], fmt: str | None = None, encoding: str | None = None,
                  ) -> tuple[list[InputSpec], list[tuple[Path, str]]]:
    """The input files of ``[SOURCE=][FORMAT:]PATH`` arguments, formats and
    sources resolved, and the files skipped in directories with the reason.

    ``fmt`` (``--format``) applies to every argument without its own
    ``FORMAT:``.  A directory gives every file under it whose format is
    recognized (then read as the given format, if any); others are skipped,
    as are files that cannot be read and what is not a regular file.
    """
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format {fmt}: unknown format; one of {', '.join(FORMATS)}")
    specs: list[InputSpec] = []
    skipped: list[tuple[Path, str]] = []
    for arg in args:
        spec = InputSpec.parse(arg)
        forced = spec.format or fmt
        if not _is_dir(spec.path):
            specs.append(resolve_spec(replace(spec, format=forced), encoding))
            continue
        files, skipped_here = _files_under(spec.path)
        skipped += skipped_here
        for path in files:
            child = InputSpec(spec.source if spec.source_given else _safe_stem(path), path,
                              None, spec.source_given, in_directory=True)
            try:
                found = resolve_spec(child, encoding)
                specs.append(resolve_spec(replace(child, format=forced), encoding)
                             if forced else found)
            except InputError as exc:  # unknown format, unreadable, not UTF-8...
                skipped.append((path, str(exc).removeprefix(f"{make_origin(path)}: ")))
    return specs, skipped


def make_origin(path: Path | str, line: int | None = None, pointer: str | None = None) -> str:
    """``file``, ``file:line``, ``file#/pointer`` or ``file:line#/pointer``
    (a file name that is not UTF-8 with ``\\xNN`` escapes)."""
    origin = escape_surrogates(str(path))
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


@dataclass
class ReadLog:
    """What reading noted besides records and rejections: warnings
    ``(origin, message)`` (CSV columns not read...) and the identical copies
    of records that were collapsed (:func:`iter_inputs`)."""

    warnings: list[tuple[str, str]] = field(default_factory=list)
    collapsed: int = 0


def read_input(spec: InputSpec, encoding: str | None = None, log: ReadLog | None = None,
               jobs: int = 1) -> Iterator[Record | Rejection]:
    """Yield the records (or rejections) of one input file, in file order;
    warnings about the file go to ``log``.  ``jobs`` processes map a large
    file's entries onto records (:mod:`resolve.readpool`; the same records).

    A file found in a directory that cannot be read is one rejection naming
    it; a file given by name raises :class:`InputError`."""
    if spec.format is None:
        spec = resolve_spec(spec, encoding)
    if has_surrogate(spec.source):
        spec = replace(spec, source=escape_surrogates(spec.source))
    try:
        yield from _read_file(spec, encoding, log, jobs)
    except InputError as exc:
        if not spec.in_directory:
            raise
        origin = make_origin(spec.path)
        yield Rejection(origin, f"file not read: {str(exc).removeprefix(f'{origin}: ')}",
                        source=spec.source)


def _read_file(spec: InputSpec, encoding: str | None, log: ReadLog | None, jobs: int = 1,
               ) -> Iterator[Record | Rejection]:
    fmt = FORMATS[spec.format]  # type: ignore[index]
    text = read_text(spec.path, encoding)
    count = 0

    def parsed() -> Iterator[Pending]:
        nonlocal count
        for item in fmt.parse(text, spec.path.name.lower()):
            if isinstance(item, Notice):
                if log is not None:
                    log.warnings.append((make_origin(spec.path, item.line),
                                         escape_surrogates(item.message)))
                continue
            count += 1
            origin = make_origin(spec.path, item.line, item.pointer)
            if isinstance(item, Problem):
                yield Rejection(origin, escape_surrogates(item.reason),
                                raw=escape_surrogates(item.raw), source=spec.source,
                                record_id=escape_surrogates(item.record_id))
            else:
                yield item.fields, origin, item.raw

    try:
        # mapped onto records by worker processes for a large file (resolve.readpool)
        yield from map_entries(parsed(), spec.source,
                               jobs if use_workers(jobs, len(text)) else 1)
    except FormatError as exc:
        where = make_origin(spec.path, exc.line)
        if exc.line is not None and exc.column is not None:
            where += f":{exc.column}"
        raise InputError(f"{where}: {exc.message} (read as {fmt.name})") from exc
    except DATA_ERRORS as exc:  # a parser's bug must not end in a traceback either
        raise InputError(f"{make_origin(spec.path)}: cannot be read as {fmt.name}: "
                         f"{type(exc).__name__}: {exc}") from exc
    if count == 0 and _reads_nothing(text, fmt.name):
        raise InputError(f"read no records from {make_origin(spec.path)} as {fmt.name}; "
                         "is that its format?")


def _reads_nothing(text: str, fmt: str) -> bool:
    """Whether a file that gave no record at all was likely read as the wrong
    format (``bibtex:records.jsonl``): it has content (a line that is not
    blank or a ``%`` comment), its content does not show this format, and it
    is not a JSON or XML document that this format reads (an empty page)."""
    if not _CONTENT_LINE.search(text):
        return False
    head = text[:HEAD_SIZE]
    if sniff(head) == fmt:
        return False
    return fmt in _TEXT_FORMATS or head.lstrip("\ufeff \t\r\n")[:1] not in ("{", "[", "<")


# What makes two records with one key identical copies: every compared field
# but where it was read (a tuple of them is hashed far faster than a copy of the
# record made with dataclasses.replace).
_content = operator.attrgetter(*(f.name for f in fields(Record)
                                 if f.compare and f.name != "origin"))


def iter_inputs(specs: Iterable[InputSpec], encoding: str | None = None,
                on_file: Callable[[InputSpec], None] | None = None,
                log: ReadLog | None = None, jobs: int = 1) -> Iterator[Record | Rejection]:
    """Every record (or rejection) of every input, in order.  A record id
    repeated within a source is one record when the copies are identical
    (overlapping saved pages of one search): the later copies are collapsed
    and counted in ``log``; copies that differ fail.  ``on_file`` is called
    as each file starts (for progress display); warnings go to ``log``;
    ``jobs`` processes map a large file's entries (see :func:`read_input`)."""
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for spec in specs:
        if on_file:
            on_file(spec)
        for item in read_input(spec, encoding, log, jobs):
            if isinstance(item, Record):
                content = hash(_content(item))
                first = seen.get(item.key)
                if first is not None and first[1] == content:
                    if log is not None:
                        log.collapsed += 1
                    continue
                if first is not None:
                    raise InputError(
                        f"{item.origin}: record id {item.record_id!r} repeats in source "
                        f"{item.source!r} with other content (first at {first[0]}); ids must "
                        "be unique within a source (identical copies are collapsed)"
                    )
                seen[item.key] = (item.origin, content)
            yield item


def read_inputs(
    specs: Iterable[InputSpec], encoding: str | None = None
) -> tuple[list[Record], list[Rejection]]:
    """Read every input into records and rejections."""
    records: list[Record] = []
    rejections: list[Rejection] = []
    for item in iter_inputs(specs, encoding):
        if isinstance(item, Rejection):
            rejections.append(item)
        else:
            records.append(item)
    return records, rejections
