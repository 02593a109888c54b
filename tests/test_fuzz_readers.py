"""Fuzzing every reader through its whole-file entry point, ``read_input``.

For every format in :data:`resolve.formats.FORMATS`: arbitrary bytes (with
and without a UTF-16 BOM, gzipped or not), and format-shaped text (each
format's fixture files with slices deleted, repeated or cut off and nasty
snippets inserted: quotes, brackets, lone-surrogate escapes, U+2028, NUL,
BOMs, ``@string`` macros), written in UTF-8, UTF-16 or Windows-1252 and
sometimes gzipped, read both as that format and as detected.  Asserted:

* nothing but :class:`InputError` escapes;
* every item is a :class:`Record` or a :class:`Rejection`, located in the
  file read, and holds only text that can be written as UTF-8;
* nothing is lost: a JSON Lines file gives one item per non-blank line, a
  CSV file without quotes one per non-blank row.

The whole file runs in well under 20 s (fixed examples, no deadline);
``KG_PROPERTY_EXAMPLES=2000`` explores more, randomly.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_formats_helpers import FIXTURES

from resolve.formats import FORMATS
from resolve.readers import InputError, InputSpec, make_origin, read_input, resolve_spec
from resolve.types import Record, Rejection

_EXAMPLES = int(os.environ.get("KG_PROPERTY_EXAMPLES", "0"))
FUZZ = settings(max_examples=_EXAMPLES or 12, deadline=None, derandomize=not _EXAMPLES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

ROOT = FIXTURES.parents[2]


def _samples() -> dict[str, list[bytes]]:
    """Each format's sample files (fixtures and examples), as bytes."""
    found: dict[str, list[bytes]] = {name: [] for name in FORMATS}
    for path in [*sorted(FIXTURES.iterdir()), *sorted((ROOT / "examples" / "records").iterdir())]:
        if path.suffix == ".md":
            continue
        fmt = resolve_spec(InputSpec.parse(str(path))).format
        assert fmt is not None
        data = path.read_bytes()
        found[fmt].append(data if len(data) < 6000 else data[:6000])
    return found


SAMPLES = _samples()

# What breaks readers: structure characters, escapes of lone surrogates, line
# breaks a JSON string may hold, NUL, BOMs, macro bombs, format markers.
SNIPPETS = st.sampled_from([
    '"', "'", "{", "}", "[", "]", "<", ">", "&", "&amp;", "&#xD800;", "\\", ",", ";", "#", "%",
    "\\ud800", "\\udc00", '"\\ud83d"', "\u2028", "\u2029", "\x85", "\r", "\n", "\r\n", "\x00",
    "\ufeff", "\x1f\x8b", "@", "@string{a = a # a}\n", "@string{b = {x} # b # b}\n",
    "@article{", "TY  - JOUR\n", "ER  - \n", "<record>", "</record>", "<![CDATA[", "-->",
    '"id": ', '"doi": "10.1/\\udfff", ', "\t", "x" * 5000, "漢字", "é",
]) | st.text(max_size=30)


@st.composite
def mutated(draw: st.DrawFn, samples: list[bytes]) -> bytes:
    """A sample file, its text mutated a few times, then re-encoded."""
    text = draw(st.sampled_from(samples)).decode("utf-8", "replace")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        size = draw(st.integers(0, 200))
        op = draw(st.sampled_from(["insert", "insert", "delete", "repeat", "cut"]))
        if op == "insert":
            text = text[:at] + draw(SNIPPETS) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + size:]
        elif op == "repeat":
            text = text[:at + size] + text[at:at + size] + text[at + size:]
        else:
            text = text[:at]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    if encoding == "utf-16" and draw(st.booleans()):
        data = data[:draw(st.integers(2, max(2, len(data))))]  # cut mid-character, maybe
    return gzip.compress(data) if draw(st.integers(0, 4)) == 0 else data


ANY_BYTES = (st.binary(max_size=400)
             | st.binary(max_size=400).map(lambda b: b"\xff\xfe" + b)
             | st.binary(max_size=400).map(lambda b: b"\xfe\xff" + b)
             | st.binary(max_size=400).map(gzip.compress))


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def read(path: Path, data: bytes, fmt: str | None) -> list[Record | Rejection] | None:
    """Write ``data`` to ``path`` and read it (as ``fmt``, or detected):
    the items, or ``None`` for an :class:`InputError`; checks every item."""
    path.write_bytes(data)
    try:
        items = list(read_input(InputSpec.parse(f"{fmt}:{path}" if fmt else str(path))))
    except InputError as exc:
        str(exc).encode("utf-8")
        return None
    where = make_origin(path)
    for item in items:
        assert isinstance(item, Record | Rejection), item
        assert item.origin.startswith(where), (item.origin, where)
        for value in astuple(item):  # graph and rejects file need UTF-8 text
            if isinstance(value, str):
                value.encode("utf-8")
        if isinstance(item, Record):
            assert item.record_id.strip() and item.source
    return items


