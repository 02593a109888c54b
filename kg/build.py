"""``kg build`` as a library function: read, resolve, write the graph, load it.

    from kg.build import build_store
    report = build_store(["examples/records"], "example-store")
    print(report.summary["works"], report.store)

Each step is a function of its own (:func:`read_records`, then
:func:`resolve.pipeline.resolve_records`, then :func:`write_store`), so a caller
can stop after any of them; :func:`build_store` runs them in order and returns a
:class:`BuildReport`.  The ``kg build`` command only parses its options, calls
:func:`build_store` and prints the report.

Errors are exceptions: :class:`resolve.readers.InputError` for input that
cannot be read, :class:`StrictError` for rejected records under ``strict``,
:class:`kg.store.StoreError` for a store that cannot be written.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from resolve import __version__
from resolve.candidates import save_candidates
from resolve.ids import PriorIds
from resolve.pipeline import Resolution, resolve_records
from resolve.prior import Prior
from resolve.readers import (
    InputError,
    InputSpec,
    ReadLog,
    expand_inputs,
    iter_inputs,
    make_origin,
    origin_parts,
)
from resolve.settings import Settings
from resolve.types import Record, Rejection

from . import decisions as human
from . import evidence_text
from .evidence_text import EvidenceTee
from .incremental import (
    GRAPH_MODEL,
    Base,
    graph_model,
    made_by,
    plan_in_place,
    write_in_place,
)
from .library_file import save_changes, save_library
from .model import EVIDENCE_LEVELS, BuildInfo, resolution_nquads
from .rawrecords import RAW_FILE, RawSink, RawWriter
from .state import Earlier, StateWriter, id_counts, load_ids
from .store import StoreError, bulk_load, create_store, load_in_turns, write_metadata
from .storedir import begin_build, check_unlocked, current_path

# Builds of up to this many records load the graph with two Oxigraph loaders side
# by side (a graph of under a million quads is a single batch for one loader,
# sorted and written by one thread); larger builds use loaders in turns of half
# a million quads (kg.store.load_in_turns: each loader holds up to three batches
# of a million quads; two loaders on depression's 2.9 million quads peaked at
# 2.7 GB, one at 2.2 GB).  One loader for cardiac (532,166 quads, one batch, so
# nothing for optimize to merge) used 1.3 s less processor time but took as long
# on an idle machine: its single thread sorts every index alone (benchmarks/LEAN.md).
TWO_LOADERS_UP_TO = 30_000

Progress = Callable[[str], None]
"""Called with the name of what starts (for a progress display)."""


class StrictError(Exception):
    """Records were rejected and the build was asked to be strict."""


@dataclass
class ReadResult:
    """What reading the inputs gave: the files, the skipped ones, the records
    and the rejections, in input order; the warnings ``(origin, message)``
    about files that were read (CSV columns not read...) and how many
    identical copies of records were collapsed."""

    specs: list[InputSpec]
    skipped: list[tuple[Path, str]]
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[tuple[str, str]] = field(default_factory=list)
    collapsed: int = 0


@dataclass
class BuildReport:
    """The outcome of :func:`build_store`: the resolution itself, the summary
    counts and timings ``kg build`` prints, and the metadata saved in the
    store (``kg info``)."""

    store: Path
    build_id: str
    read: ReadResult
    resolution: Resolution
    summary: dict[str, int | float]
    timings: dict[str, float]
    metadata: dict

    @property
    def records(self) -> list[Record]:
        return self.read.records

    @property
    def rejected(self) -> list[Rejection]:
        return self.read.rejected


def read_records(inputs: Iterable[str | Path], fmt: str | None = None,
                 encoding: str | None = None, progress: Progress | None = None,
                 raw: RawSink | None = None, jobs: int = 1) -> ReadResult:
    """Read every input (``[SOURCE=][FORMAT:]PATH``, as ``kg build`` takes them)
    into records and rejections; raises :class:`InputError` for input that
    cannot be read at all.  Each record's source text goes to ``raw`` (if
    given) as it is read; the records kept do not hold it.  ``jobs``
    processes map a large file's entries onto records (the same records)."""
    t = time.perf_counter()
    specs, skipped = expand_inputs([str(i) for i in inputs], fmt, encoding)
    result = ReadResult(specs, skipped)
    current = [""]

    def on_file(spec: InputSpec) -> None:
        current[0] = spec.format or ""
        if progress:
            progress(f"reading {spec.path}")

    log = ReadLog(result.warnings)
    for item in iter_inputs(specs, encoding, on_file=on_file, log=log, jobs=jobs):
        if isinstance(item, Rejection):
            result.rejected.append(item)
            continue
        if item.raw:
            if raw is not None:
                raw.add(item.source, item.record_id, current[0], item.raw)
            # the record was made for this loop alone, and raw is no part of its
            # equality or hash: dropping the text in place spares a copy of it
            # (dataclasses.replace was a tenth of reading)
            object.__setattr__(item, "raw", "")
        result.records.append(item)
    result.collapsed = log.collapsed
    result.seconds = round(time.perf_counter() - t, 3)
    return result


