"""Run bib-dedupe (its defaults) on one shared data set; write its clusters.

Runs inside the bib-dedupe environment that ``quality.py`` creates
(``benchmarks/.venv-bib-dedupe``, from ``requirements-bib-dedupe.txt``), as a
separate process so that its time and memory are measured like ``kg build``'s:

    python run_bib_dedupe.py SET DATA_DIR OUT.csv [--clean-sources]

SET ``citations`` reads ``DATA_DIR/citations.jsonl`` (``benchmarks/citations.py``).

``OUT.csv`` has the clusters export's shape: ``source,record_id,cluster``.
DBLP-ACM's two tables are given as one frame of ``dblp:``/``acm:`` ids mapped
onto bib-dedupe's fields (title, author, journal = venue, year); with
``--clean-sources`` pairs within one table are dropped before clustering,
which is how bib-dedupe is told the two tables are clean.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep

FIELDS = ["ID", "ENTRYTYPE", "author", "year", "title", "journal", "volume", "number",
          "pages", "abstract", "doi", "isbn"]


def load(name: str, data: Path) -> pd.DataFrame:
    tables = {"dblp-acm": (("dblp", "DBLP2.csv", "latin-1"), ("acm", "ACM.csv", "utf-8")),
              "dblp-scholar": (("dblp", "DBLP1.csv", "latin-1"),
                               ("scholar", "Scholar.csv.gz", "utf-8"))}
    if name == "citations":  # benchmarks/citations.py: our JSON Lines records
        df = pd.read_json(data / "citations.jsonl", lines=True, dtype=False)
        df = pd.DataFrame({"ID": "citations:" + df["id"], "ENTRYTYPE": "article",
                           **{field: df.get(key, "") for field, key in (
                               ("author", "authors"), ("year", "year"), ("title", "title"),
                               ("journal", "venue"), ("volume", "volume"),
                               ("number", "issue"), ("pages", "pages"))}})
    elif name in tables:
        frames = []
        for source, file, encoding in tables[name]:
            df = pd.read_csv(data / name / file, encoding=encoding, dtype=str)
            frames.append(pd.DataFrame({
                "ID": source + ":" + df["id"], "ENTRYTYPE": "article",
                "author": df["authors"], "year": df["year"], "title": df["title"],
                "journal": df["venue"]}))
        df = pd.concat(frames, ignore_index=True)
    else:
        files = sorted((data / "sysrev" / name).glob("records_pre_merged*.csv.gz"))
        df = pd.concat([pd.read_csv(f, dtype=str) for f in files], ignore_index=True)
        df["ID"] = name + ":" + df["ID"]
    for field in FIELDS:
        if field not in df:
            df[field] = ""
    return df.fillna("")


def main() -> None:
    name, data, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    clean = "--clean-sources" in sys.argv[4:]
    records = load(name, data)
    prepared = prep(records)
    pairs = block(prepared)
    matched = match(pairs)
    if clean:
        src1 = matched["ID_1"].str.split(":", n=1).str[0]
        src2 = matched["ID_2"].str.split(":", n=1).str[0]
        matched = matched[src1 != src2]
    clusters = cluster(matched)
    label = {}
    for n, group in enumerate(clusters):
        for rid in group:
            label[rid] = f"c{n}"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["source", "record_id", "cluster"])
        for rid in records["ID"]:
            source, _, local = rid.partition(":")
            w.writerow([source, local, label.get(rid, rid)])


if __name__ == "__main__":
    main()
