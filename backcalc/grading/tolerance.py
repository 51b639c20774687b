"""When a written answer counts as right: numbers as written, half a unit of their last digit, the tolerance."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

# The default ("as written") rule; the README explains it with examples.
HAND_RTOL = 1e-3        # loss, forward values, factors, gradients: a product of rounded intermediates, right to 0.1%
STEP_RTOL = 1e-2        # updated values: the change old → new right to 1% (the old value is exact)
LOW_PRECISION = 0.05    # half a unit of the written precision above 5% of the answer (of the change) cannot show the step

VERDICTS = ("correct", "correct_low_precision", "wrong", "invalid")

_NUMBER = re.compile(r"^[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?\Z")


def is_decimal(text: str) -> bool:
    """Whether ``text`` is a number as a student writes it (digits, a point, an exponent): ``"-0.5"``, ``"1e-3"``."""
    return _NUMBER.match(text) is not None


def decimals(text: str) -> int:
    """Decimals a number is written to: ``"-0.506"`` → 3, ``"2"`` → 0, ``"1.5e-3"`` → 4, ``"1e3"`` → −3."""
    m = _NUMBER.match(text)
    if not m:
        raise ValueError(f"not a decimal number: {text!r}")
    frac = m.group(2) or m.group(3) or ""
    return len(frac) - int(m.group(4) or 0)


@functools.lru_cache(maxsize=1024)  # asked once per mistake tried on one answer: the same text each time
def half_unit(text: str) -> float:
    """Half a unit in the last written place: the largest error of a correctly rounded value."""
    return 0.5 * 10.0 ** -max(-300, min(300, decimals(text)))  # 0e999 has −999 decimals: no overflow


def _scale(item, reference: float) -> float:
    """The size a tolerance is relative to: the value itself, or for an updated value its change old → new."""
    return abs(reference - item.old) if item.section == "updated" else abs(reference)


def _slack(reference: float) -> float:
    return 1e-12 + 1e-9 * abs(reference)  # float representation, never a real difference


@dataclass(frozen=True)
class Tolerance:
    """When a given value counts as right.

    The default rule ("as written"): a value that equals the exact answer rounded at the precision it is written
    in is never wrong (|given − expected| ≤ ½ unit of its last written digit). So is a value right to 0.1% of
    the answer (1% of the change old → new for an updated value): a product of rounded intermediates. When the
    written precision is too coarse to show the step — half a unit is more than 5% of the answer (of the change,
    for an updated value) — the verdict is ``correct_low_precision``: right as written, counted as correct,
    and wrong with ``strict``. With ``rtol``/``atol`` set: ``|given − expected| ≤ atol + rtol·|expected|``.

    >>> from backcalc.grading.keys import Item, Ref
    >>> loss = Item("loss", "loss", "loss", 0.127926, Ref("loss"), (0,))
    >>> [Tolerance().verdict(loss, t, float(t)) for t in ("0.128", "0.1", "0.13", "0.12")]
    ['correct', 'correct_low_precision', 'correct', 'wrong']
    >>> Tolerance(strict=True).verdict(loss, "0.1", 0.1)
    'wrong'
    """

    rtol: float | None = None
    atol: float | None = None
    strict: bool = False

    @property
    def as_written(self) -> bool:
        return self.rtol is None and self.atol is None

    def describe(self) -> str:
        if self.as_written:
            return "as written" + (", strict" if self.strict else "")
        return f"rtol={self.rtol or 0:g}, atol={self.atol or 0:g}"

    def allowed(self, item, text: str, reference: float) -> float:
        """The largest error that still counts as right (at any precision)."""
        if self.rtol is not None or self.atol is not None:
            return (self.atol or 0.0) + (self.rtol or 0.0) * abs(reference) + _slack(reference)
        if item.section == "updated":  # _scale and _slack written out: asked several times for every answer
            return max(half_unit(text), STEP_RTOL * abs(reference - item.old)) + (1e-12 + 1e-9 * abs(reference))
        return max(half_unit(text), HAND_RTOL * abs(reference)) + (1e-12 + 1e-9 * abs(reference))

    def low_precision(self, item, text: str) -> bool:
        """The written precision cannot show the step: half a unit is over 5% of the answer (of its change)."""
        return self.as_written and half_unit(text) > LOW_PRECISION * _scale(item, item.expected)

    def verdict(self, item, text: str, given: float) -> str:
        """``correct``, ``correct_low_precision`` or ``wrong`` (see the class docstring)."""
        return self.judge(item, text, given)[0]

    def judge(self, item, text: str, given: float) -> tuple[str, float]:
        """``(verdict, allowed)``: :meth:`verdict` and the :meth:`allowed` error it applied."""
        error = abs(given - item.expected)
        allowed = self.allowed(item, text, item.expected)
        if error > allowed:
            return "wrong", allowed
        if error <= _slack(item.expected) or not self.low_precision(item, text):
            return "correct", allowed  # exact as written (0, 1.5), or precise enough to show the step
        return ("wrong" if self.strict else "correct_low_precision"), allowed

    def match(self, item, text: str, candidate: float) -> float:
        """How close a given value must be to a mistake's value for that mistake to be named: as close as to
        the right answer for it to count as right (the mistake reproduces the value at the written precision)."""
        return self.matcher(item, text)(candidate)

    def matcher(self, item, text: str):
        """:meth:`match` of one written answer as a function of the candidate (the many mistakes tried on one
        answer share its half unit and scale)."""
        if not self.as_written:
            return lambda candidate: self.allowed(item, text, candidate)
        r = STEP_RTOL if item.section == "updated" else HAND_RTOL
        half = half_unit(text)
        if item.section == "updated":
            old = item.old
            return lambda candidate: max(half, r * abs(candidate - old)) + (1e-12 + 1e-9 * abs(candidate))
        return lambda candidate: max(half, r * abs(candidate)) + (1e-12 + 1e-9 * abs(candidate))

    def near(self, item, text: str, given: float):
        """A test of many candidate values at once, ``near(values) → mask``: False only where a value is
        certainly farther from ``given`` than :meth:`match` allows (a margin of 1e-6 of the bound, so the
        array arithmetic can never drop a value the exact test would keep). NaN is dropped.

        >>> from backcalc.grading.keys import Item, Ref
        >>> g = Item("gradients", "gradients.b1[0]", "b_h1", 0.25, Ref("b", 1), (0,))
        >>> Tolerance().near(g, "-0.25", -0.25)(np.array([0.25, -0.2501, -0.26])).tolist()
        [False, True, False]
        """
        return self.near_many([item], [text], [given])

    def near_many(self, items, texts, given):
        """:meth:`near` of many answers at once: ``near(values) → mask`` with a column of ``values`` per answer
        (a sheet's answers of one parameter array against every backward-pass run, in one array operation)."""
        given = np.asarray(given, dtype=float)
        updated = np.array([item.section == "updated" for item in items])
        old = np.where(updated, [item.old if item.section == "updated" else 0.0 for item in items], 0.0)
        if self.as_written:
            r = np.where(updated, STEP_RTOL, HAND_RTOL)
            half = np.array([half_unit(text) for text in texts])
        atol, rtol = self.atol or 0.0, self.rtol or 0.0

        def test(values):
            with np.errstate(invalid="ignore", over="ignore"):
                if self.as_written:
                    bound = np.maximum(half, r * np.abs(values - old))
                else:
                    bound = atol + rtol * np.abs(values)
                bound = bound + 1e-12 + 1e-9 * np.abs(values)
                return np.abs(given - values) <= bound * (1 + 1e-6) + 1e-300

        return test
