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

from ..errors import DomainError
from .binding import RuleTable

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


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


# ───────────────────────────── forward helpers (domain checks, stability) ─────────────────────────────

def _log_scalar(a):
    if not a > 0:
        raise DomainError(f"log({a:g}): the logarithm is defined for positive numbers only")
    return math.log(a)


def _log_array(a):
    bad = np.argwhere(~(a > 0))
    if len(bad):
        idx = tuple(int(i) for i in bad[0])
        raise DomainError(f"log of {a[idx]:g} at element {list(idx)}: "
                          "the logarithm is defined for positive numbers only")
    return np.log(a)


def _sqrt_scalar(a):
    if a < 0:
        raise DomainError(f"sqrt({a:g}): the square root is defined for numbers ≥ 0 only")
    return math.sqrt(a)


def _sqrt_array(a):
    bad = np.argwhere(a < 0)
    if len(bad):
        idx = tuple(int(i) for i in bad[0])
        raise DomainError(f"sqrt of {a[idx]:g} at element {list(idx)}: defined for numbers ≥ 0 only")
    return np.sqrt(a)


def _exp_scalar(a):
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def _exp_array(a):
    with np.errstate(over="ignore"):
        return np.exp(a)


def _sigmoid_scalar(a):
    # the two branches never overflow: exp of a non-positive number only
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sigmoid_array(a):
    # exp(−a) may overflow to inf for a < −709; 1/(1+inf) = 0 is then the exact limit, so the
    # overflow is silenced rather than avoided, at the cost of the plain formula.
    # the same operations as 1/(1 + exp(−a)), done in one buffer: a large layer allocates once, not four times
    with np.errstate(over="ignore"):
        if a.ndim == 0:
            return 1.0 / (1.0 + np.exp(-a))
        t = np.negative(a, dtype=np.float64)
        np.exp(t, out=t)
        np.add(1.0, t, out=t)
        return np.divide(1.0, t, out=t)


def _softplus_scalar(a):
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _softplus_array(a):
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def _half_over(ans):
    if isinstance(ans, np.ndarray):
        with np.errstate(divide="ignore"):
            return 0.5 / ans
    return 0.5 / ans if ans else math.inf


def _tan_local(ans, a):
    return (1.0 + ans * ans,)


def _elu_scalar(a, alpha=1.0):
    return a if a > 0 else alpha * math.expm1(a)


def _elu_array(a, alpha=1.0):
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0)))


def _selu_scalar(a):
    return SELU_SCALE * (a if a > 0 else SELU_ALPHA * math.expm1(a))


def _selu_array(a):
    return SELU_SCALE * np.where(a > 0, a, SELU_ALPHA * np.expm1(np.minimum(a, 0.0)))


def _pow_scalar(a, k):
    try:
        r = a ** k
    except ZeroDivisionError:
        raise DomainError(f"{a:g} ** {k:g}: zero to a negative power") from None
    except OverflowError:
        return math.inf
    if isinstance(r, complex):
        raise DomainError(f"{a:g} ** {k:g}: a negative number to a fractional power is not real")
    return r


def _pow_array(a, k):
    k_arr = np.asarray(k)
    if np.any((k_arr != np.round(k_arr)) & (a < 0)):
        raise DomainError("a negative number to a fractional power is not real")
    if np.any((k_arr < 0) & (a == 0)):
        raise DomainError("zero to a negative power")
    with np.errstate(over="ignore"):
        return a ** k


def _pow_local(ans, a, k):
    if k == 2:
        return (2.0 * a,)
    if k == 1:
        return (a * 0.0 + 1.0,)
    if isinstance(a, np.ndarray):
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return (k * a ** (k - 1),)
    return (k * _pow_scalar(a, k - 1),)


def _vpow_local(ans, a, b):
    # d/da a^b = b·a^(b−1); d/db a^b = a^b·ln a (defined for a > 0; nan elsewhere, as a is a base)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        with np.errstate(all="ignore"):
            return b * a ** (b - 1), np.where(a > 0, ans * np.log(np.where(a > 0, a, 1.0)), np.nan)
    return b * _pow_scalar(a, b - 1), (ans * math.log(a) if a > 0 else math.nan)


def _div_scalar(a, b):
    if b == 0:
        raise DomainError(f"{a:g} / 0: division by zero")
    return a / b


