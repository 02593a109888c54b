"""``kg add`` updates the graph of the store in place instead of writing it whole.

A full write makes every quad of the resolution (:func:`kg.model.resolution_nquads`)
and bulk-loads them: two thirds of a build.  An add of a few new records
changes few of them, so :func:`update_store` instead

1. copies the current build's Oxigraph store into the new build's directory
   (:func:`copy_store`: a RocksDB checkpoint, hard links to its immutable
   table files; the old build is only read and stays whole and readable);
2. works out what the add changed (:func:`plan_update`, over plain data: the
   old build's works and redirects as its id state keeps them, and the new
   resolution).  A work is *unchanged* when it has the same id and the same
   records as before: its canonical fields, versions and links are functions
   of its records alone (:func:`resolve.works.make_works`,
   :func:`resolve.versions.work_versions`), so its quads are the old ones,
   ``prov:wasGeneratedBy`` too: a work names the build that made it as it is
   (:func:`made_by`; before, every work named the last build, and an add of
   1% to depression rewrote that quad of all 69,733 works).
   Everything else is rewritten: the changed works (and their version and
   field-choice nodes), the records of changed works (the records added are
   among them), the new or changed redirects, the new rejections, and the
   identifier nodes (and schemes) and author nodes these link to;
3. removes from the copy the quads of the subjects it rewrites that the new
   graph does not have (read from the store: the old works' expression and
   field-choice nodes are found there), and identifier, scheme and author
   nodes no longer linked from anything; brings the named graphs (match evidence, build,
   people's decisions) to the new build's by a quad-level difference (a
   pair's score may move with the corpus statistics, so every kept decision
   is compared); and adds the rewritten quads the copy lacks.

The store then holds exactly the quads a full write of the same resolution
gives (``tests/test_add_in_place.py`` compares the two, quad for quad).  The
copy is not compacted again (:meth:`pyoxigraph.Store.optimize`): the changes
are small beside the compacted tables they sit on.

:func:`plan_in_place` says when the graph is written in full instead: the
old build predates this (no :data:`GRAPH_MODEL` in its metadata) or was made
by other graph-writing code (another digest), or the add rewrites more than
:data:`IN_PLACE_UP_TO` of the records (then a full write is as fast).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse

from resolve import __version__, comparisons, scoring
from resolve.ids import PriorIds
from resolve.pipeline import Resolution
from resolve.types import Identifier, Rejection

from . import decisions as human
from . import evidence_text, links, model, vocab
from .model import BuildInfo, part_nquads
from .storedir import StoreError
from .vocab import BUILD_GRAPH, DATA, DECISIONS_GRAPH, EVIDENCE_GRAPH, FRBR, KGR

IN_PLACE_UP_TO = 0.2
"""The largest share of all records that the records of changed works may be
for the graph to be updated in place (above it, a full write is as fast)."""

GRAPH_MODEL = "graph model"
"""The key, in a build's metadata, of the digest of the code that wrote its
graph (:func:`graph_model`): only a graph written by the same code is updated
in place, so that its unchanged parts are what this code would write."""


def graph_model() -> str:
    """A digest of the tool's version and of the modules that make the graph's
    quads (:mod:`kg.model`, :mod:`kg.links`, :mod:`kg.vocab`,
    :mod:`kg.decisions`) and the text of the match evidence an add reuses
    (:mod:`kg.evidence_text`, :mod:`resolve.scoring`, :mod:`resolve.comparisons`)."""
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    for module in (model, links, vocab, human, evidence_text, scoring, comparisons):
        h.update(Path(str(module.__file__)).read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Base:
    """The build an add starts from, as its directory and state keep it."""

    path: Path
    """Its directory (``DIR/builds/NAME``), holding its Oxigraph store."""
    metadata: Mapping
    ids: PriorIds
    records: int
    """How many records it had: the add's records come after them."""
    rejected: int
    made_by: Mapping[str, str] = field(default_factory=dict)
    """The builds (IRIs) that made its works and rejections as they are, by
    their IRIs, where that is not this build (:func:`made_by`)."""

    @property
    def build_iri(self) -> str:
        return f"{DATA}build/{self.metadata.get('build', '')}"


