"""Candidate generation without an all-pairs step.

Blocking keys are small pure functions from a record's features to a set of
strings.  Records that share a key form a block.  A block of at most
``block_cap`` records is paired exhaustively; a larger one only within a
sliding window of ``block_window`` records sorted by title, so the number of
candidate pairs grows linearly with the number of records.

Records that share a work identifier or a URL in the evidence graph are
candidates at once (windowed the same way if a bogus identifier is shared by
very many records).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from .features import Features, TokenStats
from .graph import EvidenceGraph, shared_neighbours
from .scoring import title_similarity
from .settings import Settings
from .types import CONTAINER_SCHEMES

KeyFn = Callable[[Features], frozenset[str]]


def title_exact_key(f: Features) -> frozenset[str]:
    return frozenset({f.title}) if f.title else frozenset()


def title_prefix_key(f: Features) -> frozenset[str]:
    """The first 24 letters of the title: survives a changed ending."""
    s = f.title.replace(" ", "")
    return frozenset({s[:24]}) if len(s) >= 12 else frozenset()


def title_suffix_key(f: Features) -> frozenset[str]:
    """The last 24 letters of the title: survives a changed beginning."""
    s = f.title.replace(" ", "")
    return frozenset({s[-24:]}) if len(s) >= 12 else frozenset()


def author_year_key(f: Features) -> frozenset[str]:
    """First author's family name and the year."""
    if not f.families or f.year is None:
        return frozenset()
    return frozenset({f"{f.families[0]}|{f.year}"})


def author_title_key(f: Features) -> frozenset[str]:
    """First author's family name and the first title token: survives a
    different year."""
    if not f.families or not f.tokens:
        return frozenset()
    return frozenset({f"{f.families[0]}|{f.tokens[0]}"})


def volume_page_key(f: Features) -> frozenset[str]:
    """Volume and first page: survives a translated or rewritten title."""
    if not f.volume or not f.first_page:
        return frozenset()
    return frozenset({f"{f.volume}|{f.first_page}"})


def rare_token_keys(stats: TokenStats, k: int) -> KeyFn:
    """Pairs of a record's ``k`` rarest title tokens: two titles that say the
    same thing share their rarest words even when the rest differs."""

    def key(f: Features) -> frozenset[str]:
        toks = sorted(set(f.tokens), key=lambda t: (stats.df.get(t, 0), t))[:k]
        if len(toks) < 2:
            return frozenset(toks)
        return frozenset(" ".join(sorted(p)) for p in combinations(toks, 2))

    return key


@dataclass
class CandidateStats:
    """How many candidate pairs each blocking rule contributed (before union),
    and how many of them were dropped as hopeless before scoring."""

    per_rule: dict[str, int] = field(default_factory=dict)
    windowed_blocks: int = 0
    hopeless: int = 0
    total: int = 0
    hopeless_sample: list[tuple[int, int]] = field(default_factory=list, repr=False)
    """Every k-th hopeless pair, for estimation (each standing for k)."""
    sample_weight: float = 1.0


def _hopeless(a: Features, b: Features, min_title_similarity: float) -> bool:
    """Titles less alike than ``min_title_similarity``, and no volume and first
    page in common: not worth scoring (the title's "unrelated" level alone
    outweighs what authors, year and venue can add up to)."""
    if not a.title or not b.title:
        return False
    if a.first_page and a.first_page == b.first_page and a.volume and a.volume == b.volume:
        return False
    sim = title_similarity(a, b)
    return sim is not None and sim < min_title_similarity


def pairs_in_block(members: Sequence[int], cap: int, window: int,
                   order: Callable[[int], object]) -> Iterable[tuple[int, int]]:
    """All pairs of a small block; neighbours within ``window`` of a large one.
    ``members`` are ascending record positions."""
    if len(members) <= cap:
        yield from combinations(members, 2)
        return
    ranked = sorted(members, key=order)
    for i, a in enumerate(ranked):
        for b in ranked[i + 1 : i + window]:
            yield (a, b) if a < b else (b, a)


def candidate_pairs(
    features: Sequence[Features],
    graph: EvidenceGraph,
    stats: TokenStats,
    settings: Settings,
) -> tuple[list[tuple[int, int]], CandidateStats]:
    """Candidate pairs ``(a, b)`` with ``a < b``, sorted, each once."""
    report = CandidateStats()
    found: set[tuple[int, int]] = set()

    def order(i: int) -> tuple[str, int]:
        return (features[i].title, i)

    def add_blocks(rule: str, blocks: Iterable[Sequence[int]]) -> None:
        before = len(found)
        for members in blocks:
            if len(members) < 2:
                continue
            if len(members) > settings.block_cap:
                report.windowed_blocks += 1
            found.update(pairs_in_block(members, settings.block_cap,
                                        settings.block_window, order))
        report.per_rule[rule] = len(found) - before

    add_blocks("shared identifier", shared_neighbours(
        graph, lambda n: n[0] == "id" and n[1] not in CONTAINER_SCHEMES))
    add_blocks("shared url", shared_neighbours(graph, lambda n: n[0] == "url"))

    rules: list[tuple[str, KeyFn]] = [
        ("title", title_exact_key),
        ("title prefix", title_prefix_key),
        ("title suffix", title_suffix_key),
        ("rare title tokens", rare_token_keys(stats, settings.rare_tokens)),
        ("first author + year", author_year_key),
        ("first author + title word", author_title_key),
        ("volume + page", volume_page_key),
    ]
    linked = set(found)  # pairs that share an identifier or URL
    for rule, key_fn in rules:
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, f in enumerate(features):
            for k in key_fn(f):
                blocks[k].append(i)
        add_blocks(rule, blocks.values())  # members ascending; the union's order is moot
    pairs = sorted(found)
    if settings.min_title_similarity > 0:
        kept, hopeless = [], []
        for p in pairs:
            if p in linked or not _hopeless(features[p[0]], features[p[1]],
                                            settings.min_title_similarity):
                kept.append(p)
            else:
                hopeless.append(p)
        pairs = kept
        report.hopeless = len(hopeless)
        step = max(1, -(-len(hopeless) // max(settings.em_hopeless_sample, 1)))
        report.hopeless_sample = hopeless[::step]
        report.sample_weight = float(step)
    report.total = len(pairs)
    return pairs, report
