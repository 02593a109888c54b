"""Grouping a work's records into versions (resolve.versions), as a pure function."""

from __future__ import annotations

import random

from conftest import make_record
from hypothesis import given, settings
from hypothesis import strategies as st

from resolve.types import Record, is_preprint_doi
from resolve.versions import (
    BASES,
    Version,
    looks_preprint,
    published_dois,
    revisions,
    version_groups,
    versions,
)


def keys(records, groups) -> set[frozenset]:
    return {frozenset(records[i].key for i in g) for g in groups}


def group_of(records, members, source, rid) -> set[tuple[str, str]]:
    for g in version_groups(records, members):
        ks = {records[i].key for i in g}
        if (source, rid) in ks:
            return ks
    raise AssertionError((source, rid))


# ------------------------------------------------------------ the example


BERT = [
    make_record("arxiv", id="1810.04805v2", arxiv="1810.04805v2", type="preprint",
                url="https://arxiv.org/abs/1810.04805v2"),
    make_record("crossref", id="10.18653/v1/n19-1423", doi="10.18653/v1/n19-1423"),
    make_record("openalex", id="W2", doi="https://doi.org/10.18653/v1/n19-1423",
                url="https://aclanthology.org/N19-1423"),
    make_record("semantic_scholar", id="s2", doi="10.18653/v1/N19-1423", arxiv="1810.04805"),
    make_record("dblp", id="corr", doi="10.48550/arXiv.1810.04805",
                url="http://arxiv.org/abs/1810.04805"),
    make_record("scholar_archive", id="sa",
                url="https://web.archive.org/web/2019/https://arxiv.org/pdf/1810.04805v1.pdf"),
    make_record("zotero", id="z", url="https://arxiv.org/pdf/1810.04805v2", venue="NAACL"),
]


def test_journal_records_of_one_doi_are_one_version():
    g = group_of(BERT, range(len(BERT)), "crossref", "10.18653/v1/n19-1423")
    # Semantic Scholar lists the arXiv id too, but carries the journal DOI.
    assert g == {("crossref", "10.18653/v1/n19-1423"), ("openalex", "W2"),
                 ("semantic_scholar", "s2")}


def test_preprint_and_its_copies_by_arxiv_version():
    members = range(len(BERT))
    assert group_of(BERT, members, "arxiv", "1810.04805v2") == {
        ("arxiv", "1810.04805v2"), ("zotero", "z")}
    # the archived PDF is of v1: another version
    assert group_of(BERT, members, "scholar_archive", "sa") == {("scholar_archive", "sa")}
    # the unversioned arXiv DOI cannot tell v1 from v2: a version of its own
    assert group_of(BERT, members, "dblp", "corr") == {("dblp", "corr")}


def test_unversioned_arxiv_joins_the_only_versioned_group():
    recs = [BERT[0], BERT[4], BERT[1]]
    assert group_of(recs, range(3), "dblp", "corr") == {("arxiv", "1810.04805v2"),
                                                         ("dblp", "corr")}


def test_archived_copy_of_the_arxiv_pdf_is_the_same_version():
    arx = make_record("arxiv", id="1706.03762v5", arxiv="1706.03762v5")
    sa = make_record("scholar_archive", id="sa-1",
                     url="https://web.archive.org/web/2017/https://arxiv.org/pdf/1706.03762v5.pdf")
    vs = versions([arx, sa], [0, 1])
    assert [v.members for v in vs] == [(0, 1)]
    assert vs[0].basis == "arxiv" and vs[0].arxiv_version == 5 and vs[0].preprint


def test_archived_copy_of_a_publisher_pdf_joins_by_url():
    pdf = "http://papers.nips.cc/paper/5423-generative-adversarial-nets.pdf"
    oa = make_record("openalex", id="W6", url=pdf)
    sa = make_record("scholar_archive", id="sa-7", url="https://web.archive.org/web/2016/" + pdf)
    arx = make_record("arxiv", id="1406.2661v1", arxiv="1406.2661v1")
    vs = versions([oa, sa, arx], [0, 1, 2])
    assert [(v.members, v.basis) for v in vs] == [((0, 1), "url"), ((2,), "arxiv")]
    assert revisions(vs) == []  # a URL says nothing about which kind of version it is


