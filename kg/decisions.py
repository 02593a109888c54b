"""People's decisions about pairs of records, kept with the store.

    kg decide arxiv:1810.04805v2 dblp:conf/naacl/DevlinCLT19 --same --store DIR

A decision says that two records (named ``SOURCE:ID``, as the clusters
export and the queries name them) are the same work or are not.  Decisions
live in ``DIR/decisions.csv`` (:data:`kg.storedir.DECISIONS`), beside the
builds, so every rebuild keeps them; the file is replaced atomically under
the store's build lock.  One row per pair: a new decision on a pair replaces
the old one.  Rows are sorted by time, then pair, so the same decisions are
the same bytes (and the same graph).

Every later resolution applies them (:func:`load` gives them as the plain
:class:`resolve.constraints.HumanConstraints` that
:func:`resolve.pipeline.resolve_records` takes as ``human``): a ``same`` pair
is one work, a ``different`` pair never, however other records chain them.
A build writes them into the named graph :data:`kg.vocab.DECISIONS_GRAPH`,
each a ``kgr:Decision`` with PROV: who (``prov:wasAttributedTo``), when
(``prov:generatedAtTime``) and why (``rdfs:comment``), and, when the build
could not apply it, ``kgr:notApplied`` with the reason.

The file's columns (also what ``kg decisions --export`` writes and
``--import`` reads): ``source_a,record_a,source_b,record_b,decision,by,at,note``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from resolve.constraints import HumanConstraints, KeyPair
from resolve.types import RecordKey
from resolve.unionfind import UnionFind

from .model import _esc, _h, _seg, record_iri
from .storedir import DECISIONS, store_lock, write_kept
from .vocab import DATA, DECISIONS_GRAPH, KGR, PROV, RDF, RDFS, XSD

COLUMNS = ("source_a", "record_a", "source_b", "record_b", "decision", "by", "at", "note")
VERDICTS = ("same", "different")


class DecisionError(ValueError):
    """A decision that cannot be recorded (a contradiction, an unknown record)
    or a decisions file that cannot be read."""


@dataclass(frozen=True, order=True)
class Decision:
    """One person's decision on one pair of records (``a < b``)."""

    at: str
    """When it was made: ISO 8601, UTC, to the second."""
    a: RecordKey
    b: RecordKey
    same: bool
    by: str = ""
    note: str = ""

    @property
    def verdict(self) -> str:
        return "same" if self.same else "different"

    @property
    def pair(self) -> KeyPair:
        return (self.a, self.b)


def make(a: RecordKey, b: RecordKey, same: bool, by: str = "", note: str = "",
         at: str | None = None) -> Decision:
    """A decision on ``a`` and ``b`` (in either order), made now unless ``at``."""
    if a == b:
        raise DecisionError(f"{name(a)}: a record is always the same work as itself")
    at = at or datetime.now(UTC).replace(microsecond=0).isoformat()
    x, y = sorted((a, b))
    return Decision(at, x, y, same, by or default_by(), note)


def default_by() -> str:
    """Who decides when ``--by`` is not given: the login name."""
    return os.environ.get("KG_USER") or os.environ.get("USER") or os.environ.get(
        "USERNAME") or "unknown"


def name(key: RecordKey) -> str:
    """``SOURCE:ID``."""
    return f"{key[0]}:{key[1]}"


def parse_name(text: str, known: Iterable[RecordKey] | None = None) -> RecordKey:
    """The record key of ``SOURCE:ID``.  A source name has no colon, but a
    record id may (``WOS:000123``); with ``known`` keys, the split that names
    one of them is taken, and a name that names none is an error."""
    if ":" not in text:
        raise DecisionError(f"{text}: expected SOURCE:ID (as kg export --format clusters "
                            "names records)")
    if known is None:
        source, _, record = text.partition(":")
        return (source, record)
    keys = set(known)
    for i, ch in enumerate(text):
        if ch == ":" and (text[:i], text[i + 1:]) in keys:
            return (text[:i], text[i + 1:])
    raise DecisionError(f"{text}: no such record in the store")


