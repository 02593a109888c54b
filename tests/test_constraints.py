"""Tests for the hard constraints (resolve.constraints) and how clustering
applies them (resolve.cluster.split_constrained), on hand-made records run
through the whole pipeline and on random graphs; and for the scoring levels
they sit next to (volume and pages, venues, shared DOIs)."""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import pytest
from conftest import make_record
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from resolve.clean_sources import clean_source_evidence, clear_best_pairs
from resolve.cluster import cluster, split_constrained
from resolve.comparisons import (
    ALL_COMPARISONS,
    Comparison,
    place_level,
    venue_kind_level,
    venue_level,
)
from resolve.constraints import (
    cannot_link_rule,
    doi_conflict,
    notice_conflict,
)
from resolve.features import compute_features, features_of
from resolve.pipeline import resolve_records
from resolve.scoring import score_pair
from resolve.settings import Settings
from resolve.similarity import abbreviates
from resolve.types import FieldEvidence, Record, ScoredPair

HE = ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
RESNET = "Deep residual learning for image recognition"
CLEAN = Settings(clean_sources=("a", "b"))


def _works(records: list[Record], settings: Settings) -> set[frozenset[str]]:
    """The works of a resolution as sets of record ids."""
    res = resolve_records(records, settings)
    return {frozenset(records[i].record_id for i in w.members) for w in res.works}


def _ids(*groups: str) -> set[frozenset[str]]:
    return {frozenset(g.split()) for g in groups}


# ------------------------------------------------------------- clean sources


def test_two_records_of_a_clean_source_never_join() -> None:
    a1 = make_record(source="a", id="a1", title=RESNET, authors=HE, year=2016)
    a2 = make_record(source="a", id="a2", title=RESNET, authors=HE, year=2016)
    # Without the declaration they are one work (the score is high) ...
    res = resolve_records([a1, a2], Settings())
    assert res.scored[0].score > 0.99
    assert _works([a1, a2], Settings()) == _ids("a1 a2")
    # ... declared clean, two works, and the clustering says a constraint split them.
    res = resolve_records([a1, a2], CLEAN)
    assert {frozenset(w.members) for w in res.works} == {frozenset({0}), frozenset({1})}
    assert res.clustering.constrained == [((0, 1), [(0,), (1,)])]


def test_only_the_declared_source_is_constrained() -> None:
    c1 = make_record(source="c", id="c1", title=RESNET, authors=HE, year=2016)
    c2 = make_record(source="c", id="c2", title=RESNET, authors=HE, year=2016)
    assert _works([c1, c2], CLEAN) == _ids("c1 c2")


def test_one_to_one_link_picks_the_best_partner() -> None:
    # a2 is as good a title/author match for b1 as a1 but a year off; a1 and
    # a2 are one clean source, so b1 can join only one: the better one.
    a1 = make_record(source="a", id="a1", title=RESNET, authors=HE, year=2016)
    a2 = make_record(source="a", id="a2", title=RESNET, authors=HE, year=2015)
    b1 = make_record(source="b", id="b1", title=RESNET, authors=HE, year=2016)
    res = resolve_records([a1, a2, b1], CLEAN)
    scores = {(p.a, p.b): p.score for p in res.scored}
    assert scores[(1, 2)] > CLEAN.match_threshold  # a2-b1 would be a match alone
    assert scores[(0, 2)] > scores[(1, 2)]
    assert _works([a1, a2, b1], CLEAN) == _ids("a1 b1", "a2")
    # The order of the input does not change the choice.
    assert _works([b1, a2, a1], CLEAN) == _ids("a1 b1", "a2")


def test_recurring_column_titles_tie_and_stay_unlinked() -> None:
    # "Book review column" twice in one year on each side, no authors: which
    # a-record goes with which b-record is a guess.
    col = [make_record(source=s, id=f"{s}{i}", title="Book review column", year=2005)
           for s in "ab" for i in (1, 2)]
    res = resolve_records(col, CLEAN)
    cross = [p.score for p in res.scored if col[p.a].source != col[p.b].source]
    assert len(cross) == 4 and len(set(cross)) == 1  # four equally good partners
    assert cross[0] > CLEAN.match_threshold
    assert _works(col, CLEAN) == _ids("a1", "a2", "b1", "b2")


