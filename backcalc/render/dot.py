"""Graphviz DOT: the net as a computation graph, each unit with its values and gradients, each weight
with its value and ∂L/∂w (the first sample's values for a batch)."""

from __future__ import annotations

from ..net.names import node_unit
from .format import num


def _q(s: str) -> str:
    return '"' + s.replace('"', '\\"') + '"'


def render(d, digits: int = 5, lang: str = "en", full: bool = False) -> str:
    spec = d.spec
    out = ["digraph backcalc {", "  rankdir=LR;", '  node [shape=record, fontname="Helvetica"];',
           f"  label={_q((d.title or 'backcalc') + (' (sample 1)' if spec.samples > 1 else ''))};"]
    for a, name in enumerate(spec.input_unit_names):
        out.append(f"  {_q(name)} [label={_q(f'{name} | {num(spec.x[0, a], digits)}')}, shape=Mrecord];")
    up = {(u.unit): u for u in d.upstream if u.sample == 1}
    delta = {(x.unit): x for x in d.deltas if x.sample == 1}
    for row in d.forward_rows:
        if row.sample != 1:
            continue
        label = (f"{{{row.unit} ({row.activation}) | in = {num(row.z, digits)} | out = {num(row.a, digits)} | "
                 f"∂L/∂out = {num(up[row.unit].value, digits)} | ∂L/∂in = {num(delta[row.unit].value, digits)}}}")
        out.append(f"  {_q(row.unit)} [label={_q(label)}];")
    out.append(f"  L [label={_q(f'L = {num(d.loss, digits)}')}, shape=ellipse];")
    grads = {t.name: t.value for t in d.terms}
    for row in d.forward_rows:
        if row.sample != 1:
            continue
        for wname, wvalue, source, _ in row.sources:
            src = node_unit(source)
            g = f"\\n∂L/∂w = {num(grads[wname], digits)}" if wname in grads else ""
            out.append(f"  {_q(src)} -> {_q(row.unit)} [label={_q(f'{wname} = {num(wvalue, digits)}{g}')}];")
    for unit in spec.layers[-1].unit_names:
        out.append(f"  {_q(unit)} -> L;")
    out.append("}")
    return "\n".join(out) + "\n"
