"""The rule table: every elementwise rule's local derivative against central differences of its own forward."""

import math

import numpy as np
import pytest

from backcalc.tape.rules import RULES, rule

POINTS = [-1.7, -0.3, 0.4, 1.3]
ELEMENTWISE_UNARY = [r for r in RULES.values() if r.elementwise and r.arity == 1 and r.name not in ("pow",)]
PARAMS = {"leaky_relu": {"alpha": 0.1}, "elu": {"alpha": 0.7}}


def _domain(name, x):
    return abs(x) + 0.1 if name in ("log", "sqrt") else x


@pytest.mark.parametrize("r", ELEMENTWISE_UNARY, ids=lambda r: r.name)
def test_unary_local_matches_central_difference(r):
    params = PARAMS.get(r.name, {})
    for x in POINTS:
        x = _domain(r.name, x)
        ans = r.scalar(x, **params)
        (local,) = r.local(ans, x, **params)
        h = 1e-6
        numeric = (r.scalar(x + h, **params) - r.scalar(x - h, **params)) / (2 * h)
        assert local == pytest.approx(numeric, rel=1e-6, abs=1e-8), (r.name, x)
        # the array forward agrees with the scalar forward
        arr = np.array([x, x])
        assert r.array(arr, **params) == pytest.approx([ans, ans], rel=1e-12)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "vpow", "max", "min", "bce"])
def test_binary_local_matches_central_difference(name):
    r = RULES[name]
    a, b = (0.3, 0.0) if name == "bce" else (1.3, -0.7) if name != "vpow" else (1.3, 0.7)
    ans = r.scalar(a, b)
    la, lb = r.local(ans, a, b)
    h = 1e-6
    assert la == pytest.approx((r.scalar(a + h, b) - r.scalar(a - h, b)) / (2 * h), rel=1e-6)
    if name != "bce":  # the bce target is a constant of the data
        assert lb == pytest.approx((r.scalar(a, b + h) - r.scalar(a, b - h)) / (2 * h), rel=1e-6)


def test_pow_local():
    r = rule("pow")
    # d/dx x^3 at x = 2 is 3·2² = 12
    assert r.local(8.0, 2.0, k=3.0) == (12.0,)
    assert r.local(4.0, 2.0, k=2.0) == (4.0,)


def test_conventions_at_kinks():
    assert rule("relu").local(0.0, 0.0) == (0.0,)            # relu′(0) = 0
    assert rule("leaky_relu").local(0.0, 0.0, alpha=0.1)[0] == pytest.approx(0.1)
    assert rule("abs").local(0.0, 0.0) == (0.0,)
    assert rule("max").local(1.0, 1.0, 1.0) == (1.0, 0.0)     # a tie goes to the first argument
    assert rule("min").local(1.0, 1.0, 1.0) == (1.0, 0.0)


def test_formulas_are_written_with_names():
    assert rule("sigmoid").formula(0, a="k1_in") == "σ(k1_in)·(1−σ(k1_in))"
    assert rule("sigmoid").formula(0, latex=True, a="z") == r"\sigma(z)\,(1-\sigma(z))"
    assert rule("mul").formula(0, a="w", b="x") == "x"
    assert rule("pow").formula(0, a="x", k=2.0) == "2·x^(2−1)"
    assert rule("sigmoid").expression(a="k1_in") == "σ(k1_in)"


def test_every_rule_has_a_formula_per_input():
    for r in RULES.values():
        assert len(r.text) == len(r.latex) == max(r.arity, 1), r.name


def test_stable_forwards_do_not_warn_or_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is exact here
        s = rule("sigmoid").array(np.array([-1000.0, 0.0, 1000.0]))
        assert s.tolist() == [0.0, 0.5, 1.0]
        assert rule("softplus").array(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1000.0]
        sm = rule("softmax").array(np.array([[1000.0, -1000.0, 0.0]]))
        assert sm.tolist() == [[1.0, 0.0, 0.0]]
    assert rule("sigmoid").scalar(-1000.0) == 0.0
    assert rule("sigmoid").scalar(1000.0) == 1.0
    assert rule("exp").scalar(1000.0) == math.inf


def test_matmul_skips_the_gradient_of_a_constant_operand():
    from backcalc.tape.rules import _matmul_vjp

    a, b, g = np.ones((3, 2)), np.arange(8.0).reshape(2, 4), np.ones((3, 4))
    ga, gb = _matmul_vjp(g, a @ b, (b, a), [a, b], {}, (False, True))
    assert ga is None and gb.tolist() == (a.T @ g).tolist()
    ga, gb = _matmul_vjp(g, a @ b, (b, a), [a, b], {}, (True, False))
    assert gb is None and ga.tolist() == (g @ b.T).tolist()
