"""Tests for resolve.scoring (and the features it reads)."""

from __future__ import annotations

import random

import pytest
from conftest import features_and_stats, make_record

from resolve import scoring
from resolve.comparisons import (
    COMPARISONS,
    ID_COMPARISONS,
    Comparison,
    Level,
    identifier_evidence,
    notice_level,
    pages_agree,
    title_number_level,
    venue_kind_level,
    volumes_agree,
    year_level,
)
from resolve.features import Features, features_of, title_numbers, venue_kind
from resolve.scoring import (
    Model,
    probability,
    score_pair,
    score_pairs,
)
from resolve.settings import Settings
from resolve.similarity import author_similarity, title_similarity
from resolve.types import FieldEvidence, Record

ID_AGREE = ID_COMPARISONS[0].levels[0].weight

SETTINGS = Settings()

HE = ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
GAN = ["Ian Goodfellow", "Jean Pouget-Abadie", "Mehdi Mirza", "Bing Xu",
       "David Warde-Farley", "Sherjil Ozair", "Aaron Courville", "Yoshua Bengio"]


def _f(**kw) -> Features:
    return features_of(make_record(**kw))


def _score(a: Record, b: Record, *others: Record) -> float:
    """The pipeline's score of ``a`` and ``b`` with ``others`` in the build."""
    feats, stats = features_and_stats([a, b, *others])
    score, _ = score_pair(feats[0], feats[1], SETTINGS, stats)
    return score


def _evidence(a: Record, b: Record) -> dict[str, tuple[str, float]]:
    feats, stats = features_and_stats([a, b])
    _, ev = score_pair(feats[0], feats[1], SETTINGS, stats)
    return {e.field: (e.level, e.weight) for e in ev}


# ------------------------------------------------------------- Comparison levels


@pytest.mark.parametrize("comp", COMPARISONS + ID_COMPARISONS, ids=lambda c: c.field)
def test_comparison_levels_well_formed(comp: Comparison) -> None:
    names = [lv.name for lv in comp.levels]
    assert len(set(names)) == len(names)
    bands = [lv.at_least for lv in comp.levels if lv.at_least is not None]
    assert bands == sorted(bands, reverse=True)
    assert len(set(bands)) == len(bands)
    if bands:
        assert bands[-1] == 0.0 or comp.field == "venue"  # every similarity has a level
    for lv in comp.levels:  # what every level shows is on the comparison's one scale
        assert lv.at_least is not None or lv.shows is not None
    weights = [lv.weight for lv in comp.levels if not lv.free]
    # More agreement never weighs less (a free level's direction is the data's).
    assert weights == sorted(weights, reverse=True)


@pytest.mark.parametrize("comp", COMPARISONS, ids=lambda c: c.field)
def test_comparison_level_boundaries(comp: Comparison) -> None:
    a = b = _f(title="x")
    banded = [lv for lv in comp.levels if lv.at_least is not None]
    for n, level in enumerate(banded):
        at = Comparison(comp.field, lambda _a, _b, s=level.at_least: s, comp.levels)
        ev = at.compare_evidence(a, b)
        assert (ev.field, ev.level, ev.weight) == (comp.field, level.name, level.weight)
        assert ev.similarity == round(level.at_least, 4)
        if n + 1 < len(banded):
            below = Comparison(comp.field, lambda _a, _b, s=level.at_least - 1e-6: s,
                               comp.levels)
            assert below.compare_evidence(a, b).level == banded[n + 1].name
    for level in comp.levels:  # a level named by a rule shows its own similarity
        named = Comparison(comp.field, lambda _a, _b, s=level.name: s, comp.levels)
        ev = named.compare_evidence(a, b)
        assert (ev.level, ev.weight) == (level.name, level.weight)
        if level.shows is not None:
            assert ev.similarity == level.shows
    missing = Comparison(comp.field, lambda _a, _b: None, comp.levels).compare_evidence(a, b)
    assert (missing.level, missing.similarity, missing.weight) == ("missing", None, 0.0)


