"""The records of a store, read back from its graph as :class:`Record`s, and
the scorer of its build: what ``kg explain`` needs to score a pair the build
never scored, by the same formula and weights.

Every field a record's comparison reads is in the graph (title, authors with
their keys, year, venue, volume, pages, type, identifiers, URLs), so the
features made from these records are those of the build.  Two things are
approximated: whether an author is an organization (not stored: a name
without a given name whose key is its folded words is taken for one), and
the clear-best bonus between two clean sources (known only after every
candidate pair was scored; the plain bonus across two clean sources is
given).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import Store

from resolve.clean_sources import clean_source_evidence
from resolve.comparisons import ALL_COMPARISONS
from resolve.features import (
    Features,
    TokenStats,
    compute_features,
    token_stats,
    without_title_word_authors,
)
from resolve.normalize import normalize_title
from resolve.scoring import Model, PairScorer
from resolve.settings import Settings
from resolve.types import Author, Record, RecordKey

from .queries import run_query, term_text
from .vocab import DATACITE

RECORDS = """
SELECT ?r ?source ?id ?title ?year ?date ?venue ?volume ?issue ?pages ?abstract ?type ?av
       ?origin WHERE {
  ?r a kgr:SourceRecord ; kgr:source ?source ; dcterms:identifier ?id .
  OPTIONAL { ?r dcterms:title ?title } OPTIONAL { ?r fabio:hasPublicationYear ?year }
  OPTIONAL { ?r dcterms:date ?date } OPTIONAL { ?r prism:publicationName ?venue }
  OPTIONAL { ?r prism:volume ?volume } OPTIONAL { ?r prism:issueIdentifier ?issue }
  OPTIONAL { ?r prism:pageRange ?pages } OPTIONAL { ?r dcterms:abstract ?abstract }
  OPTIONAL { ?r kgr:recordType ?type } OPTIONAL { ?r kgr:arxivVersion ?av }
  OPTIONAL { ?r kgr:origin ?origin }
}
"""

AUTHOR_LISTS = "SELECT ?r ?list WHERE { ?r a kgr:SourceRecord ; kgr:authorList ?list }"

AUTHORS = """
SELECT ?a ?name ?family ?given ?key WHERE {
  ?a a foaf:Agent ; foaf:name ?name ; kgr:authorKey ?key .
  OPTIONAL { ?a foaf:familyName ?family } OPTIONAL { ?a foaf:givenName ?given }
}
"""

IDENTIFIERS = """
SELECT ?r ?scheme ?label ?value WHERE {
  ?r a kgr:SourceRecord ; datacite:hasIdentifier ?i .
  ?i datacite:usesIdentifierScheme ?scheme ; literal:hasLiteralValue ?value .
  OPTIONAL { ?scheme rdfs:label ?label }
}
"""

URLS = "SELECT ?r ?url WHERE { ?r a kgr:SourceRecord ; fabio:hasURL ?url }"


def _s(row, name: str) -> str:
    return term_text(row[name])


def store_records(oxi: Store) -> list[Record]:
    """Every record of the store, sorted by key."""
    nodes: dict[str, Author] = {}
    for row in run_query(oxi, AUTHORS):
        family, given, key = _s(row, "family"), _s(row, "given"), _s(row, "key")
        org = not given and " " in family and key == normalize_title(family)
        nodes[_s(row, "a").rsplit("/", 1)[-1]] = Author(
            _s(row, "name"), family, given, key, organization=org)
    authors = {_s(row, "r"): tuple(nodes[a] for a in _s(row, "list").split())
               for row in run_query(oxi, AUTHOR_LISTS)}
    ids: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in run_query(oxi, IDENTIFIERS):
        scheme = _s(row, "label") or _s(row, "scheme").removeprefix(DATACITE.iri)
        ids[_s(row, "r")].add((scheme, _s(row, "value")))
    urls: dict[str, list[str]] = defaultdict(list)
    for row in run_query(oxi, URLS):
        urls[_s(row, "r")].append(_s(row, "url"))
    out = []
    for row in run_query(oxi, RECORDS):
        r = _s(row, "r")
        year, av = _s(row, "year"), _s(row, "av")
        out.append(Record(
            _s(row, "source"), _s(row, "id"), title=_s(row, "title"),
            authors=authors.get(r, ()),
            year=int(year) if year else None, date=_s(row, "date") or None,
            venue=_s(row, "venue"), volume=_s(row, "volume"), issue=_s(row, "issue"),
            pages=_s(row, "pages"), abstract=_s(row, "abstract"), type=_s(row, "type"),
            identifiers=tuple(sorted(ids.get(r, ()))), urls=tuple(sorted(urls.get(r, ()))),
            arxiv_version=int(av) if av else None, origin=_s(row, "origin")))
    out.sort(key=lambda rec: rec.key)
    return out


def model_of(metadata: dict, settings: Settings) -> Model:
    """The weights a build scored with (``kg info``'s ``weights``); the
    hand-set weights for a level it does not name."""
    saved = metadata.get("weights") or {}
    hand = Model.hand_set(settings)
    by_field = saved.get("weights", {})
    weights = tuple(
        tuple(float(by_field.get(c.field, {}).get(lv.name, w)) for lv, w in zip(
            c.levels, ws, strict=True))
        for c, ws in zip(ALL_COMPARISONS, hand.weights, strict=True))
    return Model(weights, float(saved.get("prior", hand.prior)))


def settings_of(metadata: dict) -> Settings:
    import json

    return Settings.from_json(json.dumps(metadata.get("settings") or {}))


@dataclass
class StoredScorer:
    """The records of a store with the scorer of its build."""

    records: Sequence[Record]
    features: Sequence[Features]
    stats: TokenStats
    settings: Settings
    scorer: PairScorer
    position: dict[RecordKey, int]

    def score(self, a: RecordKey, b: RecordKey) -> tuple[float, tuple]:
        """The match probability and per-field evidence of a pair."""
        x, y = sorted((self.position[a], self.position[b]))
        pair = self.scorer.score_pairs([(x, y)])[0]
        return pair.score, self.scorer.explain(x, y)


def stored_scorer(oxi: Store, metadata: dict) -> StoredScorer:
    records = store_records(oxi)
    settings = settings_of(metadata)
    features = compute_features(records)
    stats = token_stats(features)
    features = without_title_word_authors(features, stats)
    aliases = frozenset((str(x), str(y)) for x, y in
                        (metadata.get("weights") or {}).get("venue aliases", ()))
    scorer = PairScorer(features, stats, model_of(metadata, settings),
                        clean_source_evidence(records, settings),
                        venue_aliases=aliases)
    return StoredScorer(records, features, stats, settings, scorer,
                        {r.key: i for i, r in enumerate(records)})
