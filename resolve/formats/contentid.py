"""Ids made from a record's content, for records that come without one.

A RIS record without ``ID`` or a CSV row without an id column gets
``"r"`` + 12 hex digits of a hash of its normalized title, year, first
author's key and DOI, so adding a record to a file (at the top, say) does
not rename the others, as a line number would.  Records of one file that
share those four but differ elsewhere are told apart by ``-2``, ``-3``...
in file order; an identical copy gets the same id (and is collapsed as a
duplicate copy when read, see :func:`resolve.readers.iter_inputs`).
"""

from __future__ import annotations

import hashlib
import json

from .. import normalize as nz
from .mapping import parse_authors

__all__ = ["ContentIds", "content_id"]


def content_id(fields: dict) -> str:
    """``r`` + 12 hex digits from the title, year, first author and DOI of a
    flat record mapping (the keys of :mod:`resolve.formats.mapping`)."""
    title = nz.normalize_title(_text(fields.get("title")))
    year = nz.normalize_year(fields.get("year")) or nz.normalize_year(fields.get("date"))
    authors = parse_authors(fields.get("authors", fields.get("author")))
    doi = next((d for v in _values(fields.get("doi")) if (d := nz.normalize_doi(str(v)))), "")
    key = "\x1f".join((title, str(year or ""), authors[0].key if authors else "", doi))
    return "r" + hashlib.blake2b(key.encode("utf-8", "surrogatepass"),
                                 digest_size=6).hexdigest()


def _values(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(value: object) -> str:
    values = _values(value)
    return str(values[0]) if values else ""


class ContentIds:
    """Content ids for the records of one file, told apart deterministically."""

    def __init__(self) -> None:
        self._seen: dict[str, list[str]] = {}

    def assign(self, fields: dict) -> str:
        """The id of ``fields`` (which has no id of its own): its content id,
        with ``-N`` when another record of the file has the same one but
        different fields; the same id for an identical copy."""
        base = content_id(fields)
        shapes = self._seen.setdefault(base, [])
        shape = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
        if shape not in shapes:
            shapes.append(shape)
        n = shapes.index(shape) + 1
        return base if n == 1 else f"{base}-{n}"
