"""Limits on what one input may hold, and text that is not Unicode: a huge
field, a BibTeX macro bomb, a gzip bomb, lone surrogates, file names that are
not UTF-8, line breaks inside JSON strings, a stray CSV quote, broken UTF-16
and a file read as the wrong format.  Each ends in a rejection (the rest of
the file read) or a clear :class:`InputError` naming the file, never in a
traceback."""

from __future__ import annotations

import gzip
import json
import os
import time
from dataclasses import astuple
from pathlib import Path

import pytest
from _kgfixtures import describe, flat, run, text
from test_formats_helpers import build

from resolve import readers
from resolve.formats import bibtex
from resolve.formats.base import Problem
from resolve.formats.limits import (
    MAX_FIELD_BYTES,
    escape_surrogates,
    field_problem,
    max_decompressed,
    size_text,
)
from resolve.formats.records import parse_csv
from resolve.readers import InputError, InputSpec, expand_inputs, read_input, read_text
from resolve.types import Record, Rejection

EXIT_INPUT = 2


def _read(path: Path, fmt: str | None = None) -> list[Record | Rejection]:
    return list(read_input(InputSpec.parse(f"{fmt}:{path}" if fmt else str(path))))


def _jsonl(tmp: Path, name: str, *objs: object, ascii_only: bool = True) -> Path:
    p = tmp / name
    p.write_text("".join(json.dumps(o, ensure_ascii=ascii_only) + "\n" for o in objs),
                 encoding="utf-8")
    return p


# ------------------------------------------------------------------ field size


def test_a_field_over_one_mib_rejects_its_record_only(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, "big.jsonl", {"id": "a", "title": "First"},
               {"id": "b", "title": "x" * (MAX_FIELD_BYTES + 1)},
               {"id": "c", "title": "Third", "urls": ["https://x.org/" + "u" * MAX_FIELD_BYTES]},
               {"id": "d", "title": "t" * MAX_FIELD_BYTES})
    a, b, c, d = _read(p)
    assert isinstance(a, Record) and isinstance(d, Record)
    assert isinstance(b, Rejection) and b.record_id == "b" and b.origin.endswith(":2")
    assert b.reason == f"field title is {MAX_FIELD_BYTES + 1} bytes, over the 1 MiB limit"
    assert isinstance(c, Rejection) and c.reason.startswith("field urls is ")


def test_field_size_counts_utf8_bytes_of_every_value() -> None:
    # 400,000 characters of 3 bytes each; a list of authors counts together.
    assert field_problem({"title": "漢" * 400_000}) == (
        "field title is 1200000 bytes, over the 1 MiB limit")
    assert field_problem({"authors": ["a" * 600_000, {"family": "b" * 600_000}]}) is not None
    assert field_problem({"title": "漢" * 300_000, "comment": "x" * (2 * MAX_FIELD_BYTES)}) is None
    assert size_text(MAX_FIELD_BYTES) == "1 MiB" and size_text(1536) == "1.5 KiB"


def test_a_huge_field_no_longer_stops_the_build(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, "big.jsonl", {"id": "a", "title": "Small"},
               {"id": "b", "title": "x" * (2 * MAX_FIELD_BYTES)})
    b = build(tmp_path / "out", p)
    assert b.summary["records read"] == 2 and b.summary["records rejected"] == 1
    assert "over the 1 MiB limit" in b.rejects[0]["reason"]


# ------------------------------------------------------------- BibTeX macros


def _macro_bomb(levels: int) -> str:
    lines = ['@string{s0 = "0123456789abcdef"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, levels + 1)]
    return "\n".join(lines) + (f"\n@article{{bomb, title = s{levels}}}\n"
                               "@article{fine, title = s3 # { and more}, journal = s2}\n")


def test_nested_string_macros_are_bounded(tmp_path: Path) -> None:
    # 40 doublings would be 16 TiB; it must end quickly with one rejection.
    p = tmp_path / "bomb.bib"
    p.write_text(_macro_bomb(40), encoding="utf-8")
    started = time.perf_counter()
    bomb, fine = _read(p)
    assert time.perf_counter() - started < 10
    assert isinstance(bomb, Rejection) and bomb.origin.endswith(":42")
    assert bomb.reason == "@string s40 expands to over 1 MiB (the limit on a field)"
    assert isinstance(fine, Record) and fine.title == "0123456789abcdef" * 8 + " and more"


def test_string_expansion_has_a_budget_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bibtex, "MAX_BIBTEX_EXPANSION", 100)
    text_ = '@string{j = "Journal of Things"}\n' + "".join(
        f"@article{{k{i}, title = {{T{i}}}, journal = j}}\n" for i in range(8))
    items = list(bibtex.parse(text_))
    # 17 characters a use: five uses fit in 100, the sixth is over.
    assert [type(i).__name__ for i in items] == ["Entry"] * 5 + ["Problem"] * 3
    assert items[5].reason == "@string expansion in this file is over 100 bytes " \
                              "(the limit on one file)"


