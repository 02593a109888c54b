"""The RDF model of a build: works, records, identifiers, provenance, evidence."""

from __future__ import annotations

import json
from decimal import Decimal

import _kgfixtures
import pytest
import rdflib
from _kgfixtures import (
    BERT_RECORDS,
    describe,
    gold_clusters,
    query_rows,
    run,
)
from hypothesis import given
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Store
from rdflib import compare

from kg.model import (
    BuildInfo,
    author_iri,
    expression_iri,
    graph_quads,
    lit,
    match_iri,
    record_iri,
    work_iri,
)
from kg.store import bulk_load, open_store
from kg.vocab import BUILD_GRAPH, DATA, EVIDENCE_GRAPH, PREFIXES, XSD
from resolve.types import Author, Record, Work

BERT_DOI = "10.18653/v1/n19-1423"

example_store = _kgfixtures.example_store  # the fixture, built once per module


@pytest.fixture(scope="module")
def db(example_store):
    store = open_store(example_store)
    yield store
    del store


def select(store: Store, q: str) -> list[dict[str, object]]:
    res = store.query(q, prefixes=PREFIXES)
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names} for sol in res]


def ask(store: Store, q: str) -> bool:
    return bool(store.query(q, prefixes=PREFIXES))


def values(store: Store, q: str, var: str) -> list[str]:
    return [row[var].value for row in select(store, q) if row[var] is not None]


@pytest.fixture(scope="module")
def bert(db) -> str:
    rows = values(db, f"""SELECT ?w WHERE {{ <{record_iri('arxiv', '1810.04805v2')}>
                         frbr:realizationOf ?w }}""", "w")
    assert len(rows) == 1
    return rows[0]


BERT_IRIS = {record_iri(s, r) for s, r in BERT_RECORDS}


# ------------------------------------------------------------ works, records


def test_bert_records_are_expressions_realizing_the_work(db, bert):
    for s, r in sorted(BERT_RECORDS):
        rec = record_iri(s, r)
        assert ask(db, f"ASK {{ <{rec}> a kgr:SourceRecord }}"), rec  # an Expression (kgr.ttl)
        assert values(db, f"SELECT ?w WHERE {{ <{rec}> frbr:realizationOf ?w }}", "w") == [bert]
        assert values(db, f"SELECT ?s WHERE {{ <{rec}> kgr:source ?s }}", "s") == [s]
        assert values(db, f"SELECT ?i WHERE {{ <{rec}> dcterms:identifier ?i }}", "i") == [r]


def test_bert_work(db, bert):
    assert bert.startswith(DATA + "work/")
    assert ask(db, f"ASK {{ <{bert}> a fabio:Work }}")
    real = set(values(db, f"""SELECT ?r WHERE {{ ?r frbr:realizationOf <{bert}> ;
                             a kgr:SourceRecord }}""", "r"))
    assert real == BERT_IRIS
    versions = set(values(
        db, f"SELECT ?e WHERE {{ ?e frbr:realizationOf <{bert}> ; a kgr:Version }}", "e"))
    assert len(versions) == 4
    everything = set(values(db, f"SELECT ?x WHERE {{ ?x frbr:realizationOf <{bert}> }}", "x"))
    assert everything == real | versions
    counts = select(db, f"SELECT ?n WHERE {{ <{bert}> kgr:recordCount ?n }}")
    assert len(counts) == 1
    n = counts[0]["n"]
    assert n.value == "8"
    assert n.datatype == NamedNode(XSD.integer)


def test_each_link_is_said_once(db):
    """frbr:realizationOf and frbr:revisionOf, never their inverses; records
    only sameAs their version; provenance only where it is not implied."""
    assert not ask(db, "ASK { ?w frbr:realization ?r }")
    assert not ask(db, "ASK { ?a frbr:revision ?b }")
    assert not ask(db, "ASK { ?a owl:sameAs ?b . ?b a kgr:SourceRecord }")
    assert not ask(db, "ASK { ?r a kgr:SourceRecord ; prov:wasGeneratedBy ?b }")
    assert not ask(db, "ASK { ?r a kgr:SourceRecord ; prism:doi ?d }")
    assert not ask(db, "ASK { ?r a kgr:SourceRecord , fabio:Expression }")


def test_every_record_realizes_exactly_one_work(db):
    rows = select(db, """SELECT ?r (COUNT(DISTINCT ?w) AS ?n) WHERE {
                           ?r a kgr:SourceRecord OPTIONAL { ?r frbr:realizationOf ?w } }
                         GROUP BY ?r""")
    assert len(rows) == 57
    assert all(row["n"].value == "1" for row in rows)


