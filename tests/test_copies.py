"""Identical copies (resolve.copies) and suspects of a cannot-link rule."""

from __future__ import annotations

from itertools import combinations

from conftest import make_record

from resolve.constraints import cannot_link_rule
from resolve.copies import identical_copies
from resolve.features import compute_features, token_stats
from resolve.pipeline import resolve_records
from resolve.settings import Settings

TITLE = "Attention is all you need"
AUTHORS = ["Ashish Vaswani", "Noam Shazeer"]


def _copies(recs, settings=None):
    feats = compute_features(recs)
    return identical_copies(recs, feats, token_stats(feats), settings or Settings())


def test_identical_records_are_one_work_with_a_pair_each():
    recs = [make_record(id=f"r{i}", title=TITLE, authors=AUTHORS, year=2017, venue="NeurIPS")
            for i in range(300)]
    reps, copies = _copies(recs)
    assert reps == [0] and copies == [(0, i) for i in range(1, 300)]
    res = resolve_records(recs, Settings())
    assert len(res.works) == 1
    assert res.candidates.total == 299
    assert res.candidates.per_rule["identical copies"] == 299


def test_content_that_says_too_little_is_no_copy():
    # "Editorial" in one journal and year, no pages: two editorials, not one.
    recs = [make_record(id=f"e{i}", title="Editorial", authors=["Ann Smith"], year=2010,
                        venue="Lancet") for i in range(3)]
    assert _copies(recs)[1] == []
    # ... but the same volume and first page is the same editorial
    recs = [make_record(id=f"e{i}", title="Editorial", year=2010, venue="Lancet", volume="3",
                        pages="11-12") for i in range(3)]
    assert _copies(recs)[1] == [(0, 1), (0, 2)]


def test_a_difference_in_any_compared_field_is_no_copy():
    base = dict(title=TITLE, authors=AUTHORS, year=2017, venue="NeurIPS")
    recs = [make_record(id="a", **base), make_record(id="b", **(base | {"year": 2018})),
            make_record(id="c", **(base | {"doi": "10.1234/x"})), make_record(id="d", **base)]
    assert _copies(recs) == ([0, 1, 2], [(0, 3)])


def test_records_of_a_clean_source_are_never_copies_of_each_other():
    base = dict(title=TITLE, authors=AUTHORS, year=2017, venue="NeurIPS", volume="30",
                pages="5998")
    recs = [make_record(source="a", id="a1", **base), make_record(source="a", id="a2", **base),
            make_record(source="b", id="b1", **base)]
    reps, copies = _copies(recs, Settings(clean_sources=("a", "b")))
    assert reps == [0, 1, 2] and copies == []
    assert _copies(recs)[1] == [(0, 1), (0, 2)]


def test_suspects_are_every_pair_the_rule_could_forbid():
    recs = [make_record(source="a" if i % 3 else "b", id=str(i), title=t, doi=d)
            for i, (t, d) in enumerate([
                (TITLE, "10.1234/a"), (TITLE, "10.1234/a"), (TITLE, "10.1234/b"),
                ("Erratum: " + TITLE, None), (TITLE, None), (TITLE, "10.48550/arxiv.1706.03762")])]
    feats = compute_features(recs)
    rule = cannot_link_rule(recs, feats, Settings(clean_sources=("a",)))
    members = tuple(range(len(recs)))
    forbidden = {(a, b) for a, b in combinations(members, 2) if rule(a, b, None)}
    assert forbidden
    assert forbidden <= set(rule.suspects(members))
    # copies of one record with one DOI: nothing to check
    copies = [make_record(id=str(i), title=TITLE, doi="10.1234/a") for i in range(50)]
    rule = cannot_link_rule(copies, compute_features(copies), Settings())
    assert rule.suspects(tuple(range(50))) == []
