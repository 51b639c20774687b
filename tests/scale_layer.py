"""A toy layer kind for the tests: ``z = a_prev ⊙ gamma + beta`` (one scale and shift per unit), ``a = f(z)``.

With ``skip = "NAME"`` the output is ``f(z) + (the output of layer NAME)``: a kind that reads two layers, to
test the interface's ``reads``/``earlier`` path (the sum over paths of NAME's units gathers both readers).

It is one module, registered by a test under ``kind = "scale"`` in both registries — the net's
(:mod:`backcalc.net.layers`) and the checker's (:mod:`backcalc.check.layers`) — and nothing else in backcalc
changes: the proof that a new layer kind is one module. The net side builds its forward with tensor methods
only; the checker side builds the same layer from sympy, sharing nothing with the tape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backcalc.check.activations import LayerActivation, delta_names, numpy_activation
from backcalc.net.layers import LayerPass, activation
from backcalc.net.layers.arrays import ArrayParameters
from backcalc.net.names import array_key, beta_name, element_key, gamma_name, node_in, node_out
from backcalc.net.records import Factor, Path, Term, UnitForward

KEYS = ("activation", "alpha", "gamma", "beta", "skip")


# ─────────────────────────────── the net's side: spec, tape, derivation rows ───────────────────────────────

@dataclass(frozen=True)
class Scale(ArrayParameters):
    index: int
    name: str
    activation: str
    gamma: np.ndarray
    beta: np.ndarray
    unit_names: tuple
    alpha: float | None = None
    skip: int | None = None          # the index of the layer whose output is added

    kind = "scale"
    ARRAYS = (("gamma", "gamma"), ("beta", "beta"))

    @property
    def units(self) -> int:
        return self.gamma.size

    @property
    def multiply_adds(self) -> int:
        return self.gamma.size

    def param_names(self, sources) -> list:
        n = self.index
        return ([(gamma_name(u), element_key("gamma", n, c)) for c, u in enumerate(self.unit_names)]
                + [(beta_name(u), element_key("beta", n, c)) for c, u in enumerate(self.unit_names)])

    @property
    def reads(self) -> tuple:
        return (self.index - 1,) + ((self.skip,) if self.skip is not None else ())

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        n = self.index
        product = a * leaves[array_key("gamma", n)]
        z = product + leaves[array_key("beta", n)]
        z.label = array_key("z", n)
        f = out = activation.apply(self, z)
        if self.skip is not None:
            out = f + earlier[self.skip]
        out.label = array_key("a", n)
        return LayerPass(self, a, out, leaves, {"product": product, "z": z, "f": f})

    def forward_values(self, lp) -> dict:
        n = self.index
        return {array_key("z", n): lp.nodes["z"].data.tolist(), array_key("a", n): lp.output.data.tolist()}

    @staticmethod
    def _source_value(lp, s, c) -> float:
        return float(np.broadcast_to(lp.nodes["product"].local[1], lp.output.shape)[s, c])  # the mul entry's a_prev

    def unit_rows(self, lp, reader) -> list:
        n = self.index
        gamma, beta = lp.params[array_key("gamma", n)].data, lp.params[array_key("beta", n)].data
        return [UnitForward(n, u, s + 1, ((gamma_name(u), float(gamma[c]), reader.source(n - 1, c),
                                          self._source_value(lp, s, c)),),
                            beta_name(u), float(beta[c]), float(lp.nodes["z"].data[s, c]),
                            float(lp.output.data[s, c]), self.activation, self.alpha)
                for s in range(reader.spec.samples) for c, u in enumerate(self.unit_names)]

    def input_paths(self, lp, s, a, unit, source) -> tuple:
        v = self.unit_names[a]  # input unit a feeds unit a only
        paths = ()
        if source == self.skip:  # added to v's output as it is: ∂L/∂v_out · 1
            paths = (Path(v, f"∂L/∂{node_out(v)}", float(lp.output.grad[s, a]), "1", 1.0),)
        if source != self.index - 1:
            return paths
        gamma = lp.params[array_key("gamma", self.index)].data
        return (Path(v, f"∂L/∂{node_in(v)}", float(lp.nodes["z"].grad[s, a]), gamma_name(v), float(gamma[a])),) + paths

    def deltas(self, lp, reader) -> list:
        return activation.delta_rows(self, lp, reader.spec.samples)

    def terms(self, lp, reader) -> list:
        n, samples = self.index, reader.spec.samples
        terms = []
        for c, u in enumerate(self.unit_names):
            src = reader.source(n - 1, c)
            chains = tuple(activation.chain(self, lp, s, c, u, Factor(node_in(u), gamma_name(u),
                                                                      self._source_value(lp, s, c), src))
                           for s in range(samples))
            terms.append(Term(gamma_name(u), element_key("gamma", n, c), n, "weight",
                              float(lp.params[array_key("gamma", n)].grad[c]), chains))
        for c, u in enumerate(self.unit_names):
            chains = tuple(activation.chain(self, lp, s, c, u, Factor(node_in(u), beta_name(u), 1.0, "1"))
                           for s in range(samples))
            terms.append(Term(beta_name(u), element_key("beta", n, c), n, "bias",
                              float(lp.params[array_key("beta", n)].grad[c]), chains))
        return terms


def read(table: dict, ctx) -> Scale:
    act, alpha = activation.read(table, ctx, default="linear")
    gamma = ctx.fields.vector(f"{ctx.where} gamma", table.get("gamma", [1.0] * ctx.fan_in))
    beta = ctx.fields.vector(f"{ctx.where} beta", table.get("beta", [0.0] * ctx.fan_in))
    for key, v in (("gamma", gamma), ("beta", beta)):
        if v.size != ctx.fan_in:
            ctx.fail(f"expected {ctx.fan_in} numbers (one per input unit), got {v.size}", key)
    ctx.count(gamma.size)
    units = tuple(f"{ctx.name}{p}" for p in range(1, gamma.size + 1)) if gamma.size > 1 else (ctx.name,)
    skip = None
    if "skip" in table:
        source = next((layer for layer in ctx.earlier if layer.name == table["skip"]), None)
        if source is None or source.units != len(units):
            ctx.fail(f"expected the name of an earlier layer of {len(units)} units, got {table['skip']!r}", "skip")
        skip = source.index
    return Scale(ctx.index, ctx.name, act, gamma, beta, units, alpha, skip)


# ─────────────────────────────── the checker's side: the same layer from sympy ───────────────────────────────

class Symbolic:
    def __init__(self, layer, sp):
        self.layer, self.sp = layer, sp
        self.act = LayerActivation(layer, sp)
        self.x, self.g, self.b = sp.symbols("x g b", real=True)
        pre = self.x * self.g + self.b
        self.dz_dg, self.dz_db, self.dz_dx = (sp.diff(pre, v) for v in (self.g, self.b, self.x))

    def forward(self, a_prev, memo, earlier=()):
        layer = self.layer
        self.a_prev = a_prev
        a, self.d = self.act.evaluate(a_prev * layer.gamma + layer.beta, memo)
        return a if layer.skip is None else a + earlier[layer.skip]

    def backward(self, g, memo):
        layer, n = self.layer, self.layer.index
        gz = self.act.back(g, self.d)
        grads = {}
        g_prev = np.zeros_like(self.a_prev)
        for c in range(layer.units):
            at = [{self.x: self.a_prev[s, c], self.g: layer.gamma[c], self.b: layer.beta[c]}
                  for s in range(gz.shape[0])]
            grads[element_key("gamma", n, c)] = sum(gz[s, c] * memo(self.dz_dg, p) for s, p in enumerate(at))
            grads[element_key("beta", n, c)] = sum(gz[s, c] * memo(self.dz_db, p) for s, p in enumerate(at))
            g_prev[:, c] = [gz[s, c] * memo(self.dz_dx, p) for s, p in enumerate(at)]
        if layer.skip is None:
            return grads, g_prev
        back = {n - 1: g_prev}
        back[layer.skip] = back[layer.skip] + g if layer.skip in back else g  # the skip passes g on as it is
        return grads, back


def numpy_forward(layer, a, params, earlier=()):
    n = layer.index
    out = numpy_activation(layer.activation, layer.alpha, a * params[array_key("gamma", n)]
                           + params[array_key("beta", n)])
    return out if layer.skip is None else out + earlier[layer.skip]


def units_moved(layer, index) -> tuple:
    return (index[-1],)  # gamma[c] and beta[c] move unit c only


def kinks(layer, a, params, eps) -> list:
    return []  # the tests use smooth activations only


def closed_forms(layer, sources, upstream, names) -> tuple:
    sp, sym, n = names.sp, names.sym, layer.index
    src = [sym(s if n == 1 else node_out(s)) for s in sources]
    ins = [sym(node_in(u)) for u in layer.unit_names]
    # with a skip, u_out = f(u_in) + the skipped-from output: f(u_in) gets its own name, "tanh(s1_in)"
    fs = [sym(f"{layer.activation}({node_in(u)})") for u in layer.unit_names] if layer.skip is not None else None
    delta = delta_names(layer, ins, upstream, sp, sym, fs)
    result, below = {}, {}
    for c, u in enumerate(layer.unit_names):
        g, b = sym(gamma_name(u)), sym(beta_name(u))
        pre = src[c] * g + b
        result[gamma_name(u)] = delta[u] * sp.diff(pre, g)
        result[beta_name(u)] = delta[u] * sp.diff(pre, b)
        if n > 1:
            below[sources[c]] = names.shorten(delta[u] * sp.diff(pre, src[c]), sources[c])
    if layer.skip is not None:  # ∂L/∂u_out passes on as it is to the skipped-from unit
        for u, v in zip(layer.unit_names, names.spec.unit_names(layer.skip)):
            below[v] = below[v] + upstream[u] if v in below else upstream[u]
    return result, below
