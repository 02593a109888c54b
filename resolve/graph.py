"""The evidence graph: records linked to what they carry.

Nodes are tuples ``(kind, value)``:

- ``("record", i)`` for the record at position ``i``;
- ``("id", scheme, value)`` for an identifier (DOI, arXiv id, PMID, ...);
- ``("url", url)`` for a normalized URL;
- ``("author", key)`` for an author key (folded family name + initials).

Records that share an identifier or URL node are candidates at once; shared
author nodes are one source of the other candidates (see :mod:`resolve.blocking`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import networkx as nx

from .types import Record


def record_node(i: int) -> tuple[str, int]:
    return ("record", i)


def build_evidence_graph(records: Sequence[Record]) -> nx.Graph:
    """A bipartite graph of record nodes and the identifier, URL and author
    nodes they carry.  Edge attribute ``rel`` says how they are linked."""
    g = nx.Graph()
    for i, rec in enumerate(records):
        node = record_node(i)
        g.add_node(node, kind="record", source=rec.source, record_id=rec.record_id)
        for scheme, value in rec.identifiers:
            g.add_edge(node, ("id", scheme, value), rel="identifier")
        for url in rec.urls:
            g.add_edge(node, ("url", url), rel="url")
        for pos, author in enumerate(rec.authors):
            anode = ("author", author.key)
            if not g.has_edge(node, anode):
                g.add_edge(node, anode, rel="author", position=pos)
    return g


def shared_neighbours(g: nx.Graph, keep: Callable[[tuple], bool]) -> list[list[int]]:
    """Groups of record positions that share one node for which ``keep(node)``
    holds, one group per such node, each sorted, in a deterministic order.
    Groups of one record are left out."""
    groups: list[tuple[tuple, list[int]]] = []
    for node in g.nodes:
        if node[0] != "record" and g.degree(node) > 1 and keep(node):
            members = sorted(n[1] for n in g.neighbors(node) if n[0] == "record")
            groups.append((node, members))
    groups.sort(key=lambda item: tuple(str(x) for x in item[0]))
    return [members for _, members in groups]
