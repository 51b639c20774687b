"""The whitelist parser of `grad` programs: what it accepts, what it refuses (quickly), and that it runs nothing."""

import builtins
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backcalc.errors import ExpressionError
from backcalc.program.parse import MAX_CHARS, MAX_EXPANDED_OPS, Binary, Call, Const, Name, Num, Unary, parse, parse_point
from backcalc.program.run import grad

# A hang guard, not a speed target: a refused program must never run long or start a huge computation
# (every refusal happens before any real work, in milliseconds). Generous so that a loaded CI machine
# cannot flake it; speed targets live in benchmarks/.
HANG_GUARD = 10.0  # seconds


def refused(program: str) -> str:
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as info:
        parse(program)
    assert time.perf_counter() - start < HANG_GUARD, program[:60]
    message = str(info.value)
    assert "\n" not in message and len(message) < 600
    return message


# ── accepted ──

def test_single_expression_becomes_the_output():
    p = parse("x*sin(x**2) + 1")
    assert p.inputs == ("x",) and p.output == "f" and len(p.statements) == 1
    expr = p.statements[0].expr
    assert isinstance(expr, Binary) and expr.op == "+"
    assert isinstance(expr.left, Binary) and isinstance(expr.left.right, Call) and expr.left.right.fn == "sin"
    assert isinstance(expr.right, Num) and expr.right.value == 1.0


def test_statements_with_semicolons_newlines_and_augmented_assignment():
    p = parse("c = a + b; d = a*b + b**3\nc += c + 1\ne = c - d")
    assert p.inputs == ("a", "b")
    assert [s.target for s in p.statements] == ["c", "d", "c", "e"]
    assert p.output == "e" and p.assigned == ("c", "d", "e")
    aug = p.statements[2].expr  # c += c + 1 is c = c + (c + 1)
    assert aug.op == "+" and isinstance(aug.left, Name) and aug.left.name == "c"
    for op in "-*/":
        assert parse(f"y = x; y {op}= 2").statements[1].expr.op == op


def test_constants_and_reassigning_e():
    p = parse("y = pi*x + e")
    assert p.inputs == ("x",)
    assert isinstance(p.statements[0].expr.right, Const)
    # e read before it is assigned is the constant; after `e = ...` it is a variable
    p = parse("e = e + x; y = e*2")
    assert p.inputs == ("x",)
    assert isinstance(p.statements[0].expr.left, Const)
    assert isinstance(p.statements[1].expr.left, Name)


def test_every_function_with_its_arity():
    p = parse("exp(x) + log(x) + sqrt(x) + abs(x) + sin(x) + cos(x) + tan(x) + tanh(x) + sigmoid(x) + relu(x)"
              " + max(x, 1) + min(1, x) - -x + +x")
    assert p.inputs == ("x",)
    assert isinstance(p.statements[0].expr.right, Unary)


def test_numbers_are_floats():
    assert parse("3").statements[0].expr == Num(3.0, parse("3").statements[0].expr.pos)
    assert isinstance(parse("3").statements[0].expr.value, float)
    assert parse("x*1e15").statements[0].expr.right.value == 1e15


def test_inputs_in_order_of_first_use():
    assert parse("y = b*a + c; z = a + y").inputs == ("b", "a", "c")


# ── refused, with a position ──

