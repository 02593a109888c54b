"""BibTeX and BibLaTeX (``.bib``), parsed with bibtexparser 2.

Entries are split and checked by bibtexparser; values are then resolved
here: ``@string`` macros, month names and ``#`` concatenation, enclosing
braces or quotes, and LaTeX (accents, ``{\\L}``, ``--``, protective braces)
decoded to Unicode with pylatexenc.  A malformed entry is a rejection at the
line of its ``@``; everything else in the file is read.  Macros that refer
to each other can double at every step, so expansion is bounded (see
:mod:`resolve.formats.limits`): a macro or value longer than 1 MiB, or
macro text beyond 16 MiB in one file, rejects the entries that use it.

Kept: the citation key (record id; a ``DBLP:`` key or a dblp ``biburl`` also
gives the ``dblp`` key), ``doi`` (several, separated by spaces, commas or
semicolons), ``url``, URLs in ``howpublished``/``note``, ``eprint`` with
``archiveprefix``/``eprinttype`` arXiv (or an ``arxivid`` field), ``isbn``,
``issn``, ``pmid``, ``pmcid``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache

import bibtexparser
from bibtexparser import model
from pylatexenc.latex2text import LatexNodes2Text

from .base import (
    BadRecord,
    FormatError,
    Item,
    Problem,
    compact,
    date_text,
    guarded,
    iso_date,
    urls_in,
)
from .limits import MAX_BIBTEX_EXPANSION, MAX_FIELD_BYTES, size_text

# bibtexparser logs each failed block; kg-resolve reports them as rejections.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

_MONTH_NAMES = ("january february march april may june july august september october "
                "november december").split()
_MONTHS = {**{m[:3]: str(i) for i, m in enumerate(_MONTH_NAMES, 1)},
           **{m: str(i) for i, m in enumerate(_MONTH_NAMES, 1)}}
_LATEX_CHARS = re.compile(r"[\\{}$~]|--")
_VERBATIM_FIELDS = frozenset({"doi", "url", "eprint", "arxivid", "isbn", "issn", "pmid",
                              "pmcid", "biburl"})
_DBLP_BIBURL = re.compile(r"dblp\.(?:org|uni-trier\.de)/rec/(?:bib\d?/)?(.+?)\.bib", re.I)
_SPLIT_IDS = re.compile(r"[\s,;]+")
_AND = re.compile(r"\s+and\s+", re.I)


@lru_cache(maxsize=1)
def _latex() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def decode_latex(value: str) -> str:
    """Unicode text of a LaTeX value (``M{\\"u}ller`` -> ``Müller``)."""
    if not _LATEX_CHARS.search(value):
        return value
    try:
        return _latex().latex_to_text(value)
    except Exception:  # pylatexenc on hostile input: keep the text, minus braces
        return value.replace("{", "").replace("}", "")


def _verbatim(value: str) -> str:
    """An id or URL: braces dropped, ``\\_`` and friends unescaped."""
    return re.sub(r"\\([_%&#$~])", r"\1", value.replace("{", "").replace("}", "")).strip()


def _split_top(value: str, sep: str) -> list[str]:
    """``value`` split on ``sep`` outside braces and double quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(value):
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == '"' and depth == 0:
            quoted = not quoted
        elif depth == 0 and not quoted and value.startswith(sep, i):
            parts.append(value[start:i])
            start = i + len(sep)
    parts.append(value[start:])
    return parts


class Macros(dict[str, str | None]):
    """The ``@string`` macros of one file, by lower-cased name (``None``: one
    that expanded past the limit), and what expansion may still add."""

    def __init__(self) -> None:
        super().__init__()
        self.budget = MAX_BIBTEX_EXPANSION


def resolve_value(raw: str, strings: dict[str, str | None]) -> str:
    """A field's raw value with macros, concatenation and enclosing resolved
    (LaTeX still encoded).  :class:`BadRecord` when it grows past
    :data:`~resolve.formats.limits.MAX_FIELD_BYTES` characters, uses a macro
    that did, or (``strings`` a :class:`Macros`) exhausts the file's budget."""
    out = []
    size = 0
    for part in _split_top(raw, "#"):
        p = part.strip()
        if len(p) >= 2 and ((p[0] == "{" and p[-1] == "}") or (p[0] == '"' and p[-1] == '"')):
            piece = p[1:-1]
        elif p.lower() in strings:
            piece = _expand(p, strings)
        elif p.lower() in _MONTHS:
            piece = _MONTHS[p.lower()]
        else:
            piece = p
        size += len(piece)
        if size > MAX_FIELD_BYTES:
            raise BadRecord(f"BibTeX value expands to over {size_text(MAX_FIELD_BYTES)} "
                            f"(the limit on a field)")
        out.append(piece)
    return "".join(out)


def _expand(name: str, strings: dict[str, str | None]) -> str:
    value = strings[name.lower()]
    if value is None:
        raise BadRecord(f"@string {name} expands to over {size_text(MAX_FIELD_BYTES)} "
                        "(the limit on a field)")
    if isinstance(strings, Macros):
        strings.budget -= len(value)
        if strings.budget < 0:
            raise BadRecord(f"@string expansion in this file is over "
                            f"{size_text(MAX_BIBTEX_EXPANSION)} (the limit on one file)")
    return value


def split_names(value: str) -> list[str]:
    """Names of an ``author`` field: split on ``and`` outside braces."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(value):
        c = value[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and c.isspace():
            m = _AND.match(value, i)
            if m:
                parts.append(value[start:i])
                i = start = m.end()
                continue
        i += 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip() and p.strip().lower() != "others"]


def _whole_braced(name: str) -> bool:
    """Whether one pair of braces encloses the whole name (``{The ... Consortium}``)."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for i, c in enumerate(name):
        depth += (c == "{") - (c == "}")
        if depth == 0 and i < len(name) - 1:
            return False
    return True


def _author(name: str) -> str | dict:
    """A name of the ``author`` field; one enclosed in braces
    (``{The Gene Ontology Consortium}``) is an organization, kept whole."""
    if _whole_braced(name.strip()):
        return {"literal": decode_latex(name.strip()[1:-1]).strip()}
    return decode_latex(name).strip()


def entry_fields(key: str, entry_type: str, values: dict[str, str]) -> dict:
    if not key.strip():
        raise BadRecord("BibTeX entry without a citation key")
    f = {k: (_verbatim(v) if k in _VERBATIM_FIELDS else decode_latex(v).strip())
         for k, v in values.items()}
    ids: dict[str, list[str]] = {}
    if key.startswith("DBLP:"):
        ids["dblp"] = [key[5:]]
    elif (m := _DBLP_BIBURL.search(f.get("biburl", ""))):
        ids["dblp"] = [m.group(1)]
    arxiv: list[str] = [f["arxivid"]] if f.get("arxivid") else []
    prefix = (f.get("archiveprefix") or f.get("eprinttype") or "").lower()
    if f.get("eprint") and (prefix in ("arxiv", "") or "arxiv" in f["eprint"].lower()):
        arxiv.append(f["eprint"])
    urls = _SPLIT_IDS.split(f.get("url", "")) if f.get("url") else []
    for name in ("howpublished", "note"):
        urls += urls_in(values.get(name, "").replace("\\url{", " ").replace("}", " "))
    date = f.get("date") or iso_date(f.get("year"), f.get("month"))
    return compact({
        "id": key.strip(),
        "title": f.get("title"),
        "authors": [_author(n) for n in split_names(values.get("author", ""))],
        "year": f.get("year"),
        "date": date_text(date) if date else None,
        "venue": (f.get("journal") or f.get("journaltitle") or f.get("booktitle")
                  or f.get("school") or f.get("institution")),
        "volume": f.get("volume"),
        "issue": f.get("number") or f.get("issue"),
        "pages": f.get("pages"),
        "abstract": f.get("abstract"),
        "type": entry_type.lower(),
        "doi": [d for d in _SPLIT_IDS.split(f.get("doi", "")) if d],
        "arxiv": arxiv,
        "isbn": f.get("isbn"),
        "issn": f.get("issn"),
        "pmid": f.get("pmid"),
        "pmcid": f.get("pmcid"),
        "urls": [u for u in urls if u],
        "identifiers": ids,
    })


def parse(text: str, hint: str = "") -> Iterator[Item]:
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except Exception as exc:  # the parser's own failure, not one entry's
        raise FormatError(f"BibTeX parser failed: {type(exc).__name__}: {exc}") from exc
    strings = Macros()
    for block in library.blocks:
        line = block.start_line + 1 if isinstance(block.start_line, int) else None
        if isinstance(block, model.String):
            try:
                strings[str(block.key).lower()] = resolve_value(str(block.value), strings)
            except BadRecord:  # the entries that use it are rejected, saying why
                strings[str(block.key).lower()] = None
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            # Yielded as an entry: a repeated id stops the build, naming both places.
            yield from _entry(block.ignore_error_block, strings, line)
        elif isinstance(block, model.ParsingFailedBlock):
            reason = (getattr(block.error, "abort_reason", None) or str(block.error)
                      or "syntax error")
            yield Problem(f"malformed BibTeX entry: {' '.join(str(reason).split())}",
                          (block.raw or "").rstrip(), line)
        elif isinstance(block, model.Entry):
            yield from _entry(block, strings, line)


def _entry(block: model.Block | None, strings: dict[str, str | None], line: int | None
           ) -> Iterator[Item]:
    if not isinstance(block, model.Entry):
        return

    def fields() -> dict:
        values = {str(f.key).strip().lower(): resolve_value(str(f.value), strings)
                  for f in block.fields}
        return entry_fields(str(block.key), str(block.entry_type), values)

    yield guarded(fields, block.raw or "", line, None, "BibTeX")

