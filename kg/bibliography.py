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

from .vocab import DATA, DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGR, LITERAL, PRISM, PROV, RDF

WORK_PREFIX = DATA + "work/"
RECORD_PREFIX = DATA + "record/"
AUTHOR_PREFIX = DATA + "author/"
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
    date: str = ""
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    """Every ``(scheme, value)`` to write (the DOI and arXiv id included)."""
    keywords: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    language: str = ""
    duplicate_of: str = ""
    """The key of the entry this record is a duplicate of (``--all-records``)."""
    source: str = ""
    record_id: str = ""
    """The record this entry is written from (none: the work's canonical fields)."""

    def ids(self, scheme: str) -> list[str]:
        return [v for s, v in self.identifiers if s == scheme]

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


def author_lists(store: Store) -> dict[str, list[tuple[int, str, str, str]]]:
    """Every record's authors as ``(position, name, family, given)`` in list
    order, by record IRI: its ``kgr:authorList`` (the ids of its author nodes)
    read against the author nodes."""
    parts: dict[str, dict[str, str]] = {}
    for prop, name in ((FOAF.name, "name"), (FOAF.familyName, "family"),
                       (FOAF.givenName, "given")):
        for s, o in _objects(store, prop, AUTHOR_PREFIX):
            parts.setdefault(s[len(AUTHOR_PREFIX):], {})[name] = o.value
    out: dict[str, list[tuple[int, str, str, str]]] = {}
    for s, o in _objects(store, KGR.authorList, RECORD_PREFIX):
        nodes = (parts.get(a, {}) for a in o.value.split())
        out[s] = [(pos, p.get("name", ""), p.get("family", ""), p.get("given", ""))
                  for pos, p in enumerate(nodes, 1)]
    return out


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

    work_of: dict[str, str] = {}
    for s, o in _objects(store, FRBR.realizationOf, RECORD_PREFIX):
        if o.value in works:
            work_of[s] = o.value
    # a work's authors are those of the record they were taken from: the one
    # its field choice of "authors" names, or its only record
    authors_from: dict[str, str] = {}
    for r, w in work_of.items():
        authors_from[w] = "" if w in authors_from else r
    derived = dict(_objects(store, PROV.wasDerivedFrom, WORK_PREFIX))
    for s, o in _objects(store, KGR.field, WORK_PREFIX):
        work = s.split("/from/", 1)[0]
        if o.value == "authors" and work in works:
            authors_from[work] = derived[s].value
    lists = author_lists(store)
    for w, r in authors_from.items():
        works[w].authors.extend(lists.get(r, ()))
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
    return suffixed_key(f"{family}{year}", e.work_id, used)


def suffixed_key(base: str, work_id: str, used: set[str]) -> str:
    """``base`` with the shortest prefix (8 digits or more) of the work id's
    digits that no key in ``used`` has; the key is added to ``used``."""
    hexdigits = work_id.removeprefix("w")
    for n in range(8, len(hexdigits) + 1):
        key = f"{base}_{hexdigits[:n]}"
        if key not in used:
            used.add(key)
            return key
    raise RuntimeError(f"duplicate work id {work_id}")  # pragma: no cover


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
    own = bibtex_own_ids(e)
    if doi := [v for s, v in own if s == "doi"]:
        fields.append(("doi", _verbatim(doi[0])))
    if arxiv := [v for s, v in own if s == "arxiv"]:
        fields += [("eprint", _verbatim(arxiv[0])), ("archiveprefix", "arXiv")]
    if e.url:
        fields.append(("url", _verbatim(e.url)))
    if e.abstract:
        fields.append(("abstract", bibtex_escape(e.abstract)))
    for scheme, name in BIBTEX_ID_FIELDS.items():
        if values := [v for s, v in own if s == scheme]:
            fields.append((name, _verbatim(", ".join(values))))
    if others := other_identifiers([x for x in e.identifiers if x not in own], frozenset()):
        fields.append(("kgidentifiers", bibtex_escape(others)))
    if e.keywords:
        fields.append(("keywords", bibtex_escape(", ".join(e.keywords))))
    if e.language:
        fields.append(("language", bibtex_escape(e.language)))
    if e.notes:
        fields.append(("note", "\n".join(bibtex_escape(n) for n in e.notes)))
    fields += kg_fields(e)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{e.key},\n{body}\n}}\n"


BIBTEX_ID_FIELDS = {"pmid": "pmid", "pmcid": "pmcid", "issn": "issn", "isbn": "isbn"}
"""Identifier schemes with a BibTeX field of their own (besides doi and eprint)."""
_OWN_FIELDS = frozenset({"doi", "arxiv", *BIBTEX_ID_FIELDS})
RIS_ID_TAGS = {"doi": "DO", "pmid": "AN", "issn": "SN", "isbn": "SN"}
"""Identifier schemes with a RIS tag of their own."""