def test_one_partner_on_each_side_is_no_tie() -> None:
    a1 = make_record(source="a", id="a1", title="Book review column", year=2005)
    b1 = make_record(source="b", id="b1", title="Book review column", year=2005)
    assert _works([a1, b1], CLEAN) == _ids("a1 b1")


def test_two_equal_partners_of_one_record_leave_it_alone() -> None:
    a1 = make_record(source="a", id="a1", title="Book review column", year=2005)
    a2 = make_record(source="a", id="a2", title="Book review column", year=2005)
    b1 = make_record(source="b", id="b1", title="Book review column", year=2005)
    assert _works([a1, a2, b1], CLEAN) == _ids("a1", "a2", "b1")


def test_clean_source_evidence_only_across_two_clean_sources() -> None:
    recs = [make_record(source=s, id=f"{s}{i}", title=RESNET) for s, i in
            (("a", 1), ("a", 2), ("b", 1), ("c", 1))]
    extra = clean_source_evidence(recs, Settings(clean_sources=("a", "b"),
                                                 clean_source_bonus=3.5))
    assert extra is not None
    bonus = FieldEvidence("clean sources", "one record of each", None, 3.5)
    assert extra(0, 2) == bonus
    assert extra(2, 1) == bonus
    assert extra(0, 1) is None  # same clean source
    assert extra(0, 3) is None  # c is not clean
    assert extra(2, 3) is None
    # One clean source (or none) links nothing to anything: no evidence.
    assert clean_source_evidence(recs, Settings(clean_sources=("a",))) is None
    assert clean_source_evidence(recs, Settings()) is None


def test_pipeline_adds_clean_source_evidence_to_cross_pairs_only() -> None:
    recs = [make_record(source=s, id=f"{s}1", title=RESNET, authors=HE, year=2016)
            for s in ("a", "b", "c")]
    res = resolve_records(recs, CLEAN)
    fields = {(recs[p.a].source, recs[p.b].source): [e.field for e in p.evidence]
              for p in res.scored}
    assert set(fields) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert fields[("a", "b")].count("clean sources") == 1
    assert "clean sources" not in fields[("a", "c")]
    assert "clean sources" not in fields[("b", "c")]
    by_pair = {(recs[p.a].source, recs[p.b].source): p.score for p in res.scored}
    assert by_pair[("a", "b")] > by_pair[("a", "c")]


def test_clear_best_pairs_are_mutual_and_clear() -> None:
    recs = [make_record(source=s, id=i, title=RESNET)
            for s, i in (("a", "a1"), ("a", "a2"), ("a", "a3"), ("b", "b1"), ("b", "b2"),
                         ("b", "b3"), ("c", "c1"), ("a", "a4"), ("b", "b4"), ("a", "a5"))]
    at = {r.record_id: k for k, r in enumerate(recs)}

    def pair(x: str, y: str, score: float) -> ScoredPair:
        a, b = sorted((at[x], at[y]))
        return ScoredPair(a, b, score)

    scored = [
        pair("a1", "b1", 0.3),   # a1's only candidate, but b1 has a close rival:
        pair("a2", "b1", 0.25),  # odds 3/7 against 1/3, under twice as much
        pair("a2", "b2", 0.2),   # a2's best is b1 anyway
        pair("a3", "b3", 0.1),   # alone on both sides: clear
        pair("a1", "a2", 0.9),   # one source: no say
        pair("a3", "c1", 0.5),   # c is not clean: no say
        pair("a4", "b4", 0.2),   # b4's runner-up a5 has under half its odds
        pair("a5", "b4", 0.01),
    ]
    found = clear_best_pairs(recs, scored, CLEAN)
    assert {(recs[a].record_id, recs[b].record_id) for a, b in found} == {
        ("a3", "b3"), ("a4", "b4")}
    assert clear_best_pairs(recs, scored, Settings(clean_sources=("a",))) == set()


def test_clear_best_pairs_come_in_rounds() -> None:
    """A record whose runner-up is close no longer counts it as a rival once
    that rival is paired clearly with another record."""
    recs = [make_record(source=s, id=i, title=RESNET)
            for s, i in (("a", "a1"), ("a", "a2"), ("b", "b1"), ("b", "b2"))]
    scored = [
        ScoredPair(0, 2, 0.99),  # a1-b1: each other's clear best
        ScoredPair(1, 2, 0.9),   # a2's best is b1 (taken by a1 in round one)
        ScoredPair(1, 3, 0.8),   # then b2, close behind: clear once b1 is out
        ScoredPair(0, 3, 0.1),
    ]
    assert clear_best_pairs(recs, scored, CLEAN) == {(0, 2), (1, 3)}
    # Without the first round's pair there is no second round: a tie stays one.
    tied = [ScoredPair(0, 2, 0.9), ScoredPair(1, 2, 0.9), ScoredPair(1, 3, 0.8)]
    assert clear_best_pairs(recs, tied, CLEAN) == set()


