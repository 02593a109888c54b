"""The scorer: one formula from comparison levels to a match probability.

A pair's comparison levels (:mod:`resolve.comparisons`) are looked up in the
:class:`Model`'s weights (log2 Bayes factors), the positive title and author
weights are lowered by their term-frequency :class:`Adjustment`, and the
match probability is ``1 / (1 + 2 ** -(prior + sum of weights))``.

Pairs are compared one comparison at a time into a byte matrix of level
indices (:func:`compare_pairs`), and :meth:`PairScorer.weights` turns rows of
it into weights over arrays.  That one function makes both the scores and
the explanations: the evidence of a pair (:meth:`PairScorer.explain_row`) is
its stored level row and the weights of that row.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .comparisons import ALL_COMPARISONS, FIELD_COUNT, Comparison, comparison_index
from .features import Features, TokenStats
from .settings import Settings
from .types import FieldEvidence, ScoredPair
from .venues import apply_venue_aliases

# How many records are expected to carry one work's title or author (a record
# and a copy); values carried by more records get a term-frequency penalty.
TYPICAL_COPIES = 2
# Scale of positive author weights by the length of the shorter author list.
AUTHOR_SCALE = (1.0, 0.5, 0.8, 1.0)
# A title word carried by at most this many records is rare (counts double).
RARE_TOKEN_DF = 3
# Scale of positive title weights by the title's number of significant words.
TITLE_SCALE = (0.3, 0.3, 0.5, 0.75, 1.0)


def title_scale(f: Features, stats: TokenStats) -> float:
    """How far an agreeing title can be trusted: a title of one or two common
    words ("Editorial", "Book reviews") is shared by many different works,
    while a word that hardly any other record uses ("Outerjoins") counts double."""
    words = sum(2 if stats.df.get(t, 0) <= RARE_TOKEN_DF else 1 for t in set(f.tokens))
    return TITLE_SCALE[min(words, len(TITLE_SCALE) - 1)]


def _tf_penalty(k: int) -> float:
    return math.log2(k / TYPICAL_COPIES) if k > TYPICAL_COPIES else 0.0


@dataclass(frozen=True, slots=True)
class Adjustment:
    """How much an agreeing title or author list of one pair can be trusted.

    A title carried by ``k`` works (``"Editor's notes"`` in every issue) is
    ``k / 2`` times as likely to agree by chance as one carried by a record
    and its copy: ``log2(k / 2)`` bits come off, a term-frequency adjustment
    as in Fellegi-Sunter.  Titles of one or two words, and author lists of
    one or two names, say less to begin with.

    Author lists get no term-frequency penalty: the estimated weights of the
    author levels are learnt among candidate pairs, which already share a
    title's words, so a prolific author's agreement is priced there; a
    penalty on top cost recall on web-scraped and citation data (copies of
    one work spell its title's opening many ways, so its authors looked
    prolific) and bought no precision on any set (issue 15).
    """

    title_scale: float = 1.0
    title_penalty: float = 0.0
    author_scale: float = 1.0


def adjustment(a: Features, b: Features, stats: TokenStats,
               scales: tuple[float, float] | None = None) -> Adjustment:
    """The adjustment of one pair; ``scales`` passes the two records'
    :func:`title_scale` when the caller has them already."""
    k_title = max(stats.title_counts.get(a.title, 1), stats.title_counts.get(b.title, 1))
    short = min((a.authors, b.authors), key=lambda x: (len(x), x))
    return Adjustment(
        title_scale=min(scales or (title_scale(a, stats), title_scale(b, stats))),
        title_penalty=_tf_penalty(k_title),
        author_scale=AUTHOR_SCALE[min(len(short), len(AUTHOR_SCALE) - 1)],
    )


@dataclass(frozen=True)
class Model:
    """The weight of every level of every comparison, and the prior.

    ``weights[k][l]`` is the log2 Bayes factor of level ``l`` of
    ``ALL_COMPARISONS[k]``; ``prior`` the log2 prior odds of a match.  The
    hand-set model (:meth:`hand_set`) is where estimation starts and what it
    is shrunk towards (see :mod:`resolve.estimate`)."""

    weights: tuple[tuple[float, ...], ...]
    prior: float

    @classmethod
    def hand_set(cls, settings: Settings) -> Model:
        return cls(tuple(tuple(lv.weight for lv in c.levels) for c in ALL_COMPARISONS),
                   settings.prior)

    def as_dict(self) -> dict:
        return {"prior": round(self.prior, 3), "weights": {
            c.field: {lv.name: round(w, 3) for lv, w in zip(c.levels, ws, strict=True)}
            for c, ws in zip(ALL_COMPARISONS, self.weights, strict=True)}}


_TITLE = comparison_index("title")
_AUTHORS = comparison_index("authors")
# " (common value)" marks a title or author weight lowered by its adjustment.
COMMON_VALUE = " (common value)"


def compare_pair(a: Features, b: Features) -> list[tuple[int, float | None]]:
    """The level (and the similarity it shows) of every comparison for one pair."""
    return [c.level_of(a, b) for c in ALL_COMPARISONS]


PairEvidence = Callable[[int, int], FieldEvidence | None]
"""Evidence about a pair beyond its two records' fields (record positions in),
e.g. that it links two sources declared free of duplicates."""


def probability(log2_odds: float) -> float:
    if log2_odds > 60:
        return 1.0
    if log2_odds < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-log2_odds))


def log2_odds(p: float) -> float:
    """The inverse of :func:`probability`, kept finite at 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log2(p / (1 - p))


