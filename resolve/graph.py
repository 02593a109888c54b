"""The evidence graph: records linked to what they carry.

Nodes are tuples ``(kind, value)``:

- ``("record", i)`` for the record at position ``i``;
- ``("id", scheme, value)`` for an identifier (DOI, arXiv id, PMID, ...);
- ``("url", url)`` for a normalized URL;
- ``("author", key)`` for an author key (folded family name + initials).

The graph is bipartite, so it is kept as what the pipeline asks of it: for
each identifier, URL and author node, the records that carry it.  That costs a
fraction of a networkx graph's memory (one list per node instead of two
adjacency dicts per edge); :meth:`EvidenceGraph.to_networkx` gives the same
graph as networkx for its algorithms or for a look at it.

Records that share an identifier or URL node are candidates at once; shared
author nodes are one source of the other candidates (see :mod:`resolve.blocking`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from .types import Record

Node = tuple


def record_node(i: int) -> tuple[str, int]:
    return ("record", i)


def _edges_of(rec: Record) -> list[tuple[Node, str, int | None]]:
    """The nodes a record links to, each once, with the link's ``rel`` and
    (for authors) first position in the author list."""
    out: list[tuple[Node, str, int | None]] = []
    seen: set[Node] = set()
    for scheme, value in rec.identifiers:
        out.append((("id", scheme, value), "identifier", None))
    for url in rec.urls:
        out.append((("url", url), "url", None))
    for pos, author in enumerate(rec.authors):
        node = ("author", author.key)
        if node not in seen:
            seen.add(node)
            out.append((node, "author", pos))
    return out


@dataclass
class EvidenceGraph:
    """Record nodes ``0 .. n_records - 1`` and, for every other node, the
    ascending positions of the records linked to it."""

    n_records: int
    records_of: dict[Node, list[int]] = field(default_factory=dict)

    def __contains__(self, node: object) -> bool:
        if isinstance(node, tuple) and node and node[0] == "record":
            return 0 <= node[1] < self.n_records
        return node in self.records_of

    def to_networkx(self, records: Sequence[Record]) -> nx.Graph:
        """The same graph as a networkx graph, with node and edge attributes
        (``kind``, ``source``, ``record_id``; ``rel`` and author ``position``)."""
        g = nx.Graph()
        for i, rec in enumerate(records):
            node = record_node(i)
            g.add_node(node, kind="record", source=rec.source, record_id=rec.record_id)
            for other, rel, pos in _edges_of(rec):
                if not g.has_edge(node, other):
                    g.add_edge(node, other, rel=rel, **({} if pos is None else {"position": pos}))
        return g


def build_evidence_graph(records: Sequence[Record]) -> EvidenceGraph:
    """The bipartite graph of the records and the identifier, URL and author
    nodes they carry."""
    g = EvidenceGraph(len(records))
    index = g.records_of
    for i, rec in enumerate(records):
        for node, _, _ in _edges_of(rec):
            members = index.get(node)
            if members is None:
                index[node] = [i]
            elif members[-1] != i:
                members.append(i)
    return g


def shared_neighbours(g: EvidenceGraph, keep: Callable[[tuple], bool]) -> list[list[int]]:
    """Groups of record positions that share one node for which ``keep(node)``
    holds, one group per such node, each sorted, in a deterministic order.
    Groups of one record are left out."""
    groups = [(node, members) for node, members in g.records_of.items()
              if len(members) > 1 and keep(node)]
    groups.sort(key=lambda item: tuple(str(x) for x in item[0]))
    return [members for _, members in groups]
