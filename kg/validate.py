"""Validate a store against the SHACL shapes of ``ontology/shapes.ttl`` (pyshacl).

pyshacl works on an in-memory rdflib graph, which for a build of 80,000
records (millions of triples) would be slow to make and large.  The store is
therefore validated in chunks of focus nodes, each chunk a small graph pulled
from the store with everything its shapes look at:

* works, a batch at a time, with their versions, source records and field
  choices (the nodes that are ``frbr:realizationOf`` the work, and what
  ``kgr:canonicalField`` reaches), so inverse paths (the records
  ``owl:sameAs`` a version) are complete;
* author nodes (shared by the records writing an author the same way), each
  with the links to it; identifiers and schemes, rejections, the evidence graph's match decisions
  with their field evidence, and the build graph;
* for every node a chunk refers to but does not hold (an identifier, the
  build, a record in another work), its ``rdf:type`` triples, so ``sh:class``
  checks see them.

Only the chunk's own nodes are focus nodes, so no node is reported twice.
Typed nodes that no work reaches are validated in a last chunk, and nodes of
no class the tool writes are reported without SHACL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, cast

import rdflib
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QuerySolutions,
    Store,
    Triple,
)

from .queries import data_dir
from .vocab import (
    BUILD_GRAPH,
    DATACITE,
    DECISIONS_GRAPH,
    EVIDENCE_GRAPH,
    FABIO,
    FOAF,
    FRBR,
    KGR,
    PREFIXES,
    PROV,
    RDF,
    XSD,
)

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHAPES_FILE = "shapes.ttl"

# The classes whose nodes each part of the graph holds, and what to follow
# from a focus node to the nodes its shapes need.
WORK_CLOSURE = (KGR.canonicalField,)
# followed backwards: the records and versions of a work name it (frbr:realizationOf)
WORK_BACK = (FRBR.realizationOf,)
WORK_PARTS = (KGR.Version, KGR.SourceRecord, KGR.FieldChoice)
DEFAULT_CLASSES = (FABIO.Work, *WORK_PARTS, FOAF.Agent, DATACITE.Identifier,
                   DATACITE.IdentifierScheme,
                   KGR.Rejection, KGR.RetiredWork)
EVIDENCE_CLASSES = (KGR.Match, KGR.FieldEvidence)
BUILD_CLASSES = (KGR.Build, PROV.SoftwareAgent, PROV.Entity, PROV.Activity)
DECISION_CLASSES = (KGR.Decision, PROV.Agent)


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, with IRIs compacted (``kgr:source``, ``id:record/...``)."""

    focus: str
    path: str
    message: str
    value: str = ""
    shape: str = ""
    component: str = ""
    severity: str = "Violation"


@dataclass
class Report:
    violations: list[Violation] = field(default_factory=list)
    focus_nodes: int = 0
    triples: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        return not self.violations


def load_shapes(path: Path | None = None) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path or data_dir("ontology") / SHAPES_FILE, format="turtle")
    return g


# ------------------------------------------------------------------ terms

_XSD_STRING = XSD.string


_NAMES = {**PREFIXES, "kgrsh": "https://w3id.org/kg-resolve/shapes#",
          "sh": "http://www.w3.org/ns/shacl#"}


def compact(iri: str) -> str:
    best = ""
    for prefix, ns in _NAMES.items():
        if iri.startswith(ns) and len(ns) > len(_NAMES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(_NAMES[best]):]}" if best else f"<{iri}>"


class _Terms:
    """pyoxigraph terms to rdflib terms, IRIs cached."""

    def __init__(self) -> None:
        self.iris: dict[str, rdflib.URIRef] = {}

    def iri(self, value: str) -> rdflib.URIRef:
        node = self.iris.get(value)
        if node is None:
            node = self.iris[value] = rdflib.URIRef(value)
        return node

    def __call__(self, term: object) -> rdflib.term.Node:
        if isinstance(term, NamedNode):
            return self.iri(term.value)
        if isinstance(term, Literal):
            if term.language:
                return rdflib.Literal(term.value, lang=term.language)
            dt = term.datatype.value
            if dt == _XSD_STRING:
                return rdflib.Literal(term.value)
            return rdflib.Literal(term.value, datatype=self.iri(dt))
        if isinstance(term, BlankNode):
            return rdflib.BNode(term.value)
        raise TypeError(f"unexpected term {term!r}")  # pragma: no cover


