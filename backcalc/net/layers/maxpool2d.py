"""The 2-D max-pooling layer, as PyTorch's ``max_pool2d`` (no padding): the largest input of each window.

``size`` and ``stride`` (default = size) are an integer or a pair; sizes round down as PyTorch. No parameters;
forward key ``a{n}`` (samples × channels × oh × ow). The gradient goes to the window's maximum only, zero
elsewhere; at a tie the first position in row-major order gets it (as PyTorch on the CPU).

On the tape: each window position (p, q) is gathered by a product with a constant 0/1 matrix and the window's
maximum is a running ``maximum`` in row-major order, whose rule gives a tie to its first argument — the
earlier position.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[[1.0, 3.0], [3.0, 2.0]]], "y": [[1.0]]},
...     "layers": [{"kind": "maxpool2d", "name": "p", "size": 2}, {"kind": "flatten"},
...                {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]})
>>> spec.layers[0].out_shape, spec.layers[0].unit_names
((1, 1, 1), ('p111',))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..names import array_key
from . import LayerPass
from .maps import NoParameters, MAX_MAP_ELEMENTS, map_names, need_map, read_pair, window_fits

KEYS = ("size", "stride")
TAKES_MAPS = True


@dataclass(frozen=True)
class MaxPool2d(NoParameters):
    """One maxpool2d layer: each output is the maximum of its window."""

    index: int
    name: str
    size: tuple
    stride: tuple
    in_shape: tuple
    out_shape: tuple
    unit_names: tuple

    kind = "maxpool2d"

    @property
    def units(self) -> int:
        return int(np.prod(self.out_shape))

    @property
    def multiply_adds(self) -> int:
        return self.units * self.size[0] * self.size[1]

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        c, h, w = self.in_shape
        _, oh, ow = self.out_shape
        samples = a.shape[0]
        flat = a.reshape(samples * c, h * w)
        best = None
        for p in range(self.size[0]):          # row-major: at a tie the earlier position keeps the gradient
            for q in range(self.size[1]):
                picked = flat @ _pick(self, p, q)
                best = picked if best is None else best.maximum(picked)
        out = best.reshape(samples, c, oh, ow)
        out.label = array_key("a", self.index)
        return LayerPass(self, a, out, leaves, {})


def _pick(layer, p: int, q: int) -> np.ndarray:
    """0/1 matrix (H·W × oh·ow): column (i, j) picks input (i·stride + p, j·stride + q)."""
    _, h, w = layer.in_shape
    _, oh, ow = layer.out_shape
    out = np.zeros((h * w, oh * ow))
    for i in range(oh):
        for j in range(ow):
            out[(i * layer.stride[0] + p) * w + j * layer.stride[1] + q, i * ow + j] = 1.0
    return out


def read(table: dict, ctx) -> MaxPool2d:
    """A :class:`MaxPool2d` from its table: ``size`` (required), ``stride`` (default = size)."""
    shape = need_map(ctx, "maxpool2d")
    if "size" not in table:
        ctx.fail("missing key 'size' (the window: a whole number or [height, width])")
    size = read_pair(ctx, table, "size", None, 1, 64)
    stride = read_pair(ctx, table, "stride", list(size), 1, 64)
    oh, ow = window_fits(ctx, shape, size, stride, (0, 0), "pool window")
    out_shape = (shape[0], oh, ow)
    if shape[1] * shape[2] * oh * ow > MAX_MAP_ELEMENTS ** 2 // 4:
        ctx.fail(f"the input map {'×'.join(map(str, shape))} is over the limit for pooling")
    return MaxPool2d(ctx.index, ctx.name, size, stride, shape, out_shape, map_names(ctx.name, out_shape))
