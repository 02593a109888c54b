"""Citation benchmark: kg-resolve (and bib-dedupe) on synthetic reference-list citations.

    python benchmarks/citations.py                          # 2,000 works, seed 1, both tools
    python benchmarks/citations.py --works 500 --tool kg-resolve --out /tmp/CITATIONS.md

Generates the citations with ``benchmarks/synthetic.py citations`` (one source,
``citations.jsonl``, and ``gold.csv``; see the citation section of that module for
the shapes), runs ``kg build`` on them as a separate process (wall time and peak RSS,
measured as in ``benchmarks/quality.py``), then ``kg evaluate gold.csv --format json``
for pairwise and B-cubed precision / recall / F1 and how many missed pairs were never
scored.  bib-dedupe 0.11.0 runs beside it with its defaults, from the environment
``quality.py`` makes (``benchmarks/.venv-bib-dedupe``), through ``run_bib_dedupe.py``
with the citations mapped onto its fields.  Writes ``benchmarks/CITATIONS.md``
(``--out``) and, if asked, the raw figures as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from quality import bib_dedupe_python, run  # noqa: E402  (quality.py puts the repo on sys.path)

from resolve.evaluate import evaluate, read_clusters_csv  # noqa: E402

TOOLS = ("kg-resolve", "bib-dedupe")


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", HERE / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)
    return module


def shape(gold: dict) -> dict:
    """Records, works, pairs and citations per work of a gold clustering."""
    sizes = Counter(Counter(gold.values()).values())
    return {"records": len(gold), "works": sum(sizes.values()),
            "true_pairs": sum(n * k * (k - 1) // 2 for k, n in sizes.items()),
            "cited_once": sizes[1], "cited_twice": sizes[2],
            "cited_30_plus": sum(n for k, n in sizes.items() if k >= 30),
            "most_cited": max(sizes)}


def run_kg(data: Path, workdir: Path) -> dict:
    store = workdir / "store"
    shutil.rmtree(store, ignore_errors=True)
    kg = [sys.executable, "-m", "kg.cli"]
    seconds, peak = run([*kg, "build", str(data / "citations.jsonl"), "--store", str(store),
                         "--quiet"])
    meta = json.loads((store / "kg-resolve.json").read_text(encoding="utf-8"))
    out = subprocess.run([*kg, "evaluate", str(data / "gold.csv"), "--store", str(store),
                          "--format", "json", "--show", "0"], capture_output=True, text=True,
                         check=True)
    ev = json.loads(out.stdout)
    summary = meta["summary"]
    return {"tool": "kg-resolve", **ev["scores"], "seconds": round(seconds, 1),
            "peak_mib": round(peak), "works": summary.get("works"),
            "candidate_pairs": summary.get("candidate pairs scored"),
            "false_merge_pairs": ev["false_merge_pairs"], "missed_pairs": ev["missed_pairs"],
            "never_scored": ev["never_candidates"], "stage_seconds": meta["timings"],
            "candidates_per_rule": meta.get("candidates per rule")}


def run_bib_dedupe(data: Path, workdir: Path, gold: dict) -> dict:
    clusters = workdir / "bib-dedupe-clusters.csv"
    seconds, peak = run([str(bib_dedupe_python()), str(HERE / "run_bib_dedupe.py"),
                         "citations", str(data), str(clusters)])
    predicted = read_clusters_csv(clusters)
    s = evaluate(predicted, gold)
    return {"tool": "bib-dedupe", "precision": s.precision, "recall": s.recall, "f1": s.f1,
            "bcubed_precision": s.bcubed_precision, "bcubed_recall": s.bcubed_recall,
            "bcubed_f1": s.bcubed_f1, "true_pairs": s.true_pairs,
            "predicted_pairs": s.predicted_pairs, "correct_pairs": s.correct_pairs,
            "seconds": round(seconds, 1), "peak_mib": round(peak),
            "works": len(set(predicted.values()))}


def machine() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                                capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, kg-resolve at commit {commit}")


def markdown(results: list[dict], data: dict, command: str) -> str:
    lines = [
        "# kg-resolve on reference-list citations (synthetic)",
        "",
        f"Made by `{command}` on {machine()}, with other processes sharing the cores.",
        "",
        "The citations are made by `python benchmarks/synthetic.py citations --works "
        f"{data['works']} --seed {data['seed']} --out DIR` (one file, source `citations`): "
        "reference-list entries parsed into fields, lower case, punctuation around every "
        "field, quoted titles, `(1992),`, `pp. 322-331.`, abbreviated proceedings with "
        "place and year, initials-first author lists with `and`, `et al.` and cut lists, "
        "hyphenation breaks, mojibake, missing and impossible years, publisher or edition "
        "glued onto book titles, field boundaries a few words off; look-alike works (series "
        "parts, a conference paper and its journal version, follow-ups) are different works "
        "in the gold. See the citation section of `benchmarks/synthetic.py`.",
        "",
        f"{data['records']:,} citations of {data['works']:,} works "
        f"({data['true_pairs']:,} gold pairs): {data['cited_once']:,} works cited once, "
        f"{data['cited_twice']:,} twice, {data['cited_30_plus']:,} 30 times or more "
        f"(at most {data['most_cited']}).",
        "",
        "Pairwise precision, recall and F1 over record pairs, B-cubed F1 per record. "
        "Seconds are the wall time of the tool's process (for kg-resolve `kg build`, "
        "which also writes the RDF store), peak MiB its peak RSS.",
        "",
        "| tool | works built | precision | recall | F1 | B-cubed F1 | seconds | peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['tool']} | {r['works'] or 0:,} | {r['precision']:.4f} "
                     f"| {r['recall']:.4f} | {r['f1']:.4f} | {r['bcubed_f1']:.4f} "
                     f"| {r['seconds']} | {r['peak_mib']:,} |")
    ours = next((r for r in results if r["tool"] == "kg-resolve"), None)
    if ours:
        st = ours["stage_seconds"]
        lines += [
            "",
            f"kg-resolve scored {ours['candidate_pairs']:,} candidate pairs; of the "
            f"{ours['missed_pairs']:,} missed gold pairs, {ours['never_scored']:,} were never "
            "scored (not a candidate, or below the near-miss level) and the rest were scored "
            f"and not joined; {ours['false_merge_pairs']:,} predicted pairs join different "
            "works (`kg evaluate`).",
            "",
            "Candidate pairs per blocking rule: " + ", ".join(
                f"{k} {v:,}" for k, v in sorted((ours["candidates_per_rule"] or {}).items()))
            + ".",
            "",
            "Seconds per stage inside `kg build` (`rdf + load` is the graph stage, "
            "`rdf`, `load` and `optimize` its overlapping parts): " + ", ".join(
                f"{k} {v}" for k, v in st.items()) + ".",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--works", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tool", action="append", choices=TOOLS,
                    help="run only this tool (repeatable; default: both)")
    ap.add_argument("--workdir", type=Path,
                    default=Path(tempfile.gettempdir()) / "kg-citations-bench")
    ap.add_argument("--out", type=Path, default=HERE / "CITATIONS.md")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    args = ap.parse_args()
    tools = args.tool or list(TOOLS)
    data = args.workdir / f"citations-{args.works}-seed{args.seed}"
    shutil.rmtree(data, ignore_errors=True)
    _synthetic().write_citations(args.works, args.seed, data)
    gold = read_clusters_csv(data / "gold.csv")
    info = {**shape(gold), "seed": args.seed}
    print(f"{info['records']:,} citations of {info['works']:,} works in {data}", flush=True)
    results = []
    for tool in tools:
        r = run_kg(data, args.workdir) if tool == "kg-resolve" else \
            run_bib_dedupe(data, args.workdir, gold)
        results.append(r)
        print(f"{tool:11s} P {r['precision']:.4f}  R {r['recall']:.4f}  F1 {r['f1']:.4f}  "
              f"B3-F1 {r['bcubed_f1']:.4f}  {r['seconds']:>7.1f}s  {r['peak_mib']:>6} MiB",
              flush=True)
    command = ("python benchmarks/citations.py " + " ".join(sys.argv[1:])).strip()
    args.out.write_text(markdown(results, info, command), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"data": info, "results": results}, indent=2) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
