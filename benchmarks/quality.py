"""Resolution quality and speed of kg-resolve and bib-dedupe, side by side,
on the shared labelled data.

For each data set and tool: run the tool as a separate process (wall time and
peak memory measured), take its clusters, and score them against the gold
standard (pairwise and B-cubed precision / recall / F1).  kg-resolve runs as
``kg build`` then ``kg export --format clusters``; bib-dedupe 0.11.0 runs
with its default settings (``run_bib_dedupe.py``) in its own virtual
environment, ``benchmarks/.venv-bib-dedupe``, created from
``requirements-bib-dedupe.txt`` on first use.

    python benchmarks/quality.py --out benchmarks/RESULTS.md --json benchmarks/results.json
    python benchmarks/quality.py dblp-acm cardiac          # some sets, both tools
    python benchmarks/quality.py --tool kg-resolve --gate dblp-acm dblp-scholar cardiac stroke  # CI

DBLP-Scholar (``dblp-scholar``) is scored as linkage: only pairs across
DBLP and Scholar count (its gold labels no Scholar-Scholar pairs), see
``dblp_scholar.py``, which also sorts the missed links by cause.

Every set runs with kg-resolve's defaults.  DBLP-ACM is two tables known to
be free of internal duplicates, and both tools are told so: kg-resolve with
``--clean-source dblp --clean-source acm``, bib-dedupe by dropping matches
within one table.  The data is read from ``../shared/data`` (or ``--data``).
``--gate`` checks kg-resolve's figures against ``benchmarks/floors.json``
and exits 1 if any falls below its floor.
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
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg.store import current_path, store_metadata  # noqa: E402
from resolve.candidates import load_candidates  # noqa: E402
from resolve.evaluate import Scores, clusters_from_groups, evaluate, read_clusters_csv  # noqa: E402
from resolve.unionfind import UnionFind  # noqa: E402

SYSREV = ("cardiac", "depression", "diabetes", "neuroimaging", "cytology_screening",
          "haematology", "stroke")
ALL_SETS = ("dblp-acm", "dblp-scholar", *SYSREV)
# Sets scored over pairs across two sources only: (source a, source b).
CROSS_ONLY = {"dblp-scholar": ("dblp", "scholar")}
TOOLS = ("kg-resolve", "bib-dedupe")
BIB_DEDUPE_ENV = HERE / ".venv-bib-dedupe"
# Settings variants of kg-resolve for --ablation: what the estimated weights
# and the community step each buy over the simpler choice.
VARIANTS = {
    "hand-set weights": {"estimate_weights": False},
    "connected components": {"community_detection": False},
}
# Sets made of tables known to hold no duplicates of their own.
CLEAN_SOURCES = {"dblp-acm": ("dblp", "acm")}
STAGES = ("read", "features", "evidence graph", "candidates", "scoring", "clustering", "works",
          "rdf + load")


# Sets of two tables linked by a mapping file: the mapping, and each table's
# source name and file.
TABLE_SETS = {
    "dblp-acm": ("DBLP-ACM_perfectMapping.csv", ("dblp", "DBLP2.csv"), ("acm", "ACM.csv")),
    "dblp-scholar": ("DBLP-Scholar_perfectMapping.csv", ("dblp", "DBLP1.csv"),
                     ("scholar", "Scholar.csv.gz")),
}


def dataset(data: Path, name: str) -> tuple[list[str], dict]:
    """The ``kg build`` inputs of a set and its gold labels."""
    if name in TABLE_SETS:
        mapping, (sa, fa), (sb, fb) = TABLE_SETS[name]
        d = data / name
        with (d / mapping).open(encoding="utf-8") as fh:
            rows = list(csv.reader(fh))[1:]
        # DBLP-Scholar is many-to-many: the pairs sharing a record are one cluster
        gold = _components([[(sa, a), (sb, b)] for a, b in rows])
        return [f"{sa}={d / fa}", f"{sb}={d / fb}"], gold
    d = data / "sysrev" / name
    files = sorted(d.glob("records_pre_merged*.csv.gz"))
    with (d / "merged_record_ids.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    gold = clusters_from_groups([[(name, i) for i in row[0].split(";")] for row in rows if row])
    return [f"{name}={f}" for f in files], gold


def _components(groups: list[list[tuple[str, str]]]) -> dict:
    """Cluster labels of the connected components of overlapping groups."""
    uf: UnionFind[tuple[str, str]] = UnionFind()
    for group in groups:
        for x in group:
            uf.union(group[0], x)
    return clusters_from_groups(uf.groups())


def cross_scores(predicted: dict, gold: dict, sources: tuple[str, str]) -> Scores:
    """Pairwise scores over pairs that join a record of ``sources[0]`` and
    one of ``sources[1]``; pairs within one source are neither right nor
    wrong (B-cubed is left at 0: it has no cross-only form)."""
    def pairs(labels: dict) -> set:
        groups: dict = {}
        for item, label in labels.items():
            if item[0] in sources:
                groups.setdefault(label, []).append(item)
        out = set()
        for members in groups.values():
            xs = [m for m in members if m[0] == sources[0]]
            ys = [m for m in members if m[0] == sources[1]]
            out.update((x, y) for x in xs for y in ys)
        return out

    pred, true = pairs(predicted), pairs(gold)
    correct = len(pred & true)
    p = correct / len(pred) if pred else 1.0
    r = correct / len(true) if true else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f1, 0.0, 0.0, 0.0, len(true), len(pred), correct)


def gold_pairs(gold: dict, sources: tuple[str, str] | None) -> set[frozenset]:
    """The gold pairs (only those across ``sources`` when given)."""
    groups: dict = {}
    for item, label in gold.items():
        groups.setdefault(label, []).append(item)
    out: set[frozenset] = set()
    for members in groups.values():
        for i, x in enumerate(members):
            for y in members[i + 1:]:
                if sources is None or {x[0], y[0]} == set(sources):
                    out.add(frozenset((x, y)))
    return out


def blocking_recall(store: Path, gold: dict, sources: tuple[str, str] | None) -> float:
    """The share of gold pairs that blocking proposed (were ever scored)."""
    true = gold_pairs(gold, sources)
    if not true:
        return 1.0
    proposed = load_candidates(current_path(store)).within(gold)
    return len(proposed & true) / len(true)


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


def bib_dedupe_python() -> Path:
    """The bib-dedupe environment's interpreter, created on first use."""
    python = BIB_DEDUPE_ENV / "bin" / "python"
    if not python.exists():
        print(f"creating {BIB_DEDUPE_ENV} for bib-dedupe ...", flush=True)
        venv.create(BIB_DEDUPE_ENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r",
                        str(HERE / "requirements-bib-dedupe.txt")], check=True)
    return python


