"""``kg sources``: the supported formats, and docs/sources.md kept in sync."""

from __future__ import annotations

from _kgfixtures import ROOT, describe, run, text

from resolve.formats import FORMATS

DOCS = ROOT / "docs" / "sources.md"


def test_sources_lists_every_format_with_name_source_and_ids() -> None:
    res = run("sources")
    assert res.exit_code == 0, describe(res)
    out = text(res)
    for f in FORMATS.values():
        assert f.name in out
    for service in ("openalex", "crossref", "arxiv", "semanticscholar", "scholar-archive", "core",
                    "unpaywall", "dblp", "paperswithcode"):
        assert FORMATS[service].service == service
    for word in ("recognized by", "ids kept", "file name", "corpusid", "W-id"):
        assert word in out


def test_sources_markdown_is_a_table_row_per_format() -> None:
    res = run("sources", "--markdown")
    assert res.exit_code == 0, describe(res)
    lines = res.stdout.splitlines()
    assert lines[0].startswith("| format | what | source | recognized by |")
    rows = {ln.split(" | ")[0].removeprefix("| ") for ln in lines[2:]}
    assert rows == set(FORMATS)


def test_docs_hold_the_current_table() -> None:
    table = run("sources", "--markdown").stdout
    assert table in DOCS.read_text(encoding="utf-8"), \
        "docs/sources.md is out of date: paste `kg sources --markdown` into it"


def test_docs_describe_every_format() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    for name in FORMATS:
        assert f"`{name}`" in doc, name


def test_help_mentions_sources_and_format() -> None:
    assert "sources" in text(run("--help"))
    out = text(run("build", "--help"))
    assert "--format" in out and "FORMAT" in out and "kg sources" in out
