"""Exports of a store: RDF (Turtle, N-Triples, TriG, N-Quads, JSON-LD), the
deduplicated works (BibTeX, RIS, CSV) and the clusters CSV.

Turtle and N-Triples hold the default graph (works, versions, records,
identifiers, rejections).  TriG, N-Quads and JSON-LD hold the dataset: the
default graph, the evidence graph and the decisions graph (what people
decided, kg decide), and the build graph too when asked
(``with_build``; its start and end times differ from run to run).  Every
export is sorted, so the same build gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import BinaryIO, Literal, cast

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    serialize,
)
from pyoxigraph import Literal as RdfLiteral

from . import deduplicated
from .queries import run_query, term_text
from .vocab import BUILD_GRAPH, DATA, DECISIONS_GRAPH, EVIDENCE_GRAPH, PREFIXES, RDF, XSD

WorkExport = deduplicated.WorkExport
RdfExport = Literal["turtle", "ntriples", "trig", "nquads", "jsonld"]
RDF_FORMATS = ("turtle", "ntriples", "trig", "nquads", "jsonld")
WORK_FORMATS = ("bibtex", "ris", "csv")
FORMATS = (*RDF_FORMATS, *WORK_FORMATS, "clusters")
DATASET_FORMATS = ("trig", "nquads", "jsonld")

_OXI_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES,
                "trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS}

CLUSTERS_QUERY = """
SELECT ?source ?record ?work WHERE {
  ?r a kgr:SourceRecord ; kgr:source ?source ; dcterms:identifier ?record ;
     frbr:realizationOf ?w .
  ?w a fabio:Work ; dcterms:identifier ?work .
}
"""


def _sort_key(quad: Quad) -> tuple[str, str, str, str]:
    g = "" if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name.value
    return (g, str(quad.subject), str(quad.predicate), str(quad.object))


def _graphs(dataset: bool, with_build: bool) -> list[NamedNode | DefaultGraph]:
    """The graphs an export writes, in the order of :func:`_sort_key`."""
    names = ([EVIDENCE_GRAPH, DECISIONS_GRAPH, *([BUILD_GRAPH] if with_build else [])]
             if dataset else [])
    return [DefaultGraph(), *(NamedNode(n) for n in sorted(names))]


def _subjects(store: Store, graph: NamedNode | DefaultGraph) -> list[str]:
    """The subjects of ``graph``, as ``str(term)`` gives them, sorted."""
    pattern = ("?s ?p ?o" if isinstance(graph, DefaultGraph)
               else f"GRAPH <{graph.value}> {{ ?s ?p ?o }}")
    rows = cast(QuerySolutions, store.query(f"SELECT DISTINCT ?s WHERE {{ {pattern} }}"))
    return sorted(str(row[0]) for row in rows)


def export_quads(store: Store, dataset: bool, with_build: bool = False) -> Iterator[Quad]:
    """The quads an export writes, sorted (default graph first), one subject
    at a time: memory holds the sorted subjects and one subject's quads, not
    every quad, and the order is that of sorting them all (:func:`_sort_key`)."""
    for g in _graphs(dataset, with_build):
        for subject in _subjects(store, g):
            node = NamedNode(subject[1:-1]) if subject.startswith("<") else BlankNode(subject[2:])
            quads = list(store.quads_for_pattern(node, None, None, g))
            quads.sort(key=_sort_key)
            yield from quads


class _SortedPrefixes:
    """A writer that sorts the ``@prefix`` lines a serializer starts with, so
    the header does not depend on the serializer's map order."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.head = b""
        self.done = False

    def write(self, data: bytes) -> int:
        if self.done:
            return self.out.write(data)
        self.head += data
        lines = self.head.split(b"\n")
        n = 0
        while n < len(lines) - 1 and lines[n].startswith(b"@prefix "):
            n += 1
        if n < len(lines) - 1 or (lines[-1] and not b"@prefix ".startswith(lines[-1][:8])):
            self.flush_head(lines, n)
        return len(data)

    def flush_head(self, lines: list[bytes] | None = None, n: int | None = None) -> None:
        if self.done:
            return
        if lines is None:
            lines = self.head.split(b"\n")
            n = sum(1 for line in lines[:-1] if line.startswith(b"@prefix "))
        self.done = True
        header = sorted(lines[:n])
        self.out.write(b"".join(h + b"\n" for h in header) + b"\n".join(lines[n:]))

    def flush(self) -> None:
        self.out.flush()


