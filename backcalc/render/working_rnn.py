"""A recurrent layer's matrix form (the records of :mod:`backcalc.net.rnn_matrices`) as text rows and LaTeX:
backprop through time step by step, the last step first — ∂L/∂H_t, δ_t — then the shared weights' sums over
the steps, ∂L/∂X_t and, with plain SGD, the new weights. Step t of the layer is written with an underscore
(``δ_3``, ``H_2``); the reading layer n + 1 keeps its number (``δ2``, or ``δ2_3`` at step 3 when it reads every step).

>>> from backcalc import explain, load_spec
>>> from backcalc.net.rnn_matrices import rnn_matrices
>>> r = rnn_matrices(explain(load_spec("worked_examples/rnn_last_step.toml")))[0]
>>> rnn_equations(r, 5)[0]
('∂L/∂H_3', ['δ2·W2ᵀ', '[[-0.7495]]·[[1, -1]]', '[[-0.7495, 0.7495]]'])
"""

from __future__ import annotations

import textwrap

from .format import aligned_lines, num
from .texmath import number, pmatrix


def _matrix(rows, digits) -> str:
    return "[" + ", ".join("[" + ", ".join(num(v, digits) for v in r) + "]" for r in rows) + "]"


def _vector(values, digits) -> str:
    return "[" + ", ".join(num(v, digits) for v in values) + "]"


def _t(rows):
    return [list(col) for col in zip(*rows)]


def _head(r, s) -> str:
    """The reading layer's δ at step ``s.t``: ``δ2`` (it reads H_T once) or ``δ2_3``."""
    return f"δ{r.head}_{s.t}" if r.sequence else f"δ{r.head}"


def rnn_equations(r, digits: int) -> list:
    """``(lhs, [sides…])`` of one recurrent layer's matrix form, the matrices written out."""
    M = lambda rows: _matrix(rows, digits)  # noqa: E731
    n, eqs, after = r.layer, [], None
    head_W = M(_t(r.head_W))
    for s in r.steps:                                  # t = T … 1
        formula, product = [], []
        if s.head_delta is not None:
            formula.append(f"{_head(r, s)}·W{r.head}ᵀ")
            product.append(f"{M(s.head_delta)}·{head_W}")
        if after is not None:
            formula.append(f"δ_{after.t}·Wh{n}ᵀ")
            product.append(f"{M(after.delta)}·{M(_t(r.Wh))}")
        eqs.append((f"∂L/∂H_{s.t}", [" + ".join(formula), " + ".join(product), M(s.grad_h)]))
        eqs.append((f"δ_{s.t}", [f"∂L/∂H_{s.t} ⊙ f′(Z_{s.t})", f"{M(s.grad_h)} ⊙ {M(s.local)}", M(s.delta)]))
        after = s
    ahead = list(reversed(r.steps))                    # t = 1 … T for the sums
    eqs.append((f"dWx{n}", [" + ".join(f"X_{s.t}ᵀ·δ_{s.t}" for s in ahead),
                            " + ".join(f"{M(_t(s.x))}·{M(s.delta)}" for s in ahead), M(r.dWx)]))
    eqs.append((f"dWh{n}", [" + ".join(f"H_{s.t - 1}ᵀ·δ_{s.t}" for s in ahead),
                            " + ".join(f"{M(_t(s.h_prev))}·{M(s.delta)}" for s in ahead), M(r.dWh)]))
    eqs.append((f"db{n}", [" + ".join(f"Σ_s δ_{s.t}" for s in ahead), _vector(r.db, digits)]))
    for s in ahead:
        if s.grad_x is not None:
            eqs.append((f"∂L/∂X_{s.t}", [f"δ_{s.t}·Wx{n}ᵀ", f"{M(s.delta)}·{M(_t(r.Wx))}", M(s.grad_x)]))
    if r.new is not None:
        rate = num(r.learning_rate, digits)
        for k in ("Wx", "Wh"):
            eqs.append((f"{k}{n}′", [f"{k}{n} − {rate}·d{k}{n}", M(r.new[k])]))
        eqs.append((f"b{n}′", [f"b{n} − {rate}·db{n}", _vector(r.new["b"], digits)]))
    return eqs


