"""A packed copy of the resolution state that ``kg add`` reads, for speed.

``kg add`` reads the state of the build it starts from (:mod:`kg.state`,
:mod:`kg.derived`): every record, its features, what was made of each
cluster, the works' ids.  From the JSON files that took 8.7 s of a 36 s add
of 1% to depression (decompressing, parsing, building dictionaries only to
build the objects from them).  So each build also writes the same data as
:mod:`marshal` dumps of plain tuples, lists, dicts and frozensets (no
classes, no code: :func:`marshal.loads` builds nothing else), which
:func:`load` reads in a fraction of that.  The JSON files stay what the state
*is* (reviewable, read when the packed copy cannot be used); the packed copy
is only ever a faster reading of them, and ``tests/test_state_packed.py``
checks that both give the same state.

In a build's directory: ``state-packed.json``, the manifest, and the
segments it names (``packed-<part>-<digest>.marshal``).  The manifest names
the format, the Python version and marshal version that wrote them (another
Python reads the JSON files instead), and per segment its size and BLAKE2b
digest, checked before it is loaded (a segment that does not match is an
error, as a damaged JSON file is).  The records and rejections, and the
features, are in segments of consecutive records: an add links the old
build's segments (they are never changed once written) and writes one for
its new records only.  The works' choices and the ids are written whole.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from resolve import __version__
from resolve.features import Features
from resolve.ids import PriorIds, PriorWork
from resolve.pipeline import Resolution
from resolve.prior import KnownWork
from resolve.types import Author, Record, Rejection, Version, WorkVersions

from .store import StoreError

MANIFEST = "state-packed.json"
FORMAT = 1
_RECORD_FIELDS = tuple(f.name for f in fields(Record) if f.name != "raw")
_AUTHOR_FIELDS = tuple(f.name for f in fields(Author))
_FEATURE_FIELDS = tuple(f.name for f in fields(Features))
_REJECTION_FIELDS = tuple(f.name for f in fields(Rejection))
assert fields(Record)[-1].name == "raw"  # the others, in order, are Record(*values)


def _environment() -> dict[str, Any]:
    """What must be the same for a packed copy to be read (else the JSON is)."""
    return {"format": FORMAT, "version": __version__,
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "marshal": marshal.version}


@dataclass
class Packed:
    """What :func:`load` read: each part ``None`` when the packed copy has
    none that can be used (then :mod:`kg.state` reads its JSON file)."""

    records: list[Record]
    rejected: list[Rejection]
    features: list[Features] | None
    works: dict[tuple[int, ...], KnownWork] | None
    ids: PriorIds | None
    made_by: dict[str, str]
    """As :func:`kg.state.short_made_by` gives it."""


# --- writing ----------------------------------------------------------------------

def save(directory: Path, resolution: Resolution, rejected: Sequence[Rejection],
         features: Sequence[Features], features_code: str, works_code: str,
         earlier: tuple[Path, int, int] | None = None,
         made_by: dict[str, str] | None = None,
         id_rows: Sequence[tuple[str, tuple[str, str], int, Sequence[tuple[str, str]]]]
         | None = None) -> None:
    """The packed copy of the state of ``resolution`` (``features``: those
    the state keeps, made by code of digest ``features_code``) into
    ``directory``.  ``earlier``: the directory of the build an add started
    from and its numbers of records and rejections; its segments of those are
    linked, when it has a packed copy this Python can read.  ``made_by``: as
    :func:`kg.state.short_made_by` gives it; ``id_rows``: as
    :func:`kg.state.id_rows` gives them (required for the ids to be kept)."""
    directory = Path(directory)
    records = resolution.records
    old = _manifest(earlier[0]) if earlier else None
    doc: dict[str, Any] = {**_environment()}
    # records and rejections
    segments: list[dict] = []
    n_rec = n_rej = 0
    if old is not None and earlier is not None and \
            sum(s["records"] for s in old["records"]) == earlier[1] and \
            sum(s["rejected"] for s in old["records"]) == earlier[2]:
        segments = [_link(earlier[0], directory, s) for s in old["records"]]
        n_rec, n_rej = earlier[1], earlier[2]
    if n_rec < len(records) or n_rej < len(rejected) or not segments:
        segments.append({**_write(directory, "records", (
            [_record(r) for r in records[n_rec:]],
            [tuple(getattr(j, n) for n in _REJECTION_FIELDS) for j in rejected[n_rej:]])),
            "records": len(records) - n_rec, "rejected": len(rejected) - n_rej})
    doc["records"] = segments
    # features
    segments, n = [], 0
    if old is not None and earlier is not None and old["features"]["code"] == features_code \
            and sum(s["records"] for s in old["features"]["segments"]) == earlier[1]:
        segments = [_link(earlier[0], directory, s) for s in old["features"]["segments"]]
        n = earlier[1]
    if n < len(features) or not segments:
        segments.append({**_write(directory, "features", [
            tuple(getattr(f, name) for name in _FEATURE_FIELDS) for f in features[n:]]),
            "records": len(features) - n})
    doc["features"] = {"code": features_code, "segments": segments}
    # works: what was made of each cluster
    doc["works"] = {"code": works_code, "segment": _write(directory, "works", [
        (w.members, w.field_sources, w.fields.get("doi"),
         tuple((v.members, v.basis, v.identifiers, v.arxiv_version) for v in wv.versions),
         wv.revisions)
        for w, wv in zip(resolution.works, resolution.versions, strict=True)])}
    # ids
    ids = resolution.ids
    if ids is not None and id_rows is not None:
        doc["ids"] = {"segment": _write(directory, "ids", (
            ids.generation, dict(ids.redirects),
            [(i, f, s, tuple(m)) for i, f, s, m in id_rows], made_by or {}))}
    (directory / MANIFEST).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _record(r: Record) -> tuple:
    values = [getattr(r, name) for name in _RECORD_FIELDS]
    values[_RECORD_FIELDS.index("authors")] = tuple(
        tuple(getattr(a, n) for n in _AUTHOR_FIELDS) for a in r.authors)
    return tuple(values)


def _write(directory: Path, part: str, value: Any) -> dict[str, Any]:
    data = marshal.dumps(value)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    name = f"packed-{part}-{digest}.marshal"
    (directory / name).write_bytes(data)
    return {"file": name, "bytes": len(data), "blake2b": digest}


def _link(source: Path, target: Path, segment: dict) -> dict:
    """A segment of the build in ``source``, in ``target`` too (a hard link:
    segments are never changed once written; a copy across file systems)."""
    if not (target / segment["file"]).exists():
        try:
            os.link(source / segment["file"], target / segment["file"])
        except OSError:
            shutil.copyfile(source / segment["file"], target / segment["file"])
    return segment


# --- reading ----------------------------------------------------------------------

def _manifest(directory: Path) -> dict | None:
    """The manifest of ``directory``, if there is one this Python reads."""
    try:
        doc = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    env = _environment()
    if not isinstance(doc, dict) or any(doc.get(k) != v for k, v in env.items()):
        return None
    return doc


def _load(directory: Path, segment: dict) -> Any:
    path = directory / segment["file"]
    data = path.read_bytes()
    if len(data) != segment["bytes"] or \
            hashlib.blake2b(data, digest_size=16).hexdigest() != segment["blake2b"]:
        raise StoreError(f"{path}: damaged (its digest is not the one {MANIFEST} names)")
    return marshal.loads(data)


def load(directory: Path, features_code: str, works_code: str) -> Packed | None:
    """The packed state of the build in ``directory``; ``None`` when it has
    none this Python can read (the JSON files are read instead).  Features
    and works made by other code than ``features_code`` and ``works_code``
    are left out (``None``), as :mod:`kg.derived` leaves them out."""
    directory = Path(directory)
    doc = _manifest(directory)
    if doc is None:
        return None
    try:
        records: list[Record] = []
        rejected: list[Rejection] = []
        author_at = _RECORD_FIELDS.index("authors")
        for segment in doc["records"]:
            recs, rejs = _load(directory, segment)
            for values in recs:
                values = list(values)
                values[author_at] = tuple(Author(*a) for a in values[author_at])
                records.append(Record(*values))
            rejected.extend(Rejection(*j) for j in rejs)
        features: list[Features] | None = None
        if doc["features"]["code"] == features_code:
            features = [Features(*v) for segment in doc["features"]["segments"]
                        for v in _load(directory, segment)]
            if len(features) != len(records):
                features = None
        works: dict[tuple[int, ...], KnownWork] | None = None
        if doc["works"]["code"] == works_code:
            works = {members: KnownWork(sources, doi, WorkVersions(
                tuple(Version(*v) for v in versions), revisions))
                for members, sources, doi, versions, revisions
                in _load(directory, doc["works"]["segment"])}
            if any(members[-1] >= len(records) for members in works):
                works = None
        ids, made_by = None, {}
        if "ids" in doc:
            generation, redirects, id_works, made_by = _load(directory, doc["ids"]["segment"])
            ids = PriorIds(tuple(PriorWork(i, f, frozenset(m), s) for i, f, s, m in id_works),
                           redirects, generation)
    except (KeyError, TypeError, ValueError, EOFError, OSError) as exc:
        raise StoreError(f"{directory}: cannot read the packed state: {exc}") from exc
    return Packed(records, rejected, features, works, ids, made_by)
