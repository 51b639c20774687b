"""The worked derivation, read back from the tape into plain frozen records.

Nothing here differentiates: every value comes from the tape of :class:`~backcalc.net.network.Network` — node
values, gradients of intermediate nodes, and the chain-rule factors each entry recorded. A term's chain
for ∂L/∂w is the recorded factors along its path; its value is the tape's gradient, which tests check
equals the product (summed over samples). Renderers in :mod:`backcalc.render` only format these records.

>>> d = explain()
>>> round(d.loss, 5), round(d.term("w_k1o").value, 5)
(0.12793, -0.50457)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .network import Network, Pass
from ..tape.rules import RULES
from ..render.format import tex_name
from .names import array_key, bias_name, element_key, node_in, node_out, parse_key, weight_name
from .spec import NetSpec, load_spec

# Per-term listing is for small nets; above these the text shows summary tables (see the README).
DETAIL_PARAMETERS = 64
DETAIL_SAMPLES = 4
# Terms are recorded up to this many parameter elements × samples; past it JSON says terms_omitted.
MAX_TERM_RECORDS = 20_000


@dataclass(frozen=True)
class Factor:
    """One chain-rule factor ∂of/∂wrt: its value, and its formula written with the nodes' names."""

    of: str
    wrt: str
    value: float
    formula: str = ""
    latex: str = ""

    @property
    def name(self) -> str:
        return f"∂{self.of}/∂{self.wrt}"


@dataclass(frozen=True)
class Chain:
    """One sample's product of factors for one parameter."""

    sample: int
    factors: tuple
    value: float


@dataclass(frozen=True)
class Term:
    """∂L/∂(one parameter element): its chains (one per sample) and the tape's total."""

    name: str
    key: str
    layer: int
    kind: str            # "weight" or "bias"
    value: float
    chains: tuple


@dataclass(frozen=True)
class UnitForward:
    """unit_in = Σ w·source + b and unit_out = activation(unit_in), for one unit and sample."""

    layer: int
    unit: str
    sample: int
    sources: tuple       # ((weight name, weight value, source name, source value), ...)
    bias_name: str
    bias: float
    z: float
    a: float
    activation: str
    alpha: float | None = None


@dataclass(frozen=True)
class LayerSummary:
    """One layer's outputs in brief, for nets too large to list unit by unit."""

    layer: int
    samples: int
    units: int
    mean: float
    min: float
    max: float


@dataclass(frozen=True)
class LossRecord:
    kind: str
    reduction: str
    value: float
    per_sample: tuple
    outputs: tuple        # output unit names
    predictions: tuple    # per sample, per output
    targets: tuple        # per sample, per output (or the class label per sample)


@dataclass(frozen=True)
class Path:
    """One path of a sum over paths: ∂L/∂next_in · w(unit → next)."""

    via: str
    grad_name: str
    grad: float
    weight_name: str
    weight: float


@dataclass(frozen=True)
class Upstream:
    """∂L/∂unit_out: from the loss for an output unit, else the sum over the units it feeds."""

    layer: int
    unit: str
    sample: int
    name: str
    value: float
    paths: tuple = ()
    formula: str = ""


@dataclass(frozen=True)
class Delta:
    """δ = ∂L/∂unit_in = ∂L/∂unit_out · ∂unit_out/∂unit_in (a sum over outputs for softmax)."""

    layer: int
    unit: str
    sample: int
    value: float
    upstream: float
    local: float | None          # ∂unit_out/∂unit_in (elementwise activations)
    formula: str
    jacobian: tuple = ()         # softmax: ((∂L/∂j_out, ∂j_out/∂unit_in, j), ...)


@dataclass(frozen=True)
class Update:
    name: str
    key: str
    old: float
    grad: float
    new: float

    @property
    def change_pct(self) -> float | None:
        return None if self.old == 0 else (self.new - self.old) / abs(self.old) * 100.0


