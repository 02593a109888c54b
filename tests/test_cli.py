"""The ``kg`` command line: help, build summary, exit codes, query/info/export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import rdflib
from _kgfixtures import (
    EXAMPLE_FILES,
    RECORDS_DIR,
    build,
    clusters_of,
    describe,
    flat,
    gold,
    query_rows,
    run,
    summary_of,
    text,
)
from pyoxigraph import DefaultGraph, RdfFormat, Store

from kg.queries import shipped_queries
from kg.store import open_store

EXIT_INPUT, EXIT_STRICT, EXIT_STORE, EXIT_QUERY = 2, 3, 4, 5

GOOD_LINE = {"id": "r1", "title": "A Study of Things", "authors": ["Ada Lovelace"],
             "year": 2020}


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --------------------------------------------------------------------- help


def test_root_help_lists_commands():
    res = run("--help")
    assert res.exit_code == 0, describe(res)
    out = text(res)
    for cmd in ("build", "query", "export", "info"):
        assert cmd in out
    assert "Exit codes" in out


@pytest.mark.parametrize(("command", "options"), [
    ("build", ("--store", "--encoding", "--rejects", "--strict", "--settings", "--quiet")),
    ("query", ("--store", "--param", "--format", "--list")),
    ("export", ("--store", "--format", "--output")),
    ("info", ("--store",)),
])
def test_subcommand_help(command, options):
    res = run(command, "--help")
    assert res.exit_code == 0, describe(res)
    out = text(res)
    for opt in options:
        assert opt in out, f"{command} --help does not mention {opt}"


def test_no_args_shows_help():
    res = run()
    # typer's no_args_is_help: usage is printed; exit code is 0 or 2 depending on
    # the click version, never a crash.
    assert res.exit_code in (0, 2), describe(res)
    assert "build" in text(res)


# -------------------------------------------------------------------- build


def test_build_summary(example_build):
    _, res = example_build
    s = summary_of(res)
    assert s["records read"] == 57
    assert s["records rejected"] == 0
    assert s["records in works"] == 57
    assert s["works"] == 10
    assert s["multi-record works"] == 9
    assert s["quads written"] > 0


def test_every_record_in_one_work_or_rejected(example_build):
    _, res = example_build
    s = summary_of(res)
    assert s["records read"] == s["records in works"] + s["records rejected"]


def test_build_writes_marker_and_info_shows_summary(example_build):
    store, _ = example_build
    assert (store / "kg-resolve.json").is_file()
    res = run("info", "--store", store)
    assert res.exit_code == 0, describe(res)
    meta = json.loads(res.stdout)
    assert meta["tool"] == "kg-resolve"
    summary = meta["summary"]
    assert summary["records read"] == 57
    assert summary["records rejected"] == 0
    assert summary["works"] == 10
    assert summary["multi-record works"] == 9
    assert summary["records read"] == summary["records in works"] + summary["records rejected"]
    assert sorted(i["source"] for i in meta["inputs"]) == [
        "arxiv", "crossref", "dblp", "openalex", "scholar_archive", "semantic_scholar", "zotero"]


def test_info_on_non_store_exits_4(tmp_path):
    res = run("info", "--store", tmp_path)
    assert res.exit_code == EXIT_STORE, describe(res)


def test_unknown_input_file_exits_2_naming_it(tmp_path):
    missing = tmp_path / "nowhere" / "missing.jsonl"
    res = run("build", missing, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert flat(str(missing)) in flat(text(res))
    assert not (tmp_path / "store" / "kg-resolve.json").exists()


def test_csv_without_title_column_exits_2_naming_file(tmp_path):
    bad = tmp_path / "notitle.csv"
    bad.write_text("id,name,year\r\nx1,Something,2020\r\n", encoding="utf-8")
    res = run("build", bad, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert flat(str(bad)) in flat(text(res))
    assert "title" in text(res)


@pytest.fixture(scope="module")
def malformed_build(tmp_path_factory):
    """A JSONL file whose 2nd line is not JSON, built with --rejects."""
    d = tmp_path_factory.mktemp("malformed")
    src = _jsonl(d / "mixed.jsonl", [
        json.dumps(GOOD_LINE),
        '{"id": "r2", "title": "Broken',
        json.dumps({"id": "r3", "title": "Another Paper Entirely", "year": 2019}),
    ])
    rejects = d / "rejects.jsonl"
    res = run("build", src, "--store", d / "store", "--rejects", rejects, "--quiet")
    return d, src, rejects, res


def test_malformed_line_is_rejected_not_fatal(malformed_build):
    d, src, _, res = malformed_build
    assert res.exit_code == 0, describe(res)
    s = summary_of(res)
    assert s["records read"] == 3
    assert s["records rejected"] == 1
    assert s["records in works"] == 2
    assert s["records read"] == s["records in works"] + s["records rejected"]
    assert flat(f"{src}:2") in flat(text(res))


def test_rejects_file_has_origin_reason_raw(malformed_build):
    _, src, rejects, _ = malformed_build
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["origin"] == f"{src}:2"
    assert obj["reason"]
    assert obj["raw"] == '{"id": "r2", "title": "Broken'


def test_malformed_build_counts_rejection_in_store(malformed_build):
    d, *_ = malformed_build
    rows = query_rows(d / "store", "summary")
    assert rows == [{"records": "2", "works": "2", "multi_record_works": "0",
                     "sources": "1", "rejected": "1"}]


def test_strict_with_malformed_line_exits_3(tmp_path):
    src = _jsonl(tmp_path / "mixed.jsonl", [json.dumps(GOOD_LINE), "{not json"])
    store = tmp_path / "store"
    res = run("build", src, "--store", store, "--strict", "--quiet")
    assert res.exit_code == EXIT_STRICT, describe(res)
    assert not (store / "kg-resolve.json").exists()


def test_strict_without_rejects_succeeds(tmp_path):
    src = _jsonl(tmp_path / "ok.jsonl", [json.dumps(GOOD_LINE)])
    res = run("build", src, "--store", tmp_path / "store", "--strict", "--quiet")
    assert res.exit_code == 0, describe(res)


def test_repeated_record_id_exits_2_naming_both_lines(tmp_path):
    src = _jsonl(tmp_path / "dup.jsonl", [
        json.dumps(GOOD_LINE),
        json.dumps({"id": "other", "title": "Unrelated"}),
        json.dumps(GOOD_LINE | {"title": "Same id again"}),
    ])
    res = run("build", src, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    out = flat(text(res))
    assert flat(f"{src}:1") in out
    assert flat(f"{src}:3") in out
    assert "r1" in out


def test_same_record_id_in_two_sources_is_fine(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", [json.dumps(GOOD_LINE)])
    b = _jsonl(tmp_path / "b.jsonl", [json.dumps(GOOD_LINE)])
    res = run("build", a, b, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == 0, describe(res)
    s = summary_of(res)
    assert s["records read"] == 2


def test_non_store_directory_is_refused_and_untouched(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    (target / "sub").mkdir()
    (target / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    res = build(target, RECORDS_DIR / "arxiv.jsonl")
    assert res.exit_code == EXIT_STORE, describe(res)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (target / "sub" / "data.bin").read_bytes() == b"\x00\x01"


def test_store_path_that_is_a_file_exits_4(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x", encoding="utf-8")
    res = build(f, RECORDS_DIR / "arxiv.jsonl")
    assert res.exit_code == EXIT_STORE, describe(res)
    assert f.read_text(encoding="utf-8") == "x"


def test_rebuild_replaces_existing_store(tmp_path):
    store = tmp_path / "store"
    res = build(store)
    assert res.exit_code == 0, describe(res)
    (store / "stray.txt").write_text("old", encoding="utf-8")
    res = build(store, RECORDS_DIR / "arxiv.jsonl")
    assert res.exit_code == 0, describe(res)
    assert summary_of(res)["records read"] == 7
    rows = query_rows(store, "summary")
    assert rows[0]["records"] == "7"
    assert rows[0]["sources"] == "1"
    assert not (store / "stray.txt").exists()
    assert json.loads(run("info", "--store", store).stdout)["summary"]["records read"] == 7


def test_failed_rebuild_keeps_the_old_store(tmp_path):
    store = tmp_path / "store"
    assert build(store, RECORDS_DIR / "crossref.jsonl").exit_code == 0
    res = build(store, RECORDS_DIR / "arxiv.jsonl", tmp_path / "missing.jsonl")
    assert res.exit_code == EXIT_INPUT, describe(res)
    bad = _jsonl(tmp_path / "bad.jsonl", ["{oops"])
    res = build(store, bad, extra=("--strict",))
    assert res.exit_code == EXIT_STRICT, describe(res)
    rows = query_rows(store, "summary")
    assert rows[0]["records"] == "5"
    assert rows[0]["rejected"] == "0"


def test_repeated_id_across_files_of_one_source_exits_2(tmp_path):
    """Two different records under one id (identical copies are collapsed)."""
    a = _jsonl(tmp_path / "a.jsonl", [json.dumps(GOOD_LINE)])
    b = _jsonl(tmp_path / "b.jsonl", [json.dumps({"id": "x"} | {"title": "T"}),
                                      json.dumps(GOOD_LINE | {"title": "Another title"})])
    res = run("build", f"same={a}", f"same={b}", "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    out = flat(text(res))
    assert flat(f"{a}:1") in out and flat(f"{b}:2") in out


def test_csv_row_with_wrong_field_count_is_rejected(tmp_path):
    src = tmp_path / "rows.csv"
    src.write_text("id,title,year\r\nk1,First Title,2020\r\nk2,Second,2021,extra\r\n"
                   "k3,Third Title,2022\r\n", encoding="utf-8")
    rejects = tmp_path / "rej.jsonl"
    res = run("build", src, "--store", tmp_path / "store", "--rejects", rejects, "--quiet")
    assert res.exit_code == 0, describe(res)
    s = summary_of(res)
    assert (s["records read"], s["records rejected"], s["records in works"]) == (3, 1, 2)
    (line,) = rejects.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["origin"] == f"{src}:3"


def test_record_without_id_is_rejected(tmp_path):
    src = _jsonl(tmp_path / "noid.jsonl", [json.dumps({"title": "No id here"}),
                                           json.dumps(GOOD_LINE)])
    rejects = tmp_path / "rej.jsonl"
    res = run("build", src, "--store", tmp_path / "store", "--rejects", rejects, "--quiet")
    assert res.exit_code == 0, describe(res)
    assert summary_of(res)["records rejected"] == 1
    obj = json.loads(rejects.read_text(encoding="utf-8"))
    assert obj["origin"] == f"{src}:1"
    assert "id" in obj["reason"]
    assert json.loads(obj["raw"]) == {"title": "No id here"}


def test_empty_input_builds_an_empty_store(tmp_path):
    src = _jsonl(tmp_path / "empty.jsonl", [])
    res = run("build", src, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == 0, describe(res)
    s = summary_of(res)
    assert (s["records read"], s["works"]) == (0, 0)
    assert query_rows(tmp_path / "store", "summary")[0]["works"] == "0"


# -------------------------------------------------------------------- query


def test_query_on_non_store_exits_4(tmp_path):
    res = run("query", "summary", "--store", tmp_path)
    assert res.exit_code == EXIT_STORE, describe(res)


def test_query_bad_sparql_exits_5(example_store):
    res = run("query", "SELECT ?x WHERE { ?x ?y }", "--store", example_store)
    assert res.exit_code == EXIT_QUERY, describe(res)


def test_query_unknown_shipped_name_exits_5(example_store):
    res = run("query", "no-such-query", "--store", example_store)
    assert res.exit_code == EXIT_QUERY, describe(res)
    assert "summary" in text(res)  # the message lists the shipped queries


def test_query_missing_rq_file_exits_5(example_store, tmp_path):
    res = run("query", tmp_path / "absent.rq", "--store", example_store)
    assert res.exit_code == EXIT_QUERY, describe(res)


@pytest.mark.parametrize(("name", "param"), [
    ("works-by-author", "author"),
    ("work-records", "work"),
    ("cross-source-duplicates", "source_a"),
])
def test_query_missing_required_param_exits_5(example_store, name, param):
    res = run("query", name, "--store", example_store)
    assert res.exit_code == EXIT_QUERY, describe(res)
    assert param in text(res)


def test_query_param_that_is_not_a_variable_exits_5(example_store):
    res = run("query", "summary", "--store", example_store, "--param", "nope=1")
    assert res.exit_code == EXIT_QUERY, describe(res)


def test_query_bad_format_exits_2(example_store):
    res = run("query", "summary", "--store", example_store, "--format", "xml")
    assert res.exit_code == EXIT_INPUT, describe(res)


def test_query_list_names_every_shipped_query():
    res = run("query", "--list")
    assert res.exit_code == 0, describe(res)
    out = text(res)
    names = sorted(p.stem for p in (Path(__file__).parent.parent / "queries").glob("*.rq"))
    assert names == sorted(shipped_queries())
    assert len(names) >= 5
    for name in names:
        assert name in out


def test_query_table_output(example_store):
    res = run("query", "summary", "--store", example_store)
    assert res.exit_code == 0, describe(res)
    assert "57" in res.stdout
    assert "1 row(s)" in text(res)


# ------------------------------------------------------------------- export


def test_export_clusters_one_row_per_record(example_store, tmp_path):
    out = tmp_path / "clusters.csv"
    res = run("export", "--store", example_store, "--format", "clusters", "--output", out)
    assert res.exit_code == 0, describe(res)
    raw = out.read_text(encoding="utf-8")
    lines = raw.splitlines()
    assert lines[0] == "source,record_id,work_id"
    rows = list(csv.reader(lines[1:]))
    assert len(rows) == 57
    keys = [(r[0], r[1]) for r in rows]
    assert len(set(keys)) == 57
    assert set(keys) == set(gold())
    assert len({r[2] for r in rows}) == 10
    assert rows == sorted(rows)


def test_export_clusters_match_gold_partition(example_store, tmp_path):
    got = clusters_of(example_store, tmp_path / "c.csv")
    by_work: dict[str, set] = {}
    for key, w in got.items():
        by_work.setdefault(w, set()).add(key)
    by_gold: dict[str, set] = {}
    for key, c in gold().items():
        by_gold.setdefault(c, set()).add(key)
    assert sorted(map(sorted, by_work.values())) == sorted(map(sorted, by_gold.values()))


def test_export_bad_format_exits_2(example_store, tmp_path):
    res = run("export", "--store", example_store, "--format", "rdfxml",
              "--output", tmp_path / "x")
    assert res.exit_code == EXIT_INPUT, describe(res)


def test_export_non_store_exits_4(tmp_path):
    res = run("export", "--store", tmp_path, "--output", tmp_path / "x.ttl")
    assert res.exit_code == EXIT_STORE, describe(res)


@pytest.fixture(scope="module")
def twin_exports(tmp_path_factory):
    """Two fresh builds of the same input into different directories, exported."""
    out = {}
    for name in ("one", "two"):
        d = tmp_path_factory.mktemp(f"twin-{name}")
        res = build(d / "store")
        assert res.exit_code == 0, describe(res)
        files = {}
        for fmt, ext in (("turtle", "ttl"), ("ntriples", "nt"), ("clusters", "csv")):
            f = d / f"export.{ext}"
            r = run("export", "--store", d / "store", "--format", fmt, "--output", f)
            assert r.exit_code == 0, describe(r)
            files[fmt] = f
        out[name] = (d / "store", files)
    return out


def test_work_ids_are_deterministic(twin_exports):
    (_, a), (_, b) = twin_exports["one"], twin_exports["two"]
    ca = list(csv.DictReader(a["clusters"].open(encoding="utf-8", newline="")))
    cb = list(csv.DictReader(b["clusters"].open(encoding="utf-8", newline="")))
    assert len(ca) == 57
    assert ca == cb


def test_clusters_do_not_depend_on_input_order(twin_exports, tmp_path):
    _, a = twin_exports["one"]
    store = tmp_path / "store"
    res = build(store, *reversed(EXAMPLE_FILES))
    assert res.exit_code == 0, describe(res)
    out = tmp_path / "clusters.csv"
    assert run("export", "--store", store, "--format", "clusters",
               "--output", out).exit_code == 0
    assert out.read_bytes() == a["clusters"].read_bytes()


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_rdf_exports_are_byte_identical(twin_exports, fmt):
    (_, a), (_, b) = twin_exports["one"], twin_exports["two"]
    data = a[fmt].read_bytes()
    assert len(data) > 1000
    assert data == b[fmt].read_bytes()


def test_turtle_parses_and_matches_ntriples_count(twin_exports):
    store, files = twin_exports["one"]
    g = rdflib.Graph()
    g.parse(files["turtle"], format="turtle")
    nt = rdflib.Graph()
    nt.parse(files["ntriples"], format="nt")
    assert len(g) > 0
    assert len(g) == len(nt)
    nt_lines = [ln for ln in files["ntriples"].read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith("#")]
    assert len(nt_lines) == len(nt)


def test_turtle_reloads_into_pyoxigraph_with_same_triples(twin_exports):
    store_dir, files = twin_exports["one"]
    fresh = Store()
    fresh.load(path=str(files["turtle"]), format=RdfFormat.TURTLE)
    src = open_store(store_dir)
    default = list(src.quads_for_pattern(None, None, None, DefaultGraph()))
    assert len(default) > 0
    assert len(fresh) == len(default)
    assert {q.triple for q in fresh} == {q.triple for q in default}


def test_export_excludes_named_graphs(twin_exports):
    _, files = twin_exports["one"]
    nt = files["ntriples"].read_text(encoding="utf-8")
    assert "kg-resolve/ns#Match" not in nt
    assert "prov#startedAtTime" not in nt


def test_example_files_are_the_seven_sources():
    assert [Path(f).name for f in EXAMPLE_FILES] == [
        "arxiv.jsonl", "crossref.jsonl", "dblp.csv", "openalex.jsonl",
        "scholar_archive.jsonl", "semantic_scholar.jsonl", "zotero.csv"]


def test_a_corrupt_store_is_a_clear_error_not_a_traceback(tmp_path):
    store = tmp_path / "corrupt"
    store.mkdir()
    (store / "kg-resolve.json").write_text('{"tool": "kg-resolve"}', encoding="utf-8")
    (store / "CURRENT").write_text("junk\n", encoding="utf-8")
    for args in (("query", "summary"), ("export", "-f", "turtle", "-o", tmp_path / "x.ttl"),
                 ("validate",)):
        res = run(*args, "--store", store)
        assert res.exit_code == EXIT_STORE, describe(res)
        assert "cannot open store" in text(res)
        assert not isinstance(res.exception, RuntimeError)


def test_validate_batch_must_be_positive(example_store):
    for batch in ("0", "-5"):
        res = run("validate", "--store", example_store, "--batch", batch)
        assert res.exit_code == 2, describe(res)
