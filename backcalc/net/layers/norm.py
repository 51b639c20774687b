"""Normalisation layers (``kind = "batchnorm"`` and ``kind = "layernorm"``): ``y = γ·x̂ + β``, ``a = f(y)``.

Both normalise their input x with its mean μ and biased variance σ² (training mode, as PyTorch): batchnorm over
the samples of the batch (one μ, σ² per unit), layernorm over the units of each sample (one μ, σ² per sample);
``x̂ = (x − μ)/√(σ² + eps)`` with ``eps = 1e-5`` unless the spec gives one. Layer n's parameters are ``gamma{n}``
and ``beta{n}`` (one per unit, default ones and zeros); its forward keys ``mu{n}``, ``var{n}``, ``xhat{n}`` and
``a{n}``. An optional ``activation`` (default linear) is applied after γ·x̂ + β. A batch of one in batchnorm has
variance 0: x̂ = 0 and the output is β, exactly as PyTorch gives with eps (the page says so).

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[1.0], [3.0]], "y": [[0.0], [1.0]]},
...                   "layers": [{"name": "n", "kind": "batchnorm"},
...                              {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]})
>>> bn = spec.layers[0]
>>> bn.kind, bn.unit_names, bn.param_names(("x",))
('batchnorm', ('n',), [('gamma_n', 'gamma1[0]'), ('beta_n', 'beta1[0]')])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..names import array_key, beta_name, element_key, gamma_name, node_in, node_out, unit_names, xhat_name
from ...tape import Tensor
from ...tape.workings import Line, Working
from ..records import Factor, NormStats, Path, Term, UnitForward
from . import LayerPass, activation
from .arrays import ArrayParameters

KEYS = ("activation", "alpha", "gamma", "beta", "eps")
DEFAULT_EPS = 1e-5
#: kind → the axis its statistics are taken over (0: the samples of the batch; 1: the units of a sample)
AXIS = {"batchnorm": 0, "layernorm": 1}


@dataclass(frozen=True)
class Norm(ArrayParameters):
    """One batchnorm or layernorm layer: x̂ = (x − μ)/√(σ² + eps), y = γ·x̂ + β, a = f(y)."""

    kind: str                        # "batchnorm" or "layernorm"
    index: int
    name: str
    activation: str
    gamma: np.ndarray
    beta: np.ndarray
    eps: float
    unit_names: tuple
    alpha: float | None = None
    #: a slip of the hand computation, set only by the mistake catalogue (backcalc.grading.graph_mistakes):
    #: "constant_stats" (μ and σ treated as constants: no paths through them), "unbiased" (σ² divided by N − 1)
    slip: str = ""

    ARRAYS = (("gamma", "gamma"), ("beta", "beta"))
    normalises = True   # x̂ = (x − μ)/√(σ² + eps) over ``axis``: the matrix form of backcalc.net.norm_matrices

    @property
    def axis(self) -> int:
        return AXIS[self.kind]

    @property
    def units(self) -> int:
        return self.gamma.size

    @property
    def multiply_adds(self) -> int:
        return 4 * self.gamma.size

    def param_names(self, sources) -> list:
        """(display name, canonical key): every gamma, then every beta."""
        n = self.index
        return ([(gamma_name(u), element_key("gamma", n, c)) for c, u in enumerate(self.unit_names)]
                + [(beta_name(u), element_key("beta", n, c)) for c, u in enumerate(self.unit_names)])

    @property
    def reads(self) -> tuple:
        return (self.index - 1,)

    # ── the forward on the tape ──
    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        n = self.index
        nodes = normalise(a, leaves[array_key("gamma", n)], leaves[array_key("beta", n)], self.eps, self.axis,
                          self.slip)
        nodes["z"].label = array_key("z", n)
        gamma, beta, xhat = leaves[array_key("gamma", n)].data, leaves[array_key("beta", n)].data, nodes["xhat"].data
        sizes = np.abs(xhat * gamma) + np.abs(beta)  # γ·x̂ + β: its two terms' sizes, what its rounding scales with
        kinks = activation.settle_kinks(self, nodes["z"], lambda: sizes, lambda index: sizes[index], 2)
        out = activation.apply(self, nodes["z"])
        out.label = array_key("a", n)
        return LayerPass(self, a, out, leaves, nodes, kinks=kinks)

    def forward_values(self, lp: LayerPass) -> dict:
        n, nodes = self.index, lp.nodes
        return {array_key("mu", n): nodes["mu"].data.reshape(-1).tolist(),
                array_key("var", n): nodes["var"].data.reshape(-1).tolist(),
                array_key("xhat", n): nodes["xhat"].data.tolist(), array_key("a", n): lp.output.data.tolist()}

    # ── the symbolic working (before the numbers) ──
    def working(self, spec) -> tuple:
        """``(topic, Working)`` of the layer's own rules: the statistics, x̂, γ·x̂ + β and the three paths back.

        Batchnorm takes μ and σ² of unit c over the samples s (``mu_c``); layernorm of sample s over its units
        (``mu_s``); the names are the page's (mu, var, xhat, gamma, beta, eps; LaTeX sets them as Greek).
        """
        stat, run, n = ("c", "s", spec.samples) if self.axis == 0 else ("s", "c", self.units)
        el = (lambda i: f"{i}c") if self.axis == 0 else (lambda i: f"s{i}")
        mu, var, x, xh = f"mu_{stat}", f"var_{stat}", "x_sc", "xhat_sc"
        root = f"√({var} + eps)"
        unit = self.unit_names[0]
        lines = (
            Line("N", str(n), f"{self.kind}_count"),
            Line(mu, f"(1/N)·Σ_{run} {x}", "definition"),
            Line(var, f"(1/N)·Σ_{run} ({x} − {mu})²", "biased"),
            Line(xh, f"({x} − {mu})/{root}", "definition"),
            Line("y_sc", f"gamma_c·{xh} + beta_c", "definition"),
            Line("∂L/∂gamma_c", f"Σ_s ∂L/∂y_sc·{xh}", "shared_sum"),
            Line("∂L/∂beta_c", "Σ_s ∂L/∂y_sc", "shared_sum"),
            Line(f"∂L/∂{xh}", "∂L/∂y_sc·gamma_c", "product"),
            Line(f"∂L/∂{var}", f"Σ_{run} ∂L/∂{xh}·({x} − {mu})·(−1/2)·({var} + eps)^(−3/2)", "power_sum"),
            Line(f"∂L/∂{mu}", f"Σ_{run} ∂L/∂{xh}·(−1/{root}) + ∂L/∂{var}·Σ_{run} (−2)·({x} − {mu})/N",
                 "paths"),
            Line(f"∂L/∂{x}", f"∂L/∂{xh}/{root} + ∂L/∂{var}·2·({x} − {mu})/N + ∂L/∂{mu}/N", "norm_paths"),
            Line("", f"(N·∂L/∂{xh} − Σ_r ∂L/∂xhat_{el('r')} − {xh}·Σ_r ∂L/∂xhat_{el('r')}·xhat_{el('r')})"
                     f"/(N·{root})", "norm_compact"),
            Line(f"∂L/∂{gamma_name(unit)}", f"Σ_s ∂L/∂{node_in(unit)}·{xhat_name(unit)}", "instance"),
        )
        return ((self.kind, Working(lines)),)

    # ── reading the derivation back from the tape ──
    def statistic(self, lp: LayerPass, name: str, s: int, c: int) -> float:
        """μ, σ², √(σ²+eps) (``name`` "mu", "var", "std") that sample ``s``'s unit ``c`` was normalised with."""
        node = lp.nodes[name]
        return float(node.data[0, c] if self.axis == 0 else node.data[s, 0])

    def statistic_grad(self, lp: LayerPass, name: str, s: int, c: int) -> float:
        """∂L/∂μ or ∂L/∂σ² (``name`` "mu" or "var") of the statistic sample ``s``'s unit ``c`` used."""
        node = lp.nodes[name]
        if node.grad is None:  # no gradient reaches it (its statistics taken as constants)
            return 0.0
        return float(node.grad[0, c] if self.axis == 0 else node.grad[s, 0])

    def count(self, lp: LayerPass) -> int:
        """N: how many values each μ and σ² averages (samples for batchnorm, units for layernorm)."""
        return lp.input.shape[self.axis]

    def unit_rows(self, lp: LayerPass, reader) -> list:
        """unit_in = gamma·x̂ + beta and unit_out = f(unit_in), for every unit and sample."""
        n = self.index
        gamma, beta = lp.params[array_key("gamma", n)].data, lp.params[array_key("beta", n)].data
        xhat, z = lp.nodes["xhat"].data, lp.nodes["z"].data
        return [UnitForward(n, u, s + 1, ((gamma_name(u), float(gamma[c]), xhat_name(u), float(xhat[s, c])),),
                            beta_name(u), float(beta[c]), float(z[s, c]), float(lp.output.data[s, c]),
                            self.activation, self.alpha)
                for s in range(reader.spec.samples) for c, u in enumerate(self.unit_names)]

    def input_paths(self, lp: LayerPass, s: int, a: int, unit: str, source: int) -> tuple:
        """The three paths from x (unit ``a`` of sample ``s``): through x̂ directly, through σ², through μ.

        ∂L/∂x = ∂L/∂xhat·(1/sigma) + ∂L/∂var·2(x − mu)/N + ∂L/∂mu·(1/N), each factor read from the tape's nodes.
        """
        v, N = self.unit_names[a], self.count(lp)
        d = float(lp.nodes["d"].data[s, a])
        x = unit if source == 0 else node_out(unit)
        stat = v if self.axis == 0 else f"{self.name}_s{s + 1}"  # batchnorm: per unit; layernorm: per sample
        return (Path(v, f"∂L/∂{xhat_name(v)}", float(lp.nodes["xhat"].grad[s, a]), f"1/sigma_{stat}",
                     1.0 / self.statistic(lp, "std", s, a)),
                Path(f"var_{stat}", f"∂L/∂var_{stat}", self.statistic_grad(lp, "var", s, a),
                     f"2·({x} − mu_{stat})/N", 2.0 * d / N),
                Path(f"mu_{stat}", f"∂L/∂mu_{stat}", self.statistic_grad(lp, "mu", s, a), "1/N", 1.0 / N))

    def stat_rows(self, lp: LayerPass, reader) -> list:
        """The forward's statistics, one :class:`NormStats` per group: μ, σ², √(σ² + eps) and every x̂ with numbers,
        and the compact form of each input's ∂L/∂x, (1/(N·sigma))·(N·g − Σg − x̂·Σ(g·x̂)) with g = ∂L/∂x̂."""
        n, N = self.index, self.count(lp)
        x, xhat = lp.input.data, lp.nodes["xhat"].data
        g = lp.nodes["xhat"].grad
        sources = reader.spec.unit_names(n - 1)
        rows = []
        groups = range(self.units) if self.axis == 0 else range(reader.spec.samples)
        for k in groups:
            members = [(s, k) for s in range(reader.spec.samples)] if self.axis == 0 else [(k, c) for c in range(self.units)]
            stat = self.unit_names[k] if self.axis == 0 else f"{self.name}_s{k + 1}"
            s0, c0 = members[0]
            sigma = self.statistic(lp, "std", s0, c0)
            compact, grads = (), {}
            if g is not None:  # the data has no ∂L/∂x to check (a first layer's input)
                gs = np.array([g[s, c] for s, c in members])
                xs = np.array([xhat[s, c] for s, c in members])
                compact = (N * gs - gs.sum() - xs * (gs * xs).sum()) / (N * sigma)
                grads = {"grad_xhat": tuple(float(v) for v in gs),
                         "grad_mu": self.statistic_grad(lp, "mu", s0, c0),
                         "grad_var": self.statistic_grad(lp, "var", s0, c0)}
            rows.append(NormStats(n, self.kind, stat, N, self.eps,
                                  tuple((s + 1, self.unit_names[c], reader.source(n - 1, c), float(x[s, c]), float(xhat[s, c]))
                                        for s, c in members),
                                  self.statistic(lp, "mu", s0, c0), self.statistic(lp, "var", s0, c0), sigma,
                                  tuple((s + 1, sources[c], float(v)) for (s, c), v in zip(members, compact)),
                                  **grads))
        return rows

    def deltas(self, lp: LayerPass, reader) -> list:
        """δ = ∂L/∂unit_in for every unit and sample."""
        return activation.delta_rows(self, lp, reader.spec.samples)

    def terms(self, lp: LayerPass, reader) -> list:
        """∂L/∂gamma = Σ δ·x̂ and ∂L/∂beta = Σ δ, each a chain of factors per sample."""
        n, samples = self.index, reader.spec.samples
        xhat = lp.nodes["xhat"].data
        terms = []
        for key, pname, kind in (("gamma", gamma_name, "weight"), ("beta", beta_name, "bias")):
            grad = lp.params[array_key(key, n)].grad
            for c, u in enumerate(self.unit_names):
                chains = tuple(activation.chain(self, lp, s, c, u, Factor(
                    node_in(u), pname(u), float(xhat[s, c]) if key == "gamma" else 1.0,
                    xhat_name(u) if key == "gamma" else "1")) for s in range(samples))
                terms.append(Term(pname(u), element_key(key, n, c), n, kind, float(grad[c]), chains))
        return terms


