"""The flatten layer: each sample's channels × height × width (or × length) map as one row of features, in C order
(``torch.flatten(x, 1)``). No parameters; forward key ``a{n}`` (samples × features); its units are named like a
dense layer's (``f1``, ``f2``, …) and feature k is map element k in C order.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[[1.0, 2.0], [3.0, 4.0]]], "y": [[1.0]]},
...     "layers": [{"kind": "flatten", "name": "f"}, {"activation": "linear", "weights": [[1.0]] * 4, "bias": [0.0]}]})
>>> spec.layers[0].unit_names
('f1', 'f2', 'f3', 'f4')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..names import array_key, node_out, unit_names
from ..records import Path, PoolForward
from ...tape.workings import Line
from . import LayerPass
from .maps import NoParameters, need_map

KEYS = ()
TAKES_MAPS = True


@dataclass(frozen=True)
class Flatten(NoParameters):
    """One flatten layer: samples × channels × height × width → samples × features."""

    index: int
    name: str
    in_shape: tuple
    unit_names: tuple

    kind = "flatten"
    multiply_adds = 0

    @property
    def units(self) -> int:
        return int(np.prod(self.in_shape))

    def settings(self) -> tuple:
        """What a page that only lists the net says of the layer (the Moodle quiz): the map's shape → features,
        with the reason code of the words (row-major order)."""
        return (Line("", f"{'×'.join(map(str, self.in_shape))} → {self.units}", "flatten"),)

    def forward(self, a, leaves: dict, earlier: tuple = ()) -> LayerPass:
        out = a.reshape(a.shape[0], self.units)
        out.label = array_key("a", self.index)
        return LayerPass(self, a, out, leaves, {})

    def unit_rows(self, lp, reader) -> list:
        """Feature k of each sample is element k of its map in C order: ``f3_out = c121_out = 2.5`` (a
        :class:`PoolForward` of one source, op ``"flatten"``), so a page defines every name it uses later."""
        samples = reader.spec.samples
        x = lp.input.data.reshape(samples, self.units)
        return [PoolForward(self.index, unit, s + 1, "flatten", ((reader.source(self.index - 1, a), float(x[s, a])),),
                            float(x[s, a])) for s in range(samples) for a, unit in enumerate(self.unit_names)]

    def input_paths(self, lp, s, a, unit, source) -> tuple:
        """Map element ``a`` is feature ``a``: ∂L/∂feature_out · 1."""
        v = self.unit_names[a]
        return (Path(v, f"∂L/∂{node_out(v)}", float(lp.output.grad[s, a]), "1", 1.0),)


def read(table: dict, ctx) -> Flatten:
    """A :class:`Flatten` (no keys of its own)."""
    shape = need_map(ctx, "flatten", None)
    return Flatten(ctx.index, ctx.name, shape, unit_names(ctx.name, int(np.prod(shape))))
