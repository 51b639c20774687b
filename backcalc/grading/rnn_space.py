"""The answer space of a net with a recurrent layer: what ``check`` reads for it and the values it judges them by.

Answers: ``loss``, ``loss_after``; ``[gradients]`` and ``[updated]`` by canonical keys (``Wx1``, ``Wh1``, ``b1``
and the dense layer's ``W2``, ``b2``: whole arrays or elements like ``Wh1[0][1]``) or display names (``w_xr1``,
``w_r1r2``, ``b_r1``, ``w_r1t3o`` or, with a loss at every step, ``w_r1o``); ``[forward]`` by node names
(``r1t2_in``, ``r1t2_out``, ``o_out``, ``ot2_out``; one number per sample) and the dense layer's ``z{n}``/``a{n}``
when it is read once (h_T); ``[factors]`` ``∂L/∂r1t2_out`` (the sum of the paths into h_t) and ``∂L/∂r1t2_in``
(δ), for every unit, step and sample. Every value is the derivation's (the tape's), read from its records.

>>> from backcalc.net.derivation import explain
>>> sp = RnnSpace(explain("worked_examples/rnn_last_step.toml"))
>>> [(i.key, i.name, round(i.expected, 5)) for i in sp.resolve("factors.∂L/∂r1t2_out")]
[('factors.∂L/∂r1t2_out', '∂L/∂r1t2_out', -0.21054)]
"""

from __future__ import annotations

import re

import numpy as np

from ..net.names import array_key, element_key, node_in, node_out, parse_key
from .items import LOSS_NAMES, SECTIONS, Item, Ref, factor_parts
from .keys import AnswerSpace

_NODE = re.compile(r"(.+?)_?(in|out)", flags=re.IGNORECASE)


