"""`backcalc grad`: seed 004's calculus drills and programs, values derived independently (cited beside each)."""

import dataclasses
import json
import math
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from backcalc.tape import rules as ops
from backcalc.cli import main
from backcalc.errors import CheckFailed
from backcalc.program.run import check, grad
from backcalc.render.grad import render


def approx(v):
    return pytest.approx(v, rel=1e-12, abs=1e-12)


# ── seed 004's drills ──

@pytest.mark.parametrize("x", [-1.3, 0.0, 0.4, 2.0])
def test_sin_4x(x):
    # y = sin 4x; with u = 4x: y′ = cos u · u′ = 4 cos 4x (the seed's Contoh 1)
    r = grad("y = sin(4*x)", {"x": x})
    assert r.value == approx(math.sin(4 * x))
    assert r.gradient["x"] == approx(4 * math.cos(4 * x))
    assert r.derivatives[0].symbolic == "4*cos(4*x)"
    assert r.derivatives[0].status == "ok" and r.ok


@pytest.mark.parametrize("x", [-0.7, 0.5, 1.9])
def test_x_squared_cos_2x(x):
    # y = x² cos 2x; product rule: y′ = 2x cos 2x − 2x² sin 2x = 2x(cos 2x − x sin 2x) (the seed)
    r = grad("y = x**2 * cos(2*x)", {"x": x})
    assert r.value == approx(x * x * math.cos(2 * x))
    assert r.gradient["x"] == approx(2 * x * math.cos(2 * x) - 2 * x * x * math.sin(2 * x))
    assert r.derivatives[0].symbolic == "2*x*(-x*sin(2*x) + cos(2*x))"
    assert r.ok


@pytest.mark.parametrize("x, f_rounded, slope_rounded", [(2.65, 2.79, 11.05), (-0.6, 0.79, 1.03), (0.95, 1.75, 1.90)])
def test_x_sin_x_squared_plus_one(x, f_rounded, slope_rounded):
    # f(x) = x·sin(x²) + 1; with u = x, v = sin(x²): f′ = u′v + uv′ = sin(x²) + 2x²·cos(x²)
    r = grad("x*sin(x**2) + 1", {"x": x})
    f = x * math.sin(x * x) + 1
    slope = math.sin(x * x) + 2 * x * x * math.cos(x * x)
    assert r.value == approx(f)
    assert r.gradient["x"] == approx(slope)
    assert r.derivatives[0].symbolic == "2*x**2*cos(x**2) + sin(x**2)"
    assert r.derivatives[0].symbolic_value == pytest.approx(slope, rel=1e-14)
    # the seed's points A = (2.65, 2.79), (−0.6, 0.79), (0.95, 1.75) and slopes 11.05, 1.03, 1.9 are right
    # to two decimals ...
    assert round(r.value, 2) == f_rounded and round(r.gradient["x"], 2) == slope_rounded
    if x == 2.65:
        # ... but its hand "correction" 0.67 + 2·7.0225·0.73 = 10.92 is not: cos(7.0225) = 0.7389, not 0.73,
        # so 2x²cos(x²) = 10.378 and f′(2.65) = 0.6738 + 10.378 = 11.052
        assert math.cos(7.0225) == pytest.approx(0.73893, abs=1e-5)
        assert r.gradient["x"] == pytest.approx(11.05206, abs=1e-5)
        assert abs(r.gradient["x"] - 10.92) > 0.1


def test_the_nodes_of_x_sin_x_squared():
    # t1 = x², t2 = sin t1, t3 = x·t2, f = t3 + 1, with the local factors of each rule
    x = 2.65
    r = grad("x*sin(x**2) + 1", {"x": x})
    assert [n.name for n in r.nodes] == ["t1", "t2", "t3", "f"]
    assert [n.op for n in r.nodes] == ["pow", "sin", "mul", "add"]
    t1, t2, t3, f = r.nodes
    assert t1.factors[0].formula == "2·x^(2−1)" and t1.factors[0].local == approx(2 * x)
    assert t2.factors[0].formula == "cos(t1)" and t2.factors[0].local == approx(math.cos(x * x))
    assert [fac.input for fac in t3.factors] == ["x", "t2"]
    assert t3.factors[0].local == approx(math.sin(x * x)) and t3.factors[1].local == x
    # ∂f/∂t1 = x·cos(x²); the chain products reaching x: 2x·x·cos(x²) via t1 and sin(x²) via t3
    assert t1.grad == approx(x * math.cos(x * x))
    chain = [fac.chain for n in r.nodes for fac in n.factors if fac.input == "x"]
    assert chain == [approx(2 * x * x * math.cos(x * x)), approx(math.sin(x * x))]
    assert sum(chain) == approx(r.gradient["x"])
    assert t1.source == "x**2" and t3.source == "x*sin(x**2)"