# ----------------------------------------------------------------- chunks


SHAPES = _NAMES["kgrsh"]
WORK_SHAPES = tuple(SHAPES + n for n in ("WorkShape", "VersionShape", "RecordShape",
                                         "FieldChoiceShape"))
AUTHOR_SHAPES = (SHAPES + "AuthorShape",)
IDENTIFIER_SHAPES = (SHAPES + "IdentifierShape",)
OTHER_SHAPES = (SHAPES + "SchemeShape", SHAPES + "RejectionShape", SHAPES + "RetiredWorkShape")
EVIDENCE_SHAPES = (SHAPES + "MatchShape", SHAPES + "FieldEvidenceShape")
BUILD_SHAPES = (SHAPES + "BuildShape", SHAPES + "SoftwareAgentShape", SHAPES + "InputShape")
DECISION_SHAPES = (SHAPES + "DecisionShape", SHAPES + "DeciderShape")


@dataclass
class Chunk:
    """A small graph, the focus nodes to validate in it and the shapes that
    apply to them (so that the nodes it holds only as context, by their type,
    are not validated there).  ``exact`` chunks name their focus nodes to
    pyshacl (which checks them against a list: fine for a few)."""

    name: str
    focus: list[str]
    triples: list[Triple]
    shapes: tuple[str, ...] = ()
    exact: bool = False


class ChunkMaker:
    """Pulls chunks out of a store (read-only)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.type_cache: dict[str, list[Triple]] = {}
        self.rdf_type = NamedNode(RDF.type)

    def _types(self, iri: str) -> list[Triple]:
        cached = self.type_cache.get(iri)
        if cached is None:
            node = NamedNode(iri)
            cached = [q.triple for g in (DefaultGraph(), NamedNode(EVIDENCE_GRAPH),
                                         NamedNode(BUILD_GRAPH))
                      for q in self.store.quads_for_pattern(node, self.rdf_type, None, g)]
            if len(self.type_cache) < 500_000:
                self.type_cache[iri] = cached
        return cached

    def closure(self, name: str, roots: Iterable[str], graph: NamedNode | DefaultGraph,
                follow: Sequence[str] = (), inverse: bool = False,
                shapes: tuple[str, ...] = (), back: Sequence[str] = ()) -> Chunk:
        """The roots, what ``follow`` reaches from them (and the subjects of
        ``back`` links to them), all their triples in ``graph``, and the types
        of what they refer to."""
        follow_set = set(follow)
        back_nodes = [NamedNode(p) for p in back]
        subjects = list(dict.fromkeys(roots))
        seen = set(subjects)
        triples: list[Triple] = []
        i = 0
        while i < len(subjects):
            s = NamedNode(subjects[i])
            i += 1
            for p in back_nodes:
                for q in self.store.quads_for_pattern(None, p, s, graph):
                    subject = cast("NamedNode | BlankNode", q.subject).value
                    if subject not in seen:
                        seen.add(subject)
                        subjects.append(subject)
            for q in self.store.quads_for_pattern(s, None, None, graph):
                triples.append(q.triple)
                if q.predicate.value in follow_set and isinstance(q.object, NamedNode):
                    o = q.object.value
                    if o not in seen:
                        seen.add(o)
                        subjects.append(o)
            if inverse:
                triples.extend(q.triple for q in self.store.quads_for_pattern(None, None, s, graph))
        referred = {t[2].value for t in triples if isinstance(t[2], NamedNode)}
        referred |= {t[0].value for t in triples}
        for iri in sorted(referred - seen):
            triples.extend(self._types(iri))
        return Chunk(name, subjects, triples, shapes, exact=inverse)

    def typed(self, classes: Iterable[str], graph: NamedNode | DefaultGraph) -> list[str]:
        out: list[str] = []
        for cls in classes:
            # subjects of rdf:type are nodes (no RDF-star in a store)
            out.extend(cast("NamedNode | BlankNode", q.subject).value for q in
                       self.store.quads_for_pattern(None, self.rdf_type, NamedNode(cls), graph))
        return list(dict.fromkeys(out))


def _batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass(frozen=True)
class ChunkPlan:
    """What a chunk holds, before it is pulled from the store (so that worker
    processes can pull and validate chunks in parallel)."""

    name: str
    roots: tuple[str, ...]
    graph: str = ""
    """``""`` for the default graph, else a named graph's IRI."""
    follow: tuple[str, ...] = ()
    inverse: bool = False
    shapes: tuple[str, ...] = ()
    back: tuple[str, ...] = ()

    def make(self, maker: ChunkMaker) -> Chunk:
        graph = NamedNode(self.graph) if self.graph else DefaultGraph()
        return maker.closure(self.name, self.roots, graph, self.follow, self.inverse,
                             self.shapes, self.back)


