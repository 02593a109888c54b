"""``kg add`` as a library function: new records resolved against a store.

    from kg.add import add_records
    report = add_records(["new-search.ris"], "review-store")
    print(report.summary["new works"], report.summary["works touched"])

The store keeps what its build resolved (:mod:`kg.state`, :mod:`kg.derived`):
the records as normalized, the rejections, the comparison levels of every
pair compared, the weights used, the works' ids, and what it derived from
the records alone (their features, each work's canonical choices and
versions).  :func:`add_records` reads only the
new inputs, puts the new records after the store's records and runs the
same resolution as ``kg build`` (:func:`resolve.pipeline.resolve_records`,
through :func:`kg.build.resolve_and_commit`) with that state as its
:class:`resolve.prior.Prior`:

- the old records' features are read, not computed (a record's features
  are its own); the corpus statistics are counted again over all records;
- blocking runs over all records, so the new records meet every old record
  they share a key with, and the old pairs are the pairs a full build pairs
  (an exact blocking of only the blocks the new records change was tried,
  commit ed3c887, and was slower on depression: it must find every record's
  keys too, and those, not the pairing, are most of blocking's time);
- only pairs not compared before are compared (a pair's levels depend on its
  two records alone); all pairs are scored again (the statistics move
  scores), and the hopeless-pair sample EM would need is skipped;
- the weights are the store's, not estimated again, unless ``reestimate``;
- clustering is made again over all records (the new records can join,
  merge or split works anywhere their pairs reach); a cluster of the same
  records as before keeps its canonical fields and versions (functions of
  its records), the others are made again; works keep their ids
  (:mod:`resolve.ids`), merged-away ids become redirects;
- the graph is written as a new build, made current once complete, so a
  failed ``kg add`` leaves the store as it was (:mod:`kg.storedir`).  It is
  not written whole: the current build's Oxigraph store is copied (a
  checkpoint: hard links) and updated in place, only the quads of what the
  add changed removed and added (:mod:`kg.incremental`: the changed works and
  their records, redirects, the new rejections, the match decisions that
  differ, the build's own nodes; a work left as it was keeps its
  ``prov:wasGeneratedBy``, the build that made it, see
  :func:`kg.incremental.made_by`), giving exactly the quads of a full write;
  the library file is the old one (a hard link) with what changed beside it
  (:func:`kg.library_file.save_changes`), the normalized records of the
  state are the old file with the new ones appended (and the packed copy,
  :mod:`kg.packed`, links the old build's segments and adds one), and the
  raw records file is the old one followed by the new records' text.  A
  large add (over :data:`kg.incremental.IN_PLACE_UP_TO` of the records
  rewritten) or a store written by another version is written
  in full; the build's metadata says which (``graph``).

What is computed again over all records: the corpus statistics, identical
copies, blocking, the scores, clustering, and the match decisions the
evidence graph keeps (each compared with the old build's text of its graph).
What the state derived is used only when the code that made it is the same
(:mod:`kg.derived` keeps a digest of it); otherwise it is derived again, as
before.  ``tests/test_add_incremental.py`` checks that an add reusing the
state gives exactly what one deriving everything again gives.

So ``kg add`` gives the works of ``kg build`` over all the inputs with the
store's weights; with ``reestimate``, exactly those of ``kg build`` over all
the inputs in the same order.  A new record with the id of a record in the
store is the same record if its content is the same (collapsed and counted),
else an :class:`resolve.readers.InputError`, as in one build.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from resolve.prior import Prior
from resolve.readers import InputError
from resolve.settings import Settings

from . import decisions as human
from .build import (
    BuildReport,
    Progress,
    ReadResult,
    after_read,
    long_lived,
    read_records,
    resolve_and_commit,
)
from .incremental import Base
from .rawrecords import RAW_FILE, RawWriter
from .state import load_state
from .store import StoreError
from .storedir import check_unlocked, pin_store


def add_records(inputs: Iterable[str | Path], store: str | Path, *, fmt: str | None = None,
                encoding: str | None = None, reestimate: bool = False, jobs: int = 0,
                strict: bool = False, rejects: str | Path | None = None,
                progress: Progress | None = None,
                on_read: Callable[[ReadResult], None] | None = None) -> BuildReport:
    """Read ``inputs`` and resolve them against the works of the store at
    ``store`` (see the module's docstring); the store's settings are used.
    The report's summary adds ``records added``, ``works touched``, ``new
    works`` and ``works merged into others``.  Raises what
    :func:`kg.build.build_store` raises, and :class:`kg.store.StoreError` for a
    store without resolution state (made before ``kg add`` existed)."""
    t0 = time.perf_counter()
    started = datetime.now(UTC).replace(microsecond=0)
    store = Path(store)
    check_unlocked(store)
    try:  # what people decided applies to an add as to a build
        decided = human.read(store)
    except human.DecisionError as exc:
        raise StoreError(str(exc)) from exc
    try:
        with pin_store(store) as pinned:  # the current build stays while it is read
            meta = pinned.metadata
            if progress:
                progress(f"reading the resolution state of {store}")
            t = time.perf_counter()
            with long_lived():
                state = load_state(pinned.path)
            settings = Settings.from_json(_json(meta.get("settings", {})))
            state_seconds = round(time.perf_counter() - t, 3)
            known = {r.key: r for r in state.records}
            with RawWriter(store) as raw:
                raw.skip = known.keys()
                read = read_records(inputs, fmt, encoding, progress, raw=raw,
                                    jobs=jobs or os.cpu_count() or 1)
                new, collapsed = [], 0
                for r in read.records:
                    old = known.get(r.key)
                    if old is None:
                        new.append(r)
                    elif replace(old, origin="") == replace(r, origin=""):
                        collapsed += 1
                    else:
                        raise InputError(f"{r.origin}: record id {r.record_id!r} of source "
                                         f"{r.source!r} is in the store already ({old.origin}) "
                                         "with other content; record ids must be unique within "
                                         "a source (identical copies are collapsed)")
                read.records = new
                read.collapsed += collapsed
                after_read(read, on_read, rejects, strict)
                combined = ReadResult(read.specs, read.skipped, [*state.records, *new],
                                      [*state.rejected, *read.rejected],
                                      round(read.seconds + state_seconds, 3), read.warnings,
                                      read.collapsed)
                prior = Prior(ids=state.ids, levels=state.levels,
                              estimation=None if reestimate else state.estimation,
                              features=state.features or (), works=state.works or {})
                raw_meta = meta.get("raw records") or {}
                report = resolve_and_commit(
                    store, combined, settings, raw, t0, started, jobs=jobs, progress=progress,
                    prior=prior, earlier_inputs=list(meta.get("inputs", [])),
                    earlier_raw=(pinned.path / RAW_FILE, int(raw_meta.get("records", 0))),
                    added_from=len(state.records), decided=decided,
                    evidence=str(meta.get("evidence", "decisions")),
                    base=None if state.ids is None else Base(
                        pinned.path, meta, state.ids, len(state.records), len(state.rejected),
                        state.made_by))
    finally:
        gc.unfreeze()  # see kg.build.long_lived
    report.timings["resolution state read"] = state_seconds
    return report


def _json(value: object) -> str:
    if not isinstance(value, dict):
        raise StoreError("the store's settings are not a JSON object")
    return json.dumps(value)