def test_comparison_without_level_for_similarity() -> None:
    comp = Comparison("x", lambda a, b: 0.1, (Level("high", 1.0, 0.5),))
    f = _f(title="x")
    with pytest.raises(AssertionError):
        comp.compare_evidence(f, f)
    with pytest.raises(KeyError):  # a level name the comparison does not have
        Comparison("x", lambda a, b: "nope", (Level("high", 1.0, 0.5),)).level_of(f, f)


# ------------------------------------------------------------- similarities


@pytest.mark.parametrize(
    ("t1", "t2", "expected"),
    [
        ("Attention Is All You Need", "Attention is all you need.", 1.0),
        ("Indexing multimedia databases (tutorial)", "Indexing multimedia databases", 0.98),
        ("Deep residual learning for images", "Deep residual learning for images: a survey", 0.95),
        ("", "Anything", None),
    ],
)
def test_title_similarity(t1: str, t2: str, expected: float | None) -> None:
    a, b = _f(title=t1), _f(title=t2)
    assert title_similarity(a, b) == expected
    assert title_similarity(b, a) == expected


@pytest.mark.parametrize(
    ("labelled", "other"),
    [
        # DBLP's book review against ACM's book title with its authors
        ("Data Mining: Concepts and Techniques - Book Review",
         "Data mining: concepts and techniques by Jiawei Han and Micheline Kamber"),
        ("Transactional Information Systems - Book Review",
         "Transactional information systems: theory, algorithms, and the practice"),
        # Google Scholar's versions link left on a title
        ("Software for interactive on-line conferences - group of 2 &raquo;",
         "Software for interactive on-line conferences"),
    ],
)
def test_title_type_label_is_left_out_of_the_core(labelled: str, other: str) -> None:
    a, b = _f(title=labelled), _f(title=other)
    assert title_similarity(a, b) is not None and title_similarity(a, b) >= 0.95
    assert title_similarity(b, a) == title_similarity(a, b)


def test_title_type_label_needs_its_dash() -> None:
    # "Book review" inside a title is part of it, not a label
    f = _f(title="Book review column")
    assert f.title_core == f.title
    assert _f(title="A survey - book review").title_core == "a survey"


def test_title_similarity_short_prefix_is_not_a_subtitle() -> None:
    # Under 20 characters, a title that starts another is not given 0.95.
    sim = title_similarity(_f(title="Deep learning"), _f(title="Deep learning for cats"))
    assert sim is not None and sim < 0.9


@pytest.mark.parametrize(
    ("y1", "y2", "sim", "level"),
    [(2016, 2016, 1.0, "exact"), (2016, 2015, 0.5, "off by one"),
     (2016, 2018, 0.25, "2-3 years apart"), (2013, 2016, 0.25, "2-3 years apart"),
     (2016, 2020, 0.0, "far apart"), (None, 2016, None, "missing")],
)
def test_year_levels(y1, y2, sim, level) -> None:
    a, b = _f(title="t", year=y1), _f(title="t", year=y2)
    year = next(c for c in COMPARISONS if c.field == "year")
    assert year_level(a, b) == (None if level == "missing" else level)
    ev = year.compare_evidence(a, b)
    assert (ev.level, ev.similarity) == (level, sim)


