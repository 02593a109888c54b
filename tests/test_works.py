"""Tests for resolve.works: work ids and canonical fields."""

from __future__ import annotations

import re

import pytest
from conftest import make_record

from resolve.types import Record
from resolve.works import canonical_fields, choose, make_works, work_id

# ------------------------------------------------------------- work_id


def test_work_id_shape_and_determinism() -> None:
    wid = work_id([("arxiv", "1810.04805v2"), ("crossref", "10.18653/v1/n19-1423")])
    assert re.fullmatch(r"w[0-9a-f]{16}", wid)
    assert wid == work_id([("arxiv", "1810.04805v2"), ("crossref", "10.18653/v1/n19-1423")])


def test_work_id_depends_only_on_smallest_key() -> None:
    base = work_id([("arxiv", "1")])
    assert work_id([("dblp", "x"), ("arxiv", "1"), ("zotero", "q")]) == base
    assert work_id([("arxiv", "2"), ("arxiv", "1")]) == base
    # A new smallest key changes it.
    assert work_id([("arxiv", "0"), ("arxiv", "1")]) != base
    # Source and id are kept apart: ("ab", "c") is not ("a", "bc").
    assert work_id([("ab", "c")]) != work_id([("a", "bc")])
    assert work_id([("arxiv", "1")]) != work_id([("crossref", "1")])


def test_work_id_empty_cluster_is_an_error() -> None:
    with pytest.raises(ValueError):
        work_id([])


# ------------------------------------------------------------- choose


def test_choose_majority_over_minority() -> None:
    values = [("Deep Nets", 0), ("Shallow nets", 1), ("deep nets.", 2), ("DEEP NETS", 3)]
    from resolve.normalize import normalize_title
    assert choose(values, normalize_title) == ("Deep Nets", 0)


def test_choose_mixed_case_over_all_caps() -> None:
    from resolve.normalize import normalize_title
    assert choose([("ATTENTION IS ALL YOU NEED", 0), ("Attention is all you need", 1)],
                  normalize_title) == ("Attention is all you need", 1)


def test_choose_accents_then_full_stop_then_length_then_value_then_order() -> None:
    assert choose([("Muller", 0), ("Müller", 1)], lambda s: "muller") == ("Müller", 1)
    # DBLP's trailing full stop is not part of the title.
    assert choose([("Deep nets.", 0), ("Deep nets", 1)], lambda s: "k") == ("Deep nets", 1)
    assert choose([("Proc. VLDB", 0), ("Proc. VLDB Endow", 1)], lambda s: "k") == (
        "Proc. VLDB Endow", 1)
    # the same rank: the smaller value, whatever the order the records came in
    assert choose([("abc", 3), ("abd", 1)], lambda s: "k") == ("abc", 3)
    assert choose([("abd", 1), ("abc", 3)], lambda s: "k") == ("abc", 3)
    # the same value: the record first by ``order`` (a record key), not by position
    assert choose([("abc", 3), ("abc", 1)], lambda s: "k", order=lambda i: -i) == ("abc", 3)


def test_choose_skips_empty_values() -> None:
    assert choose([("", 0), ("", 1)], str.lower) is None
    assert choose([("", 0), ("x", 1)], str.lower) == ("x", 1)


# ------------------------------------------------------------- canonical fields


def _check_provenance(records: list[Record], fields: dict, sources: dict) -> None:
    assert set(fields) == set(sources)
    for name, value in fields.items():
        rec = records[sources[name]]
        if name == "authors":
            assert tuple(a.name for a in rec.authors) == value
        elif name == "doi":
            assert value in rec.ids("doi")
        else:
            assert getattr(rec, name) == value, name


def test_title_prefers_mixed_case_over_all_caps() -> None:
    recs = [make_record(title="DEEP RESIDUAL LEARNING FOR IMAGE RECOGNITION"),
            make_record(title="Deep Residual Learning for Image Recognition")]
    fields, sources = canonical_fields(recs, [0, 1])
    assert fields["title"] == "Deep Residual Learning for Image Recognition"
    assert sources["title"] == 1


def test_title_majority_over_minority() -> None:
    recs = [make_record(title="Generative Adversarial Networks"),
            make_record(title="Generative Adversarial Nets"),
            make_record(title="Generative adversarial nets."),
            make_record(title="GENERATIVE ADVERSARIAL NETS")]
    fields, sources = canonical_fields(recs, [0, 1, 2, 3])
    assert fields["title"] == "Generative Adversarial Nets"
    assert sources["title"] == 1


def test_all_fields_and_their_sources() -> None:
    recs = [
        make_record(title="LONG SHORT-TERM MEMORY", year=1997, venue="Neural Comput.",
                    volume="9", issue="8", pages="1735-80", doi="10.1162/NECO.1997.9.8.1735",
                    authors=["S. Hochreiter", "J. Schmidhuber"]),
        make_record(title="Long Short-Term Memory", year=1997, venue="Neural Computation",
                    authors=["Sepp Hochreiter", "Jürgen Schmidhuber"], type="journal-article",
                    abstract="About memory."),
        make_record(title="Long short-term memory", year=1996, venue="Neural Computation",
                    authors=["Sepp Hochreiter"], url="https://pubmed.ncbi.nlm.nih.gov/9377276"),
    ]
    fields, sources = canonical_fields(recs, [0, 1, 2])
    assert fields["title"] == "Long Short-Term Memory" and sources["title"] == 1
    assert fields["venue"] == "Neural Computation" and sources["venue"] == 1
    assert fields["year"] == 1997 and sources["year"] == 0
    assert fields["pages"] == "1735-1780" and sources["pages"] == 0
    assert fields["volume"] == "9" and fields["issue"] == "8"
    assert fields["abstract"] == "About memory." and sources["abstract"] == 1
    assert fields["type"] == "journal-article"
    # Most authors, then the fullest given names.
    assert fields["authors"] == ("Sepp Hochreiter", "Jürgen Schmidhuber")
    assert sources["authors"] == 1
    assert fields["doi"] == "10.1162/neco.1997.9.8.1735" and sources["doi"] == 0
    _check_provenance(recs, fields, sources)


