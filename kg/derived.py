"""What the resolution state keeps that is derived from the records alone, so
that ``kg add`` need not derive it again for the records it already has.

In a build's directory, beside the files of :mod:`kg.state`:

    features.jsonl.gz        every record's matching features
                             (:func:`resolve.features.features_of`), a JSON
                             array a line in build order, after a header line
                             naming the code that made them (:func:`features_code`)

Features are a function of one record (no statistic of the whole input):
those of the records a build had are those an add would compute again, as
long as the code that makes them is the same.  A file made by other code (a
changed :mod:`resolve.features` or :mod:`resolve.normalize`, another version
of ``ftfy`` or ``anyascii``) is not used: the add computes every record's
features again, as before.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

from resolve import __version__, features, normalize, types
from resolve.features import Features

FEATURES_FILE = "features.jsonl.gz"
FORMAT = 1


def features_code() -> str:
    """A digest of what makes a record's features: the tool's version, the
    modules :func:`resolve.features.features_of` runs, and the versions of the
    libraries :mod:`resolve.normalize` folds text with."""
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    for module in (features, normalize, types):
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
    dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    code = features_code()
    skip = 0
    if earlier is not None and _header(earlier[0] / FEATURES_FILE) == code:
        shutil.copyfile(earlier[0] / FEATURES_FILE, path)
        skip = earlier[1]
    lines: Iterator[str] = (dumps(features_json(f)) for f in values[skip:])
    if not skip:
        lines = _prepend(dumps({"format": FORMAT, "code": code}), lines)
    with path.open("ab" if skip else "wb") as raw, \
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
    path = directory / FEATURES_FILE
    code = features_code()
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="surrogatepass") as fh:
            head = json.loads(fh.readline() or "{}")
            if head.get("format") != FORMAT or head.get("code") != code:
                return None
            loads = json.JSONDecoder().decode
            out = [features_from_json(loads(line)) for line in fh]
    except (OSError, ValueError, TypeError, EOFError):
        return None
    return out if len(out) == count else None


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
