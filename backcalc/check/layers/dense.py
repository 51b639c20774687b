"""The checker's dense layer: ``z_b = Σ_a a_a·W_ab + b_b`` and ``a = f(z)``, in sympy and in numpy.

sympy differentiates each layer-local expression — the activation of one unit (or a softmax layer) and the
pre-activation — once; the chain rule composes those derivatives sample by sample. One diff per distinct
expression keeps seed 004 at a few milliseconds of sympy.

>>> import numpy as np, sympy
>>> from backcalc.net.spec import default_spec
>>> layer = default_spec().layers[0]
>>> sym = Symbolic(layer, sympy)
>>> sym.forward(np.array([[2.0]]), lambda e, point: float(e.subs(point)))
array([[1.5, 2. , 2.5, 3. ]])
>>> grads, g_in = sym.backward(np.array([[1.0, 0.0, 0.0, 0.0]]), None)
>>> grads["W1[0][0]"], grads["b1[0]"], g_in
(2.0, 1.0, array([[0.25]]))
"""

from __future__ import annotations

import numpy as np

from . import dropout
from ..activations import KINKED, LayerActivation, at_kink, delta_names, numpy_activation, rounding_zeros
from ..notes import kink
from ..sympy_tools import evaluate_at, is_zero
from ...net.names import array_key, bias_name, element_key, node_drop, node_in, node_out, weight_name


class Symbolic:
    """sympy's derivatives of one dense layer: each a separate ``sympy.diff`` of a layer-local expression."""

    def __init__(self, layer, sp):
        self.layer, self.sp = layer, sp
        units, fan_in = layer.units, layer.fan_in
        self.act = LayerActivation(layer, sp)
        # z_b = Σ_a a_a·W_ab + b_b, in symbols. Each symbol occurs in one term of the sum only, so its
        # derivative is that term's (the other terms give 0), and every term has the same form a·w: sympy
        # differentiates one term a·w (and b) once, and each element's derivative is that one with the
        # term's own symbols put in — no diff walks the fan_in terms of a sum fan_in·units times
        self.A = [sp.Symbol(f"a{a}", real=True) for a in range(fan_in)]
        self.W = [[sp.Symbol(f"W{a}_{b}", real=True) for b in range(units)] for a in range(fan_in)]
        self.B = [sp.Symbol(f"b{b}", real=True) for b in range(units)]
        term = Term(sp)
        self.dz_dW = [[term.d_weight(self.A[a], self.W[a][b]) for b in range(units)] for a in range(fan_in)]
        self.dz_db = [term.d_bias(self.B[b]) for b in range(units)]
        self.dz_da = [[term.d_source(self.A[a], self.W[a][b]) for b in range(units)] for a in range(fan_in)]
        self.drop = dropout.Twin(layer, sp) if dropout.active(layer) else None

    def forward(self, a_prev: np.ndarray, memo, earlier=()) -> np.ndarray:
        """z by the layer sums, a = f(z) and f′(z) evaluated by sympy, per sample; a sequence (samples × steps ×
        units, after an rnn with return_sequences) row by row: the same layer at every (sample, step)."""
        self.steps = a_prev.shape[:2] if a_prev.ndim == 3 else None
        if self.steps is not None:
            out = self.forward(a_prev.reshape(-1, a_prev.shape[2]), memo, earlier)
            self.steps = a_prev.shape[:2]
            return out.reshape(*self.steps, -1)
        layer = self.layer
        z = at_kink(layer.activation, a_prev @ layer.weights + _bias(layer.bias),
                    lambda: np.abs(a_prev) @ np.abs(layer.weights) + np.abs(_bias(layer.bias)), _terms(layer))
        a, d = self.act.evaluate(z, memo)
        self.a_prev, self.d = a_prev, d
        self.scale = self.drop.factor(memo) if self.drop is not None else None
        a = a if layer.skip is None else a + earlier[layer.skip]  # a skip adds NAME's output after f
        return dropout.forward(layer, a)  # then dropout, u_out·m/(1 − p)

    def backward(self, g: np.ndarray, memo) -> tuple:
        """({key: ∂L/∂W, ∂L/∂b}, ∂L/∂a_prev) from ∂L/∂a, by sympy's local derivatives (summed over the rows of
        a sequence: every step)."""
        if self.steps is not None:
            grads, g_prev = self._backward(np.reshape(g, (-1, self.layer.units)), memo)
            return grads, g_prev.reshape(*self.steps, -1)
        return self._backward(g, memo)

    def _backward(self, g: np.ndarray, memo) -> tuple:
        layer, sp, n, S = self.layer, self.sp, self.layer.index, self.a_prev.shape[0]
        if self.scale is not None:  # ∂L/∂u_out = ∂L/∂u_drop · ∂u_drop/∂u_out
            g = g * self.scale
        gz = self.act.back(g, self.d)
        env = {self.A[a]: self.a_prev[:, a] for a in range(layer.fan_in)}
        env.update({self.W[a][b]: layer.weights[a, b] for a in range(layer.fan_in) for b in range(layer.units)})
        has_bias = layer.bias is not None  # bias = false: z is the weighted sum alone
        env.update({self.B[b]: layer.bias[b] for b in range(layer.units) if has_bias})
        grads = {}
        for a in range(layer.fan_in):
            for b in range(layer.units):
                grads[element_key("W", n, a, b)] = float(np.sum(gz[:, b] * _coefficient(self.dz_dW[a][b], env, S, sp)))
        for b in range(layer.units if has_bias else 0):
            grads[element_key("b", n, b)] = float(np.sum(gz[:, b] * _coefficient(self.dz_db[b], env, S, sp)))
        g_prev = np.zeros_like(self.a_prev)
        for a in range(layer.fan_in):
            for b in range(layer.units):
                g_prev[:, a] += gz[:, b] * _coefficient(self.dz_da[a][b], env, S, sp)
        if layer.skip is None:
            return grads, g_prev
        back = {n - 1: g_prev}
        back[layer.skip] = back[layer.skip] + g if layer.skip in back else g  # the skip passes ∂L/∂a on as it is
        return grads, back