def rnn_lines(r, digits: int, W) -> list:
    """The layer's text rows: what the steps are, then the equations."""
    note = W["rnn_note_every" if r.sequence else "rnn_note_last"].format(n=r.layer, head=r.head)
    out = textwrap.wrap(note, 110, initial_indent="    ", subsequent_indent="    ")
    out += aligned_lines(rnn_equations(r, digits))
    return out



def rnn_tex(r, digits: int, W, escape) -> list:
    """The layer's matrix form as LaTeX: the note, then an ``align*`` (step t written ``t=3``)."""
    P = lambda rows: pmatrix(rows, digits)  # noqa: E731
    n, rows, after = r.layer, [], None
    sub = lambda t: f"{{t={t}}}"  # noqa: E731
    grad = lambda name, t: rf"\frac{{\partial L}}{{\partial {name}_{sub(t)}}}"  # noqa: E731
    for s in r.steps:
        formula, product = [], []
        if s.head_delta is not None:
            head = rf"\delta^{{({r.head})}}_{sub(s.t)}" if r.sequence else rf"\delta_{{{r.head}}}"
            formula.append(rf"{head} W_{{{r.head}}}^{{\mathsf T}}")
            product.append(f"{P(s.head_delta)} {P(_t(r.head_W))}")
        if after is not None:
            formula.append(rf"\delta_{sub(after.t)} W_{{h{n}}}^{{\mathsf T}}")
            product.append(f"{P(after.delta)} {P(_t(r.Wh))}")
        rows += [rf"{grad('H', s.t)} &= {' + '.join(formula)}", rf"&= {' + '.join(product)}",
                 rf"&= {P(s.grad_h)}",
                 rf"\delta_{sub(s.t)} &= {grad('H', s.t)} \odot f'(Z_{sub(s.t)})",
                 rf"&= {P(s.grad_h)} \odot {P(s.local)}", rf"&= {P(s.delta)}"]
        after = s
    ahead = list(reversed(r.steps))
    for name, key, prev in ((rf"dW_{{x{n}}}", "dWx", lambda s: ("X", s.t, s.x)),
                            (rf"dW_{{h{n}}}", "dWh", lambda s: ("H", s.t - 1, s.h_prev))):
        terms = [prev(s) for s in ahead]
        rows += [rf"{name} &= " + " + ".join(rf"{a}_{sub(t)}^{{\mathsf T}} \delta_{sub(s.t)}"
                                             for (a, t, _), s in zip(terms, ahead)),
                 *(("&= " if k == 0 else r"&\phantom{=} + ") + f"{P(_t(v))} {P(s.delta)}"
                   for k, ((_, _, v), s) in enumerate(zip(terms, ahead))),   # a step a row: T products fit
                 rf"&= {P(getattr(r, key))}"]
    rows.append(rf"db_{{{n}}} &= " + " + ".join(rf"\textstyle\sum_{{s}} \delta_{sub(s.t)}" for s in ahead) + f" = {P([r.db])}")
    for s in ahead:
        if s.grad_x is not None:
            rows.append(rf"{grad('X', s.t)} &= \delta_{sub(s.t)} W_{{x{n}}}^{{\mathsf T}} = {P(s.delta)} {P(_t(r.Wx))}"
                        rf" = {P(s.grad_x)}")
    if r.new is not None:
        rate = number(num(r.learning_rate, digits))
        rows += [rf"W_{{x{n}}}' &= W_{{x{n}}} - {rate}\, dW_{{x{n}}} = {P(r.new['Wx'])}",
                 rf"W_{{h{n}}}' &= W_{{h{n}}} - {rate}\, dW_{{h{n}}} = {P(r.new['Wh'])}",
                 rf"b_{{{n}}}' &= b_{{{n}}} - {rate}\, db_{{{n}}} = {P([r.new['b']])}"]
    note = W["rnn_note_every" if r.sequence else "rnn_note_last"].format(n=r.layer, head=r.head)
    return [rf"\noindent\textit{{{escape(note)}}}", r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
