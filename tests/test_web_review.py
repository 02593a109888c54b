"""``kg serve``'s review page over HTTP (issue 18): the queue, and its one write
(people's decisions) refused without ``--review``, refused cross-site with it,
accepted from the page's own origin with its token and then in ``kg decisions``;
undo puts back what the pair had before."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from urllib.parse import urlsplit

import pytest
from _kgfixtures import build, describe, run, serving
from test_web_http import FakePool, request

from kg.serve import Server, make_handler
from kg.web import make_site
from kg.web.review import TOKEN_HEADER, marked

PAIR = {"a": "crossref:10.18653/v1/n19-1423", "b": "zotero:8FJ2NWXA"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """An example store of this module's own: the tests write its decisions."""
    path = tmp_path_factory.mktemp("review") / "store"
    res = build(path)
    assert res.exit_code == 0, describe(res)
    return path


@pytest.fixture
def fresh(store):
    """The store without decisions, before and after each test."""
    (store / "decisions.csv").unlink(missing_ok=True)
    yield store
    (store / "decisions.csv").unlink(missing_ok=True)


def kept(store) -> list[dict[str, str]]:
    res = run("decisions", "--store", store, "--export", "-")
    assert res.exit_code == 0, describe(res)
    return list(csv.DictReader(io.StringIO(res.stdout)))


def config(url: str, path: str = "/review") -> tuple[dict, dict]:
    status, headers, body = request(url, "GET", path, HTML)
    assert status == 200, body
    m = re.search(r"const CONFIG = (.*);\n", body.decode())
    assert m
    return json.loads(m.group(1)), headers


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def post(url: str, path: str, body: dict, token: str | None, **headers: str):
    sent = {"Content-Type": "application/json", "Origin": origin_of(url),
            "Sec-Fetch-Site": "same-origin"}
    if token is not None:
        sent[TOKEN_HEADER] = token
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return request(url, "POST", path, sent, json.dumps(body).encode())


def test_marked_words_one_side_lacks():
    assert marked("Lee, Kenton; Devlin, Jacob", "Jacob Devlin; Kenton Lee") == [
        ["Lee, Kenton; Devlin, Jacob", False]]
    assert marked("BERT: pre-training of deep transformers", "BERT pre-training transformers") \
        == [["BERT: pre-training", False], ["of deep", True], ["transformers", False]]
    assert marked("", "anything") == []
    assert marked("2019", "") == [["2019", True]]


def test_the_queue_as_a_page_and_as_json(fresh):
    with serving(fresh, "--cors", "*") as endpoint:
        url = endpoint.removesuffix("/sparql")
        conf, headers = config(url)
        assert conf["items"] and conf["build"] == headers["x-kg-build"]
        first = conf["items"][0]
        assert {first["a"], first["b"]} == set(PAIR.values())  # the most doubtful pair
        fields = {f["field"]: f for f in first["fields"]}
        assert fields["title"]["differs"] and not fields["work"]["differs"]
        assert fields["authors"]["a"] and not fields["authors"]["differs"]  # order aside
        assert first["evidence"] and all({"field", "level", "weight"} <= set(e)
                                         for e in first["evidence"])
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        # the page holds the token (with --review): never readable from another origin
        _, headers, _ = request(url, "GET", "/review", {**HTML, "Origin": "https://c.example"})
        assert "access-control-allow-origin" not in headers
        # the queue as JSON is plain data, readable like any query
        status, headers, body = request(url, "GET", "/review/queue?limit=3",
                                        {"Origin": "https://c.example"})
        data = json.loads(body)
        assert status == 200 and len(data["items"]) == 3 and "token" not in data
        assert headers["access-control-allow-origin"] == "*"
        # a pair asked for comes first; a work's weakest merged link too
        second = conf["items"][1]
        status, _, body = request(url, "GET", f"/review/queue?a={second['b']}&b={second['a']}")
        assert status == 200
        asked = json.loads(body)["items"][0]
        assert (asked["kind"], asked["a"], asked["b"]) == ("asked", second["a"], second["b"])
        work = fields["work"]["a"][0][0]
        status, _, body = request(url, "GET", f"/review/queue?work={work}")
        asked = json.loads(body)["items"][0]
        assert status == 200 and asked["kind"] == "asked" and asked["work"] == work
        assert asked["sameWork"] and asked["score"] <= first["score"]  # its weakest link
        assert request(url, "GET", "/review/queue?work=wnothere")[0] == 404
        assert request(url, "GET", "/review/queue?a=nope:1&b=nope:2")[0] == 400


def test_a_write_is_refused_without_review(fresh):
    with serving(fresh) as endpoint:
        url = endpoint.removesuffix("/sparql")
        conf, _ = config(url)
        assert conf["writable"] is False and conf["token"] == "" and conf["by"] == ""
        status, _, body = post(url, "/review/decisions", {**PAIR, "verdict": "same"}, "x")
        assert status == 403 and b"--review" in body
        status, _, body = post(url, "/review/undo", {"id": "x"}, "x")
        assert status == 403 and b"--review" in body
        status, headers, _ = post(url, "/review", {}, None)
        assert status == 405 and "GET" in headers["allow"]
    assert kept(fresh) == []


