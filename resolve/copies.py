"""Identical copies: records that carry the same content are one work.

The same record often arrives many times: two saved pages of one search, the
same article from two databases with every field alike, thousands of copies
of one popular citation.  Pairing every copy with every other is quadratic,
and a sliding window over a large block pairs them only with their
neighbours, which leaves a chain that the community step may cut.  So copies
are found first, by their matching features (title, authors, year, venue,
volume and first page, identifiers: everything the comparisons read), and
only one record of each group, its *representative* (the first), goes
through blocking; each copy is then paired with its representative alone:
n copies give n - 1 pairs, which score as exact agreements and keep the
group whole.

Content that says too little is no evidence of identity: two "Editorial"
records of one journal and year are two editorials.  A group is collapsed
only when its records carry an identifier, or a volume and first page, or a
title that is no common value together with authors and a year.  Records of
a source declared clean are never taken for copies (its records are distinct
by declaration, and pairing across clean sources has rules of its own).
"""

from __future__ import annotations

from collections.abc import Sequence

from .features import Features, TokenStats
from .scoring import title_scale
from .settings import Settings
from .types import CONTAINER_SCHEMES, Record


def signature(f: Features) -> tuple:
    """Everything the comparisons read of a record, as one hashable value."""
    ids = tuple(sorted((k, tuple(sorted(v))) for k, v in f.ids.items()
                       if k not in CONTAINER_SCHEMES))
    return (f.title, f.title_core, f.notice, f.authors, f.year, f.venue, f.venue_kind,
            f.volume, f.first_page, ids)


def says_enough(f: Features, stats: TokenStats) -> bool:
    """Whether a record's content identifies one publication: an identifier,
    a volume and first page, or an uncommon title with authors and a year."""
    if any(k not in CONTAINER_SCHEMES for k in f.ids):
        return True
    if f.volume and f.first_page:
        return True
    return bool(f.title and f.authors and f.year is not None
                and title_scale(f, stats) >= 1.0
                and stats.title_counts.get(f.title, 1) <= 2)


def identical_copies(records: Sequence[Record], features: Sequence[Features],
                     stats: TokenStats, settings: Settings
                     ) -> tuple[list[int], list[tuple[int, int]]]:
    """The representatives (ascending record positions: every record that is
    no copy of an earlier one) and the ``(representative, copy)`` pairs."""
    clean = frozenset(settings.clean_sources)
    first: dict[tuple, int] = {}
    reps: list[int] = []
    copies: list[tuple[int, int]] = []
    for i, f in enumerate(features):
        if not f.title or records[i].source in clean or not says_enough(f, stats):
            reps.append(i)
            continue
        rep = first.setdefault(signature(f), i)
        if rep == i:
            reps.append(i)
        else:
            copies.append((rep, i))
    return reps, copies
