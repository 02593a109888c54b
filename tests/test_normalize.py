"""Tests for resolve.normalize."""

from __future__ import annotations

import unicodedata

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolve import normalize as nz
from resolve.types import Author

# ------------------------------------------------------------------ text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  plain   text \n here ", "plain text here"),
        ("Lud&#228;scher", "Ludäscher"),
        ("Lud&amp;#228;scher", "Ludäscher"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("The <i>E. coli</i> genome", "The E. coli genome"),
        ("H<sub>2</sub>O", "H2O"),
        ("<jats:title>A</jats:title><jats:p>Deep <jats:italic>nets</jats:italic></jats:p>",
         "A Deep nets"),
        ("<scp>bert</scp> rocks", "bert rocks"),
        ("MÃ¼ller", "Müller"),
        ("a\u00a0b\u2009c\td", "a b c d"),
        ("ﬁnite", "finite"),  # NFKC ligature
        ("Šuppa Ünal", "Šuppa Ünal"),  # keeps case and accents
        ("a < b and c > d", "a < b and c > d"),
    ],
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert nz.clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Šuppa", "suppa"),
        ("Łukasz", "lukasz"),
        ("Straße", "strasse"),
        ("Müller", "muller"),
        ("Θεός", "theos"),
        ("Москва", "moskva"),
        ("ＡＢＣ", "abc"),
        ("&amp;", "&amp;"),  # clean_text is not applied
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert nz.fold(raw) == expected


def test_normalize_title() -> None:
    a = nz.normalize_title("BERT: Pre-Training of Deep Bidirectional Transformers")
    b = nz.normalize_title("Bert pre-training of deep bidirectional transformers.")
    assert a == b == "bert pre training of deep bidirectional transformers"
    assert nz.normalize_title("[Title in English].") == nz.normalize_title("Title in English")
    assert nz.normalize_title("Lud&#228;scher's <i>workflows</i>") == "ludascher s workflows"
    assert nz.normalize_title("Über\u00a0Graphen") == "uber graphen"
    assert nz.normalize_title(None) == ""
    assert nz.normalize_title("   ...  ") == ""


def test_title_tokens() -> None:
    key = nz.normalize_title("The Role of a 3 D Model in the Analysis of X-Rays for Vision")
    assert nz.title_tokens(key) == ["role", "3", "model", "analysis", "rays", "vision"]
    assert nz.title_tokens("") == []


