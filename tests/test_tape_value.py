"""Scalar Value: golden values derived by hand (cited beside each assertion), sympy, finite differences."""

import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from backcalc import Value
from backcalc.errors import DomainError


def test_hand_derived_fractions():
    # f(x, y) = (x·y + x)/y at x = 3, y = 2: f = 9/2; ∂f/∂x = (y + 1)/y = 3/2; ∂f/∂y = −x/y² = −3/4
    x, y = Value(3.0, "x"), Value(2.0, "y")
    f = (x * y + x) / y
    f.backward()
    assert f.data == float(Fraction(9, 2))
    assert x.grad == float(Fraction(3, 2))
    assert y.grad == float(Fraction(-3, 4))


def test_numbers_on_either_side():
    # g(x) = 1 − 2/x + x·3 − 4 at x = 2: g = 1 − 1 + 6 − 4 = 2; g′ = 2/x² + 3 = 7/2
    x = Value(2.0)
    g = 1 - 2 / x + x * 3 - 4
    g.backward()
    assert g.data == 2.0
    assert x.grad == 3.5
    # 2 ** x: d/dx = 2^x·ln 2
    x = Value(3.0)
    h = 2 ** x
    h.backward()
    assert h.data == 8.0 and x.grad == pytest.approx(8 * math.log(2))


def test_micrograd_sanity_case():
    # y = h + q + q·x with z = 3x + 2, q = relu(z) + z·x, h = relu(z²), x = −4:
    # z = −10, q = 40, h = 100, y = −20; dy/dx = dh + dq·(1 + x) + q = −60 + (−22)(−3) + 40 = 46
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_against_sympy_program_with_reassignment():
    def program(a, b, relu):
        c = a + b
        d = a * b + b ** 3
        c = c + (c + 1)
        c = c + (1 + c + (-a))
        d = d + (d * 2 + relu(b + a))
        d = d + (3 * d + relu(b - a))
        e = c - d
        f = e ** 2
        g = f / 2.0
        g = g + 10.0 / f
        return g

    a, b = Value(-4.0), Value(2.0)
    g = program(a, b, lambda v: v.relu())
    g.backward()
    sa, sb = sp.symbols("a b")
    gs = program(sa, sb, lambda v: sp.Max(0, v))
    at = {sa: -4, sb: 2}
    assert g.data == pytest.approx(float(gs.subs(at)), rel=1e-12)  # 24.70408163265306
    assert a.grad == pytest.approx(float(sp.diff(gs, sa).subs(at)), rel=1e-12)
    assert b.grad == pytest.approx(float(sp.diff(gs, sb).subs(at)), rel=1e-12)


