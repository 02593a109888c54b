"""JSON documents and JSON Lines, as the services return them.

A file is read either as **JSON Lines** (one JSON value per line: a record, or
a whole response page) or as **one JSON document** (a pretty-printed response
page, a list of records).  JSON Lines when the extension says so (``.jsonl``,
``.ndjson``), when the file has one line, or when its first line is a whole
JSON value on its own; otherwise one document (unless the document is not
JSON but a later line is a JSON object: JSON Lines with a broken first
line).  Lines end at ``\\n`` (``\\r\\n`` too), not at the other Unicode line
breaks, which a JSON string may hold.  A line that is not JSON is a
:class:`Problem` at ``file:line``; a document that is not JSON is a
:class:`FormatError` naming the line and column.

Each value is then unwrapped into records by the format's *envelopes*: key
paths to the list (or object) of records of a response page, e.g.
``("message", "items")`` for Crossref.  Every record is located by its line
(JSON Lines) and its JSON Pointer inside the value, e.g. ``/results/3``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial

from .base import Entry, FormatError, Item, Problem, as_dict, guarded, s

Envelope = tuple[str, ...]
_LINES_EXTENSIONS = (".jsonl", ".ndjson", ".jsonlines")


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON: {exc.msg} at column {exc.colno}"
    return f"malformed JSON: {exc}"


def first_lines(text: str, n: int) -> list[str]:
    """The first ``n`` non-blank lines, without splitting the whole text."""
    found: list[str] = []
    start = 0
    while len(found) < n and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].strip():
            found.append(text[start:end])
        start = end + 1
    return found


def is_json_lines(text: str, hint: str = "") -> bool:
    """Whether ``text`` is read line by line (see the module docstring)."""
    name = hint.lower().removesuffix(".gz")
    if name.endswith(_LINES_EXTENSIONS):
        return True
    lines = first_lines(text, 2)
    if len(lines) <= 1:
        return True
    try:
        _loads(lines[0])
    except ValueError:
        return False
    return True


def json_values(text: str, hint: str = "") -> Iterator[tuple[int | None, object, str]]:
    """``(line, value, raw)`` for each top-level JSON value; a malformed line
    gives a :class:`Problem` as its value."""
    if not text.strip():
        return
    if not is_json_lines(text, hint):
        try:
            doc = _loads(text)
        except ValueError as exc:
            if _later_lines_parse(text):
                yield from _lines(text)
                return
            if isinstance(exc, json.JSONDecodeError):
                raise FormatError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from exc
            raise FormatError(f"not valid JSON: {exc}") from exc
        yield None, doc, ""
        return
    yield from _lines(text)


def _lines(text: str) -> Iterator[tuple[int | None, object, str]]:
    # Lines end at "\n" only: U+2028, U+2029 and U+0085 are characters a
    # JSON string may hold as they are (str.splitlines() would cut there).
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            yield lineno, _loads(line), line
        except ValueError as exc:
            yield lineno, Problem(_reason(exc), line, lineno), line


def _later_lines_parse(text: str) -> bool:
    """A JSON Lines file whose first line is broken: a later line (of the
    next 20) is a JSON object or list on its own."""
    for line in first_lines(text, 21)[1:]:
        try:
            if isinstance(_loads(line), dict | list):
                return True
        except ValueError:
            pass
    return False


def unwrap(value: object, envelopes: tuple[Envelope, ...], inner: tuple[str, ...] = (),
           lists: bool = True) -> Iterator[tuple[str, object]]:
    """``(pointer, record)`` pairs inside one top-level value.

    ``envelopes`` are key paths from a response page to its records (a list,
    or one object); a value matching none is one record.  ``inner`` names
    keys that wrap a record inside a list member (Semantic Scholar's
    ``{"citingPaper": {...}}``, Unpaywall search's ``{"response": {...}}``).
    ``lists``: a top-level list is a list of records."""
    if isinstance(value, list) and lists:
        for i, item in enumerate(value):
            yield from _inner(f"/{i}", item, inner)
        return
    if isinstance(value, dict):
        for path in envelopes:
            if not path or not _has_path(value, path):
                continue
            target: object = value
            for key in path:
                target = target[key]  # type: ignore[index]
            pointer = "/" + "/".join(_escape(k) for k in path)
            if isinstance(target, list):
                for i, item in enumerate(target):
                    yield from _inner(f"{pointer}/{i}", item, inner)
                return
            if isinstance(target, dict):
                yield from _inner(pointer, target, inner)
                return
            if target is None:
                return  # an empty page
    yield "", value


def _has_path(value: dict, path: Envelope) -> bool:
    target: object = value
    for key in path:
        if not isinstance(target, dict) or key not in target:
            return False
        target = target[key]
    return True


def _inner(pointer: str, item: object, inner: tuple[str, ...]) -> Iterator[tuple[str, object]]:
    if isinstance(item, dict):
        for key in inner:
            if isinstance(item.get(key), dict):
                yield f"{pointer}/{_escape(key)}", item[key]
                return
    yield pointer, item


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def error_response(value: object) -> str | None:
    """The message of an API error object (``{"error": ...}``, Crossref's
    ``{"status": "failed", "message": ...}``), else ``None``."""
    obj = as_dict(value)
    if s(obj.get("status")) in ("failed", "error"):
        return s(obj.get("message")) or json.dumps(obj.get("message"), ensure_ascii=False)
    if "error" in obj and not any(k in obj for k in ("id", "title", "DOI", "paperId")):
        err = obj["error"]
        text = s(err) or json.dumps(err, ensure_ascii=False)
        detail = s(obj.get("message"))
        return f"{text}: {detail}" if detail else text
    return None


def parse_objects(text: str, hint: str, to_fields: Callable[..., dict], label: str,
                  envelopes: tuple[Envelope, ...] = (), inner: tuple[str, ...] = (),
                  api: bool = True, positional: bool = False) -> Iterator[Item]:
    """Every record of a JSON/JSON Lines file mapped by ``to_fields``.

    ``api``: the file holds API responses, so error objects are reported as
    such, a list on one line is a list of records and an empty object is
    rejected; without it (our own records) a line must be one object.
    ``positional``: ``to_fields`` takes a second argument, the record's
    1-based position in the file (for formats whose records may lack ids)."""
    position = 0
    # A file of one JSON value (not named .jsonl) is a document even on one line.
    name = hint.lower().removesuffix(".gz")
    document = not name.endswith(_LINES_EXTENSIONS) and len(first_lines(text, 2)) == 1
    for line, value, raw in json_values(text, hint):
        if isinstance(value, Problem):
            yield value
            continue
        if api and (message := error_response(value)) is not None:
            yield Problem(f"{label} error response: {message}",
                          raw or json.dumps(value, ensure_ascii=False), line)
            continue
        for pointer, obj in unwrap(value, envelopes, inner,
                                      lists=line is None or api or document):
            position += 1
            rec_raw = raw if (pointer == "" and raw) else json.dumps(obj, ensure_ascii=False)
            where = pointer or None
            if not isinstance(obj, dict):
                kind = "null" if obj is None else type(obj).__name__
                yield Problem(f"expected a JSON object, got {kind}", rec_raw, line, where)
                continue
            if positional:
                item = guarded(partial(to_fields, obj, position),
                               rec_raw, line, where, label)
            else:
                item = guarded(partial(to_fields, obj), rec_raw, line, where, label)
            if api and isinstance(item, Entry) and not item.fields:
                item = Problem(f"empty {label} record", rec_raw, line, where)
            yield item
