"""``kg explain A B``: why two records are, or are not, in one work.

    from kg.explain import explain_pair, format_explanation
    print(format_explanation(explain_pair("example-store", ("arxiv", "1810.04805v2"),
                                          ("dblp", "conf/naacl/DevlinCLT19"))))

The answer is read from the build now current: the pair's score and
per-field evidence (stored in the evidence graph for merged pairs and near
misses; otherwise scored now from the stored records with the build's
weights, :mod:`kg.storedrecords`), the chain of merged pairs that joined
them when they were joined through other records, and what kept them apart:
a person's decision, a rule (``kgr:vetoedBy``: DOI conflict, clean source,
notice), a tie, the community step, or a score below the threshold.  A
decision recorded since the build is named as one the next build applies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pyoxigraph import Store

from resolve.constraints import HUMAN, veto_rule
from resolve.types import RecordKey

from . import decisions as human
from .evaluation import StoreRecord, pair_evidence, pair_line, short, store_records
from .model import record_iri
from .queries import run_query, term_text
from .store import StoreError, open_store, pin_store

Evidence = list[tuple[str, str, float]]

VETO_QUERY = """
SELECT ?veto WHERE { GRAPH ?g { ?m kgr:matchedRecord $a, $b ; kgr:vetoedBy ?veto } }
"""

MERGED_QUERY = """
SELECT ?sa ?ia ?sb ?ib ?score WHERE {
  ?w dcterms:identifier $work .
  ?a frbr:realizationOf ?w ; kgr:source ?sa ; dcterms:identifier ?ia .
  ?b frbr:realizationOf ?w ; kgr:source ?sb ; dcterms:identifier ?ib .
  GRAPH ?g { ?m kgr:matchedRecord ?a, ?b ; rdfs:label "merged" ; kgr:matchScore ?score }
  FILTER (STR(?a) < STR(?b))
}
"""

APPLIED_QUERY = """
SELECT ?sa ?ia ?sb ?ib ?verdict ?at WHERE {
  GRAPH ?g { ?d a kgr:Decision ; kgr:decidedRecord ?a, ?b ; kgr:verdict ?verdict ;
                prov:generatedAtTime ?at
             FILTER NOT EXISTS { ?d kgr:notApplied ?why } }
  FILTER (STR(?a) < STR(?b))
  ?a kgr:source ?sa ; dcterms:identifier ?ia .
  ?b kgr:source ?sb ; dcterms:identifier ?ib .
}
"""


@dataclass
class Link:
    """One step of a path: two records and what joined them."""

    a: RecordKey
    b: RecordKey
    score: float | None
    """None: a person's decision."""

    @property
    def how(self) -> str:
        return "human decision" if self.score is None else f"{self.score:.4f}"


def path_text(links: list[Link]) -> str:
    """``a =0.9812= m =human decision= b``: the records of a path and what
    joined each two."""
    if not links:
        return ""
    return human.name(links[0].a) + "".join(f" ={x.how}= {human.name(x.b)}" for x in links)


@dataclass
class Explanation:
    a: StoreRecord
    b: StoreRecord
    same_work: bool
    score: float
    evidence: Evidence
    stored: bool
    """The score and evidence are the build's (else scored now)."""
    threshold: float
    why: str
    path: list[Link] = field(default_factory=list)
    decision: human.Decision | None = None
    pending: bool = False
    """The decision was recorded after the build: the next build applies it."""

    @property
    def line(self) -> str:
        """The one-line explanation of the score (as ``kg evaluate`` prints it)."""
        return pair_line(self.score, self.evidence)


