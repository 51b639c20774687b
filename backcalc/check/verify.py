"""The independent checker of `backcalc verify`: sympy differentiates its own expressions of a spec's net.

:func:`verify` compares every ∂L/∂parameter three ways: from the tape, from sympy's derivatives
(:func:`symbolic_gradients`) and from central differences. Nothing here reads backcalc's rule table or tape to
*compute* a derivative. Each activation and loss is written with sympy's own functions — sigmoid as
``1/(1 + exp(−z))``, relu as the ``Piecewise`` "z for z > 0, else 0" — and every derivative comes from
sympy's rules, so a wrong entry in :mod:`backcalc.tape.rules` shows up as a mismatch instead of being copied.
sympy is imported inside the functions, never at module import. (`backcalc grad`'s checker is
:mod:`backcalc.program.sympy_check`; the sympy helpers both use are in :mod:`backcalc.check.sympy_tools`.)

Numbers: sympy's derivatives are evaluated with 30-digit floats at the forward values (each float taken
exactly). The tape agrees with sympy within 1e-7 relative (1e-10 absolute), central differences within
1e-4 relative (1e-7 absolute).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..errors import ExpressionError
from ..net.names import array_key, bias_name, element_key, node_in, node_out, weight_name
from .numeric import EPS, SELU_ALPHA, SELU_LAMBDA, numeric_gradients, numpy_activation, numpy_loss
from .sympy_tools import evaluate_at, load_sympy


# ─────────────────────────────────────────── verify: nets ───────────────────────────────────────────
#
# sympy differentiates each layer-local expression — the activation a = f(z) of one unit (or a softmax
# layer), the pre-activation z_b = Σ_a a_a·W_ab + b_b, the loss of one sample in its outputs, the
# reduction over samples — and backcalc composes those derivatives by the chain rule, sample by sample.
# One diff per distinct expression keeps seed 004 at a few milliseconds of sympy, where differentiating the
# whole net's loss expression once per parameter takes seconds (benchmarks/bench_verify.py).

TAPE_RTOL, TAPE_ATOL = 1e-7, 1e-10        # tape against sympy: both are exact up to rounding
NUMERIC_RTOL, NUMERIC_ATOL = 1e-4, 1e-7   # central differences against sympy
MAX_VERIFY_PARAMETERS = 5_000
MAX_VERIFY_UNIT_SAMPLES = 20_000          # units × samples: sympy evaluates each unit once per sample

KINKED = ("relu", "leaky_relu", "elu", "selu")


def _exact(x, sp):
    return sp.Rational(*Fraction(repr(float(x))).as_integer_ratio())


def activation_expression(name: str, z, sp, alpha=None, selu_constants=None):
    """An activation as a sympy expression of ``z``, from its textbook definition.

    >>> import sympy
    >>> activation_expression("sigmoid", sympy.Symbol("z"), sympy)
    1/(1 + exp(-z))
    """
    if name == "linear":
        return z
    if name == "sigmoid":
        return 1 / (1 + sp.exp(-z))
    if name == "tanh":
        return sp.tanh(z)
    if name == "relu":  # relu(z) = z for z > 0, else 0: its derivative at 0 is then 0
        return sp.Piecewise((z, z > 0), (0, True))
    if name == "leaky_relu":
        return sp.Piecewise((z, z > 0), (_exact(0.01 if alpha is None else alpha, sp) * z, True))
    if name == "elu":
        return sp.Piecewise((z, z > 0), (_exact(1.0 if alpha is None else alpha, sp) * (sp.exp(z) - 1), True))
    if name == "selu":
        lam, alp = selu_constants or (sp.Rational(Fraction(SELU_LAMBDA)), sp.Rational(Fraction(SELU_ALPHA)))
        return lam * sp.Piecewise((z, z > 0), (alp * (sp.exp(z) - 1), True))
    raise ValueError(f"no elementwise sympy definition for {name!r}")


def sample_loss_expression(kind: str, last: str, a: list, t: list, sp, label: int | None = None):
    """One sample's loss in its outputs ``a`` and targets ``t`` (for cross_entropy: the class ``label``)."""
    k = len(a)
    if kind == "half_sse":
        return sum((ai - ti) ** 2 for ai, ti in zip(a, t)) / 2
    if kind == "sse":
        return sum((ai - ti) ** 2 for ai, ti in zip(a, t))
    if kind == "mse":
        return sum((ai - ti) ** 2 for ai, ti in zip(a, t)) / k
    if kind == "bce":
        if last == "linear":  # the outputs are logits: −ln σ(a)·t − ln(1 − σ(a))·(1 − t) = ln(1 + e^a) − t·a
            return sum(sp.log(1 + sp.exp(ai)) - ti * ai for ai, ti in zip(a, t)) / k
        return sum(-(ti * sp.log(ai) + (1 - ti) * sp.log(1 - ai)) for ai, ti in zip(a, t)) / k
    if kind == "cross_entropy":
        if last == "softmax":  # the outputs are probabilities
            return -sp.log(a[label])
        return -(a[label] - sp.log(sum(sp.exp(ai) for ai in a)))  # the outputs are logits
    raise ValueError(f"unknown loss {kind!r}")