def export_rdf(store: Store, fmt: RdfExport, out: BinaryIO, with_build: bool = False) -> int:
    """Write the default graph (Turtle, N-Triples) or the dataset (TriG,
    N-Quads, JSON-LD); returns the number of triples or quads."""
    dataset = fmt in DATASET_FORMATS
    count = [0]

    def counted() -> Iterator[Quad]:
        for q in export_quads(store, dataset, with_build):
            count[0] += 1
            yield q

    if fmt == "jsonld":
        for chunk in jsonld_lines(counted()):
            out.write(chunk.encode("utf-8"))
        return count[0]
    items = counted() if dataset else (q.triple for q in counted())
    # Data IRIs have slashes after the base, which a prefixed name would have
    # to escape ("id:record\/arxiv\/..."): they are written in full.
    prefixes = ({k: v for k, v in PREFIXES.items() if k != "id"}
                if fmt in ("turtle", "trig") else None)
    writer = _SortedPrefixes(out)
    # pyoxigraph's stubs are wrong here: serialize() accepts any object with a
    # write(bytes) method, not only typing.IO[bytes].
    # It takes the quads as they come: the export streams.
    serialize(items, writer, _OXI_FORMATS[fmt], prefixes=prefixes)  # type: ignore[arg-type]
    writer.flush_head()
    return count[0]


# ------------------------------------------------------------------ JSON-LD


def jsonld_context() -> dict[str, str]:
    """The JSON-LD context: the prefixes the graph uses (data IRIs as ``id:``)."""
    return dict(sorted(PREFIXES.items()))


def _compact(iri: str) -> str:
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def _jsonld_value(term: NamedNode | BlankNode | RdfLiteral | Triple) -> object:
    if isinstance(term, RdfLiteral):
        dt = term.datatype.value
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if dt == XSD.string:
            return term.value
        return {"@value": term.value, "@type": _compact(dt)}
    # no RDF-star (quoted triple) terms in a store: the rest are nodes
    return {"@id": _compact(cast("NamedNode | BlankNode", term).value)}


def _nodes(quads: Iterable[Quad]) -> Iterator[dict]:
    for subject, group in groupby(
            quads, key=lambda q: cast("NamedNode | BlankNode", q.subject).value):
        node: dict[str, object] = {"@id": _compact(subject)}
        types: list[str] = []
        props: dict[str, list] = {}
        for q in group:
            if q.predicate.value == RDF.type and isinstance(q.object, NamedNode):
                types.append(_compact(q.object.value))
            else:
                props.setdefault(_compact(q.predicate.value), []).append(_jsonld_value(q.object))
        if types:
            node["@type"] = types
        node.update(sorted(props.items()))
        yield node


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def jsonld_lines(quads: Iterable[Quad]) -> Iterator[str]:
    """A JSON-LD document, one node object per line: the default graph's nodes
    at the top level, each named graph as a node with its own ``@graph``."""
    yield '{"@context":' + _dump(jsonld_context()) + ',\n"@graph":['
    top = 0
    for graph, group in groupby(quads, key=lambda q: _sort_key(q)[0]):
        if graph:
            yield ("," if top else "") + '\n{"@id":' + _dump(_compact(graph)) + ',"@graph":['
            top += 1
            for n, node in enumerate(_nodes(group)):
                yield ("," if n else "") + "\n" + _dump(node)
            yield "]}"
        else:
            for node in _nodes(group):
                yield ("," if top else "") + "\n" + _dump(node)
                top += 1
    yield "\n]}\n"


# ------------------------------------------------------------ works, clusters


def export_works(store: Store, fmt: WorkExport, out: BinaryIO, build_dir: Path | None = None,
                 **options: object) -> deduplicated.ExportResult:
    """The works as BibTeX, RIS or CSV (see :mod:`kg.deduplicated`; ``build_dir``
    is the build's directory, which holds the records' source text, and
    ``options`` are :func:`kg.deduplicated.export_library`'s)."""
    text, result = deduplicated.export_library(store, build_dir, fmt, **options)  # type: ignore[arg-type]
    out.write(text.encode("utf-8"))
    return result


def export_clusters(store: Store, out: BinaryIO) -> int:
    """``source,record_id,work_id``: one row per record, sorted."""
    rows = sorted([term_text(s["source"]), term_text(s["record"]), term_text(s["work"])]
                  for s in run_query(store, CLUSTERS_QUERY))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["source", "record_id", "work_id"])
    w.writerows(rows)
    out.write(buf.getvalue().encode("utf-8"))
    return len(rows)


__all__ = ["DATA", "FORMATS", "export_clusters", "export_rdf", "export_works"]