class StoreView:
    """What explanations and the review read from a store, read once."""

    def __init__(self, store: Path, oxi: Store | None = None,
                 metadata: dict | None = None) -> None:
        """The build now current in ``store``; or, given ``oxi`` (anything with
        pyoxigraph's ``query``, such as ``kg serve``'s query workers) and its
        build's ``metadata``, that build, with the decisions kept in ``store``."""
        self.dir = Path(store)
        if oxi is None:
            pinned = pin_store(self.dir)
            metadata, oxi = pinned.metadata, open_store(pinned.path)
        self.metadata = metadata or {}
        self.oxi: Store = oxi
        self.records = store_records(self.oxi)
        self.threshold = float((self.metadata.get("settings") or {}).get(
            "match_threshold", 0.5))
        self.decisions = {d.pair: d for d in human.read(self.dir)}
        self.applied = applied_decisions(self.oxi)
        self._scorer = None

    def record(self, key: RecordKey) -> StoreRecord:
        try:
            return self.records[key]
        except KeyError:
            raise StoreError(f"{human.name(key)}: no such record in {self.dir}") from None

    def key(self, text: str) -> RecordKey:
        """The record named ``SOURCE:ID``."""
        return human.parse_name(text, self.records)

    @property
    def scorer(self):
        if self._scorer is None:
            from .storedrecords import stored_scorer

            self._scorer = stored_scorer(self.oxi, self.metadata)
        return self._scorer

    def pending(self, d: human.Decision) -> bool:
        """Whether the build now current did not apply ``d`` (it was made
        since, or the build could not apply it)."""
        applied = self.applied.get(d.pair)
        return applied is None or applied[0] != d.verdict or (
            datetime.fromisoformat(applied[1]) != datetime.fromisoformat(d.at))


def applied_decisions(oxi: Store) -> dict[tuple[RecordKey, RecordKey], tuple[str, str]]:
    """The decisions the build applied: pair -> (verdict, time)."""
    out = {}
    for s in run_query(oxi, APPLIED_QUERY):
        a = (term_text(s["sa"]), term_text(s["ia"]))
        b = (term_text(s["sb"]), term_text(s["ib"]))
        x, y = sorted((a, b))
        out[x, y] = (term_text(s["verdict"]), term_text(s["at"]))
    return out


def stored_veto(oxi: Store, a: RecordKey, b: RecordKey) -> str | None:
    params = {"a": f"<{record_iri(*a)}>", "b": f"<{record_iri(*b)}>"}
    for s in run_query(oxi, VETO_QUERY, params):
        return term_text(s["veto"])
    return None


def join_path(view: StoreView, work: str, a: RecordKey, b: RecordKey) -> list[Link]:
    """The shortest chain of pairs whose score joined them (and people's
    ``same`` decisions) within ``work`` from ``a`` to ``b``; strongest links
    first on a tie."""
    edges: dict[RecordKey, list[tuple[float, RecordKey]]] = defaultdict(list)
    for s in run_query(view.oxi, MERGED_QUERY, {"work": work}):
        x = (term_text(s["sa"]), term_text(s["ia"]))
        y = (term_text(s["sb"]), term_text(s["ib"]))
        score = float(term_text(s["score"]))
        if score < view.threshold:
            continue  # in one work through others, not joined by this pair
        edges[x].append((score, y))
        edges[y].append((score, x))
    for (x, y), (verdict, _) in view.applied.items():
        if verdict == "same" and view.records.get(x) and view.records.get(y):
            edges[x].append((2.0, y))  # above any score: a person said so
            edges[y].append((2.0, x))
    back: dict[RecordKey, tuple[RecordKey, float] | None] = {a: None}
    todo = [a]
    for x in todo:
        if x == b:
            break
        for score, y in sorted(edges.get(x, ()), key=lambda e: (-e[0], e[1])):
            if y not in back:
                back[y] = (x, score)
                todo.append(y)
    if b not in back:
        return []
    links = []
    node = b
    while (step := back[node]) is not None:
        prev, score = step
        links.append(Link(prev, node, None if score > 1.0 else score))
        node = prev
    return links[::-1]