def bibtex_own_ids(e: WorkEntry) -> list[tuple[str, str]]:
    """The identifiers a BibTeX entry writes in fields of their own: one DOI
    (the entry's), one arXiv id, PMID and PMCID, every ISSN and ISBN."""
    out: list[tuple[str, str]] = []
    for scheme, first in (("doi", e.doi), ("arxiv", e.arxiv), ("pmid", ""), ("pmcid", "")):
        values = e.ids(scheme)
        if pick := (first if first in values or not values else values[0]):
            out.append((scheme, pick))
    out += [(s, v) for s, v in e.identifiers if s in ("issn", "isbn")]
    return out


def other_identifiers(identifiers: list[tuple[str, str]], own: frozenset[str] = _OWN_FIELDS
                      ) -> str:
    """``scheme:value; ...`` of the identifiers without a field of their own."""
    return "; ".join(f"{s}:{v}" for s, v in identifiers if s not in own)


def kg_fields(e: WorkEntry) -> list[tuple[str, str]]:
    """The kg-resolve fields of a BibTeX entry: its work, what it duplicates,
    the records of its work."""
    out = [("kgwork", e.work_id)]
    if e.duplicate_of:
        out.append(("duplicateof", e.duplicate_of))
    if e.records:
        out.append(("kgrecords", bibtex_escape("; ".join(e.records))))
    return out


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
    dois = ([e.doi] if e.doi else []) + [d for d in e.ids("doi") if d != e.doi]
    out += [_ris_line("DO", d) for d in dois]
    for tag, value in (("UR", e.url), ("AB", e.abstract), ("LA", e.language)):
        if value:
            out.append(_ris_line(tag, value))
    out += [_ris_line(tag, v) for tag, v in ris_identifier_lines(
        [(s, v) for s, v in e.identifiers if s not in ("doi", "arxiv")])]
    arxiv = e.ids("arxiv") or ([e.arxiv] if e.arxiv else [])
    out += [_ris_line("N1", f"arXiv:{a}") for a in arxiv]
    out += [_ris_line("KW", k) for k in e.keywords]
    out += [_ris_line("N1", n) for n in e.notes]
    out.append(_ris_line("N1", ris_marker(e)))
    out.append("ER  - \n")
    return "".join(out)


def ris_identifier_lines(identifiers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """RIS lines for identifiers: DOIs in DO, PMIDs and Web of Science ids in
    AN, ISSNs and ISBNs in SN, PMCIDs and arXiv ids in notes (where readers
    find them), the others in one note."""
    out: list[tuple[str, str]] = []
    for scheme, value in identifiers:
        if scheme in RIS_ID_TAGS:
            out.append((RIS_ID_TAGS[scheme], value))
        elif scheme == "wos":
            out.append(("AN", f"WOS:{value}"))
        elif scheme == "pmcid":
            out.append(("N1", f"PMCID: {value}"))
        elif scheme == "arxiv":
            out.append(("N1", f"arXiv:{value}"))
    others = other_identifiers(identifiers, _OWN_FIELDS | {"wos"})
    if others:
        out.append(("N1", f"kg-resolve identifiers: {others}"))
    return out


def ris_marker(e: WorkEntry) -> str:
    """The kg-resolve note of a RIS record: its work and records, or what it duplicates."""
    if e.duplicate_of:
        return f"kg-resolve: duplicate of {e.duplicate_of}, work {e.work_id}"
    return f"kg-resolve work {e.work_id}; records: {'; '.join(e.records)}"


def to_ris(entries: list[WorkEntry]) -> str:
    return "\n".join(ris_entry(e) for e in entries)


# --------------------------------------------------------------------- CSV

CSV_COLUMNS = ("work_id", "duplicate_of", "key", "type", "title", "authors", "year", "venue",
               "volume", "issue", "pages", "doi", "arxiv", "pmid", "pmcid", "issn", "isbn",
               "other_ids", "url", "abstract", "keywords", "language", "notes", "source",
               "record_id", "records")


def csv_row(e: WorkEntry) -> list[str]:
    def ids(scheme: str, fallback: str = "") -> str:
        return "; ".join(e.ids(scheme) or ([fallback] if fallback else []))

    doi = e.doi or next(iter(e.ids("doi")), "")
    others = other_identifiers([x for x in e.identifiers if x != ("doi", doi)],
                               _OWN_FIELDS - {"doi"})
    return [e.work_id, e.duplicate_of, e.key, e.kind, e.title,
            "; ".join(n for _, n, _, _ in e.authors), e.year, e.venue, e.volume, e.issue,
            e.pages, doi, ids("arxiv", e.arxiv), ids("pmid"), ids("pmcid"),
            ids("issn"), ids("isbn"), others, e.url, e.abstract,
            "; ".join(e.keywords), e.language, "\n".join(e.notes), e.source, e.record_id,
            "; ".join(e.records)]


def to_csv(entries: list[WorkEntry]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in entries:
        w.writerow(csv_row(e))
    return buf.getvalue()
