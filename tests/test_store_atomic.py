"""A build replaces a store atomically (kg.storedir): whatever happens to it -
an exception, Ctrl-C, kill -9 at any moment, a second build - the old store
stays whole and readable until the new one is complete, and the next build
cleans up what a dead one left.

The subprocess tests stop a build at named points with the test-only
``KG_TEST_HOOK`` (see ``kg.storedir._test_hook``) or kill it after random
delays.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _kgfixtures import EXAMPLE_FILES, ROOT, describe, flat, run, serving, text
from pyoxigraph import Store

import kg.build
from kg.build import build_store
from kg.store import (
    BUILDS,
    LOCK,
    MARKER,
    StoreError,
    current_path,
    pin_store,
    remove_stale_builds,
    store_metadata,
)

KG = [sys.executable, "-m", "kg.cli"]
NEW_WORKS = 10  # the example records
OLD_WORKS = 3
EXIT_STORE = 4


def works(store: Path) -> int:
    """Works in the store now current at ``store`` (opened without pinning it)."""
    oxi = Store.read_only(str(current_path(store)))
    try:
        rows = oxi.query("SELECT (COUNT(?w) AS ?n) WHERE { ?w a "
                         "<http://purl.org/spar/fabio/Work> }")
        return int(next(iter(rows))["n"].value)
    finally:
        del oxi
        gc.collect()


def builds(store: Path) -> list[str]:
    return sorted(p.name for p in (store / BUILDS).iterdir())


def assert_complete(store: Path, expected: int) -> None:
    """The store opens, holds ``expected`` works and its metadata agrees."""
    assert works(store) == expected
    assert store_metadata(store)["summary"]["works"] == expected


def assert_clean(store: Path) -> None:
    """Only the current build is left (no staging directory, no temporary marker)."""
    assert builds(store) == [current_path(store).name]
    assert set(os.listdir(store)) == {MARKER, LOCK, BUILDS}


@pytest.fixture(scope="module")
def old_input(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("input") / "old.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "a", "title": "Graph neural networks for molecules", "year": 2019},
        {"id": "b", "title": "A survey of entity resolution", "year": 2020},
        {"id": "c", "title": "Streaming joins in practice", "year": 2021},
    ]), encoding="utf-8")
    return path


@pytest.fixture
def old_store(tmp_path, old_input) -> Path:
    store = tmp_path / "store"
    build_store([old_input], store, jobs=1)
    assert_complete(store, OLD_WORKS)
    return store


def cli_query(store: Path) -> tuple[int, str]:
    """``kg query summary`` in a process of its own: exit code and output."""
    res = subprocess.run([*KG, "query", "summary", "--store", str(store), "--format", "csv"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    return res.returncode, res.stdout + res.stderr


def summary_works(output: str) -> int:
    header, row = output.strip().splitlines()[:2]
    return int(dict(zip(header.split(","), row.split(","), strict=True))["works"])


def start_build(store: Path, inputs: list[str], hook: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    env.pop("KG_TEST_HOOK", None)
    if hook:
        env["KG_TEST_HOOK"] = hook
    return subprocess.Popen([*KG, "build", *inputs, "--store", str(store), "--quiet",
                             "--jobs", "1"], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def wait_for(proc: subprocess.Popen, point: str) -> None:
    """Until the build paused at ``point`` (it fails the test if it ended)."""
    lines = []
    while True:
        line = proc.stderr.readline()
        if not line:
            proc.wait(timeout=60)
            pytest.fail(f"build ended (exit {proc.returncode}) before {point}:\n"
                        + "".join(lines))
        lines.append(line)
        if line.strip() == f"kg-test-hook {point}":
            return


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    proc.stderr.close()
    proc.stdin.close()


# ------------------------------------------------------------ killed builds


@pytest.mark.parametrize("point", ["staged", "loading", "commit", "committed"])
def test_kill_9_at_any_point_keeps_a_whole_store(old_store, old_input, point):
    proc = start_build(old_store, EXAMPLE_FILES, hook=f"{point}:pause")
    try:
        wait_for(proc, point)
        # a reader while the build writes (or has just committed) gets a whole store
        code, out = cli_query(old_store)
        assert code == 0, out
        expected = NEW_WORKS if point == "committed" else OLD_WORKS
        assert summary_works(out) == expected
    finally:
        kill(proc)
    assert_complete(old_store, expected)
    if point != "committed":
        assert len(builds(old_store)) == 2  # the dead build's directory is left ...
    code, out = cli_query(old_store)
    assert code == 0 and summary_works(out) == expected, out
    build_store([old_input], old_store, jobs=1)  # ... and the next build removes it
    assert_complete(old_store, OLD_WORKS)
    assert_clean(old_store)


@pytest.fixture(scope="module")
def synthetic_input(tmp_path_factory) -> list[str]:
    """800 synthetic records: a build of several seconds, half of it writing."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synthetic import write_dataset
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    out = tmp_path_factory.mktemp("synthetic")
    write_dataset(800, 1, out)
    return sorted(str(p) for p in out.glob("*.jsonl"))


