"""The deduplicated library: one entry per work (or every record, marked),
as BibTeX, RIS or CSV, losing nothing the records held.

Each work is written from one of its records, the *chosen* one: the first of
``prefer`` sources that has a record in the work, else the most complete
record (the most non-empty fields: title, authors, year, date, venue,
volume, issue, pages, abstract, type, keywords, notes, language, a URL and
each identifier scheme), ties broken by the smallest ``(source, record id)``.

When the chosen record came in the export's own format (RIS to RIS, BibTeX
to BibTeX) its source entry (``records.jsonl.gz`` of the build, see
:mod:`kg.rawrecords`) is written back with every original tag or field, its
citation key too (unless two chosen entries share it), and what the work's
other records add: identifiers, keywords, notes and a language it lacks, in
the format's own tags (RIS ``DO``, ``AN``, ``SN``, ``KW``, ``N1``, ``LA``;
BibTeX ``doi``, ``pmid``, ``pmcid``, ``issn``, ``isbn``, ``keywords``,
``note``, ``language``).  A BibTeX field the entry already has is never
changed, except ``keywords`` and ``note``, which are extended after their
original text; another value of an identifier field it has goes to
``kgidentifiers``.  Otherwise (another format, or a build made before the
source text was kept) the chosen record's fields are mapped, the work's
canonical value filling a field it lacks, with the same additions.

Every entry carries its work (BibTeX ``kgwork``, ``kgrecords``; RIS a
``N1  - kg-resolve work ...`` note; CSV ``work_id``).  ``all_records``
writes every record as itself, the chosen one first, the others marked as
duplicates of it (BibTeX ``duplicateof``; RIS ``N1  - kg-resolve: duplicate
of KEY, work ID`` or another tag; CSV ``duplicate_of``).  ``new_since``
keeps only the works none of whose records are in an earlier store or
export.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal as TypingLiteral
from urllib.parse import unquote

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from resolve.types import RecordKey, is_preprint_doi

from . import bibliography as bib
from .bibliography import RECORD_PREFIX, WorkEntry, _objects, best_url, entry_key
from .library_file import load_library
from .rawrecords import read_raw
from .vocab import DATA, DATACITE, DCTERMS, FABIO, FRBR, KGR, LITERAL, PRISM

WorkExport = TypingLiteral["bibtex", "ris", "csv"]
IDENTIFIER_PREFIX = DATA + "identifier/"
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
_MARKER_FIELDS = frozenset({"kgwork", "kgrecords", "duplicateof"})


@dataclass
class Extras:
    """What a record's source text holds beyond the fields the graph keeps."""

    keywords: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    language: str = ""


@dataclass
class ExportResult:
    """What an export wrote: entries, the works they stand for, and how many
    of the store's works ``new_since`` left out."""

    entries: int
    works: int
    works_in_store: int
    skipped_old: int = 0


# ------------------------------------------------------------ reading the store


def record_entries(store: Store) -> dict[str, WorkEntry]:
    """Every record of the store as an entry of its own fields (``work_id``
    its work's, ``source``/``record_id`` set), by record IRI."""
    recs: dict[str, WorkEntry] = {}
    for s, o in _objects(store, KGR.source, RECORD_PREFIX):
        recs[s] = WorkEntry("", source=o.value)
    for s, o in _objects(store, DCTERMS.identifier, RECORD_PREFIX):
        if s in recs:
            recs[s].record_id = o.value
    for s, o in _objects(store, FRBR.realizationOf, RECORD_PREFIX):
        if s in recs:
            recs[s].work_id = o.value.rsplit("/", 1)[-1]
    fields = {DCTERMS.title: "title", FABIO.hasPublicationYear: "year", DCTERMS.date: "date",
              PRISM.publicationName: "venue", PRISM.volume: "volume",
              PRISM.issueIdentifier: "issue", PRISM.pageRange: "pages",
              KGR.recordType: "type", DCTERMS.abstract: "abstract"}
    for prop, name in fields.items():
        for s, o in _objects(store, prop, RECORD_PREFIX):
            if s in recs:
                setattr(recs[s], name, o.value)
    for s, authors in bib.author_lists(store).items():
        if s in recs:
            recs[s].authors.extend(authors)
    literal = {s: o.value for s, o in _literal_values(store)}
    for s, o in _objects(store, DATACITE.hasIdentifier, RECORD_PREFIX):
        if s in recs and o.value.startswith(IDENTIFIER_PREFIX):
            scheme = unquote(o.value[len(IDENTIFIER_PREFIX):].split("/", 1)[0])
            value = literal.get(o.value, unquote(o.value.rsplit("/", 1)[-1]))
            recs[s].identifiers.append((scheme, value))
    urls: dict[str, list[str]] = {}
    for s, o in _objects(store, FABIO.hasURL, RECORD_PREFIX):
        if s in recs:
            urls.setdefault(s, []).append(o.value)
    for s, e in recs.items():
        e.authors.sort()
        e.identifiers.sort()
        dois = sorted(e.ids("doi"), key=lambda d: (is_preprint_doi(d), d))
        e.doi = dois[0] if dois else ""
        e.arxiv = next(iter(e.ids("arxiv")), "")
        e.url = best_url(e.doi, e.arxiv, set(urls.get(s, ())))
    return recs


