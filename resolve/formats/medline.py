"""PubMed/MEDLINE tagged text (``.nbib``, PubMed's "Save > PubMed format").

A record starts at its ``PMID- `` line and runs to the next one.  A line is
a tag of up to four characters, padded to four, then ``- `` and the value
(``TI  - ...``); a value goes on over lines indented by six spaces.  Records
are separated by blank lines; a block of lines without a ``PMID-`` line
(text before the first record, a record cut off) is a rejection.

Kept: ``PMID`` (record id and PMID), ``PMC`` (PMCID), the DOIs of ``AID``
and ``LID`` (``10.xxx [doi]``), every ``IS`` ISSN and ``ISBN``.  Fields:
``TI`` (else ``BTI``); ``FAU`` (else ``AU``) and ``CN`` (a group, kept whole);
``DP`` (``2022 Apr 5``, ``2021 Winter``); ``JT`` (else ``TA``, ``BTI``) as the
venue; ``VI``; ``IP``; ``PG``; ``AB``; the first ``PT`` as the type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import BadRecord, Item, Problem, compact, guarded, iso_date

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAG_RE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_DOI_RE = re.compile(r"^(10\.\S+)\s*\[doi\]\s*$", re.I)
_DATE_RE = re.compile(r"^\s*(\d{4})(?:\s+([A-Za-z]{3})[a-z]*(?:[-/][A-Za-z]+)?(?:\s+(\d{1,2}))?)?")


def is_tag_line(line: str) -> bool:
    """Whether ``line`` is a MEDLINE tag line (``PMID- 123``, ``TI  - ...``)."""
    return len(line) >= 6 and line[4:6] == "- " and _TAG_RE.match(line) is not None


def _tagged(lines: list[str]) -> list[tuple[str, str]]:
    """``(tag, value)`` pairs of a record, continuation lines joined."""
    out: list[tuple[str, str]] = []
    for line in lines:
        m = _TAG_RE.match(line) if line[4:6] == "- " or line.startswith("PMID-") else None
        if m:
            out.append((m.group(1), m.group(2).strip()))
        elif out and line.strip():  # a continuation (indented by six spaces)
            tag, value = out[-1]
            out[-1] = (tag, f"{value} {line.strip()}".strip())
    return out


def _date(value: str | None) -> str | None:
    m = _DATE_RE.match(value or "")
    return iso_date(m.group(1), m.group(2), m.group(3)) if m else None


def record_fields(lines: list[str]) -> dict:
    tags: dict[str, list[str]] = {}
    for tag, value in _tagged(lines):
        if value:
            tags.setdefault(tag, []).append(value)

    def one(*names: str) -> str | None:
        return next((tags[n][0] for n in names if tags.get(n)), None)

    pmid = one("PMID")
    if not pmid:
        raise BadRecord("MEDLINE record without a PMID")
    dois = [m.group(1) for v in tags.get("AID", []) + tags.get("LID", [])
            if (m := _DOI_RE.match(v))]
    authors: list[object] = list(tags.get("FAU") or tags.get("AU") or [])
    authors += [{"literal": name} for name in tags.get("CN", [])]
    return compact({
        "id": pmid,
        "title": one("TI", "BTI"),
        "authors": authors,
        "date": _date(one("DP")),
        "venue": one("JT", "TA", "BTI") if one("TI") else one("JT", "TA"),
        "volume": one("VI"),
        "issue": one("IP"),
        "pages": one("PG"),
        "abstract": one("AB"),
        "type": one("PT"),
        "pmid": [pmid],
        "pmcid": tags.get("PMC", []),
        "doi": dois,
        "issn": tags.get("IS", []),
        "isbn": tags.get("ISBN", []),
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    """Records are blocks of lines: a blank line or a ``PMID-`` line starts
    the next one (continuation lines are never blank)."""
    block: list[str] = []
    start = 0
    for lineno, line in enumerate(_LINE_BREAK.split(text.lstrip("\ufeff")), 1):
        if not line.strip() or line.startswith("PMID-"):
            if block:
                yield _record(block, start)
            block = [line] if line.strip() else []
            start = lineno
        else:
            if not block:
                start = lineno
            block.append(line)
    if block:
        yield _record(block, start)


def _record(lines: list[str], start: int) -> Item:
    if not lines[0].startswith("PMID-"):
        return Problem("MEDLINE record without a PMID- line (or text outside any record)",
                       "\n".join(lines), start)
    return guarded(lambda: record_fields(lines), "\n".join(lines), start, None, "MEDLINE")
