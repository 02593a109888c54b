"""``kg report``: one self-contained HTML page per build, the same bytes for the
same store, precision and recall against a gold (issue 18)."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest
from _kgfixtures import EXAMPLES, describe, run

from kg.evaluation import evaluate_store
from kg.report import pr_curve, size_bands, weight_of
from kg.store import open_store
from resolve.candidates import Candidates

GOLD = EXAMPLES / "gold.csv"
SECTIONS = ("counts", "prisma", "weights", "scores", "clusters", "blocking", "times",
            "largest", "uncertain")


@pytest.fixture(scope="module")
def report(example_store, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    res = run("report", "--store", example_store, "-o", out, "--gold", GOLD)
    assert res.exit_code == 0, describe(res)
    return out.read_text("utf-8")


def test_report_has_every_section_and_its_charts(report):
    for section in (*SECTIONS, "gold"):
        assert f'<section id="{section}">' in report, section
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', report)
    # sources, weights, scores, cluster sizes, blocking, times, precision/recall
    assert len(charts) == 7
    for chart in charts:
        svg = base64.b64decode(chart)
        assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg and b"<path" in svg


def test_report_stands_alone(report):
    # nothing is fetched: no external script, style, image or font
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', report)
    assert "url(http" not in report and "@import" not in report


def test_report_shows_the_counts_of_the_build(report, example_store):
    from kg.store import store_metadata

    meta = store_metadata(example_store)
    assert f'<code id="build">{meta["build"]}</code>' in report
    assert f'<span class="n">{meta["prisma"]["works"]}</span>' in report
    assert f'<span class="n">{meta["prisma"]["records read"]}</span>' in report
    for rule, pairs in meta["candidates per rule"].items():
        assert f"<tr><td>{rule}</td><td>{pairs:,}</td></tr>" in report
    scored = meta["summary"]["candidate pairs scored"]
    assert f"Match weights of all {scored:,} candidate pairs scored" in report


def test_report_gold_figures_are_kg_evaluates(report, example_store):
    ev = evaluate_store(open_store(example_store), GOLD)
    s = ev.scores
    assert (f"<td>pairwise</td><td>{s.precision:.4f}</td><td>{s.recall:.4f}</td>"
            f"<td>{s.f1:.4f}</td>") in report
    assert f"{ev.false_merge_pairs:,} false pairs" in report


def test_same_store_same_bytes(example_store, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    for out in (a, b):
        res = run("report", "--store", example_store, "-o", out)
        assert res.exit_code == 0, describe(res)
    assert a.read_bytes() == b.read_bytes()
    assert '<section id="gold">' not in a.read_text("utf-8")


def test_report_of_a_missing_store_is_exit_4(tmp_path):
    res = run("report", "--store", tmp_path / "none", "-o", tmp_path / "r.html")
    assert res.exit_code == 4
    assert not (tmp_path / "r.html").exists()


def test_pr_curve_counts_pairs_at_or_above_each_threshold():
    keys = [("s", str(i)) for i in range(5)]
    # pairs (0,1) and (2,3) are gold pairs; (0,2) and (3,4) are not
    c = Candidates(keys, np.array([0, 2, 0, 3]), np.array([1, 3, 2, 4]),
                   np.array([0.999, 0.6, 0.9, 0.01]))
    labels = {keys[0]: "a", keys[1]: "a", keys[2]: "b", keys[3]: "b"}
    grid, precision, recall = pr_curve(c, labels, gold_pairs=2)
    at = {float(t): (float(p), float(r)) for t, p, r in zip(grid, precision, recall,
                                                              strict=True)}
    w = weight_of(np.array([0.999, 0.6, 0.9, 0.01]))
    # above every score: nothing predicted, precision 1, recall 0
    assert at[float(np.ceil(w.max()))] == (1.0, 0.0)
    # at 0 (p = 0.5): the pairs of 0.999, 0.9, 0.6 -> 2 of 3 right, both gold pairs found
    assert at[0.0] == pytest.approx((2 / 3, 1.0))
    # at the lowest: every pair
    assert at[float(np.floor(w.min()))] == pytest.approx((0.5, 1.0))


def test_size_bands_keep_every_work():
    sizes = {1: 500, 2: 40, 10: 3, 11: 2, 20: 1, 35: 1, 2000: 1}
    bands = size_bands(sizes)
    assert bands == {"1": 500, "2": 40, "10": 3, "11-20": 3, "21-50": 1, "1001+": 1}
    assert sum(bands.values()) == sum(sizes.values())


def test_uncertain_works_link_into_a_servers_review_page(example_store, tmp_path):
    from kg.report import review_root

    assert review_root("https://w3id.org/kg-resolve/id/") is None
    assert review_root("http://127.0.0.1:7878/id/") == "http://127.0.0.1:7878/"
    assert review_root("https://kg.example/ids/") is None
    out = tmp_path / "served.html"
    res = run("report", "--store", example_store, "-o", out,
              "--base", "http://127.0.0.1:7878/id/")
    assert res.exit_code == 0, describe(res)
    page = out.read_text("utf-8")
    uncertain = page[page.index('<section id="uncertain">'):]
    uncertain = uncertain[:uncertain.index("</section>")]
    works = re.findall(r'href="http://127.0.0.1:7878/id/work/(w[0-9a-f]+)"', uncertain)
    links = re.findall(r'class="review" href="http://127.0.0.1:7878/review\?work=(w[0-9a-f]+)"',
                       uncertain)
    assert works and links == works
    # without a server, no review links: the file stands alone
    plain = tmp_path / "plain.html"
    assert run("report", "--store", example_store, "-o", plain).exit_code == 0
    assert "/review" not in plain.read_text("utf-8")
