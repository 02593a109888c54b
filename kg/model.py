"""Resolved works as RDF: N-Quads lines, ready to bulk-load.

The model (see ``ontology/README.md``)::

    work    a fabio:Work ; canonical fields ; dcterms:creator the author nodes
            of the record its authors were taken from ; kgr:canonicalField one
            choice per record fields were taken from (kgr:field ...,
            prov:wasDerivedFrom), for a work of several records only
    version a fabio:Expression, kgr:Version ; frbr:realizationOf work ;
            frbr:revisionOf an earlier version (journal -> preprint, arXiv v2 -> v1);
            none for a work of one record (its record is its only version)
    record  a kgr:SourceRecord ; frbr:realizationOf work ; owl:sameAs its version ;
            datacite:hasIdentifier identifier ; dcterms:creator author ... ;
            kgr:authorList "the author node ids in list order"
    author  a foaf:Agent ; foaf:name ; foaf:familyName ; foaf:givenName ;
            kgr:authorKey: one node per distinct way an author is written,
            shared by the records writing it so (``id:author/{hash}``)

Each fact is said once: links in one direction only (no frbr:realization,
frbr:revision, or sameAs between records: they follow), a record's DOI as its
identifier node, author nodes shared by the records that write an author the
same way (the order of a record's authors is one literal), field evidence
nodes shared by the matches with the same evidence.
    identifier a datacite:Identifier ; datacite:usesIdentifierScheme datacite:doi ;
            literal:hasLiteralValue "10.1000/x"
    links out  work and version schema:sameAs the standard IRIs of the same
            thing (DOI, arXiv, PubMed, OpenAlex, Wikidata; :mod:`kg.links`)

The versions of a work come from :mod:`resolve.versions` (a pipeline stage): records
are ``owl:sameAs`` only within one version, never across a preprint and its
journal version.  Every IRI is derived from the data (source, record id, work
id, identifier value), never random, so rebuilding the same input gives the
same graph.  The default graph holds works, versions, records, identifiers
and rejections; match decisions with per-field evidence go to the named graph
``EVIDENCE_GRAPH`` and the build activity (with its time) to ``BUILD_GRAPH``.

Speed: a build writes millions of quads, so quads are written as N-Quads text
directly.  Every constant term is a module-level string already in N-Quads
form, each node's IRI is formatted once, the quads of one node go out as one
string, and :func:`graph_nquads` yields the text in chunks of whole lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from resolve.decisions import NEAR_MISS, work_of
from resolve.pipeline import Resolution
from resolve.types import (
    Author,
    Identifier,
    MatchDecision,
    Record,
    Rejection,
    Work,
    WorkVersions,
)

from .links import version_links, work_links
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
    SCHEMA,
    XSD,
)

__all__ = ["EVIDENCE_LEVELS", "NEAR_MISS", "BuildInfo", "graph_nquads", "graph_quads",
           "kept_decisions", "part_nquads", "resolution_nquads"]


# --- terms -----------------------------------------------------------------

def iri(value: str) -> str:
    return f"<{value}>"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _esc(text: str) -> str:
    """``text`` as the inside of an N-Quads string literal (most need no escape)."""
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def lit(value: object, datatype: str | None = None) -> str:
    text = _esc(str(value))
    if datatype and datatype != XSD.string:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


_UNRESERVED_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch
_UNRESERVED_OR_SLASH = re.compile(r"[A-Za-z0-9_.~/-]*").fullmatch
_QUOTE_ASCII = str.maketrans({chr(c): f"%{c:02X}" for c in range(128)
                              if chr(c) not in _UNRESERVED_CHARS})


def _seg(value: str) -> str:
    """``value`` as one IRI path segment: percent-encoded except the unreserved
    characters, as ``quote(value, safe="")`` gives it (faster for the usual ids
    and DOIs)."""
    if _UNRESERVED(value):
        return value
    if _UNRESERVED_OR_SLASH(value):
        return value.replace("/", "%2F")
    if value.isascii():
        return value.translate(_QUOTE_ASCII)
    return quote(value, safe="")


def _h(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def work_iri(work_id: str) -> str:
    return f"{DATA}work/{work_id}"


def record_iri(source: str, record_id: str) -> str:
    return f"{DATA}record/{_seg(source)}/{_seg(record_id)}"


def identifier_iri(scheme: str, value: str) -> str:
    return f"{DATA}identifier/{_seg(scheme)}/{_seg(value)}"


def author_id(a: Author) -> str:
    """An author node's id: 16 hex digits of a hash of the author as written
    (name, family and given names, key): records writing an author the same
    way share the node."""
    return _h(a.name, a.family, a.given, a.key)


def author_iri(author: str) -> str:
    """The IRI of the author node of id ``author`` (:func:`author_id`)."""
    return f"{DATA}author/{author}"


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


# --- quads -------------------------------------------------------------------
# Terms in N-Quads form.  Built from the closed namespaces, so a typo fails at
# import rather than minting a bogus IRI.

_A = iri(RDF.type)
_WORK, _EXPRESSION, _PREPRINT = iri(FABIO.Work), iri(FABIO.Expression), iri(FABIO.Preprint)
_SOURCE_RECORD, _VERSION = iri(KGR.SourceRecord), iri(KGR.Version)
_REJECTION, _MATCH, _FIELD_EVIDENCE = iri(KGR.Rejection), iri(KGR.Match), iri(KGR.FieldEvidence)
_FIELD_CHOICE, _BUILD = iri(KGR.FieldChoice), iri(KGR.Build)
_AGENT = iri(FOAF.Agent)
_IDENTIFIER_NODE, _SCHEME_NODE = iri(DATACITE.Identifier), iri(DATACITE.IdentifierScheme)
_ACTIVITY, _SOFTWARE_AGENT, _ENTITY = iri(PROV.Activity), iri(PROV.SoftwareAgent), iri(PROV.Entity)

_TITLE, _IDENTIFIER, _DATE = iri(DCTERMS.title), iri(DCTERMS.identifier), iri(DCTERMS.date)
_CREATOR, _ABSTRACT = iri(DCTERMS.creator), iri(DCTERMS.abstract)
_YEAR, _URL = iri(FABIO.hasPublicationYear), iri(FABIO.hasURL)
_VENUE, _VOLUME = iri(PRISM.publicationName), iri(PRISM.volume)
_ISSUE, _PAGES, _DOI = iri(PRISM.issueIdentifier), iri(PRISM.pageRange), iri(PRISM.doi)
_REALIZATION_OF, _REVISION_OF = iri(FRBR.realizationOf), iri(FRBR.revisionOf)
_HAS_IDENTIFIER = iri(DATACITE.hasIdentifier)
_REPLACED_BY = iri(DCTERMS.isReplacedBy)
_RETIRED = iri(KGR.RetiredWork)
_USES_SCHEME, _LITERAL_VALUE = iri(DATACITE.usesIdentifierScheme), iri(LITERAL.hasLiteralValue)
_NAME, _FAMILY, _GIVEN = iri(FOAF.name), iri(FOAF.familyName), iri(FOAF.givenName)
_SAME_AS, _VERSION_INFO = iri(OWL.sameAs), iri(OWL.versionInfo)
_LABEL, _LINK = iri(RDFS.label), iri(SCHEMA.sameAs)
_GENERATED_BY, _DERIVED_FROM = iri(PROV.wasGeneratedBy), iri(PROV.wasDerivedFrom)
_ASSOCIATED_WITH, _USED = iri(PROV.wasAssociatedWith), iri(PROV.used)
_STARTED, _ENDED = iri(PROV.startedAtTime), iri(PROV.endedAtTime)
_INFORMED_BY = iri(PROV.wasInformedBy)
_SOURCE, _ORIGIN, _RECORD_TYPE = iri(KGR.source), iri(KGR.origin), iri(KGR.recordType)
_ARXIV_VERSION, _AUTHOR_KEY = iri(KGR.arxivVersion), iri(KGR.authorKey)
_AUTHOR_LIST, _RECORD_COUNT = iri(KGR.authorList), iri(KGR.recordCount)
_VERSION_BASIS, _CANONICAL_FIELD = iri(KGR.versionBasis), iri(KGR.canonicalField)
_FIELD, _REASON, _RAW_TEXT = iri(KGR.field), iri(KGR.reason), iri(KGR.rawText)
_MATCH_SCORE, _MATCHED_RECORD = iri(KGR.matchScore), iri(KGR.matchedRecord)
_EVIDENCE, _LEVEL = iri(KGR.evidence), iri(KGR.level)
_SIMILARITY, _WEIGHT = iri(KGR.similarity), iri(KGR.weight)
_CANDIDATE_PAIRS, _REJECTED_COUNT = iri(KGR.candidatePairs), iri(KGR.rejectedCount)
_EVIDENCE_GRAPH_PROP, _SETTINGS = iri(KGR.evidenceGraph), iri(KGR.settings)
_VETOED_BY = iri(KGR.vetoedBy)

# datatypes, as the suffix of a literal
_INTEGER, _DECIMAL, _GYEAR = f"^^{iri(XSD.integer)}", f"^^{iri(XSD.decimal)}", f"^^{iri(XSD.gYear)}"
_ANY_URI, _DATE_TIME = f"^^{iri(XSD.anyURI)}", f"^^{iri(XSD.dateTime)}"
_JSON = f"^^{iri(RDF.JSON)}"

_EV, _BG = iri(EVIDENCE_GRAPH), iri(BUILD_GRAPH)

# the literal fields of a record and of a work, in the order they are written
_RECORD_TEXT = ("venue", "volume", "issue", "pages", "abstract", "type")
_WORK_TEXT = (*_RECORD_TEXT, "doi")
_TEXT_PROP = {"venue": _VENUE, "volume": _VOLUME, "issue": _ISSUE, "pages": _PAGES,
              "abstract": _ABSTRACT, "type": _RECORD_TYPE, "doi": _DOI}

Out = list[str]
"""N-Quads text is appended here, one or more whole lines per item."""


class _Identifiers:
    """The identifier nodes a build links to: their IRIs, formatted once."""

    def __init__(self) -> None:
        self.iris: dict[Identifier, str] = {}
        self._schemes: dict[str, str] = {}

    def __getitem__(self, x: Identifier) -> str:
        node = self.iris.get(x)
        if node is None:
            scheme = self._schemes.get(x[0])
            if scheme is None:
                scheme = self._schemes[x[0]] = f"<{DATA}identifier/{_seg(x[0])}/"
            node = self.iris[x] = f"{scheme}{_seg(x[1])}>"
        return node


class _Authors:
    """The author nodes a build links to: one per distinct way an author is
    written (name, family and given names, key), shared by every record
    writing it so; each node's quads are written once, when first linked."""

    def __init__(self) -> None:
        self.ids: dict[Author, str] = {}
        self.written: set[str] = set()

    def ids_of(self, out: Out, authors: Sequence[Author]) -> list[str]:
        """The node ids of ``authors`` in list order; writes the new nodes."""
        ids = self.ids
        out_ids = []
        for a in authors:
            aid = ids.get(a)
            if aid is None:
                aid = ids[a] = author_id(a)
                if aid in self.written:  # the same writing, another organization flag
                    out_ids.append(aid)
                    continue
                self.written.add(aid)
                node = f"{_AUTHOR_PREFIX}{aid}>"
                out.append(f'{node} {_A} {_AGENT} .\n{node} {_NAME} "{_esc(a.name)}" .\n'
                           f'{node} {_AUTHOR_KEY} "{_esc(a.key)}" .\n')
                if a.family:
                    out.append(f'{node} {_FAMILY} "{_esc(a.family)}" .\n')
                if a.given:
                    out.append(f'{node} {_GIVEN} "{_esc(a.given)}" .\n')
            out_ids.append(aid)
        return out_ids