def test_each_others_clear_best_across_clean_sources_is_merged() -> None:
    """A typo in the title ("tumble" for "Tunable") and another name for the
    venue: not enough alone, but across two clean tables the pair is each
    record's only candidate, which clean_best_bonus counts."""
    authors = ["Aristides Gionis", "Dimitrios Gunopulos", "Nick Koudas"]
    recs = [make_record(source="a", id="a1", title="Efficient and tumble similar set retrieval",
                        authors=authors, year=2001, venue="Conference on Management of Data"),
            make_record(source="b", id="b1", title="Efficient and Tunable Similar Set Retrieval",
                        authors=authors, year=2001, venue="SIGMOD Conference")]
    assert _works(recs, CLEAN) == _ids("a1 b1")
    [p] = resolve_records(recs, CLEAN).scored
    assert ("clean sources", "each other's clear best") in [(e.field, e.level)
                                                            for e in p.evidence]
    assert _works(recs, Settings(clean_sources=("a", "b"), clean_best_bonus=0.0)) \
        == _ids("a1", "b1")
    # A second copy on one side is a rival as good: no clear best, no merge.
    twin = make_record(source="b", id="b2", title="Efficient and Tunable Similar Set Retrieval",
                       authors=authors, year=2001, venue="SIGMOD Conference")
    assert _works([*recs, twin], CLEAN) == _ids("a1", "b1", "b2")


# ----------------------------------------------------------------- notices


@pytest.mark.parametrize("notice_title", [
    "Erratum: " + RESNET,
    RESNET + " AUTHORS REPLY",
])
def test_a_notice_never_joins_its_paper(notice_title: str) -> None:
    paper = make_record(source="x", id="paper", title=RESNET, authors=HE, year=2016)
    notice = make_record(source="y", id="notice", title=notice_title, authors=HE, year=2016)
    assert features_of(notice).notice
    assert _works([paper, notice], Settings()) == _ids("paper", "notice")
    # Even a near-certain score does not join them in clustering.
    recs = [paper, notice]
    rule = cannot_link_rule(recs, compute_features(recs), Settings())
    assert rule(0, 1, 0.9999) is True
    result = cluster(2, [ScoredPair(0, 1, 0.9999)], Settings(), cannot_link=rule)
    assert result.clusters == [(0,), (1,)]
    assert result.constrained == [((0, 1), [(0,), (1,)])]


def test_two_copies_of_a_notice_may_join() -> None:
    e1 = make_record(source="x", id="e1", title="Erratum: " + RESNET, authors=HE, year=2016)
    e2 = make_record(source="y", id="e2", title="Erratum: " + RESNET, authors=HE, year=2016)
    f1, f2 = features_of(e1), features_of(e2)
    assert not notice_conflict(f1, f2)
    assert _works([e1, e2], Settings()) == _ids("e1 e2")


def test_notice_conflict_is_one_sided() -> None:
    paper = features_of(make_record(title=RESNET))
    erratum = features_of(make_record(title="Erratum: " + RESNET))
    reply = features_of(make_record(title=RESNET + " AUTHORS REPLY"))
    assert notice_conflict(paper, erratum) and notice_conflict(erratum, paper)
    assert notice_conflict(paper, reply)
    assert not notice_conflict(paper, paper)


# -------------------------------------------------------------------- DOIs

PLACE = dict(title=RESNET, authors=HE, year=2016, venue="CVPR", volume="1", pages="770-778")


