"""The resolution stages in order, over plain data.

``resolve_records`` is what ``kg build`` runs between reading the files and
writing the graph; each stage is a function of its own module, so any one of
them can be called (or replaced) alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .blocking import CandidateStats, candidate_pairs
from .cluster import ClusterResult, cluster
from .constraints import cannot_link_rule, clean_source_evidence, clear_best_pairs
from .estimate import Estimation, estimate_model, without_common_titles
from .features import Features, TokenStats, compute_features, token_stats
from .graph import EvidenceGraph, build_evidence_graph
from .scoring import PairScorer, compare_pairs
from .settings import Settings
from .types import Record, ScoredPair, Work
from .works import make_works

Step = Callable[[str], None]
"""Called with a stage's name as it starts (for progress display)."""


@dataclass
class Resolution:
    records: Sequence[Record]
    features: list[Features]
    stats: TokenStats
    graph: EvidenceGraph
    candidates: CandidateStats
    estimation: Estimation
    scored: list[ScoredPair]
    clustering: ClusterResult
    works: list[Work]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def matches(self) -> list[ScoredPair]:
        """Scored pairs (from blocking and from completion) that ended up in
        the same work, sorted."""
        work_of = {i: w.work_id for w in self.works for i in w.members}
        pairs = [*self.scored, *self.clustering.completed_pairs]
        return sorted((p for p in pairs if work_of[p.a] == work_of[p.b]),
                      key=lambda p: (p.a, p.b))


def resolve_records(records: Sequence[Record], settings: Settings,
                    step: Step | None = None, jobs: int = 1) -> Resolution:
    """Resolve records into works; ``jobs`` processes compare candidate
    pairs (the result does not depend on it)."""
    timings: dict[str, float] = {}

    @contextmanager
    def stage(name: str):
        if step:
            step(name)
        t0 = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - t0, 3)

    with stage("features"):
        features = compute_features(records)
        stats = token_stats(features)
    with stage("evidence graph"):
        graph = build_evidence_graph(records)
    with stage("candidates"):
        pairs, cand_stats = candidate_pairs(features, graph, stats, settings, jobs)
    with stage("scoring"):
        # The hopeless pairs blocking dropped are not scored, but a sample of
        # them is compared, so that estimation sees the pairs as proposed.
        sample = cand_stats.hopeless_sample
        levels = compare_pairs(features, [*pairs, *sample], jobs)
        counts = np.ones(len(levels))
        counts[len(pairs):] = cand_stats.sample_weight
        estimation = estimate_model(
            without_common_titles(levels, [*pairs, *sample], features, stats), settings, counts)
        model = estimation.model
        extra = clean_source_evidence(records, settings)
        scorer = PairScorer(features, stats, model, extra)
        scored = scorer.score(pairs, levels[:len(pairs)])
        best = clear_best_pairs(records, scored, settings)
        if best:  # clean sources: each other's clear best gets more (see constraints)
            scorer = PairScorer(features, stats, model,
                                clean_source_evidence(records, settings, best))
            scored = scorer.score(pairs, levels[:len(pairs)])
        del levels
    with stage("clustering"):
        clustering = cluster(
            len(records), scored, settings,
            scorer=scorer.score_pairs,
            cannot_link=cannot_link_rule(records, features, settings))
    with stage("works"):
        works = make_works(records, clustering.clusters)
    return Resolution(records, features, stats, graph, cand_stats, estimation, scored,
                      clustering, works, timings)
