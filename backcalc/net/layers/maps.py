"""What the map kinds (conv1d/2d, max/avgpool1d/2d, flatten) share: sizes, pairs, names, and the gathers as constants.

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


def as_2d(shape: tuple) -> tuple:
    """A 1-D map's ``channels × length`` as ``channels × 1 × length`` (a 2-D shape as it is): the gathers are
    written once, for two spatial axes."""
    return (shape[0], 1, shape[1]) if len(shape) == 2 else tuple(shape)


def as_pair(values: tuple, fill: int) -> tuple:
    """A 1-D layer's ``(k,)`` as ``(fill, k)`` on the height axis of 1 (a pair as it is)."""
    return (fill, values[0]) if len(values) == 1 else tuple(values)


def read_pair(ctx, table: dict, key: str, default, lo: int, hi: int, dims: int = 2) -> tuple:
    """An integer or a pair ``[h, w]`` (each from ``lo`` to ``hi``) as a pair; a 1-tuple when ``dims`` is 1."""
    v = table.get(key, default)
    where = f"{ctx.where} {key}"
    if dims == 1:
        if isinstance(v, list) and len(v) == 1:
            v = v[0]
        return (ctx.fields.whole(where, v, lo, hi),)
    if isinstance(v, list):
        if len(v) != 2:
            ctx.fields.fail(where, f"expected a whole number or a pair [height, width], got a list of {len(v)}")
        return tuple(ctx.fields.whole(f"{where}[{i}]", e, lo, hi) for i, e in enumerate(v))
    n = ctx.fields.whole(where, v, lo, hi)
    return (n, n)


def need_map(ctx, what: str, dims: int | None = 2) -> tuple:
    """The input's ``channels × height × width`` (``dims`` 2) or ``channels × length`` (``dims`` 1; either when
    None) per sample; exit 2 naming the layer when it is not such a map."""
    shape = ctx.in_shape
    if len(shape) - 1 not in ((1, 2) if dims is None else (dims,)):
        want = {2: "channels × height × width", 1: "channels × length",
                None: "channels × height × width (or channels × length)"}[dims]
        before = {2: "a conv2d/maxpool2d", 1: "a conv1d/maxpool1d", None: "a conv or pool"}[dims]
        ctx.fail(f"{what} needs {want} per sample, but its input is {'×'.join(map(str, shape))} per sample "
                 f"(data.x samples × {want}, or {before} layer before it)")
    return shape


def window_fits(ctx, shape: tuple, k: tuple, stride: tuple, padding: tuple, what: str) -> tuple:
    """The output's spatial sizes (``(oh, ow)`` or ``(ol,)``), or exit 2 when the window is larger than the
    padded input."""
    sizes = shape[1:]
    padded = [n + 2 * p for n, p in zip(sizes, padding)]
    if any(kk > n for kk, n in zip(k, padded)):
        ctx.fail(f"the {what} {'×'.join(map(str, k))} is larger than its input {'×'.join(map(str, sizes))} "
                 f"(padded by {'×'.join(map(str, padding))}: {'×'.join(map(str, padded))})")
    return tuple(out_size(n, kk, st, p) for n, kk, st, p in zip(sizes, k, stride, padding))


class NoParameters:
    """What a kind without parameters and without derivation rows of its own (pooling, flatten) says:
    nothing to name, learn or show; its output key ``a{n}`` comes from the layer's ``index``."""

    activation = "linear"
    alpha = None
    n_parameters = 0

    @property
    def shown_as(self) -> str:
        """What a page's layer heading names in place of an activation: the kind (``maxpool2d``, ``flatten``)."""
        return self.kind

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
