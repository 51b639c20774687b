"""The symbolic working (before the numbers) and the matrix form (after the unit form), in every format.

The rows come from :mod:`backcalc.net.symbolic` (formulas of the rule and loss tables with the net's names)
and :mod:`backcalc.net.matrix_form` (the records' matrices); this module only lays them out: text lines
(also Markdown's and the HTML page's), LaTeX rows. A reason's formula is the rule table's, put in here.

>>> from backcalc import explain
>>> lines = symbolic_lines(explain())
>>> lines[0]
'Symbolic working: the rules before the numbers'
>>> lines[3].strip().split("    ")
['∂L/∂o_out = ½·2·(o_out − y_o)^(2−1)·1', '[power rule, times the derivative of the difference (chain rule): ∂(u²)/∂u = 2·u^(2−1)]']
"""

from __future__ import annotations

import re

from ..tape.rules import RULES
from .format import aligned_lines, num
from .labels import localize
from .labels_working import working_labels
from .texmath import equation_rows, number, pmatrix, text_escape, to_tex
from .working_im2col import im2col_lines, im2col_tex
from .working_norm import norm_lines, norm_tex
from .working_rnn import rnn_lines, rnn_tex


def _rule_formulas(subject: str) -> dict:
    """Each reason's formula, from the rule table (``subject``: the activation a piecewise reason is about)."""
    div, mul = RULES["div"], RULES["mul"]
    note = RULES[subject].note if subject in RULES else ""
    return {
        "quotient": f"∂(1/u)/∂u = {div.formula(1, a='1', b='u')}",
        "quotient_uv": f"∂(u/v)/∂u = {div.formula(0, a='u', b='v')}, ∂(u/v)/∂v = {div.formula(1, a='u', b='v')}",
        "power": f"∂(u²)/∂u = {RULES['pow'].formula(0, a='u', k=2)}",
        "log": f"∂{RULES['log'].expression(a='u')}/∂u = {RULES['log'].formula(0, a='u')}",
        "softplus": f"∂{RULES['softplus'].expression(a='u')}/∂u = {RULES['softplus'].formula(0, a='u')}",
        "log_softmax": f"∂{RULES['log_softmax'].expression(a='u')}_i/∂u_j = {RULES['log_softmax'].formula(0, a='u')}",
        "piecewise": note,
        "product": f"∂(a·b)/∂a = {mul.formula(0, a='a', b='b')}, ∂(a·b)/∂b = {mul.formula(1, a='a', b='b')}",
        "sum": f"∂(a + b)/∂b = {RULES['add'].formula(1)}",
    }


def _reason(code: str, subject: str, W) -> tuple:
    """(words, formula) of a reason code: the words in the page's language, the formula the rule table's."""
    if not code:
        return "", ""
    return W["reason"][code], _rule_formulas(subject).get(code, "")


def _reason_text(code: str, subject: str, W) -> str:
    words, formula = _reason(code, subject, W)
    return f"{words}: {formula}" if formula else words


def _topic(block, W) -> str:
    return W["topic"][block.topic].format(name=block.subject, unit=block.subject, layers=", ".join(block.layers))


def symbolic_lines(d, lang: str = "en") -> list:
    """The symbolic working as text lines (a title, then per topic its rows, each with its reason)."""
    from ..net.symbolic import symbolic_working

    W = working_labels(lang)
    out = [W["title"]]
    for block in symbolic_working(d):
        out.append(f"  {_topic(block, W)}")
        lines = block.working.lines
        width = max(len(line.lhs) for line in lines)
        for line in lines:
            reason = _reason_text(line.reason, block.subject, W)
            row = f"    {line.lhs:>{width}} = {line.rhs}" if line.lhs else f"    {'':>{width}} = {line.rhs}"
            out.append(row + (f"    [{reason}]" if reason else ""))
    return out


