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
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from .features import Features, TokenStats, author_frequency
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
    present: Callable[[Features], object] | None = None
    """Whether a record has what the comparison needs; ``similarity`` is
    ``None`` unless both records have it (lets bulk comparison skip pairs)."""

    def level_of(self, a: Features, b: Features) -> tuple[int, float | None]:
        """The index of the level that applies (-1: a side lacks the field)
        and the similarity."""
        sim = self.similarity(a, b)
        if sim is None:
            return -1, None
        for k, level in enumerate(self.levels):
            if sim >= level.min_similarity:
                return k, sim
        raise AssertionError(f"{self.field}: no level for similarity {sim}")

    def evidence(self, k: int, sim: float | None,
                 weights: Sequence[float] | None = None) -> FieldEvidence:
        """The evidence of level ``k`` (weights default to the hand-set ones)."""
        if k < 0:
            return FieldEvidence(self.field, "missing", None, 0.0)
        weight = weights[k] if weights is not None else self.levels[k].weight
        return FieldEvidence(self.field, self.levels[k].name,
                             None if sim is None else round(sim, 4), round(weight, 3))

    def compare(self, a: Features, b: Features) -> FieldEvidence:
        return self.evidence(*self.level_of(a, b))


# --- similarities ----------------------------------------------------------

# "Tutorial on", "SIGMOD challenges paper": longer openings are part of a
# title ("Glial membrane potential during spreading depression ...").
_MAX_LABEL_WORDS = 3


def title_similarity(a: Features, b: Features) -> float | None:
    if not a.title or not b.title:
        return None
    if a.title == b.title:
        return 1.0
    if a.title_core == b.title_core and sorted(a.tokens) == sorted(b.tokens):
        # the same bracketed words in another place: "DEVise (demo abstract): ..."
        # vs "DEVise: ... (Demo Abstract)"
        return 1.0
    sim = fuzz.ratio(a.title, b.title) / 100.0
    if a.title_core != a.title or b.title_core != b.title:
        # "Indexing multimedia databases (tutorial)" vs "Indexing multimedia databases"
        sim = max(sim, 0.98 if a.title_core == b.title_core
                  else fuzz.ratio(a.title_core, b.title_core) / 100.0)
    for x, y in ((a.title, b.title), (a.title_core, b.title_core)):
        short, long_ = sorted((x, y), key=len)
        # A subtitle, or a label of a few words before the title, on one side
        # only: "Title" vs "Title: a subtitle", "Storage technology: RAID and
        # beyond" vs "Tutorial on storage technology: RAID and beyond".
        if len(short) >= 20 and (
                long_.startswith(short + " ")
                or (long_.endswith(" " + short)
                    and long_.count(" ", 0, len(long_) - len(short)) <= _MAX_LABEL_WORDS)):
            sim = max(sim, 0.95)
            break
    # "... in Pediatric Patients" vs "... in Adult Patients"; not a bracketed
    # word: "Index research (panel session)" vs "Index Research (Panel Abstract)"
    if sim >= 0.8 and a.title_core != b.title_core and _substituted_word(a.tokens, b.tokens):
        joined = _spacing_similarity(a.title, b.title)
        sim = joined if joined >= 0.95 else 0.75
    return sim


def _spacing_similarity(x: str, y: str) -> float:
    """Similarity of two title keys with their spaces removed.

    Web-scraped and OCR'd titles run words together or split them
    ("Optimization ofqueries", "with out", "Datamodeling") and lose ligatures
    ("E ective" for "Effective", "ve-minute" for "five-minute"): words that
    differ only so are no substituted word."""
    return fuzz.ratio(x.replace(" ", ""), y.replace(" ", "")) / 100.0


_ROMAN_NUMERALS = frozenset({"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"})


