"""Tests for resolve.graph and resolve.blocking."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from conftest import features_and_stats, make_record

from resolve.blocking import (
    _screen,
    author_title_key,
    author_year_key,
    candidate_pairs,
    pairs_in_block,
    rare_token_keys,
    title_exact_key,
    title_prefix_key,
    title_suffix_key,
    volume_page_key,
)
from resolve.features import features_of
from resolve.graph import build_evidence_graph, record_node, shared_neighbours
from resolve.settings import Settings
from resolve.similarity import title_similarity
from resolve.types import Record


def _candidates(records: list[Record], settings: Settings | None = None):
    feats, stats = features_and_stats(records)
    graph = build_evidence_graph(records)
    return candidate_pairs(feats, graph, stats, settings or Settings())


# ------------------------------------------------------------- evidence graph


def test_build_evidence_graph_nodes_and_edges() -> None:
    recs = [
        make_record(id="a", title="T", doi="10.1000/xyz", url="https://example.org/paper",
                    authors=["Ashish Vaswani", "Noam Shazeer"]),
        make_record(id="b", title="T", doi="10.1000/XYZ", authors=["Vaswani, A."]),
    ]
    g = build_evidence_graph(recs).to_networkx(recs)
    doi = ("id", "doi", "10.1000/xyz")
    url = ("url", "https://example.org/paper")
    assert set(g.nodes) == {
        record_node(0), record_node(1), doi, url,
        ("author", "vaswani a"), ("author", "shazeer n"),
    }
    assert g.nodes[record_node(0)] == {"kind": "record", "source": "test", "record_id": "a"}
    assert g.edges[record_node(0), doi]["rel"] == "identifier"
    assert g.edges[record_node(0), url]["rel"] == "url"
    assert g.edges[record_node(0), ("author", "shazeer n")] == {"rel": "author", "position": 1}
    assert set(g.neighbors(doi)) == {record_node(0), record_node(1)}
    assert set(g.neighbors(("author", "vaswani a"))) == {record_node(0), record_node(1)}
    assert g.degree(record_node(1)) == 2
    assert g.number_of_edges() == 6


def test_evidence_graph_repeated_author_keeps_first_position() -> None:
    rec = make_record(authors=["John Smith", "Jane Doe", "J. Smith"])
    g = build_evidence_graph([rec]).to_networkx([rec])
    assert g.edges[record_node(0), ("author", "smith j")]["position"] == 0
    assert g.degree(record_node(0)) == 2


def test_evidence_graph_record_without_evidence_is_a_lone_node() -> None:
    recs = [make_record(title="Only a title")]
    g = build_evidence_graph(recs).to_networkx(recs)
    assert list(g.nodes) == [record_node(0)]
    assert g.number_of_edges() == 0


def test_shared_neighbours() -> None:
    recs = [
        make_record(doi="10.1000/a", authors=["John Smith"]),
        make_record(doi="10.1000/b", authors=["John Smith"]),
        make_record(doi="10.1000/a", authors=["Jane Doe"]),
        make_record(doi="10.1000/a"),
    ]
    g = build_evidence_graph(recs)
    assert shared_neighbours(g, lambda n: n[0] == "id") == [[0, 2, 3]]
    # Sorted by node: ("author", ...) before ("id", ...).
    assert shared_neighbours(g, lambda n: True) == [[0, 1], [0, 2, 3]]
    assert shared_neighbours(g, lambda n: n[0] == "url") == []


# ------------------------------------------------------------- key functions


def _f(**kw):
    return features_of(make_record(**kw))


def test_key_functions_on_empty_record_are_empty() -> None:
    f = _f()
    feats, stats = features_and_stats([make_record(), make_record(title="Some words here")])
    for key_fn in (title_exact_key, title_prefix_key, title_suffix_key, author_year_key,
                   author_title_key, volume_page_key, rare_token_keys(stats, 4)):
        assert key_fn(f) == frozenset(), key_fn
        assert key_fn(feats[0]) == frozenset(), key_fn


def test_title_exact_key() -> None:
    assert title_exact_key(_f(title="Attention Is All You Need.")) == {"attention is all you need"}


def test_title_prefix_key() -> None:
    f = _f(title="Deep Residual Learning for Image Recognition")
    assert title_prefix_key(f) == {"deepresiduallearningfori"}
    # Another ending keeps the key.
    assert title_prefix_key(_f(title="Deep residual learning for images!")) == title_prefix_key(f)
    # Fewer than 12 letters: no key (too unspecific).
    assert title_prefix_key(_f(title="Editorial")) == frozenset()
    assert title_prefix_key(_f(title="abcdef ghijkl")) == {"abcdefghijkl"}
    assert title_prefix_key(_f(title="abcdef ghijk")) == frozenset()


def test_title_suffix_key() -> None:
    f = _f(title="Deep Residual Learning for Image Recognition")
    assert title_suffix_key(f) == {"rningforimagerecognition"}
    # Another beginning keeps the key.
    assert title_suffix_key(_f(title="On Deep Residual Learning for Image Recognition")) == {
        "rningforimagerecognition"}
    assert title_suffix_key(_f(title="Short")) == frozenset()


def test_author_year_key() -> None:
    f = _f(authors=["Kaiming He", "Xiangyu Zhang"], year=2016)
    assert author_year_key(f) == {"he|2016"}
    assert author_year_key(_f(authors=["He, K."], date="2016-06-01")) == {"he|2016"}
    assert author_year_key(_f(authors=["Kaiming He"])) == frozenset()  # no year
    assert author_year_key(_f(year=2016)) == frozenset()  # no author


def test_author_title_key() -> None:
    f = _f(authors=["Diederik P. Kingma", "Jimmy Ba"],
           title="Adam: A Method for Stochastic Optimization")
    assert author_title_key(f) == {"kingma|adam"}
    # The first *significant* token: stopwords are skipped.
    f = _f(authors=["Diederik P. Kingma"], title="The Adam method")
    assert author_title_key(f) == {"kingma|adam"}
    assert author_title_key(_f(authors=["D. Kingma"])) == frozenset()


def test_volume_page_key() -> None:
    assert volume_page_key(_f(volume="9", pages="1735-1780")) == {"9|1735"}
    assert volume_page_key(_f(volume="Vol. 15 (1)", pages="pp. 1929--1958")) == {"15|1929"}
    assert volume_page_key(_f(volume="15 (1)", pages="pp. 1929--1958")) == {"15|1929"}
    assert volume_page_key(_f(volume="9")) == frozenset()
    assert volume_page_key(_f(pages="1735-1780")) == frozenset()


def test_rare_token_keys() -> None:
    recs = [
        make_record(title="Learning zebra stripes with networks"),
        make_record(title="Learning with networks"),
        make_record(title="Learning networks quickly"),
    ]
    feats, stats = features_and_stats(recs)
    # df: learning 3, networks 3, zebra 1, stripes 1, quickly 1
    key2 = rare_token_keys(stats, 2)
    assert key2(feats[0]) == {"stripes zebra"}
    key3 = rare_token_keys(stats, 3)
    assert key3(feats[0]) == {"stripes zebra", "learning zebra", "learning stripes"}
    assert key3(feats[2]) == {"learning quickly", "networks quickly", "learning networks"}
    # A title with a single significant token gives that token alone.
    feats, stats = features_and_stats([make_record(title="The Editorial")])
    assert rare_token_keys(stats, 4)(feats[0]) == {"editorial"}


# ------------------------------------------------------------- pairs_in_block


def test_pairs_in_block_small_is_exhaustive() -> None:
    assert list(pairs_in_block([1, 3, 5], cap=3, window=2, order=lambda i: i)) == [
        (1, 3), (1, 5), (3, 5)]


def test_pairs_in_block_large_is_windowed() -> None:
    members = list(range(10))
    # Ordered descending, a window of 3 pairs each record with its next two.
    pairs = list(pairs_in_block(members, cap=4, window=3, order=lambda i: -i))
    assert all(a < b for a, b in pairs)
    assert sorted(pairs) == sorted({(i, i + 1) for i in range(9)} | {(i, i + 2) for i in range(8)})


# ------------------------------------------------------------- candidate_pairs


def _set_dups() -> list[Record]:
    return [
        make_record(title="Deep Residual Learning for Image Recognition",
                    authors=["Kaiming He", "Xiangyu Zhang"], year=2016, doi="10.1109/CVPR.2016.90"),
        make_record(title="Deep residual learning for image recognition.",
                    authors=["K. He", "X. Zhang"], year=2015, arxiv="1512.03385"),
        make_record(title="Identity Mappings in Deep Residual Networks",
                    authors=["Kaiming He", "Xiangyu Zhang"], year=2016),
        make_record(title="Long Short-Term Memory", authors=["Sepp Hochreiter"], year=1997,
                    volume="9", pages="1735-1780"),
        make_record(title="Long short term memory", authors=["S. Hochreiter"], year=1997),
        make_record(title="Unrelated paper on soil chemistry", authors=["Ann Other"], year=1990,
                    volume="9", pages="1735-1750"),
    ]


def _set_singletons() -> list[Record]:
    return [make_record(title=f"Topic {w} investigated", authors=[f"{w.title()} Person"],
                        year=2000 + i)
            for i, w in enumerate(["alpha", "beta", "gamma", "delta"])]


def _set_same_author() -> list[Record]:
    return [make_record(title=f"Paper {i} about {w}", authors=["Jian Sun"], year=2016)
            for i, w in enumerate(["vision", "graphics", "vision", "speech", "graphics"])]


def _set_empty_records() -> list[Record]:
    return [make_record(), make_record(), make_record(title="x")]


RECORD_SETS = {
    "duplicates": _set_dups,
    "singletons": _set_singletons,
    "same author": _set_same_author,
    "empty records": _set_empty_records,
    "one record": lambda: [make_record(title="Alone in the world")],
    "no records": lambda: [],
}


@pytest.mark.parametrize("name", sorted(RECORD_SETS))
@pytest.mark.parametrize("settings", [Settings(), Settings(block_cap=2, block_window=2)],
                         ids=["default", "tiny blocks"])
def test_candidate_pairs_invariants(name: str, settings: Settings) -> None:
    records = RECORD_SETS[name]()
    pairs, report = _candidates(records, settings)
    n = len(records)
    assert all(0 <= a < b < n for a, b in pairs)
    assert len(set(pairs)) == len(pairs)
    assert pairs == sorted(pairs)
    assert report.total == len(pairs)
    assert sum(report.per_rule.values()) == len(pairs) + report.hopeless
    again, _ = _candidates(records, settings)
    assert again == pairs


def test_candidate_pairs_duplicates_set_finds_expected_pairs() -> None:
    pairs, report = _candidates(_set_dups())
    assert (0, 1) in pairs  # same title
    assert (3, 4) in pairs  # same title after normalization
    # same first author + year, but the titles are unrelated: dropped as hopeless
    assert (0, 2) not in pairs and report.hopeless >= 1
    assert (0, 2) in _candidates(_set_dups(), Settings(min_title_similarity=0))[0]
    assert (3, 5) in pairs  # same volume + first page
    assert (0, 3) not in pairs
    assert report.per_rule["title"] >= 2


def test_shared_doi_makes_candidates_despite_different_titles() -> None:
    recs = [
        make_record(title="Completely unrelated words", authors=["Ann Smith"], year=1999,
                    doi="10.1000/same"),
        make_record(title="Nothing alike whatsoever here", authors=["Bob Jones"], year=2020,
                    url="https://doi.org/10.1000/SAME"),
        make_record(title="Third thing entirely different", authors=["Cy Young"], year=2005),
    ]
    pairs, report = _candidates(recs)
    assert pairs == [(0, 1)]
    assert report.per_rule["shared identifier"] == 1


def test_shared_arxiv_and_url_make_candidates() -> None:
    recs = [
        make_record(title="Alpha beta gamma delta", arxiv="1810.04805v1"),
        make_record(title="Epsilon zeta eta theta", url="https://arxiv.org/abs/1810.04805v2"),
        make_record(title="Iota kappa lambda mu", url="https://example.org/p?utm_source=x"),
        make_record(title="Nu xi omicron pi", url="http://example.org/p/"),
    ]
    pairs, report = _candidates(recs)
    assert pairs == [(0, 1), (2, 3)]
    assert report.per_rule["shared identifier"] == 1
    assert report.per_rule["shared url"] == 1


def test_near_duplicate_titles_are_candidates() -> None:
    recs = [
        make_record(title="Dropout: A Simple Way to Prevent Neural Networks from Overfitting"),
        make_record(title="Dropout - a simple way to prevent neural networks from overfiting"),
        make_record(title="Generative Adversarial Nets"),
    ]
    pairs, _ = _candidates(recs)
    assert pairs == [(0, 1)]


def test_changed_beginning_is_candidate_via_suffix() -> None:
    recs = [
        make_record(title="Attention is all you need for sequence transduction"),
        make_record(title="Why attention is all you need for sequence transduction"),
    ]
    pairs, report = _candidates(recs)
    assert pairs == [(0, 1)]
    assert report.per_rule["title suffix"] == 1
    assert report.per_rule["title prefix"] == 0


def test_shared_issn_alone_is_not_a_candidate() -> None:
    recs = [
        make_record(title="Deep residual learning", authors=["Ann Smith"], year=2001,
                    issn="1532-4435"),
        make_record(title="Soil chemistry of clay", authors=["Bob Jones"], year=2011,
                    issn="1532-4435", isbn="978-0-306-40615-7"),
        make_record(title="Medieval poetry revisited", authors=["Cy Young"], year=2021,
                    isbn="0-306-40615-2"),
    ]
    g = build_evidence_graph(recs)
    assert ("id", "issn", "1532-4435") in g  # it is in the graph ...
    assert ("id", "isbn", "9780306406157") in g
    pairs, _ = _candidates(recs)
    assert pairs == []  # ... but does not make candidates


def test_large_block_is_windowed() -> None:
    # 50 records share first author + year; their one-word titles differ.
    recs = [make_record(title=f"Report{i:03d}", authors=["John Smith"], year=2000)
            for i in range(50)]
    settings = Settings(block_cap=5, block_window=2)
    pairs, report = _candidates(recs, settings)
    assert report.windowed_blocks == 1
    assert len(pairs) < 50 * 2 + 10
    # A window of 2 pairs each record with its neighbour in title order.
    assert pairs == [(i, i + 1) for i in range(49)]
    pairs, _ = _candidates(recs, Settings(block_cap=5, block_window=4))
    assert len(pairs) == 49 + 48 + 47
    # With a large cap the same block is paired exhaustively.
    full, report = _candidates(recs, Settings(block_cap=100))
    assert report.windowed_blocks == 0
    assert len(full) == 50 * 49 // 2


def test_windowed_shared_identifier() -> None:
    recs = [make_record(title=f"Record {i} title words {i}", doi="10.1000/bogus")
            for i in range(20)]
    pairs, report = _candidates(recs, Settings(block_cap=5, block_window=3))
    assert report.per_rule["shared identifier"] == 19 + 18
    assert len(pairs) < 20 * 19 // 2


def test_candidates_on_examples_connect_every_gold_cluster(examples_dir) -> None:
    """Clustering can only join records that candidate pairs connect, so every
    gold cluster must be connected by candidate pairs."""
    import networkx as nx

    from resolve.evaluate import read_clusters_csv
    from resolve.readers import InputSpec, read_inputs

    records, _ = read_inputs(
        [InputSpec.parse(str(p)) for p in sorted((examples_dir / "records").iterdir())])
    gold = read_clusters_csv(examples_dir / "gold.csv")
    pairs, _ = _candidates(records)
    pos = {r.key: i for i, r in enumerate(records)}
    by_label: dict[str, list[int]] = {}
    for key, label in gold.items():
        by_label.setdefault(label, []).append(pos[key])
    g = nx.Graph(pairs)
    for label, members in sorted(by_label.items()):
        if len(members) > 1:
            assert nx.is_connected(g.subgraph(members)), label
    gold_pairs = {(a, b) for ms in by_label.values() for a, b in combinations(sorted(ms), 2)}
    # Most true pairs are proposed directly, and far fewer than all pairs are.
    assert len(gold_pairs - set(pairs)) <= 5
    assert len(pairs) < 57 * 56 // 4


def test_evidence_graph_index_matches_its_networkx_form() -> None:
    recs = [
        make_record(doi="10.1000/a", url="https://x.org/1", authors=["John Smith", "J. Smith"]),
        make_record(doi="10.1000/a", authors=["Jane Doe", "John Smith"]),
        make_record(title="Nothing shared"),
    ]
    g = build_evidence_graph(recs)
    nxg = g.to_networkx(recs)
    assert record_node(2) in g and record_node(3) not in g
    assert set(g.records_of) == {n for n in nxg.nodes if n[0] != "record"}
    for node, members in g.records_of.items():
        assert members == sorted(i for _, i in nxg.neighbors(node))


def test_hopeless_pairs_are_dropped_unless_linked_or_placed() -> None:
    recs = [
        make_record(title="Soil chemistry of tropical clay", authors=["Ann Smith"], year=2001),
        make_record(title="Medieval poetry revisited", authors=["Ann Smith"], year=2001),
        # unrelated titles, but a shared DOI or the same volume and page keep them
        make_record(title="Deep nets", authors=["Bo Li"], year=2001, doi="10.1000/x"),
        make_record(title="Profondes réseaux de neurones", authors=["Bo Li"], year=2001,
                    doi="10.1000/x"),
        make_record(title="Gene therapy", authors=["Cy Young"], year=2002, volume="7",
                    pages="11-19"),
        make_record(title="Thérapie génique", authors=["Cy Young"], year=2002, volume="7",
                    pages="11-19"),
    ]
    pairs, report = _candidates(recs)
    assert (0, 1) not in pairs and report.hopeless == 1
    assert (2, 3) in pairs and (4, 5) in pairs
    kept, report = _candidates(recs, Settings(min_title_similarity=0))
    assert (0, 1) in kept and report.hopeless == 0


def test_screen_keeps_every_pair_the_title_comparison_would_not_call_unrelated() -> None:
    # The screen computes a plain ratio for all pairs and calls the title
    # comparison only where it can come out higher; these pairs have a low
    # ratio but a high similarity (a bracketed part, a subtitle, a label).
    titles = [
        ("Gene therapy in mice", "Supplementary communications abstracts: gene therapy in mice"),
        ("Gene therapy in mice", "Gene therapy in mice: a randomised controlled experiment"),
        ("Gene therapy in mice", "Gene therapy in mice (a randomised controlled experiment)"),
        ("Soil chemistry of tropical clay", "Medieval poetry revisited"),
    ]
    feats = [features_of(make_record(title=t)) for pair in titles for t in pair]
    a = np.arange(0, len(feats), 2)
    b = a + 1
    keep = _screen(feats, a, b, 0.6, 1)
    for k, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        assert keep[k] == (title_similarity(feats[x], feats[y]) >= 0.6), titles[k]
    assert keep.tolist() == [True, True, True, False]


def test_screen_in_slices_gives_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    import resolve.blocking as blocking
    titles = ["Gene therapy in mice", "Gene therapy in rats", "Soil chemistry of clay",
              "Medieval poetry revisited", "Gene therapy for mice", "Soil chemistry of sand"]
    feats = [features_of(make_record(title=t)) for t in titles]
    pairs = list(combinations(range(len(feats)), 2))
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    whole = _screen(feats, a, b, 0.6, 1)
    monkeypatch.setattr(blocking, "_SCREEN_SLICE", 4)
    assert _screen(feats, a, b, 0.6, 1).tolist() == whole.tolist()
    assert 0 < whole.sum() < len(pairs)
