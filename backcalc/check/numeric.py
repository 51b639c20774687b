"""Central finite differences and a plain-numpy forward pass: derivatives from forward evaluations only.

Shares nothing with the tape, so it can check it (``backcalc verify``); the tape's own check is
:func:`backcalc.tape.gradcheck.gradcheck`.
"""

from __future__ import annotations

import numpy as np

from .activations import SELU_ALPHA, SELU_LAMBDA  # noqa: F401 (public here too)
from .layers import builder
from .training import penalty_value


def central_difference(fn, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂fn/∂x for a plain function of a float64 array, by central differences (forward evaluations only)."""
    x = np.array(x, dtype=float)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += eps
        minus[idx] -= eps
        out[idx] = (fn(plus) - fn(minus)) / (2 * eps)
    return out


# ─────────────────── a spec's net, forward only in plain numpy (no tape): for `backcalc verify` ───────────────────

EPS = 1e-6  # central-difference step of verify


def numpy_loss(spec, params: dict) -> float:
    """The loss of ``spec``'s net with ``params`` ({"W1": ..., "b1": ...}), forward only, in plain numpy."""
    a = np.asarray(spec.x, dtype=float)
    outputs = [a]
    for layer in spec.layers:  # each kind's own numpy forward (backcalc.check.layers)
        a = builder(layer.kind).numpy_forward(layer, a, params, tuple(outputs))
        outputs.append(a)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        y, last, kind = spec.y, spec.layers[-1].activation, spec.loss
        if kind == "cross_entropy":
            rows = np.arange(a.shape[0])
            if last == "softmax":
                per = -np.log(a[rows, y])
            else:
                m = a.max(axis=1)
                per = -(a[rows, y] - m - np.log(np.exp(a - m[:, None]).sum(axis=1)))
        elif kind == "bce":
            if last == "linear":
                per = (np.logaddexp(0.0, a) - y * a).mean(axis=1)
            else:
                per = -(np.where(y > 0, y * np.log(a), 0.0) + np.where(y < 1, (1 - y) * np.log(1 - a), 0.0)).mean(axis=1)
        else:
            sq = (a - y) ** 2
            per = {"half_sse": 0.5 * sq.sum(axis=1), "sse": sq.sum(axis=1), "mse": sq.mean(axis=1)}[kind]
    return float(per.sum() if spec.reduction == "sum" else per.mean()) + penalty_value(spec, params)


def numeric_gradients(spec, eps: float = EPS) -> dict:
    """∂L/∂parameter by central differences of :func:`numpy_loss` (forward evaluations only)."""
    params = spec.parameters()
    out = {}
    for name in params:
        def loss_of(value, name=name):
            return numpy_loss(spec, {**params, name: value})

        g = central_difference(loss_of, params[name], eps)
        for idx in np.ndindex(g.shape):
            out[name + "".join(f"[{i}]" for i in idx)] = float(g[idx])
    return out