# ---------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://doi.org/10.1000/ABC", "10.1000/abc"),
        ("http://dx.doi.org/10.1000/abc", "10.1000/abc"),
        ("https://www.doi.org/10.1000/abc", "10.1000/abc"),
        ("doi:10.1000/XYZ.", "10.1000/xyz"),
        ("DOI 10.1000/xyz;", "10.1000/xyz"),
        ("  10.1000/xyz ,", "10.1000/xyz"),
        ("https://doi.org/10.1000%2Fabc", "10.1000/abc"),
        ("https://doi.org/10.1000/XYZ123 (2020)", "10.1000/xyz123"),
        ("(see doi:10.1016/0022-2836(81)90087-5)", "10.1016/0022-2836(81)90087-5"),
        ("10.1002/(SICI)1097-4636(199911)48:6<835::AID-JBM11>3.0.CO;2-H",
         "10.1002/(sici)1097-4636(199911)48:6<835::aid-jbm11>3.0.co;2-h"),
        ("10.48550/arXiv.2103.10673", "10.48550/arxiv.2103.10673"),
        ("10.12/abc", None),
        ("10.1000/", None),
        ("10.1000/.", None),
        ("not a doi", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_doi(raw: str | None, expected: str | None) -> None:
    assert nz.normalize_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2103.10673v2", ("2103.10673", 2)),
        ("arXiv:2103.10673v2", ("2103.10673", 2)),
        ("arxiv.org/abs/2103.10673v2", ("2103.10673", 2)),
        ("https://arxiv.org/pdf/2103.10673v2.pdf", ("2103.10673", 2)),
        ("10.48550/arXiv.2103.10673", ("2103.10673", None)),
        ("1501.0001", ("1501.0001", None)),
        ("arXiv:2103.10673 [cs.CL]", ("2103.10673", None)),
        ("hep-th/9901001v3", ("hep-th/9901001", 3)),
        ("math.GT/0309136", ("math.gt/0309136", None)),
        ("https://arxiv.org/abs/cond-mat/0001001", ("cond-mat/0001001", None)),
        ("2199.10673", None),  # month 99
        ("12345.67890", None),
        ("no id here", None),
        (None, None),
    ],
)
def test_parse_arxiv(raw: str | None, expected: tuple[str, int | None] | None) -> None:
    assert nz.parse_arxiv(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://ArXiv.org/pdf/2103.10673v2.pdf", "https://arxiv.org/abs/2103.10673v2"),
        ("https://arxiv.org/pdf/2103.10673", "https://arxiv.org/abs/2103.10673"),
        ("http://export.arxiv.org/abs/2103.10673v1", "https://arxiv.org/abs/2103.10673v1"),
        ("https://arxiv.org/abs/hep-th/9901001v3", "https://arxiv.org/abs/hep-th/9901001v3"),
        ("https://example.org/", "https://example.org"),
        ("https://example.org", "https://example.org"),
        (" http://WWW.Example.ORG/Path/To/ ", "https://www.example.org/Path/To"),
        ("https://example.org:443/a#section", "https://example.org/a"),
        ("http://example.org:80/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("https://example.org/a?utm_source=x&z=1&a=2&utm_medium=y", "https://example.org/a?a=2&z=1"),
        ("ftp://ftp.example.org/pub/", "ftp://ftp.example.org/pub"),
        ("http://dx.doi.org/10.1000/ABC", "https://doi.org/10.1000/ABC"),
        ("mailto:someone@example.org", None),
        ("example.org/page", None),
        ("https://", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_url(raw: str | None, expected: str | None) -> None:
    assert nz.normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://doi.org/10.1000/ABC", ("doi", "10.1000/abc")),
        ("http://dx.doi.org/10.1000/abc", ("doi", "10.1000/abc")),
        ("doi.org/10.1000/abc", ("doi", "10.1000/abc")),
        ("https://arxiv.org/abs/2103.10673v2", ("arxiv", "2103.10673")),
        ("http://arxiv.org/pdf/2103.10673v2.pdf", ("arxiv", "2103.10673")),
        ("https://arxiv.org/abs/hep-th/9901001", ("arxiv", "hep-th/9901001")),
        ("https://www.ncbi.nlm.nih.gov/pubmed/123", ("pmid", "123")),
        ("https://pubmed.ncbi.nlm.nih.gov/123/", ("pmid", "123")),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC123/", ("pmcid", "PMC123")),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC4567/", ("pmcid", "PMC4567")),
        ("https://example.org/10.1000/abc", None),
        ("https://arxiv.org/list/cs.CL", None),
        ("", None),
    ],
)
def test_url_identifier(url: str, expected: tuple[str, str] | None) -> None:
    assert nz.url_identifier(url) == expected


