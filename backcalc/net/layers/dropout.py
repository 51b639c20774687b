"""Inverted dropout on a layer's output: ``drop = out·mask/(1 − p)``, with the mask given as data.

A ``[[layers]]`` table may give ``dropout = p`` (0 ≤ p < 1) and ``dropout_mask`` (samples × units of 0 and 1,
a flat list for one sample). Without a mask one is drawn from the spec's seed and the layer's position (numpy's
``default_rng((seed, n))``; a unit is kept when its uniform draw is at least p) and printed, so the page can be worked again by hand. The mask is the same at every step and for
the loss after the update. The factor a unit's chain gains is ∂u_drop/∂u_out = mask/(1 − p): 1/(1 − p) for a
kept unit, 0 for a dropped one (nothing flows back through it).

>>> import numpy as np
>>> d = Dropout(0.5, np.array([[1.0, 0.0]]), drawn=False)
>>> d.scale.tolist(), d.factor_formula(0, 1)
([[2.0, 0.0]], '0/(1 − 0.5)')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...tape.workings import Line, Working
from ..fields import kind_of
from ..names import node_drop, node_in, node_out

KEYS = ("dropout", "dropout_mask")


@dataclass(frozen=True)
class Dropout:
    """A layer's dropout: the probability p of dropping a unit and the mask (samples × units, 0/1)."""

    p: float
    mask: np.ndarray
    drawn: bool = False       # drawn from the spec's seed (not written in the spec)

    @property
    def scale(self) -> np.ndarray:
        """mask/(1 − p), the factor each output is multiplied by (samples × units)."""
        return self.mask / (1.0 - self.p)

    def factor_formula(self, s: int, c: int) -> str:
        """∂u_drop/∂u_out of sample ``s``, unit ``c`` with the numbers in: ``1/(1 − 0.5)``."""
        return f"{self.mask[s, c]:g}/(1 − {self.p!r})"

    def working(self, unit: str, sign: str) -> Working:
        """The mask's rule at ``unit`` (its activation's sign ``sign``): the scaled output, its factor, and δ.

        >>> Dropout(0.5, np.array([[1.0]])).working("h1", "σ").lines[1].rhs
        'm_h1/(1 − 0.5)'
        """
        scale = f"m_{unit}/(1 − {self.p!r})"
        return Working((Line(node_drop(unit), f"{node_out(unit)}·{scale}", "dropout_definition"),
                        Line(f"∂{node_drop(unit)}/∂{node_out(unit)}", scale, "dropout_scale"),
                        Line(f"δ_{unit}", f"∂L/∂{node_drop(unit)}·{scale}·{sign}′({node_in(unit)})", "chain")))

    def to_dict(self) -> dict:
        return {"p": self.p, "mask": self.mask.astype(int).tolist(), "drawn": self.drawn}


def read(table: dict, ctx, units: int) -> Dropout | None:
    """The layer's :class:`Dropout`, or None without ``dropout`` (keys already checked against the kind's KEYS)."""
    if "dropout" not in table:
        if "dropout_mask" in table:
            ctx.fail("dropout_mask needs dropout = p (the probability of dropping a unit) beside it", "dropout_mask")
        return None
    if ctx.last:
        ctx.fail("dropout applies to hidden layers; the output layer feeds the loss", "dropout")
    p = table["dropout"]
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        ctx.fail(f"expected a probability in [0, 1) (the chance of dropping a unit), got {kind_of(p)}", "dropout")
    p = float(p)
    if "dropout_mask" in table:
        return Dropout(p, _given_mask(table["dropout_mask"], ctx, units), drawn=False)
    if ctx.budget.seed is None:
        ctx.fail("dropout without dropout_mask needs a top-level seed (for example seed = 0) to draw the mask from, "
                 "or give dropout_mask (samples × units of 0 and 1)", "dropout")
    # a generator of its own (the seed and the layer's position), so writing the printed mask into the spec
    # leaves every weight drawn by init where it was
    keep = np.random.default_rng((ctx.budget.seed, ctx.index)).random((ctx.samples, units)) >= p
    return Dropout(p, keep.astype(np.float64), drawn=True)


def _given_mask(v, ctx, units: int) -> np.ndarray:
    where = f"{ctx.where} dropout_mask"
    mask = ctx.fields.matrix(where, v, flat_is_row=True)
    if mask.shape != (ctx.samples, units):
        ctx.fail(f"expected {ctx.samples}×{units} (samples × units), got {mask.shape[0]}×{mask.shape[1]}",
                 "dropout_mask")
    bad = np.argwhere((mask != 0) & (mask != 1))
    if bad.size:
        s, c = (int(i) for i in bad[0])
        ctx.fields.fail(f"{where}[{s}][{c}]", f"expected 0 (dropped) or 1 (kept), got {mask[s, c]:g}")
    return mask
