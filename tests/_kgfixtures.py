"""Shared helpers and fixtures for the ``kg`` tests (CLI, RDF, queries, vocab).

The fixtures ``example_store`` and ``example_build`` are made available to
every test module by ``conftest.py``; the example store is built once per test
session into a temporary directory (tests only read it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RECORDS_DIR = EXAMPLES / "records"
EXAMPLE_FILES = sorted(str(p) for p in RECORDS_DIR.iterdir() if p.is_file())
QUERIES_DIR = ROOT / "queries"
ONTOLOGY = ROOT / "ontology" / "kgr.ttl"

# Wide, colourless output so rich does not wrap paths or add escape codes.
ENV = {"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run(*args: object):
    """Invoke the ``kg`` app; returns click's Result (stdout/stderr separate)."""
    runner = CliRunner()
    return runner.invoke(app, [str(a) for a in args], env=ENV, catch_exceptions=True)


def text(result) -> str:
    """stdout + stderr of a result, ANSI codes removed."""
    out = result.stdout or ""
    try:
        err = result.stderr or ""
    except ValueError:  # stderr not captured separately
        err = ""
    return _ANSI.sub("", out + err)


def flat(s: str) -> str:
    """``s`` without any whitespace (rich may wrap long paths)."""
    return re.sub(r"\s+", "", s)


def describe(result) -> str:
    """For assertion messages."""
    exc = result.exception
    return f"exit={result.exit_code} exc={exc!r}\n{text(result)}"


def summary_of(result) -> dict[str, int]:
    """The summary table of ``kg build`` as ``{label: int}``."""
    found: dict[str, int] = {}
    for line in text(result).splitlines():
        cells = [c.strip() for c in re.split(r"[│|┃]", line) if c.strip()]
        if len(cells) == 2 and re.fullmatch(r"-?\d+", cells[1]):
            found[cells[0]] = int(cells[1])
    return found


def build(store: Path, *inputs: object, extra: tuple[str, ...] = ()):
    files = inputs or tuple(EXAMPLE_FILES)
    return run("build", *files, "--store", store, "--quiet", *extra)


def query_rows(store: Path, query: str, *params: str) -> list[dict[str, str]]:
    """Run a query through the CLI with ``--format json``; the rows as dicts."""
    args: list[object] = ["query", query, "--store", store, "--format", "json"]
    for p in params:
        args += ["--param", p]
    res = run(*args)
    assert res.exit_code == 0, describe(res)
    return json.loads(res.stdout)


def query_csv(store: Path, query: str, *params: str) -> list[dict[str, str]]:
    args: list[object] = ["query", query, "--store", store, "--format", "csv"]
    for p in params:
        args += ["--param", p]
    res = run(*args)
    assert res.exit_code == 0, describe(res)
    return list(csv.DictReader(io.StringIO(res.stdout)))


def gold() -> dict[tuple[str, str], str]:
    """``(source, record_id) -> cluster`` from examples/gold.csv."""
    with (EXAMPLES / "gold.csv").open(encoding="utf-8", newline="") as fh:
        return {(r["source"], r["record_id"]): r["cluster"] for r in csv.DictReader(fh)}


def gold_clusters() -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for key, cluster in gold().items():
        out[cluster].add(key)
    return dict(out)


BERT_RECORDS = {
    ("arxiv", "1810.04805v2"),
    ("crossref", "10.18653/v1/n19-1423"),
    ("dblp", "conf/naacl/DevlinCLT19"),
    ("dblp", "journals/corr/abs-1810-04805"),
    ("openalex", "W1000002"),
    ("scholar_archive", "sa-0002"),
    ("semantic_scholar", "s2-0002"),
    ("zotero", "8FJ2NWXA"),
}

ATTENTION_RECORDS = {
    ("arxiv", "1706.03762v5"),
    ("openalex", "W1000001"),
    ("semantic_scholar", "s2-0001"),
    ("scholar_archive", "sa-0001"),
    ("dblp", "conf/nips/VaswaniSPUJGKP17"),
    ("dblp", "journals/corr/VaswaniSPUJGKP17"),
    ("zotero", "3QK7VZ2M"),
}


@pytest.fixture(scope="session")
def example_build(tmp_path_factory):
    """``(store, result)`` of a build of the example (all seven sources, files
    sorted), built once per test session."""
    store = tmp_path_factory.mktemp("example-build") / "store"
    res = build(store)
    assert res.exit_code == 0, describe(res)
    return store, res


@pytest.fixture(scope="session")
def example_store(example_build) -> Path:
    """The example store (read only: tests that change a store build their own)."""
    return example_build[0]


def clusters_of(store: Path, out: Path) -> dict[tuple[str, str], str]:
    """Export ``--format clusters`` and read it back."""
    res = run("export", "--store", store, "--format", "clusters", "--output", out)
    assert res.exit_code == 0, describe(res)
    with out.open(encoding="utf-8", newline="") as fh:
        return {(r["source"], r["record_id"]): r["work_id"] for r in csv.DictReader(fh)}


@contextmanager
def serving(store: Path, *options: str) -> Iterator[str]:
    """``kg serve`` over ``store`` as a real subprocess on a free port, with
    ``options``; yields the endpoint's URL and stops the server after."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", "0",
         *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert "SPARQL endpoint" in line, line + proc.stderr.read()
        yield line.split()[4]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
