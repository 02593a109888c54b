"""Property tests: no input, however odd, makes a parser or normalizer fail
with anything but a reported rejection (or, for a file that cannot be read at
all, a clean error).

* arbitrary text and bytes given to every parser and to ``read_input``;
* records in each service's documented shape (taken from the fixtures) with
  keys dropped and values replaced by arbitrary JSON (nulls, wrong types,
  empty lists, long or non-Latin strings);
* generated XML entries, BibTeX entries and RIS records with arbitrary text;
* arbitrary text and values given to every normalizer.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_formats_helpers import FIXTURES

from resolve import normalize as nz
from resolve.formats import FORMATS, Entry, FormatError, Notice, Problem
from resolve.formats import base as fb
from resolve.formats.bibtex import decode_latex, resolve_value, split_names
from resolve.formats.detect import sniff
from resolve.formats.jsondoc import unwrap
from resolve.readers import InputError, InputSpec, read_input, record_from_mapping
from resolve.types import Record, Rejection

# CI runs a fixed, quick set of examples; KG_PROPERTY_EXAMPLES=2000 explores more (randomly).
_EXAMPLES = int(os.environ.get("KG_PROPERTY_EXAMPLES", "0"))
SETTINGS = settings(max_examples=_EXAMPLES or 50, deadline=None, derandomize=not _EXAMPLES,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Records built from whole fixture objects are large: fewer of them.
SHAPE_SETTINGS = settings(SETTINGS, max_examples=_EXAMPLES or 30)

# Text as files hold it (no surrogates), with the characters that break parsers often.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200) | st.sampled_from([
    "", " ", "\x00", "{", "}", "[", "]", "<", ">", "&", "&amp;", "\\", '"', "@", "#", "%", "TY  -",
    "ER  -", "\n", "\r\n", "\ufeff", "ǅ", "Ł", "漢字", "Ελληνικά", "кириллица", "a" * 3000,
])
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80)
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=False) | TEXT)
JSON = st.recursive(SCALARS, lambda c: st.lists(c, max_size=3)
                    | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=8)


def _items(fmt: str, text: str, hint: str = "") -> list:
    """Run a parser; only items or a FormatError may come out."""
    try:
        items = list(FORMATS[fmt].parse(text, hint))
    except FormatError:
        return []
    for item in items:
        assert isinstance(item, Entry | Problem | Notice), item
        assert item.line is None or item.line >= 1
        if isinstance(item, Entry):
            rec = record_from_mapping(item.fields, "src", "origin", item.raw)
            assert isinstance(rec, Record | Rejection)
    return items


# ------------------------------------------------------------- arbitrary text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@SETTINGS
@given(text=TEXT)
def test_any_text_to_any_parser(fmt: str, text: str) -> None:
    _items(fmt, text, f"x.{fmt}")


_WRAPPERS = {
    "xml": ('<feed xmlns="http://www.w3.org/2005/Atom"><entry>', "</entry></feed>"),
    "endnote": ("<xml><records><record>", "</record></records></xml>"),
    "dblp": ("<result><hits><hit><info>", "</info></hit></hits></result>"),
    "json": ('{"results": [', "]}"),
    "bib": ("@article{k,\n title = {", "}}\n"),
    "ris": ("TY  - JOUR\nTI  - ", "\nER  - \n"),
    "medline": ("PMID- 1\nTI  - ", "\n"),
    "wos": ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI ", "\nUT WOS:1\nER\nEF\n"),
}


@pytest.mark.parametrize(("fmt", "wrap"), [
    ("arxiv", "xml"), ("endnote-xml", "endnote"), ("dblp", "dblp"), ("openalex", "json"),
    ("crossref", "json"), ("core", "json"), ("bibtex", "bib"), ("ris", "ris"),
    ("medline", "medline"), ("wos", "wos")])
@SETTINGS
@given(text=TEXT)
def test_any_text_inside_a_valid_frame(fmt: str, wrap: str, text: str) -> None:
    head, tail = _WRAPPERS[wrap]
    _items(fmt, head + text + tail)


def _corrupt_gzip(args: tuple[bytes, int]) -> bytes:
    payload, at = args
    data = bytearray(gzip.compress(payload * 20))
    data[min(at, len(data) - 1)] ^= 0xFF
    return bytes(data)


@SETTINGS
@given(data=st.binary(max_size=300) | st.binary(max_size=300).map(lambda b: b"\x1f\x8b" + b)
       | st.tuples(st.binary(min_size=1, max_size=60), st.integers(0, 80)).map(_corrupt_gzip),
       ext=st.sampled_from(
    [".json", ".jsonl", ".csv", ".bib", ".ris", ".xml", ".atom", ".txt", ".json.gz"]),
    fmt=st.sampled_from([None, *sorted(FORMATS)]))
def test_any_bytes_to_read_input(data: bytes, ext: str, fmt: str | None) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"input{ext}"
        p.write_bytes(data)
        arg = f"{fmt}:{p}" if fmt else str(p)
        try:
            items = list(read_input(InputSpec.parse(arg)))
        except InputError:
            return
        assert all(isinstance(i, Record | Rejection) for i in items)
        assert all(i.origin.startswith(str(p)) for i in items)


@SETTINGS
@given(text=TEXT)
def test_sniff_is_total(text: str) -> None:
    assert sniff(text) in (None, *FORMATS)


# ------------------------------------------------------------- odd records in real shapes


def _mutated(value: object, depth: int = 0) -> st.SearchStrategy:
    """``value`` with keys dropped and values replaced by arbitrary JSON, recursively."""
    if depth > 4:
        return st.just(value) | JSON
    if isinstance(value, dict):
        return st.fixed_dictionaries({}, optional={
            k: _mutated(v, depth + 1) | JSON for k, v in value.items()})
    if isinstance(value, list):
        if not value:
            return st.lists(JSON, max_size=2)
        return st.lists(st.one_of(*[_mutated(v, depth + 1) for v in value[:2]], JSON),
                        max_size=3)
    return st.just(value) | JSON


def _samples(fmt: str, name: str, envelopes: tuple) -> list[dict]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    values = ([json.loads(ln) for ln in text.splitlines() if ln.strip()]
              if name.endswith(".jsonl") else [json.loads(text)])
    found = [obj for v in values for _, obj in unwrap(v, envelopes, ("response", "citingPaper"))
             if isinstance(obj, dict)]
    return found[:2]


SHAPES = [
    ("openalex", "openalex-works-page.json", (("results",),)),
    ("crossref", "crossref-works.json", (("message", "items"),)),
    ("semanticscholar", "s2-search.json", (("data",),)),
    ("scholar-archive", "scholar-archive-search.json", (("results",),)),
    ("core", "core-search.json", (("results",),)),
    ("unpaywall", "unpaywall-doi.json", ()),
    ("dblp", "dblp-search.json", (("result", "hits", "hit"),)),
    ("paperswithcode", "pwc-papers.json", (("results",),)),
    ("csl-json", "zotero-csl.json", ()),
    ("arxiv", "arxiv-metadata.jsonl", ()),
]


@pytest.mark.parametrize(("fmt", "name", "envelopes"), SHAPES, ids=[s[0] for s in SHAPES])
def test_odd_records_in_the_documented_shape(fmt: str, name: str, envelopes: tuple) -> None:
    samples = _samples(fmt, name, envelopes)
    assert samples

    @SHAPE_SETTINGS
    @given(obj=st.one_of(*[_mutated(s) for s in samples]))
    def check(obj: dict) -> None:
        (item,) = _items(fmt, json.dumps(obj), "x.json")
        if isinstance(item, Problem):
            # only a missing id, an empty record or an error object is a rejection
            assert ("without" in item.reason or "empty" in item.reason
                    or "error response" in item.reason), item.reason
    check()


def _xml(tag: str, text: str, **attrs: str) -> str:
    a = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<{tag}{a}>{escape(text)}</{tag}>"


ARXIV_ID = st.sampled_from(["http://arxiv.org/abs/1706.03762v7", "http://arxiv.org/abs/hep-th/9711200",
                            "http://arxiv.org/api/errors#x", ""]) | XML_TEXT


@st.composite
def arxiv_feeds(draw) -> str:
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        parts = [_xml("id", draw(ARXIV_ID)), _xml("title", draw(XML_TEXT)),
                 _xml("published", draw(XML_TEXT)), _xml("summary", draw(XML_TEXT)),
                 "".join(f"<author>{_xml('name', n)}</author>"
                         for n in draw(st.lists(XML_TEXT, max_size=3))),
                 _xml("arxiv:doi", draw(XML_TEXT), **{"xmlns:arxiv": "http://arxiv.org/schemas/atom"}),
                 f"<link href={quoteattr(draw(XML_TEXT))} rel=\"alternate\"/>"]
        keep = draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
        entries.append("<entry>" + "".join(p for p, k in zip(parts, keep, strict=True) if k)
                       + "</entry>")
    return '<feed xmlns="http://www.w3.org/2005/Atom">' + "".join(entries) + "</feed>"


@st.composite
def endnote_files(draw) -> str:
    records = []
    for _ in range(draw(st.integers(0, 3))):
        fields = {tag: draw(XML_TEXT) for tag in draw(st.lists(st.sampled_from(
            ["rec-number", "pages", "volume", "number", "isbn", "accession-num", "abstract",
             "electronic-resource-num", "notes", "custom2", "remote-database-provider"]),
            unique=True))}
        body = "".join(_xml(t, v) for t, v in fields.items())
        body += "<contributors><authors>" + "".join(
            f"<author><style>{escape(a)}</style></author>"
            for a in draw(st.lists(XML_TEXT, max_size=3))) + "</authors></contributors>"
        body += "<titles>" + _xml("title", draw(XML_TEXT)) + "</titles>"
        body += f"<dates>{_xml('year', draw(XML_TEXT))}<pub-dates>{_xml('date', draw(XML_TEXT))}" \
                "</pub-dates></dates>"
        body += f"<urls><related-urls>{_xml('url', draw(XML_TEXT))}</related-urls></urls>"
        records.append(f"<record>{body}</record>")
    return "<xml><records>" + "".join(records) + "</records></xml>"


@pytest.mark.parametrize(("fmt", "strategy"), [
    ("arxiv", arxiv_feeds()), ("endnote-xml", endnote_files())])
def test_generated_xml(fmt: str, strategy: st.SearchStrategy) -> None:
    @SETTINGS
    @given(text=strategy)
    def check(text: str) -> None:
        items = list(FORMATS[fmt].parse(text, ""))  # well-formed: never a FormatError
        for item in items:
            assert isinstance(item, Entry | Problem)
            if isinstance(item, Entry):
                assert isinstance(record_from_mapping(item.fields, "s", "o"), Record | Rejection)
    check()


@SETTINGS
@given(hits=st.lists(st.tuples(
    st.lists(st.sampled_from(["key", "title", "year", "venue", "doi", "ee", "url", "type"]),
             max_size=6), st.lists(XML_TEXT, max_size=6), st.lists(XML_TEXT, max_size=3)),
    max_size=3), records=st.lists(st.tuples(
        st.sampled_from(["article", "inproceedings", "www"]), st.none() | XML_TEXT,
        st.lists(st.tuples(st.sampled_from(["author", "title", "year", "journal", "booktitle",
                                            "ee", "url", "isbn"]), XML_TEXT), max_size=6)),
        max_size=3))
def test_generated_dblp_xml(hits, records) -> None:
    body = "".join(
        "<hit><info>" + "".join(_xml(t, v) for t, v in zip(tags, texts, strict=False))
        + "<authors>" + "".join(_xml("author", a) for a in authors) + "</authors></info></hit>"
        for tags, texts, authors in hits)
    for text in (f"<result><hits>{body}</hits></result>",
                 "<dblp>" + "".join(
                     f"<{tag}" + (f" key={quoteattr(key)}" if key is not None else "") + ">"
                     + "".join(_xml(t, v) for t, v in fields) + f"</{tag}>"
                     for tag, key, fields in records) + "</dblp>"):
        for item in FORMATS["dblp"].parse(text, ""):
            assert isinstance(item, Entry | Problem)
            if isinstance(item, Entry):
                assert isinstance(record_from_mapping(item.fields, "s", "o"), Record | Rejection)


BIB_FIELDS = ["title", "author", "year", "month", "journal", "booktitle", "pages", "doi", "url",
              "eprint", "archiveprefix", "isbn", "issn", "note", "howpublished", "biburl", "date"]


@SETTINGS
@given(entries=st.lists(st.tuples(
    st.sampled_from(["article", "inproceedings", "misc", "string", "comment", "book"]),
    st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=":_-"),
            max_size=12),
    st.lists(st.tuples(st.sampled_from(BIB_FIELDS), TEXT, st.sampled_from(["{}", '""', "", "#"])),
             max_size=5)), max_size=4))
def test_generated_bibtex(entries) -> None:
    out = []
    for kind, key, fields in entries:
        body = ",\n".join(
            f"  {name} = " + (f"{{{v}}}" if enc == "{}" else f'"{v}"' if enc == '""'
                             else f"jan # {{{v}}}" if enc == "#" else v)
            for name, v, enc in fields)
        out.append(f"@{kind}{{{key},\n{body}\n}}\n")
    _items("bibtex", "\n".join(out))


RIS_TAGS = ["TY", "ID", "AU", "A1", "TI", "T1", "T2", "JO", "PY", "DA", "Y1", "VL", "IS", "SP",
            "EP", "DO", "UR", "L1", "SN", "AN", "DP", "N1", "C2", "AB", "ER", "XX"]


@SETTINGS
@given(lines=st.lists(st.tuples(st.sampled_from(RIS_TAGS), TEXT.map(lambda t: t.replace(
    "\n", " ").replace("\r", " "))), max_size=25))
def test_generated_ris(lines) -> None:
    _items("ris", "\n".join(f"{tag}  - {value}" for tag, value in lines))


# ------------------------------------------------------------- normalizers


@SETTINGS
@given(text=TEXT)
def test_text_normalizers_are_total(text: str) -> None:
    assert isinstance(nz.clean_text(text), str)
    assert isinstance(nz.normalize_title(text), str)
    assert nz.normalize_doi(text) is None or nz.normalize_doi(nz.normalize_doi(text)) \
        == nz.normalize_doi(text)
    nz.parse_arxiv(text)
    u = nz.normalize_url(text)
    assert u is None or u.startswith(("http://", "https://", "ftp://"))
    nz.archived_original(text)
    nz.url_identifier(text)
    nz.normalize_pmid(text)
    nz.normalize_pmcid(text)
    nz.normalize_isbn(text)
    nz.normalize_issns(text)
    assert all(isinstance(n, str) for n in nz.split_authors(text))
    nz.parse_author(text)
    nz.author_from_parts(text, text[:3], text[3:])
    assert isinstance(nz.normalize_pages(text), str)
    nz.normalize_year(text)
    nz.normalize_venue(text)
    assert isinstance(decode_latex(text), str)
    resolve_value(text, {"x": "y"})
    split_names(text)
    fb.urls_in(text)
    fb.date_text(text)


@SETTINGS
@given(value=JSON)
def test_value_normalizers_are_total(value: object) -> None:
    nz.normalize_year(value)
    nz.normalize_pmid(value)
    nz.normalize_pmcid(value)
    fb.s(value)
    fb.strs(value)
    fb.first(value)
    fb.date_parts(value)
    fb.iso_date(value, value, value)
    fb.pages(value, value)
    fb.abstract_from_inverted_index(value)
    fb.dig(value, "a", 0, "b")


KEYS = ["id", "title", "authors", "author", "year", "date", "venue", "volume", "issue", "pages",
        "abstract", "type", "doi", "arxiv", "pmid", "pmcid", "isbn", "issn", "url", "urls",
        "identifiers"]


@SETTINGS
@given(obj=st.fixed_dictionaries({}, optional={k: JSON for k in KEYS}))
def test_record_from_mapping_is_total(obj: dict) -> None:
    rec = record_from_mapping(obj, "src", "f:1", raw="raw")
    assert isinstance(rec, Record | Rejection)


MEDLINE_TAGS = ["PMID", "TI", "AB", "FAU", "AU", "CN", "JT", "TA", "VI", "IP", "PG", "DP", "AID",
                "LID", "PMC", "IS", "PT", "ISBN", "BTI", "XX"]
WOS_TAGS = ["PT", "AU", "AF", "CA", "TI", "SO", "VL", "IS", "BP", "EP", "AR", "PY", "PD", "DI",
            "UT", "PM", "SN", "EI", "BN", "AB", "DT", "ER", "EF", "FN", "VR", "XX"]
_ONE_LINE = TEXT.map(lambda t: t.replace("\n", " ").replace("\r", " "))


@SETTINGS
@given(lines=st.lists(st.tuples(st.sampled_from(MEDLINE_TAGS), _ONE_LINE, st.booleans()),
                      max_size=25))
def test_generated_medline(lines) -> None:
    """Tag lines (and continuations, blank lines): every record that has a
    PMID is an entry whose id is that PMID, at its line."""
    out = []
    for tag, value, continued in lines:
        out.append(f"{tag:<4}- {value}")
        if continued:
            out.append(f"      {value}" if value.strip() else "")
    text = "\n".join(out)
    for item in _items("medline", text):
        if isinstance(item, Entry):
            assert text.split("\n")[item.line - 1].startswith("PMID-")
            assert item.fields["id"] in item.fields["pmid"]


@SETTINGS
@given(lines=st.lists(st.tuples(st.sampled_from(WOS_TAGS), _ONE_LINE, st.booleans()),
                      max_size=25))
def test_generated_wos(lines) -> None:
    """Every entry starts at a PT line and has its UT as its id."""
    out = []
    for tag, value, continued in lines:
        out.append(f"{tag} {value}")
        if continued:
            out.append(f"   {value}")
    text = "\n".join(out)
    for item in _items("wos", text):
        if isinstance(item, Entry):
            assert text.split("\n")[item.line - 1].startswith("PT")
            assert item.fields["id"]