def _creators(out: Out, s: str, ids: Sequence[str]) -> None:
    """``dcterms:creator`` from ``s`` to each distinct author node of ``ids``."""
    out.append("".join(f"{s} {_CREATOR} {_AUTHOR_PREFIX}{aid}> .\n"
                       for aid in dict.fromkeys(ids)))


def _record(out: Out, rec: Record, s: str, work: str, build: str, ids: _Identifiers,
            authors: _Authors) -> None:
    # a kgr:SourceRecord is a fabio:Expression (kgr.ttl), and was generated
    # with its work (said once, on the work)
    out.append(f'{s} {_A} {_SOURCE_RECORD} .\n'
               f'{s} {_SOURCE} "{_esc(rec.source)}" .\n'
               f'{s} {_IDENTIFIER} "{_esc(rec.record_id)}" .\n'
               f'{s} {_REALIZATION_OF} {work} .\n')
    if rec.origin:
        out.append(f'{s} {_ORIGIN} "{_esc(rec.origin)}" .\n')
    if rec.title:
        out.append(f'{s} {_TITLE} "{_esc(rec.title)}" .\n')
    if rec.year is not None:
        out.append(f'{s} {_YEAR} "{rec.year:04d}"{_GYEAR} .\n')
    if rec.date:
        out.append(f'{s} {_DATE} "{_esc(rec.date)}" .\n')
    for prop, value in ((_VENUE, rec.venue), (_VOLUME, rec.volume), (_ISSUE, rec.issue),
                        (_PAGES, rec.pages), (_ABSTRACT, rec.abstract), (_RECORD_TYPE, rec.type)):
        if value:
            out.append(f'{s} {prop} "{_esc(value)}" .\n')
    if rec.arxiv_version is not None:
        out.append(f'{s} {_ARXIV_VERSION} "{rec.arxiv_version}"{_INTEGER} .\n')
    # a record's DOI is its identifier node (the literal is on works and versions)
    for x in rec.identifiers:
        out.append(f"{s} {_HAS_IDENTIFIER} {ids[x]} .\n")
    for url in rec.urls:
        out.append(f'{s} {_URL} "{_esc(url)}"{_ANY_URI} .\n')
    if rec.authors:
        # the list says the order (and repeats); dcterms:creator links each node once
        aids = authors.ids_of(out, rec.authors)
        out.append(f'{s} {_AUTHOR_LIST} "{" ".join(aids)}" .\n')
        _creators(out, s, aids)