def normalise(a, gamma, beta, eps: float, axis: int, slip: str = "") -> dict:
    """The normalisation on the tape: μ, σ² (biased, ÷ N), σ = √(σ² + eps), x̂ = (a − μ)/σ, z = γ·x̂ + β over
    ``axis`` (0: the samples of the batch; 1: the units of a sample), as named nodes. The one implementation:
    these layers and the vanishing study's ``--batchnorm`` both call it. ``slip``: see :class:`Norm`.

    >>> from backcalc.tape import Tensor
    >>> nodes = normalise(Tensor([[1.0], [3.0]]), 1.0, 0.0, 0.0, axis=0)
    >>> nodes["mu"].data.tolist(), nodes["var"].data.tolist(), nodes["xhat"].data.ravel().tolist()
    ([[2.0]], [[1.0]], [-1.0, 1.0])
    """
    mu = a.mean(axis=axis, keepdims=True)
    d = a - mu
    if slip == "unbiased":
        var = (d * d).sum(axis=axis, keepdims=True) / (a.shape[axis] - 1)
    else:
        var = (d * d).mean(axis=axis, keepdims=True)
    std = (var + eps).sqrt()
    if slip == "constant_stats":  # the same numbers, but no gradient flows through μ and σ
        mu, std = Tensor(mu.data, requires_grad=False), Tensor(std.data, requires_grad=False)
        d = a - mu
    xhat = d / std
    return {"mu": mu, "d": d, "var": var, "std": std, "xhat": xhat, "z": xhat * gamma + beta}


