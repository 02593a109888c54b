"""Match decisions as plain data: what the evidence graph records about pairs.

Every pair that was scored (in blocking or while completing a cluster) and
either ended in one work or came close (:data:`NEAR_MISS`) is a decision worth
explaining: "why were these merged?" and "why not?".  Each
:class:`resolve.types.MatchDecision` carries the score, the per-field evidence
and, for a pair kept apart that its score alone would have joined, the rule
that vetoed the merge.  Decisions are made one at a time from the resolution,
so writing them costs no more memory than one pair's evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from .types import FieldEvidence, MatchDecision, ScoredPair, Work

# Scored pairs that were not merged but reached this probability are kept in
# the evidence graph as near misses, so "why not?" can be answered too.
NEAR_MISS = 0.05

Veto = Callable[[int, int, float | None], str | None]
"""The hard constraint that forbids joining two records (by position), if any."""


def work_of(n: int, works: Sequence[Work]) -> list[int]:
    """For each record position, the index of its work."""
    owner = [-1] * n
    for k, w in enumerate(works):
        for i in w.members:
            owner[i] = k
    if -1 in owner:
        raise ValueError(f"record {owner.index(-1)} is in no work")
    return owner


def match_decisions(pairs: Sequence[ScoredPair], owner: Sequence[int], threshold: float,
                    veto: Veto | None = None,
                    explain: Callable[[int], tuple[FieldEvidence, ...]] | None = None,
                    ) -> Iterator[MatchDecision]:
    """The decisions on ``pairs`` (in their order) that are worth recording:
    merged pairs and near misses.  ``owner`` gives each record's work;
    ``veto`` names the constraint that kept a pair above ``threshold`` apart
    (else it was the clustering: a community split or a tie); ``explain``
    gives the evidence of the ``k``-th pair (default: the pair's own)."""
    for k, pair in enumerate(pairs):
        merged = owner[pair.a] == owner[pair.b]
        if not merged and pair.score < NEAR_MISS:
            continue
        vetoed = None
        if not merged and pair.score >= threshold:
            vetoed = (veto(pair.a, pair.b, pair.score) if veto else None) or "clustering"
        evidence = explain(k) if explain else pair.evidence
        yield MatchDecision(pair.a, pair.b, pair.score, merged, evidence, vetoed)
