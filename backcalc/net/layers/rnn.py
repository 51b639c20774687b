"""The recurrent layer (``kind = "rnn"``): h_t = f(x_t·Wx + h_{t−1}·Wh + b) for t = 1…T, f = tanh by default.

``weights_x`` is features × units, ``weights_h`` units × units, ``bias`` one number per unit, ``h0`` the state
before the first step (zeros unless given: one row, or samples × units), ``activation`` (default tanh). Data
``x`` is samples × steps × features (a sample written as one flat list is one feature per step). The layer hands
h_T to the next layer (``return_sequences = false``), or every h_t, samples × (steps·units), to a dense layer applied
at every step (``return_sequences = true``: :mod:`backcalc.net.layers.steps`). Parameters ``Wx{n}``, ``Wh{n}``, ``b{n}``; forward key
``h{n}`` (samples × steps × units) and ``a{n}`` (h_T).

Names: unit u of layer r at step t is ``r{u}t{t}`` (``rt{t}`` for a layer of one unit; ``r{u}t0`` is h0), input
feature f at step t ``x{f}t{t}``; the weights are shared by every step, so they carry no step: ``w_x1r1`` (feature
x1 to unit r1), ``w_r1r2`` (state r1 to unit r2 one step later), ``b_r1``. Their gradients are sums over the
time steps (backprop through time), one row per step in the derivation.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[[1.0], [0.5], [-1.0]]], "y": [[0.5]]},
...     "layers": [{"kind": "rnn", "name": "r", "weights_x": [[0.5, -0.5]], "weights_h": [[1.0, 0.0], [0.5, 1.0]],
...                 "bias": [0.0, 0.1]}, {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]})
>>> r = spec.layers[0]
>>> r.unit_names, r.steps, [n for n, _ in r.param_names(())][:3], spec.input_unit_names
(('r1t3', 'r2t3'), 3, ['w_xr1', 'w_xr2', 'w_r1r1'], ('xt1', 'xt2', 'xt3'))
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ..fields import kind_of
from ..names import array_key, bias_name, element_key, node_in, node_out, unit_names, weight_name
from ...tape.workings import Line, Working
from ..records import Factor, Path, Term, TimeNorm, UnitForward, Upstream
from . import LayerPass, activation
from .arrays import ArrayParameters

KEYS = ("weights_x", "weights_h", "bias", "h0", "activation", "alpha", "return_sequences")
TAKES_MAPS = True
MAP_AXES = 1      # data.x of depth 3 is samples × steps × features
FLAT_AXIS = 2     # a flat list per sample is one feature per step
MAX_STEPS = 64


def place(t: int, steps: int, units: int) -> np.ndarray:
    """The 0/1 matrix that puts step ``t``'s units (1-based) in their columns of ``steps``·``units``.

    >>> place(2, 3, 1).tolist()
    [[0.0, 1.0, 0.0]]
    """
    out = np.zeros((units, steps * units))
    out[np.arange(units), (t - 1) * units + np.arange(units)] = 1.0
    return out


def step_names(base: tuple, t: int) -> tuple:
    """The names of ``base``'s units at step ``t``: ``("r1", "r2")``, 2 → ``("r1t2", "r2t2")``."""
    return tuple(f"{u}t{t}" for u in base)


def input_names(input_name: str, shape: tuple) -> tuple:
    """Sequence data's input names, step by step: ``x{f}t{t}`` (``xt{t}`` for one feature)."""
    steps, features = shape
    return tuple(name for t in range(1, steps + 1) for name in step_names(unit_names(input_name, features), t))


