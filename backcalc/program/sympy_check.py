"""The independent checker of `backcalc grad`: a parsed program rebuilt in sympy and differentiated by sympy.

:func:`check_program` rebuilds the program's node tree (:mod:`backcalc.program.parse`) with sympy's own functions —
sigmoid as ``1/(1 + exp(−z))``, relu as ``Max(0, z)``, abs as ``Abs`` — lets ``sympy.diff`` differentiate
it, and compares the result with the tape's numbers. Nothing here reads backcalc's rule table or tape to
*compute* a derivative, so a wrong entry in :mod:`backcalc.tape.rules` shows up as a mismatch instead of being
copied. sympy is imported inside the functions, never at module import.

Numbers: literals enter sympy as exact rationals equal to their decimal text (``0.1`` → 1/10), the point
as the exact binary value of each float, and values are evaluated over the expression's shared subterms (each
computed once) with 30, 60, 120, … digits until two successive precisions agree. A tape value and sympy's agree when they are within
1e-7 relative (1e-9 absolute).
"""

from __future__ import annotations

import time
from dataclasses import replace
from fractions import Fraction

from ..errors import ExpressionError
from .nodes import Binary, Call, Const, Name, Num, Unary
from .records import Derivative, agree
from ..check.sympy_tools import (MAX_PRECISION, SIMPLIFY_SECONDS, OutOfTime, Unsettled, evaluate_stable, load_sympy,
                                 simplified, time_budget)

MAX_POWER = 1024          # product of nested numeric exponents sympy must expand exactly
SYMBOLIC_SECONDS = 4.0    # the whole symbolic check of one program (main thread, POSIX)
LATEX_SECONDS = 1.0       # sympy's LaTeX printer of one expression


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
    """Add sympy's closed-form derivatives and their values to a tape :class:`~backcalc.program.run.GradResult`.

    The whole check runs on a budget of :data:`SYMBOLIC_SECONDS`: sympy's automatic simplification is
    exponential on some programs (powers nested ten deep), and a check that has not finished by then is
    dropped with a note, leaving the tape's numbers unchecked (never a hang).
    """
    sp = load_sympy()
    try:
        with time_budget(SYMBOLIC_SECONDS):
            return _check(result, prog, point, kinks, sp)
    except OutOfTime:
        return replace(result, checked=False, notes=result.notes + (
            f"the symbolic check did not finish within {SYMBOLIC_SECONDS:g} s (sympy's algebra grows too fast on "
            "this program), so the tape's numbers above are not checked",))
    except RecursionError:
        raise ExpressionError("the program is too deeply nested for the symbolic check") from None


def _check(result, prog, point: dict, kinks, sp):
    expr, symbols = program_expression(prog, result.output, sp)
    subs = {symbols[n]: v for n, v in point.items()}
    notes = []
    value, _ = _stable(expr, subs, sp, notes, result.output)
    at_kink = _exact_kinks(expr, subs, sp)
    found = []
    for name, tape in result.gradient_items:
        d = sp.diff(expr, symbols[name])
        at, settled = _stable(d, subs, sp, notes, f"∂{result.output}/∂{name}")
        status = ("ok" if agree(tape, at) else "kink" if kinks or at_kink
                  else "unsettled" if not settled else "mismatch")
        found.append((name, tape, d, at, status))
    if value is not None and not agree(result.value, value):
        notes.append(f"the tape's {result.output} = {result.value!r} differs from its exact value {value!r}: the tape "
                     "computes in float64, and a difference of nearly equal numbers (such as exp(x) − 1 for a tiny x) "
                     "loses its digits there, so the tape's derivatives are those of the rounded computation")
    if at_kink and any(s == "kink" for *_, s in found):
        notes += at_kink
    derivatives = []
    deadline = time.process_time() + SIMPLIFY_SECONDS
    for name, tape, d, at, status in found:
        shown, done = simplified(d, sp, deadline - time.process_time())
        derivatives.append(Derivative(name, tape, str(shown), _latex(shown, sp), at, done, status))
    return replace(result, expression=str(expr), expression_latex=_latex(expr, sp), symbolic_value=value,
                   derivatives=tuple(derivatives), notes=result.notes + tuple(notes))


def _stable(expr, subs, sp, notes: list, what: str):
    """(``expr``'s value at the point with as many digits as it takes, True), or (None, False) and a note when
    it never settles."""
    try:
        return evaluate_stable(expr, subs, sp), True
    except Unsettled:
        notes.append(f"sympy's value of {what} did not settle by {MAX_PRECISION} digits (a sum cancels to within "
                     "every precision tried): the symbolic column cannot judge it")
        return None, False


def _latex(expr, sp) -> str:
    """sympy's LaTeX of ``expr``, or "" when printing takes over a second (the renderer writes the text form)."""
    try:
        with time_budget(LATEX_SECONDS):
            return sp.latex(expr)
    except OutOfTime:
        return ""


def _exact_kinks(expr, subs: dict, sp) -> list:
    """Notes for every relu/abs/max/min whose arguments tie exactly at the point, as the program's decimals say
    (0.1 + 0.2 − 0.3 is 0 there, though 5.55e-17 in floating point): a kink the tape's floats step past."""
    exact_point = {s: sp.Rational(*Fraction(v).as_integer_ratio()) for s, v in subs.items()}
    notes = []
    for e in sorted(expr.atoms(sp.Max, sp.Min, sp.Abs), key=sp.default_sort_key):
        gap = (e.args[0] if isinstance(e, sp.Abs) else e.args[0] - e.args[1]).xreplace(exact_point)
        if gap == 0 and len(e.args) <= 2:
            notes.append(f"{e} is at its kink here: its arguments are equal in exact decimals (the tape's floating "
                         "point numbers differ by a rounding error), so the tape's derivative is one side's slope "
                         "and sympy's is not the tape's convention")
    return notes
