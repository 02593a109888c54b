"""Similarity measures over record features, each in [0, 1].

These are the measures whose value is a genuine degree of likeness (titles,
author lists, venue names); the comparisons of :mod:`resolve.comparisons`
turn them, and the discrete checks they make themselves, into named levels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from .features import Features

# "Tutorial on", "SIGMOD challenges paper": longer openings are part of a
# title ("Glial membrane potential during spreading depression ...").
_MAX_LABEL_WORDS = 3


def title_match(a: Features, b: Features) -> tuple[float, bool] | None:
    """How alike two titles are, and whether each has a word the other lacks
    that is no spelling variant of one of the other's (a substituted word:
    "... in Pediatric Patients" vs "... in Adult Patients").  None when a side
    has no title."""
    if not a.title or not b.title:
        return None
    if a.title == b.title:
        return 1.0, False
    if a.title_core == b.title_core and sorted(a.tokens) == sorted(b.tokens):
        # the same bracketed words in another place: "DEVise (demo abstract): ..."
        # vs "DEVise: ... (Demo Abstract)"
        return 1.0, False
    sim = fuzz.ratio(a.title, b.title) / 100.0
    if a.title_core != a.title or b.title_core != b.title:
        # "Indexing multimedia databases (tutorial)" vs "Indexing multimedia databases"
        sim = max(sim, 0.98 if a.title_core == b.title_core
                  else fuzz.ratio(a.title_core, b.title_core) / 100.0)
    extended = False
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
            extended = True
            break
    # not a bracketed word: "Index research (panel session)" vs "Index Research
    # (Panel Abstract)"; nor a word of a label left out of a core that one
    # side extends ("... - Book Review" vs "... by Jiawei Han and ...")
    substituted = (sim >= 0.8 and a.title_core != b.title_core and not extended
                   and _substituted_word(a.tokens, b.tokens))
    if substituted and _spacing_variant(a.title, b.title):
        return max(sim, 0.95), False
    return sim, substituted


# Letters that PDF text extraction loses as one ligature glyph ("E ective").
_LIGATURES = re.compile(r"ff[il]?|f[il]")
_SPACING = re.compile(r"[\s\-]+")


def _spacing_variant(x: str, y: str) -> bool:
    """Whether two title keys differ only in spacing or lost ligatures.

    Web-scraped and PDF-extracted titles run words together or split them
    ("Optimization ofqueries", "with out", "Datamodeling") and lose ligatures
    ("E ective" for "Effective", "ve-minute" for "five-minute"): words that
    differ only so are no substituted word.  Any other letter that differs is
    (a typo in a word is the substituted-word rule's business)."""
    jx, jy = _SPACING.sub("", x), _SPACING.sub("", y)
    return jx == jy or _LIGATURES.sub("", jx) == _LIGATURES.sub("", jy)


# A title with a substituted word is at most this alike (the title
# comparison's "a word differs" level).
SUBSTITUTED_WORD_SIMILARITY = 0.75


def title_similarity(a: Features, b: Features) -> float | None:
    """The similarity of two titles in [0, 1] (None: a side has none); a
    substituted word caps it at :data:`SUBSTITUTED_WORD_SIMILARITY`."""
    match = title_match(a, b)
    if match is None:
        return None
    sim, substituted = match
    return SUBSTITUTED_WORD_SIMILARITY if substituted else sim


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
    "nets"/"networks", "turst"/"trust" (two swapped letters are one slip), or
    a word of a PDF-extracted title that lost a ligature ("le" for "file")."""
    return (w[:3] == v[:3] or OSA.normalized_similarity(w, v) >= 0.75
            or _LIGATURES.sub("", w) == v or _LIGATURES.sub("", v) == w)


def _author_match(x: str, y: str) -> float:
    """How surely two author keys ("family initials") name one person: 1 for
    the same key, 0.9 for compatible initials, 0.8 for a family name broken
    by encoding or OCR (``auppa`` / ``suppa``, ``gtiting`` / ``guting``) or
    cut at a hyphen (``rodriguez`` / ``rodriguezmartinez``), or for the
    family and given name read in swapped order."""
    if x == y:
        return 1.0
    fx, _, ix = x.partition(" ")
    fy, _, iy = y.partition(" ")
    if _initials_only(fx, ix, fy, iy) or _initials_only(fy, iy, fx, ix):
        return 0.5
    initials = not ix or not iy or ix.startswith(iy) or iy.startswith(ix)
    if fx == fy:
        if initials:
            return 0.9
        if _run_together_initials(ix, iy):
            return 0.8
        return 0.3 if ix[0] == iy[0] else 0.0
    if initials or (ix and iy and ix[0] == iy[0]) or _run_together_initials(ix, iy):
        if _same_family(fx, fy):
            return 0.8
    elif _swapped(fx, ix, fy, iy):
        return 0.8
    return 0.0


def _initials_only(fx: str, ix: str, fy: str, iy: str) -> bool:
    """``x`` is a name that lost its family name and kept its initials (a
    key "r" or "rjb" from "R Jr." or "RJB Jr.": a parser that split
    "Roberto J. Bayardo Jr." at its last space, then dropped the suffix),
    and they are ``y``'s initials, with or without its family's.  Half a
    match: the initials alone could be anyone's."""
    return (not ix and len(fx) <= 3 and bool(iy)
            and (iy.startswith(fx) or (iy + fy[:1]).startswith(fx)))


def _same_family(fx: str, fy: str) -> bool:
    """A family name misspelt by encoding or OCR (at most two edits in six
    letters or more, or 75% alike), or cut at its hyphen: web-scraped and
    OCR'd author lists."""
    short, long_ = sorted((fx, fy), key=len)
    if len(short) < 4:
        return False
    if len(short) >= 5 and (long_.startswith(short) or long_.endswith(short)):
        return True
    if Levenshtein.normalized_similarity(fx, fy) >= 0.75:
        return True
    return len(short) >= 6 and Levenshtein.distance(fx, fy, score_cutoff=2) <= 2


def _swapped(fx: str, ix: str, fy: str, iy: str) -> bool:
    """One side read "Nicolas Bruno" as family "Nicolas", initial B: each
    family name starts with the other's single initial.  Reference lists and
    scraped records print names in either order (and East Asian names come
    family first)."""
    if len(fx) < 2 or len(fy) < 2 or not ix or not iy:
        return False
    if len(ix) == 1 and len(iy) == 1:
        return len(fx) >= 3 and len(fy) >= 3 and fx[0] == iy and fy[0] == ix
    return _given_as_family(fx, ix, fy, iy) or _given_as_family(fy, iy, fx, ix)


def _given_as_family(fx: str, ix: str, fy: str, iy: str) -> bool:
    """Web-scraped lists that read a name's given name as its family
    (Google Scholar's "JC Michael" and "SP Jong" for Michael J. Carey and
    Jong Soo Park: the real family's initial last among the initials), or
    print the family first in capitals ("LU Hongjun" for Hongjun Lu): ``x``
    is such a reading of ``y`` when ``x``'s "family" starts with ``y``'s
    first initial and ``x``'s initials end with ``y``'s family initial (or
    are ``y``'s family)."""
    return (len(ix) >= 2 and len(fx) >= 3 and fx[0] == iy[0]
            and (ix[-1] == fy[0] or ix == fy))


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
    share = total / len(short)
    if share < FAMILIES_ONLY and len(short) >= 2 and _families_agree(short, long_):
        return FAMILIES_ONLY
    return share


# What an author list scores whose family names all agree but whose initials
# do not (the comparison's "half" level).
FAMILIES_ONLY = 0.5


def _families_agree(short: Sequence[str], long_: Sequence[str]) -> bool:
    """Every family name of ``short`` is one of ``long_``'s, in the same order.

    Serves web-scraped author lists whose initials are misaligned: Google
    Scholar prints "F Korn, HV Jagadish, C Faloutsos" and the scrape keeps
    "KF Jagadish; H Faloutsos" (each name with the initials of the one
    before).  Two or more family names in one order are no coincidence;
    people who share a family name with other initials (two Wangs) differ
    on a single name, not on a whole list."""
    families = [k.partition(" ")[0] for k in long_]
    j = 0
    for k in short:
        family = k.partition(" ")[0]
        while j < len(families) and families[j] != family:
            j += 1
        if j == len(families):
            return False
        j += 1
    return True



def same_container(a: Features, b: Features) -> bool:
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


def abbreviates(short: list[str], long_: list[str]) -> bool:
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


def acronym(short: list[str], long_: list[str]) -> bool:
    """``short`` is one word of three letters or more made of the initials of
    the words of ``long_``: "vldb" for "very large data bases"."""
    return (len(short) == 1 and len(short[0]) >= 3 and len(long_) == len(short[0])
            and short[0] == "".join(w[0] for w in long_))


def venue_name_similarity(a: Features, b: Features) -> float:
    """Token-set similarity of two venue names."""
    return fuzz.token_set_ratio(a.venue, b.venue) / 100.0
