"""Group the records of one work into versions (FRBR expressions).

A work can reach us in several versions: the arXiv preprint (itself in
versions v1, v2, ...), the journal or proceedings version, a copy of one of
them in an archive.  Records that describe the *same version* are one
expression (``owl:sameAs`` in the graph); different versions of one work are
different expressions of it, never the same thing: a preprint and its journal
version have different DOIs and dates.

Only identifiers and URLs decide; titles and authors already decided the
work.  The rules, in order (every member ends up in exactly one version):

1. **Published DOI.**  Records carrying the same set of DOIs that are not a
   preprint server's (``resolve.types.is_preprint_doi``) are one version.  A
   record with such a DOI is the published version even when it also lists an
   arXiv id: Semantic Scholar and OpenAlex attach the preprint's id to the
   journal record.
2. **Preprint DOI.**  Otherwise a preprint server's DOI decides: records of
   one bioRxiv/SSRN/... DOI are one version; an arXiv DOI
   (``10.48550/arXiv.*``) counts as its arXiv id (rule 4).
3. **PubMed.**  Records without any DOI that share a PMID or PMCID are one
   version; that version joins the published-DOI version whose records carry
   one of its PubMed ids, when exactly one does.
4. **arXiv.**  Records carrying an arXiv id (as id, arXiv DOI or URL) and none
   of the above are grouped by id *and* version (``v2``).  Records that name
   no version join the only versioned group of their id; when the work holds
   several arXiv versions (v1 and v2) they are a version of their own
   ("version not stated") rather than a guess.  A record naming two arXiv
   ids, or one id and another id's DOI, is a version of its own.
5. **URL.**  A record with none of the identifiers above joins the version of
   the records it shares a URL with (an archived copy names its original URL:
   ``web.archive.org/web/2016/https://papers.nips.cc/...pdf``), when that
   version is unique; records linked only by URLs to each other are a version.
6. **No evidence.**  A record left over joins the work's only version when the
   work has exactly one and both look like the same kind of publication (a
   preprint by venue or type, e.g. "arXiv preprint ...", against a preprint
   version; anything else against a published version).  Otherwise it is a
   version of its own: two records are never declared the same version
   without evidence.

Versions are returned sorted by their smallest member position, members
ascending: the same input always gives the same groups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .normalize import archived_original
from .types import (
    BASES,
    PREPRINT_BASES,
    PUBLISHED_BASES,
    Identifier,
    Record,
    Version,
    WorkVersions,
    is_preprint_doi,
)
from .unionfind import UnionFind

__all__ = ["BASES", "PREPRINT_BASES", "PUBLISHED_BASES", "Version", "WorkVersions",
           "revisions", "version_groups", "versions", "work_versions"]

_ARXIV_DOI = "10.48550/arxiv."
_PREPRINT_TYPES = frozenset({"preprint", "posted-content", "posted_content", "postedcontent"})
_PREPRINT_VENUE = re.compile(
    r"\b(arxiv|biorxiv|medrxiv|chemrxiv|ssrn|research square|preprints?|corr)\b", re.I)


def arxiv_ids(rec: Record) -> tuple[str, ...]:
    """The arXiv ids a record names, also as an arXiv DOI."""
    ids = set(rec.ids("arxiv"))
    ids.update(d[len(_ARXIV_DOI):] for d in rec.ids("doi") if d.startswith(_ARXIV_DOI))
    return tuple(sorted(ids))


def published_dois(rec: Record) -> tuple[str, ...]:
    return tuple(sorted(d for d in rec.ids("doi") if not is_preprint_doi(d)))


def looks_preprint(rec: Record) -> bool:
    """Whether a record's type or venue says preprint (no identifier needed)."""
    return rec.type.strip().lower() in _PREPRINT_TYPES or bool(_PREPRINT_VENUE.search(rec.venue))


def _urls(rec: Record) -> set[str]:
    out = set(rec.urls)
    out.update(o for o in (archived_original(u) for u in rec.urls) if o)
    return out


_PUBMED = ("pmid", "pmcid")

Key = tuple
"""A version's key: its basis (``"doi"``, ``"preprint-doi"``, ``"arxiv"``,
``"pubmed"``, ``"url"``) and the identifiers that make it one version."""


