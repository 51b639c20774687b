"""The checker's pooling (max and average, 1-D and 2-D), in numpy from the definition: each output is its
window's maximum or mean; ∂L/∂output goes to the window's first maximum in row-major order (the documented tie
rule, as PyTorch on the CPU), or 1/size of it to every input of an average window.

A 1-D map (channels × length) is pooled as a map of height 1.

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


def _geometry(layer):
    """(window height, width), (stride height, width), (out height, width): a 1-D layer has height 1."""
    if len(layer.in_shape) == 2:
        return (1, layer.size[0]), (1, layer.stride[0]), (1, layer.out_shape[1])
    return tuple(layer.size), tuple(layer.stride), tuple(layer.out_shape[1:])


def _windows(layer):
    """(i, j, [(r, col), …] in row-major order) for every output position."""
    (kh, kw), (sh, sw), (oh, ow) = _geometry(layer)
    for i in range(oh):
        for j in range(ow):
            yield i, j, [(i * sh + p, j * sw + q) for p in range(kh) for q in range(kw)]


def _as_2d(layer, x: np.ndarray) -> np.ndarray:
    return x[:, :, None, :] if len(layer.in_shape) == 2 else x


def _op(layer) -> str:
    return "max" if layer.kind.startswith("max") else "avg"


class Symbolic:
    """Pooling by its definition (no parameters)."""

    def __init__(self, layer, sp):
        self.layer = layer

    def forward(self, a_prev, memo, earlier=()) -> np.ndarray:
        self.x = np.asarray(a_prev, dtype=float)
        return numpy_forward(self.layer, self.x, {})

    def backward(self, g, memo) -> tuple:
        layer, x = self.layer, _as_2d(self.layer, self.x)
        (_, _), (_, _), (oh, ow) = _geometry(layer)
        g = np.asarray(g, dtype=float).reshape(x.shape[0], x.shape[1], oh, ow)
        gx = np.zeros_like(x)
        for i, j, cells in _windows(layer):
            for s in range(x.shape[0]):
                for c in range(x.shape[1]):
                    if _op(layer) == "max":
                        values = [x[s, c, r, col] for r, col in cells]
                        r, col = cells[values.index(max(values))]  # index(): the first one at a tie
                        gx[s, c, r, col] += g[s, c, i, j]
                    else:
                        for r, col in cells:
                            gx[s, c, r, col] += g[s, c, i, j] / len(cells)
        return {}, gx.reshape(self.x.shape)


def numpy_forward(layer, a, params: dict, earlier=()) -> np.ndarray:
    x = _as_2d(layer, np.asarray(a, dtype=float))
    (_, _), (_, _), (oh, ow) = _geometry(layer)
    out = np.zeros(x.shape[:2] + (oh, ow))
    reduce = np.max if _op(layer) == "max" else np.mean
    for i, j, cells in _windows(layer):
        out[:, :, i, j] = reduce(np.stack([x[:, :, r, col] for r, col in cells]), axis=0)
    return out.reshape((x.shape[0],) + tuple(layer.out_shape))


def units_moved(layer, index: tuple) -> tuple:
    return ()


def kinks(layer, a, params: dict, eps: float) -> list:
    """A max window whose two largest inputs are within reach of each other: a tie, where max has no derivative
    (an average has none)."""
    if _op(layer) != "max":
        return []
    x = _as_2d(layer, np.asarray(a, dtype=float))
    (_, _), (_, _), (oh, ow) = _geometry(layer)
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
    raise SpecError(f"verify --formulas: closed forms are written for dense layers only, not {layer.kind}")
