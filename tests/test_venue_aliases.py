"""Venue aliases learnt from confident pairs (resolve.venues)."""

from __future__ import annotations

from conftest import features_and_stats, make_record

from resolve.comparisons import ALL_COMPARISONS, comparison_index
from resolve.pipeline import resolve_records
from resolve.scoring import compare_pairs
from resolve.settings import Settings
from resolve.venues import ALIAS, DIFFERENT, alias_key, apply_venue_aliases, learn_venue_aliases

VENUE = comparison_index("venue")
KIND = comparison_index("venue kind")
TITLES = [
    "Query optimization for parallel execution", "Mining association rules between sets",
    "Efficient similarity search in sequence databases", "Implementing data cubes efficiently",
    "Fast subsequence matching in time series", "Maintenance of materialized views",
    "Access path selection in a relational system", "The design of the postgres storage system",
]
AUTHORS = ["S Ganguly; W Hasan", "R Agrawal; T Imielinski", "R Agrawal; C Faloutsos",
           "V Harinarayan; A Rajaraman", "C Faloutsos; M Ranganathan", "A Gupta; I Mumick",
           "P Selinger; M Astrahan", "M Stonebraker; L Rowe"]


def _pairs(n: int, other_venue: str = "Proc. Int'l Conf. on Management of Data,"):
    records = [make_record(source="dblp", title=t, authors=a, venue="SIGMOD Conference",
                           year=1992 + k)
               for k, (t, a) in enumerate(zip(TITLES[:n], AUTHORS[:n], strict=True))]
    records += [make_record(source="scholar", title=t, authors=a.replace(";", ","),
                            venue=other_venue)
                for t, a in zip(TITLES[:n], AUTHORS[:n], strict=True)]
    feats, _ = features_and_stats(records)
    pairs = [(k, k + n) for k in range(n)]
    return records, feats, pairs, compare_pairs(feats, pairs)


def test_alias_key_drops_publisher_words_and_order() -> None:
    _, feats, _, _ = _pairs(1, "ACM SIGMOD Record,")
    assert alias_key(feats[1]) == "record sigmod"
    assert alias_key(feats[0]) == "sigmod"


def test_names_seen_together_in_confident_pairs_are_learnt() -> None:
    _, feats, pairs, levels = _pairs(8)
    assert set(levels[:, VENUE].tolist()) == {DIFFERENT}
    aliases = learn_venue_aliases(feats, pairs, levels)
    assert aliases == {("data management", "sigmod")}
    mapped = apply_venue_aliases(levels, pairs, feats, aliases)
    assert set(mapped[:, VENUE].tolist()) == {ALIAS}
    assert set(mapped[:, KIND].tolist()) == {-1}
    assert (levels[:, VENUE] == DIFFERENT).all()  # a new array: the input is kept


def test_too_few_pairs_learn_nothing() -> None:
    _, feats, pairs, levels = _pairs(4)
    assert learn_venue_aliases(feats, pairs, levels) == frozenset()


def test_pairs_whose_titles_differ_teach_nothing() -> None:
    _, feats, pairs, levels = _pairs(8)
    pairs = [(a, (b - 8 + 1) % 8 + 8) for a, b in pairs]  # each dblp record against another
    levels = compare_pairs(feats, pairs)
    assert learn_venue_aliases(feats, pairs, levels) == frozenset()


def test_stale_alias_levels_get_their_own_levels_back() -> None:
    _, feats, pairs, levels = _pairs(8)
    mapped = apply_venue_aliases(levels, pairs, feats, frozenset({("data management", "sigmod")}))
    back = apply_venue_aliases(mapped, pairs, feats, frozenset())
    assert (back == levels).all()


def test_resolution_learns_and_shows_the_alias() -> None:
    records, _, _, _ = _pairs(8)
    res = resolve_records(records, Settings(estimate_weights=False))
    assert res.estimation.venue_aliases == {("data management", "sigmod")}
    level = ALL_COMPARISONS[VENUE].levels[ALIAS].name
    scored = {(p.a, p.b): k for k, p in enumerate(res.scored)}
    assert res.levels[scored[(0, 8)], VENUE] == ALIAS
    assert len(res.works) == 8
    evidence = res.scorer.explain_row(0, 8, res.levels[scored[(0, 8)]])
    assert any(e.field == "venue" and e.level == level for e in evidence)


def test_a_pair_compared_again_gets_the_alias_level_too() -> None:
    """``kg explain`` and a scored pair's ``evidence`` compare the pair anew:
    they must show (and score) the level the build used, not "different"."""
    records, _, _, _ = _pairs(8)
    res = resolve_records(records, Settings(estimate_weights=False))
    level = ALL_COMPARISONS[VENUE].levels[ALIAS].name
    pair = next(p for p in res.scored if (p.a, p.b) == (0, 8))
    assert any(e.field == "venue" and e.level == level for e in pair.evidence)
    assert any(e.field == "venue" and e.level == level for e in res.scorer.explain(0, 8))
    assert res.scorer.score_pairs([(0, 8)])[0].score == pair.score


def test_explanations_weighed_at_once_equal_those_weighed_one_by_one() -> None:
    """A build explains thousands of decisions with the weights of all its
    pairs computed at once (Resolution.explain): the same evidence as one pair
    at a time."""
    records, _, _, _ = _pairs(8)
    res = resolve_records(records, Settings())
    pairs = [*res.scored, *res.clustering.completed_pairs]
    assert pairs
    for k, p in enumerate(pairs):
        assert res.explain(k) == res.scorer.explain_row(p.a, p.b, res.levels[k])