@pytest.mark.parametrize(
    ("a1", "a2", "sim", "level"),
    [
        (HE, HE, 1.0, "all"),
        (HE, list(reversed(HE)), 1.0, "all"),  # order changes
        (HE, ["K. He", "X. Zhang", "S. Ren", "J. Sun"], 1.0, "all"),  # initials vs full
        (HE[:2], HE, 1.0, "all"),  # a prefix of the other list
        (["Ming-Wei Chang"], ["M. Chang"], 0.9, "most"),  # compatible initials
        (["Marek Áuppa"], ["Marek Šuppa"], 0.8, "most"),  # mis-encoded family name
        (HE, HE[:3] + ["Ann Other"], 0.75, "most"),
        (HE, HE[:2] + ["Ann Other", "Bob Jones"], 0.5, "half"),
        (HE, HE[:1] + ["Ann Other", "Bob Jones", "Cy Young"], 0.25, "few"),
        (HE, ["Ann Other"], 0.0, "none"),
        (["John Smith"], ["Mary Smith"], 0.0, "none"),
        (["John Smith"], ["Jane Smith"], 1.0, "all"),  # one key: "smith j"
        (["John K. Smith"], ["John L. Smith"], 0.3, "few"),
        ([], HE, None, "missing"),
    ],
)
def test_author_similarity_levels(a1, a2, sim, level) -> None:
    a, b = _f(title="t", authors=a1), _f(title="t", authors=a2)
    got = author_similarity(a, b)
    assert got == pytest.approx(sim) if sim is not None else got is None
    authors = next(c for c in COMPARISONS if c.field == "authors")
    assert authors.compare_evidence(a, b).level == level


def test_author_similarity_mis_encoded_needs_long_family_name() -> None:
    # Families under 4 letters are too short to call an edit a mis-encoding.
    assert author_similarity(_f(authors=["Y. Xu"]), _f(authors=["Y. Wu"])) == 0.0
    # And the initials must agree.
    assert author_similarity(_f(authors=["Marek Áuppa"]), _f(authors=["Jan Šuppa"])) == 0.0


def test_author_similarity_is_symmetric() -> None:
    # Greedy matching must not depend on which list comes first.
    a = _f(authors=["X. Wang", "Xiao-Ming Wang"])  # wang x, wang xm
    b = _f(authors=["Xiao-Ming Wang", "Xiao-Li Wang"])  # wang xm, wang xl
    assert author_similarity(a, b) == author_similarity(b, a)


@pytest.mark.parametrize(
    ("v1", "t1", "y1", "v2", "t2", "y2", "expected"),
    [
        ("Proc. VLDB", "", 2010, "Proceedings of the VLDB Endowment", "", 2010, 1.0),
        ("Proc. of SIGMOD", "", 2010, "The VLDB Journal", "", 2010, 0.0),
        ("arXiv preprint", "", 2010, "The VLDB Journal", "", 2012, None),  # preprint: any
        ("VLDB", "", 2010, "VLDB J.", "", 2012, 0.0),  # unmarked vs journal, other year
        ("VLDB", "", 2010, "VLDB J.", "", 2010, None),  # ... same year: unknown
        ("VLDB", "inproceedings", 2010, "VLDB J.", "article", 2010, 0.0),  # from the types
        ("", "", 2010, "VLDB J.", "", 2012, None),
    ],
)
def test_venue_kind_levels(v1, t1, y1, v2, t2, y2, expected) -> None:
    a = _f(venue=v1, type=t1, year=y1)
    b = _f(venue=v2, type=t2, year=y2)
    level = {1.0: "same", 0.0: "journal vs proceedings", None: None}[expected]
    assert venue_kind_level(a, b) == level
    assert venue_kind_level(b, a) == level


@pytest.mark.parametrize(
    ("venue", "rtype", "kind"),
    [("Neural Comput.", "", ""), ("J. Mach. Learn. Res.", "", "journal"),
     ("CoRR", "", "preprint"), ("arXiv (Cornell University)", "journal-article", "preprint"),
     ("NAACL-HLT (1)", "inproceedings", "proceedings"), ("", "posted-content", "preprint"),
     ("Proceedings of the IEEE Conference on CVPR", "", "proceedings")],
)
def test_venue_kind(venue: str, rtype: str, kind: str) -> None:
    assert venue_kind(venue, rtype) == kind