def compare_pairs(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                  jobs: int = 1) -> np.ndarray:
    """The level of every comparison for every pair: ``levels[p, k]`` is the
    level index of ``ALL_COMPARISONS[k]`` for ``pairs[p]`` (-1: a side lacks
    the field), one byte each.

    One comparison at a time over all pairs, skipping the pairs in which a
    record lacks what it needs; with ``jobs`` > 1 a large batch is split
    over that many forked processes (the result is the same)."""
    if jobs > 1 and len(pairs) >= _PARALLEL_MIN_PAIRS:
        return _compare_in_processes(features, pairs, jobs)
    a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    levels = np.full((len(pairs), len(ALL_COMPARISONS)), -1, dtype=np.int8)
    involved = np.unique(np.concatenate([a, b])) if len(pairs) else a
    for k, comp in enumerate(ALL_COMPARISONS):
        rows = np.arange(len(pairs))
        if comp.present is not None and len(pairs):
            has = np.zeros(len(features), dtype=bool)
            has[involved] = [bool(comp.present(features[i])) for i in involved.tolist()]
            rows = np.flatnonzero(has[a] & has[b])
        levels[rows, k] = _levels(comp, features, a[rows].tolist(), b[rows].tolist())
    return levels


def _levels(comp: Comparison, features: Sequence[Features], a: list[int], b: list[int]
            ) -> list[int]:
    compare, level_index = comp.compare, comp.level_index
    return [level_index(compare(features[x], features[y])) for x, y in zip(a, b, strict=True)]


# Below this many pairs, starting processes costs more than it saves.
_PARALLEL_MIN_PAIRS = 20_000
_SHARED: Sequence[Features] = ()  # the features forked workers compare


def _compare_chunk(chunk: list[tuple[int, int]]) -> np.ndarray:
    return compare_pairs(_SHARED, chunk)


def _compare_in_processes(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                          jobs: int) -> np.ndarray:
    """:func:`compare_pairs` over chunks in forked processes, which inherit
    the features instead of receiving them pickled."""
    global _SHARED
    size = -(-len(pairs) // (jobs * 4))
    chunks = [list(pairs[i:i + size]) for i in range(0, len(pairs), size)]
    _SHARED = features
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_compare_chunk, chunks)
    finally:
        _SHARED = ()
    return np.concatenate(parts)