def test_a_cross_site_write_is_refused_with_review(fresh):
    with serving(fresh, "--review", "--cors", "https://client.example") as endpoint:
        url = endpoint.removesuffix("/sparql")
        conf, _ = config(url)
        token = conf["token"]
        assert conf["writable"] and len(token) >= 32
        decision = {**PAIR, "verdict": "different"}
        for headers in ({"Origin": "https://evil.example"},
                        # a CORS origin may read, never write
                        {"Origin": "https://client.example"},
                        # another port of the same host is same-site, not same-origin
                        {"Origin": "http://127.0.0.1:1"},
                        {"Origin": "null"},
                        {"Sec-Fetch-Site": "same-site"},
                        {"Sec-Fetch-Site": "cross-site"}):
            status, _, body = post(url, "/review/decisions", decision, token, **headers)
            assert status == 403, (headers, body)
        for wrong in (None, "", token[:-1], token + "x"):
            status, _, body = post(url, "/review/decisions", decision, wrong)
            assert status == 403 and TOKEN_HEADER.encode() in body, wrong
        # no preflight lets a script elsewhere send the token header
        status, headers, _ = request(url, "OPTIONS", "/review/decisions", {
            "Origin": "https://client.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": TOKEN_HEADER})
        assert status == 404 and "access-control-allow-headers" not in headers
        # a form cannot carry the token, and is not JSON anyway
        status, _, _ = request(url, "POST", "/review/decisions", {
            "Origin": origin_of(url), TOKEN_HEADER: token,
            "Content-Type": "application/x-www-form-urlencoded"}, b"a=x&b=y&verdict=same")
        assert status == 415
    assert kept(fresh) == []


def test_a_same_origin_write_with_the_token_is_kept_and_undone(fresh):
    res = run("decide", PAIR["a"], PAIR["b"], "--different", "--store", fresh, "--by", "ann")
    assert res.exit_code == 0, describe(res)
    with serving(fresh, "--review") as endpoint:
        url = endpoint.removesuffix("/sparql")
        conf, _ = config(url)
        status, _, body = post(url, "/review/decisions",
                               {**PAIR, "verdict": "same", "by": "bob", "note": "same DOI"},
                               conf["token"])
        assert status == 200, body
        answer = json.loads(body)
        assert answer["previous"]["verdict"] == "different" and answer["kept"] == 1
        assert "already one work" in answer["preview"]
        rows = kept(fresh)
        assert [(r["source_a"] + ":" + r["record_a"], r["source_b"] + ":" + r["record_b"],
                 r["decision"], r["by"], r["note"]) for r in rows] == [
            (PAIR["a"], PAIR["b"], "same", "bob", "same DOI")]
        # a pair decided is left out of the queue
        conf, _ = config(url)
        assert all({i["a"], i["b"]} != set(PAIR.values()) for i in conf["items"])
        # undo: the decision it replaced is kept again
        status, _, body = post(url, "/review/undo", {"id": answer["id"]}, conf["token"])
        assert status == 200, body
        assert json.loads(body)["restored"]["by"] == "ann"
        assert [(r["decision"], r["by"]) for r in kept(fresh)] == [("different", "ann")]
        assert post(url, "/review/undo", {"id": answer["id"]}, conf["token"])[0] == 404
        # a decision on a pair with none before: undo leaves it with none
        other = conf["items"][0]
        status, _, body = post(url, "/review/decisions", {"a": other["a"], "b": other["b"],
                                                          "verdict": "different"},
                               conf["token"])
        assert status == 200 and json.loads(body)["previous"] is None
        uid = json.loads(body)["id"]
        assert len(kept(fresh)) == 2
        # changed since (kg decide): not undone
        res = run("decide", other["a"], other["b"], "--same", "--store", fresh)
        assert res.exit_code == 0, describe(res)
        status, _, body = post(url, "/review/undo", {"id": uid}, conf["token"])
        assert status == 409 and b"changed since" in body
        assert len(kept(fresh)) == 2
        # a bad verdict, an unknown record
        assert post(url, "/review/decisions", {**PAIR, "verdict": "maybe"},
                    conf["token"])[0] == 400
        assert post(url, "/review/decisions", {"a": "x:1", "b": PAIR["b"], "verdict": "same"},
                    conf["token"])[0] == 400


def test_review_listens_on_loopback_unless_told(store):
    res = run("serve", "--store", store, "--host", "0.0.0.0", "--review")
    assert res.exit_code == 2 and "--public-review" in res.output
    res = run("serve", "--store", store, "--public-review")
    assert res.exit_code == 2 and "--review" in res.output


def test_no_store_no_review_in_process():
    """A site made without a store (as tests and embedders make one): /review
    says so, and a write is refused."""
    pool = FakePool()
    site = make_site(pool)
    server = Server(("127.0.0.1", 0), make_handler(pool, None, frozenset(), site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        assert request(port, "GET", "/review", HTML)[0] == 404
        status, _, body = request(port, "POST", "/review/decisions", {
            "Content-Type": "application/json"}, b"{}")
        assert status == 403 and b"--review" in body
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_read_across_a_rebuild_is_refused():
    """Every query of one page must come from one build: a rebuild in between
    is an error (the page says reload), not a page of two builds."""
    from kg.serve import Answer
    from kg.web.review import PoolStore, Rebuilt

    class Pool(FakePool):
        def run(self, job):
            body = {"head": {"vars": ["x"]},
                    "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}
            return Answer(200, "application/sparql-results+json",
                          json.dumps(body).encode(), self.build)

    pool = Pool()
    oxi = PoolStore(make_site(pool))
    assert [s["x"].value for s in oxi.query("SELECT ?x {}")] == ["1"]
    assert oxi.build == FakePool.build
    pool.build = "bnewbuild0000000"
    with pytest.raises(Rebuilt, match="rebuilt"):
        oxi.query("SELECT ?x {}")