def test_page_volume_number_notice_similarities() -> None:
    assert pages_agree(_f(pages="770-778"), _f(pages="770")) is True
    assert pages_agree(_f(pages="770-778"), _f(pages="771-778")) is False
    assert pages_agree(_f(pages="770-778"), _f()) is None
    assert volumes_agree(_f(volume="9"), _f(volume="9 (8)")) is True
    assert volumes_agree(_f(volume="9"), _f(volume="10")) is False
    part1 = _f(title="Provenance: Part I")
    assert title_number_level(part1, _f(title="Provenance: Part 1")) == "same"
    assert title_number_level(part1, _f(title="Provenance: Part II")) == "different"
    assert title_number_level(part1, _f(title="Provenance")) is None
    assert notice_level(_f(title="Erratum: LSTM"), _f(title="LSTM")) == "notice vs paper"
    assert notice_level(_f(title="Erratum: LSTM"), _f(title="Erratum to LSTM")) == "same kind"
    assert notice_level(_f(title="LSTM"), _f(title="LSTM")) is None


def test_title_numbers() -> None:
    assert title_numbers("provenance part ii") == {"2"}
    assert title_numbers("covid 19 in 2020 volume iv") == {"19", "2020", "4"}
    assert title_numbers("i robot") == frozenset()  # a bare "i" is not a number
    # Digits inside a word are numbers too: "SQL3" is "SQL 3", and 5-HT1A and
    # 5-HT2A are different receptors.
    assert title_numbers("formerly known as sql3") == title_numbers("formerly known as sql 3")
    assert title_numbers("5 ht1a receptor") != title_numbers("5 ht2a receptor")


@pytest.mark.parametrize(("t1", "t2", "substituted"), [
    ("Agents, Trust, and Information Access on the Semantic Web",
     "Agents, Turst, and Information Access on the Semantic Web", False),  # swapped letters
    ("Daytona and the Fourth-Generation Language Cymbal",
     "Daytona and the foruth-generation language cymbal", False),
    ("Outcomes of surgery in adult patients", "Outcomes of surgery in pediatric patients", True),
    # Words in brackets are no substitution when the rest is the same title.
    ("Index research (panel session): forest or trees?",
     "Index Research: Forest or Trees? (Panel Abstract)", False),
])
def test_a_typo_is_not_a_substituted_word(t1: str, t2: str, substituted: bool) -> None:
    sim = title_similarity(_f(title=t1), _f(title=t2))
    assert (sim == 0.75) is substituted


def test_the_same_bracketed_words_elsewhere_are_the_same_title() -> None:
    demo = "DEVise: Integrated Querying and Visual Exploration of Large Datasets"
    moved = _f(title="DEVise (demo abstract): integrated querying and visual exploration "
                     "of large datasets")
    assert title_similarity(moved, _f(title=demo + " (Demo Abstract)")) == 1.0
    # Only one side has the bracket: near, not exact, so the demo is told
    # from the paper.
    assert 0.95 <= title_similarity(moved, _f(title=demo)) < 0.999
    # Other words in the brackets: not exact either.
    assert title_similarity(moved, _f(title=demo + " (Panel Session)")) < 0.999


@pytest.mark.parametrize(("t1", "t2", "near"), [
    ("Storage Technology: RAID and Beyond", "Tutorial on storage technology: RAID and beyond",
     True),
    ("Designing an Ultra Highly Available DBMS",
     "Tutorial: Designing an ultra highly available DBMS (tutorial session)", True),
    ("Database Issues in Telecommunications Network Management",
     "SIGMOD challenges paper: database issues in telecommunications network management", True),
    # An opening of more than a few words is part of another title.
    ("Spreading depression under the effect of tetrodotoxine",
     "Glial membrane potential during spreading depression under the effect of tetrodotoxine",
     False),
])
def test_a_label_before_the_title(t1: str, t2: str, near: bool) -> None:
    sim = title_similarity(_f(title=t1), _f(title=t2))
    assert (sim >= 0.95) is near


def test_a_letter_is_a_notice() -> None:
    letter = _f(title="Letter: Tryptophan plus a pyrrolase inhibitor for depression?")
    paper = _f(title="Tryptophan plus a pyrrolase inhibitor for depression")
    assert notice_level(letter, paper) == "notice vs paper"


