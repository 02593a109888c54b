"""``kg review``: what in a store deserves a person's look, most useful first.

    from kg.review import review_queue
    for item in review_queue("example-store")[:10]:
        print(item.kind, item.doubt, item.line)

Each item is a pair of records (for a work, its weakest link) with its
*doubt*: how likely the build got it wrong, from the pair's match
probability ``p`` as the evidence graph keeps it:

- ``near threshold``: a pair merged on its own score doubts ``1 - p``, a
  pair left apart ``p`` (pairs a build merged with near certainty, or left
  apart without a chance, have no doubt and are left out; a pair joined only
  through other records is weighed by those records' links);
- ``vetoed`` (a rule kept apart a pair whose score joins it: DOI conflict,
  clean source, notice), ``tie`` (one of the two had another partner as
  good) and ``split`` (the community step cut a weak bridge): ``p / 2``,
  the evidence and the rule disagree;
- ``big work`` (10 records or more) and ``unusual work`` (three or more
  records of one source): 0.3, a tenth more per 10 records past 10 (at most
  0.45).

Pairs a person already decided (``kg decide``) are left out.  Ties in doubt
go to the pair with the smaller record keys, so the queue is the same for
the same store.  :func:`review_queue` is plain data for any front end (the
CLI's text, CSV, JSON and interactive modes, a browser page).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from resolve.types import RecordKey

from . import decisions as human
from .evaluation import pair_evidence, pair_line
from .explain import StoreView
from .queries import run_query, term_text

MATCHES_QUERY = """
SELECT ?sa ?ia ?sb ?ib ?score ?label ?veto WHERE {
  GRAPH ?g { ?m a kgr:Match ; kgr:matchedRecord ?a, ?b ; kgr:matchScore ?score ;
                rdfs:label ?label OPTIONAL { ?m kgr:vetoedBy ?veto } }
  FILTER (STR(?a) < STR(?b))
  ?a kgr:source ?sa ; dcterms:identifier ?ia .
  ?b kgr:source ?sb ; dcterms:identifier ?ib .
}
"""

MIN_DOUBT = 0.01
"""Pairs of less doubt are not worth a look."""
BIG_WORK = 10
SAME_SOURCE = 3
KINDS = ("near threshold", "vetoed", "tie", "split", "big work", "unusual work")


@dataclass(frozen=True)
class ReviewItem:
    """One thing to look at: a pair of records (for a work, its weakest
    link), why it is here (``kind``), how likely the build got it wrong
    (``doubt``) and the one-line explanation of the pair's score."""

    kind: str
    doubt: float
    a: RecordKey
    b: RecordKey
    same_work: bool
    score: float | None
    line: str
    work: str = ""
    """For a work item, the work."""
    note: str = ""
    """What else to know: the rule that vetoed, the work's size and sources."""

    def as_dict(self) -> dict:
        d = asdict(self)
        d["a"], d["b"] = human.name(self.a), human.name(self.b)
        return d


def review_queue(store: Path | StoreView, limit: int | None = None) -> list[ReviewItem]:
    """What deserves a person's look in the store's current build, most
    useful first (see the module's docstring for the order); at most
    ``limit`` items."""
    view = store if isinstance(store, StoreView) else StoreView(Path(store))
    decided = set(view.decisions)
    found: list[tuple[float, str, RecordKey, RecordKey, bool, float | None, str, str]] = []
    weakest: dict[str, tuple[float, RecordKey, RecordKey]] = {}
    for s in run_query(view.oxi, MATCHES_QUERY):
        a = (term_text(s["sa"]), term_text(s["ia"]))
        b = (term_text(s["sb"]), term_text(s["ib"]))
        a, b = sorted((a, b))
        p = float(term_text(s["score"]))
        merged = term_text(s["label"]) == "merged"
        veto = term_text(s["veto"])
        if merged:
            work = view.records[a].work
            if work not in weakest or (p, a, b) < weakest[work]:
                weakest[work] = (p, a, b)
        if (a, b) in decided or (merged and p < view.threshold):
            continue  # decided, or joined through others: their own links are weighed
        if merged or not veto:
            kind, doubt, note = "near threshold", (1 - p) if merged else p, ""
        else:
            kind = {"tie": "tie", "clustering": "split"}.get(veto, "vetoed")
            doubt, note = p / 2, f"kept apart by {veto}" if kind == "vetoed" else ""
        if doubt >= MIN_DOUBT:
            found.append((doubt, kind, a, b, merged, p, "", note))
    found += _work_items(view, weakest, decided)
    found.sort(key=lambda x: (-x[0], x[2], x[3], x[1]))
    items = []
    for doubt, kind, a, b, merged, score, work, note in found[:limit] if limit else found:
        stored, evidence = pair_evidence(view.oxi, a, b)
        line = pair_line(stored, evidence) if stored is not None else "never scored"
        items.append(ReviewItem(kind, round(doubt, 4), a, b, merged, score, line, work, note))
    return items


def _work_items(view: StoreView, weakest: dict[str, tuple[float, RecordKey, RecordKey]],
                decided: set) -> list:
    members: dict[str, list[RecordKey]] = defaultdict(list)
    for key, r in view.records.items():
        members[r.work].append(key)
    out = []
    for work, keys in sorted(members.items()):
        if len(keys) < 2 or work not in weakest:
            continue
        per_source = Counter(k[0] for k in keys)
        big = len(keys) >= BIG_WORK
        unusual = max(per_source.values()) >= SAME_SOURCE
        if not (big or unusual):
            continue
        p, a, b = weakest[work]
        doubt = min(0.45, 0.3 + 0.01 * max(0, len(keys) - BIG_WORK))
        sources = ", ".join(f"{s} {n}" for s, n in sorted(per_source.items()))
        out.append((doubt, "big work" if big else "unusual work", a, b, True, p, work,
                    f"{len(keys)} records ({sources}); weakest link shown"))
    return out


def format_items(items: list[ReviewItem], fmt: str) -> str:
    """The queue as ``text`` (two lines an item), ``csv`` or ``json``."""
    if fmt == "json":
        return json.dumps([i.as_dict() for i in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["rank", "kind", "doubt", "record_a", "record_b", "same_work", "score",
                    "work", "note", "explanation"])
        for n, i in enumerate(items, 1):
            w.writerow([n, i.kind, f"{i.doubt:.4f}", human.name(i.a), human.name(i.b),
                        "yes" if i.same_work else "no",
                        "" if i.score is None else f"{i.score:.6f}", i.work, i.note, i.line])
        return buf.getvalue()
    lines = []
    for n, i in enumerate(items, 1):
        where = "one work" if i.same_work else "two works"
        extra = f" ({i.note})" if i.note else ""
        lines.append(f"{n:>3}. [{i.kind}, doubt {i.doubt:.2f}] {human.name(i.a)}  "
                     f"{human.name(i.b)}: {where}{extra}")
        lines.append(f"     {i.line}")
    return "\n".join(lines) + ("\n" if lines else "")
