"""The checker's conv2d: cross-correlation written from its definition, in sympy and in numpy (never the tape).

``z[s,o,i,j] = b[o] + Σ_{c,p,q} W[o,c,p,q]·x[s,c,i·st+p−pad, j·st+q−pad]`` with zeros in the padding, summed
term by term in plain loops; sympy differentiates one term ``source·weight`` and the bias once (the
:class:`~backcalc.check.layers.dense.Term` of the dense twin), and the chain rule adds each term's share.

>>> import numpy as np, sympy
>>> from backcalc.net.spec import load_spec
>>> spec = load_spec("worked_examples/conv_pool.toml")
>>> sym = Symbolic(spec.layers[0], sympy)
>>> sym.forward(spec.x, None).tolist()
[[[[1.5, 9.0], [2.5, 1.0]]]]
"""

from __future__ import annotations

import numpy as np

from ...errors import SpecError
from ..activations import KINKED, LayerActivation, at_kink, numpy_activation, rounding_zeros
from ..notes import kink
from .dense import Term
from ...net.names import array_key, element_key, node_in


def _taps(layer):
    """(o, c, p, q, i, j, r, col) for every term of every output's sum that does not fall in the padding."""
    c_in, h, w = layer.in_shape
    o_n, oh, ow = layer.out_shape
    kh, kw = layer.weights.shape[2:]
    (sh, sw), (ph, pw) = layer.stride, layer.padding
    for o in range(o_n):
        for i in range(oh):
            for j in range(ow):
                for c in range(c_in):
                    for p in range(kh):
                        for q in range(kw):
                            r, col = i * sh + p - ph, j * sw + q - pw
                            if 0 <= r < h and 0 <= col < w:
                                yield o, c, p, q, i, j, r, col


def _correlate(layer, x, W, b) -> np.ndarray:
    z = np.zeros((x.shape[0],) + tuple(layer.out_shape))
    z += np.asarray(b, dtype=float)[None, :, None, None]
    for o, c, p, q, i, j, r, col in _taps(layer):
        z[:, o, i, j] += W[o, c, p, q] * x[:, c, r, col]
    return z


class Symbolic:
    """sympy's derivatives of one conv2d layer: the term source·weight and the bias, each diffed once."""

    def __init__(self, layer, sp):
        self.layer, self.sp = layer, sp
        self.act = LayerActivation(layer, sp)
        self.s, self.w, self.b = sp.Symbol("x", real=True), sp.Symbol("w", real=True), sp.Symbol("b", real=True)
        term = Term(sp)
        self.dz_dw, self.dz_dx = term.d_weight(self.s, self.w), term.d_source(self.s, self.w)
        self.dz_db = term.d_bias(self.b)

    def forward(self, a_prev: np.ndarray, memo, earlier=()) -> np.ndarray:
        layer = self.layer
        self.a_prev = np.asarray(a_prev, dtype=float)
        z = _correlate(layer, self.a_prev, layer.weights, layer.bias)
        S = z.shape[0]
        z = at_kink(layer.activation, z.reshape(S, -1), lambda: _magnitude(layer, self.a_prev, layer.weights,
                                                                           layer.bias), _terms(layer)).reshape(z.shape)
        if memo is None:  # forward only (doctest): the activation in numpy
            return numpy_activation(layer.activation, layer.alpha, z)
        a, d = self.act.evaluate(z.reshape(S, -1), memo)
        self.d = d
        return a.reshape(z.shape)

    def _at(self, expr, x, w, b):
        """A term's derivative at the point: the value of the symbol it is, a number, or a sympy evaluation."""
        point = {self.s: x, self.w: w, self.b: b}
        if expr in point:
            return point[expr]
        if expr.is_Number:
            return float(expr)
        return float(expr.subs(point))

    def backward(self, g: np.ndarray, memo) -> tuple:
        """({W and b element: ∂L/∂·}, ∂L/∂input) by the chain rule over every term of every output's sum."""
        layer, n, x = self.layer, self.layer.index, self.a_prev
        S = x.shape[0]
        gz = self.act.back(np.asarray(g, dtype=float).reshape(S, -1), self.d).reshape((S,) + tuple(layer.out_shape))
        W, b = layer.weights, layer.bias
        gW, gb, gx = np.zeros_like(W), np.zeros_like(b), np.zeros_like(x)
        for o, c, p, q, i, j, r, col in _taps(layer):
            for s in range(S):
                gW[o, c, p, q] += gz[s, o, i, j] * self._at(self.dz_dw, x[s, c, r, col], W[o, c, p, q], b[o])
                gx[s, c, r, col] += gz[s, o, i, j] * self._at(self.dz_dx, x[s, c, r, col], W[o, c, p, q], b[o])
        for o in range(b.size):
            gb[o] = sum(gz[s, o].sum() * self._at(self.dz_db, 0.0, 0.0, b[o]) for s in range(S))
        grads = {element_key("W", n, *idx): float(gW[idx]) for idx in np.ndindex(W.shape)}
        grads.update({element_key("b", n, o): float(gb[o]) for o in range(b.size)})
        return grads, gx


def numpy_forward(layer, a: np.ndarray, params: dict, earlier=()) -> np.ndarray:
    n = layer.index
    z = _correlate(layer, np.asarray(a, dtype=float), params[array_key("W", n)], params[array_key("b", n)])
    return numpy_activation(layer.activation, layer.alpha, z)


def units_moved(layer, index: tuple) -> tuple:
    """W[o][…] and b[o] move every output of channel o."""
    _, oh, ow = layer.out_shape
    o = index[0]
    return tuple(range(o * oh * ow, (o + 1) * oh * ow))


def kinks(layer, a: np.ndarray, params: dict, eps: float) -> list:
    """``(unit, note)`` for each output whose pre-activation sits within reach of a relu-like kink."""
    if layer.activation not in KINKED:
        return []
    n = layer.index
    x = np.asarray(a, dtype=float)
    z = _correlate(layer, x, params[array_key("W", n)], params[array_key("b", n)]).reshape(x.shape[0], -1)
    reach = 10 * eps * (1 + np.abs(x).reshape(x.shape[0], -1).sum(axis=1, keepdims=True))
    rounded = rounding_zeros(z, _magnitude(layer, x, params[array_key("W", n)], params[array_key("b", n)]),
                             _terms(layer))  # taken as exactly 0: the note says so
    return [(int(u), kink(node_in(layer.unit_names[u]), z[s, u], s + 1, layer.activation, bool(rounded[s, u])))
            for s, u in zip(*np.nonzero(np.abs(z) <= reach))]


def _magnitude(layer, x, W, b) -> np.ndarray:
    """Σ|w·x| + |b| of every output (samples × outputs): the size of the terms a pre-activation's rounding scales with."""
    return _correlate(layer, np.abs(x), np.abs(np.asarray(W, dtype=float)), np.abs(np.asarray(b, dtype=float))).reshape(
        x.shape[0], -1)


def _terms(layer) -> int:
    """The terms of an output's sum: every kernel element, and the bias."""
    return int(np.prod(layer.weights.shape[1:])) + 1


def closed_forms(layer, sources, upstream: dict, names) -> tuple:
    raise SpecError("verify --formulas: closed forms are written for dense layers only, not conv2d")
