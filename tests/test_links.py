"""Links out (issue 18): works and versions name the standard IRIs of the same
thing (schema:sameAs), and the SHACL shapes check them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_record
from pyoxigraph import NamedNode, Quad, Store

from kg.build import build_store
from kg.links import doi_iri, version_links, work_links
from kg.store import current_path, open_store
from kg.validate import validate_store
from resolve.types import Version

SAME_AS = "http://schema.org/sameAs"


def test_version_links():
    recs = [make_record("crossref", doi="10.1000/ABC(1)", pmid="123", pmcid="pmc77"),
            make_record("arxiv", arxiv="2101.00001v2")]
    published = Version((0,), "doi", (("doi", "10.1000/abc(1)"),))
    assert version_links(published, recs) == [
        "https://doi.org/10.1000/abc(1)", "https://pubmed.ncbi.nlm.nih.gov/123/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC77/"]
    preprint = Version((1,), "arxiv", (("arxiv", "2101.00001"),), arxiv_version=2)
    assert version_links(preprint, recs) == ["https://arxiv.org/abs/2101.00001v2"]
    unnumbered = Version((1,), "arxiv", (("arxiv", "hep-th/9901001"),))
    assert version_links(unnumbered, recs) == ["https://arxiv.org/abs/hep-th/9901001"]
    # a preprint's records may carry the journal's PMID: it is not the preprint's
    with_pmid = [make_record("s2", arxiv="2101.00001v2", pmid="555")]
    assert version_links(Version((0,), "arxiv", (("arxiv", "2101.00001"),), 2), with_pmid) \
        == ["https://arxiv.org/abs/2101.00001v2"]


def test_doi_iris_are_encoded():
    assert doi_iri("10.1002/(sici)1097-4571") == "https://doi.org/10.1002/(sici)1097-4571"
    assert doi_iri("10.1000/a b<c>") == "https://doi.org/10.1000/a%20b%3Cc%3E"


def test_work_links():
    recs = [make_record("openalex", identifiers={"openalex": "W2963403868"}),
            make_record("fatcat", identifiers={"wikidata": "Q57256"}),
            make_record("x", identifiers={"openalex": "not-an-id", "wikidata": "Q1 x"})]
    assert work_links([0, 1, 2], recs) == ["http://www.wikidata.org/entity/Q57256",
                                           "https://openalex.org/W2963403868"]


@pytest.fixture(scope="module")
def linked_store(tmp_path_factory) -> Path:
    """Three records of one paper: a journal version (DOI, PMID) in two sources,
    one with an OpenAlex id, and its arXiv preprint with a Wikidata item."""
    tmp = tmp_path_factory.mktemp("links")
    common = {"title": "Links out of a knowledge graph of publications", "year": 2021,
              "authors": ["Ada Lovelace", "Alan Turing"]}
    rows = {
        "crossref": [{"id": "c1", **common, "doi": "10.1000/links.1", "pmid": "31415926",
                      "venue": "Journal of Links"}],
        "openalex": [{"id": "W4242", **common, "doi": "10.1000/links.1",
                      "identifiers": {"openalex": "W4242"}}],
        "arxiv": [{"id": "2101.00042v1", **common, "arxiv": "2101.00042v1",
                   "venue": "arXiv", "identifiers": {"wikidata": "Q4242"}}],
    }
    for source, records in rows.items():
        (tmp / f"{source}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in records), "utf-8")
    store = tmp / "store"
    build_store(sorted(tmp.glob("*.jsonl")), store)
    return store


def _links(store: Path) -> set[tuple[str, str]]:
    q = "SELECT ?kind ?o WHERE { ?s schema:sameAs ?o ; a ?kind . " \
        "VALUES ?kind { fabio:Work kgr:Version } }"
    from kg.vocab import PREFIXES

    return {(s["kind"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], s["o"].value)
            for s in open_store(store).query(q, prefixes=PREFIXES)}


def test_works_and_versions_link_out_and_conform(linked_store):
    assert _links(linked_store) == {
        ("Work", "https://openalex.org/W4242"),
        ("Work", "http://www.wikidata.org/entity/Q4242"),
        ("Version", "https://doi.org/10.1000/links.1"),
        ("Version", "https://pubmed.ncbi.nlm.nih.gov/31415926/"),
        ("Version", "https://arxiv.org/abs/2101.00042v1"),
    }
    report = validate_store(open_store(linked_store))
    assert report.conforms, report.violations


def test_a_link_of_the_wrong_kind_is_a_violation(linked_store, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(current_path(linked_store), copy)
    (copy / "LOCK").unlink(missing_ok=True)
    store = Store(str(copy))
    work = next(iter(store.query("SELECT ?w WHERE { ?w a <http://purl.org/spar/fabio/Work> }")))
    # (a work of one record carries its version's DOI link; no work links to a web page)
    store.add(Quad(work["w"], NamedNode(SAME_AS), NamedNode("https://example.org/paper/1")))
    store.flush()
    del store
    report = validate_store(Store.read_only(str(copy)))
    assert any("links out" in v.message for v in report.violations), report.violations
