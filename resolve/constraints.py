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

- A person said the two records are different works (``kg decide A B
  --different``): :class:`HumanConstraints`, passed to
  :func:`resolve.pipeline.resolve_records` as ``human``.  A person's
  ``same`` overrules the rules above for that pair (see
  :mod:`resolve.cluster`).

Linking two clean sources also changes the odds: see :mod:`resolve.clean_sources`.

:func:`cannot_link_rule` builds the check that :func:`resolve.cluster.cluster`
applies to every cluster it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .clean_sources import same_clean_source
from .cluster import CannotLink, HumanLinks
from .comparisons import same_citation
from .features import Features
from .settings import Settings
from .types import Record, RecordKey, is_preprint_doi
from .unionfind import UnionFind

HUMAN = "human decision"
"""How :func:`veto_rule` names a pair kept apart because a person said so."""

KeyPair = tuple[RecordKey, RecordKey]


@dataclass(frozen=True)
class HumanConstraints:
    """What people decided about pairs of records, by record key: ``same``
    pairs must be one work, ``different`` pairs never.  Plain data, in the
    order decided (``kg decide``, kept with the store: :mod:`kg.decisions`)."""

    same: tuple[KeyPair, ...] = ()
    different: tuple[KeyPair, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.same or self.different)


def human_links(records: Sequence[Record], human: HumanConstraints | None
                ) -> tuple[HumanLinks, list[tuple[KeyPair, str]]]:
    """The decisions of ``human`` on the records at hand, as positions; and
    those not applied, with why: a record not among ``records``, a pair of
    one record, or a ``same`` that would join two records a ``different``
    keeps apart (a ``different`` always holds; the ``same`` pairs are
    applied in the order given, so of two that contradict each other through
    a ``different``, the later is left out)."""
    if not human:
        return HumanLinks(), []
    where = {r.key: i for i, r in enumerate(records)}
    skipped: list[tuple[KeyPair, str]] = []

    def position(pair: KeyPair) -> tuple[int, int] | None:
        missing = [f"{k[0]}:{k[1]}" for k in pair if k not in where]
        if missing:
            skipped.append((pair, f"no record {', '.join(missing)} in this build"))
            return None
        if pair[0] == pair[1]:
            skipped.append((pair, "a record and itself"))
            return None
        a, b = where[pair[0]], where[pair[1]]
        return (min(a, b), max(a, b))

    different = frozenset(p for p in map(position, human.different) if p is not None)
    apart: dict[int, set[int]] = {}
    for a, b in different:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
    groups: UnionFind[int] = UnionFind()
    members: dict[int, set[int]] = {}  # by the group's root
    same: list[tuple[int, int]] = []
    for pair in human.same:
        pos = position(pair)
        if pos is None:
            continue
        for x in pos:
            if x not in groups:
                groups.add(x)
                members[x] = {x}
        ra, rb = groups.find(pos[0]), groups.find(pos[1])
        if ra != rb and any(apart.get(x, set()) & members[rb] for x in members[ra]):
            skipped.append((pair, "contradicts a 'different' decision"))
            continue
        if ra != rb:
            joined = members.pop(ra) | members.pop(rb)
            members[groups.union(ra, rb)] = joined
        if pos not in same:
            same.append(pos)
    return HumanLinks(tuple(same), different), skipped


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
              settings: Settings, human: HumanLinks | None = None
              ) -> Callable[[int, int, float | None], str | None]:
    """The hard constraint that forbids joining two records (by position),
    named (:data:`HUMAN`, ``"clean source"``, ``"notice"``, ``"doi
    conflict"``), or None.  ``score`` is the pair's match probability (None:
    not scored).  A pair ``human`` says is the same has no veto."""
    clean = frozenset(settings.clean_sources)
    override = settings.doi_conflict_override
    different = human.different if human else frozenset()
    same = frozenset(human.same) if human else frozenset()

    def veto(a: int, b: int, score: float | None) -> str | None:
        if different or same:
            pair = (min(a, b), max(a, b))
            if pair in different:
                return HUMAN
            if pair in same:
                return None
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
                     settings: Settings, human: HumanLinks | None = None) -> CannotLink:
    """:func:`veto_rule` as the yes/no check the clustering applies."""
    veto = veto_rule(records, features, settings, human)

    def cannot_link(a: int, b: int, score: float | None) -> bool:
        return veto(a, b, score) is not None

    cannot_link.suspects = suspects_rule(records, features, settings,  # type: ignore[attr-defined]
                                         human)
    cannot_link.human = human  # type: ignore[attr-defined]
    return cannot_link


def suspects_rule(records: Sequence[Record], features: Sequence[Features], settings: Settings,
                  human: HumanLinks | None = None
                  ) -> Callable[[Sequence[int]], list[tuple[int, int]]]:
    """The pairs of a cluster that :func:`veto_rule` could forbid, found
    without looking at every pair: two records of one clean source, a notice
    and a paper, two records with different DOI sets, two records a person
    said differ.  A cluster of thousands of copies of one record has none,
    and is checked in linear time."""
    clean = frozenset(settings.clean_sources)
    apart: dict[int, list[int]] = {}
    for a, b in sorted(human.different if human else ()):
        apart.setdefault(a, []).append(b)

    def suspects(members: Sequence[int]) -> list[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        if apart:
            inside = set(members)
            found.update((a, b) for a in members for b in apart.get(a, ()) if b in inside)

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
