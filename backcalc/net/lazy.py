"""A sequence whose records are built when read: what a summary page of a large net never shows is never built."""

from __future__ import annotations

from collections.abc import Sequence


class LazyRecords(Sequence):
    """A read-only sequence of records, each built the first time it is read: ``make(i)`` builds record i.

    A large net has a record per parameter that a summary page never shows (it prints the first 20 and the
    last 5); building them all would cost more than the page. Reads like a tuple and equals the tuple of its
    records.

    >>> squares = LazyRecords(4, lambda i: i * i)
    >>> len(squares), squares[-1], squares[1:3], squares == (0, 1, 4, 9)
    (4, 9, (1, 4), True)
    """

    __slots__ = ("_n", "_make", "_built")

    def __init__(self, n: int, make):
        self._n, self._make, self._built = n, make, {}

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(self._n)))
        j = i + self._n if i < 0 else i
        if not 0 <= j < self._n:
            raise IndexError(f"record {i} of {self._n}")
        record = self._built.get(j)
        if record is None:
            record = self._built[j] = self._make(j)
        return record

    def __eq__(self, other) -> bool:
        if isinstance(other, (tuple, LazyRecords)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"LazyRecords({self._n} records, {len(self._built)} built)"
