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

Linking two clean sources also changes the odds: see :mod:`resolve.clean_sources`.

:func:`cannot_link_rule` builds the check that :func:`resolve.cluster.cluster`
applies to every cluster it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .clean_sources import same_clean_source
from .cluster import CannotLink
from .comparisons import same_citation
from .features import Features
from .settings import Settings
from .types import Record, is_preprint_doi


def doi_conflict(a: Features, b: Features) -> bool:
    """Both carry DOIs, none shared, of the same kind, and not on the same
    citation (journal, volume, first page and title: one article with two
    DOIs, see :func:`resolve.comparisons.same_citation`)."""
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
        if same_clean_source(clean, records[a].source, records[b].source):
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

    cannot_link.suspects = suspects_rule(records, features, settings)  # type: ignore[attr-defined]
    return cannot_link


def suspects_rule(records: Sequence[Record], features: Sequence[Features], settings: Settings
                  ) -> Callable[[Sequence[int]], list[tuple[int, int]]]:
    """The pairs of a cluster that :func:`veto_rule` could forbid, found
    without looking at every pair: two records of one clean source, a notice
    and a paper, two records with different DOI sets.  A cluster of thousands
    of copies of one record has none, and is checked in linear time."""
    clean = frozenset(settings.clean_sources)

    def suspects(members: Sequence[int]) -> list[tuple[int, int]]:
        found: set[tuple[int, int]] = set()

        def across(groups: list[list[int]]) -> None:
            for k, g in enumerate(groups):
                for h in groups[k + 1:]:
                    found.update((min(a, b), max(a, b)) for a in g for b in h)

        by_source: dict[str, list[int]] = {}
        by_notice: dict[bool, list[int]] = {}
        by_dois: dict[frozenset[str], list[int]] = {}
        for m in members:
            if records[m].source in clean:
                by_source.setdefault(records[m].source, []).append(m)
            by_notice.setdefault(bool(features[m].notice), []).append(m)
            dois = features[m].ids.get("doi")
            if dois:
                by_dois.setdefault(dois, []).append(m)
        for g in by_source.values():
            found.update((a, b) for k, a in enumerate(g) for b in g[k + 1:])
        across(list(by_notice.values()))
        across(list(by_dois.values()))
        return sorted(found)

    return suspects
