"""What one input may hold: size limits, and text that is not Unicode.

Input comes from anywhere, so a few bounds keep one hostile or broken file
from taking the whole build down:

* :data:`MAX_FIELD_BYTES`: a record field (all the text of ``title``,
  ``authors``, ``urls``... together) of more than 1 MiB in UTF-8 rejects
  the record; no bibliographic field is that long, and a multi-megabyte
  literal would stop the store from loading.
* :data:`MAX_BIBTEX_EXPANSION`: BibTeX ``@string`` macros that refer to each
  other can double at every step; a macro or field value that expands past
  :data:`MAX_FIELD_BYTES`, or a file whose macro substitutions add more than
  16 MiB in all, rejects the entries that use them.
* :func:`max_decompressed`: a gzipped file may decompress to at most 64 MiB
  or :data:`MAX_GZIP_RATIO` times its compressed size, whichever is more
  (real records compress 5-20 times; a "gzip bomb" about 1000 times).

A JSON string may escape a lone UTF-16 surrogate (``"\\ud800"``), which is
not a character and cannot be written as UTF-8.  In an identifier (``id``,
``doi``, ``urls``, ``identifiers``...) the record is rejected, since the id
it names is unknown; in other text (title, authors, abstract...) each one is
replaced by U+FFFD.  File names that are not valid UTF-8 (decoded by Python
with ``surrogateescape``) are shown with ``\\xNN`` escapes (:func:`escape_surrogates`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_FIELD_BYTES = 1 << 20
"""The largest record field, in UTF-8 bytes (1 MiB)."""
MAX_BIBTEX_EXPANSION = 16 << 20
"""Characters that ``@string`` substitution may add in one BibTeX file."""
MIN_DECOMPRESSED_LIMIT = 64 << 20
MAX_GZIP_RATIO = 100

# The fields record_from_mapping reads; the others are ignored, so not checked.
ID_FIELDS = ("id", "doi", "arxiv", "pmid", "pmcid", "isbn", "issn", "identifiers", "url",
             "urls")
TEXT_FIELDS = ("title", "authors", "author", "year", "date", "venue", "volume", "issue",
               "pages", "abstract", "type")

_SURROGATE = re.compile("[\ud800-\udfff]")


def max_decompressed(compressed_size: int) -> int:
    """How many bytes a gzipped file of ``compressed_size`` bytes may decompress to."""
    return max(MIN_DECOMPRESSED_LIMIT, MAX_GZIP_RATIO * compressed_size)


def size_text(n: int) -> str:
    """``n`` bytes for people: ``1 MiB``, ``17.0 MiB``, ``512 bytes``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n // size} {unit}" if n % size == 0 else f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written out: ``\\xNN`` for a byte
    that a file name held (``surrogateescape``), ``\\udNNN`` otherwise."""
    if not has_surrogate(text):
        return text
    return _SURROGATE.sub(lambda m: _escape(ord(m.group())), text)


def _escape(code: int) -> str:
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _strings(value: object, depth: int = 0) -> Iterator[str]:
    """Every string in a JSON-like value, dict keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and depth < 50:
        for k, v in value.items():
            if isinstance(k, str):
                yield k
            yield from _strings(v, depth + 1)
    elif isinstance(value, list | tuple) and depth < 50:
        for v in value:
            yield from _strings(v, depth + 1)


def _texts(value: object) -> list[str] | tuple[str, ...]:
    return (value,) if isinstance(value, str) else list(_strings(value))


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def field_problem(obj: dict) -> str | None:
    """Why a flat record cannot be used because of a field's size or a lone
    surrogate in an identifier, or ``None``."""
    for name in (*ID_FIELDS, *TEXT_FIELDS):
        if name not in obj:
            continue
        texts = _texts(obj[name])
        # A character is 1 to 4 bytes: only encode when that may matter.
        if sum(map(len, texts)) * 4 > MAX_FIELD_BYTES:
            size = sum(_utf8_size(t) for t in texts)
            if size > MAX_FIELD_BYTES:
                return (f"field {name} is {size} bytes, over the "
                        f"{size_text(MAX_FIELD_BYTES)} limit")
        if name in ID_FIELDS:
            bad = next((t for t in texts if has_surrogate(t)), None)
            if bad is not None:
                return (f"field {name} holds a lone UTF-16 surrogate (not a character): "
                        f"{escape_surrogates(bad)[:200]}")
    return None


def repair_fields(obj: dict) -> dict:
    """``obj`` with each lone surrogate in its text fields replaced by U+FFFD
    (``obj`` itself when there is none)."""
    bad = [n for n in TEXT_FIELDS
           if n in obj and any(has_surrogate(t) for t in _texts(obj[n]))]
    if not bad:
        return obj
    return {**obj, **{n: _repair(obj[n]) for n in bad}}


def _repair(value: object, depth: int = 0) -> object:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict) and depth < 50:
        return {_repair(k, depth + 1): _repair(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple) and depth < 50:
        return [_repair(v, depth + 1) for v in value]
    return value