@dataclass(frozen=True)
class Derivation:
    """Everything `backcalc explain` shows, as records; ``to_dict()`` is the JSON of INTERFACE.md."""

    spec: NetSpec = field(repr=False)
    title: str
    loss: float
    loss_record: LossRecord
    forward_rows: tuple
    layer_summaries: tuple       # LayerSummary per layer (always kept, whatever the size)
    upstream: tuple
    deltas: tuple
    terms: tuple
    terms_omitted: bool
    updates: tuple
    loss_after: float
    history: tuple               # ((step, loss before that step's update), ...)
    forward: dict                # {"z1": [[...]], "a1": ..., ...} of the first step
    gradients: dict              # {"W1": [[...]], "b1": [...], ...} of the first step
    updated: dict                # parameters after the last step

    @property
    def detailed(self) -> bool:
        """Small enough for the per-term listing."""
        return self.spec.n_parameters <= DETAIL_PARAMETERS and self.spec.samples <= DETAIL_SAMPLES

    def shows_detail(self, full: bool = False) -> bool:
        """Whether renderers list every unit and term (``full`` asks for it; omitted records cannot be shown)."""
        return (full or self.detailed) and not self.terms_omitted

    def term(self, name_or_key: str) -> Term:
        for t in self.terms:
            if name_or_key in (t.name, t.key):
                return t
        raise KeyError(name_or_key)

    def to_dict(self) -> dict:
        out = {
            "format": 1,
            "title": self.title,
            "loss": self.loss,
            "forward": self.forward,
            "gradients": self.gradients,
            "updated": self.updated,
            "loss_after": self.loss_after,
            "terms": [_term_dict(t) for t in self.terms],
            "history": [{"step": s, "loss": v} for s, v in self.history],
            "learning_rate": self.spec.learning_rate,
            "steps": self.spec.steps,
            "loss_kind": self.spec.loss,
            "reduction": self.spec.reduction,
        }
        if self.terms_omitted:
            out["terms_omitted"] = True
        return out

    def _repr_markdown_(self) -> str:
        from ..render import markdown

        return markdown.render(self)


def _term_dict(t: Term) -> dict:
    return {
        "name": t.name, "key": t.key, "value": t.value,
        "factors": [{"name": f.name, "value": f.value, "formula": f.formula, "sample": c.sample}
                    for c in t.chains for f in c.factors],
        "per_sample": [c.value for c in t.chains],
    }


# ─────────────────────────────────────────── reading the tape ───────────────────────────────────────────

def explain(spec=None, steps: int | None = None) -> Derivation:
    """The worked derivation of a spec (path, dict or NetSpec; the embedded default when None)."""
    spec = load_spec(spec)
    steps = spec.steps if steps is None else steps
    net = Network(spec)
    first = net.forward()
    history = [(1, first.loss)]
    grads = first.gradients()
    current = net.step(grads)
    for step in range(2, steps + 1):
        p = current.forward()
        history.append((step, p.loss))
        current = current.step(p.gradients())
    loss_after = current.loss()
    records = _Reader(spec, first)
    return Derivation(
        spec=spec,
        title=spec.title,
        loss=first.loss,
        loss_record=records.loss_record(),
        forward_rows=records.forward_rows(),
        layer_summaries=tuple(LayerSummary(n, *a.data.shape, float(a.data.mean()), float(a.data.min()),
                                           float(a.data.max())) for n, a in enumerate(first.post, start=1)),
        upstream=records.upstream(),
        deltas=records.deltas(),
        terms=records.terms(),
        terms_omitted=records.terms_omitted,
        updates=_updates(spec, net.params, grads, current.params if steps == 1 else net.step(grads).params),
        loss_after=loss_after,
        history=tuple(history),
        forward={array_key(k, n): t.data.tolist() for n, (z, a) in enumerate(zip(first.pre, first.post), start=1)
                 for k, t in (("z", z), ("a", a))},
        gradients={k: v.tolist() for k, v in grads.items()},
        updated={k: v.tolist() for k, v in current.params.items()},
    )


def _updates(spec, old, grads, new) -> tuple:
    out = []
    for name, key in spec.param_names():
        k = parse_key(key)
        array, idx = k.array, k.index
        out.append(Update(name, key, float(old[array][idx]), float(grads[array][idx]), float(new[array][idx])))
    return tuple(out)


def _d(num: str, den: str) -> str:
    return f"∂{num}/∂{den}"


