"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a store.

Oxigraph's own server (``oxigraph serve-read-only``, PyPI ``oxigraph``) has a
query timeout but evaluates ``SERVICE`` by calling the remote endpoint, and so
does pyoxigraph; an endpoint that must never reach out to the network needs a
guard in front.  This one is the standard library's threaded HTTP server:

* ``GET /sparql?query=...``, ``POST`` form (``query=...``) or ``POST``
  ``application/sparql-query``, with ``default-graph-uri`` and
  ``named-graph-uri``; the kg-resolve prefixes are predeclared;
* results by content negotiation (``Accept``): SPARQL JSON (default), XML, CSV
  and TSV for SELECT and ASK; Turtle (default), N-Triples, RDF/XML, N-Quads
  or JSON-LD for CONSTRUCT and DESCRIBE; 406 when nothing acceptable is left;
* refused: updates (``update=``, ``application/sparql-update``: 403), any query
  with a ``SERVICE`` clause (400, checked on the query text before it is
  parsed), other methods (405);
* each query runs in a worker process holding the store open read-only; one
  that outlives the timeout is killed (503) and its worker replaced, so a
  runaway query cannot hold the server;
* it listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import re
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .vocab import PREFIXES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1 << 20
ENDPOINT_PATHS = ("/sparql", "/query")

# media type -> (result format name) for query solutions and for graphs
SOLUTION_TYPES = {
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML", "text/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {
    "text/turtle": "TURTLE", "application/x-turtle": "TURTLE", "application/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML", "application/n-quads": "N_QUADS",
    "application/ld+json": "JSON_LD",
}
DEFAULT_SOLUTIONS, DEFAULT_GRAPH = "application/sparql-results+json", "text/turtle"


class Refused(Exception):
    """A request the endpoint will not run: HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------ SERVICE guard

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[^\W\d]\w*(?:[.-]+\w+)*)?:[\w.:%-]*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
""", re.X | re.S)


def _keywords(text: str) -> set[str]:
    return {m.group("word").upper() for m in _TOKEN.finditer(text) if m.group("word")}


def check_query(text: str) -> None:
    """Refuse a query with a ``SERVICE`` clause: the endpoint never calls out.

    The check is lexical (strings, IRIs, comments, variables and prefixed
    names cannot hide the keyword), on the text as sent and with its
    ``\\u`` escapes decoded, so an escape cannot hide it either.
    """
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    if "SERVICE" in _keywords(text) | _keywords(decoded):
        raise Refused(400, "SERVICE is not allowed: this endpoint does not federate and "
                           "never reaches out to the network")


# ------------------------------------------------------ content negotiation


def parse_accept(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q, then specificity, then order)."""
    if not header:
        return ["*/*"]
    ranked = []
    for n, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, media.count("*"), n, media))
    return [m for *_, m in sorted(ranked)]


def negotiate(accept: list[str], kinds: dict[str, str], default: str) -> str | None:
    """The media type to answer with, or None (406)."""
    for media in accept:
        if media in kinds:
            return media
        if media in ("*/*", "application/*", "text/*"):
            if media == "*/*" or default.startswith(media[:-1]):
                return default
            return next((k for k in kinds if k.startswith(media[:-1])), None)
    return None


# ----------------------------------------------------------------- workers


@dataclass(frozen=True)
class Job:
    query: str
    accept: tuple[str, ...]
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def run_job(store, job: Job) -> Answer:
    """Run one query on an open store and serialize the result (in a worker)."""
    from pyoxigraph import (
        NamedNode,
        QueryBoolean,
        QueryResultsFormat,
        QuerySolutions,
        RdfFormat,
    )

    kwargs: dict[str, object] = {"prefixes": PREFIXES}
    try:
        if job.default_graphs:
            kwargs["default_graph"] = [NamedNode(g) for g in job.default_graphs]
        if job.named_graphs:
            kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
        result = store.query(job.query, **kwargs)
    except SyntaxError as exc:
        return Answer(400, "text/plain; charset=utf-8", f"SPARQL syntax error: {exc}\n".encode())
    except ValueError as exc:
        return Answer(400, "text/plain; charset=utf-8", f"bad request: {exc}\n".encode())
    accept = list(job.accept)
    try:
        if isinstance(result, QuerySolutions | QueryBoolean):
            media = negotiate(accept, SOLUTION_TYPES, DEFAULT_SOLUTIONS)
            if media is None:
                return _not_acceptable(SOLUTION_TYPES)
            body = result.serialize(format=getattr(QueryResultsFormat, SOLUTION_TYPES[media]))
        else:
            media = negotiate(accept, GRAPH_TYPES, DEFAULT_GRAPH)
            if media is None:
                return _not_acceptable(GRAPH_TYPES)
            fmt = getattr(RdfFormat, GRAPH_TYPES[media])
            if fmt == RdfFormat.N_QUADS:
                from pyoxigraph import DefaultGraph, Quad, serialize
                body = serialize((Quad(t.subject, t.predicate, t.object, DefaultGraph())
                                  for t in result), format=fmt)
            else:
                body = result.serialize(format=fmt)
    except (OSError, RuntimeError) as exc:
        return Answer(500, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode())
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Answer(200, media + charset, body or b"")


def _not_acceptable(kinds: dict[str, str]) -> Answer:
    return Answer(406, "text/plain; charset=utf-8",
                  ("none of the Accept types can be served; available: "
                   + ", ".join(kinds) + "\n").encode())


def _worker(store_path: str, conn) -> None:  # pragma: no cover - runs in a child process
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from pyoxigraph import Store
    store = Store.read_only(store_path)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            answer = run_job(store, job)
        except Exception as exc:  # noqa: BLE001 - reported to the client, worker lives on
            answer = Answer(500, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode())
        conn.send(answer)


class Worker:
    def __init__(self, ctx, store_path: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(store_path, child), daemon=True)
        self.proc.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout) or self.conn.recv() != "ready":
            raise RuntimeError("a query worker did not start")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class Pool:
    """Worker processes, each with the store open read-only."""

    def __init__(self, store_path: str, size: int = 2, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.ctx = mp.get_context("spawn")
        self.store_path = store_path
        self.timeout = timeout
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.lock = threading.Lock()
        self.workers: list[Worker] = []
        for _ in range(max(1, size)):
            self._add()
        for w in self.workers:
            w.wait_ready(60)
            self.idle.put(w)

    def _add(self) -> Worker:
        w = Worker(self.ctx, self.store_path)
        with self.lock:
            self.workers.append(w)
        return w

    def _replace(self, w: Worker) -> None:
        w.kill()
        with self.lock:
            self.workers.remove(w)
        fresh = self._add()
        try:
            fresh.wait_ready(60)
        except RuntimeError:
            return
        self.idle.put(fresh)

    def run(self, job: Job) -> Answer:
        try:
            w = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, "text/plain; charset=utf-8",
                          b"all query workers are busy; try again later\n")
        try:
            w.conn.send(job)
            if w.conn.poll(self.timeout):
                answer = w.conn.recv()
                self.idle.put(w)
                return answer
        except (EOFError, OSError, BrokenPipeError):
            threading.Thread(target=self._replace, args=(w,), daemon=True).start()
            return Answer(500, "text/plain; charset=utf-8", b"the query worker died\n")
        threading.Thread(target=self._replace, args=(w,), daemon=True).start()
        return Answer(503, "text/plain; charset=utf-8",
                      f"query timed out after {self.timeout:g} s\n".encode())

    def close(self) -> None:
        with self.lock:
            workers, self.workers = self.workers, []
        for w in workers:
            w.kill()


# -------------------------------------------------------------------- HTTP


USAGE = """kg-resolve SPARQL endpoint (read-only)

