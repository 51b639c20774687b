"""The checker's rnn, unrolled from its definition: h_t = f(x_t·Wx + h_(t−1)·Wh + b) in plain loops over the
steps, sympy's derivative of the activation and of one term ``source·weight`` (diffed once each, the dense
twin's :class:`~backcalc.check.layers.dense.Term`), and backprop through time by the chain rule: ∂L/∂h_(t−1)
gets ∂L/∂z_t·Whᵀ, and each shared weight the sum of its steps' shares.

>>> import numpy as np, sympy
>>> from backcalc.net.spec import load_spec
>>> spec = load_spec("worked_examples/rnn_last_step.toml")
>>> sym = Symbolic(spec.layers[0], sympy)
>>> np.round(sym.forward(spec.x, lambda e, point: float(e.subs(point))), 5).tolist()
[[0.22, 0.4695]]
"""

from __future__ import annotations

import numpy as np

from ...errors import SpecError
from ...net.names import array_key, element_key, node_in
from ..activations import KINKED, LayerActivation, at_kink, numpy_activation, rounding_zeros
from ..notes import kink
from .dense import Term


class Symbolic:
    """sympy's derivatives of one rnn layer, composed step by step back through time."""

    def __init__(self, layer, sp):
        self.layer, self.sp = layer, sp
        self.act = LayerActivation(layer, sp)
        self.s, self.w, self.b = sp.Symbol("s", real=True), sp.Symbol("w", real=True), sp.Symbol("b", real=True)
        term = Term(sp)
        self.dz_dw, self.dz_ds, self.dz_db = term.d_weight(self.s, self.w), term.d_source(self.s, self.w), term.d_bias(self.b)

    def _at(self, expr, source, weight):
        point = {self.s: source, self.w: weight, self.b: 0.0}
        if expr in point:
            return point[expr]
        return float(expr) if expr.is_Number else float(expr.subs(point))

    def forward(self, a_prev, memo, earlier=()) -> np.ndarray:
        layer = self.layer
        x = np.asarray(a_prev, dtype=float)
        S, T = x.shape[0], layer.steps
        h = np.broadcast_to(layer.h0, (S, layer.units)).astype(float)
        self.x, self.hs, self.ds = x, [h], []
        for t in range(T):
            z = np.zeros((S, layer.units))
            for s in range(S):
                for u in range(layer.units):
                    z[s, u] = (sum(x[s, t, f] * layer.weights_x[f, u] for f in range(x.shape[2]))
                               + sum(h[s, v] * layer.weights_h[v, u] for v in range(layer.units)) + layer.bias[u])
            z = at_kink(layer.activation, z, lambda: _magnitude(layer, x[:, t], h), x.shape[2] + layer.units + 1)
            if memo is None:
                h = numpy_activation(layer.activation, layer.alpha, z)
                d = None
            else:
                h, d = self.act.evaluate(z, memo)
            self.hs.append(h)
            self.ds.append(d)
        return np.stack(self.hs[1:], axis=1) if layer.sequence else h

    def backward(self, g, memo) -> tuple:
        """({Wx, Wh, b element: ∂L/∂·}, ∂L/∂x) by backprop through time over sympy's local derivatives."""
        layer, n, x = self.layer, self.layer.index, self.x
        S, T, F = x.shape
        U = layer.units
        Wx, Wh = layer.weights_x, layer.weights_h
        gWx, gWh, gb, gx = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(U), np.zeros_like(x)
        g = np.asarray(g, dtype=float)
        # ∂L/∂h_T, and with a loss at every step each h_t's own part, added as the loop reaches step t
        own = g.reshape(S, T, U) if layer.sequence else np.zeros((S, T, U))
        gh = np.zeros((S, U)) if layer.sequence else g.reshape(S, U)
        for t in range(T, 0, -1):
            gh = gh + own[:, t - 1]
            gz = self.act.back(gh, self.ds[t - 1])
            h_prev = self.hs[t - 1]
            gh = np.zeros((S, U))
            for s in range(S):
                for u in range(U):
                    for f in range(F):
                        gWx[f, u] += gz[s, u] * self._at(self.dz_dw, x[s, t - 1, f], Wx[f, u])
                        gx[s, t - 1, f] += gz[s, u] * self._at(self.dz_ds, x[s, t - 1, f], Wx[f, u])
                    for v in range(U):
                        gWh[v, u] += gz[s, u] * self._at(self.dz_dw, h_prev[s, v], Wh[v, u])
                        gh[s, v] += gz[s, u] * self._at(self.dz_ds, h_prev[s, v], Wh[v, u])
                    gb[u] += gz[s, u] * self._at(self.dz_db, 0.0, 0.0)
        grads = {element_key("Wx", n, *i): float(gWx[i]) for i in np.ndindex(Wx.shape)}
        grads.update({element_key("Wh", n, *i): float(gWh[i]) for i in np.ndindex(Wh.shape)})
        grads.update({element_key("b", n, u): float(gb[u]) for u in range(U)})
        return grads, gx