def test_doi_conflict_kinds() -> None:
    def f(*dois: str):
        return features_of(make_record(title=RESNET, doi=list(dois)))

    pub1, pub2 = f("10.1109/cvpr.2016.90"), f("10.1109/cvpr.2016.91")
    arxiv, biorxiv = f("10.48550/arXiv.1512.03385"), f("10.1101/2020.01.01.123456")
    nodoi = features_of(make_record(title=RESNET))
    assert doi_conflict(pub1, pub2)
    assert not doi_conflict(pub1, pub1)
    assert not doi_conflict(pub1, arxiv)  # preprint vs publisher: no conflict
    assert not doi_conflict(arxiv, pub2)
    assert doi_conflict(arxiv, biorxiv)  # two preprint DOIs that differ
    assert not doi_conflict(pub1, nodoi)
    # One shared DOI settles it, whatever else either carries.
    assert not doi_conflict(f("10.1109/cvpr.2016.90", "10.5555/x"), pub1)


# The same work without its pages: not the same citation as PLACE.
NO_PAGES = {k: v for k, v in PLACE.items() if k != "pages"}


def test_different_publisher_dois_keep_records_apart_below_override() -> None:
    d1 = make_record(source="x", id="d1", doi="10.1109/cvpr.2016.90", **PLACE)
    d2 = make_record(source="y", id="d2", doi="10.1109/cvpr.2016.91", **NO_PAGES)
    res = resolve_records([d1, d2], Settings())
    score = res.scored[0].score
    assert Settings().match_threshold < score < Settings().doi_conflict_override
    assert _works([d1, d2], Settings()) == _ids("d1", "d2")
    # An override the pair's score reaches lets the rest of the evidence win.
    assert _works([d1, d2], Settings(doi_conflict_override=score)) == _ids("d1 d2")
    assert _works([d1, d2], Settings(doi_conflict_override=score + 1e-6)) == _ids("d1", "d2")


def test_overwhelming_evidence_overrides_a_doi_conflict() -> None:
    d1 = make_record(source="x", id="d1", doi="10.1109/cvpr.2016.90", pmid="26180094", **PLACE)
    d2 = make_record(source="y", id="d2", doi="10.1109/cvpr.2016.91", pmid="26180094",
                     **NO_PAGES)
    res = resolve_records([d1, d2], Settings())
    assert res.scored[0].score >= Settings().doi_conflict_override
    assert _works([d1, d2], Settings()) == _ids("d1 d2")


def test_two_dois_on_one_citation_are_one_article() -> None:
    # Springer gave Basic Res Cardiol 92:417 a new DOI; exports carry either.
    title = "Proarrhythmic effects of ischemic preconditioning in anesthetized pigs"
    old = make_record(source="x", id="old", doi="10.1007/bf00796216", venue="Basic Res Cardiol",
                      title=title, year=1997, volume="92", pages="417-25")
    new = make_record(source="y", id="new", doi="10.1007/s003950050052",
                      venue="Basic Research in Cardiology",
                      title=title, year=1997, volume="92", pages="417-425")
    fo, fn = features_of(old), features_of(new)
    assert not doi_conflict(fo, fn)
    assert _level("doi", old, new) == "differ, same citation"
    assert _works([old, new], Settings()) == _ids("old new")
    # Another first page is another article, whatever the title says.
    other = make_record(source="y", id="other", doi="10.1007/s003950050052",
                        venue="Basic Res Cardiol", title=old.title, year=1997, volume="92",
                        pages="426-434")
    assert doi_conflict(fo, features_of(other))


def test_preprint_doi_against_publisher_doi_is_no_conflict() -> None:
    p = make_record(source="arxiv", id="p", doi="10.48550/arXiv.1512.03385",
                    title=RESNET, authors=HE, year=2016)
    q = make_record(source="crossref", id="q", doi="10.1109/cvpr.2016.90",
                    title=RESNET, authors=HE, year=2016)
    recs = [p, q]
    rule = cannot_link_rule(recs, compute_features(recs), Settings())
    assert rule(0, 1, 0.6) is False
    assert rule(0, 1, None) is False
    res = resolve_records(recs, Settings())
    doi_ev = [e for e in res.scored[0].evidence if e.field == "doi"]
    assert [(e.level, e.weight) for e in doi_ev] == [("preprint vs published", 0.0)]
    assert _works(recs, Settings()) == _ids("p q")


