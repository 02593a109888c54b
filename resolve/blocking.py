"""Candidate generation without an all-pairs step.

Blocking is a declared table of rules, :data:`BLOCKING_RULES`, next to the
comparisons of :mod:`resolve.scoring`.  Each rule puts records into blocks;
records in one block are paired.  Most rules are a blocking key: a small pure
function from a record's features to a set of strings, records sharing a
string forming a block.  The rules, in order (the names are those of the
build's "candidates per rule" counts in ``kg-resolve.json``):

- ``shared identifier``: records carrying the same identifier node of the
  evidence graph (DOI, arXiv id, PubMed ids, source ids; not an ISSN or ISBN).
- ``shared url``: records carrying the same normalized URL.
- ``title``: the same normalized title.
- ``title prefix``: the same first 24 letters of the title (survives a changed ending).
- ``title suffix``: the same last 24 letters of the title (survives a changed beginning).
- ``rare title tokens``: a pair of the record's rarest title words in common.
- ``first author + year``: first author's family name and the year.
- ``first author + title word``: first author's family name and first title word.
- ``volume + page``: volume and first page (survives a translated title).

A block of at most ``block_cap`` records is paired exhaustively; a larger one
only within a sliding window of ``block_window`` records sorted by title, so
the number of candidate pairs grows linearly with the number of records (a
bogus identifier shared by very many records is windowed the same way).

The pairs of the rules marked ``screened`` are then screened: those whose
titles are unrelated and that share no volume and first page are dropped
before scoring (:func:`_screen`); a pair that an unscreened rule (a shared
identifier or URL) proposed is always kept.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from .features import Features, TokenStats
from .graph import EvidenceGraph, Node, shared_neighbours
from .settings import Settings
from .similarity import title_similarity
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
        return frozenset(f"{x} {y}" if x < y else f"{y} {x}" for x, y in combinations(toks, 2))

    return key


@dataclass(frozen=True)
class BlockingInput:
    """What the rules' blocks are made from."""

    features: Sequence[Features]
    graph: EvidenceGraph
    stats: TokenStats
    settings: Settings


BlocksFn = Callable[[BlockingInput], Iterable[Sequence[int]]]
"""A rule's blocks: groups of ascending record positions, each paired."""


@dataclass(frozen=True)
class BlockingRule:
    """One row of the blocking table: a name (the key of its count in
    :attr:`CandidateStats.per_rule`), how it makes blocks, what it pairs."""

    name: str
    blocks: BlocksFn
    description: str
    screened: bool = True
    """Whether its pairs face the title screen; an unscreened rule's pairs
    are always scored."""


