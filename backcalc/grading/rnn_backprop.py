"""Backprop through time as a student works it, from a derivation's forward values, with one slip switched on.

The mistake catalogue of an rnn net (:mod:`backcalc.grading.rnn_mistakes`) reruns the backward pass of the
recurrent layer with each slip and names it only when a student's number matches that run and not the right
one. What reaches the recurrent layer from the layers after it (the step's own path, through the dense weights) is
the same in every run; the slips are in the steps back through time:

``truncated``
    BPTT truncated to the last step: each shared weight's gradient keeps the last step's term only.
``no_next_path``
    the path through h_(t+1) left out: ∂L/∂h_t is the step's own path alone.
``local_at_output``
    f′ taken at the output as if it were the input: 1 − tanh²(h_t) where 1 − h_t² belongs.

>>> from backcalc.net.derivation import explain
>>> d = explain("worked_examples/rnn_last_step.toml")
>>> run = bptt(d)
>>> bool(abs(run["Wx"][0, 0] - d.gradients["Wx1"][0][0]) < 1e-12)
True
"""

from __future__ import annotations

import numpy as np

from ..net.names import array_key
from ..tape.rules import RULES

SLIPS = ("truncated", "no_next_path", "local_at_output")


def _rnn(spec):
    return next(layer for layer in spec.layers if getattr(layer, "recurrent", False))


def own_paths(d) -> np.ndarray:
    """∂L/∂h_t through the layer after the rnn alone (samples × steps × units): its δ's times its weights; zero
    at every step but the last when the rnn hands on h_T only."""
    spec = d.spec
    rnn = _rnn(spec)
    head = spec.layers[rnn.index]
    S, T, U = spec.samples, rnn.steps, rnn.units
    names = {name: k for k, name in enumerate(head.unit_names)}
    delta = np.zeros((S, len(head.unit_names)))
    for row in d.deltas:
        if row.layer == head.index:
            delta[row.sample - 1, names[row.unit]] = row.value
    out = np.zeros((S, T, U))
    if rnn.out_steps:
        out[:] = delta.reshape(S, T, head.units) @ head.weights.T
    else:
        out[:, T - 1] = delta @ head.weights.T
    return out


def bptt(d, slip: str | None = None) -> dict:
    """``{"Wx", "Wh", "b": gradient arrays, "out", "delta": samples × steps × units}`` of the recurrent layer,
    worked back through time from ``d``'s forward values with ``slip`` (one of :data:`SLIPS`) or none."""
    spec = d.spec
    rnn = _rnn(spec)
    S, T, U = spec.samples, rnn.steps, rnn.units
    x = np.asarray(spec.x, dtype=float).reshape(S, T, -1)
    hs = np.asarray(d.forward[array_key("h", rnn.index)], dtype=float)
    h0 = np.broadcast_to(rnn.h0, (S, U))
    z = np.zeros((S, T, U))
    for row in d.forward_rows:
        if row.layer == rnn.index:
            t, u = _step_unit(rnn, row.unit)
            z[row.sample - 1, t - 1, u] = row.z
    rule = RULES[rnn.activation]
    kw = {"alpha": rnn.alpha} if rnn.alpha is not None else {}
    own = own_paths(d)
    gWx, gWh, gb = np.zeros_like(rnn.weights_x), np.zeros_like(rnn.weights_h), np.zeros(U)
    out, delta = np.zeros((S, T, U)), np.zeros((S, T, U))
    back = np.zeros((S, U))
    for t in range(T, 0, -1):
        h = hs[:, t - 1]
        g = own[:, t - 1] + (0.0 if slip == "no_next_path" else back)
        if slip == "local_at_output":  # f′ of the output, as if it were the input: 1 − tanh²(h)
            local = rule.local(rule.array(h, **kw), h, **kw)[0]
        else:
            local = rule.local(h, z[:, t - 1], **kw)[0]
        dz = g * np.broadcast_to(local, g.shape)
        out[:, t - 1], delta[:, t - 1] = g, dz
        if slip != "truncated" or t == T:
            before = hs[:, t - 2] if t > 1 else h0
            gWx += x[:, t - 1].T @ dz
            gWh += before.T @ dz
            gb += dz.sum(axis=0)
        back = dz @ rnn.weights_h.T
    return {"Wx": gWx, "Wh": gWh, "b": gb, "out": out, "delta": delta}


def _step_unit(rnn, unit: str) -> tuple:
    """(step, unit index) of a step's unit name: ``r2t3`` → (3, 1)."""
    base, _, t = unit.rpartition("t")
    return int(t), rnn.base.index(base)