def _substituted_word(x: Sequence[str], y: Sequence[str]) -> bool:
    """Whether each title has a word the other lacks and that is no spelling
    variant of one of the other's ("haemolytic"/"hemolytic" are variants,
    "pediatric"/"adult" a different study)."""
    # Numbers are the title-number comparison's business ("Part II" = "Part 2").
    only_x = {w for w in set(x) - set(y) if w.isalpha() and w not in _ROMAN_NUMERALS}
    only_y = {w for w in set(y) - set(x) if w.isalpha() and w not in _ROMAN_NUMERALS}
    if not only_x or not only_y:
        return False
    return (any(all(not _variant(w, v) for v in only_y) for w in only_x)
            and any(all(not _variant(v, w) for w in only_x) for v in only_y))


def _variant(w: str, v: str) -> bool:
    """A spelling variant, typo or shortening: "haemolytic"/"hemolytic",
    "nets"/"networks", "turst"/"trust" (two swapped letters are one slip)."""
    return w[:3] == v[:3] or OSA.normalized_similarity(w, v) >= 0.75


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
        if _run_together_initials(ix, iy):
            return 0.8
        return 0.3 if ix[0] == iy[0] else 0.0
    if len(fx) >= 4 and len(fy) >= 4 and (not ix or not iy or ix[0] == iy[0]):
        if Levenshtein.normalized_similarity(fx, fy) >= 0.75:
            return 0.8
    return 0.0


def _run_together_initials(x: str, y: str) -> bool:
    """Web-scraped author lists: the initials of the authors before the last
    one run into the last one's ("DRA Mendelzon" for "D Rafiei, A Mendelzon",
    "ALN Roussopoulos"): three or more initials that end with the other's."""
    short, long_ = sorted((x, y), key=len)
    return len(long_) >= 3 and long_.endswith(short)


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


def _same_container(a: Features, b: Features) -> bool:
    """Both name the same journal: a shared ISSN, or one venue name extending
    the other ("Circulation" and "Circulation. Conference: ...", its
    supplement of conference abstracts)."""
    x, y = a.ids.get("issn"), b.ids.get("issn")
    if x and y and not x.isdisjoint(y):
        return True
    if len(a.venue) > len(b.venue):
        a, b = b, a
    short, long_ = a.venue, b.venue
    return (len(short) >= 4 and long_.startswith(short) and long_[len(short):len(short) + 1] == " "
            and (b.venue_kind == "proceedings"
                 or not _SUPPLEMENT_WORDS.isdisjoint(long_[len(short):].split())))


# Words that mark a journal's supplement of abstracts or proceedings when they
# follow its name ("Circulation. Conference: Resuscitation Science Symposium").
_SUPPLEMENT_WORDS = frozenset({"conference", "supplement", "suppl", "abstracts", "meeting",
                               "congress", "symposium", "proceedings"})


def _abbreviates(short: list[str], long_: list[str]) -> bool:
    """Each word of ``short`` starts a word of ``long_``, in order, and
    together they cover its first word: "j am coll cardiol" abbreviates
    "journal american college cardiology"."""
    j = 0
    for k, word in enumerate(short):
        while j < len(long_) and not long_[j].startswith(word):
            if k == 0:
                return False
            j += 1
        if j == len(long_):
            return False
        j += 1
    return True


def _acronym(short: list[str], long_: list[str]) -> bool:
    """``short`` is one word of three letters or more made of the initials of
    the words of ``long_``: "vldb" for "very large data bases"."""
    return (len(short) == 1 and len(short[0]) >= 3 and len(long_) == len(short[0])
            and short[0] == "".join(w[0] for w in long_))


