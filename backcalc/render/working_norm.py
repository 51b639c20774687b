"""A normalisation layer's matrix form (the records of :mod:`backcalc.net.norm_matrices`) as text rows and
LaTeX: X̂ from X, μ and σ², G = ∂L/∂y, dγ, dβ, ∂L/∂X̂ and the closed form of ∂L/∂X. μ, σ² and σ are a row
(batchnorm: one per unit) or a column (layernorm: one per sample), so they broadcast as numpy's would.

>>> from backcalc import explain, load_spec
>>> from backcalc.net.norm_matrices import norm_matrices
>>> m = norm_matrices(explain(load_spec("worked_examples/batchnorm_221.toml")))[0]
>>> norm_equations(m, 5)[3]
('dβ2', ['Σ_s G2', '[-0.049302, 0.025804]'])
"""

from __future__ import annotations

import textwrap

from .format import aligned_lines, num
from .texmath import number, pmatrix


def _matrix(rows, digits) -> str:
    return "[" + ", ".join("[" + ", ".join(num(v, digits) for v in r) + "]" for r in rows) + "]"


def _vector(values, digits) -> str:
    return "[" + ", ".join(num(v, digits) for v in values) + "]"


def _stat(m, values):
    """A statistic as it broadcasts: a row (batchnorm, per unit) or a column (layernorm, per sample)."""
    return [list(values)] if m.kind == "batchnorm" else [[v] for v in values]


def norm_equations(m, digits: int) -> list:
    """``(lhs, [sides…])`` of one normalisation layer's matrix form, the matrices written out."""
    M = lambda rows: _matrix(rows, digits)  # noqa: E731
    n, x, s = m.layer, m.source, ("Σ_s" if m.kind == "batchnorm" else "Σ_u")
    eps = num(m.eps, digits)
    G, Xh, dXh = M(m.grad_y), M(m.xhat), M(m.grad_xhat)
    eqs = [(f"X̂{n}", [f"({x} − μ{n})/√(σ{n}² + ε)",
                       f"({M(m.x)} − {M(_stat(m, m.mu))})/√({M(_stat(m, m.var))} + {eps})", Xh]),
           (f"G{n}", [f"∂L/∂y{n} = ∂L/∂a{n} ⊙ f′(y{n})", f"{M(m.grad_a)} ⊙ {M(m.local)}", G]),
           (f"dγ{n}", [f"Σ_s (G{n} ⊙ X̂{n})", f"Σ_s ({G} ⊙ {Xh})", _vector(m.dgamma, digits)]),
           (f"dβ{n}", [f"Σ_s G{n}", _vector(m.dbeta, digits)]),
           (f"∂L/∂X̂{n}", [f"G{n} ⊙ γ{n}", f"{G} ⊙ {M([m.gamma])}", dXh])]
    if m.grad_x is not None:
        closed = (f"(1/(N·σ{n})) ⊙ (N·∂L/∂X̂{n} − {s} ∂L/∂X̂{n} − X̂{n} ⊙ {s} (∂L/∂X̂{n} ⊙ X̂{n})), "
                  f"N = {m.count}, σ{n} = √(σ{n}² + ε)")
        plugged = (f"(1/({m.count}·{M(_stat(m, m.sigma))})) ⊙ ({m.count}·{dXh} − {s} {dXh} − {Xh} ⊙ "
                   f"{s} ({dXh} ⊙ {Xh}))")
        eqs.append((f"∂L/∂{x}", [closed, plugged, M(m.grad_x)]))
    return eqs


def norm_lines(m, digits: int, W) -> list:
    """The layer's text rows: what the statistics are taken over, then the equations."""
    out = textwrap.wrap(W[f"norm_note_{m.kind}"].format(N=m.count), 110, initial_indent="    ",
                        subsequent_indent="    ")
    out += aligned_lines(norm_equations(m, digits))
    return out



def norm_tex(m, digits: int, W, escape) -> list:
    """The layer's matrix form as LaTeX: the note, then an ``align*``."""
    P = lambda rows: pmatrix(rows, digits)  # noqa: E731
    n = m.layer
    x = "x" if m.source == "x" else f"a_{{{n - 1}}}"
    s = r"\textstyle\sum_{s}" if m.kind == "batchnorm" else r"\textstyle\sum_{u}"
    Xh, dXh = rf"\hat X_{{{n}}}", rf"\frac{{\partial L}}{{\partial \hat X_{{{n}}}}}"
    eps = number(num(m.eps, digits))
    rows = [rf"{Xh} &= ({x} - \mu_{{{n}}}) \,/\, \sqrt{{\sigma_{{{n}}}^2 + \varepsilon}}",
            rf"&= \left({P(m.x)} - {P(_stat(m, m.mu))}\right)",
            rf"&\phantom{{=}} /\, \sqrt{{{P(_stat(m, m.var))} + {eps}}}",
            rf"&= {P(m.xhat)}",
            rf"G_{{{n}}} &= \frac{{\partial L}}{{\partial a_{{{n}}}}} \odot f'(y_{{{n}}})",
            rf"&= {P(m.grad_a)} \odot {P(m.local)}", rf"&= {P(m.grad_y)}",
            rf"d\gamma_{{{n}}} &= \textstyle\sum_{{s}} (G_{{{n}}} \odot {Xh}) = {P([m.dgamma])}",
            rf"d\beta_{{{n}}} &= \textstyle\sum_{{s}} G_{{{n}}} = {P([m.dbeta])}",
            rf"{dXh} &= G_{{{n}}} \odot \gamma_{{{n}}} = {P(m.grad_y)} \odot {P([m.gamma])}",
            rf"&= {P(m.grad_xhat)}"]
    if m.grad_x is not None:
        rows += [rf"\frac{{\partial L}}{{\partial {x}}} &= \frac{{1}}{{N \sigma_{{{n}}}}} \odot \Bigl(N {dXh} - {s} {dXh}"
                 rf" - {Xh} \odot {s} \bigl({dXh} \odot {Xh}\bigr)\Bigr)",
                 rf"&\phantom{{=}} N = {m.count},\ \sigma_{{{n}}} = \sqrt{{\sigma_{{{n}}}^2 + \varepsilon}} = "
                 rf"{P(_stat(m, m.sigma))}",
                 rf"&= {P(m.grad_x)}"]
    note = W[f"norm_note_{m.kind}"].format(N=m.count)
    return [rf"\noindent\textit{{{escape(note)}}}", r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
