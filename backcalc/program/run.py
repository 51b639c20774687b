"""Running a parsed `grad` program: node by node on the scalar tape, then checked against sympy.

:func:`grad` parses a program (:mod:`backcalc.program.parse`), runs every operation as a
:class:`~backcalc.tape.Value`, sweeps the tape backwards and reads the derivation back from it as plain
records (:class:`NodeRow` per tape entry, a :class:`Factor` per chain-rule factor); with ``symbolic`` it
hands the program to the independent checker (:mod:`backcalc.program.sympy_check`), which adds sympy's
closed-form :class:`Derivative` per input. Every value on the tape must be a finite float: an overflow
(``9**9**9**9``) is an error.

>>> result = grad("x*sin(x**2) + 1", {"x": 2.0}, symbolic=False)
>>> round(result.value, 6), round(result.gradient["x"], 6)
(-0.513605, -5.985951)
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Mapping

from ..errors import BackcalcError, CheckFailed, ExpressionError
from .nodes import Binary, Const, Name, Num, Program, Unary
from .parse import CONSTANTS, parse
from .sympy_check import check_program
from .records import ATOL, RTOL, Derivative, Factor, GradResult, NodeRow  # noqa: F401  (records of `grad`, re-exported)
from ..tape import Value
from ..tape.rules import RULES
from ..tape.value import apply_binary

# ─────────────────────────────────────────── the tape ───────────────────────────────────────────

def grad(program: str | Program, point: Mapping[str, float], of: str | None = None,
         symbolic: bool = True, lang: str = "en") -> GradResult:
    """Run a program on the tape at ``point``; with ``symbolic``, check every gradient against sympy (``lang``:
    the language of the result's render method and Jupyter display, as :func:`~backcalc.explain`'s).

    >>> r = grad("y = sin(4*x)", {"x": 0.0})
    >>> r.gradient["x"], r.derivatives[0].symbolic
    (4.0, '4*cos(4*x)')
    >>> grad("y = sin(4*x)", {"x": 0.0}, lang="id").render().splitlines()[0]
    'backcalc grad: y = sin(4*x)   di x = 0'
    """
    from ..net.records import check_lang

    check_lang(lang)
    prog = program if isinstance(program, Program) else parse(program)
    output = _output(prog, of)
    values = _check_point(prog, point)
    run = _TapeRun(prog, values)
    result = run.result(output)
    if symbolic:
        result = check_program(result, prog, values, run.kinks)
    return replace(result, lang=lang) if lang != "en" else result


def check(result: GradResult) -> GradResult:
    """Raise :class:`CheckFailed` when the tape and sympy disagree."""
    if not result.ok:
        raise CheckFailed("tape and sympy disagree: " + "; ".join(result.mismatches()))
    return result


def _output(prog: Program, of: str | None) -> str:
    if of is None:
        return prog.output
    if of not in prog.assigned and of not in prog.inputs:
        names = ", ".join(dict.fromkeys(prog.assigned + prog.inputs)) or "none"
        raise ExpressionError(f"--of {of}: the program has no value named {of!r} (its names: {names})")
    return of


def _check_point(prog: Program, point: Mapping[str, float]) -> dict[str, float]:
    unknown = [n for n in point if n not in prog.inputs]
    if unknown:
        have = ", ".join(prog.inputs) or "none (it reads no name before assigning it)"
        raise ExpressionError(f"--at {unknown[0]}: the program has no input named {unknown[0]!r}; its inputs: {have}")
    missing = [n for n in prog.inputs if n not in point]
    if missing:
        raise ExpressionError(f"missing value for input {missing[0]!r}: give --at "
                              + ",".join(f"{n}=..." for n in missing))
    values = {}
    for name in prog.inputs:
        v = point[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ExpressionError(f"input {name}: expected a finite number, got {v!r}")
        values[name] = float(v)
    return values


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "mu", "nu",
          "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "lambda"}


def latex_name(name: str) -> str:
    """A program name in LaTeX: ``x1`` → ``x_{1}``, ``w_ij`` → ``w_{ij}``, ``alpha`` → ``\\alpha``."""
    head, sep, tail = name.partition("_")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", head)
    if m and not sep:
        head, tail, sep = m.group(1), m.group(2), "_"
    if head in _GREEK:
        head = "\\" + head
    elif len(head) > 1:
        head = f"\\mathit{{{head}}}"
    return f"{head}_{{{tail.replace('_', '')}}}" if sep and tail else head


class _TapeRun:
    """The program on the scalar tape: every operation a :class:`~backcalc.tape.Value`."""

    def __init__(self, prog: Program, values: dict[str, float]):
        self.prog = prog
        self.Value = Value
        self.origin = {}   # id(Value) → the syntax node that made it
        self.kinks = []    # (node name, note) where a rule's derivative does not exist
        self.latex = {n: latex_name(n) for n in prog.inputs}
        self.env = {n: Value(v, label=n) for n, v in values.items()}
        self.inputs = dict(self.env)
        versions = {n: 1 for n in prog.inputs}
        for st in prog.statements:
            v = self.compute(st.expr)
            if isinstance(v, Value) and v.label is None:
                n = versions[st.target] = versions.get(st.target, 0) + 1
                if n == 1:
                    v.label, self.latex[id(v)] = st.target, latex_name(st.target)
                else:
                    v.label = st.target + f"⁽{n}⁾".translate(_SUPERSCRIPT)
                    self.latex[id(v)] = f"{{{latex_name(st.target)}^{{({n})}}}}"  # braced: {c^{(2)}}^{2} is valid
            self.env[st.target] = v

    def fail(self, node, message: str):
        raise ExpressionError(f"{node.pos}: {self.prog.snippet(node.pos)}: {message}")

    def compute(self, node):
        try:
            out = self._compute(node)
        except ExpressionError:
            raise
        except BackcalcError as exc:  # DomainError: log of 0, division by zero, ...
            self.fail(node, str(exc))
        except (ArithmeticError, ValueError) as exc:
            self.fail(node, f"{type(exc).__name__}: {exc}")
        data = out.data if isinstance(out, self.Value) else out
        if not math.isfinite(data):
            self.fail(node, f"the value is {data}: too large for a float (every value must be a finite number)")
        if isinstance(out, self.Value) and id(out) not in self.origin and out.label is None:
            self.origin[id(out)] = (node, out)  # the Value is kept so that its id is never reused
        return out

    def _compute(self, node):
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Const):
            return CONSTANTS[node.name]
        if isinstance(node, Name):
            return self.env[node.name]
        if isinstance(node, Unary):
            a = self.compute(node.operand)
            return -a if node.op == "-" else a
        if isinstance(node, Binary):
            a, b = self.compute(node.left), self.compute(node.right)
            if not isinstance(a, self.Value) and not isinstance(b, self.Value):
                names = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}
                return RULES[names[node.op]].scalar(a, b)
            if node.op == "+":
                return a + b
            if node.op == "-":
                return a - b
            if node.op == "*":
                return a * b
            if node.op == "/":
                return a / b
            return a ** b
        args = [self.compute(a) for a in node.args]
        rule = RULES[node.fn]
        if not any(isinstance(a, self.Value) for a in args):
            return rule.scalar(*args)
        if len(args) == 2:
            return apply_binary(rule, *args)
        return getattr(args[0], node.fn)()

    def result(self, output: str) -> GradResult:
        out = self.env[output]
        Value = self.Value
        if not isinstance(out, Value):
            out = Value(out)
        entries = list(out.tape())
        counter = 0
        used = set(self.prog.inputs) | set(self.prog.assigned)
        for e in entries:
            if e.output.label is None:
                counter += 1
                while f"t{counter}" in used:
                    counter += 1
                e.output.label = f"t{counter}"
                self.latex[id(e.output)] = f"t_{{{counter}}}"
        out.backward()
        rows = [self.row(e) for e in entries]
        gradient = tuple((n, float(self.inputs[n].grad)) for n in self.prog.inputs)
        for n, g in gradient:
            if not math.isfinite(g):
                raise ExpressionError(f"∂{output}/∂{n} is not finite at this point ({g})")
        return GradResult(
            program=self.prog.source, output=output, output_latex=latex_name(output),
            value=float(out.data), point=tuple((n, self.inputs[n].data) for n in self.prog.inputs),
            gradient_items=gradient, nodes=tuple(rows),
            input_latex=tuple((n, latex_name(n)) for n in self.prog.inputs),
            notes=tuple(note for _, note in self.kinks))

    def tex(self, x) -> str:
        if isinstance(x, self.Value):
            return self.latex.get(x.label, self.latex.get(id(x), x.label))
        return f"{x:g}"

    def row(self, e) -> NodeRow:
        node = e.output
        origin = self.origin.get(id(node), (None,))[0]
        names = {"a": self.tex(e.inputs[0]), "out": self.tex(node)}
        if len(e.inputs) > 1:
            names["b"] = self.tex(e.inputs[1])
        factors = []
        for i, x in enumerate(e.inputs):
            if not isinstance(x, self.Value):
                continue
            local = float(e.local[i])
            if not math.isfinite(local):
                where = f"{origin.pos}: " if origin is not None else ""
                raise ExpressionError(f"{where}{node.label} = {e.expression()}: its derivative {e.formula(i)} is "
                                      f"{local} at this point, so ∂/∂{x.label} does not exist there")
            factors.append(Factor(x.label, self.tex(x), e.formula(i), e.formula(i, latex=True, **names),
                                  local, float(node.grad) * local))
        self._kink(e)
        source = self.prog.snippet(origin.pos) if origin is not None else ""
        return NodeRow(node.label, self.tex(node), e.op, e.expression(), e.expression(latex=True, **names),
                       source, float(node.data), float(node.grad), tuple(factors))

    def _kink(self, e) -> None:
        a = e.inputs[0].data if isinstance(e.inputs[0], self.Value) else e.inputs[0]
        if e.rule.kink and a == 0:  # relu, abs, ... (the rule table's mark)
            self.kinks.append((e.output.label, f"{e.output.label} = {e.expression()}: {e.op} has no derivative at 0; "
                                               f"the tape takes {e.rule.note or 'a convention'}"))
        elif e.op in ("max", "min"):
            b = e.inputs[1].data if isinstance(e.inputs[1], self.Value) else e.inputs[1]
            if a == b:
                self.kinks.append((e.output.label, f"{e.output.label} = {e.expression()}: a tie has no derivative; "
                                                   f"{e.rule.note or 'the tape takes a convention'}"))