def test_group_authors_are_not_compared_as_people() -> None:
    # "CORPORATE Fox Development Team Microsoft" is no person called Microsoft.
    team = _f(authors=["Fox Development Team"])
    corporate = _f(authors=["CORPORATE Fox Development Team Microsoft"])
    assert team.authors == () and author_similarity(team, corporate) is None
    # A study group closing a list of people leaves the people to compare.
    listed = _f(authors=["Zuna, R E", "Wang, S S", "Group, ASCUS LSIL Triage Study"])
    assert author_similarity(listed, _f(authors=["R. E. Zuna", "S. S. Wang"])) == 1.0


# ------------------------------------------------------------- identifiers


def _ids(a: Record, b: Record) -> list[tuple[str, str, float]]:
    return [(e.field, e.level, e.weight)
            for e in identifier_evidence(features_of(a), features_of(b))]


def test_identifier_same_doi_is_positive() -> None:
    ev = _ids(make_record(doi="10.1109/CVPR.2016.90"),
              make_record(url="https://doi.org/10.1109/cvpr.2016.90"))
    assert ev == [("doi", "same", ID_AGREE)]
    assert ID_AGREE > 0


def test_identifier_different_publisher_dois_conflict() -> None:
    ev = _ids(make_record(doi="10.1109/CVPR.2016.90"),
              make_record(doi="10.1007/978-3-319-46493-0_38"))
    assert len(ev) == 1
    scheme, level, weight = ev[0]
    assert (scheme, level) == ("doi", "conflict")
    assert weight < 0


def test_identifier_preprint_doi_vs_publisher_doi_is_neutral() -> None:
    ev = _ids(make_record(doi="10.48550/arXiv.1810.04805"), make_record(doi="10.18653/v1/N19-1423"))
    # The arXiv DOI also yields an arXiv id that the other side lacks.
    assert ev == [("doi", "preprint vs published", 0.0)]
    ev = _ids(make_record(doi="10.1101/2020.01.01.123456"),
              make_record(doi="10.1038/s41586-020-2008-3"))
    assert ev == [("doi", "preprint vs published", 0.0)]


def test_identifier_two_preprint_dois_conflict() -> None:
    ev = _ids(make_record(doi="10.48550/arXiv.1810.04805"),
              make_record(doi="10.48550/arXiv.1706.03762"))
    assert sorted((s, lv) for s, lv, _ in ev) == [("arxiv", "conflict"), ("doi", "conflict")]
    assert all(w < 0 for _, _, w in ev)


def test_identifier_arxiv_versions_agree() -> None:
    ev = _ids(make_record(arxiv="1810.04805v1"), make_record(arxiv="1810.04805v2"))
    assert ev == [("arxiv", "same", ID_AGREE)]


def test_identifier_containers_and_other_schemes() -> None:
    # ISSN and ISBN say nothing either way.
    assert _ids(make_record(issn="0302-9743"), make_record(issn="0302-9743")) == []
    assert _ids(make_record(issn="0302-9743"), make_record(issn="1532-4435")) == []
    # Another scheme in the identifiers mapping conflicts more mildly.
    ev = _ids(make_record(identifiers={"dblp": "conf/cvpr/HeZRS16"}),
              make_record(identifiers={"dblp": "conf/eccv/HeZRS16"}))
    assert len(ev) == 1 and ev[0][:2] == ("other identifiers", "conflict")
    assert -12.0 < ev[0][2] < 0
    # Only one side has a DOI: no evidence.
    assert _ids(make_record(doi="10.1109/CVPR.2016.90"), make_record(title="x")) == []


# ------------------------------------------------------------- scores


def test_probability() -> None:
    assert probability(0.0) == 0.5
    assert probability(1.0) == pytest.approx(2 / 3)
    assert probability(100) == 1.0
    assert probability(-100) == 0.0