# ------------------------------------------------------------------ the file


def path(store: Path) -> Path:
    return Path(store) / DECISIONS


def parse_csv(text: str, origin: str = "decisions") -> list[Decision]:
    """Decisions from CSV text with the :data:`COLUMNS` header (any order,
    extra columns ignored); the latest per pair, sorted."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:5] if c not in (reader.fieldnames or ())]
    if missing:
        raise DecisionError(f"{origin}: missing column(s) {', '.join(missing)} (expected "
                            f"{','.join(COLUMNS)})")
    out = []
    for line, row in enumerate(reader, 2):
        verdict = (row.get("decision") or "").strip().lower()
        if verdict not in VERDICTS:
            raise DecisionError(f"{origin}:{line}: decision {verdict!r}: expected same or "
                                "different")
        a = ((row.get("source_a") or "").strip(), (row.get("record_a") or "").strip())
        b = ((row.get("source_b") or "").strip(), (row.get("record_b") or "").strip())
        if not all((*a, *b)):
            raise DecisionError(f"{origin}:{line}: a record's source or id is empty")
        at = (row.get("at") or "").strip()
        try:
            when = datetime.fromisoformat(at) if at else None
        except ValueError as exc:
            raise DecisionError(f"{origin}:{line}: at {at!r}: not an ISO 8601 time") from exc
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        stamp = when.astimezone(UTC).isoformat() if when else None
        try:
            out.append(make(a, b, verdict == "same", (row.get("by") or "").strip(),
                            (row.get("note") or "").strip(), stamp))
        except DecisionError as exc:
            raise DecisionError(f"{origin}:{line}: {exc}") from exc
    return merged([], out)


def format_csv(decisions: Iterable[Decision]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for d in sorted(decisions):
        w.writerow([*d.a, *d.b, d.verdict, d.by, d.at, d.note])
    return buf.getvalue()


def read(store: Path) -> list[Decision]:
    """The decisions kept with ``store`` (none if it has no file), sorted."""
    p = path(store)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise DecisionError(f"{p}: cannot read: {exc}") from exc
    return parse_csv(text, str(p))


def load(store: Path) -> HumanConstraints:
    """The decisions of ``store`` as the constraints a resolution applies
    (what ``kg build`` over the store and ``kg add`` pass to
    :func:`resolve.pipeline.resolve_records`)."""
    return constraints(read(store))


def constraints(decisions: Iterable[Decision]) -> HumanConstraints:
    ds = sorted(decisions)
    return HumanConstraints(tuple(d.pair for d in ds if d.same),
                            tuple(d.pair for d in ds if not d.same))


def merged(old: Iterable[Decision], new: Iterable[Decision]) -> list[Decision]:
    """``old`` and ``new`` with one decision per pair: the later one (``new``
    wins a tie), sorted."""
    latest: dict[KeyPair, Decision] = {}
    for d in sorted(old):
        latest[d.pair] = d
    for d in sorted(new):
        if d.pair not in latest or latest[d.pair].at <= d.at:
            latest[d.pair] = d
    return sorted(latest.values())


def contradictions(decisions: Sequence[Decision]) -> list[str]:
    """Each ``different`` decision whose two records the ``same`` decisions
    join (directly or through others), with the chain that joins them."""
    groups: UnionFind[RecordKey] = UnionFind()
    links: dict[RecordKey, list[RecordKey]] = {}
    for d in decisions:
        if d.same:
            groups.union(d.a, d.b)
            links.setdefault(d.a, []).append(d.b)
            links.setdefault(d.b, []).append(d.a)
    out = []
    for d in decisions:
        if not d.same and d.a in groups and d.b in groups and groups.connected(d.a, d.b):
            chain = " = ".join(name(k) for k in _chain(links, d.a, d.b))
            out.append(f"{name(d.a)} and {name(d.b)} were decided different, but {chain}")
    return out


def _chain(links: dict[RecordKey, list[RecordKey]], a: RecordKey, b: RecordKey
           ) -> list[RecordKey]:
    """The shortest chain of ``same`` decisions from ``a`` to ``b``."""
    back: dict[RecordKey, RecordKey | None] = {a: None}
    todo = [a]
    for x in todo:
        for y in sorted(links.get(x, ())):
            if y not in back:
                back[y] = x
                todo.append(y)
    out: list[RecordKey] = []
    node: RecordKey | None = b
    while node is not None:
        out.append(node)
        node = back[node]
    return out[::-1]


def record(store: Path, new: Iterable[Decision]) -> tuple[list[Decision], list[Decision]]:
    """Add ``new`` to the decisions of ``store`` (a later decision on a pair
    replaces the earlier), under the store lock, atomically; the decisions
    now kept, and those replaced.  Raises :class:`DecisionError`, keeping
    the file as it was, if the result would contradict itself."""
    new = list(new)
    with store_lock(Path(store)):
        old = read(store)
        result = merged(old, new)
        problems = contradictions(result)
        if problems:
            raise DecisionError("the decisions would contradict each other: "
                                + "; ".join(problems))
        kept = set(result)
        replaced = [d for d in old if d not in kept]
        write_kept(Path(store), DECISIONS, format_csv(result).encode("utf-8"))
    return result, replaced


def undo(store: Path, decision: Decision, previous: Decision | None) -> None:
    """Take ``decision`` back: the pair's ``previous`` decision (if any) is
    kept again, else none is (for the review's undo)."""
    with store_lock(Path(store)):
        rest = [d for d in read(store) if d.pair != decision.pair]
        if previous is not None:
            rest.append(previous)
        write_kept(Path(store), DECISIONS, format_csv(sorted(rest)).encode("utf-8"))


# ------------------------------------------------------------------ the graph

_G = f"<{DECISIONS_GRAPH}>"
_A = f"<{RDF.type}>"


def decision_iri(d: Decision) -> str:
    (s1, r1), (s2, r2) = d.a, d.b
    return f"{DATA}decision/{_h('decision', s1, r1, s2, r2)}"


def agent_iri(by: str) -> str:
    return f"{DATA}agent/by/{_seg(by or 'unknown')}"


def decisions_nquads(decisions: Iterable[Decision],
                     skipped: Iterable[tuple[KeyPair, str]] = ()) -> Iterator[str]:
    """The decisions graph of a build: each decision with who, when and why,
    and ``kgr:notApplied`` for those the build could not apply (``skipped``,
    as :attr:`resolve.pipeline.Resolution.human_skipped` gives them)."""
    why = {pair: reason for pair, reason in skipped}
    agents: set[str] = set()
    for d in sorted(decisions):
        s = f"<{decision_iri(d)}>"
        agent = f"<{agent_iri(d.by)}>"
        lines = [f"{s} {_A} <{KGR.Decision}> {_G} .",
                 f"{s} <{KGR.decidedRecord}> <{record_iri(*d.a)}> {_G} .",
                 f"{s} <{KGR.decidedRecord}> <{record_iri(*d.b)}> {_G} .",
                 f'{s} <{KGR.verdict}> "{d.verdict}" {_G} .',
                 f"{s} <{PROV.wasAttributedTo}> {agent} {_G} .",
                 f'{s} <{PROV.generatedAtTime}> "{_esc(d.at)}"^^<{XSD.dateTime}> {_G} .']
        if d.note:
            lines.append(f'{s} <{RDFS.comment}> "{_esc(d.note)}" {_G} .')
        if d.pair in why:
            lines.append(f'{s} <{KGR.notApplied}> "{_esc(why[d.pair])}" {_G} .')
        if agent not in agents:
            agents.add(agent)
            lines += [f"{agent} {_A} <{PROV.Agent}> {_G} .",
                      f'{agent} <{RDFS.label}> "{_esc(d.by or "unknown")}" {_G} .']
        yield "\n".join(lines) + "\n"

