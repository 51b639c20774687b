"""Which of the mistake catalogue's backward-pass runs could reproduce a given gradient, worked out by array.

A catalogue tries some thirty slipped backward passes on every wrong gradient; on a sheet of thousands of
gradients nearly all of them are far from the value given. :class:`NearRuns` rules those out with
:meth:`~backcalc.grading.tolerance.Tolerance.near` — conservative: it keeps every run the exact test could
name — for one answer, or for all of a sheet's answers of one parameter array in one array operation, so
:func:`~backcalc.grading.mistake.best_explanation` tries only the runs that could match, in the same order.
"""

from __future__ import annotations

import numpy as np


class NearRuns:
    """The runs (``[(mistake, run)]``, as :attr:`_Catalogue.runs`) worth trying for a gradient answer.

    ``stacks``: {(kind, layer): runs × array}, kept by the derivation's catalogue for every sheet.
    """

    def __init__(self, runs_of, stacks: dict):
        self._runs_of = runs_of  # the runs are made on first use
        self._stacks = stacks
        self._sheet = {}         # (kind, layer) → the sheet's given gradients of that array, until worked out
        self._tol = None
        self._kept = {}          # item key → (given, text, run indices)

    def expect(self, cells, tol) -> None:
        """A sheet's given gradients (``(item, given, text)``), worked out per array when the first is asked."""
        self._tol, self._kept, self._sheet = tol, {}, {}
        for cell in cells:
            item, given = cell[0], cell[1]
            if given is not None and item.section == "gradients" and item.ref.kind in ("W", "b"):
                self._sheet.setdefault((item.ref.kind, item.ref.layer), []).append(cell)

    def kept(self, item, given: float, text: str, tol) -> list:
        """Indices of the runs whose value at ``item`` could reproduce ``given`` as written, in order."""
        ref = item.ref
        if not self._runs_of():
            return []
        if tol is self._tol:
            group = self._sheet.pop((ref.kind, ref.layer), None)
            if group:
                self._work_out(group, tol)
            hit = self._kept.get(item.key)
            if hit is not None and hit[0] == given and hit[1] == text:
                return hit[2]
        mask = tol.near(item, text, given)(self._stack(ref.kind, ref.layer)[(slice(None),) + ref.index])
        return np.flatnonzero(mask).tolist()

    def _work_out(self, group, tol) -> None:
        items = [cell[0] for cell in group]
        index = tuple(np.array(axis) for axis in zip(*(item.ref.index for item in items)))
        values = self._stack(items[0].ref.kind, items[0].ref.layer)[(slice(None),) + index]  # runs × answers
        mask = tol.near_many(items, [cell[2] for cell in group], [cell[1] for cell in group])(values)
        runs = [[] for _ in items]
        for r, j in zip(*np.nonzero(mask)):  # row by row: each answer's runs in order
            runs[j].append(int(r))
        for (item, given, text), kept in zip(group, runs):
            self._kept[item.key] = (given, text, kept)

    def _stack(self, kind: str, layer: int) -> np.ndarray:
        """Every run's array ``kind`` of ``layer``, stacked (made once)."""
        stack = self._stacks.get((kind, layer))
        if stack is None:
            stack = self._stacks[(kind, layer)] = np.stack([np.asarray(run[kind][layer], dtype=float)
                                                            for _, run in self._runs_of()])
        return stack
