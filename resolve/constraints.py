"""Hard constraints: pairs of records that must never be one work.

- Two records of a source the user declared free of internal duplicates
  (``settings.clean_sources``, ``kg build --clean-source NAME``), as when
  linking two clean tables.
- An erratum, comment or reply and a paper that is not one: a notice is not
  the paper it comments on, however alike their titles and authors.
- Two different DOIs of the same kind (both publisher DOIs, or both
  preprint-server DOIs) name two different publications, unless they sit on
  the same citation (journal, volume, first page, title), or the rest of
  the evidence is overwhelming (the pair's match probability reaches
  ``settings.doi_conflict_override``): a typo or a wrong DOI in one export.
  A preprint DOI against a publisher DOI is a preprint and its journal
  version, and is no conflict.

Linking two clean sources also changes the odds: each record has at most one
match on the other side, so a pair across them starts
``settings.clean_source_bonus`` bits more likely (:func:`clean_source_evidence`),
and the clustering joins each record to its best match only, never on a tie.
Once every candidate pair is scored, a pair whose two records are each
other's clear best candidate on the other side (:func:`clear_best_pairs`)
gets ``settings.clean_best_bonus`` bits more: a record has at most one match
there, and no rival comes close (unique-mapping clustering, as JedAI does
for two clean tables).

:func:`cannot_link_rule` builds the check that :func:`resolve.cluster.cluster`
applies to every cluster it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence, Set

from .cluster import CannotLink
from .features import Features
from .scoring import PairEvidence, log2_odds, same_citation
from .settings import Settings
from .types import FieldEvidence, Record, ScoredPair, is_preprint_doi


def doi_conflict(a: Features, b: Features) -> bool:
    """Both carry DOIs, none shared, of the same kind, and not on the same
    citation (journal, volume, first page and title: one article with two
    DOIs, see :func:`resolve.scoring.same_citation`)."""
    x, y = a.ids.get("doi"), b.ids.get("doi")
    if not x or not y or x & y:
        return False
    return (all(map(is_preprint_doi, x)) == all(map(is_preprint_doi, y))
            and not same_citation(a, b))


def notice_conflict(a: Features, b: Features) -> bool:
    """One is a notice (erratum, comment, reply...) and the other is not."""
    return bool(a.notice) != bool(b.notice)


def veto_rule(records: Sequence[Record], features: Sequence[Features],
              settings: Settings) -> Callable[[int, int, float | None], str | None]:
    """The hard constraint that forbids joining two records (by position),
    named (``"clean source"``, ``"notice"``, ``"doi conflict"``), or None.
    ``score`` is the pair's match probability (None: not scored)."""
    clean = frozenset(settings.clean_sources)
    override = settings.doi_conflict_override

    def veto(a: int, b: int, score: float | None) -> str | None:
        if clean and records[a].source == records[b].source and records[a].source in clean:
            return "clean source"
        fa, fb = features[a], features[b]
        if notice_conflict(fa, fb):
            return "notice"
        if doi_conflict(fa, fb) and (score is None or score < override):
            return "doi conflict"
        return None

    return veto


def cannot_link_rule(records: Sequence[Record], features: Sequence[Features],
                     settings: Settings) -> CannotLink:
    """:func:`veto_rule` as the yes/no check the clustering applies."""
    veto = veto_rule(records, features, settings)

    def cannot_link(a: int, b: int, score: float | None) -> bool:
        return veto(a, b, score) is not None

    return cannot_link


def clean_source_evidence(records: Sequence[Record], settings: Settings,
                          best: Set[tuple[int, int]] = frozenset()) -> PairEvidence | None:
    """The evidence a pair gets for linking two different clean sources;
    more for the pairs in ``best`` (see :func:`clear_best_pairs`)."""
    clean = frozenset(settings.clean_sources)
    if len(clean) < 2:
        return None
    bonus = FieldEvidence("clean sources", "one record of each", None,
                          settings.clean_source_bonus)
    best_bonus = FieldEvidence("clean sources", "each other's clear best", None,
                               settings.clean_source_bonus + settings.clean_best_bonus)

    def extra(a: int, b: int) -> FieldEvidence | None:
        if not _across(clean, records[a].source, records[b].source):
            return None
        return best_bonus if (a, b) in best else bonus

    return extra


# A best candidate is clear when its odds are at least twice the runner-up's.
CLEAR_MARGIN = 1.0


def clear_best_pairs(records: Sequence[Record], scored: Iterable[ScoredPair],
                     settings: Settings) -> set[tuple[int, int]]:
    """Pairs across two clean sources whose records are each other's best
    scored candidate in the other's source, each by at least
    :data:`CLEAR_MARGIN` bits of log odds over its runner-up there (a tie,
    as between two "Book review column" records of one year, is no clear best).

    Found in rounds: a record paired in one round has its one match in that
    source, so it is no rival for the others in the next ("DEVise (demo
    abstract)" settles the demo, and the full paper is then the clear best of
    the other record that looked like both)."""
    clean = frozenset(settings.clean_sources)
    if len(clean) < 2:
        return set()
    across = [(log2_odds(p.score), p.a, p.b) for p in scored
              if _across(clean, records[p.a].source, records[p.b].source)]
    pairs: set[tuple[int, int]] = set()
    while found := _mutual_clear_best(records, across):
        pairs |= found
        # (record, source it now has its match in): out of the next round
        settled = {key for a, b in found
                   for key in ((a, records[b].source), (b, records[a].source))}
        across = [(odds, a, b) for odds, a, b in across
                  if (a, records[b].source) not in settled
                  and (b, records[a].source) not in settled]
    return pairs


def _mutual_clear_best(records: Sequence[Record], across: Iterable[tuple[float, int, int]]
                       ) -> set[tuple[int, int]]:
    # per (record, other source): the best two (log odds, partner)
    top: dict[tuple[int, str], list[tuple[float, int]]] = {}
    for odds, a, b in across:
        sa, sb = records[a].source, records[b].source
        for key, partner in (((a, sb), b), ((b, sa), a)):
            two = top.setdefault(key, [])
            two.append((odds, -partner))
            two.sort(reverse=True)
            del two[2:]

    def clear(record: int, source: str) -> int | None:
        two = top[record, source]
        if len(two) > 1 and two[0][0] - two[1][0] < CLEAR_MARGIN:
            return None
        return -two[0][1]

    pairs = set()
    for a, source in top:
        b = clear(a, source)
        if b is not None and a < b and clear(b, records[a].source) == a:
            pairs.add((a, b))
    return pairs


def _across(clean: frozenset[str], source_a: str, source_b: str) -> bool:
    """Whether a pair links two different clean sources."""
    return source_a != source_b and source_a in clean and source_b in clean
