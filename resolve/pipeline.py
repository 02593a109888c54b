"""The resolution stages in order, over plain data.

``resolve_records`` is what ``kg build`` runs between reading the files and
writing the graph; each stage is a function of its own module, so any one of
them can be called (or replaced) alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from .blocking import CandidateStats, candidate_pairs
from .clean_sources import score_with_clean_sources
from .cluster import ClusterResult, HumanLinks, cluster
from .constraints import HumanConstraints, KeyPair, cannot_link_rule, human_links, veto_rule
from .copies import identical_copies
from .decisions import match_decisions, work_of
from .estimate import Estimation, estimate_model, without_common_titles
from .features import (
    Features,
    TokenStats,
    features_of,
    token_stats,
    without_title_word_authors,
)
from .forkmap import fork_map
from .graph import EvidenceGraph, build_evidence_graph
from .ids import IdAssignment, assign_ids
from .prior import KnownWork, Prior
from .scoring import PairScorer, compare_pairs
from .settings import Settings
from .types import FieldEvidence, MatchDecision, Record, ScoredPair, Work, WorkVersions
from .venues import apply_venue_aliases, learn_venue_aliases
from .versions import work_versions
from .works import canonical_fields, fields_from_sources, make_works

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
    versions: list[WorkVersions]
    """The versions of each work (FRBR expressions), in the order of ``works``."""
    settings: Settings
    scorer: PairScorer
    levels: np.ndarray
    """The comparison levels of ``scored`` then of ``clustering.completed_pairs``,
    a row each (:func:`resolve.scoring.compare_pairs`): what explanations read."""
    timings: dict[str, float] = field(default_factory=dict)
    human: HumanLinks = field(default_factory=HumanLinks)
    """What people decided, as applied (record positions)."""
    human_skipped: list[tuple[KeyPair, str]] = field(default_factory=list)
    """People's decisions not applied, and why (see :func:`human_links`)."""
    ids: IdAssignment | None = None
    """How the works got their ids (:mod:`resolve.ids`): founders, generation,
    and the redirects of ids that no longer name a work."""
    reused: int = 0
    own_features: list[Features] | None = None
    """Each record's features as :func:`resolve.features.features_of` makes
    them from the record alone, before the passes over the whole input
    (:func:`resolve.features.without_title_word_authors`): what the state
    keeps for ``kg add``.  ``None``: the same as :attr:`features`."""
    """Pairs whose comparison levels came from ``prior`` instead of being compared."""

    @property
    def candidate_pairs(self) -> np.ndarray:
        """Blocking's candidate pairs (the pairs scored, as :attr:`scored`
        holds them): an ``(n, 2)`` array of record positions ``a < b``, sorted."""
        pairs = np.fromiter((x for p in self.scored for x in (p.a, p.b)), dtype=np.int64,
                            count=2 * len(self.scored))
        return pairs.reshape(-1, 2)

    @property
    def matches(self) -> list[ScoredPair]:
        """Scored pairs (from blocking and from completion) that ended up in
        the same work, sorted."""
        work_of = {i: w.work_id for w in self.works for i in w.members}
        pairs = [*self.scored, *self.clustering.completed_pairs]
        return sorted((p for p in pairs if work_of[p.a] == work_of[p.b]),
                      key=lambda p: (p.a, p.b))

    def decisions(self, explain: Callable[[int], tuple[FieldEvidence, ...]] | None = None
                  ) -> Iterator[MatchDecision]:
        """The match decisions worth recording (merged pairs and near
        misses), blocking's pairs first, then those scored completing
        clusters (see :mod:`resolve.decisions`).  ``explain(k)`` gives the
        evidence of the ``k``-th pair (default :meth:`explain`; ``kg add``
        defers it, see :mod:`kg.evidence_text`)."""
        owner = work_of(len(self.records), self.works)
        rule = veto_rule(self.records, self.features, self.settings, self.human)
        ties = set(self.clustering.ties)

        def veto(a: int, b: int, score: float | None) -> str | None:
            return rule(a, b, score) or ("tie" if (a, b) in ties else None)

        return match_decisions([*self.scored, *self.clustering.completed_pairs], owner,
                               self.settings.match_threshold, veto, explain or self.explain)

    def explain(self, k: int) -> tuple[FieldEvidence, ...]:
        """The evidence of the ``k``-th pair of ``scored`` + ``completed_pairs``,
        from its stored level row."""
        pair = (self.scored[k] if k < len(self.scored)
                else self.clustering.completed_pairs[k - len(self.scored)])
        weights, adjusted = self._weighed
        return self.scorer.explain_row(pair.a, pair.b, self.levels[k],
                                       (weights[k], adjusted[k]))

    @cached_property
    def _weighed(self) -> tuple[np.ndarray, np.ndarray]:
        """The :meth:`PairScorer.weights` of every pair of ``scored`` +
        ``completed_pairs``, computed at once (a build explains thousands)."""
        pairs = [*self.scored, *self.clustering.completed_pairs]
        a = np.fromiter((p.a for p in pairs), dtype=np.int64, count=len(pairs))
        b = np.fromiter((p.b for p in pairs), dtype=np.int64, count=len(pairs))
        return self.scorer.weights(a, b, np.asarray(self.levels[:len(pairs)]))