def venue_similarity(a: Features, b: Features) -> float | None:
    """1 the same venue (or a shared ISSN), 0.8 one name abbreviates the
    other, else their token-set similarity (at least 0.1), or 0 when the
    volume or first page they both carry differs too.

    That 0 is an interaction the independent levels cannot express: a venue
    name that differs is mostly a spelling of the same journal, and a volume
    that differs mostly a typo, but a different venue *and* a different place
    is another publication of the same title and authors (a conference
    abstract and the article, a talk given at two meetings)."""
    if not a.venue or not b.venue:
        return None
    if _same_container(a, b):
        return 1.0
    if venue_kind_similarity(a, b) == 0.0:
        sim = 0.0  # "VLDB" and "VLDB J." share a name but not a venue
    else:
        sim = fuzz.token_set_ratio(a.venue, b.venue) / 100.0
        if sim < 0.8:
            x, y = sorted((a.venue.split(), b.venue.split()), key=len)
            if _abbreviates(x, y) or _abbreviates(y, x) or _acronym(x, y):
                return 0.8
    if sim < 0.8 and (a.venue_truncated or b.venue_truncated):
        return None  # a name cut short is no evidence that the venues differ
    if sim < 0.8:
        place = place_similarity(a, b)
        if place is not None and place <= 0.3:
            return 0.0
        return max(sim, 0.1)
    return sim


def venue_kind_similarity(a: Features, b: Features) -> float | None:
    """0 for a journal article against a proceedings paper (or an unmarked
    venue in another year): a conference paper and its journal extension are
    different works.  A preprint agrees with any kind."""
    if not a.venue or not b.venue or "preprint" in (a.venue_kind, b.venue_kind):
        return None
    if _same_container(a, b):
        return 1.0
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


def place_similarity(a: Features, b: Features) -> float | None:
    """Volume and first page together: 1 both agree, 0.8 the one both have
    agrees, 0.5 one agrees and one differs, 0.3 the one both have differs,
    0.1 both differ (0 in the same journal and year).  Both differing is what
    tells a conference abstract from the full article of the same title and
    authors, or a reprint from its original."""
    known = [s for s in (volume_similarity(a, b), page_similarity(a, b)) if s is not None]
    if not known:
        return None
    agree = sum(1 for s in known if s == 1.0)
    if agree == len(known):
        return 1.0 if len(known) == 2 else 0.8
    if agree:
        return 0.5
    if len(known) == 1:
        return 0.3
    # A journal does not print one article twice in a year.
    same_issue_year = (a.year is not None and a.year == b.year and bool(a.venue)
                       and (a.venue == b.venue or _same_container(a, b)))
    return 0.0 if same_issue_year else 0.1


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
    Comparison("title", title_similarity, present=lambda f: f.title, levels=(
        Level("exact", 0.999, 10.0), Level("near", 0.95, 8.0), Level("close", 0.9, 5.0),
        Level("similar", 0.8, 1.0), Level("a word differs", 0.75, -3.0),
        Level("different", 0.6, -4.0), Level("unrelated", 0.0, -8.0),
    )),
    Comparison("title numbers", title_number_similarity, present=lambda f: f.numbers, levels=(
        Level("same", 1.0, 0.0), Level("different", 0.0, -8.0),
    )),
    Comparison("authors", author_similarity, present=lambda f: f.authors, levels=(
        Level("all", 0.95, 6.0), Level("most", 0.75, 4.0), Level("half", 0.5, 1.0),
        Level("few", 0.25, -3.0), Level("none", 0.0, -7.0),
    )),
    Comparison("year", year_similarity, present=lambda f: f.year is not None, levels=(
        Level("exact", 1.0, 1.5), Level("off by one", 0.5, -2.0),
        Level("2-3 years apart", 0.25, -4.0), Level("far apart", 0.0, -9.0),
    )),
    Comparison("venue", venue_similarity, present=lambda f: f.venue, levels=(
        Level("same", 0.9, 1.5), Level("abbreviated", 0.8, 1.0), Level("different", 0.1, -1.0),
        Level("different, and so is the volume or page", 0.0, -6.0),
    )),
    Comparison("venue kind", venue_kind_similarity, present=lambda f: f.venue, levels=(
        Level("same", 1.0, 0.0), Level("journal vs proceedings", 0.0, -8.0),
    )),
    Comparison("volume and pages", place_similarity,
               present=lambda f: f.volume or f.first_page, levels=(
        Level("both same", 1.0, 4.0), Level("same, other missing", 0.8, 2.0),
        Level("one differs", 0.5, -2.0), Level("differs, other missing", 0.3, -3.5),
        Level("both differ", 0.1, -10.0), Level("both differ, same journal and year", 0.0, -16.0),
    )),
    Comparison("notice", notice_similarity, (
        Level("same kind", 1.0, 0.0), Level("notice vs paper", 0.0, -15.0),
    )),
)

