"""Central finite differences: derivatives from forward evaluations only, and :func:`gradcheck`."""

from __future__ import annotations

import numpy as np

from .errors import GradcheckError
from .tape import Tensor, Value


def _scalar_of(out) -> float:
    if isinstance(out, Value):
        return out.data
    if isinstance(out, Tensor):
        return float(out.data.sum()) if out.data.size == 1 else float("nan")
    return float(out)


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Check the tape's gradients of ``f(*inputs)`` against central differences in float64.

    ``inputs`` are :class:`Tensor` or :class:`Value` objects (arrays and numbers are wrapped). A
    non-scalar output is reduced with a fixed random weighting, which checks the vector–Jacobian
    product in one random direction. Returns True, or raises :class:`GradcheckError` naming the
    input, the element, and both values.

    >>> from backcalc import Tensor
    >>> gradcheck(lambda x: (x * x).sigmoid().sum(), Tensor([0.5, -1.0]))
    True
    """
    inputs = [x if isinstance(x, (Tensor, Value)) else Tensor(x) for x in inputs]
    weights = None

    def evaluate(args):
        nonlocal weights
        out = f(*args)
        if isinstance(out, Tensor) and out.data.size != 1:
            if weights is None:
                weights = np.random.default_rng(0).standard_normal(out.shape)
            out = (out * weights).sum()
        return out

    out = evaluate(inputs)
    out.backward()
    analytic = [np.array(x.grad, dtype=float) for x in inputs]

    def fresh(i, data):
        args = []
        for j, x in enumerate(inputs):
            if isinstance(x, Value):
                args.append(Value(float(data) if j == i else x.data, x.label))
            else:
                args.append(Tensor(data if j == i else x.data, x.label, x.requires_grad))
        return args

    for i, x in enumerate(inputs):
        base = np.array(x.data, dtype=float)
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            plus, minus = base.copy(), base.copy()
            plus[idx] += eps
            minus[idx] -= eps
            numeric[idx] = (_scalar_of(evaluate(fresh(i, plus))) - _scalar_of(evaluate(fresh(i, minus)))) / (2 * eps)
        bad = ~(np.abs(analytic[i] - numeric) <= atol + rtol * np.abs(numeric))
        if bad.any():
            idx = tuple(int(k) for k in np.argwhere(bad)[0])
            name = f"input {i}" + (f" ({x.label!r})" if x.label else "")
            where = f" element {list(idx)}" if idx else ""
            raise GradcheckError(
                f"gradcheck: {name}{where}: tape gives {analytic[i][idx]:.10g}, central differences give "
                f"{numeric[idx]:.10g} (eps={eps:g}, atol={atol:g}, rtol={rtol:g}); "
                f"{int(bad.sum())} of {bad.size} elements differ")
    return True


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
        a = numpy_activation(layer, a @ params[f"W{layer.index}"] + params[f"b{layer.index}"])
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
