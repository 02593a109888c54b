"""Scale benchmark: ``kg build`` on 10k, 100k and 1M synthetic records.

    python benchmarks/scale.py                                   # 10k, 100k, 1M
    python benchmarks/scale.py --sizes 10000 100000 --workdir /tmp/kg-scale
    python benchmarks/scale.py --sizes 10000 --no-plot --out /tmp/SCALE.md --json /tmp/scale.json

For each size: generate the records with ``benchmarks/synthetic.py`` (cached
in ``--workdir`` by size, seed and the generator's own hash, so a changed
generator makes new data), run ``kg build DIR/*.jsonl --store ... --quiet``
as a separate process (wall time and peak RSS, measured as in
``benchmarks/quality.py``), read the build's own timings per stage and the
candidate pairs it scored from the store's ``kg-resolve.json``, export the
clusters (``kg export --format clusters``) and score them against the gold
works (pairwise precision, recall, F1; B-cubed F1).  Writes
``benchmarks/SCALE.md`` (``--out``) with one table and the growth exponent of
the time between consecutive sizes, ``log(t2/t1) / log(n2/n1)`` (1 is linear),
and the plot ``benchmarks/scale.png`` (``--plot``; needs matplotlib:
``pip install -e '.[bench]'``).  Each store is deleted once measured unless
``--keep-stores`` (they take about 25 KiB per record: 25 GB at 1M records).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import importlib.util
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from quality import STAGES, run  # noqa: E402  (quality.py puts the repo on sys.path)

from kg.store import store_metadata  # noqa: E402
from resolve.evaluate import evaluate, read_clusters_csv  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
# Pipeline order of the stages kg build reports; stages not listed go last.
STAGE_ORDER = (*STAGES[:-1], "estimation", "rdf", "load", "optimize", "rdf + load", "write")
GENERATOR = HERE / "synthetic.py"


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)
    return module


def generator_hash() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def dataset(workdir: Path, n: int, seed: int) -> tuple[Path, dict]:
    """The generated data for ``n`` records (made unless cached) and its manifest."""
    data = workdir / f"synthetic-{n}-seed{seed}"
    manifest = data / ".manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        if meta.get("generator") == generator_hash():
            return data, {**meta, "cached": True}
    print(f"generating {n:,} records into {data} ...", flush=True)
    t0 = time.perf_counter()
    counts = _synthetic().write_dataset(n, seed, data)
    meta = {"records": n, "seed": seed, "generator": generator_hash(),
            "seconds": round(time.perf_counter() - t0, 1), "counts": counts,
            "bytes": sum(p.stat().st_size for p in data.glob("*.jsonl"))}
    manifest.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return data, {**meta, "cached": False}


def measure(workdir: Path, n: int, seed: int, keep_store: bool = False) -> dict:
    data, meta = dataset(workdir, n, seed)
    store = workdir / f"store-{n}-seed{seed}"
    shutil.rmtree(store, ignore_errors=True)  # ours; a broken earlier run may have left it
    kg = [sys.executable, "-m", "kg.cli"]
    inputs = sorted(glob.glob(str(data / "*.jsonl")))
    print(f"kg build {n:,} records ...", flush=True)
    load = os.getloadavg()[0]
    seconds, peak = run([*kg, "build", *inputs, "--store", str(store), "--quiet"])
    build = store_metadata(store)
    clusters = workdir / f"clusters-{n}-seed{seed}.csv"
    t0 = time.perf_counter()
    run([*kg, "export", "--store", str(store), "--format", "clusters", "-o", str(clusters)])
    export_seconds = time.perf_counter() - t0
    gold = read_clusters_csv(data / "gold.csv")
    s = evaluate(read_clusters_csv(clusters), gold)
    store_bytes = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    if not keep_store:  # ~25 KiB per record: 25 GB at 1M
        shutil.rmtree(store)
    summary = build["summary"]
    return {
        "records": n, "seed": seed, "works_gold": len(set(gold.values())),
        "works": summary.get("works"), "generate_seconds": meta["seconds"],
        "load_before": round(load, 2),
        "generate_cached": meta["cached"], "input_bytes": meta.get("bytes"),
        "seconds": round(seconds, 1), "peak_mib": round(peak),
        "stage_seconds": build["timings"],
        "candidate_pairs": summary.get("candidate pairs scored"),
        "quads": summary.get("quads written"),
        "candidates_per_rule": build.get("candidates per rule"),
        "export_seconds": round(export_seconds, 1), "store_bytes": store_bytes,
        "precision": s.precision, "recall": s.recall, "f1": s.f1, "bcubed_f1": s.bcubed_f1,
        "true_pairs": s.true_pairs, "predicted_pairs": s.predicted_pairs,
        "correct_pairs": s.correct_pairs,
    }


def stage_names(results: list[dict]) -> list[str]:
    seen: list[str] = []
    for r in results:
        seen += [k for k in r["stage_seconds"] if k not in seen]
    known = [s for s in STAGE_ORDER if s in seen]
    return known + [s for s in seen if s not in known]


def _stage_note(stages: list[str]) -> list[str]:
    if "rdf + load" in stages and {"rdf", "load"} & set(stages):
        return ["Stages are as the build reports them: `rdf + load` is the whole graph stage, "
                "`rdf`, `load` and `optimize` its parts (making quads and loading them "
                "overlap), so the stage columns add up to more than the wall time.", ""]
    return []


def exponent(n1: float, t1: float, n2: float, t2: float) -> float | None:
    if t1 <= 0 or t2 <= 0 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def _fmt_exp(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def machine(results: list[dict]) -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, text=True,
                                capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return (f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
            f"{platform.system()}, Python {platform.python_version()}, kg-resolve at commit "
            f"{commit} (plus any uncommitted changes)")


def markdown(results: list[dict], command: str, plot: Path | None) -> str:
    results = sorted(results, key=lambda r: r["records"])
    stages = stage_names(results)
    lines = [
        "# kg-resolve at scale: synthetic records",
        "",
        f"Made by `{command}` on {machine(results)}. The 1-minute load average just "
        "before each build was " + ", ".join(
            f"{r['load_before']:.1f} ({r['records']:,})" for r in results)
        + " (other processes sharing the cores make the times longer).",
        "",
        "The records are made by `benchmarks/synthetic.py` (seed "
        f"{results[0]['seed']}; see its docstring for what varies between the records of a "
        "work and the hard negatives): nine sources in kg-resolve's JSON Lines shape, 1 to 6 "
        "records per work, gold clusters = works. `kg build DIR/*.jsonl --store S --quiet` "
        "runs as a separate process: seconds are its wall time, peak MiB its peak RSS; the "
        "stage columns are the build's own timings (`kg-resolve.json`). Quality is pairwise "
        "precision, recall and F1 over record pairs against the gold works "
        "(`kg export --format clusters`).",
        "",
        *_stage_note(stages),
        "| records | works (gold) | works (built) | seconds | "
        + " | ".join(stages) + " | peak MiB | store MiB | candidate pairs | precision | recall "
        "| F1 |",
        "|" + "---:|" * (10 + len(stages)),
    ]
    for r in results:
        cells = [f"{r['records']:,}", f"{r['works_gold']:,}", f"{r['works'] or 0:,}",
                 f"{r['seconds']}"]
        cells += [str(r["stage_seconds"].get(s, "")) for s in stages]
        store = f"{r['store_bytes'] / 2**20:,.0f}" if r.get("store_bytes") else ""
        cells += [f"{r['peak_mib']:,}", store, f"{r['candidate_pairs'] or 0:,}",
                  f"{r['precision']:.4f}", f"{r['recall']:.4f}", f"{r['f1']:.4f}"]
        lines.append("| " + " | ".join(cells) + " |")
    if len(results) > 1:
        lines += ["", "Growth exponent of the time between consecutive sizes, "
                  "log(t2/t1) / log(n2/n1): 1 is linear, 2 quadratic.", "",
                  "| sizes | wall | " + " | ".join(stages) + " | peak MiB |",
                  "|---|" + "---:|" * (2 + len(stages))]
        for a, b in zip(results, results[1:], strict=False):
            cells = [f"{a['records']:,} → {b['records']:,}",
                     _fmt_exp(exponent(a["records"], a["seconds"], b["records"], b["seconds"]))]
            cells += [_fmt_exp(exponent(a["records"], a["stage_seconds"].get(s, 0),
                                        b["records"], b["stage_seconds"].get(s, 0)))
                      for s in stages]
            cells.append(_fmt_exp(exponent(a["records"], a["peak_mib"],
                                           b["records"], b["peak_mib"])))
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Generating the records (`python benchmarks/synthetic.py --records N "
              "--out DIR`, not part of the build time):", "",
              "| records | seconds | JSON Lines MiB |", "|---:|---:|---:|"]
    for r in results:
        size = f"{r['input_bytes'] / 2**20:,.0f}" if r.get("input_bytes") else ""
        lines.append(f"| {r['records']:,} | {r['generate_seconds']} | {size} |")
    if plot is not None:
        lines += ["", f"![kg build time against records, log-log]({plot.name})"]
    return "\n".join(lines) + "\n"


def require_matplotlib():
    try:
        import matplotlib
    except ImportError:
        sys.exit("the plot needs matplotlib: pip install -e '.[bench]' "
                 "(or pip install matplotlib), or run with --no-plot")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot(results: list[dict], path: Path) -> None:
    plt = require_matplotlib()
    results = sorted(results, key=lambda r: r["records"])
    sizes = [r["records"] for r in results]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.plot(sizes, [r["seconds"] for r in results], "o-", color="black", linewidth=2.5,
            label="kg build (wall)")
    stages = stage_names(results)
    colors = plt.get_cmap("tab20").colors
    for i, s in enumerate(stages):
        ts = [r["stage_seconds"].get(s) for r in results]
        pts = [(n, t) for n, t in zip(sizes, ts, strict=True) if t]
        if pts:
            ax.plot(*zip(*pts, strict=True), "os^vD"[i % 5] + "--", linewidth=1,
                    color=colors[(2 * i) % 20 + (i // 10) % 2], label=s)
    if len(sizes) > 1:  # a linear reference through the first total
        ax.plot(sizes, [results[0]["seconds"] * n / sizes[0] for n in sizes], ":",
                color="grey", label="linear")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("records")
    ax.set_ylabel("seconds")
    ax.set_title("kg build on synthetic records")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path,
                    default=Path(tempfile.gettempdir()) / "kg-scale-bench",
                    help="generated data, stores and exports (kept, so data is reused)")
    ap.add_argument("--out", type=Path, default=HERE / "SCALE.md", help="the Markdown report")
    ap.add_argument("--plot", type=Path, default=HERE / "scale.png")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    ap.add_argument("--keep-stores", action="store_true",
                    help="keep the stores in --workdir (about 25 KiB per record)")
    args = ap.parse_args()
    if not args.no_plot:
        require_matplotlib()  # fail before the builds, not after
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sorted(set(args.sizes)):
        r = measure(args.workdir, n, args.seed, args.keep_stores)
        results.append(r)
        print(f"{n:>9,} records  {r['seconds']:>8.1f} s  {r['peak_mib']:>6,} MiB  "
              f"pairs {r['candidate_pairs'] or 0:>10,}  P {r['precision']:.4f}  "
              f"R {r['recall']:.4f}  F1 {r['f1']:.4f}", flush=True)
    command = "python benchmarks/scale.py " + " ".join(sys.argv[1:])
    plot_path = None if args.no_plot else args.plot
    if plot_path is not None:
        plot(results, plot_path)
    args.out.write_text(markdown(results, command.strip(), plot_path), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