def explain_pair(store: Path | StoreView, a: RecordKey, b: RecordKey) -> Explanation:
    """Why ``a`` and ``b`` are, or are not, one work in the store's current build."""
    view = store if isinstance(store, StoreView) else StoreView(Path(store))
    ra, rb = view.record(a), view.record(b)
    if a == b:
        raise StoreError(f"{human.name(a)}: give two different records")
    a, b = sorted((a, b))
    score, evidence = pair_evidence(view.oxi, a, b)
    stored = score is not None
    if score is None:
        p, ev = view.scorer.score(a, b)
        score = p
        evidence = sorted(((e.field, e.level, e.weight) for e in ev),
                          key=lambda e: (-abs(e[2]), e[0]))
    decision = view.decisions.get((a, b))
    pending = decision is not None and view.pending(decision)
    applied = view.applied.get((a, b))
    same_work = ra.work == rb.work
    path: list[Link] = []
    t = view.threshold
    if same_work:
        path = join_path(view, ra.work, a, b)
        if applied and applied[0] == "same":
            why = "one work: a person decided they are the same"
        elif len(path) == 1 and path[0].score is not None:
            why = f"one work: merged, their score reaches the threshold {t:g}"
        elif path:
            why = f"one work: joined through {len(path) - 1} other record(s)"
        else:
            why = "one work: identical copies, or joined by evidence the graph does not keep"
    else:
        veto = stored_veto(view.oxi, a, b) if stored else None
        if applied and applied[0] == "different":
            why = "two works: a person decided they are different"
        elif veto and veto != HUMAN:
            why = f"two works: kept apart by {_veto_text(veto)}"
        elif score < t:
            why = f"two works: their score is below the threshold {t:g}"
        else:
            sc = view.scorer
            x, y = sorted((sc.position[a], sc.position[b]))
            rule = veto_rule(sc.records, sc.features, sc.settings)(x, y, score)
            why = "two works: kept apart by " + _veto_text(rule or veto or "clustering")
    return Explanation(ra, rb, same_work, score, evidence, stored, t, why, path, decision,
                       pending)


def _veto_text(veto: str) -> str:
    return {
        "doi conflict": "a rule: two different DOIs of the same kind (doi conflict)",
        "clean source": "a rule: two records of one source declared clean (clean source)",
        "notice": "a rule: an erratum, comment or reply and a paper (notice)",
        "tie": "a tie: one of them has another partner as good (tie)",
        "clustering": "the community step: a weak bridge between two groups (clustering)",
        HUMAN: "a person's decision",
    }.get(veto, veto)


def record_line(r: StoreRecord) -> str:
    return f"{human.name(r.key)} ({r.year or '?'}) {short(r.title)}  [work {r.work}]"


def decision_text(d: human.Decision, pending: bool) -> str:
    note = f' "{d.note}"' if d.note else ""
    when = "applies at the next build" if pending else "applied"
    return f"decided {d.verdict} by {d.by} at {d.at}{note} ({when})"


def format_explanation(x: Explanation) -> str:
    lines = [record_line(x.a), record_line(x.b), x.why,
             x.line + ("" if x.stored else " (scored now: the build kept no evidence of it)")]
    if x.same_work and x.path and len(x.path) > 1:
        lines.append("path: " + path_text(x.path))
    if x.decision is not None:
        lines.append(decision_text(x.decision, x.pending))
    return "\n".join(lines) + "\n"


def preview(view: StoreView, d: human.Decision) -> str:
    """What the decision ``d`` will change at the next build, from the works
    of the build now current."""
    ra, rb = view.record(d.a), view.record(d.b)
    size: dict[str, int] = defaultdict(int)
    for r in view.records.values():
        size[r.work] += 1
    if d.same and ra.work == rb.work:
        return (f"already one work ({ra.work}); the decision keeps them together in "
                "every later build")
    if d.same:
        return (f"the next build joins their works: {ra.work} ({size[ra.work]} records) and "
                f"{rb.work} ({size[rb.work]} records) become one work")
    if ra.work != rb.work:
        return "already two works; the decision keeps them apart in every later build"
    path = join_path(view, ra.work, d.a, d.b)
    via = f"; joined now by {path_text(path)}" if len(path) > 1 else ""
    return (f"the next build splits work {ra.work} ({size[ra.work]} records): "
            f"{human.name(d.a)} and {human.name(d.b)} end in different works{via}")
