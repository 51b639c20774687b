"""The im2col view of a convolution (the compact form of :mod:`backcalc.net.im2col`) as text rows and LaTeX:
im2col(x), δ = ∂L/∂z, dW = im2col(x)ᵀ·δ and that reshaped to the kernel, db = Σ over the rows of δ.

>>> from backcalc import explain, load_spec
>>> from backcalc.net.im2col import conv_matrices
>>> from backcalc.render.labels_working import working_labels
>>> c = conv_matrices(explain(load_spec("worked_examples/conv_pool.toml")))[0]
>>> im2col_equations(c, 5)[2]
('dW1', ['im2col(x)ᵀ·δ1', '[[1, 2, 0, 1], [2, 0, 1, 3], [0, 1, 2, 1], [1, 3, 1, 1]]·[[0], [0.25], [0], [0]]', '[[0.5], [0], [0.25], [0.75]]'])
"""

from __future__ import annotations

from .format import aligned_lines, num
from .texmath import pmatrix


def _matrix(rows, digits) -> str:
    return "[" + ", ".join("[" + ", ".join(num(v, digits) for v in r) + "]" for r in rows) + "]"


def _nested(value, digits) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v, digits) for v in value) + "]"
    return num(value, digits)


def im2col_equations(c, digits: int) -> list:
    """``(lhs, [sides…])`` of one convolution layer's im2col form, the matrices written out."""
    n, x = c.layer, c.source
    patches_t = [list(col) for col in zip(*c.patches)]
    eqs = [(f"im2col({x})", [_matrix(c.patches, digits)]),
           (f"δ{n}", [f"∂L/∂z{n}", _matrix(c.delta, digits)]),
           (f"dW{n}", [f"im2col({x})ᵀ·δ{n}", f"{_matrix(patches_t, digits)}·{_matrix(c.delta, digits)}",
                       _matrix(c.dW_flat, digits)]),
           (f"W{n}-shaped dW{n}", [_nested(c.dW, digits)])]
    if c.db is not None:
        eqs.append((f"db{n}", [f"Σ_i δ{n}", "[" + ", ".join(num(v, digits) for v in c.db) + "]"]))
    return eqs


def im2col_lines(c, digits: int, W) -> list:
    """The layer's text rows: what the rows and columns are, then the equations."""
    shaped = W["im2col_shaped"].format(n=c.layer)
    eqs = [(shaped if lhs.startswith(f"W{c.layer}-shaped") else lhs, sides)
           for lhs, sides in im2col_equations(c, digits)]
    return ["    " + W["im2col_note"]] + aligned_lines(eqs)



def im2col_tex(c, digits: int, W, escape) -> list:
    """The layer's im2col form as LaTeX: the note, then an ``align*`` (the kernel-shaped dW one pmatrix per
    output and input channel)."""
    n, x = c.layer, ("x" if c.source == "x" else f"a_{{{c.layer - 1}}}")
    im2col = rf"\operatorname{{im2col}}({x})"
    rows = [rf"{im2col} &= {pmatrix(c.patches, digits)}",
            rf"\delta_{{{n}}} &= \frac{{\partial L}}{{\partial z_{{{n}}}}} = {pmatrix(c.delta, digits)}",
            rf"dW_{{{n}}} &= {im2col}^{{\mathsf T}} \delta_{{{n}}}",
            rf"&= {pmatrix([list(col) for col in zip(*c.patches)], digits)} {pmatrix(c.delta, digits)}",
            rf"&= {pmatrix(c.dW_flat, digits)}"]
    for o, per_out in enumerate(c.dW):
        for ch, kernel in enumerate(per_out):
            kernel = kernel if isinstance(kernel[0], list) else [kernel]   # a 1-D kernel is one row
            rows.append(rf"dW_{{{n}}}[{o + 1}, {ch + 1}] &= {pmatrix(kernel, digits)}")
    if c.db is not None:
        rows.append(rf"db_{{{n}}} &= \textstyle\sum_{{i}} \delta_{{{n}}} = {pmatrix([c.db], digits)}")
    return [rf"\noindent\textit{{{escape(W['im2col_note'])}}}", r"\begin{align*}", " \\\\\n".join(rows),
            r"\end{align*}"]
