"""Resolved works as RDF: N-Quads lines, ready to bulk-load.

The model (see ``ontology/README.md``)::

    work    a fabio:Work ; frbr:realization version ..., record ...
    version a fabio:Expression, kgr:Version ; frbr:realizationOf work ;
            frbr:revisionOf an earlier version (journal -> preprint, arXiv v2 -> v1)
    record  a fabio:Expression, kgr:SourceRecord ; frbr:realizationOf work ;
            owl:sameAs its version and the other records of that version ;
            datacite:hasIdentifier identifier ; dcterms:creator authorship ...
    identifier a datacite:Identifier ; datacite:usesIdentifierScheme datacite:doi ;
            literal:hasLiteralValue "10.1000/x"

The versions of a work come from :func:`resolve.versions.versions`: records
are ``owl:sameAs`` only within one version, never across a preprint and its
journal version.  Every IRI is derived from the data (source, record id, work
id, identifier value), never random, so rebuilding the same input gives the
same graph.  The default graph holds works, versions, records, identifiers
and rejections; match decisions with per-field evidence go to the named graph
``EVIDENCE_GRAPH`` and the build activity (with its time) to ``BUILD_GRAPH``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from resolve.types import Author, Identifier, Record, Rejection, ScoredPair, Work
from resolve.versions import Version, revisions, versions

from .vocab import (
    BUILD_GRAPH,
    DATA,
    DATACITE,
    DATACITE_SCHEMES,
    DCTERMS,
    EVIDENCE_GRAPH,
    FABIO,
    FOAF,
    FRBR,
    KGR,
    LITERAL,
    OWL,
    PRISM,
    PROV,
    RDF,
    RDFS,
    XSD,
)

# Scored pairs that were not merged but reached this probability are kept in
# the evidence graph as near misses, so "why not?" can be answered too.
NEAR_MISS = 0.05


# --- terms -----------------------------------------------------------------

def iri(value: str) -> str:
    return f"<{value}>"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def lit(value: object, datatype: str | None = None) -> str:
    text = str(value).translate(_ESCAPES)
    if datatype and datatype != XSD.string:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def _seg(value: str) -> str:
    return quote(value, safe="")


def _h(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def work_iri(work_id: str) -> str:
    return f"{DATA}work/{work_id}"


def record_iri(source: str, record_id: str) -> str:
    return f"{DATA}record/{_seg(source)}/{_seg(record_id)}"


def identifier_iri(scheme: str, value: str) -> str:
    return f"{DATA}identifier/{_seg(scheme)}/{_seg(value)}"


def scheme_iri(scheme: str) -> str:
    """DataCite's scheme individual where it has one (``datacite:doi``), else a
    data node of ours (``id:scheme/openalex``) typed and labelled in the graph."""
    return DATACITE[scheme] if scheme in DATACITE_SCHEMES else f"{DATA}scheme/{_seg(scheme)}"


def expression_id(first: Record) -> str:
    """A version's id: ``e`` + 16 hex digits of a hash of its smallest record key."""
    return "e" + _h("expression", first.source, first.record_id)


def expression_iri(expression: str) -> str:
    return f"{DATA}expression/{expression}"


def match_iri(a: Record, b: Record) -> str:
    """The same pair gives the same IRI whatever the order of the records."""
    (s1, r1), (s2, r2) = sorted((a.key, b.key))
    return f"{DATA}match/{_h(s1, r1, s2, r2)}"


def rejection_iri(r: Rejection) -> str:
    return f"{DATA}rejection/{_h(r.origin, r.reason)}"


@dataclass(frozen=True)
class BuildInfo:
    """What the build activity records about itself."""

    build_id: str
    tool_version: str
    settings_json: str
    inputs: tuple[str, ...]
    started: str
    ended: str
    candidate_pairs: int
    rejected: int = 0

    @property
    def iri(self) -> str:
        return f"{DATA}build/{self.build_id}"

    @property
    def agent_iri(self) -> str:
        return f"{DATA}agent/kg-resolve/{_seg(self.tool_version)}"


# --- triples ---------------------------------------------------------------

Quad = str


