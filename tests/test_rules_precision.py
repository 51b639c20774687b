"""Every rule of the table against mpmath over magnitudes 1e-300…1e300: no cancellation, no spurious overflow.

For each primitive the forward value and every local derivative ∂out/∂input, on the scalar and on the array
path, must be the mpmath value (60 digits) rounded to float64 within a few ulps (1e-12 relative), inf
exactly where the true value overflows, and at most a subnormal's worth off where it underflows.
"""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from backcalc.tape.rules import RULES, SELU_ALPHA, SELU_SCALE

mp = mpmath.mp
mp.dps = 60
F = mpmath.mpf


def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


_A = F(SELU_ALPHA)
_L = F(SELU_SCALE)

# name: (forward, derivative, params, domain) written from the textbook definitions
UNARY = {
    "neg": (lambda x: -x, lambda x: F(-1), {}, "all"),
    "exp": (mpmath.exp, mpmath.exp, {}, "all"),
    "log": (mpmath.log, lambda x: 1 / x, {}, "positive"),
    "sqrt": (mpmath.sqrt, lambda x: 1 / (2 * mpmath.sqrt(x)), {}, "positive"),
    "abs": (abs, lambda x: F(mpmath.sign(x)), {}, "all"),
    "sin": (mpmath.sin, mpmath.cos, {}, "all"),
    "cos": (mpmath.cos, lambda x: -mpmath.sin(x), {}, "all"),
    "tan": (mpmath.tan, lambda x: 1 + mpmath.tan(x) ** 2, {}, "all"),
    "linear": (lambda x: x, lambda x: F(1), {}, "all"),
    "relu": (lambda x: x if x > 0 else F(0), lambda x: F(1 if x > 0 else 0), {}, "all"),
    "leaky_relu": (lambda x: x if x > 0 else F("0.01") * x, lambda x: F(1) if x > 0 else F("0.01"),
                   {"alpha": 0.01}, "all"),
    "elu": (lambda x: x if x > 0 else F("0.7") * mpmath.expm1(x),
            lambda x: F(1) if x > 0 else F("0.7") * mpmath.exp(x), {"alpha": 0.7}, "all"),
    "selu": (lambda x: _L * (x if x > 0 else _A * mpmath.expm1(x)),
             lambda x: _L if x > 0 else _L * _A * mpmath.exp(x), {}, "all"),
    "sigmoid": (_sig, lambda x: _sig(x) * _sig(-x), {}, "all"),
    "tanh": (mpmath.tanh, lambda x: mpmath.sech(x) ** 2, {}, "all"),
    "softplus": (lambda x: mpmath.log1p(mpmath.exp(x)), _sig, {}, "all"),
}


def test_every_elementwise_rule_has_a_reference():
    elementwise = {r.name for r in RULES.values() if r.elementwise and r.arity == 1 and not r.params
                   or r.name in ("leaky_relu", "elu")}
    assert elementwise - {"pow"} <= set(UNARY)


def _close(got, ref, what):
    """got (a float) is ref (an mpf) rounded: a few ulps, inf past the float range, ~0 below it."""
    got = float(got)
    if abs(ref) > F("1.7976931348623157e308"):
        assert got == (math.inf if ref > 0 else -math.inf), what
    elif abs(ref) < F("1e-300"):
        assert abs(got - float(ref)) <= 1e-300, what
    else:
        assert math.isfinite(got), what
        assert abs(F(got) - ref) <= F("1e-12") * abs(ref), (what, got, mpmath.nstr(ref, 17))


_MAGNITUDE = st.tuples(st.floats(-300, 300), st.booleans()).map(lambda t: (-1 if t[1] else 1) * 10.0 ** t[0])
_EDGES = [1e-300, 1e-20, 0.3, 1.0, 19.5, 37.0, 40.0, 355.5, 700.0, 710.0, 1e6, 1e12, 1e300]


