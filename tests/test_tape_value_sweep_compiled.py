"""The compiled backward sweep of the scalar tape (backcalc/tape/_value_sweep.c) against the Python loop it
mirrors (value_sweep._sweep_in_place): the same programs swept both ways give the same gradient on every node,
to the last bit, with the same signs of zero, NaN and infinities, for every kind of node; a graph spread past
the dense limit falls back the same way; errors are the Python loop's; nothing is leaked or kept alive.

Skipped where the module was not built (no C compiler when backcalc was installed): then the Python loop is
the only one, and the other tests hold it."""

import fractions
import gc
import math
import os
import subprocess
import sys
import tracemalloc
import weakref

import pytest
from hypothesis import example, given, settings, strategies as st

from backcalc import Value
from backcalc.tape import value_sweep

COMPILED = value_sweep.compiled_sweep()
pytestmark = pytest.mark.skipif(COMPILED is None, reason="backcalc/tape/_value_sweep.c was not built")


def _bits(x):
    return float(x).hex()


def _swept_both_ways(build):
    """Gradients (as bits) of every node ``build()`` returns, swept by the compiled loop and by the Python one."""
    results = []
    for compiled in (COMPILED, None):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(value_sweep, "COMPILED", compiled)
            nodes = build()
            nodes[-1].backward()
            results.append([_bits(n.grad) for n in nodes])
    return results


_OPS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "const_mul": lambda a, b: -0.5 * a, "mul_const": lambda a, b: a * 3.0, "const_add": lambda a, b: 2.0 + a,
    "rconst_sub": lambda a, b: 0.25 - a, "relu": lambda a, b: a.relu(), "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(), "div": lambda a, b: a / b, "rdiv": lambda a, b: 1.5 / a,
    "square": lambda a, b: a ** 2, "vpow": lambda a, b: a.abs() ** b, "max": lambda a, b: a.max(b),
    "neg": lambda a, b: -a, "leaky": lambda a, b: a.leaky_relu(0.1), "self_mul": lambda a, b: a * a,
}
_SPECIAL = st.sampled_from([0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, 5e-324, math.inf, -math.inf, math.nan])
_FLOATS = st.floats(-3.0, 3.0) | _SPECIAL


def _program(inputs, steps):
    nodes = [Value(v) for v in inputs]
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        try:
            nodes.append(_OPS[op](a, b))
        except (ZeroDivisionError, OverflowError, ValueError):  # the forward refuses: no node
            pass
    return nodes


@settings(max_examples=150, deadline=None)
@given(st.lists(_FLOATS, min_size=1, max_size=4),
       st.lists(st.tuples(st.sampled_from(sorted(_OPS)), st.integers(0, 10**6), st.integers(0, 10**6)),
                min_size=1, max_size=40))
@example([-0.0, 2.0], [("mul", 0, 1), ("relu", 2, 0), ("mul", 3, 0)])
@example([math.nan, 1.0], [("mul", 0, 1), ("add", 2, 1)])
def test_the_compiled_sweep_gives_the_python_loops_gradients_bit_for_bit(inputs, steps):
    compiled, python = _swept_both_ways(lambda: _program(inputs, steps))
    assert compiled == python


def test_a_zero_first_contribution_is_positive_zero_in_both():
    # relu′(−1) = 0 times −2 is −0.0: the first contribution sets +0.0 (`c or 0.0`), to a leaf and to an operation
    def build():
        x = Value(-1.0)
        t = x * 1.0
        return [x, t, (t.relu() * -2.0) + (x.relu() * -2.0)]

    compiled, python = _swept_both_ways(build)
    assert compiled == python and compiled[0] == compiled[1] == (0.0).hex()


def test_data_that_is_not_a_float_goes_through_pythons_arithmetic():
    # a user may set .data to an int or a Fraction: the products are Python's, as in the Python loop
    def build():
        x, y = Value(2.0), Value(3.0)
        z = x * y
        x.data, y.data = 7, fractions.Fraction(1, 3)
        return [x, y, z + x * y]

    compiled, python = _swept_both_ways(build)
    assert compiled == python


def test_a_deep_chain_and_a_wide_fan_sweep_alike():
    # 20,000 operations in a chain (the list of places grows past its first 256) and one leaf used 5,000 times
    def chain():
        x = Value(0.5)
        h = x
        for k in range(20_000):
            h = h * 1.0001 + 1e-5 if k % 2 else (h * h).tanh()
        return [x, h]

    def fan():
        w = Value(0.25)
        return [w, sum((w * float(k) for k in range(5_000)), Value(0.0))]

    for build in (chain, fan):
        compiled, python = _swept_both_ways(build)
        assert compiled == python


def test_past_the_dense_limit_the_compiled_sweep_falls_back_to_walk_and_sort(monkeypatch):
    # an operation recorded 300 operations before the rest, 64 places allowed: both loops give up, the
    # walk-and-sort sweep starts again, and the numbers are those of the hand computation
    monkeypatch.setattr(value_sweep, "DENSE_LIMIT", 64)
    x, y = Value(3.0), Value(-2.0)
    early = x * y
    for _ in range(300):
        Value(1.0) + 1.0
    out = (x * x + 2.0 * y) * early
    out.grad = 1.0
    assert COMPILED(out, Value, None, None, value_sweep._handed_on, 64) is False
    out.backward()
    assert (x.grad, y.grad) == (2 * 3.0 * -6.0 + 5.0 * -2.0, 2 * -6.0 + 5.0 * 3.0)


def test_an_error_in_a_rules_factors_comes_out_as_in_the_python_loop(monkeypatch):
    x = Value(2.0)
    out = x.exp() * 3.0
    del out._a._la  # a node whose stored factor is gone: .local and the sweep both say which slot
    errors = []
    for compiled in (COMPILED, None):
        monkeypatch.setattr(value_sweep, "COMPILED", compiled)
        with pytest.raises(AttributeError) as info:
            out.backward()
        errors.append(str(info.value))
    assert errors[0] == errors[1] and "_la" in errors[0]


def test_the_compiled_sweep_keeps_nothing_alive_and_leaks_nothing():
    def one_step():
        w = [Value(0.1 * k) for k in range(50)]
        out = sum((wi * wi for wi in w), Value(0.0)).relu()
        out.backward()
        return weakref.ref(out), weakref.ref(w[0])

    refs = one_step()
    gc.collect()
    assert all(r() is None for r in refs)  # the graph is freed once the caller lets go of it
    for _ in range(50):
        one_step()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(500):
        one_step()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 20_000, grown  # 500 sweeps of 150 nodes each: a leak of one float per node would be 6 MB


def test_backcalc_pure_python_turns_the_compiled_sweep_off():
    code = "from backcalc.tape import value_sweep as v; print(v.COMPILED is None)"
    for setting, off in (("1", "True"), ("0", "False"), ("", "False")):
        env = dict(os.environ, BACKCALC_PURE_PYTHON=setting)
        ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        assert ran.stdout.strip() == off, setting
