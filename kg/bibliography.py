"""The deduplicated works of a store as BibTeX, RIS or CSV, for people outside RDF.

One entry per work with its canonical fields (title, authors, year, venue,
volume, issue, pages, DOI), the arXiv id and a URL found on its records, and
the ids of the records it was resolved from.  Entries are sorted by work id
and keyed ``{first author's family name}{year}_{8 hex digits of the work id}``
(``devlin2019_72d73ef2``), so the same store always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from anyascii import anyascii
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Store

from resolve.types import is_preprint_doi

from .vocab import DATA, DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGR, LITERAL, PRISM, RDF

WORK_PREFIX = DATA + "work/"
RECORD_PREFIX = DATA + "record/"
ARXIV_PREFIX = DATA + "identifier/arxiv/"


@dataclass
class WorkEntry:
    work_id: str
    title: str = ""
    authors: list[tuple[int, str, str, str]] = field(default_factory=list)
    """``(position, name, family, given)``"""
    year: str = ""
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    type: str = ""
    abstract: str = ""
    arxiv: str = ""
    url: str = ""
    records: list[str] = field(default_factory=list)
    """``source:record_id``, sorted"""
    key: str = ""

    @property
    def kind(self) -> str:
        """The BibTeX entry type."""
        return entry_type(self.type, self.venue, self.doi)


_KINDS = {
    "article": ("article", "journalarticle", "journal-article", "article-journal", "journal"),
    "inproceedings": ("inproceedings", "proceedings-article", "conferencepaper", "conference",
                      "paper-conference", "conference-paper", "proceedingspaper"),
    "incollection": ("incollection", "book-chapter", "bookchapter", "booksection", "chapter"),
    "book": ("book", "monograph"),
    "phdthesis": ("phdthesis", "thesis", "dissertation"),
    "techreport": ("techreport", "report"),
    "misc": ("preprint", "posted-content", "misc"),
}
_KIND_OF = {alias: kind for kind, aliases in _KINDS.items() for alias in aliases}


_PROCEEDINGS = re.compile(r"\b(proceedings|conference|symposium|workshop|congress)\b", re.I)


def entry_type(record_type: str, venue: str, doi: str = "") -> str:
    """The BibTeX entry type of a work from its canonical record type; a work
    typed as a preprint but with a publisher's DOI and a venue is filed as
    published there (its preprint records outvoted the others)."""
    kind = _KIND_OF.get(record_type.strip().lower().replace("_", "-"))
    if kind and kind != "misc":
        return kind
    if venue and (kind is None or (doi and not is_preprint_doi(doi))):
        return "inproceedings" if _PROCEEDINGS.search(venue) else "article"
    return "misc"


def _objects(store: Store, predicate: str,
             prefix: str | None = None) -> Iterator[tuple[str, NamedNode | BlankNode | Literal]]:
    # The store holds no RDF-star (quoted triple) terms: subjects and objects
    # are plain nodes and literals, all of which have a ``value``.
    for q in store.quads_for_pattern(None, NamedNode(predicate), None, DefaultGraph()):
        s = cast("NamedNode | BlankNode", q.subject).value
        if prefix is None or s.startswith(prefix):
            yield s, cast("NamedNode | BlankNode | Literal", q.object)


def work_entries(store: Store) -> list[WorkEntry]:
    """Every work of the store with its canonical fields, sorted by work id."""
    works: dict[str, WorkEntry] = {}
    for s, o in _objects(store, RDF.type, WORK_PREFIX):
        if o.value == FABIO.Work:
            works[s] = WorkEntry(s[len(WORK_PREFIX):])
    fields = {DCTERMS.title: "title", FABIO.hasPublicationYear: "year",
              PRISM.publicationName: "venue", PRISM.volume: "volume",
              PRISM.issueIdentifier: "issue", PRISM.pageRange: "pages", PRISM.doi: "doi",
              KGR.recordType: "type", DCTERMS.abstract: "abstract"}
    for prop, name in fields.items():
        for s, o in _objects(store, prop, WORK_PREFIX):
            if s in works:
                setattr(works[s], name, o.value)

    author_of: dict[str, str] = {}
    for s, o in _objects(store, DCTERMS.creator, WORK_PREFIX):
        if s in works:
            author_of[o.value] = s
    parts: dict[str, dict[str, str]] = {a: {} for a in author_of}
    # a work's authors are the author nodes of the record they were taken from
    for prop, name in ((FOAF.name, "name"), (FOAF.familyName, "family"),
                       (FOAF.givenName, "given"), (KGR.position, "pos")):
        for s, o in _objects(store, prop, RECORD_PREFIX):
            if s in parts:
                parts[s][name] = o.value
    for node, p in parts.items():
        works[author_of[node]].authors.append(
            (int(p.get("pos", "0")), p.get("name", ""), p.get("family", ""), p.get("given", "")))

    work_of: dict[str, str] = {}
    for s, o in _objects(store, FRBR.realization, WORK_PREFIX):
        if s in works and o.value.startswith(RECORD_PREFIX):
            work_of[o.value] = s
    record_parts: dict[str, dict[str, str]] = {r: {} for r in work_of}
    for prop, name in ((KGR.source, "source"), (DCTERMS.identifier, "id")):
        for s, o in _objects(store, prop, RECORD_PREFIX):
            if s in record_parts:
                record_parts[s][name] = o.value
    arxiv: dict[str, set[str]] = {}
    for s, o in _objects(store, DATACITE.hasIdentifier, RECORD_PREFIX):
        if s in work_of and o.value.startswith(ARXIV_PREFIX):
            arxiv.setdefault(work_of[s], set()).add(o.value)
    arxiv_value = {s: o.value for s, o in _objects(store, LITERAL.hasLiteralValue, ARXIV_PREFIX)}
    urls: dict[str, set[str]] = {}
    for s, o in _objects(store, FABIO.hasURL, RECORD_PREFIX):
        if s in work_of:
            urls.setdefault(work_of[s], set()).add(o.value)
    for r, w in work_of.items():
        p = record_parts[r]
        works[w].records.append(f"{p.get('source', '')}:{p.get('id', '')}")

    for iri, e in works.items():
        e.authors.sort()
        e.records.sort()
        ids = sorted(arxiv_value.get(n, n[len(ARXIV_PREFIX):]) for n in arxiv.get(iri, ()))
        e.arxiv = ids[0] if ids else ""
        e.url = best_url(e.doi, e.arxiv, urls.get(iri, set()))
    entries = sorted(works.values(), key=lambda e: e.work_id)
    used: set[str] = set()
    for e in entries:
        e.key = entry_key(e, used)
    return entries


def best_url(doi: str, arxiv: str, urls: set[str]) -> str:
    """The DOI link, else the arXiv page, else a record's URL (an archived
    copy only when nothing else is known)."""
    if doi:
        return f"https://doi.org/{doi}"
    if arxiv:
        return f"https://arxiv.org/abs/{arxiv}"
    ranked = sorted(urls, key=lambda u: ("web.archive.org/" in u, u))
    return ranked[0] if ranked else ""


def entry_key(e: WorkEntry, used: set[str]) -> str:
    family = ""
    if e.authors:
        _, name, fam, _ = e.authors[0]
        family = fam or (name.split()[-1] if name.split() else "")
    family = re.sub(r"[^a-z0-9]", "", anyascii(family).lower()) or "anon"
    year = re.sub(r"[^0-9]", "", e.year) or "nd"
    hexdigits = e.work_id.removeprefix("w")
    for n in range(8, len(hexdigits) + 1):
        key = f"{family}{year}_{hexdigits[:n]}"
        if key not in used:
            used.add(key)
            return key
    raise RuntimeError(f"duplicate work id {e.work_id}")  # pragma: no cover


# ------------------------------------------------------------------ BibTeX

_BIBTEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                    "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_BIBTEX_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIALS))


def bibtex_escape(text: str) -> str:
    """Text for a BibTeX field: LaTeX specials escaped, one line."""
    text = " ".join(text.split())
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIALS[m.group(0)], text)


def _verbatim(text: str) -> str:
    """DOIs and URLs are verbatim in biblatex: only braces need care."""
    return " ".join(text.split()).replace("{", "%7B").replace("}", "%7D")


def _bib_name(name: str, family: str, given: str) -> str:
    if family and given:
        return f"{bibtex_escape(family)}, {bibtex_escape(given)}"
    if family:
        return bibtex_escape(family)
    return "{" + bibtex_escape(name) + "}"


def bibtex_entry(e: WorkEntry) -> str:
    kind = e.kind
    venue_field = {"article": "journal", "inproceedings": "booktitle",
                   "incollection": "booktitle"}.get(kind, "howpublished")
    fields: list[tuple[str, str]] = []
    if e.title:
        fields.append(("title", "{" + bibtex_escape(e.title) + "}"))
    if e.authors:
        fields.append(("author", " and ".join(_bib_name(n, f, g) for _, n, f, g in e.authors)))
    for name, value in (("year", e.year), (venue_field, e.venue), ("volume", e.volume),
                        ("number", e.issue)):
        if value:
            fields.append((name, bibtex_escape(value)))
    if e.pages:
        fields.append(("pages", bibtex_escape(re.sub(r"\s*[-\u2013\u2014]+\s*", "--", e.pages))))
    if e.doi:
        fields.append(("doi", _verbatim(e.doi)))
    if e.arxiv:
        fields += [("eprint", _verbatim(e.arxiv)), ("archiveprefix", "arXiv")]
    if e.url:
        fields.append(("url", _verbatim(e.url)))
    if e.abstract:
        fields.append(("abstract", bibtex_escape(e.abstract)))
    fields.append(("kgwork", e.work_id))
    fields.append(("kgrecords", bibtex_escape("; ".join(e.records))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{e.key},\n{body}\n}}\n"


def to_bibtex(entries: list[WorkEntry]) -> str:
    head = ("% kg-resolve works: one entry per work (kgwork), with the records it was "
            "resolved from.\n")
    return head + "\n" + "\n".join(bibtex_entry(e) for e in entries)


# --------------------------------------------------------------------- RIS

_RIS_TYPES = {"article": "JOUR", "inproceedings": "CPAPER", "incollection": "CHAP",
              "book": "BOOK", "phdthesis": "THES", "techreport": "RPRT"}


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}\n"


def ris_entry(e: WorkEntry) -> str:
    ty = _RIS_TYPES.get(e.kind, "UNPB" if e.arxiv and not e.doi else "GEN")
    out = [_ris_line("TY", ty), _ris_line("ID", e.key)]
    if e.title:
        out.append(_ris_line("TI", e.title))
    for _, name, family, given in e.authors:
        out.append(_ris_line("AU", f"{family}, {given}" if family and given else name))
    for tag, value in (("PY", e.year), ("T2", e.venue), ("VL", e.volume), ("IS", e.issue)):
        if value:
            out.append(_ris_line(tag, value))
    if e.pages:
        first, _, last = re.sub(r"\s*[-\u2013\u2014]+\s*", "-", e.pages).partition("-")
        out.append(_ris_line("SP", first))
        if last:
            out.append(_ris_line("EP", last))
    for tag, value in (("DO", e.doi), ("UR", e.url), ("AB", e.abstract)):
        if value:
            out.append(_ris_line(tag, value))
    if e.arxiv:
        out.append(_ris_line("N1", f"arXiv:{e.arxiv}"))
    out.append(_ris_line("N1", f"kg-resolve work {e.work_id}; records: {'; '.join(e.records)}"))
    out.append("ER  - \n")
    return "".join(out)


def to_ris(entries: list[WorkEntry]) -> str:
    return "\n".join(ris_entry(e) for e in entries)


# --------------------------------------------------------------------- CSV

CSV_COLUMNS = ("work_id", "key", "type", "title", "authors", "year", "venue", "volume", "issue",
               "pages", "doi", "arxiv", "url", "records")


def to_csv(entries: list[WorkEntry]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in entries:
        w.writerow([e.work_id, e.key, e.kind, e.title, "; ".join(n for _, n, _, _ in e.authors),
                    e.year, e.venue, e.volume, e.issue, e.pages, e.doi, e.arxiv, e.url,
                    "; ".join(e.records)])
    return buf.getvalue()
