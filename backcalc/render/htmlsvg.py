"""The picture of the HTML page: the circuit (:mod:`backcalc.render.circuit`) as inline SVG, laid out by hand
(columns left to right, units top to bottom in order), so the page needs no Graphviz and no network.

Every weight's edge carries ``data-param="w_ij1"`` and ``data-src``/``data-dst``, every bias ``data-param="b_j1"``
and ``data-dst``, every unit ``data-node="j1"`` and the loss ``data-node="L"``: the page's script follows
``data-src`` → ``data-dst`` to highlight every path from a parameter to the loss.
"""

from __future__ import annotations

from . import escape
from .format import num
from .labels import counted

COL = 270          # distance between columns
ROW = 96           # distance between units of a column
NODE_W, NODE_H = 156, 58
MARGIN = 24
EDGE_LABELS = 8    # a layer with at most this many weights labels each edge with its value


def _h(s) -> str:
    return escape.html(str(s))


def _text(x, y, body, cls="", anchor="middle"):
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{_h(body)}</text>'


def svg(c, digits: int, L: dict) -> str:
    """The circuit ``c`` as an ``<svg>`` element (width 100%, scaled by its viewBox)."""
    tallest = max([len(col.units) for col in c.columns] + [1])
    height = MARGIN * 2 + max(tallest * ROW, NODE_H + 40)
    width = MARGIN * 2 + COL * len(c.columns) + NODE_W // 2 + 40
    pos = {}
    for k, col in enumerate(c.columns):
        n = max(len(col.units), 1)
        top = (height - (n - 1) * ROW) / 2
        for p, u in enumerate(col.units):
            pos[u.id] = (MARGIN + NODE_W / 2 + k * COL, top + p * ROW)
        if not col.units:
            pos[f"layer{col.layer}"] = (MARGIN + NODE_W / 2 + k * COL, height / 2)
    loss_xy = (MARGIN + NODE_W / 2 + len(c.columns) * COL - 40, height / 2)
    out = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_h(L["graph"])}" '
           f'xmlns="http://www.w3.org/2000/svg" class="circuit">']
    out += _edges(c, pos, loss_xy, digits, L)
    for col in c.columns:
        for u in col.units:
            out += _unit(u, col, pos[u.id], digits)
        if not col.units:
            out += _summary(col, pos[f"layer{col.layer}"], digits, L)
    x, y = loss_xy
    out += [f'<g class="node loss" data-node="L"><title>L = {_h(num(c.loss, 17))}</title>',
            f'<rect x="{x - 40}" y="{y - 24}" width="80" height="48" rx="10"/>',
            _text(x, y - 6, "L", "name"), _text(x, y + 12, num(c.loss, digits), "value"), "</g>", "</svg>"]
    return "\n".join(out)


def _edges(c, pos, loss_xy, digits, L):
    out = []
    col_of = {u.id: col.layer for col in c.columns for u in col.units}
    count = {}
    for e in c.edges:
        count[col_of[e.dst]] = count.get(col_of[e.dst], 0) + (e.kind == "weight")
    for e in c.edges:
        (x1, y1), (x2, y2) = pos[e.src], pos[e.dst]
        x1, x2 = x1 + NODE_W / 2, x2 - NODE_W / 2
        if e.kind != "weight":  # a skip (arched over the block) or a wire into a normalisation unit: no parameter
            lift = 0.0 if e.kind == "norm" else -1.1 * NODE_H
            mx, my = (x1 + x2) / 2, min(y1, y2) + lift if lift else (y1 + y2) / 2
            out.append(f'<g class="edge {e.kind}" data-src="{_h(e.src)}" data-dst="{_h(e.dst)}"><title>'
                       f'{_h(e.src)} → {_h(e.dst)}: {_h(L["graph_" + e.kind])}</title>'
                       f'<path class="wire" d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}"/></g>')
            continue
        label = ""
        if count[col_of[e.dst]] <= EDGE_LABELS:
            lx, ly = x1 + (x2 - x1) * 0.3, y1 + (y2 - y1) * 0.3
            label = _text(lx, ly - 4, f"{e.param} = {num(e.weight, digits)}", "wlabel")
        out.append(f'<g class="edge" data-param="{_h(e.param)}" data-src="{_h(e.src)}" data-dst="{_h(e.dst)}">'
                   f'<title>{_h(e.param)} = {_h(num(e.weight, digits))}; ∂L/∂{_h(e.param)} = {_h(num(e.grad, digits))}'
                   f'</title><line class="hit" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
                   f'<line class="wire" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>{label}</g>')
    last = c.columns[-1]
    ends = [u.id for u in last.units] or [f"layer{last.layer}"]
    for name in ends:
        x1, y1 = pos[name]
        out.append(f'<g class="edge to-loss" data-src="{_h(name)}" data-dst="L"><line class="wire" '
                   f'x1="{x1 + NODE_W / 2:.1f}" y1="{y1:.1f}" x2="{loss_xy[0] - 40:.1f}" y2="{loss_xy[1]:.1f}"/></g>')
    if not c.detailed:
        for a, b in zip(c.columns, c.columns[1:]):
            (x1, y1), (x2, y2) = pos[f"layer{a.layer}"], pos[f"layer{b.layer}"]
            out.append(f'<g class="edge" data-src="layer{a.layer}" data-dst="layer{b.layer}"><line class="wire" '
                       f'x1="{x1 + NODE_W / 2:.1f}" y1="{y1:.1f}" x2="{x2 - NODE_W / 2:.1f}" y2="{y2:.1f}"/></g>')
    return out