def symbolic_tex(d, lang: str, escape) -> list:
    """The symbolic working as LaTeX: a heading, then per topic an ``align*`` with each reason above its row."""
    from ..net.symbolic import symbolic_working

    W = working_labels(lang)
    out = [rf"\subsubsection*{{{escape(W['title'])}}}"]
    for block in symbolic_working(d):
        out.append(rf"\paragraph{{{escape(_topic(block, W))}}}")
        rows = []
        lhs = ""
        for line in block.working.lines:
            lhs = line.lhs or lhs
            words, formula = _reason(line.reason, block.subject, W)
            if words:
                note = f": {_note_tex(formula)}" if formula else ""
                rows.append(rf"\intertext{{\raggedright\textit{{{escape(words)}}}{note}}}")
            body = equation_rows(lhs, [localize(line.rhs, lang)])
            rows += [r if line.lhs else "&" + r.split("&", 1)[1] for r in body]
        out += [_TIGHT, r"\begin{align*}", " \\\\\n".join(r for r in rows if r), r"\end{align*}}"]
    return out


def _note_tex(formula: str) -> str:
    """A reason's formula in inline math, each ", "/"; "-separated part its own ``$…$`` so a long note breaks
    between them; the spec's word ``alpha`` is set as α.

    >>> _note_tex("λ = 1.05, α = 1.67; SELU′(0) = λα").count("$")
    6
    """
    parts = re.split(r"(, |; )", re.sub(r"\balpha\b", "α", formula))
    return "".join(part if i % 2 else f"${to_tex(part)}$" for i, part in enumerate(parts))


# a group whose display skips are small: each reason (an \intertext) sits close to its row
_TIGHT = (r"{\setlength{\abovedisplayskip}{3pt}\setlength{\belowdisplayskip}{3pt}"
          r"\setlength{\abovedisplayshortskip}{0pt}\setlength{\belowdisplayshortskip}{3pt}")


def _matrix(rows, digits) -> str:
    return "[" + ", ".join("[" + ", ".join(num(v, digits) for v in r) + "]" for r in rows) + "]"


def _vector(values, digits) -> str:
    return "[" + ", ".join(num(v, digits) for v in values) + "]"


def _transposed(rows):
    return [list(col) for col in zip(*rows)]


def matrix_equations(m, digits: int, W) -> list:
    """``(lhs, [sides…])`` of one layer's matrix form, text formulas with the matrices written out."""
    n, prev = m.layer, m.layer - 1
    a_prev = "x" if n == 1 else f"{'drop' if m.prev_dropped else 'a'}{prev}"
    M = lambda rows: _matrix(rows, digits)  # noqa: E731
    eqs = []
    if m.local is None:
        eqs.append((f"δ{n}", [W["matrix_softmax"].format(n=n), M(m.delta)]))
    elif m.grad_drop is not None:  # dropout: the mask's scale between ∂L/∂drop and f′
        eqs.append((f"δ{n}", [f"∂L/∂drop{n} ⊙ (M{n}/(1 − {num(m.p, digits)})) ⊙ f′(z{n})",
                              f"{M(m.grad_drop)} ⊙ {M(m.drop_scale)} ⊙ {M(m.local)}", M(m.delta)]))
    else:
        eqs.append((f"δ{n}", [f"∂L/∂a{n} ⊙ f′(z{n})", f"{M(m.grad_a)} ⊙ {M(m.local)}", M(m.delta)]))
    product = f"{M(_transposed(m.a_prev))}·{M(m.delta)}"
    if m.W_term is not None:
        term = _penalty_text(m, f"W{n}", digits)
        eqs.append((f"dW{n}", [f"{a_prev}ᵀ·δ{n} + {term}", f"{product} + {M(m.W_term)}",
                               f"{M(m.dW_data)} + {M(m.W_term)}", M(m.dW)]))
    else:
        eqs.append((f"dW{n}", [f"{a_prev}ᵀ·δ{n}", product, M(m.dW)]))
    if m.db is not None and m.b_term is not None:
        eqs.append((f"db{n}", [f"Σ_s δ{n} + {_penalty_text(m, f'b{n}', digits)}",
                               f"{_vector([a - b for a, b in zip(m.db, m.b_term)], digits)} + {_vector(m.b_term, digits)}",
                               _vector(m.db, digits)]))
    elif m.db is not None:
        eqs.append((f"db{n}", [f"Σ_s δ{n}", _vector(m.db, digits)]))
    if m.W_new is not None:
        eqs.append((f"W{n}′", [f"W{n} − {num(m.learning_rate, digits)}·dW{n}", M(m.W_new)]))
    if m.b_new is not None:
        eqs.append((f"b{n}′", [f"b{n} − {num(m.learning_rate, digits)}·db{n}", _vector(m.b_new, digits)]))
    if m.grad_a_prev is not None:
        spread = f"{M(m.delta)}·{M(_transposed(m.W))}"
        if m.skips:  # the skip's sum: every layer that adds a(n−1) passes its ∂L/∂a straight back
            plus = "".join(f" + ∂L/∂a{k}" for k, _ in m.skips)
            eqs.append((f"∂L/∂{a_prev}", [f"δ{n}·W{n}ᵀ{plus}", spread + "".join(f" + {M(g)}" for _, g in m.skips),
                                           M(m.grad_a_prev)]))
        else:
            eqs.append((f"∂L/∂{a_prev}", [f"δ{n}·W{n}ᵀ", spread, M(m.grad_a_prev)]))
    return eqs


