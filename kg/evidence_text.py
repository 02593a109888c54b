"""The evidence graph's text kept beside a build, so that ``kg add`` makes
again only the match decisions that changed (:mod:`kg.incremental`).

Every build keeps in its directory

    evidence-graph.nq.gz         the evidence graph's N-Quads lines, sorted
    evidence-signatures.json.gz  per kept match decision (its match IRI), a
                                 digest of what its text is made of

A decision's text (:func:`kg.model.graph_nquads`) is made of its two records,
its score, whether it merged, what vetoed it and its per-field evidence, which
:meth:`resolve.scoring.PairScorer.explain_row` makes from the pair's level row
and the weights :meth:`resolve.scoring.PairScorer.weights` gives the pair
(title and author weights adjusted by the corpus statistics, which new records
change), plus any extra evidence.  Explaining a pair is the costly part of
writing the evidence graph (it measures banded similarities again), while the
weights of all pairs are one vectorized call; so the digest
(:func:`signatures`) covers the records, level row, weight row, adjusted
flags, score, merge, veto and extra evidence, and an add explains only the
decisions whose digest is new or differs (:func:`evidence_lines`), taking the
others' lines from the old text.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import numpy as np

from resolve.pipeline import Resolution
from resolve.types import MatchDecision

from .model import BuildInfo, kept_decisions, match_iri, part_nquads
from .vocab import EVIDENCE_GRAPH, KGR

EVIDENCE_FILE = "evidence-graph.nq.gz"
SIGNATURES_FILE = "evidence-signatures.json.gz"
_EV_END = f" <{EVIDENCE_GRAPH}> ."
_EVIDENCE_LINK = f" <{KGR.evidence}> "


class EvidenceTee:
    """Passes N-Quads text through (an iterable of chunks of whole lines) and
    keeps the lines of the evidence graph (:attr:`lines`)."""

    def __init__(self, nquads: Iterable[str]) -> None:
        self._nquads = nquads
        self.lines: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for text in self._nquads:
            if _EV_END in text:
                self.lines.extend(line for line in text.split("\n") if line.endswith(_EV_END))
            yield text


def kept(resolution: Resolution, evidence: str) -> list[tuple[int, MatchDecision]]:
    """The match decisions the evidence graph keeps at level ``evidence``,
    made by :meth:`resolve.pipeline.Resolution.decisions` but without their
    per-field evidence, each with the index of its pair (in ``scored`` then
    ``completed_pairs``) to explain it later (:func:`explained`)."""
    # each decision's evidence stands in for the index of its pair, so that the
    # decisions (merge, veto) are Resolution.decisions' own
    def index(k: int) -> tuple:
        return (k,)

    return [(int(d.evidence[0]), d)  # type: ignore[call-overload]
            for d in kept_decisions(resolution.decisions(index), evidence)]


def explained(resolution: Resolution, decisions: Iterable[tuple[int, MatchDecision]]
              ) -> Iterator[MatchDecision]:
    """The decisions of :func:`kept` with their evidence."""
    for k, d in decisions:
        yield replace(d, evidence=resolution.explain(k))


def signatures(resolution: Resolution, decisions: Sequence[tuple[int, MatchDecision]]
               ) -> dict[str, str]:
    """Match IRI -> a digest of what the decision's text is made of (see the
    module's docstring)."""
    if not decisions:
        return {}
    records, scorer = resolution.records, resolution.scorer
    ks = np.fromiter((k for k, _ in decisions), dtype=np.int64, count=len(decisions))
    a = np.fromiter((d.a for _, d in decisions), dtype=np.int64, count=len(decisions))
    b = np.fromiter((d.b for _, d in decisions), dtype=np.int64, count=len(decisions))
    levels = np.asarray(resolution.levels)[ks]
    weights, adjusted = scorer.weights(a, b, levels)
    out = {}
    for n, (_, d) in enumerate(decisions):
        ra, rb = records[d.a], records[d.b]
        extra = scorer.extra(d.a, d.b) if scorer.extra is not None else None
        made_of = repr((ra.key, rb.key, levels[n].tobytes(), weights[n].tobytes(),
                        adjusted[n].tobytes(), d.score, d.merged, d.vetoed_by, extra))
        out[match_iri(ra, rb)] = hashlib.blake2b(made_of.encode("utf-8", "surrogatepass"),
                                                 digest_size=12).hexdigest()
    return out


def evidence_lines(resolution: Resolution, decisions: Sequence[tuple[int, MatchDecision]],
                   sigs: Mapping[str, str], info: BuildInfo,
                   old_lines: Sequence[str] | None, old_sigs: Mapping[str, str] | None
                   ) -> tuple[list[str], int]:
    """The evidence graph's lines for ``decisions`` (:func:`kept`, with their
    :func:`signatures` ``sigs``): those whose signature is in ``old_sigs``
    unchanged taken from ``old_lines`` (the old build's, with the evidence
    nodes they link to), the others explained and written.  Also how many
    were explained."""
    if old_lines is None or old_sigs is None:
        old_lines, old_sigs = [], {}
    by_subject: dict[str, list[str]] = {}
    for line in old_lines:
        by_subject.setdefault(line[:line.index(" ")], []).append(line)
    lines: set[str] = set()
    todo = []
    for k, d in decisions:
        node = match_iri(resolution.records[d.a], resolution.records[d.b])
        old = by_subject.get(f"<{node}>")
        nodes = [line.split(" ", 3)[2] for line in old or () if _EVIDENCE_LINK in line]
        if (old is None or old_sigs.get(node) != sigs[node]
                or any(e not in by_subject for e in nodes)):
            todo.append((k, d))
            continue
        lines.update(old)
        for e in nodes:
            lines.update(by_subject[e])
    text = "".join(part_nquads(
        resolution.records, resolution.works, resolution.versions, record_positions=(),
        work_positions=(), redirects={}, rejections=(), decisions=explained(resolution, todo),
        build=info, with_build=False))
    lines.update(text.splitlines())
    return sorted(lines), len(todo)


def save(directory: Path, lines: Iterable[str], sigs: Mapping[str, str]) -> None:
    """Keep the evidence graph's ``lines`` (sorted, each once) and the decisions'
    signatures in a build's ``directory``."""
    directory = Path(directory)
    lines = list(lines)
    if any(x >= y for x, y in pairwise(lines)):  # kg add gives them sorted
        lines = sorted(set(lines))
    with (directory / EVIDENCE_FILE).open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
        gz.write("".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass"))
    with (directory / SIGNATURES_FILE).open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
        gz.write(json.dumps(dict(sorted(sigs.items()))).encode("utf-8"))


def load(directory: Path) -> tuple[list[str], dict[str, str]] | None:
    """What :func:`save` kept in a build's ``directory``; ``None`` if it kept
    nothing (a build made before)."""
    try:
        with gzip.open(Path(directory) / EVIDENCE_FILE, "rt", encoding="utf-8",
                       errors="surrogatepass") as fh:
            lines = fh.read().splitlines()
        with gzip.open(Path(directory) / SIGNATURES_FILE, "rt", encoding="utf-8") as fh:
            sigs = json.load(fh)
    except (OSError, ValueError):
        return None
    return lines, sigs