@pytest.mark.parametrize("program, what", [
    ("x.real", "attribute access"),
    ("x.__class__.__bases__", "attribute access"),
    ("__import__('os').system('true')", "calling anything but the listed functions"),
    ("__builtins__", "names starting with '_'"),
    ("x + __dict__", "names starting with '_'"),
    ("import os", "import"),
    ("from os import system", "import"),
    ("lambda: 1", "lambda"),
    ("[y for y in x]", "comprehensions"),
    ("sum(y for y in x)", "unknown function"),
    ("{y: 1 for y in x}", "comprehensions"),
    ("x[0]", "subscripts"),
    ("open('/tmp/x', 'w')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("max(x, y=1)", "keyword arguments"),
    ("sin(*x)", "starred"),
    ("(y := 2)", "walrus"),
    ("f'{x}'", "f-strings"),
    ("'text'", "str constants"),
    ("x if x else 1", "conditional"),
    ("x < 1", "comparisons"),
    ("x and y", "and / or"),
    ("x @ y", "the operator @"),
    ("x // 2", "the operator //"),
    ("x % 2", "the operator %"),
    ("~x", "the operator ~"),
    ("not x", "the operator not"),
    ("x **= 2", "augmented assignment **="),
    ("a = b = x", "chained assignment"),
    ("a, b = x, x", "several names"),
    ("x.y = 1", "attribute access"),
    ("sin = 2", "function name"),
    ("sin + 1", "is a function"),
    ("sin(x, x)", "takes 1 argument"),
    ("max(x)", "takes 2 arguments"),
    ("def f(): pass", "function definitions"),
    ("class A: pass", "class definitions"),
    ("for i in x: pass", "'for' statements"),
    ("while x: pass", "'while' statements"),
    ("with x: pass", "'with' statements"),
    ("x: float = 1", "annotated assignment"),
    ("True + x", "bool constants"),
    ("1j * x", "complex constants"),
    ("None", "NoneType constants"),
    ("[x, x]", "lists"),
    ("(x, x)", "tuples"),
    ("y = 2*x; 3*y; z = y", "only as the last statement"),
    ("é + 1", "ASCII"),
])
def test_refused_constructs_name_the_position(program, what):
    message = refused(program)
    assert re.match(r"\d+:\d+: ", message), message
    assert what in message, message


def test_syntax_errors_and_empty_programs():
    assert "invalid syntax" in refused("x +")
    assert "empty" in refused("")
    assert "empty" in refused("# only a comment")
    assert "NUL" in refused("x\0")


def test_position_is_line_and_column():
    assert refused("y = 2*x\nz = y.real").startswith("2:5: ")


def test_huge_exponents_and_literals_are_refused_without_being_computed():
    # 9**9**9**9 parses (Python never computes it: we never evaluate Python); our tape computes
    # 9.0**387420489.0, which overflows a float at once: an error naming the sub-expression
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match="too large for a float"):
        grad("9**9**9**9", {})
    with pytest.raises(ExpressionError, match="too large for a float"):
        grad("y = x**9**9**9", {"x": 2.0})
    # finite on the tape (0.9**(9**9) underflows to 0.0) but an exact (9/10)**387420489 in sympy: refused
    with pytest.raises(ExpressionError, match="exponent"):
        grad("y = 0.9**(9**9) * x", {"x": 1.0})
    with pytest.raises(ExpressionError, match="exponent"):
        grad("y = ((1.5*x)**1000)**1000", {"x": 0.1})
    assert time.perf_counter() - start < HANG_GUARD  # nothing was computed exactly (sympy's import included)
    assert "digits" in refused("x + " + "9" * 5000)           # checked on the text, before ast.parse
    assert "digits" in refused("x + " + "1" * 41)
    assert "larger than" in refused("x * 1e999")              # inf as a literal
    assert "larger than" in refused("x * 10000000000000001")  # past 1e15, where floats stop being exact
    assert "characters" in refused("x * 1." + "0" * 39)


def test_size_limits():
    assert f"{MAX_CHARS:,}" in refused("x" * 1_000_000)      # a million characters: rejected on length
    assert f"{MAX_CHARS:,}" in refused("x+" * 5001 + "x")
    refused("-" * 9000 + "x")                                 # ast.parse itself runs out of stack
    refused("(" * 300 + "x" + ")" * 300)
    refused("+".join(["x"] * 4900))
    refused("sin(" * 250 + "x" + ")" * 250)                   # deeper than MAX_DEPTH
    refused("; ".join(f"y{i} = x" for i in range(201)))      # more statements than MAX_STATEMENTS
    message = refused("; ".join(["y = x"] + ["y = sin(y) + cos(y)"] * 12))
    assert str(MAX_EXPANDED_OPS) in message and "definitions" in message
    assert "nested" in refused("sin(" * 45 + "x" + ")" * 45)  # expanded depth