def made_by(base: Base | None, resolution: Resolution, rejected: Sequence[Rejection],
            build_iri: str, plan: Plan | None = None) -> dict[str, str]:
    """Which build made each work and rejection of ``resolution`` as it is,
    by their IRIs, where that is not the build of ``build_iri`` (each work
    and rejection is ``prov:wasGeneratedBy`` it): a work with the id and the
    records it had in ``base`` keeps the build that made it, as do the
    rejections ``base`` had; everything else, and all of a build without
    ``base`` (``kg build`` makes everything again), is made by this build.
    ``plan``: :func:`plan_update` of the same, if made already."""
    if base is None:
        return {}
    plan = plan or plan_update(base, resolution, rejected)
    out: dict[str, str] = {}
    for work_id in plan.kept:
        s = f"{DATA}work/{work_id}"
        out[s] = base.made_by.get(s, base.build_iri)
    for r in rejected[:base.rejected]:
        s = model.rejection_iri(r)
        out[s] = base.made_by.get(s, base.build_iri)
    return {s: b for s, b in out.items() if b != build_iri}


def plan_in_place(base: Base | None, resolution: Resolution, rejected: Sequence[Rejection]
                  ) -> tuple[Plan | None, str | None]:
    """What an add changes in ``base``'s graph (:func:`plan_update`), if it is
    to be updated in place; else ``None`` and why the graph of
    ``resolution`` is written in full (``None`` too when there is no base)."""
    if base is None:
        return None, None
    if base.metadata.get(GRAPH_MODEL) != graph_model():
        return None, "the store's graph was written by another version of kg-resolve"
    if not base.metadata.get("build") or base.path.parent.name != "builds":
        return None, "the store predates builds of their own directory"
    if resolution.ids is None or len(resolution.records) < base.records:
        return None, "the store's records are not the add's first records"
    plan = plan_update(base, resolution, rejected)
    if len(plan.records) > IN_PLACE_UP_TO * len(resolution.records):
        return None, (f"the add rewrites {len(plan.records):,} of {len(resolution.records):,} "
                      f"records (more than {IN_PLACE_UP_TO:.0%})")
    return plan, None


# --- what changed -----------------------------------------------------------------


@dataclass
class Plan:
    """What an add rewrites in the graph (:func:`plan_update`)."""

    works: list[int] = field(default_factory=list)
    """Positions (in the resolution's works) of the works new or changed."""
    records: list[int] = field(default_factory=list)
    """Positions of the records of those works (every record added is one)."""
    old_records: list[int] = field(default_factory=list)
    """Those of ``records`` the old build had."""
    old_works: list[str] = field(default_factory=list)
    """Ids of the old build's works that are not in the new one as they were."""
    redirects: dict[str, str] = field(default_factory=dict)
    """Redirects new or changed (retired id -> live id)."""
    old_redirects: list[str] = field(default_factory=list)
    """Retired ids whose redirect is gone or changed."""
    rejections: list[Rejection] = field(default_factory=list)
    """The rejections the add read."""
    kept: set[str] = field(default_factory=set)
    """Ids of the works that are as they were (the same id and records)."""