def test_pubmed_record_joins_the_doi_version_through_its_pmid():
    a = make_record("crossref", id="a", doi="10.1000/x", pmid="123")
    b = make_record("pubmed", id="b", pmid="123")
    c = make_record("crossref", id="c", doi="10.1000/y")
    vs = versions([a, b, c], [0, 1, 2])
    assert [(v.members, v.basis) for v in vs] == [((0, 1), "doi"), ((2,), "doi")]


def test_no_evidence_joins_the_only_version_of_the_same_kind():
    journal = make_record("crossref", id="j", doi="10.1162/neco.1997.9.8.1735",
                          venue="Neural Computation")
    plain = make_record("zotero", id="z", venue="Neural computation")
    pre = make_record("zotero", id="p", venue="arXiv preprint arXiv:1412.6980")
    assert version_groups([journal, plain], [0, 1]) == [(0, 1)]
    assert version_groups([journal, pre], [0, 1]) == [(0,), (1,)]
    arx = make_record("arxiv", id="1412.6980v9", arxiv="1412.6980v9")
    assert version_groups([arx, pre], [0, 1]) == [(0, 1)]
    assert version_groups([arx, plain], [0, 1]) == [(0,), (1,)]


def test_no_evidence_and_several_versions_stays_apart():
    recs = [BERT[0], BERT[1], make_record("zotero", id="q", venue="NAACL")]
    assert version_groups(recs, [0, 1, 2]) == [(0,), (1,), (2,)]


def test_no_evidence_at_all_makes_no_claim():
    a = make_record("dblp", id="a", title="x")
    b = make_record("acm", id="b", title="x")
    vs = versions([a, b], [0, 1])
    assert [(v.members, v.basis) for v in vs] == [((0,), "none"), ((1,), "none")]


def test_revisions_journal_revises_preprints_and_arxiv_chain():
    vs = versions(BERT, range(len(BERT)))
    by_member = {BERT[v.members[0]].key: i for i, v in enumerate(vs)}
    j = by_member[("crossref", "10.18653/v1/n19-1423")]
    v2 = by_member[("arxiv", "1810.04805v2")]
    v1 = by_member[("scholar_archive", "sa")]
    unversioned = by_member[("dblp", "corr")]
    assert set(revisions(vs)) == {(j, v2), (j, v1), (j, unversioned), (v2, v1)}


def test_version_flags_and_bases():
    assert Version((0,), "doi").published and not Version((0,), "doi").preprint
    assert Version((0,), "arxiv").preprint
    assert not Version((0,), "url").preprint and not Version((0,), "url").published
    assert set(BASES) == {"doi", "pubmed", "arxiv", "preprint-doi", "url", "none"}


def test_looks_preprint():
    assert looks_preprint(make_record(venue="bioRxiv"))
    assert looks_preprint(make_record(type="posted-content"))
    assert looks_preprint(make_record(venue="CoRR"))
    assert not looks_preprint(make_record(venue="Neural Computation", type="article"))


def test_only_members_are_grouped():
    assert version_groups(BERT, [1, 2]) == [(1, 2)]
    assert version_groups(BERT, []) == []


# ----------------------------------------------------------- properties


_PUB = ["10.1000/a", "10.1000/b", "10.1000/c"]
_PRE = ["10.1101/p1", "10.48550/arxiv.2101.00001", "10.48550/arxiv.2101.00002"]
_ARXIV = ["2101.00001", "2101.00002"]
_URLS = ["https://x.org/1", "https://x.org/2", "https://web.archive.org/web/2020/https://x.org/1"]


