"""The comparison table: each field compared into one of its named levels.

A :class:`Comparison` has ordered :class:`Level` s, each with a name and a
weight, the log2 Bayes factor of that much agreement (as in Fellegi-Sunter;
hand-set here, estimated from the data by :mod:`resolve.estimate`).  Its
``compare`` function answers for a pair of records with

- ``None``: a side lacks what the comparison needs (no evidence);
- a level's **name**, for comparisons that decide by rules (years one apart,
  volume and page both differing, a DOI shared on unlike titles);
- a **similarity** in [0, 1], for comparisons of a degree of likeness
  (titles, author lists, venue names): the first level whose ``at_least``
  it reaches applies.

A named level's ``shows`` is the similarity written beside it in the
evidence graph (``kgr:similarity``), so that every level of a comparison
reads on one scale; a banded level shows the similarity itself.

Adding a comparison: a function here, a row in :data:`COMPARISONS` (or
:data:`ID_COMPARISONS`), hand-set weights, and a test of each level (see
docs/contributing.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from .features import Features
from .similarity import (
    abbreviates,
    acronym,
    author_similarity,
    same_container,
    title_match,
    title_similarity,
    venue_name_similarity,
)
from .types import CONTAINER_SCHEMES, FieldEvidence, is_preprint_doi

Outcome = str | float | None
"""What a comparison says of a pair: a level name, a similarity, or None."""


@dataclass(frozen=True)
class Level:
    """One level of a comparison: its name, its hand-set weight, and either
    the similarity from which it applies (``at_least``) or, for a level that
    a rule names, the similarity it shows (``shows``)."""

    name: str
    weight: float
    at_least: float | None = None
    shows: float | None = None
    free: bool = False
    """Whether estimation may give it either sign although a rule names it
    (a level whose direction no rule knows)."""


@dataclass(frozen=True)
class Comparison:
    """One field: how to compare it and what each level is worth.

    ``present`` says whether a record has what the comparison needs; pairs
    where a side lacks it are not compared at all (bulk comparison skips
    them)."""

    field: str
    compare: Callable[[Features, Features], Outcome]
    levels: tuple[Level, ...]
    present: Callable[[Features], object] | None = None
    _index: dict[str, int] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {lv.name: k for k, lv in enumerate(self.levels)})

    def index(self, name: str) -> int:
        """The position of the level called ``name``."""
        return self._index[name]

    def level_index(self, outcome: Outcome) -> int:
        """The level an outcome of ``compare`` falls in (-1: no evidence)."""
        if outcome is None:
            return -1
        if isinstance(outcome, str):
            return self._index[outcome]
        for k, level in enumerate(self.levels):
            if level.at_least is not None and outcome >= level.at_least:
                return k
        raise AssertionError(f"{self.field}: no level for similarity {outcome}")

    def level_of(self, a: Features, b: Features) -> tuple[int, float | None]:
        """The index of the level that applies (-1: a side lacks the field)
        and the similarity it shows."""
        outcome = self.compare(a, b)
        k = self.level_index(outcome)
        if k < 0:
            return -1, None
        return k, self.levels[k].shows if isinstance(outcome, str) else outcome

    def evidence(self, k: int, sim: float | None, weight: float | None = None,
                 suffix: str = "") -> FieldEvidence:
        """The evidence of level ``k`` (``weight`` defaults to the hand-set one)."""
        if k < 0:
            return FieldEvidence(self.field, "missing", None, 0.0)
        weight = self.levels[k].weight if weight is None else weight
        return FieldEvidence(self.field, self.levels[k].name + suffix,
                             None if sim is None else round(sim, 4), round(weight, 3))

    def compare_evidence(self, a: Features, b: Features) -> FieldEvidence:
        """The evidence of one pair, with hand-set weights."""
        return self.evidence(*self.level_of(a, b))


# --- the field comparisons --------------------------------------------------

def title_level(a: Features, b: Features) -> Outcome:
    """The titles' similarity, or "a word differs" when each has a word the
    other lacks that is no spelling variant (a different study of the same
    design: "... in Pediatric Patients" vs "... in Adult Patients")."""
    match = title_match(a, b)
    if match is None:
        return None
    sim, substituted = match
    return "a word differs" if substituted else sim


def title_number_level(a: Features, b: Features) -> Outcome:
    """"different" when both titles carry numbers and they differ ("Part I"
    vs "Part II", "... in 2019" vs "... in 2020"); no evidence otherwise."""
    if not a.numbers or not b.numbers:
        return None
    return "same" if a.numbers == b.numbers else "different"


def year_level(a: Features, b: Features) -> Outcome:
    if a.year is None or b.year is None:
        return None
    d = abs(a.year - b.year)
    return ("exact" if d == 0 else "off by one" if d == 1 else "2-3 years apart" if d <= 3
            else "far apart")


def venue_kind_level(a: Features, b: Features) -> Outcome:
    """"journal vs proceedings" for a journal article against a proceedings
    paper (or an unmarked venue in another year): a conference paper and its
    journal extension are different works.  A preprint agrees with any kind."""
    if not a.venue or not b.venue or "preprint" in (a.venue_kind, b.venue_kind):
        return None
    if same_container(a, b):
        return "same"
    if a.venue_kind and b.venue_kind:
        return "same" if a.venue_kind == b.venue_kind else "journal vs proceedings"
    if (a.year is not None and b.year is not None and a.year != b.year
            and (a.venue_kind == "journal") != (b.venue_kind == "journal")):
        return "journal vs proceedings"
    return None


def pages_agree(a: Features, b: Features) -> bool | None:
    """Whether the first pages agree (None: a side has none)."""
    if not a.first_page or not b.first_page:
        return None
    return a.first_page == b.first_page


def volumes_agree(a: Features, b: Features) -> bool | None:
    """Whether the volumes agree (None: a side has none)."""
    if not a.volume or not b.volume:
        return None
    return a.volume == b.volume


def place_level(a: Features, b: Features) -> Outcome:
    """Volume and first page together.  Both differing is what tells a
    conference abstract from the full article of the same title and authors,
    or a reprint from its original; in the same journal and year it rules the
    pair out (a journal does not print one article twice in a year).  So do
    first pages far apart in one volume of one journal: a column with the
    same title and authors in every issue ("Gateways to clinical trials"),
    or an article and its erratum."""
    known = [s for s in (volumes_agree(a, b), pages_agree(a, b)) if s is not None]
    if not known:
        return None
    agree = sum(known)
    if agree == len(known):
        return "both same" if len(known) == 2 else "same, other missing"
    if agree:
        if volumes_agree(a, b) and _same_journal(a, b) and _pages_far_apart(a, b):
            return "pages differ in one volume of one journal"
        return "one differs"
    if len(known) == 1:
        return "differs, other missing"
    same_issue_year = a.year is not None and a.year == b.year and _same_journal(a, b)
    return "both differ, same journal and year" if same_issue_year else "both differ"


# First pages in one volume further apart than a misprint or an abstract's
# page in another listing of the same issue ("51" vs "52").
_PAGES_APART = 10


def _pages_far_apart(a: Features, b: Features) -> bool:
    """Both first pages plain numbers, more than :data:`_PAGES_APART` apart
    (supplement pages "S3" / "S78" and "Suppl" are left alone: their
    numbering is not one sequence)."""
    x, y = a.first_page, b.first_page
    return x.isdigit() and y.isdigit() and abs(int(x) - int(y)) > _PAGES_APART


def _same_journal(a: Features, b: Features) -> bool:
    return bool(a.venue) and (a.venue == b.venue or same_container(a, b))


# Place levels where what both records carry differs.
_PLACE_DIFFERS = frozenset({"differs, other missing", "both differ",
                            "pages differ in one volume of one journal",
                            "both differ, same journal and year"})

# The lowest similarity of the venue comparison's "different" band.
_VENUE_DIFFERENT = 0.1


def venue_level(a: Features, b: Features) -> Outcome:
    """"same" for the same container (a shared ISSN, a journal and its
    supplement), "abbreviated" when one name abbreviates the other, else the
    names' token-set similarity (at least 0.1, the floor of "different").

    "different, and so is the volume or page" is an interaction the
    independent levels cannot express: a venue name that differs is mostly a
    spelling of the same journal, and a volume that differs mostly a typo, but
    a different venue *and* a different place is another publication of the
    same title and authors (a conference abstract and the article, a talk
    given at two meetings)."""
    if not a.venue or not b.venue:
        return None
    if same_container(a, b):
        return "same"
    if venue_kind_level(a, b) == "journal vs proceedings":
        sim = 0.0  # "VLDB" and "VLDB J." share a name but not a venue
    else:
        sim = venue_name_similarity(a, b)
        if sim < 0.8:
            x, y = sorted((a.venue.split(), b.venue.split()), key=len)
            if abbreviates(x, y) or abbreviates(y, x) or acronym(x, y):
                return "abbreviated"
    if sim < 0.8 and (a.venue_truncated or b.venue_truncated):
        return None  # web-scraped: a name cut short ("Proc. of the ...") is no evidence
    if sim < 0.8:
        if place_level(a, b) in _PLACE_DIFFERS:
            return "different, and so is the volume or page"
        return max(sim, _VENUE_DIFFERENT)
    return sim


def same_citation(a: Features, b: Features) -> bool:
    """The same printed article: the same journal (or its abbreviation),
    volume and first page, and titles at least "near" alike."""
    if not (a.volume and a.first_page and a.volume == b.volume
            and a.first_page == b.first_page):
        return False
    venue = venue_level(a, b)
    if not (venue in ("same", "abbreviated") or (isinstance(venue, float) and venue >= 0.8)):
        return False
    title = title_similarity(a, b)
    return title is not None and title >= 0.95


def notice_level(a: Features, b: Features) -> Outcome:
    """"notice vs paper" when one title is an erratum/comment/reply and the
    other is not."""
    if not a.notice and not b.notice:
        return None
    return "same kind" if a.notice == b.notice else "notice vs paper"


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("title", title_level, present=lambda f: f.title, levels=(
        Level("exact", 10.0, 0.999), Level("near", 8.0, 0.95), Level("close", 5.0, 0.9),
        Level("similar", 1.0, 0.8),
        # a substituted word, and any title between "different" and "similar"
        Level("a word differs", -3.0, 0.75, shows=0.75),
        Level("different", -4.0, 0.6), Level("unrelated", -8.0, 0.0),
    )),
    Comparison("title numbers", title_number_level, present=lambda f: f.numbers, levels=(
        Level("same", 0.0, shows=1.0), Level("different", -8.0, shows=0.0),
    )),
    Comparison("authors", author_similarity, present=lambda f: f.authors, levels=(
        Level("all", 6.0, 0.95), Level("most", 4.0, 0.75), Level("half", 1.0, 0.5),
        Level("few", -3.0, 0.25), Level("none", -7.0, 0.0),
    )),
    Comparison("year", year_level, present=lambda f: f.year is not None, levels=(
        Level("exact", 1.5, shows=1.0), Level("off by one", -2.0, shows=0.5),
        Level("2-3 years apart", -4.0, shows=0.25), Level("far apart", -9.0, shows=0.0),
    )),
    Comparison("venue", venue_level, present=lambda f: f.venue, levels=(
        Level("same", 1.5, 0.9, shows=1.0), Level("abbreviated", 1.0, 0.8, shows=0.8),
        Level("different", -1.0, _VENUE_DIFFERENT),
        Level("different, and so is the volume or page", -6.0, shows=0.0),
        # two names that other confident pairs show to be one venue (resolve.venues)
        Level("a name the data pairs with the other", 0.0, shows=0.5, free=True),
    )),
    Comparison("venue kind", venue_kind_level, present=lambda f: f.venue, levels=(
        Level("same", 0.0, shows=1.0), Level("journal vs proceedings", -8.0, shows=0.0),
    )),
    Comparison("volume and pages", place_level,
               present=lambda f: f.volume or f.first_page, levels=(
        Level("both same", 4.0, shows=1.0), Level("same, other missing", 2.0, shows=0.8),
        Level("one differs", -2.0, shows=0.5), Level("differs, other missing", -3.5, shows=0.3),
        Level("pages differ in one volume of one journal", -8.0, shows=0.2),
        Level("both differ", -10.0, shows=0.1),
        Level("both differ, same journal and year", -16.0, shows=0.0),
    )),
    Comparison("notice", notice_level, (
        Level("same kind", 0.0, shows=1.0), Level("notice vs paper", -15.0, shows=0.0),
    )),
)


# --- identifiers -------------------------------------------------------------

_MAIN_SCHEMES = ("doi", "arxiv", "pmid", "pmcid")


def doi_level(a: Features, b: Features) -> Outcome:
    """A shared DOI; a shared DOI on titles that are not alike (the DOI of a
    supplement or abstract collection given to each of its abstracts); a
    preprint-server DOI (arXiv, bioRxiv, ...) against a publisher's (a
    preprint and its version of record, not a conflict); different DOIs on
    the same citation (an article that has two DOIs after a change of
    publisher, 10.1007/bf00796216 and 10.1007/s003950050052, or one export's
    wrong DOI); different DOIs of the same kind: a conflict."""
    x, y = a.ids.get("doi"), b.ids.get("doi")
    if not x or not y:
        return None
    if x & y:
        title = title_similarity(a, b)
        return "same, titles differ" if title is not None and title < 0.8 else "same"
    if all(map(is_preprint_doi, x)) != all(map(is_preprint_doi, y)):
        return "preprint vs published"
    return "differ, same citation" if same_citation(a, b) else "conflict"


def _scheme_level(scheme: str) -> Callable[[Features, Features], Outcome]:
    def level(a: Features, b: Features) -> Outcome:
        x, y = a.ids.get(scheme), b.ids.get(scheme)
        if not x or not y:
            return None
        return "same" if x & y else "conflict"
    level.__name__ = f"{scheme}_level"
    return level


def other_id_level(a: Features, b: Features) -> Outcome:
    """Source-native ids (OpenAlex, DBLP keys, ...) both records carry: "same"
    if one of them agrees, "conflict" if all that both carry differ."""
    shared = [k for k in a.ids.keys() & b.ids.keys()
              if k not in CONTAINER_SCHEMES and k not in _MAIN_SCHEMES]
    if not shared:
        return None
    return "same" if any(a.ids[k] & b.ids[k] for k in shared) else "conflict"


def _has_scheme(scheme: str) -> Callable[[Features], bool]:
    return lambda f: scheme in f.ids


def _has_other_id(f: Features) -> bool:
    return any(k not in CONTAINER_SCHEMES and k not in _MAIN_SCHEMES for k in f.ids)


# Identifier agreement and conflict: a shared identifier all but settles a
# pair; a conflict all but rules it out (see the hard constraints in
# :mod:`resolve.constraints`).  Container ids (ISSN, ISBN) are never compared.
ID_COMPARISONS: tuple[Comparison, ...] = (
    Comparison("doi", doi_level, present=lambda f: "doi" in f.ids, levels=(
        Level("same", 14.0, shows=1.0), Level("same, titles differ", 3.0, shows=0.75),
        Level("preprint vs published", 0.0, shows=0.5),
        Level("differ, same citation", 0.0, shows=0.25), Level("conflict", -12.0, shows=0.0),
    )),
    *(Comparison(scheme, _scheme_level(scheme), present=_has_scheme(scheme), levels=(
        Level("same", 14.0, shows=1.0), Level("conflict", -12.0, shows=0.0),
    )) for scheme in _MAIN_SCHEMES[1:]),
    Comparison("other identifiers", other_id_level, present=_has_other_id, levels=(
        Level("same", 14.0, shows=1.0), Level("conflict", -6.0, shows=0.0),
    )),
)
ALL_COMPARISONS: tuple[Comparison, ...] = COMPARISONS + ID_COMPARISONS
FIELD_COUNT = len(COMPARISONS)
"""Comparisons before this index are fields (a missing one is shown as such);
after it, identifiers (evidence only when both records carry one)."""


def comparison_index(name: str) -> int:
    """The position of the comparison of field ``name`` in :data:`ALL_COMPARISONS`."""
    return next(k for k, c in enumerate(ALL_COMPARISONS) if c.field == name)


def identifier_evidence(a: Features, b: Features) -> list[FieldEvidence]:
    """The evidence of the identifiers both records carry (hand-set weights)."""
    out = []
    for comp in ID_COMPARISONS:
        k, sim = comp.level_of(a, b)
        if k >= 0:
            out.append(comp.evidence(k, sim))
    return out