# ── programs ──

@pytest.mark.parametrize("a, b", [(1.5, -2.0), (0.0, 0.0), (-3.0, 0.5)])
def test_multi_statement_program(a, b):
    # c = a + b; d = ab + b³; c ← c + (c + 1) = 2a + 2b + 1; e = c − d = 2a + 2b + 1 − ab − b³
    # by hand: ∂e/∂a = 2 − b, ∂e/∂b = 2 − a − 3b²
    r = grad("c = a + b; d = a*b + b**3; c += c + 1; e = c - d", {"a": a, "b": b})
    assert r.output == "e"
    assert r.value == approx(2 * a + 2 * b + 1 - a * b - b ** 3)
    assert r.gradient == {"a": approx(2 - b), "b": approx(2 - a - 3 * b * b)}
    assert {d.input: d.symbolic for d in r.derivatives} == {"a": "2 - b", "b": "-a - 3*b**2 + 2"}
    assert r.ok
    names = [n.name for n in r.nodes]
    assert names == ["c", "t1", "t2", "d", "t3", "c⁽²⁾", "e"]  # the reassigned c is its own node
    assert r.nodes[5].source == "c += c + 1"


def test_newlines_and_of():
    # with --of d: d = ab + b³, ∂d/∂a = b, ∂d/∂b = a + 3b²
    r = grad("c = a + b\nd = a*b + b**3\ne = c - d", {"a": 2.0, "b": 3.0}, of="d")
    assert r.output == "d" and r.value == 33.0 and r.gradient == {"a": 3.0, "b": 29.0}
    # --of an input: ∂a/∂a = 1, ∂a/∂b = 0
    r = grad("c = a + b", {"a": 2.0, "b": 3.0}, of="a")
    assert r.value == 2.0 and r.gradient == {"a": 1.0, "b": 0.0} and r.nodes == ()


def test_every_function_against_sympy():
    # each function's tape rule against sympy's own derivative at a smooth point
    program = ("y = exp(x)*log(y0) + sqrt(y0)*abs(x) + sin(x)*cos(y0) + tan(x)/tanh(y0) + sigmoid(x*y0)"
               " + relu(x) + max(x, y0) + min(x, y0) + x**y0 + 2**x - pi*e/x")
    r = grad(program, {"x": 0.7, "y0": 1.3})
    assert r.ok and all(d.status == "ok" for d in r.derivatives)
    # sigmoid′(z) = σ(z)(1 − σ(z)), by hand at the sample point, against the tape node
    (node,) = [n for n in r.nodes if n.op == "sigmoid"]
    s = 1 / (1 + math.exp(-0.91))
    assert node.factors[0].local == approx(s * (1 - s))


def test_constants_only():
    r = grad("y = 2*pi", {})
    assert r.value == approx(2 * math.pi) and r.gradient == {} and r.ok


def test_kinks_use_the_tape_convention_and_pass():
    # relu′(0) = 0 and abs′(0) = 0 on the tape; sympy's Heaviside(0) = 1/2 differs, which is not a failure
    r = grad("relu(x) + abs(x)", {"x": 0.0})
    assert r.gradient["x"] == 0.0
    assert r.derivatives[0].status == "kink" and r.ok
    assert any("relu′(0) = 0" in n for n in r.notes)
    check(r)


def test_domain_errors_are_bad_input():
    from backcalc.errors import ExpressionError

    with pytest.raises(ExpressionError, match=r"1:5: log\(x\): log\(0\)"):
        grad("y = log(x)", {"x": 0.0})
    with pytest.raises(ExpressionError, match="division by zero"):
        grad("y = 1/(x - x)", {"x": 1.0})
    with pytest.raises(ExpressionError, match="does not exist"):  # sqrt′(0) = ∞
        grad("y = sqrt(x)", {"x": 0.0})


