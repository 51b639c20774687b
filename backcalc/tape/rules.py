"""The rule table: every primitive's forward, local derivative(s) and the formula shown to a student.

One entry per primitive (:data:`RULES`). A rule's ``local`` returns the chain-rule factor
∂out/∂input for each input, computed from the forward output ``ans`` and the inputs; the tape
records those factors as they are, and ``backward`` multiplies them by the upstream gradient ``g``.
Elementwise rules need nothing more. The few rules whose Jacobian is not diagonal (matmul,
reductions, reshapes, softmax) also carry a ``vjp(g, ans, local, inputs, params, needs)`` that turns
``g`` and the recorded factors into each input's gradient (``needs[i]`` is False for a constant input,
whose gradient may then be skipped: None).

Formulas use ``{a}``, ``{b}`` for the inputs, ``{out}`` for the output and ``{k}``/``{alpha}`` for
parameters, so a derivation can write them with the names of its own nodes.

Replacing an entry (``RULES["relu"] = my_rule``) changes every path that uses it — operators, methods,
layers reached through a spec — see :mod:`backcalc.tape.binding`.

Conventions at points where a derivative does not exist (also listed in the README):
relu′(0) = 0, leaky_relu′(0) = alpha, elu′(0) = alpha, abs′(0) = 0, max/min at a tie send the
gradient to the first argument. log of 0 or of a negative number raises :class:`DomainError`.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .binding import RuleTable
from .numerics import (  # noqa: F401  (_matmul_vjp is read by tests through this module)
    SELU_ALPHA, SELU_SCALE,
    _log_scalar, _log_array, _sqrt_scalar, _sqrt_array, _exp_scalar, _exp_array, _sigmoid_scalar,
    _sigmoid_array, _softplus_scalar, _softplus_array, _half_over, _tan_local, _elu_scalar, _elu_array,
    _selu_scalar, _selu_array, _pow_scalar, _pow_array, _pow_local, _vpow_local, _div_scalar, _div_array,
    _bce_scalar, _bce_array, _bce_local, _where_positive, _elu_local, _selu_local, _sigmoid_local,
    _tanh_local, _matmul_vjp, _sum_vjp, _reshape_vjp, _transpose_vjp, _softmax_vjp, _log_softmax_vjp,
    _mean_local, _softmax_array, _log_softmax_array, _transpose_array, _ones_like, _gt, _sign, _max_local,
    _min_local,
)


@dataclass(frozen=True)
class Rule:
    """One primitive: its forward on floats and on float64 arrays, its local partials and formulas."""

    name: str
    arity: int
    local: Callable
    text: tuple[str, ...]
    latex: tuple[str, ...]
    scalar: Callable | None = None
    array: Callable | None = None
    vjp: Callable | None = None
    show: str = ""
    show_latex: str = ""
    elementwise: bool = True
    note: str = ""
    params: tuple[str, ...] = field(default=())
    # the local derivative from the output alone, as written on paper (σ′ = out·(1 − out)); the tape's
    # ``local`` computes the same number without cancellation, the grader uses this to replay mistakes
    by_output: Callable | None = None
    text_by_out: str = ""        # ... and as a page writes it ("{out}·(1 − {out})")
    symbol: str = ""             # the function's name on a page when it is not the rule's ("σ")
    define: str = ""             # its definition, when the name alone does not say it ("1/(1 + e^(−{a}))")
    local_bound: float | None = None  # the largest |∂out/∂input| (activations), and how a page writes it
    local_bound_text: str = ""
    defaults: tuple = ()         # ((parameter, value), ...) when a call gives none: leaky_relu's alpha is 0.01
    # what ``local`` and ``vjp`` read besides ``g``: the Tensor tape may drop an output or input that a rule
    # never reads (and recompute it when someone does), see backcalc.tape.keep
    reads_out: bool = True
    reads_inputs: bool = True
    # no derivative at input 0 (relu-like): a layer's pre-activation that is 0 up to the rounding of its own
    # terms is taken as exactly 0 there (backcalc.net.kinks), so the page's f′(0) is the convention in ``note``
    kink: bool = False

    def default(self, param: str):
        """The value a parameter takes when none is given (``rule("elu").default("alpha")`` → ``1.0``)."""
        return dict(self.defaults).get(param)

    def formula(self, i: int, latex: bool = False, **names) -> str:
        """The local derivative ∂out/∂input_i written with the given names, e.g. ``a="k1_in"``."""
        template = (self.latex if latex else self.text)[i]
        return _fill(template, names)

    def expression(self, latex: bool = False, **names) -> str:
        """The forward operation written with the given names, e.g. ``σ(k1_in)``."""
        return _fill(self.show_latex if latex else self.show, names)

    def definition(self, **names) -> str:
        """What the function computes, written out (``1/(1 + e^(−k1_in))``); "" when the name says it all."""
        return _fill(self.define, names)

    def formula_by_out(self, **names) -> str:
        """The local derivative in the output's name alone (``k1_out·(1 − k1_out)``); "" when there is no such form."""
        return _fill(self.text_by_out, names)

    @property
    def sign(self) -> str:
        """The function's name as a page writes it: ``σ`` for sigmoid, else the rule's name."""
        return self.symbol or self.name

    @property
    def bound_text(self) -> str:
        """The bound of its derivative as a page writes it: ``σ′ ≤ 0.25``."""
        return f"{self.sign}′ {self.local_bound_text}"