def test_long_sums_are_fine():
    # a chain of sums is one level for sympy: 120 terms pass the depth limits
    r = grad("+".join(f"{i}*x" for i in range(1, 121)), {"x": 1.0})
    assert r.gradient["x"] == sum(range(1, 121)) and r.ok


# ── nothing runs ──

def test_payloads_write_nothing(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    target = tmp_path / "x"
    payloads = [
        f"open('{target}', 'w').write('a')",
        f"__import__('os').system('touch {target}')",
        f"y = x; __import__('os').system('touch {target}')",
        f"exec(\"open('{target}','w')\")",
        f"eval(\"open('{target}','w')\")",
        f"getattr(__builtins__, 'open')('{target}', 'w')",
        f"(lambda: open('{target}', 'w'))()",
        f"[open('{target}', 'w') for _ in (1,)]",
        "x.__class__.__base__.__subclasses__()",
        f"import os; os.system('touch {target}')",
    ]
    for program in payloads:
        with pytest.raises(ExpressionError):
            grad(program, {"x": 1.0})
    assert list(tmp_path.iterdir()) == []


def test_payload_through_the_cli_writes_nothing(tmp_path):
    target = tmp_path / "pwned"
    for program in (f"__import__('os').system('touch {target}')", f"open('{target}', 'w').write('a')"):
        run = subprocess.run([sys.executable, "-m", "backcalc.cli", "grad", program, "--at", "x=1"],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 2 and run.stderr.startswith("backcalc: error: 1:1: ")
        assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert not target.exists()


def test_the_parser_uses_no_evaluation():
    # the modules that handle user text call none of eval/exec/compile/sympify/parse_expr/lambdify
    import ast

    root = Path(__file__).resolve().parents[1] / "backcalc"
    banned = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "lambdify", "S"}
    for name in ("program/parse.py", "program/run.py", "program/sympy_check.py", "check/sympy_tools.py", "check/verify.py", "render/grad.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "re":
                    continue  # re.compile of our own patterns
                assert called not in banned, (name, node.lineno, called)
            if isinstance(node, ast.ImportFrom):
                assert not banned & {a.name for a in node.names}, (name, node.lineno)


def test_importing_the_parser_does_not_import_sympy():
    code = ("import sys, backcalc.program.parse, backcalc.program.run, backcalc.program.sympy_check, backcalc.check.verify;"
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ── the point ──

def test_parse_point():
    assert parse_point("a=1, b=-2.5,c=1e-3") == {"a": 1.0, "b": -2.5, "c": 0.001}
    assert parse_point("") == {}
    for bad, what in [("a", "NAME=VALUE"), ("a=x", "expected a number"), ("a=nan", "finite"),
                      ("a=inf", "finite"), ("a=1,a=2", "twice"), ("1a=2", "not a name"), ("=2", "NAME=VALUE")]:
        with pytest.raises(ExpressionError, match=what):
            parse_point(bad)


def test_point_must_match_the_inputs():
    with pytest.raises(ExpressionError, match="missing value for input 'b'"):
        grad("a*b", {"a": 1.0})
    with pytest.raises(ExpressionError, match="no input named 'z'; its inputs: a, b"):
        grad("a*b", {"a": 1.0, "b": 2.0, "z": 3.0})
    with pytest.raises(ExpressionError, match="no input named 'e'"):  # e is the constant here
        grad("x*e", {"x": 1.0, "e": 2.0})
    with pytest.raises(ExpressionError, match="finite"):
        grad("x", {"x": math.inf})
    with pytest.raises(ExpressionError, match="no value named 'q'"):
        grad("y = 2*x", {"x": 1.0}, of="q")
