"""Checking one field of a spec at a time: numbers, matrices, vectors, names, tables and their keys.

Every check raises :class:`~backcalc.errors.SpecError` with a message that names the file, where in it, and
what was expected, so a layer kind validates its own keys with the same words as the rest of the spec.

>>> f = Fields("net.toml")
>>> f.matrix("layers[1] weights", [[1, 2], [3, 4]]).shape
(2, 2)
>>> f.number("train.learning_rate", "fast")
Traceback (most recent call last):
...
backcalc.errors.SpecError: net.toml: train.learning_rate: expected a number, got the string 'fast'
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..errors import SpecError, did_you_mean
from ..userinput import shown

MAX_ABS_NUMBER = 1e6
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,7}\Z")


def kind_of(v) -> str:
    """What a value is, for an error message: ``the number 3``, ``a list``, ``the string 'x'``."""
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int) and abs(v) >= 10 ** 20:
        return f"an integer of {len(str(abs(v))) if abs(v).bit_length() < 13000 else 'thousands of'} digits"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, str):
        return f"the string {shown(v, 40)}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a table"
    return type(v).__name__


class Fields:
    """The checks of one spec document; every error starts with the document's name (``source``)."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str):
        """Raise the :class:`SpecError` ``source: where: message``."""
        raise SpecError(f"{self.source}: {where}: {message}" if where else f"{self.source}: {message}")

    def keys(self, where, table, allowed):
        """Refuse a key of ``table`` that is not in ``allowed``, with a did-you-mean."""
        for key in table:
            if key not in allowed:
                self.fail(where, f"unknown key {shown(key)}{did_you_mean(key, allowed)}; expected one of {', '.join(allowed)}")

    def table(self, doc, key, required=True) -> dict:
        """The sub-table ``doc[key]`` ({} when absent and not required)."""
        v = doc.get(key)
        if v is None:
            if required:
                self.fail("", f"missing [{key}] table")
            return {}
        if not isinstance(v, dict):
            self.fail(key, f"expected a table, got {kind_of(v)}")
        return v

    def number(self, where, v, lo=-MAX_ABS_NUMBER, hi=MAX_ABS_NUMBER) -> float:
        """A finite number between ``lo`` and ``hi``."""
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(where, f"expected a number, got {kind_of(v)}")
        if isinstance(v, int) and abs(v) > 10 ** 15:
            self.fail(where, f"{kind_of(v)} is out of range; expected a number between {lo:g} and {hi:g}")
        v = float(v)
        if not math.isfinite(v):
            self.fail(where, f"expected a finite number, got {v}")
        if not lo <= v <= hi:
            self.fail(where, f"{v:g} is out of range; expected a number between {lo:g} and {hi:g}")
        return v

    def whole(self, where, v, lo, hi) -> int:
        """A whole number from ``lo`` to ``hi`` (booleans refused)."""
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            self.fail(where, f"expected a whole number from {lo} to {hi}, got {kind_of(v)}")
        return v

    def matrix(self, where, v, flat_is_row=False) -> np.ndarray:
        """A rectangular matrix of finite numbers; a flat list becomes one row (if flat_is_row) or a column."""
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return np.array([[self.number(where, v)]])
        if not isinstance(v, list) or not v:
            self.fail(where, f"expected a non-empty list of rows, got {kind_of(v) if v != [] else 'an empty list'}")
        if all(not isinstance(r, list) for r in v):
            row = [self.number(f"{where}[{j}]", c) for j, c in enumerate(v)]
            return np.array([row]) if flat_is_row else np.array(row).reshape(-1, 1)
        rows = []
        for i, r in enumerate(v):
            if not isinstance(r, list):
                self.fail(f"{where}[{i}]", f"expected a row (a list of numbers), got {kind_of(r)}")
            if len(r) != len(v[0]):
                self.fail(where, f"ragged matrix: row {i} has {len(r)} numbers, row 0 has {len(v[0])}")
            rows.append([self.number(f"{where}[{i}][{j}]", c) for j, c in enumerate(r)])
        if not rows[0]:
            self.fail(where, "expected rows with at least one number")
        return np.array(rows, dtype=np.float64)

    def tensor(self, where, v, ndim: int) -> np.ndarray:
        """A rectangular array of finite numbers nested exactly ``ndim`` lists deep (a conv kernel, map data)."""
        if ndim == 0:
            return np.array(self.number(where, v))
        if not isinstance(v, list) or not v:
            self.fail(where, f"expected {ndim} levels of non-empty nested lists, got "
                             f"{kind_of(v) if v != [] else 'an empty list'}")
        parts = [self.tensor(f"{where}[{i}]", e, ndim - 1) for i, e in enumerate(v)]
        for i, part in enumerate(parts):
            if part.shape != parts[0].shape:
                self.fail(where, f"ragged array: entry {i} is {'×'.join(map(str, part.shape))}, "
                                 f"entry 0 is {'×'.join(map(str, parts[0].shape))}")
        return np.array(parts, dtype=np.float64)

    def vector(self, where, v) -> np.ndarray:
        """A non-empty list of finite numbers (a single number is a list of one)."""
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return np.array([self.number(where, v)])
        if not isinstance(v, list) or not v:
            self.fail(where, f"expected a non-empty list of numbers, got {kind_of(v) if v != [] else 'an empty list'}")
        return np.array([self.number(f"{where}[{j}]", c) for j, c in enumerate(v)], dtype=np.float64)

    def name(self, where, v) -> str:
        """A short name of letters and digits starting with a letter (a layer's or the input's)."""
        if not isinstance(v, str) or not NAME.match(v):
            self.fail(where, f"expected a short name of letters and digits starting with a letter (like \"j\"), "
                             f"got {kind_of(v)}")
        return v

    def choice(self, where, v, choices, what):
        """One of ``choices``; ``what`` words the error (``unknown activation 'sigmod' (did you mean ...``)."""
        if v not in choices:
            self.fail(where, f"unknown {what} {kind_of(v)}{did_you_mean(v, choices)}; expected one of {', '.join(choices)}")
        return v
