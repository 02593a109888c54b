"""The synthetic record generator of the scale benchmark (``benchmarks/synthetic.py``)."""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from _kgfixtures import describe, run

ROOT = Path(__file__).resolve().parent.parent


def _load():
    # benchmarks/ is not a package: load the module from its path.
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)
    return module


synthetic = _load()
N = 3000


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    synthetic.write_dataset(N, 7, out)
    return out


def _records(out: Path) -> dict[tuple[str, str], dict]:
    recs: dict[tuple[str, str], dict] = {}
    for path in sorted(out.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            key = (path.name.removesuffix(".jsonl"), rec["id"])
            assert key not in recs, f"id {key} repeats in its source"
            recs[key] = rec
    return recs


def _gold(out: Path) -> list[list[str]]:
    with (out / "gold.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["source", "record_id", "cluster"]
    return rows[1:]


def test_same_seed_same_bytes_other_seed_other_data(data: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    synthetic.write_dataset(N, 7, again)
    names = sorted(p.name for p in data.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert "gold.csv" in names and "crossref.jsonl" in names
    for name in names:
        assert (data / name).read_bytes() == (again / name).read_bytes(), name
    other = tmp_path / "other"
    synthetic.write_dataset(N, 8, other)
    assert (other / "gold.csv").read_bytes() != (data / "gold.csv").read_bytes()


def test_cli_writes_the_same_bytes_in_another_process(tmp_path: Path) -> None:
    """No dependence on string hashing or set order: another interpreter with
    another hash seed writes the same files."""
    synthetic.write_dataset(400, 5, tmp_path / "here")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "--records", "400",
                    "--seed", "5", "--out", str(tmp_path / "there")], env=env, check=True,
                   capture_output=True)
    here = sorted((tmp_path / "here").iterdir())
    assert [p.name for p in here] == sorted(p.name for p in (tmp_path / "there").iterdir())
    for path in here:
        assert path.read_bytes() == (tmp_path / "there" / path.name).read_bytes(), path.name


def test_generate_is_lazy_and_exact() -> None:
    first = list(itertools.islice(synthetic.generate(10**12, 1), 5))  # never materialized
    assert len(first) == 5 and all(isinstance(r, dict) for _, r, _ in first)
    assert sum(1 for _ in synthetic.generate(257, 3)) == 257


def test_gold_lists_every_record_once_and_ids_are_unique(data: Path) -> None:
    recs = _records(data)  # asserts unique ids within each source
    gold = _gold(data)
    keys = [(s, i) for s, i, _ in gold]
    assert len(keys) == len(set(keys)) == len(recs) == N
    assert set(keys) == set(recs)


def test_cluster_sizes_are_sane(data: Path) -> None:
    sizes = Counter(Counter(c for _, _, c in _gold(data)).values())
    works = sum(sizes.values())
    assert max(sizes) <= 7
    assert 0.3 < sizes[1] / works < 0.55  # many singletons
    assert sizes[2] > sizes[3] > sizes[4] > 0
    assert 1.7 < N / works < 2.7


@pytest.fixture(scope="module")
def gold_of(data: Path) -> dict[tuple[str, str], str]:
    return {(s, i): c for s, i, c in _gold(data)}


def _abbreviates(short: str, full: str) -> bool:
    """Whether ``short`` is ``full`` with words abbreviated or dropped
    ("J Mol Cell Cardiol", "J. Mol. Cell Cardiol.": "Journal of Molecular and Cellular
    Cardiology")."""
    words = iter(full.lower().split())
    abbr = short.lower().replace(".", "").split()
    return short != full and len(abbr) > 1 and all(
        any(w.startswith(a) for w in words) for a in abbr)


def test_records_vary_as_real_ones_do(data: Path, gold_of: dict) -> None:
    recs = _records(data)
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in recs.values())
    assert "Ã" in text  # mojibake (UTF-8 read as Windows-1252)
    assert "<i>" in text or "<sub>" in text
    assert any(r["title"].isupper() for r in recs.values())
    assert any(r["title"].startswith("[") for r in recs.values())  # translated, PubMed style
    assert any(isinstance(r.get("authors"), str) for r in recs.values())  # one string
    assert any("et al." in json.dumps(r.get("authors")) for r in recs.values())
    works: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for key, rec in recs.items():
        works[gold_of[key]].append((key[0], rec))
    abbreviated = short_pages = preprint_pairs = year_apart = 0
    for members in works.values():
        venues = {r["venue"] for _, r in members if r.get("venue")}
        abbreviated += any(_abbreviates(a, b) for a in venues for b in venues)
        pages = {r["pages"] for _, r in members if r.get("pages")}
        short_pages += any(len(a) < len(b) and a.split("-")[0] == b.split("-")[0]
                           for a in pages for b in pages)
        sources = {s for s, _ in members}
        preprint_pairs += "arxiv" in sources and "crossref" in sources
        year_apart += len({r["year"] for _, r in members}) > 1
    assert abbreviated > 20 and short_pages > 20 and preprint_pairs > 10 and year_apart > 20


def test_errata_and_series_parts_are_their_own_works(data: Path, gold_of: dict) -> None:
    cluster_of_title: dict[str, set[str]] = defaultdict(set)
    for key, rec in _records(data).items():
        cluster_of_title[rec["title"].lower().rstrip(".")].add(gold_of[key])
    errata = parts = 0
    for title, clusters in cluster_of_title.items():
        if title.startswith("erratum: "):
            paper = cluster_of_title.get(title.removeprefix("erratum: "), set())
            assert not (paper & clusters)
            errata += bool(paper)
        if title.endswith(". part ii"):
            part_one = cluster_of_title.get(title.removesuffix("i"), set())
            assert not (part_one & clusters)
            parts += bool(part_one)
    assert errata and parts


def test_kg_resolve_finds_most_works(tmp_path: Path) -> None:
    out = tmp_path / "data"
    synthetic.write_dataset(300, 11, out)
    store = tmp_path / "store"
    res = run("build", *sorted(out.glob("*.jsonl")), "--store", store, "--quiet")
    assert res.exit_code == 0, describe(res)
    res = run("evaluate", out / "gold.csv", "--store", store, "--format", "json", "--show", "0")
    assert res.exit_code == 0, describe(res)
    scores = json.loads(res.stdout)["scores"]
    assert scores["true_pairs"] > 100  # not trivial: many duplicates to find
    assert scores["precision"] > 0.95 and scores["f1"] > 0.9, scores
