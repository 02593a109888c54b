"""Why kg-resolve misses or wrongly makes DBLP-Scholar links: a diagnosis.

Runs the resolution in-process (no RDF store) on the Leipzig DBLP-Scholar set
and scores it as linkage, counting only pairs across DBLP and Scholar (see
:func:`cross_scores`; Scholar-Scholar pairs are not labelled).  Then sorts
every missed gold cross pair by the first stage that lost it:

- ``never a candidate``: no blocking key (nor identifier) proposed it;
- ``screened out``: proposed, but dropped as hopeless before scoring;
- ``scored below threshold``: scored, match probability < threshold (the
  fields that count against it are tallied by level);
- ``community split`` / ``constraint split``: above the threshold and in
  one connected component, but the community step or a hard constraint
  put the two records in different works;
- ``other``: linked only through other records that ended elsewhere.

    python benchmarks/dblp_scholar.py [--data DIR] [--show N] [--settings FILE]

Blocking recall is the share of gold cross pairs that blocking proposed
(before the screen).  No labels reach the resolver: the gold is read only
to score and to sort the misses.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from resolve.pipeline import resolve_records  # noqa: E402
from resolve.readers import expand_inputs, read_inputs  # noqa: E402
from resolve.scoring import ALL_COMPARISONS, log2_odds  # noqa: E402
from resolve.settings import Settings  # noqa: E402

A, B = "dblp", "scholar"


def gold_components(mapping: Path) -> dict[tuple[str, str], int]:
    """Connected components of the (many-to-many) mapping: record -> label."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    with mapping.open(encoding="utf-8") as fh:
        for row in list(csv.reader(fh))[1:]:
            parent[find((A, row[0]))] = find((B, row[1]))
    return {k: hash(find(k)) for k in parent}


def cross_pairs(labels: dict, items) -> set[tuple]:
    """Every (dblp item, scholar item) pair that shares a label."""
    groups: dict = {}
    for item in items:
        if item in labels:
            groups.setdefault(labels[item], []).append(item)
    out = set()
    for members in groups.values():
        xs = [m for m in members if m[0] == A]
        ys = [m for m in members if m[0] == B]
        out.update((x, y) for x in xs for y in ys)
    return out