def _work(out: Out, work: Work, s: str, records: Sequence[Record], rec_iris: Sequence[str],
          build: str, ids: _Identifiers, authors: _Authors) -> None:
    f = work.fields
    out.append(f'{s} {_A} {_WORK} .\n{s} {_IDENTIFIER} "{_esc(work.work_id)}" .\n'
               f'{s} {_RECORD_COUNT} "{len(work.members)}"{_INTEGER} .\n'
               f'{s} {_GENERATED_BY} {build} .\n')
    if "title" in f:
        out.append(f'{s} {_TITLE} "{_esc(str(f["title"]))}" .\n')
    if "year" in f:
        out.append(f'{s} {_YEAR} "{f["year"]:04d}"{_GYEAR} .\n')
    for name in _WORK_TEXT:
        if name in f:
            out.append(f'{s} {_TEXT_PROP[name]} "{_esc(str(f[name]))}" .\n')
    # (the DOI's identifier node is linked from the records that carry it)
    if "authors" in f:
        # the author nodes of the record the authors were taken from (their
        # order is that record's kgr:authorList)
        _creators(out, s, authors.ids_of(out, records[work.field_sources["authors"]].authors))
    if len(work.members) > 1:
        _field_choices(out, s, work, records, rec_iris)
    # the records say frbr:realizationOf the work; the inverse is not repeated
    out.extend(f"{s} {_LINK} <{link}> .\n" for link in work_links(work.members, records))


