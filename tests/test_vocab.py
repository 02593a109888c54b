"""The closed namespaces of kg.vocab, and the KGR terms declared in ontology/kgr.ttl."""

from __future__ import annotations

import pytest
import rdflib
from _kgfixtures import ONTOLOGY
from rdflib.namespace import OWL as R_OWL
from rdflib.namespace import RDF as R_RDF
from rdflib.namespace import RDFS as R_RDFS

from kg import vocab
from kg.vocab import (
    BASE,
    DATA,
    DATACITE,
    DATACITE_SCHEMES,
    FABIO,
    KGR,
    NAMESPACES,
    PREFIXES,
    XSD,
    Namespace,
)

CLASS_TYPES = {R_RDFS.Class, R_OWL.Class}
PROPERTY_TYPES = {R_RDF.Property, R_OWL.ObjectProperty, R_OWL.DatatypeProperty,
                  R_OWL.AnnotationProperty, R_OWL.FunctionalProperty}


# ----------------------------------------------------------- closed sets


@pytest.mark.parametrize("ns", NAMESPACES, ids=lambda ns: ns.prefix)
def test_unknown_term_raises_attribute_error(ns):
    with pytest.raises(AttributeError):
        ns.noSuchTermHopefully  # noqa: B018
    with pytest.raises(AttributeError):
        ns["noSuchTermHopefully"]
    assert not hasattr(ns, "noSuchTermHopefully")


@pytest.mark.parametrize("ns", NAMESPACES, ids=lambda ns: ns.prefix)
def test_known_terms_give_full_iris(ns):
    assert ns.terms, f"{ns.prefix} has no terms"
    for term in ns.terms:
        assert getattr(ns, term) == ns.iri + term
        assert ns[term] == ns.iri + term


def test_typo_is_caught_and_message_names_it():
    with pytest.raises(AttributeError, match="kgr:SourceRecords"):
        KGR.SourceRecords  # noqa: B018
    with pytest.raises(AttributeError):
        FABIO.work  # case matters  # noqa: B018


def test_namespace_is_closed_for_new_instances():
    ns = Namespace("ex", "http://example.org/", "a b")
    assert ns.a == "http://example.org/a"
    with pytest.raises(AttributeError):
        ns.c  # noqa: B018


def test_expected_iris():
    assert KGR.iri == BASE + "ns#"
    assert KGR.SourceRecord == "https://w3id.org/kg-resolve/ns#SourceRecord"
    assert FABIO.Work == "http://purl.org/spar/fabio/Work"
    assert XSD.integer == "http://www.w3.org/2001/XMLSchema#integer"
    assert DATA.startswith(BASE)
    assert vocab.EVIDENCE_GRAPH.startswith(DATA) and vocab.BUILD_GRAPH.startswith(DATA)
    assert vocab.EVIDENCE_GRAPH != vocab.BUILD_GRAPH


def test_prefixes_cover_every_namespace():
    for ns in NAMESPACES:
        assert PREFIXES[ns.prefix] == ns.iri
    assert PREFIXES["id"] == DATA
    assert len({ns.prefix for ns in NAMESPACES}) == len(NAMESPACES)


def test_datacite_schemes_are_datacite_terms():
    for scheme in DATACITE_SCHEMES:
        assert DATACITE[scheme] == DATACITE.iri + scheme


# ------------------------------------------------------------- ontology


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    assert ONTOLOGY.is_file(), f"{ONTOLOGY} does not exist"
    g = rdflib.Graph()
    g.parse(ONTOLOGY, format="turtle")
    return g


def test_ontology_parses(ontology):
    assert len(ontology) > 0
    assert any(ontology.subjects(R_RDF.type, R_OWL.Ontology)), "no owl:Ontology declared"


@pytest.mark.parametrize("term", sorted(KGR.terms))
def test_kgr_term_declared_in_ontology(ontology, term):
    node = rdflib.URIRef(KGR[term])
    types = set(ontology.objects(node, R_RDF.type))
    if term[0].isupper():
            assert types & CLASS_TYPES, f"kgr:{term} is not declared as a class in {ONTOLOGY.name}"
    else:
        assert types & PROPERTY_TYPES, \
            f"kgr:{term} is not declared as a property in {ONTOLOGY.name}"


@pytest.mark.parametrize("term", sorted(KGR.terms))
def test_kgr_term_has_a_label(ontology, term):
    node = rdflib.URIRef(KGR[term])
    assert any(ontology.objects(node, R_RDFS.label)), f"kgr:{term} has no rdfs:label"


def test_ontology_declares_no_unknown_kgr_terms(ontology):
    """Terms declared in the ontology but missing from kg.vocab cannot be used."""
    declared = set()
    for s, _, t in ontology.triples((None, R_RDF.type, None)):
        if str(s).startswith(KGR.iri) and t in CLASS_TYPES | PROPERTY_TYPES:
            declared.add(str(s)[len(KGR.iri):])
    assert declared, "no kgr classes or properties declared"
    assert declared <= KGR.terms, sorted(declared - KGR.terms)


# ------------------------------------------------------- terms in a build


def _kgr_iris_in_store(store_dir) -> dict[str, set[str]]:
    """IRIs of the kgr namespace used in the example store, by position."""
    from pyoxigraph import NamedNode

    from kg.store import open_store

    store = open_store(store_dir)
    used: dict[str, set[str]] = {"predicate": set(), "class": set(), "object": set()}
    rdf_type = NamedNode(vocab.RDF.type)
    for q in store:
        if q.predicate.value.startswith(KGR.iri):
            used["predicate"].add(q.predicate.value)
        if isinstance(q.object, NamedNode) and q.object.value.startswith(KGR.iri):
            used["class" if q.predicate == rdf_type else "object"].add(q.object.value)
    del store
    return used


def test_build_uses_only_kgr_vocab_terms(example_store):
    used = _kgr_iris_in_store(example_store)
    assert used["predicate"] and used["class"]
    for iri in used["predicate"] | used["class"]:
        assert iri[len(KGR.iri):] in KGR.terms, iri


def test_every_kgr_iri_in_a_build_is_declared(example_store, ontology):
    """Any IRI in the kgr namespace that a build writes (including identifier
    scheme IRIs minted for schemes DataCite lacks) is described by kgr.ttl."""
    used = _kgr_iris_in_store(example_store)
    subjects = {str(s) for s in ontology.subjects()}
    undeclared = sorted(i for part in used.values() for i in part if i not in subjects)
    assert undeclared == []