def _div_array(a, b):
    if np.any(b == 0):
        raise DomainError("division by zero")
    return a / b


def _bce_range(p, t):
    # a probability or a target outside [0, 1] (or NaN) gives a meaningless, possibly negative, loss
    if p.__class__ is float and t.__class__ is float and 0.0 <= p <= 1.0 and 0.0 <= t <= 1.0:
        return
    p, t = np.asarray(p, dtype=float), np.asarray(t, dtype=float)
    for what, arr in (("probability", p), ("target", t)):
        bad = ~((arr >= 0) & (arr <= 1))
        if np.any(bad):
            idx = [int(i) for i in np.argwhere(bad)[0]] if arr.ndim else []
            v = float(arr[tuple(idx)])
            raise DomainError(f"bce: a {what} of {v:g}{f' at element {idx}' if idx else ''} is outside [0, 1]"
                              + ("; use bce_with_logits for logits" if what == "probability" else ""))


def _bce_scalar(p, t):
    _bce_range(p, t)
    return -(_xlogy(t, p) + _xlogy(1.0 - t, 1.0 - p))


def _xlogy(x, y):
    if x == 0:
        return 0.0
    if y <= 0:
        raise DomainError("bce: a predicted probability of exactly 0 or 1 against the opposite target "
                          "gives an infinite loss; use bce_with_logits on the pre-activation")
    return x * math.log(y)


def _bce_array(p, t):
    _bce_range(np.asarray(p), np.asarray(t))
    bad = ((p <= 0) & (t != 0)) | ((p >= 1) & (t != 1))
    if bad.any():
        idx = [int(i) for i in np.argwhere(bad)[0]]
        raise DomainError(f"bce: predicted probability {p[tuple(idx)]:g} at element {idx} against target "
                          f"{t[tuple(idx)]:g} gives an infinite loss; use bce_with_logits on the pre-activation")
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(t == 0, 0.0, t * np.log(np.where(p > 0, p, 1.0)))
        b = np.where(t == 1, 0.0, (1.0 - t) * np.log(np.where(p < 1, 1.0 - p, 1.0)))
    return -(a + b)


def _bce_local(ans, p, t):
    # ∂/∂p = −t/p + (1−t)/(1−p), computed as (p − t)/(p·(1 − p)) so the two terms never cancel when p ≈ t;
    # at p = 0 or 1 (allowed against a matching target) the 0/0 term is taken as 0.
    # ∂/∂t = ln(1−p) − ln p = ln((1−p)/p), as log1p((1 − 2p)/p) near p = ½ where the two logs cancel.
    if isinstance(p, np.ndarray) or isinstance(t, np.ndarray):
        p, t = np.broadcast_arrays(np.asarray(p, float), np.asarray(t, float))
        inside = (p > 0) & (p < 1)
        q = np.where(inside, p, 0.5)
        with np.errstate(divide="ignore", invalid="ignore"):
            edge = np.where(t == 0, 0.0, -t / p) + np.where(t == 1, 0.0, (1.0 - t) / (1.0 - p))
            dp = np.where(inside, (q - t) / (q * (1.0 - q)), edge)
            near_half = (q > 0.25) & (q < 0.75)
            dt = np.where(near_half, np.log1p((1.0 - 2.0 * q) / q), np.log((1.0 - q) / q))
        return dp, np.where(inside, dt, np.nan)
    if 0 < p < 1:
        dt = math.log1p((1.0 - 2.0 * p) / p) if 0.25 < p < 0.75 else math.log((1.0 - p) / p)
        return (p - t) / (p * (1.0 - p)), dt
    dp = (0.0 if t == 0 else -t / p) + (0.0 if t == 1 else (1.0 - t) / (1.0 - p))
    return dp, math.nan


# ───────────────────────────── local derivatives free of cancellation ─────────────────────────────
# Each is the textbook formula of the table's text, computed so that no large term cancels: σ′ as
# σ(a)·σ(−a) (1 − σ(a) is 0 in floats for a > 37), tanh′ as 1/cosh²(a) (1 − tanh² is 0 for |a| > 19), elu′
# for a ≤ 0 as α·e^a (out + α cancels for a < −19), the piecewise rules by selection, never by arithmetic on the indicator ([a>0]·(1 − x) + x is 0 for a
# large x). Property-tested against mpmath over magnitudes 1e-300…1e300 (tests/test_rules_precision.py).

