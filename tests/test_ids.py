"""Stable work ids (resolve.ids): the rules one at a time, then invariants over
random histories of merges and splits."""

from __future__ import annotations

import random

from resolve.ids import IdAssignment, PriorIds, PriorWork, assign_ids
from resolve.works import work_id


def k(name: str) -> tuple[str, str]:
    return ("src", name)


def C(*names: str) -> frozenset[tuple[str, str]]:
    return frozenset(k(n) for n in names)


def prior(*works: tuple[str, str, frozenset, int], redirects=None, generation=1) -> PriorIds:
    return PriorIds(tuple(PriorWork(i, k(f), m, s) for i, f, m, s in works),
                    redirects or {}, generation)


def ids_by_founder(a: IdAssignment, clusters) -> dict[frozenset, str]:
    return {frozenset(c): i for c, i in zip(clusters, a.ids, strict=True)}


def test_first_build_ids_are_the_smallest_record_hash():
    clusters = [C("b", "a"), C("c")]
    a = assign_ids(None, clusters)
    assert a.ids == (work_id([k("a")]), work_id([k("c")]))
    assert a.founders == (k("a"), k("c"))
    assert a.redirects == {} and a.merged == {} and a.generation == 1


def test_same_clusters_keep_their_ids_and_grown_ones_too():
    clusters = [C("a", "b"), C("c")]
    first = assign_ids(None, clusters)
    again = assign_ids(first.state(clusters), clusters)
    assert again.ids == first.ids and again.redirects == {} and again.generation == 2
    # a record "0" smaller than every founder joins a work: the id stays
    grown = assign_ids(first.state(clusters), [C("0", "a", "b"), C("c"), C("d")])
    assert grown.ids[:2] == first.ids
    assert grown.founders[0] == k("a")
    assert grown.ids[2] == work_id([k("d")]) and grown.since == (1, 1, 2)


def test_merge_keeps_the_older_id_and_redirects_the_other():
    p = prior(("wA", "x", C("x"), 2), ("wB", "y", C("y"), 1), generation=2)
    a = assign_ids(p, [C("x", "y")])
    assert a.ids == ("wB",)  # older by generation, though its founder is larger
    assert a.founders == (k("y"),)
    assert a.redirects == {"wA": "wB"} and a.merged == {"wA": "wB"}
    # same generation: the smaller founding record is the older
    p = prior(("wA", "x", C("x"), 1), ("wB", "y", C("y"), 1))
    assert assign_ids(p, [C("y", "x")]).ids == ("wA",)


def test_split_leaves_the_id_with_the_founding_record():
    p = prior(("wA", "m", C("a", "m", "z"), 1))
    a = assign_ids(p, [C("a"), C("m", "z")])
    assert a.ids == (work_id([k("a")]), "wA")
    assert a.founders == (k("a"), k("m")) and a.redirects == {}


def test_merge_and_split_at_once():
    p = prior(("wA", "a1", C("a1", "a2"), 1), ("wB", "b1", C("b1", "b2"), 1))
    clusters = [C("a2"), C("a1", "b1"), C("b2")]
    a = assign_ids(p, clusters)
    got = ids_by_founder(a, clusters)
    assert got[C("a1", "b1")] == "wA"
    assert got[C("a2")] == work_id([k("a2")]) and got[C("b2")] == work_id([k("b2")])
    assert a.redirects == {"wB": "wA"}


def test_founder_gone_the_work_lives_on_in_most_of_its_records():
    p = prior(("wA", "a1", C("a1", "a2", "a3", "a4"), 1))
    a = assign_ids(p, [C("a2"), C("a3", "a4")])
    assert a.ids == (work_id([k("a2")]), "wA") and a.founders[1] == k("a3")
    # every cluster holding its records is named: it redirects to the largest share
    p = prior(("wA", "a1", C("a1", "a2"), 1), ("wB", "b1", C("b1"), 1))
    a = assign_ids(p, [C("a2", "b1")])
    assert a.ids == ("wB",) and a.redirects == {"wA": "wB"}
    # nothing left: gone, and so are the redirects to it
    p = prior(("wA", "a1", C("a1"), 1), redirects={"wOld": "wA"})
    a = assign_ids(p, [C("z")])
    assert a.redirects == {} and a.ids == (work_id([k("z")]),)


def test_redirect_chains_are_shortened():
    p = prior(("wA", "a", C("a"), 1), ("wB", "b", C("b"), 2), redirects={"wX": "wB"},
              generation=2)
    a = assign_ids(p, [C("a", "b")])
    assert a.redirects == {"wB": "wA", "wX": "wA"} and a.merged == {"wB": "wA"}


def test_a_merge_undone_gives_the_retired_id_back():
    clusters = [C("a"), C("b")]
    first = assign_ids(None, clusters)
    merged = assign_ids(first.state(clusters), [C("a", "b")])
    assert merged.redirects == {first.ids[1]: first.ids[0]}
    apart = assign_ids(merged.state([C("a", "b")]), clusters)
    assert apart.ids == first.ids and apart.redirects == {}


def test_a_clash_with_a_live_id_gets_a_suffix():
    # a work that kept id work_id(a) lost record a to a new cluster
    p = prior((work_id([k("a")]), "b", C("b"), 1))
    a = assign_ids(p, [C("b"), C("a")])
    assert a.ids == (work_id([k("a")]), work_id([k("a")]) + "-2")


def _random_clusters(rng: random.Random, keys: list[tuple[str, str]]) -> list[frozenset]:
    shuffled = keys[:]
    rng.shuffle(shuffled)
    out, i = [], 0
    while i < len(shuffled):
        n = rng.choice([1, 1, 2, 3, 5])
        out.append(frozenset(shuffled[i:i + n]))
        i += n
    return out


def test_random_histories_keep_the_invariants():
    rng = random.Random(7)
    state: PriorIds | None = None
    ever: set[str] = set()
    for _step in range(40):
        keys = [k(f"r{n:03d}") for n in range(rng.randint(20, 60))]
        clusters = _random_clusters(rng, keys)
        a = assign_ids(state, clusters)
        live = set(a.ids)
        assert len(live) == len(a.ids), "ids are unique"
        assert not live & set(a.redirects), "a live id is no redirect"
        assert set(a.redirects.values()) <= live, "redirects point at live ids"
        for c, f in zip(clusters, a.founders, strict=True):
            assert f in c, "a founder is a record of its work"
        if state is not None:
            before = {w.work_id: w for w in state.works}
            for c, i in zip(clusters, a.ids, strict=True):
                if i in before and before[i].founder in c:
                    continue
                # founder moved: no other cluster holds it
                if i in before:
                    assert not any(before[i].founder in d for d in clusters)
            for w in state.works:  # every earlier id lives, redirects, or lost all records
                kept = {x for c in clusters for x in c}
                assert (w.work_id in live or w.work_id in a.redirects
                        or not (w.members & kept))
        # deterministic, and independent of the order of the clusters
        assert assign_ids(state, clusters) == a
        shuffled = clusters[:]
        rng.shuffle(shuffled)
        b = assign_ids(state, shuffled)
        assert ids_by_founder(b, shuffled) == ids_by_founder(a, clusters)
        assert b.redirects == a.redirects
        ever |= live
        state = a.state(clusters)
    assert len(ever) > 40
