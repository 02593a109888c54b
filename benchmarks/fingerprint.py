"""Byte fingerprints of builds: the guard for changes that must not change results.

Builds every bundled example and every shared labelled set with ``kg build``
(the benchmark's flags), exports the whole store as N-Quads (default graph,
match evidence and nothing that varies from run to run) and the clusters, and
prints one SHA-256 per set.  Run it before and after a refactoring and compare:

    python benchmarks/fingerprint.py --out /tmp/before.json
    python benchmarks/fingerprint.py --out /tmp/after.json --compare /tmp/before.json

``--compare`` exits 1 when any fingerprint differs and names the sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from quality import ALL_SETS, CLEAN_SOURCES, dataset  # noqa: E402

# Relative to the checkout (records keep the path they were read from), so two
# checkouts in different places give the same bytes.
EXAMPLES = {
    "example-records": sorted(f"examples/records/{p.name}"
                              for p in (ROOT / "examples" / "records").iterdir()),
    "example-native": ["examples/native"],
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(name: str, inputs: list[str], flags: list[str], workdir: Path) -> dict:
    kg = [sys.executable, "-m", "kg.cli"]
    store = workdir / f"{name}-store"
    subprocess.run([*kg, "build", *inputs, *flags, "--store", str(store), "--quiet"],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    out = {}
    for fmt in ("nquads", "clusters"):
        target = workdir / f"{name}.{fmt}"
        subprocess.run([*kg, "export", "--store", str(store), "--format", fmt, "-o", str(target)],
                       check=True, stdout=subprocess.DEVNULL)
        out[fmt] = _digest(target)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="examples and shared sets (default: all)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, help="write the fingerprints as JSON")
    parser.add_argument("--compare", type=Path, help="fingerprints to compare with")
    args = parser.parse_args(argv)
    names = args.sets or [*EXAMPLES, *(ALL_SETS if args.data.is_dir() else ())]
    if args.data.is_dir() and not args.sets and (args.data / "dblp-scholar").is_dir():
        names.append("dblp-scholar")
    result: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name in EXAMPLES:
                inputs, flags = EXAMPLES[name], []
            elif name == "dblp-scholar":
                d = args.data / "dblp-scholar"
                inputs, flags = [f"dblp={d / 'DBLP1.csv'}", f"scholar={d / 'Scholar.csv.gz'}"], []
            else:
                inputs = dataset(args.data, name)[0]
                flags = [f"--clean-source={s}" for s in CLEAN_SOURCES.get(name, ())]
            result[name] = fingerprint(name, inputs, flags, Path(tmp))
            print(name, result[name]["nquads"][:16], result[name]["clusters"][:16], flush=True)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.compare:
        before = json.loads(args.compare.read_text())
        changed = [n for n in result if n in before and before[n] != result[n]]
        for n in changed:
            print(f"CHANGED: {n}", file=sys.stderr)
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