# How many records are expected to carry one work's title or author (a record
# and a copy); values carried by more records get a term-frequency penalty.
TYPICAL_COPIES = 2
# Scale of positive author weights by the length of the shorter author list.
AUTHOR_SCALE = (1.0, 0.5, 0.8, 1.0)
# A title word carried by at most this many records is rare (counts double).
RARE_TOKEN_DF = 3
# Scale of positive title weights by the title's number of significant words.
TITLE_SCALE = (0.3, 0.3, 0.5, 0.75, 1.0)


def same_citation(a: Features, b: Features) -> bool:
    """The same printed article: the same journal (or its abbreviation),
    volume and first page, and titles at least "near" alike."""
    if not (a.volume and a.first_page and a.volume == b.volume
            and a.first_page == b.first_page):
        return False
    venue = venue_similarity(a, b)
    if venue is None or venue < 0.8:
        return False
    title = title_similarity(a, b)
    return title is not None and title >= 0.95


def _doi_similarity(a: Features, b: Features) -> float | None:
    """1 a shared DOI; 0.75 a shared DOI on titles that are not alike (the
    DOI of a supplement or abstract collection given to each of its
    abstracts); 0.5 a preprint-server DOI (arXiv, bioRxiv, ...) against a
    publisher's: a preprint and its version of record, not a conflict; 0.25
    different DOIs on the same citation (an article that has two DOIs after
    a change of publisher, 10.1007/bf00796216 and 10.1007/s003950050052, or
    one export's wrong DOI); 0 different DOIs of the same kind."""
    x, y = a.ids.get("doi"), b.ids.get("doi")
    if not x or not y:
        return None
    if x & y:
        title = title_similarity(a, b)
        return 0.75 if title is not None and title < 0.8 else 1.0
    if all(map(is_preprint_doi, x)) != all(map(is_preprint_doi, y)):
        return 0.5
    return 0.25 if same_citation(a, b) else 0.0


def _scheme_similarity(scheme: str) -> Similarity:
    def similarity(a: Features, b: Features) -> float | None:
        x, y = a.ids.get(scheme), b.ids.get(scheme)
        if not x or not y:
            return None
        return 1.0 if x & y else 0.0
    similarity.__name__ = f"{scheme}_similarity"
    return similarity


def other_id_similarity(a: Features, b: Features) -> float | None:
    """Source-native ids (OpenAlex, DBLP keys, ...) both records carry: 1 if
    one of them agrees, 0 if all that both carry differ."""
    shared = [k for k in a.ids.keys() & b.ids.keys()
              if k not in CONTAINER_SCHEMES and k not in _MAIN_SCHEMES]
    if not shared:
        return None
    return 1.0 if any(a.ids[k] & b.ids[k] for k in shared) else 0.0


_MAIN_SCHEMES = ("doi", "arxiv", "pmid", "pmcid")


def _has_scheme(scheme: str) -> Callable[[Features], bool]:
    return lambda f: scheme in f.ids


def _has_other_id(f: Features) -> bool:
    return any(k not in CONTAINER_SCHEMES and k not in _MAIN_SCHEMES for k in f.ids)
