"""``kg review --interactive``: the review queue in a terminal, one pair at a
time, the two records side by side; each key records a decision at once
(``kg.decisions``), so quitting loses nothing.

Keys: ``s`` same work, ``d`` different works, ``k`` skip, ``u`` undo the
last step (a decision recorded is taken back, the pair's earlier decision
restored), ``q`` quit.  In a terminal a key press is enough; from a pipe,
one key per line.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from resolve.types import RecordKey

from . import decisions as human
from .explain import StoreView, preview
from .model import record_iri
from .queries import run_query, term_text
from .review import ReviewItem

DETAILS_QUERY = """
SELECT ?title ?year ?venue ?type ?doi ?work
       (GROUP_CONCAT(?name; separator="; ") AS ?authors) WHERE {
  OPTIONAL { $r dcterms:title ?title } OPTIONAL { $r fabio:hasPublicationYear ?year }
  OPTIONAL { $r prism:publicationName ?venue } OPTIONAL { $r kgr:recordType ?type }
  OPTIONAL { $r prism:doi ?doi }
  OPTIONAL { $r frbr:realizationOf ?w . ?w a fabio:Work ; dcterms:identifier ?work }
  OPTIONAL { $r dcterms:creator ?a . ?a foaf:name ?name }
} GROUP BY ?title ?year ?venue ?type ?doi ?work
"""

FIELDS = ("record", "title", "authors", "year", "venue", "type", "doi", "work")
WIDTH = 48
HELP = "s same work, d different works, k skip, u undo, q quit"


@dataclass
class Session:
    """What one interactive review did."""

    recorded: list[human.Decision] = field(default_factory=list)
    seen: int = 0


def details(view: StoreView, key: RecordKey) -> dict[str, str]:
    out = {"record": human.name(key)}
    for s in run_query(view.oxi, DETAILS_QUERY, {"r": f"<{record_iri(*key)}>"}):
        out.update({f: term_text(s[f]) for f in FIELDS[1:]})
        break
    return out


def side_by_side(left: dict[str, str], right: dict[str, str], width: int = WIDTH) -> str:
    """Two records' fields in two columns, wrapped, a mark where they differ."""
    lines = []
    for f in FIELDS:
        a = textwrap.wrap(left.get(f, ""), width) or [""]
        b = textwrap.wrap(right.get(f, ""), width) or [""]
        mark = " " if left.get(f, "") == right.get(f, "") else "≠"
        for k in range(max(len(a), len(b))):
            name = f if k == 0 else ""
            lines.append(f"{name:>8} {mark if k == 0 else ' '} "
                         f"{(a[k] if k < len(a) else ''):<{width}} | "
                         f"{b[k] if k < len(b) else ''}")
    return "\n".join(lines)


def run(view: StoreView, items: list[ReviewItem], read_key: Callable[[], str],
        write: Callable[[str], None], by: str = "") -> Session:
    """Go through ``items`` with a person: ``read_key`` gives their next key
    (``""`` at the end of input: quit), ``write`` shows text."""
    session = Session()
    history: list[tuple[int, human.Decision | None, human.Decision | None]] = []
    i = 0
    while i < len(items):
        item = items[i]
        where = "one work" if item.same_work else "two works"
        write(f"\n[{i + 1}/{len(items)}] {item.kind}, doubt {item.doubt:.2f}: now {where}"
              + (f" ({item.note})" if item.note else ""))
        write(side_by_side(details(view, item.a), details(view, item.b)))
        write(item.line)
        session.seen = max(session.seen, i + 1)
        key = read_key().strip().lower()[:1]
        if key in ("s", "d"):
            d = human.make(item.a, item.b, key == "s", by)
            previous = view.decisions.get(d.pair)
            human.record(view.dir, [d])
            view.decisions[d.pair] = d
            session.recorded.append(d)
            history.append((i, d, previous))
            write(f"recorded: {d.verdict}; {preview(view, d)}")
            i += 1
        elif key == "k":
            history.append((i, None, None))
            i += 1
        elif key == "u":
            if not history:
                write("nothing to undo")
                continue
            i, done, previous = history.pop()
            if done is not None:
                human.undo(view.dir, done, previous)
                if previous is None:
                    view.decisions.pop(done.pair, None)
                else:
                    view.decisions[done.pair] = previous
                session.recorded.remove(done)
                write(f"undone: {done.verdict} on {human.name(done.a)} {human.name(done.b)}")
        elif key in ("q", ""):
            break
        else:
            write(HELP)
    n = len(session.recorded)
    write(f"\n{n} decision(s) recorded" + ("; the next kg build applies them" if n else ""))
    return session
