"""The review page of ``kg serve``: ``/review``, the review queue in the browser.

``GET /review`` shows the queue of :func:`kg.review.review_queue` (what
deserves a person's look, most useful first) one pair at a time: the two
records side by side, the fields where they differ highlighted (the words one
side has and the other lacks marked), the pair's score and per-field evidence,
and progress (item n of N, decisions made on the page, decisions kept with
the store).  Keys as in ``kg review --interactive``: ``s`` same work, ``d``
different works, ``k`` skip, ``u`` undo.  ``?a=SOURCE:ID&b=SOURCE:ID`` puts
that pair first, ``?work=W`` the weakest merged link of a work (what
``kg report`` links to); ``?limit=N`` (default 50, at most 200) bounds the queue.
``GET /review/queue`` is the same data as JSON.

**The one write.**  ``POST /review/decisions`` records a decision through
:func:`kg.decisions.record` (the store's ``decisions.csv``, kept across
rebuilds, replaced under the store lock) and ``POST /review/undo`` takes one
back; nothing else in ``kg serve`` writes.  Both are accepted only when the
server was started with ``kg serve --review``; otherwise they answer 403
naming the option, and the page is read-only (the queue can be browsed, the
deciding keys say how to enable them).  A write must be same-origin: an
``Origin`` naming another host or port, or a ``Sec-Fetch-Site`` other than
``same-origin``, is refused, and so is a request without the server's review
token, a random secret made when the server starts, embedded in the page and
sent back in the ``X-KG-Review-Token`` header.  The page and the token never
carry CORS headers (whatever ``--cors`` says), and the page may not be framed
(``frame-ancestors 'none'``), so another site can neither read the token nor
click or type for the person.

**Undo** takes back the page's last step.  For a decision recorded from the
page, the pair's decision is set back to what it was before (the one it
replaced, or none), if the decision is still the pair's: one changed since
(``kg decide``, another tab) is not undone (409).  The server remembers the
decisions it recorded while it runs; after a restart, change a decision with
``kg decide``.

The store is read only through the query workers (:class:`PoolStore`), so the
queue is computed from the build the server serves, in the same sandbox and
time limit as any query; the page names that build (``X-KG-Build``).
"""

from __future__ import annotations

import copy
import hmac
import html
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from .. import decisions as human
from ..evaluation import pair_evidence, pair_line
from ..explain import MERGED_QUERY, StoreView, preview
from ..queries import QueryError, run_query, term_text
from ..review import ReviewItem, review_queue
from ..review_tty import FIELDS, details
from ..store import StoreError
from ..vocab import BUILD_GRAPH
from . import HTML, TEXT, Reply, Request, Router, Site
from .pages import _script_json, wants_html