def _where_positive(a, pos, neg):
    if isinstance(a, np.ndarray):
        return np.where(a > 0, pos, neg)
    return pos if a > 0 else neg


def _exp_neg(a):
    # e^a where a ≤ 0 (the negative branch of elu and selu): out + α = α·e^a, without the cancellation
    if isinstance(a, np.ndarray):
        return np.exp(np.minimum(a, 0.0))
    return math.exp(min(a, 0.0))


def _elu_local(ans, a, alpha=1.0):
    return (_where_positive(a, 1.0, alpha * _exp_neg(a)),)


def _selu_local(ans, a):
    return (_where_positive(a, SELU_SCALE, SELU_SCALE * SELU_ALPHA * _exp_neg(a)),)


def _sigmoid_local(ans, a):
    if isinstance(a, np.ndarray) and a.ndim:
        # σ(−a) = 1/(1 + e^a), the same operations as _sigmoid_array(−a), in one buffer
        with np.errstate(over="ignore"):
            t = np.exp(a)
            np.add(1.0, t, out=t)
            np.divide(1.0, t, out=t)
        return (np.multiply(ans, t, out=t),)
    if isinstance(a, np.ndarray):
        return (ans * _sigmoid_array(-a),)
    return (ans * _sigmoid_scalar(-a),)


def _tanh_local(ans, a):
    # sech²(a) = 1/cosh²(a); past |a| = 20 it is 4·e^(−2|a|) to the last bit (and never overflows)
    if isinstance(a, np.ndarray):
        m = np.abs(a)
        return (np.where(m > 20.0, 4.0 * np.exp(-2.0 * m), 1.0 / np.cosh(np.minimum(m, 20.0)) ** 2),)
    m = abs(a)
    return (4.0 * math.exp(-2.0 * m) if m > 20.0 else 1.0 / math.cosh(m) ** 2,)


# ───────────────────────────── vjps of the non-elementwise rules ─────────────────────────────

def _matmul_vjp(g, ans, local, inputs, params, needs):
    b, a = local  # ∂(a@b)/∂a pairs with b, ∂(a@b)/∂b pairs with a
    if a.ndim == 1 and b.ndim == 1:  # a dot product: g is a scalar
        return (g * b if needs[0] else None), (g * a if needs[1] else None)
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    if a.ndim == 1:
        g = np.expand_dims(g, -2)
    if b.ndim == 1:
        g = np.expand_dims(g, -1)
    ga = gb = None  # a constant operand (an input x) gets no gradient: the product is skipped
    if needs[0]:
        ga = g @ np.swapaxes(b2, -1, -2)
        if a.ndim == 1:
            ga = np.squeeze(ga, -2)
    if needs[1]:
        gb = np.swapaxes(a2, -1, -2) @ g
        if b.ndim == 1:
            gb = np.squeeze(gb, -1)
    return ga, gb


def _sum_vjp(g, ans, local, inputs, params, needs):
    shape = inputs[0].shape
    axis = params.get("axis")
    if axis is not None and not params.get("keepdims"):
        g = np.expand_dims(g, axis)
    return (np.broadcast_to(g * local[0], shape),)


def _reshape_vjp(g, ans, local, inputs, params, needs):
    return (np.reshape(g, inputs[0].shape),)


def _transpose_vjp(g, ans, local, inputs, params, needs):
    return (np.swapaxes(g, -1, -2) if g.ndim > 1 else g,)


def _softmax_vjp(g, ans, local, inputs, params, needs):
    s = local[0]
    axis = params.get("axis", -1)
    return (s * (g - np.sum(g * s, axis=axis, keepdims=True)),)


def _log_softmax_vjp(g, ans, local, inputs, params, needs):
    s = local[0]
    axis = params.get("axis", -1)
    return (g - s * np.sum(g, axis=axis, keepdims=True),)


def _mean_local(ans, a, axis=None, keepdims=False):
    n = a.size if axis is None else np.prod([a.shape[i] for i in np.atleast_1d(axis)])
    return (1.0 / float(n),)


