"""``kg export`` in every format: deterministic bytes, named graphs, JSON-LD
context, and the works as BibTeX, RIS and CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import rdflib
from _kgfixtures import build, describe, gold, run

from kg.bibliography import WorkEntry, bibtex_entry, bibtex_escape, entry_type
from kg.export import FORMATS
from kg.vocab import BUILD_GRAPH, DATA, EVIDENCE_GRAPH, PREFIXES

EXTENSIONS = {"turtle": "ttl", "ntriples": "nt", "trig": "trig", "nquads": "nq",
              "jsonld": "jsonld", "bibtex": "bib", "ris": "ris", "csv": "csv",
              "clusters": "clusters.csv"}


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    """Two fresh builds of the example in different directories, exported in every format."""
    out = []
    for name in ("one", "two"):
        d = tmp_path_factory.mktemp(f"export-{name}")
        res = build(d / "store")
        assert res.exit_code == 0, describe(res)
        files = {}
        for fmt in FORMATS:
            f = d / f"export.{EXTENSIONS[fmt]}"
            r = run("export", "--store", d / "store", "--format", fmt, "--output", f)
            assert r.exit_code == 0, describe(r)
            files[fmt] = f
        with_build = d / "export-build.nq"
        r = run("export", "--store", d / "store", "--format", "nquads", "--with-build",
                "--output", with_build)
        assert r.exit_code == 0, describe(r)
        files["nquads+build"] = with_build
        out.append(files)
    return out


def test_every_format_is_listed():
    assert set(FORMATS) == {"turtle", "ntriples", "trig", "nquads", "jsonld", "bibtex", "ris",
                            "csv", "clusters"}


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_same_input_same_bytes(twins, fmt):
    a, b = twins[0][fmt].read_bytes(), twins[1][fmt].read_bytes()
    assert len(a) > 500
    assert a == b


def test_streamed_order_is_that_of_sorting_every_quad(twins, tmp_path):
    """The RDF exports go a subject at a time (bounded memory); the order is
    the one sorting all quads at once gives, so the bytes are those too."""
    from pyoxigraph import DefaultGraph, NamedNode

    from kg.export import _sort_key, export_quads
    from kg.store import open_store

    oxi = open_store(twins[0]["nquads"].parent / "store")
    everything = [q for g in (DefaultGraph(), NamedNode(EVIDENCE_GRAPH), NamedNode(BUILD_GRAPH))
                  for q in oxi.quads_for_pattern(None, None, None, g)]
    assert list(export_quads(oxi, True, True)) == sorted(everything, key=_sort_key)
    default = [q for q in everything if isinstance(q.graph_name, DefaultGraph)]
    assert list(export_quads(oxi, False)) == sorted(default, key=_sort_key)
    del oxi


def _dataset(path, fmt: str) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(path, format=fmt)
    return ds


def _quads(ds: rdflib.Dataset) -> set[tuple]:
    return {(s, p, o, str(g) if g is not None else "") for s, p, o, g in ds.quads()}


def test_trig_and_nquads_hold_the_named_graphs(twins):
    files = twins[0]
    nq, trig = _dataset(files["nquads"], "nquads"), _dataset(files["trig"], "trig")
    assert _quads(nq) == _quads(trig)
    graphs = {g for *_, g in _quads(nq)}
    assert EVIDENCE_GRAPH in graphs and BUILD_GRAPH not in graphs
    with_build = {g for *_, g in _quads(_dataset(files["nquads+build"], "nquads"))}
    assert BUILD_GRAPH in with_build
    # the default graph in the dataset is exactly the N-Triples export
    nt = rdflib.Graph()
    nt.parse(files["ntriples"], format="nt")
    default = {(s, p, o) for s, p, o, g in _quads(nq) if g not in (EVIDENCE_GRAPH, BUILD_GRAPH)}
    assert default == set(nt)


def test_trig_sorts_its_prefixes(twins):
    head = [ln for ln in twins[0]["trig"].read_text(encoding="utf-8").splitlines()
            if ln.startswith("@prefix")]
    assert head and head == sorted(head)


def test_jsonld_has_a_context_and_the_same_quads(twins):
    files = twins[0]
    doc = json.loads(files["jsonld"].read_text(encoding="utf-8"))
    assert doc["@context"]["kgr"] == PREFIXES["kgr"]
    assert doc["@context"]["id"] == DATA
    first = doc["@graph"][0]
    assert first["@id"].startswith("id:")
    ld = _dataset(files["jsonld"], "json-ld")
    assert _quads(ld) == _quads(_dataset(files["nquads"], "nquads"))


# ----------------------------------------------------------------- works


def _csv_rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_csv_works_one_row_per_work_with_all_records(twins):
    rows = _csv_rows(twins[0]["csv"])
    assert len(rows) == 10
    records = [r for row in rows for r in row["records"].split("; ")]
    assert sorted(records) == sorted(f"{s}:{i}" for s, i in gold())
    keys = [row["key"] for row in rows]
    assert len(set(keys)) == 10
    assert [row["work_id"] for row in rows] == sorted(row["work_id"] for row in rows)
    bert = next(row for row in rows if row["doi"] == "10.18653/v1/n19-1423")
    assert bert["key"] == "devlin2019_72d73ef2"
    assert bert["arxiv"] == "1810.04805"
    assert bert["authors"].startswith("Jacob Devlin; Ming-Wei Chang")
    assert bert["url"] == "https://doi.org/10.18653/v1/n19-1423"
    assert bert["year"] == "2019" and bert["pages"] == "4171-4186"


def test_bibtex_parses_back(twins):
    bibtexparser = pytest.importorskip("bibtexparser")
    text = twins[0]["bibtex"].read_text(encoding="utf-8")
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks
    entries = {e.key: e for e in lib.entries}
    assert len(entries) == 10
    bert = entries["devlin2019_72d73ef2"]
    assert bert.fields_dict["doi"].value == "10.18653/v1/n19-1423"
    assert bert.fields_dict["author"].value.startswith("Devlin, Jacob and Chang, Ming-Wei")
    assert bert.fields_dict["pages"].value == "4171--4186"
    assert bert.fields_dict["kgwork"].value == "w72d73ef28e184ab5"
    # written from its most complete record (Semantic Scholar's, whose names are ASCII)
    slovak = next(e for e in lib.entries if e.fields_dict["kgwork"].value.startswith("wbed0"))
    assert "Simko, Marian" in slovak.fields_dict["author"].value


def test_bibtex_prefer_takes_the_preferred_sources_record(example_store, tmp_path):
    bibtexparser = pytest.importorskip("bibtexparser")
    out = tmp_path / "prefer.bib"
    r = run("export", "--store", example_store, "-f", "bibtex", "--prefer", "dblp,arxiv",
            "-o", out)
    assert r.exit_code == 0, describe(r)
    lib = bibtexparser.parse_string(out.read_text(encoding="utf-8"))
    slovak = next(e for e in lib.entries if e.fields_dict["kgwork"].value.startswith("wbed0"))
    assert "Šimko, Marián" in slovak.fields_dict["author"].value


def test_bibtex_is_balanced(twins):
    text = twins[0]["bibtex"].read_text(encoding="utf-8")
    assert len(re.findall(r"^@\w+\{", text, re.M)) == 10
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{" and text[i - 1:i] != "\\":
            depth += 1
        elif ch == "}" and text[i - 1:i] != "\\":
            depth -= 1
            assert depth >= 0
    assert depth == 0


def test_bibtex_escapes_specials():
    assert bibtex_escape("50% & $x_1$ #{a}~^\\") == \
        r"50\% \& \$x\_1\$ \#\{a\}\~{}\^{}\textbackslash{}"
    e = WorkEntry("w0123456789abcdef", title="A {weird} 100% title_", year="2020",
                  authors=[(1, "Ørsted & Co", "", "")], doi="10.1000/a_b{c}", key="k",
                  records=["src:1"])
    entry = bibtex_entry(e)
    assert "title = {{A \\{weird\\} 100\\% title\\_}}" in entry
    assert "author = {{Ørsted \\& Co}}" in entry
    assert "doi = {10.1000/a_b%7Bc%7D}" in entry
    bibtexparser = pytest.importorskip("bibtexparser")
    lib = bibtexparser.parse_string(entry)
    assert not lib.failed_blocks and lib.entries[0].key == "k"


@pytest.mark.parametrize(("record_type", "venue", "doi", "kind"), [
    ("journal-article", "Neural Computation", "", "article"),
    ("proceedings-article", "CVPR", "", "inproceedings"),
    ("book-chapter", "ECCV", "", "incollection"),
    ("preprint", "arXiv", "10.48550/arxiv.1", "misc"),
    ("preprint", "2016 IEEE Conference on CVPR", "10.1109/cvpr.2016.90", "inproceedings"),
    ("", "", "", "misc"),
    ("", "Journal of ML Research", "", "article"),
])
def test_entry_types(record_type, venue, doi, kind):
    assert entry_type(record_type, venue, doi) == kind


def test_ris_records(twins):
    text = twins[0]["ris"].read_text(encoding="utf-8")
    entries = [e for e in text.split("ER  - \n") if e.strip()]
    assert len(entries) == 10
    for e in entries:
        lines = e.strip().splitlines()
        assert lines[0].startswith("TY  - ")
        assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", ln) for ln in lines), lines
    bert = next(e for e in entries if "DO  - 10.18653/v1/n19-1423" in e)
    assert "AU  - Devlin, Jacob" in bert and "SP  - 4171" in bert and "EP  - 4186" in bert


def test_export_to_unwritable_format_exits_2(twins, tmp_path):
    res = run("export", "--store", twins[0]["turtle"].parent / "store", "--format", "xml",
              "--output", tmp_path / "x")
    assert res.exit_code == 2
