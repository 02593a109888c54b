"""Tests for resolve.readers: input specs, decoding, JSONL/CSV parsing, ids."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from conftest import make_record

from resolve.readers import (
    InputError,
    InputSpec,
    ReadLog,
    detect_format,
    iter_inputs,
    read_input,
    read_inputs,
    read_text,
)
from resolve.types import Record, Rejection


def _items(path: Path, source: str | None = None, encoding: str | None = None) -> list:
    spec = InputSpec.parse(f"{source}={path}" if source else str(path))
    return list(read_input(spec, encoding))


# ------------------------------------------------------------- InputSpec


@pytest.mark.parametrize(
    ("arg", "source", "path"),
    [
        ("crossref=data/x.jsonl", "crossref", "data/x.jsonl"),
        ("data/dblp.csv", "dblp", "data/dblp.csv"),
        ("data/dblp.csv.gz", "dblp", "data/dblp.csv.gz"),
        ("/tmp/openalex.jsonl", "openalex", "/tmp/openalex.jsonl"),
        ("/tmp/openalex.jsonl.gz", "openalex", "/tmp/openalex.jsonl.gz"),
        ("s2.ndjson", "s2", "s2.ndjson"),
        ("wos.tsv", "wos", "wos.tsv"),
        ("mine=data/dblp.csv.gz", "mine", "data/dblp.csv.gz"),
        (" padded =x.csv", "padded", "x.csv"),
    ],
)
def test_input_spec_parse(arg: str, source: str, path: str) -> None:
    spec = InputSpec.parse(arg)
    assert spec.source == source
    assert spec.path == Path(path)


@pytest.mark.parametrize(
    "arg",
    [
        "my source=x.jsonl",  # space
        "a/b=x.jsonl",  # slash
        "a#b=x.jsonl",
        "a?b=x.jsonl",
        "dir/.jsonl",  # stem is empty
        "dir/has space.jsonl",  # stem has a space
    ],
)
def test_input_spec_bad_source(arg: str) -> None:
    with pytest.raises(InputError):
        InputSpec.parse(arg)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.jsonl", "jsonl"), ("a.ndjson.gz", "jsonl"), ("A.CSV", "csv"), ("a.tsv.gz", "csv")],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(Path(name)) == fmt


def test_detect_format_unknown() -> None:
    # .xml is read now (EndNote XML, arXiv Atom, dblp): another extension is unknown
    with pytest.raises(InputError, match="unknown file type"):
        detect_format(Path("a.pdf"))


def test_detect_format_content_first() -> None:
    assert detect_format(Path("a.xml")) == "endnote-xml"
    assert detect_format(Path("a.xml"), '<feed xmlns="http://www.w3.org/2005/Atom">') == "arxiv"
    assert detect_format(Path("refs.txt"), "TY  - JOUR\n") == "ris"


# ------------------------------------------------------------- read_text


def test_read_text_utf8(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes("Ludäscher Šuppa\n".encode())
    assert read_text(p) == "Ludäscher Šuppa\n"


def test_read_text_utf8_bom_is_dropped(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + "Ludäscher".encode())
    assert read_text(p) == "Ludäscher"


def test_read_text_utf16_with_bom(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes("Ludäscher".encode("utf-16"))
    assert read_text(p) == "Ludäscher"


def test_read_text_latin1(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"Lud\xe4scher\n")
    assert read_text(p) == "Ludäscher\n"


def test_read_text_gzip(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl.gz"
    p.write_bytes(gzip.compress("Ludäscher\n".encode()))
    assert read_text(p) == "Ludäscher\n"


def test_read_text_corrupt_gzip_is_an_input_error(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl.gz"
    data = gzip.compress(b'{"id": "a", "title": "T"}\n' * 100)
    p.write_bytes(data[:10] + bytes([data[10] ^ 0xFF]) + data[11:])  # zlib.error inside
    with pytest.raises(InputError, match="cannot read"):
        read_text(p)
    with pytest.raises(InputError, match="cannot read"):
        list(read_input(InputSpec.parse(str(p))))


def test_read_text_nul_bytes(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"abc\x00def\n")
    with pytest.raises(InputError, match="NUL"):
        read_text(p)


def test_read_text_explicit_wrong_encoding_names_line(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"line one\nline two\nLud\xe4scher\n")
    with pytest.raises(InputError) as exc:
        read_text(p, "utf-8")
    assert f"{p}:3:" in str(exc.value)


def test_read_text_explicit_encoding_is_used(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes("Ludäscher".encode())
    # Read as Latin-1 on purpose: the two UTF-8 bytes become two characters.
    assert read_text(p, "latin-1") == "LudÃ¤scher"


def test_read_text_unknown_encoding(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"x")
    with pytest.raises(InputError, match="unknown encoding"):
        read_text(p, "no-such-codec")


def test_read_text_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "missing.jsonl")
    with pytest.raises(InputError, match="directory"):
        read_text(tmp_path)


# ------------------------------------------------------------- JSON Lines


def test_jsonl_records_rejections_and_line_numbers(tmp_path: Path) -> None:
    p = tmp_path / "src.jsonl"
    p.write_text(
        '{"id": "a", "title": "First"}\n'
        "\n"
        "   \n"
        '{"id": "b", "title": "Second"\n'  # line 4: malformed
        "[1, 2]\n"  # line 5: not an object
        '{"title": "No id"}\n'  # line 6: no id
        '{"id": 42, "title": "Numeric id"}\n'  # line 7
        '{"id": "  c  ", "title": "Padded id"}\n',  # line 8
        encoding="utf-8",
    )
    items = _items(p)
    assert len(items) == 6  # blank lines are skipped, not rejected
    first, malformed, not_obj, no_id, numeric, padded = items

    assert isinstance(first, Record)
    assert first.key == ("src", "a")
    assert first.origin == f"{p}:1"

    assert isinstance(malformed, Rejection)
    assert malformed.origin == f"{p}:4"
    assert "JSON" in malformed.reason
    assert malformed.source == "src"
    assert malformed.raw == '{"id": "b", "title": "Second"'

    assert isinstance(not_obj, Rejection)
    assert not_obj.origin == f"{p}:5"
    assert "object" in not_obj.reason

    assert isinstance(no_id, Rejection)
    assert no_id.origin == f"{p}:6"
    assert "id" in no_id.reason

    assert isinstance(numeric, Record)
    assert numeric.record_id == "42"
    assert numeric.origin == f"{p}:7"

    assert isinstance(padded, Record)
    assert padded.record_id == "c"


@pytest.mark.parametrize("rid", ['""', '"   "', "true", "null", "[1]", '{"a": 1}'])
def test_jsonl_unusable_id_rejected(tmp_path: Path, rid: str) -> None:
    p = tmp_path / "src.jsonl"
    p.write_text(f'{{"id": {rid}, "title": "T"}}\n', encoding="utf-8")
    (item,) = _items(p)
    assert isinstance(item, Rejection)
    assert item.origin == f"{p}:1"


def test_jsonl_float_id(tmp_path: Path) -> None:
    p = tmp_path / "src.jsonl"
    p.write_text('{"id": 7.0, "title": "T"}\n{"id": 7.5, "title": "U"}\n', encoding="utf-8")
    a, b = _items(p)
    assert a.record_id == "7"
    assert b.record_id == "7.5"


def test_jsonl_gzip_and_source_override(tmp_path: Path) -> None:
    p = tmp_path / "dump.jsonl.gz"
    p.write_bytes(gzip.compress(b'{"id": "x", "title": "Zipped"}\n'))
    (rec,) = _items(p, source="crossref")
    assert rec.key == ("crossref", "x")
    assert rec.title == "Zipped"
    (rec,) = _items(p)
    assert rec.source == "dump"


def test_jsonl_fields_are_normalized(tmp_path: Path) -> None:
    p = tmp_path / "src.jsonl"
    p.write_text(
        '{"id": "a", "title": "  Deep &amp; <i>wide</i>  nets ", "date": "2019-05-02", '
        '"pages": "139--54", "venue": "Proc. VLDB"}\n',
        encoding="utf-8",
    )
    (rec,) = _items(p)
    assert rec.title == "Deep & wide nets"
    assert rec.year == 2019  # taken from the date
    assert rec.date == "2019-05-02"
    assert rec.pages == "139-154"
    assert rec.venue == "Proc. VLDB"


def test_json_document_pretty_printed(tmp_path: Path) -> None:
    p = tmp_path / "records.json"
    p.write_text(json.dumps([{"id": "a", "title": "A"}, {"title": "no id"},
                             {"id": "c", "title": "C"}], indent=2), encoding="utf-8")
    a, no_id, c = _items(p)
    assert (a.record_id, c.record_id) == ("a", "c")
    assert (a.origin, no_id.origin) == (f"{p}#/0", f"{p}#/1")
    assert isinstance(no_id, Rejection) and json.loads(no_id.raw) == {"title": "no id"}


def test_json_document_one_line_list(tmp_path: Path) -> None:
    p = tmp_path / "records.json"
    p.write_text('[{"id": "a", "title": "A"}]', encoding="utf-8")
    (a,) = _items(p)
    assert a.origin == f"{p}:1#/0"


def test_json_document_that_is_not_json_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "page.json"
    p.write_text('{\n  "results": [\n    {"id": "a",,}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        _items(p)
    assert f"{p}:3:" in str(exc.value) and "not valid JSON" in str(exc.value)


def test_json_lines_with_a_broken_first_line(tmp_path: Path) -> None:
    p = tmp_path / "dump.json"
    p.write_text('{"id": "a", "title": "cut\n{"id": "b", "title": "B"}\n'
                 '{"id": "c", "title": "C"}\n', encoding="utf-8")
    bad, b, c = _items(p)
    assert isinstance(bad, Rejection) and bad.origin == f"{p}:1"
    assert (b.origin, c.origin) == (f"{p}:2", f"{p}:3")


@pytest.mark.parametrize("line", ["1" * 5000, "[" * 100_000 + "]" * 100_000])
def test_json_line_that_python_refuses_is_rejected(tmp_path: Path, line: str) -> None:
    p = tmp_path / "src.jsonl"
    p.write_text('{"id": "a", "title": "A"}\n' + line + "\n", encoding="utf-8")
    a, bad = _items(p)
    assert isinstance(a, Record)
    assert isinstance(bad, Rejection) and bad.origin == f"{p}:2"


# ------------------------------------------------------------- CSV


def _write_csv(path: Path, text: str) -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return path


def test_csv_column_mapping(tmp_path: Path) -> None:
    p = tmp_path / "export.csv"
    p.write_bytes(
        b"ID,Title,Author,Journal,Number,ISBN,Year\r\n"
        b'k1,A Title,"Przyklenk K.; Kloner R. A.",Circulation,4,'
        b'"1532-4435 (Print)\n0899-7667 (Linking)",1986\r\n'
    )
    (rec,) = _items(p)
    assert isinstance(rec, Record)
    assert rec.key == ("export", "k1")
    assert rec.title == "A Title"
    assert rec.venue == "Circulation"
    assert rec.issue == "4"
    assert rec.year == 1986
    assert [a.key for a in rec.authors] == ["przyklenk k", "kloner ra"]
    assert rec.ids("issn") == ("0899-7667", "1532-4435")
    assert rec.ids("isbn") == ()
    assert rec.origin == f"{p}:2"


def test_csv_without_title_column(tmp_path: Path) -> None:
    p = _write_csv(tmp_path / "x.csv", "id,name,year\n1,Something,2000\n")
    with pytest.raises(InputError, match="title"):
        _items(p)


def test_csv_empty_file_yields_nothing(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b"")
    assert _items(p) == []


def test_csv_wrong_field_count_is_rejected_with_line(tmp_path: Path) -> None:
    p = _write_csv(
        tmp_path / "x.csv",
        "id,title,year\n"
        "a,Alpha,2001\n"
        "b,Beta,2002,extra\n"  # line 3
        "c,Gamma\n"  # line 4
        "d,Delta,2004\n",
    )
    items = _items(p)
    assert [type(i).__name__ for i in items] == ["Record", "Rejection", "Rejection", "Record"]
    assert items[1].origin == f"{p}:3"
    assert "3 fields" in items[1].reason and "found 4" in items[1].reason
    assert items[2].origin == f"{p}:4"
    assert items[3].origin == f"{p}:5"
    assert items[3].record_id == "d"


def test_csv_multiline_field_line_numbers(tmp_path: Path) -> None:
    p = _write_csv(
        tmp_path / "x.csv",
        "id,title,abstract\n"
        'a,Alpha,"first line\nsecond line\nthird line"\n'  # lines 2-4
        "b,Beta,short\n"  # line 5
        "\n"  # line 6: blank, skipped
        "c,Gamma,\n",  # line 7
    )
    items = _items(p)
    assert [i.record_id for i in items] == ["a", "b", "c"]
    assert [i.origin for i in items] == [f"{p}:2", f"{p}:5", f"{p}:7"]
    assert items[0].abstract == "first line second line third line"


def test_csv_without_id_column_ids_records_by_content(tmp_path: Path) -> None:
    p = _write_csv(tmp_path / "x.csv", "title,year\nAlpha,2001\nBeta,2002\n")
    ids = [i.record_id for i in _items(p)]
    assert all(re.fullmatch(r"r[0-9a-f]{12}", i) for i in ids) and len(set(ids)) == 2
    # a record added at the top renames none of the others
    q = _write_csv(tmp_path / "y.csv", "title,year\nZeta,1999\nAlpha,2001\nBeta,2002\n")
    assert [i.record_id for i in _items(q)][1:] == ids


def test_tab_separated_header_in_a_txt_file(tmp_path: Path) -> None:
    p = tmp_path / "export.txt"
    p.write_text("id\ttitle\nq\tA, B and C\n", encoding="utf-8")
    (rec,) = _items(p)
    assert rec.title == "A, B and C"


def test_tsv(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_text("id\ttitle\tauthors\nq\tA, B and C\tSmith, John\n", encoding="utf-8")
    (rec,) = _items(p)
    assert rec.title == "A, B and C"
    assert [a.key for a in rec.authors] == ["smith j"]


def test_csv_latin1_file(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b"id,title,authors\r\n1,Provenance,Bertram Lud\xe4scher\r\n")
    (rec,) = _items(p)
    assert rec.authors[0].family == "Ludäscher"
    assert rec.authors[0].key == "ludascher b"


# ------------------------------------------------------------- read_inputs


def test_read_inputs_repeated_id_names_both_places(tmp_path: Path) -> None:
    p = tmp_path / "src.jsonl"
    p.write_text(
        '{"id": "a", "title": "One"}\n{"id": "b", "title": "Two"}\n{"id": "a", "title": "Three"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        read_inputs([InputSpec.parse(str(p))])
    msg = str(exc.value)
    assert f"{p}:3" in msg
    assert f"{p}:1" in msg
    assert "'a'" in msg


def test_read_inputs_same_id_in_two_sources_is_fine(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_text('{"id": "1", "title": "One"}\n', encoding="utf-8")
    b.write_text('{"id": "1", "title": "One"}\nnot json\n', encoding="utf-8")
    records, rejections = read_inputs([InputSpec.parse(str(a)), InputSpec.parse(str(b))])
    assert [r.key for r in records] == [("a", "1"), ("b", "1")]
    assert [r.origin for r in rejections] == [f"{b}:2"]


def test_read_inputs_same_file_twice_under_one_source_is_collapsed(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_text('{"id": "1", "title": "One"}\n', encoding="utf-8")
    log = ReadLog()
    items = list(iter_inputs([InputSpec.parse(str(a)), InputSpec.parse(f"a={a}")], log=log))
    assert [i.key for i in items] == [("a", "1")] and log.collapsed == 1
    b = tmp_path / "b.jsonl"
    b.write_text('{"id": "1", "title": "One, other content"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="repeats"):
        read_inputs([InputSpec.parse(str(a)), InputSpec.parse(f"a={b}")])


def test_read_examples(examples_dir: Path) -> None:
    specs = [InputSpec.parse(str(p)) for p in sorted((examples_dir / "records").iterdir())]
    records, rejections = read_inputs(specs)
    assert rejections == []
    assert len(records) == 57
    assert {r.source for r in records} == {
        "arxiv", "crossref", "dblp", "openalex", "scholar_archive", "semantic_scholar", "zotero",
    }
    by_key = {r.key: r for r in records}
    # The mojibake in scholar_archive is repaired at read time.
    sa = by_key[("scholar_archive", "sa-0006")]
    assert "Matúš Pikuliak" in [a.name for a in sa.authors]
    # The zotero BERT record names its arXiv id only in an arxiv.org/pdf URL.
    assert by_key[("zotero", "8FJ2NWXA")].ids("arxiv") == ("1810.04805",)


# ------------------------------------------------------------- identifiers


def test_doi_url_in_url_column() -> None:
    rec = make_record(url="https://doi.org/10.1145/3422622")
    assert rec.identifiers == (("doi", "10.1145/3422622"),)
    assert rec.urls == ("https://doi.org/10.1145/3422622",)


def test_doi_field_normalized() -> None:
    rec = make_record(doi="https://dx.doi.org/10.18653/V1/N19-1423.")
    assert rec.ids("doi") == ("10.18653/v1/n19-1423",)


def test_arxiv_version_is_cut() -> None:
    rec = make_record(arxiv="1810.04805v2")
    assert rec.identifiers == (("arxiv", "1810.04805"),)
    assert rec.arxiv_version == 2


def test_arxiv_without_version() -> None:
    rec = make_record(arxiv="arXiv:1810.04805")
    assert rec.identifiers == (("arxiv", "1810.04805"),)
    assert rec.arxiv_version is None


def test_arxiv_datacite_doi_yields_arxiv_id() -> None:
    rec = make_record(doi="10.48550/arXiv.1810.04805")
    assert rec.identifiers == (("arxiv", "1810.04805"), ("doi", "10.48550/arxiv.1810.04805"))


def test_arxiv_datacite_doi_url_yields_arxiv_id() -> None:
    # The same DOI as in the test above, given as a doi.org URL in the url
    # column: it names the arXiv preprint just as well.
    rec = make_record(url="https://doi.org/10.48550/arxiv.1706.03762")
    assert ("arxiv", "1706.03762") in rec.identifiers
    assert ("doi", "10.48550/arxiv.1706.03762") in rec.identifiers


def test_wayback_url_of_arxiv_pdf() -> None:
    wayback = "https://web.archive.org/web/2017/https://arxiv.org/pdf/1706.03762v5.pdf"
    rec = make_record(urls=[wayback])
    assert rec.identifiers == (("arxiv", "1706.03762"),)
    assert rec.arxiv_version == 5
    assert rec.urls == (wayback, "https://arxiv.org/abs/1706.03762v5")


def test_arxiv_pdf_url() -> None:
    rec = make_record(url="http://arxiv.org/pdf/1810.04805v1.pdf")
    assert rec.identifiers == (("arxiv", "1810.04805"),)
    assert rec.arxiv_version == 1
    assert rec.urls == ("https://arxiv.org/abs/1810.04805v1",)


def test_pubmed_url_yields_pmid() -> None:
    rec = make_record(url="https://pubmed.ncbi.nlm.nih.gov/9377276/")
    assert rec.identifiers == (("pmid", "9377276"),)


def test_several_urls_in_one_cell() -> None:
    rec = make_record(url="https://doi.org/10.1000/abc https://pubmed.ncbi.nlm.nih.gov/123")
    assert rec.identifiers == (("doi", "10.1000/abc"), ("pmid", "123"))


def test_explicit_pmid_pmcid_and_identifiers_dict() -> None:
    rec = make_record(
        pmid="PMID: 009377276",
        pmcid="4567",
        identifiers={"dblp": "journals/neco/HochreiterS97", "DOI": "10.1162/NECO.1997.9.8.1735",
                     "arxiv": ["hep-th/9901001v3"]},
    )
    assert rec.identifiers == (
        ("arxiv", "hep-th/9901001"),
        ("dblp", "journals/neco/HochreiterS97"),
        ("doi", "10.1162/neco.1997.9.8.1735"),
        ("pmcid", "PMC4567"),
        ("pmid", "9377276"),
    )
    assert rec.arxiv_version == 3


def test_isbn_field() -> None:
    rec = make_record(isbn="ISBN 0-306-40615-2")
    assert rec.ids("isbn") == ("9780306406157",)


def test_identifiers_sorted_and_unique() -> None:
    rec = make_record(doi=["10.1000/x", "https://doi.org/10.1000/X"], arxiv="1810.04805",
                      url="https://arxiv.org/abs/1810.04805v3")
    assert rec.identifiers == (("arxiv", "1810.04805"), ("doi", "10.1000/x"))
    assert rec.arxiv_version == 3
    assert list(rec.identifiers) == sorted(set(rec.identifiers))


# ------------------------------------------------------------- authors


def test_authors_list_of_strings() -> None:
    rec = make_record(authors=["Ashish Vaswani", "Kaiser, Łukasz", "", None])
    assert [(a.family, a.given, a.key) for a in rec.authors] == [
        ("Vaswani", "Ashish", "vaswani a"),
        ("Kaiser", "Łukasz", "kaiser l"),
    ]


def test_authors_family_given_objects() -> None:
    rec = make_record(authors=[{"family": "Šuppa", "given": "Marek"},
                               {"family": "van der Berg", "given": "Jan-Peter"}])
    assert [a.key for a in rec.authors] == ["suppa m", "vanderberg jp"]
    assert rec.authors[0].name == "Marek Šuppa"


def test_authors_name_objects() -> None:
    rec = make_record(authors=[{"name": "Ashish Vaswani"}, {"display_name": "Noam Shazeer"}, {}])
    assert [a.key for a in rec.authors] == ["vaswani a", "shazeer n"]


def test_authors_run_together_string() -> None:
    rec = make_record(authors="Przyklenk K.Kloner R. A.")
    assert [(a.family, a.key) for a in rec.authors] == [
        ("Przyklenk", "przyklenk k"),
        ("Kloner", "kloner ra"),
    ]


def test_authors_semicolon_string() -> None:
    rec = make_record(authors="Vaswani, Ashish; Shazeer, Noam; Kaiser, Łukasz")
    assert [a.key for a in rec.authors] == ["vaswani a", "shazeer n", "kaiser l"]


def test_author_key_field_alias() -> None:
    # CSV "author" column and JSON "author" both map to authors.
    rec = make_record(author="Hochreiter, Sepp and Schmidhuber, Jürgen")
    assert [a.key for a in rec.authors] == ["hochreiter s", "schmidhuber j"]
