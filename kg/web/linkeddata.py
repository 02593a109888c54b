"""Dereferenceable IRIs: ``GET /id/...`` describes the graph's node of that IRI.

``/id/PATH`` stands for the IRI ``BASE + PATH``, ``BASE`` being the graph's own
``https://w3id.org/kg-resolve/id/`` unless ``kg serve --base`` names another
(the public IRIs of a deployment behind a proxy).  Works, versions
(``/id/expression/``) and records are what people follow; any node of the graph
(authors, identifiers, matches, the build) answers the same way.

The answer is the node's description, chosen by content negotiation
(``Accept``, with ``Vary: Accept``): an HTML page for browsers, else Turtle
(the default), JSON-LD, N-Triples, RDF/XML or N-Quads: the node's own triples
(from the default graph and, for a match, the evidence graph).

**200, not 303.**  The 2005 httpRange-14 rule answers an IRI of a thing that is
not a document (a work) with ``303 See Other`` to a document about it.  Here
the IRI is answered directly with ``200`` and the description, as the W3C's
2012 httpRange-14 revision allows and Wikidata, DBpedia's and most current
Linked Data services do: one round trip instead of two (a ``fetch`` from
another origin, ``curl`` without ``-L`` and many RDF loaders stop at the 303),
while the graph itself says what kind of thing the IRI names (``a fabio:Work``).

**Replaced ids.**  A node with ``dcterms:isReplacedBy`` (a work merged into
another by a later decision) answers ``301 Moved Permanently`` to the
replacement: the old IRI keeps working and clients update their links.
"""

from __future__ import annotations

import html
import json
from urllib.parse import unquote

from . import HTML, TEXT, Reply, Request, Router, Site

ID_PATH = "/id/"
REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"
_LABELS = ("http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name",
           "http://www.w3.org/2000/01/rdf-schema#label",
           "http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue",
           "http://purl.org/dc/terms/identifier")
MAX_INCOMING = 500

DESCRIBE_QUERY = """
SELECT ?p ?o ?g ?lp ?label WHERE {
  { $node ?p ?o } UNION { GRAPH ?g { $node ?p ?o } }
  OPTIONAL { ?o ?lp ?label . VALUES ?lp { LABELS } FILTER (isLiteral(?label)) }
}
""".replace("LABELS", " ".join(f"<{p}>" for p in _LABELS))

INCOMING_QUERY = f"""
SELECT ?s ?p ?g WHERE {{ {{ ?s ?p $node }} UNION {{ GRAPH ?g {{ ?s ?p $node }} }} }}
ORDER BY ?p ?s LIMIT {MAX_INCOMING}
"""

# The node's own triples and (at most MAX_INCOMING of) those that point at it:
# the graph says a link once (a record frbr:realizationOf its work, no
# frbr:realization back), so a work is described with the records that realize it.
GRAPH_QUERY = f"""
CONSTRUCT {{ $node ?p ?o . ?s ?q $node }} WHERE {{
  {{ $node ?p ?o }} UNION {{ GRAPH ?g {{ $node ?p ?o }} }}
  UNION {{ SELECT ?s ?q WHERE {{ {{ ?s ?q $node }} UNION {{ GRAPH ?h {{ ?s ?q $node }} }} }}
          ORDER BY ?q ?s LIMIT {MAX_INCOMING} }}
}}
"""

HTML_TYPES = ("text/html", "application/xhtml+xml")


def node_iri(req: Request, site: Site) -> str | None:
    """The IRI ``/id/...`` stands for, or None when it cannot be one."""
    from ..queries import QueryError, param_term

    rest = req.path.removeprefix(ID_PATH)
    if not rest:
        return None
    iri = site.base + rest
    try:
        param_term(f"<{iri}>")
    except QueryError:
        return None
    return iri


def local_href(iri: str, site: Site) -> str:
    """Where a browser on this server finds ``iri``: ``/id/...`` for the
    graph's own IRIs, the IRI itself for any other."""
    return ID_PATH + iri[len(site.base):] if iri.startswith(site.base) else iri


def _select(site: Site, query: str) -> tuple[list[dict], str, Reply | None]:
    """Run a SELECT through the pool; (bindings, build, error reply)."""
    from ..serve import Job

    answer = site.run(Job(query, ("application/sparql-results+json",)))
    if answer.status != 200:
        return [], answer.build, Reply(answer.status, answer.content_type, answer.body,
                                       build=answer.build)
    return json.loads(answer.body)["results"]["bindings"], answer.build, None


def describe(req: Request, site: Site) -> Reply:
    from ..serve import GRAPH_TYPES, Job, negotiate, parse_accept

    iri = node_iri(req, site)
    if iri is None:
        return Reply(404, TEXT, f"{req.path} names no node of this graph\n".encode())
    node = f"<{iri}>"
    rows, build, error = _select(site, DESCRIBE_QUERY.replace("$node", node))
    if error:
        return error
    if not rows:
        return Reply(404, TEXT, f"no node {iri} in build {build or site.build}\n".encode(),
                     build=build)
    replaced = sorted(r["o"]["value"] for r in rows
                      if r["p"]["value"] == REPLACED_BY and r["o"]["type"] == "uri")
    if replaced:
        target = local_href(replaced[0], site)
        return Reply(301, TEXT, f"{iri} was replaced by {replaced[0]}\n".encode(),
                     (("Location", target),), build)
    kinds = {t: "HTML" for t in HTML_TYPES} | GRAPH_TYPES
    media = negotiate(parse_accept(req.header("Accept") or None), kinds, "text/turtle")
    if media is None:
        return Reply(406, TEXT, ("none of the Accept types can be served; available: "
                                 + ", ".join(kinds) + "\n").encode(), build=build)
    if media in HTML_TYPES:
        incoming, build2, error = _select(site, INCOMING_QUERY.replace("$node", node))
        if error:
            return error
        return Reply(200, HTML, page(iri, rows, incoming, build2 or build, site).encode(),
                     build=build2 or build)
    answer = site.run(Job(GRAPH_QUERY.replace("$node", node), (media,)))
    return Reply(answer.status, answer.content_type, answer.body, build=answer.build)