def test_url_identifier_roundtrip_with_normalize_url() -> None:
    url = nz.normalize_url("HTTP://ArXiv.org/pdf/2103.10673v2.pdf")
    assert url is not None
    assert nz.url_identifier(url) == ("arxiv", "2103.10673")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("123", "123"), ("PMID: 00123", "123"), ("pmid 45", "45"), (" 789 ", "789"), (123, "123"),
     ("123.0", "123"), ("0", None), ("abc", None), ("12a", None), ("", None), (None, None)],
)
def test_normalize_pmid(raw: object, expected: str | None) -> None:
    assert nz.normalize_pmid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("PMC123", "PMC123"), ("pmc123", "PMC123"), ("123", "PMC123"), ("PMCID: PMC4567", "PMC4567"),
     ("PMC", None), ("PMCabc", None), ("", None), (None, None)],
)
def test_normalize_pmcid(raw: object, expected: str | None) -> None:
    assert nz.normalize_pmcid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0-262-03384-4", "9780262033848"),
        ("0262033844", "9780262033848"),
        ("978-0-262-03384-8", "9780262033848"),
        ("ISBN-13: 978-0-262-03384-8", "9780262033848"),
        ("ISBN 0-8044-2957-X", "9780804429573"),
        ("978 0 262 03384 8", "9780262033848"),
        ("9780262033848 (hardcover)", "9780262033848"),
        ("0262033845", None),  # bad check digit
        ("9780262033847", None),
        ("12345", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_isbn(raw: object, expected: str | None) -> None:
    assert nz.normalize_isbn(raw) == expected


def test_normalize_issns() -> None:
    assert nz.normalize_issns("0300-8428 (Print)\n0300-8428 (Linking)") == ["0300-8428"]
    assert nz.normalize_issns("1050-124x; 0028-0836") == ["1050-124X", "0028-0836"]
    assert nz.normalize_issns("00280836") == ["0028-0836"]
    assert nz.normalize_issns("1234-5678") == []  # invalid check digit
    assert nz.normalize_issns("pages 2019-2020") == []
    assert nz.normalize_issns(None) == []


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "names", "keys"),
    [
        ("Przyklenk K.Kloner R. A.", ["Przyklenk K.", "Kloner R. A."],
         ["przyklenk k", "kloner ra"]),
        ("Hirata T.Fukuse T.Ishikawa S.", ["Hirata T.", "Fukuse T.", "Ishikawa S."],
         ["hirata t", "fukuse t", "ishikawa s"]),
        ("Przyklenk K., Kloner R. A.", ["Przyklenk K.", "Kloner R. A."],
         ["przyklenk k", "kloner ra"]),
        ("Przyklenk K, Kloner RA", ["Przyklenk K", "Kloner RA"], ["przyklenk k", "kloner ra"]),
        ("Viswanath Poosala, Yannis E. Ioannidis", ["Viswanath Poosala", "Yannis E. Ioannidis"],
         ["poosala v", "ioannidis ye"]),
        ("Deng, Chaoqun and Ravichandran, T.", ["Deng, Chaoqun", "Ravichandran, T."],
         ["deng c", "ravichandran t"]),
        ("Smith, J., Jones, K.", ["Smith, J.", "Jones, K."], ["smith j", "jones k"]),
        ("Smith, J. A., Jones, K.", ["Smith, J. A.", "Jones, K."], ["smith ja", "jones k"]),
        ("Smith, John; Jones, Karen", ["Smith, John", "Jones, Karen"], ["smith j", "jones k"]),
        ("Smith, John\nJones, Karen\n", ["Smith, John", "Jones, Karen"], ["smith j", "jones k"]),
        ("John Smith and Jane Doe and others", ["John Smith", "Jane Doe"], ["smith j", "doe j"]),
        ("John Smith, Jane Doe et al.", ["John Smith", "Jane Doe"], ["smith j", "doe j"]),
        ("A. Smith, B. Jones, and C. Brown", ["A. Smith", "B. Jones", "C. Brown"],
         ["smith a", "jones b", "brown c"]),
        ("van der Berg, Jan Peter and Ludwig van Beethoven",
         ["van der Berg, Jan Peter", "Ludwig van Beethoven"], ["vanderberg jp", "vanbeethoven l"]),
        ("Lud&#228;scher, Bertram and Šuppa, Marek", ["Ludäscher, Bertram", "Šuppa, Marek"],
         ["ludascher b", "suppa m"]),
        ("Madonna", ["Madonna"], ["madonna"]),
        # web-scraped (Google Scholar) lists: a glued initial, a lost name, a run of initials
        ("F Carino, WO'Connell", ["F Carino", "WO'Connell"], ["carino f", "oconnell w"]),
        ("AA AC, S Chaudhuri", ["AA AC", "S Chaudhuri"], ["ac a", "chaudhuri s"]),
        ("SHTWG Moerkotte", ["SHTWG Moerkotte"], ["moerkotte shtwg"]),
        ("Del Maestro, Adrian", ["Del Maestro, Adrian"], ["delmaestro a"]),
        ("OConnor, McDonald", ["OConnor, McDonald"], ["oconnor m"]),
    ],
)
def test_split_and_parse_authors(raw: str, names: list[str], keys: list[str]) -> None:
    got = nz.split_authors(raw)
    assert got == names
    assert [nz.parse_author(n).key for n in got] == keys


