"""`backcalc grad`: no silent wrong number from the symbolic column, and a bounded time (issue #13).

The symbolic column is evaluated with as many digits as it takes (its values here are confirmed by mpmath at
far more digits than the cancellation eats); a kink that the program's exact decimals put at 0 is named, not
reported as a disagreement; a program on which sympy's algebra explodes ends with a note within the budget.
"""

import json
import time

import mpmath as mp
import pytest
from click.testing import CliRunner

from backcalc.check import sympy_tools
from backcalc.cli import main
from backcalc.program import sympy_check
from backcalc.program.run import grad


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def sympy_gradient(program, x):
    return json.loads(run("grad", program, "--at", f"x={x}", "--format", "json").output)["symbolic"]


def test_sin_x_over_x_at_1e_300_is_right_and_agrees():
    # d/dx sin(x)/x = (x cos x − sin x)/x² = −x/3 + O(x³): the 30-digit evaluation gave ±1e269 or 0
    res = run("grad", "sin(x)/x", "--at", "x=1e-300", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    with mp.workdps(2000):
        x = mp.mpf(1e-300)
        truth = float((x * mp.cos(x) - mp.sin(x)) / x ** 2)
    assert out["symbolic"]["gradient"]["x"] == pytest.approx(truth, rel=1e-12)
    assert out["symbolic"]["status"]["x"] == "ok"


def test_exp_minus_one_over_x_shows_the_exact_values_and_says_why_the_tape_differs():
    # the tape's float64 (exp(x) − 1 = 0 at x = 1e-20) is not the function's value: sympy now shows the truth
    res = run("grad", "(exp(x)-1)/x", "--at", "x=1e-20", "--format", "json")
    assert res.exit_code == 1, res.output
    out = json.loads(res.stdout)
    with mp.workdps(200):
        x = mp.mpf(1e-20)
        value = float(mp.expm1(x) / x)
        slope = float((x * mp.exp(x) - mp.expm1(x)) / x ** 2)
    assert out["symbolic"]["value"] == pytest.approx(value, rel=1e-14)
    assert out["symbolic"]["gradient"]["x"] == pytest.approx(slope, rel=1e-12)
    assert any("float64" in note and "exp(x) − 1" in note for note in out["notes"])


@pytest.mark.parametrize("program", ["relu(0.1*x + 0.2*x - 0.3)", "abs(0.1*x + 0.2*x - 0.3)",
                                     "max(0.1*x + 0.2*x, 0.3)"])
def test_a_kink_at_zero_in_exact_decimals_is_named_not_a_disagreement(program):
    # 0.1 + 0.2 − 0.3 = 5.55e-17 in floats, 0 in the program's decimals (sympy's exact rationals)
    res = run("grad", program, "--at", "x=1", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["symbolic"]["status"]["x"] == "kink"
    assert any("exact decimals" in note for note in out["notes"])


def test_a_kink_only_in_floats_is_not_excused():
    # relu(x − 0.3) at x = 0.30000000000000004 is 5.55e-17 in exact decimals too: no kink, and the two agree
    res = run("grad", "relu(x - 0.3)", "--at", "x=0.30000000000000004", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["symbolic"]["status"]["x"] == "ok" and not out["notes"]


def test_evaluate_stable_doubles_until_two_precisions_agree():
    import sympy

    x = sympy.Symbol("x", real=True)
    # (cos x − 1 + x²/2)/x⁴ → 1/24 needs about 4·300 digits at x = 1e-300
    e = (sympy.cos(x) - 1 + x ** 2 / 2) / x ** 4
    assert sympy_tools.evaluate_stable(e, {x: 1e-300}) == pytest.approx(1 / 24, rel=1e-12)
    with pytest.raises(sympy_tools.Unsettled):
        sympy_tools.evaluate_stable(e, {x: 1e-300}, limit=240)
    # a 0 no sum cancelled to is 0; one that cancels at every precision (sympy did not see the identity) cannot
    # be told from a cancellation deeper than the digits: unsettled, never a confident 0
    assert sympy_tools.evaluate_stable(sympy.Heaviside(x - 1) * sympy.exp(x), {x: 0.5}) == 0.0
    with pytest.raises(sympy_tools.Unsettled):
        sympy_tools.evaluate_stable(sympy.sin(2 * x) - 2 * sympy.sin(x) * sympy.cos(x), {x: 0.7})


def test_an_unsettled_value_is_cannot_judge_not_a_mismatch():
    # sin(2x) − 2·sin x·cos x is 0, an identity sympy does not apply: every precision cancels to 0, and a 0 by
    # cancellation cannot be told from one deeper than the digits
    r = grad("sin(2*x) - 2*sin(x)*cos(x)", {"x": 0.7})
    assert r.derivatives[0].status == "unsettled" and r.derivatives[0].symbolic_value is None
    assert r.ok and any("cannot judge" in n for n in r.notes)
    res = run("grad", "sin(2*x) - 2*sin(x)*cos(x)", "--at", "x=0.7")
    assert res.exit_code == 0 and "cannot judge" in res.output


def nested_powers(n, k=1.5):
    p = "x"
    for _ in range(n):
        p = f"({p})**{k}"
    return p


@pytest.mark.parametrize("n, k", [(13, 1.5), (40, 1.1)])  # the 12–14 deep **1.5 (16–30 s), 40 deep **1.1 (> 30 s)
def test_a_symbolic_check_that_explodes_stops_at_its_budget(monkeypatch, n, k):
    # sympy's automatic simplification of nested powers takes 10–30 s or more; the budget ends it with a note
    monkeypatch.setattr(sympy_check, "SYMBOLIC_SECONDS", 0.5)
    t = time.process_time()  # CPU seconds: what a loaded machine does not inflate (sympy alone takes 10–30 s)
    res = run("grad", nested_powers(n, k), "--at", "x=1.1", "--format", "json")
    assert time.process_time() - t < 3
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["ok"] is None and out["symbolic"] is None
    # d/dx x**(k**n) = k**n · x**(k**n − 1), the tape's value of the nested chain
    assert out["gradient"]["x"] == pytest.approx(k ** n * 1.1 ** (k ** n - 1), rel=1e-12)
    assert any("did not finish" in note for note in out["notes"])
    from sympy.core.cache import clear_cache

    clear_cache()  # else the first run's cached algebra lets the second finish within the budget (seen under load)
    text = run("grad", nested_powers(n, k), "--at", "x=1.1")
    assert text.exit_code == 0 and "not checked" in text.output


def test_budgets_nest():
    # an inner budget that swallows its timeout cannot outlive the outer one
    t = time.process_time()
    with pytest.raises(sympy_tools.OutOfTime):
        with sympy_tools.time_budget(0.2):
            try:
                with sympy_tools.time_budget(5):
                    while True:
                        pass
            except sympy_tools.OutOfTime:
                pass
            while True:
                pass
    assert time.process_time() - t < 1


def test_a_budget_counts_cpu_time_so_a_busy_machine_gives_the_same_result():
    # waiting (as a process does on a loaded machine) spends no CPU: the budget does not run out
    with sympy_tools.time_budget(0.1):
        time.sleep(0.3)
    with pytest.raises(sympy_tools.OutOfTime):
        with sympy_tools.time_budget(0.1):
            while True:
                pass