def test_record_counts_match_realizations(db):
    rows = select(db, """SELECT ?w ?n (COUNT(?r) AS ?m) WHERE {
                           ?w a fabio:Work ; kgr:recordCount ?n .
                           ?r frbr:realizationOf ?w ; a kgr:SourceRecord }
                         GROUP BY ?w ?n""")
    assert len(rows) == 10
    for row in rows:
        assert row["n"].value == row["m"].value
    sizes = sorted(int(row["n"].value) for row in rows)
    assert sizes == sorted(len(m) for m in gold_clusters().values())


# ------------------------------------------------------------------ sameAs


def _same_as_pairs(db) -> set[frozenset[str]]:
    return {frozenset((row["a"].value, row["b"].value))
            for row in select(db, "SELECT ?a ?b WHERE { ?a owl:sameAs ?b }")}


def _version_of(db) -> dict[str, str]:
    """record IRI -> its version's IRI."""
    rows = select(db, "SELECT ?r ?e WHERE { ?r a kgr:SourceRecord ; owl:sameAs ?e . "
                      "?e a kgr:Version }")
    out: dict[str, str] = {}
    for row in rows:
        r = row["r"].value
        assert r not in out, f"{r} is sameAs two versions"
        out[r] = row["e"].value
    return out


def test_every_record_is_same_as_exactly_one_version(db):
    """...except the record of a single-record work: it is its only version."""
    version_of = _version_of(db)
    assert len(version_of) == 56
    alone = values(db, """SELECT ?r WHERE { ?w kgr:recordCount 1 . ?r frbr:realizationOf ?w
                          FILTER NOT EXISTS { ?r owl:sameAs ?e } }""", "r")
    assert len(alone) == 1 and alone[0] not in version_of
    assert not ask(db, """ASK { ?w kgr:recordCount 1 . ?e frbr:realizationOf ?w ;
                                 a kgr:Version }""")
    counts = select(db, """SELECT ?e ?n (COUNT(?r) AS ?m) WHERE { ?e a kgr:Version ;
                             kgr:recordCount ?n . ?r owl:sameAs ?e } GROUP BY ?e ?n""")
    assert all(row["n"].value == row["m"].value for row in counts)
    assert sum(int(row["m"].value) for row in counts) == 56


def test_same_as_only_within_a_version(db):
    version_of = _version_of(db)
    versions = set(version_of.values())
    for pair in _same_as_pairs(db):
        a, b = sorted(pair)
        va = a if a in versions else version_of[a]
        vb = b if b in versions else version_of[b]
        assert va == vb, (a, b)
    assert not ask(db, "ASK { ?a owl:sameAs ?a }")
    # sameAs never links works, identifiers or two version nodes
    assert not ask(db, """ASK { ?a owl:sameAs ?b
                               FILTER NOT EXISTS { ?a a kgr:SourceRecord } }""")


def test_same_as_links_each_record_to_its_version_only(db):
    """Two records of one version are sameAs through it (owl:sameAs is
    symmetric and transitive): the pair is not said again."""
    version_of = _version_of(db)
    assert _same_as_pairs(db) == {frozenset((r, e)) for r, e in version_of.items()}


def test_same_as_never_crosses_works(db):
    assert not ask(db, """ASK { ?a owl:sameAs ?b . ?a frbr:realizationOf ?wa .
                               ?b frbr:realizationOf ?wb FILTER(?wa != ?wb) }""")


def test_no_version_has_two_dois(db):
    """A version's records never carry two different publisher DOIs."""
    rows = select(db, """SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE {
                           ?r owl:sameAs ?e . ?e a kgr:Version . ?r datacite:hasIdentifier ?i .
                           ?i datacite:usesIdentifierScheme datacite:doi ;
                              literal:hasLiteralValue ?d
                           FILTER(!STRSTARTS(STR(?d), "10.48550/")) } GROUP BY ?e""")
    assert rows and all(row["n"].value == "1" for row in rows)
    assert not ask(db, "ASK { ?e a kgr:Version ; prism:doi ?a, ?b FILTER(?a != ?b) }")


def test_journal_and_preprint_records_are_never_same_as(db):
    journal = {record_iri(*k) for k in [("crossref", BERT_DOI), ("openalex", "W1000002"),
                                        ("dblp", "conf/naacl/DevlinCLT19"),
                                        ("semantic_scholar", "s2-0002")]}
    preprint = {record_iri(*k) for k in [("arxiv", "1810.04805v2"), ("zotero", "8FJ2NWXA"),
                                         ("scholar_archive", "sa-0002"),
                                         ("dblp", "journals/corr/abs-1810-04805")]}
    version_of = _version_of(db)
    assert not {version_of[a] for a in journal} & {version_of[b] for b in preprint}
    assert len({version_of[a] for a in journal}) == 1


