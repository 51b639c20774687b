"""The checker's own training: the l1/l2 penalty and a replay of the optimizer's steps, written here again.

Nothing is taken from :mod:`backcalc.net.optim` or the tape: the update rules below are written from
``torch.optim``'s documentation (and the textbook forms a spec may ask for), applied either to sympy's
30-digit gradients with sympy arithmetic (the "symbolic" column of `backcalc verify`) or to central
differences in plain floats (the "numeric" column). Which arrays the penalty covers is decided here too:
weight matrices (``W``, ``Wx``, ``Wh``), biases only with ``regularize_bias``.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [1.0], "y": [0.0]}, "loss": {"l2": 0.5},
...                   "train": {"optimizer": "momentum", "learning_rate": 0.5, "steps": 2},
...                   "layers": [{"activation": "linear", "weights": [[2.0]], "bias": [0.0]}]})
>>> steps = replay(spec, lambda params: {"W1": 2 * params["W1"], "b1": 0 * params["b1"]}, FLOATS)
>>> [float(s["W1"][0, 0]) for s in steps]
[0.0, -1.8]
"""

from __future__ import annotations

import math
import re

import numpy as np

_REGULARISED = re.compile(r"^(W|Wx|Wh)\d+$")
_BIAS = re.compile(r"^b\d+$")


def regularised(spec, key: str) -> bool:
    """Whether the penalty covers parameter array ``key``."""
    reg = _reg(spec)
    return bool(_REGULARISED.match(key) or (reg is not None and reg.regularize_bias and _BIAS.match(key)))


def _reg(spec):
    return spec.training.regularization if spec.training is not None else None


def penalty_value(spec, params: dict) -> float:
    """λ₂·Σθ² + λ₁·Σ|θ| over the regularised arrays (0 without [loss] l1/l2)."""
    reg = _reg(spec)
    if reg is None or not (reg.l1 or reg.l2):  # no weight, no penalty: nothing to add up
        return 0.0
    total = 0.0
    for key, value in params.items():
        if regularised(spec, key):
            total += reg.l2 * float(np.sum(np.square(value))) + reg.l1 * float(np.sum(np.abs(value)))
    return total


def penalty_gradients(spec, params: dict, sp) -> dict:
    """The penalty's ∂/∂θ per element, from sympy's derivative of λ₂·θ² + λ₁·|θ| (|θ|′ at 0 is sympy's sign(0) = 0)."""
    reg = _reg(spec)
    if reg is None or not (reg.l1 or reg.l2):
        return {}
    theta = sp.Symbol("theta", real=True)
    derivative = sp.diff(sp.nsimplify(reg.l2) * theta ** 2 + sp.nsimplify(reg.l1) * sp.Abs(theta), theta)
    out = {}
    for key, value in params.items():
        if regularised(spec, key):
            for idx in np.ndindex(value.shape):
                element = key + "".join(f"[{i}]" for i in idx)
                out[element] = float(derivative.subs(theta, sp.Float(float(value[idx]), 30)).evalf(30))
    return out


# ─────────────────────────────── the optimizer, written again ───────────────────────────────

class _Floats:
    """Plain float arithmetic for the numeric replay."""

    sqrt = staticmethod(np.sqrt)
    maximum = staticmethod(np.maximum)

    @staticmethod
    def array(value):
        return np.asarray(value, dtype=float)


class _Sympy:
    """sympy arithmetic at 30 digits for the symbolic replay (object arrays of sympy Floats)."""

    def __init__(self, sp):
        self.sp = sp
        self.sqrt = np.vectorize(lambda v: sp.sqrt(v), otypes=[object])
        self.maximum = np.vectorize(lambda a, b: sp.Max(a, b), otypes=[object])

    def array(self, value):
        return np.vectorize(lambda v: self.sp.Float(float(v), 30) if not isinstance(v, self.sp.Basic) else v,
                            otypes=[object])(np.asarray(value, dtype=object))


FLOATS = _Floats()


def sympy_arithmetic(sp):
    return _Sympy(sp)


