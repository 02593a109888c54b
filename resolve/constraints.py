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

:func:`cannot_link_rule` builds the check that :func:`resolve.cluster.cluster`
applies to every cluster it makes.
"""

from __future__ import annotations

from collections.abc import Sequence

from .cluster import CannotLink
from .features import Features
from .scoring import PairEvidence, same_citation
from .settings import Settings
from .types import FieldEvidence, Record, is_preprint_doi


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


def cannot_link_rule(records: Sequence[Record], features: Sequence[Features],
                     settings: Settings) -> CannotLink:
    clean = frozenset(settings.clean_sources)
    override = settings.doi_conflict_override

    def cannot_link(a: int, b: int, score: float | None) -> bool:
        if clean and records[a].source == records[b].source and records[a].source in clean:
            return True
        fa, fb = features[a], features[b]
        if notice_conflict(fa, fb):
            return True
        return doi_conflict(fa, fb) and (score is None or score < override)

    return cannot_link


def clean_source_evidence(records: Sequence[Record], settings: Settings) -> PairEvidence | None:
    """The evidence a pair gets for linking two different clean sources."""
    clean = frozenset(settings.clean_sources)
    if len(clean) < 2:
        return None
    bonus = FieldEvidence("clean sources", "one record of each", None,
                          settings.clean_source_bonus)

    def extra(a: int, b: int) -> FieldEvidence | None:
        sa, sb = records[a].source, records[b].source
        return bonus if sa != sb and sa in clean and sb in clean else None

    return extra
