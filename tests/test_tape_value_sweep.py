"""The scalar tape's backward and its unstored factors (backcalc/tape/value_sweep.py): the factors read when
needed are the rule's own, bit for bit; the sweep over the list that fills in execution order gives the same
gradients, bit for bit, as resetting every gradient and sweeping the sorted tape; only what the output
depends on is touched."""

import gc
import math

import pytest
from hypothesis import given, settings, strategies as st

from backcalc import Value
from backcalc.tape import value_sweep
from backcalc.tape.rules import RULES
from backcalc.tape.value_sweep import SWAP, factor_kind


def _bits(x):
    return float(x).hex()


def test_the_kinds_are_asked_of_the_rules():
    # ∂(a+b)/∂(a, b) = (1, 1), ∂(a−b)/∂(a, b) = (1, −1), ∂(a·b)/∂(a, b) = (b, a); every other rule stores its factors
    assert factor_kind(RULES["add"]) == (1.0, 1.0)
    assert factor_kind(RULES["sub"]) == (1.0, -1.0)
    assert factor_kind(RULES["mul"]) is SWAP
    for name in ("div", "vpow", "max", "min", "bce", "relu", "sigmoid", "pow", "neg"):
        assert factor_kind(RULES[name]) is None, name


def test_a_replaced_rule_with_other_factors_is_stored_and_used(monkeypatch):
    import dataclasses

    # a product whose factors are wrongly (a, b): not a swap, so the node stores what this rule says
    monkeypatch.setitem(RULES, "mul", dataclasses.replace(RULES["mul"], local=lambda ans, a, b: (a, b)))
    x, y = Value(2.0), Value(5.0)
    z = x * y
    z.backward()
    assert z.local == (2.0, 5.0) and (x.grad, y.grad) == (2.0, 5.0)


_FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64) | st.sampled_from([0.0, -0.0, 1e-300, -3.5])


@settings(max_examples=80, deadline=None)
@given(_FLOATS, _FLOATS, st.sampled_from(["add", "sub", "mul"]), st.sampled_from(["values", "left", "right"]))
def test_unstored_factors_are_the_rules_own(a, b, name, sides):
    # .local of +, −, · is computed when read; it must be exactly rule.local(ans, a, b) at the recorded numbers
    x = Value(a) if sides != "right" else a
    y = Value(b) if sides != "left" else b
    out = {"add": lambda: x + y, "sub": lambda: x - y, "mul": lambda: x * y}[name]()
    expected = RULES[name].local(out.data, a, b)
    assert [_bits(f) for f in out.local] == [_bits(f) for f in expected]


_STEPS = ["add", "sub", "mul", "const_mul", "rconst_sub", "relu", "tanh", "div1", "square"]


def _program(inputs, steps):
    nodes = [Value(v) for v in inputs]
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append({
            "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "const_mul": lambda: -0.5 * a,
            "rconst_sub": lambda: 0.25 - a, "relu": lambda: a.relu(), "tanh": lambda: a.tanh(),
            "div1": lambda: a / 1.5, "square": lambda: a ** 2,
        }[op]())
    return nodes


_DAGS = (st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4),
         st.lists(st.tuples(st.sampled_from(_STEPS), st.integers(0, 10**6), st.integers(0, 10**6)),
                  min_size=1, max_size=30))


@settings(max_examples=60, deadline=None)
@given(*_DAGS)
def test_the_sweep_in_place_equals_the_sorted_sweep_bit_for_bit(inputs, steps):
    # the same program swept both ways: every gradient, of leaves and of intermediates, to the last bit
    grads = []
    for limit in (value_sweep.DENSE_LIMIT, 0):  # 0: every graph takes the walk-and-sort path
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(value_sweep, "DENSE_LIMIT", limit)
            nodes = _program(inputs, steps)
            nodes[-1].backward()
        grads.append([_bits(n.grad) for n in nodes])
    assert grads[0] == grads[1]


def test_a_graph_too_spread_out_for_the_list_is_walked_and_sorted(monkeypatch):
    # an operation recorded 300 operations before the rest: with room for 64 places the in-place sweep
    # gives up part-way (having set some gradients) and the walk-and-sort sweep starts again from scratch
    monkeypatch.setattr(value_sweep, "DENSE_LIMIT", 64)
    x, y = Value(3.0), Value(-2.0)
    early = x * y                                   # ∂/∂x = y, ∂/∂y = x
    for _ in range(300):
        Value(1.0) + 1.0                            # other computations in between
    late = x * x + 2.0 * y                          # ∂/∂x = 2x, ∂/∂y = 2
    out = late * early                              # ∂out/∂x = 2x·xy + late·y, ∂out/∂y = 2·xy + late·x
    out.backward()
    xy, lv = 3.0 * -2.0, 9.0 - 4.0
    assert (x.grad, y.grad) == (2 * 3.0 * xy + lv * -2.0, 2 * xy + lv * 3.0)
    assert (early.grad, late.grad) == (lv, xy)


def test_only_what_the_output_depends_on_is_touched():
    x, y = Value(2.0), Value(3.0)
    u = x * y
    v = x + y
    assert u.grad == 0.0 and v.grad == 0.0          # no backward has reached them yet
    v.backward()
    assert (x.grad, y.grad, u.grad) == (1.0, 1.0, 0.0)
    u.backward()
    assert (x.grad, y.grad, v.grad) == (3.0, 2.0, 1.0)  # v keeps the gradient of its own backward


def test_backward_twice_and_from_another_root_starts_from_scratch():
    x = Value(1.5)
    h = x * x                                       # shared below
    a = h + 1.0
    out = a * h                                     # h² + h... ∂out/∂x = (2h + 1)·2x = 5.5·3 = 16.5
    out.backward()
    out.backward()
    assert (x.grad, h.grad, a.grad) == (16.5, 2 * 2.25 + 1, 2.25)
    a.backward()                                    # a = x² + 1: ∂a/∂x = 2x = 3, ∂a/∂h = 1
    assert (x.grad, h.grad) == (3.0, 1.0)


def test_a_zero_gradient_is_positive_zero_as_after_a_reset():
    # t·… through relu at a negative input: the one contribution is −2·0 = −0.0, and a gradient reset to
    # zero and then added to reads +0.0 (0.0 + −0.0 = 0.0), for an intermediate and for a leaf alike
    x, zero = Value(-1.0), Value(0.0)
    t = x * 1.0
    for node in (x, t):                     # a leaf and an operation ...
        (node.relu() * -2.0).backward()     # ... as a first input: relu′(−1)·(−2)
        assert math.copysign(1.0, node.grad) == 1.0
        ((zero * node) * -1.0).backward()   # ... and as a second: 0·(−1)
        assert math.copysign(1.0, node.grad) == 1.0


def test_a_product_or_sum_holds_only_its_output_rule_inputs_and_number():
    # what the cyclic GC visits on every node: the type, the output, the rule, two inputs, the sequence number
    x, y = Value(2.0), Value(3.0)
    for node in (x * y, x + y, x - 1.0):
        assert len(gc.get_referents(node)) == 6