class Term:
    """sympy's derivatives of one term ``source·weight`` of a weighted sum, and of a bias, each diffed once.

    >>> import sympy
    >>> x, w = sympy.symbols("x w_xk1")
    >>> Term(sympy).d_weight(x, w), Term(sympy).d_source(x, w), Term(sympy).d_bias(sympy.Symbol("b_k1"))
    (x, w_xk1, 1)
    """

    def __init__(self, sp):
        s, w, b = sp.Dummy("s"), sp.Dummy("w"), sp.Dummy("b")
        self._s, self._w, self._b = s, w, b
        self._dw, self._ds, self._db = sp.diff(s * w, w), sp.diff(s * w, s), sp.diff(b, b)

    def d_weight(self, source, weight):
        """∂(source·weight)/∂weight."""
        return _put(self._dw, {self._s: source, self._w: weight})

    def d_source(self, source, weight):
        """∂(source·weight)/∂source."""
        return _put(self._ds, {self._s: source, self._w: weight})

    def d_bias(self, bias):
        """∂(… + bias)/∂bias."""
        return _put(self._db, {self._b: bias})


def _put(expr, symbols: dict):
    """``expr.xreplace(symbols)``; an atom (the usual derivative of a term: one of its symbols, or 1) is
    looked up, as xreplace would, without rebuilding anything — a net has one such term per weight."""
    if not expr.args:
        return symbols.get(expr, expr)
    return expr.xreplace(symbols)


def _coefficient(expr, env: dict, samples: int, sp):
    """A derivative's value per sample: a symbol's values, a number, or (rarely) an evaluation per sample."""
    if expr in env:
        return env[expr]
    if expr.is_Number:
        return float(expr)
    free = sorted(expr.free_symbols, key=str)
    return np.array([evaluate_at(expr, {s: float(np.broadcast_to(env[s], (samples,))[i]) for s in free}, sp)
                     for i in range(samples)])


# ── central differences and kinks: the forward in plain numpy ──

def numpy_forward(layer, a: np.ndarray, params: dict, earlier=()) -> np.ndarray:
    """The layer's output with ``params`` ({"W{n}": ..., "b{n}": ...}), forward only (a sequence row by row)."""
    if a.ndim == 3:
        return numpy_forward(layer, a.reshape(-1, a.shape[2]), params, earlier).reshape(*a.shape[:2], -1)
    out = numpy_activation(layer.activation, layer.alpha, _pre(layer, a, params))
    return dropout.forward(layer, out if layer.skip is None else out + earlier[layer.skip])


