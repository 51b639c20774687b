"""A dense layer applied at every step of a sequence: after an rnn with ``return_sequences = true``.

The same weights and bias at every step t: ``o_t_in = Σ_u w_{u}{o}·u_t_out + b_o``, ``o_t_out = f(o_t_in)``; the
loss is summed over the steps (and then reduced over samples by the loss kind's rule). On the tape each (sample,
step) is one row of the matmul, samples·steps × units, so the tape differentiates the sums over steps itself.

Names: unit o at step t is ``o{c}t{t}`` (``ot{t}`` for one unit), as the rnn's; the weights are shared by every
step, so they carry no step: ``w_r1o`` (unit r1 to o), ``b_o``. Forward keys ``z{n}`` and ``a{n}`` are samples ×
steps × units; data.y is samples × steps × outputs (samples × steps class indices for cross_entropy).

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[[1.0], [0.5]]], "y": [[[0.5], [0.0]]]},
...     "layers": [{"kind": "rnn", "name": "r", "weights_x": [[0.5]], "weights_h": [[1.0]], "bias": [0.0],
...                 "return_sequences": True}, {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]})
>>> o = spec.layers[1]
>>> o.unit_names, o.out_steps, [n for n, _ in o.param_names(spec.layers[0].unit_names)]
(('ot1', 'ot2'), 2, ['w_ro', 'b_o'])
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from ..fields import kind_of
from ..names import array_key, bias_name, element_key, node_in, node_out, unit_names, weight_name
from ..records import Factor, Path, Term, UnitForward
from . import LayerPass, activation
from .dense import Dense


def step_names(base: tuple, t: int) -> tuple:
    """``("o1", "o2")``, 2 → ``("o1t2", "o2t2")``."""
    return tuple(f"{u}t{t}" for u in base)


@dataclass(frozen=True)
class StepDense(Dense):
    """A :class:`Dense` applied at each of ``steps`` steps; ``base`` its units' names without a step, ``sources``
    the names of the units it reads without a step (``("r1", "r2")``)."""

    steps: int = 1
    base: tuple = ()
    sources: tuple = ()

    @property
    def out_steps(self) -> int:
        return self.steps

    def step_units(self, t: int) -> tuple:
        """The units' names at step ``t`` (``("ot2",)``)."""
        return step_names(self.base, t)

    @property
    def term_records(self) -> int:
        return self.n_parameters * self.steps

    @property
    def multiply_adds(self) -> int:
        return self.weights.size * self.steps

    def param_names(self, sources) -> list:
        """``w_{source}{unit}`` row-major, then ``b_{unit}``: the same at every step."""
        n = self.index
        out = [(weight_name(self.sources[a], self.base[c]), element_key("W", n, a, c))
               for a in range(self.fan_in) for c in range(self.units)]
        return out + [(bias_name(self.base[c]), element_key("b", n, c)) for c in range(self.units)]

    # ── the forward on the tape: one row per (sample, step) ──
    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        n, S = self.index, a.shape[0]
        rows = a.reshape(S * self.steps, self.fan_in)  # row s·T + t − 1 is sample s's input at step t
        product = rows @ leaves[array_key("W", n)]
        z = product + leaves[array_key("b", n)]
        z.label = array_key("z", n)
        f = activation.apply(self, z)  # softmax over each row: each step's outputs
        out = f.reshape(S, self.steps * self.units)
        out.label = array_key("a", n)
        return LayerPass(self, a, out, leaves, {"product": product, "z": z, "f": f})

    def forward_values(self, lp: LayerPass) -> dict:
        S, T, n = lp.output.shape[0], self.steps, self.index
        return {array_key("z", n): lp.nodes["z"].data.reshape(S, T, self.units).tolist(),
                array_key("a", n): lp.nodes["f"].data.reshape(S, T, self.units).tolist()}

    # ── the derivation, read back from the tape ──
    def _row(self, s: int, t: int) -> int:
        return s * self.steps + t - 1

    def unit_rows(self, lp: LayerPass, reader) -> list:
        """o_t_in = Σ w·u_t_out + b and o_t_out = f(o_t_in), every step, sample and unit."""
        n, U = self.index, self.fan_in
        W, x = lp.nodes["product"].local  # the weights and the rows as the matmul entry saw them
        b, z, f = lp.params[array_key("b", n)].data, lp.nodes["z"].data, lp.nodes["f"].data
        names = self.param_names(())
        rows = []
        for s in range(reader.spec.samples):
            for t in range(1, self.steps + 1):
                r = self._row(s, t)
                srcs = tuple(reader.source(n - 1, (t - 1) * U + a) for a in range(U))
                for c, unit in enumerate(step_names(self.base, t)):
                    terms = tuple((names[a * self.units + c][0], float(W[a, c]), srcs[a], float(x[r, a]))
                                  for a in range(U))
                    rows.append(UnitForward(n, unit, s + 1, terms, bias_name(self.base[c]), float(b[c]),
                                            float(z[r, c]), float(f[r, c]), self.activation, self.alpha))
        return rows

    def input_paths(self, lp: LayerPass, s: int, a: int, unit: str, source: int) -> tuple:
        """The paths from unit ``a`` of the sequence it reads (step t = a // units + 1): ∂L/∂o_t_in · w, per o."""
        t, u = divmod(a, self.fan_in)
        W, dz = lp.nodes["product"].local[0], lp.nodes["z"].grad
        r = self._row(s, t + 1)
        return tuple(Path(v, f"∂L/∂{node_in(v)}", float(dz[r, k]), weight_name(self.sources[u], self.base[k]),
                          float(W[u, k])) for k, v in enumerate(step_names(self.base, t + 1)))

    def at(self, t: int):
        """The layer as seen at step ``t`` (its units' names there), for the activation's formulas."""
        return replace(self, unit_names=step_names(self.base, t))

    def deltas(self, lp: LayerPass, reader) -> list:
        """δ of every unit at every step, the last step first; each row's sample and unit named by its step."""
        samples, T = reader.spec.samples, self.steps
        flat = activation.delta_rows(replace(self, unit_names=self.base), lp, samples * T)
        out = []
        for t in range(T, 0, -1):
            view = self.at(t)
            for s in range(samples):
                for c, unit in enumerate(view.unit_names):
                    d = flat[self._row(s, t) * self.units + c]
                    jac = tuple((g, v, f"{j}t{t}") for g, v, j in d.jacobian)
                    out.append(replace(d, unit=unit, sample=s + 1, formula=activation.formula(view, unit), jacobian=jac))
        return out

    def terms(self, lp: LayerPass, reader) -> list:
        """∂L/∂w and ∂L/∂b of every element as a sum over the steps (and samples): one chain per step."""
        n, samples, U = self.index, reader.spec.samples, self.fan_in
        W, b = lp.params[array_key("W", n)], lp.params[array_key("b", n)]
        x = lp.nodes["product"].local[1]
        one = float(lp.nodes["z"].local[1])  # the add entry z = (a@W) + b recorded ∂z/∂b = 1
        terms = []
        for k, (name, key) in enumerate(self.param_names(())):
            a, c = divmod(k, self.units) if k < U * self.units else (None, k - U * self.units)
            chains = []
            for s in range(samples):
                for t in range(1, self.steps + 1):
                    r, unit = self._row(s, t), step_names(self.base, t)[c]
                    last = (Factor(node_in(unit), name, float(x[r, a]), reader.source(n - 1, (t - 1) * U + a))
                            if a is not None else Factor(node_in(unit), name, one, "1"))
                    ch = activation.chain(self, lp, r, c, unit, last, f"t{t}")
                    chains.append(replace(ch, sample=s + 1))
            grad = W.grad[a, c] if a is not None else b.grad[c]
            terms.append(Term(name, key, n, "weight" if a is not None else "bias", float(grad), tuple(chains), "steps"))
        return terms