def _clip(s, grads: dict, M) -> dict:
    """clip_grad_norm_ (scale by c/(‖g‖ + 1e-6) when below 1) then clip_grad_value_, as torch.nn.utils."""
    if s.clip_norm is not None:
        norm = M.sqrt(np.array(sum(float(np.sum(np.square(g.astype(float)))) for g in grads.values())))
        norm = float(norm)
        scale = s.clip_norm / (norm + 1e-6)
        if scale < 1:
            grads = {k: g * scale for k, g in grads.items()}
    if s.clip_value is not None:
        c = s.clip_value
        grads = {k: np.where(g.astype(float) > c, c, np.where(g.astype(float) < -c, -c, g)) for k, g in grads.items()}
    return grads


def _step(s, t: int, w, g, st: dict, M):
    """One parameter's update; ``st`` holds this checker's own state names."""
    lr, name = s.lr, s.optimizer
    if s.weight_decay and name != "adamw":
        g = g + s.weight_decay * w
    if name == "sgd":
        return w - lr * g
    if name in ("momentum", "nesterov"):
        mu = s.momentum
        if s.momentum_form == "cs231n":
            prev = st.get("v", 0 * w)
            st["v"] = mu * prev - lr * g
            return w - mu * prev + (1 + mu) * st["v"] if name == "nesterov" else w + st["v"]
        prev = st.get("v", 0 * w)
        st["v"] = mu * prev + (1 - mu) * g if s.momentum_form == "ema" else mu * prev + g
        return w - lr * (g + mu * st["v"]) if name == "nesterov" else w - lr * st["v"]
    if name == "adagrad":
        st["s"] = st.get("s", 0 * w) + g * g
        return w - lr * g / _denominator(s, st["s"], M)
    if name == "rmsprop":
        a = s.alpha
        st["s"] = a * st.get("s", 0 * w) + (1 - a) * g * g
        inner = st["s"]
        if s.centered:
            st["gbar"] = a * st.get("gbar", 0 * w) + (1 - a) * g
            inner = inner - st["gbar"] * st["gbar"]
        step = g / _denominator(s, inner, M)
        if s.momentum:
            st["b"] = s.momentum * st.get("b", 0 * w) + step
            step = st["b"]
        return w - lr * step
    # adam, adamw
    if name == "adamw":
        w = w * (1 - lr * s.weight_decay)
    st["m"] = s.beta1 * st.get("m", 0 * w) + (1 - s.beta1) * g
    st["v"] = s.beta2 * st.get("v", 0 * w) + (1 - s.beta2) * g * g
    second = st["v"]
    if s.amsgrad:
        st["vmax"] = M.maximum(st.get("vmax", 0 * w), st["v"])
        second = st["vmax"]
    m_hat = st["m"] / (1 - s.beta1 ** t)
    v_hat = second / (1 - s.beta2 ** t)
    return w - lr * m_hat / _denominator(s, v_hat, M)


def _denominator(s, x, M):
    return M.sqrt(x + s.eps) if s.eps_form == "inside" else M.sqrt(x) + s.eps


def replay(spec, gradients, M) -> list:
    """Parameters after each of the spec's steps: ``gradients(params)`` (penalty included), clip, update."""
    from types import SimpleNamespace

    s = spec.training.optim if spec.training is not None else None
    s = SimpleNamespace(**(vars(s) if s is not None else {"optimizer": "sgd", "weight_decay": 0.0, "clip_norm": None,
                                                          "clip_value": None}))
    s.lr = spec.learning_rate  # the spec's learning rate, whatever changed it since
    params = {k: M.array(v) for k, v in spec.parameters().items()}
    states = {k: {} for k in params}
    out = []
    for t in range(1, spec.steps + 1):
        grads = {k: M.array(v) for k, v in gradients(params).items()}
        grads = _clip(s, grads, M)
        params = {k: _step(s, t, w, grads[k], states[k], M) for k, w in params.items()}
        out.append(params)
    return out


def agree(a, b, rtol, atol) -> bool:
    return math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=atol)
