"""The net as a circuit (CS231n's drawing): columns of units left to right, read from a derivation's records.

Shared by the DOT and HTML renderers so the two pictures always agree. Each unit carries one sample's
forward values (``z``, ``a``) and gradients (``∂L/∂out``, ``δ``) and its bias; each edge a weight's value
and ∂L/∂w (the total over the samples). Nothing is computed: every number is a record's.

>>> from backcalc import explain
>>> c = circuit(explain())
>>> [col.title for col in c.columns][:2], c.edges[0].param
(['i', 'j'], 'w_ij1')
"""

from __future__ import annotations

from dataclasses import dataclass
from ..net.names import node_unit

DETAIL_UNITS = 12       # a layer with more units is drawn as one summary node


@dataclass(frozen=True)
class Unit:
    id: str                     # the unit's name (data-node in HTML)
    value: float | None         # the unit's output for the shown sample (the input's value for an input unit)
    z: float | None = None
    grad_out: float | None = None
    delta: float | None = None
    bias_name: str = ""
    bias: float | None = None
    bias_grad: float | None = None
    norm: tuple = ()            # a normalisation unit: (mu, var, xhat, gamma name, gamma, ∂L/∂gamma) of the sample


@dataclass(frozen=True)
class Column:
    layer: int                  # 0 for the input
    title: str                  # the layer's name
    activation: str
    units: tuple                # Unit, in order; empty when summarised
    summary: object = None      # LayerSummary of a layer too wide to draw unit by unit


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    param: str                  # weight name (data-param in HTML)
    weight: float
    grad: float
    kind: str = "weight"        # "weight"; "skip" (an output added as it is); "norm" (into a normalisation unit)


@dataclass(frozen=True)
class Circuit:
    columns: tuple
    edges: tuple
    loss: float
    sample: int
    samples: int
    detailed: bool


def circuit(d, sample: int = 1, full: bool = False) -> Circuit:
    """The circuit of derivation ``d`` with the node values of ``sample`` (1-based)."""
    spec = d.spec
    detailed = d.shows_detail(full) and max(len(layer.unit_names) for layer in spec.layers) <= DETAIL_UNITS \
        and spec.x.shape[1] <= DETAIL_UNITS and spec.x.ndim == 2 \
        and all(any(r.layer == layer.index for r in d.forward_rows) for layer in spec.layers)
    if not detailed:
        cols = [Column(0, spec.input_name, "", ())]
        cols += [Column(s.layer, layer.name, getattr(layer, "shown_as", layer.activation), (), s)
                 for s, layer in zip(d.layer_summaries, spec.layers)]
        return Circuit(tuple(cols), (), d.loss, sample, spec.samples, False)
    up = {u.unit: u.value for u in d.upstream if u.sample == sample}
    delta = {x.unit: x.value for x in d.deltas if x.sample == sample}
    grads = {t.name: t.value for t in d.terms}
    x = spec.x[sample - 1]
    cols = [Column(0, spec.input_name, "", tuple(Unit(n, float(x[a])) for a, n in enumerate(spec.input_unit_names)))]
    edges = []
    known = set(spec.input_unit_names)
    for layer in spec.layers:
        known.update(layer.unit_names)
        units = []
        for row in d.forward_rows:
            if row.layer != layer.index or row.sample != sample:
                continue
            norm = _norm(d, layer, row, grads)
            units.append(Unit(row.unit, row.a, row.z, up.get(row.unit), delta.get(row.unit), row.bias_name, row.bias,
                              grads.get(row.bias_name), norm))
            for wname, wvalue, source, _ in row.sources:
                if _unit_of(source) in known:  # a normalisation layer's x̂ is no unit: its wires come below
                    edges.append(Edge(_unit_of(source), row.unit, wname, wvalue, grads.get(wname)))
            if norm:  # batchnorm: unit c is normalised from unit c alone; layernorm: from every unit of its sample
                c = layer.unit_names.index(row.unit)
                sources = spec.unit_names(layer.index - 1)
                for a in ([c] if layer.axis == 0 else range(len(sources))):
                    edges.append(Edge(sources[a], row.unit, "", 0.0, None, "norm"))
            if row.skip:
                edges.append(Edge(_unit_of(row.skip[0]), row.unit, "", 1.0, None, "skip"))
        cols.append(Column(layer.index, layer.name, layer.activation, tuple(units)))
    return Circuit(tuple(cols), tuple(edges), d.loss, sample, spec.samples, True)


def _norm(d, layer, row, grads) -> tuple:
    """(mu, var, xhat, gamma name, gamma, ∂L/∂gamma) of a normalisation unit in ``row``'s sample, else ()."""
    for st in d.norm_stats:
        if st.layer != layer.index:
            continue
        for s, unit, _, _, xhat in st.members:
            if s == row.sample and unit == row.unit:
                gname, gamma, _, _ = row.sources[0]
                return (st.mu, st.var, xhat, gname, gamma, grads.get(gname))
    return ()


def _unit_of(source: str) -> str:
    return node_unit(source)