LEFTOVER_QUERIES = (
    # what the work chunks reach: realizations, field choices
    """SELECT ?x WHERE { VALUES ?t { kgr:Version kgr:SourceRecord } ?x a ?t
                         FILTER NOT EXISTS { ?x frbr:realizationOf ?w . ?w a fabio:Work } }""",
    "SELECT ?x WHERE { ?x a kgr:FieldChoice FILTER NOT EXISTS { ?w kgr:canonicalField ?x } }",
)


def plans(store: Store, batch: int = 2000) -> Iterator[ChunkPlan]:
    """The chunks of a store, in a fixed order: every typed node is the focus
    of exactly one chunk."""
    maker = ChunkMaker(store)
    default, evidence, build = DefaultGraph(), NamedNode(EVIDENCE_GRAPH), NamedNode(BUILD_GRAPH)
    works = sorted(maker.typed([FABIO.Work], default))
    for n, part in enumerate(_batches(works, batch)):
        yield ChunkPlan(f"works {n * batch + 1}-{n * batch + len(part)} of {len(works)}",
                        tuple(part), follow=WORK_CLOSURE, shapes=WORK_SHAPES, back=WORK_BACK)
    leftovers = sorted({row["x"].value for q in LEFTOVER_QUERIES
                        for row in cast(QuerySolutions, store.query(q, prefixes=PREFIXES))
                        if isinstance(row["x"], NamedNode)})
    for part in _batches(leftovers, batch):
        yield ChunkPlan("nodes no work reaches", tuple(part), inverse=True, shapes=WORK_SHAPES)
    # author nodes are shared by the records writing an author the same way:
    # validated apart, each with the records and works that link to it
    authors = sorted(maker.typed([FOAF.Agent], default))
    for part in _batches(authors, batch * 5):
        yield ChunkPlan("authors", tuple(part), inverse=True, shapes=AUTHOR_SHAPES)
    identifiers = sorted(maker.typed([DATACITE.Identifier], default))
    for part in _batches(identifiers, batch * 5):
        yield ChunkPlan("identifiers", tuple(part), shapes=IDENTIFIER_SHAPES)
    others = sorted(maker.typed([DATACITE.IdentifierScheme, KGR.Rejection, KGR.RetiredWork],
                                default))
    for part in _batches(others, batch * 5):
        yield ChunkPlan("schemes, rejections, retired work ids", tuple(part),
                        shapes=OTHER_SHAPES)
    matches = sorted(maker.typed([KGR.Match], evidence))
    for part in _batches(matches, batch * 2):
        yield ChunkPlan("evidence", tuple(part), EVIDENCE_GRAPH, shapes=EVIDENCE_SHAPES[:1])
    # field evidence is shared by the matches with the same evidence: validated
    # apart, each with the matches that point to it
    field_evidence = sorted(maker.typed([KGR.FieldEvidence], evidence))
    for part in _batches(field_evidence, batch):
        yield ChunkPlan("field evidence", tuple(part), EVIDENCE_GRAPH, inverse=True,
                        shapes=EVIDENCE_SHAPES[1:])
    builds = sorted(maker.typed(BUILD_CLASSES, build))
    if builds:
        yield ChunkPlan("build", tuple(builds), BUILD_GRAPH, (PROV.used, PROV.wasAssociatedWith),
                        shapes=BUILD_SHAPES)
    decided = sorted(maker.typed(DECISION_CLASSES, NamedNode(DECISIONS_GRAPH)))
    for part in _batches(decided, batch * 2):
        yield ChunkPlan("decisions", tuple(part), DECISIONS_GRAPH, (PROV.wasAttributedTo,),
                        shapes=DECISION_SHAPES)