def _candidates_of(reps: list[int], records: Sequence[Record], features: Sequence[Features],
                   stats: TokenStats, settings: Settings, jobs: int
                   ) -> tuple[list[tuple[int, int]], CandidateStats]:
    """Blocking over the records at positions ``reps`` (ascending), its pairs
    and hopeless sample given as positions in ``records``."""
    sub_graph = build_evidence_graph([records[i] for i in reps])
    sub_pairs, stats_ = candidate_pairs([features[i] for i in reps], sub_graph, stats,
                                        settings, jobs)
    stats_.hopeless_sample = [(reps[a], reps[b]) for a, b in stats_.hopeless_sample]
    return [(reps[a], reps[b]) for a, b in sub_pairs], stats_


def _fields_of(known: Mapping[tuple[int, ...], KnownWork]
               ) -> Callable[[Sequence[Record], tuple[int, ...]], tuple[dict, dict]]:
    """:func:`resolve.works.canonical_fields`, taken from ``known`` for the
    clusters made before."""
    if not known:
        return canonical_fields

    def fields_of(records: Sequence[Record], members: tuple[int, ...]) -> tuple[dict, dict]:
        k = known.get(members)
        return (canonical_fields(records, members) if k is None
                else fields_from_sources(records, k.sources, k.doi))

    return fields_of


def resolve_records(records: Sequence[Record], settings: Settings,
                    step: Step | None = None, jobs: int = 1,
                    human: HumanConstraints | None = None,
                    prior: Prior | None = None) -> Resolution:
    """Resolve records into works; ``jobs`` processes compare candidate
    pairs (the result does not depend on it).  ``human`` holds what people
    decided about pairs of records (must-link and cannot-link constraints,
    see :mod:`resolve.constraints`).

    ``prior`` is what an earlier resolution left (:class:`resolve.prior.Prior`):
    its works' ids are kept (:mod:`resolve.ids`), its comparison levels are
    reused for the pairs it compared, its records' features are not computed
    again, and its weights, if given, are used instead of estimating them."""
    timings: dict[str, float] = {}
    prior = prior or Prior()
    reused = [0]

    def compare(pairs: Sequence[tuple[int, int]], jobs: int = 1) -> np.ndarray:
        if prior.levels is None:
            return compare_pairs(features, pairs, jobs)
        out, missing = prior.levels.lookup(records, pairs)
        reused[0] += len(pairs) - len(missing)
        if missing:
            out[missing] = compare_pairs(features, [pairs[i] for i in missing], jobs)
        return out

    @contextmanager
    def stage(name: str):
        if step:
            step(name)
        t0 = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - t0, 3)

    with stage("features"):
        kept = list(prior.features[:len(records)])  # an add: those of the store's records
        own = [*kept, *fork_map(features_of, records[len(kept):], jobs)]
        stats = token_stats(own)
        features = without_title_word_authors(own, stats)
        reps, copies = identical_copies(records, features, stats, settings)
    with stage("evidence graph"):
        graph = build_evidence_graph(records)
    with stage("candidates"):
        if copies:  # blocking over one record of each group of copies (resolve.copies)
            pairs, cand_stats = _candidates_of(reps, records, features, stats, settings, jobs)
            pairs += copies
            cand_stats.per_rule["identical copies"] = len(copies)
            cand_stats.total = len(pairs)
        else:
            pairs, cand_stats = candidate_pairs(features, graph, stats, settings, jobs)
    with stage("scoring"):
        # The hopeless pairs blocking dropped are not scored, but a sample of
        # them is compared, so that estimation sees the pairs as proposed.
        # Given weights (kg add), neither the sample nor EM is needed.
        sample = cand_stats.hopeless_sample if prior.estimation is None else []
        levels = compare([*pairs, *sample], jobs)
        aliases = (prior.estimation.venue_aliases if prior.estimation is not None
                   else learn_venue_aliases(features, pairs, levels[:len(pairs)]))
        levels = apply_venue_aliases(levels, [*pairs, *sample], features, aliases)
        counts = np.ones(len(levels))
        counts[len(pairs):] = cand_stats.sample_weight
        # copies paired with their representative say nothing of how pairs
        # that blocking proposes agree: estimation leaves them out
        counts[len(pairs) - len(copies):len(pairs)] = 0.0
        estimation = prior.estimation or replace(estimate_model(
            without_common_titles(levels, [*pairs, *sample], features, stats), settings, counts),
            venue_aliases=aliases)
        levels = levels[:len(pairs)]
        scorer, scored = score_with_clean_sources(records, features, stats, estimation.model,
                                                  settings, pairs, levels, aliases)
    with stage("clustering"):
        completed: list[np.ndarray] = []

        def score_more(more: Sequence[tuple[int, int]]) -> list[ScoredPair]:
            more_levels = apply_venue_aliases(compare(more), more, features, aliases)
            completed.append(more_levels)
            return scorer.score(more, more_levels)

        links, skipped = human_links(records, human)
        clustering = cluster(len(records), scored, settings, scorer=score_more,
                             cannot_link=cannot_link_rule(records, features, settings, links),
                             human=links)
    with stage("works"):
        ids = assign_ids(prior.ids, [[records[i].key for i in c] for c in clustering.clusters])
        works = make_works(records, clustering.clusters, ids.ids, _fields_of(prior.works))
    with stage("versions"):
        versions = [known.versions if (known := prior.works.get(w.members)) is not None
                    else work_versions(records, w.members) for w in works]
    levels = np.concatenate([levels, *completed]) if completed else levels
    return Resolution(records, features, stats, graph, cand_stats, estimation, scored,
                      clustering, works, versions, settings, scorer, levels, timings,
                      links, skipped, ids, reused[0], own)