def _softmax_array(a, axis=-1):
    m = np.max(a, axis=axis, keepdims=True)
    e = np.exp(a - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_array(a, axis=-1):
    m = np.max(a, axis=axis, keepdims=True)
    shifted = a - m
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _transpose_array(a):
    return np.swapaxes(a, -1, -2) if a.ndim > 1 else a


def _step(a):
    return 1.0 if a > 0 else 0.0


def _ones_like(a):
    return np.ones_like(a) if isinstance(a, np.ndarray) else 1.0


def _gt(a, b):
    # 1 where a > b, written for floats and arrays alike (floats first: the scalar tape's hot path)
    if a.__class__ is float:
        return 1.0 if a > b else 0.0
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (np.asarray(a) > b).astype(float)
    return 1.0 if a > b else 0.0


def _ge(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (np.asarray(a) >= b).astype(float)
    return 1.0 if a >= b else 0.0


def _sign(a):
    if isinstance(a, np.ndarray):
        return np.sign(a)
    return 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)


def _max_local(ans, a, b):
    first = _ge(a, b)  # a tie sends the gradient to the first argument
    return first, 1.0 - first


def _min_local(ans, a, b):
    first = _ge(b, a)
    return first, 1.0 - first


# ───────────────────────────── the table ─────────────────────────────

def _r(name, arity, local, text, latex, **kw) -> Rule:
    return Rule(name=name, arity=arity, local=local, text=tuple(text), latex=tuple(latex), **kw)


_TABLE = [
    # ── arithmetic ──
    _r("add", 2, lambda ans, a, b: (1.0, 1.0), ["1", "1"], ["1", "1"],
       scalar=operator.add, array=np.add, show="{a} + {b}", show_latex="{a} + {b}",
       vjp=lambda g, ans, local, inputs, params, needs: (g, g)),
    _r("sub", 2, lambda ans, a, b: (1.0, -1.0), ["1", "−1"], ["1", "-1"],
       scalar=operator.sub, array=np.subtract, show="{a} − {b}", show_latex="{a} - {b}",
       vjp=lambda g, ans, local, inputs, params, needs: (g, -g)),
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
       scalar=abs, array=np.abs, show="|{a}|", show_latex="\\left|{a}\\right|", note="abs′(0) = 0"),
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
       show="max(0, {a})", show_latex="\\max(0, {a})", note="relu′(0) = 0", local_bound=1.0, local_bound_text="≤ 1"),
    _r("leaky_relu", 1,
       lambda ans, a, alpha=0.01: (_where_positive(a, 1.0, alpha),),
       ["1 if {a} > 0 else {alpha}"], ["\\begin{{cases}}1 & {a} > 0\\\\ {alpha} & {a} \\le 0\\end{{cases}}"],
       scalar=lambda a, alpha=0.01: a if a > 0 else alpha * a,
       array=lambda a, alpha=0.01: np.where(a > 0, a, alpha * a),
       show="leaky_relu({a})", show_latex="\\operatorname{{LeakyReLU}}({a})",
       note="leaky_relu′(0) = alpha", params=("alpha",), local_bound=1.0, local_bound_text="≤ 1",
       defaults=(("alpha", 0.01),)),
    _r("elu", 1, _elu_local,
       ["1 if {a} > 0 else {out} + {alpha}"],
       ["\\begin{{cases}}1 & {a} > 0\\\\ {out} + {alpha} & {a} \\le 0\\end{{cases}}"],
       scalar=_elu_scalar, array=_elu_array, show="elu({a})", show_latex="\\operatorname{{ELU}}({a})",
       note="elu′(0) = alpha", params=("alpha",), defaults=(("alpha", 1.0),),
       by_output=lambda out, alpha=1.0: _where_positive(out, 1.0, out + alpha), local_bound=1.0,
       local_bound_text="≤ 1"),
    _r("selu", 1, _selu_local,
       ["λ if {a} > 0 else {out} + λα"],
       ["\\begin{{cases}}\\lambda & {a} > 0\\\\ {out} + \\lambda\\alpha & {a} \\le 0\\end{{cases}}"],
       scalar=_selu_scalar, array=_selu_array, show="selu({a})", show_latex="\\operatorname{{SELU}}({a})",
       note="λ = 1.0507009873554805, α = 1.6732632423543772; selu′(0) = λα",
       by_output=lambda out: _where_positive(out, SELU_SCALE, out + SELU_SCALE * SELU_ALPHA),
       local_bound=SELU_SCALE * SELU_ALPHA, local_bound_text="≤ λα ≈ 1.758"),
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
       ["{b}^\\top", "{a}^\\top"], array=np.matmul, vjp=_matmul_vjp, elementwise=False,
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
