"""The resolution state a build keeps beside its graph, for the next one.

In a build's directory (``DIR/builds/NAME/``), next to ``records.jsonl.gz``
(the records' source text) and ``candidates.npz``:

    work-ids.json.gz         the works' ids (resolve.ids): each work's id,
                             founding record, members and the generation it
                             was made in; the redirects of retired ids; the
                             store's generation (its number of builds)
    records-normalized.jsonl.gz
                             every record as the resolution saw it (normalized
                             fields, one JSON object a line, in build order),
                             then every rejection: what ``kg add`` resolves the
                             new records against, without reading the old inputs
    levels.npz               the comparison levels of every pair compared
                             (``a``, ``b``: record positions; ``levels``: a
                             byte per comparison), reused by ``kg add``
    resolution.json          the weights used, exactly (``kg info`` shows them
                             rounded), and the comparisons' level names
    features.jsonl.gz        every record's matching features, and what was
    works.jsonl.gz           made of each cluster (:mod:`kg.derived`), so that
                             ``kg add`` does not derive them again

and a packed copy of the records, rejections, features, works and ids that
``kg add`` reads faster (:mod:`kg.packed`: ``state-packed.json`` and the
segments it names); and, for ``kg add`` to update the graph in place (:mod:`kg.incremental`),
``library.jsonl.gz`` (:mod:`kg.library_file`; after an add, the old build's
file and ``library-changes.jsonl.gz``), ``evidence-graph.nq.gz`` and
``evidence-signatures.json.gz`` (:mod:`kg.evidence_text`).  ``kg add`` writes
``records-normalized.jsonl.gz`` as the old build's file followed by a gzip
member of the new records and rejections (:func:`save_records`).

All JSON or ``.npz`` (no pickles), written with fixed timestamps: the same build
gives the same bytes.  A rebuild (``kg build``) reads only ``work-ids.json.gz``
of the store it replaces; ``kg add`` reads all of it (:func:`load_state`).
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from resolve import __version__
from resolve.estimate import Estimation
from resolve.features import Features
from resolve.ids import IdAssignment, PriorIds, PriorWork
from resolve.pipeline import Resolution
from resolve.prior import KnownLevels, KnownWork, comparisons_signature
from resolve.scoring import Model
from resolve.types import Author, Record, Rejection

from . import derived, packed
from .derived import load_features, load_works, save_features, save_works, write_gz
from .store import StoreError
from .vocab import DATA

IDS_FILE = "work-ids.json.gz"
RECORDS_FILE = "records-normalized.jsonl.gz"
LEVELS_FILE = "levels.npz"
RESOLUTION_FILE = "resolution.json"
FORMAT = 1


# --- work ids -----------------------------------------------------------------

IdRow = tuple[str, tuple[str, str], int, list[tuple[str, str]]]


def id_rows(resolution: Resolution) -> list[IdRow]:
    """Each work's id, founder, generation and sorted record keys, sorted:
    what :func:`save_ids` (and the packed copy, :mod:`kg.packed`) keep."""
    ids = resolution.ids
    assert ids is not None
    records = resolution.records
    return sorted(zip(ids.ids, ids.founders, ids.since,
                      (sorted([(records[i].source, records[i].record_id) for i in c])
                       for c in resolution.clustering.clusters), strict=True))


def save_ids(directory: Path, resolution: Resolution,
             made_by: Mapping[str, str] | None = None,
             rows: list[IdRow] | None = None) -> None:
    """Write the works' id state of ``resolution`` into ``directory``, with
    ``made_by`` (:func:`kg.incremental.made_by`: which earlier build made a
    work or rejection as it is, by IRI; kept without the IRIs' common part,
    :func:`short_made_by`).  ``rows``: :func:`id_rows`, if made already."""
    ids = resolution.ids
    assert ids is not None
    doc = {"format": FORMAT, "generation": ids.generation, "redirects": ids.redirects,
           "works": [{"id": i, "founder": list(f), "since": s,
                      "members": [list(k) for k in m]}
                     for i, f, s, m in (rows if rows is not None else id_rows(resolution))],
           "made by": short_made_by(made_by or {})}
    write_gz(directory / IDS_FILE, [json.dumps(doc, ensure_ascii=False, sort_keys=True)])


def load_ids(directory: Path) -> PriorIds | None:
    """The id state saved in a build's ``directory``; ``None`` if it has none
    (a store made before ids were kept: its ids were those of a first build)."""
    path = directory / IDS_FILE
    if not path.is_file():
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        if doc.get("format") != FORMAT:
            raise ValueError(f"unknown format {doc.get('format')!r}")
        works = tuple(PriorWork(w["id"], _key(w["founder"]),
                                frozenset(_key(m) for m in w["members"]), int(w["since"]))
                      for w in doc["works"])
        return PriorIds(works, dict(doc["redirects"]), int(doc["generation"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: cannot read the work ids: {exc}") from exc


def load_made_by(directory: Path) -> dict[str, str]:
    """The ``made_by`` :func:`save_ids` kept in ``directory`` (full IRIs)."""
    path = directory / IDS_FILE
    if not path.is_file():
        return {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return full_made_by(json.load(fh).get("made by", {}))
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise StoreError(f"{path}: cannot read the work ids: {exc}") from exc


def short_made_by(made_by: Mapping[str, str]) -> dict[str, str]:
    """``made_by`` without the IRIs' common parts (``work/w...`` -> build id)."""
    n, m = len(DATA), len(f"{DATA}build/")
    return {s[n:]: b[m:] for s, b in sorted(made_by.items())}


