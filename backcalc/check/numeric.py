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
    return forward_loss(spec, params)[0]


def forward_loss(spec, params: dict) -> tuple:
    """(the loss, every layer's output) of ``spec``'s net with ``params``, forward only, in plain numpy."""
    a = np.asarray(spec.x, dtype=float)
    outputs = [a]
    for layer in spec.layers:  # each kind's own numpy forward (backcalc.check.layers)
        a = builder(layer.kind).numpy_forward(layer, a, params, tuple(outputs))
        outputs.append(a)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        per = _per_row(a.reshape(-1, a.shape[-1]), spec.y.reshape(-1, *spec.y.shape[2:]) if a.ndim == 3 else spec.y,
                       spec.layers[-1].activation, spec.loss)
        per = per.reshape(a.shape[0], -1).sum(axis=1)  # outputs at every step: a sample's loss sums its steps'
    loss = float(per.sum() if spec.reduction == "sum" else per.mean()) + penalty_value(spec, params)
    return loss, outputs[1:]


def _per_row(a, y, last, kind) -> np.ndarray:
    """The loss of each row of outputs ``a`` against its targets (class labels for cross_entropy)."""
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
    return per


def numeric_gradients(spec, eps: float = EPS) -> dict:
    """∂L/∂parameter by central differences of :func:`numpy_loss` (forward evaluations only)."""
    return {key: value for key, (value, _) in judged_gradients(spec, eps).items()}


#: steps tried, each 10× the last, before central differences are declared unable to judge a row
STEP_TRIES = 5
#: the most a step may move any layer's output, relative to max(1, |output|): a logit of −1 that a step moves
#: by 1e5 crosses softplus's bend, and the quotients at h and h/2 then agree on the average of two slopes
MAX_MOVE = 0.01


def judged_gradients(spec, eps: float = EPS, rtol: float = 1e-4, atol: float = 1e-7) -> dict:
    """``{key: (∂L/∂parameter by central differences, whether that number can judge the row)}``.

    The step is ``eps·max(1, |w|)``. A difference quotient is only as good as the loss's rounding allows:
    with a loss near 1e12 (logits of 1e12) a step of 1e-6 moves the loss by less than its last digit, and
    the quotient is noise. The rounding of each evaluation is bounded by a few units of the last place of
    the loss's scale (the loss itself, the outputs and their distance from the targets); when that noise
    over the step is above a quarter of the tolerance, the step grows tenfold (up to 10⁴×). A quotient is
    trusted only when the one at half the step agrees with it to half the tolerance (its truncation error is
    small); otherwise the step shrinks fourfold (down to 1/64) — as it does while the step moves some layer's
    output by more than :data:`MAX_MOVE` of max(1, |output|) (past the bends of the activations and the loss,
    where the quotients at h and h/2 can agree on a wrong average slope). When no step passes, the row is
    returned as not judged.

    >>> from backcalc.net.spec import default_spec
    >>> g = judged_gradients(default_spec())
    >>> round(g["W2[0][0]"][0], 6), g["W2[0][0]"][1]
    (-0.001871, True)
    """
    params = spec.parameters()
    scale = _rounding_scale(spec, params)
    out = {}
    for name in params:
        def loss_of(value, name=name):
            return forward_loss(spec, {**params, name: value})

        x = np.array(params[name], dtype=float)
        for idx in np.ndindex(x.shape):
            key = name + "".join(f"[{i}]" for i in idx)
            out[key] = _judged_difference(loss_of, x, idx, eps, scale, rtol, atol)
    return out


def _judged_difference(fn, x, idx, eps, scale, rtol, atol) -> tuple:
    """(quotient, judged) for one element: grow the step while rounding swamps it, shrink it while halving it
    moves the quotient (a step too coarse for how fast the loss bends: w·1e5 moves z by 0.1 when w moves
    by 1e-6), and judge only with a step whose half agrees with it."""
    base = eps * max(1.0, abs(float(x[idx])))
    h, first, grown, shrunk = base, None, False, False
    while base / 100 < h < base * 10.0 ** STEP_TRIES:
        d, noise, moved = _quotient(fn, x, idx, h, scale)
        if d is None:
            break
        first = d if first is None else first
        if moved > MAX_MOVE:  # the step reaches past the bends of the activations and the loss: smaller
            if grown:
                break
            h, shrunk = h / 4, True
            continue
        tol = rtol * abs(d) + atol
        if noise > tol / 4:  # rounding: a larger step, unless a smaller one was needed already
            if shrunk:
                break
            h, grown = h * 10, True
            continue
        half, _, _ = _quotient(fn, x, idx, h / 2, scale)
        if half is not None and abs(half - d) <= tol / 2:
            return half, True
        if grown:  # truncation at the step rounding asked for: nothing works
            break
        h, shrunk = h / 4, True
    return (0.0 if first is None else first), False


def _quotient(fn, x, idx, h, scale) -> tuple:
    """(the central difference quotient with step ``h``, the rounding noise it may carry, how far the step moved
    the layers' outputs relative to max(1, |output|)), or (None, inf, inf)."""
    plus, minus = x.copy(), x.copy()
    plus[idx] += h
    minus[idx] -= h
    width = float(plus[idx] - minus[idx])  # the step as the floats took it
    (fp, outs_p), (fm, outs_m) = fn(plus), fn(minus)
    if not (np.isfinite(fp) and np.isfinite(fm)) or width == 0:
        return None, np.inf, np.inf
    noise = 8 * np.finfo(float).eps * max(abs(fp), abs(fm), scale) / width
    with np.errstate(invalid="ignore"):
        moved = max((float(np.max(np.abs(p - m) / np.maximum(1.0, np.maximum(np.abs(p), np.abs(m))), initial=0.0))
                     for p, m in zip(outs_p, outs_m)), default=0.0)
    return (fp - fm) / width, noise, moved


def _rounding_scale(spec, params) -> float:
    """The size whose last digits the loss's rounding can reach, times the samples (a sum): |outputs| ·
    (|outputs| + |targets|) for squared errors, |outputs| for the log losses (log-sum-exp of logits near 1e12
    rounds at 1e12·ε, however small the loss), and a/(1 − a) for bce of a probability a near 1 (1 − a
    cancels)."""
    a = np.asarray(spec.x, dtype=float)
    outputs = [a]
    with np.errstate(all="ignore"):
        for layer in spec.layers:
            a = builder(layer.kind).numpy_forward(layer, a, params, tuple(outputs))
            outputs.append(a)
        big = float(np.max(np.abs(a))) if a.size else 0.0
        y = np.asarray(spec.y, dtype=float)
        target = float(np.max(np.abs(y))) if y.size else 0.0
        # squared errors round at |out|·|out − y|; log-sum-exp and log(1 + e^a) at |a| (the logits)
        scale = (big if spec.loss in ("cross_entropy", "bce") else big * (big + target)) * spec.samples
        if spec.loss == "bce" and spec.layers[-1].activation != "linear":
            # −(1 − y)·ln(1 − a) of a probability a near 1: a carries a rounding of ε·a, and 1 − a keeps it
            # whole, so the loss rounds at (1 − y)·a/(1 − a) (a = 1 − 1e-10: 1e10 times the loss's own ε)
            cancel = float(np.max((1 - y) * a / (1 - a))) if a.size else 0.0
            scale = max(scale, cancel * spec.samples)
    return scale if np.isfinite(scale) else np.inf
