"""``kg evaluate`` end to end on the example store."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from _kgfixtures import BERT_RECORDS, EXAMPLES, describe, run, text

EXIT_INPUT, EXIT_STORE = 2, 4
GOLD = EXAMPLES / "gold.csv"
MOVED = ("zotero", "8FJ2NWXA")  # a BERT record, moved to the attention cluster in the gold


def _gold_rows() -> list[list[str]]:
    with GOLD.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def wrong_gold(tmp_path_factory) -> Path:
    rows = _gold_rows()
    moved = 0
    for row in rows[1:]:
        if (row[0], row[1]) == MOVED:
            assert row[2] == "bert"
            row[2] = "attention"
            moved += 1
    assert moved == 1
    path = tmp_path_factory.mktemp("gold") / "wrong.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_example_gold_scores_perfectly(example_store: Path) -> None:
    res = run("evaluate", GOLD, "--store", example_store)
    assert res.exit_code == 0, describe(res)
    out = text(res)
    assert re.search(r"^pairwise\s+precision 1\.0000\s+recall 1\.0000\s+F1 1\.0000", out, re.M)
    assert re.search(r"^B-cubed\s+precision 1\.0000\s+recall 1\.0000\s+F1 1\.0000", out, re.M)
    assert "false merges: 0 pairs" in out
    assert "missed pairs: 0," in out
    assert "gold problems" not in out


def test_wrong_gold_lists_the_moved_record(example_store: Path, wrong_gold: Path) -> None:
    res = run("evaluate", wrong_gold, "--store", example_store)
    assert res.exit_code == 0, describe(res)
    out = text(res)
    n_bert = len(BERT_RECORDS)  # 8 records: the moved one against the 7 others
    n_attention = sum(1 for r in _gold_rows()[1:] if r[2] == "attention")
    assert f"false merges: {n_bert - 1} pairs" in out
    assert f"missed pairs: {n_attention}," in out
    assert "precision 1.0000" not in out.splitlines()[0]
    false_part, missed_part = out.split("\nmissed pairs:")
    false_part = false_part.split("\nfalse merges:")[1]
    # The false merge: the BERT work, its records with their gold clusters, the
    # moved one in a gold cluster of its own, and the evidence that joined it.
    assert f"{n_bert} records, {n_bert - 1} false pairs" in false_part
    record_lines = [ln for ln in false_part.splitlines() if ln.strip().startswith("[gold ")]
    assert len(record_lines) == n_bert
    gold_of = {ln.split("] ")[1].split(" (")[0]: re.search(r"\[gold (\S+)\]", ln).group(1)
               for ln in record_lines}
    assert set(gold_of) == {f"{s}:{r}" for s, r in BERT_RECORDS}
    gold_of_moved = gold_of.pop("zotero:8FJ2NWXA")
    assert len(set(gold_of.values())) == 1 and gold_of_moved not in gold_of.values()
    strongest = next(ln for ln in false_part.splitlines() if "strongest wrong link" in ln)
    assert re.search(r"score \d\.\d{4}: .*title exact", strongest), strongest
    # The missed pairs: the moved record against each attention record.
    missed_lines = missed_part.splitlines()[1:]
    assert sum(1 for ln in missed_lines if "zotero:8FJ2NWXA" in ln) == min(n_attention, 10)
    assert "Attention Is All You Need" in missed_part


def test_json_format(example_store: Path, wrong_gold: Path) -> None:
    res = run("evaluate", wrong_gold, "--store", example_store, "--format", "json",
              "--show", "3")
    assert res.exit_code == 0, describe(res)
    data = json.loads(res.stdout)
    s = data["scores"]
    assert (s["true_pairs"], s["predicted_pairs"]) == (157, 157)
    assert s["correct_pairs"] == 157 - 7
    assert s["precision"] == pytest.approx(150 / 157)
    assert s["recall"] == pytest.approx(150 / 157)
    assert 0 < s["bcubed_f1"] < 1
    assert data["false_merge_pairs"] == 7
    assert data["missed_pairs"] == 7
    assert len(data["worst_misses"]) == 3
    assert all(list(MOVED) in (m["a"]["key"], m["b"]["key"]) for m in data["worst_misses"])
    [merged] = data["worst_merges"]
    assert {tuple(r[0]["key"]) for r in merged["records"]} == BERT_RECORDS
    assert merged["false_pairs"] == 7
    assert merged["strongest"]["score"] > 0.5
    fields = {e[0] for e in merged["strongest"]["evidence"]}
    assert "title" in fields


def test_json_format_of_perfect_gold(example_store: Path) -> None:
    res = run("evaluate", GOLD, "--store", example_store, "-f", "json")
    assert res.exit_code == 0, describe(res)
    data = json.loads(res.stdout)
    assert data["scores"]["f1"] == 1.0 and data["scores"]["bcubed_f1"] == 1.0
    assert data["worst_merges"] == [] and data["worst_misses"] == []
    assert data["problems"] == []


def test_gold_problems_are_reported(example_store: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    with gold.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([*_gold_rows(), ["zotero", "no-such-record", "bert"]])
    res = run("evaluate", gold, "--store", example_store)
    assert res.exit_code == 0, describe(res)
    out = text(res)
    assert "gold problems: 1 (first: gold record zotero:no-such-record is not in the build)" in out
    assert "F1 1.0000" in out.splitlines()[0]


def test_missing_gold_file_exits_2(example_store: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-gold.csv"
    res = run("evaluate", missing, "--store", example_store)
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert "no-gold.csv" in text(res).replace("\n", "")


def test_malformed_gold_exits_2_with_line(example_store: Path, tmp_path: Path) -> None:
    gold = tmp_path / "bad.csv"
    gold.write_text("idDBLP,idACM\na,b\nc,d,e\n", encoding="utf-8")
    res = run("evaluate", gold, "--store", example_store)
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert "bad.csv:3: expected two record ids" in text(res).replace("\n", "")


def test_unknown_gold_format_and_output_format_exit_2(example_store: Path) -> None:
    res = run("evaluate", GOLD, "--store", example_store, "--gold-format", "xml")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert "unknown gold format" in text(res)
    res = run("evaluate", GOLD, "--store", example_store, "--format", "yaml")
    assert res.exit_code == EXIT_INPUT, describe(res)


def test_not_a_store_exits_4(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "file.txt").write_text("x", encoding="utf-8")
    res = run("evaluate", GOLD, "--store", plain)
    assert res.exit_code == EXIT_STORE, describe(res)
    assert "not a kg-resolve store" in text(res)
