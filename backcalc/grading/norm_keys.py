"""The answer space of a normalisation layer (batchnorm, layernorm): its μ, σ², x̂ and the factors ∂L/∂x̂, ∂L/∂σ²,
∂L/∂μ of its three paths, as items of :class:`backcalc.grading.keys.AnswerSpace`.

>>> from backcalc.net.derivation import explain
>>> from backcalc.grading.keys import AnswerSpace
>>> sp = AnswerSpace(explain("worked_examples/batchnorm_221.toml"))
>>> item = sp.resolve("forward.var_n1")[0]
>>> item.key, item.expected
('forward.var2[0]', 0.1225)
"""

from __future__ import annotations

import numpy as np

from ..net.names import array_key
from .items import SECTIONS, STATS, Item, Ref


class NormItems:
    """The items of normalisation layers, and the shape an answers file writes each canonical array in (mixed into
    AnswerSpace, whose ``norm``, ``S``, ``spec`` it reads)."""

    def array_shape(self, kind, n) -> tuple:
        """(rows, columns, what) of canonical array ``kind{n}`` as an answers file writes it: a matrix ("weights":
        fan_in × units; "nodes": samples × units), or a vector (columns 0) of one value per "unit" or "sample"."""
        layer = self.spec.layers[n - 1]
        if kind == "W":
            return layer.fan_in, layer.units, "weights"
        if kind in ("b", "gamma", "beta"):
            return layer.units, 0, "unit"
        if kind in STATS:
            return (layer.units, 0, "unit") if self.norm[n].axis == 0 else (self.S, 0, "sample")
        return self.S, layer.units, "nodes"

    def stat_item(self, kind, n, g):
        """μ or σ² (``kind`` "mu", "var") of group ``g`` of normalisation layer n: a unit (batchnorm), a sample
        (layernorm)."""
        nk = self.norm[n]
        value = (nk.mu if kind == "mu" else nk.var)[g]
        ref = Ref(kind, n, unit=g, sample=0) if nk.axis == 0 else Ref(kind, n, unit=0, sample=g)
        return Item("forward", f"forward.{kind}{n}[{g}]", f"{kind}_{nk.groups[g]}", float(value), ref,
                    (SECTIONS.index("forward"), ref.sample, n, ref.unit, -2 if kind == "mu" else -1.5))

    def grad_stat_item(self, kind, n, k):
        """∂L/∂x̂ of unit k (one per sample), or ∂L/∂μ, ∂L/∂σ² of group k: the factors of the three paths."""
        nk = self.norm[n]
        if kind == "gxhat":
            unit = self.spec.layers[n - 1].unit_names[k]
            return [Item("factors", f"factors.∂L/∂xhat_{unit}{self._suffix(s)}",
                         f"∂L/∂xhat_{unit}{self._sample_name(s)}", float(nk.grad_xhat[s, k]),
                         Ref(kind, n, unit=k, sample=s), (SECTIONS.index("factors"), -n, k, -1, -1, s))
                    for s in range(self.S)]
        name = f"∂L/∂{kind[1:]}_{nk.groups[k]}"
        value = (nk.grad_mu if kind == "gmu" else nk.grad_var)[k]
        ref = Ref(kind, n, unit=k, sample=0) if nk.axis == 0 else Ref(kind, n, unit=0, sample=k)
        return [Item("factors", f"factors.{name}", name, float(value), ref,
                     (SECTIONS.index("factors"), -n, ref.unit, -3 if kind == "gvar" else -2, -1, ref.sample))]


class NormKeys:
    """A normalisation layer's answerable values, read from the derivation: x̂, μ, σ² (the forward's), γ·x̂ + β,
    and ∂L/∂x̂, ∂L/∂μ, ∂L/∂σ² (the tape's, from the statistics records; None when the layer reads the data)."""

    def __init__(self, layer, d, params):
        n = layer.index
        self.axis = layer.axis  # 0: statistics over the batch (batchnorm); 1: over the units (layernorm)
        self.xhat = np.asarray(d.forward[array_key("xhat", n)], dtype=float)
        self.mu = np.asarray(d.forward[array_key("mu", n)], dtype=float)
        self.var = np.asarray(d.forward[array_key("var", n)], dtype=float)
        self.z = self.xhat * params[array_key("gamma", n)] + params[array_key("beta", n)]
        S = self.xhat.shape[0]
        self.groups = (layer.unit_names if self.axis == 0 else tuple(f"{layer.name}_s{s + 1}" for s in range(S)))
        stats = [st for st in d.norm_stats if st.layer == n]
        self.grad_xhat = self.grad_mu = self.grad_var = None
        if stats and stats[0].grad_xhat:
            self.grad_xhat = np.zeros_like(self.xhat)
            units = list(layer.unit_names)
            for st in stats:
                for (s, unit, *_), g in zip(st.members, st.grad_xhat):
                    self.grad_xhat[s - 1, units.index(unit)] = g
            self.grad_mu = np.array([st.grad_mu for st in stats])
            self.grad_var = np.array([st.grad_var for st in stats])