def test_kill_9_after_random_delays(old_store, old_input, synthetic_input):
    rng = random.Random(20)
    for _ in range(3):
        proc = start_build(old_store, synthetic_input)
        time.sleep(rng.uniform(0.5, 10.0))
        kill(proc)
        # the old store, or the new one if the build got that far: whole either way
        meta = store_metadata(old_store)
        assert works(old_store) == meta["summary"]["works"]
        code, out = cli_query(old_store)
        assert code == 0 and summary_works(out) == meta["summary"]["works"], out
    build_store([old_input], old_store, jobs=1)
    assert_complete(old_store, OLD_WORKS)
    assert_clean(old_store)


# ------------------------------------------------------------ failed builds


def _failing_nquads(exc: BaseException):
    def nquads(*args, **kwargs):
        it = real(*args, **kwargs)
        yield next(it)
        yield next(it)
        raise exc
    real = kg.build.resolution_nquads
    return nquads


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_exception_while_loading_keeps_the_old_store(old_store, old_input, monkeypatch, exc):
    before = current_path(old_store)
    monkeypatch.setattr(kg.build, "resolution_nquads", _failing_nquads(exc))
    with pytest.raises(type(exc)):
        build_store(EXAMPLE_FILES, old_store, jobs=1)
    assert current_path(old_store) == before
    assert_complete(old_store, OLD_WORKS)
    assert_clean(old_store)  # the staging directory is gone and the lock released
    monkeypatch.undo()
    build_store(EXAMPLE_FILES, old_store, jobs=1)
    assert_complete(old_store, NEW_WORKS)
    assert_clean(old_store)


@pytest.mark.parametrize("point", ["staged", "loading", "commit"])
def test_full_disk_exits_4_and_keeps_the_old_store(old_store, monkeypatch, point):
    monkeypatch.setenv("KG_TEST_HOOK", f"{point}:fail")
    res = run("build", *EXAMPLE_FILES, "--store", old_store, "--quiet", "--jobs", "1")
    assert res.exit_code == EXIT_STORE, describe(res)
    assert "No space left on device" in text(res)
    assert_complete(old_store, OLD_WORKS)
    assert_clean(old_store)


# ------------------------------------------------------------ concurrent builds


def test_a_second_build_is_refused_while_one_writes(old_store, old_input):
    proc = start_build(old_store, EXAMPLE_FILES, hook="loading:pause")
    try:
        wait_for(proc, "loading")
        res = run("build", old_input, "--store", old_store, "--quiet", "--jobs", "1")
        assert res.exit_code == EXIT_STORE, describe(res)
        assert flat(f"another kg build is writing {old_store} (pid {proc.pid})") \
            in flat(text(res))
        with pytest.raises(StoreError, match="another kg build"):
            build_store([old_input], old_store, jobs=1)
        # refused before reading anything: an unreadable input is not even looked at
        with pytest.raises(StoreError, match="another kg build"):
            build_store([old_input.parent / "no-such-file.jsonl"], old_store, jobs=1)
        assert_complete(old_store, OLD_WORKS)
        proc.stdin.write("\n")  # let the first build go on
        proc.stdin.flush()
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            kill(proc)
    assert_complete(old_store, NEW_WORKS)
    assert_clean(old_store)


# ------------------------------------------------------------ readers


