"""Learn what each kind of agreement is worth from the data being resolved.

Fellegi-Sunter with expectation-maximisation over the candidate pairs, as
Splink does, but with both ``m`` (how often a level occurs among matches) and
``u`` (among non-matches) estimated from the *candidate* pairs rather than
``u`` from random pairs: blocking has already selected pairs with similar
titles, and it is among those that a shared title says less and differing
pages say more.  No labels are used.

The hand-set weights of :mod:`resolve.scoring` are the starting point and a
prior: each level's learned weight is averaged with its hand-set weight, the
learned one counting as many times as the level's support (the harmonic
mean-like ``cm * cu / (cm + cu)`` of its expected match and non-match
counts), the hand-set one as ``settings.em_prior_pairs`` (100: a level seen
among a few hundred matches and non-matches is mostly what the data says).
Only the levels a rule names keep their sign (:func:`free_levels`), and the
data makes them stronger only against a tenfold prior
(:data:`RULE_PRIOR_FACTOR`).  A level that hardly occurs in this data (an
arXiv conflict among medical records) keeps its hand-set weight, and a
small input is resolved much as the hand-set model would resolve it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .comparisons import ALL_COMPARISONS
from .features import Features, TokenStats
from .scoring import TYPICAL_COPIES, Model, title_scale
from .settings import Settings

MAX_WEIGHT = 20.0
"""No single level may move the log2 odds by more than this."""


RULE_PRIOR_FACTOR = 10.0
"""A level a rule names is shrunk this many times harder towards its hand-set
weight when the data would make it *stronger* than hand-set: "same volume,
page missing" co-occurs with an exact title among matches, and EM, which
takes the fields as independent, would count that agreement twice.  The
data making a rule *weaker* (dirty fields: numbers in web-scraped titles
misread, a journal's conference issue) is heard at the common strength."""


def free_levels() -> list[np.ndarray]:
    """Per comparison, which levels may change sign in estimation: the bands
    of a degree of likeness (``Level.at_least``: titles, author lists, venue
    names).  A level a rule names (numbers in the titles differ, years one
    apart, pages that differ in one volume, a journal against proceedings,
    conflicting identifiers) keeps the direction of its hand-set weight."""
    return [np.array([lv.at_least is not None or lv.free for lv in c.levels])
            for c in ALL_COMPARISONS]


@dataclass(frozen=True)
class Estimation:
    model: Model
    """The estimated model (the hand-set one when estimation was skipped)."""
    estimated: bool
    iterations: int
    converged: bool
    match_share: float
    """Estimated share of candidate pairs that are matches (lambda)."""
    pairs: int
    venue_aliases: frozenset[tuple[str, str]] = frozenset()
    """Pairs of venue names learnt to be one venue (:mod:`resolve.venues`)."""

    def as_dict(self) -> dict:
        share = None if math.isnan(self.match_share) else round(self.match_share, 5)
        return {"estimated": self.estimated, "iterations": self.iterations,
                "converged": self.converged, "match share": share,
                "pairs": self.pairs, **self.model.as_dict(),
                "venue aliases": [list(x) for x in sorted(self.venue_aliases)]}


def _log_odds(g: np.ndarray, weights: Sequence[np.ndarray], prior: float) -> np.ndarray:
    total = np.full(g.shape[0], prior, dtype=np.float64)
    for k, w in enumerate(weights):
        col = g[:, k]
        present = col >= 0
        total[present] += w[col[present]]
    return total


def _posterior(log2_odds: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(log2_odds, -60, 60)))


_TITLE = next(k for k, c in enumerate(ALL_COMPARISONS) if c.field == "title")


def without_common_titles(levels: np.ndarray, pairs: Sequence[tuple[int, int]],
                          features: Sequence[Features], stats: TokenStats) -> np.ndarray:
    """The levels EM learns from: a title carried by many works ("Editorial",
    "Foreword", "Recent patents") or of one or two words, counted as
    missing.

    Columns, front matter and short titles agree by chance among the pairs
    blocking proposes (in web-scraped data thousands of them); counted, they
    teach EM that an exact title is weak evidence for every title, while the
    term-frequency adjustment of :mod:`resolve.scoring` already prices them
    one value at a time.  So the weight of a title level is learnt from the
    titles it is applied to unadjusted."""
    common = np.array([stats.title_counts.get(f.title, 1) > TYPICAL_COPIES
                       or title_scale(f, stats) < 1.0 for f in features], dtype=bool)
    if not len(pairs) or not common.any():
        return levels
    a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    out = levels.copy()
    out[common[a] | common[b], _TITLE] = -1
    return out


