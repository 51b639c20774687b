"""What the pages write for shared weights (kernels, recurrent weights) and pools, in one place for every format:
a pool output with its window, where a chain sits in its term's sum (sample, output position or time step), the
caption of that sum, and the rows of ‖∂L/∂h_t‖ back through time.

>>> from backcalc.net.records import Chain
>>> chain_tag(Chain(2, (), 0.0, "c112"), samples=2)
'2, c112'
"""

from __future__ import annotations

import numpy as np

from ..net.names import node_out
from .format import num, signed


def pool_line(row, digits) -> str:
    """``p111_out = max(c111_out, c112_out, …) = max(1.5, 9, …) = 9 = c112_out``: a pool output with its window's
    inputs, and for a max the input that won it (the first in row-major order at a tie); an average is the
    window's sum over its size; a flatten layer's feature is the map element it is (``h_out = p111_out = 9``)."""
    src = row.sources
    if row.op == "flatten":
        return f"{node_out(row.unit)} = {src[0][0]} = {num(row.value, digits)}"
    shown = src if len(src) <= 9 else src[:2] + (None,) + src[-1:]
    names = ", ".join("…" if x is None else x[0] for x in shown)
    values = ", ".join("…" if x is None else num(x[1], digits) for x in shown)
    out = node_out(row.unit)
    if row.op == "max":
        return f"{out} = max({names}) = max({values}) = {num(row.value, digits)} = {src[row.winner][0]}"
    names = names.replace(", ", " + ")  # a negative term after the first in parentheses, as in a weighted sum
    values = " + ".join("…" if x is None else num(x[1], digits) if k == 0 else signed(x[1], digits)
                        for k, x in enumerate(shown))
    return f"{out} = ({names})/{len(src)} = ({values})/{len(src)} = {num(row.value, digits)}"


def chain_tag(chain, samples: int) -> str:
    """Where a chain sits in its term's sum: its sample (when there are several) and its output position."""
    parts = ([str(chain.sample)] if samples > 1 else []) + ([chain.position] if chain.position else [])
    return ", ".join(parts)


def sum_label(t, samples: int, L) -> str | None:
    """The caption of a term's sum row (over samples, output positions or both); None for a single chain."""
    positions = len(dict.fromkeys(c.position for c in t.chains if c.position))
    if positions:
        over = getattr(t, "sum_over", "positions")
        return (L[f"summed_{over}_samples"].format(n=positions, s=samples) if samples > 1
                else L[f"summed_{over}"].format(n=positions))
    return L["summed"].format(n=samples) if samples > 1 else None


def count(forms: dict, n: int) -> str:
    """``n`` with its noun, singular for one: ``count({"one": "{n} sample", "many": "{n} samples"}, 1)``.

    >>> count({"one": "{n} sample", "many": "{n} samples"}, 1), count({"one": "{n} sample", "many": "{n} samples"}, 3)
    ('1 sample', '3 samples')
    """
    return forms["one" if n == 1 else "many"].format(n=n)


def large_note(d, L) -> str:
    """Why the listings are left out: too many parameters or samples, or (shared weights) too many rows."""
    max_params, max_samples = d.detail_limits
    note = L["large"].format(params=count(L["count_parameters"], d.spec.n_parameters),
                             samples=count(L["count_samples"], d.spec.samples), max_params=max_params,
                             max_samples=max_samples)
    if d.rows > d.row_limit:
        note += " " + L["large_rows"].format(rows=d.rows, max_rows=d.row_limit)
    return note


def time_norm_rows(d, layer, digits, L) -> tuple:
    """(caption, column headers, rows) of the ‖∂L/∂h_t‖ table of a recurrent layer; None when it has none."""
    rows = [r for r in d.time_norms if r.layer == layer.index]
    if not rows:
        return None
    many = d.spec.samples > 1
    spectral = num(float(np.linalg.norm(layer.weights_h, 2)), digits)
    every = getattr(layer, "out_steps", 0) > 0  # a loss at every step: the path back from h_(t+1) has a column
    body = [([str(r.sample)] if many else []) + [str(r.step), num(r.norm, digits)] +
            ["—" if v is None else num(v, digits) for v in ((r.back,) if every else ()) + (r.ratio, r.bound)]
            for r in rows]
    key = "time_cols_every" if every else "time_cols"
    cols = list(L[key]) if many else list(L[key][1:])
    return L["time_norms_every" if every else "time_norms"].format(spectral=spectral), cols, body


def time_norm_lines(d, digits, L, title, only: int | None = None) -> list:
    """The text table of ‖∂L/∂h_t‖ over the steps of each recurrent layer (``title`` words a layer's heading;
    ``only``: of that layer alone, for ``--order layer``)."""
    from tabulate import tabulate

    out = []
    for layer in d.spec.layers if only is None else (d.spec.layers[only - 1],):
        table = time_norm_rows(d, layer, digits, L)
        if table is not None:
            caption, cols, body = table
            out += ["", f"{title(d, layer, L)}: {caption}"]
            out += ["  " + line for line in tabulate(body, headers=cols, disable_numparse=True).splitlines()]
    return out