GET  {path}?query=...             results by Accept: SPARQL JSON, XML, CSV, TSV;
POST {path}  query=... (form)      Turtle, N-Triples, RDF/XML for CONSTRUCT/DESCRIBE
POST {path}  application/sparql-query
Updates and SERVICE are refused. Prefixes {prefixes} are predeclared.
"""


def make_handler(pool: Pool, log: Callable[[str], None] | None = None):
    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-resolve"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            if log:
                log(f"{self.address_string()} {format % args}")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._send(status, "text/plain; charset=utf-8", (message + "\n").encode())

        def _handle(self, params: dict[str, list[str]], query: str | None) -> None:
            if "update" in params:
                raise Refused(403, "this endpoint is read-only: updates are refused")
            if query is None:
                values = params.get("query", [])
                if len(values) != 1:
                    if not params and urlsplit(self.path).path in ("/", *ENDPOINT_PATHS):
                        body = USAGE.format(path=ENDPOINT_PATHS[0],
                                            prefixes=" ".join(PREFIXES)).encode()
                        self._send(200, "text/plain; charset=utf-8", body)
                        return
                    raise Refused(400, "give exactly one 'query' parameter")
                query = values[0]
            check_query(query)
            job = Job(query, tuple(parse_accept(self.headers.get("Accept"))),
                      tuple(params.get("default-graph-uri", [])),
                      tuple(params.get("named-graph-uri", [])))
            answer = pool.run(job)
            self._send(answer.status, answer.content_type, answer.body)

        def _path_params(self) -> dict[str, list[str]]:
            parts = urlsplit(self.path)
            if parts.path not in ("/", *ENDPOINT_PATHS):
                raise Refused(404, f"no such endpoint {parts.path}; use {ENDPOINT_PATHS[0]}")
            return parse_qs(parts.query, keep_blank_values=True)

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            try:
                self._handle(self._path_params(), None)
            except Refused as exc:
                self._error(exc.status, exc.message)

        do_HEAD = do_GET

        def do_POST(self) -> None:  # noqa: N802
            try:
                params = self._path_params()
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    raise Refused(413, f"request body over {MAX_BODY} bytes")
                body = self.rfile.read(length).decode("utf-8", errors="replace")
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if ctype == "application/x-www-form-urlencoded":
                    for k, v in parse_qs(body, keep_blank_values=True).items():
                        params.setdefault(k, []).extend(v)
                    self._handle(params, None)
                elif ctype == "application/sparql-query":
                    if "update" in params:
                        raise Refused(403, "this endpoint is read-only: updates are refused")
                    self._handle(params, body)
                elif ctype == "application/sparql-update":
                    raise Refused(403, "this endpoint is read-only: updates are refused")
                else:
                    raise Refused(415, "POST application/x-www-form-urlencoded "
                                       "(query=...) or application/sparql-query")
            except Refused as exc:
                self._error(exc.status, exc.message)

        def _not_allowed(self) -> None:
            self.send_response(405)
            self.send_header("Allow", "GET, HEAD, POST")
            body = b"read-only SPARQL endpoint: GET or POST a query\n"
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_PUT = do_DELETE = do_PATCH = _not_allowed

    return Handler


def serve(store: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, workers: int = 2,
          announce: Callable[[str], None] = print,
          log: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    pool = Pool(str(store), workers, timeout)
    server = ThreadingHTTPServer((host, port), make_handler(pool, log))
    server.daemon_threads = True

    def stop(signum, frame) -> None:  # noqa: ARG001
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    announce(f"kg serve: SPARQL endpoint http://{shown}:{bound_port}{ENDPOINT_PATHS[0]} "
             f"(read-only, {workers} worker(s), timeout {timeout:g} s)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
        signal.signal(signal.SIGTERM, previous)
