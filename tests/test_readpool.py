"""Reading a large file with worker processes gives the same records, in the
same order, with the same rejections and warnings, as reading it here
(:mod:`resolve.readpool`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resolve import readpool
from resolve.readers import InputError, ReadLog, expand_inputs, iter_inputs


def _read(paths: list[Path], jobs: int) -> tuple[list, ReadLog]:
    specs, _ = expand_inputs([str(p) for p in paths])
    log = ReadLog()
    return list(iter_inputs(specs, log=log, jobs=jobs)), log


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    lines = []
    for i in range(1500):
        if i % 97 == 5:
            lines.append('{"title": "no id"}')  # a rejection among the records
        elif i % 113 == 7:
            lines.append("{not json")
        else:
            lines.append(json.dumps({
                "id": f"r{i}", "title": f"Paper {i} on graphs", "year": 1990 + i % 30,
                "authors": f"Smith J.Doe A. B.; Müller, K{i}",
                "urls": [f"http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=ref&D=emed&AN={i}"
                         f"&q=a b+c%2F{i}"],
                "doi": f"10.1000/x{i}" if i % 3 else ""}, ensure_ascii=False))
    lines.append(lines[10])  # an identical copy, collapsed
    a = tmp_path / "a.jsonl"
    a.write_text("\n".join(lines) + "\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("id,title,author,url,extra column\n"
                 + "".join(f'c{i},"Title {i}","Roe, R.",https://doi.org/10.1/{i},x\n'
                           for i in range(800)), encoding="utf-8")
    return [a, b]


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_read_what_this_process_reads(inputs: list[Path], jobs: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readpool, "MIN_PARALLEL_TEXT", 0)
    monkeypatch.setattr(readpool, "BATCH", 16)
    here, log1 = _read(inputs, 1)
    there, log2 = _read(inputs, jobs)
    assert [repr(x) for x in there] == [repr(x) for x in here]
    assert [x.raw for x in there] == [x.raw for x in here]
    assert (log2.warnings, log2.collapsed) == (log1.warnings, log1.collapsed) != ([], 0)
    assert sum(1 for x in here if type(x).__name__ == "Rejection") >= 20


def test_a_file_that_cannot_be_read_fails_the_same(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readpool, "MIN_PARALLEL_TEXT", 0)
    p = tmp_path / "dup.jsonl"
    p.write_text('{"id": "x", "title": "A"}\n' * 3 + '{"id": "x", "title": "B"}\n',
                 encoding="utf-8")
    for jobs in (1, 2):
        with pytest.raises(InputError, match="repeats in source"):
            _read([p], jobs)


def test_small_files_are_read_here() -> None:
    assert not readpool.use_workers(2, readpool.MIN_PARALLEL_TEXT - 1)
    assert not readpool.use_workers(1, 10 * readpool.MIN_PARALLEL_TEXT)