def _literal_values(store: Store) -> Iterator[tuple[str, NamedNode | BlankNode | Literal]]:
    return _objects(store, LITERAL.hasLiteralValue, IDENTIFIER_PREFIX)


# ------------------------------------------------------- what the source text adds


def _split_keywords(text: str) -> list[str]:
    return [k.strip() for k in re.split(r"[;,\n]", text) if k.strip()]


def ris_tags(raw: str) -> list[tuple[str, str]]:
    """``(tag, value)`` of a RIS record's lines (continuation lines joined)."""
    out: list[tuple[str, str]] = []
    for line in raw.split("\n"):
        m = _RIS_LINE.match(line)
        if m:
            out.append((m.group(1), m.group(2).strip()))
        elif out and line.strip():
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}".strip())
    return out


def _bibtex_entry(raw: str):
    import bibtexparser
    from bibtexparser import model

    try:
        lib = bibtexparser.parse_string(raw, parse_stack=[])
    except Exception:
        return None
    entries = [b for b in lib.blocks if isinstance(b, model.Entry)]
    return entries[0] if entries else None


def _bibtex_values(entry) -> dict[str, str]:
    from resolve.formats.bibtex import BadRecord, decode_latex, resolve_value

    out = {}
    for f in entry.fields:
        try:
            out[str(f.key).strip().lower()] = decode_latex(resolve_value(str(f.value), {}))
        except BadRecord:
            continue
    return out


def raw_extras(fmt: str, raw: str) -> Extras:
    """Keywords, notes and language of a record's source text, in the
    formats that carry them (RIS, BibTeX, EndNote XML, CSL-JSON, JSON Lines,
    the CSV exports of Scopus, IEEE Xplore, PubMed and Zotero, MEDLINE, Web
    of Science, OpenAlex and Crossref)."""
    x = Extras()
    if not raw:
        return x
    if fmt == "ris":
        for tag, value in ris_tags(raw):
            if tag == "KW" and value:
                x.keywords.append(value)
            elif tag == "N1" and value and not value.startswith("kg-resolve"):
                x.notes.append(value)
            elif tag == "LA" and value and not x.language:
                x.language = value
    elif fmt == "bibtex":
        entry = _bibtex_entry(raw)
        if entry is not None:
            v = _bibtex_values(entry)
            x.keywords = _split_keywords(v.get("keywords", ""))
            x.notes = [n.strip() for n in (v.get("note", ""), v.get("annote", "")) if n.strip()]
            x.language = v.get("language", "").strip()
    elif fmt == "endnote-xml":
        try:
            root = ET.fromstring(raw)
        except ET.ParseError:
            return x
        x.keywords = [t for k in root.iter("keyword") if (t := "".join(k.itertext()).strip())]
        x.notes = [t for k in root.iter("notes") if (t := "".join(k.itertext()).strip())]
        x.language = next((t for k in root.iter("language")
                           if (t := "".join(k.itertext()).strip())), "")
    elif fmt == "csv":
        _csv_extras(raw, x)
    elif fmt in ("medline", "wos"):
        _tagged_extras(fmt, raw, x)
    elif fmt in ("openalex", "crossref"):
        _service_extras(raw, x)
    elif fmt in ("csl-json", "jsonl"):
        try:
            obj = json.loads(raw)
        except ValueError:
            return x
        if isinstance(obj, dict):
            kw = obj.get("keyword", obj.get("keywords"))
            x.keywords = ([str(k).strip() for k in kw if str(k).strip()]
                          if isinstance(kw, list) else _split_keywords(str(kw or "")))
            for key in ("note", "notes"):
                n = obj.get(key)
                x.notes += ([str(t) for t in n if str(t).strip()] if isinstance(n, list)
                            else [str(n)] if n and str(n).strip() else [])
            x.language = str(obj.get("language") or "").strip()
    return x