TEMPLATE = Path(__file__).with_name("templates") / "review.html"
TOKEN_HEADER = "X-KG-Review-Token"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
"""Items a page shows at most: each costs a few queries of the workers."""
UNDO_KEPT = 10_000
"""Decisions recorded by the page that can still be undone (the latest)."""
JSON = "application/json"
JSON_RESULTS = "application/sparql-results+json"
NO_FRAMES = (("Content-Security-Policy", "frame-ancestors 'none'"),
             ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"))
ENABLE = ("kg serve was started without --review: the review page is read-only. "
          "Restart it with kg serve --review (it listens on 127.0.0.1) to record "
          "decisions here, or record them with kg decide.")

SETTINGS_QUERY = f"""
SELECT ?settings WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?b a kgr:Build ; kgr:settings ?settings }} }}
"""


class Rebuilt(RuntimeError):
    """The store was rebuilt while a page was being read from it."""


class PoolStore:
    """The read side of a pyoxigraph ``Store`` (its ``query``), answered by
    ``kg serve``'s query workers: each query runs there as any SPARQL request
    does, its SPARQL JSON results read back into pyoxigraph's solutions, so
    the functions of :mod:`kg.review` and :mod:`kg.explain` run unchanged.
    All answers must come from one build (:class:`Rebuilt` if not)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.build = ""

    def query(self, text: str, prefixes: dict | None = None):  # noqa: ARG002 - workers add them
        from pyoxigraph import QueryResultsFormat, parse_query_results

        from ..serve import Job

        answer = self.site.run(Job(text, (JSON_RESULTS,)))
        if answer.build and self.build and answer.build != self.build:
            raise Rebuilt(f"the store was rebuilt (build {answer.build}, was {self.build})")
        self.build = self.build or answer.build
        if answer.status != 200:
            raise RuntimeError(answer.body.decode("utf-8", "replace").strip())
        return parse_query_results(answer.body, format=QueryResultsFormat.JSON)


@dataclass
class Desk:
    """The review of one server: the store directory whose decisions it
    reads and (``writable``: ``kg serve --review``) writes, its review token,
    and the decisions it recorded, for undo."""

    store: Path
    writable: bool = False
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Held while writing: the store lock (flock) does not keep out threads
    of one process that each open it."""
    recorded: OrderedDict[str, tuple[human.Decision, human.Decision | None]] = field(
        default_factory=OrderedDict)
    _views: dict[str, StoreView] = field(default_factory=dict)
    _views_lock: threading.Lock = field(default_factory=threading.Lock)

    def view(self, site: Site) -> StoreView:
        """The served build as a :class:`StoreView` (its records read once a
        build), with the decisions kept in the store now."""
        with self._views_lock:
            cached = self._views.get(site.build)
        if cached is None:
            oxi = PoolStore(site)
            rows = list(run_query(oxi, SETTINGS_QUERY))  # type: ignore[arg-type]
            settings = json.loads(term_text(rows[0]["settings"])) if rows else {}
            cached = StoreView(self.store, oxi, {"build": oxi.build, "settings": settings})  # type: ignore[arg-type]
            with self._views_lock:
                self._views = {oxi.build: cached}
        view = copy.copy(cached)
        view.decisions = {d.pair: d for d in human.read(self.store)}
        return view


# ------------------------------------------------------------------ reading


def _word(word: str) -> str:
    return "".join(ch for ch in word.casefold() if ch.isalnum())


def marked(text: str, other: str) -> list[list]:
    """``text`` as runs of words, each ``[words, differs]``: ``differs`` when
    ``other`` lacks the word (compared without case and punctuation, in any
    order, so "Lee, Kenton" and "Kenton Lee" do not differ)."""
    others = {_word(w) for w in other.split()}
    runs: list[list] = []
    for word in text.split():
        flag = _word(word) not in others
        if runs and runs[-1][1] == flag:
            runs[-1][0] += " " + word
        else:
            runs.append([word, flag])
    return runs


def _field(name: str, left: str, right: str) -> dict:
    """One field of both records; it differs where a side has a word the other
    lacks (the same authors in another order do not differ)."""
    a, b = marked(left, right), marked(right, left)
    return {"field": name, "differs": any(f for _, f in (*a, *b)), "a": a, "b": b}


def _id_link(site: Site, iri: str) -> str:
    from ..vocab import DATA

    base = site.base if iri.startswith(site.base) else DATA
    return "/id/" + iri[len(base):] if iri.startswith(base) else iri


def item_data(view: StoreView, site: Site, item: ReviewItem) -> dict:
    """What the page shows of one item."""
    from ..model import record_iri

    left, right = details(view, item.a), details(view, item.b)
    score, evidence = pair_evidence(view.oxi, item.a, item.b)
    decided = view.decisions.get((item.a, item.b))
    return {
        "a": human.name(item.a), "b": human.name(item.b), "kind": item.kind,
        "doubt": item.doubt, "score": item.score, "sameWork": item.same_work,
        "line": item.line, "note": item.note, "work": item.work,
        "links": {"a": _id_link(site, record_iri(*item.a)),
                  "b": _id_link(site, record_iri(*item.b))},
        "fields": [_field(f, left.get(f, ""), right.get(f, "")) for f in FIELDS
                   if f != "record"],
        "evidence": [{"field": f, "level": lvl, "weight": w} for f, lvl, w in evidence],
        "scored": score is not None,
        "decided": decided.verdict if decided else "",
    }


def asked_item(view: StoreView, req: Request) -> ReviewItem | None:
    """The pair ``?a=&b=`` names, or the weakest merged link of ``?work=``."""
    if req.param("a") or req.param("b"):
        a, b = sorted((view.key(req.param("a")), view.key(req.param("b"))))
        if a == b:
            raise human.DecisionError("give two different records")
        work = ""
    elif req.param("work"):
        work = req.param("work")
        links = sorted((float(term_text(s["score"])),
                        (term_text(s["sa"]), term_text(s["ia"])),
                        (term_text(s["sb"]), term_text(s["ib"])))
                       for s in run_query(view.oxi, MERGED_QUERY, {"work": work}))
        if not links:
            raise LookupError(f"work {work!r} has no merged pair of records to review")
        _, a, b = links[0]
        a, b = sorted((a, b))
    else:
        return None
    score, evidence = pair_evidence(view.oxi, a, b)
    line = pair_line(score, evidence) if score is not None else "never scored"
    same = view.record(a).work == view.record(b).work
    note = f"asked for: the weakest merged link of work {work}" if work else "asked for"
    return ReviewItem("asked", 0.0, a, b, same, score, line, work, note)


def queue_data(req: Request, site: Site, desk: Desk) -> dict:
    view = desk.view(site)
    try:
        limit = int(req.param("limit") or DEFAULT_LIMIT)
    except ValueError:
        raise human.DecisionError(f"limit {req.param('limit')!r}: give a number") from None
    limit = max(1, min(limit, MAX_LIMIT))
    items = review_queue(view, limit)
    asked = asked_item(view, req)
    if asked is not None:
        items = [asked, *(i for i in items if (i.a, i.b) != (asked.a, asked.b))]
    pending = sum(view.pending(d) for d in view.decisions.values())
    return {"build": view.metadata.get("build", "") or site.build,
            "threshold": view.threshold,
            "items": [item_data(view, site, i) for i in items],
            "kept": len(view.decisions), "pending": pending}


# -------------------------------------------------------------------- pages


def _desk(site: Site) -> Desk | None:
    desk = getattr(site, "review", None)
    return desk if isinstance(desk, Desk) else None


def _text(status: int, message: str, headers: tuple = ()) -> Reply:
    return Reply(status, TEXT, (message.rstrip("\n") + "\n").encode(), headers, cors=False)


def _json(status: int, value: object, build: str = "", cors: bool = False) -> Reply:
    body = json.dumps(value, ensure_ascii=False, indent=1) + "\n"
    return Reply(status, JSON, body.encode("utf-8"), build=build, cors=cors)


def _read(req: Request, site: Site) -> dict | Reply:
    desk = _desk(site)
    if desk is None:
        return _text(404, "this server has no store directory to review")
    try:
        return queue_data(req, site, desk)
    except human.DecisionError as exc:
        return _text(400, str(exc))
    except LookupError as exc:
        return _text(404, str(exc))
    except Rebuilt as exc:
        return _text(503, f"{exc}; reload the page")
    except (QueryError, StoreError) as exc:
        return _text(503, f"cannot read the review queue: {exc}")


def review_page(req: Request, site: Site) -> Reply:
    if not wants_html(req):
        return review_queue_json(req, site)
    data = _read(req, site)
    if isinstance(data, Reply):
        return data
    desk = _desk(site)
    assert desk is not None
    config = {**data, "writable": desk.writable, "enable": ENABLE,
              "token": desk.token if desk.writable else "",
              "tokenHeader": TOKEN_HEADER,
              "by": human.default_by() if desk.writable else "",
              "decide": "/review/decisions", "undo": "/review/undo"}
    body = Template(TEMPLATE.read_text("utf-8")).substitute(
        build=html.escape(str(data["build"]) or "unknown"),
        mode="records decisions" if desk.writable else "read-only",
        config=_script_json(config))
    return Reply(200, HTML, body.encode("utf-8"), NO_FRAMES, data["build"], cors=False)


def review_queue_json(req: Request, site: Site) -> Reply:
    data = _read(req, site)
    if isinstance(data, Reply):
        return data
    return _json(200, data, data["build"], cors=True)  # no token in it: readable as any query


# ------------------------------------------------------------------- writes


def check_write(req: Request, site: Site) -> Reply | None:
    """Refuse a write that this server does not take: without ``--review``
    (403), from another origin (403: ``Origin`` or ``Sec-Fetch-Site``, CORS
    origins included), without the review token (403), not JSON (415)."""
    from ..serve import same_site

    desk = _desk(site)
    if desk is None or not desk.writable:
        return _text(403, ENABLE)
    origin = req.header("Origin")
    if origin and not same_site(origin, req.header("Host")):
        return _text(403, f"a decision from {origin} is refused: only the review page of "
                          "this server may record decisions")
    fetch_site = req.header("Sec-Fetch-Site")
    if fetch_site and fetch_site != "same-origin":
        return _text(403, f"a {fetch_site} request may not record decisions")
    token = req.header(TOKEN_HEADER)
    if not token or not hmac.compare_digest(token.encode(), desk.token.encode()):
        return _text(403, f"missing or wrong {TOKEN_HEADER}: record decisions from the "
                          "review page (reload /review; the token changes when the server "
                          "restarts)")
    if req.header("Content-Type").split(";")[0].strip().lower() != JSON:
        return _text(415, f"send the decision as {JSON}")
    return None


def _body(req: Request) -> dict:
    try:
        data = json.loads(req.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise human.DecisionError(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise human.DecisionError("the body is not a JSON object")
    return data


def _clean(value: object, what: str, limit: int) -> str:
    text = value if isinstance(value, str) else ""
    text = " ".join(text.split())
    if len(text) > limit:
        raise human.DecisionError(f"{what}: at most {limit} characters")
    return text


def _decision(d: human.Decision | None) -> dict | None:
    if d is None:
        return None
    return {"a": human.name(d.a), "b": human.name(d.b), "verdict": d.verdict, "by": d.by,
            "at": d.at, "note": d.note}


def decide(req: Request, site: Site) -> Reply:
    """``POST /review/decisions`` ``{"a", "b", "verdict", "by"?, "note"?}``."""
    refused = check_write(req, site)
    if refused is not None:
        return refused
    desk = _desk(site)
    assert desk is not None
    try:
        data = _body(req)
        verdict = data.get("verdict")
        if verdict not in human.VERDICTS:
            raise human.DecisionError(f"verdict {verdict!r}: expected same or different")
        view = desk.view(site)
        a, b = (view.key(str(data.get(k) or "")) for k in ("a", "b"))
        d = human.make(a, b, verdict == "same", _clean(data.get("by"), "by", 100),
                       _clean(data.get("note"), "note", 2000))
        with desk.lock:
            previous = {x.pair: x for x in human.read(desk.store)}.get(d.pair)
            kept, _ = human.record(desk.store, [d])
            uid = secrets.token_urlsafe(12)
            desk.recorded[uid] = (d, previous)
            while len(desk.recorded) > UNDO_KEPT:
                desk.recorded.popitem(last=False)
        view.decisions = {x.pair: x for x in kept}
        said = preview(view, d)
        pending = sum(view.pending(x) for x in kept)
    except human.DecisionError as exc:
        return _text(409 if "contradict" in str(exc) else 400, str(exc))
    except Rebuilt as exc:
        return _text(503, f"{exc}; reload the page")
    except (QueryError, StoreError) as exc:  # a kg build holds the store lock
        return _text(409, f"not recorded: {exc}; try again when it is done")
    return _json(200, {"id": uid, "decision": _decision(d), "previous": _decision(previous),
                       "preview": said, "kept": len(kept), "pending": pending},
                 view.metadata.get("build", ""))


def undo(req: Request, site: Site) -> Reply:
    """``POST /review/undo`` ``{"id"}``: take back a decision this page recorded."""
    refused = check_write(req, site)
    if refused is not None:
        return refused
    desk = _desk(site)
    assert desk is not None
    try:
        uid = str(_body(req).get("id") or "")
        with desk.lock:
            if uid not in desk.recorded:
                return _text(404, "no decision with that id was recorded by this server "
                                  "since it started; change it with kg decide")
            d, previous = desk.recorded[uid]
            now = {x.pair: x for x in human.read(desk.store)}.get(d.pair)
            if now != d:
                return _text(409, f"not undone: the decision on {human.name(d.a)} "
                                  f"{human.name(d.b)} was changed since "
                                  f"({now.verdict + ' by ' + now.by if now else 'removed'})")
            human.undo(desk.store, d, previous)
            del desk.recorded[uid]
            kept = human.read(desk.store)
        view = desk.view(site)
        pending = sum(view.pending(x) for x in kept)
    except human.DecisionError as exc:
        return _text(400, str(exc))
    except Rebuilt as exc:
        return _text(503, f"{exc}; reload the page")
    except (QueryError, StoreError) as exc:
        return _text(409, f"not undone: {exc}; try again when it is done")
    return _json(200, {"undone": _decision(d), "restored": _decision(previous),
                       "kept": len(kept), "pending": pending}, site.build)


def not_here(req: Request, site: Site) -> Reply:
    """Any other write under ``/review``."""
    return _text(405, "POST /review/decisions or /review/undo, from the review page",
                 (("Allow", "GET, HEAD"),))


def register(router: Router) -> None:
    router.add(("GET", "HEAD"), "/review", review_page)
    router.add(("GET", "HEAD"), "/review/queue", review_queue_json)
    router.add(("POST",), "/review/decisions", decide)
    router.add(("POST",), "/review/undo", undo)
    router.add(("POST",), "/review", not_here)

