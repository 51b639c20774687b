"""The answer space's dropout part: each dropout layer's factor mask/(1 − p), its outputs u_drop and
∂L/∂u_drop, as the answers file names them (``h1_drop``, ``drop1``, ``∂L/∂h1_drop``, ``∂h1_drop/∂h1_out``).

The factor is computed here from the spec's mask and p (the data the student is given), never read from the
tape; the values u_drop and ∂L/∂u_drop are the derivation's.

>>> from backcalc.net.derivation import explain
>>> d = explain("worked_examples/dropout_231.toml")
>>> scale, drop, g_drop = dropout_arrays(d)
>>> scale[1].tolist(), [round(float(v), 5) for v in drop[1][0]]
([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0]], [1.24492, 0.0, 0.81467])
"""

from __future__ import annotations

import numpy as np

from ..net.names import array_key, node_drop, node_out


def dropout_arrays(d) -> tuple:
    """``(scale, drop, g_drop)``: per dropout layer n, mask/(1 − p), u_drop and ∂L/∂u_drop (samples × units)."""
    spec = d.spec
    scale, drop, g_drop = {}, {}, {}
    for layer in spec.layers:
        dropout = getattr(layer, "dropout", None)
        if dropout is None:
            continue
        n = layer.index
        scale[n] = np.asarray(dropout.mask, dtype=float) / (1.0 - float(dropout.p))
        drop[n] = np.asarray(d.forward[array_key("drop", n)], dtype=float)
        g_drop[n] = np.zeros_like(drop[n])
    units = {u: c for layer in spec.layers for c, u in enumerate(layer.unit_names)}
    for u in d.upstream:
        if u.name.endswith("_drop") and u.layer in g_drop:
            g_drop[u.layer][u.sample - 1, units[u.unit]] = u.value
    return scale, drop, g_drop


def node_kind(kind: str) -> str:
    """The forward array of a node suffix: ``in`` → ``z``, ``out`` → ``a``, ``drop`` → ``drop``."""
    return {"in": "z", "out": "a", "drop": "drop"}[kind]


def drop_names(spec) -> list:
    """Every dropout key an answers file may give, for did-you-mean suggestions."""
    out = []
    for layer in spec.layers:
        if getattr(layer, "dropout", None) is not None:
            out += [f"drop{layer.index}"]
            for u in layer.unit_names:
                out += [node_drop(u), f"∂L/∂{node_drop(u)}", f"∂{node_drop(u)}/∂{node_out(u)}"]
    return out
