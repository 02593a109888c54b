"""The union-find against networkx's connected components (the oracle)."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolve.unionfind import UnionFind


def _oracle(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    return sorted(sorted(c) for c in nx.connected_components(g))


def _check(n: int, edges: list[tuple[int, int]]) -> None:
    uf = UnionFind(range(n))
    for a, b in edges:
        uf.union(a, b)
    groups = uf.groups()
    assert sorted(groups) == _oracle(n, edges)
    # Groups in the order of their first member, each ascending (items added ascending).
    assert groups == sorted(groups)
    for g in groups:
        assert g == sorted(g)
        assert all(uf.find(x) == g[0] for x in g)  # the root is the smallest member


@pytest.mark.parametrize("seed", range(20))
def test_components_equal_networkx_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 300)
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, 2 * n))]
    _check(n, edges)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                         max_size=80))))
def test_components_equal_networkx_hypothesis(case: tuple[int, list[tuple[int, int]]]) -> None:
    _check(*case)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=60),
       st.randoms(use_true_random=False))
def test_groups_do_not_depend_on_the_order_of_unions(edges, rng) -> None:
    first, second = UnionFind(range(31)), UnionFind(range(31))
    for a, b in edges:
        first.union(a, b)
    shuffled = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in edges]
    rng.shuffle(shuffled)
    for a, b in shuffled:
        second.union(a, b)
    assert first.groups() == second.groups()
    assert [first.find(i) for i in range(31)] == [second.find(i) for i in range(31)]


def test_items_of_any_comparable_kind_and_added_on_union() -> None:
    uf: UnionFind[tuple[str, str]] = UnionFind()
    uf.add(("b", "1"))
    assert uf.union(("c", "2"), ("a", "9")) == ("a", "9")
    uf.union(("b", "1"), ("c", "2"))
    assert uf.groups() == [[("b", "1"), ("c", "2"), ("a", "9")]]
    assert len(uf) == 3 and ("a", "9") in uf and ("z", "0") not in uf
    assert uf.connected(("b", "1"), ("a", "9"))
    assert list(uf) == [("b", "1"), ("c", "2"), ("a", "9")]


def test_empty() -> None:
    assert UnionFind().groups() == []
