"""Rendering of a :class:`~backcalc.program.run.GradResult` as text, LaTeX or JSON (formatting only)."""

from __future__ import annotations

import json as _json

from .format import num, signed, tex_num
from .labels_checks import grad_labels, note


FORMATS = ("text", "latex", "json")


def render(result, fmt: str = "text", digits: int = 6, lang: str = "en") -> str:
    """``result`` in ``fmt`` (text, latex or json), its words in ``lang``."""
    return {"text": text, "latex": latex, "json": json}[fmt](result, digits=digits, lang=lang)


def json(result, **_ignored) -> str:
    return _json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _point(result, digits, G) -> str:
    return ", ".join(f"{n} = {num(v, digits)}" for n, v in result.point) or G["no_inputs_point"]


def _chain_terms(result, name: str) -> list[float]:
    return [f.chain for node in result.nodes for f in node.factors if f.input == name]


def text(result, digits: int = 6, lang: str = "en") -> str:
    from tabulate import tabulate

    G = grad_labels(lang)
    f = result.output
    out = [G["header"].format(program=_one_line(result.program), point=_point(result, digits, G)),
           f"{f} = {num(result.value, digits)}", ""]
    if result.nodes:
        out.append(G["forward"])
        rows = []
        for node in result.nodes:
            head = [node.name, node.expression, num(node.value, digits)]
            for i, fac in enumerate(node.factors):
                rows.append((head if i == 0 else ["", "", ""]) +
                            [f"∂{node.name}/∂{fac.input} = {fac.formula}", num(fac.local, digits),
                             num(node.grad, digits) if i == 0 else "", num(fac.chain, digits)])
        out.append(tabulate(rows, headers=G["cols"] + [c.format(f=f) for c in G["chain_cols"]], disable_numparse=True))
        out.append("")
    out.append(G["gradient"])
    if not result.gradient_items:
        out.append(G["no_inputs"])
    for name, g in result.gradient_items:
        terms = _chain_terms(result, name)
        sums = " + ".join(signed(t, digits) for t in terms) + " = " if len(terms) > 1 else ""
        out.append(f"  ∂{f}/∂{name} = {sums}{num(g, digits)}")
    if result.expression:
        out += ["", G["symbolic"], f"  {f} = {result.expression} = {num(result.symbolic_value, digits)}"]
        for d in result.derivatives:
            value = G["undefined"] if d.symbolic_value is None else num(d.symbolic_value, digits)
            shown = d.symbolic if d.simplified else d.symbolic + G["unsimplified"]
            out.append(f"  ∂{f}/∂{d.input} = {shown} = {value}   {G['mark'][d.status]}")
    for n in result.notes:
        out.append(f"{G['note']}: {note(n, lang)}")
    return "\n".join(out) + "\n"


def markdown(result, digits: int = 6, lang: str = "en") -> str:
    """Jupyter's display: the text page in a fenced code block (its table keeps its columns)."""
    return "```\n" + text(result, digits, lang) + "```\n"


def _one_line(program: str) -> str:
    return "; ".join(line.strip() for line in program.strip().splitlines() if line.strip())


def _frac(of: str, wrt: str) -> str:
    return r"\frac{\partial " + of + r"}{\partial " + wrt + "}"


def latex(result, digits: int = 6, lang: str = "en") -> str:
    G = grad_labels(lang)
    f = result.output_latex
    inputs = dict(result.input_latex)
    out = [G["latex_head"],
           r"\begin{align*}"]
    where = ", ".join(f"{inputs[n]} = {tex_num(v, digits)}" for n, v in result.point)
    lines = []
    if result.expression:
        lines.append(f"{f} &= {result.expression_latex or _texttt(result.expression)}" +
                     (rf" && \text{{{G['at']} }} {where}" if where else ""))
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
        value = rf"\text{{{G['undefined']}}}" if d.symbolic_value is None else tex_num(d.symbolic_value, digits)
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