def _random_records(seed: int, n: int = 30) -> list[Record]:
    rng = random.Random(seed)
    titles = ["Deep Residual Learning for Image Recognition", "Deep residual learning",
              "Identity Mappings in Deep Residual Networks", "Editorial", "Erratum: Editorial",
              "Provenance: Part I", "Provenance: Part II", "Long Short-Term Memory", ""]
    names = ["Kaiming He", "K. He", "Jian Sun", "J. Sun", "Marek Šuppa", "Marek Áuppa",
             "X. Wang", "Xiao-Ming Wang", "Xiao-Li Wang", "John Smith", "John Smyth"]
    venues = ["", "CVPR", "Proc. CVPR", "VLDB J.", "arXiv", "Neural Computation"]
    dois = [None, "10.1109/cvpr.2016.90", "10.48550/arXiv.1512.03385", "10.1007/x_38"]
    recs = []
    for _ in range(n):
        kw: dict = {"title": rng.choice(titles),
                    "authors": rng.sample(names, rng.randint(0, 4)),
                    "venue": rng.choice(venues),
                    "pages": rng.choice(["", "770-778", "630-645"]),
                    "volume": rng.choice(["", "1", "9"])}
        if rng.random() < 0.8:
            kw["year"] = rng.randint(2013, 2018)
        if doi := rng.choice(dois):
            kw["doi"] = doi
        recs.append(make_record(**kw))
    return recs


def _both_ways(recs: list[Record]):
    feats, stats = features_and_stats(recs)
    for i in range(len(recs)):
        for j in range(i + 1, len(recs)):
            fa, fb = feats[i], feats[j]
            s_ab, _ = score_pair(fa, fb, SETTINGS, stats)
            s_ba, _ = score_pair(fb, fa, SETTINGS, stats)
            yield i, j, s_ab, s_ba


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_in_unit_interval(seed: int) -> None:
    for _, _, s_ab, s_ba in _both_ways(_random_records(seed)):
        assert 0.0 <= s_ab <= 1.0
        assert 0.0 <= s_ba <= 1.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scores_symmetric(seed: int) -> None:
    asymmetric = [(i, j, round(s_ab, 4), round(s_ba, 4))
                  for i, j, s_ab, s_ba in _both_ways(_random_records(seed))
                  if s_ab != pytest.approx(s_ba, abs=1e-9)]
    assert asymmetric == []


def test_score_symmetric_for_clear_cases() -> None:
    recs = [make_record(title="Deep Residual Learning for Image Recognition", authors=HE,
                        year=2016),
            make_record(title="Deep residual learning", authors=HE[::-1], year=2015, venue="CVPR"),
            make_record(title="Identity Mappings in Deep Residual Networks", authors=HE[:2],
                        year=2016),
            make_record(title="Long Short-Term Memory", authors=["Sepp Hochreiter"], year=1997)]
    for _, _, s_ab, s_ba in _both_ways(recs):
        assert s_ab == pytest.approx(s_ba, abs=1e-12)


def test_score_symmetric_with_equal_length_author_lists() -> None:
    title = "Graph neural networks for molecules"
    a = make_record(title=title, authors=["X. Wang", "Xiao-Ming Wang"], year=2020)
    b = make_record(title=title, authors=["Xiao-Ming Wang", "Xiao-Li Wang"], year=2020)
    assert _score(a, b) == pytest.approx(_score(b, a))


def test_score_symmetric_with_a_prolific_author_on_one_side() -> None:
    # "John Smith" is on many records of the build, "John Smyth" on one: the
    # term-frequency penalty must not depend on which record comes first.
    title = "Graph neural networks for molecules"
    a = make_record(title=title, authors=["John Smith"], year=2020)
    b = make_record(title=title, authors=["John Smyth"], year=2020)
    others = [make_record(title=f"Other paper {i} here", authors=["John Smith"], year=2000 + i)
              for i in range(8)]
    assert _score(a, b, *others) == pytest.approx(_score(b, a, *others))