def _field_choices(out: Out, s: str, work: Work, records: Sequence[Record],
                   rec_iris: Sequence[str]) -> None:
    """One choice per record that canonical fields were taken from, naming
    them: only for a work of several records (a single record's work took
    every field from it, which needs no saying)."""
    taken: dict[int, list[str]] = {}
    for name, pos in sorted(work.field_sources.items()):
        taken.setdefault(pos, []).append(name)
    base = s[:-1]
    for pos in sorted(taken, key=lambda p: records[p].key):
        rec = rec_iris[pos]
        node = f"{base}/from/{rec[_RECORD_PREFIX_LEN:]}"
        out.append(f"{s} {_CANONICAL_FIELD} {node} .\n{node} {_A} {_FIELD_CHOICE} .\n"
                   f"{node} {_DERIVED_FROM} {rec} .\n")
        out.append("".join(f'{node} {_FIELD} "{_esc(name)}" .\n' for name in taken[pos]))


def _versions(out: Out, w: str, wv: WorkVersions, records: Sequence[Record],
              rec_iris: Sequence[str], build: str, ids: _Identifiers) -> None:
    """The versions of one work: expression nodes, their revision links, and
    ``owl:sameAs`` from each version's records to its node.  A work of one
    record has no version node: its record is its only version."""
    if len(wv.versions) == 1 and len(wv.versions[0].members) == 1:
        # the work stands for its one version: the version's links go on it
        out.extend(f"{w} {_LINK} <{link}> .\n" for link in version_links(wv.versions[0], records))
        return
    nodes = []
    for v in wv.versions:
        vid = expression_id(records[v.members[0]])
        e = f"<{DATA}expression/{vid}>"
        nodes.append(e)
        out.append(f"{e} {_A} {_EXPRESSION} .\n{e} {_A} {_VERSION} .\n")
        if v.preprint:
            out.append(f"{e} {_A} {_PREPRINT} .\n")
        out.append(f'{e} {_IDENTIFIER} "{vid}" .\n{e} {_REALIZATION_OF} {w} .\n'
                   f'{e} {_RECORD_COUNT} "{len(v.members)}"{_INTEGER} .\n'
                   f'{e} {_VERSION_BASIS} "{_esc(v.basis)}" .\n')
        for x in v.identifiers:
            out.append(f"{e} {_HAS_IDENTIFIER} {ids[x]} .\n")
        dois = [value for scheme, value in v.identifiers if scheme == "doi"]
        if len(dois) == 1:
            out.append(f'{e} {_DOI} "{_esc(dois[0])}" .\n')
        if v.arxiv_version is not None:
            out.append(f'{e} {_ARXIV_VERSION} "{v.arxiv_version}"{_INTEGER} .\n')
        # each record sameAs its version: that two records of one version are
        # sameAs each other follows (owl:sameAs is symmetric and transitive)
        out.append("".join(f"{rec_iris[i]} {_SAME_AS} {e} .\n" for i in v.members))
        out.extend(f"{e} {_LINK} <{link}> .\n" for link in version_links(v, records))
    for new, old in wv.revisions:  # frbr:revision, the inverse, is not repeated
        out.append(f"{nodes[new]} {_REVISION_OF} {nodes[old]} .\n")


