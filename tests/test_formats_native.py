"""Native API payloads: each fixture is built into a graph, and the
identifiers, URLs and authors of its records are read back from it."""

from __future__ import annotations

import pytest
from test_formats_helpers import FIXTURES, build, check_counts, check_record, record

# Each source's fixtures, built once per module: (files, records, rejected).
SOURCES = {
    "openalex": (["openalex-works-page.json", "openalex-work.json", "openalex-snapshot.jsonl"],
                 6, 2),
    "crossref": (["crossref-works.json", "crossref-work.json"], 5, 1),
    "arxiv": (["arxiv-query.atom", "arxiv-error.atom", "arxiv-metadata.jsonl"], 5, 2),
    "semanticscholar": (["s2-search.json", "s2-batch.json", "s2-dataset.jsonl"], 5, 2),
    "scholar-archive": (["scholar-archive-search.json"], 2, 1),
    "core": (["core-search.json"], 3, 1),
    "unpaywall": (["unpaywall-doi.json", "unpaywall-search.json"], 2, 1),
    "dblp": (["dblp-search.json", "dblp-search.xml"], 5, 2),
    "dblp-record": (["dblp=dblp-record.xml"], 2, 1),
    "paperswithcode": (["pwc-papers.json", "pwc-papers-with-abstracts.json"], 3, 1),
}
_BUILT: dict[str, object] = {}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    def get(source: str):
        if source not in _BUILT:
            files, records, rejected = SOURCES[source]
            args = [f"{f.split('=')[0]}={FIXTURES / f.split('=')[1]}" if "=" in f
                    else FIXTURES / f for f in files]
            b = build(tmp_path_factory.mktemp(source), *args)
            check_counts(b, records, rejected)
            _BUILT[source] = b
        return _BUILT[source]
    return get


def _rejects(b, name: str) -> list[dict]:
    return [r for r in b.rejects if r["file"].endswith(name)]


def test_openalex_works_page(built) -> None:
    b = built("openalex")
    v = check_record(b.store, "openalex", "W2741809807", ids={
        ("openalex", "W2741809807"), ("doi", "10.7717/peerj.4375"), ("mag", "2741809807"),
        ("pmid", "29456894"), ("pmcid", "PMC5815332"), ("issn", "2167-8359")},
        urls={"https://doi.org/10.7717/peerj.4375", "https://peerj.com/articles/4375.pdf",
              "https://europepmc.org/articles/pmc5815332",
              "https://europepmc.org/articles/pmc5815332?pdf=render",
              "https://pubmed.ncbi.nlm.nih.gov/29456894"},
        authors=["Heather Piwowar", "Jason Priem", "Vincent Larivière", "Stefanie Haustein"])
    assert v.origin.endswith("openalex-works-page.json#/results/0")
    # HTML in a Chinese title; authors given only as display names; no DOI
    check_record(b.store, "openalex", "W3137402115",
                 ids={("openalex", "W3137402115"), ("mag", "3137402115")},
                 authors=["王小明", "李华"], title="基于BERT的中文命名实体识别方法研究")
    # no title; an author known only by the raw name; Cyrillic
    check_record(b.store, "openalex", "W4200000003", title="",
                 ids={("openalex", "W4200000003"), ("doi", "10.31857/s0044466919050120"),
                      ("issn", "0044-4669")}, authors=["Иван Петров", "Мария Соколова"])
    (rej,) = _rejects(b, "openalex-works-page.json")
    assert rej["position"] == "/results/3" and rej["line"] is None
    assert "without an id" in rej["reason"] and "no-openalex-id" in rej["raw"]


