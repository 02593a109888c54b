"""fork_map gives the list the comprehension gives, in order, with any
number of jobs; the features of records computed by workers equal those
computed here."""

from __future__ import annotations

import pytest

from resolve.features import features_of
from resolve.forkmap import fork_map
from resolve.types import Author, Record


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_same_list_as_the_comprehension(jobs: int, n: int) -> None:
    items = list(range(n))
    assert fork_map(_square, items, jobs, min_items=0) == [x * x for x in items]


def test_features_from_workers_equal_those_made_here() -> None:
    records = [Record("s", f"r{i}", title=f"On graphs, part {i % 7}", year=2000 + i % 20,
                      authors=(Author(f"Ann Lee{i % 5}", f"Lee{i % 5}", "Ann", f"lee{i % 5} a"),),
                      venue="J. Graphs" if i % 2 else "Journal of Graphs", pages=f"{i}-{i + 9}",
                      identifiers=(("doi", f"10.1/{i}"),) if i % 3 else ())
               for i in range(300)]
    here = [features_of(r) for r in records]
    assert fork_map(features_of, records, 2, min_items=0) == here
