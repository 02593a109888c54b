"""Quality of a clustering against gold clusters: pairwise and B-cubed.

Both clusterings map each item (any hashable, e.g. ``(source, record_id)``)
to a cluster label.  Items missing from the gold are treated as singletons;
items missing from the prediction are an error (every record must be in a work).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Item = Hashable


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _groups(labels: Mapping[Item, Hashable]) -> dict[Hashable, list[Item]]:
    groups: dict[Hashable, list[Item]] = defaultdict(list)
    for item, label in labels.items():
        groups[label].append(item)
    return groups


def evaluate(predicted: Mapping[Item, Hashable], gold: Mapping[Item, Hashable]) -> Scores:
    missing = [i for i in gold if i not in predicted]
    if missing:
        raise ValueError(f"{len(missing)} gold items have no predicted cluster, e.g. {missing[0]}")
    # Gold singletons for items the gold does not list.
    gold_full = {i: gold.get(i, ("singleton", i)) for i in predicted}
    # Contingency counts: (pred label, gold label) -> number of items.
    both: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    for i, p in predicted.items():
        both[(p, gold_full[i])] += 1
    pred_sizes = {k: len(v) for k, v in _groups(predicted).items()}
    gold_sizes = {k: len(v) for k, v in _groups(gold_full).items()}
    correct = sum(n * (n - 1) // 2 for n in both.values())
    predicted_pairs = sum(n * (n - 1) // 2 for n in pred_sizes.values())
    true_pairs = sum(n * (n - 1) // 2 for n in gold_sizes.values())
    p = correct / predicted_pairs if predicted_pairs else 1.0
    r = correct / true_pairs if true_pairs else 1.0
    n = len(predicted)
    # B-cubed: per item, share of its predicted cluster that is in its gold cluster
    # (precision) and share of its gold cluster found in its predicted cluster (recall).
    bp = sum(c * c / pred_sizes[pl] for (pl, _), c in both.items()) / n if n else 1.0
    br = sum(c * c / gold_sizes[gl] for (_, gl), c in both.items()) / n if n else 1.0
    return Scores(p, r, _f1(p, r), bp, br, _f1(bp, br), true_pairs, predicted_pairs, correct)


def read_clusters_csv(path: Path) -> dict[tuple[str, str], str]:
    """A ``source,record_id,<label>`` CSV (the clusters export, or gold in that shape)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if len(header) < 3:
            raise ValueError(f"{path}: expected columns source,record_id,cluster")
        return {(row[0], row[1]): row[2] for row in reader if row}


def clusters_from_groups(groups: Iterable[Iterable[Item]]) -> dict[Item, int]:
    """Labels from a list of groups (e.g. gold duplicate sets)."""
    labels: dict[Item, int] = {}
    for n, group in enumerate(groups):
        for item in group:
            labels[item] = n
    return labels
