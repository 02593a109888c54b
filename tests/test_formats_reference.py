"""Reference-manager and database exports (BibTeX, RIS, EndNote XML,
CSL-JSON): the fixtures are built into one graph, and each format's records
are read back from it."""

from __future__ import annotations

import pytest
from test_formats_helpers import FIXTURES, build, check_counts, check_record

FILES = ["library.bib", "zotero.ris", "endnote.xml", "zotero-csl.json"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    b = build(tmp_path_factory.mktemp("reference"), *(FIXTURES / f for f in FILES))
    # bib 5 + 1 malformed; ris 3 + 2; endnote 4 + 1 empty; csl 5 + 1 empty
    check_counts(b, 17, 5)
    return b


def _rejects(b, name: str) -> list[dict]:
    return [r for r in b.rejects if r["file"].endswith(name)]


def test_bibtex(built) -> None:
    s = built.store
    v = check_record(s, "library", "vaswani2017attention", ids=set(),
                     title="Attention is All you Need",  # protective braces removed
                     authors=["Vaswani, Ashish", "Shazeer, Noam", "Parmar, Niki",
                              "Uszkoreit, Jakob", "Jones, Llion", "Gomez, Aidan N.",
                              "Kaiser, Łukasz", "Polosukhin, Illia"])
    assert v.origin.endswith("library.bib:7")
    # a dblp export: the DBLP: key and the eprint give the dblp key and the arXiv id
    check_record(s, "library", "DBLP:journals/corr/HeZRS15",
                 ids={("dblp", "journals/corr/HeZRS15"), ("arxiv", "1512.03385")},
                 urls={"https://arxiv.org/abs/1512.03385"})
    # LaTeX accents, {\ss}, \v{S}, math, --, braces; two DOIs in one field
    check_record(s, "library", "muller2019",
                 title="Über die Berechnung von α-Werten – eine Fallstudie",
                 authors=["Müller, Jörg", "Gaßner, Renée", "van der Berg, Jan-Peter",
                          "Šuppa, Marek"],
                 ids={("doi", "10.5555/kgr.2019.0006"), ("doi", "10.5555/kgr-alt.2019.0006"),
                      ("issn", "0092-8674"), ("pmid", "31000006")})
    check_record(s, "library", "zhang2020", title="深度学习", authors=["张三", "李四"],
                 ids={("isbn", "9787302000006")}, urls={"https://example.org/books/zhang2020"})
    # no title; URLs written with \url{...} in howpublished and note
    check_record(s, "library", "notitle2021", title="", ids={("doi", "10.5555/kgr.2021.0007")},
                 urls={"https://example.org/reports/2021_04",
                       "https://doi.org/10.5555/kgr.2021.0007"})
    (rej,) = _rejects(built, "library.bib")
    assert rej["line"] == 46 and rej["reason"].startswith("malformed BibTeX entry")
    assert rej["raw"].startswith("@misc{broken2020,")


def test_ris(built) -> None:
    s = built.store
    # without ID: ids made from the content (title, year, first author, DOI)
    check_record(s, "zotero", "rad4591d15756", ids=set(), title="Attention is all you need",
                 authors=["Vaswani, Ashish", "Shazeer, Noam", "Kaiser, Łukasz",
                          "Polosukhin, Illia"],
                 urls={"https://proceedings.neurips.cc/paper/2017/file/"
                       "3f5ee243547dee91fbd053c1c4a845aa-Paper.pdf"})
    # PubMed via NLM: AN is the PMID, C2 the PMCID, SN repeated with notes
    check_record(s, "zotero", "r3b59ff32830b", ids={
        ("doi", "10.7717/peerj.4375"), ("pmid", "29456894"), ("pmcid", "PMC5815332"),
        ("issn", "2167-8359")},
        urls={"https://pubmed.ncbi.nlm.nih.gov/29456894",
              "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC5815332"})
    # Web of Science: an ID, two DO lines, Cyrillic
    check_record(s, "zotero", "wos-000463000000001", ids={
        ("doi", "10.31857/s0044466919050120"), ("doi", "10.1134/s0965542519050129"),
        ("wos", "000463000000001"), ("issn", "0044-4669")},
        title="Нейронные сети для обработки естественного языка",
        authors=["Петров, Иван", "Соколова, М."])
    stray, cut = _rejects(built, "zotero.ris")
    assert stray["line"] == 61 and "outside any RIS record" in stray["reason"]
    assert cut["line"] == 63 and "without ER" in cut["reason"]
    assert cut["raw"].startswith("TY  - JOUR\nTI  - A record the export cut off")


def test_endnote_xml(built) -> None:
    s = built.store
    v = check_record(s, "endnote", "12", ids={
        ("doi", "10.7717/peerj.4375"), ("pmid", "29456894"), ("pmcid", "PMC5815332"),
        ("issn", "2167-8359")}, urls={"https://pubmed.ncbi.nlm.nih.gov/29456894"},
        authors=["Piwowar, Heather", "Priem, Jason", "Larivière, Vincent"])  # style runs joined
    assert v.origin.endswith("endnote.xml:1#/xml/records/record[1]")
    check_record(s, "endnote", "13", title="Deep Residual Learning for Image Recognition",
                 ids={("doi", "10.1109/cvpr.2016.90"), ("wos", "000400012300083"),
                      ("arxiv", "1512.03385"), ("issn", "1063-6919")},
                 urls={"https://ieeexplore.ieee.org/document/7780459"})
    check_record(s, "endnote", "14", ids=set(), title="基于深度学习的图像分类方法")
    check_record(s, "endnote", "record-5", ids=set(), title="A record without a record number")
    (rej,) = _rejects(built, "endnote.xml")
    assert rej["position"] == "/xml/records/record[4]" and rej["raw"] == "<record></record>"


def test_csl_json(built) -> None:
    s = built.store
    check_record(s, "zotero-csl", "http://zotero.org/users/1234567/items/3QK7VZ2M", ids=set(),
                 authors=["Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser", "Illia Polosukhin"])
    # a Zotero preprint: arXiv id in "number" and in the DataCite DOI
    check_record(s, "zotero-csl", "devlin2019bert", ids={
        ("doi", "10.48550/arxiv.1810.04805"), ("arxiv", "1810.04805")},
        urls={"https://arxiv.org/abs/1810.04805"})
    check_record(s, "zotero-csl", "piwowar2018", ids={
        ("doi", "10.7717/peerj.4375"), ("pmid", "29456894"), ("pmcid", "PMC5815332"),
        ("issn", "2167-8359")},
        authors=["Heather Piwowar", "Jason Priem", "Stéfan van der Walt"])
    # no id (item-N), no title, a literal author, a literal date
    check_record(s, "zotero-csl", "item-4", ids=set(), title="",
                 urls={"https://example.org/reports/2019-spring"})
    check_record(s, "zotero-csl", "papadopoulos2020", ids=set(),
                 authors=["Γιώργος Παπαδόπουλος", "Ελένη Γεωργίου"])
    (rej,) = _rejects(built, "zotero-csl.json")
    assert rej["position"] == "/5" and "empty" in rej["reason"]