@pytest.mark.parametrize("method, deriv", [
    ("exp", math.exp), ("log", lambda x: 1 / x), ("sqrt", lambda x: 0.5 / math.sqrt(x)),
    ("sin", math.cos), ("cos", lambda x: -math.sin(x)), ("tan", lambda x: 1 / math.cos(x) ** 2),
    ("tanh", lambda x: 1 - math.tanh(x) ** 2),
    ("sigmoid", lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    ("selu", lambda x: 1.0507009873554805), ("elu", lambda x: 1.0), ("softplus", lambda x: 1 / (1 + math.exp(-x))),
])
def test_unary_methods(method, deriv):
    x = Value(0.7)
    out = getattr(x, method)()
    out.backward()
    assert x.grad == pytest.approx(deriv(0.7), rel=1e-12)


def test_relu_conventions():
    for v, expected in [(-1.0, 0.0), (0.0, 0.0), (2.0, 1.0)]:
        x = Value(v)
        x.relu().backward()
        assert x.grad == expected  # relu′(0) = 0 by convention
    x = Value(-2.0)
    x.leaky_relu(0.1).backward()
    assert x.grad == 0.1


def test_backward_twice_does_not_double():
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 6.0


def test_non_leaf_gradients_are_kept():
    # L = (w·x − t)² / 2 with w = 2, x = 3, t = 5: p = 6, ∂L/∂p = p − t = 1, ∂L/∂w = 3
    w, x = Value(2.0, "w"), Value(3.0, "x")
    p = w * x
    p.label = "p"
    L = 0.5 * (p - 5) ** 2
    L.backward()
    assert p.grad == 1.0
    assert w.grad == 3.0 and x.grad == 2.0


def test_shared_node_sums_paths():
    # y = a·b + a·c with shared a: ∂y/∂a = b + c
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    y = a * b + a * c
    y.backward()
    assert a.grad == 7.0


def test_long_chain_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    del y  # freeing a 200 000-deep chain must not overflow the C stack either


def test_tape_read_back():
    x = Value(2.0, "x")
    s = x.sigmoid()
    s.label = "s"
    L = s * 3.0
    tape = L.tape()
    assert [e.op for e in tape] == ["sigmoid", "mul"]
    sig = tape[0]
    sigma = 1 / (1 + math.exp(-2.0))
    assert sig.inputs == (x,)
    assert sig.local[0] == pytest.approx(sigma * (1 - sigma))
    assert sig.formula(0) == "σ(x)·(1−σ(x))"
    assert tape[1].inputs == (s, 3.0) and tape[1].local == (3.0, sigma)
    assert tape.leaves == [x]
    assert "σ(x)" in repr(tape)


def test_domain_errors_are_clear():
    with pytest.raises(DomainError, match="positive"):
        Value(0.0).log()
    with pytest.raises(DomainError, match="division by zero"):
        Value(1.0) / 0
    with pytest.raises(TypeError):
        Value("2")


def test_unsupported_operand_is_not_implemented():
    with pytest.raises(TypeError):
        Value(1.0) + "a"


def test_reflected_operators_record_the_number_as_first_input():
    # 3 − x, 2/x and 2**x at x = 2: locals are (1, −1), (1/x, −(2/x)/x) = (1/2, −1/2), (x·2^(x−1), 2^x·ln 2)
    x = Value(2.0, "x")
    d, q, p = 3 - x, 2 / x, 2 ** x
    assert (d.op, d.inputs, d.local) == ("sub", (3.0, x), (1.0, -1.0))
    assert (q.op, q.inputs, q.local) == ("div", (2.0, x), (0.5, -0.5))
    assert p.op == "vpow" and p.inputs == (2.0, x) and p.local == (4.0, pytest.approx(4 * math.log(2)))
    assert (x ** 3).tape()[0].params == {"k": 3.0}
    with pytest.raises(TypeError):
        "a" - x


def test_backward_on_a_leaf():
    x = Value(3.0)
    x.backward()
    assert x.grad == 1.0


def test_shared_nodes_are_swept_after_all_their_consumers():
    # h = x·y is used by a = h + 1 (older) and by c = a·h (newer); a depth-first walk from c meets h
    # before a, so the sweep must follow execution order, not the walk.
    # c = (h + 1)·h = h² + h ⇒ ∂c/∂h = 2h + 1; at x = 2, y = 3: h = 6, ∂c/∂x = 13·3 = 39, ∂c/∂y = 13·2 = 26
    x, y = Value(2.0), Value(3.0)
    h = x * y
    a = h + 1
    c = a * h
    c.backward()
    assert (h.grad, a.grad, x.grad, y.grad) == (13.0, 6.0, 39.0, 26.0)


def test_replaced_rule_is_picked_up(monkeypatch):
    import dataclasses

    from backcalc.tape.rules import RULES

    monkeypatch.setitem(RULES, "sigmoid", dataclasses.replace(RULES["sigmoid"], local=lambda ans, a: (7.0,)))
    x = Value(0.0)
    s = x.sigmoid()
    s.backward()
    assert s.local == (7.0,) and x.grad == 7.0


_PROGRAM_OPS = ["mean", "half_diff", "mul", "tanh", "const_mul"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1.0, 1.0), min_size=2, max_size=4),
       st.lists(st.tuples(st.sampled_from(_PROGRAM_OPS), st.integers(0, 10**6), st.integers(0, 10**6)),
                min_size=1, max_size=25))
def test_property_random_dag_matches_finite_differences(inputs, program):
    # a random program in which any step may reuse any earlier result (a DAG with sharing); every
    # step maps [−1, 1] into [−1, 1], so central differences stay accurate
    def run(xs, tanh):
        nodes = list(xs)
        for op, i, j in program:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            nodes.append({"mean": lambda: (a + b) * 0.5, "half_diff": lambda: 0.5 * (a - b), "mul": lambda: a * b,
                          "tanh": lambda: tanh(a), "const_mul": lambda: 0.5 * a}[op]())
        return nodes[-1] + nodes[len(nodes) // 2]

    xs = [Value(v) for v in inputs]
    out = run(xs, lambda v: v.tanh())
    out.backward()
    h = 1e-6
    for k, v in enumerate(inputs):
        up = run(inputs[:k] + [v + h] + inputs[k + 1:], math.tanh)
        down = run(inputs[:k] + [v - h] + inputs[k + 1:], math.tanh)
        assert xs[k].grad == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-6)


def test_tape_repr_lists_factors_of_nodes_only():
    x = Value(2.0, "x")
    text = repr((3 * x).tape())
    assert "∂/∂x = 3" in text and "∂/∂3" not in text