# ─────────────────────────────────────────── reading the spec ───────────────────────────────────────────

def read(table: dict, ctx, kind: str) -> Norm:
    """A :class:`Norm` of ``kind`` from its ``[[layers]]`` table (keys already checked)."""
    act, alpha = activation.read(table, ctx, default="linear")
    if act == "softmax":
        ctx.fail("softmax after a normalisation layer is not supported; add a dense softmax layer", "activation")
    f, units = ctx.fields, ctx.fan_in
    vectors = {}
    for key, default in (("gamma", 1.0), ("beta", 0.0)):
        v = f.vector(f"{ctx.where} {key}", table[key]) if key in table else np.full(units, default)
        if v.size != units:
            ctx.fail(f"expected {units} numbers (one per unit of its input), got {v.size}", key)
        vectors[key] = v
    eps = f.number(f"{ctx.where} eps", table.get("eps", DEFAULT_EPS), 0.0, 1.0)
    if eps <= 0:
        ctx.fail(f"expected a positive number (the variance can be 0), got {eps!r}", "eps")
    ctx.count(2 * units)
    return Norm(kind, ctx.index, ctx.name, act, vectors["gamma"], vectors["beta"], eps,
                unit_names(ctx.name, units), alpha)


@dataclass(frozen=True)
class NormKind:
    """``kind = "batchnorm"`` (statistics over the samples of the batch: one μ and σ² per unit; training mode,
    biased variance) or ``kind = "layernorm"`` (over the units of each sample: one μ and σ² per sample): what
    :func:`backcalc.net.layers.kind` gives for each.

    >>> BATCHNORM.KEYS
    ('activation', 'alpha', 'gamma', 'beta', 'eps')
    """

    name: str
    KEYS = KEYS

    def read(self, table: dict, ctx) -> Norm:
        """A layer of this kind from its ``[[layers]]`` table."""
        return read(table, ctx, self.name)


BATCHNORM, LAYERNORM = NormKind("batchnorm"), NormKind("layernorm")