def estimate_model(levels: np.ndarray, settings: Settings,
                   counts: np.ndarray | None = None) -> Estimation:
    """EM over the comparison levels of the candidate pairs (``levels[p, k]``
    as :func:`resolve.scoring.compare_pairs` gives them); ``counts[p]`` is how
    many candidate pairs row ``p`` stands for (default 1: a sample of pairs
    stands for more).

    Returns the hand-set model unchanged when estimation is switched off or
    there are fewer than ``settings.em_min_pairs`` pairs to learn from."""
    hand = Model.hand_set(settings)
    w = np.ones(len(levels)) if counts is None else np.asarray(counts, dtype=np.float64)
    n = int(round(w.sum()))
    if not settings.estimate_weights or n < settings.em_min_pairs:
        return Estimation(hand, False, 0, False, float("nan"), n)
    g = levels.astype(np.int16)
    hand_w = [np.array(ws, dtype=np.float64) for ws in hand.weights]
    p = _posterior(_log_odds(g, hand_w, hand.prior))

    alpha = settings.em_prior_pairs
    free = free_levels()
    weights = hand_w
    converged = False
    it = 0
    while it < settings.em_iterations:
        it += 1
        new_weights = []
        for k, comp in enumerate(ALL_COMPARISONS):
            col = g[:, k]
            present = col >= 0
            at, pk, wk = col[present], p[present], w[present]
            cm = np.bincount(at, weights=pk * wk, minlength=len(comp.levels))
            cu = np.bincount(at, weights=(1.0 - pk) * wk, minlength=len(comp.levels))
            n_levels = len(comp.levels)
            m = (cm + 0.5) / (cm.sum() + 0.5 * n_levels)
            u = (cu + 0.5) / (cu.sum() + 0.5 * n_levels)
            learned = np.clip(np.log2(m / u), -MAX_WEIGHT, MAX_WEIGHT)
            # How much data speaks for this level: few matches or few
            # non-matches at a level make its ratio unreliable.
            support = cm * cu / np.maximum(cm + cu, 1e-12)
            a = np.where(free[k] | (np.abs(learned) <= np.abs(hand_w[k])), alpha,
                         alpha * RULE_PRIOR_FACTOR)
            weight = (support * learned + a * hand_w[k]) / (support + a)
            # A level a rule names keeps its direction: EM on its own can
            # mistake "same authors, journal and year" (a series of papers)
            # for the match class and reward titles whose numbers differ, or
            # pages that differ in one volume.  Degrees of likeness move
            # freely: in web-scraped data a title with a word changed, or an
            # author list sharing a name or two, is mostly the same work.
            weight = np.where(~free[k] & (hand_w[k] > 0), np.maximum(weight, 0.0),
                              np.where(~free[k] & (hand_w[k] < 0), np.minimum(weight, 0.0),
                                       weight))
            new_weights.append(weight)
        share = float(np.clip(np.average(p, weights=w), 1e-6, 1 - 1e-6))
        delta = max(float(np.abs(a - b).max()) for a, b in zip(new_weights, weights, strict=True))
        weights = new_weights
        p = _posterior(_log_odds(g, weights, float(np.log2(share / (1 - share)))))
        if delta < settings.em_tolerance:
            converged = True
            break
    # The decision keeps the fixed prior of the settings: the estimated share
    # of matches depends on how generous blocking was, and summing weights of
    # correlated fields (title and authors agree together) overstates the
    # evidence, so joining asks for settings.prior bits whatever the share.
    model = Model(tuple(tuple(round(float(x), 4) for x in w) for w in weights), hand.prior)
    return Estimation(model, True, it, converged, float(np.average(p, weights=w)), n)