def test_a_pinned_build_outlives_a_rebuild(old_store, old_input):
    with pin_store(old_store) as pinned:
        assert pinned.path == current_path(old_store)
        first = store_metadata(old_store)
        assert pinned.build == first["build"]
        build_store(EXAMPLE_FILES, old_store, jobs=1)
        assert current_path(old_store) != pinned.path  # what a server watches for
        assert works(pinned.path) == OLD_WORKS  # still whole: not removed while pinned
        assert works(old_store) == NEW_WORKS
        assert store_metadata(old_store)["build"] != first["build"]
    assert remove_stale_builds(old_store) == [pinned.path]
    assert_clean(old_store)


def test_info_and_query_follow_the_current_build(old_store):
    res = run("info", "--store", old_store)
    assert res.exit_code == 0, describe(res)
    meta = json.loads(res.stdout)
    assert meta == store_metadata(old_store) and "current" not in meta
    assert json.loads((old_store / MARKER).read_text())["current"] \
        == f"{BUILDS}/{current_path(old_store).name}"


# ------------------------------------------------------------ layouts


def test_a_store_of_the_older_layout_opens_and_is_replaced(old_store, tmp_path, old_input):
    legacy = tmp_path / "legacy"  # Oxigraph's files and kg-resolve.json in the directory
    shutil.copytree(current_path(old_store), legacy)
    assert current_path(legacy) == legacy
    res = run("query", "summary", "--store", legacy, "--format", "csv")
    assert res.exit_code == 0 and summary_works(res.stdout) == OLD_WORKS, describe(res)
    assert run("info", "--store", legacy).exit_code == 0
    build_store(EXAMPLE_FILES, legacy, jobs=1)
    assert_complete(legacy, NEW_WORKS)
    assert_clean(legacy)  # the older layout's files are gone


def test_a_directory_that_is_not_a_store_is_never_touched(tmp_path, old_input):
    mine = tmp_path / "mine"
    (mine / BUILDS).mkdir(parents=True)
    (mine / BUILDS / "keep.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a kg-resolve store"):
        build_store([old_input], mine, jobs=1)
    assert sorted(p.name for p in mine.rglob("*")) == [BUILDS, "keep.txt"]
    (mine / "notes.txt").write_text("mine")
    res = run("build", old_input, "--store", mine, "--quiet")
    assert res.exit_code == EXIT_STORE, describe(res)
    assert (mine / "notes.txt").read_text() == "mine" and not (mine / LOCK).exists()


def test_what_a_dead_first_build_left_is_not_a_store_and_is_cleaned(tmp_path, old_input):
    store = tmp_path / "store"
    (store / BUILDS / "20260101T000000Z-dead").mkdir(parents=True)
    (store / LOCK).write_text("12345\n")
    (store / f".{MARKER}.12345").write_text("{")
    res = run("query", "summary", "--store", store)
    assert res.exit_code == EXIT_STORE, describe(res)
    build_store([old_input], store, jobs=1)
    assert_complete(store, OLD_WORKS)
    assert_clean(store)


# ------------------------------------------------------------ serving a rebuild


def _served_works(url: str) -> tuple[int, str]:
    """The number of works the endpoint answers, and the build it names."""
    import urllib.parse
    import urllib.request

    query = "SELECT (COUNT(?w) AS ?n) WHERE { ?w a <http://purl.org/spar/fabio/Work> }"
    req = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}),
                                 headers={"Accept": "text/csv"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return int(resp.read().decode().split()[-1]), resp.headers["X-KG-Build"]


def test_the_endpoint_serves_the_old_store_during_a_rebuild_then_the_new(old_store):
    with serving(old_store, "--timeout", "5", "--workers", "1") as url:
        assert _served_works(url)[0] == OLD_WORKS
        old_build = store_metadata(old_store)["build"]
        build = start_build(old_store, EXAMPLE_FILES, hook="loading:pause")
        try:
            wait_for(build, "loading")  # half-written: the endpoint still answers the old one
            assert _served_works(url) == (OLD_WORKS, old_build)
            build.stdin.write("\n")
            build.stdin.flush()
            assert build.wait(timeout=300) == 0, build.stderr.read()
        finally:
            if build.poll() is None:
                kill(build)
        new_build = store_metadata(old_store)["build"]
        deadline = time.monotonic() + 60
        while _served_works(url) != (NEW_WORKS, new_build):
            assert time.monotonic() < deadline, "the endpoint never took up the new build"
            time.sleep(0.5)