def cross_scores(predicted: dict, gold: dict) -> dict:
    """Precision, recall and F1 over DBLP-Scholar pairs only."""
    pred = cross_pairs(predicted, predicted)
    true = cross_pairs(gold, gold)
    correct = len(pred & true)
    p = correct / len(pred) if pred else 1.0
    r = correct / len(true) if true else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "predicted": len(pred), "true": len(true), "correct": correct}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--show", type=int, default=0, help="print N examples of each cause")
    ap.add_argument("--settings", type=Path)
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    d = args.data / "dblp-scholar"
    settings = Settings.from_json(args.settings.read_text()) if args.settings else Settings()
    t0 = time.perf_counter()
    specs, _ = expand_inputs([f"{A}={d / 'DBLP1.csv'}", f"{B}={d / 'Scholar.csv.gz'}"])
    records, _ = read_inputs(specs)
    res = resolve_records(records, settings, jobs=2)
    seconds = time.perf_counter() - t0
    keys = [r.key for r in records]
    pos = {k: i for i, k in enumerate(keys)}
    work_of = {}
    for w in res.works:
        for m in w.members:
            work_of[m] = w.work_id
    predicted = {keys[i]: work_of[i] for i in range(len(keys))}
    gold = gold_components(d / "DBLP-Scholar_perfectMapping.csv")
    s = cross_scores(predicted, gold)
    print(f"dblp-scholar cross-source: P {s['precision']:.4f}  R {s['recall']:.4f}  "
          f"F1 {s['f1']:.4f}  (predicted {s['predicted']}, gold {s['true']}, "
          f"correct {s['correct']})  {seconds:.0f}s")

    true = cross_pairs(gold, gold)
    pred = cross_pairs(predicted, predicted)
    scored = {(p.a, p.b): p for p in res.scored}
    # blocking again without the screen: what it proposed at all
    from dataclasses import replace

    from resolve.blocking import candidate_pairs
    proposed, _ = candidate_pairs(res.features, res.graph, res.stats,
                                  replace(settings, min_title_similarity=0.0), 2)
    hopeless = set(proposed) - set(scored)
    del proposed
    thr = settings.match_threshold
    # which component (above-threshold edges) each record is in
    import networkx as nx
    g = nx.Graph()
    g.add_edges_from((p.a, p.b) for p in [*res.scored, *res.clustering.completed_pairs]
                     if p.score >= thr)
    comp_of = {n: k for k, c in enumerate(nx.connected_components(g)) for n in c}
    split_members = {m for comp, _ in res.clustering.splits for m in comp}
    constrained = {m for part, _ in res.clustering.constrained for m in part}
    causes: Counter[str] = Counter()
    examples: dict[str, list] = {}
    against: Counter[str] = Counter()
    cand_total = 0
    grid: Counter[tuple[str, str]] = Counter()
    samples: dict[tuple[str, str], list] = {}
    for x, y in sorted(true - pred):
        a, b = sorted((pos[x], pos[y]))
        sp = scored.get((a, b))
        if sp is None:
            if (a, b) in hopeless:
                cause = "screened out"
            else:
                cause = "never a candidate"
        elif sp.score < thr:
            cause = "scored below threshold"
            evs = res.scored[0].explainer.explain(a, b)
            lv = {e.field: e.level.replace(" (common value)", "") for e in evs}
            grid[lv["title"], lv["authors"]] += 1
            samples.setdefault((lv["title"], lv["authors"]), []).append((a, b))
            for ev in evs:
                if ev.weight < 0 or ev.level == "missing" or "common value" in ev.level:
                    against[f"{ev.field}: {ev.level}"] += 1
        elif comp_of.get(a) == comp_of.get(b) and a in constrained:
            cause = "constraint split"
        elif comp_of.get(a) == comp_of.get(b) and a in split_members:
            cause = "community split"
        else:
            cause = "other"
        causes[cause] += 1
        examples.setdefault(cause, []).append((a, b, sp))
    for x, y in true:
        a, b = sorted((pos[x], pos[y]))
        if (a, b) in scored or (a, b) in hopeless:
            cand_total += 1
    print(f"gold cross pairs {len(true)}; blocking proposed {cand_total} "
          f"(blocking recall {cand_total / len(true):.3f}); candidate pairs {len(scored)}")
    print("missed gold cross pairs by cause:")
    for cause, n in causes.most_common():
        print(f"  {n:6d}  {cause}")
    below = [log2_odds(sp.score) for *_, sp in examples.get("scored below threshold", [])]
    if below:
        print("log2 odds of those below threshold, by band:",
              dict(sorted(Counter(int(max(min(x, 0), -20)) // 2 * 2 for x in below).items())))
    print("title level x author level of those below threshold:")
    for (t, au), n in grid.most_common(20):
        print(f"  {n:6d}  title {t} / authors {au}")
    if args.show:
        for key, _ in grid.most_common(4):
            print(f"== below threshold, title {key[0]} / authors {key[1]}")
            for a, b in samples[key][:: max(1, len(samples[key]) // args.show)][: args.show]:
                for i in (a, b):
                    r = records[i]
                    print(f"   {r.title[:90]} | {'; '.join(x.name for x in r.authors)[:60]}"
                          f" | {r.venue[:40]} | {r.year}")
                print("     " + ", ".join(f"{e.field}={e.level}:{e.weight}" for e in
                                          res.scored[0].explainer.explain(a, b) if e.weight))
    print("fields against the pairs scored below threshold (pairs with that level):")
    for k, n in against.most_common(25):
        print(f"  {n:6d}  {k}")
    wrong = pred - true
    print(f"false cross pairs: {len(wrong)}")
    if args.show:
        for cause, exs in examples.items():
            print(f"\n== {cause}")
            step = max(1, len(exs) // args.show)
            for a, b, sp in exs[::step][: args.show]:
                for i in (a, b):
                    r = records[i]
                    print(f"   {r.source}:{r.record_id} | {r.title} | "
                          f"{'; '.join(x.name for x in r.authors)} | {r.venue} | {r.year}")
                if sp is not None:
                    print(f"   score {sp.score:.4f}: " + ", ".join(
                        f"{e.field}={e.level}:{e.weight}" for e in sp.evidence))
        print("\n== false cross pairs")
        for x, y in sorted(wrong)[: args.show]:
            for k in (x, y):
                r = records[pos[k]]
                print(f"   {r.source}:{r.record_id} | {r.title} | "
                      f"{'; '.join(a.name for a in r.authors)} | {r.venue} | {r.year}")
            print()
    print("weights:", json.dumps(res.estimation.as_dict()["weights"]
                                  if "weights" in res.estimation.as_dict()
                                  else res.estimation.model.as_dict()))
    if args.json:
        args.json.write_text(json.dumps({**s, "causes": dict(causes),
                                         "blocking": cand_total / len(true)}, indent=2))


if __name__ == "__main__":
    _ = ALL_COMPARISONS
    main()
