"""Clean sources: sources the user declared free of duplicates of their own.

All of the feature is here (``settings.clean_sources``, ``kg build
--clean-source NAME``, as when linking two clean tables such as DBLP and ACM):

- **No two records of one clean source in a work**: a hard constraint
  (:func:`same_clean_source`, applied by :func:`resolve.constraints.veto_rule`).
- **Less evidence needed across two clean sources**: each record has at most
  one match on the other side, so a pair across them starts
  ``settings.clean_source_bonus`` bits more likely (:func:`clean_source_evidence`).
- **Each other's clear best**: once every candidate pair is scored, a pair
  whose two records are each other's clear best candidate on the other side
  (:func:`clear_best_pairs`) gets ``settings.clean_best_bonus`` bits more: a
  record has at most one match there, and no rival comes close
  (unique-mapping clustering, as JedAI does for two clean tables).
  :func:`score_with_clean_sources` scores, finds those pairs, and scores again.
- **Never on a tie**: the clustering joins each record to its best match
  only (:func:`resolve.cluster.split_constrained`, whose tie rule serves every
  cannot-link constraint, this one first of all).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set

import numpy as np

from .features import Features, TokenStats
from .scoring import Model, PairEvidence, PairScorer, log2_odds
from .settings import Settings
from .types import FieldEvidence, Record, ScoredPair


def same_clean_source(clean: Set[str], source_a: str, source_b: str) -> bool:
    """Whether two records come from one source declared clean."""
    return source_a == source_b and source_a in clean


def score_with_clean_sources(records: Sequence[Record], features: Sequence[Features],
                             stats: TokenStats, model: Model, settings: Settings,
                             pairs: Sequence[tuple[int, int]], levels: np.ndarray,
                             venue_aliases: frozenset[tuple[str, str]] = frozenset()
                             ) -> tuple[PairScorer, list[ScoredPair]]:
    """Score candidate pairs with their clean-source evidence: once with the
    bonus across two clean sources, then again with the clear-best bonus for
    the pairs :func:`clear_best_pairs` finds.  Without two clean sources this
    is one plain scoring."""
    scorer = PairScorer(features, stats, model, clean_source_evidence(records, settings),
                        venue_aliases=venue_aliases)
    scored = scorer.score(pairs, levels)
    best = clear_best_pairs(records, scored, settings)
    if best:
        scorer = PairScorer(features, stats, model,
                            clean_source_evidence(records, settings, best),
                            venue_aliases=venue_aliases)
        scored = scorer.score(pairs, levels)
    return scorer, scored


def clean_source_evidence(records: Sequence[Record], settings: Settings,
                          best: Set[tuple[int, int]] = frozenset()) -> PairEvidence | None:
    """The evidence a pair gets for linking two different clean sources;
    more for the pairs in ``best`` (see :func:`clear_best_pairs`)."""
    clean = frozenset(settings.clean_sources)
    if len(clean) < 2:
        return None
    bonus = FieldEvidence("clean sources", "one record of each", None,
                          settings.clean_source_bonus)
    best_bonus = FieldEvidence("clean sources", "each other's clear best", None,
                               settings.clean_source_bonus + settings.clean_best_bonus)

    def extra(a: int, b: int) -> FieldEvidence | None:
        if not _across(clean, records[a].source, records[b].source):
            return None
        return best_bonus if (a, b) in best else bonus

    return extra


# A best candidate is clear when its odds are at least twice the runner-up's.
CLEAR_MARGIN = 1.0


def clear_best_pairs(records: Sequence[Record], scored: Iterable[ScoredPair],
                     settings: Settings) -> set[tuple[int, int]]:
    """Pairs across two clean sources whose records are each other's best
    scored candidate in the other's source, each by at least
    :data:`CLEAR_MARGIN` bits of log odds over its runner-up there (a tie,
    as between two "Book review column" records of one year, is no clear best).

    Found in rounds: a record paired in one round has its one match in that
    source, so it is no rival for the others in the next ("DEVise (demo
    abstract)" settles the demo, and the full paper is then the clear best of
    the other record that looked like both)."""
    clean = frozenset(settings.clean_sources)
    if len(clean) < 2:
        return set()
    across = [(log2_odds(p.score), p.a, p.b) for p in scored
              if _across(clean, records[p.a].source, records[p.b].source)]
    pairs: set[tuple[int, int]] = set()
    while found := _mutual_clear_best(records, across):
        pairs |= found
        # (record, source it now has its match in): out of the next round
        settled = {key for a, b in found
                   for key in ((a, records[b].source), (b, records[a].source))}
        across = [(odds, a, b) for odds, a, b in across
                  if (a, records[b].source) not in settled
                  and (b, records[a].source) not in settled]
    return pairs


def _mutual_clear_best(records: Sequence[Record], across: Iterable[tuple[float, int, int]]
                       ) -> set[tuple[int, int]]:
    # per (record, other source): the best two (log odds, partner)
    top: dict[tuple[int, str], list[tuple[float, int]]] = {}
    for odds, a, b in across:
        sa, sb = records[a].source, records[b].source
        for key, partner in (((a, sb), b), ((b, sa), a)):
            two = top.setdefault(key, [])
            two.append((odds, -partner))
            two.sort(reverse=True)
            del two[2:]

    def clear(record: int, source: str) -> int | None:
        two = top[record, source]
        if len(two) > 1 and two[0][0] - two[1][0] < CLEAR_MARGIN:
            return None
        return -two[0][1]

    pairs: set[tuple[int, int]] = set()
    for a, source in top:
        best = clear(a, source)
        if best is not None and a < best and clear(best, records[a].source) == a:
            pairs.add((a, best))
    return pairs


def _across(clean: frozenset[str], source_a: str, source_b: str) -> bool:
    """Whether a pair links two different clean sources."""
    return source_a != source_b and source_a in clean and source_b in clean
