"""``kg serve`` walls (issue 20): SERVICE decided on the parse and no network in
the workers, memory-capped workers that are replaced, and the query workers'
pool keeping its size."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import _kgfixtures
import pytest
from _kgfixtures import ROOT, run, serving

from kg.serve import (
    Job,
    Pool,
    Refused,
    check_query,
    could_name_service,
)
from kg.store import current_path

example_store = _kgfixtures.example_store  # the fixture, built once per module

BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?i"
COUNT_WORKS = "SELECT (COUNT(?w) AS ?n) WHERE { ?w a fabio:Work }"


class Listener:
    """A TCP server on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(1)
            try:
                self.seen.append(conn.recv(200) or b"(connected)")
            except OSError:
                self.seen.append(b"(connected)")
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def disguises(port: int) -> list[str]:
    """A SERVICE call to ``port``, plain and hidden from a lexical check."""
    call = f"SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}"
    return [
        f"SELECT * WHERE {{ {call} }}",
        # ``\\#`` escapes a '#' in a local name: a lexer that misses it takes the
        # rest of the line for a comment
        f"PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ex:a\\# {call} }}",
        f"PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ?p ex:a\\# . {call} }}",
        # ``\\'`` in a local name: a lexer that misses it opens a string there
        f"PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ?p ex:a\\' . {call} }} # '",
        f"PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ex:a\\' ?o . {call} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {call} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {call} }} }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        f"ASK {{ SeRvIcE SILENT <http://127.0.0.1:{port}/> {{ }} }}",
    ]


# --------------------------------------------------------- the parse decides


@pytest.mark.parametrize("query", disguises(9))
def test_service_in_any_disguise_is_refused(query):
    with pytest.raises(Refused) as exc:
        check_query(query)
    assert exc.value.status == 400


def test_unparsable_query_naming_service_is_refused():
    with pytest.raises(Refused, match="cannot read"):
        check_query("SELECT * WHERE { ?s ?p ?o SERVICE <http://x/> { ?s ?p ?o } ")


@pytest.mark.parametrize("query", [
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:a\\' 'SERVICE <http://x/> {}' }",
    "PREFIX ex: <http://x/> SELECT ?service WHERE { ?service ex:service 'service' }",
    "SELECT * WHERE { ?s <http://x/SERVICE> ?o } # SERVICE <http://x/> { }",
])
def test_the_word_without_the_clause_passes(query):
    check_query(query)


def test_only_queries_without_the_word_skip_the_parse():
    assert not could_name_service(COUNT_WORKS)
    assert could_name_service("x \\u0073\\u0065rvice")
    assert could_name_service("x \\u005Cu0053ERVICE")  # an escaped escape
    assert could_name_service("ſervice")  # long s: case-folds to 's'


def test_shipped_queries_pass_the_parse():
    for path in sorted((ROOT / "queries").glob("*.rq")):
        check_query(path.read_text(encoding="utf-8"))


# ------------------------------------------------------ no network in workers


def _service_from_isolated_child(port: int) -> str:
    code = f"""
import sys
from kg.serve import isolate_network
isolated, how = isolate_network()
if not isolated:
    print("SKIP " + how); sys.exit(0)
from pyoxigraph import Store
try:
    list(Store().query("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"))
    print("REACHED")
except OSError as exc:
    print("BLOCKED", exc)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60).stdout.strip()


def test_isolated_worker_cannot_reach_127_0_0_1(listener):
    """The second wall alone: Oxigraph itself, asked to call out from an isolated
    process, cannot connect, not even to a listener on the loopback address."""
    out = _service_from_isolated_child(listener.port)
    if out.startswith("SKIP"):
        pytest.skip(out)
    assert out.startswith("BLOCKED"), out
    assert listener.seen == []


# ------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def endpoint(example_store):
    """``kg serve`` with a small memory cap, two workers and an extra host name."""
    with serving(example_store, "--timeout", "20", "--workers", "2", "--memory-limit", "300",
                 "--allow-host", "kg.example") as url:
        yield url


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         ) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get(url: str, query: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return http(url + "?" + urllib.parse.urlencode({"query": query}), headers=headers)


def test_service_disguises_never_reach_the_listener(endpoint, listener):
    for query in disguises(listener.port):
        status, _, body = get(endpoint, query)
        assert status == 400, (query, body)
        status, _, body = http(endpoint, query.encode(),
                               {"Content-Type": "application/sparql-query"})
        assert status == 400, (query, body)
    time.sleep(0.5)
    assert listener.seen == []


def test_answers_name_the_build(endpoint, example_store):
    build = json.loads((example_store / "kg-resolve.json").read_text())["build"]
    assert build
    status, headers, _ = get(endpoint, COUNT_WORKS)
    assert status == 200 and headers["X-KG-Build"] == build
    status, headers, _ = get(endpoint, "SELECT WHERE")
    assert status == 400 and headers["X-KG-Build"] == build


def test_memory_bomb_is_answered_and_the_workers_come_back(endpoint):
    t0 = time.monotonic()
    status, _, body = get(endpoint, BOMB)
    assert status == 503 and b"memory" in body, body
    assert time.monotonic() - t0 < 20  # the cap, not the 20 s timeout, stopped it
    # both workers answer again: two queries at once, several times
    results: list[int] = []

    def ask() -> None:
        results.append(get(endpoint, COUNT_WORKS)[0])

    for _ in range(3):
        threads = [threading.Thread(target=ask) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 6


# -------------------------------------------------------------- the pool


@pytest.fixture
def pool(example_store):
    p = Pool(str(current_path(example_store)), size=2, timeout=30, memory_limit=300)
    yield p
    p.close()


def _wait_full(pool: Pool, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pool.alive() == pool.size and pool.idle.qsize() == pool.size:
            return
        time.sleep(0.1)
    raise AssertionError(f"pool not back to {pool.size}: {pool.alive()} alive, "
                         f"{pool.idle.qsize()} idle")


def test_pool_refills_after_a_memory_bomb(pool, example_store):
    assert pool.build == json.loads((example_store / "kg-resolve.json").read_text())["build"]
    for _ in range(2):  # twice: the replacement is capped too
        answer = pool.run(Job(BOMB, ("*/*",)))
        assert answer.status == 503 and b"memory" in answer.body
        assert answer.build == pool.build
        _wait_full(pool)
    answer = pool.run(Job(COUNT_WORKS, ("text/csv",)))
    assert answer.status == 200 and answer.body.split() == [b"n", b"10"]


def test_pool_replaces_a_worker_killed_while_idle(example_store):
    pool = Pool(str(current_path(example_store)), size=1, timeout=60, memory_limit=300)
    try:
        os.kill(pool.workers[0].proc.pid, signal.SIGKILL)
        pool.workers[0].proc.join(5)
        answer = pool.run(Job(COUNT_WORKS, ("text/csv",)))
        assert answer.status == 200, answer.body
        _wait_full(pool)
    finally:
        pool.close()
    assert pool.alive() == 0


# ------------------------------------------------------------------ options


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "--port"),
    (["--port", "-1"], "--port"),
    (["--workers", "0"], "--workers"),
    (["--memory-limit", "-5"], "--memory-limit"),
    (["--allow-host", "a b"], "--allow-host"),
])
def test_bad_options_exit_2_with_a_message(example_store, args, message):
    res = run("serve", "--store", example_store, *args)
    assert res.exit_code == 2, res.output
    assert message in _kgfixtures.text(res)
    assert "Traceback" not in _kgfixtures.text(res)