def _identifier(out: Out, x: Identifier, s: str) -> None:
    scheme, value = x
    out.append(f"{s} {_A} {_IDENTIFIER_NODE} .\n{s} {_USES_SCHEME} <{scheme_iri(scheme)}> .\n"
               f'{s} {_LITERAL_VALUE} "{_esc(value)}" .\n')


def _scheme(out: Out, scheme: str) -> None:
    if scheme in DATACITE_SCHEMES:
        return
    s = iri(scheme_iri(scheme))
    out.append(f'{s} {_A} {_SCHEME_NODE} .\n{s} {_LABEL} "{_esc(scheme)}" .\n')


def _rejection(out: Out, r: Rejection, build: str) -> None:
    s = iri(rejection_iri(r))
    out.append(f'{s} {_A} {_REJECTION} .\n{s} {_ORIGIN} "{_esc(r.origin)}" .\n'
               f'{s} {_REASON} "{_esc(r.reason)}" .\n')
    if r.source:
        out.append(f'{s} {_SOURCE} "{_esc(r.source)}" .\n')
    if r.record_id:
        out.append(f'{s} {_IDENTIFIER} "{_esc(r.record_id)}" .\n')
    if r.raw:
        out.append(f'{s} {_RAW_TEXT} "{_esc(r.raw[:2000])}" .\n')
    out.append(f"{s} {_GENERATED_BY} {build} .\n")


