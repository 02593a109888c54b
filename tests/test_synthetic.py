"""The synthetic record generator of the scale benchmark (``benchmarks/synthetic.py``)."""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
import os
import random
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


# --- the citation mode ------------------------------------------------------------------

CITATION_WORKS = 300


@pytest.fixture(scope="module")
def citations(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("citations")
    synthetic.write_citations(CITATION_WORKS, 5, out)
    return out


def test_citations_same_seed_same_bytes_in_another_process(citations: Path,
                                                           tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "777"}
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), "citations",
                    "--works", str(CITATION_WORKS), "--seed", "5", "--out", str(tmp_path / "cli")],
                   env=env, check=True, capture_output=True)
    assert sorted(p.name for p in citations.iterdir()) == ["citations.jsonl", "gold.csv"]
    for name in ("citations.jsonl", "gold.csv"):
        assert (citations / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    other, _ = synthetic.citation_records(CITATION_WORKS, 6)
    assert other != _citation_lines(citations)


def _citation_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in
            (out / "citations.jsonl").read_text(encoding="utf-8").splitlines()]


def test_citations_every_record_in_exactly_one_gold_cluster(citations: Path) -> None:
    ids = [r["id"] for r in _citation_lines(citations)]
    gold = _gold(citations)
    assert len(ids) == len(set(ids)) and len(gold) == len(ids)
    assert [i for _, i, _ in gold] == ids  # one row per record, in the same order
    assert {s for s, _, _ in gold} == {"citations"}
    assert len({c for _, _, c in gold}) == CITATION_WORKS


def test_citations_per_work_are_zipf_like() -> None:
    _, gold = synthetic.citation_records(1000, 2)
    per_work = Counter(gold.values())
    sizes = Counter(per_work.values())
    assert len(per_work) == 1000
    assert max(per_work.values()) >= 30  # some popular papers cited dozens of times
    assert max(per_work.values()) <= synthetic.MAX_CITATIONS
    assert (sizes[1] + sizes[2]) / 1000 > 0.45  # a long tail cited once or twice
    assert 4 < len(gold) / 1000 < 9


def test_citations_are_lower_case_with_punctuation(citations: Path) -> None:
    recs = _citation_lines(citations)
    for rec in recs:
        for key, value in rec.items():
            if key != "id":
                assert value == value.lower(), (key, value)
    titles = [r["title"] for r in recs]
    assert sum(t.startswith('"') for t in titles) > len(titles) / 3
    years = [r["year"] for r in recs if "year" in r]
    assert any(y.startswith("(") and y.endswith("),") for y in years)
    assert any(r.get("pages", "").startswith("pp. ") for r in recs)
    assert any(" et al." in r.get("authors", "") for r in recs)
    assert any(r.get("venue", "").startswith("in proc") for r in recs)


def test_kg_resolve_reads_every_citation(citations: Path) -> None:
    from resolve.readers import InputSpec, read_input
    from resolve.types import Record

    items = list(read_input(InputSpec.parse(str(citations / "citations.jsonl"))))
    assert len(items) == len(_citation_lines(citations))
    assert all(isinstance(i, Record) for i in items), [i for i in items
                                                       if not isinstance(i, Record)][:3]
    assert all(i.title for i in items)


def test_look_alike_works_are_different_works() -> None:
    g = synthetic.Generator(1000, 4)
    groups: dict[str, list[list]] = defaultdict(list)
    for _ in range(300):
        group = synthetic.citation_group(g)
        groups[group[0].group].append([cw.work for cw in group])
    assert {"series", "versions", "followup", "book", "work"} <= set(groups)
    for kind in ("series", "versions", "followup"):
        for works in groups[kind]:
            assert len(works) >= 2 and len({w.cluster for w in works}) == len(works)
            assert all(w.authors[:1] == works[0].authors[:1] for w in works)
    for works in groups["series"]:
        assert [w.part for w in works] == list(range(1, len(works) + 1))
    for conf, journal in groups["versions"]:
        assert conf.venue.kind == "conference" and journal.venue.kind == "journal"
        assert journal.year > conf.year
        assert journal.authors[:len(conf.authors)] == conf.authors
    assert any(c.title == j.title for c, j in groups["versions"])  # often the same title


# --- each messy shape on a small example

JONES = ("Jones", "Alice Beth", "C")


def test_author_name_shapes() -> None:
    assert synthetic.initials_first(JONES) == "a. b. c. jones"
    assert synthetic.initials_first(JONES, middle=False) == "a. b. jones"
    assert synthetic.initials_first(("Smith", "John", ""), dots=False) == "j smith"
    assert synthetic.family_first(JONES) == "jones, a. b. c."
    assert synthetic.full_name(("Smith", "John", "Q")) == "john q. smith"