def full_made_by(short: Mapping[str, str]) -> dict[str, str]:
    return {f"{DATA}{s}": f"{DATA}build/{b}" for s, b in short.items()}


def _key(value: Any) -> tuple[str, str]:
    source, record_id = value
    return (str(source), str(record_id))


# --- records and rejections ----------------------------------------------------

_FIELDS = tuple(f.name for f in fields(Record) if f.name != "raw")
_AUTHOR_FIELDS = tuple(f.name for f in fields(Author))


def record_json(r: Record) -> dict:
    """A record as JSON-able plain data (its source text left out); authors as
    objects with :class:`Author`'s fields."""
    d = {name: getattr(r, name) for name in _FIELDS}
    d["authors"] = [{name: getattr(a, name) for name in _AUTHOR_FIELDS} for a in r.authors]
    return d


def record_from_json(d: dict) -> Record:
    d = dict(d)
    d["authors"] = tuple(Author(**a) for a in d.get("authors", ()))
    d["identifiers"] = tuple((s, v) for s, v in d.get("identifiers", ()))
    d["urls"] = tuple(d.get("urls", ()))
    return Record(**d)


def save_records(directory: Path, records: Sequence[Record],
                 rejected: Sequence[Rejection], earlier: Earlier | None = None) -> None:
    """The records then the rejections, a JSON line each.  ``earlier``: the
    build ``kg add`` started from, whose file holds the first of them: it is
    copied as it is and the others follow in a gzip member of their own
    (:func:`load_records` reads records and rejections apart, so the old
    rejections between the old and the new records change nothing)."""
    dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    path = directory / RECORDS_FILE
    skip_records = skip_rejected = 0
    if earlier is not None and (earlier.directory / RECORDS_FILE).is_file():
        shutil.copyfile(earlier.directory / RECORDS_FILE, path)
        skip_records, skip_rejected = earlier.records, earlier.rejected
    lines = (dumps({"record": record_json(r)}) for r in records[skip_records:])
    rejections = (dumps({"rejection": asdict(j)}) for j in rejected[skip_rejected:])
    write_gz(path, _chain(lines, rejections), append=skip_records > 0)


@dataclass(frozen=True)
class Earlier:
    """The build an add started from: its directory and how many records and
    rejections it had (the add's first)."""

    directory: Path
    records: int
    rejected: int


def load_records(directory: Path) -> tuple[list[Record], list[Rejection]]:
    path = directory / RECORDS_FILE
    records: list[Record] = []
    rejected: list[Rejection] = []
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="surrogatepass") as fh:
            for line in fh:
                d = json.loads(line)
                if "record" in d:
                    records.append(record_from_json(d["record"]))
                else:
                    rejected.append(Rejection(**d["rejection"]))
    except FileNotFoundError:
        raise StoreError(f"{directory}: the store keeps no resolution state ({RECORDS_FILE}); "
                         "rebuild it with this version of kg build") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: cannot read: {exc}") from exc
    return records, rejected


# --- levels and weights -----------------------------------------------------------

def save_levels(directory: Path, resolution: Resolution) -> None:
    """The levels of every pair the resolution compared (blocking's, then
    those completing clusters), and its weights exactly."""
    pairs = [*resolution.scored, *resolution.clustering.completed_pairs]
    a = np.fromiter((p.a for p in pairs), dtype=np.int32, count=len(pairs))
    b = np.fromiter((p.b for p in pairs), dtype=np.int32, count=len(pairs))
    _write_npz(directory / LEVELS_FILE, {"format": np.array([FORMAT], dtype=np.int32),
                                         "a": a, "b": b,
                                         "levels": np.asarray(resolution.levels, np.int8)})
    est = resolution.estimation
    doc = {"format": FORMAT, "version": __version__, "comparisons": comparisons_signature(),
           "estimation": {"estimated": est.estimated, "iterations": est.iterations,
                          "converged": est.converged,
                          "match share": None if est.match_share != est.match_share
                          else est.match_share, "pairs": est.pairs,
                          "prior": est.model.prior,
                          "weights": [list(w) for w in est.model.weights],
                          "venue aliases": [list(x) for x in sorted(est.venue_aliases)]}}
    (directory / RESOLUTION_FILE).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")


@dataclass
class State:
    """What ``kg add`` resolves new records against."""

    records: list[Record]
    rejected: list[Rejection]
    ids: PriorIds | None
    estimation: Estimation
    levels: KnownLevels | None
    """``None`` when the comparisons changed since (every pair is compared again)."""
    features: list[Features] | None = None
    """The records' features (:mod:`kg.derived`); ``None`` when the build kept
    none or they were made by other code (they are computed again)."""
    works: dict[tuple[int, ...], KnownWork] | None = None
    """What was made of each cluster, by its record positions (:mod:`kg.derived`)."""
    made_by: dict[str, str] = field(default_factory=dict)
    """Which earlier build made a work or rejection as it is (:func:`save_ids`)."""


