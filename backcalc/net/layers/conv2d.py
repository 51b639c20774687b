"""The 2-D convolution layer: cross-correlation exactly as PyTorch's ``Conv2d``, then an activation.

``z[s, o, i, j] = b[o] + Σ_{c,p,q} W[o, c, p, q] · x[s, c, i·stride + p − padding, j·stride + q − padding]``
(zeros in the padding), ``a = activation(z)``. ``weights`` is out_channels × in_channels × kh × kw, ``bias`` one
number per output channel; ``stride`` and ``padding`` an integer or a pair. Parameters ``W{n}``, ``b{n}``;
forward keys ``z{n}``, ``a{n}`` shaped samples × channels × height × width. A kernel element is named
``w_{layer}{o}{c}{p}{q}`` (joined by ``-`` when a size passes 9) and a bias ``b_{layer}{o}`` (1-based).

On the tape: the input's windows are gathered by one product with a constant 0/1 matrix (the im2col view),
the kernel is a matmul over ``in_channels·kh·kw``, so each kernel element's gradient is the tape's sum over
every output position it touched.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]], "y": [[1.0]]},
...     "layers": [{"kind": "conv2d", "name": "c", "weights": [[[[1.0, 0.0], [0.0, -1.0]]]], "bias": [0.5],
...                 "activation": "relu"}, {"kind": "flatten"},
...                {"activation": "linear", "weights": [[1.0], [1.0], [1.0], [1.0]], "bias": [0.0]}]})
>>> c = spec.layers[0]
>>> c.out_shape, c.units, c.param_names(())[0]
((1, 2, 2), 4, ('w_c1111', 'W1[0][0][0][0]'))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..names import array_key, element_key
from ..records import Chain, Factor, Term
from . import LayerPass, activation
from .arrays import ArrayParameters
from .maps import MAX_MAP_ELEMENTS, indices_name, MAX_SELECTION, map_names, need_map, read_pair, window_fits

KEYS = ("activation", "weights", "bias", "stride", "padding", "alpha")
TAKES_MAPS = True
SUM_OVER_POSITIONS = "Σ δ·x over output positions"


@dataclass(frozen=True)
class Conv2d(ArrayParameters):
    """One conv2d layer: ``z = W ⋆ x + b`` (cross-correlation), ``a = activation(z)``."""

    index: int
    name: str
    activation: str
    weights: np.ndarray          # out_ch × in_ch × kh × kw
    bias: np.ndarray             # out_ch
    in_shape: tuple              # in_ch × height × width
    stride: tuple
    padding: tuple
    out_shape: tuple             # out_ch × oh × ow
    unit_names: tuple
    alpha: float | None = None

    kind = "conv2d"
    ARRAYS = (("W", "weights"), ("b", "bias"))

    @property
    def units(self) -> int:
        return int(np.prod(self.out_shape))

    @property
    def multiply_adds(self) -> int:
        return self.weights[0].size * self.units

    def param_names(self, sources) -> list:
        """Kernel elements ``w_c{o}{c}{p}{q}`` in C order, then biases ``b_c{o}``."""
        n, name = self.index, self.name
        out = [(indices_name(f"w_{name}", idx, self.weights.shape), element_key("W", n, *idx))
               for idx in np.ndindex(self.weights.shape)]
        return out + [(f"b_{name}{o + 1}", element_key("b", n, o)) for o in range(self.bias.size)]

    @property
    def reads(self) -> tuple:
        return (self.index - 1,)

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        n = self.index
        c, h, w = self.in_shape
        o, oh, ow = self.out_shape
        kh, kw = self.weights.shape[2:]
        samples = a.shape[0]
        gather = _gather(self)
        # (S·C, H·W) @ (H·W, kh·kw·P) → patches (S, C·kh·kw, P): row c·kh·kw + p·kw + q, column = output position
        patches = (a.reshape(samples * c, h * w) @ gather).reshape(samples, c * kh * kw, oh * ow)
        product = leaves[array_key("W", n)].reshape(o, c * kh * kw) @ patches
        z = product.reshape(samples, o, oh, ow) + leaves[array_key("b", n)].reshape(o, 1, 1)
        z.label = array_key("z", n)
        out = activation.apply(self, z)
        out.label = array_key("a", n)
        return LayerPass(self, a, out, leaves, {"patches": patches, "product": product, "z": z})

    def forward_values(self, lp: LayerPass) -> dict:
        n = self.index
        return {array_key("z", n): lp.nodes["z"].data.tolist(), array_key("a", n): lp.output.data.tolist()}

    # ── the derivation: each parameter's per-sample sum over output positions (its terms not yet written out) ──
    def unit_rows(self, lp, reader) -> list:
        return []

    def deltas(self, lp, reader) -> list:
        return []

    def terms(self, lp, reader) -> list:
        """∂L/∂w and ∂L/∂b of every element; a sample's chain is one factor, the sum over the output positions
        of δ (∂L/∂z, read from the tape) times the input under the kernel element (the gathered patches)."""
        n, samples = self.index, reader.spec.samples
        o_n = self.out_shape[0]
        dz = lp.nodes["z"].grad.reshape(samples, o_n, -1)        # δ per output channel and position
        patches = lp.nodes["patches"].data                        # samples × (in_ch·kh·kw) × positions
        per_w = np.einsum("sop,skp->sok", dz, patches)            # samples × out_ch × (in_ch·kh·kw)
        W, b = lp.params[array_key("W", n)], lp.params[array_key("b", n)]
        terms = []
        for (name, key), idx in zip(self.param_names(()), np.ndindex(self.weights.shape)):
            k = np.ravel_multi_index(idx[1:], self.weights.shape[1:])
            chains = tuple(Chain(s + 1, (Factor("L", name, float(per_w[s, idx[0], k]), SUM_OVER_POSITIONS),),
                                 float(per_w[s, idx[0], k])) for s in range(samples))
            terms.append(Term(name, key, n, "weight", float(W.grad[idx]), chains))
        for o, (name, key) in enumerate(self.param_names(())[self.weights.size:]):
            chains = tuple(Chain(s + 1, (Factor("L", name, float(dz[s, o].sum()), "Σ δ over output positions"),),
                                 float(dz[s, o].sum())) for s in range(samples))
            terms.append(Term(name, key, n, "bias", float(b.grad[o]), chains))
        return terms

    def input_paths(self, lp, s, a, unit, source) -> tuple:
        return ()


def _gather(layer) -> np.ndarray:
    """The constant 0/1 gather (H·W × kh·kw·oh·ow): column (p·kw + q)·oh·ow + i·ow + j picks the input under
    kernel element (p, q) at output (i, j), or nothing in the zero padding."""
    c, h, w = layer.in_shape
    _, oh, ow = layer.out_shape
    kh, kw = layer.weights.shape[2:]
    out = np.zeros((h * w, kh * kw * oh * ow))
    for p in range(kh):
        for q in range(kw):
            for i in range(oh):
                for j in range(ow):
                    r, col = i * layer.stride[0] + p - layer.padding[0], j * layer.stride[1] + q - layer.padding[1]
                    if 0 <= r < h and 0 <= col < w:
                        out[r * w + col, (p * kw + q) * oh * ow + i * ow + j] = 1.0
    return out


def read(table: dict, ctx) -> Conv2d:
    """A :class:`Conv2d` from its table: ``weights`` (out × in × kh × kw), ``bias``, ``stride``, ``padding``."""
    shape = need_map(ctx, "conv2d")
    act, alpha = activation.read(table, ctx)
    if act == "softmax":
        ctx.fail("softmax is not an activation of conv2d (over which axis?); use a dense layer after flatten",
                 "activation")
    for k in ("weights", "bias"):
        if k not in table:
            ctx.fail(f"missing key {k!r} (weights out_channels × in_channels × kh × kw, bias one per out channel)")
    W = ctx.fields.tensor(f"{ctx.where} weights", table["weights"], 4)
    if W.shape[1] != shape[0]:
        ctx.fail(f"the kernel has {W.shape[1]} input channels but its input has {shape[0]} "
                 f"(input {'×'.join(map(str, shape))}, weights {'×'.join(map(str, W.shape))})", "weights")
    b = ctx.fields.vector(f"{ctx.where} bias", table["bias"])
    if b.shape[0] != W.shape[0]:
        ctx.fail(f"expected {W.shape[0]} numbers (one per output channel), got {b.shape[0]}", "bias")
    stride = read_pair(ctx, table, "stride", 1, 1, 64)
    padding = read_pair(ctx, table, "padding", 0, 0, 64)
    oh, ow = window_fits(ctx, shape, W.shape[2:], stride, padding, f"kernel (weights {'×'.join(map(str, W.shape))})")
    out_shape = (W.shape[0], oh, ow)
    if np.prod(out_shape) > MAX_MAP_ELEMENTS or shape[1] * shape[2] * W.shape[2] * W.shape[3] * oh * ow > MAX_SELECTION:
        ctx.fail(f"the output map {'×'.join(map(str, out_shape))} is over the limit of {MAX_MAP_ELEMENTS} elements")
    ctx.count(W.size)
    return Conv2d(ctx.index, ctx.name, act, W, b, shape, stride, padding, out_shape,
                  map_names(ctx.name, out_shape), alpha)
