"""The independent checker of `backcalc grad`: a parsed program rebuilt in sympy and differentiated by sympy.

:func:`check_program` rebuilds the program's node tree (:mod:`backcalc.program.parse`) with sympy's own functions —
sigmoid as ``1/(1 + exp(−z))``, relu as ``Max(0, z)``, abs as ``Abs`` — lets ``sympy.diff`` differentiate
it, and compares the result with the tape's numbers. Nothing here reads backcalc's rule table or tape to
*compute* a derivative, so a wrong entry in :mod:`backcalc.tape.rules` shows up as a mismatch instead of being
copied. sympy is imported inside the functions, never at module import.

Numbers: literals enter sympy as exact rationals equal to their decimal text (``0.1`` → 1/10), the point
as the exact binary value of each float, and derivatives are evaluated with 30-digit floats over the
expression's shared subterms (each computed once). A tape value and sympy's agree when they are within
1e-7 relative (1e-9 absolute).
"""

from __future__ import annotations

import time
from dataclasses import replace
from fractions import Fraction

from ..errors import ExpressionError
from .nodes import Binary, Call, Const, Name, Num, Unary
from .records import Derivative, agree
from ..check.sympy_tools import SIMPLIFY_SECONDS, evaluate_at, load_sympy, simplified

MAX_POWER = 1024          # product of nested numeric exponents sympy must expand exactly


def program_expression(prog, output: str, sp=None):
    """The program's value named ``output`` as a sympy expression of its inputs, and the input symbols.

    >>> from backcalc.program.parse import parse
    >>> expr, symbols = program_expression(parse("y = x*sin(x**2) + 1"), "y")
    >>> expr
    x*sin(x**2) + 1
    """
    sp = sp or load_sympy()
    symbols = {n: sp.Symbol(n, real=True) for n in prog.inputs}
    env = {n: (s, 1) for n, s in symbols.items()}
    for st in prog.statements:
        env[st.target] = _ProgramBuilder(sp, env).build(st.expr)
    return env[output][0], symbols


class _ProgramBuilder:
    """Our node tree → sympy, with sympy's functions. Each value carries the product of the numeric
    exponents above it, so exact arithmetic never meets a power like (3/2)**(10**9)."""

    def __init__(self, sp, env):
        self.sp = sp
        self.env = env

    def build(self, node):
        sp = self.sp
        if isinstance(node, Num):
            return sp.Rational(*Fraction(repr(node.value)).as_integer_ratio()), 1
        if isinstance(node, Const):
            return (sp.pi if node.name == "pi" else sp.E), 1
        if isinstance(node, Name):
            return self.env[node.name]
        if isinstance(node, Unary):
            a, w = self.build(node.operand)
            return (-a if node.op == "-" else a), w
        if isinstance(node, Binary):
            (a, wa), (b, wb) = self.build(node.left), self.build(node.right)
            if node.op == "**":
                w = max(wa, wb)
                if b.is_Number:
                    w = wa * max(1, abs(b))
                    if w > MAX_POWER:
                        raise ExpressionError(
                            f"{node.pos}: powers here multiply to an exponent of {float(w):g}; the symbolic check "
                            f"works with exact numbers and allows at most {MAX_POWER}")
                return a ** b, w
            value = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[node.op]()
            return value, max(wa, wb)
        if isinstance(node, Call):
            built = [self.build(a) for a in node.args]
            args = [e for e, _ in built]
            return _FUNCTIONS[node.fn](sp, *args), max(w for _, w in built)
        raise TypeError(f"not a program node: {node!r}")


_FUNCTIONS = {
    "exp": lambda sp, a: sp.exp(a),
    "log": lambda sp, a: sp.log(a),
    "sqrt": lambda sp, a: sp.sqrt(a),
    "abs": lambda sp, a: sp.Abs(a),
    "sin": lambda sp, a: sp.sin(a),
    "cos": lambda sp, a: sp.cos(a),
    "tan": lambda sp, a: sp.tan(a),
    "tanh": lambda sp, a: sp.tanh(a),
    "sigmoid": lambda sp, a: 1 / (1 + sp.exp(-a)),
    "relu": lambda sp, a: sp.Max(0, a),
    "max": lambda sp, a, b: sp.Max(a, b),
    "min": lambda sp, a, b: sp.Min(a, b),
}


def check_program(result, prog, point: dict, kinks=()):
    """Add sympy's closed-form derivatives and their values to a tape :class:`~backcalc.program.run.GradResult`."""
    sp = load_sympy()
    try:
        expr, symbols = program_expression(prog, result.output, sp)
        subs = {symbols[n]: v for n, v in point.items()}
        value = evaluate_at(expr, subs, sp)
        derivatives = []
        deadline = time.monotonic() + SIMPLIFY_SECONDS
        for name, tape in result.gradient_items:
            d = sp.diff(expr, symbols[name])
            at = evaluate_at(d, subs, sp)
            shown, done = simplified(d, sp, deadline - time.monotonic())
            status = "ok" if agree(tape, at) else ("kink" if kinks else "mismatch")
            derivatives.append(Derivative(name, tape, str(shown), sp.latex(shown), at, done, status))
        text, latex = str(expr), sp.latex(expr)
    except RecursionError:
        raise ExpressionError("the program is too deeply nested for the symbolic check") from None
    return replace(result, expression=text, expression_latex=latex, symbolic_value=value,
                   derivatives=tuple(derivatives))