def test_fields_only_from_members() -> None:
    recs = [make_record(title="Alpha", year=2001), make_record(title="Beta", year=2002),
            make_record(title="Beta", year=2002, doi="10.1000/beta")]
    fields, sources = canonical_fields(recs, [0])
    assert fields == {"title": "Alpha", "year": 2001}
    assert sources == {"title": 0, "year": 0}
    fields, sources = canonical_fields(recs, [1, 2])
    assert fields["doi"] == "10.1000/beta" and sources["doi"] == 2
    _check_provenance(recs, fields, sources)


def test_year_majority_then_earliest() -> None:
    recs = [make_record(year=2015), make_record(year=2016), make_record(year=2016),
            make_record(year=2014)]
    fields, sources = canonical_fields(recs, [0, 1, 2, 3])
    assert (fields["year"], sources["year"]) == (2016, 1)
    fields, sources = canonical_fields(recs, [0, 3])
    assert (fields["year"], sources["year"]) == (2014, 3)


def test_doi_prefers_publisher_over_arxiv_datacite() -> None:
    recs = [make_record(doi="10.48550/arXiv.1810.04805"),
            make_record(doi="10.48550/arXiv.1810.04805"),
            make_record(doi="10.18653/V1/N19-1423")]
    fields, sources = canonical_fields(recs, [0, 1, 2])
    assert fields["doi"] == "10.18653/v1/n19-1423"
    assert sources["doi"] == 2
    # With only the preprint DOI, that one is used.
    fields, sources = canonical_fields(recs, [0, 1])
    assert (fields["doi"], sources["doi"]) == ("10.48550/arxiv.1810.04805", 0)


@pytest.mark.parametrize(
    "preprint", ["10.1101/2020.03.01.972935", "10.21203/rs.3.rs-12345/v1", "10.2139/ssrn.3500000"]
)
def test_doi_prefers_publisher_over_other_preprint_servers(preprint: str) -> None:
    # bioRxiv/medRxiv, Research Square, SSRN: the same preprint servers that
    # resolve.scoring.PREPRINT_DOI_PREFIXES knows.
    recs = [make_record(doi=preprint), make_record(doi="10.7554/elife.05005")]
    fields, sources = canonical_fields(recs, [0, 1])
    assert fields["doi"] == "10.7554/elife.05005"
    assert sources["doi"] == 1


def test_doi_majority_among_publisher_dois() -> None:
    recs = [make_record(doi="10.2000/b"), make_record(doi="10.1000/a"),
            make_record(doi="10.2000/b")]
    fields, sources = canonical_fields(recs, [0, 1, 2])
    assert (fields["doi"], sources["doi"]) == ("10.2000/b", 0)


# ------------------------------------------------------------- make_works


def test_make_works() -> None:
    recs = [make_record(source="s", id=f"{i:02d}", title=f"Title {i // 3}") for i in range(12)]
    clusters = [(2, 0, 1), (3, 4, 5), (6,), (7, 8), (9, 10, 11)]
    works = make_works(recs, clusters)
    assert len(works) == 5
    assert [w.work_id for w in works] == sorted(w.work_id for w in works)
    assert len({w.work_id for w in works}) == 5
    by_members = {w.members: w for w in works}
    assert set(by_members) == {(0, 1, 2), (3, 4, 5), (6,), (7, 8), (9, 10, 11)}
    assert by_members[(0, 1, 2)].work_id == work_id([("s", "00")])
    assert by_members[(7, 8)].work_id == work_id([("s", "07")])
    assert by_members[(0, 1, 2)].fields["title"] == "Title 0"
    for w in works:
        assert w.field_sources["title"] in w.members
    # The order of clusters does not matter.
    again = make_works(recs, list(reversed(clusters)))
    assert again == works


def test_make_works_no_clusters() -> None:
    assert make_works([], []) == []


def test_a_work_of_one_record_has_its_own_fields() -> None:
    # the shortcut for works of one record (most works) gives what the
    # general rule gives for that record (counted twice: the same choices)
    records = [
        make_record(title="Ünïcode Title.", authors="Šuppa, Marek; Doe, J", year=2020,
                    venue="J. Test", volume="3", pages="1-9",
                    doi="10.48550/arXiv.2001.00001", url="https://doi.org/10.1000/xyz"),
        make_record(title="Bare", doi="10.1000/a; 10.1000/b"),
        make_record(title="", abstract="Only an abstract"),
    ]
    for i in range(len(records)):
        assert canonical_fields(records, [i]) == canonical_fields(records, [i, i])
    fields, sources = canonical_fields(records, [0])
    assert fields["title"] == "Ünïcode Title." and set(sources.values()) == {0}
