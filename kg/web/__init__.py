"""The pages of ``kg serve`` beside its SPARQL endpoint, and how they are routed.

:mod:`kg.serve` owns HTTP (hosts, bodies, timeouts, the worker pool); this
package owns what the browser sees.  A page is a function ``(Request, Site) ->
Reply | None`` registered on a :class:`Router` under a method and a path (exact,
or a prefix ending in ``/``); ``None`` hands the request back to the endpoint.
Pages read the store only through the pool (``site.run``), so they run in the
same sandboxed, time- and memory-limited workers as any SPARQL query and follow
rebuilds the same way (every reply names the build it came from).

Routes now: ``/`` (the query page, :mod:`kg.web.pages`), ``/queries/...`` (the
shipped queries, bound to parameters), ``/id/...`` (the graph's own IRIs,
:mod:`kg.web.linkeddata`), ``/review`` (the review queue, and the server's one
write, people's decisions, :mod:`kg.web.review`).  A module adds its own with
``router.add(...)`` in :func:`default_router`; a write route must check the
origin itself (:func:`Site.allows_origin` is for read-only CORS and never makes
a write cross-site safe) and a page holding a secret answers with
``Reply(cors=False)``.

CORS: read-only answers (``GET``, ``HEAD``) carry ``Access-Control-Allow-Origin``
for the origins ``kg serve --cors`` names (``*``: any); by default any origin
when the server listens on a public address (a public endpoint is public
anyway) and none on a loopback one (any web page a person visits could
otherwise read a private local store through their browser).  ``OPTIONS``
answers preflights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..vocab import DATA


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    """Header names lowercased; one value each (the first)."""
    body: bytes = b""

    def param(self, name: str, default: str = "") -> str:
        values = self.params.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    build: str = ""
    cors: bool = True
    """False: no CORS headers whatever ``--cors`` says (a page holding a secret)."""


HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

Page = Callable[[Request, "Site"], "Reply | None"]


@dataclass
class Router:
    """Pages by method and path: an exact path, or a prefix ending in ``/``."""

    routes: list[tuple[frozenset[str], str, Page]] = field(default_factory=list)

    def add(self, methods: Iterable[str], path: str, page: Page) -> None:
        self.routes.append((frozenset(methods), path, page))

    def find(self, method: str, path: str) -> Page | None:
        for methods, route, page in self.routes:
            if method in methods and (path == route or (route.endswith("/") and route != "/"
                                                         and path.startswith(route))):
                return page
        return None

    def paths(self) -> list[str]:
        return [route for _, route, _ in self.routes]


@dataclass
class Site:
    """What pages need: the pool that runs queries (``run(Job) -> Answer``,
    ``build``), the IRI base that ``/id/`` stands for, and the CORS origins."""

    pool: object
    base: str = DATA
    cors: frozenset[str] = frozenset()
    """Origins whose scripts may read answers; ``*`` any."""
    router: Router = field(default_factory=Router)
    review: object = None
    """The review of ``kg serve`` (:class:`kg.web.review.Desk`); None: no store to review."""

    @property
    def build(self) -> str:
        return str(getattr(self.pool, "build", "") or "")

    def run(self, job):
        return self.pool.run(job)  # type: ignore[attr-defined]

    def allows_origin(self, origin: str | None) -> bool:
        return bool(origin) and ("*" in self.cors or origin in self.cors)

    def cors_headers(self, origin: str | None) -> list[tuple[str, str]]:
        """The headers that let a script at ``origin`` read a read-only answer."""
        if not origin or not self.allows_origin(origin):
            return []
        allowed = "*" if "*" in self.cors else origin
        return [("Access-Control-Allow-Origin", allowed),
                ("Access-Control-Expose-Headers", "X-KG-Build, Content-Type, Location")]

    @property
    def vary(self) -> str:
        """The ``Vary`` of every answer: by Origin too when only some origins get CORS."""
        return "Accept, Origin" if self.cors and "*" not in self.cors else "Accept"

    def preflight(self, req: Request) -> Reply:
        """The answer to ``OPTIONS``: what a cross-origin script may send."""
        origin = req.header("Origin")
        allow = [("Allow", "GET, HEAD, POST, OPTIONS")]
        if not origin or not self.allows_origin(origin):
            return Reply(204, TEXT, b"", tuple(allow))
        return Reply(204, TEXT, b"", (*allow, *self.cors_headers(origin),
                                      ("Access-Control-Allow-Methods", "GET, HEAD, POST"),
                                      ("Access-Control-Allow-Headers", "Accept, Content-Type"),
                                      ("Access-Control-Max-Age", "86400")))


def cors_origins(given: Iterable[str], bound_host: str) -> frozenset[str]:
    """The CORS origins of ``kg serve --cors`` (``*`` or ``scheme://host[:port]``);
    none given: any on a public address, none on a loopback one."""
    from urllib.parse import urlsplit

    from ..serve import is_loopback

    out = set()
    for origin in given:
        origin = origin.strip().rstrip("/")
        if origin != "*":
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
                raise ValueError(f"--cors {origin!r}: give * or an origin such as "
                                 "https://example.org")
        out.add(origin)
    if not out and not is_loopback(bound_host.strip("[]").lower()):
        out.add("*")
    return frozenset(out)


def default_router() -> Router:
    """Every page of ``kg serve``."""
    from . import linkeddata, pages, review

    router = Router()
    pages.register(router)
    linkeddata.register(router)
    review.register(router)
    return router


def make_site(pool: object, base: str = DATA, cors: frozenset[str] = frozenset(),
              review: object = None) -> Site:
    if not base.endswith("/"):
        raise ValueError(f"--base {base!r}: an IRI base ends with /")
    return Site(pool, base, cors, default_router(), review)
