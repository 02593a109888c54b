"""Disjoint sets (union-find), the one used wherever records are grouped
transitively: versions (:mod:`resolve.versions`), rejoined communities
(:mod:`resolve.cluster`) and gold clusters (:mod:`resolve.evaluate`).

Each set's root is its smallest member, so which element represents a set
never depends on the order of the unions, and :meth:`UnionFind.groups` lists
the sets in the order their first member was added, members in that order too:
the same items and unions always give the same groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

T = TypeVar("T", bound="SupportsRichComparison")
"""Items: hashable and ordered (record positions, record keys)."""


class UnionFind(Generic[T]):
    """Disjoint sets over hashable, comparable items (union by smallest
    member, path halving)."""

    __slots__ = ("_parent",)

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._parent: dict[T, T] = {}
        for item in items:
            self._parent.setdefault(item, item)

    def add(self, item: T) -> None:
        """Make ``item`` a set of its own, unless it is already known."""
        self._parent.setdefault(item, item)

    def __contains__(self, item: object) -> bool:
        return item in self._parent

    def __len__(self) -> int:
        return len(self._parent)

    def __iter__(self) -> Iterator[T]:
        """The items, in the order they were added."""
        return iter(self._parent)

    def find(self, item: T) -> T:
        """The root (smallest member) of ``item``'s set; ``item`` must be known."""
        parent = self._parent
        while (up := parent[item]) != item:
            parent[item] = parent[up]
            item = parent[item]
        return item

    def union(self, a: T, b: T) -> T:
        """Join the sets of ``a`` and ``b`` (each added if new); the joined
        set's root."""
        self.add(a)
        self.add(b)
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if rb < ra:  # type: ignore[operator]  # T is ordered (SupportsRichComparison)
            ra, rb = rb, ra
        self._parent[rb] = ra
        return ra

    def connected(self, a: T, b: T) -> bool:
        return self.find(a) == self.find(b)

    def groups(self) -> list[list[T]]:
        """Every set as a list, in the order of the items' addition (a set
        comes where its first-added member was)."""
        out: dict[T, list[T]] = {}
        for item in self._parent:
            out.setdefault(self.find(item), []).append(item)
        return list(out.values())