def _key_blocks(features: Sequence[Features], key_fn: KeyFn) -> Iterable[list[int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(features):
        for k in key_fn(f):
            blocks[k].append(i)
    return blocks.values()  # members ascending; the union's order is moot


def by_key(key_fn: KeyFn) -> BlocksFn:
    """Blocks of the records that share a key of ``key_fn``."""
    return lambda inp: _key_blocks(inp.features, key_fn)


def by_build_key(make: Callable[[BlockingInput], KeyFn]) -> BlocksFn:
    """Blocks of a key function that depends on the build (its token counts
    or settings), made once per build."""
    return lambda inp: _key_blocks(inp.features, make(inp))


def by_shared_node(keep: Callable[[Node], bool]) -> BlocksFn:
    """Blocks of the records linked to one evidence-graph node that ``keep``
    accepts."""
    return lambda inp: shared_neighbours(inp.graph, keep)


def _work_identifier(node: Node) -> bool:
    return node[0] == "id" and node[1] not in CONTAINER_SCHEMES


def _url(node: Node) -> bool:
    return node[0] == "url"


BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("shared identifier", by_shared_node(_work_identifier),
                 "the same identifier: DOI, arXiv id, PubMed ids, source ids (not an ISSN "
                 "or ISBN)", screened=False),
    BlockingRule("shared url", by_shared_node(_url), "the same normalized URL", screened=False),
    BlockingRule("title", by_key(title_exact_key), "the same normalized title"),
    BlockingRule("title prefix", by_key(title_prefix_key),
                 "the same first 24 letters of the title: survives a changed ending"),
    BlockingRule("title suffix", by_key(title_suffix_key),
                 "the same last 24 letters of the title: survives a changed beginning"),
    BlockingRule("rare title tokens",
                 by_build_key(lambda inp: rare_token_keys(inp.stats, inp.settings.rare_tokens)),
                 "a pair of the record's rarest title words (`rare_tokens` of them) in common"),
    BlockingRule("first author + year", by_key(author_year_key),
                 "first author's family name and the year"),
    BlockingRule("first author + title word", by_key(author_title_key),
                 "first author's family name and first title word: survives a different year"),
    BlockingRule("volume + page", by_key(volume_page_key),
                 "volume and first page: survives a translated or rewritten title"),
)
"""The blocking rules, in the order their pairs are counted."""


def blocking_rules_markdown(rules: Sequence[BlockingRule] = BLOCKING_RULES) -> str:
    """The rules as the Markdown table the README shows."""
    lines = ["| rule | pairs records with | title screen |", "|---|---|---|"]
    lines += [f"| `{r.name}` | {r.description} | {'yes' if r.screened else 'no: always scored'} |"
              for r in rules]
    return "\n".join(lines) + "\n"


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


def pairs_in_block(members: Sequence[int], cap: int, window: int,
                   order: Callable[[int], Any]) -> Iterable[tuple[int, int]]:
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
    jobs: int = 1,
    rules: Sequence[BlockingRule] = BLOCKING_RULES,
) -> tuple[list[tuple[int, int]], CandidateStats]:
    """Candidate pairs ``(a, b)`` with ``a < b``, sorted, each once, from
    ``rules`` in order.

    Pairs are kept as one int64 code each (``a * n + b``) while the rules'
    blocks are united, then screened (:func:`_screen`)."""
    n = max(len(features), 1)
    report = CandidateStats()
    found = np.empty(0, dtype=np.int64)
    unscreened = np.empty(0, dtype=np.int64)  # pairs that an unscreened rule proposed
    inp = BlockingInput(features, graph, stats, settings)

    def order(i: int) -> tuple[str, int]:
        return (features[i].title, i)

    for rule in rules:
        codes = array("q")
        for members in rule.blocks(inp):
            if len(members) < 2:
                continue
            if len(members) > settings.block_cap:
                report.windowed_blocks += 1
            codes.extend(a * n + b for a, b in pairs_in_block(
                members, settings.block_cap, settings.block_window, order))
        new = np.frombuffer(codes, dtype=np.int64)
        before = len(found)
        found = _union(found, new)
        report.per_rule[rule.name] = len(found) - before
        if not rule.screened:
            unscreened = _union(unscreened, new)
    if settings.min_title_similarity > 0:
        keep = _screen(features, found // n, found % n, settings.min_title_similarity, jobs)
        keep |= np.isin(found, unscreened, assume_unique=True)
        hopeless = found[~keep]
        found = found[keep]
        report.hopeless = len(hopeless)
        step = max(1, -(-len(hopeless) // max(settings.em_hopeless_sample, 1)))
        report.hopeless_sample = _as_pairs(hopeless[::step], n)
        report.sample_weight = float(step)
    report.total = len(found)
    return _as_pairs(found, n), report


def _union(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sorted distinct values of both (np.union1d, without its hashing)."""
    z = np.concatenate([x, y])
    z.sort(kind="stable")
    return z[np.concatenate(([True], z[1:] != z[:-1]))] if len(z) else z


def _as_pairs(codes: np.ndarray, n: int) -> list[tuple[int, int]]:
    return list(zip((codes // n).tolist(), (codes % n).tolist(), strict=True))


# Pairs whose titles the screen compares at once (two lists of this many).
_SCREEN_SLICE = 1 << 20


def _screen(features: Sequence[Features], a: np.ndarray, b: np.ndarray,
            min_title_similarity: float, jobs: int) -> np.ndarray:
    """Which pairs are worth scoring: all but those whose titles are less
    alike than ``min_title_similarity`` (by :func:`title_similarity`) and
    that have no volume and first page in common (the title's "unrelated"
    level outweighs what authors, year and venue can add up to).

    ``title_similarity`` is never below the plain ratio of the title keys,
    which is computed for all pairs at once (rapidfuzz ``cpdist``); it is
    called itself only where it can come out higher: a bracketed part
    removed, or one title starting or ending the other."""
    titles = [f.title for f in features]
    keep = np.zeros(len(a), dtype=bool)
    has_title = np.fromiter(map(bool, titles), dtype=bool, count=len(titles))
    keep |= ~(has_title[a] & has_title[b])
    place = _interned([f"{f.volume}|{f.first_page}" if f.volume and f.first_page else ""
                       for f in features])
    keep |= (place[a] == place[b]) & (place[a] > 0)
    rows = np.flatnonzero(~keep)
    # In slices, so that the titles' lists stay small however many pairs.
    for start in range(0, len(rows), _SCREEN_SLICE):
        part = rows[start:start + _SCREEN_SLICE]
        ratio = cpdist([titles[x] for x in a[part].tolist()],
                       [titles[y] for y in b[part].tolist()],
                       scorer=fuzz.ratio, workers=jobs, dtype=np.float32)
        keep[part[ratio >= min_title_similarity * 100]] = True
    # Where the full comparison can say more than the ratio.
    core = np.fromiter((f.title_core != f.title for f in features), dtype=bool,
                       count=len(features))
    head = _interned([t[:20] if len(t) >= 20 else "" for t in titles])
    tail = _interned([t[-20:] if len(t) >= 20 else "" for t in titles])
    rows = np.flatnonzero(~keep)
    ra, rb = a[rows], b[rows]
    maybe = rows[core[ra] | core[rb] | ((head[ra] == head[rb]) & (head[ra] > 0))
                 | ((tail[ra] == tail[rb]) & (tail[ra] > 0))]
    for r in maybe.tolist():
        sim = title_similarity(features[int(a[r])], features[int(b[r])])
        keep[r] = sim is None or sim >= min_title_similarity
    return keep


def _interned(values: list[str]) -> np.ndarray:
    """An int per distinct value (0 for the empty string)."""
    ids: dict[str, int] = {"": 0}
    return np.fromiter((ids.setdefault(v, len(ids)) for v in values), dtype=np.int64,
                       count=len(values))