def test_doi_conflict_without_a_direct_score_is_banned() -> None:
    # d1 and d2 are joined only through a record without a DOI: the pair was
    # never scored, so the override cannot apply.
    recs = [make_record(id="d1", doi="10.1109/cvpr.2016.90", **PLACE),
            make_record(id="d2", doi="10.1109/cvpr.2016.91", **NO_PAGES),
            make_record(id="n", **PLACE)]
    rule = cannot_link_rule(recs, compute_features(recs), Settings())
    assert rule(0, 1, None) is True
    assert rule(0, 1, 0.95) is False
    assert rule(0, 2, None) is False
    scored = [ScoredPair(0, 2, 0.99), ScoredPair(1, 2, 0.98)]
    result = cluster(3, scored, Settings(), cannot_link=rule)
    assert result.clusters == [(0, 2), (1,)]  # the stronger edge wins


# ------------------------------------------------------- split_constrained


def _graph(members, edges: dict[tuple[int, int], float]) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(members)
    for (a, b), s in edges.items():
        g.add_edge(a, b, score=s)
    return g


def test_split_constrained_without_bans_keeps_the_cluster() -> None:
    members = (0, 1, 2)
    g = _graph(members, {(0, 1): 0.9, (1, 2): 0.8})
    assert split_constrained(members, g, lambda a, b, s: False) == [members]


def test_split_constrained_strongest_edges_first() -> None:
    # 0 and 3 cannot link; 1 goes with 0 (0.99 > 0.7), 2 with 3.
    members = (0, 1, 2, 3)
    g = _graph(members, {(0, 1): 0.99, (1, 3): 0.7, (2, 3): 0.95, (0, 2): 0.6})
    ban = {(0, 3)}
    parts = split_constrained(members, g, lambda a, b, s: (a, b) in ban)
    assert parts == [(0, 1), (2, 3)]


def test_split_constrained_a_partner_already_matched_is_no_rival() -> None:
    # 0, 1 one clean source, 2, 3 the other. 0-2 is the best edge; 1 is as
    # good for 3 as 2 is, but 2 is taken by 0, which 3 can never join.
    members = (0, 1, 2, 3)
    g = _graph(members, {(0, 2): 0.99, (0, 3): 0.98, (1, 3): 0.9, (1, 2): 0.9})
    ban = {(0, 1), (2, 3)}
    parts = split_constrained(members, g, lambda a, b, s: (a, b) in ban)
    assert parts == [(0, 2), (1, 3)]
    # Both free and equally good: a tie, nothing is joined on a guess.
    g = _graph(members, {(0, 2): 0.9, (0, 3): 0.9, (1, 3): 0.9, (1, 2): 0.9})
    parts = split_constrained(members, g, lambda a, b, s: (a, b) in ban)
    assert parts == [(0,), (1,), (2,), (3,)]


@st.composite
def _instances(draw):
    n = draw(st.integers(min_value=2, max_value=8))
    pairs = list(combinations(range(n), 2))
    # Few distinct scores, so that ties happen.
    edges = draw(st.dictionaries(st.sampled_from(pairs),
                                 st.sampled_from([0.55, 0.7, 0.7, 0.9, 0.99]),
                                 min_size=1, max_size=len(pairs)))
    banned = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs)))
    return n, edges, banned


@hsettings(max_examples=50, deadline=None)
@given(_instances())
def test_split_constrained_property(instance) -> None:
    n, edges, banned = instance
    members = tuple(range(n))
    g = _graph(members, edges)
    seen: list[tuple[int, int, float | None]] = []

    def cannot_link(a: int, b: int, score: float | None) -> bool:
        seen.append((a, b, score))
        return (min(a, b), max(a, b)) in banned

    parts = split_constrained(members, g, cannot_link)
    # A partition of the members, each part sorted, the list sorted.
    assert sorted(i for p in parts for i in p) == list(members)
    assert all(list(p) == sorted(p) for p in parts)
    assert parts == sorted(parts)
    # No part holds a banned pair.
    for p in parts:
        assert not any(pair in banned for pair in combinations(p, 2)), (p, banned)
    if banned:
        # Parts are joined along edges only: each is connected in the graph.
        for p in parts:
            assert nx.is_connected(g.subgraph(p)), (p, edges)
    else:
        assert parts == [members]
    # The rule is asked with the pair's score when it was scored, else None.
    for a, b, score in seen:
        assert score == edges.get((min(a, b), max(a, b)))


# ------------------------------------------------ scoring: places, venues, DOIs


def _comparison(field: str) -> Comparison:
    return next(c for c in ALL_COMPARISONS if c.field == field)


