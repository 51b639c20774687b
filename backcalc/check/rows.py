"""One number three ways — the tape's, sympy's and central differences' — and whether they agree: the base of
verify's gradient rows (:class:`backcalc.check.verify.VerifyRow`) and of its training rows
(:class:`backcalc.check.replay.UpdateRow`).

>>> r = ThreeWays("w_xo", "W1[0][0]", tape=0.5, symbolic=0.5, numeric=0.5000001, ok=True)
>>> r.tape_error, round(r.numeric_error, 9)
(0.0, 1e-07)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThreeWays:
    """One element: its display name and canonical key, the three values, and the verdict."""

    name: str
    key: str
    tape: float
    symbolic: float
    numeric: float
    ok: bool

    @property
    def tape_error(self) -> float:
        return abs(self.tape - self.symbolic)

    @property
    def numeric_error(self) -> float:
        return abs(self.numeric - self.symbolic)
