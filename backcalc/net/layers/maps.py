"""What the map kinds (conv2d, maxpool2d, flatten) share: sizes, pairs, names, and the gathers as constants.

A map layer's output per sample is ``channels × height × width``; its ``units`` is their product (what a
flatten layer hands on). Gathering a window's inputs is a product with a constant 0/1 matrix on the tape
(built by each kind), so the tape records only matmul, reshape, transpose, add and max entries — no rule of its
own. An output element is named ``{layer}{channel}{row}{column}`` (1-based; joined by ``-`` past 9): ``c121``.

>>> out_size(3, 2, 1, 0), out_size(5, 3, 2, 1)
(2, 3)
>>> map_names("c", (1, 2, 2))
('c111', 'c112', 'c121', 'c122')
"""

from __future__ import annotations

import numpy as np

from ..names import array_key

MAX_MAP_ELEMENTS = 4096   # channels × height × width of one sample's map (input or output)
MAX_SELECTION = 4_000_000  # entries of one gather matrix


def out_size(n: int, k: int, stride: int, padding: int) -> int:
    """Output length along one axis, rounded down as PyTorch: ⌊(n + 2·padding − k)/stride⌋ + 1."""
    return (n + 2 * padding - k) // stride + 1


def indices_name(prefix: str, index: tuple, shape: tuple) -> str:
    """``prefix`` and the 1-based ``index``: digits run together when every size is at most 9 (``c112``), else
    joined by ``-`` (``c1-12-3``): letters, digits, ``_`` and ``-`` only, so a name is a bare TOML key and a
    single LaTeX subscript."""
    sep = "" if max(shape) <= 9 else "-"
    return prefix + sep.join(str(i + 1) for i in index)


def map_names(name: str, shape: tuple) -> tuple:
    """One name per element of a ``channels × height × width`` map, in C order."""
    return tuple(indices_name(name, idx, shape) for idx in np.ndindex(*shape))


def read_pair(ctx, table: dict, key: str, default, lo: int, hi: int) -> tuple:
    """An integer or a pair ``[h, w]`` (each from ``lo`` to ``hi``) as a pair."""
    v = table.get(key, default)
    where = f"{ctx.where} {key}"
    if isinstance(v, list):
        if len(v) != 2:
            ctx.fields.fail(where, f"expected a whole number or a pair [height, width], got a list of {len(v)}")
        return tuple(ctx.fields.whole(f"{where}[{i}]", e, lo, hi) for i, e in enumerate(v))
    n = ctx.fields.whole(where, v, lo, hi)
    return (n, n)


def need_map(ctx, what: str) -> tuple:
    """The input's ``channels × height × width`` per sample; exit 2 naming the layer when it is not a map."""
    shape = ctx.in_shape
    if len(shape) != 3:
        ctx.fail(f"{what} needs channels × height × width per sample, but its input is "
                 f"{'×'.join(map(str, shape))} per sample (data.x samples × channels × height × width, "
                 "or a conv2d/maxpool2d layer before it)")
    return shape


def window_fits(ctx, shape: tuple, k: tuple, stride: tuple, padding: tuple, what: str) -> tuple:
    """``(oh, ow)``, or exit 2 when the window is larger than the padded input."""
    _, h, w = shape
    if k[0] > h + 2 * padding[0] or k[1] > w + 2 * padding[1]:
        ctx.fail(f"the {what} {k[0]}×{k[1]} is larger than its input {h}×{w} "
                 f"(padded by {padding[0]}×{padding[1]}: {h + 2 * padding[0]}×{w + 2 * padding[1]})")
    return out_size(h, k[0], stride[0], padding[0]), out_size(w, k[1], stride[1], padding[1])


class NoParameters:
    """What a kind without parameters and without derivation rows of its own (pooling, flatten) says:
    nothing to name, learn or show; its output key ``a{n}`` comes from the layer's ``index``."""

    activation = "linear"
    alpha = None
    n_parameters = 0

    def parameters(self) -> dict:
        return {}

    def with_parameters(self, values: dict):
        return self

    def param_names(self, sources) -> list:
        return []

    @property
    def reads(self) -> tuple:
        return (self.index - 1,)

    def forward_values(self, lp) -> dict:
        return {array_key("a", self.index): lp.output.data.tolist()}

    def unit_rows(self, lp, reader) -> list:
        return []

    def deltas(self, lp, reader) -> list:
        return []

    def terms(self, lp, reader) -> list:
        return []

    def input_paths(self, lp, s, a, unit, source) -> tuple:
        return ()
