"""Shared fixtures and helpers for the resolve tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from _kgfixtures import example_build, example_store  # noqa: F401  (fixtures for every module)

from resolve.features import Features, TokenStats, compute_features, token_stats
from resolve.readers import record_from_mapping
from resolve.types import Record

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

_counter = 0


def make_record(source: str = "test", origin: str = "test.jsonl:1", **kw: object) -> Record:
    """A normalized :class:`Record` built the way the readers build one.

    Keyword arguments are input fields (``title``, ``authors``, ``year``,
    ``doi``, ``url``, ...).  Without ``id`` a fresh one is made up.
    """
    global _counter
    if "id" not in kw:
        _counter += 1
        kw["id"] = f"r{_counter}"
    rec = record_from_mapping(dict(kw), source, origin)
    assert isinstance(rec, Record), rec
    return rec


def features_and_stats(records: Sequence[Record]) -> tuple[list[Features], TokenStats]:
    feats = compute_features(records)
    return feats, token_stats(feats)


@pytest.fixture
def examples_dir() -> Path:
    assert EXAMPLES.is_dir(), EXAMPLES
    return EXAMPLES


@pytest.fixture
def record_factory():
    """The :func:`make_record` helper as a fixture."""
    return make_record


__all__ = ["EXAMPLES", "features_and_stats", "make_record"]
