"""The training part of the HTML page: the l1/l2 penalty in the loss and in each ∂L/∂w, and the optimizer's
step — per step the clipping and a table per parameter of every quantity (formula, the numbers put in, old →
new), each row linked to its parameter in the picture. The rows are the text page's
(:mod:`backcalc.render.training`); this module only writes them as HTML.

>>> from backcalc.net.derivation import explain
>>> from backcalc.net.spec import load_spec
>>> from backcalc.render.labels import labels
>>> d = explain(load_spec("worked_examples/adam_first_step.toml"))
>>> page = "".join(optimizer(d, 5, labels("en")))
>>> '<tr data-param="w_ij1"><td>m</td><td>β1·m + (1 − β1)·g</td>' in page
True
"""

from __future__ import annotations

from . import escape
from .training import clip_lines, penalty_lines, reg_term_table, step_tables, table_headers, update_head


def _h(s) -> str:
    return escape.html(str(s))


def _table(head, rows, param=None) -> list:
    out = ['<div class="scroll"><table>', "<tr>" + "".join(f"<th>{_h(h)}</th>" for h in head) + "</tr>"]
    for name, cells in rows:
        name = param or name
        attr = f' data-param="{_h(name)}"' if name else ""
        out.append(f"<tr{attr}>" + "".join(f"<td>{_h(v)}</td>" for v in cells) + "</tr>")
    return out + ["</table></div>"]


def penalty(d, digits, L) -> list:
    """``L = data loss + λ₂·Σw² = …`` under the loss (nothing without l1/l2)."""
    return [f'<div class="eq">{_h(line.strip())}</div>' for line in penalty_lines(d, digits, L) if line.strip()]


def reg_terms(d, digits, L) -> list:
    """The table of each regularised ∂L/∂w as its data term + the penalty's own term."""
    table = reg_term_table(d, digits, L)
    if table is None:
        return []
    title, headers, rows = table
    return [f"<h3>{_h(title)}</h3>"] + _table(headers, [(r[0].removeprefix("∂L/∂"), r) for r in rows])


def optimizer(d, digits, L) -> list:
    """The optimizer's section: its settings, then per step the clipping and one table per parameter."""
    t = d.training
    head = update_head(d, digits, L)
    out = [f"<h2>{_h(head[0])}</h2>"] + [f"<p>{_h(line)}</p>" for line in head[1:]]
    tables = step_tables(d, digits)
    if not tables:
        return out + [f"<p>{_h(line.strip())}</p>" for line in clip_lines(t, 1, digits, L)]
    for step, params in tables:
        out.append(f"<h3>{_h(L['train']['step'].format(step=step))}</h3>")
        out += [f"<p>{_h(line.strip())}</p>" for line in clip_lines(t, step, digits, L)]
        for name, key, rows in params:
            out.append(f'<h4 data-param="{_h(name)}">{_h(name)} ({_h(key)})</h4>')
            out += _table(table_headers(L), [(name, r) for r in rows])
    return out
