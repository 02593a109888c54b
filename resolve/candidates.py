"""A build's candidate pairs, kept next to its store for ``kg evaluate``.

Blocking recall (the share of gold pairs that blocking ever proposed) needs
the pairs that were scored, which the graph does not hold (it keeps only
merged pairs and near misses).  :func:`save_candidates` writes them as
``candidates.npz`` in the store directory:

- ``a``, ``b``: the pairs as two ``int32`` arrays of record positions, ``a < b``,
  sorted (blocking's order);
- ``sources``, ``source``: the distinct source names (UTF-8, see below) and
  each record's index into them (``int32``);
- ``ids``: each record's id: ``ids_bytes`` (UTF-8, concatenated) and
  ``ids_ends`` (``int64`` end offsets);
- ``score`` (when given): each pair's match probability as scored (``float64``),
  for the score distribution of ``kg report``; files written without it still load.

Records are in build order, so a position names one ``(source, record_id)``
key.  The file is an ordinary ``numpy.load``-able ``.npz`` (deflated), written
with fixed zip timestamps: the same build gives the same bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .types import Record

CANDIDATES_FILE = "candidates.npz"
FORMAT_VERSION = 1

RecordKey = tuple[str, str]


@dataclass(frozen=True)
class Candidates:
    """Candidate pairs as record positions, and the records' keys."""

    keys: list[RecordKey]
    a: np.ndarray
    b: np.ndarray
    scores: np.ndarray | None = None
    """Each pair's match probability, when the build saved it."""

    def __len__(self) -> int:
        return len(self.a)

    def key_pairs(self) -> Iterable[tuple[RecordKey, RecordKey]]:
        keys = self.keys
        return ((keys[x], keys[y]) for x, y in zip(self.a.tolist(), self.b.tolist(),
                                                    strict=True))

    def within(self, labels: Mapping[RecordKey, object]) -> set[frozenset[RecordKey]]:
        """The candidate pairs whose two records share a label (e.g. a gold
        cluster), as key pairs; records without a label share none."""
        number: dict[object, int] = {}
        lab = np.fromiter((number.setdefault(labels[k], len(number)) if k in labels else -1
                           for k in self.keys), dtype=np.int64, count=len(self.keys))
        hit = (lab[self.a] == lab[self.b]) & (lab[self.a] >= 0)
        keys = self.keys
        return {frozenset({keys[x], keys[y]})
                for x, y in zip(self.a[hit].tolist(), self.b[hit].tolist(), strict=True)
                if keys[x] != keys[y]}


def candidates_path(path: Path) -> Path:
    """``path`` itself, or the candidates file in it if it is a directory."""
    path = Path(path)
    return path / CANDIDATES_FILE if path.is_dir() else path


def save_candidates(path: Path, records: Sequence[Record], pairs,
                    scores: Sequence[float] | np.ndarray | None = None) -> Path:
    """Write ``pairs`` (``(a, b)`` record positions: a sequence of pairs or
    an ``(n, 2)`` array) with the records' keys, and each pair's score if
    given, to ``path`` (a store directory, or a file name); the file written."""
    target = candidates_path(path)
    ab = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(ab) and (ab.min() < 0 or ab.max() >= len(records)):
        raise ValueError("candidate pair outside the records")
    score = None if scores is None else np.asarray(scores, dtype=np.float64).reshape(-1)
    if score is not None and len(score) != len(ab):
        raise ValueError(f"{len(score)} scores for {len(ab)} candidate pairs")
    sources = sorted({r.source for r in records})
    index = {s: n for n, s in enumerate(sources)}
    src_bytes, src_ends = _strings(sources)
    id_bytes, id_ends = _strings(r.record_id for r in records)
    arrays = {
        "format": np.array([FORMAT_VERSION], dtype=np.int32),
        "a": ab[:, 0].astype(np.int32),
        "b": ab[:, 1].astype(np.int32),
        "sources_bytes": src_bytes,
        "sources_ends": src_ends,
        "source": np.fromiter((index[r.source] for r in records), dtype=np.int32,
                              count=len(records)),
        "ids_bytes": id_bytes,
        "ids_ends": id_ends,
        **({"score": score} if score is not None else {}),
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, value in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, value, allow_pickle=False)
    return target


def load_candidates(path: Path) -> Candidates:
    """The candidate pairs :func:`save_candidates` wrote (``path``: a store
    directory or the file); ``FileNotFoundError`` if there are none."""
    target = candidates_path(path)
    with np.load(target, allow_pickle=False) as z:
        if int(z["format"][0]) != FORMAT_VERSION:
            raise ValueError(f"{target}: unknown candidates format {int(z['format'][0])}")
        sources = _unstrings(z["sources_bytes"], z["sources_ends"])
        ids = _unstrings(z["ids_bytes"], z["ids_ends"])
        keys = [(sources[s], i) for s, i in zip(z["source"].tolist(), ids, strict=True)]
        scores = z["score"].astype(np.float64) if "score" in z.files else None
        return Candidates(keys, z["a"].astype(np.int64), z["b"].astype(np.int64), scores)


def _strings(values: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [v.encode("utf-8") for v in values]
    ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), ends.astype(np.int64)


def _unstrings(data: np.ndarray, ends: np.ndarray) -> list[str]:
    raw = data.tobytes()
    out, start = [], 0
    for end in ends.tolist():
        out.append(raw[start:end].decode("utf-8"))
        start = end
    return out
