"""What an earlier resolution leaves for the next one (``kg add``, a rebuild).

:func:`resolve.pipeline.resolve_records` takes a :class:`Prior`:

- ``ids``: the earlier works' ids (:mod:`resolve.ids`), kept by the works that
  hold their founding records;
- ``levels``: the comparison levels of the pairs compared before
  (:class:`KnownLevels`).  A pair's levels depend on its two records alone
  (:func:`resolve.scoring.compare_pairs` reads no statistic of the whole
  input), so a pair of the same two records need not be compared again;
- ``estimation``: weights to use as they are, instead of estimating them by EM
  over the candidate pairs (``kg add`` without ``--reestimate``);
- ``features``: the features of the first records (those the earlier
  resolution had, in its order).  A record's features depend on the record
  alone (:func:`resolve.features.features_of`), so they are not computed again;
- ``works``: what the earlier resolution made of each of its clusters
  (:class:`KnownWork`, by the cluster's record positions): a work's canonical
  fields and versions depend on its records alone
  (:func:`resolve.works.canonical_fields`, :func:`resolve.versions.work_versions`),
  so a cluster made again of the same records gets them without choosing again.

Everything is plain data; :mod:`kg.state` keeps it in a store's directory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .comparisons import ALL_COMPARISONS
from .estimate import Estimation
from .features import Features
from .ids import PriorIds
from .types import Record, RecordKey, WorkVersions


def comparisons_signature() -> list[list[str]]:
    """Each comparison's field and level names, in order: stored levels are
    reused only by the same comparisons."""
    return [[c.field, *(lv.name for lv in c.levels)] for c in ALL_COMPARISONS]


@dataclass(frozen=True)
class KnownLevels:
    """Comparison levels of pairs of records, as rows of ``levels`` (one byte
    per comparison, see :func:`resolve.scoring.compare_pairs`) keyed by the
    two records' keys in pair order."""

    keys: Sequence[RecordKey]
    """The records the positions in ``a`` and ``b`` refer to."""
    a: np.ndarray
    b: np.ndarray
    levels: np.ndarray
    _index: dict[tuple[RecordKey, RecordKey], int] = field(default_factory=dict, repr=False,
                                                           compare=False)

    def __post_init__(self) -> None:
        if self.levels.shape != (len(self.a), len(ALL_COMPARISONS)):
            raise ValueError("known levels do not match the comparisons")
        keys = self.keys
        self._index.update(((keys[x], keys[y]), n) for n, (x, y) in
                           enumerate(zip(self.a.tolist(), self.b.tolist(), strict=True)))

    def __len__(self) -> int:
        return len(self.a)

    def lookup(self, records: Sequence[Record], pairs: Sequence[tuple[int, int]]
               ) -> tuple[np.ndarray, list[int]]:
        """The known level rows of ``pairs`` (record positions in ``records``)
        and the indices of the pairs not known (their rows left at -1)."""
        out = np.full((len(pairs), len(ALL_COMPARISONS)), -1, dtype=np.int8)
        index = self._index
        rows = np.fromiter((index.get((records[x].key, records[y].key), -1) for x, y in pairs),
                           dtype=np.int64, count=len(pairs))
        hit = rows >= 0
        out[hit] = self.levels[rows[hit]]
        return out, np.flatnonzero(~hit).tolist()


@dataclass(frozen=True)
class KnownWork:
    """What was made of one cluster: the record each canonical field was
    taken from (:attr:`resolve.types.Work.field_sources`, in order), the DOI
    chosen, and the versions."""

    sources: dict[str, int]
    doi: str | None
    versions: WorkVersions


@dataclass(frozen=True)
class Prior:
    """What :func:`resolve.pipeline.resolve_records` may reuse (all optional)."""

    ids: PriorIds | None = None
    levels: KnownLevels | None = None
    estimation: Estimation | None = None
    features: Sequence[Features] = ()
    works: Mapping[tuple[int, ...], KnownWork] = field(default_factory=dict)