def chunks(store: Store, batch: int = 2000) -> Iterator[Chunk]:
    """Every chunk of the store, pulled one after the other."""
    maker = ChunkMaker(store)
    for plan in plans(store, batch):
        yield plan.make(maker)


# -------------------------------------------------------------- untyped

UNTYPED_QUERY = """
SELECT DISTINCT ?s ?g WHERE {
  { ?s ?p ?o BIND("" AS ?g)
    FILTER NOT EXISTS { ?s a ?t VALUES ?t { %s } } }
  UNION
  { GRAPH <%s> { ?s ?p ?o FILTER NOT EXISTS { ?s a ?t VALUES ?t { %s } } } BIND("evidence" AS ?g) }
  UNION
  { GRAPH <%s> { ?s ?p ?o FILTER NOT EXISTS { ?s a ?t VALUES ?t { %s } } } BIND("build" AS ?g) }
  UNION
  { GRAPH <%s> { ?s ?p ?o FILTER NOT EXISTS { ?s a ?t VALUES ?t { %s } } }
    BIND("decisions" AS ?g) }
} LIMIT 1000
"""


def untyped_nodes(store: Store) -> list[Violation]:
    """Subjects of no class the tool writes: no shape would look at them."""
    def values(classes: Iterable[str]) -> str:
        return " ".join(f"<{c}>" for c in classes)

    q = UNTYPED_QUERY % (values(DEFAULT_CLASSES), EVIDENCE_GRAPH, values(EVIDENCE_CLASSES),
                         BUILD_GRAPH, values(BUILD_CLASSES), DECISIONS_GRAPH,
                         values(DECISION_CLASSES))
    where = {"": "the default graph", "evidence": "the evidence graph", "build": "the build graph",
             "decisions": "the decisions graph"}
    out = []
    for row in cast(QuerySolutions, store.query(q)):  # a SELECT query
        s, g = row["s"], row["g"].value
        focus = compact(s.value) if isinstance(s, NamedNode) else f"_:{s.value}"
        out.append(Violation(focus, "rdf:type",
                             f"Subject in {where[g]} has no class kg-resolve writes there, "
                             "so no shape validates it", component="Untyped"))
    return out


# ------------------------------------------------------------- validate


def _text(node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, rdflib.URIRef):
        return compact(str(node))
    if isinstance(node, rdflib.BNode):
        return "_:" + str(node)
    return str(node)


def _path_text(path: rdflib.term.Node | None, *graphs: rdflib.Graph) -> str:
    """A result path: ``kgr:source``, or ``^owl:sameAs`` for an inverse path."""
    if isinstance(path, rdflib.BNode):
        for g in graphs:
            inverse = g.value(path, SH.inversePath)
            if inverse is not None:
                return "^" + _text(inverse)
    return _text(path)


def results(report: rdflib.Graph, shapes: rdflib.Graph) -> list[Violation]:
    """The validation results of a pyshacl report graph."""
    out = []
    for r in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        shape = report.value(r, SH.sourceShape)
        if isinstance(shape, rdflib.BNode):  # a property shape: name its node shape
            shape = shapes.value(None, SH.property, shape) or shape
        component = str(report.value(r, SH.sourceConstraintComponent) or "")
        severity = str(report.value(r, SH.resultSeverity) or "")
        out.append(Violation(
            focus=_text(report.value(r, SH.focusNode)),
            path=_path_text(report.value(r, SH.resultPath), report, shapes),
            message=str(report.value(r, SH.resultMessage) or ""),
            value=_text(report.value(r, SH.value)),
            shape=_text(shape),
            component=component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent"),
            severity=severity.rsplit("#", 1)[-1]))
    return out


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph,
                   focus: Sequence[str] | None = None,
                   use_shapes: Sequence[str] = ()) -> list[Violation]:
    """Validate an rdflib graph: every node, or only ``focus`` (pyshacl checks
    focus nodes against a list: keep it short), with all shapes or some."""
    from pyshacl import validate

    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                            inplace=True,
                            focus_nodes=[rdflib.URIRef(f) for f in focus] if focus else None,
                            use_shapes=[rdflib.URIRef(s) for s in use_shapes] or None)
    return results(report, shapes)


