"""SHACL validation: ontology/shapes.ttl and ``kg validate`` (chunked pyshacl)."""

from __future__ import annotations

import gc
import re
import shutil
from pathlib import Path

import _kgfixtures
import pytest
import rdflib
from _kgfixtures import ROOT, describe, run, text
from pyoxigraph import RdfFormat, Store, serialize

from kg.model import record_iri, work_iri
from kg.store import current_path, open_store
from kg.validate import Violation, chunks, load_shapes, validate_graph, validate_store
from kg.vocab import DATA, PREFIXES

example_store = _kgfixtures.example_store  # the fixture, built once per module

SHAPES = ROOT / "ontology" / "shapes.ttl"
BERT = work_iri("w72d73ef28e184ab5")
BERT_JOURNAL = DATA + "expression/e08e74947c46df8af"
ARXIV = record_iri("arxiv", "1810.04805v2")
CROSSREF = record_iri("crossref", "10.18653/v1/n19-1423")
HEAD = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return load_shapes(SHAPES)


def broken(example_store: Path, tmp_path: Path, update: str) -> Path:
    """A copy of the example store with a SPARQL update applied."""
    store = tmp_path / "broken"
    shutil.copytree(example_store, store)
    oxi = Store(str(current_path(store)))
    oxi.update(HEAD + update)
    oxi.flush()
    del oxi
    gc.collect()
    return store


def violations(store: Path) -> list[Violation]:
    oxi = open_store(store)
    try:
        return validate_store(oxi).violations
    finally:
        del oxi
        gc.collect()


def test_shapes_parse_and_name_every_class_the_tool_writes(shapes):
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = {str(o) for o in shapes.objects(None, sh.targetClass)}
    assert {PREFIXES["fabio"] + "Work", PREFIXES["kgr"] + "Version",
            PREFIXES["kgr"] + "SourceRecord", PREFIXES["foaf"] + "Agent",
            PREFIXES["datacite"] + "Identifier", PREFIXES["datacite"] + "IdentifierScheme",
            PREFIXES["kgr"] + "FieldChoice", PREFIXES["kgr"] + "Rejection",
            PREFIXES["kgr"] + "Match", PREFIXES["kgr"] + "FieldEvidence",
            PREFIXES["kgr"] + "Build", PREFIXES["prov"] + "SoftwareAgent"} <= targets
    # every node shape is closed: a property the tool does not write is reported
    for shape in shapes.subjects(rdflib.RDF.type, sh.NodeShape):
        assert shapes.value(shape, sh.closed) == rdflib.Literal(True), shape


def test_every_class_and_property_in_the_example_has_a_shape(example_store, shapes):
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    paths = {str(p) for p in shapes.objects(None, sh.path) if isinstance(p, rdflib.URIRef)}
    paths |= {str(shapes.value(p, sh.inversePath)) for p in shapes.objects(None, sh.path)
              if isinstance(p, rdflib.BNode)}
    oxi = open_store(example_store)
    predicates = {q.predicate.value for q in oxi} - {PREFIXES["rdf"] + "type"}
    del oxi
    assert predicates <= paths, sorted(predicates - paths)


def test_example_conforms_through_the_cli(example_store):
    res = run("validate", "--store", example_store, "--quiet")
    assert res.exit_code == 0, describe(res)
    assert "conforms" in text(res)


def test_chunks_cover_every_typed_node_once(example_store):
    oxi = open_store(example_store)
    focus = [f for c in chunks(oxi, batch=3) for f in c.focus]
    typed = {row["s"].value for row in oxi.query(
        "SELECT DISTINCT ?s WHERE { { ?s a ?t } UNION { GRAPH ?g { ?s a ?t } } }")}
    del oxi
    assert len(focus) == len(set(focus))
    assert set(focus) == typed


def test_small_batches_give_the_same_result(example_store):
    oxi = open_store(example_store)
    assert validate_store(oxi, batch=3).conforms
    del oxi


