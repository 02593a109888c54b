"""``kg serve``'s HTTP layer (issue 20): Host names (DNS rebinding), cross-site
POSTs, bad Content-Length, slow clients, the connection cap, TCP_NODELAY and
the listen backlog.  The server runs in-process over a stand-in for the worker
pool, so that its timeouts can be shortened."""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time

import pytest

import kg.serve as serve
from kg.serve import (
    Answer,
    Job,
    Server,
    allowed_hosts,
    host_name,
    is_loopback,
    make_handler,
    same_site,
)


class FakePool:
    build = "b0123456789abcdef"

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def run(self, job: Job) -> Answer:
        self.jobs.append(job)
        return Answer(200, "text/plain; charset=utf-8", b"ran\n", self.build)


@pytest.fixture
def start(monkeypatch):
    """Start a server: ``start(hosts=..., max_connections=...)`` -> (port, pool)."""
    monkeypatch.setattr(serve, "SOCKET_TIMEOUT", 1.0)
    monkeypatch.setattr(serve, "REQUEST_DEADLINE", 2.0)
    servers = []

    def _start(hosts=frozenset(), max_connections: int = 16):
        pool = FakePool()
        server = Server(("127.0.0.1", 0), make_handler(pool, None, hosts), max_connections)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1], pool

    yield _start
    for s in servers:
        s.shutdown()
        s.server_close()


