"""What the resolution state keeps that is derived from the records alone, so
that ``kg add`` need not derive it again for the records it already has.

In a build's directory, beside the files of :mod:`kg.state`:

    features.jsonl.gz        every record's matching features
                             (:func:`resolve.features.features_of`), a JSON
                             array a line in build order, after a header line
                             naming the code that made them (:func:`features_code`)
    works.jsonl.gz           what was made of each cluster: its record
                             positions, the record each canonical field was
                             taken from, the DOI chosen, and its versions
                             (:class:`resolve.prior.KnownWork`), a JSON array a
                             line in the order of the works, after a header
                             line naming the code (:func:`works_code`)

Features are a function of one record (no statistic of the whole input):
those of the records a build had are those an add would compute again, as
long as the code that makes them is the same.  So are a work's canonical
fields and versions of its records: a cluster an add makes of the same
records gets those it had.  A file made by other code (a changed
:mod:`resolve.features`, :mod:`resolve.works`, :mod:`resolve.versions` or
:mod:`resolve.normalize`, another version of ``ftfy`` or ``anyascii``) is not
used: the add derives them again, as before.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from resolve import __version__, features, normalize, types, versions, works
from resolve.features import Features
from resolve.pipeline import Resolution
from resolve.prior import KnownWork
from resolve.types import Version, WorkVersions

FEATURES_FILE = "features.jsonl.gz"
WORKS_FILE = "works.jsonl.gz"
FORMAT = 1
T = TypeVar("T")
_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def features_code() -> str:
    """A digest of what makes a record's features: the tool's version, the
    modules :func:`resolve.features.features_of` runs, and the versions of the
    libraries :mod:`resolve.normalize` folds text with."""
    return _code(features, normalize, types)


def works_code() -> str:
    """A digest of what makes a work's canonical fields and versions (as
    :func:`features_code`)."""
    return _code(works, versions, normalize, types)


def _code(*modules: ModuleType) -> str:
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    for module in modules:
        h.update(Path(str(module.__file__)).read_bytes())
    for lib in ("ftfy", "anyascii"):
        try:
            h.update(f"{lib} {metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover
            h.update(f"{lib} ?".encode())
    return h.hexdigest()


def features_json(f: Features) -> list:
    """One record's features as a JSON array (fields in declaration order;
    ``title_core`` null when it is the title; sets sorted)."""
    return [f.title, None if f.title_core == f.title else f.title_core, list(f.tokens),
            sorted(f.numbers), f.notice, list(f.authors), list(f.families), f.year, f.venue,
            f.venue_kind, f.volume, f.first_page,
            {k: sorted(v) for k, v in f.ids.items()}, f.venue_truncated]


_NO_IDS: dict[str, frozenset[str]] = {}


def features_from_json(v: list) -> Features:
    (title, core, tokens, numbers, notice, authors, families, year, venue, kind, volume,
     first_page, ids, truncated) = v
    return Features(
        title=title, title_core=title if core is None else core,
        tokens=tuple(map(sys.intern, tokens)), numbers=frozenset(numbers), notice=notice,
        authors=tuple(authors), families=tuple(map(sys.intern, families)), year=year,
        venue=venue, venue_kind=kind, volume=volume, first_page=first_page,
        ids={k: frozenset(x) for k, x in ids.items()} if ids else _NO_IDS,
        venue_truncated=truncated)


def save_features(directory: Path, values: Sequence[Features],
                  earlier: tuple[Path, int] | None = None) -> None:
    """Write ``values`` (every record's features, in build order) into
    ``directory``.  ``earlier``: the directory of the build an add started
    from and its number of records; when its file was made by this code, it
    is copied and only the features after its records are appended (a gzip
    member of their own)."""
    path = directory / FEATURES_FILE
    code = features_code()
    skip = 0
    if earlier is not None and _header(earlier[0] / FEATURES_FILE) == code:
        shutil.copyfile(earlier[0] / FEATURES_FILE, path)
        skip = earlier[1]
    lines: Iterator[str] = (_dumps(features_json(f)) for f in values[skip:])
    if not skip:
        lines = _prepend(_dumps({"format": FORMAT, "code": code}), lines)
    write_gz(path, lines, append=skip > 0)


def write_gz(path: Path, lines: Iterable[str], append: bool = False) -> None:
    """``lines`` into a gzip file of their own (or appended to ``path`` as a
    further gzip member), newline-terminated, in batches; the same bytes for
    the same lines (no time stamp).  The state's files are all written so."""
    with path.open("ab" if append else "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= 4096:
                gz.write(("\n".join(batch) + "\n").encode("utf-8", "surrogatepass"))
                batch = []
        if batch:
            gz.write(("\n".join(batch) + "\n").encode("utf-8", "surrogatepass"))


def load_features(directory: Path, count: int) -> list[Features] | None:
    """The features kept in ``directory`` for its ``count`` records; ``None``
    when there are none, they were made by other code, or they do not match
    the records (then they are computed again)."""
    out = _read(directory / FEATURES_FILE, features_code(), features_from_json)
    return out if out is not None and len(out) == count else None


def save_works(directory: Path, resolution: Resolution) -> None:
    """What was made of each cluster of ``resolution`` (its works and
    versions), into ``directory``."""
    lines = (_dumps([list(w.members), w.field_sources, w.fields.get("doi"),
                     [[list(v.members), v.basis, [list(x) for x in v.identifiers],
                       v.arxiv_version] for v in wv.versions],
                     [list(r) for r in wv.revisions]])
             for w, wv in zip(resolution.works, resolution.versions, strict=True))
    write_gz(directory / WORKS_FILE, _prepend(_dumps({"format": FORMAT, "code": works_code()}),
                                            lines))


def load_works(directory: Path, count: int) -> dict[tuple[int, ...], KnownWork] | None:
    """What :func:`save_works` kept in ``directory`` (a build of ``count``
    records), by the clusters' record positions; ``None`` when there is
    nothing, or it was made by other code."""
    made = _read(directory / WORKS_FILE, works_code(), _known_work)
    if made is None or any(members[-1] >= count for members, _ in made):
        return None
    return dict(made)


def _known_work(v: list) -> tuple[tuple[int, ...], KnownWork]:
    members, sources, doi, vs, revisions = v
    return tuple(members), KnownWork(sources, doi, WorkVersions(
        tuple(Version(tuple(m), basis, tuple((s, x) for s, x in ids), arxiv)
              for m, basis, ids, arxiv in vs),
        tuple((a, b) for a, b in revisions)))


def _read(path: Path, code: str, parse: Callable[[list], T]) -> list[T] | None:
    """The lines after the header of ``path``, parsed; ``None`` if there is
    no such file or it was made by other code."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="surrogatepass") as fh:
            head = json.loads(fh.readline() or "{}")
            if head.get("format") != FORMAT or head.get("code") != code:
                return None
            loads = json.JSONDecoder().decode
            return [parse(loads(line)) for line in fh]
    except (OSError, ValueError, TypeError, EOFError):
        return None


def _header(path: Path) -> str | None:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            head = json.loads(fh.readline() or "{}")
    except (OSError, ValueError, EOFError):
        return None
    return head.get("code") if head.get("format") == FORMAT else None


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
