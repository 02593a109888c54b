"""Venue names that the data shows to be one venue: aliases learnt from the
pairs that agree on everything else.

Sources name one venue in ways no fixed rule relates: DBLP's ``SIGMOD
Conference`` is Google Scholar's ``Proc. Int'l Conf. on Management of Data``
and, for its panels and demonstrations, ``SIGMOD RECORD``; a reference
manager's journal is a database's series title.  Compared on their names
alone such pairs get the level "different" (or "journal vs proceedings"),
which counts against every one of their matches.

The records themselves say which names go together: among the candidate
pairs whose titles are (nearly) the same and whose author lists agree, the
same two venue names turn up again and again when they are two names of one
venue, and hardly ever when they are two venues.  :func:`learn_venue_aliases`
counts those co-occurrences (no labels: the title and author levels only);
:func:`apply_venue_aliases` moves the pairs of two alias names from
"different" to the venue level "a name the data pairs with the other" (whose
weight EM estimates like any other) and drops their "journal vs proceedings"
penalty.  Names of the same venue that a rule already relates (the same
name, an abbreviation, a shared ISSN) are left to the rules.

The kind of data it serves: records of one corpus from sources that name
venues in their own way (bibliographic databases against web-scraped or
reference-list records).  A pair of venue names must co-occur in the
confident pairs of at least :data:`MIN_WORKS` different titles, and of at
least :data:`MIN_SHARE` of the titles of the rarer name's confident pairs:
so a few papers printed twice (a conference paper and its journal
extension, kept apart by the title and year levels anyway) do not make two
venues one, and neither does one work cited fifty times.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .comparisons import ALL_COMPARISONS, comparison_index
from .features import Features

_TITLE = comparison_index("title")
_AUTHORS = comparison_index("authors")
_VENUE = comparison_index("venue")
_KIND = comparison_index("venue kind")
_VENUE_LEVELS = {lv.name: k for k, lv in enumerate(ALL_COMPARISONS[_VENUE].levels)}
DIFFERENT = _VENUE_LEVELS["different"]
ALIAS = _VENUE_LEVELS["a name the data pairs with the other"]
# Title levels "exact" and "near", author levels "all" and "most".
_CONFIDENT_TITLE = 1
_CONFIDENT_AUTHORS = 1

MIN_WORKS = 5
"""Titles of confident pairs two venue names must share to be aliases."""
MIN_SHARE = 0.1
"""...and the share of the rarer name's titles (of its confident pairs) they must be."""

# Words that name a publisher or a printing, not a venue.
_NOT_A_NAME = frozenset("acm ieee springer elsevier press verlag lncs lecture notes "
                        "computer science sig".split())


def alias_key(f: Features) -> str:
    """The venue name as aliases are counted: its key's words less
    publisher words, sorted (Scholar's ``ACM SIGMOD Record`` and ``SIGMOD
    RECORD`` are one name)."""
    words = {w for w in f.venue.split() if len(w) > 1 and not w.isdigit()
             and w not in _NOT_A_NAME}
    return " ".join(sorted(words))


def learn_venue_aliases(features: Sequence[Features], pairs: Sequence[tuple[int, int]],
                        levels: np.ndarray) -> frozenset[tuple[str, str]]:
    """The pairs of venue names (:func:`alias_key`, each pair sorted) that
    the confident candidate pairs show to be one venue (see the module's
    docstring).  ``levels[p]`` are the comparison levels of ``pairs[p]``."""
    if not len(pairs):
        return frozenset()
    title, authors = levels[:, _TITLE], levels[:, _AUTHORS]
    confident = np.flatnonzero((title >= 0) & (title <= _CONFIDENT_TITLE)
                               & (authors >= 0) & (authors <= _CONFIDENT_AUTHORS)
                               & (levels[:, _VENUE] >= 0))
    # Counted in distinct titles, not pairs: a work cited fifty times makes
    # over a thousand confident pairs, and says no more than one work does.
    per_name: dict[str, set[str]] = {}
    together: dict[tuple[str, str], set[str]] = {}
    keys: dict[int, str] = {}

    def key(i: int) -> str:
        k = keys.get(i)
        if k is None:
            k = keys[i] = alias_key(features[i])
        return k

    for p in confident.tolist():
        a, b = pairs[p]
        ka, kb = key(a), key(b)
        if not ka or not kb:
            continue
        ta, tb = features[a].title, features[b].title
        work = ta if ta <= tb else tb  # the pair's work, by its title
        per_name.setdefault(ka, set()).add(work)
        if ka != kb:
            per_name.setdefault(kb, set()).add(work)
            if levels[p, _VENUE] in (DIFFERENT, ALIAS):
                together.setdefault((ka, kb) if ka < kb else (kb, ka), set()).add(work)
    return frozenset(
        names for names, titles in together.items()
        if len(titles) >= MIN_WORKS and len(titles) >= MIN_SHARE * min(
            len(per_name[names[0]]), len(per_name[names[1]])))


def apply_venue_aliases(levels: np.ndarray, pairs: Sequence[tuple[int, int]],
                        features: Sequence[Features],
                        aliases: frozenset[tuple[str, str]]) -> np.ndarray:
    """``levels`` with the pairs of two alias names at the alias level and
    without a venue-kind level; pairs left at the alias level by other
    aliases (levels kept from an earlier resolution) get their own levels
    back.  Returns a new array."""
    out = levels.copy()
    venue = levels[:, _VENUE]
    for p in np.flatnonzero((venue == DIFFERENT) | (venue == ALIAS)).tolist():
        a, b = features[pairs[p][0]], features[pairs[p][1]]
        ka, kb = alias_key(a), alias_key(b)
        if ((ka, kb) if ka < kb else (kb, ka)) in aliases:
            out[p, _VENUE] = ALIAS
            out[p, _KIND] = -1
        elif venue[p] == ALIAS:
            out[p, _VENUE] = ALL_COMPARISONS[_VENUE].level_of(a, b)[0]
            out[p, _KIND] = ALL_COMPARISONS[_KIND].level_of(a, b)[0]
    return out

