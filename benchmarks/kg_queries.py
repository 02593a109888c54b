"""Speed of the shipped queries and of ``kg validate`` on a large build.

Builds the 79,880-record depression set of ``../shared/data`` (or reuses a
store built before), then runs every shipped query with sensible parameter
values (the largest work, its first author, the set's source) several times
against the on-disk store, and ``kg validate`` once as a separate process.
Writes ``benchmarks/QUERIES.md``.  The target is under one second per query.

    python benchmarks/kg_queries.py                               # build, measure, write
    python benchmarks/kg_queries.py --store /tmp/dep --reuse      # measure an existing build
    python benchmarks/kg_queries.py --validate-sets               # also kg validate every set

``--validate-sets`` builds each labelled set of ``benchmarks/quality.py`` in turn
and runs ``kg validate`` on it (a table in QUERIES.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from pyoxigraph import Store  # noqa: E402

from kg.queries import result_rows, run_query, shipped_queries  # noqa: E402
from kg.store import MARKER, open_store, store_metadata  # noqa: E402

TARGET_SECONDS = 1.0


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Run a command: wall seconds, peak RSS of the child in MiB, stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace")
        if code not in (0, 6):
            sys.exit(f"{' '.join(cmd)} failed ({code}):\n" + err.read().decode(errors="replace"))
    return seconds, usage.ru_maxrss / 1024, text


def build(data: Path, store: Path) -> dict:
    d = data / "sysrev" / "depression"
    inputs = [f"depression={f}" for f in sorted(d.glob("records_pre_merged*.csv.gz"))]
    seconds, peak, _ = run([sys.executable, "-m", "kg.cli", "build", *inputs, "--store",
                            str(store), "--quiet"])
    return {"seconds": round(seconds, 1), "peak_mib": round(peak)}


def first(store: Store, query: str) -> dict[str, str]:
    header, rows = result_rows(run_query(store, query))
    return dict(zip(header, rows[0], strict=True)) if rows else {}


def parameters(store: Store) -> dict[str, str]:
    """Values for the shipped queries' parameters, taken from the build itself."""
    big = first(store, """SELECT ?work ?n WHERE { ?w a fabio:Work ; dcterms:identifier ?work ;
                           kgr:recordCount ?n } ORDER BY DESC(?n) ?work LIMIT 1""")
    author = first(store, f"""SELECT ?family WHERE {{
        ?w dcterms:identifier "{big['work']}" ; dcterms:creator ?a .
        ?a foaf:familyName ?family }} ORDER BY ?family LIMIT 1""")
    source = first(store, "SELECT ?s WHERE { ?r kgr:source ?s } LIMIT 1")
    # a common name, so that the query returns many works, if it is there
    common = first(store, 'ASK { ?a kgr:authorKey ?k FILTER(CONTAINS(?k, "smith")) }')
    return {"work": big["work"],
            "author": "smith" if common.get("result") == "true" else author.get("family", ""),
            "source_a": source["s"], "source_b": source["s"]}


def time_queries(store_dir: Path, repeat: int) -> tuple[dict[str, str], list[dict]]:
    store = open_store(store_dir)
    values = parameters(store)
    results = []
    for q in shipped_queries().values():
        params = {name: values[name] for name, _ in q.params}
        times, rows = [], 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            _, out = result_rows(run_query(store, q.text, params, q.params))
            times.append(time.perf_counter() - t0)
            rows = len(out)
        results.append({"query": q.name, "params": params, "rows": rows,
                        "first": round(times[0], 3), "median": round(statistics.median(times), 3),
                        "max": round(max(times), 3)})
    del store
    return values, results


def validate(store_dir: Path, jobs: int) -> dict:
    seconds, peak, text = run([sys.executable, "-m", "kg.cli", "validate", "--store",
                               str(store_dir), "--quiet", "--jobs", str(jobs)])
    return {"seconds": round(seconds, 1), "peak_mib": round(peak), "report": text.strip(),
            "jobs": jobs}


def validate_sets(data: Path, workdir: Path, jobs: int) -> list[dict]:
    """Build every labelled set and validate it."""
    from quality import ALL_SETS, dataset

    out = []
    for name in ALL_SETS:
        if name == "depression":
            continue
        inputs, _ = dataset(data, name)
        store = workdir / f"{name}-store"
        built, _, _ = run([sys.executable, "-m", "kg.cli", "build", *inputs, "--store",
                           str(store), "--quiet"])
        seconds, peak, text = run([sys.executable, "-m", "kg.cli", "validate", "--store",
                                   str(store), "--quiet", "--jobs", str(jobs)])
        meta = store_metadata(store)
        out.append({"set": name, "records": meta["summary"]["records read"],
                    "quads": meta["summary"]["quads written"], "build": round(built, 1),
                    "seconds": round(seconds, 1), "peak_mib": round(peak),
                    "conforms": "conforms" in text})
        print(f"{name}: {'conforms' if out[-1]['conforms'] else 'VIOLATIONS'} "
              f"in {seconds:.1f} s", file=sys.stderr)
    return out


