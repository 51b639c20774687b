"""The catalogue's dropout slips: the mask used without its 1/(1 − p) scaling, every unit scaled by 1/(1 − p)
(the mask left out), or dropout left out altogether — in the forward (u_drop, and the next layer's u_in from
it) and in the chain (∂u_drop/∂u_out, and everything the backward pass carries from it). Each is a value the
slip produces, as codes; mistakes.py tries them.

>>> from backcalc.net.derivation import explain
>>> from backcalc.grading.keys import AnswerSpace
>>> sp = AnswerSpace(explain("worked_examples/dropout_231.toml"))
>>> [(code, f.tolist()) for (code, _), f in factors(sp, 1)][:2]
[('dropout_no_scale', [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), ('dropout_no_mask', [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]])]
"""

from __future__ import annotations

import numpy as np


def factors(sp, n) -> list:
    """((code, params), factor in place of mask/(1 − p)) for dropout layer ``n``."""
    scale = sp.scale[n]
    layer = sp.spec.layers[n - 1]
    mask = (scale != 0).astype(float)
    keep = float(1.0 - layer.dropout.p)
    params = (("layer", layer.name), ("p", layer.dropout.p), ("keep", keep))
    return [(("dropout_no_scale", params), mask), (("dropout_no_mask", params), np.full_like(scale, 1.0 / keep)),
            (("dropout_ignored", params), np.ones_like(scale))]


def switches(sp) -> list:
    """((code, params), {layer: factor}) for every dropout layer and slip: the backward pass's switches."""
    return [(m, {n: f}) for n in sorted(sp.drop) for m, f in factors(sp, n)]


def forward_candidates(sp, item) -> list:
    """((code, params), value) of a forward key under each slip: u_drop itself, or the next layer's u_in."""
    kind, n, s, c = item.ref.kind, item.ref.layer, item.ref.sample, item.ref.unit
    out = []
    if kind == "drop" and n in sp.drop:
        out = [(m, float(sp.a[n][s, c] * f[s, c])) for m, f in factors(sp, n)]
    elif kind == "z" and n - 1 in sp.drop:
        layer = sp.spec.layers[n - 1]
        bias = layer.bias[c] if layer.bias is not None else 0.0
        out = [(m, float((sp.a[n - 1][s] * f[s]) @ layer.weights[:, c] + bias)) for m, f in factors(sp, n - 1)]
    return [(m, v) for m, v in out if v != item.expected]


def mask_candidates(sp, item) -> list:
    """((code, params), value) of ∂u_drop/∂u_out under each slip."""
    n, s, c = item.ref.layer, item.ref.sample, item.ref.unit
    return [(m, float(f[s, c])) for m, f in factors(sp, n)]