class _Names(dict):
    def __missing__(self, key):
        return key


def _fill(template: str, names: dict) -> str:
    return template.format_map(_Names({k: _fmt(v) for k, v in names.items()}))


def _fmt(v):
    if isinstance(v, float):
        return f"{v:g}"
    return v


# ───────────────────────────── the table ─────────────────────────────

def _r(name, arity, local, text, latex, **kw) -> Rule:
    return Rule(name=name, arity=arity, local=local, text=tuple(text), latex=tuple(latex), **kw)


_TABLE = [
    # ── arithmetic ──
    _r("add", 2, lambda ans, a, b: (1.0, 1.0), ["1", "1"], ["1", "1"],
       scalar=operator.add, array=np.add, show="{a} + {b}", show_latex="{a} + {b}",
       vjp=lambda g, ans, local, inputs, params, needs: (g, g), reads_out=False, reads_inputs=False),
    _r("sub", 2, lambda ans, a, b: (1.0, -1.0), ["1", "−1"], ["1", "-1"],
       scalar=operator.sub, array=np.subtract, show="{a} − {b}", show_latex="{a} - {b}",
       vjp=lambda g, ans, local, inputs, params, needs: (g, -g), reads_out=False, reads_inputs=False),
    _r("mul", 2, lambda ans, a, b: (b, a), ["{b}", "{a}"], ["{b}", "{a}"],
       scalar=operator.mul, array=np.multiply, show="{a}·{b}", show_latex="{a} \\cdot {b}"),
    _r("div", 2, lambda ans, a, b: (1.0 / b, -ans / b), ["1/{b}", "−{a}/{b}²"],
       ["\\frac{{1}}{{{b}}}", "-\\frac{{{a}}}{{{b}^2}}"],
       scalar=_div_scalar, array=_div_array, show="{a}/{b}", show_latex="\\frac{{{a}}}{{{b}}}"),
    _r("neg", 1, lambda ans, a: (-1.0,), ["−1"], ["-1"],
       scalar=operator.neg, array=np.negative, show="−{a}", show_latex="-{a}",
       vjp=lambda g, ans, local, inputs, params, needs: (-g,)),
    _r("pow", 1, _pow_local, ["{k}·{a}^({k}−1)"], ["{k}\\,{a}^{{{k}-1}}"],
       scalar=_pow_scalar, array=_pow_array, show="{a}^{k}", show_latex="{a}^{{{k}}}", params=("k",)),
    _r("vpow", 2, _vpow_local, ["{b}·{a}^({b}−1)", "{a}^{b}·ln {a}"],
       ["{b}\\,{a}^{{{b}-1}}", "{a}^{{{b}}} \\ln {a}"],
       scalar=_pow_scalar, array=_pow_array, show="{a}^{b}", show_latex="{a}^{{{b}}}",
       note="∂/∂b is defined for a > 0 only (nan elsewhere)"),
    _r("max", 2, _max_local, ["[{a} ≥ {b}]", "[{a} < {b}]"], ["[{a} \\ge {b}]", "[{a} < {b}]"],
       scalar=max, array=np.maximum, show="max({a}, {b})", show_latex="\\max({a}, {b})",
       note="at a tie the gradient goes to the first argument"),
    _r("min", 2, _min_local, ["[{a} ≤ {b}]", "[{a} > {b}]"], ["[{a} \\le {b}]", "[{a} > {b}]"],
       scalar=min, array=np.minimum, show="min({a}, {b})", show_latex="\\min({a}, {b})",
       note="at a tie the gradient goes to the first argument"),
    # ── elementary functions ──
    _r("exp", 1, lambda ans, a: (ans,), ["exp({a})"], ["e^{{{a}}}"],
       scalar=_exp_scalar, array=_exp_array, show="exp({a})", show_latex="e^{{{a}}}"),
    _r("log", 1, lambda ans, a: (1.0 / a,), ["1/{a}"], ["\\frac{{1}}{{{a}}}"],
       scalar=_log_scalar, array=_log_array, show="ln({a})", show_latex="\\ln {a}",
       note="defined for a > 0; log of 0 or of a negative number raises DomainError"),
    _r("sqrt", 1, lambda ans, a: (_half_over(ans),),
       ["1/(2·√{a})"], ["\\frac{{1}}{{2\\sqrt{{{a}}}}}"],
       scalar=_sqrt_scalar, array=_sqrt_array, show="√{a}", show_latex="\\sqrt{{{a}}}",
       note="sqrt′(0) is infinite"),
    _r("abs", 1, lambda ans, a: (_sign(a),), ["sign({a})"], ["\\operatorname{{sign}}({a})"],
       scalar=abs, array=np.abs, show="|{a}|", show_latex="\\left|{a}\\right|", note="abs′(0) = 0",
       kink=True),
    _r("sin", 1, lambda ans, a: (np.cos(a) if isinstance(a, np.ndarray) else math.cos(a),),
       ["cos({a})"], ["\\cos {a}"], scalar=math.sin, array=np.sin, show="sin({a})", show_latex="\\sin {a}"),
    _r("cos", 1, lambda ans, a: (-np.sin(a) if isinstance(a, np.ndarray) else -math.sin(a),),
       ["−sin({a})"], ["-\\sin {a}"], scalar=math.cos, array=np.cos, show="cos({a})", show_latex="\\cos {a}"),
    _r("tan", 1, _tan_local, ["1 + tan²({a})"], ["1 + \\tan^2 {a}"],
       scalar=math.tan, array=np.tan, show="tan({a})", show_latex="\\tan {a}"),
    # ── activations ──
    _r("linear", 1, lambda ans, a: (_ones_like(a),), ["1"], ["1"],
       scalar=float, array=np.asarray, show="{a}", show_latex="{a}", local_bound=1.0, local_bound_text="= 1"),
    _r("relu", 1, lambda ans, a: (_gt(a, 0.0),), ["[{a} > 0]"], ["[{a} > 0]"],
       scalar=lambda a: a if a > 0 else 0.0, array=lambda a: np.maximum(a, 0.0),
       show="max(0, {a})", show_latex="\\max(0, {a})", note="relu′(0) = 0", local_bound=1.0, local_bound_text="≤ 1",
       kink=True),
    _r("leaky_relu", 1,
       lambda ans, a, alpha=0.01: (_where_positive(a, 1.0, alpha),),
       ["1 if {a} > 0 else {alpha}"], ["\\begin{{cases}}1 & {a} > 0\\\\ {alpha} & {a} \\le 0\\end{{cases}}"],
       scalar=lambda a, alpha=0.01: a if a > 0 else alpha * a,
       array=lambda a, alpha=0.01: np.where(a > 0, a, alpha * a),
       show="leaky_relu({a})", show_latex="\\operatorname{{LeakyReLU}}({a})",
       note="leaky_relu′(0) = alpha", params=("alpha",), local_bound=1.0, local_bound_text="≤ 1",
       defaults=(("alpha", 0.01),), kink=True),
    _r("elu", 1, _elu_local,
       ["1 if {a} > 0 else {out} + {alpha}"],
       ["\\begin{{cases}}1 & {a} > 0\\\\ {out} + {alpha} & {a} \\le 0\\end{{cases}}"],
       scalar=_elu_scalar, array=_elu_array, show="elu({a})", show_latex="\\operatorname{{ELU}}({a})",
       note="elu′(0) = alpha", params=("alpha",), defaults=(("alpha", 1.0),),
       by_output=lambda out, alpha=1.0: _where_positive(out, 1.0, out + alpha), local_bound=1.0,
       local_bound_text="≤ 1", kink=True),
    _r("selu", 1, _selu_local,
       ["λ if {a} > 0 else {out} + λα"],
       ["\\begin{{cases}}\\lambda & {a} > 0\\\\ {out} + \\lambda\\alpha & {a} \\le 0\\end{{cases}}"],
       scalar=_selu_scalar, array=_selu_array, show="selu({a})", show_latex="\\operatorname{{SELU}}({a})",
       note="λ = 1.0507009873554805, α = 1.6732632423543772; selu′(0) = λα",
       by_output=lambda out: _where_positive(out, SELU_SCALE, out + SELU_SCALE * SELU_ALPHA),
       local_bound=SELU_SCALE * SELU_ALPHA, local_bound_text="≤ λα ≈ 1.758", kink=True),
    _r("sigmoid", 1, _sigmoid_local, ["σ({a})·(1−σ({a}))"],
       ["\\sigma({a})\\,(1-\\sigma({a}))"], scalar=_sigmoid_scalar, array=_sigmoid_array,
       by_output=lambda out: out * (1.0 - out), text_by_out="{out}·(1 − {out})",
       show="σ({a})", show_latex="\\sigma({a})", symbol="σ", define="1/(1 + e^(−{a}))",
       local_bound=0.25, local_bound_text="≤ 0.25"),
    _r("tanh", 1, _tanh_local, ["1 − tanh²({a})"], ["1-\\tanh^2 {a}"], by_output=lambda out: 1.0 - out * out,
       text_by_out="1 − {out}²", scalar=math.tanh, array=np.tanh, show="tanh({a})", show_latex="\\tanh {a}",
       local_bound=1.0, local_bound_text="≤ 1"),
    _r("softplus", 1,
       lambda ans, a: (_sigmoid_array(a) if isinstance(a, np.ndarray) else _sigmoid_scalar(a),),
       ["σ({a})"], ["\\sigma({a})"], scalar=_softplus_scalar, array=_softplus_array,
       show="ln(1 + exp({a}))", show_latex="\\ln(1 + e^{{{a}}})"),
    # ── losses that need their own rule for stability ──
    _r("bce", 2, _bce_local, ["−{b}/{a} + (1−{b})/(1−{a})", "ln(1−{a}) − ln {a}"],
       ["-\\frac{{{b}}}{{{a}}} + \\frac{{1-{b}}}{{1-{a}}}", "\\ln(1-{a}) - \\ln {a}"],
       scalar=_bce_scalar, array=_bce_array,
       show="−({b}·ln {a} + (1−{b})·ln(1−{a}))", show_latex="-({b}\\ln {a} + (1-{b})\\ln(1-{a}))",
       note="0·ln 0 is taken as 0; an infinite loss raises DomainError"),
    # ── tensor structure (Jacobians that are not diagonal) ──
    _r("matmul", 2, lambda ans, a, b: (b, a), ["{b}ᵀ (row of the other operand)", "{a}ᵀ"],
       ["{b}^\\top", "{a}^\\top"], array=np.matmul, vjp=_matmul_vjp, elementwise=False, reads_out=False,
       show="{a} @ {b}", show_latex="{a}\\,{b}"),
    _r("sum", 1, lambda ans, a, axis=None, keepdims=False: (1.0,), ["1"], ["1"],
       array=lambda a, axis=None, keepdims=False: np.sum(a, axis=axis, keepdims=keepdims),
       vjp=_sum_vjp, elementwise=False, show="Σ {a}", show_latex="\\sum {a}", params=("axis", "keepdims")),
    _r("mean", 1, _mean_local, ["1/n"], ["\\frac{{1}}{{n}}"],
       array=lambda a, axis=None, keepdims=False: np.mean(a, axis=axis, keepdims=keepdims),
       vjp=_sum_vjp, elementwise=False, show="mean({a})", show_latex="\\overline{{{a}}}",
       params=("axis", "keepdims")),
    _r("reshape", 1, lambda ans, a, shape=None: (1.0,), ["1"], ["1"],
       array=lambda a, shape=None: np.reshape(a, shape), vjp=_reshape_vjp, elementwise=False,
       show="{a}", show_latex="{a}", params=("shape",)),
    _r("transpose", 1, lambda ans, a: (1.0,), ["1"], ["1"], array=_transpose_array,
       vjp=_transpose_vjp, elementwise=False, show="{a}ᵀ", show_latex="{a}^\\top"),
    _r("softmax", 1, lambda ans, a, axis=-1: (ans,), ["s_i·(δ_ij − s_j)"],
       ["s_i\\,(\\delta_{{ij}} - s_j)"], array=_softmax_array, vjp=_softmax_vjp, elementwise=False,
       show="softmax({a})", show_latex="\\operatorname{{softmax}}({a})", params=("axis",),
       define="e^({a}) / Σ e^(in)"),
    _r("log_softmax", 1, lambda ans, a, axis=-1: (np.exp(ans),), ["δ_ij − softmax_j({a})"],
       ["\\delta_{{ij}} - \\operatorname{{softmax}}_j({a})"], array=_log_softmax_array,
       vjp=_log_softmax_vjp, elementwise=False, show="log_softmax({a})",
       show_latex="\\log\\operatorname{{softmax}}({a})", params=("axis",)),
]

RULES: RuleTable = RuleTable({rule.name: rule for rule in _TABLE})  # replacing an entry rebinds the tape

ACTIVATIONS = ("linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax")


def rule(name: str) -> Rule:
    """The rule for a primitive, by name (``rule("sigmoid").formula(0, a="z")`` → ``σ(z)·(1−σ(z))``)."""
    return RULES[name]
