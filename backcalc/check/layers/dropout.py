"""The checker's inverted dropout: ``u_drop = u_out·m/(1 − p)`` from the spec's mask and p, written here again.

Nothing comes from the tape or from :mod:`backcalc.net.layers.dropout`: the mask and p are the spec's data, the
forward is plain numpy, and the factor ∂u_drop/∂u_out is ``sympy.diff`` of u·m/(1 − p), evaluated at each
(mask entry, p) of the layer.

>>> import numpy as np, sympy
>>> from types import SimpleNamespace
>>> layer = SimpleNamespace(dropout=SimpleNamespace(p=0.25, mask=np.array([[1.0, 0.0]])))
>>> forward(layer, np.array([[3.0, 5.0]])).tolist()
[[4.0, 0.0]]
>>> Twin(layer, sympy).factor(lambda e, point: float(e.subs(point))).tolist()
[[1.3333333333333333, 0.0]]
"""

from __future__ import annotations

import numpy as np


def active(layer) -> bool:
    """Whether the layer drops units."""
    return getattr(layer, "dropout", None) is not None


def forward(layer, a: np.ndarray) -> np.ndarray:
    """a·m/(1 − p), elementwise over samples × units (the layer's output when it has no dropout)."""
    if not active(layer):
        return a
    return a * np.asarray(layer.dropout.mask, dtype=float) / (1.0 - float(layer.dropout.p))


class Twin:
    """sympy's derivative of u·m/(1 − p) in u, evaluated at the layer's mask and p."""

    def __init__(self, layer, sp):
        self.layer = layer
        self.u, self.m, self.p = (sp.Symbol(n, real=True) for n in ("u", "m", "p"))
        self.derivative = sp.diff(self.u * self.m / (1 - self.p), self.u)

    def factor(self, memo) -> np.ndarray:
        """∂u_drop/∂u_out per sample and unit."""
        mask, p = np.asarray(self.layer.dropout.mask, dtype=float), float(self.layer.dropout.p)
        values = {m: memo(self.derivative, {self.m: m, self.p: p}) for m in np.unique(mask)}
        return np.vectorize(values.get, otypes=[float])(mask)


def closed_factor(layer, unit: int, sym):
    """∂u_drop/∂u_out in names for ``--formulas``: m_{unit}/(1 − p_{layer}) (1 without dropout)."""
    if not active(layer):
        return 1
    return sym(f"m_{layer.unit_names[unit]}") / (1 - sym(f"p_{layer.name}"))