def load_state(directory: Path) -> State:
    """The resolution state of the build in ``directory``: from its packed
    copy (:mod:`kg.packed`) where this Python can read it, else from the
    JSON files."""
    fast = packed.load(directory, derived.features_code(), derived.works_code())
    if fast is not None:
        records, rejected = fast.records, fast.rejected
    else:
        records, rejected = load_records(directory)
    path = directory / RESOLUTION_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        e = doc["estimation"]
        model = Model(tuple(tuple(float(x) for x in w) for w in e["weights"]), float(e["prior"]))
        share = float("nan") if e["match share"] is None else float(e["match share"])
        estimation = Estimation(model, bool(e["estimated"]), int(e["iterations"]),
                                bool(e["converged"]), share, int(e["pairs"]),
                                frozenset((str(x), str(y)) for x, y in e.get("venue aliases", ())))
        levels = None
        if doc["comparisons"] == comparisons_signature():
            with np.load(directory / LEVELS_FILE, allow_pickle=False) as z:
                levels = KnownLevels([r.key for r in records], z["a"].astype(np.int64),
                                     z["b"].astype(np.int64), z["levels"].astype(np.int8))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{directory}: cannot read the resolution state: {exc}") from exc
    if fast is not None and (fast.ids is not None or not (directory / IDS_FILE).is_file()):
        return State(records, rejected, fast.ids, estimation, levels, fast.features, fast.works,
                     full_made_by(fast.made_by))
    return State(records, rejected, load_ids(directory), estimation, levels,
                 load_features(directory, len(records)), load_works(directory, len(records)),
                 load_made_by(directory))


def save_state(directory: Path, resolution: Resolution, rejected: Sequence[Rejection],
               earlier: Earlier | None = None, made_by: Mapping[str, str] | None = None
               ) -> None:
    """Everything above, for the build in ``directory`` (``earlier``: see
    :func:`save_records`; ``made_by``: see :func:`save_ids`)."""
    rows = id_rows(resolution) if resolution.ids is not None else None
    short = short_made_by(made_by or {})
    if rows is not None:
        save_ids(directory, resolution, made_by, rows)
    save_records(directory, resolution.records, rejected, earlier)
    save_levels(directory, resolution)
    own = resolution.own_features
    kept = resolution.features if own is None else own
    save_features(directory, kept, (earlier.directory, earlier.records) if earlier else None)
    save_works(directory, resolution)
    packed.save(directory, resolution, rejected, kept, derived.features_code(),
                derived.works_code(),
                (earlier.directory, earlier.records, earlier.rejected) if earlier else None,
                short, rows)


class StateWriter:
    """:func:`save_state` in a forked process, while the graph is loaded:
    :meth:`start` once Oxigraph has made its store in the build's directory
    (which must be empty until then), :meth:`finish` after the load (waits;
    returns the seconds waited).  A build that dies leaves the files in its
    directory, which the next build removes whole.  Where there is no
    ``fork``, :meth:`finish` writes them itself."""

    def __init__(self, directory: Path, resolution: Resolution,
                 rejected: Sequence[Rejection], earlier: Earlier | None = None,
                 then: Callable[[], object] | None = None,
                 made_by: Mapping[str, str] | None = None) -> None:
        self.directory = Path(directory)
        self._args = (resolution, rejected, earlier, made_by)
        self._then = then
        """Also done by the same process, after the state (``kg add`` in
        place: the library file, see :mod:`kg.incremental`)."""
        self._proc: Any = None

    def _save(self) -> None:
        save_state(self.directory, *self._args)
        if self._then is not None:
            self._then()

    def start(self) -> None:
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        self._proc = multiprocessing.get_context("fork").Process(target=self._save, daemon=True)
        self._proc.start()

    def finish(self) -> float:
        t = time.perf_counter()
        if self._proc is None:
            self._save()
            return round(time.perf_counter() - t, 3)
        self._proc.join()
        if self._proc.exitcode != 0:
            raise StoreError(f"{self.directory}: writing the resolution state failed "
                             f"(exit {self._proc.exitcode})")
        return round(time.perf_counter() - t, 3)

    def abort(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join()


def id_counts(ids: IdAssignment | None, prior: PriorIds | None) -> dict[str, int]:
    """How the build's work ids relate to the store it replaced (``kg info``)."""
    if ids is None:
        return {}
    before = {w.work_id for w in prior.works} if prior else set()
    return {"generation": ids.generation,
            "works kept from before": sum(1 for i in ids.ids if i in before),
            "new works": sum(1 for i in ids.ids if i not in before),
            "works merged into others": len(ids.merged),
            "redirects": len(ids.redirects)}


# --- files ------------------------------------------------------------------------

def _chain(*parts: Iterator[str]) -> Iterator[str]:
    for part in parts:
        yield from part


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, value in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, value, allow_pickle=False)
