"""The convolution layers: cross-correlation exactly as PyTorch's ``Conv2d`` (and ``Conv1d``), then an activation.

``z[s, o, i, j] = b[o] + Σ_{c,p,q} W[o, c, p, q] · x[s, c, i·stride + p − padding, j·stride + q − padding]``
(zeros in the padding), ``a = activation(z)``. ``weights`` is out_channels × in_channels × kh × kw (× k for
conv1d, whose maps are channels × length), ``bias`` one number per output channel; ``stride`` and ``padding``
an integer or (2-D) a pair. Parameters ``W{n}``, ``b{n}``; forward keys ``z{n}``, ``a{n}`` shaped samples ×
channels × height × width (× length). A kernel element is named ``w_{layer}{o}{c}{p}{q}`` (``w_{layer}{o}{c}{q}``
in 1-D; joined by ``-`` when a size passes 9), a bias ``b_{layer}{o}``, an output position ``{layer}{o}{i}{j}``
(all 1-based).

On the tape: the input's windows are gathered by one product with a constant 0/1 matrix (the im2col view),
the kernel is a matmul over ``in_channels·kh·kw``, so each kernel element's gradient is the tape's sum over
every output position it touched — and the derivation writes that sum out, one row per output position:
∂L/∂w = Σ_pos ∂L/∂pos_out · ∂pos_out/∂pos_in · x(pos + offset).

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

from ..names import array_key, element_key, node_in
from ...tape.workings import Line, Working
from ..records import Factor, Path, Term, UnitForward
from . import LayerPass, activation
from .arrays import ArrayParameters
from .maps import (MAX_MAP_ELEMENTS, MAX_SELECTION, as_2d, as_pair, indices_name, map_names, need_map, read_pair,
                   window_fits)

KEYS = ("activation", "weights", "bias", "units", "kernel", "init", "stride", "padding", "alpha")
TAKES_MAPS = True


@dataclass(frozen=True)
class Conv2d(ArrayParameters):
    """One convolution layer: ``z = W ⋆ x + b`` (cross-correlation), ``a = activation(z)``; 1-D or 2-D."""

    index: int
    name: str
    activation: str
    weights: np.ndarray          # out_ch × in_ch × kh × kw (× k in 1-D)
    bias: np.ndarray             # out_ch
    in_shape: tuple              # in_ch × height × width (× length in 1-D)
    stride: tuple                # one per spatial axis
    padding: tuple
    out_shape: tuple             # out_ch × oh × ow (× ol in 1-D)
    unit_names: tuple
    alpha: float | None = None

    kind = "conv2d"
    input_gradient = True   # the derivation shows ∂L/∂x of its input, data included (the classic exercise)
    im2col = True           # its compact matrix form is the im2col view (backcalc.net.im2col)
    ARRAYS = (("W", "weights"), ("b", "bias"))

    @property
    def units(self) -> int:
        return int(np.prod(self.out_shape))

    @property
    def positions(self) -> int:
        """Output positions per channel (where the kernel is applied)."""
        return int(np.prod(self.out_shape[1:]))

    @property
    def term_records(self) -> int:
        """Chains per sample in the derivation: every parameter element at every output position."""
        return self.n_parameters * self.positions

    @property
    def multiply_adds(self) -> int:
        return self.weights[0].size * self.units

    def weight_names(self) -> list:
        """``w_c{o}{c}{p}{q}`` of every kernel element, in C order."""
        return [indices_name(f"w_{self.name}", idx, self.weights.shape) for idx in np.ndindex(self.weights.shape)]

    def param_names(self, sources) -> list:
        """Kernel elements ``w_c{o}{c}{p}{q}`` in C order, then biases ``b_c{o}``."""
        n = self.index
        out = [(name, element_key("W", n, *idx)) for name, idx in zip(self.weight_names(), np.ndindex(self.weights.shape))]
        return out + [(f"b_{self.name}{o + 1}", element_key("b", n, o)) for o in range(self.bias.size)]

    @property
    def reads(self) -> tuple:
        return (self.index - 1,)

    def taps(self) -> np.ndarray:
        """(kh·kw) × positions: the input's flat spatial index under kernel offset (p, q) at each output position
        (−1 in the zero padding)."""
        _, h, w = as_2d(self.in_shape)
        _, oh, ow = as_2d(self.out_shape)
        kh, kw = as_pair(self.weights.shape[2:], 1)
        (sh, sw), (ph, pw) = as_pair(self.stride, 1), as_pair(self.padding, 0)
        p, q, i, j = np.meshgrid(np.arange(kh), np.arange(kw), np.arange(oh), np.arange(ow), indexing="ij")
        r, col = i * sh + p - ph, j * sw + q - pw
        inside = (r >= 0) & (r < h) & (col >= 0) & (col < w)
        return np.where(inside, r * w + col, -1).reshape(kh * kw, oh * ow)

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        n = self.index
        c, o = self.in_shape[0], self.out_shape[0]
        spatial = int(np.prod(self.in_shape[1:]))
        k = int(np.prod(self.weights.shape[2:]))
        samples = a.shape[0]
        taps = self.taps()
        gather = np.zeros((spatial, taps.size))
        rows, cols = np.nonzero(taps.reshape(1, -1) >= 0)
        gather[taps.reshape(-1)[cols], cols] = 1.0
        # (S·C, spatial) @ (spatial, k·P) → patches (S, C·k, P): row c·k + offset, column = output position
        patches = (a.reshape(samples * c, spatial) @ gather).reshape(samples, c * k, self.positions)
        product = leaves[array_key("W", n)].reshape(o, c * k) @ patches
        z = product.reshape(samples, *self.out_shape) + leaves[array_key("b", n)].reshape(o, *([1] * (len(self.out_shape) - 1)))
        z.label = array_key("z", n)
        sizes = _term_sizes(leaves[array_key("W", n)], patches, leaves[array_key("b", n)])
        kinks = activation.settle_kinks(self, z, sizes, lambda index: sizes()[index], c * k + 1)
        out = activation.apply(self, z)
        out.label = array_key("a", n)
        return LayerPass(self, a, out, leaves, {"patches": patches, "product": product, "z": z}, {"taps": taps},
                         kinks=kinks)

    def forward_values(self, lp: LayerPass) -> dict:
        n = self.index
        return {array_key("z", n): lp.nodes["z"].data.tolist(), array_key("a", n): lp.output.data.tolist()}

    def settings(self) -> tuple:
        """The stride and the zero padding where they are not 1 and 0 (``Line``s with reason codes): what a page
        that only lists the net says of the layer besides its kernel and bias (the Moodle quiz)."""
        stride, pad = tuple(self.stride), tuple(self.padding)
        return tuple(Line(symbol, _axes(values), reason) for symbol, values, reason, plain in
                     (("s", stride, "stride", 1), ("p", pad, "padding", 0)) if any(v != plain for v in values))

    # ── the symbolic working (before the numbers) ──
    def working(self, spec) -> tuple:
        """``(topic, Working)`` of the convolution's rules: each output position's weighted sum, ∂L/∂W as the sum
        over positions, ∂L/∂x as the full correlation with the flipped kernel (i an output position, k an offset
        in the kernel, j an input position: pairs in 2-D)."""
        n, dims = self.index, len(self.out_shape) - 1
        stride, pad = tuple(self.stride), tuple(self.padding)
        plain = all(v == 1 for v in stride) and not any(pad)
        s, p = (_axes(stride), _axes(pad))
        at = "i + k" if plain else (f"{s}·i + k" if not any(pad) else f"{s}·i + k − {p}")
        x = "x" if n == 1 else f"a{n - 1}"
        kernel = _axes(self.weights.shape[2:], pair=dims == 2)
        lines = [Line("K", kernel, "kernel_size"),
                 Line("z_o(i)", f"Σ_c Σ_k W_oc(k)·{x}_c({at}) + b_o", "conv_definition"),
                 Line("∂z_o(i)/∂W_oc(k)", f"{x}_c({at})", "product"),
                 Line("∂L/∂W_oc(k)", f"Σ_i ∂L/∂z_o(i)·{x}_c({at})", "conv_sum"),
                 Line("∂L/∂b_o", "Σ_i ∂L/∂z_o(i)", "conv_sum")]
        if plain:
            lines += [Line(f"∂L/∂{x}_c(j)", "Σ_o Σ_k ∂L/∂z_o(j − k)·W_oc(k)", "conv_input"),
                      Line("", "Σ_o Σ_k ∂L/∂z_o(j − K + 1 + k)·W_oc(K − 1 − k)", "conv_flipped")]
        else:
            lines.append(Line(f"∂L/∂{x}_c(j)", f"Σ_o Σ_(i, k: {at} = j) ∂L/∂z_o(i)·W_oc(k)", "conv_input"))
        return (("conv", Working(tuple(lines))),)

    # ── the derivation, read back from the tape: the product entry recorded the patches and the kernel ──
    def _recorded(self, lp):
        """(kernel as out_ch × (in_ch·k), patches samples × (in_ch·k) × positions) as the matmul entry saw them."""
        product = lp.nodes["product"]
        return product.local[1], product.local[0]

    def _source(self, lp, reader, c: int, tap: int) -> str:
        if tap < 0:
            return "0"
        return reader.source(self.index - 1, c * int(np.prod(self.in_shape[1:])) + int(tap))

    def unit_rows(self, lp, reader) -> list:
        """pos_in = Σ w·x + b over the kernel (inputs in the zero padding left out), pos_out = f(pos_in)."""
        W, patches = self._recorded(lp)
        taps, k, P = lp.constants["taps"], int(np.prod(self.weights.shape[2:])), self.positions
        names = self.weight_names()
        b, z, a = lp.params[array_key("b", self.index)].data, lp.nodes["z"].data, lp.output.data
        samples = reader.spec.samples
        z, a = z.reshape(samples, -1), a.reshape(samples, -1)
        rows = []
        for s in range(samples):
            for u, unit in enumerate(self.unit_names):
                o, pos = divmod(u, P)
                terms = tuple((names[o * W.shape[1] + ck], float(W[o, ck]), self._source(lp, reader, ck // k, taps[ck % k, pos]),
                               float(patches[s, ck, pos]))
                              for ck in range(W.shape[1]) if taps[ck % k, pos] >= 0)
                rows.append(UnitForward(self.index, unit, s + 1, terms, f"b_{self.name}{o + 1}", float(b[o]),
                                        float(z[s, u]), float(a[s, u]), self.activation, self.alpha))
        return rows

    def deltas(self, lp, reader) -> list:
        return activation.delta_rows(self, lp, reader.spec.samples)

    def terms(self, lp, reader) -> list:
        """∂L/∂w of every kernel element as its sum over output positions (and samples): one chain per position,
        ∂L/∂pos_out · ∂pos_out/∂pos_in · x under the element there; ∂L/∂b likewise with ∂pos_in/∂b = 1."""
        n, samples, P = self.index, reader.spec.samples, self.positions
        _, patches = self._recorded(lp)
        taps, k = lp.constants["taps"], int(np.prod(self.weights.shape[2:]))
        grads = {key: lp.params[array_key(key, n)].grad for key in ("W", "b")}
        one = float(lp.nodes["z"].local[1])  # the add entry z = product + b recorded ∂z/∂b = 1
        terms = []
        for (name, key), idx in zip(self.param_names(()), np.ndindex(self.weights.shape)):
            o, ck = idx[0], int(np.ravel_multi_index(idx[1:], self.weights.shape[1:]))
            chains = tuple(activation.chain(self, lp, s, o * P + pos, self.unit_names[o * P + pos],
                                            Factor(node_in(self.unit_names[o * P + pos]), name, float(patches[s, ck, pos]),
                                                   self._source(lp, reader, ck // k, taps[ck % k, pos])),
                                            self.unit_names[o * P + pos])
                           for s in range(samples) for pos in range(P))
            terms.append(Term(name, key, n, "weight", float(grads["W"][idx]), chains))
        for o, (name, key) in enumerate(self.param_names(())[self.weights.size:]):
            chains = tuple(activation.chain(self, lp, s, o * P + pos, self.unit_names[o * P + pos],
                                            Factor(node_in(self.unit_names[o * P + pos]), name, one, "1"),
                                            self.unit_names[o * P + pos])
                           for s in range(samples) for pos in range(P))
            terms.append(Term(name, key, n, "bias", float(grads["b"][o]), chains))
        return terms

    def input_paths(self, lp, s, a, unit, source) -> tuple:
        """Input ``a`` reaches every output whose window covers it: ∂L/∂pos_in · w (the full correlation with the
        flipped kernel, written as its sum)."""
        W, _ = self._recorded(lp)
        taps, k, P = lp.constants["taps"], int(np.prod(self.weights.shape[2:])), self.positions
        spatial = int(np.prod(self.in_shape[1:]))
        c, r = divmod(a, spatial)
        dz = lp.nodes["z"].grad.reshape(lp.nodes["z"].shape[0], -1)
        names = self.weight_names()
        offsets, positions = np.nonzero(taps == r)
        return tuple(Path(self.unit_names[o * P + pos], f"∂L/∂{node_in(self.unit_names[o * P + pos])}",
                          float(dz[s, o * P + pos]), names[o * W.shape[1] + c * k + off], float(W[o, c * k + off]))
                     for o in range(self.out_shape[0]) for off, pos in zip(offsets, positions))


def read(table: dict, ctx, dims: int = 2) -> Conv2d:
    """A convolution from its table: ``weights`` (out × in × kh × kw, or out × in × k when ``dims`` is 1),
    ``bias``, ``stride``, ``padding``."""
    what = f"conv{dims}d"
    shape = need_map(ctx, what, dims)
    act, alpha = activation.read(table, ctx)
    if act == "softmax":
        ctx.fail(f"softmax is not an activation of {what} (over which axis?); use a dense layer after flatten",
                 "activation")
    W, b = _given(table, ctx, shape, dims) if "weights" in table else _drawn(table, ctx, shape, dims)
    stride = read_pair(ctx, table, "stride", 1, 1, 64, dims)
    padding = read_pair(ctx, table, "padding", 0, 0, 64, dims)
    out = window_fits(ctx, shape, W.shape[2:], stride, padding, f"kernel (weights {'×'.join(map(str, W.shape))})")
    out_shape = (W.shape[0], *out)
    spatial = int(np.prod(shape[1:]))
    if np.prod(out_shape) > MAX_MAP_ELEMENTS:
        ctx.fail(f"the output map {'×'.join(map(str, out_shape))} is over the limit of {MAX_MAP_ELEMENTS} elements")
    gathered = spatial * int(np.prod(W.shape[2:])) * int(np.prod(out))
    if gathered > MAX_SELECTION:
        ctx.fail(f"a {'×'.join(map(str, W.shape[2:]))} kernel over the input {'×'.join(map(str, shape))} gathers "
                 f"through {gathered:,} entries, over the limit of {MAX_SELECTION:,} (use a smaller input or stride > 1)")
    if "weights" in table:
        ctx.count(W.size)
    layer = Conv2d(ctx.index, ctx.name, act, W, b, shape, stride, padding, out_shape, map_names(ctx.name, out_shape),
                   alpha)
    return layer if dims == 2 else Conv1d(**{f: getattr(layer, f) for f in layer.__dataclass_fields__})


def _given(table, ctx, shape, dims):
    """``weights`` and ``bias`` as written in the spec."""
    kernel = "out_channels × in_channels × kh × kw" if dims == 2 else "out_channels × in_channels × k"
    for key in ("units", "kernel", "init"):
        if key in table:
            ctx.fail(f"give either weights and bias, or units, kernel and init, not both ({key!r} with 'weights')")
    if "bias" not in table:
        ctx.fail(f"missing key 'bias' (weights {kernel}, bias one per out channel)")
    W = ctx.fields.tensor(f"{ctx.where} weights", table["weights"], dims + 2)
    if W.shape[1] != shape[0]:
        ctx.fail(f"the kernel has {W.shape[1]} input channels but its input has {shape[0]} "
                 f"(input {'×'.join(map(str, shape))}, weights {'×'.join(map(str, W.shape))})", "weights")
    b = ctx.fields.vector(f"{ctx.where} bias", table["bias"])
    if b.shape[0] != W.shape[0]:
        ctx.fail(f"expected {W.shape[0]} numbers (one per output channel), got {b.shape[0]}", "bias")
    return W, b


def _drawn(table, ctx, shape, dims):
    """``units`` output channels of ``kernel`` drawn by ``init`` (as a dense layer of fan_in = in_channels·k and
    units = out_channels) from the spec's seed; biases 0."""
    from dataclasses import replace as changed

    from .dense import _initial_weights

    if "units" not in table or "kernel" not in table:
        ctx.fail("missing 'weights' and 'bias' (or 'units', 'kernel' and 'init')")
    if "bias" in table:
        ctx.fail("'bias' goes with 'weights'; with 'units', 'kernel' and 'init' the biases start at 0")
    if ctx.budget.seed is None:
        ctx.fail("'units' with 'init' needs a top-level seed (for example seed = 0), so runs repeat")
    units = ctx.fields.whole(f"{ctx.where} units", table["units"], 1, 256)
    k = read_pair(ctx, table, "kernel", None, 1, 64, dims)
    fan_in = shape[0] * int(np.prod(k))
    ctx.count(units * fan_in)  # before drawing: a net past the limit is never allocated
    drawn = _initial_weights(changed(ctx, fan_in=fan_in), table.get("init", "xavier_normal"), units)
    return drawn.T.reshape(units, shape[0], *k), np.zeros(units)


@dataclass(frozen=True)
class Conv1d(Conv2d):
    """One conv1d layer: as :class:`Conv2d` over channels × length (``torch.nn.functional.conv1d``)."""

    kind = "conv1d"


def _axes(values, pair: bool = False) -> str:
    """One number per axis as the working writes it: ``2`` in 1-D or when every axis agrees (unless ``pair``),
    else ``(2, 3)``."""
    values = tuple(int(v) for v in values)
    return str(values[0]) if len(set(values)) == 1 and not pair else "(" + ", ".join(map(str, values)) + ")"


def _term_sizes(W, patches, b):
    """Σ|w·x| + |b| of every output and sample (samples × outputs in C order), worked out once when first asked:
    how far rounding can put a pre-activation from 0 (:func:`activation.settle_kinks`)."""
    kept = []

    def sizes():
        if not kept:
            kernel = np.abs(W.data).reshape(W.shape[0], -1)
            out = kernel @ np.abs(patches.data) + np.abs(b.data)[:, None]  # samples × out_ch × positions
            kept.append(out.reshape(out.shape[0], -1))
        return kept[0]

    return sizes