def _name(fmt: str) -> str:
    return "input" + FORMATS[fmt].extensions[0]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@FUZZ
@given(data=st.data())
def test_format_shaped_text(workdir: Path, fmt: str, data: st.DataObject) -> None:
    if not SAMPLES[fmt]:
        pytest.skip(f"no sample file of {fmt}")
    content = data.draw(mutated(SAMPLES[fmt]))
    read(workdir / _name(fmt), content, fmt)
    read(workdir / _name(fmt), content, None)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@FUZZ
@given(content=ANY_BYTES)
def test_any_bytes(workdir: Path, fmt: str, content: bytes) -> None:
    read(workdir / _name(fmt), content, fmt)


# ------------------------------------------------------------ nothing is lost

# A JSON value that may hold lone surrogates (escaped by json.dumps) and the
# line breaks other than "\n".
STRINGS = st.text(max_size=12) | st.sampled_from(["\u2028", "\x85", "\ud800", "a\udc80b"])
VALUES = st.recursive(st.none() | st.booleans() | st.integers() | STRINGS,
                      lambda c: st.lists(c, max_size=3) | st.dictionaries(STRINGS, c, max_size=3),
                      max_leaves=6)
RECORDS = st.fixed_dictionaries({"id": STRINGS | st.integers()}, optional={
    "title": STRINGS, "doi": STRINGS, "urls": st.lists(STRINGS, max_size=2),
    "authors": st.lists(STRINGS, max_size=2), "identifiers": st.dictionaries(
        STRINGS, STRINGS, max_size=2), "year": VALUES})
LINES = st.lists(
    RECORDS.map(json.dumps) | VALUES.map(json.dumps)
    | RECORDS.map(lambda r: json.dumps(r, ensure_ascii=False).replace("\\ud800", "\u2028"))
    | st.text(max_size=20).filter(lambda t: "\n" not in t), max_size=12)


@FUZZ
@given(lines=LINES, crlf=st.booleans())
def test_json_lines_give_one_item_per_line(workdir: Path, lines: list[str], crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    items = read(workdir / "lines.jsonl", text.encode("utf-8", "surrogatepass"), "jsonl")
    if items is None:  # a line that is not UTF-8 (a raw surrogate in garbage text)
        assert any(ln != ln.encode("utf-8", "ignore").decode() for ln in lines)
        return
    expected = [n for n, ln in enumerate(text.split("\n"), 1) if ln.removesuffix("\r").strip()]
    assert [int(i.origin.rsplit(":", 1)[1]) for i in items] == expected


CELL = st.text(st.characters(blacklist_characters='",\r\n\x00', blacklist_categories=("Cs",)),
               max_size=8)


@FUZZ
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=4), max_size=10),
       stray=st.booleans())
def test_csv_rows_are_each_read_or_rejected(workdir: Path, rows: list[list[str]],
                                            stray: bool) -> None:
    lines = ["id,title,year", *(",".join(r) for r in rows)]
    if stray and len(lines) > 1:
        lines[1] = '"' + lines[1]
    items = read(workdir / "rows.csv", "\n".join(lines).encode(), "csv")
    assert items is not None
    numbers = [int(i.origin.rsplit(":", 1)[1]) for i in items]
    assert numbers == sorted(set(numbers))
    if not stray:
        assert numbers == [n for n, r in enumerate(rows, 2) if any(c.strip() for c in r)]


@FUZZ
@given(defs=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=12),
       uses=st.lists(st.integers(0, 12), max_size=4))
def test_bibtex_macros_of_macros(workdir: Path, defs: list[tuple[int, int]],
                                 uses: list[int]) -> None:
    text = '@string{m0 = "ab"}\n' + "".join(
        f"@string{{m{n} = m{min(a, n - 1)} # m{min(b, n - 1)}}}\n"
        for n, (a, b) in enumerate(defs, 1))
    text += "".join(f"@article{{k{i}, title = m{u} # {{!}}}}\n" for i, u in enumerate(uses))
    items = read(workdir / "macros.bib", text.encode(), "bibtex")
    assert items is not None and len(items) == len(uses)