def test_obvious_duplicates_score_high() -> None:
    a = make_record(title="Deep Residual Learning for Image Recognition", authors=HE, year=2016,
                    venue="CVPR", pages="770-778")
    b = make_record(title="Deep residual learning for image recognition.",
                    authors=["K. He", "X. Zhang", "S. Ren", "J. Sun"], year=2016)
    assert _score(a, b) > 0.9
    c = make_record(title="Long Short-Term Memory",
                    authors=["Sepp Hochreiter", "Jürgen Schmidhuber"], year=1997)
    d = make_record(title="Long short-term memory", authors=["Hochreiter, S.", "Schmidhuber, J."],
                    year=1997)
    assert _score(c, d) > 0.9


def test_duplicates_with_shared_doi_score_high_despite_messy_fields() -> None:
    a = make_record(title="", doi="10.18653/v1/n19-1423", year=2019)
    b = make_record(title="BERT: Pre-training of Deep Bidirectional Transformers",
                    doi="10.18653/V1/N19-1423", year=2019, authors=["Jacob Devlin"])
    assert _score(a, b) > 0.9


def test_different_papers_by_same_authors_score_low() -> None:
    a = make_record(title="Deep Residual Learning for Image Recognition", authors=HE, year=2016)
    b = make_record(title="Identity Mappings in Deep Residual Networks", authors=HE, year=2016)
    assert _score(a, b) < 0.5
    # gan vs gan-cacm: the same authors, the arXiv title equals the CACM title.
    c = make_record(title="Generative Adversarial Networks", authors=GAN, year=2014,
                    arxiv="1406.2661")
    d = make_record(title="Generative adversarial networks", authors=GAN, year=2020,
                    venue="Communications of the ACM", doi="10.1145/3422622")
    assert _score(c, d) < 0.5


def test_erratum_scores_low() -> None:
    authors = ["Sepp Hochreiter", "Jürgen Schmidhuber"]
    a = make_record(title="Long Short-Term Memory", authors=authors, year=1997,
                    venue="Neural Computation")
    b = make_record(title="Erratum: Long Short-Term Memory", authors=authors, year=1997,
                    venue="Neural Computation")
    assert _score(a, b) < 0.1
    assert _evidence(a, b)["notice"] == ("notice vs paper", -15.0)


def test_part_one_vs_part_two_scores_low() -> None:
    authors = ["Peter Buneman", "Wang-Chiew Tan", "Sanjeev Khanna"]
    a = make_record(title="Provenance in Databases: Part I", authors=authors, year=2007)
    b = make_record(title="Provenance in Databases: Part II", authors=authors, year=2007)
    assert _score(a, b) < 0.5
    c = make_record(title="Provenance in Databases, Part 2", authors=authors, year=2007)
    assert _score(b, c) > 0.9  # "II" and "2" are the same number


@pytest.mark.parametrize("gap", [1, 2, 3])
@pytest.mark.parametrize("n_authors", [2, 3])
def test_conference_vs_journal_version_scores_low(gap: int, n_authors: int) -> None:
    title = "Efficient Query Processing over Large Graphs"
    authors = ["Ann Smith", "Bob Jones", "Cy Young"][:n_authors]
    conf = make_record(title=title, authors=authors, year=2010, venue="VLDB")
    journal = make_record(title=title, authors=authors, year=2010 + gap, venue="VLDB J.")
    assert _score(conf, journal) < 0.5


def test_generic_title_same_author_different_years_scores_low() -> None:
    a = make_record(title="Editorial", authors=["Ann Smith"], year=2010, venue="Some Journal")
    for year in (2011, 2012, 2015):
        b = make_record(title="Editorial", authors=["Ann Smith"], year=year, venue="Some Journal")
        assert _score(a, b) < 0.5, year


def test_generic_title_shared_by_many_records_weighs_less() -> None:
    a = make_record(title="Editorial", authors=["Ann Smith"], year=2010)
    b = make_record(title="Editorial", authors=["Ann Smith"], year=2010)
    alone = _score(a, b)
    crowd = [make_record(title="Editorial", authors=[f"Editor {c}"], year=2010) for c in "BCDEFGH"]
    assert _score(a, b, *crowd) < alone