def test_openalex_single_work_and_snapshot_lines(built) -> None:
    b = built("openalex")
    v = check_record(b.store, "openalex", "W2963403868", ids={
        ("openalex", "W2963403868"), ("doi", "10.48550/arxiv.1706.03762"),
        ("arxiv", "1706.03762"), ("mag", "2963403868")},
        authors=["Ashish Vaswani", "Łukasz Kaiser", "Illia Polosukhin"])
    assert "https://proceedings.neurips.cc/paper/2017/hash/3f5ee243547dee91fbd053c1c4a845aa-" \
           "Abstract.html" in v.urls
    assert record(b.store, "openalex", "W1522301498").origin.endswith("openalex-snapshot.jsonl:3")
    (rej,) = _rejects(b, "openalex-snapshot.jsonl")
    assert rej["line"] == 2 and rej["file"].endswith("openalex-snapshot.jsonl")
    assert rej["raw"].startswith('{"id": "https://openalex.org/W2100000002"')


def test_crossref_work_list(built) -> None:
    b = built("crossref")
    # Crossref's BERT record has an empty title list
    check_record(b.store, "crossref", "10.18653/v1/n19-1423", title="",
                 ids={("doi", "10.18653/v1/n19-1423")},
                 urls={"https://doi.org/10.18653/v1/n19-1423",
                       "https://aclweb.org/anthology/N19-1423",
                       "https://www.aclweb.org/anthology/N19-1423.pdf"},
                 authors=["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"])
    # several DOIs (alternative-id, is-identical-to), HTML title + subtitle, an organization
    check_record(b.store, "crossref", "10.5555/kgr.2020.0002",
                 title="In vivo imaging of CO2 uptake: a case study",
                 ids={("doi", "10.5555/kgr.2020.0002"), ("doi", "10.5555/kgr-alt.0002"),
                      ("doi", "10.5555/kgr.dup.0002"), ("publisher-id", "S0092867420300012"),
                      ("issn", "0092-8674"), ("issn", "1097-4172")},
                 authors=["Josiah Carberry", "Anne-Marie Dupont Jr.", "The Example Consortium"])
    check_record(b.store, "crossref", "10.5555/kgr.2021.0003", title="基于深度学习的图像分类方法",
                 ids={("doi", "10.5555/kgr.2021.0003")})
    # issued [[null]]: the posted date is used; the is-preprint-of target is another record
    rows = record(b.store, "crossref", "10.1101/2020.01.01.000002",
                  {("doi", "10.1101/2020.01.01.000002")})
    assert rows.identifiers == {("doi", "10.1101/2020.01.01.000002")}
    (rej,) = _rejects(b, "crossref-works.json")
    assert rej["position"] == "/message/items/4" and "without a DOI" in rej["reason"]


def test_crossref_single_work(built) -> None:
    b = built("crossref")
    v = check_record(b.store, "crossref", "10.1162/neco.1997.9.8.1735",
                     ids={("doi", "10.1162/neco.1997.9.8.1735"), ("issn", "0899-7667"),
                          ("issn", "1530-888X")},
                     authors=["Sepp Hochreiter", "Jürgen Schmidhuber"],
                     title="Long Short-Term Memory")
    assert "https://direct.mit.edu/neco/article-pdf/9/8/1735/813796/neco.1997.9.8.1735.pdf" \
        in v.urls
    assert v.origin.endswith("crossref-work.json#/message")


def test_arxiv_atom_feed(built) -> None:
    b = built("arxiv")
    check_record(b.store, "arxiv", "1810.04805v2", ids={("arxiv", "1810.04805")},
                 urls={"https://arxiv.org/abs/1810.04805v2"},
                 title="BERT: Pre-training of Deep Bidirectional Transformers for Language "
                       "Understanding")
    # an old-style id with version, two DOIs in arxiv:doi, a DOI link
    v = check_record(b.store, "arxiv", "hep-th/9711200v3", authors=["Juan M. Maldacena"],
                     ids={("arxiv", "hep-th/9711200"), ("doi", "10.1023/a:1026654312961"),
                          ("doi", "10.4310/atmp.1998.v2.n2.a1")},
                     urls={"https://arxiv.org/abs/hep-th/9711200v3",
                           "https://doi.org/10.1023/A:1026654312961"})
    assert v.origin.endswith("arxiv-query.atom:36#/feed/entry[2]")
    check_record(b.store, "arxiv", "2101.00001v1", ids={("arxiv", "2101.00001")},
                 authors=["Γιώργος Παπαδόπουλος", "Ελένη Γεωργίου"])
    (rej,) = _rejects(b, "arxiv-query.atom")
    assert (rej["line"], rej["position"]) == (73, "/feed/entry[4]")
    assert rej["raw"].startswith("<entry>") and rej["raw"].endswith("</entry>")


