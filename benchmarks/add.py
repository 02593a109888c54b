"""``kg add`` of 1% new records against a full ``kg build`` of all of them.

    python benchmarks/add.py [--data ../shared/data] [--share 0.01] [--out benchmarks/ADD.md]

Takes the depression review set (79,880 records in two CSV files), sets every
``1/share``-th record aside as the new search's hits, and runs, each as its
own process (wall time of the whole process):

1. ``kg build base.csv`` (the store the add starts from: not compared),
2. ``kg add new.csv`` on that store,
3. ``kg build base.csv new.csv`` into a fresh store (the full build),

then compares the two results: works alike (the same records), pairwise
agreement of the add's works with the full build's, and how many works of
the first build kept their id.  Writes the figures as Markdown, with the
command and each run's stage timings (``kg info``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = [str(Path(sys.executable).parent / "kg")]  # the installed command


def split(data: Path, share: float, out: Path) -> tuple[int, int]:
    """Write ``out/base.csv`` and ``out/new.csv``; their numbers of records."""
    folder = data / "sysrev" / "depression"
    every = round(1 / share)
    n_base = n_new = 0
    with (out / "base.csv").open("w", encoding="utf-8", newline="") as bf, \
            (out / "new.csv").open("w", encoding="utf-8", newline="") as nf:
        base, new = csv.writer(bf), csv.writer(nf)
        header_written = False
        n = 0
        for part in ("records_pre_merged_part1.csv.gz", "records_pre_merged_part2.csv.gz"):
            with gzip.open(folder / part, "rt", encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader)
                if not header_written:
                    base.writerow(header)
                    new.writerow(header)
                    header_written = True
                for row in reader:
                    n += 1
                    if n % every == 0:
                        new.writerow(row)
                        n_new += 1
                    else:
                        base.writerow(row)
                        n_base += 1
    return n_base, n_new


LOADS: list[float] = []
"""The 1-minute load average after each run."""


def run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([*KG, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    LOADS.append(os.getloadavg()[0])
    return time.perf_counter() - t


def clusters(store: Path) -> dict[tuple[str, str], str]:
    out = subprocess.run([*KG, "export", "--store", str(store), "-f", "clusters", "-o", "-"],
                         check=True, cwd=ROOT, capture_output=True, text=True).stdout
    rows = csv.DictReader(io.StringIO(out))
    return {(r["source"], r["record_id"]): r["work_id"] for r in rows}


def groups(assign: dict[tuple[str, str], str]) -> dict[str, frozenset]:
    by: dict[str, set] = {}
    for k, w in assign.items():
        by.setdefault(w, set()).add(k)
    return {w: frozenset(ks) for w, ks in by.items()}


def pairs(assign: dict[tuple[str, str], str]) -> set[frozenset]:
    return {frozenset(p) for ks in groups(assign).values() if len(ks) > 1
            for p in combinations(sorted(ks), 2)}


def info(store: Path) -> dict:
    out = subprocess.run([*KG, "info", "--store", str(store)], check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--share", type=float, default=0.01)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "ADD.md")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default: temp)")
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix="kg-add-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    n_base, n_new = split(a.data, a.share, work)
    base_csv, new_csv = f"depression={work / 'base.csv'}", f"depression={work / 'new.csv'}"
    added, full = work / "added", work / "full"
    for s in (added, full):
        shutil.rmtree(s, ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    t_base = run(["build", "-q", base_csv, "--store", str(added)])
    before = clusters(added)
    t_add = run(["add", "-q", new_csv, "--store", str(added)])
    t_full = run(["build", "-q", base_csv, new_csv, "--store", str(full)])
    after, whole = clusters(added), clusters(full)
    add_info, full_info = info(added), info(full)

    g_after, g_whole = set(groups(after).values()), set(groups(whole).values())
    p_after, p_whole = pairs(after), pairs(whole)
    common = len(p_after & p_whole)
    precision = common / len(p_after) if p_after else 1.0
    recall = common / len(p_whole) if p_whole else 1.0
    first_ids = set(before.values())
    kept = len(first_ids & set(after.values()))
    redirects = add_info.get("work ids", {}).get("redirects", 0)
    s = add_info["summary"]
    lines = [
        "# `kg add` of 1% new records against a full build (depression)",
        "",
        f"Made by `python benchmarks/add.py --share {a.share}` on {platform.machine()}, "
        f"{platform.python_version()}, 2 cores shared with other work (load varies between "
        "runs: compare the stage timings below, not only the totals).",
        "",
        f"The depression set (79,880 records) with every {round(1 / a.share)}th record set "
        f"aside: `kg build` of the {n_base:,} others, then `kg add` of the {n_new:,} set aside, "
        "against `kg build` of all of them into a fresh store (base first, same order). "
        "Seconds are the wall time of each process.",
        "",
        "| run | seconds |",
        "|---|---:|",
        f"| kg build of the base ({n_base:,} records; the starting store) | {t_base:.1f} |",
        f"| **kg add** of {n_new:,} records | **{t_add:.1f}** |",
        f"| kg build of all {n_base + n_new:,} records (full build) | {t_full:.1f} |",
        "",
        f"kg add took {t_add / t_full:.0%} of the full build's time. Commit {commit}; "
        f"load average (1 min) after each run: "
        + ", ".join(f"{x:.1f}" for x in LOADS) + ".",
        "",
        "The add's graph: " + ", ".join(f"{k} {v}" for k, v in add_info.get("graph", {}).items())
        + (f"; {s['quads removed']:,} quads removed and {s['quads written']:,} added "
           "(in place)" if "quads removed" in s else "") + ".",
        "",
        "What the add did (its summary): "
        + ", ".join(f"{k} {s[k]:,}" for k in ("records added", "works touched", "new works",
                                               "works merged into others",
                                               "pairs compared before, reused") if k in s) + ".",
        "",
        "| comparison of the add's works with the full build's | value |",
        "|---|---:|",
        f"| works (add / full build) | {len(g_after):,} / {len(g_whole):,} |",
        f"| works with exactly the same records | {len(g_after & g_whole):,} |",
        f"| pairs in one work: add / full / both | {len(p_after):,} / {len(p_whole):,} / "
        f"{common:,} |",
        f"| pairwise precision / recall of the add against the full build | "
        f"{precision:.4f} / {recall:.4f} |",
        f"| works of the first build keeping their id | {kept:,} of {len(first_ids):,} |",
        f"| retired ids (redirects) | {redirects:,} |",
        "",
        "The difference, if any, is the documented one: `kg add` keeps the store's "
        "weights (estimated on the base), the full build estimates them on all records "
        "(`kg add --reestimate` does too).",
        "",
        "Seconds per stage (`kg info` timings):",
        "",
    ]
    stages = list(dict.fromkeys([*add_info["timings"], *full_info["timings"]]))
    lines += ["| run | " + " | ".join(stages) + " |",
              "|---|" + "---:|" * len(stages)]
    for name, inf in (("kg add", add_info), ("full build", full_info)):
        lines.append(f"| {name} | " + " | ".join(str(inf["timings"].get(k, "")) for k in stages)
                     + " |")
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