class _Layer:
    """sympy's derivatives of one layer: each a separate ``sympy.diff`` of a layer-local expression."""

    def __init__(self, layer, sp):
        self.activation = layer.activation
        units, fan_in = layer.units, layer.fan_in
        if layer.activation == "softmax":
            self.zs = [sp.Symbol(f"z{i}", real=True) for i in range(units)]
            total = sum(sp.exp(z) for z in self.zs)
            self.outs = [sp.exp(z) / total for z in self.zs]
            self.jacobian = [[sp.diff(out, z) for z in self.zs] for out in self.outs]  # [j][i] = ∂a_j/∂z_i
        else:
            self.z = sp.Symbol("z", real=True)
            self.act = activation_expression(layer.activation, self.z, sp, layer.alpha)
            self.dact = sp.diff(self.act, self.z)
        # z_b = Σ_a a_a·W_ab + b_b, in symbols; its partial derivatives, one diff each
        self.A = [sp.Symbol(f"a{a}", real=True) for a in range(fan_in)]
        self.W = [[sp.Symbol(f"W{a}_{b}", real=True) for b in range(units)] for a in range(fan_in)]
        self.B = [sp.Symbol(f"b{b}", real=True) for b in range(units)]
        pre = [sum(self.A[a] * self.W[a][b] for a in range(fan_in)) + self.B[b] for b in range(units)]
        self.dz_dW = [[sp.diff(pre[b], self.W[a][b]) for b in range(units)] for a in range(fan_in)]
        self.dz_db = [sp.diff(pre[b], self.B[b]) for b in range(units)]
        self.dz_da = [[sp.diff(pre[b], self.A[a]) for b in range(units)] for a in range(fan_in)]


def _coefficient(expr, env: dict, samples: int, sp):
    """A derivative's value per sample: a symbol's values, a number, or (rarely) an evaluation per sample."""
    if expr in env:
        return env[expr]
    if expr.is_Number:
        return float(expr)
    import numpy as np

    free = sorted(expr.free_symbols, key=str)
    return np.array([evaluate_at(expr, {s: float(np.broadcast_to(env[s], (samples,))[i]) for s in free}, sp)
                     for i in range(samples)])


class _Memo:
    """evaluate_at with a cache: the same expression at the same point is evaluated once."""

    def __init__(self, sp):
        self.sp = sp
        self.cache = {}

    def __call__(self, expr, subs: dict) -> float:
        key = (expr, tuple(subs.items()))
        value = self.cache.get(key)
        if value is None:
            value = evaluate_at(expr, subs, self.sp)
            if value is None:
                raise ExpressionError(f"sympy's {expr} is undefined at {', '.join(f'{k} = {v:g}' for k, v in subs.items())}")
            self.cache[key] = value
        return value