def build_id_of(records: Sequence[Record], settings: Settings) -> str:
    """The build's id: a digest of the tool version, the settings and the
    record keys, so the same input gives the same id (and IRIs)."""
    keys = "\n".join(f"{r.source}\x1f{r.record_id}" for r in records)
    return hashlib.blake2b(f"{__version__}\n{settings.to_json()}\n{keys}".encode(),
                           digest_size=8).hexdigest()


def write_rejects(path: Path, rejected: Iterable[Rejection]) -> None:
    """Rejected records as JSON Lines (origin parts, reason, source, id, raw text)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for r in rejected:
            fh.write(json.dumps({**origin_parts(r.origin), "origin": r.origin,
                                 "reason": r.reason, "source": r.source,
                                 "record_id": r.record_id, "raw": r.raw},
                                ensure_ascii=False) + "\n")


def write_store(store: Path, read: ReadResult, resolution: Resolution, info: BuildInfo,
                decisions: Sequence[human.Decision] = (),
                evidence: str = "decisions",
                on_created: Callable[[], None] | None = None,
                made_by: Mapping[str, str] | None = None) -> dict[str, float | int]:
    """Write the graph of a resolution into a new store in ``store``, a
    directory that does not exist yet or is empty (:func:`build_store` gives
    it the directory of a staged build, see :func:`kg.store.begin_build`),
    with the people's ``decisions`` it applied in their own graph; the quads
    written and the timings of making (``rdf``) and loading them.
    ``evidence`` says which match decisions the evidence graph keeps
    (:data:`kg.model.EVIDENCE_LEVELS`); ``on_created`` is called once the
    (empty) store exists; ``made_by``: the builds that made works and
    rejections as they are, when not this one (:func:`kg.incremental.made_by`)."""
    t = time.perf_counter()
    oxi = create_store(store)
    if on_created:
        on_created()
    records = read.records
    # the evidence graph's text is kept for the next kg add (kg.evidence_text)
    tee = EvidenceTee(resolution_nquads(resolution, read.rejected, info, evidence, made_by))
    quads = itertools.chain(tee, human.decisions_nquads(decisions, resolution.human_skipped))
    try:
        loaded = (bulk_load(oxi, quads, streams=2) if len(records) <= TWO_LOADERS_UP_TO
                  else load_in_turns(oxi, quads))
    except StoreError as exc:
        raise StoreError(f"{store}: {exc}") from exc
    t_kept = time.perf_counter()
    evidence_text.save(store, tee.lines, evidence_text.signatures(
        resolution, evidence_text.kept(resolution, evidence)))
    kept_seconds = round(time.perf_counter() - t_kept, 3)
    # quads are made ("rdf") while Oxigraph loads them ("load"): the two overlap
    return {"quads": loaded.quads, "rdf": loaded.generate, "load": loaded.load,
            "optimize": loaded.optimize, "evidence text": kept_seconds,
            "rdf + load": round(time.perf_counter() - t, 3)}


def build_store(inputs: Iterable[str | Path], store: str | Path,
                settings: Settings | None = None, *, fmt: str | None = None,
                encoding: str | None = None, clean_sources: Iterable[str] = (),
                jobs: int = 0, strict: bool = False, rejects: str | Path | None = None,
                progress: Progress | None = None,
                on_read: Callable[[ReadResult], None] | None = None,
                evidence: str = "decisions") -> BuildReport:
    """Read ``inputs``, resolve the records into works and write the graph to
    an on-disk store at ``store``. An existing kg-resolve store there is
    replaced atomically: the graph is written into a new directory that
    becomes current only once complete, so readers see the old store until
    then, and a build that fails, is interrupted or killed leaves it as it was
    (see :mod:`kg.storedir`). Any other non-empty directory is refused, and so
    is a store another build is writing (:class:`kg.store.StoreError`).

    ``settings`` default to :class:`Settings`; ``clean_sources`` adds sources
    declared free of duplicates of their own; ``jobs`` processes compare
    candidate pairs (0: one per CPU; the result does not depend on it).
    ``on_read`` sees what was read (skipped files, rejections) before the
    resolution starts; ``rejects`` names a JSON Lines file for the rejected
    records; with ``strict``, any rejection raises :class:`StrictError` and
    nothing is written.  ``evidence`` is what the evidence graph keeps:
    ``"decisions"`` (merged pairs and vetoed merges), ``"all"`` (near misses
    too) or ``"none"`` (see :data:`kg.model.EVIDENCE_LEVELS`).

    What people decided about pairs of records (``kg decide``, kept in the
    store directory, :mod:`kg.decisions`) is applied as must-link and
    cannot-link constraints and written into the graph.
    """
    if evidence not in EVIDENCE_LEVELS:
        raise ValueError(f"evidence {evidence!r}: expected one of {', '.join(EVIDENCE_LEVELS)}")
    t0 = time.perf_counter()
    started = datetime.now(UTC).replace(microsecond=0)
    store = Path(store)
    settings = settings or Settings()
    if clean_sources:
        settings = replace(settings, clean_sources=tuple(sorted(
            {*settings.clean_sources, *clean_sources})))
    check_unlocked(store)  # another build writing it: say so before the work, not after
    try:
        decided = human.read(store)
    except human.DecisionError as exc:
        raise StoreError(str(exc)) from exc
    try:
        with RawWriter(store) as raw:
            report = _build(inputs, store, settings, raw, t0, started, decided, fmt=fmt,
                            encoding=encoding,
                            jobs=jobs, strict=strict, rejects=rejects, progress=progress,
                            on_read=on_read, evidence=evidence)
    finally:
        gc.unfreeze()  # see long_lived
    return report


@contextmanager
def long_lived() -> Iterator[None]:
    """Objects made in the block live as long as the build or the add (the
    records, the state read back, the resolution): the cyclic garbage
    collector does not run while they are made, and leaves them out of its
    later runs (:func:`gc.freeze`),
    which otherwise walk them again and again (depression: 19 full
    collections, 10 s under load, in blocking, clustering, works, versions...;
    they found almost nothing to free).  The caller gives them back with
    :func:`gc.unfreeze` at its end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def _build(inputs: Iterable[str | Path], store: Path, settings: Settings, raw: RawWriter,
           t0: float, started: datetime, decided: Sequence[human.Decision], *,
           fmt: str | None, encoding: str | None, jobs: int,
           strict: bool, rejects: str | Path | None, progress: Progress | None,
           on_read: Callable[[ReadResult], None] | None, evidence: str = "decisions"
           ) -> BuildReport:
    with long_lived():
        read = read_records(inputs, fmt, encoding, progress, raw=raw,
                            jobs=jobs or os.cpu_count() or 1)
    check_clean_sources(settings, read)
    after_read(read, on_read, rejects, strict)
    prior_ids = previous_ids(store)
    return resolve_and_commit(store, read, settings, raw, t0, started, jobs=jobs,
                              progress=progress, prior=Prior(ids=prior_ids), decided=decided,
                              evidence=evidence)