# Identifier agreement and conflict: a shared identifier all but settles a
# pair; a conflict all but rules it out (see the hard constraints in
# :mod:`resolve.constraints`).  Container ids (ISSN, ISBN) are never compared.
ID_COMPARISONS: tuple[Comparison, ...] = (
    Comparison("doi", _doi_similarity, present=lambda f: "doi" in f.ids, levels=(
        Level("same", 1.0, 14.0), Level("same, titles differ", 0.75, 3.0),
        Level("preprint vs published", 0.5, 0.0), Level("differ, same citation", 0.25, 0.0),
        Level("conflict", 0.0, -12.0),
    )),
    *(Comparison(scheme, _scheme_similarity(scheme), present=_has_scheme(scheme), levels=(
        Level("same", 1.0, 14.0), Level("conflict", 0.0, -12.0),
    )) for scheme in _MAIN_SCHEMES[1:]),
    Comparison("other identifiers", other_id_similarity, present=_has_other_id, levels=(
        Level("same", 1.0, 14.0), Level("conflict", 0.0, -6.0),
    )),
)
ALL_COMPARISONS: tuple[Comparison, ...] = COMPARISONS + ID_COMPARISONS


def identifier_evidence(a: Features, b: Features) -> list[FieldEvidence]:
    """The evidence of the identifiers both records carry (hand-set weights)."""
    out = []
    for comp in ID_COMPARISONS:
        k, sim = comp.level_of(a, b)
        if k >= 0:
            out.append(comp.evidence(k, sim))
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
    k_author = author_frequency(min((a, b), key=lambda f: (len(f.authors), f.authors)), stats)
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


@dataclass(frozen=True)
class Model:
    """The weight of every level of every comparison, and the prior.

    ``weights[k][l]`` is the log2 Bayes factor of level ``l`` of
    ``ALL_COMPARISONS[k]``; ``prior`` the log2 prior odds of a match.  The
    hand-set model (:meth:`hand_set`) is where estimation starts and what it
    is shrunk towards (see :mod:`resolve.estimate`)."""

    weights: tuple[tuple[float, ...], ...]
    prior: float

    @classmethod
    def hand_set(cls, settings: Settings) -> Model:
        return cls(tuple(tuple(lv.weight for lv in c.levels) for c in ALL_COMPARISONS),
                   settings.prior)

    def as_dict(self) -> dict:
        return {"prior": round(self.prior, 3), "weights": {
            c.field: {lv.name: round(w, 3) for lv, w in zip(c.levels, ws, strict=True)}
            for c, ws in zip(ALL_COMPARISONS, self.weights, strict=True)}}


_TITLE = next(k for k, c in enumerate(ALL_COMPARISONS) if c.field == "title")
_AUTHORS = next(k for k, c in enumerate(ALL_COMPARISONS) if c.field == "authors")
_FIELDS = len(COMPARISONS)


def compare_pair(a: Features, b: Features) -> list[tuple[int, float | None]]:
    """The level (and similarity) of every comparison for one pair."""
    return [c.level_of(a, b) for c in ALL_COMPARISONS]


PairEvidence = Callable[[int, int], FieldEvidence | None]
"""Evidence about a pair beyond its two records' fields (record positions in),
e.g. that it links two sources declared free of duplicates."""


def _score(levels: Sequence[tuple[int, float | None]], model: Model,
           adj: Adjustment, extra: FieldEvidence | None = None
           ) -> tuple[float, tuple[FieldEvidence, ...]]:
    evidence: list[FieldEvidence] = []
    for k, (level, sim) in enumerate(levels):
        if level < 0 and k >= _FIELDS:
            continue  # identifiers are evidence only when both records carry one
        ev = ALL_COMPARISONS[k].evidence(level, sim, model.weights[k])
        if k == _TITLE:
            ev = _adjust(ev, adj.title_scale, adj.title_penalty)
        elif k == _AUTHORS:
            ev = _adjust(ev, adj.author_scale, adj.author_penalty)
        evidence.append(ev)
    if extra is not None:
        evidence.append(extra)
    total = model.prior + sum(e.weight for e in evidence)
    return probability(total), tuple(evidence)