def _t(s: str, p: str, o: str, g: str | None = None) -> Quad:
    return f"<{s}> <{p}> {o} <{g}> .\n" if g else f"<{s}> <{p}> {o} .\n"


def _authors(subject: str, authors: Sequence[Author]) -> Iterator[Quad]:
    for pos, a in enumerate(authors, 1):
        node = f"{subject}/author/{pos}"
        yield _t(subject, DCTERMS.creator, iri(node))
        yield _t(node, RDF.type, iri(FOAF.Agent))
        yield _t(node, FOAF.name, lit(a.name))
        if a.family:
            yield _t(node, FOAF.familyName, lit(a.family))
        if a.given:
            yield _t(node, FOAF.givenName, lit(a.given))
        yield _t(node, KGR.authorKey, lit(a.key))
        yield _t(node, KGR.position, lit(pos, XSD.integer))


def record_quads(rec: Record, work: Work, build: BuildInfo) -> Iterator[Quad]:
    s = record_iri(rec.source, rec.record_id)
    yield _t(s, RDF.type, iri(FABIO.Expression))
    yield _t(s, RDF.type, iri(KGR.SourceRecord))
    yield _t(s, KGR.source, lit(rec.source))
    yield _t(s, DCTERMS.identifier, lit(rec.record_id))
    yield _t(s, FRBR.realizationOf, iri(work_iri(work.work_id)))
    yield _t(s, PROV.wasGeneratedBy, iri(build.iri))
    if rec.origin:
        yield _t(s, KGR.origin, lit(rec.origin))
    if rec.title:
        yield _t(s, DCTERMS.title, lit(rec.title))
    if rec.year is not None:
        yield _t(s, FABIO.hasPublicationYear, lit(f"{rec.year:04d}", XSD.gYear))
    if rec.date:
        yield _t(s, DCTERMS.date, lit(rec.date))
    for prop, value in ((PRISM.publicationName, rec.venue), (PRISM.volume, rec.volume),
                        (PRISM.issueIdentifier, rec.issue), (PRISM.pageRange, rec.pages),
                        (DCTERMS.abstract, rec.abstract), (KGR.recordType, rec.type)):
        if value:
            yield _t(s, prop, lit(value))
    if rec.arxiv_version is not None:
        yield _t(s, KGR.arxivVersion, lit(rec.arxiv_version, XSD.integer))
    for scheme, value in rec.identifiers:
        yield _t(s, DATACITE.hasIdentifier, iri(identifier_iri(scheme, value)))
        if scheme == "doi":
            yield _t(s, PRISM.doi, lit(value))
    for url in rec.urls:
        yield _t(s, FABIO.hasURL, lit(url, XSD.anyURI))
    yield from _authors(s, rec.authors)


def identifier_quads(scheme: str, value: str) -> Iterator[Quad]:
    s = identifier_iri(scheme, value)
    yield _t(s, RDF.type, iri(DATACITE.Identifier))
    yield _t(s, DATACITE.usesIdentifierScheme, iri(scheme_iri(scheme)))
    yield _t(s, LITERAL.hasLiteralValue, lit(value))


def scheme_quads(scheme: str) -> Iterator[Quad]:
    if scheme in DATACITE_SCHEMES:
        return
    s = scheme_iri(scheme)
    yield _t(s, RDF.type, iri(DATACITE.IdentifierScheme))
    yield _t(s, RDFS.label, lit(scheme))