def versions(records: Sequence[Record], members: Sequence[int]) -> list[Version]:
    """The versions of the work made of ``members`` (positions in ``records``):
    the numbered rules of the module, in order."""
    if len(members) == 1:
        return [_own_version(records[members[0]], members[0])]
    return _versions(records, members)


def _own_version(rec: Record, i: int) -> Version:
    """The one version of a work of one record (most works): what the rules
    make of a record alone, its key by rules 1 to 4, else no evidence."""
    key = _published_doi_key(rec) or _preprint_doi_key(rec) or _arxiv_key(rec)
    if key is None and _has_pubmed_id(rec):
        key = ("pubmed", tuple(sorted({x for x in rec.identifiers if x[0] in _PUBMED})))
    return _version(key, (i,))


def _versions(records: Sequence[Record], members: Sequence[int]) -> list[Version]:
    keyed: dict[Key, list[int]] = {}
    pubmed: list[int] = []
    rest: list[int] = []
    for i in sorted(set(members)):
        rec = records[i]
        key = _published_doi_key(rec) or _preprint_doi_key(rec) or _arxiv_key(rec)
        if key is None:
            (pubmed if _has_pubmed_id(rec) else rest).append(i)
        elif len(key) == 4:  # an arXiv record naming two ids: a version of its own
            keyed[key] = [i]
        else:
            keyed.setdefault(key, []).append(i)
    _join_pubmed(records, pubmed, keyed)
    _join_unversioned_arxiv(keyed)
    groups: list[tuple[Key | None, list[int]]] = list(keyed.items())
    loners = _join_by_url(records, rest, groups)
    _join_without_evidence(records, loners, groups)

    out = [_version(key, tuple(sorted(ms))) for key, ms in groups]
    out.sort(key=lambda v: v.members[0])
    return out


def _preprint_dois(rec: Record) -> tuple[str, ...]:
    return tuple(sorted(d for d in rec.ids("doi") if is_preprint_doi(d)))


def _has_pubmed_id(rec: Record) -> bool:
    return bool(rec.ids("pmid") or rec.ids("pmcid"))


def _published_doi_key(rec: Record) -> Key | None:
    """1. Published DOI: the set of a record's DOIs that are not a preprint server's."""
    dois = published_dois(rec)
    return ("doi", dois) if dois else None


def _preprint_doi_key(rec: Record) -> Key | None:
    """2. Preprint DOI (and the arXiv version named), unless one is an arXiv DOI."""
    preprint = _preprint_dois(rec)
    if preprint and not any(d.startswith(_ARXIV_DOI) for d in preprint):
        return ("preprint-doi", preprint, rec.arxiv_version)
    return None


def _arxiv_key(rec: Record) -> Key | None:
    """4. arXiv id and version, for a record without a PubMed id unless it has a
    preprint DOI (an arXiv DOI, as rule 2 left it); a record naming two ids, or
    an id and another id's DOI, gets a key of its own (its record key added)."""
    arxiv = arxiv_ids(rec)
    preprint = _preprint_dois(rec)
    if not arxiv or not (preprint or not _has_pubmed_id(rec)):
        return None
    if len(arxiv) > 1 or any(d != _ARXIV_DOI + arxiv[0] for d in preprint):
        # two arXiv ids, or an id and another's DOI: trust neither
        return ("arxiv", arxiv, rec.arxiv_version, rec.key)
    return ("arxiv", arxiv, rec.arxiv_version)


def _join_pubmed(records: Sequence[Record], pubmed: list[int],
                 keyed: dict[Key, list[int]]) -> None:
    """3. PubMed: records sharing a PMID or PMCID are one version, which joins
    the published-DOI version whose records carry one of its ids when exactly
    one does."""
    linked = UnionFind(pubmed)
    first_with: dict[Identifier, int] = {}
    for i in pubmed:
        for ident in records[i].identifiers:
            if ident[0] in _PUBMED:
                if ident in first_with:
                    linked.union(first_with[ident], i)
                else:
                    first_with[ident] = i
    for comp in linked.groups():
        ids = {x for i in comp for x in records[i].identifiers if x[0] in _PUBMED}
        targets = [k for k, ms in keyed.items() if k[0] == "doi" and any(
            x in ids for m in ms for x in records[m].identifiers)]
        if len(targets) == 1:
            keyed[targets[0]].extend(comp)
        else:
            keyed[("pubmed", tuple(sorted(ids)))] = comp