def test_resolve_value_without_a_budget_still_works() -> None:
    assert bibtex.resolve_value('a # " b" # {c}', {"a": "A"}) == "A bc"


# ---------------------------------------------------------------------- gzip


def test_gzip_expansion_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "bomb.jsonl.gz"
    p.write_bytes(gzip.compress(b'{"id": "a", "title": "T"}\n' + b" " * 100_000))
    assert len(read_text(p)) > 100_000  # under the real limit
    monkeypatch.setattr(readers, "max_decompressed", lambda n: 50_000)
    with pytest.raises(InputError, match=r"bomb\.jsonl\.gz: decompresses to more than 48\.8 KiB "
                                         r"\(the limit is 64 MiB or 100 times"):
        read_text(p)


def test_decompressed_limit_is_64_mib_or_100_times() -> None:
    assert max_decompressed(1000) == 64 << 20
    assert max_decompressed(10 << 20) == 1000 << 20


# --------------------------------------------------------- lone surrogates


_SURROGATES = (
    '{"id": "a", "title": "T", "doi": "10.1/\\ud800x"}\n'
    '{"id": "b\\udc00", "title": "T"}\n'
    '{"id": "c", "title": "T", "urls": ["https://x.org/\\ud800"]}\n'
    '{"id": "d", "title": "T", "identifiers": {"x\\ud800": "y"}}\n'
    '{"id": "e", "title": "Broken \\ud83d emoji", "authors": ["Ann \\udfff Lee"],'
    ' "abstract": "\\udc80"}\n'
    '{"id": "f", "title": "A real \\ud83d\\ude00 pair"}\n'
)


def test_lone_surrogates_reject_ids_and_are_replaced_in_text(tmp_path: Path) -> None:
    p = tmp_path / "s.jsonl"
    p.write_text(_SURROGATES, encoding="utf-8")
    a, b, c, d, e, f = _read(p)
    for rej, name in [(a, "doi"), (b, "id"), (c, "urls"), (d, "identifiers")]:
        assert isinstance(rej, Rejection), rej
        assert rej.reason.startswith(f"field {name} holds a lone UTF-16 surrogate")
    assert b.record_id == "b\\udc00" and "\\ud800" in a.reason
    assert isinstance(e, Record) and e.title == "Broken \ufffd emoji"
    assert e.abstract == "\ufffd" and e.authors[0].name == "Ann \ufffd Lee"
    assert isinstance(f, Record) and f.title == "A real \U0001F600 pair"
    for item in (a, b, c, d, e, f):
        for value in astuple(item):
            assert not isinstance(value, str) or value == escape_surrogates(value)


def test_surrogates_in_a_json_document_keep_the_raw_text_writable(tmp_path: Path) -> None:
    p = tmp_path / "page.json"
    p.write_text('{"results": [{"id": "https://openalex.org/W1", "doi": "10.1/\\ud800",\n'
                 '"title": "T"}]}', encoding="utf-8")
    (rej,) = _read(p, "openalex")
    assert isinstance(rej, Rejection) and "\\ud800" in rej.raw
    rej.raw.encode("utf-8")


def test_surrogates_end_in_rejections_not_a_traceback(tmp_path: Path) -> None:
    p = tmp_path / "s.jsonl"
    p.write_text(_SURROGATES, encoding="utf-8")
    b = build(tmp_path / "out", p)
    assert b.summary["records read"] == 6 and b.summary["records rejected"] == 4
    assert {r["record_id"] for r in b.rejects} == {"a", "b\\udc00", "c", "d"}


# ------------------------------------------------------- file names not UTF-8