# Deliberate breakages, each with the (focus node, path) it must be reported at.
BREAKAGES = [
    ("a record without its source",
     f"DELETE WHERE {{ <{ARXIV}> kgr:source ?s }}", ARXIV, "kgr:source"),
    ("a work title that is not a string",
     f"DELETE {{ <{BERT}> dcterms:title ?t }} INSERT {{ <{BERT}> dcterms:title 42 }} "
     f"WHERE {{ <{BERT}> dcterms:title ?t }}", BERT, "dcterms:title"),
    ("a version with two DOIs",
     f'INSERT DATA {{ <{BERT_JOURNAL}> prism:doi "10.48550/arxiv.1810.04805" }}',
     BERT_JOURNAL, "prism:doi"),
    ("a record sameAs the preprint's and the journal version",
     f"INSERT DATA {{ <{ARXIV}> owl:sameAs <{BERT_JOURNAL}> }}", ARXIV, "owl:sameAs"),
    ("a property the tool never writes",
     f"INSERT DATA {{ <{ARXIV}> kgr:recordCount 3 }}", ARXIV, "kgr:recordCount"),
    ("a match decision without its score", """
        DELETE { GRAPH id:graph\\/evidence { ?m kgr:matchScore ?s } }
        WHERE { { SELECT ?m WHERE { GRAPH id:graph\\/evidence { ?m a kgr:Match } }
                  ORDER BY ?m LIMIT 1 }
                GRAPH id:graph\\/evidence { ?m kgr:matchScore ?s } }""",
     "id:match/", "kgr:matchScore"),
    ("a build without its end time",
     "DELETE WHERE { GRAPH id:graph\\/build { ?b prov:endedAtTime ?t } }",
     "id:build/", "prov:endedAtTime"),
    ("a version no work reaches",
     "INSERT DATA { id:expression\\/eorphan a fabio:Expression, kgr:Version }",
     DATA + "expression/eorphan", "frbr:realizationOf"),
    ("an author of no record",
     'INSERT DATA { id:author\\/00000000000000aa a foaf:Agent ; foaf:name "Nobody" ; '
     'kgr:authorKey "nobody" }',
     DATA + "author/00000000000000aa", "^dcterms:creator"),
    ("a node of no class the tool writes",
     'INSERT DATA { <http://example.org/x> dcterms:title "no class" }',
     "<http://example.org/x>", "rdf:type"),
]


def _focus(focus: str) -> str:
    return "id:" + focus[len(DATA):] if focus.startswith(DATA) else focus


@pytest.fixture(scope="module")
def broken_store(example_store, tmp_path_factory) -> Path:
    return broken(example_store, tmp_path_factory.mktemp("broken"),
                  " ;\n".join(update for _, update, _, _ in BREAKAGES))


@pytest.fixture(scope="module")
def broken_violations(broken_store) -> list[Violation]:
    return violations(broken_store)


@pytest.mark.parametrize(("what", "focus", "path"),
                         [(w, f, p) for w, _, f, p in BREAKAGES], ids=[b[0] for b in BREAKAGES])
def test_broken_graph_is_reported(broken_violations, what, focus, path):
    assert any(v.focus.startswith(_focus(focus)) and v.path == path
               for v in broken_violations), (what, broken_violations)


# the orphan version lacks everything a version has
ORPHAN = {("id:expression/eorphan", p) for p in (
    "^owl:sameAs", "dcterms:identifier", "frbr:realizationOf", "kgr:recordCount",
    "kgr:versionBasis")}


def test_nothing_else_is_reported(broken_violations):
    expected = {(_focus(f), p) for _, _, f, p in BREAKAGES} | ORPHAN
    got = set()
    for v in broken_violations:
        match = [(f, p) for f, p in expected if v.focus.startswith(f) and v.path == p]
        assert match, v
        got.update(match)
    assert got == expected
    assert len(broken_violations) == len(expected)


def test_cli_reports_violations_and_exits_6(broken_store):
    res = run("validate", "--store", broken_store, "--quiet")
    assert res.exit_code == 6, describe(res)
    rows = [[c.strip() for c in re.split(r"[│┃|]", line)] for line in text(res).splitlines()]
    for _, _, focus, path in BREAKAGES:
        assert any(cell.startswith(_focus(focus)) for row in rows if path in row
                   for cell in row), (focus, path, text(res))
    assert f"{len(BREAKAGES) - 1 + len(ORPHAN)} violation(s)" in text(res)


def test_parallel_validation_finds_the_same(broken_store, broken_violations):
    oxi = open_store(broken_store)
    try:
        report = validate_store(oxi, jobs=2, store_path=current_path(broken_store), batch=4)
    finally:
        del oxi
        gc.collect()
    assert report.violations == broken_violations
    assert report.chunks > 3


def test_chunked_equals_whole_graph_validation(broken_store, broken_violations, shapes):
    """Chunks see what pyshacl on the whole graph sees."""
    oxi = open_store(broken_store)
    ds = rdflib.Dataset()
    ds.parse(data=serialize(oxi, format=RdfFormat.N_QUADS).decode(), format="nquads")
    del oxi
    union = rdflib.Graph()
    for s, p, o, _ in ds.quads():
        union.add((s, p, o))
    whole = {(v.focus, v.path, v.message) for v in validate_graph(union, shapes)}
    chunked = {(v.focus, v.path, v.message) for v in broken_violations
               if v.component != "Untyped"}
    assert chunked == whole


def test_validate_graph_on_a_tiny_graph(shapes):
    g = rdflib.Graph()
    g.parse(data=HEAD.replace("PREFIX", "@prefix").replace(">\n", "> .\n") + f"""
        <{DATA}rejection/x> a kgr:Rejection ; kgr:origin "f.csv:3" ;
            prov:wasGeneratedBy <{DATA}build/b> .
        <{DATA}build/b> a kgr:Build , prov:Activity .
    """, format="turtle")
    found = validate_graph(g, shapes, [f"{DATA}rejection/x"])
    assert [(v.path, v.component) for v in found] == [("kgr:reason", "MinCount")]


def test_unknown_store_exits_4(tmp_path):
    assert run("validate", "--store", tmp_path).exit_code == 4