def test_split_authors_empty() -> None:
    assert nz.split_authors(None) == []
    assert nz.split_authors("") == []
    assert nz.split_authors(" ; ; ") == []
    assert nz.split_authors("et al.") == []


@pytest.mark.parametrize(
    ("raw", "family", "given", "key"),
    [
        ("Áuppa, Marek", "Áuppa", "Marek", "auppa m"),
        ("Marek Šuppa", "Šuppa", "Marek", "suppa m"),
        ("Smith, John", "Smith", "John", "smith j"),
        ("John Smith", "Smith", "John", "smith j"),
        ("Smith J.", "Smith", "J.", "smith j"),
        ("Smith JA", "Smith", "JA", "smith ja"),
        ("Garcia Lopez JA", "Garcia Lopez", "JA", "garcialopez ja"),
        ("G. H. Hardy", "Hardy", "G. H.", "hardy gh"),
        ("G.H. Hardy", "Hardy", "G.H.", "hardy gh"),
        ("van der Berg, Jan", "van der Berg", "Jan", "vanderberg j"),
        ("Jan van der Berg", "van der Berg", "Jan", "vanderberg j"),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig", "vanbeethoven l"),
        ("Ravichandran, T.", "Ravichandran", "T.", "ravichandran t"),
        ("Yannis E. Ioannidis", "Ioannidis", "Yannis E.", "ioannidis ye"),
        ("Jean-Robert Garcia-Lopez", "Garcia-Lopez", "Jean-Robert", "garcialopez jr"),
        ("Łukasz Kaiser", "Kaiser", "Łukasz", "kaiser l"),
        ("O'Brien, Mary-Kate", "O'Brien", "Mary-Kate", "obrien mk"),
        ("Smith, Jr., John", "Smith", "John", "smith j"),
        ("John Smith Jr.", "Smith", "John", "smith j"),
        ("SMITH, JOHN", "SMITH", "JOHN", "smith j"),
        ("Plato", "Plato", "", "plato"),
    ],
)
def test_parse_author(raw: str, family: str, given: str, key: str) -> None:
    a = nz.parse_author(raw)
    assert isinstance(a, Author)
    assert (a.family, a.given, a.key) == (family, given, key)
    assert a.name == nz.clean_text(raw)


def test_parse_author_empty() -> None:
    assert nz.parse_author("").key == ""
    assert nz.parse_author(" , ").key == ""


def test_author_from_parts() -> None:
    a = nz.author_from_parts("Šuppa", "Marek")
    assert a == Author(name="Marek Šuppa", family="Šuppa", given="Marek", key="suppa m")
    b = nz.author_from_parts("van der Berg", "Jan-Peter", name="J.-P. van der Berg")
    assert (b.name, b.key) == ("J.-P. van der Berg", "vanderberg jp")
    assert nz.author_from_parts(None, None, "Yannis E. Ioannidis").key == "ioannidis ye"
    assert nz.author_from_parts("", None, "Przyklenk K.").key == "przyklenk k"
    assert nz.author_from_parts("Plato", None).key == "plato"
    assert nz.author_from_parts(None, None).key == ""


# --------------------------------------------------------- bibliographic


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("139-54", "139-154"),
        ("1234-7", "1234-1237"),
        ("1234-45", "1234-1245"),
        ("139-154", "139-154"),
        ("139–154", "139-154"),
        ("139—154", "139-154"),
        ("139--154", "139-154"),
        ("139 ‐ 154", "139-154"),
        ("pp. 139-54", "139-154"),
        ("p. 12", "12"),
        ("e123", "e123"),
        ("e123-e130", "e123-e130"),
        ("S12-5", "S12-S15"),
        ("42", "42"),
        ("42-42", "42"),
        ("99-5", "99-5"),  # cannot expand to an end before the start
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_pages(raw: str | None, expected: str) -> None:
    assert nz.normalize_pages(raw) == expected


