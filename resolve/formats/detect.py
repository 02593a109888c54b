"""Recognize a file's format from the first part of its text, else its name.

Content decides first: XML by its root element, JSON by keys that only one
service uses (checked in a fixed order, see :func:`sniff_json`), RIS by a
first ``TY  -`` line (after export header lines such as JSTOR's
``Provider: ...``), MEDLINE by a first ``PMID- `` line, Web of Science by a
first ``FN `` line (or ``PT`` with an ``ER`` line), BibTeX by a first
``@type{`` line, CSV by a header with a title column.  Only when the
content says nothing does the extension (``.gz`` removed) decide.
"""

from __future__ import annotations

import re

from .xmltree import root_name

EXTENSIONS: dict[str, str] = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "csv", ".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris",
    ".xml": "endnote-xml", ".atom": "arxiv", ".nbib": "medline", ".medline": "medline",
}


def _key(name: str) -> str:
    # A JSON key (an unescaped quote before it, a colon after it).
    return r'(?<!\\)"' + re.escape(name) + r'"\s*:'


def _any(*names: str) -> re.Pattern[str]:
    return re.compile("|".join(_key(n) for n in names))


# Ordered: the first rule whose pattern(s) all match names the format.
JSON_RULES: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    ("crossref", (_any("message-type"),)),
    ("crossref", (_any("DOI"), _any("indexed", "deposited", "member", "reference-count",
                                    "is-referenced-by-count"))),
    ("dblp", (re.compile(_key("result") + r'\s*\{'), _any("hits"))),
    ("semanticscholar", (_any("paperId", "externalIds"),)),
    ("semanticscholar", (_any("corpusid"), _any("externalids"))),
    ("openalex", (re.compile(r'"https?://openalex\.org/W\d+"'),)),
    ("openalex", (_any("authorships", "abstract_inverted_index"),)),
    ("scholar-archive", (_any("count_found", "work_ident", "release_ident",
                              "collapse_key"),)),
    ("unpaywall", (_any("oa_locations", "best_oa_location", "z_authors"),)),
    ("core", (_any("dataProviders", "totalHits", "arxivId", "yearPublished", "downloadUrl",
                   "oaiIds"),)),
    # CORE API v2: {"status": "OK", "data": ...} with v2's field names
    ("core", (_any("status"), _any("data"), _any("fulltextIdentifier", "datePublished",
                                                 "repositories", "oai"))),
    ("paperswithcode", (_any("url_abs", "paper_url"),)),
    ("arxiv", (_any("authors_parsed"),)),
    ("arxiv", (_any("submitter"), _any("versions"))),
    ("csl-json", (_any("issued", "container-title", "citation-key", "DOI", "URL"),)),
)

_RIS_RE = re.compile(r"^\s*TY\s{1,2}-")
# Lines some databases write before the first RIS record (JSTOR's "Provider:",
# "Database:", "Content:"; APA PsycInfo's...): not records.
_RIS_HEADER_RE = re.compile(r"^[A-Z][A-Za-z ]{0,30}:(?:\s|$)")
_MEDLINE_RE = re.compile(r"^PMID- ?\S")
_WOS_RE = re.compile(r"^(?:FN |PT [A-Z]\s*$)")
_WOS_END_RE = re.compile(r"^ER\s*$", re.M)
_BIB_RE = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")
_TITLE_COLUMNS = frozenset({"title", "article title", "primary title", "document title",
                            "item title"})


def sniff_json(head: str) -> str:
    for name, patterns in JSON_RULES:
        if all(p.search(head) for p in patterns):
            return name
    return "jsonl"


def sniff(head: str) -> str | None:
    """The format the text's first part shows, or ``None``."""
    text = head.lstrip("\ufeff \t\r\n")
    if not text:
        return None
    if text[0] == "<":
        root = root_name(text)
        if root is None:
            return None
        ns, local = root
        if local == "feed":
            return "arxiv"
        if local in ("xml", "records", "record"):
            return "endnote-xml"
        if local in ("result", "dblp"):
            return "dblp"
        return None
    if text[0] in "{[":
        return sniff_json(text)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if lines and is_ris(lines):
        return "ris"
    if lines and _MEDLINE_RE.match(lines[0]):
        return "medline"
    if lines and _WOS_RE.match(lines[0]) and (lines[0].startswith("FN ")
                                             or _WOS_END_RE.search(text)):
        return "wos"
    code = [ln for ln in lines if not ln.lstrip().startswith("%")]
    if code and _BIB_RE.match(code[0]):
        return "bibtex"
    if lines:
        header = lines[0].lower()
        cells = {c.strip().strip('"').strip() for c in re.split(r"[,\t]", header)}
        if cells & _TITLE_COLUMNS:
            return "csv"
    return None


def is_ris(lines: list[str]) -> bool:
    """Whether the first line of ``lines`` that is not an export header
    (``Provider: JSTOR``) is ``TY  - ...``."""
    for line in lines[:20]:
        if _RIS_RE.match(line):
            return True
        if not _RIS_HEADER_RE.match(line.lstrip("\ufeff")):
            return False
    return False


def by_extension(name: str) -> str | None:
    lower = name.lower().removesuffix(".gz")
    dot = lower.rfind(".")
    return EXTENSIONS.get(lower[dot:]) if dot >= 0 else None


def detect(head: str | None, name: str) -> str | None:
    """The format of a file from its first part (``None``: not read) and its
    name; ``None`` when neither tells."""
    return (sniff(head) if head is not None else None) or by_extension(name)
