"""What every format parser shares: the items it yields, the errors it
raises, and small total helpers for reading loosely typed JSON/XML values.

A parser is a pure function ``parse(text, hint) -> Iterator[Entry | Problem]``:
``text`` is the whole decoded file, ``hint`` its lower-cased file name (some
formats look at the extension, e.g. ``.tsv``).  An :class:`Entry` is one
record as a flat mapping for :func:`resolve.formats.mapping.record_from_mapping`
(keys ``id``, ``title``, ``authors``, ``year``, ``date``, ``venue``,
``volume``, ``issue``, ``pages``, ``abstract``, ``type``, ``doi``, ``arxiv``,
``pmid``, ``pmcid``, ``isbn``, ``issn``, ``urls``, ``identifiers``); a
:class:`Problem` is a record that cannot be used, with its position and raw
text.  A file that cannot be read at all raises :class:`FormatError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from .. import normalize as nz


class FormatError(Exception):
    """The whole file cannot be read as this format (not well-formed JSON or
    XML, a CSV without a title column, ...).  ``line``/``column`` say where."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class BadRecord(ValueError):
    """One record cannot be used (no id, an API error object...)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One record as read: a flat mapping and where it was found.

    ``line`` is the 1-based line of the record's start (JSON Lines line,
    BibTeX ``@``, RIS ``TY``, XML start tag); ``pointer`` a JSON Pointer
    (RFC 6901) inside a JSON document or line, e.g. ``/results/3``, or the
    XPath of an XML element, e.g. ``/feed/entry[2]``."""

    fields: dict[str, object]
    raw: str
    line: int | None = None
    pointer: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that cannot be used, where it was and why."""

    reason: str
    raw: str = ""
    line: int | None = None
    pointer: str | None = None
    record_id: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about a file that is no record and no
    rejection (CSV columns that are not read...): a warning, once per file."""

    message: str
    line: int | None = None


Item = Entry | Problem
Parser = Callable[[str, str], Iterator[Item | Notice]]
Kind = Literal["records", "reference", "native"]


@dataclass(frozen=True)
class Format:
    """One supported input format, as listed by ``kg sources``."""

    name: str
    """The name to give with ``--format`` or ``FORMAT:PATH``."""
    title: str
    kind: Kind
    extensions: tuple[str, ...]
    detection: str
    """How the content is recognized, for people."""
    ids: str
    """Which identifiers are kept, for people."""
    parse: Parser
    service: str | None = None
    """Default source name of a native payload; ``None``: the file stem."""


# Exceptions a mapping function may raise on a value of an unexpected shape;
# they reject that one record.
DATA_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError,
               OverflowError, RecursionError)


def guarded(fields: Callable[[], dict], raw: str, line: int | None, pointer: str | None,
            label: str) -> Item:
    """``Entry(fields())``, or a :class:`Problem` saying why not."""
    try:
        return Entry(fields(), raw, line, pointer)
    except BadRecord as exc:
        return Problem(str(exc), raw, line, pointer)
    except DATA_ERRORS as exc:
        return Problem(f"unusable {label} record: {type(exc).__name__}: {exc}", raw, line,
                       pointer)


# --- total accessors for loosely typed values --------------------------------

def s(value: object) -> str | None:
    """Stripped text of a string or number; ``None`` for anything else or blank."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        t = value.strip()
    elif isinstance(value, int):
        t = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        t = str(int(value)) if value.is_integer() else str(value)
    else:
        return None
    return t or None


def strs(value: object) -> list[str]:
    """Texts of a scalar or of a list of scalars (non-text members dropped)."""
    if isinstance(value, list | tuple):
        return [t for v in value if (t := s(v))]
    t = s(value)
    return [t] if t else []


def first(value: object) -> str | None:
    """The first text of a scalar or a list."""
    found = strs(value)
    return found[0] if found else None


def as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def dicts(value: object) -> list[dict]:
    """The dict members of a list (or the dict itself)."""
    return [v for v in as_list(value) if isinstance(v, dict)]


def dig(obj: object, *path: str | int) -> object:
    """``obj[p0][p1]...`` through dicts and lists; ``None`` when a step is missing."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or not -len(obj) <= step < len(obj):
                return None
            obj = obj[step]
        else:
            if not isinstance(obj, dict):
                return None
            obj = obj.get(step)
    return obj


def add(target: dict[str, list[str]], scheme: str, *values: object) -> None:
    """Append texts of ``values`` to ``target[scheme]``, without repeats."""
    for value in values:
        for t in strs(value):
            bucket = target.setdefault(scheme, [])
            if t not in bucket:
                bucket.append(t)


def compact(fields: dict[str, object]) -> dict[str, object]:
    """``fields`` without empty values (``None``, ``""``, ``[]``, ``{}``)."""
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


# --- dates ---------------------------------------------------------------------

_ISO_RE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def iso_date(year: object, month: object = None, day: object = None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from parts (numbers, digit
    strings or month names); ``None`` without a plausible year."""
    y = _int(year)
    if y is None or not 1000 <= y <= 2100:
        return None
    m = _int(month)
    if m is None and isinstance(month, str):
        m = _MONTHS.get(month.strip().lower()[:3])
    if m is None or not 1 <= m <= 12:
        return f"{y:04d}"
    d = _int(day)
    if d is None or not 1 <= d <= 31:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        return int(value.strip())
    return None


def date_parts(value: object) -> str | None:
    """An ISO date from CSL/Crossref ``{"date-parts": [[2019, 6, 2]]}``, a
    ``{"raw"|"literal": ...}`` object, a bare ``[[...]]`` list, a date string
    (``2019-06-02``, ``2019/06``) or a year."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if parts is not None:
            return date_parts(parts)
        for key in ("raw", "literal", "date-time"):
            if (t := s(value.get(key))) is not None:
                return date_text(t)
        return None
    if isinstance(value, list):
        head = value[0] if value else None
        if isinstance(head, list):
            return iso_date(*(head + [None, None, None])[:3]) if head else None
        return iso_date(*(value + [None, None, None])[:3])
    t = s(value)
    return date_text(t) if t else None


def date_text(text: str) -> str | None:
    """The ISO date at the start of ``text`` (``2017-06-12T...``, ``2017/06``),
    else the first plausible year in it."""
    m = _ISO_RE.match(text)
    if m:
        return iso_date(m.group(1), m.group(2), m.group(3))
    year = nz.normalize_year(text)
    return f"{year:04d}" if year else None


def pages(first_page: object, last_page: object = None) -> str | None:
    a, b = s(first_page), s(last_page)
    if a and b and b != a:
        return f"{a}-{b}"
    return a or b


# --- text ------------------------------------------------------------------------

_URL_RE = re.compile(r"https?://[^\s<>\"'{}]+", re.I)


def urls_in(text: object) -> list[str]:
    """The http(s) URLs inside a text."""
    t = s(text)
    return _URL_RE.findall(t) if t else []


def abstract_from_inverted_index(index: object, limit: int = 100_000) -> str | None:
    """Plain text of an OpenAlex/MAG inverted index ``{"word": [positions]}``."""
    if not isinstance(index, dict):
        return None
    at: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(word, str):
            continue
        for p in as_list(positions):
            if isinstance(p, int) and not isinstance(p, bool) and 0 <= p and len(at) < limit:
                at.setdefault(p, word)
    return " ".join(at[p] for p in sorted(at)) or None
