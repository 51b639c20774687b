"""The checker's batchnorm and layernorm: ``x̂_i = (x_i − μ)/√(σ² + eps)`` over a group of N values, in sympy.

Written from the textbook definition (μ = Σx/N, σ² = Σ(x − μ)²/N, the biased variance of training mode),
sharing nothing with the tape. A group is the samples of one unit (batchnorm) or the units of one sample
(layernorm). sympy differentiates x̂_0 once in x_0 and once in x_1; x̂ is symmetric in the other values, so
∂x̂_i/∂x_j is one of the two with the group's values put in by a permutation. ``y = γ·x̂ + β`` is diffed once.

>>> import numpy as np, sympy
>>> from backcalc.net.spec import load_spec
>>> from backcalc.check.symbolic import Memo
>>> spec = load_spec({"format": 1, "data": {"x": [[1.0], [3.0]], "y": [[0.0], [1.0]]},
...                   "layers": [{"name": "n", "kind": "batchnorm", "eps": 0.5},
...                              {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]})
>>> sym = Symbolic(spec.layers[0], sympy)
>>> sym.forward(np.array([[1.0], [3.0]]), Memo(sympy)).round(6).tolist()
[[-0.816497], [0.816497]]
"""

from __future__ import annotations

import numpy as np

from ..activations import KINKED, LayerActivation, at_kink, delta_names, numpy_activation, rounding_zeros
from ..notes import kink
from ...net.names import array_key, element_key, node_in, node_out

#: kind → the axis its statistics are taken over
AXIS = {"batchnorm": 0, "layernorm": 1}


def _group_view(layer, a: np.ndarray) -> np.ndarray:
    """The input as groups × N: each row one group normalised together."""
    return a.T if AXIS[layer.kind] == 0 else a


class Symbolic:
    """sympy's x̂ of a group of N values, its derivatives in its own value and in another's, and y = γ·x̂ + β."""

    def __init__(self, layer, sp):
        self.layer, self.sp = layer, sp
        self.act = LayerActivation(layer, sp)
        self.g, self.b, self.h = sp.symbols("g b h", real=True)
        y = self.g * self.h + self.b
        self.dy_dg, self.dy_db, self.dy_dh = (sp.diff(y, v) for v in (self.g, self.b, self.h))
        self.N = None

    def _build(self, N: int) -> None:
        sp = self.sp
        X = [sp.Symbol(f"x{k}", real=True) for k in range(N)]
        mu = sum(X) / N
        var = sum((x - mu) ** 2 for x in X) / N
        eps = sp.Float(self.layer.eps, 30)
        self.X, self.N = X, N
        self.xhat = (X[0] - mu) / sp.sqrt(var + eps)
        self.d_same = sp.diff(self.xhat, X[0])
        self.d_other = sp.diff(self.xhat, X[1]) if N > 1 else None

    def _point(self, v: np.ndarray, i: int, j: int | None = None) -> dict:
        """The group's values with v_i in slot 0 (and v_j in slot 1): x̂_0 then stands for x̂_i."""
        order = [i] + ([j] if j is not None else []) + [k for k in range(len(v)) if k != i and k != j]
        return {x: float(v[k]) for x, k in zip(self.X, order)}

    def forward(self, a_prev: np.ndarray, memo, earlier=()) -> np.ndarray:
        layer = self.layer
        groups = _group_view(layer, a_prev)
        if self.N != groups.shape[1]:
            self._build(groups.shape[1])
        xhat = np.array([[memo(self.xhat, self._point(v, i)) for i in range(len(v))] for v in groups])
        self.groups = groups
        self.xhat_values = xhat.T if AXIS[layer.kind] == 0 else xhat  # samples × units
        self.a_prev = a_prev
        y = at_kink(layer.activation, self.xhat_values * layer.gamma + layer.beta,
                    lambda: np.abs(self.xhat_values * layer.gamma) + np.abs(layer.beta), 2)  # 0 up to rounding: 0
        a, self.d = self.act.evaluate(y, memo)
        return a

    def _jacobian(self, v: np.ndarray, memo) -> np.ndarray:
        """J[i, j] = ∂x̂_i/∂x_j of one group."""
        N = len(v)
        return np.array([[memo(self.d_same, self._point(v, i)) if i == j else memo(self.d_other, self._point(v, i, j))
                          for j in range(N)] for i in range(N)])

    def backward(self, g: np.ndarray, memo) -> tuple:
        layer, n = self.layer, self.layer.index
        gz = self.act.back(g, self.d)  # ∂L/∂y, samples × units
        xh = self.xhat_values
        grads = {}
        g_xhat = np.empty_like(gz)
        for c in range(layer.units):
            points = [{self.g: layer.gamma[c], self.b: layer.beta[c], self.h: xh[s, c]} for s in range(gz.shape[0])]
            grads[element_key("gamma", n, c)] = float(sum(gz[s, c] * memo(self.dy_dg, p) for s, p in enumerate(points)))
            grads[element_key("beta", n, c)] = float(sum(gz[s, c] * memo(self.dy_db, p) for s, p in enumerate(points)))
            g_xhat[:, c] = [gz[s, c] * memo(self.dy_dh, p) for s, p in enumerate(points)]
        by_group = _group_view(layer, g_xhat)
        back = np.array([by_group[r] @ self._jacobian(v, memo) for r, v in enumerate(self.groups)])
        return grads, (back.T if AXIS[layer.kind] == 0 else back)