def plan_update(base: Base, resolution: Resolution,
                rejected: Sequence[Rejection] = ()) -> Plan:
    """What the graph of ``resolution`` changes in ``base``'s: a pure function
    of the old works (ids and record keys), redirects and record count, and
    the new resolution; ``rejected`` are all the rejections of the add
    (the old build's first)."""
    records = resolution.records
    old = {w.work_id: w.members for w in base.ids.works}
    plan = Plan()
    kept = plan.kept
    for n, w in enumerate(resolution.works):
        keys = frozenset(records[i].key for i in w.members)
        if old.get(w.work_id) == keys:
            kept.add(w.work_id)
        else:
            plan.works.append(n)
            plan.records.extend(w.members)
    plan.records.sort()
    plan.old_records = [i for i in plan.records if i < base.records]
    plan.old_works = sorted(set(old) - kept)
    new_redirects = resolution.ids.redirects if resolution.ids else {}
    plan.redirects = {k: v for k, v in sorted(new_redirects.items())
                      if base.ids.redirects.get(k) != v}
    plan.old_redirects = sorted(k for k, v in base.ids.redirects.items()
                                if new_redirects.get(k) != v)
    plan.rejections = list(rejected[base.rejected:])
    return plan


# --- the store ----------------------------------------------------------------------


def copy_store(source: Path, target: Path) -> Store:
    """The Oxigraph store of the build in ``source``, copied into ``target``
    (a directory that does not exist or is empty) and opened for writing.
    A RocksDB checkpoint (:meth:`pyoxigraph.Store.backup` of the store opened
    read-only): hard links to the table files, which RocksDB never changes
    once written, and copies of the rest, so ``source`` is only read and
    stays as it was (readers may have it open)."""
    target = Path(target)
    if target.exists():
        if any(target.iterdir()):
            raise StoreError(f"{target}: not an empty directory")
        target.rmdir()  # the checkpoint makes it
    try:
        Store.read_only(str(source)).backup(str(target))
        return Store(str(target))
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"{source}: cannot copy the store into {target}: {exc}") from exc


@dataclass(frozen=True)
class Updated:
    """What :func:`update_store` did: quads removed and added, decisions
    explained, and seconds."""

    removed: int
    added: int
    explained: int
    """Match decisions explained again (the others' text was the old build's)."""
    timings: dict[str, float]


_DEFAULT = DefaultGraph()
_REALIZATION_OF = NamedNode(FRBR.realizationOf)
_CANONICAL_FIELD = NamedNode(KGR.canonicalField)
_HAS_IDENTIFIER = NamedNode(vocab.DATACITE.hasIdentifier)
_CREATOR = NamedNode(vocab.DCTERMS.creator)
_SHARED_LINKS = (_HAS_IDENTIFIER, _CREATOR)
_IDENTIFIER_PREFIX = f"{DATA}identifier/"
_AUTHOR_PREFIX = f"{DATA}author/"


