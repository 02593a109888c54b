"""Clustering scored pairs into works.

1. Pairs whose match probability reaches the threshold become weighted edges;
   connected components of that graph are the first clusters.
2. A component of three or more records that is not a clique is *completed*:
   the pairs inside it that blocking did not propose are scored too, so the
   community step sees every piece of evidence, including disagreement.
3. A component that is still not a clique goes through Louvain community
   detection (seeded, so deterministic): records held together only by a weak
   bridge (a chain of near-matches) are split into separate works.
4. Hard constraints: a cluster holding two records that must not be one work
   (two records of a source declared clean, two different DOIs of the same
   kind, an erratum and its paper, two records a person said differ) is
   rebuilt by joining its records along its strongest edges first, never
   across a cannot-link pair.

A person's decisions (:class:`HumanLinks`) come first: a pair said to be the
same is an edge stronger than any score (its two records end in one work,
whatever the community step or a rule says, unless that would join two
records a person said differ), a pair said to differ is a cannot-link that
holds however many other records chain the two together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from .scoring import log2_odds
from .settings import Settings
from .types import ScoredPair
from .unionfind import UnionFind

Scorer = Callable[[Sequence[tuple[int, int]]], list[ScoredPair]]
CannotLink = Callable[[int, int, float | None], bool]
"""``(a, b, score)`` -> whether ``a`` and ``b`` must be in different works;
``score`` is the pair's match probability when it was scored, else None.
A rule may have a ``suspects(members)`` attribute giving the only pairs
``(a, b)``, ``a < b``, of a cluster that it could forbid, so that a large
cluster is not checked pair by pair."""

# Components larger than this are not completed (quadratic), only split.
MAX_COMPLETE = 150


@dataclass(frozen=True)
class HumanLinks:
    """What people decided, as record positions (pairs ``a < b``): ``same``
    must be one work (in the order decided), ``different`` never.  Made from
    record keys by :func:`resolve.constraints.human_links`."""

    same: tuple[tuple[int, int], ...] = ()
    different: frozenset[tuple[int, int]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.same or self.different)


@dataclass
class ClusterResult:
    clusters: list[tuple[int, ...]]
    """Every record position in exactly one cluster; each sorted, list sorted."""
    splits: list[tuple[tuple[int, ...], list[tuple[int, ...]]]] = field(default_factory=list)
    """Components the community step split, with the parts they became."""
    completed_pairs: list[ScoredPair] = field(default_factory=list)
    """Pairs scored while completing components (not proposed by blocking)."""
    constrained: list[tuple[tuple[int, ...], list[tuple[int, ...]]]] = field(
        default_factory=list)
    """Clusters a hard constraint split, with the parts they became."""
    ties: list[tuple[int, int]] = field(default_factory=list)
    """Edges left unjoined because one of their records had another partner
    as good (see :func:`split_constrained`), sorted."""


def edge_weight(score: float) -> float:
    """The weight of an edge: its log2 odds, so that a near-certain match
    weighs far more than a pair that barely passed the threshold."""
    return max(0.01, log2_odds(score))


def _edge_graph(nodes: Iterable[int], pairs: Iterable[ScoredPair], threshold: float) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    for p in pairs:
        if p.score >= threshold:
            g.add_edge(p.a, p.b, weight=edge_weight(p.score), score=p.score)
    return g


def _is_clique(g: nx.Graph) -> bool:
    k = g.number_of_nodes()
    return g.number_of_edges() == k * (k - 1) // 2


def cluster(n: int, scored: Sequence[ScoredPair], settings: Settings,
            scorer: Scorer | None = None, cannot_link: CannotLink | None = None,
            human: HumanLinks | None = None) -> ClusterResult:
    """Cluster ``n`` records (positions ``0..n-1``) given their scored pairs.

    ``scorer`` scores extra pairs for completing components; without it,
    components are split on the edges already scored.  ``cannot_link`` says
    which records must never share a work; ``human`` adds what people
    decided (its ``different`` pairs are cannot-links whatever
    ``cannot_link`` says, its ``same`` pairs joined first).
    """
    human = human or HumanLinks()
    if human.different:
        cannot_link = _with_human(cannot_link, human)
    g = _edge_graph(range(n), scored, settings.match_threshold)
    for a, b in human.same:  # stronger than any score
        g.add_edge(a, b, weight=edge_weight(1.0), score=1.0)
    ties: set[tuple[int, int]] = set()
    result = ClusterResult(clusters=[])
    for comp in sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: c[0]):
        if len(comp) < 2:
            result.clusters.append(tuple(comp))
            continue
        sub = g.subgraph(comp)
        parts, sub = _community_step(comp, sub, settings, scorer, result, human)
        for part in parts:
            if cannot_link is None or len(part) < 2:
                result.clusters.append(part)
                continue
            pieces = split_constrained(part, sub.subgraph(part), cannot_link, human, ties)
            if len(pieces) > 1:
                result.constrained.append((part, pieces))
            result.clusters.extend(pieces)
    result.clusters.sort()
    result.ties = sorted(ties)
    return result


def _with_human(cannot_link: CannotLink | None, human: HumanLinks) -> CannotLink:
    """``cannot_link`` with the pairs people said differ added (a rule that
    already names them, as :func:`resolve.constraints.cannot_link_rule`
    does, is given back as it is)."""
    if getattr(cannot_link, "human", None) is human:
        return cannot_link  # type: ignore[return-value]
    different = human.different
    by_record: dict[int, list[int]] = {}
    for a, b in sorted(different):
        by_record.setdefault(a, []).append(b)
    base_suspects = getattr(cannot_link, "suspects", None)

    def rule(a: int, b: int, score: float | None) -> bool:
        return (min(a, b), max(a, b)) in different or (
            cannot_link is not None and cannot_link(a, b, score))

    def suspects(members: Sequence[int]) -> list[tuple[int, int]]:
        inside = set(members)
        found = {(a, b) for a in members for b in by_record.get(a, ()) if b in inside}
        if base_suspects is not None:
            found.update(base_suspects(members))
        elif cannot_link is not None:
            return [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
        return sorted(found)

    rule.suspects = suspects  # type: ignore[attr-defined]
    rule.human = human  # type: ignore[attr-defined]
    return rule


def _community_step(comp: list[int], sub: nx.Graph, settings: Settings, scorer: Scorer | None,
                    result: ClusterResult, human: HumanLinks
                    ) -> tuple[list[tuple[int, ...]], nx.Graph]:
    """Complete and split one component (steps 2 and 3); the parts, and the
    component's edges including those completion added.  Parts holding the
    two records of a pair people said are the same are joined again."""
    if len(comp) < 3 or not settings.community_detection or _is_clique(sub):
        return [tuple(comp)], sub
    if scorer is not None and len(comp) <= MAX_COMPLETE:
        missing = [(a, b) for i, a in enumerate(comp) for b in comp[i + 1:]
                   if not sub.has_edge(a, b)]
        extra = scorer(missing)
        result.completed_pairs.extend(extra)
        sub = _edge_graph(comp, [*_edges_as_pairs(sub), *extra], settings.match_threshold)
        if _is_clique(sub):
            return [tuple(comp)], sub
        known = {(p.a, p.b): log2_odds(p.score) for p in extra}
        known.update(((min(a, b), max(a, b)), log2_odds(d["score"]))
                     for a, b, d in sub.edges(data=True))
        parts = split_component(sub, settings)
        if len(parts) > 1:
            parts = _rejoin_copies(parts, known, extra, settings.max_seam_log2_odds)
    else:
        parts = split_component(sub, settings)
    if human.same and len(parts) > 1:
        parts = _join_same(parts, human.same)
    if len(parts) > 1:
        result.splits.append((tuple(comp), parts))
    return parts, sub


def _join_same(parts: list[tuple[int, ...]], same: Sequence[tuple[int, int]]
               ) -> list[tuple[int, ...]]:
    """``parts`` with those that hold the two records of a ``same`` pair joined."""
    where = {m: k for k, part in enumerate(parts) for m in part}
    joined = UnionFind(range(len(parts)))
    for a, b in same:
        if a in where and b in where:
            joined.union(where[a], where[b])
    return sorted(tuple(sorted(m for k in ks for m in parts[k])) for ks in joined.groups())


def split_constrained(members: tuple[int, ...], sub: nx.Graph, cannot_link: CannotLink,
                      human: HumanLinks | None = None,
                      ties: set[tuple[int, int]] | None = None) -> list[tuple[int, ...]]:
    """The cluster itself if no two of its records cannot link; else its
    records joined greedily along its edges, strongest first, never joining
    two groups that hold a cannot-link pair (best match first, as in a 1:1
    assignment between two clean sources).  The pairs ``human`` says are the
    same are joined before any other edge, stopped only by a pair it says
    differ; the edges left apart as ties are added to ``ties``."""
    def score(a: int, b: int) -> float | None:
        d = sub.get_edge_data(a, b)
        return d["score"] if d else None

    suspects = getattr(cannot_link, "suspects", None)
    pairs = (suspects(members) if suspects is not None
             else ((a, b) for i, a in enumerate(members) for b in members[i + 1:]))
    same = set(human.same) if human else set()
    # a rule's veto on a pair people said is the same is overruled
    banned = {(a, b) for a, b in pairs if (a, b) not in same and cannot_link(a, b, score(a, b))}
    if not banned:
        return [members]
    never = banned & human.different if human else set()
    group: dict[int, tuple[int, ...]] = {m: (m,) for m in members}
    edges = sorted(((d["score"], min(a, b), max(a, b)) for a, b, d in sub.edges(data=True)),
                   key=lambda e: ((e[1], e[2]) not in same, -e[0], e[1], e[2]))
    for s, a, b in edges:
        ga, gb = group[a], group[b]
        if ga is gb:
            continue
        if (a, b) in same:
            if _excluded(ga, gb, never):
                continue
        elif _excluded(ga, gb, banned):
            continue
        elif _tied(s, a, b, sub, group, banned):
            if ties is not None:
                ties.add((a, b))
            continue  # two equally good partners: which one is a guess
        merged = tuple(sorted(ga + gb))
        for m in merged:
            group[m] = merged
    return sorted({g for g in group.values()})


def _tied(score: float, a: int, b: int, sub: nx.Graph, group: dict[int, tuple[int, ...]],
          banned: set[tuple[int, int]]) -> bool:
    """Whether ``a`` or ``b`` has another partner, outside the pair's groups,
    as good as this edge and excluded by the same constraint (a recurring
    column: "Book review column" twice in one year on both sides).  A partner
    already joined to a group that ``a`` (or ``b``) can never join is no
    rival: it has found its match."""
    for x, y in ((a, b), (b, a)):
        for z, d in sub[x].items():
            gz = group[z]
            if z == y or gz is group[x] or gz is group[y]:
                continue
            if (abs(d["score"] - score) <= 1e-9 and (min(y, z), max(y, z)) in banned
                    and not _excluded(group[x], gz, banned)):
                return True
    return False


def _excluded(g1: tuple[int, ...], g2: tuple[int, ...], banned: set[tuple[int, int]]) -> bool:
    """Whether two groups hold a cannot-link pair, so can never be joined."""
    return any((min(x, y), max(x, y)) in banned for x in g1 for y in g2)


# Levels a rule names that tell two works apart, not two copies: numbers in
# the titles, years two or more apart, a journal against proceedings, pages,
# a notice, conflicting identifiers (any negative weight of these fields).
_RULE_FIELDS = frozenset({"title numbers", "venue kind", "volume and pages", "notice", "doi",
                          "arxiv", "pmid", "pmcid", "other identifiers"})
_YEARS_APART = frozenset({"2-3 years apart", "far apart"})


def _says_two_works(pair: ScoredPair) -> bool:
    return any(e.weight < 0 and (e.field in _RULE_FIELDS
                                 or (e.field == "year" and e.level in _YEARS_APART))
               for e in pair.evidence)


def _rejoin_copies(parts: list[tuple[int, ...]], evidence: dict[tuple[int, int], float],
                   scored: Sequence[ScoredPair], max_seam: float) -> list[tuple[int, ...]]:
    """``parts`` of a completed component with those joined again that are
    copies of one work split by structure alone: the median log2 odds of
    their cross pairs is at least ``max_seam`` (near misses, as alike as the
    copies within each part), and no cross pair has a level a rule names
    against it (:data:`_RULE_FIELDS`: another part of a series, the journal
    version of a conference paper, other pages).

    Serves works scraped or cited dozens of times (Google Scholar's copies,
    reference-list citations): each copy has its own truncated author list,
    citation lead or lost venue, and modularity cuts such a loose cluster
    along seams no looser than its parts (issue 15, "big clusters stay
    whole").  Between two works most cross pairs are clear non-matches."""
    where = {m: k for k, part in enumerate(parts) for m in part}
    across: dict[tuple[int, int], list[ScoredPair]] = {}
    for p in scored:
        ka, kb = where.get(p.a), where.get(p.b)
        if ka is not None and kb is not None and ka != kb:
            across.setdefault((min(ka, kb), max(ka, kb)), []).append(p)
    joined = UnionFind(range(len(parts)))
    for ka in range(len(parts)):
        for kb in range(ka + 1, len(parts)):
            # the evidence of a pair is worked out again: only where the median allows
            if (_seam_median(parts[ka], parts[kb], evidence) >= max_seam
                    and not any(map(_says_two_works, across.get((ka, kb), ())))):
                joined.union(ka, kb)
    return sorted(tuple(sorted(m for k in ks for m in parts[k])) for ks in joined.groups())


def _seam_median(p: tuple[int, ...], q: tuple[int, ...],
                 evidence: dict[tuple[int, int], float]) -> float:
    """The median log2 odds of the pairs across two parts (-inf when none is known)."""
    values = sorted(v for v in (evidence.get((min(a, b), max(a, b))) for a in p for b in q)
                    if v is not None)
    if not values:
        return -math.inf
    k = len(values)
    return values[k // 2] if k % 2 else (values[k // 2 - 1] + values[k // 2]) / 2


def _edges_as_pairs(g: nx.Graph) -> list[ScoredPair]:
    return [ScoredPair(min(a, b), max(a, b), d["score"]) for a, b, d in g.edges(data=True)]


def split_component(sub: nx.Graph, settings: Settings) -> list[tuple[int, ...]]:
    """Louvain communities of one component, each then split into its own
    connected pieces (a community is not guaranteed to be connected)."""
    h = nx.Graph()
    h.add_nodes_from(sorted(sub.nodes))
    h.add_weighted_edges_from(sorted((min(a, b), max(a, b), d["weight"])
                                     for a, b, d in sub.edges(data=True)))
    communities = nx.community.louvain_communities(
        h, weight="weight", resolution=settings.community_resolution, seed=settings.seed)
    pieces: list[tuple[int, ...]] = []
    for community in communities:
        for piece in nx.connected_components(h.subgraph(community)):
            pieces.append(tuple(sorted(piece)))
    pieces.sort()
    return rejoin(h, pieces, settings.min_bridge_density)


def rejoin(g: nx.Graph, parts: list[tuple[int, ...]], min_density: float) -> list[tuple[int, ...]]:
    """Undo splits that cut through dense evidence.

    Modularity finds structure even inside a tight cluster (e.g. records that
    share an arXiv id versus records that share a DOI, all of one work).  Two
    parts stay apart only if the share of record pairs across them that are
    match edges is below ``min_density`` times the share within the sparser
    part (a single record counts as fully linked): a weak bridge, not a seam
    in a clique.

    Measured against the parts' own density, not against 1: a work cited
    or scraped dozens of times is a loose cluster (copies with a citation
    lead, a truncated list or a lost venue each link to some of the others,
    not to all), and an absolute share cut such works along seams no looser
    than the parts themselves (issue 15, "big clusters stay whole").  Two
    tight works joined by a stray edge still have dense parts and a thin
    bridge, and stay apart.
    """
    joined = UnionFind(range(len(parts)))
    where = {n: k for k, part in enumerate(parts) for n in part}
    cross: dict[tuple[int, int], int] = {}
    inner = [0] * len(parts)
    for a, b in g.edges():
        ka, kb = where[a], where[b]
        if ka != kb:
            key = (min(ka, kb), max(ka, kb))
            cross[key] = cross.get(key, 0) + 1
        else:
            inner[ka] += 1
    # how densely each part's own records are linked (1 for a single record)
    density = [2 * e / (len(p) * (len(p) - 1)) if len(p) > 1 else 1.0
               for p, e in zip(parts, inner, strict=True)]
    for (ka, kb), edges in sorted(cross.items()):
        if edges / (len(parts[ka]) * len(parts[kb])) >= min_density * min(density[ka],
                                                                        density[kb]):
            joined.union(ka, kb)
    return sorted(tuple(sorted(m for k in ks for m in parts[k])) for ks in joined.groups())
