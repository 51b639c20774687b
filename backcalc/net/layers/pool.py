"""The pooling layers, as PyTorch's ``max_pool2d``/``avg_pool2d`` (and 1-D), no padding: each output is the
largest input of its window (max) or their mean (avg).

``size`` and ``stride`` (default = size) are an integer or (2-D) a pair; sizes round down as PyTorch. No
parameters; forward key ``a{n}`` (samples × channels × oh × ow, or × ol). Max routes the gradient to the
window's maximum only, zero elsewhere; at a tie the first position in row-major order gets it (as PyTorch on
the CPU). Average gives every input of the window its 1/size share.

On the tape: each window offset is gathered by a product with a constant 0/1 matrix; the window's maximum is
a running ``maximum`` in row-major order, whose rule gives a tie to its first argument — the earlier position;
the average is the sum of the offsets times 1/size. The routing shown in the derivation (∂out/∂in of each
window's inputs) is read back from those entries' recorded factors.

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

from ..names import array_key, node_out
from ...tape.workings import Line, Working
from ..records import Path, PoolForward
from . import LayerPass
from .maps import NoParameters, MAX_MAP_ELEMENTS, as_2d, as_pair, map_names, need_map, read_pair, window_fits

KEYS = ("size", "stride")


@dataclass(frozen=True)
class Pool(NoParameters):
    """One pooling layer: each output is the maximum (``op`` "max") or the mean ("avg") of its window."""

    index: int
    name: str
    op: str
    size: tuple
    stride: tuple
    in_shape: tuple
    out_shape: tuple
    unit_names: tuple

    input_gradient = True   # the derivation shows ∂L/∂x of its input when it reads the data (routed, or shared)

    @property
    def kind(self) -> str:
        return f"{self.op}pool{len(self.in_shape) - 1}d"

    @property
    def units(self) -> int:
        return int(np.prod(self.out_shape))

    @property
    def window(self) -> int:
        return int(np.prod(self.size))

    @property
    def multiply_adds(self) -> int:
        return self.units * self.window

    def taps(self) -> np.ndarray:
        """window × positions: the input's flat spatial index under each window offset at each output."""
        _, w = as_2d(self.in_shape)[1:]
        _, oh, ow = as_2d(self.out_shape)
        (kh, kw), (sh, sw) = as_pair(self.size, 1), as_pair(self.stride, 1)
        p, q, i, j = np.meshgrid(np.arange(kh), np.arange(kw), np.arange(oh), np.arange(ow), indexing="ij")
        return ((i * sh + p) * w + j * sw + q).reshape(kh * kw, oh * ow)

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        c = self.in_shape[0]
        spatial, positions = int(np.prod(self.in_shape[1:])), int(np.prod(self.out_shape[1:]))
        samples = a.shape[0]
        flat = a.reshape(samples * c, spatial)
        taps = self.taps()
        nodes = {}
        best = None
        for k, tap in enumerate(taps):          # row-major: at a tie the earlier position keeps the gradient
            pick = np.zeros((spatial, positions))
            pick[tap, np.arange(positions)] = 1.0
            picked = flat @ pick
            if best is None:
                best = picked
            else:
                best = best.maximum(picked) if self.op == "max" else best + picked
                nodes[f"step{k}"] = best
        if self.op == "avg":
            best = best * (1.0 / self.window)
            nodes["share"] = best
        out = best.reshape(samples, *self.out_shape)
        out.label = array_key("a", self.index)
        return LayerPass(self, a, out, leaves, nodes, {"taps": taps})

    def settings(self) -> tuple:
        """The stride and the window's size as the working writes them (``Line``s with reason codes): what a page
        that only lists the net says of the layer (the Moodle quiz; the working's first two lines)."""
        pair = len(self.size) == 2
        stride = "(" + ", ".join(map(str, self.stride)) + ")" if pair and len(set(self.stride)) > 1 else \
            str(self.stride[0])
        size = "(" + ", ".join(map(str, self.size)) + ")" if pair else str(self.size[0])
        return (Line("s", stride, "stride"), Line("K", size, "window_size"))

    def working(self, spec) -> tuple:
        """``(topic, Working)`` of the pooling rule and its routing (i a window, k an offset in it, j an input
        position: pairs in 2-D; s the stride)."""
        n = self.index
        x, a = ("x" if n == 1 else f"a{n - 1}"), f"a{n}"
        at = f"s·i + k"
        head = self.settings()
        if self.op == "avg":
            share = f"1/{self.window}"
            lines = head + (Line(f"{a}_c(i)", f"({share})·Σ_k {x}_c({at})", "definition"),
                            Line(f"∂{a}_c(i)/∂{x}_c({at})", share, "pool_share"),
                            Line(f"∂L/∂{x}_c(j)", f"Σ_(i: {at} = j) ∂L/∂{a}_c(i)·{share}", "pool_sum"))
            return (("avgpool", Working(lines)),)
        lines = head + (Line(f"{a}_c(i)", f"max({x}_c({at}))", "pool_max"),
                        Line("m(i)", f"argmax({x}_c({at}))", "pool_winner"),
                        Line(f"∂{a}_c(i)/∂{x}_c({at})", "[k = m(i)]", "pool_route"),
                        Line(f"∂L/∂{x}_c(j)", f"Σ_(i: s·i + m(i) = j) ∂L/∂{a}_c(i)", "pool_sum"))
        return (("maxpool", Working(lines)),)

    def routing(self, lp) -> np.ndarray:
        """(samples·channels) × window × positions: ∂out/∂(each window input), the product of the recorded
        factors along the running maximum (1 for the winner, 0 elsewhere) or the recorded 1/size share."""
        k_all = self.window
        if self.op == "avg":
            share = np.broadcast_to(lp.nodes["share"].local[0], lp.nodes["share"].shape)
            return np.repeat(share[:, None, :], k_all, axis=1)
        shape = lp.nodes["step1"].shape if k_all > 1 else None
        if shape is None:
            n = lp.input.shape[0] * self.in_shape[0]
            return np.ones((n, 1, int(np.prod(self.out_shape[1:]))))
        out = np.zeros((shape[0], k_all, shape[1]))
        after = np.ones(shape)        # ∂out/∂(running max after step k), from the last step back
        for k in range(k_all - 1, 0, -1):
            keep, take = (np.broadcast_to(f, shape) for f in lp.nodes[f"step{k}"].local)
            out[:, k] = after * take
            after = after * keep
        out[:, 0] = after
        return out

    def unit_rows(self, lp, reader) -> list:
        """out = max(window) or avg(window), with the window's inputs named, and the max's winner."""
        samples, c = reader.spec.samples, self.in_shape[0]
        spatial, P = int(np.prod(self.in_shape[1:])), int(np.prod(self.out_shape[1:]))
        x, out = lp.input.data.reshape(samples, c, spatial), lp.output.data.reshape(samples, -1)
        taps, route = lp.constants["taps"], self.routing(lp).reshape(samples, c, self.window, P)
        rows = []
        for s in range(samples):
            for u, unit in enumerate(self.unit_names):
                ch, pos = divmod(u, P)
                sources = tuple((reader.source(self.index - 1, ch * spatial + int(t)), float(x[s, ch, t]))
                                for t in taps[:, pos])
                winner = int(np.argmax(route[s, ch, :, pos])) if self.op == "max" else None
                rows.append(PoolForward(self.index, unit, s + 1, self.op, sources, float(out[s, u]), winner))
        return rows

    def input_paths(self, lp, s, a, unit, source) -> tuple:
        """Input ``a`` reaches each output whose window holds it: ∂L/∂pool_out · ∂pool_out/∂a (1 for the
        window's maximum and 0 elsewhere, or 1/size for an average)."""
        samples, c = lp.input.shape[0], self.in_shape[0]
        spatial, P = int(np.prod(self.in_shape[1:])), int(np.prod(self.out_shape[1:]))
        ch, r = divmod(a, spatial)
        taps = lp.constants["taps"]
        route = self.routing(lp).reshape(samples, c, self.window, P)
        g = lp.output.grad.reshape(samples, c, P)
        offsets, positions = np.nonzero(taps == r)
        out = []
        for k, pos in zip(offsets, positions):
            v = self.unit_names[ch * P + pos]
            read = unit if source == 0 else node_out(unit)  # a data element is named bare: x112
            out.append(Path(v, f"∂L/∂{node_out(v)}", float(g[s, ch, pos]), f"∂{node_out(v)}/∂{read}",
                            float(route[s, ch, k, pos])))
        return tuple(out)


