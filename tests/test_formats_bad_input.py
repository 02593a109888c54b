"""Bad input: a broken record is a rejection (file, position, reason, raw
text) and never stops a build; a file that cannot be read at all is a clear
error naming it; ``--strict`` makes any rejection fatal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _kgfixtures import describe, flat, run, text
from test_formats_helpers import FIXTURES, build, check_counts

from resolve.readers import InputError, InputSpec, read_input
from resolve.types import Record, Rejection

EXIT_INPUT, EXIT_STRICT = 2, 3

BAD_BIB = """@article{good1, title={First}, year={2001}}

@article{broken, title={Never closed, year=2002}

@article{good2, title={Second}, year={2003}}
"""

BAD_RIS = """TY  - JOUR
TI  - First
ER  -

TY  - JOUR
TI  - Cut off by the next record
TY  - JOUR
ID  - second
TI  - Second
ER  -
"""

ONE_BAD_ENTRY = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry><id>http://arxiv.org/abs/1810.04805v2</id><title>Good</title></entry>
  <entry><title>No id</title></entry>
</feed>
"""


def _write(tmp: Path, name: str, content: str) -> Path:
    p = tmp / name
    p.write_text(content, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def mixed_bad(tmp_path_factory):
    """One build over a broken record of each kind."""
    d = tmp_path_factory.mktemp("bad")
    files = [
        _write(d, "refs.bib", BAD_BIB),
        _write(d, "export.ris", BAD_RIS),
        _write(d, "feed.atom", ONE_BAD_ENTRY),
        _write(d, "lines.jsonl", '{"id": "x1", "title": "Good line"}\n{"id": "x2", "title": \n'),
        _write(d, "page.json", json.dumps({"meta": {"count": 2}, "results": [
            {"id": "https://openalex.org/W1", "title": "Good work"},
            {"id": "https://openalex.org/W2", "authorships": "not a list", "biblio": 7,
             "title": {"not": "text"}}, "just a string"]}, indent=1)),
    ]
    return files, build(d / "out", *files)


def test_each_broken_record_is_rejected_and_the_rest_read(mixed_bad) -> None:
    files, b = mixed_bad
    # bib 2 + 1, ris 2 + 1, atom 1 + 1, jsonl 1 + 1, page 2 + 1 (odd shapes still give a record)
    check_counts(b, 8, 5)
    by_file = {Path(r["file"]).name: r for r in b.rejects}
    assert by_file["refs.bib"]["line"] == 3 and "BibTeX" in by_file["refs.bib"]["reason"]
    assert by_file["refs.bib"]["raw"].startswith("@article{broken")
    assert by_file["export.ris"]["line"] == 5 and "without ER" in by_file["export.ris"]["reason"]
    assert (by_file["feed.atom"]["line"], by_file["feed.atom"]["position"]) == (
        4, "/feed/entry[2]")
    assert by_file["lines.jsonl"]["line"] == 2 and by_file["lines.jsonl"]["position"] is None
    assert by_file["page.json"]["position"] == "/results/2"
    assert "got str" in by_file["page.json"]["reason"]


def test_rejects_file_has_file_line_position_origin_reason_raw(mixed_bad) -> None:
    _, b = mixed_bad
    for r in b.rejects:
        assert set(r) == {"file", "line", "position", "origin", "reason", "source", "record_id",
                          "raw"}
        assert r["origin"].startswith(r["file"])
        assert r["line"] is not None or r["position"] is not None
        assert r["reason"] and r["source"]


def test_reject_is_reported_on_the_console_with_its_place(mixed_bad) -> None:
    files, b = mixed_bad
    assert flat(f"rejected {files[0]}:3") in flat(b.output)


def test_strict_makes_a_rejected_record_fatal(tmp_path: Path) -> None:
    ris = _write(tmp_path, "export.ris", BAD_RIS)
    res = run("build", ris, "--store", tmp_path / "store", "--strict", "--quiet")
    assert res.exit_code == EXIT_STRICT, describe(res)
    assert not (tmp_path / "store" / "kg-resolve.json").exists()


@pytest.mark.parametrize(("name", "content", "where"), [
    ("broken.atom", '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><id>x</id>\n</feed>\n',
     ":3:"),
    ("lib.xml", "<xml><records><record><title>T</record></records></xml>", ":1:"),
    ("dblp.xml", "<result><hits><hit></hits></result>", ":1:"),
    ("page.json", '{\n  "results": [\n    {"id": "https://openalex.org/W1",}\n  ]\n}\n', ":3:"),
])
def test_unreadable_file_stops_the_build_naming_it(tmp_path: Path, name: str, content: str,
                                                    where: str) -> None:
    bad = _write(tmp_path, name, content)
    good = FIXTURES / "crossref-work.json"
    res = run("build", good, bad, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert flat(f"{bad}{where}") in flat(text(res))
    assert not (tmp_path / "store" / "kg-resolve.json").exists()


def test_unknown_explicit_file_exits_2_and_directory_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    odd = _write(tmp_path / "in", "notes.txt", "just notes\n")
    res = run("build", odd, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert "unknown file type" in text(res) and flat(str(odd)) in flat(text(res))
    (tmp_path / "in" / "refs.bib").write_text("@article{k, title={T}}\n", encoding="utf-8")
    res = run("build", tmp_path / "in", "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == 0, describe(res)
    assert flat(f"warning: skipped {odd}") in flat(text(res))
    meta = json.loads((tmp_path / "store" / "kg-resolve.json").read_text(encoding="utf-8"))
    assert meta["inputs"] == [{"source": "refs", "path": str(tmp_path / "in" / "refs.bib"),
                               "format": "bibtex"}]
    assert meta["skipped inputs"][0]["path"] == str(odd)


def test_global_format_option_on_the_command_line(tmp_path: Path) -> None:
    refs = _write(tmp_path, "refs.txt", "Exported by a tool\n@article{k, title={T}}\n")
    res = run("build", refs, "--store", tmp_path / "s1", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    res = run("build", refs, "--format", "bibtex", "--store", tmp_path / "s2", "--quiet")
    assert res.exit_code == 0, describe(res)
    res = run("build", refs, "--format", "nope", "--store", tmp_path / "s3", "--quiet")
    assert res.exit_code == EXIT_INPUT and "--format nope" in text(res)


# ------------------------------------------------------------- readers only


def test_empty_and_whitespace_files_give_nothing(tmp_path: Path) -> None:
    for name, fmt in [("a.bib", "bibtex"), ("a.ris", "ris"), ("a.json", "openalex"),
                      ("b.json", "csl-json"), ("a.jsonl", "jsonl")]:
        p = _write(tmp_path, name, "  \n\n")
        assert list(read_input(InputSpec.parse(f"{fmt}:{p}"))) == [], name


def test_empty_xml_file_is_unreadable(tmp_path: Path) -> None:
    p = _write(tmp_path, "lib.xml", "")
    with pytest.raises(InputError, match="lib.xml"):
        list(read_input(InputSpec.parse(str(p))))


def test_xml_entity_declarations_are_refused(tmp_path: Path) -> None:
    p = _write(tmp_path, "lib.xml", '<?xml version="1.0"?>\n<!DOCTYPE xml [\n'
               '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
               "<xml><records><record><title>&b;</title></record></records></xml>\n")
    with pytest.raises(InputError, match="entity declarations"):
        list(read_input(InputSpec.parse(str(p))))


def test_api_error_response_is_a_rejection(tmp_path: Path) -> None:
    p = _write(tmp_path, "page.json", json.dumps({
        "status": "failed", "message-type": "validation-failure",
        "message": [{"type": "parameter-not-allowed", "value": "x", "message": "bad"}]}))
    (rej,) = read_input(InputSpec.parse(str(p)))
    assert isinstance(rej, Rejection) and rej.reason.startswith("Crossref error response")


def test_record_without_title_or_identifier_follows_todays_rule(tmp_path: Path) -> None:
    # Only an id is needed, as for our own records; without an id it is rejected.
    p = _write(tmp_path, "page.json", json.dumps({"results": [
        {"id": "https://openalex.org/W9"}, {"title": None, "authorships": []}]}))
    rec, rej = read_input(InputSpec.parse(str(p)))
    assert isinstance(rec, Record) and rec.record_id == "W9" and rec.title == ""
    assert rec.identifiers == (("openalex", "W9"),)
    assert isinstance(rej, Rejection)