@st.composite
def record(draw, n: int) -> Record:
    idents = set()
    for d in draw(st.lists(st.sampled_from(_PUB), max_size=2)):
        idents.add(("doi", d))
    for d in draw(st.lists(st.sampled_from(_PRE), max_size=1)):
        idents.add(("doi", d))
    for a in draw(st.lists(st.sampled_from(_ARXIV), max_size=1)):
        idents.add(("arxiv", a))
    if draw(st.booleans()):
        idents.add(("pmid", draw(st.sampled_from(["1", "2"]))))
    version = draw(st.one_of(st.none(), st.integers(1, 3)))
    return Record(source=draw(st.sampled_from(["s", "t"])), record_id=f"r{n}",
                  identifiers=tuple(sorted(idents)),
                  urls=tuple(sorted(set(draw(st.lists(st.sampled_from(_URLS), max_size=2))))),
                  arxiv_version=version if any(s == "arxiv" for s, _ in idents) else None,
                  venue=draw(st.sampled_from(["", "arXiv", "Journal"])))


@st.composite
def work(draw) -> list[Record]:
    n = draw(st.integers(0, 9))
    return [draw(record(i)) for i in range(n)]


def _version_dois(rec: Record) -> tuple[str, ...]:
    return published_dois(rec) or tuple(sorted(d for d in rec.ids("doi") if is_preprint_doi(d)))


@settings(max_examples=120, deadline=None)
@given(work())
def test_every_member_in_exactly_one_group(recs):
    groups = version_groups(recs, range(len(recs)))
    flat = [i for g in groups for i in g]
    assert sorted(flat) == list(range(len(recs)))
    assert all(g and list(g) == sorted(g) for g in groups)
    assert [g[0] for g in groups] == sorted(g[0] for g in groups)


@settings(max_examples=120, deadline=None)
@given(work())
def test_groups_never_hold_two_different_dois(recs):
    for v in versions(recs, range(len(recs))):
        dois = {_version_dois(recs[i]) for i in v.members} - {()}
        assert len(dois) <= 1, (v, [recs[i] for i in v.members])
        published = {bool(published_dois(recs[i])) for i in v.members if _version_dois(recs[i])}
        assert len(published) <= 1
        if v.basis == "doi":
            assert all(published_dois(recs[i]) == tuple(d for _, d in v.identifiers)
                       for i in v.members if published_dois(recs[i]))


@settings(max_examples=120, deadline=None)
@given(work())
def test_different_arxiv_versions_are_never_together(recs):
    for g in version_groups(recs, range(len(recs))):
        numbered = {recs[i].arxiv_version for i in g
                    if recs[i].arxiv_version is not None and not published_dois(recs[i])
                    and not recs[i].ids("pmid")}
        assert len(numbered) <= 1


@settings(max_examples=80, deadline=None)
@given(work(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_order(recs, rnd: random.Random):
    members = list(range(len(recs)))
    first = version_groups(recs, members)
    assert version_groups(recs, members) == first
    assert version_groups(recs, list(reversed(members))) == first
    shuffled = recs[:]
    rnd.shuffle(shuffled)
    assert keys(shuffled, version_groups(shuffled, members)) == keys(recs, first)


@settings(max_examples=80, deadline=None)
@given(work())
def test_same_published_dois_always_together(recs):
    groups = version_groups(recs, range(len(recs)))
    where = {i: n for n, g in enumerate(groups) for i in g}
    for i, a in enumerate(recs):
        for j, b in enumerate(recs):
            if published_dois(a) and published_dois(a) == published_dois(b):
                assert where[i] == where[j]


@settings(max_examples=80, deadline=None)
@given(work())
def test_revisions_point_between_existing_versions(recs):
    vs = versions(recs, range(len(recs)))
    for new, old in revisions(vs):
        assert new != old and 0 <= new < len(vs) and 0 <= old < len(vs)
        assert vs[new].published or vs[new].basis == "arxiv"
        assert (old, new) not in revisions(vs)


def test_a_work_of_one_record_has_the_version_the_rules_make() -> None:
    # the shortcut for works of one record gives what the numbered rules give
    from resolve.versions import _versions, versions
    records = [
        make_record(title="A", doi="10.1000/j.x"),
        make_record(title="B", doi="10.48550/arXiv.2001.00001"),
        make_record(title="C", arxiv="2001.00002v2"),
        make_record(title="D", pmid="12345", pmcid="PMC99"),
        make_record(title="E", url="https://example.org/e"),
        make_record(title="F"),
    ]
    for i in range(len(records)):
        assert versions(records, [i]) == _versions(records, [i])