def test_arxiv_error_feed_and_metadata_snapshot(built) -> None:
    b = built("arxiv")
    (rej,) = _rejects(b, "arxiv-error.atom")
    assert rej["reason"] == "arXiv API error: incorrect id format for 1234.12345"
    check_record(b.store, "arxiv", "0704.0001v2",
                 ids={("arxiv", "0704.0001"), ("doi", "10.1103/physrevd.76.013009")},
                 authors=["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"])
    check_record(b.store, "arxiv", "1706.03762v7", ids={("arxiv", "1706.03762")},
                 urls={"https://arxiv.org/abs/1706.03762v7"})


def test_semantic_scholar_search(built) -> None:
    b = built("semanticscholar")
    pid = "2c03df8b48bf3fa39054345bafabfeff15bfd11d"
    check_record(b.store, "semanticscholar", pid, ids={
        ("s2", pid), ("corpusid", "206594692"), ("mag", "2949650786"),
        ("dblp", "conf/cvpr/HeZRS16"), ("arxiv", "1512.03385"), ("doi", "10.1109/cvpr.2016.90"),
        ("issn", "1063-6919")},
        urls={f"https://www.semanticscholar.org/paper/{pid}", "https://arxiv.org/abs/1512.03385"},
        authors=["Kaiming He", "X. Zhang", "Shaoqing Ren", "Jian Sun"])
    pid = "9e2b1d9f3a0c4b7e8d6f5a4c3b2a1f0e9d8c7b6a"
    check_record(b.store, "semanticscholar", pid, title="Αριθμητικές μέθοδοι για μη γραμμικά "
                 "συστήματα", ids={("s2", pid), ("corpusid", "250000004"),
                                   ("doi", "10.5555/kgr.2022.0004")},
                 authors=["Γιώργος Παπαδόπουλος", "Ελένη Γεωργίου"])
    pid = "6b5c8b5e0bf0e1c3a24b9ad22cc2d7b0a43c0f5e"
    check_record(b.store, "semanticscholar", pid, title="", ids={
        ("s2", pid), ("corpusid", "3548281"), ("doi", "10.7717/peerj.4375"),
        ("mag", "2741809807"), ("pmid", "29456894"), ("pmcid", "PMC5815332")})


def test_semantic_scholar_batch_and_dataset(built) -> None:
    b = built("semanticscholar")
    pid = "df2b0e26d0599ce3e70df8a9da02e51594e0e992"
    check_record(b.store, "semanticscholar", pid, ids={
        ("s2", pid), ("corpusid", "52967399"), ("mag", "2963341956"), ("acl", "N19-1423"),
        ("dblp", "conf/naacl/DevlinCLT19"), ("arxiv", "1810.04805"),
        ("doi", "10.18653/v1/n19-1423")})
    (rej,) = _rejects(b, "s2-batch.json")
    assert rej["position"] == "/1" and "null" in rej["reason"]
    pid = "204e3073870fae3d05bcbc2f6a8e263d9b72e776"  # read from the row's url
    check_record(b.store, "semanticscholar", pid, ids={
        ("s2", pid), ("corpusid", "13756489"), ("mag", "2963403868"), ("arxiv", "1706.03762"),
        ("dblp", "conf/nips/VaswaniSPUJGKP17")})