def numpy_forward(layer, a: np.ndarray, params: dict, earlier=()) -> np.ndarray:
    """The layer's output with ``params`` ({"gamma{n}": ..., "beta{n}": ...}), forward only."""
    ax = AXIS[layer.kind]
    mu = a.mean(axis=ax, keepdims=True)
    var = ((a - mu) ** 2).mean(axis=ax, keepdims=True)
    y = (a - mu) / np.sqrt(var + layer.eps) * params[array_key("gamma", layer.index)] \
        + params[array_key("beta", layer.index)]
    return numpy_activation(layer.activation, layer.alpha, y)


def units_moved(layer, index: tuple) -> tuple:
    """gamma[c] and beta[c] move unit c's y only."""
    return (index[-1],)


def kinks(layer, a: np.ndarray, params: dict, eps: float) -> list:
    """``(unit, note)`` for each unit whose y sits within reach of a relu-like kink."""
    if layer.activation not in KINKED:
        return []
    ax = AXIS[layer.kind]
    mu = a.mean(axis=ax, keepdims=True)
    xhat = (a - mu) / np.sqrt(((a - mu) ** 2).mean(axis=ax, keepdims=True) + layer.eps)
    gamma, beta = params[array_key("gamma", layer.index)], params[array_key("beta", layer.index)]
    y = xhat * gamma + beta
    rounded = rounding_zeros(y, np.abs(xhat * gamma) + np.abs(beta), 2)  # taken as exactly 0: the note says so
    return [(int(u), kink(node_in(layer.unit_names[u]), y[s, u], s + 1, layer.activation, bool(rounded[s, u])))
            for s, u in zip(*np.nonzero(np.abs(y) <= 100 * eps))]


def closed_forms(layer, sources, upstream: dict, names) -> tuple:
    """∂L/∂gamma = δ·x̂ and ∂L/∂beta = δ per sample, in names; what passes below stays a name (it sums over the group)."""
    sp, sym = names.sp, names.sym
    ins = [sym(node_in(u)) for u in layer.unit_names]
    delta = delta_names(layer, ins, upstream, sp, sym)
    h = sym("h")
    result = {}
    for u in layer.unit_names:
        g, b, xh = sym(f"gamma_{u}"), sym(f"beta_{u}"), sym(f"xhat_{u}")
        y = g * h + b
        result[f"gamma_{u}"] = delta[u] * sp.diff(y, g).subs(h, xh)
        result[f"beta_{u}"] = delta[u] * sp.diff(y, b)
    below = {s: sym(f"(∂L/∂{node_out(s)} through {layer.kind} {layer.name})") for s in sources} if layer.index > 1 else {}
    return result, below
