"""The checker's conv1d: the 1-D cross-correlation is the 2-D one over a map of height 1, so this twin hands its
2-D twin (:mod:`backcalc.check.layers.conv2d`) the layer and arrays with a height axis of 1 and takes it away
again (kernel keys ``W{n}[o][c][q]``).

>>> import numpy as np, sympy
>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[[1.0, 2.0, 3.0, 4.0]]], "y": [[1.0]]},
...     "layers": [{"kind": "conv1d", "name": "c", "weights": [[[1.0, -1.0]]], "bias": [0.5], "activation": "linear"},
...                {"kind": "flatten"}, {"activation": "linear", "weights": [[1.0]] * 3, "bias": [0.0]}]})
>>> Symbolic(spec.layers[0], sympy).forward(spec.x, None).tolist()
[[[-0.5, -0.5, -0.5]]]
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ...errors import SpecError
from ...net.names import array_key, element_key, parse_key
from . import conv2d


def _flat2d(layer, weights=None):
    """The layer as a 2-D one of height 1 (only what the 2-D twin reads)."""
    W = layer.weights if weights is None else np.asarray(weights, dtype=float)
    return SimpleNamespace(index=layer.index, activation=layer.activation, alpha=layer.alpha, bias=layer.bias,
                           weights=W[:, :, None, :], in_shape=(layer.in_shape[0], 1, layer.in_shape[1]),
                           out_shape=(layer.out_shape[0], 1, layer.out_shape[1]), stride=(1, layer.stride[0]),
                           padding=(0, layer.padding[0]), unit_names=layer.unit_names)


class Symbolic:
    """The 2-D twin's sympy derivatives over a height of 1."""

    def __init__(self, layer, sp):
        self.layer, self.inner = layer, conv2d.Symbolic(_flat2d(layer), sp)

    def forward(self, a_prev, memo, earlier=()) -> np.ndarray:
        x = np.asarray(a_prev, dtype=float)
        return self.inner.forward(x[:, :, None, :], memo)[:, :, 0, :]

    def backward(self, g, memo) -> tuple:
        g = np.asarray(g, dtype=float).reshape((-1,) + tuple(self.layer.out_shape))
        grads, gx = self.inner.backward(g[:, :, None, :], memo)
        out = {}
        for key, value in grads.items():
            k = parse_key(key)
            out[element_key(k.kind, k.layer, *(k.index[:2] + k.index[3:]) if k.kind == "W" else k.index)] = value
        return out, gx[:, :, 0, :]


def numpy_forward(layer, a, params: dict, earlier=()) -> np.ndarray:
    n = layer.index
    x = np.asarray(a, dtype=float)
    flat = {array_key("W", n): np.asarray(params[array_key("W", n)])[:, :, None, :], array_key("b", n): params[array_key("b", n)]}
    return conv2d.numpy_forward(_flat2d(layer), x[:, :, None, :], flat)[:, :, 0, :]


def units_moved(layer, index: tuple) -> tuple:
    """W[o][…] and b[o] move every output of channel o."""
    ol = layer.out_shape[1]
    return tuple(range(index[0] * ol, (index[0] + 1) * ol))


def kinks(layer, a, params: dict, eps: float) -> list:
    n = layer.index
    x = np.asarray(a, dtype=float)
    flat = {array_key("W", n): np.asarray(params[array_key("W", n)])[:, :, None, :], array_key("b", n): params[array_key("b", n)]}
    return conv2d.kinks(_flat2d(layer), x[:, :, None, :], flat, eps)


def closed_forms(layer, sources, upstream: dict, names) -> tuple:
    raise SpecError("verify --formulas: closed forms are written for dense layers only, not conv1d")
