"""Tests for resolve.cluster."""

from __future__ import annotations

import random
from itertools import combinations

import networkx as nx
import pytest

from resolve.cluster import cluster, edge_weight, rejoin, split_component
from resolve.settings import Settings
from resolve.types import FieldEvidence, ScoredPair

SETTINGS = Settings()


def _pair(a: int, b: int, score: float) -> ScoredPair:
    return ScoredPair(min(a, b), max(a, b), score)


def _clique(members, score: float = 1.0) -> list[ScoredPair]:
    return [_pair(a, b, score) for a, b in combinations(members, 2)]


def _assert_partition(clusters: list[tuple[int, ...]], n: int) -> None:
    flat = [i for c in clusters for i in c]
    assert sorted(flat) == list(range(n))  # every record exactly once
    assert all(list(c) == sorted(c) for c in clusters)
    assert clusters == sorted(clusters)


# ------------------------------------------------------------- random oracle


def _random_instance(seed: int) -> tuple[int, list[ScoredPair], list[list[int]]]:
    """Disjoint groups, each a clique of 1.0 pairs, plus noise pairs below the
    threshold between and within groups."""
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    order = list(range(n))
    rng.shuffle(order)
    groups: list[list[int]] = []
    i = 0
    while i < n:
        size = rng.choice([1, 1, 2, 3, 4, 6, 9])
        groups.append(sorted(order[i:i + size]))
        i += size
    pairs: list[ScoredPair] = []
    for g in groups:
        pairs.extend(_clique(g))
    for _ in range(rng.randint(0, 3 * n)):
        a, b = rng.sample(range(n), 2) if n > 1 else (0, 0)
        if a != b:
            pairs.append(_pair(a, b, round(rng.uniform(0.0, 0.49), 3)))
    # Noise must not replace a clique edge (a pair is scored once).
    seen: set[tuple[int, int]] = set()
    unique = []
    for p in pairs:
        if (p.a, p.b) not in seen:
            seen.add((p.a, p.b))
            unique.append(p)
    rng.shuffle(unique)
    return n, unique, groups


@pytest.mark.parametrize("seed", range(25))
def test_cluster_matches_connected_components_for_cliques(seed: int) -> None:
    n, pairs, groups = _random_instance(seed)
    result = cluster(n, pairs, SETTINGS)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((p.a, p.b) for p in pairs if p.score >= SETTINGS.match_threshold)
    oracle = sorted(tuple(sorted(c)) for c in nx.connected_components(g))
    assert result.clusters == oracle
    assert result.clusters == sorted(tuple(gr) for gr in groups)
    assert result.splits == []
    assert result.completed_pairs == []
    _assert_partition(result.clusters, n)
    # Deterministic, also with the input in another order.
    assert cluster(n, pairs, SETTINGS).clusters == result.clusters
    assert cluster(n, list(reversed(pairs)), SETTINGS).clusters == result.clusters


@pytest.mark.parametrize("seed", range(10))
def test_cluster_partition_and_determinism_on_arbitrary_graphs(seed: int) -> None:
    rng = random.Random(1000 + seed)
    n = rng.randint(2, 40)
    pairs = list({(a, b): _pair(a, b, round(rng.random(), 3))
                  for a, b in (sorted(rng.sample(range(n), 2)) for _ in range(2 * n))}.values())
    first = cluster(n, pairs, SETTINGS)
    _assert_partition(first.clusters, n)
    second = cluster(n, pairs, SETTINGS)
    assert first.clusters == second.clusters
    assert first.splits == second.splits
    # A cluster never joins records that no match edge path connects.
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((p.a, p.b) for p in pairs if p.score >= SETTINGS.match_threshold)
    comp_of = {i: k for k, c in enumerate(nx.connected_components(g)) for i in c}
    for c in first.clusters:
        assert len({comp_of[i] for i in c}) == 1
    for comp, parts in first.splits:
        assert sorted(i for p in parts for i in p) == list(comp)
        assert len(parts) > 1


def test_cluster_no_records() -> None:
    assert cluster(0, [], SETTINGS).clusters == []


def test_cluster_threshold_is_inclusive() -> None:
    t = SETTINGS.match_threshold
    assert cluster(2, [_pair(0, 1, t)], SETTINGS).clusters == [(0, 1)]
    assert cluster(2, [_pair(0, 1, t - 1e-9)], SETTINGS).clusters == [(0,), (1,)]
    assert cluster(2, [_pair(0, 1, 0.9)], Settings(match_threshold=0.95)).clusters == [(0,), (1,)]


