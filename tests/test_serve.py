"""``kg serve``: the read-only SPARQL 1.1 Protocol endpoint, end to end over HTTP."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree

import _kgfixtures
import pytest
import rdflib
from _kgfixtures import run, serving

from kg.serve import Refused, check_query, negotiate, parse_accept

example_store = _kgfixtures.example_store  # the fixture, built once per module

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper2  # noqa: E402, F401
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed  # noqa: E402

COUNT_WORKS = "SELECT (COUNT(?w) AS ?n) WHERE { ?w a fabio:Work }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# ----------------------------------------------------------- pure parts


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE#comment\n<http://x/> { ?s ?p ?o } }",
    "SELECT * WHERE {SERVICE<http://x/>{?s ?p ?o}}",
    r"SELECT * WHERE { \u0053ERVICE <http://x/> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "a\\u0022" SERVICE <http://x/> { ?s ?p ?o } }',
])
def test_service_is_refused(query):
    with pytest.raises(Refused) as exc:
        check_query(query)
    assert exc.value.status == 400


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE" }',
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX service: <http://x/> SELECT ?service WHERE { ?service service:SERVICE ?o }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>",
    "SELECT * WHERE { ?s ?p '''multi\nSERVICE line''' }",
])
def test_harmless_mentions_pass(query):
    check_query(query)


def test_accept_parsing_and_negotiation():
    assert parse_accept("text/csv;q=0.5, application/sparql-results+json") == [
        "application/sparql-results+json", "text/csv"]
    assert parse_accept(None) == ["*/*"]
    assert parse_accept("text/*, text/csv") == ["text/csv", "text/*"]
    kinds = {"application/sparql-results+json": "JSON", "text/csv": "CSV"}
    assert negotiate(["*/*"], kinds, "application/sparql-results+json") == \
        "application/sparql-results+json"
    assert negotiate(["text/*"], kinds, "application/sparql-results+json") == "text/csv"
    assert negotiate(["image/png"], kinds, "application/sparql-results+json") is None


# ------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def endpoint(example_store):
    """``kg serve`` as a real subprocess on a free port; its endpoint URL."""
    with serving(example_store, "--timeout", "2", "--workers", "2") as url:
        yield url


def client(url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper.SPARQLWrapper:
    sw = SPARQLWrapper.SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setTimeout(20)
    return sw


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def test_select_as_json(endpoint):
    res = client(endpoint, COUNT_WORKS, JSON).query().convert()
    assert res["results"]["bindings"][0]["n"]["value"] == "10"


def test_select_as_xml(endpoint):
    doc = client(endpoint, COUNT_WORKS, XML, POST).query().convert()
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert doc.getElementsByTagName("literal")[0].firstChild.data == "10"
    root = ElementTree.fromstring(doc.toxml())
    assert root.find("r:results/r:result/r:binding/r:literal", ns).text == "10"


def test_select_as_csv_and_tsv(endpoint):
    data = client(endpoint, COUNT_WORKS, CSV).query().convert()
    assert list(csv.reader(io.StringIO(data.decode()))) == [["n"], ["10"]]
    data = client(endpoint, COUNT_WORKS, TSV).query().convert()
    assert data.decode().split() == ["?n", "10"]


def test_ask_and_construct(endpoint):
    assert client(endpoint, "ASK { ?v a kgr:Version }", JSON).query().convert()["boolean"] is True
    data = client(endpoint, """CONSTRUCT { ?w a fabio:Work } WHERE { ?w a fabio:Work }""",
                  TURTLE).query().convert()
    g = rdflib.Graph()
    g.parse(data=data.decode(), format="turtle")
    assert len(g) == 10


def test_sparql_wrapper2_bindings(endpoint):
    sw = SPARQLWrapper2(endpoint)
    sw.setQuery("SELECT ?source (COUNT(?r) AS ?n) WHERE { ?r kgr:source ?source } "
                "GROUP BY ?source ORDER BY ?source")
    rows = {b["source"].value: int(b["n"].value) for b in sw.query().bindings}
    assert rows["arxiv"] == 7 and sum(rows.values()) == 57


def test_update_is_refused(endpoint):
    sw = client(endpoint, "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", JSON, POST)
    assert sw.isSparqlUpdateRequest()  # SPARQLWrapper sends it as update=...
    with pytest.raises(urllib.error.HTTPError) as exc:  # it passes a 403 through as is
        sw.query()
    assert exc.value.code == 403
    status, _, body = http(endpoint, b"DELETE WHERE { ?s ?p ?o }",
                           {"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    # and nothing changed
    assert client(endpoint, COUNT_WORKS, JSON).query().convert()[
        "results"]["bindings"][0]["n"]["value"] == "10"


def test_service_call_is_refused(endpoint):
    sw = client(endpoint, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> "
                          "{ ?s ?p ?o } }", JSON)
    with pytest.raises(QueryBadFormed) as exc:
        sw.query()
    assert "SERVICE" in str(exc.value)


def test_protocol_variants(endpoint):
    q = urllib.parse.urlencode({"query": COUNT_WORKS})
    status, ctype, body = http(f"{endpoint}?{q}", headers={"Accept": "text/csv"})
    assert (status, ctype) == (200, "text/csv; charset=utf-8") and body.split() == [b"n", b"10"]
    status, ctype, body = http(endpoint, COUNT_WORKS.encode(),
                               {"Content-Type": "application/sparql-query",
                                "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "10"
    status, _, _ = http(f"{endpoint}?{q}", headers={"Accept": "image/png"})
    assert status == 406
    status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT WHERE"}))
    assert status == 400 and b"syntax" in body
    status, _, _ = http(endpoint, b"x", {"Content-Type": "text/plain"})
    assert status == 415
    status, _, _ = http(endpoint, b"", method="PUT")
    assert status == 405
    named = urllib.parse.urlencode({
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?m a kgr:Match }",
        "default-graph-uri": "https://w3id.org/kg-resolve/id/graph/evidence"})
    status, _, body = http(f"{endpoint}?{named}", headers={"Accept": "text/csv"})
    assert status == 200 and int(body.split()[1]) > 0


def test_runaway_query_times_out_and_the_server_recovers(endpoint):
    t0 = time.monotonic()
    status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": SLOW}))
    assert status == 503 and b"timed out" in body
    assert time.monotonic() - t0 < 10
    # the killed workers were replaced: the endpoint still answers
    for _ in range(3):
        assert client(endpoint, COUNT_WORKS, JSON).query().convert()[
            "results"]["bindings"][0]["n"]["value"] == "10"


def test_binds_loopback_by_default():
    from kg.serve import DEFAULT_HOST
    assert DEFAULT_HOST == "127.0.0.1"
    res = run("serve", "--help")
    assert "127.0.0.1" in res.stdout


def test_serve_refuses_a_non_store(tmp_path):
    assert run("serve", "--store", tmp_path).exit_code == 4