def test_author_list_shapes() -> None:
    names = ["j. smith", "a. b. jones", "c. lee"]
    assert synthetic.join_authors(names[:2], "and") == "j. smith and a. b. jones"
    assert synthetic.join_authors(names, "and") == "j. smith, a. b. jones and c. lee"
    assert synthetic.join_authors(names, "oxford") == "j. smith, a. b. jones, and c. lee"
    assert synthetic.join_authors(names, "comma") == "j. smith, a. b. jones, c. lee"
    assert synthetic.et_al(names, 1) == "j. smith et al."
    assert synthetic.et_al(names, 2) == "j. smith, a. b. jones, et al."
    assert synthetic.cut_authors(names, 2) == names[:2]
    assert synthetic.cut_authors(names, 0) == names[:1]


def test_title_shapes() -> None:
    assert synthetic.quote_title("a title") == '"a title,"'
    assert synthetic.quote_title("a title", inside=False) == '"a title",'
    assert synthetic.punctuate("a title") == "a title,"
    assert synthetic.punctuate("a title?", ".") == "a title?"
    assert synthetic.glue_publisher("the art", "addison-wesley", "") == "the art. addison-wesley"
    assert synthetic.glue_publisher("the art", "addison-wesley", "2nd ed.") == "the art, 2nd ed."


def test_hyphen_break_splits_one_long_word() -> None:
    text = "fast algorithms for formulae"
    broken = {synthetic.hyphen_break(text, random.Random(s)) for s in range(40)}
    assert all(b != text for b in broken)
    assert all(b.replace("- ", "").replace("-", "").replace(" ", "") == text.replace(" ", "")
               for b in broken)
    assert any("- " in b for b in broken) and any(len(b.split()) == 5 for b in broken)
    assert synthetic.hyphen_break("a b c", random.Random(1)) == "a b c"  # nothing to break


def test_mojibake_shape() -> None:
    assert synthetic.mojibake("müller") == "mÃ¼ller"


def test_year_shapes_and_impossible_years() -> None:
    from resolve.normalize import normalize_year

    assert synthetic.year_text(1992, "paren") == "(1992),"
    assert synthetic.year_text(1992, "stop") == "1992."
    expected = {"short": "(199),", "long": "(19992),", "future": "(2992),",
                "press": "(in press),", "nd": "(n.d.),"}
    for kind, text in expected.items():
        assert synthetic.impossible_year(1992, kind) == text
        assert normalize_year(text) is None, text


def test_page_shapes() -> None:
    from resolve.normalize import normalize_pages

    assert synthetic.pages_cite((322, 331), "pp") == "pp. 322-331."
    assert synthetic.pages_cite((322, 331), "dashes") == "322--331,"
    assert synthetic.pages_cite((322, 331), "word") == "pages 322-331,"
    assert synthetic.pages_cite((322, 331), "first") == "p. 322."
    assert synthetic.pages_cite((322, 331), "short") == "322-31,"
    assert normalize_pages("pp. 322-331.") == "322-331"


def test_venue_shapes() -> None:
    focs = synthetic.Venue("Annual Symposium on Foundations of Computer Science",
                           "Annu Symp Found Comput Sci", "FOCS", "FOCS", "", "conference", "cs",
                           1960, ("10.1109", "ieee", "ieeexplore.ieee.org"), "focs")
    assert synthetic.ordinal(36) == "36th" and synthetic.ordinal(22) == "22nd"
    assert synthetic.ordinal(11) == "11th" and synthetic.ordinal(1) == "1st"
    assert synthetic.proceedings_venue(focs, 1995, "milwaukee, wi", 0) == (
        "in proc. 36th annu. symp. on foundations of comput. sci., milwaukee, wi, 1995,")
    one = synthetic.proceedings_venue(focs, 1995, "milwaukee, wi", 1)
    assert one.startswith("in proceedings of the 36th annual symposium on foundations of "
                          "computer science (focs'95), milwaukee, wi, ") and one.endswith(" 1995,")
    assert synthetic.proceedings_venue(focs, 1995, "x", 2) == "in proc. focs,"
    assert synthetic.abbreviate_venue("Journal of Machine Learning Research") == (
        "j. of machine learn. res.")
    jacm = synthetic.Venue("Journal of the ACM", "J ACM", "J. ACM", "", "0004-5411", "journal",
                           "cs", 1954, ("10.1145", "acm", "dl.acm.org"), "jacm")
    assert synthetic.journal_venue(jacm, "dotted") == "j. acm,"
    assert synthetic.journal_venue(jacm, "full") == "journal of the acm,"
    assert synthetic.glue_volume("j. acm,", "42", "6") == "j. acm 42(6):"
    assert synthetic.arxiv_venue("1703.01234", 0) == "arxiv preprint arxiv:1703.01234,"


def test_shift_boundary_moves_words_between_fields() -> None:
    a, t = "j. smith and a. jones,", '"fast algorithms,"'
    assert synthetic.shift_boundary(a, t, 1) == ("j. smith and a.", 'jones, "fast algorithms,"')
    assert synthetic.shift_boundary(a, t, -1) == ('j. smith and a. jones, "fast', 'algorithms,"')
    assert synthetic.shift_boundary("one", "two words", 3) == ("one", "two words")
    assert synthetic.shift_boundary("one", "two", -2) == ("one", "two")