# ------------------------------------------------------------- splitting


def _two_triangles(bridge: float) -> list[ScoredPair]:
    return [*_clique([0, 1, 2]), *_clique([3, 4, 5]), _pair(2, 3, bridge)]


def test_weak_bridge_is_split() -> None:
    result = cluster(6, _two_triangles(SETTINGS.match_threshold + 0.01), SETTINGS)
    assert result.clusters == [(0, 1, 2), (3, 4, 5)]
    assert result.splits == [((0, 1, 2, 3, 4, 5), [(0, 1, 2), (3, 4, 5)])]


def test_weak_bridge_is_split_after_completion_finds_no_more_matches() -> None:
    asked: list[tuple[int, int]] = []

    def scorer(pairs):
        asked.extend(pairs)
        return [_pair(a, b, 0.01) for a, b in pairs]

    result = cluster(6, _two_triangles(0.51), SETTINGS, scorer=scorer)
    assert result.clusters == [(0, 1, 2), (3, 4, 5)]
    assert len(result.splits) == 1
    # Every pair of the component that was not already a match edge, once.
    all_pairs = set(combinations(range(6), 2))
    edges = {(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)}
    assert sorted(asked) == sorted(all_pairs - edges)
    assert {(p.a, p.b) for p in result.completed_pairs} == set(asked)


def test_bridge_chain_in_larger_graph_only_splits_that_component() -> None:
    pairs = [*_two_triangles(0.55), *_clique([6, 7, 8, 9], 0.8), _pair(10, 11, 0.99)]
    result = cluster(13, pairs, SETTINGS)
    assert result.clusters == [(0, 1, 2), (3, 4, 5), (6, 7, 8, 9), (10, 11), (12,)]
    assert [comp for comp, _ in result.splits] == [(0, 1, 2, 3, 4, 5)]


@pytest.mark.parametrize("size", [3, 4, 7])
def test_clique_is_not_split(size: int) -> None:
    rng = random.Random(size)
    pairs = [_pair(a, b, round(rng.uniform(0.5, 1.0), 3)) for a, b in combinations(range(size), 2)]
    result = cluster(size, pairs, SETTINGS)
    assert result.clusters == [tuple(range(size))]
    assert result.splits == []


def test_dense_non_clique_is_not_split() -> None:
    # K6 minus one edge: the community step may find a seam, rejoin undoes it.
    pairs = [p for p in _clique(range(6), 0.99) if (p.a, p.b) != (0, 5)]
    result = cluster(6, pairs, SETTINGS)
    assert result.clusters == [(0, 1, 2, 3, 4, 5)]
    assert result.splits == []


# ------------------------------------------------------------- completion


def test_completion_joins_path_when_ends_match() -> None:
    calls: list[list[tuple[int, int]]] = []

    def scorer(pairs):
        calls.append(list(pairs))
        return [_pair(a, b, 0.97) for a, b in pairs]

    result = cluster(3, [_pair(0, 1, 0.99), _pair(1, 2, 0.99)], SETTINGS, scorer=scorer)
    assert result.clusters == [(0, 1, 2)]
    assert result.splits == []
    assert calls == [[(0, 2)]]
    assert [(p.a, p.b, p.score) for p in result.completed_pairs] == [(0, 2, 0.97)]


def test_completion_not_asked_for_cliques_or_pairs() -> None:
    def scorer(pairs):  # pragma: no cover - must not be called
        raise AssertionError(f"scorer called with {pairs}")

    result = cluster(5, [*_clique([0, 1, 2]), _pair(3, 4, 0.9)], SETTINGS, scorer=scorer)
    assert result.clusters == [(0, 1, 2), (3, 4)]


def test_completion_turns_two_triangles_into_one_work() -> None:
    # The blocking proposed only one pair across; all the others match too.
    result = cluster(6, _two_triangles(0.6), SETTINGS,
                     scorer=lambda pairs: [_pair(a, b, 0.95) for a, b in pairs])
    assert result.clusters == [(0, 1, 2, 3, 4, 5)]
    assert result.splits == []


# ------------------------------------------------------------- rejoin and helpers


def test_rejoin_undoes_split_across_dense_seam() -> None:
    g = nx.complete_graph(6)
    assert rejoin(g, [(0, 1, 2), (3, 4, 5)], 0.5) == [(0, 1, 2, 3, 4, 5)]
    # Half the cross pairs are edges: exactly at the density, rejoined.
    g = nx.Graph([*combinations([0, 1], 2), *combinations([2, 3], 2), (0, 2), (1, 3)])
    assert rejoin(g, [(0, 1), (2, 3)], 0.5) == [(0, 1, 2, 3)]