def _penalty_text(m, name: str, digits: int) -> str:
    """The penalty's term of ``name`` as a formula: ``2·0.01·W1``, ``0.1·sign(W1)`` or both."""
    l2, l1 = m.penalty
    return " + ".join(x for x in (f"2·{num(l2, digits)}·{name}" if l2 else "",
                                  f"{num(l1, digits)}·sign({name})" if l1 else "") if x)


def matrix_lines(d, digits: int = 5, lang: str = "en", layer: int | None = None) -> list:
    """The matrix form as text lines, layer by layer from the output (only ``layer``'s when given); ``[]`` when
    the net has none (see :func:`~backcalc.net.matrix_form.matrix_form`)."""
    blocks = _blocks(d, layer)
    if not blocks:
        return []
    W = working_labels(lang)
    out = [_title(blocks, W)]
    for kind, r in blocks:
        out.append("  " + W["matrix_layer"].format(n=r.layer, name=r.name, activation=r.activation))
        if kind == "affine":
            out += aligned_lines(matrix_equations(r, digits, W))
        else:  # a convolution's im2col view, a recurrent layer's backprop through time, a normalisation
            out += {"conv": im2col_lines, "rnn": rnn_lines, "norm": norm_lines}[kind](r, digits, W)
    return out


def _blocks(d, layer: int | None) -> list:
    """``(kind, record)`` of every layer with a matrix form (only ``layer``'s when given), output side first."""
    from ..net.im2col import conv_matrices
    from ..net.matrix_form import matrix_form
    from ..net.norm_matrices import norm_matrices
    from ..net.rnn_matrices import rnn_matrices

    found = [(kind, r) for kind, records in (("affine", matrix_form(d)), ("conv", conv_matrices(d)),
                                             ("rnn", rnn_matrices(d)), ("norm", norm_matrices(d)))
             for r in records if layer is None or r.layer == layer]
    return sorted(found, key=lambda block: -block[1].layer)


def _title(blocks, W) -> str:
    return W["im2col_title"] if all(kind == "conv" for kind, _ in blocks) else W["matrix_title"]


def matrix_tex(d, digits: int, lang: str, escape, layer: int | None = None) -> list:
    """The matrix form as LaTeX, each matrix a ``pmatrix`` on a row of its own (only ``layer``'s when given,
    under a paragraph heading)."""
    blocks = _blocks(d, layer)
    if not blocks:
        return []
    W = working_labels(lang)
    title = escape(_title(blocks, W))

    def body(kind, r):
        if kind == "affine":
            return _matrix_align(r, digits)
        return {"conv": im2col_tex, "rnn": rnn_tex, "norm": norm_tex}[kind](r, digits, W, escape)

    if layer is not None:
        return [rf"\par\medskip\noindent\textbf{{{title}}}\par"] + body(*blocks[0])
    out = [rf"\subsubsection*{{{title}}}"]
    for kind, r in blocks:
        out.append(rf"\paragraph{{{escape(W['matrix_layer'].format(n=r.layer, name=r.name, activation=r.activation))}}}")
        out += body(kind, r)
    return out