def _match(out: Out, pair: MatchDecision, records: Sequence[Record],
           rec_iris: Sequence[str], written: set[str]) -> None:
    """A match decision; its field evidence nodes are shared by every decision
    with the same evidence (field, level, similarity, weight), each written
    once (``written`` holds those already written)."""
    g = _EV
    node = match_iri(records[pair.a], records[pair.b])
    s = f"<{node}>"
    label = "merged" if pair.merged else "not merged"
    out.append(f"{s} {_A} {_MATCH} {g} .\n"
               f"{s} {_MATCHED_RECORD} {rec_iris[pair.a]} {g} .\n"
               f"{s} {_MATCHED_RECORD} {rec_iris[pair.b]} {g} .\n"
               f'{s} {_MATCH_SCORE} "{pair.score:.6f}"{_DECIMAL} {g} .\n'
               f'{s} {_LABEL} "{label}" {g} .\n')
    if pair.vetoed_by:
        out.append(f'{s} {_VETOED_BY} "{_esc(pair.vetoed_by)}" {g} .\n')
    for ev in pair.evidence:
        if ev.weight == 0 and ev.level == "missing":
            continue  # a field one side lacks adds no evidence: nothing to explain
        sim = "" if ev.similarity is None else f"{ev.similarity:.4f}"
        weight = f"{ev.weight:.3f}"
        e = f"<{DATA}evidence/{_h(ev.field, ev.level, sim, weight)}>"
        out.append(f'{s} {_EVIDENCE} {e} {g} .\n')
        if e in written:
            continue
        written.add(e)
        out.append(f'{e} {_A} {_FIELD_EVIDENCE} {g} .\n'
                   f'{e} {_FIELD} "{_esc(ev.field)}" {g} .\n'
                   f'{e} {_LEVEL} "{_esc(ev.level)}" {g} .\n')
        if sim:
            out.append(f'{e} {_SIMILARITY} "{sim}"{_DECIMAL} {g} .\n')
        out.append(f'{e} {_WEIGHT} "{weight}"{_DECIMAL} {g} .\n')


def _build(out: Out, build: BuildInfo, earlier: Iterable[str] = ()) -> None:
    """The build activity: the tool (a software agent with its version), the
    settings as JSON, the input files (entities it used), start and end time;
    and the ``earlier`` builds (IRIs) that made works or rejections the graph
    still holds as they made them (``kg add``), which it was informed by."""
    g = _BG
    s, agent = iri(build.iri), iri(build.agent_iri)
    version = _esc(build.tool_version)
    out.append(f'{s} {_A} {_ACTIVITY} {g} .\n{s} {_A} {_BUILD} {g} .\n'
               f'{s} {_LABEL} "kg-resolve {version} build" {g} .\n'
               f'{s} {_ASSOCIATED_WITH} {agent} {g} .\n'
               f'{s} {_SETTINGS} "{_esc(build.settings_json)}"{_JSON} {g} .\n'
               f'{s} {_STARTED} "{_esc(build.started)}"{_DATE_TIME} {g} .\n'
               f'{s} {_ENDED} "{_esc(build.ended)}"{_DATE_TIME} {g} .\n'
               f'{s} {_CANDIDATE_PAIRS} "{build.candidate_pairs}"{_INTEGER} {g} .\n'
               f'{s} {_REJECTED_COUNT} "{build.rejected}"{_INTEGER} {g} .\n'
               f'{s} {_EVIDENCE_GRAPH_PROP} {_EV} {g} .\n')
    for n, path in enumerate(build.inputs, 1):
        node = f"<{build.iri}/input/{n}>"
        out.append(f'{s} {_USED} {node} {g} .\n{node} {_A} {_ENTITY} {g} .\n'
                   f'{node} {_LABEL} "{_esc(path)}" {g} .\n')
    out.append(f'{agent} {_A} {_SOFTWARE_AGENT} {g} .\n'
               f'{agent} {_LABEL} "kg-resolve {version}" {g} .\n'
               f'{agent} {_VERSION_INFO} "{version}" {g} .\n')
    for old in sorted(set(earlier) - {build.iri}):
        o = iri(old)
        out.append(f'{s} {_INFORMED_BY} {o} {g} .\n'
                   f'{o} {_A} {_ACTIVITY} {g} .\n')