def update_store(store: Store, directory: Path, base: Base, plan: Plan,
                 resolution: Resolution, rejected: Sequence[Rejection], info: BuildInfo,
                 decisions: Sequence[human.Decision] = (),
                 evidence: str = "decisions", made: Mapping[str, str] | None = None
                 ) -> Updated:
    """Make ``store``, a copy of ``base``'s (:func:`copy_store`) in the new
    build's ``directory``, hold the graph of ``resolution`` (``plan``: what
    changed, :func:`plan_update`) (see the module's
    docstring): afterwards it has exactly the quads
    :func:`kg.build.write_store` would write for the same arguments.  The
    evidence graph's text is kept in ``directory`` (:class:`EvidenceTee`).
    ``made``: :func:`made_by` (the works and rejections the add leaves as
    they were keep their quads, ``prov:wasGeneratedBy`` too)."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    records, works = resolution.records, resolution.works
    text = "".join(part_nquads(
        records, works, resolution.versions, record_positions=plan.records,
        work_positions=plan.works, redirects=plan.redirects, rejections=plan.rejections,
        decisions=(), build=info, with_build=False, made_by=made))
    new = _canonical(text)
    # the subjects rewritten: their quads the new graph lacks go
    subjects: list[NamedNode] = [NamedNode(model.record_iri(*records[i].key))
                                 for i in plan.old_records]
    subjects += [NamedNode(f"{DATA}work/{w}") for w in (*plan.old_works, *plan.old_redirects)]
    gone: list[Quad] = []
    linked: set[str] = set()  # identifier and author nodes the removed nodes link to
    for work in plan.old_works:  # its version and field-choice nodes, as the store has them
        s = NamedNode(f"{DATA}work/{work}")
        subjects += [q.object for q in store.quads_for_pattern(s, _CANONICAL_FIELD, None,
                                                               _DEFAULT)
                     if isinstance(q.object, NamedNode)]
        subjects += [q.subject for q in store.quads_for_pattern(None, _REALIZATION_OF, s,
                                                                _DEFAULT)
                     if isinstance(q.subject, NamedNode)
                     and q.subject.value.startswith(f"{DATA}expression/")]
    for s in subjects:
        for q in store.quads_for_pattern(s, None, None, _DEFAULT):
            if q.predicate in _SHARED_LINKS and isinstance(q.object, NamedNode):
                linked.add(q.object.value)
            if str(q) not in new:
                gone.append(q)
    gone += _orphans(store, linked, resolution)
    gone += _orphan_authors(store, linked, new, gone)
    timings["graph changes"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    added = 0
    removed = _remove(store, gone)
    added += _add(store, new.values())
    timings["graph update"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    decided = evidence_text.kept(resolution, evidence)
    sigs = evidence_text.signatures(resolution, decided)
    old_text = evidence_text.load(base.path)
    old_lines, old_sigs = old_text if old_text else (None, None)
    lines, explained = evidence_text.evidence_lines(
        resolution, decided, sigs, info, old_lines, old_sigs)
    timings["evidence graph made"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    if old_lines is None:  # a build that kept no copy: the store has the old graph
        r, a = sync_graph(store, EVIDENCE_GRAPH, (line + "\n" for line in lines))
    else:  # what differs from the old graph's text, removed and added
        new_lines = set(lines)
        r = _remove(store, _parse(line for line in old_lines if line not in new_lines))
        old_set = set(old_lines)
        a = _add(store, _parse(line for line in lines if line not in old_set))
    removed += r
    added += a
    small = {BUILD_GRAPH: part_nquads(records, works, resolution.versions, record_positions=(),
                                      work_positions=(), redirects={}, rejections=(),
                                      decisions=(), build=info, made_by=made),
             DECISIONS_GRAPH: human.decisions_nquads(decisions, resolution.human_skipped)}
    for graph, quads in small.items():
        r, a = sync_graph(store, graph, quads)
        removed += r
        added += a
    timings["named graphs"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    evidence_text.save(directory, lines, sigs)
    timings["evidence text"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    store.flush()
    timings["flush"] = round(time.perf_counter() - t, 3)
    return Updated(removed, added, explained, timings)


def _parse(lines: Iterable[str]) -> list[Quad]:
    text = "".join(line + "\n" for line in lines)
    return list(parse(input=text.encode("utf-8"), format=RdfFormat.N_QUADS, lenient=True))


def _canonical(text: str) -> dict[str, Quad]:
    """The quads of N-Quads ``text`` by their text as a store gives them back
    (Oxigraph keeps typed values, not their lexical form: ``"0.500000"`` of
    ``xsd:decimal`` is read back as ``"0.5"``)."""
    mem = Store()
    mem.bulk_load(input=text.encode("utf-8"), format=RdfFormat.N_QUADS, lenient=True)
    return {str(q): q for q in mem}


def _orphans(store: Store, linked: Iterable[str], resolution: Resolution) -> list[Quad]:
    """The quads of the identifier nodes among ``linked`` (IRIs) that nothing
    links to in the graph of ``resolution``, and of the schemes left unused."""
    linked = [x for x in linked if x.startswith(_IDENTIFIER_PREFIX)]
    if not linked:
        return []
    used: set[Identifier] = set()
    for r in resolution.records:
        used.update(r.identifiers)
    for wv in resolution.versions:
        for v in wv.versions:
            used.update(v.identifiers)
    used_iris = {model.identifier_iri(*x) for x in used}
    schemes = {model.scheme_iri(s) for s, _ in used}
    out: list[Quad] = []
    for x in sorted(set(linked) - used_iris):
        for q in store.quads_for_pattern(NamedNode(x), None, None, _DEFAULT):
            out.append(q)
            scheme = q.object
            if (q.predicate.value == vocab.DATACITE.usesIdentifierScheme
                    and isinstance(scheme, NamedNode) and scheme.value not in schemes
                    and scheme.value.startswith(DATA)):
                out.extend(store.quads_for_pattern(scheme, None, None, _DEFAULT))
    return list(dict.fromkeys(out))


def _orphan_authors(store: Store, linked: Iterable[str], new: Mapping[str, Quad],
                    gone: Sequence[Quad]) -> list[Quad]:
    """The quads of the author nodes among ``linked`` (IRIs) that no record or
    work links to once ``gone`` is removed and ``new`` added: an author node
    is shared by the records writing an author the same way, and goes with
    the last of them."""
    linked = [x for x in linked if x.startswith(_AUTHOR_PREFIX)]
    if not linked:
        return []
    going = {str(q) for q in gone if q.predicate == _CREATOR}
    kept = {q.object.value for q in new.values()
            if q.predicate == _CREATOR and isinstance(q.object, NamedNode)}
    out: list[Quad] = []
    for x in sorted(set(linked) - kept):
        node = NamedNode(x)
        if all(str(q) in going for q in store.quads_for_pattern(None, _CREATOR, node, _DEFAULT)):
            out.extend(store.quads_for_pattern(node, None, None, _DEFAULT))
    return out


def sync_graph(store: Store, graph: str, nquads: Iterable[str]) -> tuple[int, int]:
    """Make the named ``graph`` of ``store`` hold exactly the quads of
    ``nquads`` (N-Quads text in that graph), removing and adding only the
    quads that differ; how many were removed and added."""
    new = _canonical("".join(nquads))
    g = NamedNode(graph)
    gone = [q for q in store.quads_for_pattern(None, None, None, g) if str(q) not in new]
    return _remove(store, gone), _add(store, new.values())


def _remove(store: Store, quads: Iterable[Quad]) -> int:
    n = 0
    for q in quads:  # one at a time: faster than a DELETE DATA update of many
        store.remove(q)
        n += 1
    return n


def _add(store: Store, quads: Iterable[Quad]) -> int:
    missing = [q for q in quads if q not in store]
    store.bulk_extend(missing)
    return len(missing)


def write_in_place(directory: Path, base: Base, plan: Plan, resolution: Resolution,
                   rejected: Sequence[Rejection], info: BuildInfo,
                   decisions: Sequence[human.Decision] = (), evidence: str = "decisions",
                   on_created: Callable[[], None] | None = None,
                   made: Mapping[str, str] | None = None) -> dict[str, float | int]:
    """What :func:`kg.build.write_store` does, by copying ``base``'s store into
    ``directory`` (:func:`copy_store`) and updating it (:func:`update_store`):
    the quads added and removed, and the timings.  ``on_created`` is called
    once the store exists in ``directory``."""
    t0 = time.perf_counter()
    store = copy_store(base.path, directory)
    copied = round(time.perf_counter() - t0, 3)
    if on_created:
        on_created()
    updated = update_store(store, directory, base, plan, resolution, rejected, info,
                           decisions, evidence, made)
    t = time.perf_counter()
    del store  # closes it
    updated.timings["store closed"] = round(time.perf_counter() - t, 3)
    return {"quads": updated.added, "quads removed": updated.removed,
            "decisions explained": updated.explained, "store copy": copied,
            **updated.timings, "graph in place": round(time.perf_counter() - t0, 3)}
