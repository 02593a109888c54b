"""``kg report``: one self-contained HTML page that explains a build.

:func:`collect` reads what the page shows from a store directory (the build's
metadata, its candidate pairs with their scores, and a few queries over the
graph) into a :class:`ReportData`; :func:`render` turns that into HTML with
the charts of :mod:`kg.charts` inlined, the page skeleton and its style being
``kg/templates/report.html``.  Nothing on the page comes from the network, and
nothing depends on the time or machine it is made on: the same store (and
gold) gives the same bytes.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import urlencode

import numpy as np

from resolve.candidates import CANDIDATES_FILE, Candidates, load_candidates

from .evaluation import Evaluation, evaluate_store, stored_scores
from .queries import run_query, term_text
from .vocab import DATA

TEMPLATE = Path(__file__).with_name("templates") / "report.html"
SHOW = 15
"""Rows in the tables of largest and most uncertain works."""

WORKS_QUERY = """
SELECT ?id ?n WHERE { ?w a fabio:Work ; dcterms:identifier ?id ; kgr:recordCount ?n . }
"""

WORK_QUERY = """
SELECT ?title ?year (GROUP_CONCAT(DISTINCT ?source; separator=", ") AS ?sources) WHERE {
  ?w a fabio:Work ; dcterms:identifier $id .
  OPTIONAL { ?w dcterms:title ?title }
  OPTIONAL { ?w fabio:hasPublicationYear ?year }
  OPTIONAL { ?r a kgr:SourceRecord ; frbr:realizationOf ?w ; kgr:source ?source }
} GROUP BY ?title ?year
"""

# A work's weakest merged link: the lowest score of a merged pair of its records.
UNCERTAIN_QUERY = """
SELECT ?id (MIN(?score) AS ?weakest) (COUNT(DISTINCT ?m) AS ?pairs) WHERE {
  GRAPH ?g { ?m a kgr:Match ; rdfs:label "merged" ; kgr:matchedRecord ?r ;
                kgr:matchScore ?score . }
  ?r frbr:realizationOf ?w . ?w a fabio:Work ; dcterms:identifier ?id .
} GROUP BY ?id
"""


@dataclass
class WorkRow:
    work: str
    records: int
    title: str = ""
    year: str = ""
    sources: str = ""
    weakest: float | None = None
    """The lowest score of a merged pair in the work (uncertain works)."""


@dataclass
class ReportData:
    store: str
    meta: dict
    sizes: dict[int, int]
    """Works per number of records."""
    scores: np.ndarray
    """Match probabilities of the pairs the score distribution shows."""
    scores_from: str
    """What those pairs are: all candidate pairs, or those the graph keeps."""
    largest: list[WorkRow]
    uncertain: list[WorkRow]
    gold: str | None = None
    evaluation: Evaluation | None = None
    curve: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    """Threshold (match weight), precision, recall of the candidate pairs."""
    notes: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> float:
        return float(self.meta.get("settings", {}).get("match_threshold", 0.5))

    @property
    def build(self) -> str:
        return str(self.meta.get("build", ""))


SIZE_BANDS = ((11, 20), (21, 50), (51, 100), (101, 1000), (1001, None))
"""Bands of cluster sizes above 10, so the chart stays readable for any store."""


def size_bands(sizes: dict[int, int]) -> dict[str, int]:
    """Works per number of records: 1 to 10 one by one, larger ones in bands."""
    out: dict[str, int] = {str(n): c for n, c in sorted(sizes.items()) if n <= 10}
    for lo, hi in SIZE_BANDS:
        count = sum(c for n, c in sizes.items() if n >= lo and (hi is None or n <= hi))
        if count:
            out[f"{lo}-{hi}" if hi else f"{lo}+"] = count
    return out


def weight_of(p: np.ndarray | float) -> np.ndarray:
    """Match probability as match weight, log2 odds (clipped to +-40)."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    return np.clip(np.log2(q / (1 - q)), -40.0, 40.0)