def test_first_page() -> None:
    assert nz.first_page("139-154") == "139"
    assert nz.first_page("e123") == "e123"
    assert nz.first_page("") == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2019, 2019), ("2019", 2019), ("2019-05-01", 2019), ("May 2019", 2019), ("(2019)", 2019),
        (2019.0, 2019), ("2019.0", 2019), ([[2019, 5, 1]], 2019), (999, None), ("2101", None),
        ("12345", None), ("n.d.", None), (2019.5, None), (True, None), (None, None), ("", None),
    ],
)
def test_normalize_year(raw: object, expected: int | None) -> None:
    assert nz.normalize_year(raw) == expected


def test_normalize_venue() -> None:
    a = nz.normalize_venue("Proceedings of the 23rd International Conference on Machine Learning")
    b = nz.normalize_venue("Proc. Int'l Conf. on Machine Learning (ICML 2006)")
    assert a == "machine learning"
    assert b == "machine learning icml"
    assert nz.normalize_venue("J. Chem. Phys.") == "chem phys"
    assert nz.normalize_venue("Nature") == "nature"
    assert nz.normalize_venue(None) == ""


# -------------------------------------------------------------- properties

_TEXT_FUNCS = [
    nz.clean_text, nz.fold, nz.normalize_title, nz.normalize_doi, nz.parse_arxiv, nz.normalize_url,
    nz.url_identifier, nz.normalize_pmid, nz.normalize_pmcid, nz.normalize_isbn, nz.normalize_issns,
    nz.split_authors, nz.parse_author, nz.normalize_pages, nz.first_page, nz.normalize_year,
    nz.normalize_venue,
]
_messy = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("aB .,;-&#<>/:%10Xv()[]\nÃ¼Šéand ")), max_size=60),
)


@settings(max_examples=300, deadline=None)
@given(_messy)
def test_no_function_raises(s: str) -> None:
    for f in _TEXT_FUNCS:
        f(s)  # type: ignore[operator]
    nz.title_tokens(nz.normalize_title(s))
    nz.author_from_parts(s, s, s)
    for name in nz.split_authors(s):
        nz.parse_author(name)


@settings(max_examples=300, deadline=None)
@given(_messy)
def test_normalize_title_idempotent(s: str) -> None:
    t = nz.normalize_title(s)
    assert nz.normalize_title(t) == t


@settings(max_examples=300, deadline=None)
@given(st.text(), st.from_regex(r"10\.[0-9]{4,9}/", fullmatch=True), st.text())
def test_normalize_doi_stable(prefix: str, head: str, suffix: str) -> None:
    for raw in (head + suffix, prefix + head + suffix, "https://doi.org/" + head + suffix):
        d = nz.normalize_doi(raw)
        if d is not None:
            assert d.startswith("10.")
            assert nz.normalize_doi(d) == d


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fold_ascii(s: str) -> None:
    assert nz.fold(s).isascii()


# A long text is repaired word-window by word-window: the same as ftfy on the
# whole text.
_LONG = ("Background: depressive symptoms were measured in 120 patients (mean age 54 ± 9). "
         * 5)


@pytest.mark.parametrize("broken", [
    "Ã\x82Â© 2009 Elsevier B.V. All rights reserved.",
    "the cafÃ© and the naÃ¯ve rÃ©sumÃ© â€œquotedâ€\x9d",
    "Ã\xa0 la carte, Ã  la carte",
    "MÃ¼ller and Ã\u0081uppa wrote",
    "no mojibake here: Müller, Šuppa, β-blockers — fine",
])
def test_clean_text_repairs_long_text_like_ftfy_on_the_whole(broken: str) -> None:
    for text in (broken + " " + _LONG, _LONG + broken, _LONG + broken + " " + _LONG):
        whole = ftfy.fix_text(text, unescape_html=False, uncurl_quotes=False, normalization=None)
        expected = " ".join(unicodedata.normalize("NFKC", whole).split())
        assert nz.clean_text(text) == expected


@settings(max_examples=500)
@given(st.text(alphabet="ab=&+%2041FfGz\u00e9\u20ac ;/?#~._-", max_size=30))
def test_query_pairs_are_parse_qsl(query: str) -> None:
    """normalize_url's own query parser gives parse_qsl's pairs (it unquotes
    only what holds a %)."""
    from urllib.parse import parse_qsl

    assert nz._query_pairs(query) == parse_qsl(query, keep_blank_values=True)