def measure(data: Path, name: str, tool: str, workdir: Path,
            variant: str | None = None) -> dict:
    inputs, gold = dataset(data, name)
    clusters = workdir / f"{name}-{tool}-clusters.csv"
    extra: dict = {}
    if tool == "kg-resolve":
        store = workdir / f"{name}-store"
        kg = [sys.executable, "-m", "kg.cli"]
        flags = [f"--clean-source={s}" for s in CLEAN_SOURCES.get(name, ())]
        if variant:
            settings = workdir / "variant-settings.json"
            settings.write_text(json.dumps(VARIANTS[variant]))
            flags.append(f"--settings={settings}")
        seconds, peak = run([*kg, "build", *inputs, *flags, "--store", str(store), "--quiet"])
        run([*kg, "export", "--store", str(store), "--format", "clusters", "-o", str(clusters)])
        meta = store_metadata(store)
        extra = {"candidate_pairs": meta["summary"]["candidate pairs scored"],
                 "components_split": meta["summary"]["components split"],
                 "stage_seconds": meta["timings"],
                 "blocking_recall": blocking_recall(store, gold, CROSS_ONLY.get(name)),
                 "weights": meta["weights"]}
    else:
        cmd = [str(bib_dedupe_python()), str(HERE / "run_bib_dedupe.py"), name, str(data),
               str(clusters)]
        seconds, peak = run(cmd + (["--clean-sources"] if name in CLEAN_SOURCES else []))
    predicted = read_clusters_csv(clusters)
    s: Scores = (cross_scores(predicted, gold, CROSS_ONLY[name]) if name in CROSS_ONLY
                 else evaluate(predicted, gold))
    return {
        "dataset": name, "tool": tool if not variant else f"kg-resolve, {variant}",
        "records": len(predicted),
        "precision": s.precision, "recall": s.recall, "f1": s.f1,
        "bcubed_f1": s.bcubed_f1, "true_pairs": s.true_pairs,
        "predicted_pairs": s.predicted_pairs, "correct_pairs": s.correct_pairs,
        "seconds": round(seconds, 1), "peak_mib": round(peak), **extra,
    }


