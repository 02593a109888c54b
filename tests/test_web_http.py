"""``kg serve``'s pages over HTTP (issue 18): CORS and its preflight, the graph's
IRIs by content negotiation, replaced ids, the query page and the shipped
queries bound to parameters."""

from __future__ import annotations

import http.client
import json
import threading
from urllib.parse import urlsplit

import pytest
import rdflib
from _kgfixtures import run, serving

from kg.serve import Answer, Job, Server, make_handler
from kg.vocab import DATA
from kg.web import cors_origins, make_site

WORK_IDS = "SELECT ?id WHERE { ?w a fabio:Work ; dcterms:identifier ?id } ORDER BY ?id LIMIT 1"


class FakePool:
    """Answers every query with ``answer`` (SPARQL JSON by default)."""

    build = "b0123456789abcdef"

    def __init__(self, bindings: list[dict] | None = None) -> None:
        self.bindings = bindings or []
        self.jobs: list[Job] = []

    def run(self, job: Job) -> Answer:
        self.jobs.append(job)
        body = json.dumps({"head": {"vars": []}, "results": {"bindings": self.bindings}})
        return Answer(200, "application/sparql-results+json", body.encode(), self.build)


@pytest.fixture
def start():
    servers = []

    def _start(cors=frozenset(), bindings=None, base=DATA):
        pool = FakePool(bindings)
        site = make_site(pool, base, frozenset(cors))
        server = Server(("127.0.0.1", 0), make_handler(pool, None, frozenset(), site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1], pool

    yield _start
    for s in servers:
        s.shutdown()
        s.server_close()


def request(where, method: str, path: str, headers: dict | None = None, body=None):
    """``where``: a port on 127.0.0.1 or a base URL."""
    if isinstance(where, int):
        host, port = "127.0.0.1", where
    else:
        parts = urlsplit(where)
        host, port = parts.hostname, parts.port
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


# ------------------------------------------------------------------- CORS


def test_cors_preflight_allows_read_only_queries(start):
    port, _ = start(cors={"*"})
    status, headers, body = request(port, "OPTIONS", "/sparql", {
        "Origin": "https://client.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "accept"})
    assert status == 204 and body == b""
    assert headers["access-control-allow-origin"] == "*"
    assert "GET" in headers["access-control-allow-methods"]
    assert "accept" in headers["access-control-allow-headers"].lower()
    assert headers["x-kg-build"] == FakePool.build
    # the answer itself can be read by the script, with the build it came from
    status, headers, _ = request(port, "GET", "/sparql?query=ASK%7B%7D",
                                 {"Origin": "https://client.example"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert "X-KG-Build" in headers["access-control-expose-headers"]


def test_options_was_501_and_is_answered_on_every_route(start):
    port, _ = start(cors={"*"})
    for path in ("/", "/sparql", "/query", "/id/work/w1", "/queries"):
        assert request(port, "OPTIONS", path, {"Origin": "https://c.example"})[0] == 204
    assert request(port, "OPTIONS", "/nowhere")[0] == 404


def test_cors_names_only_the_origins_given(start):
    port, _ = start(cors={"https://client.example"})
    _, headers, _ = request(port, "GET", "/sparql?query=ASK%7B%7D",
                            {"Origin": "https://client.example"})
    assert headers["access-control-allow-origin"] == "https://client.example"
    assert "Origin" in headers["vary"]
    _, headers, _ = request(port, "GET", "/sparql?query=ASK%7B%7D",
                            {"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in headers
    status, headers, _ = request(port, "OPTIONS", "/sparql", {"Origin": "https://evil.example"})
    assert status == 204 and "access-control-allow-origin" not in headers


def test_no_cors_by_default_on_loopback(start):
    port, pool = start()
    status, headers, _ = request(port, "GET", "/sparql?query=ASK%7B%7D",
                                 {"Origin": "https://client.example"})
    assert status == 200 and "access-control-allow-origin" not in headers
    # a cross-site POST stays refused
    status, _, _ = request(port, "POST", "/sparql", {
        "Origin": "https://client.example",
        "Content-Type": "application/x-www-form-urlencoded"}, b"query=ASK%7B%7D")
    assert status == 403


def test_a_cors_origin_may_post_queries(start):
    port, pool = start(cors={"https://client.example"})
    status, headers, _ = request(port, "POST", "/sparql", {
        "Origin": "https://client.example", "Content-Type": "application/sparql-query"},
        b"ASK {}")
    assert status == 200 and headers["access-control-allow-origin"] == "https://client.example"
    assert pool.jobs[-1].query == "ASK {}"


def test_cors_origins_defaults_and_checks():
    assert cors_origins([], "127.0.0.1") == frozenset()
    assert cors_origins([], "::1") == frozenset()
    assert cors_origins([], "0.0.0.0") == {"*"}
    assert cors_origins(["https://a.example/"], "127.0.0.1") == {"https://a.example"}
    with pytest.raises(ValueError, match="--cors"):
        cors_origins(["a.example"], "127.0.0.1")


# ------------------------------------------------------- pages, fake pool


def test_replaced_work_answers_301_to_its_replacement(start):
    new = DATA + "work/wnew"
    port, _ = start(bindings=[
        {"p": {"type": "uri", "value": "http://purl.org/dc/terms/isReplacedBy"},
         "o": {"type": "uri", "value": new}},
        {"p": {"type": "uri", "value": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"},
         "o": {"type": "uri", "value": "http://purl.org/spar/fabio/Work"}}])
    status, headers, _ = request(port, "GET", "/id/work/wold", {"Accept": "text/turtle"})
    assert status == 301 and headers["location"] == "/id/work/wnew"


def test_an_iri_that_cannot_be_one_is_404(start):
    port, pool = start()
    assert request(port, "GET", "/id/work/a%3Eb%20c>")[0] == 404
    assert request(port, "GET", "/id/")[0] == 404


def test_query_page_for_browsers_usage_for_others(start):
    port, _ = start()
    status, headers, body = request(port, "GET", "/", {"Accept": "text/html,*/*;q=0.8"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert f'<code id="build">{FakePool.build}</code>' in body.decode()
    assert headers["x-kg-build"] == FakePool.build
    status, headers, body = request(port, "GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert b"read-only" in body


def test_shipped_queries_are_listed_and_bound(start):
    port, _ = start()
    status, _, body = request(port, "GET", "/queries")
    names = {q["name"] for q in json.loads(body)}
    assert status == 200 and {"work-records", "summary", "works-by-author"} <= names
    status, headers, body = request(port, "GET", "/queries/work-records.rq?work=w0123")
    assert status == 200 and headers["content-type"].startswith("application/sparql-query")
    assert '"w0123"' in body.decode() and "?work " not in body.decode()
    assert request(port, "GET", "/queries/nope.rq")[0] == 404
    assert request(port, "GET", "/queries/work-records.rq?nope=1")[0] == 400


# ---------------------------------------------- the real server and store


@pytest.fixture(scope="module")
def endpoint(example_store):
    with serving(example_store, "--cors", "*") as url:
        yield url


@pytest.fixture(scope="module")
def work_id(endpoint) -> str:
    status, _, body = request(endpoint, "POST", "/sparql", {
        "Content-Type": "application/sparql-query", "Accept": "text/csv"}, WORK_IDS.encode())
    assert status == 200
    return body.decode().splitlines()[1].strip()


@pytest.mark.parametrize("accept, media, fmt", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("*/*", "text/turtle", "turtle"),
    ("application/rdf+xml;q=0.5, application/n-triples", "application/n-triples", "nt"),
])
def test_work_iri_by_content_negotiation(endpoint, work_id, accept, media, fmt):
    status, headers, body = request(endpoint, "GET", f"/id/work/{work_id}", {"Accept": accept})
    assert status == 200, body
    assert headers["content-type"].split(";")[0] == media
    assert "Accept" in headers["vary"] and headers["x-kg-build"]
    g = rdflib.Graph().parse(data=body.decode(), format=fmt)
    work = rdflib.URIRef(f"{DATA}work/{work_id}")
    assert (work, rdflib.RDF.type, rdflib.URIRef("http://purl.org/spar/fabio/Work")) in g
    assert (work, rdflib.URIRef("http://purl.org/dc/terms/identifier"),
            rdflib.Literal(work_id)) in g
    # the work's own triples, and the triples pointing at it (no others)
    assert all(s == work or o == work for s, _, o in g)


def test_work_iri_as_html(endpoint, work_id):
    status, headers, body = request(endpoint, "GET", f"/id/work/{work_id}",
                                    {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert f'<code id="build">{headers["x-kg-build"]}</code>' in page
    assert 'href="/id/record/' in page and 'href="/id/expression/' in page


def test_records_and_versions_dereference_too(endpoint, work_id):
    _, _, body = request(endpoint, "GET", f"/id/work/{work_id}", {"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=body.decode(), format="turtle")
    # the description holds the triples pointing at the work: its records and versions
    # say frbr:realizationOf it (the graph states the link once)
    parts = sorted(str(s) for s in g.subjects(
        predicate=rdflib.URIRef("http://purl.org/vocab/frbr/core#realizationOf"),
        object=rdflib.URIRef(f"{DATA}work/{work_id}")))
    record = next(p for p in parts if "/record/" in p)
    version = next(p for p in parts if "/expression/" in p)
    for iri in (record, version):
        status, _, body = request(endpoint, "GET", "/id/" + iri[len(DATA):],
                                  {"Accept": "application/n-triples"})
        assert status == 200 and f"<{iri}>".encode() in body


def test_unknown_node_and_unacceptable_types(endpoint):
    assert request(endpoint, "GET", "/id/work/wnothere")[0] == 404
    assert request(endpoint, "GET", "/id/work/wnothere", {"Accept": "text/turtle"})[0] == 404


def test_unacceptable_type_is_406(endpoint, work_id):
    assert request(endpoint, "GET", f"/id/work/{work_id}", {"Accept": "image/png"})[0] == 406


def test_base_names_the_public_iris(example_store, work_id):
    with serving(example_store, "--base", "https://kg.example/id/") as url:
        # /id/ now stands for https://kg.example/id/..., which this graph does not have
        assert request(url, "GET", f"/id/work/{work_id}")[0] == 404
    res = run("serve", "--store", example_store, "--base", "https://kg.example/id")
    assert res.exit_code == 2 and "--base" in res.output


def test_pages_follow_a_rebuild_and_say_which_build(tmp_path):
    """After a rebuild commits, the query page and the /id/ pages name the new build."""
    import time

    from kg.build import build_store

    records = tmp_path / "records.jsonl"
    rows = [{"id": "a", "title": "A paper about following rebuilds", "year": 2020}]
    records.write_text(json.dumps(rows[0]) + "\n", "utf-8")
    store = tmp_path / "store"
    first = build_store([records], store).build_id
    with serving(store) as url:
        html = {"Accept": "text/html"}
        assert f'<code id="build">{first}</code>' in request(url, "GET", "/", html)[2].decode()
        rows.append({"id": "b", "title": "Another paper, added later", "year": 2021})
        records.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
        second = build_store([records], store).build_id
        assert second != first
        deadline = time.monotonic() + 60
        while request(url, "GET", "/", html)[1]["x-kg-build"] != second:
            assert time.monotonic() < deadline, "the server did not take up the rebuild"
            time.sleep(0.5)
        assert f'<code id="build">{second}</code>' in request(url, "GET", "/", html)[2].decode()
        q = "SELECT ?id WHERE { ?w a fabio:Work ; dcterms:title ?t ; dcterms:identifier ?id " \
            "FILTER (CONTAINS(?t, 'added later')) }"
        _, _, body = request(url, "POST", "/sparql", {
            "Content-Type": "application/sparql-query", "Accept": "text/csv"}, q.encode())
        work = body.decode().splitlines()[1].strip()
        status, headers, body = request(url, "GET", f"/id/work/{work}", html)
        assert status == 200 and headers["x-kg-build"] == second
        assert f'<code id="build">{second}</code>' in body.decode()