def test_scholar_archive_search(built) -> None:
    b = built("scholar-archive")
    wayback = "https://web.archive.org/web/2019id_/https://arxiv.org/pdf/1512.03385v1.pdf"
    check_record(b.store, "scholar-archive", "work_zdvkb4ndhfafzmtjzzeg4fudga", ids={
        ("fatcat-work", "zdvkb4ndhfafzmtjzzeg4fudga"),
        ("fatcat-release", "pyi3w4ecbnajbmxfhhmh2q2gvu"),
        ("fatcat-release", "fkagkzwmsvbxfn5bpgv6zmxvpe"),
        ("doi", "10.48550/arxiv.1512.03385"), ("arxiv", "1512.03385"),
        ("dblp", "journals/corr/HeZRS15"), ("oai", "oai:arXiv.org:1512.03385")},
        urls={wayback, "https://arxiv.org/abs/1512.03385v1"},
        authors=["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"])
    check_record(b.store, "scholar-archive", "work_d2qbd4k7yzbkzmq5fpbnuhwbqe", ids={
        ("fatcat-work", "d2qbd4k7yzbkzmq5fpbnuhwbqe"),
        ("fatcat-release", "wq3lqkduqfbnbk6nmq4sd6mcqi"), ("doi", "10.7717/peerj.4375"),
        ("pmid", "29456894"), ("pmcid", "PMC5815332"), ("wikidata", "Q50420321"),
        ("issn", "2167-8359")}, urls={"https://peerj.com/articles/4375.pdf"},
        title="The state of OA: a large-scale analysis of the prevalence and impact of Open "
              "Access articles")


def test_core_search(built) -> None:
    b = built("core")
    check_record(b.store, "core", "24997838", ids={
        ("core", "24997838"), ("core-output", "24997839"), ("arxiv", "1512.03385"),
        ("mag", "2949650786"), ("oai", "oai:arXiv.org:1512.03385")},
        urls={"https://arxiv.org/abs/1512.03385", "https://core.ac.uk/works/24997838"},
        authors=["He, Kaiming", "Zhang, Xiangyu", "Ren, Shaoqing", "Sun, Jian"])
    # several DOIs, a PMID, OAI ids of two repositories
    check_record(b.store, "core", "90018532", ids={
        ("core", "90018532"), ("core-output", "151212231"), ("core-output", "158831202"),
        ("doi", "10.7717/peerj.4375"), ("doi", "10.7287/peerj.preprints.3119v2"),
        ("pmid", "29456894"), ("issn", "2167-8359"), ("oai", "oai:europepmc.org:5815332"),
        ("oai", "oai:hal.science:hal-01723410")})
    check_record(b.store, "core", "400000003", title="", authors=[], ids={
        ("core", "400000003"), ("doi", "10.5555/kgr.2019.0005"),
        ("oai", "oai:repository.example.org:123")})


def test_unpaywall_object_and_search(built) -> None:
    b = built("unpaywall")
    v = check_record(b.store, "unpaywall", "10.7717/peerj.4375", ids={
        ("doi", "10.7717/peerj.4375"), ("issn", "2167-8359"), ("oai", "oai:HAL:hal-01723410v1")},
        authors=["Heather Piwowar", "Jason Priem", "Vincent Larivière", "Juan Pablo Alperin"])
    assert {"https://hal.science/hal-01723410", "https://peerj.com/articles/4375.pdf",
            "https://europepmc.org/articles/pmc5815332?pdf=render"} <= v.urls
    check_record(b.store, "unpaywall", "10.1162/neco.1997.9.8.1735", ids={
        ("doi", "10.1162/neco.1997.9.8.1735"), ("issn", "0899-7667"), ("issn", "1530-888X")})
    assert _rejects(b, "unpaywall-search.json")[0]["position"] == "/results/1/response"


