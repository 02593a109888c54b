"""Web of Science plain text ("Export > Plain text file", ``savedrecs.txt``).

The file starts with ``FN`` and ``VR`` header lines; each record runs from
``PT`` to ``ER`` and the file ends with ``EF``.  A line is a two-character
tag, a space and the value; a value goes on over lines indented by three
spaces (one author per line in ``AU``/``AF``).  A record without ``ER`` and
text outside any record are rejections.

Kept: ``UT`` (record id; ``WOS:000...`` also as ``wos``), ``DI`` (DOI),
``D2`` (book DOI), ``PM`` (PMID), ``SN``/``EI`` (ISSNs), ``BN`` (ISBN).
Fields: ``TI``; ``AF`` (else ``AU``; Web of Science initials such as
``Platt, SR`` are initials, not Sr.) and ``CA`` (a group, kept whole);
``SO`` (else ``SE``, ``BS``) as the venue; ``PY`` and ``PD``; ``VL``;
``IS``; ``BP``-``EP`` (else ``AR``, the article number); ``AB``; ``DT`` as
the type.  A title ending in ``(vol 48, pg 556, 2007)`` names a correction
of that article (see :mod:`resolve.features`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from .base import BadRecord, Item, Problem, compact, guarded, iso_date, pages

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAG_RE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_HEADER_TAGS = frozenset({"FN", "VR", "EF"})
_PD_RE = re.compile(r"^\s*([A-Za-z]{3})[A-Za-z]*(?:[-/ ][A-Za-z]+)?(?:\s+(\d{1,2}))?")


def _tagged(lines: list[str]) -> list[tuple[str, list[str]]]:
    """``(tag, values)`` of a record: one value per line of the field."""
    out: list[tuple[str, list[str]]] = []
    for line in lines:
        m = _TAG_RE.match(line)
        if m:
            out.append((m.group(1), [(m.group(2) or "").strip()]))
        elif out and line.strip():  # a continuation (indented by three spaces)
            out[-1][1].append(line.strip())
    return out


def _date(year: str | None, pd: str | None) -> str | None:
    m = _PD_RE.match(pd or "")
    return iso_date(year, m.group(1), m.group(2)) if m else iso_date(year)


def record_fields(lines: list[str]) -> dict:
    tags: dict[str, list[str]] = {}
    for tag, values in _tagged(lines):
        tags.setdefault(tag, []).extend(v for v in values if v)

    def one(*names: str, sep: str = " ") -> str | None:
        return next((sep.join(tags[n]) for n in names if tags.get(n)), None)

    ut = one("UT")
    if not ut:
        raise BadRecord("Web of Science record without an accession number (UT)")
    ids: dict[str, list[str]] = {}
    if ut.upper().startswith(("WOS:", "ISI:")):
        ids["wos"] = [ut[4:]]
    authors: list[object] = list(tags.get("AF") or tags.get("AU") or [])
    authors += [{"literal": name} for name in tags.get("CA", [])]
    year = one("PY")
    return compact({
        "id": ut,
        "title": one("TI"),
        "authors": authors,
        "year": year,
        "date": _date(year, one("PD")),
        "venue": one("SO", "SE", "BS"),
        "volume": one("VL"),
        "issue": one("IS"),
        "pages": pages(one("BP"), one("EP")) or one("AR"),
        "abstract": one("AB"),
        "type": one("DT", sep="; "),
        "doi": tags.get("DI", []) + tags.get("D2", []),
        "pmid": tags.get("PM", []),
        "issn": tags.get("SN", []) + tags.get("EI", []),
        "isbn": tags.get("BN", []),
        "identifiers": ids,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    current: list[str] = []
    start = 0
    stray: list[str] = []
    stray_start = 0
    for lineno, line in enumerate(_LINE_BREAK.split(text.lstrip("\ufeff")), 1):
        tag = line[:2] if _TAG_RE.match(line) else None
        if tag == "PT":
            if stray:
                yield _stray(stray, stray_start)
                stray = []
            if current:
                yield Problem("Web of Science record without ER (cut off by the next PT)",
                              "\n".join(current), start)
            current, start = [line], lineno
        elif tag == "ER" and current:
            current.append(line)
            lines, at = current, start
            yield guarded(partial(record_fields, lines), "\n".join(lines), at, None,
                          "Web of Science")
            current = []
        elif current:
            current.append(line)
        elif line.strip() and tag not in _HEADER_TAGS:
            stray_start = stray_start if stray else lineno
            stray.append(line)
    if stray:
        yield _stray(stray, stray_start)
    if current:
        yield Problem("Web of Science record without ER (file ends inside it)",
                      "\n".join(current), start)


def _stray(lines: list[str], start: int) -> Problem:
    return Problem("text outside any Web of Science record (no PT line before it)",
                   "\n".join(lines), start)
