"""What a directory given as input may hold besides input files: special
files, broken and looping links, links to directories, directories that
cannot be listed, a kg-resolve store, files that cannot be read.  Each is
skipped and reported (or, for a file that turns out to be unreadable, one
rejection); the same given by name is a clear error (exit 2)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from _kgfixtures import describe, flat, run, text
from test_formats_helpers import build

from resolve.readers import InputError, InputSpec, expand_inputs, iter_inputs, read_input
from resolve.types import Record, Rejection

EXIT_INPUT = 2
GOOD = '{"id": "g1", "title": "Good"}\n'


@pytest.fixture
def harvest(tmp_path: Path) -> Path:
    """A directory with one good file and everything that is not input."""
    d = tmp_path / "harvest"
    (d / "sub").mkdir(parents=True)
    (d / "good.jsonl").write_text(GOOD, encoding="utf-8")
    (d / "sub" / "more.jsonl").write_text('{"id": "g2", "title": "More"}\n', encoding="utf-8")
    (d / "dangling.jsonl").symlink_to(d / "nowhere.jsonl")
    (d / "loop1.jsonl").symlink_to(d / "loop2.jsonl")
    (d / "loop2.jsonl").symlink_to(d / "loop1.jsonl")
    (d / "linked").symlink_to(d / "sub", target_is_directory=True)
    (d / "alias.jsonl").symlink_to(d / "good.jsonl")  # a link to a file is read
    os.mkfifo(d / "pipe.jsonl")
    store = d / "old-store"
    store.mkdir()
    (store / "kg-resolve.json").write_text('{"tool": "kg-resolve"}\n', encoding="utf-8")
    (store / "records.jsonl").write_text(GOOD, encoding="utf-8")
    return d


def test_what_is_not_a_regular_file_is_skipped_and_said_why(harvest: Path) -> None:
    specs, skipped = expand_inputs([str(harvest)])
    assert [s.path.name for s in specs] == ["alias.jsonl", "good.jsonl", "more.jsonl"]
    assert all(s.in_directory for s in specs)
    why = {p.name: reason for p, reason in skipped}
    assert why == {
        "dangling.jsonl": "a broken symbolic link",
        "linked": "a symbolic link to a directory (not followed)",
        "loop1.jsonl": why["loop1.jsonl"],
        "loop2.jsonl": why["loop2.jsonl"],
        "old-store": "a kg-resolve store (holds kg-resolve.json), not input",
        "pipe.jsonl": "not a regular file (a FIFO)",
    }
    assert why["loop1.jsonl"].startswith("cannot read: ")


def test_a_build_over_such_a_directory_finishes(harvest: Path, tmp_path: Path) -> None:
    b = build(tmp_path / "out", harvest)
    assert b.summary["records read"] == 3  # alias.jsonl (source "alias"), good, more
    meta = json.loads((b.store / "kg-resolve.json").read_text(encoding="utf-8"))
    assert {Path(s["path"]).name for s in meta["skipped inputs"]} == {
        "dangling.jsonl", "linked", "loop1.jsonl", "loop2.jsonl", "old-store", "pipe.jsonl"}
    assert flat(f"warning: skipped {harvest / 'pipe.jsonl'}: not a regular file") in flat(
        b.output)


@pytest.mark.parametrize(("name", "message"), [
    ("pipe.jsonl", "not a regular file (a FIFO)"),
    ("dangling.jsonl", "a broken symbolic link"),
    ("loop1.jsonl", "cannot read: "),
])
def test_the_same_given_by_name_is_an_error(harvest: Path, tmp_path: Path, name: str,
                                            message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        expand_inputs([str(harvest / name)])
    res = run("build", harvest / name, "--store", tmp_path / "store", "--quiet")
    assert res.exit_code == EXIT_INPUT, describe(res)
    assert flat(f"{harvest / name}: {message}") in flat(text(res))


def test_a_store_given_as_the_directory_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "kg-resolve.json").write_text("{}", encoding="utf-8")
    assert expand_inputs([str(tmp_path)]) == ([], [(tmp_path, "a kg-resolve store (holds "
                                                              "kg-resolve.json), not input")])


def test_a_directory_that_cannot_be_listed_is_skipped(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    scandir = os.scandir

    def refuse(path):  # what a directory without read permission does (root reads anyway)
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    specs, skipped = expand_inputs([str(tmp_path)])
    assert [s.path.name for s in specs] == ["good.jsonl"]
    assert skipped == [(tmp_path / "locked", "cannot list the directory: Permission denied")]


def test_a_file_that_cannot_be_opened_is_skipped_in_a_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    secret = tmp_path / "secret.jsonl"
    secret.write_text(GOOD, encoding="utf-8")
    open_ = Path.open

    def refuse(self, *args, **kwargs):  # what a file without read permission does
        if self.name == "secret.jsonl":
            raise PermissionError(13, "Permission denied", str(self))
        return open_(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    specs, skipped = expand_inputs([str(tmp_path)])
    assert [s.path.name for s in specs] == ["good.jsonl"]
    assert skipped == [(secret, f"cannot read: [Errno 13] Permission denied: '{secret}'")]
    with pytest.raises(InputError, match="Permission denied"):
        expand_inputs([str(secret)])


BAD_UTF16 = b"\xff\xfe" + '{"id": "a"}'.encode("utf-16-le")[:-1]


def test_a_file_unreadable_later_is_one_rejection_in_a_directory(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.jsonl").write_text(GOOD, encoding="utf-8")
    (d / "b.jsonl").write_bytes(BAD_UTF16)
    (d / "c.xml").write_text("<xml><records><record><title>T</record></records></xml>",
                             encoding="utf-8")
    (d / "d.jsonl").write_text('{"id": "d1", "title": "After"}\n', encoding="utf-8")
    specs, skipped = expand_inputs([str(d)])
    assert skipped == [] and len(specs) == 4
    items = list(iter_inputs(specs))
    assert [type(i).__name__ for i in items] == ["Record", "Rejection", "Rejection", "Record"]
    b, c = items[1], items[2]
    assert b.origin == str(d / "b.jsonl") and b.source == "b"
    assert b.reason == f"file not read: {d / 'b.jsonl'}:1: not valid utf-16 (truncated data " \
                       "at byte 22)"
    assert c.reason.startswith(f"file not read: {d / 'c.xml'}:1:")
    # given by name, each stops the build
    for name in ("b.jsonl", "c.xml"):
        with pytest.raises(InputError, match=name):
            list(read_input(InputSpec.parse(str(d / name))))


def test_a_wrongly_forced_format_in_a_directory_is_one_rejection(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(GOOD, encoding="utf-8")
    (spec,), _ = expand_inputs([f"bibtex:{tmp_path}"])
    (rej,) = read_input(spec)
    assert isinstance(rej, Rejection)
    assert rej.reason == f"file not read: read no records from {tmp_path / 'a.jsonl'} as " \
                         "bibtex; is that its format?"


def test_a_build_counts_an_unreadable_file_as_rejected(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.jsonl").write_text(GOOD, encoding="utf-8")
    (d / "b.jsonl").write_bytes(BAD_UTF16)
    b = build(tmp_path / "out", d)
    assert (b.summary["records read"], b.summary["records rejected"]) == (2, 1)
    (rej,) = b.rejects
    assert rej["file"] == str(d / "b.jsonl") and rej["line"] is None
    assert rej["reason"].startswith("file not read:")
    res = run("build", d, "--store", tmp_path / "strict", "--strict", "--quiet")
    assert res.exit_code == 3, describe(res)


def test_records_of_a_directory_are_unchanged(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(GOOD, encoding="utf-8")
    (rec,) = read_input(expand_inputs([str(tmp_path)])[0][0])
    assert isinstance(rec, Record) and rec.origin == str(tmp_path / "a.jsonl") + ":1"


@pytest.mark.parametrize("fmt", ["", "bibtex:"])
def test_a_name_too_long_is_an_input_error(tmp_path: Path, fmt: str) -> None:
    with pytest.raises(InputError, match="cannot read: "):
        expand_inputs([f"{fmt}{tmp_path / ('a' * 5000)}.bib"])
