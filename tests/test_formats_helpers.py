"""Helpers for the format tests (build a store from fixtures, read one record
back from the graph), and tests of the origin helpers they rely on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from _kgfixtures import describe, run, summary_of
from pyoxigraph import Store

from kg.model import identifier_iri, record_iri
from kg.store import open_store
from kg.vocab import DATA, PREFIXES
from resolve.readers import make_origin, origin_parts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"


@dataclass
class Built:
    """A store built with ``kg build`` and what the build said."""

    store: Path
    summary: dict[str, int]
    output: str
    rejects: list[dict] = field(default_factory=list)


def build(tmp: Path, *inputs: object, extra: tuple[str, ...] = (), ok: bool = True) -> Built:
    """``kg build INPUTS --store tmp/store --rejects tmp/rejects.jsonl``."""
    tmp.mkdir(parents=True, exist_ok=True)
    store, rejects = tmp / "store", tmp / "rejects.jsonl"
    res = run("build", *inputs, "--store", store, "--rejects", rejects, "--quiet", *extra)
    if ok:
        assert res.exit_code == 0, describe(res)
    lines = rejects.read_text(encoding="utf-8").splitlines() if rejects.exists() else []
    return Built(store, summary_of(res), describe(res), [json.loads(ln) for ln in lines])


_OPEN: dict[str, Store] = {}


def select(store: Path, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over a built store (opened read-only once per store)."""
    db = _OPEN.get(str(store))
    if db is None:
        db = _OPEN[str(store)] = open_store(store)
    res = db.query(query, prefixes=PREFIXES)
    names = [v.value for v in res.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in res]


@dataclass
class RecordView:
    """One record as the graph holds it."""

    title: str | None
    identifiers: set[tuple[str, str]]
    urls: set[str]
    authors: list[str]
    origin: str | None
    work: str | None


def record(store: Path, source: str, record_id: str, schemes: set[tuple[str, str]] | None = None,
           ) -> RecordView:
    """The record ``source/record_id``; ``identifiers`` are matched against
    ``schemes`` (the expected ``(scheme, value)`` pairs) plus any others found."""
    rec = record_iri(source, record_id)
    rows = select(store, f"""SELECT ?t ?o ?w WHERE {{ <{rec}> a kgr:SourceRecord .
        OPTIONAL {{ <{rec}> dcterms:title ?t }} OPTIONAL {{ <{rec}> kgr:origin ?o }}
        OPTIONAL {{ <{rec}> frbr:realizationOf ?w }} }}""")
    assert rows, f"no record {source}/{record_id} in the graph"
    ids = {r["i"] for r in select(
        store, f"SELECT ?i WHERE {{ <{rec}> datacite:hasIdentifier ?i }}")}
    # identifier IRIs back to (scheme, value) pairs
    pairs = set()
    for row in select(store, f"""SELECT ?i ?v ?s WHERE {{ <{rec}> datacite:hasIdentifier ?i .
            ?i literal:hasLiteralValue ?v ; datacite:usesIdentifierScheme ?s }}"""):
        scheme = next((s for s, v in (schemes or set()) if identifier_iri(s, v) == row["i"]),
                      row["s"].rsplit("/", 1)[-1].rsplit("#", 1)[-1])
        pairs.add((scheme, row["v"]))
    assert len(pairs) == len(ids)
    urls = {r["u"] for r in select(store, f"SELECT ?u WHERE {{ <{rec}> fabio:hasURL ?u }}")}
    # the record's kgr:authorList names its author nodes in order
    lists = select(store, f"SELECT ?l WHERE {{ <{rec}> kgr:authorList ?l }}")
    names = {r["a"]: r["n"] for r in select(store, f"""SELECT ?a ?n WHERE {{
        <{rec}> dcterms:creator ?a . ?a foaf:name ?n }}""")}
    authors = [names[f"{DATA}author/{a}"] for a in (lists[0]["l"].split() if lists else ())]
    return RecordView(rows[0].get("t"), pairs, urls, authors, rows[0].get("o"), rows[0].get("w"))


def check_record(store: Path, source: str, record_id: str, *, ids: set[tuple[str, str]],
                 urls: set[str] | None = None, authors: list[str] | None = None,
                 title: str | None = None) -> RecordView:
    """Assert the record's identifiers (exactly), URLs (exactly), authors (in
    order) and title came through."""
    view = record(store, source, record_id, ids)
    assert view.identifiers == ids, (source, record_id, view.identifiers ^ ids)
    if urls is not None:
        assert view.urls == urls, (source, record_id, view.urls ^ urls)
    if authors is not None:
        assert view.authors == authors, (source, record_id, view.authors)
    if title is not None:
        assert (view.title or "") == title, (source, record_id, view.title)
    return view


def check_counts(built: Built, records: int, rejected: int) -> None:
    s = built.summary
    assert s["records read"] == records + rejected, built.output
    assert s["records rejected"] == rejected, built.output
    assert s["records in works"] == records, built.output
    assert s["records read"] == s["records in works"] + s["records rejected"]
    assert len(built.rejects) == rejected


# ------------------------------------------------------------- origin helpers


def test_make_origin_and_back() -> None:
    cases = [
        (("data/x.jsonl", 3, None), "data/x.jsonl:3"),
        (("page.json", None, "/results/3"), "page.json#/results/3"),
        (("pages.jsonl", 2, "/message/items/0"), "pages.jsonl:2#/message/items/0"),
        (("endnote.xml", 1, "/xml/records/record[5]"), "endnote.xml:1#/xml/records/record[5]"),
        (("one.json", None, None), "one.json"),
    ]
    for (path, line, pointer), origin in cases:
        assert make_origin(path, line, pointer) == origin
        assert origin_parts(origin) == {"file": path, "line": line, "position": pointer}


def test_origin_parts_of_odd_paths() -> None:
    assert origin_parts("C:\\data\\x.csv:12") == {"file": "C:\\data\\x.csv", "line": 12,
                                                   "position": None}
    assert origin_parts("dir:1/x.json#/0") == {"file": "dir:1/x.json", "line": None,
                                                "position": "/0"}