def _work_rows(oxi, ids: list[tuple[str, int]], weakest: dict[str, float]) -> list[WorkRow]:
    rows = []
    for work, n in ids:
        row = WorkRow(work, n, weakest=weakest.get(work))
        for s in run_query(oxi, WORK_QUERY, {"id": work}):
            row.title, row.year = term_text(s["title"]), term_text(s["year"])
            row.sources = term_text(s["sources"])
        rows.append(row)
    return rows


def pr_curve(candidates: Candidates, labels: dict, gold_pairs: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise precision and recall of the candidate pairs scored at or above
    each threshold (a match weight, one per unit from the lowest to the highest
    score), against gold ``labels`` with ``gold_pairs`` pairs: how the choice
    of threshold trades one for the other, before clustering."""
    assert candidates.scores is not None
    number: dict[object, int] = {}
    lab = np.fromiter((number.setdefault(labels[k], len(number)) if k in labels else -1
                       for k in candidates.keys), dtype=np.int64, count=len(candidates.keys))
    same = (lab[candidates.a] == lab[candidates.b]) & (lab[candidates.a] >= 0)
    w = weight_of(candidates.scores)
    grid = np.arange(math.floor(w.min(initial=0.0)), math.ceil(w.max(initial=0.0)) + 1, 1.0)
    order = np.argsort(-w, kind="stable")
    ws, hits = w[order], np.cumsum(same[order])
    # pairs at or above each threshold: those before the first weight below it
    k = np.searchsorted(-ws, -grid, side="right")
    tp = np.where(k > 0, hits[np.maximum(k - 1, 0)], 0)
    precision = np.where(k > 0, tp / np.maximum(k, 1), 1.0)
    recall = tp / gold_pairs if gold_pairs else np.ones_like(grid)
    return grid, precision, recall


def collect(store: Path, gold: Path | None = None, gold_format: str = "auto",
            show: int = SHOW) -> ReportData:
    """Everything the report shows, read from the build now current at ``store``."""
    from .store import open_store, pin_store, store_metadata

    with pin_store(store) as pinned:
        meta = store_metadata(pinned.path)
        oxi = open_store(pinned.path)
        notes: list[str] = []
        try:
            candidates: Candidates | None = load_candidates(pinned.path / CANDIDATES_FILE)
        except FileNotFoundError:
            candidates = None
            notes.append(f"The store has no {CANDIDATES_FILE} (built by an older version).")
        if candidates is not None and candidates.scores is not None:
            scores = candidates.scores
            scores_from = f"all {len(scores):,} candidate pairs scored"
        else:
            scores = np.array(sorted(stored_scores(oxi).values()), dtype=np.float64)
            scores_from = (f"the {len(scores):,} pairs the evidence graph keeps (merged pairs "
                           "and near misses; this build did not save every candidate's score)")
        counts = sorted(((term_text(s["id"]), int(term_text(s["n"])))
                         for s in run_query(oxi, WORKS_QUERY)), key=lambda x: (-x[1], x[0]))
        sizes: dict[int, int] = {}
        for _, n in counts:
            sizes[n] = sizes.get(n, 0) + 1
        weakest = {term_text(s["id"]): float(term_text(s["weakest"]))
                   for s in run_query(oxi, UNCERTAIN_QUERY)}
        size_of = dict(counts)
        largest = _work_rows(oxi, counts[:show], weakest)
        shaky = sorted(weakest.items(), key=lambda x: (x[1], x[0]))[:show]
        uncertain = _work_rows(oxi, [(w, size_of[w]) for w, _ in shaky], weakest)
        data = ReportData(str(store), meta, dict(sorted(sizes.items())), scores, scores_from,
                          largest, uncertain, notes=notes)
        if gold is not None:
            data.gold = str(gold)
            data.evaluation = evaluate_store(oxi, gold, gold_format, show, candidates)
            if candidates is not None and candidates.scores is not None:
                from resolve.evaluate import gold_labels, read_gold

                from .evaluation import store_records

                labels, _ = gold_labels(read_gold(gold, gold_format), store_records(oxi))
                data.curve = pr_curve(candidates, labels, data.evaluation.scores.true_pairs)
    return data


# ---------------------------------------------------------------- rendering

def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells are HTML already (escape them first)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _chart(uri: str, alt: str, caption: str) -> str:
    return (f'<figure class="chart"><img src="{uri}" alt="{_e(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def review_root(base: str) -> str | None:
    """The ``kg serve`` that ``base`` names (``http://HOST:PORT/id/`` gives
    ``http://HOST:PORT/``), whose ``/review`` page the uncertain works link to;
    None for the graph's own IRIs or a base that is not a server's ``/id/``."""
    if base == DATA or not base.endswith("/id/") or not base.startswith(("http://", "https://")):
        return None
    return base.removesuffix("id/")


def _work_link(work: str, base: str) -> str:
    return f'<a href="{_e(base)}work/{_e(work)}"><code>{_e(work)}</code></a>'


def _prisma(p: dict) -> str:
    per = "".join(f"<li>{_e(s)}: {n:,}</li>" for s, n in p.get("records per source", {}).items())
    rejected = "".join(f"<li>{_e(s)}: {n:,}</li>"
                       for s, n in p.get("rejected per source", {}).items())
    box = '<div class="box{cls}"><b>{title}</b><span class="n">{n}</span>{more}</div>'
    return ('<div class="prisma">'
            + box.format(cls="", title="Records identified", n=f"{p['records read']:,}",
                         more=f"<ul>{per}</ul>")
            + '<div class="arrow">&darr;</div><div class="row">'
            + box.format(cls=" out", title="Rejected (unreadable)",
                         n=f"{p['records rejected']:,}",
                         more=f"<ul>{rejected}</ul>" if rejected else "")
            + box.format(cls="", title="Records in works", n=f"{p['records in works']:,}",
                         more="")
            + '</div><div class="arrow">&darr;</div><div class="row">'
            + box.format(cls=" out", title="Duplicates removed",
                         n=f"{p['duplicates removed']:,}", more="")
            + box.format(cls=" final", title="Works", n=f"{p['works']:,}",
                         more=f"<small>{p.get('works with duplicates', 0):,} with duplicates"
                              "</small>")
            + "</div></div>")


def _weights_rows(weights: dict) -> list[tuple[str, str, float]]:
    """``(comparison, level, weight)`` in the order of the comparison table
    (fields in pipeline order, levels from agreement to disagreement), then
    any the table no longer has."""
    from resolve.comparisons import ALL_COMPARISONS

    rows, seen = [], set()
    for comp in ALL_COMPARISONS:
        levels = weights.get(comp.field, {})
        for lv in comp.levels:
            if lv.name in levels:
                rows.append((comp.field, lv.name, float(levels[lv.name])))
                seen.add((comp.field, lv.name))
    rows += [(comp, level, float(w)) for comp, levels in weights.items()
             for level, w in levels.items() if (comp, level) not in seen]
    return rows


def _evaluation(data: ReportData, base: str) -> str:
    ev = data.evaluation
    assert ev is not None
    s = ev.scores
    rows = [["pairwise", f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}"],
            ["B-cubed", f"{s.bcubed_precision:.4f}", f"{s.bcubed_recall:.4f}",
             f"{s.bcubed_f1:.4f}"]]
    out = [f"<p>Against <code>{_e(data.gold)}</code>: {s.true_pairs:,} gold pairs, "
           f"{s.predicted_pairs:,} predicted, {s.correct_pairs:,} correct, at the build's "
           f"threshold {data.threshold:g} (after clustering).</p>",
           _table(["", "precision", "recall", "F1"], rows, "num")]
    if ev.blocking is not None:
        b = ev.blocking
        out.append(f"<p>Blocking recall {b.recall:.4f}: {b.candidates:,} of "
                   f"{b.gold_pairs:,} gold pairs were candidates; of the missed pairs "
                   f"{b.missed_not_candidates:,} never were, {b.missed_candidates:,} were "
                   "scored too low or split apart.</p>")
    if data.curve is not None:
        from . import charts

        grid, p, r = data.curve
        out.append(_chart(charts.precision_recall(grid, p, r, float(weight_of(data.threshold))),
                          "precision and recall against the threshold",
                          "Pairwise precision and recall of the candidate pairs scored at or "
                          "above a threshold, before clustering; the dashed line is the "
                          "build's threshold."))
    if ev.problems:
        out.append(f"<p>{len(ev.problems):,} gold problems; first: {_e(ev.problems[0])}</p>")
    out.append(f"<h3>Worst false merges ({ev.false_merge_pairs:,} false pairs)</h3>")
    merges = []
    for w in ev.worst_merges:
        members = "<br>".join(f"[gold {_e(g)}] {_e(r.key[0])}:{_e(r.key[1])} "
                              f"({_e(r.year or '?')}) {_e(r.title)}" for r, g in w.records)
        strongest = (f"{w.strongest.score:.4f}" if w.strongest and w.strongest.score is not None
                     else "joined through others")
        merges.append([_work_link(w.work, base), str(w.false_pairs), members, strongest])
    out.append(_table(["work", "false pairs", "records [gold cluster]", "strongest wrong link"],
                      merges) if merges else "<p>None.</p>")
    out.append(f"<h3>Worst missed pairs ({ev.missed_pairs:,}; never scored: "
               f"{ev.never_candidates:,})</h3>")
    misses = []
    for x in ev.worst_misses:
        evidence = ", ".join(f"{_e(f)} {_e(lvl)} {w:+g}" for f, lvl, w in x.evidence if w)
        misses.append([f"{_e(x.a.key[0])}:{_e(x.a.key[1])} {_e(x.a.title)}",
                       f"{_e(x.b.key[0])}:{_e(x.b.key[1])} {_e(x.b.title)}",
                       f"{x.score:.4f}" if x.score is not None else "never scored",
                       evidence])
    out.append(_table(["record", "record", "score", "evidence"], misses)
               if misses else "<p>None.</p>")
    return "\n".join(out)


def render(data: ReportData, base: str = DATA) -> str:
    """The report page as HTML text; work ids link to ``base`` + ``work/ID``
    (the graph's own IRIs, or a ``kg serve`` at ``http://HOST:PORT/id/``)."""
    from . import charts

    meta = data.meta
    p = meta.get("prisma", {})
    summary = meta.get("summary", {})
    est = meta.get("weights", {})
    threshold_w = float(weight_of(data.threshold))
    sections: list[str] = []

    inputs = _table(["source", "file", "format"],
                    [[_e(i.get("source")), f"<code>{_e(i.get('path'))}</code>",
                      _e(i.get("format"))] for i in meta.get("inputs", [])])
    counts = _table(["", ""], [[_e(k), f"{v:,}" if isinstance(v, int) else _e(v)]
                               for k, v in summary.items()], "num kv")
    sections.append(f'<section id="counts"><h2>Counts</h2>{counts}'
                    f"<h3>Inputs</h3>{inputs}</section>")

    if p:
        per = p.get("records per source", {})
        chart = (_chart(charts.hbars(list(per), list(per.values()), "records"),
                        "records per source", "Records read from each source.") if per else "")
        sections.append(f'<section id="prisma"><h2>PRISMA flow</h2>{_prisma(p)}{chart}'
                        "</section>")

    if est.get("weights"):
        rows = _weights_rows(est["weights"])
        how = ("estimated by EM from the candidate pairs" if est.get("estimated")
               else "the hand-set weights (too few pairs to estimate)")
        detail = (f"{how}; {est.get('iterations', 0)} iterations, "
                  f"{'converged' if est.get('converged') else 'not converged'}, "
                  f"{est.get('pairs', 0):,} pairs")
        sections.append(
            '<section id="weights"><h2>Match weights</h2>'
            + _chart(charts.match_weights(rows, float(est.get("prior", 0.0))),
                     "match weights per comparison level",
                     f"The weight of each comparison level (log2 Bayes factor), {_e(detail)}. "
                     "A pair's match weight is the prior plus the weight of the level each "
                     "field reached; blue is evidence for a match, red against.")
            + "</section>")

    if len(data.scores):
        sections.append(
            '<section id="scores"><h2>Score distribution</h2>'
            + _chart(charts.score_histogram(weight_of(data.scores), threshold_w),
                     "score distribution with the threshold",
                     f"Match weights of {_e(data.scores_from)}; the dashed line is the match "
                     f"threshold (probability {data.threshold:g}, weight {threshold_w:+.1f}).")
            + "</section>")

    if data.sizes:
        bands = size_bands(data.sizes)
        sections.append(
            '<section id="clusters"><h2>Cluster sizes</h2>'
            + _chart(charts.cluster_sizes(list(bands), list(bands.values())),
                     "cluster sizes", "How many works have each number of records. "
                     f"The largest has {max(data.sizes):,}.")
            + "</section>")

    per_rule = meta.get("candidates per rule", {})
    if per_rule:
        ranked = sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        sections.append(
            '<section id="blocking"><h2>Blocking rules</h2>'
            + _chart(charts.hbars([k for k, _ in ranked], [v for _, v in ranked],
                                  "candidate pairs proposed", log=True),
                     "candidate pairs per blocking rule",
                     "Candidate pairs each rule proposed that no rule before it in "
                     "blocking's order had (a pair counts once, under the first rule), "
                     "before pairs with unlike titles were screened out; "
                     f"{summary.get('candidate pairs scored', 0):,} pairs were scored.")
            + _table(["rule", "pairs"], [[_e(k), f"{v:,}"] for k, v in ranked], "num")
            + "</section>")

    timings = {k: v for k, v in meta.get("timings", {}).items() if k != "rdf + load"}
    if timings:
        sections.append(
            '<section id="times"><h2>Stage times</h2>'
            + _chart(charts.hbars(list(timings), list(timings.values()), "seconds"),
                     "seconds per stage",
                     "Seconds each stage took (making the RDF and loading it overlap).")
            + "</section>")

    review = review_root(base)

    def work_table(rows: list[WorkRow], weakest: bool) -> str:
        header = ["work", "records", "year", "title", "sources"]
        if weakest:
            header.append("weakest merged link")
            if review:
                header.append("review")
        body = []
        for w in rows:
            cells = [_work_link(w.work, base), str(w.records), _e(w.year), _e(w.title),
                     _e(w.sources)]
            if weakest:
                cells.append(f"{w.weakest:.4f}" if w.weakest is not None else "")
                if review:
                    href = f"{review}review?{urlencode({'work': w.work})}"
                    cells.append(f'<a class="review" href="{_e(href)}">review</a>')
            body.append(cells)
        return _table(header, body) if body else "<p>None.</p>"

    sections.append(f'<section id="largest"><h2>Largest works</h2>'
                    f"{work_table(data.largest, False)}</section>")
    sections.append('<section id="uncertain"><h2>Most uncertain works</h2><p>Works whose '
                    "weakest merged pair scored lowest: the first to check"
                    + (" (<em>review</em> opens that pair on the server's review page)"
                       if review else "") + ".</p>"
                    f"{work_table(data.uncertain, True)}</section>")
    if data.evaluation is not None:
        sections.append(f'<section id="gold"><h2>Against the gold</h2>'
                        f"{_evaluation(data, base)}</section>")
    notes = "".join(f"<p class=note>{_e(n)}</p>" for n in data.notes)
    return Template(TEMPLATE.read_text("utf-8")).substitute(
        title=_e(f"kg-resolve report: {data.store}"),
        store=_e(data.store), build=_e(data.build),
        version=_e(meta.get("version", "")), started=_e(meta.get("started", "")),
        notes=notes, body="\n".join(sections))


def write_report(store: Path, output: Path | None, gold: Path | None = None,
                 gold_format: str = "auto", base: str = DATA) -> str:
    """Collect and render the report of ``store``; write it to ``output``
    (``None``: only return it)."""
    text = render(collect(store, gold, gold_format), base)
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
    return text