class _Reader:
    """Reads one pass's tape into records."""

    def __init__(self, spec: NetSpec, p: Pass):
        self.spec = spec
        self.p = p
        # the per-unit and per-term records grow with units × samples; past the cap only arrays are kept
        self.terms_omitted = spec.n_parameters * spec.samples > MAX_TERM_RECORDS

    def source(self, layer: int, a: int) -> str:
        """Name of the value unit ``a`` of layer ``layer`` sends on (input units are bare: ``i``)."""
        name = self.spec.unit_names(layer)[a]
        return name if layer == 0 else node_out(name)

    def source_value(self, layer: int, s: int, a: int) -> float:
        # the matmul entry of the next layer recorded a_{layer} as the factor that pairs with W
        return float(self.p.products[layer].local[1][s, a])

    def forward_rows(self) -> tuple:
        if self.terms_omitted:
            return ()
        rows = []
        for layer in self.spec.layers:
            n = layer.index
            W = self.p.products[n - 1].local[0]  # the weights as the matmul entry saw them
            b = self.p.biases[n - 1].data
            for s in range(self.spec.samples):
                for c, unit in enumerate(layer.unit_names):
                    sources = tuple((weight_name(self.spec.unit_names(n - 1)[a], unit), float(W[a, c]),
                                     self.source(n - 1, a), self.source_value(n - 1, s, a)) for a in range(layer.fan_in))
                    rows.append(UnitForward(n, unit, s + 1, sources, bias_name(unit), float(b[c]),
                                            float(self.p.pre[n - 1].data[s, c]), float(self.p.post[n - 1].data[s, c]),
                                            layer.activation, layer.alpha))
        return tuple(rows)

    def loss_record(self) -> LossRecord:
        spec = self.spec
        out = self.p.post[-1].data
        targets = tuple(int(v) for v in spec.y) if spec.loss == "cross_entropy" else tuple(map(tuple, spec.y.tolist()))
        return LossRecord(spec.loss, spec.reduction, self.p.loss, tuple(self.p.per_sample.data.tolist()),
                          spec.layers[-1].unit_names, tuple(map(tuple, out.tolist())), targets)

    def upstream(self) -> tuple:
        if self.terms_omitted:
            return ()
        spec, p = self.spec, self.p
        rows = []
        last = len(spec.layers)
        for layer in reversed(spec.layers):  # backward order: the output layer first
            n = layer.index
            grad_out = p.post[n - 1].grad
            for s in range(spec.samples):
                for c, unit in enumerate(layer.unit_names):
                    name = _d("L", f"{unit}_out")
                    if n == last:
                        rows.append(Upstream(n, unit, s + 1, name, float(grad_out[s, c]), (), _loss_formula(spec, unit)))
                        continue
                    nxt = spec.layers[n]
                    W = p.products[n].local[0]  # W_{n+1} as recorded by the next layer's matmul entry
                    dz = p.pre[n].grad
                    paths = tuple(Path(v, _d("L", node_in(v)), float(dz[s, k]), weight_name(unit, v), float(W[c, k]))
                                  for k, v in enumerate(nxt.unit_names))
                    rows.append(Upstream(n, unit, s + 1, name, float(grad_out[s, c]), paths))
        return tuple(rows)

    def deltas(self) -> tuple:
        if self.terms_omitted:
            return ()
        spec, p = self.spec, self.p
        rows = []
        for layer in reversed(spec.layers):  # backward order: the output layer first
            n = layer.index
            node = p.post[n - 1]
            rule = RULES[layer.activation]
            for s in range(spec.samples):
                for c, unit in enumerate(layer.unit_names):
                    formula = rule.formula(0, a=f"{unit}_in", out=f"{unit}_out", alpha=layer.alpha or 0.01)
                    if rule.elementwise:
                        local = float(np.broadcast_to(node.local[0], node.shape)[s, c])
                        rows.append(Delta(n, unit, s + 1, float(p.pre[n - 1].grad[s, c]), float(node.grad[s, c]),
                                          local, formula))
                    else:  # softmax: ∂j_out/∂c_in = s_j(δ_jc − s_c), from the recorded outputs s
                        sm = node.local[0][s]
                        jac = tuple((float(node.grad[s, j]), float(sm[j] * ((j == c) - sm[c])), layer.unit_names[j])
                                    for j in range(layer.units))
                        rows.append(Delta(n, unit, s + 1, float(p.pre[n - 1].grad[s, c]), float(node.grad[s, c]),
                                          None, formula, jac))
        return tuple(rows)

    def terms(self) -> tuple:
        if self.terms_omitted:
            return ()
        spec, p = self.spec, self.p
        terms = []
        for layer in spec.layers:
            n = layer.index
            node = p.post[n - 1]
            rule = RULES[layer.activation]
            sources = spec.unit_names(n - 1)
            W, b = p.weights[n - 1], p.biases[n - 1]
            for a in range(layer.fan_in):
                for c, unit in enumerate(layer.unit_names):
                    wname = weight_name(sources[a], unit)
                    chains = tuple(self._chain(layer, rule, node, s, c, unit, wname,
                                               Factor(f"{unit}_in", wname, self.source_value(n - 1, s, a),
                                                      self.source(n - 1, a), tex_name(self.source(n - 1, a))))
                                   for s in range(spec.samples))
                    terms.append(Term(wname, element_key("W", n, a, c), n, "weight", float(W.grad[a, c]), chains))
            for c, unit in enumerate(layer.unit_names):
                bname = bias_name(unit)
                # the add entry z = (a@W) + b recorded ∂z/∂b = 1
                one = float(p.pre[n - 1].local[1])
                chains = tuple(self._chain(layer, rule, node, s, c, unit, bname,
                                           Factor(f"{unit}_in", bname, one, "1", "1"))
                               for s in range(spec.samples))
                terms.append(Term(bname, element_key("b", n, c), n, "bias", float(b.grad[c]), chains))
        return tuple(terms)

    def _chain(self, layer, rule, node, s, c, unit, pname, last: Factor) -> Chain:
        p = self.p
        if rule.elementwise:
            local = float(np.broadcast_to(node.local[0], node.shape)[s, c])
            factors = (
                Factor("L", f"{unit}_out", float(node.grad[s, c])),
                Factor(f"{unit}_out", f"{unit}_in", local,
                       rule.formula(0, a=f"{unit}_in", out=f"{unit}_out", alpha=layer.alpha or 0.01),
                       rule.formula(0, latex=True, a=tex_name(f"{unit}_in"), out=tex_name(f"{unit}_out"),
                                    alpha=layer.alpha or 0.01)),
                last,
            )
        else:  # softmax: δ is itself a sum over the layer's outputs (listed with the deltas)
            factors = (Factor("L", f"{unit}_in", float(p.pre[layer.index - 1].grad[s, c]), "δ", "\\delta"), last)
        value = 1.0
        for f in factors:
            value *= f.value
        return Chain(s + 1, factors, value)