def symbolic_gradients(spec, sp=None) -> tuple[dict, float]:
    """∂L/∂parameter for every element (canonical keys) and the loss, from sympy's derivatives.

    >>> from backcalc.net.spec import default_spec
    >>> grads, loss = symbolic_gradients(default_spec())
    >>> round(grads["W3[0][0]"], 6), round(loss, 6)
    (-0.504568, 0.127926)
    """
    import numpy as np

    sp = sp or load_sympy()
    memo = _Memo(sp)
    S = spec.samples
    layers = [_Layer(layer, sp) for layer in spec.layers]
    # forward: z by the layer sums, a = f(z) evaluated by sympy
    A = [np.asarray(spec.x, dtype=float)]
    Z, D = [], []
    for layer, sym in zip(spec.layers, layers):
        z = A[-1] @ layer.weights + layer.bias
        a = np.empty_like(z)
        d = np.empty_like(z) if sym.activation != "softmax" else np.empty(z.shape + (z.shape[1],))
        for s in range(S):
            if sym.activation == "softmax":
                point = dict(zip(sym.zs, z[s]))
                a[s] = [memo(out, point) for out in sym.outs]
                d[s] = [[memo(entry, point) for entry in row] for row in sym.jacobian]
            else:
                for u in range(z.shape[1]):
                    a[s, u] = memo(sym.act, {sym.z: z[s, u]})
                    d[s, u] = memo(sym.dact, {sym.z: z[s, u]})
        Z.append(z)
        A.append(a)
        D.append(d)
    # the loss of each sample and its derivative in the outputs
    out = A[-1]
    k = out.shape[1]
    a_syms = [sp.Symbol(f"y{j}", real=True) for j in range(k)]
    t_syms = [sp.Symbol(f"t{j}", real=True) for j in range(k)]
    last = spec.layers[-1].activation
    per_label = {}
    losses = np.empty(S)
    G = np.empty_like(out)
    for s in range(S):
        label = int(spec.y[s]) if spec.loss == "cross_entropy" else None
        if label not in per_label:
            expr = sample_loss_expression(spec.loss, last, a_syms, t_syms, sp, label)
            per_label[label] = (expr, [sp.diff(expr, a) for a in a_syms])
        expr, grads = per_label[label]
        point = dict(zip(a_syms, out[s]))
        if label is None:
            point.update(zip(t_syms, np.asarray(spec.y[s], dtype=float)))
        losses[s] = memo(expr, point)
        G[s] = [memo(g, point) for g in grads]
    per_sample = [sp.Symbol(f"l{s}", real=True) for s in range(S)]
    total = sum(per_sample) if spec.reduction == "sum" else sum(per_sample) / S
    weight = float(sp.diff(total, per_sample[0]))  # every sample enters the reduction alike
    loss = float(losses.sum()) if spec.reduction == "sum" else float(losses.mean())
    G = G * weight
    # backward: the chain rule over sympy's local derivatives, layer by layer
    grads = {}
    for n in range(len(spec.layers), 0, -1):
        layer, sym, d = spec.layers[n - 1], layers[n - 1], D[n - 1]
        Gz = np.einsum("sj,sji->si", G, d) if sym.activation == "softmax" else G * d
        env = {sym.A[a]: A[n - 1][:, a] for a in range(layer.fan_in)}
        env.update({sym.W[a][b]: layer.weights[a, b] for a in range(layer.fan_in) for b in range(layer.units)})
        env.update({sym.B[b]: layer.bias[b] for b in range(layer.units)})
        for a in range(layer.fan_in):
            for b in range(layer.units):
                grads[element_key("W", n, a, b)] = float(np.sum(Gz[:, b] * _coefficient(sym.dz_dW[a][b], env, S, sp)))
        for b in range(layer.units):
            grads[element_key("b", n, b)] = float(np.sum(Gz[:, b] * _coefficient(sym.dz_db[b], env, S, sp)))
        G = np.zeros_like(A[n - 1])
        for a in range(layer.fan_in):
            for b in range(layer.units):
                G[:, a] += Gz[:, b] * _coefficient(sym.dz_da[a][b], env, S, sp)
    return grads, loss


