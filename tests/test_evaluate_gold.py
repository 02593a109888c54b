"""Tests for the gold-standard readers and pair errors of resolve.evaluate."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from resolve.evaluate import (
    GOLD_FORMATS,
    PairError,
    evaluate,
    gold_labels,
    pair_errors,
    read_gold,
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _partition(labels: dict) -> set[frozenset]:
    groups: dict = {}
    for item, label in labels.items():
        groups.setdefault(label, set()).add(item)
    return {frozenset(g) for g in groups.values()}


# ----------------------------------------------------------------- read_gold


CLUSTERS = """source,record_id,cluster
dblp,d1,X
acm,a1,X
dblp,d2,Y
acm,a2,Z
,a3,Z
"""


@pytest.mark.parametrize("fmt", ["auto", "clusters"])
def test_read_gold_clusters(tmp_path: Path, fmt: str) -> None:
    path = _write(tmp_path, "gold.csv", CLUSTERS)
    groups = read_gold(path, fmt)
    assert groups == [[("dblp", "d1"), ("acm", "a1")], [("dblp", "d2")],
                      [("acm", "a2"), (None, "a3")]]


def test_read_gold_clusters_extra_columns_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    path.write_bytes("\ufeffsource,record_id,cluster,note\nx,1,c,n\ny,2,c,\n\n".encode())
    assert read_gold(path) == [[("x", "1"), ("y", "2")]]


def test_read_gold_pairs_with_source_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "perfect.csv",
                  "idDBLP,idACM\nconf/sigmod/X01,P-1\n journals/tods/Y02 , P-2\n")
    for fmt in ("auto", "pairs"):
        assert read_gold(path, fmt) == [
            [("dblp", "conf/sigmod/X01"), ("acm", "P-1")],
            [("dblp", "journals/tods/Y02"), ("acm", "P-2")],
        ]


@pytest.mark.parametrize(("header", "sources"), [
    ("id_left,id_right", ("left", "right")),
    ("left,right", (None, None)),
    ("ID,record", (None, None)),
])
def test_read_gold_pairs_header_sources(tmp_path: Path, header: str, sources) -> None:
    path = _write(tmp_path, "pairs.csv", f"{header}\n1,2\n")
    assert read_gold(path) == [[(sources[0], "1"), (sources[1], "2")]]


def test_read_gold_merged_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, "merged_record_ids.csv",
                  "merged_ids\n1;2;3\n4\n 5 ; 6 ;\n")
    for fmt in ("auto", "merged-ids"):
        assert read_gold(path, fmt) == [
            [(None, "1"), (None, "2"), (None, "3")],
            [(None, "4")],
            [(None, "5"), (None, "6")],
        ]


def test_read_gold_forced_format_overrides_column_count(tmp_path: Path) -> None:
    # A 3-column file read as pairs: every row is malformed.
    path = _write(tmp_path, "gold.csv", CLUSTERS)
    with pytest.raises(ValueError, match=r"gold\.csv:2: expected two record ids"):
        read_gold(path, "pairs")
    # A 1-column file read as clusters: the header is too short.
    one = _write(tmp_path, "one.csv", "ids\n1;2\n")
    with pytest.raises(ValueError, match=r"one\.csv: expected columns source,record_id,cluster"):
        read_gold(one, "clusters")


def test_read_gold_malformed_cluster_row_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "source,record_id,cluster\nx,1,c\nx,2\n")
    with pytest.raises(ValueError) as err:
        read_gold(path)
    assert str(err.value) == f"{path}:3: expected source,record_id,cluster"


def test_read_gold_malformed_pair_row_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "idDBLP,idACM\na,b\nc,d\ne,f,g\n")
    with pytest.raises(ValueError) as err:
        read_gold(path)
    assert str(err.value) == f"{path}:4: expected two record ids"
    lonely = _write(tmp_path, "lonely.csv", "idDBLP,idACM\na\n")
    with pytest.raises(ValueError, match=r"lonely\.csv:2: expected two record ids"):
        read_gold(lonely)


def test_read_gold_line_number_counts_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "idDBLP,idACM\na,b\n\ne,f,g\n")
    with pytest.raises(ValueError) as err:
        read_gold(path)
    assert str(err.value) == f"{path}:4: expected two record ids"


def test_read_gold_unknown_format_and_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "gold.csv", CLUSTERS)
    with pytest.raises(ValueError, match=r"unknown gold format 'xml'") as err:
        read_gold(path, "xml")
    for fmt in GOLD_FORMATS:
        assert fmt in str(err.value)
    empty = _write(tmp_path, "empty.csv", "\n \n")
    with pytest.raises(ValueError, match=r"empty\.csv: empty gold file"):
        read_gold(empty)


def test_read_gold_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_gold(tmp_path / "nope.csv")


# --------------------------------------------------------------- gold_labels

KEYS = [("dblp", "d1"), ("dblp", "d2"), ("acm", "a1"), ("acm", "a2"),
        ("acm", "x"), ("dblp", "x")]


def test_gold_labels_resolves_ids_without_source() -> None:
    labels, problems = gold_labels([[(None, "d1"), (None, "a1")]], KEYS)
    assert problems == []
    assert labels == {("dblp", "d1"): 0, ("acm", "a1"): 0}


def test_gold_labels_with_sources() -> None:
    labels, problems = gold_labels(
        [[("dblp", "d1"), ("acm", "a1")], [("dblp", "x"), ("acm", "a2")]], KEYS)
    assert problems == []
    assert _partition(labels) == {frozenset({("dblp", "d1"), ("acm", "a1")}),
                                  frozenset({("dblp", "x"), ("acm", "a2")})}
    assert sorted(set(labels.values())) == [0, 1]


def test_gold_labels_source_not_in_build_falls_back_to_id() -> None:
    # A header "idDBLP2" names a source the build does not have.
    labels, problems = gold_labels([[("dblp2", "d1"), ("acm", "a1")]], KEYS)
    assert problems == []
    assert labels == {("dblp", "d1"): 0, ("acm", "a1"): 0}


def test_gold_labels_reports_missing_and_ambiguous_ids() -> None:
    labels, problems = gold_labels(
        [[(None, "d1"), (None, "nowhere")], [(None, "x"), (None, "a2")],
         [("acm", "gone"), ("acm", "a1")]], KEYS)
    assert problems == [
        "gold record nowhere is not in the build",
        "gold record x is in several sources: acm, dblp",
        "gold record acm:gone is not in the build",
    ]
    # What could be resolved is still labelled, each in its own cluster.
    assert set(labels) == {("dblp", "d1"), ("acm", "a2"), ("acm", "a1")}
    assert len(set(labels.values())) == 3


def test_gold_labels_merges_groups_sharing_a_record() -> None:
    labels, problems = gold_labels(
        [[(None, "d1"), (None, "a1")], [("acm", "a1"), ("dblp", "d2")],
         [(None, "a2"), ("dblp", "x")]], KEYS)
    assert problems == []
    assert _partition(labels) == {
        frozenset({("dblp", "d1"), ("acm", "a1"), ("dblp", "d2")}),
        frozenset({("acm", "a2"), ("dblp", "x")}),
    }


def test_gold_labels_from_files_end_to_end(tmp_path: Path) -> None:
    pairs = _write(tmp_path, "pairs.csv", "idDBLP,idACM\nd1,a1\nd2,a1\n")
    labels, problems = gold_labels(read_gold(pairs), KEYS)
    assert problems == []
    assert _partition(labels) == {frozenset({("dblp", "d1"), ("dblp", "d2"), ("acm", "a1")})}
    merged = _write(tmp_path, "merged.csv", "ids\nd1;a2\nx;a1\n")
    labels, problems = gold_labels(read_gold(merged), KEYS)
    assert problems == ["gold record x is in several sources: acm, dblp"]
    assert _partition(labels) == {frozenset({("dblp", "d1"), ("acm", "a2")}),
                                  frozenset({("acm", "a1")})}


# --------------------------------------------------------------- pair_errors


def test_pair_errors_hand_example() -> None:
    # Predicted: {a, b, c}, {d, e}, {f}.  Gold: {a, b}, {c, d}, {e}, f unlisted.
    pred = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 3}
    gold = {"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Z"}
    false_merges, missed = pair_errors(pred, gold)
    assert sorted((e.a, e.b) for e in false_merges) == [("a", "c"), ("b", "c"), ("d", "e")]
    assert [(e.a, e.b) for e in missed] == [("c", "d")]
    by_pair = {(e.a, e.b): e for e in false_merges}
    assert by_pair[("a", "c")] == PairError("a", "c", (1, 1), ("X", "Y"))
    assert by_pair[("d", "e")] == PairError("d", "e", (2, 2), ("Y", "Z"))
    assert missed[0] == PairError("c", "d", (1, 2), ("Y", "Y"))
    s = evaluate(pred, gold)
    assert len(false_merges) == s.predicted_pairs - s.correct_pairs == 3
    assert len(missed) == s.true_pairs - s.correct_pairs == 1


def test_pair_errors_unlisted_items_are_singletons() -> None:
    pred = {"a": 1, "f": 1}
    false_merges, missed = pair_errors(pred, {"a": "X"})
    assert false_merges == [PairError("a", "f", (1, 1), ("X", ("singleton", "f")))]
    assert missed == []


def test_pair_errors_perfect_prediction() -> None:
    pred = {"a": 7, "b": 7, "c": 8}
    assert pair_errors(pred, {"a": "X", "b": "X", "c": "Y"}) == ([], [])


@st.composite
def _labelings(draw):
    n = draw(st.integers(min_value=0, max_value=14))
    items = [f"i{k:02d}" for k in range(n)]
    pred = {i: draw(st.integers(0, 4)) for i in items}
    gold = {i: draw(st.sampled_from("ABCD")) for i in items if draw(st.booleans())
            or draw(st.booleans())}
    return pred, gold


@hsettings(max_examples=50, deadline=None)
@given(_labelings())
def test_pair_errors_agree_with_evaluate(labelings) -> None:
    pred, gold = labelings
    false_merges, missed = pair_errors(pred, gold)
    s = evaluate(pred, gold)
    assert len(false_merges) == s.predicted_pairs - s.correct_pairs
    assert len(missed) == s.true_pairs - s.correct_pairs
    gold_full = {i: gold.get(i, ("singleton", i)) for i in pred}
    expected_fm = {(a, b) for a, b in combinations(sorted(pred), 2)
                   if pred[a] == pred[b] and gold_full[a] != gold_full[b]}
    expected_missed = {(a, b) for a, b in combinations(sorted(pred), 2)
                       if pred[a] != pred[b] and gold_full[a] == gold_full[b]}
    assert [(e.a, e.b) for e in false_merges if e.a < e.b] == [(e.a, e.b) for e in false_merges]
    assert {(e.a, e.b) for e in false_merges} == expected_fm
    assert {(e.a, e.b) for e in missed} == expected_missed
    for e in [*false_merges, *missed]:
        assert e.predicted == (pred[e.a], pred[e.b])
        assert e.gold == (gold_full[e.a], gold_full[e.b])
