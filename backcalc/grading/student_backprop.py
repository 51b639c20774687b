"""Backpropagation as a student does it by hand, with switches for the slips the mistake catalogue models.

The catalogue (:mod:`backcalc.grading.mistakes`) turns one switch on at a time and compares the values it
produces with the student's; with every switch off it is plain backpropagation (a test holds it to the tape).
"""

from __future__ import annotations

import numpy as np

from .keys import AnswerSpace
from .optim_mistakes import penalty_term
from ..net.names import array_key


def with_own(values, own, kind, n):
    """``values`` with the student's own numbers put in where the sheet gives them (NaN elsewhere)."""
    given = own.get(kind, {}).get(n) if own else None
    return values if given is None else np.where(np.isnan(given), values, given)


def backprop(sp: AnswerSpace, local=None, weights=None, drop=None, sums=0, extra_out=None, own=None, mask=None):
    """∂L/∂a, local factors, δ and parameter gradients per layer, with at most one mistake switched on.

    With no switch it is plain backpropagation from the tape's ∂L/∂output and forward values (a test holds it
    equal to the tape). ``mask`` ({layer: samples × units}) replaces a dropout layer's factor mask/(1 − p).
    ``own`` ({"out"|"local"|"delta"|"a": {layer: samples × units, NaN where not given}})
    carries the student's own earlier values forward instead of the exact ones; each value is recorded as
    computed, before the student's own number replaces it for the steps below.

    >>> from backcalc.net.derivation import explain
    >>> sp = AnswerSpace(explain())
    >>> bool(np.allclose(backprop(sp)["W"][1], sp.grads["W1"]))
    True
    """
    out = {"out": {}, "local": {}, "delta": {}, "W": {}, "b": {}, "dout": {}}
    g = sp.g_out[sp.N]
    skipped = {}  # layer m → ∂L/∂a that comes to it straight through a skip (added to its sum at the fork)
    for n in range(sp.N, 0, -1):
        layer = sp.spec.layers[n - 1]
        out["out"][n] = g
        g = with_own(g, own, "out", n)
        if getattr(layer, "skip", None):
            skipped[layer.skip] = skipped.get(layer.skip, 0.0) + g
        if sp.local[n] is None:  # softmax: δ_c = s_c·(g_c − Σ_j g_j·s_j)
            s = with_own(sp.a[n], own, "a", n)
            loc = used = None
            delta = s * (g - (g * s).sum(axis=1, keepdims=True))
        else:
            loc = local[n] if local and n in local else sp.local[n]
            used = with_own(loc, own, "local", n)
            delta = g * used
        out["local"][n], out["delta"][n] = loc, delta
        delta = with_own(delta, own, "delta", n)
        source = with_own(sp.source(n - 1), own, "drop" if n - 1 in sp.drop else "a", n - 1)
        out["W"][n] = source.T @ delta + penalty_term(sp.spec, array_key("W", n), sp.old[array_key("W", n)])
        if layer.bias is not None:  # bias = false: no ∂L/∂b
            out["b"][n] = delta.sum(axis=0) + penalty_term(sp.spec, array_key("b", n), sp.old[array_key("b", n)])
        if n == 1:
            break
        W = (weights or {}).get(n, layer.weights)
        if sums:
            if used is None:
                return None
            g = g.sum(axis=1, keepdims=True) * used.sum(axis=1, keepdims=True) * W.sum(axis=1)[None, :]
            if sums == 2 and layer.units > 1:  # and Σ_k ∂k_in/∂w_jk = (number of k units)·j_out, as the notes do
                g = g * (layer.units * source)
        else:
            if drop is not None and drop[0] == n:
                delta = delta.copy()
                delta[:, drop[1]] = 0.0
            g = delta @ W.T
        if extra_out == n - 1:
            g = g * source
        g = g + skipped.pop(n - 1, 0.0)  # a skip reads what the layer passes on (after its dropout, if any)
        if n - 1 in sp.drop:  # ∂L/∂u_drop, then ∂L/∂u_out = ∂L/∂u_drop · mask/(1 − p)
            out["dout"][n - 1] = g
            g = with_own(g, own, "dout", n - 1) * (mask or {}).get(n - 1, sp.scale[n - 1])
    return out