# ── closed forms with the article's names (--formulas) ──

FORMULA_MAX_OPS = 40  # a longer ∂L/∂unit_out is kept as its own name in the formulas below it


def closed_forms(spec, sp=None) -> dict[str, str]:
    """∂L/∂parameter for every parameter, in node names: ``{"w_k1o": "k1_out*(o_out - t)", ...}``.

    One sample's derivative (for several samples the reduction sums or averages it over them). A
    ∂L/∂unit_out longer than ``FORMULA_MAX_OPS`` operations stays a name, ``(∂L/∂h11_out)``. Each
    factor is a ``sympy.diff`` of a layer-local expression written in names; an activation's derivative
    is shown in its output's name (σ′ as k1_out*(1 - k1_out)) only when sympy confirms the two agree.
    """
    sp = sp or load_sympy()
    outputs = spec.layers[-1].unit_names
    sym = lambda name: sp.Symbol(name, real=True)  # noqa: E731
    t = [sym("t" if len(outputs) == 1 else f"t_{u}") for u in outputs]
    outs = [sym(node_out(u)) for u in outputs]
    last = spec.layers[-1].activation
    if spec.loss == "cross_entropy":  # one-hot targets t
        loss = (-sum(ti * sp.log(a) for ti, a in zip(t, outs)) if last == "softmax"
                else -(sum(ti * a for ti, a in zip(t, outs)) - sp.log(sum(sp.exp(a) for a in outs))))
    else:
        loss = sample_loss_expression(spec.loss, last, outs, t, sp)
    upstream = {u: sp.diff(loss, o) for u, o in zip(outputs, outs)}  # ∂L/∂u_out
    result = {}
    for n in range(len(spec.layers), 0, -1):
        layer = spec.layers[n - 1]
        units = layer.unit_names
        sources = spec.unit_names(n - 1)
        src = [sym(s if n == 1 else node_out(s)) for s in sources]
        ins = [sym(node_in(u)) for u in units]
        delta = _deltas(layer, units, ins, upstream, sp, sym)  # ∂L/∂u_in
        if n == len(spec.layers) and spec.loss == "cross_entropy" and last == "softmax":
            # with one-hot targets (Σ t = 1) softmax and cross-entropy give u_out − t_u, if sympy agrees
            for u, o, ti in zip(units, outs, t):
                if _zero((delta[u] - (o - ti)).subs(t[-1], 1 - sum(t[:-1])), sp):
                    delta[u] = o - ti
        pre = {}
        for b, u in enumerate(units):
            w = [sym(weight_name(sources[a], u)) for a in range(len(sources))]
            bias = sym(bias_name(u))
            pre[u] = (sum(s * wi for s, wi in zip(src, w)) + bias, w, bias)
        for a, s in enumerate(sources):
            for b, u in enumerate(units):
                expr, w, _ = pre[u]
                result[weight_name(s, u)] = delta[u] * sp.diff(expr, w[a])
        for u in units:
            expr, _, bias = pre[u]
            result[bias_name(u)] = delta[u] * sp.diff(expr, bias)
        if n > 1:
            upstream = {}
            for a, s in enumerate(sources):
                total = sum(delta[u] * sp.diff(pre[u][0], src[a]) for u in units)
                upstream[s] = total if sp.count_ops(total) <= FORMULA_MAX_OPS else sym(f"(∂L/∂{s}_out)")
    prefix = "" if spec.samples == 1 else (f"Σ over {spec.samples} samples of " if spec.reduction == "sum"
                                           else f"mean over {spec.samples} samples of ")
    wrap = (lambda text: f"({text})") if prefix else (lambda text: text)  # noqa: E731
    return {name: prefix + wrap(_tidy(result[name], sp)) for name, _ in spec.param_names()}


