"""Tests for resolve.evaluate, and the whole pipeline on the example data."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from resolve.evaluate import Scores, clusters_from_groups, evaluate, read_clusters_csv
from resolve.pipeline import resolve_records
from resolve.readers import InputSpec, read_inputs
from resolve.settings import Settings
from resolve.types import Record
from resolve.works import work_id

# ------------------------------------------------------------- hand-computed


def test_perfect_prediction() -> None:
    gold = {"a": "X", "b": "X", "c": "Y"}
    pred = {"a": 7, "b": 7, "c": 8}  # other labels, same partition
    s = evaluate(pred, gold)
    assert s == Scores(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1, 1, 1)


def test_everything_merged() -> None:
    # Predicted: {a, b, c, d}.  Gold: {a, b}, {c}, {d}.
    pred = {"a": 1, "b": 1, "c": 1, "d": 1}
    gold = {"a": "X", "b": "X", "c": "Y", "d": "Z"}
    s = evaluate(pred, gold)
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (1, 6, 1)
    assert s.precision == pytest.approx(1 / 6)
    assert s.recall == 1.0
    assert s.f1 == pytest.approx(2 / 7)
    # B-cubed precision: a, b see 2 of 4 right, c, d see 1 of 4: (2+2+1+1)/4/4.
    assert s.bcubed_precision == pytest.approx(3 / 8)
    assert s.bcubed_recall == 1.0
    assert s.bcubed_f1 == pytest.approx(6 / 11)


def test_everything_split() -> None:
    pred = {"a": 1, "b": 2, "c": 3}
    gold = {"a": "X", "b": "X", "c": "X"}
    s = evaluate(pred, gold)
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (3, 0, 0)
    assert s.precision == 1.0  # no predicted pairs: nothing wrong
    assert s.recall == 0.0
    assert s.f1 == 0.0
    assert s.bcubed_precision == 1.0
    assert s.bcubed_recall == pytest.approx(1 / 3)
    assert s.bcubed_f1 == pytest.approx(0.5)


def test_mixed_example() -> None:
    # Predicted: {a, b, c}, {d, e}.  Gold: {a, b}, {c, d, e}.
    pred = {"a": "p", "b": "p", "c": "p", "d": "q", "e": "q"}
    gold = {"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Y"}
    s = evaluate(pred, gold)
    # Correct pairs: ab, de.  Predicted pairs: ab ac bc de.  True: ab cd ce de.
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (4, 4, 2)
    assert (s.precision, s.recall, s.f1) == (0.5, 0.5, 0.5)
    # B-cubed precision per item: 2/3 2/3 1/3 1 1; recall: 1 1 1/3 2/3 2/3.
    assert s.bcubed_precision == pytest.approx(11 / 15)
    assert s.bcubed_recall == pytest.approx(11 / 15)


def test_bcubed_differs_from_pairwise() -> None:
    # One big correct cluster and a wrongly merged pair of singletons.
    pred = {i: ("big" if i < 10 else "small") for i in range(12)}
    gold = {i: ("big" if i < 10 else f"s{i}") for i in range(12)}
    s = evaluate(pred, gold)
    assert s.precision == pytest.approx(45 / 46)
    assert s.recall == 1.0
    assert s.bcubed_precision == pytest.approx((10 + 0.5 + 0.5) / 12)
    assert s.bcubed_recall == 1.0


def test_gold_missing_items_are_singletons() -> None:
    pred = {"a": 1, "b": 1, "c": 1}
    gold = {"a": "X", "b": "X"}  # c is not in the gold
    s = evaluate(pred, gold)
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (1, 3, 1)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == 1.0
    # Two items missing from the gold are not a gold pair.
    s = evaluate({"c": 1, "d": 1}, {})
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (0, 1, 0)
    assert s.precision == 0.0
    assert s.bcubed_precision == 0.5


def test_predicted_missing_gold_item_raises() -> None:
    with pytest.raises(ValueError, match="1 gold items"):
        evaluate({"a": 1}, {"a": "X", "b": "X"})


def test_empty() -> None:
    s = evaluate({}, {})
    assert (s.precision, s.recall, s.bcubed_precision, s.bcubed_recall) == (1.0, 1.0, 1.0, 1.0)


def test_scores_do_not_depend_on_label_names() -> None:
    rng = random.Random(5)
    items = list(range(40))
    pred = {i: rng.randint(0, 8) for i in items}
    gold = {i: rng.randint(0, 8) for i in items}
    renamed_pred = {i: f"p{pred[i] * 31}" for i in items}
    renamed_gold = {i: ("g", gold[i]) for i in items}
    assert evaluate(pred, gold) == evaluate(renamed_pred, renamed_gold)
    swapped = evaluate(gold, pred)
    s = evaluate(pred, gold)
    # Swapping prediction and gold swaps precision and recall.
    assert swapped.precision == pytest.approx(s.recall)
    assert swapped.bcubed_precision == pytest.approx(s.bcubed_recall)


def test_clusters_from_groups() -> None:
    labels = clusters_from_groups([["a", "b"], ["c"], []])
    assert labels == {"a": 0, "b": 0, "c": 1}


def test_read_clusters_csv(tmp_path: Path) -> None:
    p = tmp_path / "gold.csv"
    p.write_text('source,record_id,cluster\r\narxiv,1,x\r\ndblp,"a,b",x\r\n\r\n',
                 encoding="utf-8")
    assert read_clusters_csv(p) == {("arxiv", "1"): "x", ("dblp", "a,b"): "x"}
    bad = tmp_path / "bad.csv"
    bad.write_text("source,record_id\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected columns"):
        read_clusters_csv(bad)


# ------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def example_records() -> list[Record]:
    records_dir = Path(__file__).resolve().parent.parent / "examples" / "records"
    records, rejections = read_inputs(
        [InputSpec.parse(str(p)) for p in sorted(records_dir.iterdir())])
    assert rejections == []
    return records


@pytest.fixture(scope="module")
def gold() -> dict[tuple[str, str], str]:
    return read_clusters_csv(Path(__file__).resolve().parent.parent / "examples" / "gold.csv")


def _predicted(resolution) -> dict[tuple[str, str], str]:
    return {resolution.records[i].key: w.work_id for w in resolution.works for i in w.members}


def _snapshot(resolution) -> tuple:
    return (
        [(w.work_id, w.members, w.fields, w.field_sources) for w in resolution.works],
        [(p.a, p.b, p.score, p.evidence) for p in resolution.scored],
        resolution.clustering.clusters,
        resolution.clustering.splits,
        [(p.a, p.b, p.score) for p in resolution.clustering.completed_pairs],
        [(p.a, p.b) for p in resolution.matches],
    )


def test_examples_resolve_perfectly(example_records, gold) -> None:
    res = resolve_records(example_records, Settings())
    s = evaluate(_predicted(res), gold)
    assert s.precision == 1.0
    assert s.recall == 1.0
    assert s.bcubed_precision == 1.0 and s.bcubed_recall == 1.0
    assert s.true_pairs == 157


def test_examples_expected_answers(example_records) -> None:
    res = resolve_records(example_records, Settings())
    works = res.works
    assert len(example_records) == 57
    assert len(works) == 10
    assert sum(len(w.members) > 1 for w in works) == 9
    (single,) = [w for w in works if len(w.members) == 1]
    assert res.records[single.members[0]].key == ("crossref", "10.1145/3422622")

    def sources(w):
        return {res.records[i].source for i in w.members}

    vaswani = [w for w in works
               if any(a.family == "Vaswani" for i in w.members for a in res.records[i].authors)]
    assert len(vaswani) == 1
    assert len(vaswani[0].members) == 7
    assert sum({"arxiv", "crossref"} <= sources(w) for w in works) == 3
    bert = next(w for w in works if ("arxiv", "1810.04805v2") in
                {res.records[i].key for i in w.members})
    assert sorted(res.records[i].key for i in bert.members) == [
        ("arxiv", "1810.04805v2"), ("crossref", "10.18653/v1/n19-1423"),
        ("dblp", "conf/naacl/DevlinCLT19"), ("dblp", "journals/corr/abs-1810-04805"),
        ("openalex", "W1000002"), ("scholar_archive", "sa-0002"),
        ("semantic_scholar", "s2-0002"), ("zotero", "8FJ2NWXA"),
    ]
    assert bert.fields["doi"] == "10.18653/v1/n19-1423"
    assert bert.work_id == work_id([("arxiv", "1810.04805v2")])  # its smallest key
    # Every match is a scored pair of two members of one work.
    work_of = {i: w.work_id for w in works for i in w.members}
    assert all(work_of[p.a] == work_of[p.b] for p in res.matches)


def test_examples_second_run_is_identical(example_records) -> None:
    first = resolve_records(example_records, Settings())
    second = resolve_records(example_records, Settings())
    assert _snapshot(first) == _snapshot(second)


@pytest.mark.parametrize("seed", [0, 1])
def test_examples_input_order_does_not_change_works(example_records, gold, seed: int) -> None:
    base = resolve_records(example_records, Settings())
    shuffled = list(example_records)
    random.Random(seed).shuffle(shuffled)
    other = resolve_records(shuffled, Settings())
    assert _predicted(other) == _predicted(base)
    assert evaluate(_predicted(other), gold).f1 == 1.0


def test_pipeline_reports_stages(example_records) -> None:
    seen: list[str] = []
    res = resolve_records(example_records[:10], Settings(), step=seen.append)
    assert seen == ["features", "evidence graph", "candidates", "scoring", "clustering", "works",
                    "versions"]
    assert set(res.timings) == set(seen)
    assert sorted(i for w in res.works for i in w.members) == list(range(10))