# CSV columns of keywords (Scopus, IEEE Xplore, PubMed, Zotero) and of language.
_CSV_KEYWORDS = ("keywords", "author keywords", "index keywords", "ieee terms",
                 "inspec controlled terms", "inspec non-controlled terms", "mesh terms",
                 "mesh_terms", "manual tags", "automatic tags")
_CSV_LANGUAGE = ("language", "language of original document")
# Tags of keywords and language: MEDLINE (MeSH headings, other terms) and Web of
# Science (author keywords, Keywords Plus).
_TAG_KEYWORDS = {"medline": ("MH", "OT"), "wos": ("DE", "ID")}


def _csv_extras(raw: str, x: Extras) -> None:
    """A CSV row's keywords, notes and language (its source text is the row
    as a JSON object by column name; older stores kept the bare row)."""
    try:
        row = json.loads(raw)
    except ValueError:
        return
    if not isinstance(row, dict):
        return
    cells = {str(k).strip().lower(): str(v) for k, v in row.items()}
    for col in _CSV_KEYWORDS:
        for k in _split_keywords(cells.get(col, "")):
            if k not in x.keywords:
                x.keywords.append(k)
    x.language = next((v.strip() for c in _CSV_LANGUAGE if (v := cells.get(c, "")).strip()), "")
    if cells.get("notes", "").strip():
        x.notes.append(cells["notes"].strip())


def _tagged_extras(fmt: str, raw: str, x: Extras) -> None:
    """MEDLINE's and Web of Science's keywords and language (tagged lines;
    a Web of Science field continues on lines indented by three spaces)."""
    tags: list[tuple[str, str]] = []
    for line in raw.split("\n"):
        m = _TAGGED_LINE.match(line)
        if m:
            tags.append((m.group(1), m.group(2).strip()))
        elif tags and line.startswith("   ") and line.strip():
            tag, value = tags[-1]
            joiner = "; " if fmt == "wos" else " "
            tags[-1] = (tag, f"{value}{joiner}{line.strip()}")
    for tag, value in tags:
        if tag in _TAG_KEYWORDS[fmt]:
            # a MeSH heading holds commas ("Carcinoma, Hepatocellular"): one per line
            words = [value] if fmt == "medline" else [k.strip() for k in value.split(";")]
            x.keywords += [k for k in words if k and k not in x.keywords]
        elif tag == "LA" and value and not x.language:
            x.language = value