def _check_unary(name, x):
    f, df, params, domain = UNARY[name]
    if domain == "positive":
        x = abs(x)
    r = RULES[name]
    ref_f, ref_d = f(F(x)), df(F(x))
    ans = r.scalar(x, **params)
    _close(ans, ref_f, (name, "forward", x))
    _close(r.local(ans, x, **params)[0], ref_d, (name, "local", x))
    arr = np.array([x])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # no warning leaks from the array path
        try:
            a_ans = r.array(arr, **params)
            a_loc = r.local(a_ans, arr, **params)[0]
        except FloatingPointError as exc:
            pytest.fail(f"{name}({x!r}) warns on the array path: {exc}")
    _close(np.asarray(a_ans).reshape(-1)[0], ref_f, (name, "array forward", x))
    _close(np.broadcast_to(a_loc, arr.shape)[0], ref_d, (name, "array local", x))


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("x", _EDGES + [-v for v in _EDGES])
def test_unary_rule_at_edges(name, x):
    _check_unary(name, x)


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=40, deadline=None)
@given(x=_MAGNITUDE)
def test_unary_rule_over_magnitudes(name, x):
    _check_unary(name, x)


def test_elu_and_selu_at_large_pre_activations():
    # the old rule [a>0]·(1 − (out+α)) + (out+α) cancelled: elu′(1e6) came out 0, selu′(1e12) 1.0507 ± noise
    from backcalc import Tensor

    t = Tensor([1e6, 1e12, 1e300])
    t.elu().sum().backward()
    assert list(t.grad) == [1.0, 1.0, 1.0]
    t = Tensor([1e12])
    t.selu().sum().backward()
    assert t.grad[0] == SELU_SCALE


@settings(max_examples=60, deadline=None)
@given(a=_MAGNITUDE, b=_MAGNITUDE)
def test_mul_and_div_locals(a, b):
    fa, fb = F(a), F(b)
    ans = RULES["div"].scalar(a, b)
    la, lb = RULES["div"].local(ans, a, b)
    _close(la, 1 / fb, ("div", a, b))
    if abs(fa / fb) < F("1e300"):  # the tape keeps a/b (a float): past overflow the partial is inf·0 territory
        _close(lb, -fa / fb ** 2, ("div ∂b", a, b))
    assert RULES["mul"].local(a * b, a, b) == (b, a)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(1e-300, 1 - 2 ** -53), t=st.floats(0, 1))
def test_bce_locals(p, t):
    ans = RULES["bce"].scalar(p, t)
    dp, dt = RULES["bce"].local(ans, p, t)
    fp, ft = F(p), F(t)
    _close(dp, -ft / fp + (1 - ft) / (1 - fp), ("bce ∂p", p, t))
    _close(dt, mpmath.log(1 - fp) - mpmath.log(fp), ("bce ∂t", p, t))
    adp, adt = RULES["bce"].local(None, np.array([p]), np.array([t]))
    _close(adp[0], -ft / fp + (1 - ft) / (1 - fp), ("bce array ∂p", p, t))
    _close(adt[0], mpmath.log(1 - fp) - mpmath.log(fp), ("bce array ∂t", p, t))


def test_bce_near_its_minimum_does_not_cancel():
    # p = t + 1e-9: the two terms −t/p and (1−t)/(1−p) are ±1.43 and cancel to 4.8e-9
    p, t = 0.3 + 1e-9, 0.3
    dp = RULES["bce"].local(None, p, t)[0]
    ref = -F(t) / F(p) + (1 - F(t)) / (1 - F(p))
    assert abs(F(dp) - ref) <= F("1e-12") * abs(ref)


@pytest.mark.parametrize("k", [2.0, 3.0, 0.5, -1.0, 1.5])
@settings(max_examples=25, deadline=None)
@given(x=st.floats(-300, 300).map(lambda e: 10.0 ** e))
def test_pow_rule_over_magnitudes(k, x):
    r = RULES["pow"]
    ans = r.scalar(x, k)
    _close(ans, F(x) ** F(k), ("pow", x, k))
    _close(r.local(ans, x, k)[0], F(k) * F(x) ** (F(k) - 1), ("pow local", x, k))