def _deltas(layer, units, ins, upstream, sp, sym) -> dict:
    """∂L/∂u_in for each unit: ∂L/∂u_out times sympy's derivative of the activation, in names."""
    outs = [sym(node_out(u)) for u in units]
    if layer.activation == "softmax":
        total = sum(sp.exp(z) for z in ins)
        delta = {}
        for i, u in enumerate(units):
            terms = []
            for j, v in enumerate(units):
                d = sp.diff(sp.exp(ins[j]) / total, ins[i])
                shown = outs[j] * ((1 if i == j else 0) - outs[i])  # a_j(δ_ij − a_i), if sympy agrees
                ok = _zero(d - shown.subs({o: sp.exp(z) / total for o, z in zip(outs, ins)}), sp)
                terms.append(upstream[v] * (shown if ok else d))
            delta[u] = sum(terms)
        return delta
    delta = {}
    # σ′ shown as σ·(1 − σ) in the output's name, if sympy confirms it (checked once per layer)
    z0 = sp.Symbol("z", real=True)
    sigma0 = activation_expression("sigmoid", z0, sp)
    sigmoid_ok = layer.activation == "sigmoid" and _zero(sp.diff(sigma0, z0) - sigma0 * (1 - sigma0), sp)
    for u, z, out in zip(units, ins, outs):
        act = activation_expression(layer.activation, z, sp, layer.alpha, (sym("λ"), sym("α")))
        d = sp.diff(act, z)
        shown = d.subs(act, out) if layer.activation == "tanh" else d
        if sigmoid_ok:
            shown = out * (1 - out)
        shown = shown.replace(lambda e: isinstance(e, sp.Piecewise) and len(e.args) == 2
                              and e.args[1].cond == sp.true, _piecewise_name(sym))
        delta[u] = upstream[u] * shown
    return delta


def _piecewise_name(sym):
    """A two-piece derivative as one readable name: ``[j1_in > 0]`` (Iverson) or ``(1 if z > 0 else 1/5)``."""
    def name(e):
        (a, cond), (b, _) = e.args
        if a == 1 and b == 0:
            return sym(f"[{cond}]")
        return sym(f"({a} if {cond} else {b})")

    return name


def _zero(expr, sp) -> bool:
    """Whether sympy reduces ``expr`` to 0 (as a rational function of its atoms: cheap, no simplify)."""
    return sp.cancel(sp.expand(expr)) == 0


def _tidy(expr, sp) -> str:
    return str(sp.factor_terms(expr)).replace("**", "^")


# ── verify: the three columns and the verdict ──

@dataclass(frozen=True)
class VerifyRow:
    """One parameter element: ∂L/∂w from the tape, from sympy's derivatives and from central differences."""

    name: str
    key: str
    tape: float
    symbolic: float
    numeric: float
    ok: bool

    @property
    def tape_error(self) -> float:
        return abs(self.tape - self.symbolic)

    @property
    def numeric_error(self) -> float:
        return abs(self.numeric - self.symbolic)


