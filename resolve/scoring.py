"""Score candidate pairs from field similarities, keeping the evidence.

Each field is a :class:`Comparison`: a similarity function and ordered
levels (missing -> exact -> fuzzy bands -> else), each level with a weight,
the log2 Bayes factor of that much agreement (as in Fellegi-Sunter).  A pair's
score is the match probability ``1 / (1 + 2 ** -(prior + sum of weights))``.

The weights are hand-set here; they are plain data so that they can be
estimated from the data being resolved instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .features import Features, TokenStats
from .settings import Settings
from .types import CONTAINER_SCHEMES, FieldEvidence, ScoredPair, is_preprint_doi

Similarity = Callable[[Features, Features], float | None]


@dataclass(frozen=True)
class Level:
    name: str
    min_similarity: float
    weight: float


@dataclass(frozen=True)
class Comparison:
    """One field: how to measure similarity and what each level is worth.

    Levels are tried in order; the first whose ``min_similarity`` the pair
    reaches applies.  ``None`` similarity (a side lacks the field) scores 0.
    """

    field: str
    similarity: Similarity
    levels: tuple[Level, ...]

    def compare(self, a: Features, b: Features) -> FieldEvidence:
        sim = self.similarity(a, b)
        if sim is None:
            return FieldEvidence(self.field, "missing", None, 0.0)
        for level in self.levels:
            if sim >= level.min_similarity:
                return FieldEvidence(self.field, level.name, round(sim, 4), level.weight)
        raise AssertionError(f"{self.field}: no level for similarity {sim}")


# --- similarities ----------------------------------------------------------

def title_similarity(a: Features, b: Features) -> float | None:
    if not a.title or not b.title:
        return None
    if a.title == b.title:
        return 1.0
    sim = fuzz.ratio(a.title, b.title) / 100.0
    if a.title_core != a.title or b.title_core != b.title:
        # "Indexing multimedia databases (tutorial)" vs "Indexing multimedia databases"
        sim = max(sim, 0.98 if a.title_core == b.title_core
                  else fuzz.ratio(a.title_core, b.title_core) / 100.0)
    short, long_ = sorted((a.title, b.title), key=len)
    # A subtitle present on one side only: "Title" vs "Title: a subtitle".
    if len(short) >= 20 and long_.startswith(short + " "):
        sim = max(sim, 0.95)
    return sim


def _author_match(x: str, y: str) -> float:
    """1 for the same key, 0.9 for compatible initials, 0.8 for a family name
    broken by encoding (``auppa`` vs ``suppa``) with the same initials."""
    if x == y:
        return 1.0
    fx, _, ix = x.partition(" ")
    fy, _, iy = y.partition(" ")
    if fx == fy:
        if not ix or not iy or ix.startswith(iy) or iy.startswith(ix):
            return 0.9
        return 0.3 if ix[0] == iy[0] else 0.0
    if len(fx) >= 4 and len(fy) >= 4 and (not ix or not iy or ix[0] == iy[0]):
        if Levenshtein.normalized_similarity(fx, fy) >= 0.75:
            return 0.8
    return 0.0


def author_similarity(a: Features, b: Features) -> float | None:
    """Share of the shorter author list found in the longer one (greedy)."""
    if not a.authors or not b.authors:
        return None
    # Ties broken by content, so that the greedy matching is symmetric.
    short, long_ = sorted((a.authors[:25], b.authors[:25]), key=lambda x: (len(x), x))
    if short == long_[: len(short)]:
        return 1.0
    free = list(long_)
    total = 0.0
    for x in short:
        best, best_j = 0.0, -1
        for j, y in enumerate(free):
            s = _author_match(x, y)
            if s > best:
                best, best_j = s, j
                if s == 1.0:
                    break
        if best_j >= 0:
            total += best
            free.pop(best_j)
    return total / len(short)


def year_similarity(a: Features, b: Features) -> float | None:
    if a.year is None or b.year is None:
        return None
    d = abs(a.year - b.year)
    return 1.0 if d == 0 else 0.5 if d == 1 else 0.25 if d <= 3 else 0.0


def venue_similarity(a: Features, b: Features) -> float | None:
    if not a.venue or not b.venue:
        return None
    if venue_kind_similarity(a, b) == 0.0:
        return 0.0  # "VLDB" and "VLDB J." share a name but not a venue
    return fuzz.token_set_ratio(a.venue, b.venue) / 100.0


def venue_kind_similarity(a: Features, b: Features) -> float | None:
    """0 for a journal article against a proceedings paper (or an unmarked
    venue in another year): a conference paper and its journal extension are
    different works.  A preprint agrees with any kind."""
    if not a.venue or not b.venue or "preprint" in (a.venue_kind, b.venue_kind):
        return None
    if a.venue_kind and b.venue_kind:
        return 1.0 if a.venue_kind == b.venue_kind else 0.0
    if (a.year is not None and b.year is not None and a.year != b.year
            and (a.venue_kind == "journal") != (b.venue_kind == "journal")):
        return 0.0
    return None


def page_similarity(a: Features, b: Features) -> float | None:
    if not a.first_page or not b.first_page:
        return None
    return 1.0 if a.first_page == b.first_page else 0.0


def volume_similarity(a: Features, b: Features) -> float | None:
    if not a.volume or not b.volume:
        return None
    return 1.0 if a.volume == b.volume else 0.0


def title_number_similarity(a: Features, b: Features) -> float | None:
    """0 when both titles carry numbers and they differ ("Part I" vs
    "Part II", "... in 2019" vs "... in 2020"); no evidence otherwise."""
    if not a.numbers or not b.numbers:
        return None
    return 1.0 if a.numbers == b.numbers else 0.0


def notice_similarity(a: Features, b: Features) -> float | None:
    """0 when one title is an erratum/comment/reply and the other is not."""
    if not a.notice and not b.notice:
        return None
    return 1.0 if a.notice == b.notice else 0.0


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("title", title_similarity, (
        Level("exact", 0.999, 10.0), Level("near", 0.95, 8.0), Level("close", 0.9, 5.0),
        Level("similar", 0.8, 1.0), Level("different", 0.6, -4.0), Level("unrelated", 0.0, -8.0),
    )),
    Comparison("title numbers", title_number_similarity, (
        Level("same", 1.0, 0.0), Level("different", 0.0, -8.0),
    )),
    Comparison("authors", author_similarity, (
        Level("all", 0.95, 6.0), Level("most", 0.75, 4.0), Level("half", 0.5, 1.0),
        Level("few", 0.25, -3.0), Level("none", 0.0, -7.0),
    )),
    Comparison("year", year_similarity, (
        Level("exact", 1.0, 1.5), Level("off by one", 0.5, -2.0),
        Level("2-3 years apart", 0.25, -4.0), Level("far apart", 0.0, -9.0),
    )),
    Comparison("venue", venue_similarity, (
        Level("same", 0.9, 1.5), Level("different", 0.0, 0.0),
    )),
    Comparison("venue kind", venue_kind_similarity, (
        Level("same", 1.0, 0.0), Level("journal vs proceedings", 0.0, -8.0),
    )),
    Comparison("pages", page_similarity, (
        Level("same first page", 1.0, 3.0), Level("different", 0.0, -4.0),
    )),
    Comparison("volume", volume_similarity, (
        Level("same", 1.0, 1.0), Level("different", 0.0, -3.0),
    )),
    Comparison("notice", notice_similarity, (
        Level("same kind", 1.0, 0.0), Level("notice vs paper", 0.0, -15.0),
    )),
)

# Identifier agreement and conflict, per scheme.
ID_AGREE = 14.0
ID_CONFLICT = {"doi": -12.0, "arxiv": -12.0, "pmid": -12.0, "pmcid": -12.0}
OTHER_ID_CONFLICT = -6.0
# How many records are expected to carry one work's title or author (a record
# and a copy); values carried by more records get a term-frequency penalty.
TYPICAL_COPIES = 2
# Scale of positive author weights by the length of the shorter author list.
AUTHOR_SCALE = (1.0, 0.5, 0.8, 1.0)
# A title word carried by at most this many records is rare (counts double).
RARE_TOKEN_DF = 3
# Scale of positive title weights by the title's number of significant words.
TITLE_SCALE = (0.3, 0.3, 0.5, 0.75, 1.0)


def identifier_evidence(a: Features, b: Features) -> list[FieldEvidence]:
    """One piece of evidence per identifier scheme both records carry.

    Two different DOIs where one side's are all preprint-server DOIs (arXiv,
    bioRxiv, ...) are a preprint and its version of record, not a conflict.
    """
    out: list[FieldEvidence] = []
    for scheme in sorted(a.ids.keys() & b.ids.keys()):
        if scheme in CONTAINER_SCHEMES:
            continue
        if a.ids[scheme] & b.ids[scheme]:
            out.append(FieldEvidence(scheme, "same", 1.0, ID_AGREE))
        elif scheme == "doi" and (all(map(is_preprint_doi, a.ids[scheme]))
                                  != all(map(is_preprint_doi, b.ids[scheme]))):
            out.append(FieldEvidence(scheme, "preprint vs published", 0.0, 0.0))
        else:
            out.append(FieldEvidence(scheme, "conflict", 0.0,
                                     ID_CONFLICT.get(scheme, OTHER_ID_CONFLICT)))
    return out


def title_scale(f: Features, stats: TokenStats) -> float:
    """How far an agreeing title can be trusted: a title of one or two common
    words ("Editorial", "Book reviews") is shared by many different works,
    while a word that hardly any other record uses ("Outerjoins") counts double."""
    words = sum(2 if stats.df.get(t, 0) <= RARE_TOKEN_DF else 1 for t in set(f.tokens))
    return TITLE_SCALE[min(words, len(TITLE_SCALE) - 1)]


def _tf_penalty(k: int) -> float:
    return math.log2(k / TYPICAL_COPIES) if k > TYPICAL_COPIES else 0.0


@dataclass(frozen=True, slots=True)
class Adjustment:
    """How much an agreeing title or author list of one pair can be trusted.

    A value carried by ``k`` records (``"Editor's notes"`` in every issue, a
    prolific author) is ``k / 2`` times as likely to agree by chance as one
    carried by a record and its copy: ``log2(k / 2)`` bits come off, a
    term-frequency adjustment as in Fellegi-Sunter.  Titles of one or two
    words, and author lists of one or two names, say less to begin with.
    """

    title_scale: float = 1.0
    title_penalty: float = 0.0
    author_scale: float = 1.0
    author_penalty: float = 0.0


def adjustment(a: Features, b: Features, stats: TokenStats,
               scales: tuple[float, float] | None = None) -> Adjustment:
    """The adjustment of one pair; ``scales`` passes the two records'
    :func:`title_scale` when the caller has them already."""
    k_title = max(stats.title_counts.get(a.title, 1), stats.title_counts.get(b.title, 1))
    short = min((a.authors, b.authors), key=lambda x: (len(x), x))
    k_author = min((stats.author_counts.get(x, 1) for x in short), default=1)
    return Adjustment(
        title_scale=min(scales or (title_scale(a, stats), title_scale(b, stats))),
        title_penalty=_tf_penalty(k_title),
        author_scale=AUTHOR_SCALE[min(len(short), len(AUTHOR_SCALE) - 1)],
        author_penalty=_tf_penalty(k_author),
    )


def _adjust(ev: FieldEvidence, scale: float, penalty: float) -> FieldEvidence:
    if ev.weight <= 0 or (scale >= 1.0 and penalty <= 0):
        return ev
    weight = max(0.0, ev.weight * scale - penalty)
    return FieldEvidence(ev.field, ev.level + " (common value)", ev.similarity, round(weight, 3))


def score_pair(a: Features, b: Features, settings: Settings,
               adj: Adjustment = Adjustment()) -> tuple[float, tuple[FieldEvidence, ...]]:
    """Match probability of two records and the per-field evidence.

    ``adj`` (from :func:`adjustment`) lowers the weight of agreeing titles and
    author lists that say little."""
    evidence: list[FieldEvidence] = []
    for comp in COMPARISONS:
        ev = comp.compare(a, b)
        if comp.field == "title":
            ev = _adjust(ev, adj.title_scale, adj.title_penalty)
        elif comp.field == "authors":
            ev = _adjust(ev, adj.author_scale, adj.author_penalty)
        evidence.append(ev)
    evidence.extend(identifier_evidence(a, b))
    total = settings.prior + sum(e.weight for e in evidence)
    return probability(total), tuple(evidence)


def probability(log2_odds: float) -> float:
    if log2_odds > 60:
        return 1.0
    if log2_odds < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-log2_odds))


def score_pairs(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                stats: TokenStats, settings: Settings) -> list[ScoredPair]:
    """Score every candidate pair; the result is in the order of ``pairs``."""
    out: list[ScoredPair] = []
    scales: dict[int, float] = {}  # title_scale per record, computed once
    for a, b in pairs:
        fa, fb = features[a], features[b]
        for i, f in ((a, fa), (b, fb)):
            if i not in scales:
                scales[i] = title_scale(f, stats)
        adj = adjustment(fa, fb, stats, (scales[a], scales[b]))
        score, evidence = score_pair(fa, fb, settings, adj)
        out.append(ScoredPair(a, b, round(score, 6), evidence))
    return out