def _level(field: str, a: Record, b: Record) -> str | None:
    """The name of the level of ``field`` that applies (None: missing)."""
    comp = _comparison(field)
    fa, fb = features_of(a), features_of(b)
    k, _ = comp.level_of(fa, fb)
    k_back, _ = comp.level_of(fb, fa)
    assert k == k_back  # symmetric
    return None if k < 0 else comp.levels[k].name


@pytest.mark.parametrize(("a", "b", "similarity", "level"), [
    ({"volume": "12", "pages": "100-110"}, {"volume": "12", "pages": "100-111"},
     1.0, "both same"),
    ({"volume": "12", "pages": "100-110"}, {"volume": "12"}, 0.8, "same, other missing"),
    ({"pages": "100-110"}, {"volume": "12", "pages": "100"}, 0.8, "same, other missing"),
    ({"volume": "12", "pages": "100-110"}, {"volume": "12", "pages": "200-210"},
     0.5, "one differs"),
    ({"volume": "12", "pages": "100-110"}, {"volume": "13", "pages": "100-110"},
     0.5, "one differs"),
    ({"volume": "12", "pages": "100-110"}, {"volume": "13"}, 0.3, "differs, other missing"),
    ({"pages": "100-110"}, {"pages": "S1-S2"}, 0.3, "differs, other missing"),
    # (No venue or year: whatever "same journal and year" refinement the
    # levels carry does not apply.)
    ({"volume": "12", "pages": "100-110"}, {"volume": "13", "pages": "200-210"},
     "< 0.3", "both differ"),
    ({"volume": "12"}, {"pages": "100-110"}, None, None),
    ({}, {"volume": "12", "pages": "100-110"}, None, None),
])
def test_place_similarity_levels(a: dict, b: dict, similarity, level) -> None:
    ra, rb = make_record(title=RESNET, **a), make_record(title=RESNET, **b)
    fa, fb = features_of(ra), features_of(rb)
    comp = _comparison("volume and pages")
    shown = comp.level_of(fa, fb)[1], comp.level_of(fb, fa)[1]
    if similarity == "< 0.3":
        assert shown[0] == shown[1] and 0.0 <= shown[0] < 0.3
    else:
        assert shown == (similarity, similarity)
    assert place_level(fa, fb) == place_level(fb, fa) == level
    assert _level("volume and pages", ra, rb) == level


def test_both_places_differing_outweighs_agreeing_title_and_authors() -> None:
    # A conference abstract and the full article: same title, authors, year.
    kw = dict(title=RESNET, authors=HE, year=2016, venue="Circulation")
    abstract = make_record(id="abs", volume="134", pages="A123", **kw)
    article = make_record(id="art", volume="135", pages="770-778", **kw)
    copy = make_record(id="copy", volume="135", pages="770-778", **kw)
    assert _works([abstract, article, copy], Settings()) == _ids("abs", "art copy")


def testabbreviates() -> None:
    assert abbreviates("j am coll cardiol".split(),
                        "journal of the american college of cardiology".split())
    assert abbreviates("am coll cardiol".split(), "american college cardiology".split())
    # The first word must be covered, and the order kept.
    assert not abbreviates("am coll".split(), "journal american college".split())
    assert not abbreviates("coll am".split(), "american college".split())
    assert not abbreviates("am cardiol coll".split(), "american college cardiology".split())
    assert not abbreviates("am coll cardiol x".split(), "american college cardiology".split())


@pytest.mark.parametrize(("v1", "v2", "level"), [
    ("J Am Coll Cardiol", "Journal of the American College of Cardiology", "abbreviated"),
    ("J. Am. Coll. Cardiol.", "Journal of the American College of Cardiology", "abbreviated"),
    ("Circulation", "Circulation. Conference: American Heart Association Scientific Sessions",
     "same"),
    ("Neural Computation", "Neural Computation", "same"),
    ("Neural Computation", "Machine Learning", "different"),
    # an acronym of the full name's words, in either order
    ("VLDB", "Very Large Data Bases", "abbreviated"),
    ("Very Large Data Bases", "VLDB", "abbreviated"),
    ("VLDB", "Very Large Databases", "different"),  # three words, four letters
    ("DB", "Data Bases", "different"),  # two letters say too little
])
def test_venue_levels(v1: str, v2: str, level: str) -> None:
    a, b = make_record(title=RESNET, venue=v1), make_record(title=RESNET, venue=v2)
    assert _level("venue", a, b) == level