# ------------------------------------------------------------------ the page

def _short(iri: str, site: Site) -> str:
    from ..vocab import PREFIXES

    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, f"{prefix}:{iri[len(ns):]}"
    return name if best else iri


def _term(term: dict, site: Site, label: str = "") -> str:
    e = html.escape
    value = term["value"]
    if term["type"] == "uri":
        text = e(unquote(_short(value, site)))
        link = f'<a href="{e(local_href(value, site))}">{text}</a>'
        return link + (f' <span class="label">{e(label)}</span>' if label else "")
    out = e(value)
    if "xml:lang" in term:
        out += f' <span class="dt">@{e(term["xml:lang"])}</span>'
    elif term.get("datatype"):
        out += f' <span class="dt">{e(_short(term["datatype"], site))}</span>'
    return out


def page(iri: str, rows: list[dict], incoming: list[dict], build: str, site: Site) -> str:
    """The HTML description of one node: its types, then its properties with
    the label of each linked node, then the nodes that link to it."""
    e = html.escape
    labels: dict[str, tuple[int, str]] = {}
    props: dict[tuple[str, str], dict] = {}
    for r in rows:
        key = (r["p"]["value"], json.dumps(r["o"], sort_keys=True))
        props.setdefault(key, {"p": r["p"], "o": r["o"], "g": r.get("g")})
        if "label" in r:  # the label by the first property of _LABELS the node has
            rank = (_LABELS.index(r["lp"]["value"]), r["label"]["value"])
            labels[r["o"]["value"]] = min(labels.get(r["o"]["value"], rank), rank)
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    types = sorted(v["o"]["value"] for (p, _), v in props.items() if p == rdf_type)
    title = next((v["o"]["value"] for (p, _), v in sorted(props.items())
                  if p in _LABELS[:3]), "")
    body = []
    for _, v in sorted(props.items(), key=lambda kv: (kv[0][0] != rdf_type, kv[0])):
        label = labels.get(v["o"]["value"], (0, ""))[1]
        graph = (f' <span class="dt">in {e(_short(v["g"]["value"], site))}</span>'
                 if v["g"] else "")
        body.append(f"<tr><th>{_term(v['p'], site)}</th><td>{_term(v['o'], site, label)}"
                    f"{graph}</td></tr>")
    links = "".join(f"<tr><td>{_term(r['s'], site)}</td><th>{_term(r['p'], site)}</th></tr>"
                    for r in incoming)
    more = (f"<p>(the first {MAX_INCOMING})</p>" if len(incoming) >= MAX_INCOMING else "")
    href = e(local_href(iri, site))
    formats = " · ".join(
        f'<a href="{href}" data-accept="{t}" class="fmt">{n}</a>'
        for n, t in (("Turtle", "text/turtle"), ("JSON-LD", "application/ld+json"),
                     ("N-Triples", "application/n-triples")))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title or _short(iri, site))} · kg-resolve</title>
<link rel="alternate" type="text/turtle" href="{href}">
<style>
body {{ font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; margin: 0 auto;
       max-width: 1100px; padding: 1rem 1.5rem 3rem; color: #1d1d1d; }}
h1 {{ font-size: 1.3rem; margin-bottom: .2rem; }}
.meta, .dt, .label {{ color: #666; font-size: .85em; }}
table {{ border-collapse: collapse; font-size: .9rem; }}
th, td {{ border-bottom: 1px solid #e4e4e4; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }}
th {{ font-weight: normal; color: #444; white-space: nowrap; }}
code {{ word-break: break-all; }}
</style></head>
<body>
<p class="meta"><a href="/">query page</a></p>
<h1>{e(title) if title else "<code>" + e(iri) + "</code>"}</h1>
<p class="meta"><code id="iri">{e(iri)}</code><br>
{" ".join(e(_short(t, site)) for t in types)} · build <code id="build">{e(build)}</code>
· as {formats}</p>
<table id="description">{"".join(body)}</table>
<h2 style="font-size:1.05rem">Linked from</h2>
<table id="incoming">{links}</table>{more}
<script>
for (const a of document.querySelectorAll("a.fmt")) {{
  a.addEventListener("click", async (ev) => {{
    ev.preventDefault();
    const resp = await fetch(a.href, {{headers: {{"Accept": a.dataset.accept}}}});
    const url = URL.createObjectURL(new Blob([await resp.text()], {{type: "text/plain"}}));
    window.open(url, "_blank");
  }});
}}
</script>
</body></html>
"""


def register(router: Router) -> None:
    router.add(("GET", "HEAD"), ID_PATH, describe)