def read(table: dict, ctx, op: str = "max", dims: int = 2) -> Pool:
    """A :class:`Pool` from its table: ``size`` (required), ``stride`` (default = size)."""
    what = f"{op}pool{dims}d"
    shape = need_map(ctx, what, dims)
    if "size" not in table:
        ctx.fail("missing key 'size' (the window: a whole number" + (" or [height, width])" if dims == 2 else ")"))
    size = read_pair(ctx, table, "size", None, 1, 64, dims)
    stride = read_pair(ctx, table, "stride", list(size), 1, 64, dims)
    out = window_fits(ctx, shape, size, stride, (0,) * dims, "pool window")
    out_shape = (shape[0], *out)
    if int(np.prod(shape[1:])) * int(np.prod(out)) > MAX_MAP_ELEMENTS ** 2 // 4:
        ctx.fail(f"the input map {'×'.join(map(str, shape))} is over the limit for pooling")
    return Pool(ctx.index, ctx.name, op, size, stride, shape, out_shape, map_names(ctx.name, out_shape))


@dataclass(frozen=True)
class PoolKind:
    """``kind = "maxpool2d"``, ``"avgpool2d"``, ``"maxpool1d"`` or ``"avgpool1d"``: what
    :func:`backcalc.net.layers.kind` gives for each (max or average, over channels × height × width or channels ×
    length, as PyTorch's ``max_pool2d``/``avg_pool2d``/``max_pool1d``/``avg_pool1d``).

    >>> MAXPOOL1D.KEYS, MAXPOOL1D.MAP_AXES, AVGPOOL2D.MAP_AXES
    (('size', 'stride'), 1, 2)
    """

    op: str      # "max" or "avg"
    dims: int    # 1 or 2
    KEYS = KEYS
    TAKES_MAPS = True

    @property
    def MAP_AXES(self) -> int:  # noqa: N802 (read like the module constant of the other kinds)
        """Axes of one sample's map when the pool is the first layer: a 1-D pool's data.x of depth 3 is samples ×
        channels × length."""
        return self.dims

    def read(self, table: dict, ctx) -> Pool:
        """A :class:`Pool` from its table (``size``, ``stride``)."""
        return read(table, ctx, self.op, self.dims)


MAXPOOL2D, AVGPOOL2D = PoolKind("max", 2), PoolKind("avg", 2)
MAXPOOL1D, AVGPOOL1D = PoolKind("max", 1), PoolKind("avg", 1)
