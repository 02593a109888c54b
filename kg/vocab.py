"""The namespaces the graph uses, as closed term sets.

``KGR`` is kg-resolve's own vocabulary (``ontology/kgr.ttl``), used only for
what the established vocabularies lack.  Looking up a term that is not in a
namespace's closed set raises ``AttributeError``, so a typo cannot mint a
bogus IRI; ``tests/test_vocab.py`` checks every ``KGR`` term is declared in
the ontology file.
"""

from __future__ import annotations


class Namespace:
    """A closed namespace: ``NS.term`` gives the full IRI of a declared term."""

    def __init__(self, prefix: str, iri: str, terms: str) -> None:
        self.prefix = prefix
        self.iri = iri
        self.terms = frozenset(terms.split())

    def __getattr__(self, name: str) -> str:
        if name in self.terms:
            return self.iri + name
        raise AttributeError(f"{self.prefix}:{name} is not a term of {self.iri}")

    def __getitem__(self, name: str) -> str:
        return self.__getattr__(name)


BASE = "https://w3id.org/kg-resolve/"
DATA = BASE + "id/"
"""Where the IRIs of works, records, identifiers and matches live."""

KGR = Namespace("kgr", BASE + "ns#", """
    SourceRecord Version Rejection Match FieldEvidence FieldChoice Build RetiredWork
    source origin recordType arxivVersion authorKey authorList
    recordCount versionBasis canonicalField field reason rawText
    matchScore matchedRecord evidence level similarity weight
    candidatePairs rejectedCount evidenceGraph settings
    vetoedBy Decision decidedRecord verdict notApplied
""")
FABIO = Namespace("fabio", "http://purl.org/spar/fabio/",
                  "Work Expression Preprint hasPublicationYear hasURL")
FRBR = Namespace("frbr", "http://purl.org/vocab/frbr/core#",
                 "realization realizationOf revision revisionOf")
DCTERMS = Namespace("dcterms", "http://purl.org/dc/terms/",
                    "title creator identifier date abstract isReplacedBy")
PRISM = Namespace("prism", "http://prismstandard.org/namespaces/basic/2.0/",
                  "publicationName volume issueIdentifier pageRange doi")
PROV = Namespace("prov", "http://www.w3.org/ns/prov#", """
    Activity SoftwareAgent Entity wasGeneratedBy wasDerivedFrom wasAssociatedWith used
    startedAtTime endedAtTime Agent wasAttributedTo generatedAtTime wasInformedBy
""")
DATACITE = Namespace("datacite", "http://purl.org/spar/datacite/", """
    Identifier IdentifierScheme hasIdentifier usesIdentifierScheme
    doi arxiv pmid isbn issn url
""")
LITERAL = Namespace("literal", "http://www.essepuntato.it/2010/06/literalreification/",
                    "hasLiteralValue")
FOAF = Namespace("foaf", "http://xmlns.com/foaf/0.1/", "Agent name familyName givenName")
OWL = Namespace("owl", "http://www.w3.org/2002/07/owl#", "sameAs versionInfo")
RDF = Namespace("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type JSON")
RDFS = Namespace("rdfs", "http://www.w3.org/2000/01/rdf-schema#", "label comment")
XSD = Namespace("xsd", "http://www.w3.org/2001/XMLSchema#",
                "string integer decimal gYear anyURI dateTime")
SCHEMA = Namespace("schema", "http://schema.org/", "sameAs")

NAMESPACES = (KGR, FABIO, FRBR, DCTERMS, PRISM, PROV, DATACITE, LITERAL, FOAF, OWL, RDF,
              RDFS, XSD, SCHEMA)
PREFIXES: dict[str, str] = {ns.prefix: ns.iri for ns in NAMESPACES} | {"id": DATA}

# Identifier schemes DataCite names; others get a scheme IRI of our own.
DATACITE_SCHEMES = frozenset({"doi", "arxiv", "pmid", "isbn", "issn"})

EVIDENCE_GRAPH = DATA + "graph/evidence"
"""Named graph holding match decisions and their per-field evidence."""
BUILD_GRAPH = DATA + "graph/build"
"""Named graph holding the build activity (time, parameters)."""
DECISIONS_GRAPH = DATA + "graph/decisions"
"""Named graph holding what people decided about pairs of records (kg decide)."""
