"""The shipped SPARQL queries answer the questions of examples/README.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import _kgfixtures
import pytest
from _kgfixtures import (
    ATTENTION_RECORDS,
    BERT_RECORDS,
    QUERIES_DIR,
    clusters_of,
    describe,
    gold,
    gold_clusters,
    query_csv,
    query_rows,
    run,
)
from pyoxigraph import Store

from kg.queries import (
    QueryError,
    format_csv,
    format_json,
    parse_query_file,
    queries_markdown,
    resolve_query,
    result_rows,
    run_query,
    shipped_queries,
)

example_store = _kgfixtures.example_store  # the fixture, built once per module


@pytest.fixture(scope="module")
def work_of(example_store, tmp_path_factory) -> dict[str, str]:
    """gold cluster name -> work id of the example build (via the clusters export)."""
    clusters = clusters_of(example_store, tmp_path_factory.mktemp("q") / "clusters.csv")
    mapping: dict[str, set[str]] = {}
    for key, cluster in gold().items():
        mapping.setdefault(cluster, set()).add(clusters[key])
    # Each gold cluster must be exactly one work for the answers below to make sense.
    assert all(len(v) == 1 for v in mapping.values()), mapping
    return {c: next(iter(ws)) for c, ws in mapping.items()}


# ------------------------------------------------------------------ shipped


def test_shipped_queries_are_the_files():
    shipped = shipped_queries()
    assert set(shipped) == {p.stem for p in QUERIES_DIR.glob("*.rq")}
    assert {"summary", "multi-record-works", "work-records", "works-by-author",
            "cross-source-duplicates"} <= set(shipped)
    for q in shipped.values():
        assert q.title, f"{q.name} has no '# title:' line"


def test_shipped_query_params_are_declared():
    shipped = shipped_queries()
    assert [p for p, _ in shipped["works-by-author"].params] == ["author"]
    assert [p for p, _ in shipped["work-records"].params] == ["work"]
    assert [p for p, _ in shipped["cross-source-duplicates"].params] == ["source_a", "source_b"]
    assert shipped["summary"].params == ()
    assert shipped["multi-record-works"].params == ()
    for name in ("work-versions", "match-evidence", "record-provenance"):
        assert [p for p, _ in shipped[name].params] == ["work"]
    assert shipped["rejections"].params == () and shipped["build"].params == ()


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES_DIR.glob("*.rq")))
def test_every_shipped_query_is_documented(name):
    """A title, a description, each parameter explained and used in the query,
    and every query variable that is never bound declared as a parameter."""
    q = shipped_queries()[name]
    assert q.title and not q.title.endswith(".")
    assert len(q.description) > 30 and q.description.endswith(".")
    body = "\n".join(ln for ln in q.text.splitlines() if not ln.startswith("#"))
    for param, doc in q.params:
        assert doc, f"{name}: parameter {param} has no description"
        assert re.search(rf"[?$]{param}\b", body), f"{name}: {param} is not a variable"


def test_list_markdown_is_the_readme_table():
    table = queries_markdown()
    res = run("query", "--list", "--format", "markdown")
    assert res.exit_code == 0, describe(res)
    assert res.stdout == table
    rows = [ln for ln in table.splitlines()[2:]]
    assert [r.split("|")[1].strip().strip("`") for r in rows] == sorted(shipped_queries())
    readme = (QUERIES_DIR.parent / "README.md").read_text(encoding="utf-8")
    marker = "<!-- kg query --list --format markdown -->\n"
    if marker not in readme:
        pytest.skip("README.md has no generated table of shipped queries yet")
    start = readme.index(marker) + len(marker)
    assert readme[start:start + len(table)] == table, \
        "README.md's table of shipped queries is out of date: paste the output of " \
        "'kg query --list --format markdown' after the marker"


def test_list_shows_every_query_and_param():
    res = run("query", "--list")
    assert res.exit_code == 0, describe(res)
    out = re.sub(r"\s+", "", res.stdout)
    for q in shipped_queries().values():
        assert q.name in out
        for p, _ in q.params:
            assert p in out


def test_work_versions_bert(example_store, work_of):
    rows = query_rows(example_store, "work-versions", f"work={work_of['bert']}")
    assert len(rows) == 4
    journal = next(r for r in rows if r["basis"] == "doi")
    assert journal["doi"] == "10.18653/v1/n19-1423" and journal["records"] == "4"
    assert set(journal["record_ids"].split("; ")) == {
        "crossref:10.18653/v1/n19-1423", "openalex:W1000002",
        "dblp:conf/naacl/DevlinCLT19", "semantic_scholar:s2-0002"}
    assert len(journal["revision_of"].split()) == 3
    v2 = next(r for r in rows if r["arxiv_version"] == "2")
    assert set(v2["record_ids"].split("; ")) == {"arxiv:1810.04805v2", "zotero:8FJ2NWXA"}
    v1 = next(r for r in rows if r["arxiv_version"] == "1")
    assert v2["revision_of"] == v1["version"]
    assert sum(int(r["records"]) for r in rows) == 8


def test_match_evidence_bert(example_store, work_of):
    rows = query_rows(example_store, "match-evidence", f"work={work_of['bert']}")
    assert rows
    pairs = {(r["record_a"], r["record_b"]) for r in rows}
    assert all(a < b for a, b in pairs)
    assert {r["decision"] for r in rows} <= {"merged", "not merged"}
    doi = [r for r in rows if r["field"] == "doi" and r["decision"] == "merged"]
    assert doi and all(float(r["weight"]) > 0 for r in doi if r["level"] == "same")
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_record_provenance_bert(example_store, work_of):
    rows = query_rows(example_store, "record-provenance", f"work={work_of['bert']}")
    by_field = {r["field"]: r for r in rows}
    assert {"title", "authors", "year", "doi"} <= set(by_field)
    assert by_field["doi"]["value"] == "10.18653/v1/n19-1423"
    assert by_field["authors"]["value"] == "4"
    assert (by_field["title"]["source"], by_field["title"]["record_id"]) in BERT_RECORDS


def test_provenance_and_versions_of_a_single_record_work(example_store):
    """A work of one record keeps no field choices and no version node: the
    queries still say where its fields came from and what its version is."""
    [single] = query_rows(example_store, "SELECT ?work WHERE { ?w a fabio:Work ; "
                                         "kgr:recordCount 1 ; dcterms:identifier ?work }")
    work = single["work"]
    [record] = query_rows(example_store, "work-records", f"work={work}")
    rows = query_rows(example_store, "record-provenance", f"work={work}")
    assert {"title", "year"} <= {r["field"] for r in rows}
    assert {(r["source"], r["record_id"]) for r in rows} == {(record["source"],
                                                             record["record_id"])}
    title = next(r for r in rows if r["field"] == "title")
    assert title["value"] == record["title"]
    [version] = query_rows(example_store, "work-versions", f"work={work}")
    assert version["basis"] == "single record"
    assert version["records"] == "1"
    assert version["record_ids"] == f"{record['source']}:{record['record_id']}"


def test_rejections_and_build(example_store, tmp_path):
    assert query_rows(example_store, "rejections") == []
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "x"}\nnot json\n', encoding="utf-8")
    store = tmp_path / "store"
    assert run("build", bad, "--store", store, "--quiet").exit_code == 0
    rows = query_rows(store, "rejections")
    assert len(rows) == 1 and rows[0]["origin"].endswith("bad.jsonl:2")
    build = query_rows(example_store, "build")
    assert len(build) == 1
    assert build[0]["tool"].startswith("kg-resolve ")
    assert len(build[0]["inputs"].split("; ")) == 7
    assert json.loads(build[0]["settings"])["seed"] == 42


def test_summary(example_store):
    assert query_rows(example_store, "summary") == [{
        "records": "57", "works": "10", "multi_record_works": "9", "sources": "7",
        "rejected": "0"}]


def test_multi_record_works(example_store, work_of):
    rows = query_rows(example_store, "multi-record-works")
    assert len(rows) == 9
    sizes = [int(r["records"]) for r in rows]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 9
    clusters = gold_clusters()
    expected = {work_of[c]: members for c, members in clusters.items() if len(members) > 1}
    assert {r["work"] for r in rows} == set(expected)
    assert work_of["gan-cacm"] not in {r["work"] for r in rows}
    for r in rows:
        members = expected[r["work"]]
        assert int(r["records"]) == len(members)
        assert set(r["sources"].split()) == {s for s, _ in members}
        assert r["title"]
    # ties are broken by work id
    for a, b in zip(rows, rows[1:], strict=False):
        if a["records"] == b["records"]:
            assert a["work"] < b["work"]


def test_work_records_bert(example_store, work_of):
    rows = query_rows(example_store, "work-records", f"work={work_of['bert']}")
    assert len(rows) == 8
    assert {(r["source"], r["record_id"]) for r in rows} == BERT_RECORDS
    keys = [(r["source"], r["record_id"]) for r in rows]
    assert keys == sorted(keys)
    assert all(r["origin"] for r in rows)


def test_work_records_unknown_work_is_empty(example_store):
    assert query_rows(example_store, "work-records", "work=wdoesnotexist") == []


def test_works_by_author_vaswani(example_store, work_of):
    rows = query_rows(example_store, "works-by-author", "author=Vaswani")
    assert [r["work"] for r in rows] == [work_of["attention"]]
    assert "Vaswani" in rows[0]["as_written"]


@pytest.mark.parametrize("author", ["Grivalsky", "grivalský", "GRIVALSKY", "Blstak", "simko"])
def test_works_by_author_accent_insensitive(example_store, work_of, author):
    rows = query_rows(example_store, "works-by-author", f"author={author}")
    assert [r["work"] for r in rows] == [work_of["slovakbert"]]


def test_works_by_author_no_match(example_store):
    assert query_rows(example_store, "works-by-author", "author=Zzyzxqq") == []


def test_cross_source_duplicates_arxiv_crossref(example_store, work_of):
    rows = query_rows(example_store, "cross-source-duplicates",
                      "source_a=arxiv", "source_b=crossref")
    assert {r["work"] for r in rows} == {
        work_of["bert"], work_of["resnet"], work_of["resnet-identity-mappings"]}
    assert len(rows) == 3
    by_work = {r["work"]: (r["ids_a"], r["ids_b"]) for r in rows}
    assert by_work[work_of["bert"]] == ("1810.04805v2", "10.18653/v1/n19-1423")
    assert by_work[work_of["resnet"]] == ("1512.03385v1", "10.1109/cvpr.2016.90")
    assert by_work[work_of["resnet-identity-mappings"]] == (
        "1603.05027v3", "10.1007/978-3-319-46493-0_38")
    # gan and gan-cacm are different works: not shared by arxiv and crossref
    assert work_of["gan"] not in by_work and work_of["gan-cacm"] not in by_work


@pytest.mark.parametrize(("a", "b"), [("crossref", "arxiv"), ("arxiv", "zotero"),
                                      ("crossref", "openalex"), ("scholar_archive", "dblp"),
                                      ("openalex", "openalex"), ("dblp", "dblp")])
def test_cross_source_duplicates_agree_with_gold(example_store, work_of, a, b):
    clusters = gold_clusters()
    expected = set()
    for name, members in clusters.items():
        na = sum(1 for s, _ in members if s == a)
        nb = sum(1 for s, _ in members if s == b)
        if (a != b and na and nb) or (a == b and na >= 2):
            expected.add(work_of[name])
    rows = query_rows(example_store, "cross-source-duplicates", f"source_a={a}", f"source_b={b}")
    assert {r["work"] for r in rows} == expected
    assert len(rows) == len(expected)


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize("query", ["summary", "multi-record-works"])
def test_csv_and_json_give_the_same_rows(example_store, query):
    as_json = query_rows(example_store, query)
    as_csv = query_csv(example_store, query)
    assert as_json
    assert as_csv == as_json


def test_csv_and_json_agree_with_params(example_store):
    params = ("source_a=arxiv", "source_b=crossref")
    assert query_csv(example_store, "cross-source-duplicates", *params) == query_rows(
        example_store, "cross-source-duplicates", *params)


def test_rq_file_path(example_store, tmp_path):
    rq = tmp_path / "count-works.rq"
    rq.write_text("# title: Count works\nSELECT (COUNT(?w) AS ?n) WHERE { ?w a fabio:Work }\n",
                  encoding="utf-8")
    assert query_rows(example_store, str(rq)) == [{"n": "10"}]


def test_copied_shipped_query_file_gives_same_rows(example_store, tmp_path):
    rq = tmp_path / "my-summary.rq"
    rq.write_text((QUERIES_DIR / "summary.rq").read_text(encoding="utf-8"), encoding="utf-8")
    assert query_rows(example_store, str(rq)) == query_rows(example_store, "summary")


def test_rq_file_with_param(example_store, tmp_path):
    rq = tmp_path / "by-source.rq"
    rq.write_text("# title: Records of a source\n# param: src  a source name\n"
                  "SELECT ?id WHERE { ?r kgr:source ?s ; dcterms:identifier ?id "
                  "FILTER(STR(?s) = STR(?src)) } ORDER BY ?id\n", encoding="utf-8")
    missing = run("query", rq, "--store", example_store)
    assert missing.exit_code == 5, describe(missing)
    rows = query_rows(example_store, str(rq), "src=crossref")
    assert len(rows) == 5


def test_inline_sparql(example_store):
    rows = query_rows(example_store,
                      "SELECT (COUNT(?r) AS ?n) WHERE { ?r a kgr:SourceRecord }")
    assert rows == [{"n": "57"}]


def test_inline_ask(example_store):
    assert query_rows(example_store, "ASK { ?w a fabio:Work }") == [{"result": "true"}]


def test_inline_sparql_with_iri_param(example_store, work_of):
    iri = f"<https://w3id.org/kg-resolve/id/work/{work_of['bert']}>"
    rows = query_rows(example_store,
                      "SELECT ?n WHERE { ?w kgr:recordCount ?n }", f"w={iri}")
    assert rows == [{"n": "8"}]


def test_param_that_is_also_projected(example_store, work_of):
    """Binding a variable the query also selects must still give a valid query."""
    iri = f"<https://w3id.org/kg-resolve/id/work/{work_of['bert']}>"
    rows = query_rows(example_store,
                      "SELECT ?w ?n WHERE { ?w kgr:recordCount ?n }", f"w={iri}")
    assert rows == [{"w": iri[1:-1], "n": "8"}]


def test_string_param_cannot_inject_sparql(example_store):
    rows = query_rows(example_store, "works-by-author", 'author=Vaswani")) || true || (("')
    assert rows == []
    rows = query_rows(example_store, "works-by-author", "author=zq\\x")
    assert rows == []


def test_invalid_iri_param_exits_5(example_store):
    res = run("query", "SELECT ?n WHERE { ?w kgr:recordCount ?n }", "--store", example_store,
              "--param", "w=<not an iri>")
    assert res.exit_code == 5, describe(res)


def test_json_output_is_a_list_of_objects(example_store):
    res = run("query", "summary", "--store", example_store, "--format", "json")
    assert res.exit_code == 0, describe(res)
    data = json.loads(res.stdout)
    assert isinstance(data, list) and isinstance(data[0], dict)


# ------------------------------------------------------------ python API


def test_resolve_query_kinds(tmp_path):
    text, params = resolve_query("works-by-author")
    assert "foaf:name" in text and params[0][0] == "author"
    text, params = resolve_query("SELECT * WHERE { ?s ?p ?o }")
    assert params == ()
    with pytest.raises(QueryError):
        resolve_query("not a query at all")
    with pytest.raises(QueryError):
        resolve_query(str(tmp_path / "missing.rq"))


def test_parse_query_file_header(tmp_path):
    rq = tmp_path / "x.rq"
    rq.write_text("# title: T\n# description: line one\n# description: line two\n"
                  "# param: a  first\n# param: b\n# other comment\n"
                  "SELECT ?a ?b WHERE {}\n# title: not a header\n", encoding="utf-8")
    q = parse_query_file(rq)
    assert q.name == "x"
    assert q.title == "T"
    assert q.description == "line one line two"
    assert q.params == (("a", "first"), ("b", ""))


def test_run_query_errors():
    store = Store()
    with pytest.raises(QueryError):
        run_query(store, "SELECT ?x WHERE { ?x }")
    with pytest.raises(QueryError):
        run_query(store, "SELECT ?x WHERE { ?x ?p ?o }", {}, (("y", ""),))
    with pytest.raises(QueryError):
        run_query(store, "SELECT ?x WHERE { ?x ?p ?o }", {"nope": "1"})


def test_run_query_binds_param_not_in_projection():
    """A parameter need not be projected (the shipped queries never project theirs)."""
    store = Store()
    store.update('INSERT DATA { <http://ex/a> <http://ex/p> "x" . '
                 '<http://ex/b> <http://ex/p> "y" }')
    header, rows = result_rows(run_query(
        store, "SELECT ?s WHERE { ?s ?p ?o FILTER(STR(?o) = STR(?v)) }", {"v": "x"}))
    assert header == ["s"]
    assert rows == [["http://ex/a"]]


def test_result_rows_construct():
    store = Store()
    store.update('INSERT DATA { <http://ex/a> <http://ex/p> "x" }')
    header, rows = result_rows(run_query(store, "CONSTRUCT WHERE { ?s ?p ?o }"))
    assert header == ["subject", "predicate", "object"]
    assert rows == [["http://ex/a", "http://ex/p", "x"]]


def test_format_csv_and_json_round_trip():
    import csv
    import io
    header = ["a", "b"]
    rows = [["x, y", 'say "hi"'], ["Šuppa\nnext", ""]]
    back = list(csv.reader(io.StringIO(format_csv(header, rows))))
    assert back == [header, *rows]
    assert json.loads(format_json(header, rows)) == [
        dict(zip(header, r, strict=True)) for r in rows]


def test_example_paths_exist():
    assert Path(QUERIES_DIR, "summary.rq").is_file()
    assert len(ATTENTION_RECORDS) == 7 and len(BERT_RECORDS) == 8