@dataclass(frozen=True)
class Rnn(ArrayParameters):
    """One rnn layer over ``steps`` time steps; its output is h_T."""

    index: int
    name: str
    activation: str
    weights_x: np.ndarray        # features × units
    weights_h: np.ndarray        # units × units
    bias: np.ndarray             # units
    h0: np.ndarray               # 1 × units or samples × units
    steps: int
    base: tuple                  # the units' names without a step: ("r1", "r2")
    alpha: float | None = None
    sequence: bool = False       # return_sequences = true: h_t of every step goes on (a loss at every step)

    kind = "rnn"
    recurrent = True   # backprop through time: the grader's answer space and catalogue of rnn nets
    input_gradient = True   # the derivation shows ∂L/∂x_t of the data: Σ_u ∂L/∂u_t_in · w_x{f}u
    ARRAYS = (("Wx", "weights_x"), ("Wh", "weights_h"), ("b", "bias"))

    @property
    def units(self) -> int:
        return self.weights_h.shape[0]

    @property
    def in_shape(self) -> tuple:
        """One sample's input: steps × features."""
        return (self.steps, self.weights_x.shape[0])

    @property
    def unit_names(self) -> tuple:
        """What the next layer reads: h_T's units, or with ``sequence`` every step's, step by step."""
        if self.sequence:
            return tuple(name for t in range(1, self.steps + 1) for name in step_names(self.base, t))
        return step_names(self.base, self.steps)

    @property
    def out_steps(self) -> int:
        """The steps the next layer is applied at (0: it reads h_T once)."""
        return self.steps if self.sequence else 0

    def step_units(self, t: int) -> tuple:
        """The units' names at step ``t`` (``("r1t2", "r2t2")``; ``r{u}t0`` names h0)."""
        return step_names(self.base, t)

    @property
    def term_records(self) -> int:
        return self.n_parameters * self.steps

    @property
    def multiply_adds(self) -> int:
        return (self.weights_x.size + self.weights_h.size) * self.steps

    @property
    def reads(self) -> tuple:
        return (self.index - 1,)

    def feature_names(self, sources) -> tuple:
        """The input features without a step (``x1``, ``x2``), from the names of step 1's inputs."""
        features = self.weights_x.shape[0]
        return tuple(s[:-2] if s.endswith("t1") else s for s in sources[:features])

    def param_names(self, sources) -> list:
        """``w_{feature}{unit}`` of Wx row-major, ``w_{unit}{unit}`` of Wh, then ``b_{unit}``."""
        n, base = self.index, self.base
        feats = self.feature_names(sources) if sources else unit_names("x", self.weights_x.shape[0])
        out = [(weight_name(feats[f], base[u]), element_key("Wx", n, f, u))
               for f in range(self.weights_x.shape[0]) for u in range(self.units)]
        out += [(weight_name(base[v], base[u]), element_key("Wh", n, v, u)) for v in range(self.units)
                for u in range(self.units)]
        return out + [(bias_name(base[u]), element_key("b", n, u)) for u in range(self.units)]

    def working(self, spec) -> tuple:
        """``(topic, Working)`` of backprop through time: the step, ∂L/∂h_t by its two paths, the weights' sums
        over t, and an instance with the page's names (Wh's first element, summed over the steps written out)."""
        n, T, rule = self.index, self.steps, activation.RULES[self.activation]
        x = "x" if n == 1 else f"a{n - 1}"
        u = self.base[0]
        state = lambda t: f"{u}t0" if t == 0 else node_out(f"{u}t{t}")  # noqa: E731 (h0 has no _out)
        terms = [f"∂L/∂{node_in(f'{u}t{t}')}·{state(t - 1)}" for t in range(1, T + 1)]
        every = self.sequence  # return_sequences = true: a loss at every step
        lines = (
            Line("z_t", f"{x}_t·Wx + h_(t−1)·Wh + b", "definition"),
            Line("h_t", rule.expression(a="z_t"), "rnn_step"),
            Line("∂L/∂h_t", "g_t + ∂L/∂z_(t+1)·Whᵀ", "rnn_every" if every else "rnn_last"),
            Line("∂L/∂z_t", f"∂L/∂h_t ⊙ {rule.sign}′(z_t)", "chain"),
            Line("∂L/∂Wh", "Σ_t h_(t−1)ᵀ·∂L/∂z_t", "rnn_shared"),
            Line("∂L/∂Wx", f"Σ_t {x}_tᵀ·∂L/∂z_t", "rnn_shared"),
            Line("∂L/∂b", "Σ_t ∂L/∂z_t", "rnn_shared"),
            Line(f"∂L/∂{weight_name(u, u)}", " + ".join(terms if T <= 4 else terms[:2] + ["…", terms[-1]]),
                 "instance"),
        )
        return (("rnn", Working(lines)),)

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        n, T = self.index, self.steps
        samples, features = a.shape[0], self.weights_x.shape[0]
        flat = a.reshape(samples, T * features)
        h = np.broadcast_to(self.h0, (samples, self.units)).copy()
        h = type(a)(h, requires_grad=False)
        nodes, states, kinks = {}, [h], ()
        for t in range(1, T + 1):
            pick = np.zeros((T * features, features))
            pick[(t - 1) * features + np.arange(features), np.arange(features)] = 1.0
            x_t = flat @ pick
            nodes[f"x{t}"], nodes[f"hprev{t}"] = x_t @ leaves[array_key("Wx", n)], h @ leaves[array_key("Wh", n)]
            z = nodes[f"x{t}"] + nodes[f"hprev{t}"] + leaves[array_key("b", n)]
            kinks += self._settle(t, z, x_t.data, h.data, leaves)
            h = activation.apply(self, z)
            nodes[f"z{t}"], nodes[f"h{t}"] = z, h
            states.append(h)
        if self.sequence:  # h_1 … h_T side by side, samples × (steps·units): each placed by a 0/1 matrix
            h = states[1] @ place(1, T, self.units)
            for t in range(2, T + 1):
                h = h + states[t] @ place(t, T, self.units)
            nodes["seq"] = h
        h.label = array_key("a", n)
        return LayerPass(self, a, h, leaves, nodes, {"h0": states[0].data}, kinks=kinks)

    def _settle(self, t: int, z, x_t: np.ndarray, h_prev: np.ndarray, leaves: dict) -> tuple:
        """Step t's pre-activations that are 0 up to the rounding of their terms (x_t·Wx + h_(t−1)·Wh + b) taken as
        exactly 0 (:func:`activation.settle_kinks`), named by the step's units."""
        n = self.index
        Wx, Wh, b = (leaves[array_key(k, n)].data for k in ("Wx", "Wh", "b"))
        cache = []

        def sizes():
            if not cache:
                cache.append(np.abs(x_t) @ np.abs(Wx) + np.abs(h_prev) @ np.abs(Wh) + np.abs(b))
            return cache[0]

        view = SimpleNamespace(index=n, unit_names=step_names(self.base, t), units=self.units,
                               activation=self.activation, alpha=self.alpha)
        return activation.settle_kinks(view, z, sizes, lambda index: sizes()[index], Wx.shape[0] + self.units + 1)

    def forward_values(self, lp: LayerPass) -> dict:
        n = self.index
        hs = np.stack([lp.nodes[f"h{t}"].data for t in range(1, self.steps + 1)], axis=1)
        return {array_key("h", n): hs.tolist(), array_key("a", n): hs.tolist() if self.sequence else lp.output.data.tolist()}

    # ── the derivation, read back from the tape, step by step ──
    def at(self, lp, t: int):
        """Step ``t`` as a layer pass of its own (``z`` and output h_t), for the activation's rows."""
        view = SimpleNamespace(index=self.index, unit_names=step_names(self.base, t), units=self.units,
                               activation=self.activation, alpha=self.alpha)
        return view, LayerPass(view, None, lp.nodes[f"h{t}"], lp.params, {"z": lp.nodes[f"z{t}"]})

    def _state(self, lp, t: int) -> np.ndarray:
        """h_t's values as the matmul of step t + 1 recorded them (h0 for t = 0)."""
        return lp.nodes[f"hprev{t + 1}"].local[1] if t < self.steps else lp.nodes[f"h{t}"].data

    def _sources(self, reader, t: int) -> tuple:
        """(names, values getter) of step t's inputs: the features x_t, then the states h_{t−1}."""
        features = self.weights_x.shape[0]
        xs = tuple(reader.source(self.index - 1, (t - 1) * features + f) for f in range(features))
        hs = tuple(node_out(u) if t > 1 else u for u in step_names(self.base, t - 1))
        return xs, hs

    def unit_rows(self, lp, reader) -> list:
        """u_t_in = Σ w_x·x_t + Σ w_h·u_(t−1)_out + b and u_t_out = f(u_t_in), every step, sample and unit."""
        names = [n for n, _ in self.param_names(reader.spec.unit_names(self.index - 1))]
        F, U = self.weights_x.shape[0], self.units
        Wx, Wh = lp.nodes["x1"].local[0], lp.nodes["hprev1"].local[0]
        b = lp.params[array_key("b", self.index)].data
        rows = []
        for s in range(reader.spec.samples):
            for t in range(1, self.steps + 1):
                xs, hs = self._sources(reader, t)
                x, h = lp.nodes[f"x{t}"].local[1], self._state(lp, t - 1)
                z, out = lp.nodes[f"z{t}"].data, lp.nodes[f"h{t}"].data
                for u, unit in enumerate(step_names(self.base, t)):
                    terms = tuple((names[f * U + u], float(Wx[f, u]), xs[f], float(x[s, f])) for f in range(F))
                    terms += tuple((names[F * U + v * U + u], float(Wh[v, u]), hs[v], float(h[s, v])) for v in range(U))
                    rows.append(UnitForward(self.index, unit, s + 1, terms, names[F * U + U * U + u], float(b[u]),
                                            float(z[s, u]), float(out[s, u]), self.activation, self.alpha))
        return rows

    def deltas(self, lp, reader) -> list:
        """δ of every unit at every step, the last step first (the order of backprop through time)."""
        return [row for t in range(self.steps, 0, -1) for row in activation.delta_rows(*self.at(lp, t), reader.spec.samples)]

    def inner_upstream(self, lp, reader) -> list:
        """∂L/∂u_t_out for t < T: the path through h_{t+1} — Σ_v ∂L/∂v_(t+1)_in · w_uv."""
        return self._through_time(lp, reader, range(self.steps - 1, 0, -1), ())

    def upstream_rows(self, lp, reader, readers) -> list | None:
        """With ``sequence``, every ∂L/∂u_t_out, the last step first: the path from the step's own output (the
        layers that read h_t) plus, for t < T, the path back from h_(t+1); None otherwise (h_T has one reader)."""
        if not self.sequence:
            return None
        return self._through_time(lp, reader, range(self.steps, 0, -1), readers)

    def _through_time(self, lp, reader, steps, readers) -> list:
        Wh = lp.nodes["hprev1"].local[0]
        rows = []
        for t in steps:
            here = step_names(self.base, t)
            g = lp.nodes[f"h{t}"].grad
            for s in range(reader.spec.samples):
                for u, unit in enumerate(here):
                    k0 = (t - 1) * self.units + u
                    paths = tuple(p for m in readers for p in m.layer.input_paths(m, s, k0, unit, self.index))
                    if t < self.steps:
                        after, dz = step_names(self.base, t + 1), lp.nodes[f"z{t + 1}"].grad
                        paths += tuple(Path(v, f"∂L/∂{node_in(v)}", float(dz[s, k]),
                                            weight_name(self.base[u], self.base[k]), float(Wh[u, k]))
                                       for k, v in enumerate(after))
                    rows.append(Upstream(self.index, unit, s + 1, f"∂L/∂{node_out(unit)}", float(g[s, u]), paths))
        return rows

    def time_norms(self, lp, samples: int) -> list:
        """‖∂L/∂h_t‖ per sample and step, its ratio to step t + 1's, and the bound on that ratio: one step back
        multiplies by diag(f′(z_(t+1)))·Whᵀ, whose norm is at most max |f′(z_(t+1))| · ‖Wh‖₂."""
        Wh = lp.nodes["hprev1"].local[0]
        spectral = float(np.linalg.norm(Wh, 2))
        rows = []
        for s in range(samples):
            after = None
            for t in range(self.steps, 0, -1):
                norm = float(np.linalg.norm(lp.nodes[f"h{t}"].grad[s]))
                if t == self.steps:
                    ratio = bound = back = None
                else:
                    node = lp.nodes[f"h{t + 1}"]
                    local = np.broadcast_to(node.local[0], node.shape)[s]  # f′(z_(t+1)) as the tape recorded it
                    bound = float(np.max(np.abs(local))) * spectral
                    back = self._back(lp, s, t) if self.sequence else None
                    ratio = (norm if back is None else back) / after if after else None
                rows.append(TimeNorm(self.index, s + 1, t, norm, ratio, bound, back))
                after = norm
        return rows

    @staticmethod
    def _back(lp, s: int, t: int) -> float:
        """‖the path back from h_(t+1)‖ = ‖∂L/∂z_(t+1)·Whᵀ‖ of sample ``s``, from the matmul entry of step t + 1."""
        node = lp.nodes[f"hprev{t + 1}"]  # h_t @ Wh: its gradient is ∂L/∂z_(t+1), its recorded factor Wh
        return float(np.linalg.norm(node.grad[s] @ node.local[0].T))

    def terms(self, lp, reader) -> list:
        """∂L/∂w of every shared weight as its sum over the time steps (and samples): one chain per step."""
        n, samples, T = self.index, reader.spec.samples, self.steps
        F, U = self.weights_x.shape[0], self.units
        names = self.param_names(reader.spec.unit_names(n - 1))
        grads = {k: lp.params[array_key(k, n)].grad for k in ("Wx", "Wh", "b")}
        one = float(lp.nodes["z1"].local[1])  # the add entry z = (x·Wx + h·Wh) + b recorded ∂z/∂b = 1
        steps = [(t, *self.at(lp, t), *self._sources(reader, t)) for t in range(1, T + 1)]

        def chains(u, last):
            return tuple(activation.chain(view, tp, s, u, view.unit_names[u], last(s, t, xs, hs), f"t{t}")
                         for s in range(samples) for t, view, tp, xs, hs in steps)

        terms = []
        for k, (name, key) in enumerate(names):
            if k < F * U:
                f, u = divmod(k, U)
                last = lambda s, t, xs, hs, f=f, u=u, name=name: Factor(  # noqa: E731
                    node_in(f"{self.base[u]}t{t}"), name, float(lp.nodes[f"x{t}"].local[1][s, f]), xs[f])
                kind, grad = "weight", grads["Wx"][f, u]
            elif k < F * U + U * U:
                v, u = divmod(k - F * U, U)
                last = lambda s, t, xs, hs, v=v, u=u, name=name: Factor(  # noqa: E731
                    node_in(f"{self.base[u]}t{t}"), name, float(self._state(lp, t - 1)[s, v]), hs[v])
                kind, grad = "weight", grads["Wh"][v, u]
            else:
                u = k - F * U - U * U
                last = lambda s, t, xs, hs, u=u, name=name: Factor(node_in(f"{self.base[u]}t{t}"), name, one, "1")  # noqa: E731
                kind, grad = "bias", grads["b"][u]
            terms.append(Term(name, key, n, kind, float(grad), chains(u, last), "steps"))
        return terms

    def input_paths(self, lp, s, a, unit, source) -> tuple:
        """The paths from data feature f at step t (``a`` = (t − 1)·features + f, named ``unit``): ∂L/∂u_t_in · w_x{f}u,
        one per unit u of that step."""
        if source != 0:
            return ()
        features = self.weights_x.shape[0]
        t, f = divmod(a, features)
        Wx, dz = lp.nodes["x1"].local[0], lp.nodes[f"z{t + 1}"].grad  # the weights as step 1's matmul saw them
        feature = unit[: -len(f"t{t + 1}")] if unit.endswith(f"t{t + 1}") else unit
        return tuple(Path(v, f"∂L/∂{node_in(v)}", float(dz[s, k]), weight_name(feature, self.base[k]), float(Wx[f, k]))
                     for k, v in enumerate(step_names(self.base, t + 1)))


