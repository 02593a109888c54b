"""Exports of a store: Turtle, N-Triples, and the clusters CSV.

RDF exports hold the default graph (works, records, identifiers, rejections),
in a sorted order so that the same build gives the same bytes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import BinaryIO, Literal

from pyoxigraph import DefaultGraph, RdfFormat, Store, serialize

from .queries import run_query, term_text
from .vocab import PREFIXES

RdfExport = Literal["turtle", "ntriples"]
FORMATS = ("turtle", "ntriples", "clusters")

CLUSTERS_QUERY = """
SELECT ?source ?record ?work WHERE {
  ?r a kgr:SourceRecord ; kgr:source ?source ; dcterms:identifier ?record ;
     frbr:realizationOf ?w .
  ?w dcterms:identifier ?work .
}
"""


def _sort_key(triple) -> tuple[str, str, str]:
    return (str(triple.subject), str(triple.predicate), str(triple.object))


def export_rdf(store: Store, fmt: RdfExport, out: BinaryIO) -> int:
    """Write the default graph; returns the number of triples."""
    triples = sorted((q.triple for q in store.quads_for_pattern(None, None, None, DefaultGraph())),
                     key=_sort_key)
    rdf_format = RdfFormat.TURTLE if fmt == "turtle" else RdfFormat.N_TRIPLES
    # Data IRIs have slashes after the base, which a prefixed name would have
    # to escape ("id:record\/arxiv\/..."): they are written in full.
    prefixes = {k: v for k, v in PREFIXES.items() if k != "id"} if fmt == "turtle" else None
    serialize(triples, out, rdf_format, prefixes=prefixes)
    return len(triples)


def export_clusters(store: Store, path: Path) -> int:
    """``source,record_id,work_id``: one row per record, sorted."""
    rows = sorted([term_text(s["source"]), term_text(s["record"]), term_text(s["work"])]
                  for s in run_query(store, CLUSTERS_QUERY))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["source", "record_id", "work_id"])
        w.writerows(rows)
    return len(rows)