_RECORD_PREFIX = f"<{DATA}record/"
_AUTHOR_PREFIX = f"<{DATA}author/"
_RECORD_PREFIX_LEN = len(_RECORD_PREFIX)


def _record_iris(records: Sequence[Record]) -> list[str]:
    """Every record's IRI in N-Quads form, in record order."""
    sources: dict[str, str] = {}
    out = []
    for r in records:
        base = sources.get(r.source)
        if base is None:
            base = sources[r.source] = f"{_RECORD_PREFIX}{_seg(r.source)}/"
        out.append(f"{base}{_seg(r.record_id)}>")
    return out


class _RecordIris:
    """:func:`_record_iris` of the records asked for (a part of the graph
    names few of them; making all 80,000 took a second of each part)."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = records
        self.bases: dict[str, str] = {}

    def __getitem__(self, i: int) -> str:
        r = self.records[i]
        base = self.bases.get(r.source)
        if base is None:
            base = self.bases[r.source] = f"{_RECORD_PREFIX}{_seg(r.source)}/"
        return f"{base}{_seg(r.record_id)}>"


class _Owners:
    """:func:`resolve.decisions.work_of`, made when first asked."""

    def __init__(self, works: Sequence[Work]) -> None:
        self.works = works
        self.owner: dict[int, int] | None = None

    def __getitem__(self, i: int) -> int:
        if self.owner is None:
            self.owner = {r: n for n, w in enumerate(self.works) for r in w.members}
        return self.owner[i]


def _redirect(out: Out, old: str, new: str) -> None:
    """A retired work id: its IRI names the work that replaced it (a merge)."""
    s = f"<{DATA}work/{old}>"
    out.append(f'{s} {_A} {_RETIRED} .\n{s} {_IDENTIFIER} "{_esc(old)}" .\n'
               f'{s} {_REPLACED_BY} <{DATA}work/{new}> .\n')


def graph_nquads(records: Sequence[Record], works: Sequence[Work],
                 versions: Sequence[WorkVersions], rejections: Sequence[Rejection],
                 decisions: Iterable[MatchDecision], build: BuildInfo,
                 chunk: int = 1024, redirects: Mapping[str, str] | None = None,
                 made_by: Mapping[str, str] | None = None) -> Iterator[str]:
    """Every quad of one build as N-Quads text, in chunks of whole lines (of
    ``chunk`` pieces, a node's quads or a few of them; some 300 KB): records in
    input order, then works in the given order with their versions, the
    ``redirects`` (retired work id -> the id replacing it), identifiers,
    rejections, match decisions and the build.  ``made_by``: the builds (IRIs)
    that made works and rejections as they are, by their IRIs, when not
    ``build`` (a work ``kg add`` left as it was names the build that made it)."""
    return part_nquads(records, works, versions, record_positions=range(len(records)),
                       work_positions=range(len(works)), redirects=redirects or {},
                       rejections=rejections, decisions=decisions, build=build, chunk=chunk,
                       made_by=made_by)


def part_nquads(records: Sequence[Record], works: Sequence[Work],
                versions: Sequence[WorkVersions], *, record_positions: Iterable[int],
                work_positions: Iterable[int], redirects: Mapping[str, str],
                rejections: Sequence[Rejection], decisions: Iterable[MatchDecision],
                build: BuildInfo, with_build: bool = True, chunk: int = 1024,
                made_by: Mapping[str, str] | None = None) -> Iterator[str]:
    """Part of the graph :func:`graph_nquads` makes of ``records``, ``works``
    and ``versions`` (all of them: positions and owners are theirs), for
    updating a store in place (:mod:`kg.incremental`): the records at
    ``record_positions``, the works at ``work_positions`` with their versions,
    the given ``redirects``, ``rejections`` and match ``decisions``, the
    identifier nodes (and schemes) and author nodes these link to, and the build activity
    unless not ``with_build``.  Every quad is one :func:`graph_nquads` writes (the
    same node writers make them); with every position and all the rest given,
    the same quads.  ``made_by``: see :func:`graph_nquads`."""
    out: Out = []
    made = made_by or {}
    owner: Any
    rec_iris: Any
    if isinstance(record_positions, range) and len(record_positions) == len(records):
        owner, rec_iris = work_of(len(records), works), _record_iris(records)
    else:  # a part (kg add): the owners and IRIs of the records it names
        owner, rec_iris = _Owners(works), _RecordIris(records)
    b = iri(build.iri)
    ids = _Identifiers()
    authors = _Authors()

    def chunks() -> Iterator[None]:
        for i in record_positions:
            _record(out, records[i], rec_iris[i], f"<{DATA}work/{works[owner[i]].work_id}>",
                    b, ids, authors)
            yield
        for n in work_positions:
            w = f"<{DATA}work/{works[n].work_id}>"
            made_w = made.get(w[1:-1])
            _work(out, works[n], w, records, rec_iris, b if made_w is None else iri(made_w),
                  ids, authors)
            _versions(out, w, versions[n], records, rec_iris, b, ids)
            yield
        for old, new in sorted(redirects.items()):
            _redirect(out, old, new)
            yield
        identifiers = sorted(ids.iris)
        for scheme in sorted({scheme for scheme, _ in identifiers}):
            _scheme(out, scheme)
        for x in identifiers:
            _identifier(out, x, ids.iris[x])
            yield
        for r in rejections:
            made_r = made.get(rejection_iri(r))
            _rejection(out, r, b if made_r is None else iri(made_r))
            yield
        written: set[str] = set()
        for decision in decisions:
            _match(out, decision, records, rec_iris, written)
            yield
        if with_build:
            _build(out, build, made.values())

    for _ in chunks():
        if len(out) >= chunk:
            yield "".join(out)
            out.clear()
    if out:
        yield "".join(out)


EVIDENCE_LEVELS = ("all", "decisions", "none")
"""What the evidence graph keeps (``kg build --evidence``): every pair merged or
scored at least :data:`NEAR_MISS` (``all``); the merged pairs and the pairs
whose score would have merged them but a rule or the clustering kept apart
(``decisions``, the default); nothing (``none``)."""


def kept_decisions(decisions: Iterable[MatchDecision], evidence: str = "decisions"
                   ) -> Iterator[MatchDecision]:
    """The match decisions the evidence graph keeps at level ``evidence``."""
    if evidence not in EVIDENCE_LEVELS:
        raise ValueError(f"evidence {evidence!r}: expected one of {', '.join(EVIDENCE_LEVELS)}")
    if evidence == "none":
        return
    for d in decisions:
        if evidence == "all" or d.merged or d.vetoed_by:
            yield d


def resolution_nquads(resolution: Resolution, rejections: Sequence[Rejection],
                      build: BuildInfo, evidence: str = "decisions",
                      made_by: Mapping[str, str] | None = None) -> Iterator[str]:
    """:func:`graph_nquads` of a whole resolution: what ``kg build`` writes,
    with the match decisions ``evidence`` keeps (see :data:`EVIDENCE_LEVELS`)."""
    return graph_nquads(resolution.records, resolution.works, resolution.versions,
                        rejections, kept_decisions(resolution.decisions(), evidence), build,
                        redirects=resolution.ids.redirects if resolution.ids else None,
                        made_by=made_by)


def graph_quads(records: Sequence[Record], works: Sequence[Work],
                versions: Sequence[WorkVersions], rejections: Sequence[Rejection],
                decisions: Iterable[MatchDecision], build: BuildInfo) -> Iterator[str]:
    """The quads of :func:`graph_nquads` one line at a time (for tests and
    small graphs; a literal's line breaks are escaped, so a line is a quad)."""
    for text in graph_nquads(records, works, versions, rejections, decisions, build):
        for line in text.split("\n")[:-1]:
            yield line + "\n"