def _graph(db, construct: str) -> rdflib.Graph:
    from pyoxigraph import RdfFormat, serialize
    data = serialize(db.query(construct, prefixes=PREFIXES), format=RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    g.parse(data=data.decode(), format="nt")
    return g


def _expected(turtle: str) -> rdflib.Graph:
    g = rdflib.Graph()
    head = "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items())
    g.parse(data=head + turtle, format="turtle")
    return g


def _assert_same_graph(got: rdflib.Graph, want: rdflib.Graph) -> None:
    iso_got, iso_want = compare.to_isomorphic(got), compare.to_isomorphic(want)
    if iso_got != iso_want:
        _, only_got, only_want = compare.graph_diff(iso_got, iso_want)
        raise AssertionError("unexpected:\n" + only_got.serialize(format="nt")
                             + "\nmissing:\n" + only_want.serialize(format="nt"))


VERSION_STRUCTURE = """CONSTRUCT {
  ?x frbr:realizationOf ?w . ?e ?p ?o . ?r owl:sameAs ?s .
} WHERE { BIND(<%s> AS ?w)
  { ?x frbr:realizationOf ?w }
  UNION { ?e frbr:realizationOf ?w ; a kgr:Version ; ?p ?o }
  UNION { ?r frbr:realizationOf ?w ; a kgr:SourceRecord ; owl:sameAs ?s } }"""


def test_exact_triples_of_a_preprint_journal_pair_with_an_archived_copy(db):
    """Identity Mappings: the arXiv v3 preprint and the scholar.archive.org copy
    of its PDF are one version; the ECCV chapter (Crossref, Semantic Scholar,
    DBLP records of one DOI) is another, a revision of it. Nothing else."""
    work = work_iri("w1ab4cd1da073967b")
    want = _expected(f"""
    <{DATA}expression/ea0b361d4a7c26208> a fabio:Expression, kgr:Version, fabio:Preprint ;
        dcterms:identifier "ea0b361d4a7c26208" ;
        frbr:realizationOf <{work}> ;
        kgr:recordCount 2 ;
        kgr:versionBasis "arxiv" ;
        datacite:hasIdentifier <{DATA}identifier/arxiv/1603.05027> ;
        kgr:arxivVersion 3 ;
        schema:sameAs <https://arxiv.org/abs/1603.05027v3> .

    <{DATA}expression/ea2195265a85e81dd> a fabio:Expression, kgr:Version ;
        dcterms:identifier "ea2195265a85e81dd" ;
        frbr:realizationOf <{work}> ;
        kgr:recordCount 3 ;
        kgr:versionBasis "doi" ;
        datacite:hasIdentifier <{DATA}identifier/doi/10.1007%2F978-3-319-46493-0_38> ;
        prism:doi "10.1007/978-3-319-46493-0_38" ;
        schema:sameAs <https://doi.org/10.1007/978-3-319-46493-0_38> ;
        frbr:revisionOf <{DATA}expression/ea0b361d4a7c26208> .

    <{record_iri("arxiv", "1603.05027v3")}> frbr:realizationOf <{work}> ;
        owl:sameAs <{DATA}expression/ea0b361d4a7c26208> .
    <{record_iri("scholar_archive", "sa-0004")}> frbr:realizationOf <{work}> ;
        owl:sameAs <{DATA}expression/ea0b361d4a7c26208> .

    <{record_iri("crossref", "10.1007/978-3-319-46493-0_38")}> frbr:realizationOf <{work}> ;
        owl:sameAs <{DATA}expression/ea2195265a85e81dd> .
    <{record_iri("dblp", "conf/eccv/HeZRS16")}> frbr:realizationOf <{work}> ;
        owl:sameAs <{DATA}expression/ea2195265a85e81dd> .
    <{record_iri("semantic_scholar", "s2-0004")}> frbr:realizationOf <{work}> ;
        owl:sameAs <{DATA}expression/ea2195265a85e81dd> .
    """)
    _assert_same_graph(_graph(db, VERSION_STRUCTURE % work), want)


def test_exact_same_as_of_an_archived_arxiv_copy(db):
    """scholar_archive/sa-0001 is a Wayback copy of the arXiv v5 PDF of
    "Attention Is All You Need": the same version as the arXiv v5 record and
    the unversioned arXiv references, and as nothing else."""
    sa = record_iri("scholar_archive", "sa-0001")
    e = f"{DATA}expression/e5e31cb1c5eefcb77"
    got = _graph(db, f"""CONSTRUCT {{ ?y owl:sameAs ?x }}
                         WHERE {{ <{sa}> owl:sameAs ?x . ?y owl:sameAs ?x }}""")
    want = _expected(f"""
    <{sa}> owl:sameAs <{e}> .
    <{record_iri("semantic_scholar", "s2-0001")}> owl:sameAs <{e}> .
    <{record_iri("arxiv", "1706.03762v5")}> owl:sameAs <{e}> .
    <{record_iri("dblp", "journals/corr/VaswaniSPUJGKP17")}> owl:sameAs <{e}> .
    <{record_iri("openalex", "W1000001")}> owl:sameAs <{e}> .
    """)
    _assert_same_graph(got, want)
    # the NeurIPS records name neither the arXiv id nor a DOI: versions of their own
    for key in [("dblp", "conf/nips/VaswaniSPUJGKP17"), ("zotero", "3QK7VZ2M")]:
        assert not ask(db, f"ASK {{ <{record_iri(*key)}> owl:sameAs <{e}> }}")


def test_bert_versions(db, bert):
    rows = select(db, f"""SELECT ?e ?basis ?v (GROUP_CONCAT(?src; separator=" ") AS ?sources)
                          WHERE {{ ?e frbr:realizationOf <{bert}> ; a kgr:Version ;
                                   kgr:versionBasis ?basis . OPTIONAL {{ ?e kgr:arxivVersion ?v }}
                                   ?r owl:sameAs ?e ; kgr:source ?src }}
                          GROUP BY ?e ?basis ?v""")
    got = sorted((r["basis"].value, r["v"].value if r["v"] else "",
                  " ".join(sorted(r["sources"].value.split()))) for r in rows)
    assert got == [("arxiv", "", "dblp"), ("arxiv", "1", "scholar_archive"),
                   ("arxiv", "2", "arxiv zotero"),
                   ("doi", "", "crossref dblp openalex semantic_scholar")]
    # the journal version revises each preprint version; arXiv v2 revises v1
    revs = select(db, f"""SELECT ?nb ?nv ?ob ?ov WHERE {{ ?n frbr:realizationOf <{bert}> .
                          ?o frbr:realizationOf <{bert}> .
                          ?n frbr:revisionOf ?o ; kgr:versionBasis ?nb . ?o kgr:versionBasis ?ob
                          OPTIONAL {{ ?n kgr:arxivVersion ?nv }}
                          OPTIONAL {{ ?o kgr:arxivVersion ?ov }}
                          }}""")
    pairs = sorted(((r["nb"].value, r["nv"].value if r["nv"] else ""),
                    (r["ob"].value, r["ov"].value if r["ov"] else "")) for r in revs)
    assert pairs == [(("arxiv", "2"), ("arxiv", "1")),
                     (("doi", ""), ("arxiv", "")), (("doi", ""), ("arxiv", "1")),
                     (("doi", ""), ("arxiv", "2"))]
    assert not ask(db, "ASK { ?a frbr:revision ?b }")  # the inverse is not repeated


def test_match_iris_do_not_depend_on_record_order():
    a, b = Record("arxiv", "1"), Record("crossref", "2")
    assert match_iri(a, b) == match_iri(b, a)
    assert match_iri(a, b).startswith(DATA + "match/")


def test_version_iris_are_stable():
    from kg.model import expression_id
    assert expression_id(Record("arxiv", "1603.05027v3")) == "ea0b361d4a7c26208"
    assert expression_iri("e1") == DATA + "expression/e1"


# ------------------------------------------------------------- identifiers


def test_doi_identifier_nodes(db):
    rows = select(db, """SELECT ?id ?v WHERE {
                           ?id datacite:usesIdentifierScheme datacite:doi ;
                               literal:hasLiteralValue ?v }""")
    assert rows
    for row in rows:
        node = row["id"].value
        assert ask(db, f"ASK {{ <{node}> a datacite:Identifier }}"), node
        assert isinstance(row["v"], Literal)
        assert row["v"].value.startswith("10.")
    by_value = {row["v"].value: row["id"].value for row in rows}
    assert BERT_DOI in by_value
    holders = set(values(db, f"""SELECT ?r WHERE {{ ?r a kgr:SourceRecord ;
                                 datacite:hasIdentifier <{by_value[BERT_DOI]}> }}""", "r"))
    assert holders == {record_iri("crossref", "10.18653/v1/n19-1423"),
                       record_iri("openalex", "W1000002"),
                       record_iri("semantic_scholar", "s2-0002"),
                       record_iri("dblp", "conf/naacl/DevlinCLT19")}
    assert holders <= BERT_IRIS


def test_every_identifier_node_is_complete(db):
    nodes = values(db, "SELECT DISTINCT ?id WHERE { ?x datacite:hasIdentifier ?id }", "id")
    assert nodes
    for node in nodes:
        rows = select(db, f"""SELECT ?t ?s ?v WHERE {{ <{node}> a ?t ;
                                datacite:usesIdentifierScheme ?s ;
                                literal:hasLiteralValue ?v }}""")
        assert len(rows) == 1, (node, rows)
        assert rows[0]["t"].value == PREFIXES["datacite"] + "Identifier"


def test_bert_doi_on_work_and_prism(db, bert):
    assert values(db, f"SELECT ?d WHERE {{ <{bert}> prism:doi ?d }}", "d") == [BERT_DOI]
    # the DOI's identifier node is the records' (the work states the literal once)
    assert not ask(db, f"ASK {{ <{bert}> datacite:hasIdentifier ?i }}")
    ids = values(db, f"""SELECT DISTINCT ?v WHERE {{ ?r frbr:realizationOf <{bert}> ;
                         datacite:hasIdentifier ?i . ?i literal:hasLiteralValue ?v }}""", "v")
    assert BERT_DOI in ids
    # a work's prism:doi is the value of a DOI identifier node of one of its records
    assert not ask(db, """ASK { ?w a fabio:Work ; prism:doi ?d
                          FILTER NOT EXISTS { ?r frbr:realizationOf ?w ;
                            datacite:hasIdentifier ?i .
                            ?i datacite:usesIdentifierScheme datacite:doi ;
                               literal:hasLiteralValue ?v FILTER(STR(?v) = STR(?d)) } }""")


# ----------------------------------------------------------- field choices


FIELD_PROPS = {
    "title": "dcterms:title", "year": "fabio:hasPublicationYear",
    "venue": "prism:publicationName", "volume": "prism:volume",
    "issue": "prism:issueIdentifier", "pages": "prism:pageRange",
    "abstract": "dcterms:abstract", "type": "kgr:recordType",
}


def _choices(db, work: str) -> dict[str, str]:
    rows = select(db, f"""SELECT ?node ?field ?rec WHERE {{
                          <{work}> kgr:canonicalField ?node .
                          ?node a kgr:FieldChoice ; kgr:field ?field ;
                                prov:wasDerivedFrom ?rec }}""")
    out = {}
    for row in rows:
        name = row["field"].value
        assert name not in out, f"two choices for {name}"
        out[name] = row["rec"].value
    return out


def test_bert_field_choices_derive_from_its_records(db, bert):
    choices = _choices(db, bert)
    assert {"title", "year", "authors", "doi"} <= set(choices)
    for name, rec in choices.items():
        assert rec in BERT_IRIS, (name, rec)
    # one choice per record fields were taken from, named after the work and the record
    rows = select(db, f"""SELECT ?n ?rec WHERE {{ <{bert}> kgr:canonicalField ?n .
                          ?n prov:wasDerivedFrom ?rec }}""")
    assert len(rows) == len(set(choices.values()))
    for row in rows:
        rec = row["rec"].value
        assert row["n"].value == bert + "/from/" + rec[len(DATA + "record/"):]


def test_exact_field_choices_of_a_work(db):
    """Identity Mappings: title, authors, year and abstract from the arXiv
    record, the rest from Crossref's; the authors are the arXiv record's."""
    work = work_iri("w1ab4cd1da073967b")
    arxiv, crossref = (record_iri("arxiv", "1603.05027v3"),
                       record_iri("crossref", "10.1007/978-3-319-46493-0_38"))
    got = _graph(db, f"""CONSTRUCT {{ <{work}> kgr:canonicalField ?c . ?c ?p ?o }}
                         WHERE {{ <{work}> kgr:canonicalField ?c . ?c ?p ?o }}""")
    a, c = f"{work}/from/arxiv/1603.05027v3", f"{work}/from/crossref/10.1007%2F978-3-319-46493-0_38"
    want = _expected(f"""
    <{work}> kgr:canonicalField <{a}>, <{c}> .
    <{a}> a kgr:FieldChoice ; kgr:field "abstract", "authors", "title", "year" ;
        prov:wasDerivedFrom <{arxiv}> .
    <{c}> a kgr:FieldChoice ; kgr:field "doi", "pages", "type", "venue" ;
        prov:wasDerivedFrom <{crossref}> .
    """)
    _assert_same_graph(got, want)
    # the work's authors are the arXiv record's author nodes
    def creators(subject: str) -> list[str]:
        return sorted(values(db, f"SELECT ?a WHERE {{ <{subject}> dcterms:creator ?a }}", "a"))

    assert creators(work) == creators(arxiv)
    assert len(creators(work)) == 4


def test_bert_canonical_values_come_from_the_chosen_record(db, bert):
    choices = _choices(db, bert)
    for name, prop in FIELD_PROPS.items():
        work_vals = values(db, f"SELECT ?v WHERE {{ <{bert}> {prop} ?v }}", "v")
        if name not in choices:
            assert work_vals == [], f"{name} has a value but no FieldChoice"
            continue
        rec_vals = values(db, f"SELECT ?v WHERE {{ <{choices[name]}> {prop} ?v }}", "v")
        assert len(work_vals) == 1
        assert work_vals == rec_vals, name
    doi_rec = choices["doi"]
    assert ask(db, f"""ASK {{ <{doi_rec}> datacite:hasIdentifier ?i .
                         ?i literal:hasLiteralValue "{BERT_DOI}" }}""")

    def creators(subject: str) -> list[str]:
        return sorted(values(db, f"SELECT ?a WHERE {{ <{subject}> dcterms:creator ?a }}", "a"))

    # the work links to the author nodes of the record its authors came from,
    # whose kgr:authorList gives their order
    assert creators(bert) == creators(choices["authors"])
    order = values(db, f"SELECT ?l WHERE {{ <{choices['authors']}> kgr:authorList ?l }}", "l")
    names = [values(db, f"SELECT ?n WHERE {{ <{author_iri(a)}> foaf:name ?n }}", "n")[0]
             for a in order[0].split()]
    assert names[:2] == ["Jacob Devlin", "Ming-Wei Chang"]
    assert sorted(author_iri(a) for a in set(order[0].split())) == creators(bert)


def test_every_work_field_choice_is_within_the_work(db):
    assert ask(db, "ASK { ?w kgr:canonicalField ?c }")
    assert not ask(db, """ASK { ?w kgr:canonicalField ?c . ?c prov:wasDerivedFrom ?r
                               FILTER NOT EXISTS { ?r frbr:realizationOf ?w } }""")
    # a work of one record took every field from it: no choice to record
    assert not ask(db, "ASK { ?w kgr:recordCount 1 ; kgr:canonicalField ?c }")
    assert not ask(db, """ASK { ?w kgr:canonicalField ?c
                               FILTER NOT EXISTS { ?c a kgr:FieldChoice ; kgr:field ?f ;
                                                      prov:wasDerivedFrom ?r } }""")


# ---------------------------------------------------------- named graphs


def test_evidence_graph_matches(db):
    rows = select(db, f"""SELECT ?m ?score ?label WHERE {{ GRAPH <{EVIDENCE_GRAPH}> {{
                          ?m a kgr:Match ; kgr:matchScore ?score ; rdfs:label ?label }} }}""")
    assert rows
    merged = 0
    for row in rows:
        score = row["score"]
        assert score.datatype == NamedNode(XSD.decimal)
        assert Decimal("0") <= Decimal(score.value) <= Decimal("1"), score.value
        assert row["label"].value in ("merged", "not merged")
        merged += row["label"].value == "merged"
    assert merged > 0
    # matches live only in the evidence graph
    assert not ask(db, "ASK { ?m a kgr:Match }")
    assert not ask(db, f"ASK {{ GRAPH ?g {{ ?m a kgr:Match }} FILTER(?g != <{EVIDENCE_GRAPH}>) }}")


def test_evidence_graph_field_evidence(db):
    g = EVIDENCE_GRAPH
    assert not ask(db, f"""ASK {{ GRAPH <{g}> {{ ?m a kgr:Match
                               FILTER NOT EXISTS {{ ?m kgr:evidence ?e }} }} }}""")
    rows = select(db, f"""SELECT ?e ?field ?level ?weight ?sim WHERE {{ GRAPH <{g}> {{
                          ?m a kgr:Match ; kgr:evidence ?e .
                          ?e a kgr:FieldEvidence ; kgr:field ?field ; kgr:level ?level ;
                             kgr:weight ?weight OPTIONAL {{ ?e kgr:similarity ?sim }} }} }}""")
    assert rows
    children = values(db, f"SELECT DISTINCT ?e WHERE {{ GRAPH <{g}> {{ ?m kgr:evidence ?e }} }}",
                      "e")
    assert len({row["e"].value for row in rows}) == len(children)
    for row in rows:
        assert row["field"].value and row["level"].value
        Decimal(row["weight"].value)
        if row["sim"] is not None:
            assert Decimal("0") <= Decimal(row["sim"].value) <= Decimal("1")


def test_evidence_matches_agree_with_works(db):
    g = EVIDENCE_GRAPH
    rows = select(db, f"""SELECT ?m ?label (COUNT(DISTINCT ?r) AS ?n)
                          (COUNT(DISTINCT ?w) AS ?works) WHERE {{
                          GRAPH <{g}> {{ ?m a kgr:Match ; rdfs:label ?label ;
                                            kgr:matchedRecord ?r }}
                          ?r frbr:realizationOf ?w }} GROUP BY ?m ?label""")
    assert rows
    for row in rows:
        assert row["n"].value == "2"
        expected = "1" if row["label"].value == "merged" else "2"
        assert row["works"].value == expected, row["m"].value


def test_build_graph_activity(db):
    rows = select(db, f"""SELECT ?b ?start ?end WHERE {{ GRAPH <{BUILD_GRAPH}> {{
                          ?b a prov:Activity ; prov:startedAtTime ?start ;
                             prov:endedAtTime ?end }} }}""")
    assert len(rows) == 1
    start, end = rows[0]["start"], rows[0]["end"]
    assert start.datatype == NamedNode(XSD.dateTime)
    assert start.value <= end.value
    build = rows[0]["b"].value
    # the activity is not in the default graph, but everything points at it
    assert not ask(db, "ASK { ?b a prov:Activity }")
    # records and versions were generated with their work: said once, on the work
    assert not ask(db, "ASK { ?r a kgr:SourceRecord ; prov:wasGeneratedBy ?b }")
    assert not ask(db, f"""ASK {{ ?w a fabio:Work
                               FILTER NOT EXISTS {{ ?w prov:wasGeneratedBy <{build}> }} }}""")
    used = select(db, f"""SELECT ?u ?path WHERE {{ GRAPH <{BUILD_GRAPH}> {{
                          <{build}> prov:used ?u . ?u a prov:Entity ; rdfs:label ?path }} }}""")
    assert len(used) == 7
    assert {row["path"].value.rsplit("/", 1)[-1] for row in used} == {
        "arxiv.jsonl", "crossref.jsonl", "dblp.csv", "openalex.jsonl", "scholar_archive.jsonl",
        "semantic_scholar.jsonl", "zotero.csv"}
    # the tool and its version, the settings as JSON
    agent = select(db, f"""SELECT ?v WHERE {{ GRAPH <{BUILD_GRAPH}> {{
                           <{build}> prov:wasAssociatedWith ?a .
                           ?a a prov:SoftwareAgent ; owl:versionInfo ?v }} }}""")
    from resolve import __version__
    assert [row["v"].value for row in agent] == [__version__]
    settings = select(
        db, f"SELECT ?s WHERE {{ GRAPH <{BUILD_GRAPH}> {{ <{build}> kgr:settings ?s }} }}")
    assert len(settings) == 1
    assert settings[0]["s"].datatype == NamedNode(PREFIXES["rdf"] + "JSON")
    assert json.loads(settings[0]["s"].value)["match_threshold"] == 0.5


def test_only_known_named_graphs(db):
    graphs = set(values(db, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "g"))
    assert graphs == {EVIDENCE_GRAPH, BUILD_GRAPH}


# ------------------------------------------------------------- literals


@pytest.mark.parametrize(("value", "expected"), [
    ("plain", '"plain"'),
    ('say "hi"', '"say \\"hi\\""'),
    ("back\\slash", '"back\\\\slash"'),
    ("line\nbreak", '"line\\nbreak"'),
    ("cr\rlf", '"cr\\rlf"'),
    ('\\"', '"\\\\\\""'),
    ("Šuppa ∑", '"Šuppa ∑"'),
])
def test_lit_escaping(value, expected):
    assert lit(value) == expected


def test_lit_datatypes():
    assert lit(8, XSD.integer) == f'"8"^^<{XSD.integer}>'
    assert lit("x", XSD.string) == '"x"'
    assert lit(2019) == '"2019"'


NASTY = 'He said "hi" \\ then \\"left\\"\nnew line\r\nand\ttab \\n not-a-newline'


def _versions_of(records, works):
    from resolve.versions import work_versions
    return [work_versions(records, w.members) for w in works]


def _tiny_build() -> BuildInfo:
    return BuildInfo("testbuild", "0", "{}", ("in.jsonl",), "2024-01-01T00:00:00+00:00",
                     "2024-01-01T00:00:01+00:00", 0)


def test_lit_round_trips_through_the_store(tmp_path):
    rec = Record(source="src", record_id='odd "id"\\/#?', title=NASTY,
                 authors=(Author('O"Brien \\ X', "O\"Brien", "X", "obrien x"),),
                 year=2020, venue="V\nV", abstract='a "b" \\c', origin="in.jsonl:1")
    work = Work("wtest", (0,), {"title": NASTY, "year": 2020}, {"title": 0, "year": 0})
    quads = list(graph_quads([rec], [work], _versions_of([rec], [work]), [], [], _tiny_build()))
    store = Store(str(tmp_path / "s"))
    assert bulk_load(store, quads).quads == len(quads)
    r = record_iri(rec.source, rec.record_id)
    rows = select(store, f"""SELECT ?t ?id ?v ?ab ?n WHERE {{ <{r}> dcterms:title ?t ;
                             dcterms:identifier ?id ; prism:publicationName ?v ;
                             dcterms:abstract ?ab ; dcterms:creator ?a . ?a foaf:name ?n }}""")
    assert len(rows) == 1
    row = rows[0]
    assert row["t"].value == NASTY
    assert row["id"].value == rec.record_id
    assert row["v"].value == "V\nV"
    assert row["ab"].value == 'a "b" \\c'
    assert row["n"].value == 'O"Brien \\ X'
    w = work_iri("wtest")
    assert values(store, f"SELECT ?t WHERE {{ <{w}> dcterms:title ?t }}", "t") == [NASTY]


@given(st.text())
def test_iri_segments_are_percent_encoded_as_quote_does(value):
    from urllib.parse import quote

    from kg.model import _seg
    assert _seg(value) == quote(value, safe="")


ODD = ['a b', 'x/y#z?q=1&r', '100%', '<tag>', 'quo"te', 'back\\slash', 'tab\tnl\n',
       'Šimko ∑ 🎉', '{curly}|^`', '', ' ']


def test_every_iri_is_valid_whatever_the_ids(tmp_path):
    """The store loads without IRI validation (lenient), so the model must only
    write valid IRIs and literals: odd sources, ids, identifiers, fields and
    tool versions parse as strict N-Quads and round-trip."""
    from pyoxigraph import RdfFormat, parse

    from resolve.types import FieldEvidence, MatchDecision, Rejection

    recs = [Record(source=f"src {i % 3}" if i % 2 else "src", record_id=f"{odd}-{i}",
                   title=odd, authors=(Author(odd, odd, odd, odd),),
                   identifiers=(("doi", f"10.1/{odd}"), (f"sch eme{i % 2}", odd or "v")),
                   urls=(f"http://x.org/{odd}",), origin=odd)
            for i, odd in enumerate(ODD)]
    work = Work("wodd", tuple(range(len(recs))), {"title": ODD[0], "doi": f"10.1/{ODD[1]}",
                                                     "authors": 1},
                {"title": 0, "doi": 1, "authors": 2})
    pairs = [MatchDecision(0, 1, 0.9, True, (
        FieldEvidence(ODD[3], "exact", 1.0, 2.0), FieldEvidence(ODD[7], "fuzzy", None, -1.5)))]
    build = BuildInfo("b", "1.0 beta/2", "{}", tuple(ODD), "2024-01-01T00:00:00+00:00",
                      "2024-01-01T00:00:01+00:00", 1)
    rejects = [Rejection(origin=odd, reason=odd, raw=odd, source=odd, record_id=odd)
               for odd in ODD]
    text = "".join(graph_quads(recs, [work], _versions_of(recs, [work]), rejects, pairs, build))
    strict = list(parse(text.encode(), format=RdfFormat.N_QUADS))
    assert len(strict) == text.count("\n")
    store = Store(str(tmp_path / "s"))
    assert bulk_load(store, [text]).quads == len(strict)
    assert len(store) == len(set(strict))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_lit_round_trips_through_rdflib():
    rec = Record(source="src", record_id="r1", title=NASTY)
    work = Work("wtest", (0,), {"title": NASTY}, {"title": 0})
    data = "".join(graph_quads([rec], [work], _versions_of([rec], [work]), [], [],
                               _tiny_build()))
    ds = rdflib.Dataset()
    ds.parse(data=data, format="nquads")
    titles = {str(o) for _, _, o, _ in ds.quads((rdflib.URIRef(record_iri("src", "r1")),
                                                 rdflib.URIRef(PREFIXES["dcterms"] + "title"),
                                                 None, None))}
    assert titles == {NASTY}


def test_quoted_title_round_trips_through_build(tmp_path):
    title = 'The "Quoted" C:\\path\\x Title'
    src = tmp_path / "q.jsonl"
    src.write_text(json.dumps({"id": "q1", "title": title, "year": 2001}) + "\n",
                   encoding="utf-8")
    store = tmp_path / "store"
    res = run("build", src, "--store", store, "--quiet")
    assert res.exit_code == 0, describe(res)
    rows = query_rows(store, f"SELECT ?t WHERE {{ <{record_iri('q', 'q1')}> dcterms:title ?t }}")
    assert rows == [{"t": title}]


def test_no_blank_nodes(db):
    """Every node has an IRI derived from the data (so rebuilds give the same graph)."""
    assert not ask(db, "ASK { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }")
    assert not ask(db, "ASK { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }")