def _without_gc(start: Callable[[], None]) -> Callable[[], None]:
    """``start`` (which forks the process writing the resolution state) with
    the cyclic garbage collector off, so that the process runs without it:
    it makes and drops its files' lines, none in a cycle, and exits (its
    collections walked the library file's entries again and again:
    depression, 3 s under load, beside the graph's load)."""
    def run() -> None:
        enabled = gc.isenabled()
        gc.disable()
        try:
            start()
        finally:
            if enabled:
                gc.enable()
    return run


def check_clean_sources(settings: Settings, read: ReadResult) -> None:
    """:class:`InputError` when a declared clean source is none of the inputs'."""
    sources = {r.source for r in read.records} | {r.source for r in read.rejected}
    unknown = set(settings.clean_sources) - sources
    if unknown:
        raise InputError(f"--clean-source {', '.join(sorted(unknown))}: no such source among "
                         "the inputs")


def after_read(read: ReadResult, on_read: Callable[[ReadResult], None] | None,
               rejects: str | Path | None, strict: bool) -> None:
    """What a build (or an add) does with what it read before resolving:
    shows it (``on_read``), writes the rejected records to ``rejects``, and
    stops under ``strict`` when any was rejected."""
    if on_read:
        on_read(read)
    if rejects:
        try:
            write_rejects(Path(rejects), read.rejected)
        except OSError as exc:
            raise InputError(f"--rejects {rejects}: {exc.strerror or exc}") from exc
    if strict and read.rejected:
        raise StrictError(f"{len(read.rejected)} record(s) rejected and --strict given")


