"""Matching features of each record, computed once per build.

Scoring and blocking both read these rather than re-normalizing a record for
every pair it is in.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from . import normalize as nz
from .types import Record

# Titles that announce a comment on, or a correction of, another paper.
_NOTICE = re.compile(
    r"^(erratum|errata|corrigendum|correction|retraction|retracted|comment|commentary|"
    r"reply|response|author reply|authors reply|in reply|letter to the editor|letter)\b"
)


# ... and those that say so at the end ("... syndrome AUTHORS REPLY").
_TRAILING_NOTICE = re.compile(
    r"\b(erratum|corrigendum|retraction|authors reply|author reply|reply)$")

# ... and Web of Science's name for a correction: "Original title (vol 48, pg 556,
# 2007)", the original's volume, first page and year (normalized title keys).
_CORRECTION_OF = re.compile(r"\bvol [0-9a-z]+ pg [0-9a-z]+ [0-9]{4}$")

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")

# A label after a dash that says what kind of item a title is, not what it is
# about: DBLP prints a book review as "Data Mining: Concepts and Techniques -
# Book Review" where ACM prints the book's title with its authors, and front
# matter as "... - Guest Editor's Introduction".  Google Scholar's result
# pages leave their "- group of 3 »" (the versions link) on the title.  Like
# a bracketed "(Panel Abstract)", such a label is left out of the title core.
_TYPE_LABEL = re.compile(
    r"\s[-\u2013\u2014]\s*(?:book reviews?|guest editor'?s'? (?:introduction|foreword)"
    r"|guest editorial|group of \d+\s*(?:&raquo;|\u00bb))\s*$", re.IGNORECASE)


_KIND_WORDS = {
    "preprint": {"arxiv", "corr", "biorxiv", "medrxiv", "preprint", "preprints", "ssrn",
                 "chemrxiv", "psyarxiv", "osf"},
    "journal": {"journal", "j", "trans", "transactions", "record", "letters", "lett", "review",
                "magazine", "mag", "bulletin", "bull", "annals", "acta", "archives", "arch"},
    "proceedings": {"conference", "conf", "proceedings", "proc", "symposium", "symp",
                    "workshop", "congress", "meeting"},
}
_KIND_TYPES = {
    "preprint": "preprint", "posted-content": "preprint", "unpublished": "preprint",
    "article": "journal", "journal-article": "journal",
    "inproceedings": "proceedings", "proceedings-article": "proceedings",
    "conference": "proceedings", "paper-conference": "proceedings",
}


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7",
          "viii": "8", "ix": "9", "x": "10"}
_SEQUENCE_WORDS = {"part", "volume", "vol", "chapter", "section", "phase", "study"}


_DIGITS = re.compile(r"[0-9]+")


def title_numbers(title_key: str) -> frozenset[str]:
    words = title_key.split()
    # Digits inside words count too: "SQL3" = "SQL 3", "5-HT1A" != "5-HT2A".
    out = set(_DIGITS.findall(title_key))
    for prev, w in zip(words, words[1:], strict=False):
        if prev in _SEQUENCE_WORDS and w in _ROMAN:
            out.add(_ROMAN[w])
    return frozenset(out)


def venue_kind(venue: str, record_type: str = "") -> str:
    """What kind of venue a record names, from marker words ("Journal",
    "Proc.", "arXiv") or else its type; ``""`` when neither tells."""
    words = set(re.split(r"[^a-z0-9]+", nz.fold(venue))) if venue else set()
    for kind in ("preprint", "journal", "proceedings"):
        if words & _KIND_WORDS[kind]:
            return kind
    return _KIND_TYPES.get(record_type.strip().lower(), "")


@dataclass(frozen=True, slots=True)
class Features:
    title: str
    """Normalized title key."""
    title_core: str
    """Title key without bracketed parts ("(Panel)", "[translated title]")."""
    tokens: tuple[str, ...]
    numbers: frozenset[str]
    """Numbers in the title, and roman numerals after "part"/"volume"
    ("Part II"): titles that differ only in them name different works."""
    notice: str
    """``"erratum"``, ``"comment"``... when the title announces one, else ``""``."""
    authors: tuple[str, ...]
    """Author keys in order."""
    families: tuple[str, ...]
    year: int | None
    venue: str
    venue_kind: str
    """``"journal"``, ``"proceedings"``, ``"preprint"`` or ``""`` (unknown)."""
    volume: str
    first_page: str
    ids: dict[str, frozenset[str]]
    venue_truncated: bool = False
    """The venue name was cut off ("Proceedings of the 25th International
    Conference on Very ...", as web search results print it)."""


_ELLIPSIS = re.compile(r"(?:\.\.\.|\u2026|&hellip;)[\s,;.]*$")


def _volume_key(volume: str) -> str:
    """The digits of the first word that has any: "Vol. 12 (3)" -> "12"."""
    for word in volume.split():
        digits = re.sub(r"\D", "", word)
        if digits:
            return digits
    return ""


# Shared by every record without identifiers (never mutated).
_NO_IDS: dict[str, frozenset[str]] = {}
# Venues recur across many records.
_venue_key = lru_cache(maxsize=1 << 16)(nz.normalize_venue)
_venue_kind = lru_cache(maxsize=1 << 16)(venue_kind)


def features_of(rec: Record) -> Features:
    # a citation's lead (the end of its author list, a year) is no title
    text = nz.strip_citation_lead(rec.title) or rec.title
    title = nz.normalize_title(text)
    bracketed = "(" in text or "[" in text
    labelled = _TYPE_LABEL.search(text)
    if bracketed or labelled:
        bare = text[:labelled.start()] if labelled else text
        core = nz.normalize_title(_BRACKETED.sub(" ", bare))
    else:
        core = title
    m = _NOTICE.match(title) or _TRAILING_NOTICE.search(title)
    notice = m.group(1) if m else "correction" if _CORRECTION_OF.search(title) else ""
    # Group authors are no evidence in a comparison of people.
    people = [a for a in rec.authors
              if a.key and not a.organization and not nz.is_group_author(a.name)]
    ids: dict[str, set[str]] = {}
    for scheme, value in rec.identifiers:
        ids.setdefault(scheme, set()).add(value)
    return Features(
        title=title,
        title_core=core or title,
        tokens=tuple(map(sys.intern, nz.title_tokens(title))),
        numbers=title_numbers(title),
        notice=notice,
        authors=tuple(a.key for a in people),
        families=tuple(sys.intern(a.key.split(" ", 1)[0]) for a in people),
        year=rec.year,
        venue=_venue_key(rec.venue),
        venue_kind=_venue_kind(rec.venue, rec.type),
        volume=_volume_key(rec.volume),
        first_page=nz.first_page(rec.pages) if rec.pages else "",
        ids={k: frozenset(v) for k, v in ids.items()} if ids else _NO_IDS,
        venue_truncated=bool(_ELLIPSIS.search(rec.venue)),
    )


def compute_features(records: Sequence[Record]) -> list[Features]:
    return [features_of(r) for r in records]


@dataclass(frozen=True, slots=True)
class TokenStats:
    """Document frequencies of title tokens over the records of one build."""

    df: dict[str, int]
    n: int
    title_counts: dict[str, int]
    """How many distinct works carry each exact title key (see :func:`token_stats`)."""


def _author_companion(f: Features) -> str:
    """What tells the works carrying one title apart: the first author's
    family name, else (no authors) the venue and year."""
    if f.families:
        return f.families[0]
    return f"\x1f{f.venue}\x1f{f.year}"


def token_stats(features: Sequence[Features]) -> TokenStats:
    """Token document frequencies, and how common each title is.

    Copies do not make a title common: a work scraped from the web ten times
    (or exported by three databases) carries its title ten times, yet is one
    work.  So a title is counted once per distinct first author (a column
    such as "Editorial" has a new author in every issue, a work's copies
    share theirs).  The term-frequency penalty of :mod:`resolve.scoring` then
    punishes a title for being shared by many works, never a work for its
    copies."""
    df: Counter[str] = Counter()
    title_works: dict[str, set] = {}
    for f in features:
        df.update(set(f.tokens))
        title_works.setdefault(f.title, set()).add(_author_companion(f))
    return TokenStats(dict(df), len(features), {t: len(v) for t, v in title_works.items()})


# A "family name" is a word of titles, not a person's, when at least this many
# records carry it in their title and no other record has it as a family name.
TITLE_WORD_RECORDS = 3


def without_title_word_authors(features: Sequence[Features], stats: TokenStats
                               ) -> list[Features]:
    """``features`` with the authors whose family name is a word of titles
    left out (a list left empty is then missing, not disagreeing).

    Serves web-scraped author lists (Google Scholar's result pages), where
    the "authors" are often bits of the title, the venue or an affiliation
    ("D Proposal", "T Authors; C Identified", "ACMS Anthology; P Edition",
    "L Processing"): such a list agrees with nobody, and counted as a list of
    people it says "no author in common" against the work's real record.  A
    name is taken for such a word when it is the family name of this record
    alone in the whole input and at least :data:`TITLE_WORD_RECORDS` records
    have it as a title word: a real author's name recurs as an author
    elsewhere (Jim Gray's "gray"), and a name rare in titles is kept."""
    family_records: Counter[str] = Counter()
    for f in features:
        family_records.update(set(f.families))
    out = list(features)
    for k, f in enumerate(features):
        keep = [i for i, fam in enumerate(f.families)
                if family_records[fam] > 1 or stats.df.get(fam, 0) < TITLE_WORD_RECORDS]
        if len(keep) < len(f.families):
            out[k] = replace(f, authors=tuple(f.authors[i] for i in keep),
                             families=tuple(f.families[i] for i in keep))
    return out