def raw(port: int, data: bytes, wait: float = 5.0) -> bytes:
    """Send ``data`` on a fresh connection; everything answered until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def request(port: int, method: str, path: str = "/sparql?query=ASK%7B%7D",
            body: bytes | None = None, headers: dict[str, str] | None = None,
            ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


# ------------------------------------------------------------ pure parts


@pytest.mark.parametrize("header, expected", [
    ("localhost", ("localhost", None)),
    ("LocalHost:8080", ("localhost", 8080)),
    ("127.0.0.1:7878", ("127.0.0.1", 7878)),
    ("[::1]:7878", ("::1", 7878)),
    ("[::1]", ("::1", None)),
    ("example.org.", ("example.org", None)),
    ("::1", None),
    ("a b", None),
    ("user@localhost", None),
    ("localhost:99999999", None),
    ("", None),
])
def test_host_name(header, expected):
    assert host_name(header) == expected


def test_loopback_names():
    assert all(map(is_loopback, ["localhost", "127.0.0.1", "127.1.2.3", "::1"]))
    assert not any(map(is_loopback, ["127.0.0.1.evil.example", "localhost.evil.example",
                                     "10.0.0.1", "0.0.0.0", "2130706433", "evil.localhost"]))


def test_allowed_hosts():
    assert allowed_hosts("127.0.0.1") == frozenset()
    assert allowed_hosts("::1", ["KG.example:80"]) == {"kg.example"}
    assert allowed_hosts("0.0.0.0") is None  # any name when serving every interface
    assert allowed_hosts("0.0.0.0", ["kg.example"]) == {"kg.example"}
    with pytest.raises(ValueError, match="--allow-host"):
        allowed_hosts("127.0.0.1", ["a b"])


def test_same_site():
    assert same_site("http://127.0.0.1:7878", "127.0.0.1:7878")
    assert same_site("http://localhost", "localhost:80")
    assert not same_site("http://evil.example", "127.0.0.1:7878")
    assert not same_site("http://127.0.0.1:9999", "127.0.0.1:7878")
    assert not same_site("null", "127.0.0.1:7878")
    assert not same_site("file://", "127.0.0.1:7878")


# ---------------------------------------------------------- Host and Origin


@pytest.mark.parametrize("host", ["localhost", "localhost:1234", "127.0.0.1:7878",
                                  "127.0.0.2", "[::1]:80", "kg.example:7878"])
def test_loopback_and_allowed_hosts_are_answered(start, host):
    port, pool = start(frozenset({"kg.example"}))
    status, headers, body = request(port, "GET", headers={"Host": host})
    assert (status, body) == (200, b"ran\n")
    assert headers["X-KG-Build"] == FakePool.build


@pytest.mark.parametrize("host", ["evil.example", "evil.example:7878", "127.0.0.1.nip.io",
                                  "localhost.evil.example", "[::1"])
def test_other_hosts_are_refused(start, host):
    port, pool = start()
    status, _, body = request(port, "GET", headers={"Host": host})
    assert status == 421 and b"--allow-host" in body
    assert pool.jobs == []


def test_two_host_headers_are_refused(start):
    port, pool = start()
    answer = raw(port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\n"
                       b"Host: evil.example\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and pool.jobs == []


def test_any_host_on_a_public_address_without_allow_host(start):
    port, pool = start(hosts=None)
    assert request(port, "GET", headers={"Host": "kg.example"})[0] == 200


def test_cross_site_post_is_refused(start):
    port, pool = start()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{port + 1}"):
        status, _, _ = request(port, "POST", "/sparql", b"query=ASK%7B%7D",
                               {**form, "Origin": origin})
        assert status == 403, origin
    status, _, _ = request(port, "POST", "/sparql", b"query=ASK%7B%7D",
                           {**form, "Sec-Fetch-Site": "cross-site"})
    assert status == 403
    assert pool.jobs == []
    status, _, _ = request(port, "POST", "/sparql", b"query=ASK%7B%7D",
                           {**form, "Origin": f"http://127.0.0.1:{port}"})
    assert status == 200 and len(pool.jobs) == 1


# ------------------------------------------------------------ request body


@pytest.mark.parametrize("length", [b"-1", b"abc", b"1e3", b" ", b"+5", b"5, 6"])
def test_bad_content_length_is_answered_400(start, length):
    port, pool = start()
    answer = raw(port, b"POST /sparql HTTP/1.1\r\nHost: localhost\r\n"
                       b"Content-Type: application/sparql-query\r\n"
                       b"Content-Length: " + length + b"\r\n\r\nASK {}")
    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert b"Content-Length" in answer and pool.jobs == []


def test_body_over_the_cap_and_chunked_bodies(start):
    port, pool = start()
    head = (b"POST /sparql HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/sparql-query\r\n")
    answer = raw(port, head + b"Content-Length: %d\r\n\r\n" % (serve.MAX_BODY + 1))
    assert answer.startswith(b"HTTP/1.1 413")
    answer = raw(port, head + b"Transfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 411")
    assert pool.jobs == []


def test_keep_alive_requests_on_one_connection(start):
    port, pool = start()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(5):
            conn.request("POST", "/sparql", body=b"ASK {}",
                         headers={"Content-Type": "application/sparql-query"})
            resp = conn.getresponse()
            assert (resp.status, resp.read()) == (200, b"ran\n")
    finally:
        conn.close()
    assert [j.query for j in pool.jobs] == ["ASK {}"] * 5


# -------------------------------------------------------------- slow clients


def test_idle_connection_is_closed(start):
    port, _ = start()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        t0 = time.monotonic()
        sock.sendall(b"GET /sparql HTTP/1.1\r\n")  # and then nothing
        assert sock.recv(100) == b""  # closed by the server
        assert time.monotonic() - t0 < 5


def test_a_trickling_request_is_cut_off_at_the_deadline(start):
    """Slowloris: a byte every half second beats an idle timeout (1 s here), not
    the deadline for the whole request (2 s here)."""
    port, pool = start()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        t0 = time.monotonic()
        closed_after = None
        for byte in b"GET /sparql?query=ASK HTTP/1.1\r\nX-Slow: " + b"x" * 100:
            try:
                sock.sendall(bytes([byte]))
                readable, _, _ = select.select([sock], [], [], 0.5)
                if readable and sock.recv(100) == b"":
                    closed_after = time.monotonic() - t0
            except OSError:  # reset or broken pipe: closed too
                closed_after = time.monotonic() - t0
            if closed_after is not None or time.monotonic() - t0 > 8:
                break
        assert closed_after is not None, "the server still waits for the request"
        assert 1.5 < closed_after < 5
    assert pool.jobs == []


def test_connections_over_the_cap_get_503(start):
    port, _ = start(max_connections=2)
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)
        answer = raw(port, b"")
        assert answer.startswith(b"HTTP/1.1 503") and b"too many connections" in answer
    finally:
        for s in held:
            s.close()
    time.sleep(0.3)  # the held connections' slots are free again
    assert request(port, "GET")[0] == 200


# ---------------------------------------------------------------- sockets


def test_backlog_and_nodelay(start):
    pool = FakePool()
    server = Server(("127.0.0.1", 0), make_handler(pool))
    try:
        assert server.request_queue_size >= 128
        client = socket.create_connection(server.server_address[:2], timeout=5)
        conn, _ = server.get_request()
        try:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        finally:
            conn.close()
            client.close()
    finally:
        server.server_close()
