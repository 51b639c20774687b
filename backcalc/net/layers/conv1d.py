"""The 1-D convolution layer (``kind = "conv1d"``): cross-correlation as PyTorch's ``Conv1d`` over each sample's
channels × length, then an activation. Everything but the shapes is the 2-D layer's
(:mod:`backcalc.net.layers.conv2d`): ``weights`` out_channels × in_channels × k, ``bias``, ``stride`` and
``padding`` whole numbers; a kernel element is ``w_{layer}{o}{c}{q}``, an output position ``{layer}{o}{j}``.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [[[1.0, 2.0, 3.0, 4.0]]], "y": [[1.0]]},
...     "layers": [{"kind": "conv1d", "name": "c", "weights": [[[1.0, -1.0]]], "bias": [0.0], "activation": "linear"},
...                {"kind": "flatten"}, {"activation": "linear", "weights": [[1.0]] * 3, "bias": [0.0]}]})
>>> spec.layers[0].out_shape, spec.layers[0].unit_names
((1, 3), ('c11', 'c12', 'c13'))
"""

from __future__ import annotations

from . import conv2d

KEYS = conv2d.KEYS
TAKES_MAPS = True
MAP_AXES = 1   # data.x of depth 3 is samples × channels × length; a flat list per sample is one channel


def read(table: dict, ctx):
    """A :class:`~backcalc.net.layers.conv2d.Conv1d` from its table."""
    return conv2d.read(table, ctx, dims=1)
