"""Central finite differences and a plain-numpy forward pass: derivatives from forward evaluations only.

Shares nothing with the tape, so it can check it (``backcalc verify``); the tape's own check is
:func:`backcalc.tape.gradcheck.gradcheck`.
"""

from __future__ import annotations

import numpy as np

from ..net.names import array_key


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
# SELU's constants (Klambauer et al. 2017), written here, not read from the rule table
SELU_LAMBDA = "1.0507009873554804934193349852946"
SELU_ALPHA = "1.6732632423543772848170429916717"


def numpy_loss(spec, params: dict) -> float:
    """The loss of ``spec``'s net with ``params`` ({"W1": ..., "b1": ...}), forward only, in plain numpy."""
    a = np.asarray(spec.x, dtype=float)
    for layer in spec.layers:
        a = numpy_activation(layer, a @ params[array_key("W", layer.index)] + params[array_key("b", layer.index)])
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
    return float(per.sum() if spec.reduction == "sum" else per.mean())


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


def numpy_activation(layer, z):
    """One layer's activation in plain numpy (forward only)."""
    act, alpha = layer.activation, layer.alpha
    with np.errstate(over="ignore"):
        if act == "linear":
            return z
        if act == "relu":
            return np.where(z > 0, z, 0.0)
        if act == "leaky_relu":
            return np.where(z > 0, z, (0.01 if alpha is None else alpha) * z)
        if act in ("elu", "selu"):
            scale, a = (1.0, 1.0 if alpha is None else alpha) if act == "elu" else (float(SELU_LAMBDA), float(SELU_ALPHA))
            return scale * np.where(z > 0, z, a * np.expm1(np.minimum(z, 0)))
        if act == "sigmoid":
            return 1.0 / (1.0 + np.exp(-z))
        if act == "tanh":
            return np.tanh(z)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