def markdown(results: list[dict], command: str) -> str:
    # Grouped by set, in the order of ALL_SETS (a stable sort keeps the tools' order).
    results = sorted(results, key=lambda r: ALL_SETS.index(r["dataset"]))
    lines = [
        "# kg-resolve and bib-dedupe: quality and speed on the shared data",
        "",
        f"Made by `{command}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Each tool runs as a separate process: "
        "seconds are the wall time of the whole process (for kg-resolve `kg build`, "
        "which also writes the RDF store), peak MiB its peak RSS (for bib-dedupe, of its main "
        "process only: its worker processes are not counted). Pairwise precision, "
        "recall and F1 over record pairs; B-cubed F1 per record. Rows 'hand-set weights' "
        "and 'connected components' are kg-resolve without EM estimation and without the "
        "community step (`--ablation`).",
        "",
        "| dataset | records | tool | precision | recall | F1 | B-cubed F1 | seconds "
        "| peak MiB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['dataset']} | {r['records']:,} | {r['tool']} | {r['precision']:.4f} "
            f"| {r['recall']:.4f} | {r['f1']:.4f} | {r['bcubed_f1']:.4f} "
            f"| {r['seconds']} | {r['peak_mib']} |")
    ours = [r for r in results if r["tool"] == "kg-resolve"]
    if not ours:
        return "\n".join(lines) + "\n"
    lines += ["", "kg-resolve: candidate pairs, blocking recall (the share of gold pairs that "
              "were ever scored; DBLP-Scholar: of its cross-source pairs) and components the "
              "community step split:", "",
              "| dataset | candidate pairs | blocking recall | components split |",
              "|---|---:|---:|---:|"]
    for r in ours:
        lines.append(f"| {r['dataset']} | {r['candidate_pairs']:,} "
                     f"| {r.get('blocking_recall', float('nan')):.4f} "
                     f"| {r['components_split']} |")
    lines += weights_table(ours)
    results = ours
    stages = sorted(results[0]["stage_seconds"],
                    key=lambda s: STAGES.index(s) if s in STAGES else len(STAGES))
    lines += ["", "Seconds per stage (inside `kg build`):", "",
              "| dataset | " + " | ".join(stages) + " |", "|---|" + "---:|" * len(stages)]
    for r in results:
        lines.append(f"| {r['dataset']} | " + " | ".join(
            str(r["stage_seconds"].get(s, "")) for s in stages) + " |")
    return "\n".join(lines) + "\n"


def weights_table(results: list[dict]) -> list[str]:
    """The weights EM estimated on each set (log2 Bayes factors), a column
    per set, a row per comparison level."""
    with_weights = [r for r in results if r.get("weights")]
    if not with_weights:
        return []
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for r in with_weights:
        for field, levels in r["weights"]["weights"].items():
            for level, w in levels.items():
                rows.setdefault((field, level), {})[r["dataset"]] = w
    names = [r["dataset"] for r in with_weights]
    lines = ["", "Weights estimated by EM on each set (log2 Bayes factor of each comparison "
             "level; the prior is " + ", ".join(
                 f"{r['dataset']} {r['weights']['prior']}" for r in with_weights) + "):", "",
             "| comparison | level | " + " | ".join(names) + " |",
             "|---|---|" + "---:|" * len(names)]
    for (field, level), ws in rows.items():
        lines.append(f"| {field} | {level} | "
                     + " | ".join(f"{ws[n]:+.2f}" if n in ws else "" for n in names) + " |")
    lines += ["", "Venue names learnt to be one venue on each set (`resolve.venues`: names "
              "that confident pairs put together):", ""]
    for r in with_weights:
        aliases = r["weights"].get("venue aliases", [])
        lines.append(f"- {r['dataset']}: " + ("; ".join(f"`{a}` = `{b}`" for a, b in aliases)
                                                if aliases else "none"))
    return lines


def gate(results: list[dict], floors: dict) -> list[str]:
    failures = []
    for r in results:
        if r["tool"] != "kg-resolve":
            continue
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
    ap.add_argument("--tool", action="append", choices=TOOLS,
                    help="run only this tool (repeatable; default: both)")
    ap.add_argument("--ablation", action="store_true",
                    help="also run kg-resolve with " + " and with ".join(VARIANTS))
    args = ap.parse_args()
    tools = args.tool or list(TOOLS)
    if not args.data.is_dir():
        sys.exit(f"no benchmark data at {args.data} (give --data DIR)")
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        runs = [(n, t, None) for n in args.sets for t in tools]
        if args.ablation:
            runs += [(n, "kg-resolve", v) for n in args.sets for v in VARIANTS]
        for name, tool, variant in runs:
            r = measure(args.data, name, tool, Path(tmp), variant)
            results.append(r)
            print(f"{name:20s} {r['tool']:11s} records {r['records']:>6}  P {r['precision']:.4f}  "
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
