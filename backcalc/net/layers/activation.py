"""The activation a layer kind ends with, ``a = f(z)``: on the tape, and its δ rows and chain factors.

Any kind whose output is an activation of a pre-activation node ``z`` (dense, and the kinds to come:
convolution, normalisation) builds ``a = apply(layer, z)`` and keeps ``z`` as ``lp.nodes["z"]`` (and the
activation's node as ``lp.nodes["f"]`` when something is added after it, such as a skip connection); then
:func:`delta_rows` and :func:`chain` read δ = ∂L/∂z and the factors ∂L/∂out · ∂out/∂in back from the tape.
The layer spec needs ``index``, ``unit_names``, ``units``, ``activation`` and ``alpha``.

>>> formula(type("L", (), {"activation": "sigmoid", "alpha": None})(), "k1")
'σ(k1_in)·(1−σ(k1_in))'
"""

from __future__ import annotations

import numpy as np

from ...tape.rules import ACTIVATIONS, RULES
from ..kinks import RoundedKink, settle
from ..names import node_drop, node_in, node_out
from ..records import Chain, Delta, Factor



def read(table: dict, ctx, default: str | None = None) -> tuple:
    """``(activation, alpha)`` from a layer's table; ``activation`` is required unless a ``default`` is given."""
    act = table.get("activation", default)
    if act is None:
        ctx.fail(f"missing key 'activation' (one of {', '.join(ACTIVATIONS)})")
    ctx.fields.choice(f"{ctx.where} activation", act, ACTIVATIONS, "activation")
    alpha = table.get("alpha")
    if alpha is not None:
        if act not in ("leaky_relu", "elu"):
            ctx.fail(f"alpha applies to leaky_relu and elu only, not {act}", "alpha")
        alpha = ctx.fields.number(f"{ctx.where} alpha", alpha, 0.0, 10.0)
    return act, alpha


def apply(layer, z):
    """``layer.activation`` of the tensor ``z`` on the tape (with ``alpha`` when the layer gives one)."""
    return z.activation(layer.activation, **({"alpha": layer.alpha} if layer.alpha is not None else {}))


def kinked(layer) -> bool:
    """Whether the layer's activation has a kink at 0 (the rule table's mark)."""
    return RULES[layer.activation].kink


def settle_kinks(layer, z, upper, exact, terms: int, nodes=None) -> tuple:
    """Take every element of the pre-activation tensor ``z`` that is 0 up to the rounding of its own ``terms``
    terms as exactly 0, when the layer's activation has a kink there (:mod:`backcalc.net.kinks`, the rule);
    ``upper()`` bounds each element's Σ|term| (samples × units, a map's units in C order), ``exact((rows,
    cols))`` gives it for the few candidates. Returns a :class:`~backcalc.net.kinks.RoundedKink` per element
    taken as 0; ``nodes`` names the elements' nodes (default: ``unit_in``)."""
    if not kinked(layer):
        return ()
    data = z.data
    flat = data.reshape(data.shape[0], -1)
    rows, cols, bounds = settle(flat, upper, exact, terms)
    if not len(rows):
        return ()
    old = flat[rows, cols].copy()
    settled = np.array(flat, dtype=np.float64)
    settled[rows, cols] = 0.0
    z.data = settled.reshape(data.shape)
    names = nodes or [node_in(u) for u in layer.unit_names]
    return tuple(RoundedKink(layer.index, layer.unit_names[c % len(layer.unit_names)], names[c], int(s) + 1,
                             float(v), float(b), terms, layer.activation)
                 for s, c, v, b in zip(rows, cols, old, bounds))


def formula(layer, unit: str) -> str:
    """∂unit_out/∂unit_in, from the rule table entry the tape used for the layer's activation."""
    rule = RULES[layer.activation]
    alpha = layer.alpha if layer.alpha is not None else rule.default("alpha")
    return rule.formula(0, a=node_in(unit), out=node_out(unit), alpha=alpha)


def _flat(a, samples: int) -> np.ndarray:
    """A sample's values in one row (a map's elements in C order, as its unit names)."""
    return np.reshape(a, (samples, -1))


def delta_rows(layer, lp, samples: int) -> list:
    """δ = ∂L/∂unit_in for every unit and sample (softmax: a sum over the layer's outputs); a map's units in
    C order."""
    node, z = lp.nodes.get("f", lp.output), lp.nodes["z"]
    elementwise = RULES[layer.activation].elementwise
    rows = []
    dz, grad = _flat(z.grad, samples), _flat(node.grad, samples)
    local_all = _flat(np.broadcast_to(node.local[0], node.shape), samples) if elementwise else None
    for s in range(samples):
        for c, unit in enumerate(layer.unit_names):
            shown = formula(layer, unit)
            if elementwise:
                rows.append(Delta(layer.index, unit, s + 1, float(dz[s, c]), float(grad[s, c]),
                                  float(local_all[s, c]), shown))
            else:  # softmax: ∂j_out/∂c_in = s_j(δ_jc − s_c), from the recorded outputs s
                sm = node.local[0][s]
                jac = tuple((float(node.grad[s, j]), float(sm[j] * ((j == c) - sm[c])), layer.unit_names[j])
                            for j in range(layer.units))
                rows.append(Delta(layer.index, unit, s + 1, float(z.grad[s, c]), float(node.grad[s, c]),
                                  None, shown, jac))
    return rows


def chain(layer, lp, s: int, c: int, unit: str, last: Factor, position: str = "") -> Chain:
    """Sample ``s``'s chain for a parameter of unit ``c``: ∂L/∂out · ∂out/∂in · ``last`` (δ · ``last`` for softmax);
    ``c`` indexes a map's elements in C order, and ``position`` names the output of a shared weight's use."""
    node = lp.nodes.get("f", lp.output)
    if RULES[layer.activation].elementwise:
        samples = node.shape[0]
        local = float(_flat(np.broadcast_to(node.local[0], node.shape), samples)[s, c])
        factors = (*_upstream_factors(layer, lp, s, c, unit),
                   Factor(node_out(unit), node_in(unit), local, formula(layer, unit)),
                   last)
    else:  # softmax: δ is itself a sum over the layer's outputs (listed with the deltas)
        factors = (Factor("L", node_in(unit), float(lp.nodes["z"].grad[s, c]), "δ"), last)
    value = 1.0
    for f in factors:
        value *= f.value
    return Chain(s + 1, factors, value, position)


def _upstream_factors(layer, lp, s: int, c: int, unit: str) -> tuple:
    """∂L/∂u_out, or with dropout ∂L/∂u_drop · ∂u_drop/∂u_out (the mask factor the multiply entry recorded)."""
    drop = lp.nodes.get("drop")
    if drop is None:
        node = lp.nodes.get("f", lp.output)
        return (Factor("L", node_out(unit), float(_flat(node.grad, node.shape[0])[s, c])),)
    scale = float(np.broadcast_to(drop.local[0], drop.shape)[s, c])
    return (Factor("L", node_drop(unit), float(drop.grad[s, c])),
            Factor(node_drop(unit), node_out(unit), scale, layer.dropout.factor_formula(s, c)))
