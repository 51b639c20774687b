"""A pre-activation that is zero up to the rounding of its own terms is the kink: the one home of that decision.

``0.1·1 + 0.2·1 + (−0.3)·1`` is 0 in the decimals a student works with and 5.55e-17 in floating point. At a
relu-like activation (a rule the table marks ``kink``) the two give different slopes, relu′ = 0 and relu′ = 1,
so a page that took the float would print ∂L/∂w = −1 where the hand work (and the tape's own relu′(0) = 0)
gives 0. A layer therefore takes a pre-activation ``z`` of ``n`` terms as exactly 0 when

    |z| ≤ (n + 2)·2⁻⁵³·Σ|term|

— the rounding a float sum of ``n`` products of rounded decimals can carry (each factor's conversion, each
product, each addition: at most one rounding of 2⁻⁵³ relative each, to first order). Every such element is
set to 0 on the tape (so the forward value, f′(0) and every gradient follow from exactly 0) and recorded as a
:class:`RoundedKink`; renderers say it in words. ``verify``'s checker makes the same decision on its own
(:mod:`backcalc.check.activations`).

>>> import numpy as np
>>> z = np.array([[0.1 + 0.2 - 0.3, 1e-17]])
>>> magnitude = np.array([[0.6, 0.6]])
>>> bool(within_rounding(z, magnitude, 3)[0, 0]), float(rounding_bound(0.6, 3)) < 1e-15
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the unit roundoff of float64: one rounding moves a number by at most this much relative
UNIT_ROUNDOFF = 2.0 ** -53


@dataclass(frozen=True)
class RoundedKink:
    """A pre-activation (``node``, e.g. ``k1_in``, of unit ``unit`` in layer ``layer``, 1-based ``sample``) that
    was ``value`` in floating point and within ``bound``, the rounding of its ``terms`` terms, of 0: taken as 0
    at ``activation``'s kink."""

    layer: int
    unit: str
    node: str
    sample: int
    value: float
    bound: float
    terms: int
    activation: str

    def to_dict(self) -> dict:
        return {"layer": self.layer, "unit": self.unit, "node": self.node, "sample": self.sample,
                "float_value": self.value, "bound": self.bound, "terms": self.terms, "taken_as": 0.0,
                "activation": self.activation}


def rounding_bound(magnitude, terms: int):
    """How far from 0 rounding can put a float sum of ``terms`` terms whose absolute values add to ``magnitude``."""
    return (terms + 2) * UNIT_ROUNDOFF * magnitude


def within_rounding(z: np.ndarray, magnitude: np.ndarray, terms: int) -> np.ndarray:
    """Where ``z`` is non-zero but within the rounding of its terms of 0."""
    return (z != 0) & (np.abs(z) <= rounding_bound(magnitude, terms))


def settle(z: np.ndarray, upper, exact, terms: int) -> tuple:
    """The elements of ``z`` (samples × units) that are 0 up to the rounding of their terms:
    ``(rows, cols, bounds)``. ``upper()`` bounds each element's Σ|term| from above (cheap), ``exact((rows,
    cols))`` gives it for the few candidates the bound leaves."""
    candidate = within_rounding(z, upper(), terms)
    if not candidate.any():
        return (), (), ()
    rows, cols = np.nonzero(candidate)
    magnitude = np.asarray(exact((rows, cols)), dtype=np.float64)
    hit = np.abs(z[rows, cols]) <= rounding_bound(magnitude, terms)
    return rows[hit], cols[hit], rounding_bound(magnitude[hit], terms)