def previous_ids(store: Path) -> PriorIds | None:
    """The work ids of the store now current at ``store`` (none: no store
    there yet, or one made before ids were kept), for a rebuild to keep."""
    try:
        path = current_path(store)
    except StoreError:
        return None
    return load_ids(path)


def resolve_and_commit(store: Path, read: ReadResult, settings: Settings, raw: RawWriter,
                       t0: float, started: datetime, *, jobs: int, progress: Progress | None,
                       prior: Prior, earlier_inputs: Sequence[dict] = (),
                       earlier_raw: tuple[Path, int] | None = None,
                       added_from: int | None = None,
                       decided: Sequence[human.Decision] = (),
                       evidence: str = "decisions", base: Base | None = None) -> BuildReport:
    """Resolve what was read (after ``prior``, see :mod:`resolve.prior`) and
    write it as a new build of ``store``, made current once complete: what
    ``kg build`` and ``kg add`` both do after reading.  ``earlier_inputs``
    (metadata rows) come before the inputs of ``read``, and the source text
    of ``earlier_raw`` (a ``records.jsonl.gz`` and its number of records)
    before that of ``raw``.  ``added_from``: the position of the first record
    ``kg add`` added (the summary then counts what the new records did).
    ``decided``: the people's decisions to apply (:func:`kg.decisions.read`);
    ``evidence``: what the evidence graph keeps (see :func:`build_store`).
    ``base``: the build ``kg add`` starts from, whose graph is updated in
    place rather than written in full when :func:`kg.incremental.plan_in_place`
    allows."""
    # the resolution lives as long as the records (the caller unfreezes it)
    with long_lived():
        resolution = resolve_records(read.records, settings, step=progress,
                                     jobs=jobs or os.cpu_count() or 1,
                                     human=human.constraints(decided), prior=prior)
    timings = {"read": read.seconds, **resolution.timings}

    if progress:
        progress(f"writing the graph to {store}")
    build_id = build_id_of(read.records, settings)
    inputs = [*earlier_inputs, *({"source": s.source, "path": make_origin(s.path),
                                  "format": s.format} for s in read.specs)]
    info = BuildInfo(build_id, __version__, settings.to_json(),
                     tuple(i["path"] for i in inputs), started.isoformat(),
                     datetime.now(UTC).replace(microsecond=0).isoformat(),
                     resolution.candidates.total, len(read.rejected))
    # into a new directory, made current once complete: the old store stays whole
    # and readable until then, and is kept if the build fails or is interrupted
    staged = begin_build(store, build_id)
    plan, in_full = plan_in_place(base, resolution, read.rejected)
    made = made_by(base, resolution, read.rejected, info.iri, plan)
    # the library file (what the exports of works read, kg.library_file) is made
    # by the process writing the state, while the graph loads (after it, it was
    # 2 s of cardiac's build and 19 s of depression's); in place, the old file is
    # kept and the changes written beside it (kg.library_file.save_changes)
    library = (functools.partial(save_changes, base.path, staged.path, read.records,
                                 resolution.works, plan.works, plan.records, plan.old_works)
               if base is not None and plan is not None
               else functools.partial(save_library, staged.path, read.records, resolution.works))
    state = StateWriter(staged.path, resolution, read.rejected,
                        Earlier(base.path, base.records, base.rejected) if base else None,
                        then=library, made_by=made)
    try:
        # the state is written by another process while the graph is loaded
        if base is not None and plan is not None:
            written = write_in_place(staged.path, base, plan, resolution, read.rejected, info,
                                     decided, evidence, on_created=_without_gc(state.start),
                                     made=made)
        else:
            written = write_store(staged.path, read, resolution, info, decided, evidence,
                                  on_created=_without_gc(state.start), made_by=made)
        t = time.perf_counter()
        raw_bytes = raw.install(staged.path, before=earlier_raw[0] if earlier_raw else None)
        written["raw records"] = round(time.perf_counter() - t, 3)
        # this includes what writing the library file was not hidden
        written["resolution state (waited)"] = state.finish()
    except BaseException:
        state.abort()
        staged.abort()
        raise
    quads = int(written.pop("quads"))
    removed = int(written.pop("quads removed", 0))
    explained = int(written.pop("decisions explained", 0))
    timings.update(written)

    works = resolution.works
    summary: dict[str, int | float] = {
        "records read": len(read.records) + len(read.rejected),
        "records rejected": len(read.rejected),
        **({"duplicate copies collapsed": read.collapsed} if read.collapsed else {}),
        "records in works": sum(len(w.members) for w in works),
        "candidate pairs scored": resolution.candidates.total,
        "pairs scored completing clusters": len(resolution.clustering.completed_pairs),
        "works": len(works),
        "multi-record works": sum(1 for w in works if len(w.members) > 1),
        "components split": len(resolution.clustering.splits),
        **(add_counts(resolution, prior, added_from) if added_from is not None else {}),
        "quads written": quads,
        **({"quads removed": removed} if plan is not None else {}),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    metadata = {
        "prisma": prisma_counts(read, resolution),
        "raw records": {"file": RAW_FILE, "bytes": raw_bytes,
                          "records": raw.count + (earlier_raw[1] if earlier_raw else 0)},
        "tool": "kg-resolve", "version": __version__, "build": build_id,
        "started": info.started, "inputs": inputs,
        "skipped inputs": [{"path": make_origin(p), "reason": why}
                           for p, why in read.skipped],
        **({"warnings": [{"origin": o, "warning": w} for o, w in read.warnings]}
           if read.warnings else {}),
        "settings": json.loads(settings.to_json()), "evidence": evidence,
        GRAPH_MODEL: graph_model(),
        "graph": ({"written": "in place", "from build": base.path.name,
                   "match decisions explained": explained}
                  if base is not None and plan is not None
                  else {"written": "in full", **({"why": in_full} if base is not None else {})}),
        "summary": summary, "timings": timings,
        "candidates per rule": resolution.candidates.per_rule,
        "weights": resolution.estimation.as_dict(),
        **({"decisions": {
            "kept": len(decided), "applied": len(decided) - len(resolution.human_skipped),
            "not applied": [{"records": [human.name(k) for k in pair], "reason": why}
                            for pair, why in resolution.human_skipped]}} if decided else {}),
        "work ids": id_counts(resolution.ids, prior.ids),
    }
    with staged:  # a build killed before the commit is removed by the next one
        save_candidates(staged.path, read.records, resolution.candidate_pairs,
                        [p.score for p in resolution.scored])
        write_metadata(staged.path, metadata)
        staged.commit()
    return BuildReport(store, build_id, read, resolution, summary, timings, metadata)


def add_counts(resolution: Resolution, prior: Prior, added_from: int) -> dict[str, int]:
    """What the records from position ``added_from`` on did to the works of
    ``prior``: how many were added, the earlier works they joined (touched),
    the new works, the earlier works merged into others (now redirects), and
    the pairs whose comparison levels were reused rather than compared."""
    before = {w.work_id for w in prior.ids.works} if prior.ids else set()
    with_new = [w for w in resolution.works if w.members[-1] >= added_from]
    return {"records added": len(resolution.records) - added_from,
            "works touched": sum(1 for w in with_new if w.work_id in before),
            "new works": sum(1 for w in resolution.works if w.work_id not in before),
            "works merged into others": len(resolution.ids.merged) if resolution.ids else 0,
            "pairs compared before, reused": resolution.reused}


def prisma_counts(read: ReadResult, resolution: Resolution) -> dict:
    """The counts a systematic review's PRISMA flow diagram asks for: records
    identified per source, records rejected (unreadable), duplicates removed
    and the works left.  They add up: ``records read = records in works +
    records rejected`` and ``duplicates removed = records in works - works``."""
    per_source: dict[str, int] = {}
    rejected_per_source: dict[str, int] = {}
    for r in read.records:
        per_source[r.source] = per_source.get(r.source, 0) + 1
    for j in read.rejected:
        name = j.source or "(unknown)"
        per_source[name] = per_source.get(name, 0) + 1
        rejected_per_source[name] = rejected_per_source.get(name, 0) + 1
    in_works = sum(len(w.members) for w in resolution.works)
    return {
        "records read": len(read.records) + len(read.rejected),
        "records per source": dict(sorted(per_source.items())),
        "records rejected": len(read.rejected),
        "rejected per source": dict(sorted(rejected_per_source.items())),
        "records in works": in_works,
        "duplicates removed": in_works - len(resolution.works),
        "works": len(resolution.works),
        "works with duplicates": sum(1 for w in resolution.works if len(w.members) > 1),
    }
