"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over a store.

Oxigraph's own server (``oxigraph serve-read-only``, PyPI ``oxigraph``) has a
query timeout but evaluates ``SERVICE`` by calling the remote endpoint, and so
does pyoxigraph; an endpoint that must never reach out to the network needs
walls of its own.  This one is the standard library's threaded HTTP server:

* ``GET /sparql?query=...``, ``POST`` form (``query=...``) or ``POST``
  ``application/sparql-query``, with ``default-graph-uri`` and
  ``named-graph-uri``; the kg-resolve prefixes are predeclared;
* results by content negotiation (``Accept``): SPARQL JSON (default), XML, CSV
  and TSV for SELECT and ASK; Turtle (default), N-Triples, RDF/XML, N-Quads
  or JSON-LD for CONSTRUCT and DESCRIBE; 406 when nothing acceptable is left;
* refused: updates (``update=``, ``application/sparql-update``: 403), other
  methods (405), a query with a ``SERVICE`` clause and any query the SPARQL
  parser cannot read (400, decided on rdflib's parse tree, not on the text);
* each query runs in a worker process holding the store open read-only, in a
  network namespace of its own where no host, not even 127.0.0.1, can be
  reached (the second wall behind the parse), and with its address space
  capped; a query that outlives the timeout is killed (503), one that outgrows
  the memory cap ends its worker (503), and a dead worker is replaced;
* HTTP hardening: on a loopback address only loopback ``Host`` names are
  answered (DNS rebinding; ``--allow-host`` adds names), a cross-site ``POST``
  is refused, connections time out and are capped in number, a bad
  ``Content-Length`` is a 400, and every answer names the build it came from
  (``X-KG-Build``);
* it listens on 127.0.0.1 unless told otherwise;
* pages for browsers (:mod:`kg.web`): the query page at ``/``, the graph's
  IRIs at ``/id/...`` by content negotiation, CORS for read-only answers and
  ``OPTIONS`` preflights, and the review queue at ``/review``;
* one write, and only with ``--review`` (on a loopback address unless
  ``--public-review``): the review page's decisions, same-origin and with the
  page's token (:mod:`kg.web.review`); the graph itself is never written.
"""

from __future__ import annotations

import ctypes
import functools
import io
import ipaddress
import json
import multiprocessing as mp
import os
import queue
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .vocab import PREFIXES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_LIMIT = 2048
"""MB of address space a worker may add to what it holds with the store open."""
MAX_BODY = 1 << 20
ENDPOINT_PATHS = ("/sparql", "/query")
SOCKET_TIMEOUT = 10.0
"""Seconds a connection may stay silent (between requests, or within one)."""
REQUEST_DEADLINE = 30.0
"""Seconds from the start of a request until its headers and body are in."""
MAX_CONNECTIONS = 256
"""Connections served at once; more are answered 503 and closed."""
BACKLOG = 128

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
TEXT = "text/plain; charset=utf-8"


class Refused(Exception):
    """A request the endpoint will not run: HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------ SERVICE guard

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
SERVICE_REFUSED = ("SERVICE is not allowed: this endpoint does not federate and never "
                   "reaches out to the network")


def _unescaped(text: str) -> str:
    """``text`` with its ``\\u``/``\\U`` escapes decoded, repeatedly until none is left
    (SPARQL decodes them once, before parsing; more passes only reveal more)."""
    for _ in range(8):
        try:
            decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
        except (ValueError, OverflowError):  # \U beyond U+10FFFF: the parser refuses it
            return text
        if decoded == text:
            break
        text = decoded
    return text


def could_name_service(text: str) -> bool:
    """False only when ``text`` cannot hold a SERVICE clause: the letters of the
    keyword (any case, escaped or not) appear nowhere in it.  A cheap, sound
    pre-check; everything it lets through is decided by :func:`check_query`'s parse."""
    return any("service" in t.casefold() for t in (text, _unescaped(text)))


def _has_service(tree: object) -> bool:
    """Whether rdflib's parse tree of a query holds a ``ServiceGraphPattern``,
    at any depth (sub-queries, EXISTS, OPTIONAL, UNION, MINUS ...)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if isinstance(node, str | bytes | int | float | type(None)):
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(dict.values(node))
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, Iterable):
            stack.extend(node)
    return False


@functools.lru_cache(maxsize=1024)
def _refusal(text: str) -> str | None:
    if not could_name_service(text):
        return None
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except RecursionError:
        return "the query is nested too deeply to be checked; it is refused"
    except Exception as exc:  # noqa: BLE001 - pyparsing and rdflib raise several kinds
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return ("the query mentions SERVICE and the SPARQL 1.1 parser cannot read it, so "
                f"it is refused: {first}")
    return SERVICE_REFUSED if _has_service(tree) else None


def check_query(text: str) -> None:
    """Refuse (400) a query with a ``SERVICE`` clause: the endpoint never calls out.

    Decided on the parsed query (rdflib's SPARQL 1.1 grammar), so no escape,
    comment or string can disguise the clause; a query that holds the word and
    does not parse is refused too.  A query without the letters of the word
    anywhere, even as ``\\u`` escapes, cannot hold the clause and is not parsed
    (rdflib's parser takes 20-800 ms a query).  The second wall is that
    workers have no network (:func:`isolate_network`).
    """
    reason = _refusal(text)
    if reason:
        raise Refused(400, reason)


# ------------------------------------------------------------ worker sandbox

CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000


def isolate_network() -> tuple[bool, str]:
    """Move this process into a new, empty network namespace (Linux): its only
    interface is a loopback that is down, so no connection can be made, to
    127.0.0.1 or anywhere, whatever code (Oxigraph's HTTP client included)
    tries.  As root ``unshare(CLONE_NEWNET)``; otherwise within a new user
    namespace, where the kernel allows that.  Must run before the process
    starts threads.  Returns (isolated, how)."""
    if not sys.platform.startswith("linux"):
        return False, f"workers can reach the network (no network namespaces on {sys.platform})"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return False, f"workers can reach the network (no libc: {exc})"
    errors = []
    for flags, how in ((CLONE_NEWNET, "network namespace"),
                       (CLONE_NEWUSER | CLONE_NEWNET, "user and network namespace")):
        if libc.unshare(flags) == 0:
            return True, f"workers have no network (own {how})"
        errors.append(os.strerror(ctypes.get_errno()))
    return False, ("workers can reach the network: unshare refused (" + "; ".join(errors)
                   + "); only the SERVICE check stands between a query and other hosts")


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def cap_memory(limit_mb: int) -> int | None:
    """Cap this process's address space (``RLIMIT_AS``) at what it holds now
    plus ``limit_mb`` MB, so the cap is the memory one query may take whatever
    the store's size.  Over it, allocation fails: Oxigraph aborts the process,
    Python raises MemoryError.  Returns the cap in bytes, None when not set."""
    if limit_mb <= 0:
        return None
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    cap = (_address_space() or 0) + (limit_mb << 20)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap


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
    build: str = ""


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker says once it is ready."""

    build: str
    isolated: bool
    network: str
    memory_cap: int | None


def open_for_queries(store_path: str):
    """The store at ``store_path`` opened read-only, and the id of the build
    that made it (``build`` in its ``kg-resolve.json``; "" if it has none).
    The one place a worker opens its store, so that it can later open again."""
    from pyoxigraph import Store

    from .store import MARKER

    try:
        build = str(json.loads((Path(store_path) / MARKER).read_text("utf-8")).get("build", ""))
    except (OSError, ValueError, AttributeError):
        build = ""
    return Store.read_only(store_path), build


def run_job(store, job: Job) -> Answer:
    """Check and run one query on an open store and serialize the result (in a worker)."""
    from pyoxigraph import (
        NamedNode,
        QueryBoolean,
        QueryResultsFormat,
        QuerySolutions,
        RdfFormat,
    )

    try:
        check_query(job.query)
    except Refused as exc:
        return Answer(exc.status, TEXT, (exc.message + "\n").encode())
    kwargs: dict[str, object] = {"prefixes": PREFIXES}
    try:
        if job.default_graphs:
            kwargs["default_graph"] = [NamedNode(g) for g in job.default_graphs]
        if job.named_graphs:
            kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
        result = store.query(job.query, **kwargs)
    except SyntaxError as exc:
        return Answer(400, TEXT, f"SPARQL syntax error: {exc}\n".encode())
    except ValueError as exc:
        return Answer(400, TEXT, f"bad request: {exc}\n".encode())
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
        return Answer(500, TEXT, f"query failed: {exc}\n".encode())
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Answer(200, media + charset, body or b"")


def _not_acceptable(kinds: dict[str, str]) -> Answer:
    return Answer(406, TEXT, ("none of the Accept types can be served; available: "
                              + ", ".join(kinds) + "\n").encode())


def _worker(store_path: str, conn, memory_limit: int) -> None:  # pragma: no cover - child
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolated, network = isolate_network()  # first: before any thread is started
    store, build = open_for_queries(store_path)
    _refusal("SELECT * { SERVICE <x:> {} }")  # load the parser before the cap
    _refusal.cache_clear()
    cap = cap_memory(memory_limit)
    conn.send(WorkerInfo(build, isolated, network, cap))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            answer = run_job(store, job)
        except MemoryError:
            answer = Answer(503, TEXT, (f"the query needs more memory than the limit of "
                                        f"{memory_limit} MB (--memory-limit)\n").encode())
        except Exception as exc:  # noqa: BLE001 - reported to the client, worker lives on
            answer = Answer(500, TEXT, f"query failed: {exc}\n".encode())
        conn.send(answer)


class Worker:
    def __init__(self, ctx, store_path: str, memory_limit: int) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(store_path, child, memory_limit),
                                daemon=True)
        self.proc.start()
        child.close()
        self.info: WorkerInfo | None = None

    def wait_ready(self, timeout: float) -> WorkerInfo:
        try:
            if self.conn.poll(timeout):
                info = self.conn.recv()
                if isinstance(info, WorkerInfo):
                    self.info = info
                    return info
        except (EOFError, OSError):
            pass
        raise RuntimeError(f"a query worker did not start (exit code {self.proc.exitcode})")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def death(self, memory_limit: int) -> str:
        """Why this worker ended, for the client."""
        self.proc.join(2)
        code = self.proc.exitcode
        if code is not None and code < 0:
            try:
                how = signal.Signals(-code).name
            except ValueError:
                how = f"signal {-code}"
        else:
            how = f"exit code {code}"
        if memory_limit and code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
            return (f"the query worker ended ({how}) running this query: most likely it "
                    f"needed more memory than the limit of {memory_limit} MB "
                    "(--memory-limit); a fresh worker replaces it\n")
        return f"the query worker ended ({how}) running this query; a fresh worker replaces it\n"


class Pool:
    """Worker processes, each with the store open read-only; a worker that dies
    or is killed (timeout) is replaced, so the pool keeps its size."""

    def __init__(self, store_path: str, size: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 memory_limit: int = DEFAULT_MEMORY_LIMIT) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        self.ctx = mp.get_context("spawn")
        self.store_path = store_path
        self.size = size
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.lock = threading.Lock()
        self.workers: list[Worker] = []
        self.closed = False
        self.info: WorkerInfo | None = None
        started = [self._spawn() for _ in range(size)]
        try:
            for w in started:
                self._ready(w, 60)
        except RuntimeError:
            self.close()
            raise

    @property
    def build(self) -> str:
        return self.info.build if self.info else ""

    def _spawn(self) -> Worker:
        w = Worker(self.ctx, self.store_path, self.memory_limit)
        with self.lock:
            self.workers.append(w)
        return w

    def _ready(self, w: Worker, timeout: float) -> None:
        try:
            self.info = w.wait_ready(timeout)
        except RuntimeError:
            self._drop(w)
            raise
        self.idle.put(w)

    def _drop(self, w: Worker) -> None:
        w.kill()
        with self.lock:
            if w in self.workers:
                self.workers.remove(w)

    def _replace(self, w: Worker) -> None:
        """Kill ``w`` and start workers until one is ready (or the pool closes)."""
        self._drop(w)
        delay = 0.5
        while not self.closed:
            try:
                self._ready(self._spawn(), 60)
                return
            except RuntimeError:
                time.sleep(delay)
                delay = min(2 * delay, 10.0)

    def _replace_later(self, w: Worker) -> None:
        threading.Thread(target=self._replace, args=(w,), daemon=True,
                         name="kg serve: replace worker").start()

    def alive(self) -> int:
        """Workers whose process is running (idle, busy or starting)."""
        with self.lock:
            return sum(w.proc.is_alive() for w in self.workers)

    def run(self, job: Job) -> Answer:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                w = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return Answer(503, TEXT, b"all query workers are busy; try again later\n",
                              self.build)
            if w.proc.is_alive():
                break
            self._replace_later(w)
        build = w.info.build if w.info else self.build
        try:
            w.conn.send(job)
            if w.conn.poll(self.timeout):
                answer = w.conn.recv()
                self.idle.put(w)
                return replace(answer, build=build)
        except (EOFError, OSError):
            message = w.death(self.memory_limit)
            self._replace_later(w)
            return Answer(503, TEXT, message.encode(), build)
        self._replace_later(w)
        return Answer(503, TEXT, f"query timed out after {self.timeout:g} s\n".encode(), build)

    def close(self) -> None:
        self.closed = True
        with self.lock:
            workers, self.workers = self.workers, []
        for w in workers:
            w.kill()


class FollowingPool:
    """A :class:`Pool` over the build now current in a store directory that
    follows rebuilds: when ``kg build`` commits a new build there, a pool over
    it is started and takes the next queries, while the queries already
    running finish on the old one (closed a query timeout later, its build then
    released).  So the endpoint serves one complete store at a time, never a
    half-written one, and says which (``X-KG-Build``)."""

    def __init__(self, store_dir: Path, size: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 memory_limit: int = DEFAULT_MEMORY_LIMIT, check_every: float = 1.0) -> None:
        from .store import pin_store

        self.store_dir = Path(store_dir)
        self.size, self.timeout, self.memory_limit = size, timeout, memory_limit
        self.pin = pin_store(self.store_dir)
        try:
            self.pool = Pool(str(self.pin.path), size, timeout, memory_limit)
        except BaseException:
            self.pin.close()
            raise
        self.closed = False
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._follow, args=(check_every,), daemon=True,
                                       name="kg serve: follow rebuilds")
        self._watch.start()

    @property
    def build(self) -> str:
        return self.pool.build

    @property
    def info(self) -> WorkerInfo | None:
        return self.pool.info

    def alive(self) -> int:
        return self.pool.alive()

    def run(self, job: Job) -> Answer:
        return self.pool.run(job)

    def _follow(self, every: float) -> None:
        from .store import StoreError, current_path

        while not self._stop.wait(every):
            try:
                if current_path(self.store_dir) != self.pin.path:
                    self.switch()
            except (StoreError, OSError, RuntimeError):
                continue  # a build half-way through its commit, or gone: look again

    def switch(self) -> bool:
        """Serve the build now current, if it is another; whether it switched."""
        from .store import pin_store, remove_stale_builds

        pin = pin_store(self.store_dir)
        if pin.path == self.pin.path or self.closed:
            pin.close()
            return False
        try:
            pool = Pool(str(pin.path), self.size, self.timeout, self.memory_limit)
        except BaseException:
            pin.close()
            raise
        old_pool, old_pin = self.pool, self.pin
        self.pool, self.pin = pool, pin

        def retire() -> None:
            time.sleep(self.timeout + 1.0)  # the queries running on it finish first
            old_pool.close()
            old_pin.close()
            remove_stale_builds(self.store_dir)

        threading.Thread(target=retire, daemon=True, name="kg serve: retire build").start()
        return True

    def close(self) -> None:
        self.closed = True
        self._stop.set()
        self.pool.close()
        self.pin.close()


# -------------------------------------------------------------------- HTTP


USAGE = """kg-resolve SPARQL endpoint (read-only)

GET  {path}?query=...             results by Accept: SPARQL JSON, XML, CSV, TSV;
POST {path}  query=... (form)      Turtle, N-Triples, RDF/XML for CONSTRUCT/DESCRIBE
POST {path}  application/sparql-query
Updates and SERVICE are refused. Prefixes {prefixes} are predeclared.
"""


def host_name(header: str) -> tuple[str, int | None] | None:
    """Name and port of a ``Host`` header (``name``, ``name:port``, ``[v6]:port``),
    the name lowercased and without brackets; None if it is malformed."""
    header = header.strip().lower()
    m = re.fullmatch(r"\[([0-9a-f:.]+)\](?::(\d{1,5}))?|([^\s:\[\]/@]+)(?::(\d{1,5}))?", header)
    if not m:
        return None
    port = m.group(2) or m.group(4)
    return (m.group(1) or m.group(3)).rstrip("."), int(port) if port else None


def is_loopback(name: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The ``Host`` names answered besides loopback ones; None: any name.

    On a loopback address only loopback names (and ``extra``) are answered,
    so that a web page whose name an attacker re-points at 127.0.0.1 (DNS
    rebinding) gets nothing; elsewhere any name is, unless ``extra`` is given."""
    names = set()
    for name in extra:
        parsed = host_name(name)
        if parsed is None:
            raise ValueError(f"--allow-host {name!r}: not a host name")
        names.add(parsed[0])
    if is_loopback(bound.strip("[]").lower()) or names:
        return frozenset(names)
    return None


def same_site(origin: str, host: str) -> bool:
    """Whether an ``Origin`` header names the same host and port as ``Host``."""
    try:
        parts = urlsplit(origin)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return False
    here = host_name(host)
    if parts.scheme not in ("http", "https") or not parts.hostname or here is None:
        return False
    return (parts.hostname.lower().rstrip("."), port) == (here[0], here[1] or 80)


class _Deadline(io.RawIOBase):
    """A socket's reading end that gives up when a deadline passes, however
    slowly the bytes trickle in (slowloris); each wait is also at most the
    socket's idle timeout."""

    def __init__(self, sock: socket.socket, idle: float) -> None:
        self.sock, self.idle = sock, idle
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request did not arrive in time")
            self.sock.settimeout(min(left, self.idle))
        return self.sock.recv_into(buffer)

    def stop(self) -> None:
        """The request is in: no deadline, the idle timeout for the answer."""
        self.deadline = None
        self.sock.settimeout(self.idle)


def make_handler(pool: Pool | FollowingPool, log: Callable[[str], None] | None = None,
                 hosts: frozenset[str] | None = None, site=None):
    """The request handler; ``site`` (:class:`kg.web.Site`) has the pages, the
    IRI base and the CORS origins (default: the pages, no CORS)."""
    from .web import Request, make_site

    site = site or make_site(pool)

    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-resolve"
        protocol_version = "HTTP/1.1"
        timeout = SOCKET_TIMEOUT  # set on the socket by StreamRequestHandler.setup

        def setup(self) -> None:
            super().setup()
            self.rfile.close()  # the socket's own reader, replaced by one with a deadline
            self.reader = _Deadline(self.connection, SOCKET_TIMEOUT)
            self.rfile = io.BufferedReader(self.reader)

        def handle_one_request(self) -> None:
            self.reader.deadline = time.monotonic() + REQUEST_DEADLINE
            super().handle_one_request()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            if log:
                log(f"{self.address_string()} {format % args}")

        def _send(self, status: int, content_type: str, body: bytes, build: str = "",
                  close: bool = False, headers: Iterable[tuple[str, str]] = (),
                  cors: bool = True) -> None:
            self.send_response(status)
            allow = site.cors_headers(self.headers.get("Origin")) if cors else []
            for name, value in (*headers, *allow):
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", site.vary)
            self.send_header("Cache-Control", "no-store")
            if build or pool.build:
                self.send_header("X-KG-Build", build or pool.build)
            if close:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, exc: Refused, close: bool = False) -> None:
            self._send(exc.status, TEXT, (exc.message + "\n").encode(), close=close)

        def _check_host(self) -> None:
            values = self.headers.get_all("Host") or []
            if len(values) > 1:
                raise Refused(400, "more than one Host header")
            if hosts is None or not values:  # no Host: not a browser, so no rebinding
                return
            parsed = host_name(values[0])
            if parsed is None or not (is_loopback(parsed[0]) or parsed[0] in hosts):
                names = ", ".join(["localhost", "127.0.0.1", "[::1]", *sorted(hosts)])
                raise Refused(421, f"Host {values[0]!r} is not served here: this endpoint "
                                   f"answers to {names}; add a name with --allow-host")

        def _handle(self, params: dict[str, list[str]], query: str | None) -> None:
            if "update" in params:
                raise Refused(403, "this endpoint is read-only: updates are refused")
            if query is None:
                values = params.get("query", [])
                if len(values) != 1:
                    if not params and urlsplit(self.path).path in ("/", *ENDPOINT_PATHS):
                        body = USAGE.format(path=ENDPOINT_PATHS[0],
                                            prefixes=" ".join(PREFIXES)).encode()
                        self._send(200, TEXT, body)
                        return
                    raise Refused(400, "give exactly one 'query' parameter")
                query = values[0]
            job = Job(query, tuple(parse_accept(self.headers.get("Accept"))),
                      tuple(params.get("default-graph-uri", [])),
                      tuple(params.get("named-graph-uri", [])))
            answer = pool.run(job)
            self._send(answer.status, answer.content_type, answer.body, answer.build)

        def _route(self, body: bytes = b"") -> bool:
            """Answer with a page of :mod:`kg.web` if one is routed here."""
            parts = urlsplit(self.path)
            page = site.router.find(self.command, parts.path)
            if page is None:
                return False
            request = Request(self.command, parts.path,
                              parse_qs(parts.query, keep_blank_values=True),
                              {k.lower(): v for k, v in reversed(self.headers.items())}, body)
            reply = page(request, site)
            if reply is None:
                return False
            self._send(reply.status, reply.content_type, reply.body, reply.build,
                       headers=reply.headers, cors=reply.cors)
            return True

        def _path_params(self) -> dict[str, list[str]]:
            parts = urlsplit(self.path)
            if parts.path not in ("/", *ENDPOINT_PATHS):
                raise Refused(404, f"no such endpoint {parts.path}; use {ENDPOINT_PATHS[0]}")
            return parse_qs(parts.query, keep_blank_values=True)

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self.reader.stop()
            try:
                self._check_host()
                if not self._route():
                    self._handle(self._path_params(), None)
            except Refused as exc:
                self._error(exc)

        do_HEAD = do_GET

        def do_OPTIONS(self) -> None:  # noqa: N802 - a CORS preflight
            self.reader.stop()
            path = urlsplit(self.path).path
            try:
                self._check_host()
                if path not in ("*", "/", *ENDPOINT_PATHS) and not site.router.find("GET", path):
                    raise Refused(404, f"no such resource {path}")
            except Refused as exc:
                self._error(exc, close=True)
                return
            reply = site.preflight(Request("OPTIONS", path, {}, {
                k.lower(): v for k, v in reversed(self.headers.items())}))
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            if pool.build:
                self.send_header("X-KG-Build", pool.build)
            self.send_header("Content-Length", "0")
            if self.headers.get("Content-Length", "0").strip() not in ("", "0"):
                self.send_header("Connection", "close")  # its body, unread, is no request
                self.close_connection = True
            self.end_headers()

        def _body(self) -> str:
            """The request body, read in full; a Refused closes the connection
            (the unread body would be taken for the next request)."""
            if self.headers.get("Transfer-Encoding"):
                raise Refused(411, "chunked request bodies are not supported; "
                                   "send a Content-Length")
            lengths = set(self.headers.get_all("Content-Length") or ["0"])
            text = lengths.pop().strip() if len(lengths) == 1 else ""
            if not re.fullmatch(r"[0-9]{1,12}", text):
                raise Refused(400, "Content-Length must be one number of bytes")
            if int(text) > MAX_BODY:
                raise Refused(413, f"request body over {MAX_BODY} bytes")
            body = self.rfile.read(int(text))
            if len(body) < int(text):
                raise Refused(400, "the request body ended before Content-Length bytes")
            return body.decode("utf-8", errors="replace")

        def do_POST(self) -> None:  # noqa: N802
            try:
                self._check_host()
                origin = self.headers.get("Origin")
                if (not site.allows_origin(origin)
                        and ((origin is not None
                              and not same_site(origin, self.headers.get("Host", "")))
                             or self.headers.get("Sec-Fetch-Site") == "cross-site")):
                    raise Refused(403, f"cross-site POST from {origin or 'another site'} refused")
                routed = site.router.find("POST", urlsplit(self.path).path) is not None
                params = {} if routed else self._path_params()
                body = self._body()
            except Refused as exc:
                self.reader.stop()
                self._error(exc, close=True)
                return
            self.reader.stop()
            try:
                if routed and self._route(body.encode("utf-8")):
                    return
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if ctype == "application/x-www-form-urlencoded":
                    for k, v in parse_qs(body, keep_blank_values=True).items():
                        params.setdefault(k, []).extend(v)
                    self._handle(params, None)
                elif ctype == "application/sparql-query":
                    self._handle(params, body)
                elif ctype == "application/sparql-update":
                    raise Refused(403, "this endpoint is read-only: updates are refused")
                else:
                    raise Refused(415, "POST application/x-www-form-urlencoded "
                                       "(query=...) or application/sparql-query")
            except Refused as exc:
                self._error(exc)

        def _not_allowed(self) -> None:
            self.reader.stop()
            body = b"read-only SPARQL endpoint: GET or POST a query\n"
            self.send_response(405)
            self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
            self.send_header("Content-Type", TEXT)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")  # its body, unread, is no next request
            self.end_headers()
            self.wfile.write(body)

        do_PUT = do_DELETE = do_PATCH = _not_allowed

    return Handler


class Server(ThreadingHTTPServer):
    """The threaded HTTP server with a deeper listen queue, ``TCP_NODELAY`` on
    every connection (no 40 ms Nagle delay on keep-alive answers), IPv6 when
    the address is one, and at most ``max_connections`` served at once."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], handler,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def get_request(self):
        conn, addr = super().get_request()
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover - not TCP
            pass
        return conn, addr

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            body = b"too many connections; try again later\n"
            try:
                request.settimeout(1)
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                                b"Content-Type: text/plain; charset=utf-8\r\n"
                                b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def check_options(port: int, workers: int, timeout: float, memory_limit: int) -> None:
    """Raise ValueError naming the first option out of range."""
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port}: a port is 0..65535 (0: any free port)")
    if workers < 1:
        raise ValueError(f"--workers {workers}: at least one worker is needed")
    if not timeout > 0:
        raise ValueError(f"--timeout {timeout:g}: give a number of seconds above 0")
    if memory_limit < 0:
        raise ValueError(f"--memory-limit {memory_limit}: give MB, or 0 for no limit")


def check_review(host: str, review: bool, public_review: bool) -> None:
    """Refuse ``--review`` on a public address unless ``--public-review`` says so."""
    if public_review and not review:
        raise ValueError("--public-review: give --review too")
    if review and not public_review and not is_loopback(host.strip("[]").lower()):
        raise ValueError(f"--review on {host}: the review page records decisions and has "
                         "no login, so it listens on a loopback address (127.0.0.1) only; "
                         "add --public-review to serve it on a public one anyway")


def serve(store: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, workers: int = 2,
          announce: Callable[[str], None] = print,
          log: Callable[[str], None] | None = None,
          memory_limit: int = DEFAULT_MEMORY_LIMIT, allow_hosts: Iterable[str] = (),
          base: str | None = None, cors: Iterable[str] = (), review: bool = False,
          public_review: bool = False) -> None:
    """Serve the store directory ``store`` until interrupted (Ctrl-C or
    SIGTERM), following its rebuilds (:class:`FollowingPool`); ``/id/``
    stands for the IRIs under ``base`` (default: the graph's own), ``cors``
    names the origins whose scripts may read answers (:mod:`kg.web`);
    ``review`` lets the review page record decisions (:mod:`kg.web.review`),
    on a loopback address only unless ``public_review``."""
    from .vocab import DATA
    from .web import cors_origins, make_site
    from .web.review import Desk

    check_options(port, workers, timeout, memory_limit)
    check_review(host, review, public_review)
    hosts = allowed_hosts(host, allow_hosts)
    origins = cors_origins(cors, host)
    make_site(None, base or DATA, origins)  # check --base before starting workers
    pool = FollowingPool(store, workers, timeout, memory_limit)
    try:
        site = make_site(pool, base or DATA, origins, Desk(Path(store), review))
        server = Server((host, port), make_handler(pool, log, hosts, site))
    except BaseException:
        pool.close()
        raise

    def stop(signum, frame) -> None:  # noqa: ARG001
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    bound_host, bound_port = (str(x) for x in server.server_address[:2])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    memory = f"{memory_limit} MB a query" if memory_limit else "no memory limit"
    info = pool.info
    announce(f"kg serve: SPARQL endpoint http://{shown}:{bound_port}{ENDPOINT_PATHS[0]} "
             f"(read-only, build {pool.build or 'unknown'}, {workers} worker(s), "
             f"timeout {timeout:g} s, {memory}; {info.network if info else ''}); "
             f"query page http://{shown}:{bound_port}/, IRIs {site.base} at /id/"
             + (f", CORS for {' '.join(sorted(origins))}" if origins else "")
             + f"; review page http://{shown}:{bound_port}/review "
             + ("(records decisions)" if review else "(read-only; --review to decide)"))
    sys.stdout.flush()
    if review and not is_loopback(bound_host.lower()):
        print(f"kg serve: WARNING: --review on {shown}: anyone who can reach this address "
              "can record decisions in the store (there is no login)", file=sys.stderr,
              flush=True)
    if info and not info.isolated:
        print(f"kg serve: warning: {info.network}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
        signal.signal(signal.SIGTERM, previous)