@dataclass(frozen=True)
class PairScorer:
    """Scores pairs in bulk from their comparison levels, and explains any
    one pair from its level row with the same weights (its :class:`Explainer`)."""

    features: Sequence[Features]
    stats: TokenStats
    model: Model
    extra: PairEvidence | None = None
    adjust: bool = True
    """False: no term-frequency adjustment (weights as the model has them)."""
    venue_aliases: frozenset[tuple[str, str]] = frozenset()
    """Venue names learnt to be one venue (:mod:`resolve.venues`): the pairs
    this scorer compares itself (:meth:`score_pairs`, :meth:`explain`) get
    the alias level as the build's pairs did."""

    @cached_property
    def _tables(self) -> list[np.ndarray]:
        """Per comparison, its level weights rounded to 3 places, and 0 last
        (level index -1: missing)."""
        return [np.array([round(w, 3) for w in ws] + [0.0]) for ws in self.model.weights]

    def weights(self, a: np.ndarray, b: np.ndarray, levels: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """The weight of every comparison for pairs ``(a[i], b[i])`` with level
        rows ``levels[i]``: the model's weight of the level, the positive
        title and author weights scaled and penalised by their
        :class:`Adjustment` (rounded to 3 places), and which were."""
        n, k_count = levels.shape
        out = np.zeros((n, k_count), dtype=np.float64)
        adjusted = np.zeros((n, k_count), dtype=bool)
        t_scale, t_penalty, n_authors = self._record_arrays
        for k, table in enumerate(self._tables):
            w = table[levels[:, k]]
            if not self.adjust:
                pass
            elif k == _TITLE:
                w, adjusted[:, k] = _adjusted(w, np.minimum(t_scale[a], t_scale[b]),
                                              np.maximum(t_penalty[a], t_penalty[b]))
            elif k == _AUTHORS:
                short = self._shorter_authors(a, b, n_authors)
                scale = np.asarray(AUTHOR_SCALE)[np.minimum(n_authors[short],
                                                            len(AUTHOR_SCALE) - 1)]
                w, adjusted[:, k] = _adjusted(w, scale, np.zeros(len(w)))
            out[:, k] = w
        return out, adjusted

    def score(self, pairs: Sequence[tuple[int, int]], levels: np.ndarray) -> list[ScoredPair]:
        """Score pairs whose levels :func:`compare_pairs` computed: the prior
        plus the sum of their :meth:`weights` and any extra evidence."""
        n = len(pairs)
        a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=n)
        b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=n)
        weights, _ = self.weights(a, b, levels)
        total = np.zeros(n, dtype=np.float64)
        for k in range(weights.shape[1]):  # summed one comparison at a time, in order
            total += weights[:, k]
        if self.extra is not None:
            total += [ev.weight if (ev := self.extra(x, y)) else 0.0 for x, y in pairs]
        total = self.model.prior + total
        with np.errstate(over="ignore"):
            prob = np.where(total > 60, 1.0, np.where(
                total < -60, 0.0, 1.0 / (1.0 + np.power(2.0, -np.clip(total, -60, 60)))))
        return [ScoredPair(x, y, round(score, 6), self)
                for (x, y), score in zip(pairs, prob.tolist(), strict=True)]

    def score_pairs(self, pairs: Sequence[tuple[int, int]], jobs: int = 1) -> list[ScoredPair]:
        return self.score(pairs, self._compare(pairs, jobs))

    def _compare(self, pairs: Sequence[tuple[int, int]], jobs: int = 1) -> np.ndarray:
        levels = compare_pairs(self.features, pairs, jobs)
        if self.venue_aliases:
            levels = apply_venue_aliases(levels, pairs, self.features, self.venue_aliases)
        return levels

    def explain_row(self, a: int, b: int, row: np.ndarray,
                    weighed: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[FieldEvidence, ...]:
        """The per-field evidence of pair ``(a, b)`` from its level row: each
        comparison's level and its weight as :meth:`weights` made it (missing
        identifiers left out), then any extra evidence.  The similarity shown
        beside a banded level is measured again for display.  ``weighed``:
        the pair's row of :meth:`weights` and of its ``adjusted`` flags, when
        the caller computed them for many pairs at once."""
        levels = np.asarray(row, dtype=np.int8).reshape(1, -1)
        if weighed is None:
            weights, adjusted = self.weights(np.array([a]), np.array([b]), levels)
        else:
            weights, adjusted = weighed[0].reshape(1, -1), weighed[1].reshape(1, -1)
        fa, fb = self.features[a], self.features[b]
        evidence: list[FieldEvidence] = []
        for k, comp in enumerate(ALL_COMPARISONS):
            level = int(levels[0, k])
            if level < 0:
                if k < FIELD_COUNT:
                    evidence.append(comp.evidence(-1, None))
                continue
            shown = comp.levels[level].shows
            if comp.levels[level].at_least is not None:
                outcome = comp.compare(fa, fb)
                if not isinstance(outcome, str):
                    shown = outcome
            evidence.append(comp.evidence(level, shown, float(weights[0, k]),
                                          COMMON_VALUE if adjusted[0, k] else ""))
        if self.extra is not None and (ev := self.extra(a, b)) is not None:
            evidence.append(ev)
        return tuple(evidence)

    def explain(self, a: int, b: int) -> tuple[FieldEvidence, ...]:
        """The per-field evidence of any pair (its levels compared now)."""
        return self.explain_row(a, b, self._compare([(a, b)])[0])

    @cached_property
    def _record_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per record: title scale, title term-frequency penalty (see
        :func:`adjustment`), and the number of authors."""
        stats = self.stats
        t_scale = np.array([title_scale(f, stats) for f in self.features])
        t_penalty = np.array([_tf_penalty(stats.title_counts.get(f.title, 1))
                              for f in self.features])
        n_authors = np.array([len(f.authors) for f in self.features], dtype=np.int64)
        return t_scale, t_penalty, n_authors

    def _shorter_authors(self, a: np.ndarray, b: np.ndarray, n_authors: np.ndarray) -> np.ndarray:
        """The record of each pair with the shorter author list (ties broken
        by content, as :func:`adjustment` does)."""
        short = np.where(n_authors[b] < n_authors[a], b, a)
        for p in np.flatnonzero(n_authors[a] == n_authors[b]).tolist():
            x, y = int(a[p]), int(b[p])
            if self.features[y].authors < self.features[x].authors:
                short[p] = y
        return short


def _adjusted(weights: np.ndarray, scale: np.ndarray, penalty: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Positive weights scaled and penalised (rounded to 3 places) where the
    adjustment says anything, and where that was."""
    change = (weights > 0) & ~((scale >= 1.0) & (penalty <= 0))
    if change.any():
        weights = weights.copy()
        new = np.maximum(0.0, weights[change] * scale[change] - penalty[change])
        weights[change] = [round(x, 3) for x in new.tolist()]
    return weights, change


def score_pair(a: Features, b: Features, settings: Settings, stats: TokenStats | None = None,
               model: Model | None = None) -> tuple[float, tuple[FieldEvidence, ...]]:
    """Match probability of two records and the per-field evidence, by the
    same formula as a build: title and author weights adjusted by ``stats``
    (the token statistics of the records being resolved; None: unadjusted);
    ``model`` defaults to the hand-set weights."""
    scorer = PairScorer([a, b], stats or TokenStats({}, 0, {}),
                        model or Model.hand_set(settings), adjust=stats is not None)
    levels = compare_pairs([a, b], [(0, 1)])
    return scorer.score([(0, 1)], levels)[0].score, scorer.explain_row(0, 1, levels[0])


def score_pairs(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                stats: TokenStats, settings: Settings, model: Model | None = None,
                extra: PairEvidence | None = None) -> list[ScoredPair]:
    """Score every candidate pair; the result is in the order of ``pairs``."""
    return PairScorer(features, stats, model or Model.hand_set(settings), extra).score_pairs(pairs)
