"""Resolution quality and speed of ``kg build`` on the shared labelled data.

For each data set: run ``kg build`` as a user would (a separate process, wall
time and peak memory measured), export the clusters, and score them against
the gold standard (pairwise and B-cubed precision / recall / F1).

    python benchmarks/quality.py                       # all sets, write RESULTS.md
    python benchmarks/quality.py dblp-acm cardiac      # some sets
    python benchmarks/quality.py --gate dblp-acm cardiac   # CI: fail below the floors

The data is read from ``../shared/data`` (or ``--data DIR``).  ``--gate``
checks each set against ``benchmarks/floors.json`` and exits 1 if any
figure falls below its floor.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from resolve.evaluate import Scores, clusters_from_groups, evaluate, read_clusters_csv  # noqa: E402

SYSREV = ("cardiac", "depression", "diabetes", "neuroimaging", "cytology_screening",
          "haematology", "stroke")
ALL_SETS = ("dblp-acm", *SYSREV)
STAGES = ("read", "features", "evidence graph", "candidates", "scoring", "clustering", "works",
          "rdf + load")


def dataset(data: Path, name: str) -> tuple[list[str], dict]:
    """The ``kg build`` inputs of a set and its gold labels."""
    if name == "dblp-acm":
        d = data / "dblp-acm"
        with (d / "DBLP-ACM_perfectMapping.csv").open(encoding="utf-8") as fh:
            rows = list(csv.reader(fh))[1:]
        gold = clusters_from_groups([[("dblp", a), ("acm", b)] for a, b in rows])
        return [f"dblp={d / 'DBLP2.csv'}", f"acm={d / 'ACM.csv'}"], gold
    d = data / "sysrev" / name
    files = sorted(d.glob("records_pre_merged*.csv.gz"))
    with (d / "merged_record_ids.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    gold = clusters_from_groups([[(name, i) for i in row[0].split(";")] for row in rows if row])
    return [f"{name}={f}" for f in files], gold


def run(cmd: list[str]) -> tuple[float, float]:
    """Run a command; wall seconds and peak RSS of the child in MiB."""
    with tempfile.TemporaryFile() as errfile:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errfile)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errfile.seek(0)
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                     + errfile.read().decode(errors="replace"))
    return seconds, usage.ru_maxrss / 1024


def measure(data: Path, name: str, workdir: Path) -> dict:
    inputs, gold = dataset(data, name)
    store = workdir / f"{name}-store"
    clusters = workdir / f"{name}-clusters.csv"
    kg = [sys.executable, "-m", "kg.cli"]
    seconds, peak = run([*kg, "build", *inputs, "--store", str(store), "--quiet"])
    run([*kg, "export", "--store", str(store), "--format", "clusters", "-o", str(clusters)])
    predicted = read_clusters_csv(clusters)
    meta = json.loads((store / "kg-resolve.json").read_text())
    s: Scores = evaluate(predicted, gold)
    return {
        "dataset": name, "records": len(predicted),
        "precision": s.precision, "recall": s.recall, "f1": s.f1,
        "bcubed_f1": s.bcubed_f1, "true_pairs": s.true_pairs,
        "predicted_pairs": s.predicted_pairs, "correct_pairs": s.correct_pairs,
        "candidate_pairs": meta["summary"]["candidate pairs scored"],
        "seconds": round(seconds, 1), "peak_mib": round(peak),
        "stage_seconds": meta["timings"],
    }


def markdown(results: list[dict], command: str) -> str:
    lines = [
        "# kg-resolve quality and speed on the shared data",
        "",
        f"Made by `{command}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; `kg build` run as a separate process "
        "(wall time of the whole process; peak RSS).",
        "",
        "| dataset | records | precision | recall | F1 | B-cubed F1 | candidate pairs "
        "| seconds | peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['dataset']} | {r['records']:,} | {r['precision']:.4f} | {r['recall']:.4f} "
            f"| {r['f1']:.4f} | {r['bcubed_f1']:.4f} | {r['candidate_pairs']:,} "
            f"| {r['seconds']} | {r['peak_mib']} |")
    stages = sorted(results[0]["stage_seconds"],
                    key=lambda s: STAGES.index(s) if s in STAGES else len(STAGES))
    lines += ["", "Seconds per stage (inside `kg build`):", "",
              "| dataset | " + " | ".join(stages) + " |", "|---|" + "---:|" * len(stages)]
    for r in results:
        lines.append(f"| {r['dataset']} | " + " | ".join(
            str(r["stage_seconds"].get(s, "")) for s in stages) + " |")
    return "\n".join(lines) + "\n"


def gate(results: list[dict], floors: dict) -> list[str]:
    failures = []
    for r in results:
        for metric, floor in floors.get(r["dataset"], {}).items():
            if r[metric] < floor:
                failures.append(f"{r['dataset']}: {metric} {r[metric]:.4f} < floor {floor}")
    return failures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", default=list(ALL_SETS), help="data sets to run")
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, help="write the Markdown table here")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    ap.add_argument("--gate", action="store_true", help="fail below benchmarks/floors.json")
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no benchmark data at {args.data} (give --data DIR)")
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for name in args.sets:
            r = measure(args.data, name, Path(tmp))
            results.append(r)
            print(f"{name:20s} records {r['records']:>6}  P {r['precision']:.4f}  "
                  f"R {r['recall']:.4f}  F1 {r['f1']:.4f}  B3-F1 {r['bcubed_f1']:.4f}  "
                  f"{r['seconds']:>7.1f}s  {r['peak_mib']:>6} MiB", flush=True)
    command = "python benchmarks/quality.py " + " ".join(sys.argv[1:])
    if args.out:
        args.out.write_text(markdown(results, command.strip()), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.gate:
        floors = json.loads((HERE / "floors.json").read_text(encoding="utf-8"))
        failures = gate(results, floors)
        for f in failures:
            print("QUALITY GATE FAILED:", f, file=sys.stderr)
        if failures:
            sys.exit(1)
        print("quality gate passed")


if __name__ == "__main__":
    main()
