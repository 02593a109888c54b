"""Blocking of an add: only the blocks the new records change are paired.

:func:`resolve.blocking.candidate_pairs` pairs the records of every block of
every rule, then screens the pairs.  After an add, most blocks hold the same
records as before, so they propose the same pairs.  :func:`added_candidates`
takes the earlier resolution's candidate pairs (:class:`EarlierBlocking`)
and pairs again only the blocks whose records changed, giving exactly what
:func:`resolve.blocking.candidate_pairs` gives over all records (the pairs,
each rule's count, the hopeless count; not the hopeless sample, which only
estimation reads: an add that estimates again blocks in full).

A block's records change when

- a new record joins it (its keys are its own);
- a record becomes or stops being the representative of its identical
  copies (:mod:`resolve.copies`: the copies' test reads the corpus statistics,
  which the new records change), since blocking runs over representatives;
- a record's rarest title words change (the ``rare title tokens`` keys read
  the words' document frequencies, which the new records raise).  A record's
  ``k`` rarest words can change only if one of them occurs in a new record
  (frequencies only grow, and only those of the new records' words), which
  is checked first for every record that shares a word with a new one.

Every block's members are found again (keys are cheap beside pairing and
screening); a pair of a changed block, before or after, is then checked
against every rule in both states (is it proposed, by which rule first, is
it screened out), so that the pairs no block proposes any more go, the new
ones come, and the counts follow.  Window of a large block, screen and order
are those of :mod:`resolve.blocking`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .blocking import (
    BLOCKING_RULES,
    BlockingRule,
    CandidateStats,
    _screen,
    author_title_key,
    author_year_key,
    pairs_in_block,
    rare_keys_of,
    rarest_tokens,
    title_exact_key,
    title_prefix_key,
    title_suffix_key,
    volume_page_key,
)
from .features import Features, TokenStats
from .settings import Settings
from .types import CONTAINER_SCHEMES, Record

RecordKeys = Callable[[Record, Features], Iterable[Hashable]]


def _identifier_keys(r: Record, f: Features) -> Iterable[Hashable]:
    if not r.identifiers:
        return ()
    return {("id", s, v) for s, v in r.identifiers if s not in CONTAINER_SCHEMES}


def _url_keys(r: Record, f: Features) -> Iterable[Hashable]:
    return {("url", u) for u in r.urls} if r.urls else ()


def _of_features(fn: Callable[[Features], frozenset[str]]) -> RecordKeys:
    return lambda r, f: fn(f)


RULE_KEYS: dict[str, RecordKeys | None] = {
    "shared identifier": _identifier_keys,  # the evidence graph's nodes, as keys
    "shared url": _url_keys,
    "title": _of_features(title_exact_key),
    "title prefix": _of_features(title_prefix_key),
    "title suffix": _of_features(title_suffix_key),
    "rare title tokens": None,  # reads the statistics: see _rare_keys
    "first author + year": _of_features(author_year_key),
    "first author + title word": _of_features(author_title_key),
    "volume + page": _of_features(volume_page_key),
}
"""Each blocking rule's keys of one record: the same blocks as the rule's own."""


def covers(rules: Sequence[BlockingRule] = BLOCKING_RULES) -> bool:
    """Whether every rule's keys are known here (else an add blocks in full)."""
    return [r.name for r in rules] == list(RULE_KEYS)


@dataclass(frozen=True)
class EarlierBlocking:
    """What blocking gave the earlier resolution (its first ``records``
    records): its candidate pairs without identical copies (``a < b``,
    sorted), which records represented their copies, and its counts."""

    records: int
    a: np.ndarray
    b: np.ndarray
    representative: np.ndarray
    """A bool per record."""
    per_rule: dict[str, int]
    hopeless: int
    windowed_blocks: int