@pytest.mark.parametrize("name", ["dblp-search.json", "dblp-search.xml"])
def test_dblp_search(built, name: str) -> None:
    b = built("dblp")
    if name.endswith(".json"):
        check_record(b.store, "dblp", "conf/cvpr/HeZRS16", ids={
            ("dblp", "conf/cvpr/HeZRS16"), ("doi", "10.1109/cvpr.2016.90")},
            urls={"https://doi.org/10.1109/CVPR.2016.90",
                  "https://dblp.org/rec/conf/cvpr/HeZRS16"},
            # homonym numbers ("Jian Sun 0001") are dropped
            authors=["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"])
        check_record(b.store, "dblp", "journals/corr/HeZRS15", ids={
            ("dblp", "journals/corr/HeZRS15"), ("doi", "10.48550/arxiv.1512.03385"),
            ("arxiv", "1512.03385")})
        check_record(b.store, "dblp", "journals/nn/Schmidhuber15", authors=["Jürgen Schmidhuber"],
                     ids={("dblp", "journals/nn/Schmidhuber15"),
                          ("doi", "10.1016/j.neunet.2014.09.003")})
        assert _rejects(b, "dblp-search.json")[0]["position"] == "/result/hits/hit/3"
    else:
        check_record(b.store, "dblp", "conf/nips/VaswaniSPUJGKP17",
                     ids={("dblp", "conf/nips/VaswaniSPUJGKP17")},
                     urls={"https://proceedings.neurips.cc/paper/2017/hash/"
                           "3f5ee243547dee91fbd053c1c4a845aa-Abstract.html",
                           "https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17"})
        check_record(b.store, "dblp", "journals/corr/VaswaniSPUJGKP17", ids={
            ("dblp", "journals/corr/VaswaniSPUJGKP17"), ("doi", "10.48550/arxiv.1706.03762"),
            ("arxiv", "1706.03762")}, authors=["Ashish Vaswani", "Noam Shazeer"])
        (rej,) = _rejects(b, "dblp-search.xml")
        assert (rej["line"], rej["position"]) == (18, "/result/hits/hit[3]")


def test_dblp_record_xml(built) -> None:
    b = built("dblp-record")
    v = check_record(b.store, "dblp", "conf/nips/VaswaniSPUJGKP17",
                     ids={("dblp", "conf/nips/VaswaniSPUJGKP17")})
    assert "Łukasz Kaiser" in v.authors  # a character reference in US-ASCII XML
    check_record(b.store, "dblp", "journals/nn/Schmidhuber15",
                 authors=["Jürgen Schmidhuber"],  # &uuml; declared only in dblp.dtd
                 ids={("dblp", "journals/nn/Schmidhuber15"), ("arxiv", "1404.7828"),
                      ("doi", "10.1016/j.neunet.2014.09.003")})
    assert "without a key" in _rejects(b, "dblp-record.xml")[0]["reason"]


def test_papers_with_code(built) -> None:
    b = built("paperswithcode")
    check_record(b.store, "paperswithcode", "deep-residual-learning-for-image-recognition", ids={
        ("pwc", "deep-residual-learning-for-image-recognition"), ("arxiv", "1512.03385")},
        urls={"https://paperswithcode.com/paper/deep-residual-learning-for-image-recognition",
              "https://arxiv.org/abs/1512.03385v1",
              "https://openaccess.thecvf.com/content_cvpr_2016/html/He_Deep_Residual_Learning_"
              "CVPR_2016_paper.html",
              "https://openaccess.thecvf.com/content_cvpr_2016/papers/He_Deep_Residual_Learning_"
              "CVPR_2016_paper.pdf"})
    check_record(b.store, "paperswithcode", "generative-adversarial-networks", ids={
        ("pwc", "generative-adversarial-networks"), ("arxiv", "1406.2661"), ("nips", "5423")})
    check_record(b.store, "paperswithcode", "adam-a-method-for-stochastic-optimization", ids={
        ("pwc", "adam-a-method-for-stochastic-optimization"), ("arxiv", "1412.6980")},
        authors=["Diederik P. Kingma", "Jimmy Ba"])
