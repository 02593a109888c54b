"""The deduplicated library (``kg export -f ris|bibtex|csv``) loses nothing.

tests/fixtures/library holds a MEDLINE-like and an Embase-like RIS export and a
Zotero BibTeX library with known duplicates: the exercise trial is in all three
(medline:med1, embase:emb1, zotero:smith2019exercise), the MBCT trial in MEDLINE
and Zotero, the acupuncture paper in Embase and Zotero; the sleep paper is only in
MEDLINE and the handbook only in Zotero. 9 records, 5 works, 4 duplicates.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import bibtexparser
import pytest
import rispy
from _kgfixtures import describe, run

from kg.build import read_records
from resolve.types import Record

RIS_LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "SN", "AN"]
LIBRARY = Path(__file__).resolve().parent / "fixtures" / "library"
FILES = sorted(str(p) for p in LIBRARY.iterdir())
EXERCISE = {("medline", "med1"), ("embase", "emb1"), ("zotero", "smith2019exercise")}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("library") / "store"
    res = run("build", *FILES, "--store", store, "--quiet")
    assert res.exit_code == 0, describe(res)
    return store


def export(store: Path, fmt: str, *extra: object) -> str:
    res = run("export", "--store", store, "-f", fmt, "-o", "-", *extra)
    assert res.exit_code == 0, describe(res)
    return res.stdout


def ris_records(text: str) -> dict[str, dict]:
    return {r["id"]: r for r in rispy.loads(text, list_tags=RIS_LIST_TAGS)}


def bib_entries(text: str) -> dict:
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks
    return {e.key: e for e in lib.entries}


def _same_or_extended(original: object, exported: object) -> bool:
    """A tag or field kept: the same value, or (lists, keywords, notes) the
    original values first, what other records add after them."""
    if isinstance(original, list):
        return isinstance(exported, list) and exported[:len(original)] == original
    return exported == original or str(exported).startswith(str(original))


# ----------------------------------------------------------------- RIS


def test_ris_keeps_every_tag_of_the_chosen_records(library):
    out = ris_records(export(library, "ris"))
    originals = {}
    for name in ("medline.ris", "embase.ris"):
        originals.update(ris_records((LIBRARY / name).read_text(encoding="utf-8")))
    # the MEDLINE records are the most complete of their works; the acupuncture
    # paper is written from Embase's (LA, KW) rather than Zotero's
    assert {"med1", "med2", "med3", "emb2"} <= set(out)
    for rid in ("med1", "med2", "med3", "emb2"):
        for tag, value in originals[rid].items():
            assert _same_or_extended(value, out[rid].get(tag)), (rid, tag, out[rid].get(tag))


def test_ris_adds_what_the_other_records_carry(library):
    med1 = ris_records(export(library, "ris"))["med1"]
    assert med1["keywords"] == ["Depression", "Exercise", "Aged", "physical activity",
                                "geriatric depression", "exercise therapy", "older adults"]
    assert "1573-2517" in med1["issn"] and "0165-0327" in med1["issn"]
    notes = med1["notes"]
    assert "Screened: include (reviewer A)" in notes
    assert "Embase note: conference abstract also exists" in notes
    assert "Zotero note: check the protocol" in notes
    assert any(n.startswith("kg-resolve work w") for n in notes)
    assert med1["accession_number"] == ["30612345"]   # the PMID, not repeated
    assert med1["language"] == "eng"


def test_ris_prefer_picks_the_preferred_source(library):
    out = ris_records(export(library, "ris", "--prefer", "embase"))
    assert "emb1" in out and "med1" not in out
    emb1 = out["emb1"]
    assert emb1["title"] == "Exercise for depression in older adults: a randomised trial"
    assert emb1["language"] == "eng"          # Embase's record had none: MEDLINE's
    assert "Depression" in emb1["keywords"] and emb1["keywords"][0] == "physical activity"
    assert emb1["accession_number"] == ["L2001234567", "30612345"]  # MEDLINE's PMID added


def test_prefer_unknown_source_is_refused(library):
    res = run("export", "--store", library, "-f", "ris", "-o", "-", "--prefer", "nosuch")
    assert res.exit_code == 2
    assert "nosuch" in describe(res)


# --------------------------------------------------------------- BibTeX


def test_bibtex_keeps_every_field_and_key_of_the_chosen_records(library):
    out = bib_entries(export(library, "bibtex", "--prefer", "zotero"))
    original = bib_entries((LIBRARY / "zotero.bib").read_text(encoding="utf-8"))
    assert set(original) <= set(out)
    for key, entry in original.items():
        got = out[key]
        assert got.entry_type == entry.entry_type
        for f in entry.fields:
            exported = got.fields_dict[f.key].value
            if f.key in ("keywords", "note"):
                assert exported.startswith(f.value), (key, f.key, exported)
            else:
                assert exported == f.value, (key, f.key, exported)


def test_bibtex_adds_identifiers_keywords_notes(library):
    out = bib_entries(export(library, "bibtex", "--prefer", "zotero"))
    smith = out["smith2019exercise"].fields_dict
    assert smith["issn"].value == "0165-0327, 1573-2517"
    assert smith["pmid"].value == "30612345"
    assert "Depression" in smith["keywords"].value and "physical activity" in smith[
        "keywords"].value
    assert "Screened: include (reviewer A)" in smith["note"].value
    assert smith["language"].value == "eng"
    assert smith["file"].value == "smith2019.pdf"
    assert smith["kgrecords"].value == "embase:emb1; medline:med1; zotero:smith2019exercise"
    brown = out["brown2020mbct"].fields_dict
    assert brown["pmid"].value == "31811111"
    assert brown["language"].value == "english"        # its own, not MEDLINE's
    assert brown["groups"].value == "included"


def test_bibtex_mapped_from_ris_keeps_identifiers_and_keywords(library):
    out = bib_entries(export(library, "bibtex"))
    med1 = next(e for e in out.values() if "medline:med1" in e.fields_dict["kgrecords"].value)
    f = med1.fields_dict
    assert f["pmid"].value == "30612345" and f["doi"].value == "10.1016/j.jad.2019.01.001"
    assert f["language"].value == "eng"
    assert "Aged" in f["keywords"].value
    assert f["abstract"].value.startswith("Older adults")


def test_bibtex_colliding_keys_are_replaced(tmp_path):
    (tmp_path / "a.bib").write_text("@article{same,\n title={One paper about cats},\n"
                                    " author={Cat, Anna}, year={2001}}\n", encoding="utf-8")
    (tmp_path / "b.bib").write_text("@article{same,\n title={Other work on dogs entirely},\n"
                                    " author={Dog, Ben}, year={2002}}\n", encoding="utf-8")
    res = run("build", tmp_path / "a.bib", tmp_path / "b.bib", "--store", tmp_path / "s",
              "--quiet")
    assert res.exit_code == 0, describe(res)
    keys = set(bib_entries(export(tmp_path / "s", "bibtex")))
    assert len(keys) == 2 and "same" not in keys


# ------------------------------------------------------------------ CSV


def test_csv_has_abstract_and_every_identifier(library):
    rows = list(csv.DictReader(io.StringIO(export(library, "csv"))))
    assert len(rows) == 5
    med1 = next(r for r in rows if r["record_id"] == "med1")
    assert med1["abstract"].startswith("Older adults")
    assert med1["pmid"] == "30612345"
    assert med1["issn"] == "0165-0327; 1573-2517"
    assert med1["doi"] == "10.1016/j.jad.2019.01.001"
    assert "physical activity" in med1["keywords"] and med1["language"] == "eng"
    assert med1["duplicate_of"] == ""


# ------------------------------------------------------------ all records


def test_all_records_marks_duplicates_in_every_format(library):
    ris = rispy.loads(export(library, "ris", "--all-records"), list_tags=RIS_LIST_TAGS)
    assert len(ris) == 9
    marked = [r for r in ris if any(n.startswith("kg-resolve: duplicate of ")
                                    for n in r.get("notes", []))]
    assert len(marked) == 4
    emb1 = next(r for r in ris if r["id"] == "emb1")
    assert any(n.startswith("kg-resolve: duplicate of med1, work w") for n in emb1["notes"])

    bib = bib_entries(export(library, "bibtex", "--all-records"))
    assert len(bib) == 9
    assert sum("duplicateof" in e.fields_dict for e in bib.values()) == 4
    assert all("kgwork" in e.fields_dict for e in bib.values())
    # the Zotero duplicate of med1 keeps its own citation key
    assert bib["smith2019exercise"].fields_dict["duplicateof"].value == "smith2019_be9ee416"

    rows = list(csv.DictReader(io.StringIO(export(library, "csv", "--all-records"))))
    assert len(rows) == 9
    dups = [r for r in rows if r["duplicate_of"]]
    assert len(dups) == 4
    assert {(r["source"], r["record_id"]) for r in rows if r["work_id"] == next(
        x["work_id"] for x in rows if x["record_id"] == "med1")} == EXERCISE


def test_all_records_custom_duplicate_tag(library):
    text = export(library, "ris", "--all-records", "--duplicate-tag", "C5")
    assert text.count("C5  - kg-resolve: duplicate of ") == 4
    assert "N1  - kg-resolve: duplicate" not in text


# -------------------------------------------------------------- new since


def test_new_since_an_old_store_or_export(library, tmp_path):
    old = tmp_path / "old"
    res = run("build", str(LIBRARY / "medline.ris"), "--store", old, "--quiet")
    assert res.exit_code == 0, describe(res)
    rows = list(csv.DictReader(io.StringIO(export(library, "csv", "--new-since", old))))
    # works without a MEDLINE record: the acupuncture paper and the handbook
    assert sorted(r["title"] for r in rows) == [
        "Acupuncture as adjunct therapy for major depressive disorder",
        "Depression: A Handbook"]
    for fmt in ("csv", "ris", "bibtex"):
        earlier = tmp_path / f"old.{fmt}"
        earlier.write_text(export(old, fmt), encoding="utf-8")
        again = list(csv.DictReader(io.StringIO(export(library, "csv", "--new-since",
                                                       earlier))))
        assert [r["work_id"] for r in again] == [r["work_id"] for r in rows], fmt


# --------------------------------------------------------- stdout, PRISMA


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csv", "turtle", "nquads", "jsonld",
                                 "clusters"])
def test_output_dash_writes_to_stdout(library, fmt, tmp_path):
    text = export(library, fmt)
    f = tmp_path / "out"
    res = run("export", "--store", library, "-f", fmt, "-o", f)
    assert res.exit_code == 0, describe(res)
    assert text and text == f.read_text(encoding="utf-8")


def test_prisma_counts_add_up(tmp_path):
    broken = tmp_path / "broken.ris"
    broken.write_text("TY  - JOUR\nTI  - Cut off before its end\n", encoding="utf-8")
    store = tmp_path / "s"
    res = run("build", *FILES, str(broken), "--store", store, "--quiet")
    assert res.exit_code == 0, describe(res)
    info = run("info", "--store", store)
    p = json.loads(info.stdout)["prisma"]
    assert p["records read"] == 10 and p["records rejected"] == 1
    assert p["records read"] == p["records in works"] + p["records rejected"]
    assert p["duplicates removed"] == p["records in works"] - p["works"] == 4
    assert p["works"] == 5
    assert sum(p["records per source"].values()) == p["records read"]
    assert p["records per source"] == {"broken": 1, "embase": 2, "medline": 3, "zotero": 4}
    exp = run("export", "--store", store, "-f", "ris", "-o", tmp_path / "x.ris")
    assert "PRISMA: records identified 10" in " ".join(exp.stderr.split())
    assert "duplicates removed 4; works 5" in " ".join(exp.stderr.split())


# ------------------------------------------------------------ raw records


def test_records_keep_no_raw_text_and_equality_ignores_it(tmp_path):
    read = read_records(FILES)
    assert read.records and all(r.raw == "" for r in read.records)
    a = read.records[0]
    from dataclasses import replace
    assert replace(a, raw="TY  - JOUR") == a


def test_store_holds_every_records_source_text(library):
    from kg.rawrecords import iter_raw
    from kg.store import current_path

    lines = list(iter_raw(current_path(library)))
    assert len(lines) == 9
    med1 = next(d for d in lines if d["id"] == "med1")
    assert med1["format"] == "ris" and med1["source"] == "medline"
    assert "N1  - Screened: include (reviewer A)" in med1["raw"]
    assert isinstance(read_records([str(LIBRARY / "zotero.bib")]).records[0], Record)


def test_keywords_and_language_of_csv_medline_and_wos_exports(tmp_path) -> None:
    """Issue 16: keywords of the database exports reach the deduplicated output."""
    from kg.deduplicated import raw_extras
    from resolve.readers import expand_inputs, read_inputs

    csv_file = tmp_path / "scopus.csv"
    csv_file.write_text('Title,Authors,Year,Author Keywords,Index Keywords,'
                        'Language of Original Document\n'
                        '"A study","Smith J.",2020,"alpha; beta","gamma",English\n',
                        encoding="utf-8")
    specs, _ = expand_inputs([str(csv_file)])
    records, result = read_inputs(specs)
    x = raw_extras("csv", records[0].raw)
    assert x.keywords == ["alpha", "beta", "gamma"] and x.language == "English"
    assert not any("not read" in str(w) for w in getattr(result, "warnings", []))

    medline = ("PMID- 1\nTI  - A study\nLA  - eng\nMH  - Carcinoma, Hepatocellular/diagnosis\n"
               "MH  - Humans\nOT  - delta\n")
    x = raw_extras("medline", medline)
    assert x.keywords == ["Carcinoma, Hepatocellular/diagnosis", "Humans", "delta"]
    assert x.language == "eng"

    wos = "PT J\nTI A study\nLA English\nDE epsilon; zeta\nID ETA;\n   THETA\nER\n"
    x = raw_extras("wos", wos)
    assert x.keywords == ["epsilon", "zeta", "ETA", "THETA"] and x.language == "English"


def test_keywords_of_openalex_and_crossref_records() -> None:
    import json as _json

    from kg.deduplicated import raw_extras

    x = raw_extras("openalex", _json.dumps({"keywords": [{"display_name": "record linkage"},
                                                         "deduplication"], "language": "en"}))
    assert x.keywords == ["record linkage", "deduplication"] and x.language == "en"
    x = raw_extras("crossref", _json.dumps({"subject": ["Computer Science"], "language": "en"}))
    assert x.keywords == ["Computer Science"] and x.language == "en"