def validate_chunk(chunk: Chunk, shapes: rdflib.Graph,
                   terms: _Terms | None = None) -> list[Violation]:
    """The violations of a chunk's own nodes."""
    if not chunk.focus:
        return []
    terms = terms or _Terms()
    g = rdflib.Graph()
    for s, p, o in chunk.triples:
        g.add((terms(s), terms(p), terms(o)))
    # pyshacl applies named focus nodes to every named shape, targeted or not:
    # an exact chunk names its nodes and lets the shapes' targets choose
    found = (validate_graph(g, shapes, chunk.focus) if chunk.exact
             else validate_graph(g, shapes, None, chunk.shapes))
    own = {compact(f) for f in chunk.focus}
    return [v for v in found if v.focus in own]


class _WorkerState(TypedDict, total=False):
    store: Store
    maker: ChunkMaker
    shapes: rdflib.Graph
    terms: _Terms


# Worker processes of a parallel validation: the store and shapes they hold.
_WORKER: _WorkerState = {}


def _init_worker(store_path: str, shapes_path: str | None) -> None:  # pragma: no cover
    _WORKER["store"] = Store.read_only(store_path)
    _WORKER["maker"] = ChunkMaker(_WORKER["store"])
    _WORKER["shapes"] = load_shapes(Path(shapes_path) if shapes_path else None)
    _WORKER["terms"] = _Terms()


def _run_plan(plan: ChunkPlan) -> tuple[int, int, list[Violation]]:  # pragma: no cover
    chunk = plan.make(_WORKER["maker"])
    found = validate_chunk(chunk, _WORKER["shapes"], _WORKER["terms"])
    return len(chunk.focus), len(chunk.triples), found


def validate_store(store: Store, shapes: rdflib.Graph | None = None, batch: int = 2000,
                   progress: Callable[[str], None] | None = None, jobs: int = 1,
                   store_path: Path | None = None, shapes_path: Path | None = None) -> Report:
    """Validate every node of a store, chunk by chunk; with ``jobs`` > 1 (and
    ``store_path``) in that many worker processes."""
    t0 = time.perf_counter()
    report = Report()
    found: set[Violation] = set()
    todo = list(plans(store, batch))
    if jobs > 1 and store_path is not None and len(todo) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"),
                                 initializer=_init_worker,
                                 initargs=(str(store_path),
                                           str(shapes_path) if shapes_path else None)) as pool:
            futures = {pool.submit(_run_plan, plan): plan for plan in todo}
            for done, future in enumerate(as_completed(futures), 1):
                focus, triples, violations = future.result()
                if progress:
                    progress(f"validated {done}/{len(todo)} chunks ({futures[future].name})")
                report.chunks += 1
                report.focus_nodes += focus
                report.triples += triples
                found.update(violations)
    else:
        shapes = shapes if shapes is not None else load_shapes(shapes_path)
        maker = ChunkMaker(store)
        terms = _Terms()
        for n, plan in enumerate(todo, 1):
            if progress:
                progress(f"validating chunk {n}/{len(todo)} ({plan.name})")
            chunk = plan.make(maker)
            report.chunks += 1
            report.focus_nodes += len(chunk.focus)
            report.triples += len(chunk.triples)
            found.update(validate_chunk(chunk, shapes, terms))
            if len(terms.iris) > 1_000_000:
                terms = _Terms()
    found.update(untyped_nodes(store))
    report.violations = sorted(found)
    report.seconds = round(time.perf_counter() - t0, 2)
    return report