def _loss_formula(spec: NetSpec, unit: str) -> str:
    """∂L/∂out for an output unit, written with names (the value always comes from the tape)."""
    n, m = spec.samples, spec.layers[-1].units
    mean = spec.reduction == "mean" and n > 1
    scale = f"/{n}" if mean else ""
    kind = spec.loss
    if kind == "half_sse":
        return f"({unit}_out − y_{unit}){scale}" if scale else f"{unit}_out − y_{unit}"
    if kind == "sse":
        return f"2·({unit}_out − y_{unit}){scale}"
    if kind == "mse":
        den = n * m if mean else m
        return f"2·({unit}_out − y_{unit})/{den}" if den > 1 else f"2·({unit}_out − y_{unit})"
    if kind == "bce":
        den = (n if mean else 1) * m
        base = (f"σ({unit}_out) − y_{unit}" if spec.layers[-1].activation == "linear"
                else f"({unit}_out − y_{unit}) / ({unit}_out·(1 − {unit}_out))")
        return f"{base}/{den}" if den > 1 else base
    # cross_entropy
    if spec.layers[-1].activation == "softmax":
        return f"−[{unit} is the true class]/({n}·{unit}_out)" if mean else f"−[{unit} is the true class]/{unit}_out"
    return f"softmax({unit}_in) − [{unit} is the true class]{scale}"