def _matrix_align(m, digits) -> list:
    """One layer's matrix form as an ``align*``."""
    n, prev = m.layer, m.layer - 1
    a_prev = "x" if n == 1 else (rf"\mathrm{{drop}}_{{{prev}}}" if m.prev_dropped else f"a_{{{prev}}}")
    P = lambda rows: pmatrix(rows, digits)  # noqa: E731
    rows = []
    if m.local is None:
        rows += [rf"\delta_{{{n}}} &= {P(m.delta)} && \text{{{text_escape('softmax')}}}"]
    elif m.grad_drop is not None:
        rows += [rf"\delta_{{{n}}} &= \frac{{\partial L}}{{\partial \mathrm{{drop}}_{{{n}}}}} \odot "
                 rf"\frac{{M_{{{n}}}}}{{1 - {number(num(m.p, digits))}}} \odot f'(z_{{{n}}})",
                 rf"&= {P(m.grad_drop)} \odot {P(m.drop_scale)}", rf"&\phantom{{=}} \odot {P(m.local)}",
                 rf"&= {P(m.delta)}"]
    else:
        rows += [rf"\delta_{{{n}}} &= \frac{{\partial L}}{{\partial a_{{{n}}}}} \odot f'(z_{{{n}}})",
                 rf"&= {P(m.grad_a)} \odot {P(m.local)}", rf"&= {P(m.delta)}"]
    if m.W_term is not None:
        rows += [rf"dW_{{{n}}} &= {a_prev}^{{\mathsf T}} \delta_{{{n}}} + {_penalty_tex(m, f'W_{{{n}}}', digits)}",
                 rf"&= {P(_transposed(m.a_prev))} {P(m.delta)} + {P(m.W_term)}",
                 rf"&= {P(m.dW_data)} + {P(m.W_term)}", rf"&= {P(m.dW)}"]
    else:
        rows += [rf"dW_{{{n}}} &= {a_prev}^{{\mathsf T}} \delta_{{{n}}}",
                 rf"&= {P(_transposed(m.a_prev))} {P(m.delta)}", rf"&= {P(m.dW)}"]
    if m.db is not None and m.b_term is not None:
        rows.append(rf"db_{{{n}}} &= \textstyle\sum_{{s}} \delta_{{{n}}} + {_penalty_tex(m, f'b_{{{n}}}', digits)} "
                    rf"= {P([m.db])}")
    elif m.db is not None:
        rows.append(rf"db_{{{n}}} &= \textstyle\sum_{{s}} \delta_{{{n}}} = {P([m.db])}")
    if m.W_new is not None:
        rate = number(num(m.learning_rate, digits))
        rows += [rf"W_{{{n}}}' &= W_{{{n}}} - {rate}\, dW_{{{n}}}", rf"&= {P(m.W_new)}"]
    if m.b_new is not None:
        rows += [rf"b_{{{n}}}' &= b_{{{n}}} - {number(num(m.learning_rate, digits))}\, db_{{{n}}}",
                 rf"&= {P([m.b_new])}"]
    if m.grad_a_prev is not None:
        plus = "".join(rf" + \frac{{\partial L}}{{\partial a_{{{k}}}}}" for k, _ in m.skips)
        rows += [rf"\frac{{\partial L}}{{\partial {a_prev}}} &= \delta_{{{n}}} W_{{{n}}}^{{\mathsf T}}{plus}",
                 rf"&= {P(m.delta)} {P(_transposed(m.W))}" + "".join(f" + {P(g)}" for _, g in m.skips),
                 rf"&= {P(m.grad_a_prev)}"]
    return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]


def _penalty_tex(m, name: str, digits: int) -> str:
    """The penalty's term of ``name`` (LaTeX already) as LaTeX, e.g. 2·0.01 times W_1."""
    l2, l1 = m.penalty
    return " + ".join(x for x in (rf"2 \cdot {number(num(l2, digits))}\, {name}" if l2 else "",
                                  rf"{number(num(l1, digits))}\, \operatorname{{sign}}({name})" if l1 else "") if x)