def score_pair(a: Features, b: Features, settings: Settings,
               adj: Adjustment = Adjustment(),
               model: Model | None = None) -> tuple[float, tuple[FieldEvidence, ...]]:
    """Match probability of two records and the per-field evidence.

    ``adj`` (from :func:`adjustment`) lowers the weight of agreeing titles and
    author lists that say little; ``model`` defaults to the hand-set weights."""
    return _score(compare_pair(a, b), model or Model.hand_set(settings), adj)


def probability(log2_odds: float) -> float:
    if log2_odds > 60:
        return 1.0
    if log2_odds < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-log2_odds))


def log2_odds(p: float) -> float:
    """The inverse of :func:`probability`, kept finite at 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log2(p / (1 - p))


def compare_pairs(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                  jobs: int = 1) -> np.ndarray:
    """The level of every comparison for every pair: ``levels[p, k]`` is the
    level index of ``ALL_COMPARISONS[k]`` for ``pairs[p]`` (-1: a side lacks
    the field), one byte each.  The similarities themselves are needed only
    for the few pairs whose evidence is shown (:meth:`PairScorer.explain`).

    One comparison at a time over all pairs, skipping the pairs in which a
    record lacks what it needs; with ``jobs`` > 1 a large batch is split
    over that many forked processes (the result is the same)."""
    if jobs > 1 and len(pairs) >= _PARALLEL_MIN_PAIRS:
        return _compare_in_processes(features, pairs, jobs)
    a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    levels = np.full((len(pairs), len(ALL_COMPARISONS)), -1, dtype=np.int8)
    involved = np.unique(np.concatenate([a, b])) if len(pairs) else a
    for k, comp in enumerate(ALL_COMPARISONS):
        rows = np.arange(len(pairs))
        if comp.present is not None and len(pairs):
            has = np.zeros(len(features), dtype=bool)
            has[involved] = [bool(comp.present(features[i])) for i in involved.tolist()]
            rows = np.flatnonzero(has[a] & has[b])
        levels[rows, k] = _levels(comp, features, a[rows].tolist(), b[rows].tolist())
    return levels


def _levels(comp: Comparison, features: Sequence[Features], a: list[int], b: list[int]
            ) -> list[int]:
    similarity = comp.similarity
    bounds = [lv.min_similarity for lv in comp.levels]

    def level(sim: float | None) -> int:
        if sim is None:
            return -1
        for j, bound in enumerate(bounds):
            if sim >= bound:
                return j
        raise AssertionError(f"{comp.field}: no level for similarity {sim}")

    return [level(similarity(features[x], features[y])) for x, y in zip(a, b, strict=True)]


# Below this many pairs, starting processes costs more than it saves.
_PARALLEL_MIN_PAIRS = 20_000
_SHARED: Sequence[Features] = ()  # the features forked workers compare


def _compare_chunk(chunk: list[tuple[int, int]]) -> np.ndarray:
    return compare_pairs(_SHARED, chunk)


def _compare_in_processes(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                          jobs: int) -> np.ndarray:
    """:func:`compare_pairs` over chunks in forked processes, which inherit
    the features instead of receiving them pickled."""
    global _SHARED
    size = -(-len(pairs) // (jobs * 4))
    chunks = [list(pairs[i:i + size]) for i in range(0, len(pairs), size)]
    _SHARED = features
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_compare_chunk, chunks)
    finally:
        _SHARED = ()
    return np.concatenate(parts)


@dataclass(frozen=True)
class PairScorer:
    """Scores pairs in bulk from their comparison levels, and explains any
    one pair with the same weights and adjustments (its :class:`Explainer`)."""

    features: Sequence[Features]
    stats: TokenStats
    model: Model
    extra: PairEvidence | None = None

    def explain(self, a: int, b: int) -> tuple[FieldEvidence, ...]:
        fa, fb = self.features[a], self.features[b]
        return _score(compare_pair(fa, fb), self.model, adjustment(fa, fb, self.stats),
                      self.extra(a, b) if self.extra else None)[1]

    def score(self, pairs: Sequence[tuple[int, int]], levels: np.ndarray) -> list[ScoredPair]:
        """Score pairs whose levels :func:`compare_pairs` computed: the same
        sum as :func:`_score` (weights rounded to 3 places, title and author
        weights adjusted), over arrays."""
        n = len(pairs)
        a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=n)
        b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=n)
        t_scale, t_penalty, n_authors, a_penalty = self._record_arrays
        total = np.zeros(n, dtype=np.float64)  # summed in _score's order
        for k, weights in enumerate(self.model.weights):
            table = np.array([round(w, 3) for w in weights] + [0.0])  # index -1: missing
            w = table[levels[:, k]]
            if k == _TITLE:
                w = _adjusted(w, np.minimum(t_scale[a], t_scale[b]),
                              np.maximum(t_penalty[a], t_penalty[b]))
            elif k == _AUTHORS:
                short = self._shorter_authors(a, b, n_authors)
                scale = np.asarray(AUTHOR_SCALE)[np.minimum(n_authors[short],
                                                            len(AUTHOR_SCALE) - 1)]
                w = _adjusted(w, scale, a_penalty[short])
            total += w
        if self.extra is not None:
            total += [ev.weight if (ev := self.extra(x, y)) else 0.0 for x, y in pairs]
        total = self.model.prior + total
        with np.errstate(over="ignore"):
            prob = np.where(total > 60, 1.0, np.where(
                total < -60, 0.0, 1.0 / (1.0 + np.power(2.0, -np.clip(total, -60, 60)))))
        return [ScoredPair(x, y, round(score, 6), self)
                for (x, y), score in zip(pairs, prob.tolist(), strict=True)]

    def score_pairs(self, pairs: Sequence[tuple[int, int]], jobs: int = 1) -> list[ScoredPair]:
        return self.score(pairs, compare_pairs(self.features, pairs, jobs))

    @cached_property
    def _record_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per record: title scale, title and author term-frequency penalties
        (see :func:`adjustment`), and the number of authors."""
        stats = self.stats
        t_scale = np.array([title_scale(f, stats) for f in self.features])
        t_penalty = np.array([_tf_penalty(stats.title_counts.get(f.title, 1))
                              for f in self.features])
        n_authors = np.array([len(f.authors) for f in self.features], dtype=np.int64)
        a_penalty = np.array([_tf_penalty(author_frequency(f, stats)) for f in self.features])
        return t_scale, t_penalty, n_authors, a_penalty

    def _shorter_authors(self, a: np.ndarray, b: np.ndarray, n_authors: np.ndarray) -> np.ndarray:
        """The record of each pair with the shorter author list (ties broken
        by content, as :func:`adjustment` does)."""
        short = np.where(n_authors[b] < n_authors[a], b, a)
        for p in np.flatnonzero(n_authors[a] == n_authors[b]).tolist():
            x, y = int(a[p]), int(b[p])
            if self.features[y].authors < self.features[x].authors:
                short[p] = y
        return short


def _adjusted(weights: np.ndarray, scale: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """:func:`_adjust` over arrays: positive weights scaled and penalised."""
    change = (weights > 0) & ~((scale >= 1.0) & (penalty <= 0))
    if change.any():
        weights = weights.copy()
        new = np.maximum(0.0, weights[change] * scale[change] - penalty[change])
        weights[change] = [round(x, 3) for x in new.tolist()]
    return weights


def score_pairs(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                stats: TokenStats, settings: Settings, model: Model | None = None,
                extra: PairEvidence | None = None) -> list[ScoredPair]:
    """Score every candidate pair; the result is in the order of ``pairs``."""
    return PairScorer(features, stats, model or Model.hand_set(settings), extra).score_pairs(pairs)
