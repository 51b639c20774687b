"""Rendering of a :class:`~backcalc.program.run.GradResult` as text, LaTeX or JSON (formatting only)."""

from __future__ import annotations

import json as _json

from .format import num, signed, tex_num

_MARK = {"ok": "✓ agrees with the tape", "kink": "≈ differs at a non-differentiable point (see the note)",
         "mismatch": "✗ DISAGREES with the tape", "unsettled": "? cannot judge (see the note)"}


def render(result, fmt: str = "text", digits: int = 6) -> str:
    """``result`` in ``fmt`` (text, latex or json)."""
    return {"text": text, "latex": latex, "json": json}[fmt](result, digits=digits)


def json(result, **_ignored) -> str:
    return _json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _point(result, digits) -> str:
    return ", ".join(f"{n} = {num(v, digits)}" for n, v in result.point) or "(no inputs)"


def _chain_terms(result, name: str) -> list[float]:
    return [f.chain for node in result.nodes for f in node.factors if f.input == name]


def text(result, digits: int = 6) -> str:
    from tabulate import tabulate

    f = result.output
    out = [f"backcalc grad: {_one_line(result.program)}   at {_point(result, digits)}",
           f"{f} = {num(result.value, digits)}", ""]
    if result.nodes:
        out.append("Forward pass and local derivatives, in execution order")
        rows = []
        for node in result.nodes:
            head = [node.name, node.expression, num(node.value, digits)]
            for i, fac in enumerate(node.factors):
                rows.append((head if i == 0 else ["", "", ""]) +
                            [f"∂{node.name}/∂{fac.input} = {fac.formula}", num(fac.local, digits),
                             num(node.grad, digits) if i == 0 else "", num(fac.chain, digits)])
        out.append(tabulate(rows, headers=["node", "computes", "value", "local derivative", "= value",
                                           f"∂{f}/∂node", f"∂{f}/∂node · local"], disable_numparse=True))
        out.append("")
    out.append("Gradient (the tape: the chain products that reach each input, summed)")
    if not result.gradient_items:
        out.append("  (the program has no inputs)")
    for name, g in result.gradient_items:
        terms = _chain_terms(result, name)
        sums = " + ".join(signed(t, digits) for t in terms) + " = " if len(terms) > 1 else ""
        out.append(f"  ∂{f}/∂{name} = {sums}{num(g, digits)}")
    if result.expression:
        out += ["", "Symbolic check (the program rebuilt in sympy, differentiated by sympy.diff)",
                f"  {f} = {result.expression} = {num(result.symbolic_value, digits)}"]
        for d in result.derivatives:
            value = "undefined" if d.symbolic_value is None else num(d.symbolic_value, digits)
            shown = d.symbolic if d.simplified else d.symbolic + "   (as sympy.diff gives it: too large or slow to simplify)"
            out.append(f"  ∂{f}/∂{d.input} = {shown} = {value}   {_MARK[d.status]}")
    for note in result.notes:
        out.append(f"note: {note}")
    return "\n".join(out) + "\n"


def _one_line(program: str) -> str:
    return "; ".join(line.strip() for line in program.strip().splitlines() if line.strip())


def _frac(of: str, wrt: str) -> str:
    return r"\frac{\partial " + of + r"}{\partial " + wrt + "}"


def latex(result, digits: int = 6) -> str:
    f = result.output_latex
    inputs = dict(result.input_latex)
    out = ["% backcalc grad: paste into a document with \\usepackage{amsmath}",
           r"\begin{align*}"]
    where = ", ".join(f"{inputs[n]} = {tex_num(v, digits)}" for n, v in result.point)
    lines = []
    if result.expression:
        lines.append(f"{f} &= {result.expression_latex or _texttt(result.expression)}" + (rf" && \text{{at }} {where}" if where else ""))
    for node in result.nodes:
        lines.append(f"{node.name_latex} &= {node.expression_latex} = {tex_num(node.value, digits)}")
        for fac in node.factors:
            lines.append(f"{_frac(node.name_latex, fac.input_latex)} &= {fac.formula_latex} = "
                         f"{tex_num(fac.local, digits)}")
        if node.name_latex != f:
            lines.append(f"{_frac(f, node.name_latex)} &= {tex_num(node.grad, digits)}")
    for name, g in result.gradient_items:
        terms = _chain_terms(result, name)
        sums = " + ".join(_paren(t, digits) for t in terms) + " = " if len(terms) > 1 else ""
        lines.append(f"{_frac(f, inputs[name])} &= {sums}{tex_num(g, digits)} && \\text{{(tape)}}")
    for d in result.derivatives:
        value = r"\text{undefined}" if d.symbolic_value is None else tex_num(d.symbolic_value, digits)
        lines.append(f"{_frac(f, inputs[d.input])} &= {d.symbolic_latex or _texttt(d.symbolic)} = {value} "
                     r"&& \text{(sympy)}")
    out.append(" \\\\\n".join(lines))
    out.append(r"\end{align*}")
    return "\n".join(out) + "\n"


def _texttt(text: str) -> str:
    """sympy's text form in LaTeX (when its LaTeX printer ran out of time)."""
    from .latex import escape

    return r"\texttt{" + escape(text) + "}"


def _paren(v, digits):
    t = tex_num(v, digits)
    return f"({t})" if t.startswith("-") else t