def added_candidates(records: Sequence[Record], features: Sequence[Features],
                     stats: TokenStats, reps: Sequence[int], settings: Settings,
                     earlier: EarlierBlocking, jobs: int = 1,
                     rules: Sequence[BlockingRule] = BLOCKING_RULES
                     ) -> tuple[list[tuple[int, int]], CandidateStats]:
    """What :func:`resolve.blocking.candidate_pairs` gives over the records at
    positions ``reps`` (the representatives, ascending; the pairs given as
    positions in ``records``), from ``earlier`` (see the module's docstring)."""
    n, n0 = len(records), earlier.records
    rep_new = np.zeros(n, dtype=bool)
    rep_new[np.asarray(reps, dtype=np.int64)] = True
    rep_old = np.zeros(n, dtype=bool)
    rep_old[:n0] = earlier.representative[:n0]
    flipped = [int(x) for x in np.flatnonzero(rep_old[:n0] != rep_new[:n0])]
    added = range(n0, n)
    old_stats = _earlier_stats(features, stats, n0)
    rarest = [rarest_tokens(f, stats, settings.rare_tokens) for f in features]
    rare_changed = _rare_changed(features, rarest, stats, old_stats, n0)

    # per rule: each key's block in either state (0: earlier, 1: now), the dirty keys
    states = (rep_old, rep_new)
    flags = (rep_old.tolist(), rep_new.tolist())
    per_rule: list[_RuleBlocks] = []
    dirty: list[list] = []
    for rule in rules:
        keys: list[Iterable[Hashable]]
        old: dict[int, Iterable[Hashable]]
        if rule.name == "rare title tokens":
            keys = [rare_keys_of(toks) for toks in rarest]
            old = {x: rare_keys_of(rarest_tokens(features[x], old_stats, settings.rare_tokens))
                   for x in rare_changed}
            touched = [*added, *flipped, *rare_changed]
        else:
            fn = RULE_KEYS[rule.name]
            assert fn is not None
            keys = [fn(r, f) for r, f in zip(records, features, strict=True)]
            old = {}
            touched = [*added, *flipped]
        rb = _RuleBlocks(keys, old, flags, n0, features, settings)
        suspect = {k for x in touched for k in (*keys[x], *old.get(x, ()))}
        dirty.append(sorted((k for k in suspect if rb.block(0, k) != rb.block(1, k)), key=str))
        per_rule.append(rb)

    # the pairs a dirty block proposes before and not after, or after and not
    # before: any other pair is proposed alike by every block in both states
    changed: set[int] = set()
    windowed_change = 0
    for rb, keys_dirty in zip(per_rule, dirty, strict=True):
        for k in keys_dirty:
            proposed_by: list[set[int]] = []
            for s in (0, 1):
                members = rb.block(s, k)
                if len(members) > settings.block_cap:
                    windowed_change += 1 if s else -1
                proposed_by.append({x * n + y for x, y in pairs_in_block(
                    members, settings.block_cap, settings.block_window,
                    lambda i: (features[i].title, i))} if len(members) > 1 else set())
            changed |= proposed_by[0] ^ proposed_by[1]
    affected = np.array(sorted(changed), dtype=np.int64)
    a, b = affected // n, affected % n

    # every affected pair checked against every rule, before and after
    first = np.full((2, len(affected)), -1, dtype=np.int64)
    unscreened = np.zeros((2, len(affected)), dtype=bool)
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    for r, (rule, rb) in enumerate(zip(rules, per_rule, strict=True)):
        for s in (0, 1):
            on = states[s]
            for p, (x, y) in enumerate(pairs):
                if (first[s, p] >= 0 and rule.screened) or not (on[x] and on[y]):
                    continue
                if rb.pairs(s, x, y):
                    if first[s, p] < 0:
                        first[s, p] = r
                    if not rule.screened:
                        unscreened[s, p] = True
    proposed = first >= 0
    if settings.min_title_similarity > 0 and len(affected):
        passes = _screen(features, a, b, settings.min_title_similarity, jobs)
        keep = proposed & (unscreened | passes)
    else:
        keep = proposed

    report = CandidateStats()
    for r, rule in enumerate(rules):
        report.per_rule[rule.name] = (earlier.per_rule.get(rule.name, 0)
                                      - int(np.sum(first[0] == r)) + int(np.sum(first[1] == r)))
    report.hopeless = (earlier.hopeless - int(np.sum(proposed[0] & ~keep[0]))
                       + int(np.sum(proposed[1] & ~keep[1])))
    report.windowed_blocks = earlier.windowed_blocks + windowed_change
    old_codes = earlier.a.astype(np.int64) * n + earlier.b.astype(np.int64)
    found = np.union1d(old_codes[~np.isin(old_codes, affected)], affected[keep[1]])
    report.total = len(found)
    return list(zip((found // n).tolist(), (found % n).tolist(), strict=True)), report


class _RuleBlocks:
    """One rule's blocks in either state: the records having each key (all
    of them, with their keys now; ``old``: the keys some earlier records had
    before), and of those, the representatives of the state, ascending."""

    def __init__(self, keys: Sequence[Iterable[Hashable]], old: Mapping[int, Iterable[Hashable]],
                 states: tuple[list[bool], list[bool]], n0: int,
                 features: Sequence[Features], settings: Settings):
        self.keys, self.old, self.n0 = keys, old, n0
        self.states = states
        self.features, self.settings = features, settings
        self.every: dict[Hashable, list[int]] = {}
        for i, ks in enumerate(keys):
            for k in ks:
                members = self.every.get(k)
                if members is None:
                    self.every[k] = [i]
                else:
                    members.append(i)
        self.old_every: dict[Hashable, list[int]] = {}
        for i, ks in old.items():
            for k in ks:
                self.old_every.setdefault(k, []).append(i)
        self.old_keys = {k for i, ks in old.items() for k in (*ks, *keys[i])}
        self.cache: dict[tuple[int, Hashable], list[int]] = {}
        self.ranks: dict[tuple[int, Hashable], dict[int, int]] = {}

    def keys_of(self, state: int, x: int) -> Iterable[Hashable]:
        return self.old.get(x, self.keys[x]) if state == 0 else self.keys[x]

    def block(self, state: int, key: Hashable) -> list[int]:
        got = self.cache.get((state, key))
        if got is None:
            on = self.states[state]
            members = self.every.get(key, [])
            if state == 0:
                if key in self.old_keys:  # keys some records had before and not now
                    members = sorted({*(m for m in members if m < self.n0
                                        and (m not in self.old or key in self.old[m])),
                                      *self.old_every.get(key, ())})
                else:
                    members = members[:bisect_left(members, self.n0)]
            got = self.cache[state, key] = [m for m in members if on[m]]
        return got

    def pairs(self, state: int, x: int, y: int) -> bool:
        """Whether a block of this rule pairs ``x`` and ``y`` in ``state``."""
        kx = self.keys_of(state, x)
        kx = kx if isinstance(kx, (set, frozenset)) else set(kx)
        for k in self.keys_of(state, y):
            if k in kx and self._pairs_in(state, k, x, y):
                return True
        return False

    def _pairs_in(self, state: int, key: Hashable, x: int, y: int) -> bool:
        cap = self.settings.block_cap
        if len(self.every.get(key, ())) + len(self.old_every.get(key, ())) <= cap:
            return True  # a small block (both are in it): all its pairs
        members = self.block(state, key)
        if len(members) <= cap:
            return True
        rank = self.ranks.get((state, key))
        if rank is None:
            ranked = sorted(members, key=lambda i: (self.features[i].title, i))
            rank = self.ranks[state, key] = {m: j for j, m in enumerate(ranked)}
        return abs(rank[x] - rank[y]) < self.settings.block_window


def _earlier_stats(features: Sequence[Features], stats: TokenStats, n0: int) -> TokenStats:
    """The token document frequencies of the first ``n0`` records (those of
    all less those of the records after them; what the rare-word keys read)."""
    df = dict(stats.df)
    for f in features[n0:]:
        for t in set(f.tokens):
            df[t] -= 1
    return TokenStats(df, n0, {})


def _rare_changed(features: Sequence[Features], rarest: Sequence[Sequence[str]],
                  now: TokenStats, before: TokenStats, n0: int) -> list[int]:
    """The earlier records whose rarest words (``rarest``: now; as a set, for
    the keys are pairs of them) were others before.  Only the frequencies of
    the new records' words rose, so the set changed if and only if one of
    those words, not among the rarest now, came before one of them by the
    earlier frequencies (it was among them then, and rose out)."""
    raised = {t for t, c in now.df.items() if before.df.get(t, 0) != c}
    df = before.df
    out = []
    for x in range(n0):
        toks = features[x].tokens
        if raised.isdisjoint(toks):
            continue
        top = rarest[x]
        last = max((df.get(t, 0), t) for t in top) if top else None
        if last is not None and any((df.get(u, 0), u) < last
                                    for u in raised.intersection(toks) if u not in top):
            out.append(x)
    return out
