"""The symbolic working of a derivation, before its numbers: ∂L/∂out from the loss, each activation's
derivative from its definition, the partials of a weighted sum, and the general δ rule — with the names of
this net. Formulas come from the rule and loss tables (:mod:`backcalc.tape.workings`); this module only
chooses which workings a net needs and fills in its names.

>>> from backcalc import explain
>>> blocks = symbolic_working(explain())
>>> [b.topic for b in blocks]
['loss', 'activation', 'activation', 'activation', 'weighted_sum', 'delta_rule']
>>> blocks[0].working.lines[-1].rhs
'o_out − y_o'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..tape.rules import RULES
from ..tape.workings import Line, Working, activation_working, loss_working
from .names import node_in, node_out, node_unit


@dataclass(frozen=True)
class Block:
    """One working: its topic (a code: loss, activation, weighted_sum, delta_rule), what it is about (an
    activation's name, a unit) and its rows."""

    topic: str
    subject: str
    working: Working
    layers: tuple = ()       # the names of the layers it applies to (an activation's)


def symbolic_working(d) -> tuple:
    """The blocks of derivation ``d``'s symbolic working, in the order a page shows them."""
    spec = d.spec
    last = spec.layers[-1]
    rec = d.loss_record
    per_step = len(rec.outputs) // rec.steps  # a loss at every step: the working is of step 1's share
    working = loss_working(rec.kind, rec.outputs[0], spec.samples, per_step, rec.reduction, last.activation,
                           tuple(rec.outputs[:per_step]))
    if rec.steps > 1:
        first = working.lines[0]
        working = Working((Line(f"{first.lhs}_t1", first.rhs, "loss_step"),) + working.lines[1:])
    blocks = [Block("loss", rec.outputs[0], working)]
    seen = {}
    for layer in reversed(spec.layers):
        act = _own_activation(layer)
        if act in RULES and (act, layer.alpha if hasattr(layer, "alpha") else None) not in seen:
            seen[(act, getattr(layer, "alpha", None))] = layer
    for (act, alpha), layer in seen.items():
        names = tuple(x.name for x in reversed(spec.layers)
                      if _own_activation(x) == act and getattr(x, "alpha", None) == alpha)
        blocks.append(Block("activation", act, _with_instance(activation_working(act, alpha=alpha), layer, alpha),
                            names))
    for layer in reversed(spec.layers):  # each kind's own rules, from the kind itself (its ``working``)
        for topic, working in getattr(layer, "working", lambda spec: ())(spec):
            blocks.append(Block(topic, layer.kind, working, (layer.name,)))
    row = next((r for r in d.forward_rows if r.layer == last.index and r.sources), None)
    if row is not None and getattr(last, "affine", False):
        blocks.append(Block("weighted_sum", row.unit, _weighted_sum(row)))
    hidden = next((u for u in d.upstream if u.paths and u.sample == 1), None)
    # dropout puts a mask factor into δ that the general rule has not: no general rule for such a net
    if hidden is not None and all(getattr(x, "affine", False) and getattr(x, "dropout", None) is None
                                  for x in spec.layers):
        blocks.append(Block("delta_rule", hidden.unit, _delta_rule(d, hidden)))
    return tuple(blocks)


def _own_activation(layer):
    """The activation a layer applies itself; None for a pool or flatten layer (``shown_as`` its kind)."""
    return None if hasattr(layer, "shown_as") else getattr(layer, "activation", None)


def _with_instance(working: Working, layer, alpha) -> Working:
    """The working and, last, the derivative at the first unit of ``layer`` with its own names."""
    rule = RULES[layer.activation]
    unit = layer.unit_names[0]
    if not rule.elementwise:
        return working
    lhs = f"∂{node_out(unit)}/∂{node_in(unit)}"
    rhs = rule.formula(0, a=node_in(unit), out=node_out(unit), alpha=alpha if alpha is not None else
                       (rule.default("alpha") or "α"))
    return Working(working.lines + (Line(lhs, rhs, "instance"),))


def _weighted_sum(row) -> Working:
    """``o_in = w_k1o·k1_out + … + b_o`` and its partials by the product and sum rules."""
    w, _, src, _ = row.sources[0]
    terms = " + ".join(f"{s[0]}·{s[2]}" for s in row.sources[:3]) + (" + …" if len(row.sources) > 3 else "")
    z = node_in(row.unit)
    lines = [Line(z, terms + (f" + {row.bias_name}" if row.bias_name else ""), "definition"),
             Line(f"∂{z}/∂{w}", RULES["mul"].formula(0, a=w, b=src), "product"),
             Line(f"∂{z}/∂{src}", RULES["mul"].formula(1, a=w, b=src), "product")]
    if row.bias_name:
        lines.append(Line(f"∂{z}/∂{row.bias_name}", RULES["add"].formula(1), "sum"))
    return Working(tuple(lines))


def _delta_rule(d, u) -> Working:
    """The general rule (in the notes' letters i → j → k) and an instance of it at hidden unit ``u``."""
    rule = RULES[d.spec.layers[u.layer - 1].activation]
    paths = " + ".join(f"{p.weight_name}·δ_{node_unit(p.grad_name.split('/∂')[-1])}" for p in u.paths)
    return Working((
        Line("δ_j", "∂L/∂j_in = ∂L/∂j_out·∂j_out/∂j_in", "chain"),
        Line("∂L/∂j_out", "Σ_k ∂L/∂k_in·∂k_in/∂j_out = Σ_k δ_k·w_jk", "paths"),
        Line("δ_j", "f′(j_in)·Σ_k w_jk·δ_k", "delta"),
        Line("∂L/∂w_ij", "∂L/∂j_in·∂j_in/∂w_ij = δ_j·i_out", "chain"),
        *((Line("∂L/∂b_j", "δ_j", "chain"),) if any(getattr(x, "bias", None) is not None for x in d.spec.layers)
          else ()),
        Line(f"δ_{u.unit}", f"{rule.sign}′({node_in(u.unit)})·({paths})", "instance"),
    ))
