"""Mapping the entries of a large input file onto records in worker processes.

Normalizing a record (:func:`resolve.formats.mapping.record_from_mapping`:
names, URLs, identifiers) is most of the time of reading a file, and each
record is normalized alone, so a file of many records is mapped by ``jobs``
forked processes, a batch of entries at a time, while this process parses
the file and takes the records back in file order: the same records, in the
same order, as mapping them here (:func:`map_entries` with ``jobs=1``).
Files under :data:`MIN_PARALLEL_TEXT` characters, and systems without
``fork``, are mapped in this process.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator

from .formats.mapping import record_from_mapping
from .types import Record, Rejection

MIN_PARALLEL_TEXT = 1 << 20
"""A file shorter than this (in characters) is mapped in this process:
starting workers costs more than they save."""

BATCH = 256
"""Entries sent to a worker at once."""

Pending = Rejection | tuple[dict, str, str]
"""A rejection made while parsing, or an entry to map: ``(fields, origin, raw)``."""


def _map(items: Iterable[Pending], source: str) -> list[Record | Rejection]:
    return [item if isinstance(item, Rejection)
            else record_from_mapping(item[0], source, item[1], raw=item[2])
            for item in items]


def use_workers(jobs: int, text_size: int) -> bool:
    """Whether a file of ``text_size`` characters is mapped by worker processes."""
    return (jobs > 1 and text_size >= MIN_PARALLEL_TEXT
            and "fork" in multiprocessing.get_all_start_methods())


def map_entries(items: Iterable[Pending], source: str, jobs: int = 1
                ) -> Iterator[Record | Rejection]:
    """The records (and rejections) of ``items`` in their order, mapped by
    ``jobs`` forked processes (one: here).  A worker's exception is raised
    here, as it would have been mapping in this process."""
    if jobs <= 1:
        for item in items:
            yield from _map((item,), source)
        return
    it = iter(items)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pending: deque = deque()
        while batch := list(itertools.islice(it, BATCH)):
            pending.append(pool.apply_async(_map, (batch, source)))
            if len(pending) > 4 * jobs:  # bounded: the file is parsed a little ahead
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