def work_quads(work: Work, records: Sequence[Record], build: BuildInfo) -> Iterator[Quad]:
    s = work_iri(work.work_id)
    f = work.fields
    yield _t(s, RDF.type, iri(FABIO.Work))
    yield _t(s, DCTERMS.identifier, lit(work.work_id))
    yield _t(s, KGR.recordCount, lit(len(work.members), XSD.integer))
    yield _t(s, PROV.wasGeneratedBy, iri(build.iri))
    if "title" in f:
        yield _t(s, DCTERMS.title, lit(f["title"]))
    if "year" in f:
        yield _t(s, FABIO.hasPublicationYear, lit(f"{f['year']:04d}", XSD.gYear))
    for prop, name in ((PRISM.publicationName, "venue"), (PRISM.volume, "volume"),
                       (PRISM.issueIdentifier, "issue"), (PRISM.pageRange, "pages"),
                       (DCTERMS.abstract, "abstract"), (KGR.recordType, "type"),
                       (PRISM.doi, "doi")):
        if name in f:
            yield _t(s, prop, lit(f[name]))
    if "doi" in f:
        yield _t(s, DATACITE.hasIdentifier, iri(identifier_iri("doi", str(f["doi"]))))
    if "authors" in f:
        yield from _authors(s, records[work.field_sources["authors"]].authors)
    for name, pos in sorted(work.field_sources.items()):
        node = f"{s}/field/{name}"
        src = records[pos]
        yield _t(s, KGR.canonicalField, iri(node))
        yield _t(node, RDF.type, iri(KGR.FieldChoice))
        yield _t(node, KGR.field, lit(name))
        yield _t(node, PROV.wasDerivedFrom, iri(record_iri(src.source, src.record_id)))
    for i in work.members:
        yield _t(s, FRBR.realization, iri(record_iri(records[i].source, records[i].record_id)))


def version_quads(work: Work, vs: Sequence[Version], records: Sequence[Record],
                  build: BuildInfo) -> Iterator[Quad]:
    """The versions of one work: expression nodes, their revision links, and
    ``owl:sameAs`` between each version's records and its node."""
    w = work_iri(work.work_id)
    ids = [expression_id(records[v.members[0]]) for v in vs]
    nodes = [expression_iri(x) for x in ids]
    for v, vid, e in zip(vs, ids, nodes, strict=True):
        yield _t(w, FRBR.realization, iri(e))
        yield _t(e, RDF.type, iri(FABIO.Expression))
        yield _t(e, RDF.type, iri(KGR.Version))
        if v.preprint:
            yield _t(e, RDF.type, iri(FABIO.Preprint))
        yield _t(e, DCTERMS.identifier, lit(vid))
        yield _t(e, FRBR.realizationOf, iri(w))
        yield _t(e, KGR.recordCount, lit(len(v.members), XSD.integer))
        yield _t(e, KGR.versionBasis, lit(v.basis))
        for scheme, value in v.identifiers:
            yield _t(e, DATACITE.hasIdentifier, iri(identifier_iri(scheme, value)))
        dois = [value for scheme, value in v.identifiers if scheme == "doi"]
        if len(dois) == 1:
            yield _t(e, PRISM.doi, lit(dois[0]))
        if v.arxiv_version is not None:
            yield _t(e, KGR.arxivVersion, lit(v.arxiv_version, XSD.integer))
        yield _t(e, PROV.wasGeneratedBy, iri(build.iri))
        # sorted by record key, so a triple's direction does not depend on input order
        members = [record_iri(*key) for key in sorted(records[i].key for i in v.members)]
        for k, a in enumerate(members):
            yield _t(a, OWL.sameAs, iri(e))
            for b in members[k + 1:]:
                yield _t(a, OWL.sameAs, iri(b))
    for new, old in revisions(vs):
        yield _t(nodes[new], FRBR.revisionOf, iri(nodes[old]))
        yield _t(nodes[old], FRBR.revision, iri(nodes[new]))


def rejection_quads(r: Rejection, build: BuildInfo) -> Iterator[Quad]:
    s = rejection_iri(r)
    yield _t(s, RDF.type, iri(KGR.Rejection))
    yield _t(s, KGR.origin, lit(r.origin))
    yield _t(s, KGR.reason, lit(r.reason))
    if r.source:
        yield _t(s, KGR.source, lit(r.source))
    if r.record_id:
        yield _t(s, DCTERMS.identifier, lit(r.record_id))
    if r.raw:
        yield _t(s, KGR.rawText, lit(r.raw[:2000]))
    yield _t(s, PROV.wasGeneratedBy, iri(build.iri))


