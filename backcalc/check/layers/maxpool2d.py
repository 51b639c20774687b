"""The checker's maxpool2d, in numpy from the definition: each output is its window's maximum, and ∂L/∂output
goes to the window's first maximum in row-major order (the documented tie rule, as PyTorch on the CPU).

>>> import numpy as np
>>> from backcalc.net.spec import load_spec
>>> layer = load_spec("worked_examples/conv_pool.toml").layers[1]
>>> sym = Symbolic(layer, None)
>>> sym.forward(np.array([[[[1.0, 3.0], [3.0, 2.0]]]]), None).tolist()
[[[[3.0]]]]
>>> sym.backward(np.array([[[[1.0]]]]), None)[1].tolist()
[[[[0.0, 1.0], [0.0, 0.0]]]]
"""

from __future__ import annotations

import numpy as np

from ...errors import SpecError
from ..notes import tie


def _windows(layer):
    """(i, j, [(r, col), …] in row-major order) for every output position."""
    _, oh, ow = layer.out_shape
    (kh, kw), (sh, sw) = layer.size, layer.stride
    for i in range(oh):
        for j in range(ow):
            yield i, j, [(i * sh + p, j * sw + q) for p in range(kh) for q in range(kw)]


def _winners(layer, x: np.ndarray) -> dict:
    """{(s, c, i, j): (r, col) of the first maximum}."""
    out = {}
    for s in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i, j, cells in _windows(layer):
                values = [x[s, c, r, col] for r, col in cells]
                out[s, c, i, j] = cells[values.index(max(values))]  # index(): the first one at a tie
    return out


class Symbolic:
    """Max-pooling by its definition (no parameters)."""

    def __init__(self, layer, sp):
        self.layer = layer

    def forward(self, a_prev, memo, earlier=()) -> np.ndarray:
        self.x = np.asarray(a_prev, dtype=float)
        return numpy_forward(self.layer, self.x, {})

    def backward(self, g, memo) -> tuple:
        g = np.asarray(g, dtype=float).reshape((self.x.shape[0],) + tuple(self.layer.out_shape))
        gx = np.zeros_like(self.x)
        for (s, c, i, j), (r, col) in _winners(self.layer, self.x).items():
            gx[s, c, r, col] += g[s, c, i, j]
        return {}, gx


def numpy_forward(layer, a, params: dict, earlier=()) -> np.ndarray:
    x = np.asarray(a, dtype=float)
    out = np.zeros((x.shape[0],) + tuple(layer.out_shape))
    for i, j, cells in _windows(layer):
        out[:, :, i, j] = np.max(np.stack([x[:, :, r, col] for r, col in cells]), axis=0)
    return out


def units_moved(layer, index: tuple) -> tuple:
    return ()


def kinks(layer, a, params: dict, eps: float) -> list:
    """A window whose two largest inputs are within reach of each other: a tie, where max has no derivative."""
    x = np.asarray(a, dtype=float)
    _, oh, ow = layer.out_shape
    reach = 10 * eps * (1 + np.abs(x).max())
    found = []
    for s in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i, j, cells in _windows(layer):
                top = sorted((x[s, c, r, col] for r, col in cells), reverse=True)
                if len(top) > 1 and top[0] - top[1] <= reach:
                    u = (c * oh + i) * ow + j
                    found.append((u, tie(layer.unit_names[u], top[0], s + 1)))
    return found


def closed_forms(layer, sources, upstream: dict, names) -> tuple:
    raise SpecError("verify --formulas: closed forms are written for dense layers only, not maxpool2d")
