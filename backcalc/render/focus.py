"""One parameter or unit in focus: every path from it to the loss, written out with its numbers.

For a parameter: its chain of factors per sample (and the sum over samples), then, for every unit on a path
from it to the loss in order, ∂L/∂unit_out as a sum over paths and its δ, and last its update. Lines are text
formulas (the text page's own); the HTML page shows them in its details panel and ``explain --param`` prints
them. Nothing is computed: every number is a record's.

>>> from backcalc import explain
>>> lines = param_lines(explain(), "w_ij1")
>>> lines[0]
'∂L/∂w_ij1 = ∂L/∂j1_out · ∂j1_out/∂j1_in · ∂j1_in/∂w_ij1'
"""

from __future__ import annotations

from ..net.names import node_unit
from . import text
from .format import factor, num, signed
from .labels import labels, localize


def downstream_units(d, unit: str) -> list:
    """``unit`` and every unit on a path from it to the loss, in layer order (the records' own order)."""
    reached = [unit]
    # a unit is downstream when one of the reached units' paths goes through it
    frontier = [unit]
    by_unit = {}
    for u in d.upstream:
        by_unit.setdefault(u.unit, u)
    while frontier:
        nxt = []
        for name in frontier:
            rec = by_unit.get(name)
            for p in (rec.paths if rec is not None else ()):
                if p.via not in reached:
                    reached.append(p.via)
                    nxt.append(p.via)
        frontier = nxt
    layer = {u.unit: u.layer for u in d.upstream}
    return sorted(reached, key=lambda name: (layer.get(name, 0), reached.index(name)))


def forward_lines(row, digits: int = 5) -> list:
    """A unit's ``_in`` sum with its numbers and its activation, for one sample (a pool output: its window)."""
    if hasattr(row, "op"):
        return [text.pool_line(row, digits)]
    names, values = text.weighted_sum(row, digits)
    bname, bvalue = text.bias_parts(row, digits)
    return [f"{row.unit}_in = {names}{bname} = {values}{bvalue} = {num(row.z, digits)}",
            text.activation_line(row, digits)] + ([text.dropout_line(row, digits)] if row.drop is not None else [])


def upstream_line(u, digits: int = 5) -> str:
    """∂L/∂unit_out: from the loss, or a sum over paths with its numbers."""
    if not u.paths:
        return f"{u.name} = {u.formula} = {num(u.value, digits)}"
    names, values = text.path_sum(u, digits)
    return f"{u.name} = {names} = {values} = {num(u.value, digits)}"


def delta_line(x, digits: int = 5) -> str:
    """δ = ∂L/∂unit_in: ∂L/∂unit_out times the activation's derivative (a sum over outputs for softmax)."""
    if x.local is None:
        return (f"δ_{x.unit} = Σ_j ∂L/∂j_out·∂j_out/∂{x.unit}_in = {text.jacobian_sum(x, digits)} "
                f"= {num(x.value, digits)}")
    return (f"δ_{x.unit} = ∂L/∂{x.unit}_out · {factor(x.formula)} = {signed(x.upstream, digits)} · "
            f"{signed(x.local, digits)} = {num(x.value, digits)}")


def unit_lines(d, unit: str, digits: int = 5, lang: str = "en", with_forward: bool = True) -> list:
    """A unit's own rows: its forward sum and activation, ∂L/∂out and δ (one block per sample)."""
    L = labels(lang)
    many = d.spec.samples > 1
    out = []
    for s in range(1, d.spec.samples + 1):
        tag = f"  [{L['sample'].format(s=s)}]" if many else ""
        if with_forward:
            out += [line + tag for row in d.forward_rows if row.unit == unit and row.sample == s
                    for line in forward_lines(row, digits)]
        out += [upstream_line(u, digits) + tag for u in d.upstream if u.unit == unit and u.sample == s]
        out += [delta_line(x, digits) + tag for x in d.deltas if x.unit == unit and x.sample == s]
    return [localize(line, lang) for line in out]


def param_lines(d, name: str, digits: int = 5, lang: str = "en") -> list:
    """Every path of parameter ``name`` (``w_ij1``, ``b_o`` or a key ``W1[0][0]``) to the loss, with numbers."""
    L = labels(lang)
    t = d.term(name)
    samples = d.spec.samples
    out = []
    for k, chain in enumerate(t.chains):
        names = " · ".join(f.name for f in chain.factors)
        values = " · ".join(signed(f.value, digits) for f in chain.factors)
        where = ([L["sample"].format(s=chain.sample)] if samples > 1 else []) + ([chain.position] if chain.position else [])
        tag = f"  [{', '.join(where)}]" if where else ""
        if k == 0 or chain.position:
            out.append(f"∂L/∂{t.name} = {names}{tag if chain.position else ''}")
        out.append(f"∂L/∂{t.name} = {values} = {num(chain.value, digits)}{tag}")
    caption = text.sum_label(t, samples, L)
    if caption:
        total = " + ".join(signed(c.value, digits) for c in t.chains)
        out.append(f"∂L/∂{t.name} = {total} = {num(t.value, digits)}  [{caption}]")
    unit = node_unit(t.chains[0].factors[-1].of) if t.chains else None
    if unit:
        out.append(L["focus_paths"].format(unit=unit))
        for u in downstream_units(d, unit):
            out += unit_lines(d, u, digits, lang, with_forward=False)
    for u in d.updates:
        if u.name == t.name:
            out.append(f"{u.name} = {num(u.old, digits)} → {num(u.new, digits)}")
    return [localize(line, lang) for line in out]
