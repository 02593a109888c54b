"""The lean graph (issue 19): time, peak memory and size of ``kg build`` beside
bib-dedupe in one run, quads per record, the ``--evidence`` levels, the
exports' memory and ``kg dedupe``.

    python benchmarks/lean.py --out benchmarks/LEAN.md --json benchmarks/lean.json
    python benchmarks/lean.py cardiac --before /work/main     # also the code at another checkout

Every command runs as a separate process (wall seconds, peak RSS of the
process).  kg-resolve's and bib-dedupe's quality comes from ``quality.py``'s
``measure`` (the same clusters, the same scores).  ``--before DIR`` also
builds with the kg-resolve of another checkout (its ``.venv``), for the
quads per record and time before a change, in the same run.  Timings share
the machine with whatever else runs on it: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from quality import dataset, measure, run  # noqa: E402

from kg.store import current_path, store_metadata  # noqa: E402

SETS = ("cardiac", "depression")
LEVELS = ("decisions", "all", "none")


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def build_row(name: str, store: Path, label: str, level: str, seconds: float,
              peak: float) -> dict:
    meta = store_metadata(store)
    quads = meta["summary"]["quads written"]
    return {"dataset": name, "code": label, "evidence": level,
            "records": meta["summary"]["records read"], "quads": quads,
            "quads_per_record": round(quads / meta["summary"]["records read"], 1),
            "store_mib": round(_size(current_path(store)) / 2**20),
            "seconds": round(seconds, 1), "peak_mib": round(peak),
            "stage_seconds": meta["timings"]}


def kg_runs(data: Path, name: str, tmp: Path, levels: tuple[str, ...],
            before: Path | None = None) -> list[dict]:
    """``kg build`` at each evidence level, or with the code of the checkout
    ``before`` (run from there, with its own environment)."""
    inputs, _ = dataset(data, name)
    python = str(before / ".venv" / "bin" / "python") if before else sys.executable
    out = []
    for level in levels:
        store = tmp / f"{name}-{'before' if before else 'this'}-{level}"
        flags = [f"--evidence={level}"] if not before else []
        cwd = os.getcwd()
        os.chdir(before or cwd)
        try:
            seconds, peak = run([python, "-m", "kg.cli", "build", *inputs, *flags, "--store",
                                 str(store), "--quiet"])
        finally:
            os.chdir(cwd)
        out.append(build_row(name, store, "before" if before else "this", level, seconds, peak))
    return out


def export_runs(name: str, tmp: Path) -> list[dict]:
    store = tmp / f"{name}-store"
    out = []
    for fmt in ("turtle", "ntriples", "trig", "ris", "bibtex", "csv"):
        target = tmp / f"{name}.{fmt}"
        seconds, peak = run([sys.executable, "-m", "kg.cli", "export", "--store", str(store),
                             "--format", fmt, "-o", str(target)])
        out.append({"dataset": name, "format": fmt, "seconds": round(seconds, 1),
                    "peak_mib": round(peak), "mib": round(target.stat().st_size / 2**20)})
        target.unlink()
    return out


def dedupe_run(data: Path, name: str, tmp: Path) -> dict:
    inputs, _ = dataset(data, name)
    target = tmp / f"{name}-dedupe.ris"
    seconds, peak = run([sys.executable, "-m", "kg.cli", "dedupe", *inputs, "--format", "ris",
                         "-o", str(target), "--quiet"])
    exported = tmp / f"{name}-export.ris"
    run([sys.executable, "-m", "kg.cli", "export", "--store",
         str(tmp / f"{name}-store"), "--format", "ris", "-o", str(exported)])
    same = target.read_bytes() == exported.read_bytes()
    return {"dataset": name, "seconds": round(seconds, 1), "peak_mib": round(peak),
            "same_as_export": same}


def markdown(r: dict, command: str) -> str:
    lines = [
        "# The lean graph (issue 19): kg build beside bib-dedupe, one run",
        "",
        f"Made by `{command}` on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Each command is a separate process: seconds are its "
        "wall time, peak MiB its peak RSS (bib-dedupe: its main process only). **The "
        "machine was shared with other work during the run** (load average "
        f"{r['load']} before it): absolute seconds are noisy, so compare the ratios, which "
        "come from one run.",
        "",
        "## Quality and speed beside bib-dedupe",
        "",
        "| dataset | tool | precision | recall | F1 | B-cubed F1 | seconds | peak MiB "
        "| bib-dedupe seconds / ours |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in r["sets"]:
        q = {x["tool"]: x for x in r["quality"] if x["dataset"] == name}
        for tool, x in q.items():
            ratio = (f"{q['bib-dedupe']['seconds'] / x['seconds']:.1f}"
                     if tool == "kg-resolve" and "bib-dedupe" in q else "")
            lines.append(f"| {name} | {tool} | {x['precision']:.4f} | {x['recall']:.4f} "
                         f"| {x['f1']:.4f} | {x['bcubed_f1']:.4f} | {x['seconds']} "
                         f"| {x['peak_mib']} | {ratio} |")
    lines += ["", "## Graph size and time per `--evidence` level (and the code before)", "",
              "| dataset | code | --evidence | quads | quads per record | store MiB | seconds "
              "| peak MiB |", "|---|---|---|---:|---:|---:|---:|---:|"]
    for x in r["builds"]:
        lines.append(f"| {x['dataset']} | {x['code']} | {x['evidence']} | {x['quads']:,} "
                     f"| {x['quads_per_record']} | {x['store_mib']} | {x['seconds']} "
                     f"| {x['peak_mib']} |")
    lines += ["", "## Exports of the default store", "",
              "| dataset | format | seconds | peak MiB | file MiB |", "|---|---|---:|---:|---:|"]
    for x in r["exports"]:
        lines.append(f"| {x['dataset']} | {x['format']} | {x['seconds']} | {x['peak_mib']} "
                     f"| {x['mib']} |")
    lines += ["", "## `kg dedupe --format ris` (no store)", "",
              "| dataset | seconds | peak MiB | same bytes as build + export |",
              "|---|---:|---:|---|"]
    for x in r["dedupe"]:
        lines.append(f"| {x['dataset']} | {x['seconds']} | {x['peak_mib']} "
                     f"| {'yes' if x['same_as_export'] else 'NO'} |")
    stages = sorted({s for x in r["builds"] for s in x["stage_seconds"]})
    lines += ["", "Seconds per stage inside `kg build`:", "",
              "| dataset | code | --evidence | " + " | ".join(stages) + " |",
              "|---|---|---|" + "---:|" * len(stages)]
    for x in r["builds"]:
        lines.append(f"| {x['dataset']} | {x['code']} | {x['evidence']} | " + " | ".join(
            str(x["stage_seconds"].get(s, "")) for s in stages) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", default=list(SETS))
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--before", type=Path, help="another checkout with a .venv to build with")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--json", type=Path, help="the raw results, rewritten after each step")
    ap.add_argument("--skip", action="append", default=[],
                    choices=("levels", "exports", "dedupe"),
                    help="leave out the other --evidence levels, the exports or kg dedupe")
    args = ap.parse_args()
    command = "python benchmarks/lean.py " + " ".join(sys.argv[1:])

    def save() -> None:  # after each step, so that a long run leaves what it measured
        if args.out:
            args.out.write_text(markdown(result, command.strip()), encoding="utf-8")
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    result: dict = {"sets": args.sets, "load": round(os.getloadavg()[0], 1), "quality": [],
                    "builds": [], "exports": [], "dedupe": []}
    with tempfile.TemporaryDirectory(prefix="kg-lean-") as tmp_name:
        tmp = Path(tmp_name)
        for name in args.sets:
            for tool in ("kg-resolve", "bib-dedupe"):
                result["quality"].append(measure(args.data, name, tool, tmp))
                print(json.dumps({k: v for k, v in result["quality"][-1].items()
                                  if k not in ("weights", "stage_seconds")}), flush=True)
            ours = result["quality"][-2]  # the default build, scored by measure()
            result["builds"].append(build_row(name, tmp / f"{name}-store", "this", "decisions",
                                              ours["seconds"], ours["peak_mib"]))
            save()
            if "levels" not in args.skip:
                result["builds"] += kg_runs(args.data, name, tmp, LEVELS[1:])
            if args.before:
                result["builds"] += kg_runs(args.data, name, tmp, ("decisions",),
                                            args.before.resolve())
            print(json.dumps(result["builds"][-1]), flush=True)
            save()
            if "exports" not in args.skip:
                result["exports"] += export_runs(name, tmp)
                save()
            if "dedupe" not in args.skip:
                result["dedupe"].append(dedupe_run(args.data, name, tmp))
                save()
            print(json.dumps(result["exports"][-6:] + result["dedupe"][-1:]), flush=True)


if __name__ == "__main__":
    main()
