"""``kg evaluate``: a store's works against gold clusters, and why it erred.

The scores come from :mod:`resolve.evaluate`; this module reads what they
need from the store (which record is in which work, the records' titles, and
the match evidence of the pairs it reports), so a user can see *why* two
different works were joined or a duplicate was missed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Store

from resolve.candidates import CANDIDATES_FILE, Candidates, load_candidates
from resolve.evaluate import PairError, Scores, evaluate, gold_labels, pair_errors, read_gold

from .model import record_iri
from .queries import run_query, term_text

RecordKey = tuple[str, str]

RECORDS_QUERY = """
SELECT ?source ?record ?work ?title ?year WHERE {
  ?r a kgr:SourceRecord ; kgr:source ?source ; dcterms:identifier ?record .
  ?r (frbr:realizationOf|frbr:realizationOf/frbr:realizationOf) ?w .
  ?w a fabio:Work ; dcterms:identifier ?work .
  OPTIONAL { ?r dcterms:title ?title }
  OPTIONAL { ?r fabio:hasPublicationYear ?year }
}
"""

SCORES_QUERY = """
SELECT ?sa ?ia ?sb ?ib ?score WHERE {
  GRAPH ?g { ?m a kgr:Match ; kgr:matchedRecord ?a, ?b ; kgr:matchScore ?score . }
  FILTER (STR(?a) < STR(?b))
  ?a kgr:source ?sa ; dcterms:identifier ?ia .
  ?b kgr:source ?sb ; dcterms:identifier ?ib .
}
"""

EVIDENCE_QUERY = """
SELECT ?score ?field ?level ?weight WHERE {
  GRAPH ?g {
    ?m kgr:matchedRecord $a, $b ; kgr:matchScore ?score ; kgr:evidence ?e .
    ?e kgr:field ?field ; kgr:level ?level ; kgr:weight ?weight .
  }
}
"""


@dataclass
class StoreRecord:
    key: RecordKey
    work: str
    title: str
    year: str


@dataclass
class Explained:
    """One reported pair with its match evidence (if it was ever scored)."""

    a: StoreRecord
    b: StoreRecord
    score: float | None
    evidence: list[tuple[str, str, float]] = field(default_factory=list)


@dataclass
class MergedWork:
    """A predicted work that joins records of several gold clusters."""

    work: str
    records: list[tuple[StoreRecord, int | str]]
    false_pairs: int
    strongest: Explained | None


@dataclass
class BlockingRecall:
    """How many gold pairs blocking proposed (the build's ``candidates.npz``)."""

    recall: float
    """The share of gold pairs that were candidates (scored)."""
    candidates: int
    """Gold pairs that were candidates."""
    gold_pairs: int
    missed_not_candidates: int
    """Missed pairs that blocking never proposed."""
    missed_candidates: int
    """Missed pairs that were candidates: scored too low, or split apart by clustering."""


@dataclass
class Evaluation:
    scores: Scores
    problems: list[str]
    false_merge_pairs: int
    missed_pairs: int
    worst_merges: list[MergedWork]
    worst_misses: list[Explained]
    never_candidates: int
    blocking: BlockingRecall | None = None
    """None when the store keeps no candidate pairs (built before they were saved)."""


def store_records(store: Store) -> dict[RecordKey, StoreRecord]:
    out: dict[RecordKey, StoreRecord] = {}
    for s in run_query(store, RECORDS_QUERY):
        key = (term_text(s["source"]), term_text(s["record"]))
        out[key] = StoreRecord(key, term_text(s["work"]), term_text(s["title"]),
                               term_text(s["year"]))
    return out


def pair_evidence(store: Store, a: RecordKey, b: RecordKey) -> tuple[float | None, list]:
    """The score and per-field evidence stored for a pair, if it was scored
    (merged pairs and vetoed merges are kept in the evidence graph; near
    misses too when built with ``--evidence all``)."""
    params = {"a": f"<{record_iri(*a)}>", "b": f"<{record_iri(*b)}>"}
    score: float | None = None
    evidence: list[tuple[str, str, float]] = []
    for s in run_query(store, EVIDENCE_QUERY, params):
        score = float(term_text(s["score"]))
        evidence.append((term_text(s["field"]), term_text(s["level"]),
                         float(term_text(s["weight"]))))
    evidence.sort(key=lambda e: (-abs(e[2]), e[0]))
    return score, evidence


def stored_scores(store: Store) -> dict[frozenset, float]:
    """The score of every pair kept in the evidence graph (merged pairs and
    near misses), by the pair's two record keys."""
    return {frozenset({(term_text(s["sa"]), term_text(s["ia"])),
                       (term_text(s["sb"]), term_text(s["ib"]))}): float(term_text(s["score"]))
            for s in run_query(store, SCORES_QUERY)}


def store_candidates(path: Path) -> Candidates | None:
    """The candidate pairs saved with the build now current in the store at
    ``path``, or None if it has none."""
    from .store import current_path

    try:
        return load_candidates(current_path(Path(path)) / CANDIDATES_FILE)
    except FileNotFoundError:
        return None


def blocking_recall(candidates: Candidates, labels: dict[RecordKey, int], gold_pairs: int,
                    missed: list[PairError]) -> BlockingRecall:
    """Blocking recall of ``candidates`` against gold ``labels`` (``gold_pairs``
    of them), and the ``missed`` pairs split by whether they were candidates."""
    proposed = candidates.within(labels)
    missed_candidates = sum(1 for e in missed if frozenset({e.a, e.b}) in proposed)
    return BlockingRecall(len(proposed) / gold_pairs if gold_pairs else 1.0, len(proposed),
                          gold_pairs, len(missed) - missed_candidates, missed_candidates)


def evaluate_store(store: Store, gold_path: Path, gold_format: str = "auto",
                   show: int = 10, candidates: Candidates | None = None) -> Evaluation:
    """Score the store's works against the gold at ``gold_path``; with the
    build's ``candidates`` (:func:`store_candidates`), blocking recall too."""
    records = store_records(store)
    labels, problems = gold_labels(read_gold(gold_path, gold_format), records)
    predicted = {k: r.work for k, r in records.items()}
    scores = evaluate(predicted, labels)
    false_merges, missed = pair_errors(predicted, labels)
    gold_of = {k: labels.get(k, "-") for k in records}

    def explain(e: PairError) -> Explained:
        score, ev = pair_evidence(store, e.a, e.b)
        return Explained(records[e.a], records[e.b], score, ev)

    by_work: dict[str, list[PairError]] = defaultdict(list)
    for e in false_merges:
        by_work[str(e.predicted[0])].append(e)
    worst: list[MergedWork] = []
    for work, errors in sorted(by_work.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:show]:
        explained = [explain(e) for e in errors[:50]]
        scored = [x for x in explained if x.score is not None]
        strongest = max(scored, key=lambda x: x.score or 0.0) if scored else None
        members = sorted(k for k, r in records.items() if r.work == work)
        worst.append(MergedWork(work, [(records[k], gold_of[k]) for k in members],
                                len(errors), strongest))

    # Misses: the nearest first; only those shown are explained field by field.
    known = stored_scores(store) if missed else {}
    ranked = sorted(missed, key=lambda e: (-known.get(frozenset({e.a, e.b}), -1.0), e.a, e.b))
    never = sum(1 for e in missed if frozenset({e.a, e.b}) not in known)
    blocking = (blocking_recall(candidates, labels, scores.true_pairs, missed)
                if candidates is not None else None)
    return Evaluation(scores, problems, len(false_merges), len(missed), worst,
                      [explain(e) for e in ranked[:show]], never, blocking)


def format_evaluation(ev: Evaluation) -> str:
    s = ev.scores
    lines = [
        f"pairwise  precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}  "
        f"(gold pairs {s.true_pairs:,}, predicted pairs {s.predicted_pairs:,}, "
        f"correct {s.correct_pairs:,})",
        f"B-cubed   precision {s.bcubed_precision:.4f}  recall {s.bcubed_recall:.4f}  "
        f"F1 {s.bcubed_f1:.4f}",
    ]
    if ev.blocking is not None:
        b = ev.blocking
        lines.append(f"blocking recall: {b.recall:.4f} ({b.candidates:,} of {b.gold_pairs:,} "
                     "gold pairs were candidates)")
    else:
        lines.append(f"blocking recall: unknown (the store has no {CANDIDATES_FILE}: "
                     "built by an older version)")
    if ev.problems:
        lines.append(f"gold problems: {len(ev.problems)} (first: {ev.problems[0]})")
    lines += ["", f"false merges: {ev.false_merge_pairs:,} pairs in {len(ev.worst_merges)}"
              f"{'+' if len(ev.worst_merges) else ''} works shown, most false pairs first"]
    for w in ev.worst_merges:
        lines.append(f"  work {w.work}: {len(w.records)} records, {w.false_pairs} false pairs")
        for r, gold in w.records:
            lines.append(f"    [gold {gold}] {r.key[0]}:{r.key[1]} ({r.year or '?'}) "
                         f"{_short(r.title)}")
        if w.strongest:
            lines.append("    strongest wrong link: " + _pair_line(w.strongest))
        else:
            lines.append("    (joined only through other records)")
    lines += ["", f"missed pairs: {ev.missed_pairs:,}, of which not in the evidence graph "
              "(not a candidate, scored below the near-miss level, or a near miss the build "
              f"did not keep: kg build --evidence all keeps them): {ev.never_candidates:,}"]
    if ev.blocking is not None:
        lines.append(f"  never candidates: {ev.blocking.missed_not_candidates:,}; candidates "
                     f"scored too low or split apart: {ev.blocking.missed_candidates:,}")
    for x in ev.worst_misses:
        lines.append(f"  {x.a.key[0]}:{x.a.key[1]} ({x.a.year or '?'}) {_short(x.a.title)}")
        lines.append(f"  {x.b.key[0]}:{x.b.key[1]} ({x.b.year or '?'}) {_short(x.b.title)}")
        lines.append("    " + (_pair_line(x) if x.score is not None
                                else "no decision kept (see kg build --evidence)"))
    return "\n".join(lines) + "\n"


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def short(text: str, n: int = 90) -> str:
    """``text`` cut to ``n`` characters (an ellipsis marks the cut)."""
    return _short(text, n)


def pair_line(score: float, evidence: list[tuple[str, str, float]]) -> str:
    """The one-line explanation of a pair's score: ``score 0.9731: title
    exact +6.2, year conflict -2.1, ...`` (fields with a weight, strongest
    first as :func:`pair_evidence` sorts them)."""
    parts = ", ".join(f"{f} {lvl} {w:+g}" for f, lvl, w in evidence if w)
    return f"score {score:.4f}: {parts or 'no weighted evidence'}"


def _pair_line(x: Explained) -> str:
    return pair_line(x.score or 0.0, x.evidence)