def numpy_forward(layer, a, params: dict, earlier=()) -> np.ndarray:
    states = _states(layer, a, params)
    return np.stack(states[1:], axis=1) if layer.sequence else states[-1]


def _states(layer, a, params) -> list:
    n = layer.index
    Wx, Wh, b = (np.asarray(params[array_key(k, n)], dtype=float) for k in ("Wx", "Wh", "b"))
    x = np.asarray(a, dtype=float)
    h = np.broadcast_to(layer.h0, (x.shape[0], Wh.shape[0])).astype(float)
    out = [h]
    for t in range(x.shape[1]):
        h = numpy_activation(layer.activation, layer.alpha, x[:, t] @ Wx + h @ Wh + b)
        out.append(h)
    return out


def _magnitude(layer, x_t: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Σ|term| of every step-t pre-activation (samples × units): what its rounding scales with."""
    return (np.abs(x_t) @ np.abs(np.asarray(layer.weights_x, dtype=float)) + np.abs(h) @ np.abs(np.asarray(
        layer.weights_h, dtype=float)) + np.abs(np.asarray(layer.bias, dtype=float)))


def units_moved(layer, index: tuple) -> tuple:
    """Every parameter moves every unit (through the steps after its first use)."""
    return tuple(range(layer.units))


def kinks(layer, a, params: dict, eps: float) -> list:
    """A pre-activation at a relu-like kink at any step: central differences straddle it."""
    if layer.activation not in KINKED:
        return []
    n = layer.index
    Wx, Wh, b = (np.asarray(params[array_key(k, n)], dtype=float) for k in ("Wx", "Wh", "b"))
    x = np.asarray(a, dtype=float)
    h = np.broadcast_to(layer.h0, (x.shape[0], Wh.shape[0])).astype(float)
    found = []
    for t in range(x.shape[1]):
        z = x[:, t] @ Wx + h @ Wh + b
        reach = 10 * eps * (1 + np.abs(x).sum() + np.abs(h).sum())
        rounded = rounding_zeros(z, np.abs(x[:, t]) @ np.abs(Wx) + np.abs(h) @ np.abs(Wh) + np.abs(b),
                                 x.shape[2] + Wh.shape[0] + 1)  # taken as exactly 0: the note says so
        found += [(int(u), kink(node_in(f"{layer.base[u]}t{t + 1}"), z[s, u], s + 1, layer.activation, bool(rounded[s, u])))
                  for s, u in zip(*np.nonzero(np.abs(z) <= reach))]
        h = numpy_activation(layer.activation, layer.alpha, z)
    return found


def closed_forms(layer, sources, upstream: dict, names) -> tuple:
    raise SpecError("verify --formulas: closed forms are written for dense layers only, not rnn")
