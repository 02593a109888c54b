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
from typing import Any

from .unionfind import UnionFind

Item = Any
"""A record as the evaluation sees it: anything hashable (a position or a key)."""


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


# --- gold standards in the shapes users have ---------------------------------

GoldItem = tuple[str | None, str]
"""``(source, record_id)``; the source is ``None`` when the gold file does not
name it (it is then looked up among the build's records by id)."""

GOLD_FORMATS = ("clusters", "pairs", "merged-ids")


def read_gold(path: Path, fmt: str = "auto") -> list[list[GoldItem]]:
    """Gold duplicate groups from a CSV in one of three shapes:

    - ``clusters``: ``source,record_id,cluster`` (3 or more columns, header);
    - ``pairs``: two columns of record ids, one duplicate pair per row; a
      header such as ``idDBLP,idACM`` names the source of each column
      (``dblp``, ``acm``), otherwise ids are looked up in any source;
    - ``merged-ids``: one column, each row a duplicate set of ids joined by
      ``;`` (the systematic-review sets' ``merged_record_ids.csv``).

    ``auto`` picks by the number of columns (3+, 2, 1).  Groups that share an
    item are not merged here; :func:`gold_labels` does that.
    """
    if fmt not in ("auto", *GOLD_FORMATS):
        raise ValueError(f"unknown gold format {fmt!r} (expected auto, {', '.join(GOLD_FORMATS)})")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        numbered = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    if not numbered:
        raise ValueError(f"{path}: empty gold file")
    header, body = numbered[0][1], numbered[1:]
    if fmt == "auto":
        fmt = {1: "merged-ids", 2: "pairs"}.get(len(header), "clusters")
    groups: list[list[GoldItem]] = []
    if fmt == "clusters":
        if len(header) < 3:
            raise ValueError(f"{path}: expected columns source,record_id,cluster")
        by_label: dict[str, list[GoldItem]] = defaultdict(list)
        for n, row in body:
            if len(row) < 3:
                raise ValueError(f"{path}:{n}: expected source,record_id,cluster")
            by_label[row[2]].append((row[0] or None, row[1]))
        groups = list(by_label.values())
    elif fmt == "pairs":
        sources = [_column_source(h) for h in header]
        for n, row in body:
            if len(row) != 2:
                raise ValueError(f"{path}:{n}: expected two record ids")
            groups.append([(sources[0], row[0].strip()), (sources[1], row[1].strip())])
    else:
        for _, row in body:
            groups.append([(None, i.strip()) for i in row[0].split(";") if i.strip()])
    return groups


def _column_source(header: str) -> str | None:
    """``idDBLP`` -> ``dblp``; a header that does not name a source -> None."""
    h = header.strip()
    for prefix in ("id_", "id"):
        if h.lower().startswith(prefix) and len(h) > len(prefix):
            return h[len(prefix):].lower()
    return None


def gold_labels(groups: Iterable[Iterable[GoldItem]],
                keys: Iterable[tuple[str, str]]) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Resolve gold items to the build's record keys and label each with its
    gold cluster (groups sharing a record are one cluster).

    Returns the labels and a list of problems: ids not found in the build, or
    found in several sources when the gold does not say which.
    """
    keys = list(keys)
    key_set = set(keys)
    by_id: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in keys:
        by_id[key[1]].append(key)
    sources = {s for s, _ in keys}
    problems: list[str] = []
    clusters: UnionFind[tuple[str, str]] = UnionFind()
    # Each cluster's number comes from the key it is named by: a key names its
    # own set, and a union keeps the name of the second key's set (so the numbers
    # are the ones kg evaluate has always shown).
    name: dict[tuple[str, str], tuple[str, str]] = {}

    for group in groups:
        resolved = []
        for source, rid in group:
            if source is not None and source in sources:
                key = (source, rid)
                if key in key_set:
                    resolved.append(key)
                else:
                    problems.append(f"gold record {source}:{rid} is not in the build")
                continue
            found = by_id.get(rid, [])
            if len(found) == 1:
                resolved.append(found[0])
            elif not found:
                problems.append(f"gold record {rid} is not in the build")
            else:
                problems.append(f"gold record {rid} is in several sources: "
                                + ", ".join(s for s, _ in found))
        for key in resolved:
            if key not in clusters:
                clusters.add(key)
                name[key] = key
        for x, y in zip(resolved, resolved[1:], strict=False):
            rx, ry = clusters.find(x), clusters.find(y)
            if rx != ry:
                name[clusters.union(rx, ry)] = name[ry]
    number = {r: n for n, r in enumerate(sorted({name[clusters.find(k)] for k in clusters}))}
    return {k: number[name[clusters.find(k)]] for k in clusters}, problems


@dataclass(frozen=True)
class PairError:
    """A false merge (same predicted work, different gold clusters) or a
    missed pair (same gold cluster, different works)."""

    a: Item
    b: Item
    predicted: tuple[Hashable, Hashable]
    gold: tuple[Hashable, Hashable]


def pair_errors(predicted: Mapping[Item, Hashable], gold: Mapping[Item, Hashable]
                ) -> tuple[list[PairError], list[PairError]]:
    """Every false-merge pair and every missed pair, each sorted.

    Quadratic in cluster size only: pairs are enumerated within predicted
    works (for false merges) and within gold clusters (for misses).
    """
    gold_full = {i: gold.get(i, ("singleton", i)) for i in predicted}

    def split_pairs(within: Mapping[Item, Hashable], apart: Mapping[Item, Hashable]
                    ) -> list[PairError]:
        """Pairs in one group of ``within`` but in different groups of ``apart``."""
        out = []
        for members in _groups(within).values():
            members = sorted(members)
            for k, a in enumerate(members):
                for b in members[k + 1:]:
                    if apart[a] != apart[b]:
                        out.append(PairError(a, b, (predicted[a], predicted[b]),
                                             (gold_full[a], gold_full[b])))
        return sorted(out, key=lambda e: (e.a, e.b))

    return split_pairs(predicted, gold_full), split_pairs(gold_full, predicted)
