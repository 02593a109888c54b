"""Stable work ids: which id each new cluster gets, given the works before.

A work keeps its id for as long as it exists.  The works of an earlier build
(:class:`PriorWork`: id, *founding* record, members, the generation it was
made in) and the clusters of a new resolution go in; each cluster's id and
the redirects of the ids that stopped naming a work come out
(:func:`assign_ids`).  Pure: plain data in and out, no store, no RDF.

The rules, in order:

1. **Founder.** A cluster holding the founding record of an earlier work
   keeps that work's id (a work that split: the part with its founder).
2. **Merge.** A cluster holding the founders of several earlier works keeps
   the oldest one's id (smallest generation, then smallest founding record);
   the others redirect to it.
3. **Founder gone.** An earlier work whose founding record is in no cluster
   (the record left the input) lives on in the cluster, not yet named,
   holding most of its other records; its founder becomes that cluster's
   smallest record of it.  If every cluster holding its records is named,
   it redirects to the one holding most of them; with no record left it is
   gone, and so is any redirect to it.
4. **New.** Any other cluster is a new work: its founder is its smallest
   record key and its id :func:`resolve.works.work_id` of it (``-2``, ``-3``...
   appended on the rare clash with an id in use or redirected), so the same
   clusters after the same prior give the same ids.  With no prior at all,
   every id is the one :func:`resolve.works.work_id` gives.

Redirects always point at a live id (chains are shortened), and an id that
names a work again (a split undone, a founder back) is no longer a redirect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .types import RecordKey
from .works import work_id as fresh_id


@dataclass(frozen=True)
class PriorWork:
    """A work of an earlier build, as its id state keeps it."""

    work_id: str
    founder: RecordKey
    members: frozenset[RecordKey]
    since: int = 1
    """The generation (build number of the store) the id was first given in."""


@dataclass(frozen=True)
class PriorIds:
    """The id state of an earlier build: its works, its redirects (retired id
    -> live id) and its generation (1 for a store's first build)."""

    works: tuple[PriorWork, ...] = ()
    redirects: Mapping[str, str] = field(default_factory=dict)
    generation: int = 0


@dataclass(frozen=True)
class IdAssignment:
    """:func:`assign_ids`' answer, in the order of the clusters given."""

    ids: tuple[str, ...]
    founders: tuple[RecordKey, ...]
    since: tuple[int, ...]
    redirects: dict[str, str]
    """Every retired id -> the live id that replaces it (sorted by retired id)."""
    merged: dict[str, str]
    """The ids retired by this assignment (a subset of ``redirects``)."""
    generation: int

    def state(self, clusters: Sequence[Iterable[RecordKey]]) -> PriorIds:
        """This assignment as the prior of the next one."""
        return PriorIds(tuple(PriorWork(i, f, frozenset(c), s) for i, f, s, c in
                              zip(self.ids, self.founders, self.since, clusters, strict=True)),
                        dict(self.redirects), self.generation)


def assign_ids(prior: PriorIds | None, clusters: Sequence[Iterable[RecordKey]]) -> IdAssignment:
    """The id of each cluster (a collection of record keys) after ``prior``
    (``None``: a first build), following the rules of this module."""
    prior = prior or PriorIds()
    generation = prior.generation + 1
    members = [frozenset(c) for c in clusters]
    cluster_of = {k: n for n, ks in enumerate(members) for k in ks}
    ids: list[str | None] = [None] * len(members)
    founders: list[RecordKey | None] = [None] * len(members)
    since = [generation] * len(members)
    retired: dict[str, str] = {}  # earlier id -> the live id that takes it over

    def age(w: PriorWork) -> tuple[int, RecordKey, str]:
        return (w.since, w.founder, w.work_id)

    # 1 and 2: the founders
    by_cluster: dict[int, list[PriorWork]] = {}
    orphans: list[PriorWork] = []
    for w in prior.works:
        n = cluster_of.get(w.founder)
        if n is None:
            orphans.append(w)
        else:
            by_cluster.setdefault(n, []).append(w)
    for n, ws in by_cluster.items():
        oldest, *rest = sorted(ws, key=age)
        ids[n], founders[n], since[n] = oldest.work_id, oldest.founder, oldest.since
        for w in rest:
            retired[w.work_id] = oldest.work_id
    # 3: earlier works whose founder left
    for w in sorted(orphans, key=age):
        counts = Counter(cluster_of[k] for k in w.members if k in cluster_of)
        if not counts:
            continue  # nothing left of it
        ranked = sorted(counts, key=lambda n: (-counts[n], min(members[n])))
        free = [n for n in ranked if ids[n] is None]
        if free:
            n = free[0]
            ids[n], since[n] = w.work_id, w.since
            founders[n] = min(k for k in w.members if cluster_of.get(k) == n)
        else:
            retired[w.work_id] = str(ids[ranked[0]])
    # 4: new works
    live = {i for i in ids if i is not None}

    def usable(candidate: str, base: str) -> bool:
        # a redirected id comes back only to the record it was made from
        # (a merge undone): fresh_id of that record
        return candidate not in live and candidate not in retired and (
            candidate not in prior.redirects or candidate == base)

    for n in sorted((n for n, i in enumerate(ids) if i is None), key=lambda n: min(members[n])):
        founder = min(members[n])
        base = candidate = fresh_id([founder])
        suffix = 1
        while not usable(candidate, base):
            suffix += 1
            candidate = f"{base}-{suffix}"
        ids[n], founders[n] = candidate, founder
        live.add(candidate)
    redirects = _redirects({**prior.redirects, **retired}, live)
    return IdAssignment(tuple(str(i) for i in ids), tuple(_known(f) for f in founders),
                        tuple(since), redirects,
                        {k: redirects[k] for k in sorted(retired) if k in redirects},
                        generation)


def _known(founder: RecordKey | None) -> RecordKey:
    assert founder is not None
    return founder


def _redirects(edges: Mapping[str, str], live: set[str]) -> dict[str, str]:
    """Retired id -> live id, chains followed; a live id is no redirect, and
    one whose chain ends in no live id is dropped."""
    out: dict[str, str] = {}
    for start in edges:
        if start in live:
            continue
        seen, node = {start}, edges[start]
        while node not in live and node in edges and node not in seen:
            seen.add(node)
            node = edges[node]
        if node in live:
            out[start] = node
    return dict(sorted(out.items()))
