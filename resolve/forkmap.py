"""``[fn(x) for x in items]`` over forked processes, for the stages that
work record by record (features).

The workers inherit ``fn`` and ``items`` through ``fork`` (nothing is sent
but the bounds of each chunk) and send back their results pickled, which
this process unpickles while they go on; the result is the same list, in
the same order, as the comprehension, which is what runs with one job, for
fewer than ``min_items`` items, or without ``fork``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_SHARED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _chunk(bounds: tuple[int, int]) -> list:
    assert _SHARED is not None
    fn, items = _SHARED
    return [fn(items[i]) for i in range(*bounds)]


def fork_map(fn: Callable[[T], R], items: Sequence[T], jobs: int,
             min_items: int = 5000) -> list[R]:
    """``[fn(x) for x in items]``, by ``jobs`` forked processes when there
    are at least ``min_items`` items."""
    if (jobs <= 1 or len(items) < max(min_items, 1)
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [fn(x) for x in items]
    global _SHARED
    size = -(-len(items) // (jobs * 4))
    bounds = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    _SHARED = (fn, items)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_chunk, bounds)
    finally:
        _SHARED = None
    return [x for part in parts for x in part]
