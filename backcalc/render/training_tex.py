"""The training part of the LaTeX page: the penalty in the loss and in each ∂L/∂w, the clipping step and, per
step, every optimizer quantity of every parameter as ``formula = numbers = value`` (optim's LaTeX templates)."""

from __future__ import annotations

import re

from .format import num
from .texmath import equation_rows, number, text_escape, to_tex
from .training import ASSIGNS, clip_lines, fill, numbers, penalty_lines, reg_term_lines, rhs, settings_text, symbols


_MATH = {"‖g‖": r"\lVert g\rVert", "λ₂": r"\lambda_2", "λ₁": r"\lambda_1", "λ": r"\lambda", "ε": r"\varepsilon",
         "β1": r"\beta_1", "β2": r"\beta_2", "μ": r"\mu", "α": r"\alpha", "√": r"\surd", "←": r"\leftarrow",
         "w′": "w'", "l1′(0)": "l_1'(0)", "·": r"\cdot", "−": "-", "Σ": r"\sum", "∂L/∂w": r"\partial L/\partial w"}
_MATH_TOKEN = re.compile("(" + "|".join(re.escape(k) for k in sorted(_MATH, key=len, reverse=True)) + ")")


def words(text: str, escape) -> str:
    """A label line for LaTeX: words escaped, its Greek letters and symbols as math."""
    return "".join(f"${_MATH[part]}$" if part in _MATH else escape(part) for part in _MATH_TOKEN.split(text))


def _align(rows) -> list:
    return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"] if rows else []


def penalty_tex(d, digits, L, escape) -> list:
    lines = penalty_lines(d, digits, L)
    if not lines:
        return []
    p = d.training.penalty
    reg = p.regularization
    names = [rf"\text{{{text_escape(L['train']['data_loss'])}}}"]
    values = [number(num(p.data_loss, digits))]
    if reg.l2:
        names.append(r"\lambda_2 \sum w^2")
        values.append(rf"{number(num(reg.l2, digits))} \cdot {number(num(p.sum_squares, digits))}")
    if reg.l1:
        names.append(r"\lambda_1 \sum |w|")
        values.append(rf"{number(num(reg.l1, digits))} \cdot {number(num(p.sum_abs, digits))}")
    row = f"L &= {' + '.join(names)} = {' + '.join(values)} = {number(num(d.loss, digits))}"
    out = [words(lines[1].strip(), escape)] + _align([row])
    return out + ([words(lines[3].strip(), escape), ""] if len(lines) > 3 else [""])


def reg_terms_tex(d, digits, L, escape) -> list:
    t = d.training
    if t is None or not t.reg_terms:
        return []
    title = reg_term_lines(d, digits, L)[1]
    reg = t.penalty.regularization
    rows = []
    for r in t.reg_terms:
        own = " + ".join(x for x in (f"2·{num(reg.l2, digits)}·{num(r.param, digits)}" if reg.l2 else "",
                                     f"{num(reg.l1, digits)}·sign({num(r.param, digits)})" if reg.l1 else "") if x)
        rows += equation_rows(f"∂L/∂{r.name}", [f"{num(r.data, digits)} + {own}", num(r.data + r.value, digits)])
    return [words(title, escape)] + _align(rows)


def update_tex(d, digits, L, escape) -> list:
    t, T = d.training, L["train"]
    out = [rf"\subsection*{{{words(T['update'].format(settings=settings_text(t.settings, L)), escape)}}}"]
    if t.settings.weight_decay:
        key = "decoupled" if t.settings.optimizer == "adamw" else "weight_decay"
        out += [words(T[key].format(lam=num(t.settings.weight_decay, digits)), escape), ""]
    for step in sorted({x.step for x in t.tables} | {x.step for x in t.clips}):
        out.append(rf"\subsubsection*{{{escape(T['step'].format(step=step))}}}")
        out += [words(line.strip(), escape) + r"\\" for line in clip_lines(t, step, digits, L)]
        for table in (x for x in t.tables if x.step == step):
            sym = symbols(table.name, latex=True)
            rows = []
            for r in table.rows:
                lhs = sym[ASSIGNS.get(r.quantity, r.quantity)]
                rows.append(f"{lhs} &= {fill(rhs(r.formula.latex), sym)}")
                with_numbers = rhs(r.formula.latex).replace("\\,", " \\cdot ")  # 0.9·0, not "0.9 0"
                rows.append(f"&= {fill(with_numbers, numbers(r, digits, latex=True))}")
                rows[-1] += (r" \\" + "\n&") if r.quantity == "param" else " "
                rows[-1] += f"= {number(num(r.value, digits))}"
            out += [rf"\paragraph{{${to_tex(table.name)}$ \texttt{{{text_escape(table.key)}}}}}", r"{\small"]
            out += _align(rows) + ["}"]
    return out