def test_venue_abbreviation_similarity_is_compatible() -> None:
    a = features_of(make_record(title=RESNET, venue="J Am Coll Cardiol"))
    b = features_of(make_record(title=RESNET, venue="Journal of the American College of "
                                                    "Cardiology"))
    assert venue_level(a, b) == "abbreviated"
    c = features_of(make_record(title=RESNET, venue="American Journal of Cardiology"))
    different = venue_level(a, c)  # "am coll" is no "american cardiology"
    assert isinstance(different, float) and different < 0.8


def test_conference_supplement_is_the_same_container_not_a_kind_conflict() -> None:
    journal = make_record(title=RESNET, venue="Circulation", type="journal-article", year=2016)
    supplement = make_record(title=RESNET, year=2017, venue="Circulation. Conference: "
                             "American Heart Association Scientific Sessions 2016")
    fj, fs = features_of(journal), features_of(supplement)
    assert fs.venue_kind == "proceedings" and fj.venue_kind == "journal"
    assert venue_level(fj, fs) == "same"
    assert venue_kind_level(fj, fs) == "same"
    assert _level("venue kind", journal, supplement) == "same"


def test_shared_issn_is_the_same_venue() -> None:
    a = make_record(title=RESNET, venue="Circ", issn="0009-7322")
    b = make_record(title=RESNET, venue="Circulation (Baltimore)", issn="0009-7322")
    other = make_record(title=RESNET, venue="Circulation (Baltimore)", issn="1524-4539")
    assert _level("venue", a, b) == "same"
    assert _level("venue", a, other) != "same"
    # Container ids are never evidence of their own.
    fa, fb = features_of(a), features_of(b)
    _, evidence = score_pair(fa, fb, Settings())
    assert "issn" not in {e.field for e in evidence}


def test_same_name_different_kind_is_a_different_venue() -> None:
    conf = features_of(make_record(title=RESNET, venue="VLDB", year=2010))
    journal = features_of(make_record(title=RESNET, venue="VLDB J.", year=2012))
    assert venue_kind_level(conf, journal) == "journal vs proceedings"
    assert venue_level(conf, journal) == 0.1  # the lowest "different"


def test_other_venue_and_other_place_is_another_publication() -> None:
    # A conference abstract and the article of the same title and authors:
    # the venue differs, and so does the volume both carry.
    article = make_record(title=RESNET, venue="Journal of Affective Disorders", year=2014,
                          volume="152", pages="12-20")
    abstract = make_record(title=RESNET, venue="Biological Psychiatry", year=2014,
                           volume="75", pages="S12")
    assert _level("venue", article, abstract) == "different, and so is the volume or page"
    # A venue spelt another way, in the same volume and pages, is no such thing.
    respelt = make_record(title=RESNET, venue="J Affect Disord Suppl", year=2014,
                          volume="152", pages="12")
    assert _level("venue", article, respelt) != "different, and so is the volume or page"
    # Without a volume or page on both sides, a different venue is just that.
    bare = make_record(title=RESNET, venue="Biological Psychiatry", year=2014)
    assert _level("venue", article, bare) == "different"


@pytest.mark.parametrize(("t1", "t2", "level", "weight"), [
    (RESNET, RESNET + ".", "same", 14.0),
    (RESNET, "Abstracts of the 2016 Annual Meeting", "same, titles differ", 3.0),
    (RESNET, "", "same", 14.0),  # no title to disagree with
])
def test_shared_doi_levels(t1: str, t2: str, level: str, weight: float) -> None:
    a = make_record(title=t1, doi="10.1234/abc")
    b = make_record(title=t2, doi="https://doi.org/10.1234/ABC")
    assert _level("doi", a, b) == level
    comp = _comparison("doi")
    k, sim = comp.level_of(features_of(a), features_of(b))
    assert comp.evidence(k, sim).weight == weight


def test_doi_level_names_of_conflicts() -> None:
    pub = make_record(title=RESNET, doi="10.1109/cvpr.2016.90")
    assert _level("doi", pub, make_record(title=RESNET, doi="10.1109/cvpr.2016.91")) == "conflict"
    assert _level("doi", pub, make_record(title=RESNET, doi="10.48550/arXiv.1512.03385")) == (
        "preprint vs published")
    assert _level("doi", pub, make_record(title=RESNET)) is None