@dataclass(frozen=True)
class VerifyResult:
    """What `backcalc verify` shows; ``to_dict()`` is its JSON."""

    title: str
    samples: int
    loss_kind: str
    loss_tape: float
    loss_symbolic: float
    loss_numeric: float
    rows: tuple
    numeric_checked: bool = True  # False when a unit sits at a kink, where central differences straddle it
    notes: tuple = ()
    formulas: tuple | None = None  # ((name, closed form), ...) with --formulas

    @property
    def loss_ok(self) -> bool:
        return _agree(self.loss_tape, self.loss_symbolic, TAPE_RTOL, TAPE_ATOL)

    @property
    def ok(self) -> bool:
        return self.loss_ok and all(r.ok for r in self.rows)

    def failures(self) -> list[VerifyRow]:
        return [r for r in self.rows if not r.ok]

    def to_dict(self) -> dict:
        out = {"format": 1, "ok": self.ok,
               "rows": [{"name": r.name, "key": r.key, "tape": r.tape, "symbolic": r.symbolic, "numeric": r.numeric,
                         "ok": r.ok} for r in self.rows]}
        if self.formulas is not None:
            out["formulas"] = dict(self.formulas)
        out.update({"title": self.title, "loss": {"tape": self.loss_tape, "symbolic": self.loss_symbolic,
                                                  "numeric": self.loss_numeric},
                    "numeric_checked": self.numeric_checked, "notes": list(self.notes),
                    "tolerance": {"tape": {"rtol": TAPE_RTOL, "atol": TAPE_ATOL},
                                  "numeric": {"rtol": NUMERIC_RTOL, "atol": NUMERIC_ATOL, "eps": EPS}}})
        return out

    def _repr_markdown_(self) -> str:
        from ..render.verify import markdown

        return markdown(self)


def _agree(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def verify(spec=None, formulas: bool = False) -> VerifyResult:
    """Check every ∂L/∂parameter of a spec three ways: the tape, sympy's derivatives, central differences.

    >>> result = verify()          # the embedded seed-004 net
    >>> result.ok, len(result.rows), result.rows[-1].name
    (True, 21, 'b_o')
    """
    from ..errors import SpecError
    from ..net.network import Network
    from ..net.spec import load_spec

    spec = load_spec(spec)
    if spec.n_parameters > MAX_VERIFY_PARAMETERS:
        raise SpecError(f"{spec.source}: verify checks nets of at most {MAX_VERIFY_PARAMETERS:,} parameters "
                        f"(one sympy evaluation per unit and sample); this one has {spec.n_parameters:,}")
    unit_samples = spec.samples * sum(layer.units for layer in spec.layers)
    if unit_samples > MAX_VERIFY_UNIT_SAMPLES:
        raise SpecError(f"{spec.source}: verify evaluates at most {MAX_VERIFY_UNIT_SAMPLES:,} units × samples; "
                        f"this spec has {unit_samples:,}: use fewer samples")
    sp = load_sympy()
    net = Network(spec)
    tape = net.gradients()
    loss_tape = net.loss()
    try:
        symbolic, loss_symbolic = symbolic_gradients(spec, sp)
    except RecursionError:
        raise SpecError(f"{spec.source}: the net is too deep for the symbolic check") from None
    numeric = numeric_gradients(spec)
    kinks = _kinks(spec)
    rows = []
    for name, key in spec.param_names():
        t, s, n = tape[key], symbolic[key], numeric[key]
        ok = _agree(t, s, TAPE_RTOL, TAPE_ATOL) and (bool(kinks) or _agree(n, s, NUMERIC_RTOL, NUMERIC_ATOL))
        rows.append(VerifyRow(name, key, t, s, n, ok))
    closed = tuple(closed_forms(spec, sp).items()) if formulas else None
    return VerifyResult(spec.title, spec.samples, spec.loss, loss_tape, loss_symbolic,
                        numpy_loss(spec, spec.parameters()), tuple(rows), not kinks, tuple(kinks), closed)


def _kinks(spec) -> list[str]:
    """Units whose pre-activation sits within reach of a kink (relu-like at 0) for some sample."""
    import numpy as np

    notes = []
    a = np.asarray(spec.x, dtype=float)
    params = spec.parameters()
    for layer in spec.layers:
        z = a @ params[array_key("W", layer.index)] + params[array_key("b", layer.index)]
        if layer.activation in KINKED:
            reach = 10 * EPS * (1 + np.abs(a).sum(axis=1, keepdims=True))
            for s, u in zip(*np.nonzero(np.abs(z) <= reach)):
                notes.append(f"{node_in(layer.unit_names[u])} = {z[s, u]:.3g} (sample {s + 1}) is at {layer.activation}'s "
                             f"kink: central differences straddle it, so only tape and sympy are compared")
        a = numpy_activation(layer, z)
    return notes