def refuse_keys(table: dict, ctx) -> None:
    """What a layer applied at every step does not take (yet): a skip, dropout, ``bias = false``."""
    if "skip" in table:
        ctx.fail("a skip on a layer applied at every step (after return_sequences = true) is not built; leave it out",
                 "skip")
    for key in ("dropout", "dropout_mask"):
        if key in table:
            ctx.fail("dropout on a layer applied at every step (after return_sequences = true) is not built; leave "
                     "it out", key)
    if table.get("bias", True) is False:
        ctx.fail("bias = false on a layer applied at every step (after return_sequences = true) is not built; give "
                 "the bias", "bias")


def per_step(layer: Dense, before) -> StepDense:
    """``layer`` applied at every step of ``before`` (an rnn with return_sequences, or another such layer)."""
    base = unit_names(layer.name, layer.units)
    steps = before.out_steps
    names = tuple(name for t in range(1, steps + 1) for name in step_names(base, t))
    sources = tuple(u[: -len(f"t{1}")] for u in before.unit_names[: layer.fan_in])  # step 1's names, step cut off
    own = {fl.name: getattr(layer, fl.name) for fl in fields(layer)}
    return StepDense(**{**own, "unit_names": names}, steps=steps, base=base, sources=sources)


def read_targets(f, v, samples: int, steps: int, outputs: int, loss: str) -> np.ndarray:
    """data.y for a loss at every step: samples × steps × outputs (a sample's steps may be a flat list when there
    is one output), or samples × steps class indices for cross_entropy."""
    where = "data.y"
    depth = _depth(v)
    want = 2 if loss == "cross_entropy" else 3
    if depth == 2 and loss != "cross_entropy" and outputs == 1:
        v, depth = [[[c] if not isinstance(c, list) else c for c in row] if isinstance(row, list) else row
                    for row in v], 3
    got = _shape_words(v) if depth != want else None
    y = f.tensor(where, v, want) if got is None else None
    if y is not None and (y.shape[:2] != (samples, steps) or (want == 3 and y.shape[2] != outputs)):
        got = "×".join(map(str, y.shape))
    if got is not None and loss == "cross_entropy":
        f.fail(where, f"expected {samples}×{steps} (samples × steps: a class index at every step): the rnn returns "
                      f"every step (return_sequences = true), got {got}")
    if got is not None:
        f.fail(where, f"expected {samples}×{steps}×{outputs} (samples × steps × outputs: a target at every step): the "
                      f"rnn returns every step (return_sequences = true), got {got}")
    if loss == "cross_entropy":
        if np.any(y != np.round(y)) or np.any((y < 0) | (y >= outputs)):
            f.fail(where, f"expected class indices from 0 to {outputs - 1} at every step")
        return y.astype(np.int64)
    if loss == "bce" and np.any((y < 0) | (y > 1)):
        f.fail(where, "bce targets must lie between 0 and 1")
    return y


def refuse_per_step_targets(f, v, layers) -> None:
    """A y written at every step (samples × steps × outputs) for a net whose rnn hands on h_T only: exit 2 naming
    the rnn and both shapes."""
    rnn = next((layer for layer in layers if hasattr(layer, "out_steps") and not layer.out_steps
                and hasattr(layer, "steps")), None)
    if rnn is None or _depth(v) < 3:
        return
    samples, outputs = len(v), layers[-1].units
    f.fail("data.y", f"expected {samples}×{outputs} (samples × output units): layers[{rnn.index}] (\"{rnn.name}\") "
                     f"hands on h_T only, got {_shape_words(v)}, a target at every step; for a loss at every step "
                     f"write return_sequences = true in that layer")


def _depth(v) -> int:
    depth = 0
    while isinstance(v, list) and v:
        depth, v = depth + 1, v[0]
    return depth


def _shape_words(v) -> str:
    """``1×3`` for a nested list (its first entries' lengths), ``a number`` for a scalar."""
    dims = []
    while isinstance(v, list) and v:
        dims.append(len(v))
        v = v[0]
    return "×".join(map(str, dims)) if dims else kind_of(v)