def match_quads(pair: ScoredPair, records: Sequence[Record], merged: bool) -> Iterator[Quad]:
    g = EVIDENCE_GRAPH
    a, b = records[pair.a], records[pair.b]
    s = match_iri(a, b)
    yield _t(s, RDF.type, iri(KGR.Match), g)
    yield _t(s, KGR.matchedRecord, iri(record_iri(a.source, a.record_id)), g)
    yield _t(s, KGR.matchedRecord, iri(record_iri(b.source, b.record_id)), g)
    yield _t(s, KGR.matchScore, lit(f"{pair.score:.6f}", XSD.decimal), g)
    yield _t(s, RDFS.label, lit("merged" if merged else "not merged"), g)
    for ev in pair.evidence:
        node = f"{s}/{_seg(ev.field)}"
        yield _t(s, KGR.evidence, iri(node), g)
        yield _t(node, RDF.type, iri(KGR.FieldEvidence), g)
        yield _t(node, KGR.field, lit(ev.field), g)
        yield _t(node, KGR.level, lit(ev.level), g)
        if ev.similarity is not None:
            yield _t(node, KGR.similarity, lit(f"{ev.similarity:.4f}", XSD.decimal), g)
        yield _t(node, KGR.weight, lit(f"{ev.weight:.3f}", XSD.decimal), g)


def build_quads(build: BuildInfo) -> Iterator[Quad]:
    """The build activity: the tool (a software agent with its version), the
    settings as JSON, the input files (entities it used), start and end time."""
    g = BUILD_GRAPH
    s = build.iri
    agent = build.agent_iri
    yield _t(s, RDF.type, iri(PROV.Activity), g)
    yield _t(s, RDF.type, iri(KGR.Build), g)
    yield _t(s, RDFS.label, lit(f"kg-resolve {build.tool_version} build"), g)
    yield _t(s, PROV.wasAssociatedWith, iri(agent), g)
    yield _t(s, KGR.settings, lit(build.settings_json, RDF.JSON), g)
    yield _t(s, PROV.startedAtTime, lit(build.started, XSD.dateTime), g)
    yield _t(s, PROV.endedAtTime, lit(build.ended, XSD.dateTime), g)
    yield _t(s, KGR.candidatePairs, lit(build.candidate_pairs, XSD.integer), g)
    yield _t(s, KGR.rejectedCount, lit(build.rejected, XSD.integer), g)
    yield _t(s, KGR.evidenceGraph, iri(EVIDENCE_GRAPH), g)
    for n, path in enumerate(build.inputs, 1):
        node = f"{s}/input/{n}"
        yield _t(s, PROV.used, iri(node), g)
        yield _t(node, RDF.type, iri(PROV.Entity), g)
        yield _t(node, RDFS.label, lit(path), g)
    yield _t(agent, RDF.type, iri(PROV.SoftwareAgent), g)
    yield _t(agent, RDFS.label, lit(f"kg-resolve {build.tool_version}"), g)
    yield _t(agent, OWL.versionInfo, lit(build.tool_version), g)


def graph_quads(records: Sequence[Record], works: Sequence[Work], rejections: Sequence[Rejection],
                pairs: Sequence[ScoredPair], build: BuildInfo) -> Iterator[Quad]:
    """Every quad of one build, records in input order, works by id."""
    work_of: dict[int, Work] = {i: w for w in works for i in w.members}
    versions_of = {w.work_id: versions(records, w.members) for w in works}
    for i, rec in enumerate(records):
        yield from record_quads(rec, work_of[i], build)
    idents: set[Identifier] = {x for rec in records for x in rec.identifiers}
    idents.update(x for vs in versions_of.values() for v in vs for x in v.identifiers)
    identifiers = sorted(idents)
    for scheme in sorted({scheme for scheme, _ in identifiers}):
        yield from scheme_quads(scheme)
    for scheme, value in identifiers:
        yield from identifier_quads(scheme, value)
    for work in works:
        yield from work_quads(work, records, build)
        yield from version_quads(work, versions_of[work.work_id], records, build)
    for r in rejections:
        yield from rejection_quads(r, build)
    for pair in pairs:
        merged = work_of[pair.a] is work_of[pair.b]
        if merged or pair.score >= NEAR_MISS:
            yield from match_quads(pair, records, merged)
    yield from build_quads(build)
