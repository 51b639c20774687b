"""The checker's flatten: each sample's map as one row, in C order (numpy's reshape), and back.

>>> import numpy as np
>>> Symbolic(None, None).forward(np.arange(8.0).reshape(1, 2, 2, 2), None).tolist()
[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]]
"""

from __future__ import annotations

import numpy as np

from ...errors import SpecError


class Symbolic:
    def __init__(self, layer, sp):
        self.layer = layer

    def forward(self, a_prev, memo, earlier=()) -> np.ndarray:
        self.shape = np.shape(a_prev)
        return numpy_forward(self.layer, a_prev, {})

    def backward(self, g, memo) -> tuple:
        return {}, np.asarray(g, dtype=float).reshape(self.shape)


def numpy_forward(layer, a, params: dict, earlier=()) -> np.ndarray:
    x = np.asarray(a, dtype=float)
    return x.reshape(x.shape[0], -1)


def units_moved(layer, index: tuple) -> tuple:
    return ()


def kinks(layer, a, params: dict, eps: float) -> list:
    return []


def closed_forms(layer, sources, upstream: dict, names) -> tuple:
    raise SpecError("verify --formulas: closed forms are written for dense layers only, not flatten")