def _unit(u, col, xy, digits):
    x, y = xy
    left, top = x - NODE_W / 2, y - NODE_H / 2
    if col.layer == 0:
        return [f'<g class="node input" data-node="{_h(u.id)}"><title>{_h(u.id)} = {_h(num(u.value, 17))}</title>',
                f'<rect x="{left + 38}" y="{top + 10}" width="{NODE_W - 76}" height="{NODE_H - 20}" rx="8"/>',
                _text(x, y - 2, u.id, "name"), _text(x, y + 13, num(u.value, digits), "value"), "</g>"]
    out = [f'<g class="node" data-node="{_h(u.id)}"><title>{_h(u.id)}: in {_h(num(u.z, digits))}, '
           f'out {_h(num(u.value, digits))}, ∂L/∂out {_h(num(u.grad_out, digits))}, δ {_h(num(u.delta, digits))}'
           + (f'; μ {_h(num(u.norm[0], digits))}, σ² {_h(num(u.norm[1], digits))}, x̂ {_h(num(u.norm[2], digits))}'
              if u.norm else "") + '</title>',
           f'<rect x="{left}" y="{top}" width="{NODE_W}" height="{NODE_H}" rx="10"/>',
           _text(x, top + 15, f"{u.id} · {col.activation}", "name"),
           _text(x, top + 32, f"out {num(u.value, digits)}", "value"),
           f'<line class="sep" x1="{left + 8}" y1="{top + 38}" x2="{left + NODE_W - 8}" y2="{top + 38}"/>',
           _text(x, top + 52, f"∂L/∂out {num(u.grad_out, digits)}", "grad"), "</g>"]
    if u.bias_name:
        bx, by = left - 8, top + NODE_H + 6
        out += [f'<g class="bias" data-param="{_h(u.bias_name)}" data-dst="{_h(u.id)}">'
                f'<title>{_h(u.bias_name)} = {_h(num(u.bias, digits))}; ∂L/∂{_h(u.bias_name)} = '
                f'{_h(num(u.bias_grad, digits))}</title>'
                f'<line class="wire" x1="{bx + 14:.1f}" y1="{by:.1f}" x2="{left + 10:.1f}" y2="{top + NODE_H:.1f}"/>'
                f'<rect x="{bx - 14:.1f}" y="{by - 9:.1f}" width="56" height="18" rx="9"/>'
                + _text(bx + 14, by + 4, u.bias_name, "bname") + "</g>"]
    return out


def _summary(col, xy, digits, L):
    x, y = xy
    s = col.summary
    if col.layer == 0:
        return [f'<g class="node input" data-node="layer0"><rect x="{x - 60}" y="{y - 20}" width="120" height="40" rx="8"/>',
                _text(x, y + 5, col.title, "name"), "</g>"]
    return [f'<g class="node" data-node="layer{col.layer}">',
            f'<rect x="{x - NODE_W / 2}" y="{y - 40}" width="{NODE_W}" height="80" rx="10"/>',
            _text(x, y - 22, f"{col.title} · {col.activation}", "name"),
            _text(x, y - 4, counted(L["graph_units"], s.units), "value"),
            _text(x, y + 14, L["graph_summary"].format(mean=num(s.mean, 3), min=num(s.min, 3), max=num(s.max, 3)),
                  "small"), "</g>"]