class RnnSpace(AnswerSpace):
    """Every answerable key of the derivation of a net with an rnn layer (see the module's docstring)."""

    def __init__(self, d):
        self.d = d
        spec = self.spec = d.spec
        self.N, self.S, self.lr = len(spec.layers), spec.samples, spec.learning_rate
        self.old = spec.parameters()
        self.grads = {k: np.asarray(v, dtype=float) for k, v in d.gradients.items()}
        self.updated = {k: np.asarray(v, dtype=float) for k, v in d.updated.items()}
        self.drop, self.norm, self.stat_names = {}, {}, {}
        self.params, self.pnames = {}, {}
        for name, key in spec.param_names():
            k = parse_key(key)
            self.params[name] = (k.kind, k.layer, k.index)
            self.pnames[key] = name
        self.units = {u: (layer.index, c) for layer in spec.layers for c, u in enumerate(layer.unit_names)}
        self.values = {}  # (unit, sample, "in"/"out"/"gout"/"gin") → the derivation's number
        for row in d.forward_rows:
            self.values[row.unit, row.sample - 1, "in"] = row.z
            self.values[row.unit, row.sample - 1, "out"] = row.a
        for row in d.upstream:
            self.values[row.unit, row.sample - 1, "gout"] = row.value
        for row in d.deltas:
            self.values[row.unit, row.sample - 1, "gin"] = row.value
        rnn = next(layer for layer in spec.layers if getattr(layer, "recurrent", False))
        steps = [(t, u) for t in range(1, rnn.steps + 1) for u in range(rnn.units)]
        for t, u in steps:  # every step's units, also those the next layer does not read (h_t for t < T)
            self.units.setdefault(f"{rnn.base[u]}t{t}", (rnn.index, None))

    # ── items ──
    def param_item(self, section, kind, n, *idx):
        key = element_key(kind, n, *idx)
        arr = array_key(kind, n)
        source = self.grads if section == "gradients" else self.updated
        old = float(self.old[arr][idx]) if section == "updated" else None
        order = (SECTIONS.index(section), n, ("Wx", "Wh", "W", "b").index(kind)) + tuple(idx)
        return Item(section, f"{section}.{key}", self.pnames[key], float(source[arr][idx]),
                    Ref(kind, n, unit=idx[-1], source=idx[0] if len(idx) == 2 else None), order, old)

    def node_item(self, section, unit, s, which):
        """A node's value (``which`` in/out) or factor (gout: ∂L/∂unit_out, gin: ∂L/∂unit_in) in sample ``s``."""
        value = self.values.get((unit, s, which))
        if value is None:
            raise KeyError(f"{unit}: not recorded (the net is too large for per-unit records)")
        n = self.units[unit][0]
        shown = {"in": node_in(unit), "out": node_out(unit), "gout": f"∂L/∂{node_out(unit)}",
                 "gin": f"∂L/∂{node_in(unit)}"}[which]
        names = self.spec.layers[n - 1].unit_names
        place = names.index(unit) if unit in names else -1
        return Item(section, f"{section}.{shown}{self._suffix(s)}", shown + self._sample_name(s), float(value),
                    Ref(f"node_{which}", n, unit=max(place, 0), sample=s),
                    (SECTIONS.index(section), s if section == "forward" else -n, n, _order(unit), which, s))

    def array_shape(self, kind, n) -> tuple:
        layer = self.spec.layers[n - 1]
        if kind in ("Wx", "Wh", "W"):
            shape = getattr(layer, {"Wx": "weights_x", "Wh": "weights_h", "W": "weights"}[kind]).shape
            return shape[0], shape[1], "weights"
        if kind == "b":
            return layer.units, 0, "unit"
        return self.S, layer.units, "nodes"

    def array_items(self, section, kind, n):
        if not 1 <= n <= self.N:
            raise KeyError(f"layer {n} does not exist (the net has layers 1 to {self.N})")
        layer = self.spec.layers[n - 1]
        if section in ("gradients", "updated") and array_key(kind, n) in self.grads:
            rows, cols, _ = self.array_shape(kind, n)
            idxs = np.ndindex(rows, cols) if cols else ((c,) for c in range(rows))
            return [self.param_item(section, kind, n, *idx) for idx in idxs]
        if section == "forward" and kind in ("z", "a") and not getattr(layer, "recurrent", False) \
                and not getattr(layer, "out_steps", 0):
            which = "in" if kind == "z" else "out"
            return [self.node_item(section, u, s, which) for s in range(self.S) for u in layer.unit_names]
        raise KeyError(f"{kind}{n} does not belong under [{section}]" + (
            " (an rnn's nodes and a layer applied at every step are answered by name: r1t2_out, ot2_out)"
            if section == "forward" else ""))

    def name_items(self, section, name, quiet=False):
        try:
            if section in ("gradients", "updated"):
                name = self.pnames.get(name, name)  # an element's canonical key (Wh1[0][1]) as its display name
                if name not in self.params:
                    raise KeyError(name)
                kind, n, idx = self.params[name]
                return [self.param_item(section, kind, n, *idx)]
            if section == "forward":
                unit, which = self._node(name)
                return [self.node_item(section, unit, s, which) for s in range(self.S)]
            if section == "factors":
                num, den = factor_parts(name)
                if num not in LOSS_NAMES:
                    raise KeyError(name)
                if den in self.params:
                    return self.name_items("gradients", den)
                unit, which = self._node(den)
                return [self.node_item(section, unit, s, "g" + which) for s in range(self.S)]
        except KeyError:
            if quiet:
                return []
            raise
        raise KeyError(name)

    def _node(self, text):
        """(unit, "in"/"out") of ``r1t2_out``, ``r1t2_in`` (any case); KeyError for anything else."""
        m = _NODE.fullmatch(text)
        if m:
            hit = next((u for u in self.units if u.lower() == m.group(1).lower()), None)
            if hit is not None:
                return hit, m.group(2).lower()
        raise KeyError(text)

    def names(self, section) -> list:
        if section in ("gradients", "updated"):
            return sorted({k.split("[")[0] for k in self.pnames}) + list(self.params)
        if section == "forward":
            return [f"{u}_{k}" for u in self.units for k in ("in", "out")]
        if section == "factors":
            return [f"∂L/∂{u}_{k}" for u in self.units for k in ("out", "in")]
        return []

    # no blame search across an unrolled net: each answer is judged on its own
    def depends_chains(self, item):
        return ()

    def depends(self, item):
        return ()

    def depends_sections(self, item):
        return ()


def _order(unit: str) -> tuple:
    """Units step by step: ``r1t2`` → (2, "r1")."""
    base, _, t = unit.rpartition("t")
    return (int(t), base) if t.isdigit() else (0, unit)