def _service_extras(raw: str, x: Extras) -> None:
    """The keywords and language of an OpenAlex work (``keywords``, each a
    string or an object with ``display_name``) or a Crossref work
    (``subject``)."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return
    if not isinstance(obj, dict):
        return
    for k in obj.get("keywords") or obj.get("subject") or []:
        word = str(k.get("display_name") or k.get("keyword") or "") if isinstance(k, dict) \
            else str(k)
        if word.strip() and word.strip() not in x.keywords:
            x.keywords.append(word.strip())
    x.language = str(obj.get("language") or "").strip()


_TAGGED_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s*(?:- |\s)(.*)$")


# ------------------------------------------------------------------ choosing


def completeness(e: WorkEntry, x: Extras) -> int:
    """How many fields a record fills (each identifier scheme counts once)."""
    filled = sum(1 for v in (e.title, e.authors, e.year, e.date, e.venue, e.volume, e.issue,
                             e.pages, e.abstract, e.type, e.url, x.keywords, x.notes,
                             x.language) if v)
    return filled + len({s for s, _ in e.identifiers})


def choose(members: Sequence[WorkEntry], extras: dict[RecordKey, Extras],
           prefer: Sequence[str] = ()) -> WorkEntry:
    """The record that stands for a work: the first preferred source's, else
    the most complete, ties by the smallest ``(source, record id)``."""
    rank = {s: i for i, s in enumerate(prefer)}

    def order(e: WorkEntry) -> tuple[int, int, str, str]:
        x = extras.get((e.source, e.record_id), Extras())
        return (rank.get(e.source, len(rank)), -completeness(e, x), e.source, e.record_id)

    return min(members, key=order)


# -------------------------------------------------------------- merging


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _new(values: Sequence[str], have: Collection[str]) -> list[str]:
    seen = {_fold(v) for v in have}
    out = []
    for v in values:
        if _fold(v) not in seen:
            seen.add(_fold(v))
            out.append(v)
    return out


@dataclass
class Additions:
    """What the other records of a work add to the chosen one."""

    identifiers: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    language: str = ""


def additions(chosen: WorkEntry, others: Sequence[WorkEntry],
              extras: dict[RecordKey, Extras]) -> Additions:
    mine = extras.get((chosen.source, chosen.record_id), Extras())
    have = set(chosen.identifiers)
    ids: list[tuple[str, str]] = []
    keywords: list[str] = []
    notes: list[str] = []
    language = ""
    for o in others:
        ids += [x for x in o.identifiers if x not in have and x not in ids]
        ox = extras.get((o.source, o.record_id), Extras())
        keywords += ox.keywords
        notes += ox.notes
        language = language or ox.language
    return Additions(sorted(ids), _new(keywords, mine.keywords), _new(notes, mine.notes),
                     "" if mine.language else language)


# ------------------------------------------------------ writing from the source


def ris_from_raw(raw: str, key: str, add: Additions, marker: tuple[str, str]) -> str:
    """A RIS record's own lines, every tag kept, then what the work adds and
    the kg-resolve note (a note of an earlier export's is replaced)."""
    lines = [ln for ln in raw.rstrip("\n").split("\n")]
    while lines and (not lines[-1].strip() or lines[-1].startswith("ER  -")):
        lines.pop()
    lines = [ln for ln in lines if not re.match(r"^N1  - kg-resolve", ln)
             and not ln.startswith(f"{marker[0]}  - kg-resolve:")]
    ids = [i for i, ln in enumerate(lines) if ln.startswith("ID  -")]
    if not ids:
        lines.insert(1, f"ID  - {key}")
    elif lines[ids[0]] != f"ID  - {key}":  # an ID another entry has too
        lines[ids[0]] = f"ID  - {key}"
    extra = bib.ris_identifier_lines(add.identifiers)
    extra += [("KW", k) for k in add.keywords] + [("N1", n) for n in add.notes]
    if add.language:
        extra.append(("LA", add.language))
    extra.append(marker)
    return "\n".join(lines) + "\n" + "".join(bib._ris_line(t, v) for t, v in extra) + "ER  - \n"


def _extend_value(value: str, text: str, sep: str) -> str:
    """A raw BibTeX value with ``text`` added after its own text."""
    v = value.strip()
    if v.startswith("{") and v.endswith("}"):
        return f"{v[:-1]}{sep}{text}}}"
    if v.startswith('"') and v.endswith('"'):
        return f'{v[:-1]}{sep}{{{text}}}"'
    return f"{v} # {{{sep}{text}}}"


def bibtex_from_raw(raw: str, key: str, add: Additions, kg: list[tuple[str, str]]) -> str | None:
    """A BibTeX entry's own fields, every one kept as written, then what the
    work adds and the kg-resolve fields; ``None`` if it does not parse."""
    entry = _bibtex_entry(raw)
    if entry is None:
        return None
    fields: list[tuple[str, str]] = [(str(f.key).strip(), str(f.value).strip())
                                     for f in entry.fields
                                     if str(f.key).strip().lower() not in _MARKER_FIELDS]
    names = {k.lower(): i for i, (k, _) in enumerate(fields)}

    def extend(name: str, text: str, sep: str) -> None:
        if name in names:
            i = names[name]
            fields[i] = (fields[i][0], _extend_value(fields[i][1], text, sep))
        else:
            names[name] = len(fields)
            fields.append((name, "{" + text + "}"))

    leftover: list[tuple[str, str]] = []
    by_field: dict[str, list[str]] = {}
    for scheme, value in add.identifiers:
        name = "doi" if scheme == "doi" else "eprint" if scheme == "arxiv" else \
            bib.BIBTEX_ID_FIELDS.get(scheme)
        if name is None or name in names:
            leftover.append((scheme, value))
        else:
            by_field.setdefault(name, []).append(value)
    for name, vals in by_field.items():
        single = name in ("pmid", "pmcid", "eprint")
        fields.append((name, "{" + bib._verbatim(vals[0] if single else ", ".join(vals)) + "}"))
        if name == "eprint" and "archiveprefix" not in names:
            fields.append(("archiveprefix", "{arXiv}"))
        leftover += [(name if name != "eprint" else "arxiv", v) for v in vals[1:]] if single \
            else []
    if leftover:
        text = "; ".join(f"{s}:{v}" for s, v in leftover)
        extend("kgidentifiers", bib.bibtex_escape(text), "; ")
    if add.keywords:
        extend("keywords", bib.bibtex_escape(", ".join(add.keywords)), ", ")
    for note in add.notes:
        extend("note", bib.bibtex_escape(note), "\n")
    if add.language and "language" not in names:
        fields.append(("language", "{" + bib.bibtex_escape(add.language) + "}"))
    fields += [(k, "{" + v + "}") for k, v in kg]
    body = ",\n".join(f"  {k} = {v}" for k, v in fields)
    return f"@{entry.entry_type}{{{key},\n{body}\n}}\n"


# ------------------------------------------------------------------ old records


def old_record_keys(path: Path) -> set[RecordKey]:
    """The records of an earlier store (a directory) or of an earlier export
    (BibTeX ``kgrecords``, RIS ``records:`` notes, CSV ``records`` or
    ``source``/``record_id`` columns)."""
    from .export import CLUSTERS_QUERY
    from .queries import run_query, term_text
    from .store import open_store

    if path.is_dir():
        oxi = open_store(path)
        return {(term_text(s["source"]), term_text(s["record"]))
                for s in run_query(oxi, CLUSTERS_QUERY)}
    text = path.read_text(encoding="utf-8")
    lists: list[str] = []
    if text.lstrip("\ufeff").startswith(("work_id,", "source,")):
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
            lists.append(row.get("records") or "")
            if row.get("source") and row.get("record_id"):
                lists.append(f"{row['source']}:{row['record_id']}")
    else:
        lists += re.findall(r"kgrecords\s*=\s*\{([^}]*)\}", text)
        lists += re.findall(r"^N1  - kg-resolve work \S+; records: (.*)$", text, re.M)
    keys: set[RecordKey] = set()
    for value in lists:
        for item in value.replace("\\_", "_").split("; "):
            source, sep, rid = item.strip().partition(":")
            if sep:
                keys.add((source, rid))
    return keys


# ------------------------------------------------------------------ the export


def export_library(store: Store, build_dir: Path | None, fmt: WorkExport, *,
                   prefer: Sequence[str] = (), all_records: bool = False,
                   new_since: set[RecordKey] | None = None, duplicate_tag: str = "N1"
                   ) -> tuple[str, ExportResult]:
    """The works of ``store`` (its build's directory ``build_dir`` holding the
    records' source text) as BibTeX, RIS or CSV, and what was written."""
    raw = read_raw(build_dir, None) if build_dir is not None else {}
    saved = load_library(build_dir)  # the build's library file, else the graph
    work_list, record_list = saved if saved is not None else (
        bib.work_entries(store), list(record_entries(store).values()))
    return write_library(work_list, record_list, raw, fmt,
                         prefer=prefer, all_records=all_records, new_since=new_since,
                         duplicate_tag=duplicate_tag)


def write_library(work_list: Sequence[WorkEntry], record_list: Sequence[WorkEntry],
                  raw: dict[RecordKey, tuple[str, str]], fmt: WorkExport, *,
                  prefer: Sequence[str] = (), all_records: bool = False,
                  new_since: set[RecordKey] | None = None, duplicate_tag: str = "N1"
                  ) -> tuple[str, ExportResult]:
    """The library of works (their canonical entries, keyed, sorted by work
    id) and their records, with the records' source text ``raw`` (``(source,
    id) -> (format, text)``), as BibTeX, RIS or CSV: what :func:`export_library`
    writes from a store and ``kg dedupe`` from a resolution."""
    works = {e.work_id: e for e in work_list}
    members: dict[str, list[WorkEntry]] = {}
    for e in record_list:
        members.setdefault(e.work_id, []).append(e)
    n_works = len(works)
    skipped = 0
    if new_since is not None:
        keep = {w for w, ms in members.items()
                if not any((m.source, m.record_id) in new_since for m in ms)}
        skipped = n_works - len(keep & works.keys())
        works = {w: e for w, e in works.items() if w in keep}
    extras = {k: raw_extras(f, r) for k, (f, r) in raw.items()}

    chosen_of = {w: choose(members.get(w, []), extras, prefer) for w in works if members.get(w)}
    # original BibTeX keys of chosen entries, unless two share one
    # the original keys (BibTeX citation keys, RIS IDs) of the entries written
    # from their source text, unless two of them share one
    counts: dict[str, int] = {}
    wanted = chosen_of.values() if not all_records else \
        [m for w in works for m in members.get(w, [])]
    for m in wanted:
        if _own_key(m, raw, fmt):
            counts[m.record_id] = counts.get(m.record_id, 0) + 1
    used = {k for k, n in counts.items() if n == 1}
    original = {k: k for k in used}
    for e in works.values():  # the generated keys, clear of the original ones
        e.key = entry_key(replace(e, key=""), used)

    out: list[str] = []
    rows: list[WorkEntry] = []
    count = 0
    for w in sorted(works):
        work = works[w]
        ms = sorted(members.get(w, []), key=lambda m: (m.source, m.record_id))
        if not ms:
            continue
        chosen = chosen_of[w]
        others = [m for m in ms if m is not chosen]
        main_key = _key_of(chosen, raw, original, work.key, fmt)
        if all_records:
            writes = [(chosen, Additions(), "", main_key)]
            for i, m in enumerate(others, 1):
                k = _key_of(m, raw, original, f"{work.key}_{i}", fmt)
                writes.append((m, Additions(), main_key, k))
        else:
            writes = [(chosen, additions(chosen, others, extras), "", main_key)]
        for rec, add, dup, key in writes:
            text, row = _entry(rec, work, key, dup, add, raw, extras, fmt, duplicate_tag,
                               [f"{m.source}:{m.record_id}" for m in ms])
            count += 1
            if text is not None:
                out.append(text)
            if row is not None:
                rows.append(row)
    if fmt == "csv":
        text = bib.to_csv(rows)
    elif fmt == "bibtex":
        head = ("% kg-resolve works: one entry per work (kgwork), with the records it was "
                "resolved from.\n")
        text = head + "\n" + "\n".join(out)
    else:
        text = "\n".join(out)
    return text, ExportResult(count, len(works), n_works, skipped)


def _own_key(rec: WorkEntry, raw: dict, fmt: str) -> bool:
    """Whether ``rec`` is written from its source text with a key of its own
    (a BibTeX citation key, a RIS ``ID``)."""
    f, text = raw.get((rec.source, rec.record_id), ("", ""))
    if fmt != f or fmt not in ("bibtex", "ris"):
        return False
    return fmt == "bibtex" or f"\nID  - {rec.record_id}\n" in f"\n{text}\n"


def _key_of(rec: WorkEntry, raw: dict, original: dict[str, str], fallback: str,
            fmt: str) -> str:
    if rec.record_id in original and _own_key(rec, raw, fmt):
        return rec.record_id
    return fallback


def _mapped(rec: WorkEntry, work: WorkEntry, key: str, dup: str, add: Additions,
            x: Extras, records: list[str]) -> WorkEntry:
    """The chosen record's fields, the work's canonical ones filling its gaps,
    with what the work's other records add."""
    filled = {name: getattr(rec, name) or getattr(work, name)
              for name in ("title", "authors", "year", "venue", "volume", "issue", "pages",
                           "abstract", "type", "date")}
    ids = list(rec.identifiers) + [i for i in add.identifiers if i not in rec.identifiers]
    return replace(rec, **filled, key=key, duplicate_of=dup, identifiers=sorted(ids),
                   doi=rec.doi or work.doi, arxiv=rec.arxiv or work.arxiv,
                   url=rec.url or work.url, keywords=x.keywords + add.keywords,
                   notes=x.notes + add.notes, language=x.language or add.language,
                   work_id=work.work_id, records=records)


def _entry(rec: WorkEntry, work: WorkEntry, key: str, dup: str, add: Additions,
           raw: dict, extras: dict, fmt: str, duplicate_tag: str, records: list[str]
           ) -> tuple[str | None, WorkEntry | None]:
    k = (rec.source, rec.record_id)
    x = extras.get(k, Extras())
    mapped = _mapped(rec, work, key, dup, add, x, records)
    if fmt == "csv":
        return None, mapped
    f, text = raw.get(k, ("", ""))
    if fmt == "ris" and f == "ris" and text:
        tag = duplicate_tag if dup else "N1"
        return ris_from_raw(text, key, add, (tag, bib.ris_marker(mapped))), None
    if fmt == "bibtex" and f == "bibtex" and text:
        written = bibtex_from_raw(text, key, add, bib.kg_fields(mapped))
        if written is not None:
            return written, None
    if fmt == "ris":
        entry = bib.ris_entry(mapped)
        if dup and duplicate_tag != "N1":
            entry = entry.replace("N1  - kg-resolve: duplicate", f"{duplicate_tag}  - "
                                  "kg-resolve: duplicate")
        return entry, None
    return bib.bibtex_entry(mapped), None


__all__ = ["ExportResult", "choose", "export_library", "old_record_keys", "raw_extras",
           "record_entries", "write_library"]
