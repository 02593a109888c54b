"""``kg dedupe``: the deduplicated library without a graph, byte for byte what
``kg build`` then ``kg export`` write."""

from __future__ import annotations

import pytest
from _kgfixtures import EXAMPLE_FILES, build, describe, run


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("dedupe") / "store"
    res = build(d)
    assert res.exit_code == 0, describe(res)
    return d


@pytest.mark.parametrize(("fmt", "extra"), [
    ("ris", ()), ("bibtex", ()), ("csv", ()), ("ris", ("--all-records",)),
    ("bibtex", ("--prefer", "crossref")), ("ris", ("--all-records", "--duplicate-tag", "M1")),
])
def test_dedupe_writes_what_build_and_export_write(store, tmp_path, fmt, extra):
    exported, deduped = tmp_path / f"export.{fmt}", tmp_path / f"dedupe.{fmt}"
    res = run("export", "--store", store, "--format", fmt, "-o", exported, *extra)
    assert res.exit_code == 0, describe(res)
    res = run("dedupe", *EXAMPLE_FILES, "--format", fmt, "-o", deduped, "--quiet", *extra)
    assert res.exit_code == 0, describe(res)
    assert deduped.read_bytes() == exported.read_bytes()
    assert not (tmp_path / "store").exists()


def test_dedupe_refuses_a_graph_format(tmp_path):
    res = run("dedupe", *EXAMPLE_FILES, "--format", "turtle", "-o", tmp_path / "x.ttl")
    assert res.exit_code == 2
    assert not (tmp_path / "x.ttl").exists()


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csv"])
def test_library_file_gives_what_the_graph_gives(store, tmp_path, fmt):
    """The exports of works read the build's library file; a store without
    one (built before it existed) is read from its graph, to the same bytes."""
    import gc
    import shutil

    from kg.library_file import LIBRARY_FILE
    from kg.store import current_path

    fast = tmp_path / f"fast.{fmt}"
    assert run("export", "--store", store, "--format", fmt, "-o", fast).exit_code == 0
    old = tmp_path / "old"
    shutil.copytree(store, old)
    (current_path(old) / LIBRARY_FILE).unlink()
    slow = tmp_path / f"slow.{fmt}"
    assert run("export", "--store", old, "--format", fmt, "-o", slow).exit_code == 0
    gc.collect()
    assert fast.read_bytes() == slow.read_bytes()