def read(table: dict, ctx) -> Rnn:
    """An :class:`Rnn` from its table (``weights_x``, ``weights_h``, ``bias``, ``h0``, ``return_sequences``)."""
    shape = ctx.in_shape
    if ctx.index != 1:
        ctx.fail("an rnn reads the data (samples × steps × features): put it first")
    if len(shape) != 2:
        ctx.fail(f"rnn needs steps × features per sample (data.x samples × steps × features), but its input is "
                 f"{'×'.join(map(str, shape))} per sample")
    steps, features = shape
    if steps > MAX_STEPS:
        ctx.fail(f"{steps} steps is over the limit of {MAX_STEPS}")
    act, alpha = activation.read(table, ctx, default="tanh")
    if act == "softmax":
        ctx.fail("softmax is not an activation of rnn; use a dense layer after it", "activation")
    for key in ("weights_x", "weights_h", "bias"):
        if key not in table:
            ctx.fail(f"missing key {key!r} (weights_x features × units, weights_h units × units, bias one per unit)")
    f = ctx.fields
    Wx = f.matrix(f"{ctx.where} weights_x", table["weights_x"], flat_is_row=(features == 1))
    units = Wx.shape[1]
    if Wx.shape[0] != features:
        ctx.fail(f"expected {features}×{units} (features × units: data.x has {features} features per step), got "
                 f"{Wx.shape[0]}×{units}", "weights_x")
    Wh = f.matrix(f"{ctx.where} weights_h", table["weights_h"], flat_is_row=(units == 1))
    if Wh.shape != (units, units):
        ctx.fail(f"expected {units}×{units} (units × units), got {Wh.shape[0]}×{Wh.shape[1]}", "weights_h")
    b = f.vector(f"{ctx.where} bias", table["bias"])
    if b.shape[0] != units:
        ctx.fail(f"expected {units} numbers (one per unit), got {b.shape[0]}", "bias")
    h0 = _h0(table, ctx, units)
    sequence = table.get("return_sequences", False)
    if not isinstance(sequence, bool):
        ctx.fail(f"expected true or false, got {kind_of(sequence)}", "return_sequences")
    if ctx.last:
        ctx.fail("an rnn hands h_t of every step to a dense layer (return_sequences = true) or h_T: end the net "
                 "with one" if sequence else "an rnn hands h_T to a dense layer: end the net with one")
    ctx.count(Wx.size + Wh.size)
    return Rnn(ctx.index, ctx.name, act, Wx, Wh, b, h0, steps, unit_names(ctx.name, units), alpha, sequence)


def _h0(table, ctx, units) -> np.ndarray:
    if "h0" not in table:
        return np.zeros((1, units))
    v = table["h0"]
    h0 = ctx.fields.matrix(f"{ctx.where} h0", v, flat_is_row=True)
    if h0.shape[1] != units or h0.shape[0] not in (1, ctx.samples or 1):
        ctx.fail(f"expected {units} numbers (one per unit) or samples × units, got {h0.shape[0]}×{h0.shape[1]}", "h0")
    return h0

