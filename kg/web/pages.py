"""The query page at ``/`` and the shipped queries at ``/queries/``.

``GET /`` from a browser (``Accept`` naming ``text/html``) is a SPARQL editor
with the shipped queries to pick from; it runs queries against the endpoint
(``POST /sparql``), shows the rows as a table, links the graph's IRIs to their
``/id/`` pages and downloads CSV, TSV or JSON by asking the endpoint for them
(``Accept``).  Other clients still get the endpoint's plain-text usage there.

``GET /queries`` lists the shipped queries as JSON; ``GET /queries/NAME.rq``
gives one's text, its parameters bound from the query string the same way
``kg query -p`` binds them (:func:`kg.queries.bind_params`), so the page has no
second implementation of binding.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template

from ..queries import QueryError, bind_params, shipped_queries
from ..vocab import PREFIXES
from . import HTML, TEXT, Reply, Request, Router, Site

TEMPLATE = Path(__file__).with_name("templates") / "query.html"


def wants_html(req: Request) -> bool:
    """Whether the client asked for HTML (a browser) rather than anything."""
    from ..serve import parse_accept

    for media in parse_accept(req.header("Accept") or None):
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media in ("text/plain", "*/*"):
            return False
    return False


def _script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _queries() -> list[dict]:
    return [{"name": q.name, "title": q.title, "description": q.description,
             "params": [{"name": p, "description": d} for p, d in q.params], "text": q.text}
            for q in shipped_queries().values()]


def query_page(req: Request, site: Site) -> Reply | None:
    if req.params or not wants_html(req):
        return None  # a query, or a client that wants the endpoint's usage text
    config = {"endpoint": "/sparql", "base": site.base, "idPath": "/id/",
              "prefixes": PREFIXES, "queries": _queries()}
    body = Template(TEMPLATE.read_text("utf-8")).substitute(
        build=html.escape(site.build or "unknown"), config=_script_json(config))
    return Reply(200, HTML, body.encode("utf-8"))


def queries_list(req: Request, site: Site) -> Reply:
    body = json.dumps(_queries(), ensure_ascii=False, indent=2) + "\n"
    return Reply(200, "application/json", body.encode("utf-8"))


def query_text(req: Request, site: Site) -> Reply:
    name = req.path.removeprefix("/queries/").removesuffix(".rq")
    shipped = shipped_queries()
    if name not in shipped:
        return Reply(404, TEXT, f"no shipped query {name!r}; see /queries\n".encode())
    q = shipped[name]
    params = {k: v[0] for k, v in req.params.items() if v and v[0] != ""}
    try:
        text = bind_params(q.text, params) if params else q.text
    except QueryError as exc:
        return Reply(400, TEXT, f"{exc}\n".encode())
    return Reply(200, "application/sparql-query; charset=utf-8", text.encode("utf-8"))


def register(router: Router) -> None:
    router.add(("GET", "HEAD"), "/", query_page)
    router.add(("GET", "HEAD"), "/queries", queries_list)
    router.add(("GET", "HEAD"), "/queries/", query_text)