def _pre(layer, a, params):
    return a @ params[array_key("W", layer.index)] + _bias(params.get(array_key("b", layer.index)))


def _bias(b):
    """A layer's bias, or 0 for a layer without one (``bias = false``)."""
    return 0.0 if b is None else b


def _terms(layer) -> int:
    """The terms of a unit's weighted sum: one per source, and the bias."""
    return layer.fan_in + (layer.bias is not None)


def units_moved(layer, index: tuple) -> tuple:
    """The units of this layer whose input a parameter element moves: W[a][c] and b[c] move unit c only."""
    return (index[-1],)


def kinks(layer, a: np.ndarray, params: dict, eps: float) -> list:
    """``(unit, note)`` for each unit whose pre-activation sits within reach of a kink (relu-like at 0)."""
    if layer.activation not in KINKED:
        return []
    if a.ndim == 3:  # a sequence: every (sample, step) a row; the unit named at its step, the note at its sample
        S, T, _ = a.shape
        z = _pre(layer, a, params)
        reach = 10 * eps * (1 + np.abs(a).sum(axis=2, keepdims=True))
        return [(int(u), kink(node_in(layer.unit_names[t * layer.units + u]), z[s, t, u], s + 1, layer.activation))
                for s, t, u in zip(*np.nonzero(np.abs(z) <= reach))]
    z = _pre(layer, a, params)
    reach = 10 * eps * (1 + np.abs(a).sum(axis=1, keepdims=True))
    magnitude = np.abs(a) @ np.abs(params[array_key("W", layer.index)]) + np.abs(_bias(params.get(array_key("b", layer.index))))
    rounded = rounding_zeros(z, magnitude, _terms(layer))  # taken as exactly 0: the note says so
    return [(int(u), kink(node_in(layer.unit_names[u]), z[s, u], s + 1, layer.activation, bool(rounded[s, u])))
            for s, u in zip(*np.nonzero(np.abs(z) <= reach))]


# ── closed forms in node names (verify --formulas) ──

def closed_forms(layer, sources, upstream: dict, names) -> tuple:
    """({w_/b_ name: ∂L/∂parameter}, {source: ∂L/∂source_out}) for one dense layer, in node names."""
    sp, sym, n = names.sp, names.sym, layer.index
    units = layer.unit_names
    before = names.spec.layers[n - 2] if n > 1 else None
    src = [sym(s if n == 1 else (node_drop(s) if dropout.active(before) else node_out(s))) for s in sources]
    ins = [sym(node_in(u)) for u in units]
    # with a skip, u_out = f(u_in) + NAME's output: f(u_in) gets its own name, "tanh(r1_in)"
    fs = [sym(f"{layer.activation}({node_in(u)})") for u in units] if layer.skip is not None else None
    delta = delta_names(layer, ins, upstream, sp, sym, fs)  # ∂L/∂u_in
    if names.softmax_cross_entropy(layer):
        # with one-hot targets (Σ t = 1) softmax and cross-entropy give u_out − t_u, if sympy agrees
        t = names.targets
        for u, o, ti in zip(units, names.outputs, t):
            if is_zero((delta[u] - (o - ti)).subs(t[-1], 1 - sum(t[:-1])), sp):
                delta[u] = o - ti
    # u_in = Σ_a source_a·w_au + b_u: each name occurs in one term only, so its derivative is that term's,
    # from one diff of the form source·weight (see Symbolic)
    term = Term(sp)
    result = {}
    weights = {u: [sym(weight_name(sources[a], u)) for a in range(len(sources))] for u in units}
    for a, s in enumerate(sources):
        for u in units:
            result[weight_name(s, u)] = delta[u] * term.d_weight(src[a], weights[u][a])
    for u in units if layer.bias is not None else ():
        result[bias_name(u)] = delta[u] * term.d_bias(sym(bias_name(u)))
    below = {}
    if n > 1:
        for a, s in enumerate(sources):
            below[s] = names.shorten(sum(delta[u] * term.d_source(src[a], weights[u][a]) for u in units)
                                     * dropout.closed_factor(before, a, sym), s)
    if layer.skip is not None:  # ∂L/∂u_out passes on as it is to the skipped-from unit
        for u, v in zip(units, names.spec.unit_names(layer.skip)):
            below[v] = below[v] + upstream[u] if v in below else upstream[u]
    return result, below