def test_rejoin_keeps_weak_bridge_apart() -> None:
    g = nx.Graph([*combinations([0, 1, 2], 2), *combinations([3, 4, 5], 2), (2, 3)])
    assert rejoin(g, [(3, 4, 5), (0, 1, 2)], 0.5) == [(0, 1, 2), (3, 4, 5)]


def test_rejoin_keeps_a_loose_work_whole() -> None:
    # Two parts of one much-cited work: each a path (density 2/3 among 3
    # records), linked by three of the nine cross pairs (1/3).  An absolute
    # share of 0.5 would cut it; against the parts' own density it is no seam.
    g = nx.Graph([(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)])
    assert rejoin(g, [(0, 1, 2), (3, 4, 5)], 0.5) == [(0, 1, 2, 3, 4, 5)]
    # Two cross edges of nine stay below half of 2/3.
    g.remove_edge(2, 5)
    assert rejoin(g, [(0, 1, 2), (3, 4, 5)], 0.5) == [(0, 1, 2), (3, 4, 5)]


def test_rejoin_is_transitive() -> None:
    # Parts A-B dense, B-C dense, A-C not connected: all three become one.
    g = nx.Graph()
    g.add_edges_from([(0, 1), (1, 2), (0, 2), (1, 3), (2, 3)])
    assert rejoin(g, [(0,), (1,), (2,), (3,)], 0.5) == [(0, 1, 2, 3)]
    g = nx.path_graph(4)
    assert rejoin(g, [(0,), (1,), (2,), (3,)], 0.5) == [(0, 1, 2, 3)]
    assert rejoin(g, [(0, 1), (2, 3)], 0.5) == [(0, 1), (2, 3)]


def test_split_component_on_weak_bridge() -> None:
    g = nx.Graph()
    for p in _two_triangles(0.51):
        g.add_edge(p.a, p.b, weight=edge_weight(p.score), score=p.score)
    assert split_component(g, SETTINGS) == [(0, 1, 2), (3, 4, 5)]


def test_edge_weight() -> None:
    assert edge_weight(0.5) == 0.01  # floor: a barely passing edge still exists
    assert edge_weight(0.8) == pytest.approx(2.0)
    assert edge_weight(1.0) > edge_weight(0.999) > edge_weight(0.9) > edge_weight(0.6)
    assert edge_weight(1.0) == pytest.approx(29.897, abs=0.01)  # capped, not infinite


# ------------------------------------------- copies split by structure alone


class _Evidence:
    """Per-field evidence of the cross pairs: a rule's level on ``barred``."""

    def __init__(self, barred: set[tuple[int, int]] = frozenset()) -> None:
        self.barred = barred

    def explain(self, a: int, b: int) -> tuple[FieldEvidence, ...]:
        if (a, b) in self.barred:
            return (FieldEvidence("title numbers", "different", 0.0, -8.0),)
        return (FieldEvidence("title", "near", 0.95, 6.0),)


def _near_misses(score: float, explainer: _Evidence):
    def scorer(pairs):
        return [ScoredPair(a, b, score, explainer) for a, b in pairs]
    return scorer


def test_copies_split_by_structure_alone_stay_one_work() -> None:
    """Issue 15: two triangles of copies of one work (each copy with its own
    truncated author list) whose cross pairs are near misses, at least half
    the evidence a match needs, are one work; clear non-matches across the
    bridge, or a level a rule names against one cross pair (another part of
    a series), keep them apart."""
    half = 2.0 ** SETTINGS.max_seam_log2_odds / (1 + 2.0 ** SETTINGS.max_seam_log2_odds)
    near = cluster(6, _two_triangles(0.51), SETTINGS, scorer=_near_misses(half, _Evidence()))
    assert near.clusters == [(0, 1, 2, 3, 4, 5)]
    far = cluster(6, _two_triangles(0.51), SETTINGS,
                  scorer=_near_misses(half / 4, _Evidence()))
    assert far.clusters == [(0, 1, 2), (3, 4, 5)]
    series = cluster(6, _two_triangles(0.51), SETTINGS,
                     scorer=_near_misses(half, _Evidence({(1, 4)})))
    assert series.clusters == [(0, 1, 2), (3, 4, 5)]
