"""The dense layer: ``z = a_prev @ W + b``, ``a = activation(z)`` — and the model for every other kind.

A spec's ``[[layers]]`` table gives ``activation`` and either ``weights`` (fan_in × units) with ``bias``, or
``units`` with ``init`` (drawn from the spec's seed). Layer n's parameters are ``W{n}`` and ``b{n}``; its forward
keys ``z{n}`` and ``a{n}``. Each weight element is ``w_{source}{unit}``, each bias ``b_{unit}``.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[2.0]], "y": [[1.0]]},
...                   "layers": [{"name": "k", "activation": "sigmoid", "weights": [[0.5, -1.0]], "bias": [0.0, 1.0]},
...                              {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]})
>>> k = spec.layers[0]
>>> k.kind, k.unit_names, k.n_parameters, k.param_names(("x",))[:2]
('dense', ('k1', 'k2'), 4, [('w_xk1', 'W1[0][0]'), ('w_xk2', 'W1[0][1]')])

A new kind copies this module's shape: ``KEYS`` and :func:`read` for the spec, and a frozen layer spec whose
methods build the forward on the tape (:meth:`Dense.forward`) and read its own rows of the derivation back
(:meth:`Dense.unit_rows`, :meth:`Dense.deltas`, :meth:`Dense.terms`, :meth:`Dense.input_paths`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import SpecError
from ...tape import Tensor
from ..fields import kind_of, MAX_ABS_NUMBER
from ..init import initializer  # the same initialisers as the vanishing study
from ..records import Factor, Path, Term, UnitForward
from ..names import array_key, bias_name, element_key, node_drop, node_in, node_out, unit_names, weight_name
from . import LayerPass, activation, dropout as dropouts
from .arrays import ArrayParameters
from ...tape.workings import Line, Working

KEYS = ("activation", "weights", "bias", "units", "init", "alpha", "skip") + dropouts.KEYS
TAKES_STEPS = True   # after an rnn with return_sequences = true it is applied at every step (layers/steps.py)
ACTIVATIONS = activation.ACTIVATIONS
MAX_UNITS = 4096


@dataclass(frozen=True)
class Dense(ArrayParameters):
    """One dense layer: ``z = a_prev @ weights + bias``, ``a = activation(z)``."""

    index: int                       # 1-based
    name: str                        # the layer's letter, e.g. "k"
    activation: str
    weights: np.ndarray              # fan_in × units
    bias: np.ndarray | None          # units; None for ``bias = false`` (no b{n} anywhere)
    unit_names: tuple[str, ...]      # ("k1", "k2") or ("o",)
    alpha: float | None = None       # leaky_relu / elu parameter
    skip: int | None = None          # ``skip = "NAME"``: the index of the layer whose output is added after f
    dropout: dropouts.Dropout | None = None   # inverted dropout on the output (after f and the skip)
    #: a slip of the hand computation, set only by the mistake catalogue (backcalc.grading.graph_mistakes):
    #: "skip_left_out" (the skip's gradient path dropped), "skip_twice" (counted twice); the forward is the same
    slip: str = ""

    kind = "dense"
    affine = True   # z = a_prev @ W + b, unit by unit: the general δ rule and the matrix form dW = aᵀ·δ hold
    ARRAYS = (("W", "weights"), ("b", "bias"))

    @property
    def units(self) -> int:
        return self.weights.shape[1]

    @property
    def fan_in(self) -> int:
        return self.weights.shape[0]

    # ── parameters and names ──
    @property
    def multiply_adds(self) -> int:
        return self.weights.size

    def param_names(self, sources) -> list:
        """(display name, canonical key) of every element: weights row-major, then biases."""
        n = self.index
        out = [(weight_name(sources[a], self.unit_names[b]), element_key("W", n, a, b))
               for a in range(self.fan_in) for b in range(self.units)]
        if self.bias is None:
            return out
        return out + [(bias_name(self.unit_names[b]), element_key("b", n, b)) for b in range(self.units)]

    # ── the forward on the tape ──
    @property
    def reads(self) -> tuple:
        return (self.index - 1,) + ((self.skip,) if self.skip is not None else ())

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        n = self.index
        W, b = leaves[array_key("W", n)], leaves.get(array_key("b", n))
        # Σ|a| per sample, taken before the matmul may drop a's array: bounds each unit's Σ|term| for the kink
        source_sizes = np.abs(a.data).sum(axis=1) if activation.kinked(self) else None
        product = a @ W
        z = product + b if self.bias is not None else product  # bias = false: z = a·W
        z.label = array_key("z", n)
        kinks = activation.settle_kinks(self, z, *_term_sizes(a, W, b, source_sizes), self.fan_in + (b is not None))
        f = out = activation.apply(self, z)
        nodes = {"product": product, "z": z}
        if self.skip is not None:  # the fork's second path: the output of layer NAME added as it is
            skipped = earlier[self.skip]
            if self.slip == "skip_left_out":  # the same value, no gradient back through the skip
                skipped = Tensor(skipped.data, requires_grad=False)
            elif self.slip == "skip_twice":  # 2e − e is e exactly; its gradient is 2·∂L/∂out
                skipped = skipped * 2.0 - Tensor(skipped.data, requires_grad=False)
            out = add_skip(f, skipped)
            nodes["f"], nodes["skipped"] = f, skipped
        out.label = array_key("a", n)
        if self.dropout is not None:  # u_drop = u_out·mask/(1 − p): what the next layer reads
            nodes.update(f=f, a=out)
            out = out * self.dropout.scale
            out.label = array_key("drop", n)
            nodes["drop"] = out
        return LayerPass(self, a, out, leaves, nodes, kinks=kinks)

    def forward_values(self, lp: LayerPass) -> dict:
        n = self.index
        out = {array_key("z", n): lp.nodes["z"].data.tolist(),
               array_key("a", n): lp.nodes.get("a", lp.output).data.tolist()}
        if self.dropout is not None:
            out[array_key("drop", n)] = lp.output.data.tolist()
        return out

    # ── reading the derivation back from the tape ──
    @staticmethod
    def _source_value(lp: LayerPass, s: int, a: int) -> float:
        # the matmul entry recorded a_prev as the factor that pairs with W
        return float(lp.nodes["product"].local[1][s, a])

    def unit_rows(self, lp: LayerPass, reader) -> list:
        """unit_in = Σ w·source + b and unit_out = f(unit_in), for every unit and sample."""
        n = self.index
        W = lp.nodes["product"].local[0]  # the weights as the matmul entry saw them
        b = lp.params[array_key("b", n)].data if self.bias is not None else None
        sources = reader.spec.unit_names(n - 1)
        skipped = lp.nodes["skipped"].data if self.skip is not None else None  # NAME's output, as added after f
        out = lp.nodes.get("a", lp.output).data
        rows = []
        for s in range(reader.spec.samples):
            for c, unit in enumerate(self.unit_names):
                terms = tuple((weight_name(sources[a], unit), float(W[a, c]), reader.source(n - 1, a),
                               self._source_value(lp, s, a)) for a in range(self.fan_in))
                skip = (reader.source(self.skip, c), float(skipped[s, c])) if skipped is not None else ()
                drop = None if self.dropout is None else (float(self.dropout.mask[s, c]), self.dropout.p,
                                                          float(lp.output.data[s, c]))
                rows.append(UnitForward(n, unit, s + 1, terms, bias_name(unit) if b is not None else "",
                                        float(b[c]) if b is not None else 0.0,
                                        float(lp.nodes["z"].data[s, c]), float(out[s, c]),
                                        self.activation, self.alpha, skip, drop))
        return rows

    def input_paths(self, lp: LayerPass, s: int, a: int, unit: str, source: int) -> tuple:
        """The paths from input unit ``a`` (named ``unit``) of sample ``s``: ∂L/∂v_in · w_{unit}{v}, per unit v."""
        paths = ()
        if source == self.skip:  # straight through the skip: ∂L/∂v_out · 1 (the gradient splits at the fork)
            v = self.unit_names[a]
            paths = (Path(v, f"∂L/∂{node_out(v)}", float(lp.nodes.get("a", lp.output).grad[s, a]), "1", 1.0,
                          skip=True),)
        if source != self.index - 1:
            return paths
        W = lp.nodes["product"].local[0]  # as recorded by this layer's matmul entry
        dz = lp.nodes["z"].grad
        return tuple(Path(v, f"∂L/∂{node_in(v)}", float(dz[s, k]), weight_name(unit, v), float(W[a, k]))
                     for k, v in enumerate(self.unit_names)) + paths

    def deltas(self, lp: LayerPass, reader) -> list:
        """δ = ∂L/∂unit_in for every unit and sample (softmax: a sum over the layer's outputs)."""
        return activation.delta_rows(self, lp, reader.spec.samples)

    def terms(self, lp: LayerPass, reader) -> list:
        """∂L/∂w and ∂L/∂b of every element, each a chain of factors per sample."""
        n, samples = self.index, reader.spec.samples
        sources = reader.spec.unit_names(n - 1)
        W, b = lp.params[array_key("W", n)], lp.params.get(array_key("b", n))
        terms = []
        for a in range(self.fan_in):
            src = reader.source(n - 1, a)
            for c, unit in enumerate(self.unit_names):
                wname = weight_name(sources[a], unit)
                chains = tuple(activation.chain(self, lp, s, c, unit,
                                                Factor(node_in(unit), wname, self._source_value(lp, s, a), src))
                               for s in range(samples))
                terms.append(Term(wname, element_key("W", n, a, c), n, "weight", float(W.grad[a, c]), chains))
        if b is None:
            return terms
        one = float(lp.nodes["z"].local[1])  # the add entry z = (a@W) + b recorded ∂z/∂b = 1
        for c, unit in enumerate(self.unit_names):
            bname = bias_name(unit)
            chains = tuple(activation.chain(self, lp, s, c, unit, Factor(node_in(unit), bname, one, "1"))
                           for s in range(samples))
            terms.append(Term(bname, element_key("b", n, c), n, "bias", float(b.grad[c]), chains))
        return terms

    def working(self, spec) -> tuple:
        """``(topic, Working)`` of a skip's sum (both paths' gradients added at the fork) and of dropout's mask,
        at the layer's first unit; ``()`` for a plain dense layer (the weighted sum and the δ rule cover it)."""
        unit, out = self.unit_names[0], []
        rule = activation.RULES[self.activation]
        if self.skip is not None:
            source = spec.layers[self.skip - 1] if self.skip else None
            src = spec.input_unit_names[0] if source is None else \
                (node_drop if getattr(source, "dropout", None) is not None else node_out)(source.unit_names[0])
            f = rule.expression(a=node_in(unit)) if rule.elementwise else f"{rule.sign}({node_in(unit)})"
            out.append(("skip", Working((
                Line(node_out(unit), f"{f} + {src}", "skip_definition"),
                Line(f"∂{node_out(unit)}/∂{src}", activation.RULES["add"].formula(1), "sum"),
                Line(f"∂L/∂{src}", f"Σ_k ∂L/∂k_in·∂k_in/∂{src} + ∂L/∂{node_out(unit)}·1", "skip_paths")))))
        if self.dropout is not None:
            out.append(("dropout", self.dropout.working(unit, rule.sign)))
        return tuple(out)


def add_skip(f, skipped):
    """A skip connection's sum: the layer's f(z) plus the output it skips from, added as it is (so ∂L/∂out
    passes straight back to it). The one implementation: dense layers and the vanishing study's ``--residual``.

    >>> from backcalc.tape import Tensor
    >>> add_skip(Tensor([0.5]), Tensor([1.0])).data.tolist()
    [1.5]
    """
    return f + skipped


# ─────────────────────────────────────────── reading the spec ───────────────────────────────────────────

def read(table: dict, ctx) -> Dense:
    """A :class:`Dense` from its ``[[layers]]`` table (keys already checked against :data:`KEYS`)."""
    act, alpha = activation.read(table, ctx)
    W, b = _given(table, ctx) if "weights" in table else _drawn(table, ctx)
    if act == "softmax" and W.shape[1] < 2:
        ctx.fail("softmax needs at least 2 units", "activation")
    skip = _skip(table, ctx, W.shape[1]) if "skip" in table else None
    return Dense(ctx.index, ctx.name, act, W, b, unit_names(ctx.name, W.shape[1]), alpha, skip,
                 dropouts.read(table, ctx, W.shape[1]))


def _skip(table, ctx, units: int) -> int:
    """The index of the earlier layer ``skip`` names (0 for the input, by ``data.input_name``); its output must
    have this layer's shape."""
    name = table["skip"]
    if isinstance(name, str) and name == ctx.input_name and ctx.input_units:
        if ctx.input_units != units:
            ctx.fail(f"the input {name!r} gives {ctx.input_units} values per sample and this layer {units}: a skip "
                     f"adds outputs of the same shape", "skip")
        return 0
    source = next((layer for layer in ctx.earlier if isinstance(name, str) and layer.name == name), None)
    if source is None:
        names = [repr(ctx.input_name)] * bool(ctx.input_units) + [repr(l.name) for l in ctx.earlier]
        ctx.fail(f"expected the name of an earlier layer or the input (one of {', '.join(names)})"
                 f", got {kind_of(name) if not isinstance(name, str) else repr(name)}", "skip")
    if source.units != units:
        ctx.fail(f"layer {source.name!r} gives {source.units} units per sample and this layer {units}: a skip adds "
                 f"outputs of the same shape", "skip")
    return source.index


def _given(table, ctx):
    """``weights`` and ``bias`` as written in the spec."""
    f, where, fan_in = ctx.fields, ctx.where, ctx.fan_in
    for k in ("units", "init"):
        if k in table:
            ctx.fail(f"give either weights and bias, or units and init, not both ({k!r} with 'weights')")
    if "bias" not in table:
        ctx.fail("missing key 'bias' (one number per unit, or bias = false for a layer without bias)")
    W = f.matrix(f"{where} weights", table["weights"], flat_is_row=(fan_in == 1))
    if W.shape[0] != fan_in:
        prev = "data.x has" if ctx.index == 1 else f"layers[{ctx.index - 1}] has"
        ctx.fail(f"expected {fan_in}×{W.shape[1]} (fan_in × units: {prev} {fan_in} units), "
                 f"got {W.shape[0]}×{W.shape[1]}", "weights")
    ctx.count(W.size)
    b = _no_bias(table, ctx)
    if b is False:
        return W, None
    b = f.vector(f"{where} bias", table["bias"])
    if b.shape[0] != W.shape[1]:
        ctx.fail(f"expected {W.shape[1]} numbers (one per unit), got {b.shape[0]}", "bias")
    return W, b


def _no_bias(table, ctx):
    """False for ``bias = false``; ``bias = true`` is refused (give the numbers), any list is left to be read."""
    v = table.get("bias")
    if v is False:
        return False
    if v is True:
        ctx.fail("expected a list of numbers (one per unit) or false (no bias), got true", "bias")
    return None


def _drawn(table, ctx):
    """``units`` weights drawn by ``init`` from the spec's seed; biases 0."""
    if "units" not in table:
        ctx.fail("missing 'weights' and 'bias' (or 'units' with 'init')")
    units = ctx.fields.whole(f"{ctx.where} units", table["units"], 1, MAX_UNITS)
    if "bias" in table and table["bias"] is not False:
        ctx.fail("'bias' goes with 'weights'; with 'units' and 'init' the biases start at 0 (or write bias = false "
                 "for a layer without bias)")
    init = table.get("init", "xavier_normal")
    if ctx.budget.seed is None:
        ctx.fail("'units' with 'init' needs a top-level seed (for example seed = 0), so runs repeat")
    ctx.count(ctx.fan_in * units)  # before drawing: a net past the limit is never allocated
    return _initial_weights(ctx, init, units), (None if table.get("bias", True) is False else np.zeros(units))


def _initial_weights(ctx, init, units) -> np.ndarray:
    where = f"{ctx.where} init"
    if not isinstance(init, str):
        ctx.fields.fail(where, f"expected an init name such as \"xavier_normal\" or \"normal:0.01\", got {kind_of(init)}")
    try:
        make = initializer(init, max_scale=MAX_ABS_NUMBER)  # as every number in a spec
    except SpecError:
        raise
    except Exception as exc:  # the initialiser module words its own message
        ctx.fields.fail(where, str(exc).removeprefix("init: "))
    return np.asarray(make(ctx.budget.rng(), ctx.fan_in, units), dtype=np.float64)


def _term_sizes(a, W, b, source_sizes) -> tuple:
    """(upper, exact) of Σ_a |a·w| + |b| for each unit and sample, as :func:`activation.settle_kinks` reads them:
    a cheap bound (Σ|a| times the column's largest |w|), and the exact sum for the few candidates it leaves."""
    bias = np.abs(b.data) if b is not None else 0.0

    def upper():
        return source_sizes[:, None] * np.abs(W.data).max(axis=0, initial=0.0)[None, :] + bias

    def exact(index):
        rows, cols = index
        sizes = (np.abs(a.data[rows]) * np.abs(W.data[:, cols]).T).sum(axis=1)
        return sizes + (bias[cols] if b is not None else 0.0)

    return upper, exact
