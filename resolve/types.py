"""The nouns every stage shares: records, authors, scored pairs, works.

A record is identified everywhere by its :data:`RecordKey`, the pair
``(source, record_id)``; inside one build, stages refer to records by their
position in the record list (an ``int``), which keeps pair sets and arrays
small.  Every type here is a frozen dataclass of plain values, so a stage's
input and output can be printed, compared, pickled to another process or
written as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

RecordKey = tuple[str, str]
"""``(source, record_id)``: unique within one build."""

Identifier = tuple[str, str]
"""``(scheme, value)`` with a canonical value, e.g. ``("doi", "10.1000/x")``."""

# Identifier schemes that name a journal or a book, which many distinct works
# share: kept on the record, but they neither make candidates nor count as
# agreement or conflict.  Every other scheme (DOI, arXiv, PMID, source-native
# ids) names one publication.
CONTAINER_SCHEMES: frozenset[str] = frozenset({"issn", "isbn"})

# Prefixes of DOIs that preprint servers mint: arXiv, bioRxiv/medRxiv,
# Research Square, Preprints.org, SSRN, OSF Preprints, ChemRxiv.
PREPRINT_DOI_PREFIXES: tuple[str, ...] = (
    "10.48550/", "10.1101/", "10.21203/", "10.20944/", "10.2139/", "10.31219/", "10.26434/")


def is_preprint_doi(doi: str) -> bool:
    return doi.startswith(PREPRINT_DOI_PREFIXES)


@dataclass(frozen=True, slots=True)
class Author:
    """One author of a record, in list order.

    ``name`` is the text as the source gave it (after HTML/Unicode repair), for
    display.  ``family`` and ``given`` are the parsed parts, original script.
    ``key`` is the matching key: folded family name plus initials, e.g.
    ``"suppa m"`` for "Marek Šuppa".
    """

    name: str
    family: str
    given: str
    key: str
    organization: bool = False
    """A group or institution ("The Gene Ontology Consortium"), kept whole:
    no evidence in a comparison of people."""


@dataclass(frozen=True, slots=True)
class Record:
    """One publication record from one source, normalized.

    Text fields keep their original (repaired) text for display; matching keys
    are derived by :mod:`resolve.normalize`.  ``identifiers`` is sorted and
    holds canonical values; ``arxiv_version`` keeps the version that was cut
    from an arXiv id (``2103.10673v2`` -> ``("arxiv", "2103.10673")`` and 2).
    """

    source: str
    record_id: str
    title: str = ""
    authors: tuple[Author, ...] = ()
    year: int | None = None
    date: str | None = None
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    abstract: str = ""
    type: str = ""
    identifiers: tuple[Identifier, ...] = ()
    urls: tuple[str, ...] = ()
    arxiv_version: int | None = None
    origin: str = ""
    """Where the record was read: ``file:line``."""
    raw: str = field(default="", compare=False, repr=False)
    """The record's source text as read (a RIS record, a BibTeX entry, a JSON
    line...), for exports that write it back; not part of equality, and
    :func:`kg.build.read_records` moves it out of the records it keeps."""

    @property
    def key(self) -> RecordKey:
        return (self.source, self.record_id)

    def ids(self, scheme: str) -> tuple[str, ...]:
        return tuple(v for s, v in self.identifiers if s == scheme)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record that could not be used, and why."""

    origin: str
    """``file:line`` (or ``file`` when the whole file is concerned)."""
    reason: str
    raw: str = ""
    source: str = ""
    record_id: str = ""


@dataclass(frozen=True, slots=True)
class FieldEvidence:
    """How one field compared in one pair: similarity and its weight.

    ``similarity`` is in [0, 1] or ``None`` when either side lacks the field.
    ``level`` names the comparison level that applied (e.g. ``"exact"``,
    ``"fuzzy"``, ``"conflict"``, ``"missing"``) and ``weight`` is its log2
    Bayes factor: positive pushes towards a match, negative away.
    """

    field: str
    level: str
    similarity: float | None
    weight: float


class Explainer(Protocol):
    """What gives a scored pair's per-field evidence on demand."""

    def explain(self, a: int, b: int) -> tuple[FieldEvidence, ...]: ...


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """A candidate pair ``a < b`` (record positions) with its score and why.

    Pairs are scored in bulk; the per-field evidence behind a score is worked
    out again only for the pairs that are shown or written (a build writes it
    for a few percent of its candidate pairs), by the ``explainer`` that
    scored them."""

    a: int
    b: int
    score: float
    explainer: Explainer | None = field(default=None, compare=False, repr=False)

    @property
    def evidence(self) -> tuple[FieldEvidence, ...]:
        return self.explainer.explain(self.a, self.b) if self.explainer else ()


@dataclass(frozen=True, slots=True)
class Work:
    """A cluster of records that describe one publication.

    ``members`` are record positions in ascending order.  ``fields`` holds the
    canonical value of each field and ``field_sources`` the position of the
    record each canonical value was taken from.
    """

    work_id: str
    members: tuple[int, ...]
    fields: dict[str, object] = field(default_factory=dict)
    field_sources: dict[str, int] = field(default_factory=dict)


Basis = Literal["doi", "pubmed", "arxiv", "preprint-doi", "url", "none"]
"""What put a version's records together (the rules of :mod:`resolve.versions`)."""

BASES: tuple[str, ...] = ("doi", "pubmed", "arxiv", "preprint-doi", "url", "none")
PREPRINT_BASES = frozenset({"arxiv", "preprint-doi"})
PUBLISHED_BASES = frozenset({"doi", "pubmed"})


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a work: the records that describe it.

    ``identifiers`` are the version-identifying identifiers its grouping rule
    used (the published DOIs, the PubMed ids, the arXiv id, the preprint DOI);
    ``arxiv_version`` is set for an arXiv version that names its number.
    """

    members: tuple[int, ...]
    basis: Basis
    identifiers: tuple[Identifier, ...] = ()
    arxiv_version: int | None = None

    @property
    def preprint(self) -> bool:
        """A preprint server's version (arXiv, bioRxiv, ...)."""
        return self.basis in PREPRINT_BASES

    @property
    def published(self) -> bool:
        """A version with a publisher's DOI or a PubMed id."""
        return self.basis in PUBLISHED_BASES


@dataclass(frozen=True, slots=True)
class WorkVersions:
    """The versions of one work (sorted by their smallest member) and
    ``revisions``: ``(newer, older)`` index pairs into ``versions``."""

    versions: tuple[Version, ...]
    revisions: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """A decision on one scored pair, as the evidence graph records it.

    ``merged``: the two records ended in one work.  ``evidence``: the
    per-field levels and weights that made ``score``.  ``vetoed_by`` names
    what kept a pair apart that its score alone would have joined: a hard
    constraint (``"doi conflict"``, ``"clean source"``, ``"notice"``), a
    person (``"human decision"``), ``"tie"`` when one of the two had another
    partner as good, or ``"clustering"`` when the community step did."""

    a: int
    b: int
    score: float
    merged: bool
    evidence: tuple[FieldEvidence, ...]
    vetoed_by: str | None = None