def test_a_broken_rule_is_caught(monkeypatch):
    # swap sin′ = cos for a wrong −cos in the rule table: the tape follows it, sympy does not
    wrong = dataclasses.replace(ops.RULES["sin"], local=lambda ans, a: (-math.cos(a),))
    monkeypatch.setitem(ops.RULES, "sin", wrong)
    r = grad("y = sin(4*x)", {"x": 0.3})
    assert r.gradient["x"] == approx(-4 * math.cos(1.2))
    assert r.derivatives[0].status == "mismatch" and not r.ok
    with pytest.raises(CheckFailed, match="tape and sympy disagree"):
        check(r)
    result = CliRunner().invoke(main, ["grad", "y = sin(4*x)", "--at", "x=0.3"])
    assert result.exit_code == 1 and "DISAGREES" in result.output


# ── the CLI ──

def test_cli_text():
    result = CliRunner().invoke(main, ["grad", "x*sin(x**2) + 1", "--at", "x=2.65"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "f = 2.78552" in out
    assert "∂t1/∂x = 2·x^(2−1)" in out
    assert "∂f/∂x = 10.3783 + 0.673782 = 11.0521" in out
    assert "2*x**2*cos(x**2) + sin(x**2) = 11.0521" in out and "✓" in out


def test_cli_json_keys():
    result = CliRunner().invoke(main, ["grad", "c = a + b; d = a*b + b**3; c += c + 1; e = c - d",
                                       "--at", "a=1.5", "--at", "b=-2", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["format"] == 1
    assert doc["value"] == 11.0  # 2·1.5 − 4 + 1 − (−3) − (−8)
    assert doc["gradient"] == {"a": 4.0, "b": -11.5}  # 2 − b; 2 − a − 3b²
    assert doc["derivative"] == {"a": "2 - b", "b": "-a - 3*b**2 + 2"}
    assert doc["ok"] is True and len(doc["nodes"]) == 7
    assert doc["nodes"][0]["factors"][0] == {"input": "a", "formula": "1", "local": 1.0, "chain": 2.0}


def test_cli_latex_is_a_compilable_fragment(tmp_path):
    result = CliRunner().invoke(main, ["grad", "c = a*b; c += sin(c)**2; y = c/a", "--at", "a=1.5,b=-2",
                                       "--format", "latex"])
    assert result.exit_code == 0, result.output
    tex = result.output
    assert tex.count(r"\begin{align*}") == 1 and tex.count(r"\end{align*}") == 1
    body = re.sub(r"\\[{}]", "", tex)
    assert body.count("{") == body.count("}")
    assert r"{c^{(2)}}" in tex and r"\frac{\partial y}{\partial a}" in tex
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed")
    doc = tmp_path / "grad.tex"
    doc.write_text("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + tex
                   + "\\end{document}\n", encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


def test_cli_exit_codes_and_messages():
    runner = CliRunner()
    for args, fragment in [
        (["grad", "x.real", "--at", "x=1"], "1:1: not allowed: attribute access"),
        (["grad", "y = a*b", "--at", "a=1"], "missing value for input 'b'"),
        (["grad", "y = a*b", "--at", "a=1,b=2,c=3"], "no input named 'c'"),
        (["grad", "y = a", "--at", "a=1", "--at", "a=2"], "a is given twice"),
        (["grad", "y = a", "--at", "a=one"], "expected a number"),
        (["grad", "y = log(a)", "--at", "a=-1"], "logarithm"),
        (["grad", "9**9**9**9"], "too large for a float"),
        (["grad", "y = a", "--at", "a=1", "--of", "z"], "no value named 'z'"),
    ]:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert fragment in result.output, (args, result.output)
    assert runner.invoke(main, ["grad", "y = a", "--at", "a=1", "--format", "xml"]).exit_code == 2


def test_cli_program_from_stdin():
    result = CliRunner().invoke(main, ["grad", "-", "--at", "x=2", "--format", "json"],
                                input="y = x*x\ny += x\n")
    assert result.exit_code == 0
    assert json.loads(result.output)["gradient"] == {"x": 5.0}  # y = x² + x, y′ = 2x + 1


def test_renderers_only_format_the_record():
    r = grad("y = x*x", {"x": 3.0})
    assert json.loads(render(r, "json")) == r.to_dict()
    assert "y = 9" in render(r, "text") and r"\end{align*}" in render(r, "latex")


def test_grad_is_public_and_lazy():
    import backcalc

    assert "grad" in backcalc.__all__ and backcalc.grad is grad


def test_docstring_examples():
    import doctest

    import backcalc.program.parse
    import backcalc.program.run
    import backcalc.check.verify
    import backcalc.program.sympy_check
    import backcalc.check.sympy_tools

    for module in (backcalc.program.parse, backcalc.program.run, backcalc.program.sympy_check, backcalc.check.sympy_tools,
                   backcalc.check.verify):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
