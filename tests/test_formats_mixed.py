"""``examples/native``: one paper as nine sources return it resolves into one
work whose records link back to every source-native id."""

from __future__ import annotations

from pathlib import Path

import pytest
from _kgfixtures import EXAMPLES, flat
from test_formats_helpers import build, check_counts, select

from kg.model import identifier_iri, record_iri
from resolve.readers import origin_parts

NATIVE = EXAMPLES / "native"

# (source, record id) -> the source-native identifiers that record carries
EXPECTED = {
    ("arxiv", "1706.03762v7"): {("arxiv", "1706.03762")},
    ("openalex", "W2963403868"): {("openalex", "W2963403868"), ("mag", "2963403868"),
                                  ("doi", "10.48550/arxiv.1706.03762")},
    ("semanticscholar", "204e3073870fae3d05bcbc2f6a8e263d9b72e776"): {
        ("s2", "204e3073870fae3d05bcbc2f6a8e263d9b72e776"), ("corpusid", "13756489"),
        ("mag", "2963403868"), ("dblp", "conf/nips/VaswaniSPUJGKP17")},
    ("dblp", "conf/nips/VaswaniSPUJGKP17"): {("dblp", "conf/nips/VaswaniSPUJGKP17")},
    ("dblp", "journals/corr/VaswaniSPUJGKP17"): {("dblp", "journals/corr/VaswaniSPUJGKP17"),
                                                 ("doi", "10.48550/arxiv.1706.03762")},
    ("paperswithcode", "attention-is-all-you-need"): {("pwc", "attention-is-all-you-need")},
    ("scholar-archive", "work_kgrexampleattention00000"): {
        ("fatcat-work", "kgrexampleattention00000"),
        ("fatcat-release", "kgrexamplerelease00000005")},
    ("core", "900000001"): {("core", "900000001"), ("oai", "oai:arXiv.org:1706.03762")},
    ("google-scholar", "vaswani2017attention"): set(),
    ("zotero", "rad4591d15756"): set(),
}


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    b = build(tmp_path_factory.mktemp("native"), NATIVE)
    check_counts(b, len(EXPECTED), 0)
    return b


def test_native_example_is_one_work(native) -> None:
    assert native.summary["works"] == 1
    works = select(native.store, "SELECT ?w WHERE { ?w a fabio:Work }")
    assert len(works) == 1
    rows = select(native.store, """SELECT ?s ?id WHERE { ?w a fabio:Work .
        ?r frbr:realizationOf ?w ; a kgr:SourceRecord ; kgr:source ?s ; dcterms:identifier ?id }""")
    assert {(r["s"], r["id"]) for r in rows} == set(EXPECTED)
    assert len({r["s"] for r in rows}) == 9


def test_every_record_links_back_to_its_source_ids(native) -> None:
    (work,) = [r["w"] for r in select(native.store, "SELECT ?w WHERE { ?w a fabio:Work }")]
    for (source, rid), ids in EXPECTED.items():
        rec = record_iri(source, rid)
        found = {r["i"] for r in select(native.store, f"""SELECT ?i WHERE {{
            <{rec}> frbr:realizationOf <{work}> ; datacite:hasIdentifier ?i }}""")}
        assert {identifier_iri(s, v) for s, v in ids} <= found, (source, rid)
        (origin,) = select(native.store, f"SELECT ?o WHERE {{ <{rec}> kgr:origin ?o }}")
        assert Path(str(origin_parts(origin["o"])["file"])).parent == NATIVE


def test_readme_in_the_directory_is_skipped_with_a_warning(native) -> None:
    assert flat(f"skipped {NATIVE / 'README.md'}") in flat(native.output)