def test_score_pairs_keeps_order_and_rounds() -> None:
    recs = [make_record(title="Deep Residual Learning for Image Recognition", authors=HE,
                        year=2016),
            make_record(title="Deep residual learning for image recognition", authors=HE,
                        year=2016),
            make_record(title="Identity Mappings in Deep Residual Networks", authors=HE, year=2016)]
    feats, stats = features_and_stats(recs)
    out = score_pairs(feats, [(1, 2), (0, 1), (0, 2)], stats, SETTINGS)
    assert [(p.a, p.b) for p in out] == [(1, 2), (0, 1), (0, 2)]
    assert out[1].score > 0.9 > 0.5 > out[0].score
    assert all(p.score == round(p.score, 6) for p in out)
    assert {e.field for e in out[0].evidence} >= {c.field for c in COMPARISONS}


# ------------------------------------------------- bulk scoring vs explanation

_TITLES = ["Deep Residual Learning for Image Recognition", "Editorial", "Book reviews",
           "Deep residual learning for image recognition.", "Identity Mappings in Deep Residual "
           "Networks", "Outerjoins as disjunctions", "Erratum: Outerjoins as disjunctions", ""]
_AUTHORS = [HE, HE[:2], GAN, ["K He"], [], ["Ann Smith"], ["Ann Smith", "Bo Li"]]


@pytest.mark.parametrize("seed", range(3))
def test_bulk_scores_are_the_sums_of_the_evidence_they_explain(seed: int) -> None:
    rng = random.Random(seed)
    recs = [make_record(title=rng.choice(_TITLES), authors=rng.choice(_AUTHORS),
                        year=rng.choice([None, 2015, 2016, 2019]),
                        venue=rng.choice(["", "CVPR", "Proc. CVPR", "J Am Coll Cardiol"]),
                        volume=rng.choice(["", "3", "4"]), pages=rng.choice(["", "1-9", "10-12"]),
                        doi=rng.choice([None, "10.1/a", "10.1/b", "10.48550/arXiv.1512.03385"]),
                        source=rng.choice(["x", "y"]))
            for _ in range(40)]
    feats, stats = features_and_stats(recs)
    pairs = [(a, b) for a in range(len(recs)) for b in range(a + 1, len(recs))]

    def extra(a: int, b: int) -> FieldEvidence | None:  # like the clean-source bonus
        return FieldEvidence("clean sources", "one of each", None, 4.0) if (a + b) % 3 else None

    model = Model.hand_set(SETTINGS)
    for scored in (score_pairs(feats, pairs, stats, SETTINGS),
                   score_pairs(feats, pairs, stats, SETTINGS, model, extra)):
        assert [(p.a, p.b) for p in scored] == pairs
        for p in scored:
            total = model.prior + sum(e.weight for e in p.evidence)
            assert p.score == round(probability(total), 6), p


def test_compare_pairs_in_processes_gives_the_same_levels(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    rng = random.Random(5)
    recs = [make_record(title=rng.choice(_TITLES), authors=rng.choice(_AUTHORS),
                        year=rng.choice([None, 2015, 2016]), doi=rng.choice([None, "10.1/a"]))
            for _ in range(30)]
    feats, _ = features_and_stats(recs)
    pairs = [(a, b) for a in range(len(recs)) for b in range(a + 1, len(recs))]
    monkeypatch.setattr(scoring, "_PARALLEL_MIN_PAIRS", 1)
    one = scoring.compare_pairs(feats, pairs)
    two = scoring.compare_pairs(feats, pairs, jobs=2)
    assert one.dtype == two.dtype and (one == two).all()
    assert [[lv for lv, _ in scoring.compare_pair(feats[a], feats[b])] for a, b in pairs] == (
        one.tolist())
