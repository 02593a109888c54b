"""Load on ``kg serve``: throughput and latency at 1, 8 and 32 clients.

Builds the bundled example (``kg build examples/records/* --store DIR``), starts
a real ``kg serve`` on 127.0.0.1 with ``--port 0``, and at each concurrency
level has that many client threads send GET requests over keep-alive
connections (``http.client``), until the level's request budget is spent or its
time is up; then reports requests per second and the median and 99th
percentile latency.  Nothing but 127.0.0.1 is contacted, and every loop stops
by itself (bounded in count and in time).  Writes ``benchmarks/SERVE.md``.

    python benchmarks/serve_load.py                        # 2,000 requests a level
    python benchmarks/serve_load.py --requests 500 --out -  # shorter, print only
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

QUERIES = {
    "count": "SELECT (COUNT(?w) AS ?n) WHERE { ?w a fabio:Work }",
    "works": "SELECT ?w ?t WHERE { ?w a fabio:Work ; dcterms:title ?t } ORDER BY ?w",
}


@dataclass
class Level:
    clients: int
    sent: int
    errors: int
    seconds: float
    latencies: list[float]

    def row(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
        return (f"| {self.clients} | {self.sent:,} | {self.errors} | {self.seconds:.1f} | "
                f"{self.sent / self.seconds:,.0f} | {statistics.median(lat) * 1000:.1f} | "
                f"{p99 * 1000:.1f} |")


def start_server(store: Path, workers: int) -> tuple[subprocess.Popen, str, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--host", "127.0.0.1",
         "--port", "0", "--workers", str(workers), "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    line = proc.stdout.readline()
    if "SPARQL endpoint" not in line:
        proc.kill()
        sys.exit(f"kg serve did not start: {line!r}")
    url = urllib.parse.urlsplit(line.split()[4])
    assert url.hostname == "127.0.0.1"
    return proc, url.path, url.port


def load(port: int, path: str, clients: int, budget: int, seconds: float) -> Level:
    """``clients`` threads share ``budget`` requests; each stops when the budget
    is spent or ``seconds`` have passed."""
    lock = threading.Lock()
    left = [budget]
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        try:
            while time.monotonic() < deadline:
                with lock:
                    if left[0] <= 0:
                        break
                    left[0] -= 1
                t = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept": "text/csv"})
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                mine.append(time.perf_counter() - t)
                bad += not ok
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Level(clients, len(latencies), errors[0], time.perf_counter() - t0, latencies)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests per level")
    ap.add_argument("--seconds", type=float, default=60.0, help="time limit per level")
    ap.add_argument("--clients", default="1,8,32", help="concurrency levels")
    ap.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    ap.add_argument("--query", choices=sorted(QUERIES), default="count")
    ap.add_argument("--out", default=str(HERE / "SERVE.md"), help="Markdown file, or -")
    args = ap.parse_args(argv)
    levels = [int(c) for c in args.clients.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        records = sorted(str(p) for p in (ROOT / "examples" / "records").iterdir())
        subprocess.run([sys.executable, "-m", "kg.cli", "build", *records, "--store",
                        str(store)], check=True, capture_output=True, cwd=ROOT)
        proc, path, port = start_server(store, args.workers)
        try:
            path += "?" + urllib.parse.urlencode({"query": QUERIES[args.query]})
            load(port, path, 2, 50, 10.0)  # warm up: workers, caches, connections
            results = [load(port, path, c, args.requests, args.seconds) for c in levels]
        finally:
            proc.terminate()
            proc.wait(10)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    command = "python benchmarks/serve_load.py " + " ".join(argv or sys.argv[1:])
    lines = [
        "# `kg serve` under load",
        "",
        f"Made by `{command.strip()}` at {commit} on {platform.machine()}, "
        f"{os.cpu_count()} cores (shared with other work), Python {platform.python_version()}.",
        f"`kg serve --workers {args.workers}` over the example store (57 records, 10 works), "
        f"on 127.0.0.1; each client a thread with one keep-alive connection sending "
        f"`GET /sparql?query=...` (`Accept: text/csv`), query `{QUERIES[args.query]}`. "
        f"At most {args.requests:,} requests or {args.seconds:g} s a level, after 50 "
        "requests of warm-up. Latency is per request, as the client sees it.",
        "",
        "| clients | requests | errors | seconds | requests/s | p50 ms | p99 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *(r.row() for r in results),
        "",
    ]
    text = "\n".join(lines)
    if args.out == "-":
        print(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(text)


if __name__ == "__main__":
    main()