def markdown(command: str, meta: dict, built: dict | None, values: dict, results: list[dict],
             checked: dict | None, repeat: int, sets: list[dict] | None = None) -> str:
    summary = meta.get("summary", {})
    lines = [
        "# Shipped queries and `kg validate` on the depression build",
        "",
        f"Made by `{command}` on {platform.machine()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}. Store: {summary.get('records read', '?'):,} "
        f"records, {summary.get('works', '?'):,} works, "
        f"{summary.get('quads written', '?'):,} quads"
        + (f"; built in {built['seconds']} s, peak {built['peak_mib']} MiB" if built else
           f"; built before (`kg build` reported {summary.get('seconds', '?')} s)")
        + ".",
        "",
        f"Each query ran {repeat} times in one process "
        "against the on-disk store (`kg.queries.run_query`, all rows read); seconds of the "
        f"first run, the median and the slowest. Target: under {TARGET_SECONDS:g} s. "
        f"Parameters: `work={values['work']}` (the largest work), "
        f"`author={values['author']}`, "
        f"`source_a=source_b={values['source_a']}` (the set has one source).",
        "",
        "| query | rows | first s | median s | max s | under 1 s |",
        "|---|---:|---:|---:|---:|:---:|",
    ]
    for r in results:
        ok = "yes" if r["max"] < TARGET_SECONDS else "**no**"
        lines.append(f"| `{r['query']}` | {r['rows']:,} | {r['first']} | {r['median']} "
                     f"| {r['max']} | {ok} |")
    if checked:
        lines += ["", f"`kg validate --store DIR --jobs {checked['jobs']}` (a separate process; "
                  f"peak RSS of the main process): {checked['seconds']} s, "
                  f"peak {checked['peak_mib']} MiB:", "", "```", checked["report"], "```"]
    if sets:
        lines += ["", "`kg validate` on the other labelled sets (each built with `kg build` "
                  "as in `benchmarks/quality.py`):", "",
                  "| set | records | quads | validate s | peak MiB | result |",
                  "|---|---:|---:|---:|---:|---|"]
        for r in sets:
            result = "conforms" if r["conforms"] else "**violations**"
            lines.append(f"| {r['set']} | {r['records']:,} | {r['quads']:,} | {r['seconds']} "
                         f"| {r['peak_mib']} | {result} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--store", type=Path, help="store directory (default: a temporary one)")
    ap.add_argument("--reuse", action="store_true", help="measure the store at --store as is")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-validate", action="store_true")
    ap.add_argument("--jobs", type=int, default=1, help="kg validate --jobs")
    ap.add_argument("--validate-sets", action="store_true",
                    help="also build and validate every other labelled set")
    ap.add_argument("--out", type=Path, default=HERE / "QUERIES.md")
    args = ap.parse_args()
    command = "python benchmarks/kg_queries.py " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="kg-queries-") as tmp:
        store = args.store or Path(tmp) / "depression-store"
        built = None
        if not (args.reuse and (store / MARKER).exists()):
            built = build(args.data, store)
            print(f"built {store} in {built['seconds']} s", file=sys.stderr)
        meta = store_metadata(store)
        values, results = time_queries(store, args.repeat)
        for r in results:
            print(f"{r['query']:26} {r['rows']:>8} rows  first {r['first']:.3f} s  "
                  f"median {r['median']:.3f} s  max {r['max']:.3f} s", file=sys.stderr)
        checked = None if args.no_validate else validate(store, args.jobs)
        if checked:
            print(f"kg validate: {checked['seconds']} s, {checked['peak_mib']} MiB",
                  file=sys.stderr)
        sets = validate_sets(args.data, Path(tmp), args.jobs) if args.validate_sets else None
        args.out.write_text(markdown(command.strip(), meta, built, values, results, checked,
                                     args.repeat, sets), encoding="utf-8")
    slow = [r["query"] for r in results if r["max"] >= TARGET_SECONDS]
    invalid = [r["set"] for r in sets or [] if not r["conforms"]]
    if checked and "conforms" not in checked["report"]:
        invalid.append("depression")
    if slow or invalid:
        sys.exit(f"over {TARGET_SECONDS} s: {', '.join(slow) or '-'}; "
                 f"not conforming: {', '.join(invalid) or '-'}")


if __name__ == "__main__":
    main()
