"""The exports people really have (issue 16): PubMed/MEDLINE and Web of
Science text, the databases' own CSV columns, identifiers in the notations
exports use, names across formats, overlapping saves, ids from content."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _kgfixtures import describe, run
from test_formats_helpers import FIXTURES

from kg.build import read_records
from resolve import normalize as nz
from resolve.features import features_of
from resolve.formats import FORMATS
from resolve.formats.detect import sniff
from resolve.formats.records import split_run_together
from resolve.readers import (
    InputError,
    InputSpec,
    ReadLog,
    iter_inputs,
    read_input,
    resolve_spec,
)
from resolve.types import Record, Rejection

EXPORTS = FIXTURES.parent / "exports"


def _read(path: Path, log: ReadLog | None = None) -> tuple[dict[str, Record], list[Rejection]]:
    items = list(read_input(resolve_spec(InputSpec.parse(str(path))), log=log))
    records = {i.record_id: i for i in items if isinstance(i, Record)}
    return records, [i for i in items if isinstance(i, Rejection)]


def _ids(rec: Record) -> set[tuple[str, str]]:
    return set(rec.identifiers)


# ------------------------------------------------------------------ MEDLINE


def test_medline_is_detected_by_its_first_pmid_line() -> None:
    assert sniff("PMID- 123\nTI  - x\n") == "medline"
    assert sniff("\n\nPMID- 123\n") == "medline"
    assert sniff("TI  - x\nPMID- 123\n") is None
    assert resolve_spec(InputSpec.parse(str(FIXTURES / "pubmed.nbib"))).format == "medline"


def test_medline_records_field_by_field() -> None:
    records, rejected = _read(FIXTURES / "pubmed.nbib")
    first = records["35319117"]
    assert first.title == ("A made-up study of protein folding that has a title long enough "
                           "to go on over a second line.")
    assert first.abstract.endswith("also goes on over two lines.")
    assert [a.key for a in first.authors] == ["delmaestro a", "muller al",
                                              "kgr example consortium"]
    assert first.authors[2].organization and first.authors[2].name == "KGR Example Consortium"
    assert (first.year, first.date, first.venue) == (2022, "2022-04", "Nature")
    assert (first.volume, first.issue, first.pages) == ("604", "7904", "120-126")
    assert first.type == "Journal Article"
    assert _ids(first) == {("pmid", "35319117"), ("pmcid", "PMC9151451"),
                           ("doi", "10.5555/kgr.medline.1"), ("issn", "1476-4687"),
                           ("issn", "0028-0836")}
    second = records["23690738"]
    assert second.date == "2013-05-14" and second.pages == "e63214"
    assert [a.key for a in second.authors] == ["smith ja", "selden jr"]  # JR: initials
    assert features_of(second).notice == "erratum"
    (cut,) = rejected
    assert cut.origin.endswith(":54") and "without a PMID" in cut.reason


# ----------------------------------------------------------- Web of Science


def test_wos_is_detected_by_fn_or_pt_with_er() -> None:
    assert sniff("FN Clarivate Analytics Web of Science\nVR 1.0\n") == "wos"
    assert sniff("PT J\nAU Platt, SR\nTI x\nER\n") == "wos"
    assert sniff("PT J\nAU Platt, SR\n") is None
    assert resolve_spec(InputSpec.parse(str(FIXTURES / "wos-savedrecs.txt"))).format == "wos"


def test_wos_records_field_by_field() -> None:
    records, rejected = _read(FIXTURES / "wos-savedrecs.txt")
    rec = records["WOS:000245678900012"]
    assert rec.title == ("A made-up article about the resolution of records that goes on "
                         "over two lines")
    assert [a.key for a in rec.authors] == ["platt sr", "selden jr", "delmaestro a"]
    assert (rec.year, rec.date, rec.venue) == (2007, "2007-04", "JOURNAL OF MADE-UP RESULTS")
    assert (rec.volume, rec.issue, rec.pages, rec.type) == ("48", "3", "556-560", "Article")
    assert _ids(rec) == {("wos", "000245678900012"), ("doi", "10.5555/kgr.wos.1"),
                         ("pmid", "17345678"), ("issn", "0028-0836"), ("issn", "1476-4687")}
    assert rec.origin.endswith(":3")
    (no_ut,) = rejected
    assert "without an accession number" in no_ut.reason and no_ut.origin.endswith(":47")


def test_wos_correction_is_a_notice_never_the_article() -> None:
    records, _ = _read(FIXTURES / "wos-savedrecs.txt")
    correction = features_of(records["WOS:000255678900034"])
    article = features_of(records["WOS:000245678900012"])
    assert correction.notice == "correction" and not article.notice
    assert correction.title_core == article.title  # same title: only the notice tells


def test_wos_initials_are_not_suffixes() -> None:
    assert nz.parse_author("Platt, SR").key == "platt sr"
    assert nz.parse_author("Selden, JR").key == "selden jr"
    assert nz.parse_author("Smith, John, Jr.").key == "smith j"
    assert nz.parse_author("John Smith Jr.").key == "smith j"
    assert nz.split_authors("Platt, SR; Selden, JR") == ["Platt, SR", "Selden, JR"]


# -------------------------------------------------------------- CSV exports


def test_ieee_xplore_csv() -> None:
    log = ReadLog()
    (rec,), _ = _read(EXPORTS / "ieee-xplore.csv", log)
    rec = list(_read(EXPORTS / "ieee-xplore.csv")[0].values())[0]
    assert rec.title == "A Made-Up Study of Record Linkage"
    assert [a.key for a in rec.authors] == ["delmaestro a", "stlawrence js"]
    assert (rec.venue, rec.year, rec.volume, rec.issue, rec.pages) == (
        "IEEE Transactions on Made-up Studies", 2019, "45", "3", "556-560")
    assert ("doi", "10.5555/kgr.ieee.1") in _ids(rec) and ("issn", "0098-5589") in _ids(rec)
    assert rec.urls == ("https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=5555001",)
    assert re.fullmatch(r"r[0-9a-f]{12}", rec.record_id)
    (warning,) = log.warnings
    assert warning[0].endswith("ieee-xplore.csv:1")
    assert "10 CSV column(s) not read: Author Affiliations," in warning[1]
    assert "Publisher" in warning[1] and "Document Title" not in warning[1]


def test_springerlink_csv() -> None:
    log = ReadLog()
    records, _ = _read(EXPORTS / "springerlink.csv", log)
    chapter, series_only = records.values()
    assert chapter.title == "A made-up chapter on record linkage"
    assert [a.name for a in chapter.authors] == ["Adrian Del Maestro", "Yann LeCun",
                                                 "Dario Di Nucci"]
    assert chapter.venue == "Advances in Made-up Studies" and chapter.type == "Chapter"
    assert series_only.venue == "Lecture Notes in Made-up Science"  # the series stands in
    assert ("doi", "10.5555/kgr.springer.2") in _ids(series_only)
    assert log.warnings == []


def test_springer_run_together_names() -> None:
    assert split_run_together("Tomas MikolovKai ChenGreg Corrado") == [
        "Tomas Mikolov", "Kai Chen", "Greg Corrado"]
    assert split_run_together("Yann LeCunRonald McDonaldAnne-Marie Smith") == [
        "Yann LeCun", "Ronald McDonald", "Anne-Marie Smith"]
    assert split_run_together("José ÁlvarezÉmile Zola") == ["José Álvarez", "Émile Zola"]


def test_scopus_csv() -> None:
    records, _ = _read(EXPORTS / "scopus.csv")
    rec = records["2-s2.0-0000000002"]  # the EID is the id
    assert [a.key for a in rec.authors] == ["delmaestro a", "platt sr"]
    assert (rec.venue, rec.year, rec.pages, rec.type) == (
        "Journal of Made-up Results", 2007, "556-560", "Article")
    assert _ids(rec) == {("scopus", "2-s2.0-0000000002"), ("doi", "10.5555/kgr.scopus.1"),
                         ("pmid", "17345678"), ("issn", "0028-0836")}


def test_pubmed_csv() -> None:
    log = ReadLog()
    records, _ = _read(EXPORTS / "pubmed.csv", log)
    rec = records["35319117"]  # no id column: the PMID
    assert [a.key for a in rec.authors] == ["delmaestro a", "muller al"]
    assert (rec.venue, rec.volume, rec.issue, rec.pages) == ("Nature", "604", "7904", "120-126")
    assert _ids(rec) == {("pmid", "35319117"), ("pmcid", "PMC9151451"),
                         ("doi", "10.5555/kgr.medline.1")}
    assert "First Author, Create Date, NIHMS ID" in log.warnings[0][1]


def test_zotero_csv_extra_ids() -> None:
    records, _ = _read(EXPORTS / "zotero.csv")
    article, paper = records["ABCD1234"], records["EFGH5678"]
    assert [a.key for a in article.authors] == ["delmaestro a", "muller al"]
    assert ("pmid", "35319117") in _ids(article) and ("pmcid", "PMC9151451") in _ids(article)
    assert article.abstract == "An abstract." and article.pages == "120-126"
    assert ("arxiv", "1706.03762") in _ids(paper)
    assert paper.venue == "Made-up Conference on Linkage"


def test_the_same_paper_agrees_on_author_keys_across_exports() -> None:
    medline = _read(FIXTURES / "pubmed.nbib")[0]["35319117"]
    pubmed_csv = _read(EXPORTS / "pubmed.csv")[0]["35319117"]
    zotero = _read(EXPORTS / "zotero.csv")[0]["ABCD1234"]
    people = [features_of(r).authors for r in (medline, pubmed_csv, zotero)]
    assert people[0] == people[1] == people[2] == ("delmaestro a", "muller al")


# ------------------------------------------------------ identifiers in exports


def test_ris_header_ids_and_urls() -> None:
    records, rejected = _read(FIXTURES / "jstor.ris")
    assert rejected == []  # the Provider/Database/Content header is no record
    assert sniff((FIXTURES / "jstor.ris").read_text(encoding="utf-8")) == "ris"
    first, second, third = records.values()
    assert _ids(first) == {("pmid", "23690738"), ("scopus", "2-s2.0-0000000001")}
    assert first.urls == ("https://www.jstor.org/stable/5555001",
                          "https://example.org/kgr/jstor-copy")
    assert _ids(second) == {("pmid", "35319117"), ("pmcid", "PMC9151451"),
                            ("wos", "000245678900012")}
    assert second.urls == ()  # the Go to ISI link is an id, not a URL
    # same title, year and first author, other content: told apart in file order
    assert third.record_id == second.record_id + "-2"


def test_ris_content_ids_do_not_move_when_a_record_is_added(tmp_path: Path) -> None:
    text = (FIXTURES / "jstor.ris").read_text(encoding="utf-8")
    before = list(_read(FIXTURES / "jstor.ris")[0])
    added = tmp_path / "more.ris"
    added.write_text("TY  - JOUR\nTI  - A new record at the top\nER  - \n\n" + text,
                     encoding="utf-8")
    after = list(_read(added)[0])
    assert after[1:] == before and len(set(after)) == 4


def test_endnote_accession_issue_and_isi_links() -> None:
    records, rejected = _read(FIXTURES / "mendeley.xml")
    mendeley = records["record-1"]
    assert mendeley.issue == "3"
    assert _ids(mendeley) == {("pmid", "23690738"), ("wos", "000245678900012")}
    assert mendeley.urls == ("https://example.org/kgr/mendeley",)
    assert _ids(records["7"]) == {("wos", "000172345600011")}
    assert [r.reason for r in rejected] == ["empty EndNote record"]


def test_csl_two_isbns_in_one_string_and_literal_authors(tmp_path: Path) -> None:
    p = tmp_path / "items.json"
    p.write_text(json.dumps([{
        "id": "book", "type": "book", "title": "A made-up book", "issued": {"date-parts": [[2009]]},
        "ISBN": "9780262033848 9780262533058",
        "author": [{"literal": "World Health Organization"}, {"literal": "OpenAI"},
                   {"family": "Del Maestro", "given": "Adrian"}]}]), encoding="utf-8")
    (rec,) = _read(p)[0].values()
    assert {v for s, v in rec.identifiers if s == "isbn"} == {"9780262033848", "9780262533058"}
    assert [a.name for a in rec.authors][:2] == ["World Health Organization", "OpenAI"]
    assert [a.organization for a in rec.authors] == [True, True, False]
    assert features_of(rec).authors == ("delmaestro a",)  # organizations are no people


def test_bibtex_braced_organization(tmp_path: Path) -> None:
    p = tmp_path / "refs.bib"
    p.write_text("@article{go2019,\n author = {{The Gene Ontology Consortium} and "
                 "{OpenAI} and Adrian Del Maestro},\n title = {A made-up article},\n"
                 " year = 2019}\n", encoding="utf-8")
    (rec,) = _read(p)[0].values()
    assert [(a.name, a.organization) for a in rec.authors] == [
        ("The Gene Ontology Consortium", True), ("OpenAI", True),
        ("Adrian Del Maestro", False)]
    assert features_of(rec).authors == ("delmaestro a",)


@pytest.mark.parametrize(("given_first", "family_first"), [
    ("Adrian Del Maestro", "Del Maestro, A."), ("Dario Di Nucci", "Di Nucci, D."),
    ("Janet S. St. Lawrence", "St. Lawrence, J. S."),
    ("Ludwig van Beethoven", "van Beethoven, L."), ("Maria da Silva", "Da Silva, Maria")])
def test_particles_give_one_key_in_either_order(given_first: str, family_first: str) -> None:
    a, b = nz.parse_author(given_first), nz.parse_author(family_first)
    assert a.key == b.key and a.family.lower() == b.family.lower()


# ------------------------------------------------------ shapes of services


def test_core_v2_response() -> None:
    records, rejected = _read(FIXTURES / "core-v2-search.json")
    rec = records["81234567"]
    assert (rec.title, rec.year, rec.date) == ("A made-up record from CORE API v2", 2019,
                                               "2019-06-02")
    assert rec.abstract == "An abstract of a made-up CORE v2 record." and rec.type == "article"
    assert {("core", "81234567"), ("doi", "10.5555/kgr.core.v2"),
            ("oai", "oai:arXiv.org:1706.03762"), ("issn", "0028-0836")} == _ids(rec)
    assert [r.reason for r in rejected] == ["CORE work without an id"]


def test_core_v2_single_article_and_batch(tmp_path: Path) -> None:
    work = {"id": "1", "title": "One", "datePublished": "2019", "oai": "oai:x:1"}
    for payload in ({"status": "OK", "data": work}, [{"status": "OK", "data": work}]):
        p = tmp_path / "core.json"
        p.write_text(json.dumps(payload), encoding="utf-8")
        assert resolve_spec(InputSpec.parse(str(p))).format == "core"
        assert list(_read(p)[0]) == ["1"]


def test_semantic_scholar_recommendations() -> None:
    records, rejected = _read(FIXTURES / "s2-recommendations.json")
    assert list(records) == ["649def34f8be52c8b66281af98ae884c09aef38b"]
    assert len(rejected) == 1 and rejected[0].origin.endswith("#/recommendedPapers/1")


def test_dblp_homepages_are_rejected_not_works() -> None:
    records, rejected = _read(FIXTURES / "dblp-homepage.xml")
    assert list(records) == ["journals/kgr/DelMaestro20"]
    assert [r.reason for r in rejected] == ["dblp homepage record, not a publication"]


# ------------------------------------------------------------ overlapping saves


def test_identical_copies_are_collapsed_and_counted(tmp_path: Path) -> None:
    page = FIXTURES / "s2-recommendations.json"
    single = tmp_path / "single.json"
    single.write_text(json.dumps(json.loads(page.read_text())["recommendedPapers"][0]),
                      encoding="utf-8")
    read = read_records([page, single, page])
    assert [r.record_id for r in read.records] == ["649def34f8be52c8b66281af98ae884c09aef38b"]
    assert read.collapsed == 2


def test_differing_copies_under_one_id_still_fail(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"id": "1", "title": "One"}\n', encoding="utf-8")
    b.write_text('{"id": "1", "title": "Two"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="other content"):
        list(iter_inputs([InputSpec.parse(f"s={a}"), InputSpec.parse(f"s={b}")]))


def test_kg_build_prints_warnings_and_collapsed_copies(tmp_path: Path) -> None:
    ris = FIXTURES / "jstor.ris"
    res = run("build", str(EXPORTS / "pubmed.csv"), f"j={ris}", f"j={ris}",
              "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == 0, describe(res)
    out = describe(res)
    assert "pubmed.csv:1: 3 CSV column(s) not read: First Author" in " ".join(out.split())
    assert "3 identical copies of records collapsed" in out
    assert "duplicate copies collapsed" in out


def test_new_formats_are_listed() -> None:
    assert {"medline", "wos"} <= set(FORMATS)
    assert FORMATS["medline"].extensions[0] == ".nbib"