def _join_unversioned_arxiv(keyed: dict[Key, list[int]]) -> None:
    """4. arXiv records naming no version join the only versioned group of their id."""
    for key in [k for k in keyed if k[0] == "arxiv" and k[2] is None and len(k) == 3]:
        versioned = [k for k in keyed if k[0] == "arxiv" and k[1] == key[1] and k[2] is not None
                     and len(k) == 3]
        if len(versioned) == 1:
            keyed[versioned[0]].extend(keyed.pop(key))


def _join_by_url(records: Sequence[Record], rest: list[int],
                 groups: list[tuple[Key | None, list[int]]]) -> list[int]:
    """5. URL: leftover records linked to each other by URLs join the one
    version they share a URL with, or are a version of their own; the records
    linked to nothing are returned."""
    url_of = {i: _urls(records[i]) for i in rest}
    linked = UnionFind(rest)
    seen: dict[str, int] = {}
    for i in rest:
        for u in sorted(url_of[i]):
            if u in seen:
                linked.union(seen[u], i)
            else:
                seen[u] = i
    loners: list[int] = []
    for comp in linked.groups():
        urls = set().union(*(url_of[i] for i in comp))
        targets = [g for g, (_, ms) in enumerate(groups)
                   if any(urls & _urls(records[m]) for m in ms)]
        if len(targets) == 1:
            groups[targets[0]][1].extend(comp)
        elif len(comp) > 1:
            groups.append((("url",), comp))
        else:
            loners.extend(comp)
    return loners


def _join_without_evidence(records: Sequence[Record], loners: list[int],
                           groups: list[tuple[Key | None, list[int]]]) -> None:
    """6. No evidence: a loner joins the only version when it is of the same
    kind (preprint or not); every other loner is a version of its own."""
    if len(groups) == 1:
        key, ms = groups[0]
        assert key is not None
        kind = key[0] in PREPRINT_BASES or (
            key[0] == "url" and any(looks_preprint(records[m]) for m in ms))
        ms.extend(i for i in loners if looks_preprint(records[i]) == kind)
        loners = [i for i in loners if looks_preprint(records[i]) != kind]
    groups.extend((None, [i]) for i in loners)


def _version(key: tuple | None, members: tuple[int, ...]) -> Version:
    if key is None:
        return Version(members, "none")
    basis = key[0]
    if basis == "doi":
        return Version(members, "doi", tuple(("doi", d) for d in key[1]))
    if basis == "pubmed":
        return Version(members, "pubmed", key[1])
    if basis == "arxiv":
        return Version(members, "arxiv", tuple(("arxiv", a) for a in key[1]), key[2])
    if basis == "preprint-doi":
        return Version(members, "preprint-doi", tuple(("doi", d) for d in key[1]))
    return Version(members, "url")


def version_groups(records: Sequence[Record], members: Sequence[int]) -> list[tuple[int, ...]]:
    """Just the member groups of :func:`versions`."""
    return [v.members for v in versions(records, members)]


def revisions(vs: Sequence[Version]) -> list[tuple[int, int]]:
    """``(newer, older)`` index pairs into ``vs``: which version revises which.

    A published version revises every preprint version of its work (the
    journal version is the copy-edited revision of the manuscript, whenever
    the manuscript was posted); arXiv version n+1 revises the previous
    numbered version of the same id.  Versions of unknown kind are related
    to the others only through their work.
    """
    pairs: set[tuple[int, int]] = set()
    for i, a in enumerate(vs):
        if a.published:
            pairs.update((i, j) for j, b in enumerate(vs) if b.preprint)
    numbered: dict[tuple, list[tuple[int, int]]] = {}
    for i, v in enumerate(vs):
        if v.basis == "arxiv" and v.arxiv_version is not None:
            numbered.setdefault(v.identifiers, []).append((v.arxiv_version, i))
    for chain in numbered.values():
        chain.sort()
        pairs.update((new, old) for (_, old), (_, new) in zip(chain, chain[1:], strict=False))
    return sorted(pairs)


def work_versions(records: Sequence[Record], members: Sequence[int]) -> WorkVersions:
    """The versions of one work and which revises which: the versions stage."""
    vs = versions(records, members)
    return WorkVersions(tuple(vs), tuple(revisions(vs)))