@pytest.fixture
def latin1_name(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    try:
        p = Path(os.fsdecode(bytes(d) + b"/caf\xe9.jsonl"))
        p.write_text('{"id": "x1", "title": "T"}\n{"id": "x2"\n', encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    return p


def test_file_names_that_are_not_utf8_are_escaped(latin1_name: Path) -> None:
    specs, skipped = expand_inputs([str(latin1_name.parent)])
    assert skipped == [] and specs[0].source == "caf\\xe9"
    rec, rej = read_input(specs[0])
    assert isinstance(rec, Record) and rec.origin.endswith("caf\\xe9.jsonl:1")
    assert isinstance(rej, Rejection) and rej.origin.endswith("caf\\xe9.jsonl:2")
    for item in (rec, rej):
        (item.origin + item.source).encode("utf-8")
    (spec,) = expand_inputs([f"bibtex:{latin1_name}"])[0]
    with pytest.raises(InputError) as info:
        list(read_input(spec))
    assert "caf\\xe9.jsonl as bibtex" in str(info.value)
    str(info.value).encode("utf-8")


def test_build_from_a_file_name_that_is_not_utf8(latin1_name: Path, tmp_path: Path) -> None:
    b = build(tmp_path / "out", latin1_name.parent)
    assert b.summary["records read"] == 2


# ----------------------------------------------------------------- line breaks


def test_json_lines_end_at_newline_only(tmp_path: Path) -> None:
    p = tmp_path / "l.jsonl"
    lines = [{"id": "a", "title": "One\u2028two\u2029three\x85four\x0bfive\x1cend"},
             {"id": "b", "title": "Second"}]
    p.write_bytes(b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\r\n"
                           for o in lines))
    a, b = _read(p)
    assert isinstance(a, Record) and isinstance(b, Record), (a, b)
    assert a.record_id == "a" and b.origin.endswith(":2")


def test_ris_lines_end_at_newline_only() -> None:
    from resolve.formats.ris import parse
    first, second = parse("TY  - JOUR\nID  - a\nTI  - One\u2028two\nER  - \n"
                          "TY  - JOUR\rID  - b\rER  - \r")
    assert first.fields["title"] == "One\u2028two" and (first.line, second.line) == (1, 5)


# ----------------------------------------------------------------- stray quote


@pytest.mark.parametrize(("csv_text", "ids", "bad_lines"), [
    # an unclosed quote that runs to the end of the file
    ('id,title\n1,"broken\n2,ok\n3,ok\n', ["2", "3"], [2]),
    # an unclosed quote that reaches a later quote: the joined row is too short
    ('id,title,x\n1,"broken,x\n2,ok,y\n3,"two\nlines",z\n4,a,b\n', ["2", "3", "4"], [2]),
    # a quote in the middle of a field is only a character
    ('id,title,x\n1,bro"ken,x\n2,ok,y\n', ["1", "2"], []),
    # a quoted field over two lines is fine
    ('id,title\r\n1,"a\r\nb"\r\n2,c\r\n', ["1", "2"], []),
])
def test_a_stray_quote_costs_its_own_line_only(csv_text: str, ids: list[str],
                                               bad_lines: list[int]) -> None:
    items = list(parse_csv(csv_text))
    assert [i.fields["id"] for i in items if hasattr(i, "fields")] == ids
    problems = [i for i in items if isinstance(i, Problem)]  # (a Notice lists unread columns)
    assert [p.line for p in problems] == bad_lines
    for p in problems:
        assert "\n" not in p.raw and "a stray quote?" in p.reason


def test_stray_quote_csv_file_adds_up(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text('id,title,year\n1,"Open,2001\n2,Second,2002\n3,Third,2003\n', encoding="utf-8")
    items = _read(p)
    assert [type(i).__name__ for i in items] == ["Rejection", "Record", "Record"]
    assert items[0].origin.endswith("t.csv:2") and items[0].raw == '1,"Open,2001'


# ------------------------------------------------------------------ UTF-16


@pytest.mark.parametrize("data", [
    b"\xff\xfe" + '{"id": "a"}'.encode("utf-16-le")[:-1],     # cut in the middle
    b"\xff\xfe" + b"\x00\xd8" + "x".encode("utf-16-le"),      # a lone surrogate
])
def test_broken_utf16_is_an_input_error(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "u.jsonl"
    p.write_bytes(data)
    with pytest.raises(InputError, match=r"u\.jsonl:1: not valid utf-16"):
        _read(p)
    res = run("build", p, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert "not valid utf-16" in text(res) and "Traceback" not in text(res)


def test_odd_codecs_are_input_errors(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    p.write_bytes(b'{"id": "a", "title": "\xff\xfe"}\n')
    for encoding in ("idna", "punycode", "hex", "rot13", "utf-7"):
        try:
            list(read_input(InputSpec.parse(str(p)), encoding))
        except InputError:
            pass


# -------------------------------------------------------- the wrong format


def test_a_file_read_as_the_wrong_format_is_an_error(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, "records.jsonl", {"id": "a", "title": "T"})
    with pytest.raises(InputError, match="read no records from .*records.jsonl as bibtex; is "
                                         "that its format"):
        _read(p, "bibtex")
    res = run("build", f"bibtex:{p}", "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert flat(f"read no records from {p} as bibtex") in flat(text(res))


@pytest.mark.parametrize(("name", "content", "fmt"), [
    ("empty.json", '{"meta": {"count": 0}, "results": []}', "openalex"),
    ("empty.json", "[]", "csl-json"),
    ("lib.bib", "% Encoding: UTF-8\n\n% nothing yet\n", None),
    ("only-strings.bib", '@string{j = "J"}\n@comment{x}\n', None),
    ("header.csv", "id,title\n", "csv"),
    ("blank.bib", "  \n", "bibtex"),
])
def test_an_empty_file_of_its_format_is_no_error(tmp_path: Path, name: str, content: str,
                                                  fmt: str | None) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    assert _read(p, fmt) == []
