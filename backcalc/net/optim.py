"""Update rules on numpy arrays: sgd, momentum, nesterov, adagrad, rmsprop, adam (amsgrad), adamw.

By default every rule is ``torch.optim``'s, computed in the same order (so float64 results agree with
PyTorch to the last bits), with the state under PyTorch's names: ``momentum_buffer``, ``exp_avg``,
``exp_avg_sq``, ``max_exp_avg_sq``, ``square_avg``, ``grad_avg``, ``sum``. The textbook variants students
also meet are settings: ``momentum_form = "cs231n"`` (v ← μ·v − lr·g, w ← w + v; the state is then
``velocity``), ``momentum_form = "ema"`` (v ← μ·v + (1−μ)·g from v = 0, deeplearning.ai's) and
``eps_form = "inside"`` (g/√(s + ε) instead of g/(√s + ε)). Gradient clipping is PyTorch's
``clip_grad_norm_`` and ``clip_grad_value_``.

One step of a training loop is :func:`clip` over all the gradients, then :func:`update` per parameter
(or :class:`Optimizer` for both, keeping the state between steps).

>>> import numpy as np
>>> s = settings("adam", lr=0.1)
>>> u = update(s, np.array([1.0]), np.array([0.5]), init_state(s, np.array([1.0])), step=1)
>>> [round(float(u.param[0]), 6), round(float(u.state["exp_avg"][0]), 6), round(float(u.state["exp_avg_sq"][0]), 8)]
[0.9, 0.05, 0.00025]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
MOMENTUM_FORMS = ("pytorch", "cs231n", "ema")
EPS_FORMS = ("outside", "inside")
CLIP_NORM_EPS = 1e-6  # clip_grad_norm_'s c/(‖g‖ + 1e-6)

# Which settings each optimizer reads (the others are refused in a spec, so a typo never does nothing).
USES = {
    "sgd": ("weight_decay",),
    "momentum": ("momentum", "weight_decay", "momentum_form"),
    "nesterov": ("momentum", "weight_decay", "momentum_form"),
    "adagrad": ("eps", "weight_decay", "eps_form"),
    "rmsprop": ("alpha", "eps", "momentum", "centered", "weight_decay", "eps_form"),
    "adam": ("beta1", "beta2", "eps", "amsgrad", "weight_decay", "eps_form"),
    "adamw": ("beta1", "beta2", "eps", "amsgrad", "weight_decay", "eps_form"),
}

# The state each optimizer keeps per parameter, by PyTorch's names, in display order.
STATE = {
    "sgd": (),
    "momentum": ("momentum_buffer",),
    "nesterov": ("momentum_buffer",),
    "adagrad": ("sum",),
    "rmsprop": ("square_avg",),
    "adam": ("exp_avg", "exp_avg_sq"),
    "adamw": ("exp_avg", "exp_avg_sq"),
}

# Ranges of the numeric settings: (low, low included, high, high included), as torch.optim checks them.
RANGES = {
    "lr": (0.0, True, math.inf, False),
    "momentum": (0.0, True, 1.0, False),
    "beta1": (0.0, True, 1.0, False),
    "beta2": (0.0, True, 1.0, False),
    "alpha": (0.0, True, 1.0, False),
    "eps": (0.0, True, math.inf, False),
    "weight_decay": (0.0, True, math.inf, False),
    "clip_norm": (0.0, False, math.inf, False),
    "clip_value": (0.0, False, math.inf, False),
}


@dataclass(frozen=True)
class Settings:
    """One optimizer with every hyperparameter resolved (build it with :func:`settings`)."""

    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.0
    beta1: float = 0.9
    beta2: float = 0.999
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False
    centered: bool = False
    momentum_form: str = "pytorch"
    eps_form: str = "outside"
    clip_norm: float | None = None
    clip_value: float | None = None

    @property
    def state_names(self) -> tuple[str, ...]:
        """The state kept per parameter, by PyTorch's names (``velocity`` in the cs231n form)."""
        names = STATE[self.optimizer]
        if self.optimizer == "rmsprop":
            names = names + (("grad_avg",) if self.centered else ()) + (("momentum_buffer",) if self.momentum else ())
        if self.optimizer in ("adam", "adamw") and self.amsgrad:
            names = names + ("max_exp_avg_sq",)
        if self.optimizer in ("momentum", "nesterov") and self.momentum_form == "cs231n":
            names = ("velocity",)
        return names


def settings(optimizer: str = "sgd", **given) -> Settings:
    """:class:`Settings` with the defaults of ``torch.optim`` for what is not given; ``ValueError`` on a bad one.

    Defaults: ``momentum = 0.9`` for momentum/nesterov (0 for rmsprop), ``eps = 1e-10`` for adagrad and
    ``1e-8`` otherwise, ``weight_decay = 0.01`` for adamw and 0 otherwise, ``alpha = 0.99``, betas 0.9/0.999.

    >>> settings("adagrad").eps, settings("adamw").weight_decay, settings("momentum").momentum
    (1e-10, 0.01, 0.9)
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: expected one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    defaults = {"momentum": 0.9 if optimizer in ("momentum", "nesterov") else 0.0,
                "eps": 1e-10 if optimizer == "adagrad" else 1e-8,
                "weight_decay": 0.01 if optimizer == "adamw" else 0.0}
    unknown = [k for k in given if k not in Settings.__dataclass_fields__ or k == "optimizer"]
    if unknown:
        raise ValueError(f"{unknown[0]}: not a setting of the optimizers")
    s = replace(Settings(optimizer=optimizer), **{**defaults, **{k: v for k, v in given.items() if v is not None}})
    problem = check(s)
    if problem:
        raise ValueError(f"{problem[0]}: {problem[1]}")
    return s


def check(s: Settings) -> tuple[str, str] | None:
    """The first bad setting as ``(name, what was expected)``, or None.

    >>> check(Settings(optimizer="adam", beta1=1.0))
    ('beta1', 'expected a number in [0, 1), got 1.0')
    """
    for name, (low, low_in, high, high_in) in RANGES.items():
        value = getattr(s, name)
        if value is None:
            continue
        ok = (value >= low if low_in else value > low) and (value <= high if high_in else value < high)
        if not ok or not math.isfinite(value):
            what = f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}".replace("inf", "∞")
            return name, f"expected a number in {what}, got {value!r}"
    if s.momentum_form not in MOMENTUM_FORMS:
        return "momentum_form", f"expected one of {', '.join(MOMENTUM_FORMS)}, got {s.momentum_form!r}"
    if s.eps_form not in EPS_FORMS:
        return "eps_form", f"expected one of {', '.join(EPS_FORMS)}, got {s.eps_form!r}"
    if s.optimizer == "nesterov" and s.momentum_form == "ema":
        return "momentum_form", "expected pytorch or cs231n for nesterov (the ema form is plain momentum's)"
    if s.optimizer == "nesterov" and s.momentum == 0:
        return "momentum", "expected a number in (0, 1) for nesterov, got 0"
    return None


def init_state(s: Settings, param: np.ndarray) -> dict[str, np.ndarray]:
    """The state before the first step: zeros shaped like the parameter (``{}`` for plain sgd)."""
    return {name: np.zeros_like(param, dtype=np.float64) for name in s.state_names}


@dataclass(frozen=True)
class Update:
    """One parameter's step: the new parameter and state, and every quantity computed on the way.

    ``values`` maps each quantity's name (``grad`` — the gradient after weight decay —, the state names,
    ``exp_avg_hat``, ``exp_avg_sq_hat``, ``denom``, ``param``) to its new value, in the order computed.
    """

    param: np.ndarray
    state: dict[str, np.ndarray]
    values: dict[str, np.ndarray] = field(default_factory=dict)


def update(s: Settings, param, grad, state: dict, step: int) -> Update:
    """One step of ``s`` on one parameter; ``step`` counts from 1 (Adam's bias correction uses it).

    >>> s = settings("momentum", lr=0.5, momentum=0.5)
    >>> u = update(s, np.array([1.0]), np.array([2.0]), {"momentum_buffer": np.array([4.0])}, step=2)
    >>> float(u.state["momentum_buffer"][0]), float(u.param[0])
    (4.0, -1.0)
    """
    p = np.asarray(param, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    values: dict[str, np.ndarray] = {}
    if s.weight_decay and s.optimizer != "adamw":
        g = g + s.weight_decay * p
    values["grad"] = g
    new_state, new_p = _RULES[s.optimizer](s, p, g, state, step, values)
    values["param"] = new_p
    return Update(new_p, new_state, values)


def _sgd(s, p, g, state, t, values):
    return {}, p - s.lr * g


def _momentum(s, p, g, state, t, values):
    mu = s.momentum
    if s.momentum_form == "cs231n":
        v_old = state["velocity"]
        v = mu * v_old - s.lr * g
        values["velocity"] = v
        if s.optimizer == "nesterov":
            return {"velocity": v}, p - mu * v_old + (1 + mu) * v
        return {"velocity": v}, p + v
    buf_old = state["momentum_buffer"]
    if s.momentum_form == "ema":
        buf = mu * buf_old + (1 - mu) * g
    else:  # torch: the first step copies g; μ·0 + g is the same number
        buf = g.copy() if t == 1 else mu * buf_old + g
    values["momentum_buffer"] = buf
    direction = g + mu * buf if s.optimizer == "nesterov" else buf
    return {"momentum_buffer": buf}, p - s.lr * direction


def _adagrad(s, p, g, state, t, values):
    total = state["sum"] + g * g
    values["sum"] = total
    denom = np.sqrt(total + s.eps) if s.eps_form == "inside" else np.sqrt(total) + s.eps
    values["denom"] = denom
    return {"sum": total}, p - s.lr * (g / denom)


def _rmsprop(s, p, g, state, t, values):
    a = s.alpha
    new = {"square_avg": a * state["square_avg"] + (1 - a) * g * g}
    values["square_avg"] = new["square_avg"]
    shifted = new["square_avg"]
    if s.centered:
        new["grad_avg"] = state["grad_avg"] + (1 - a) * (g - state["grad_avg"])  # torch's lerp
        values["grad_avg"] = new["grad_avg"]
        shifted = shifted - new["grad_avg"] * new["grad_avg"]
    denom = np.sqrt(shifted + s.eps) if s.eps_form == "inside" else np.sqrt(shifted) + s.eps
    values["denom"] = denom
    if s.momentum:
        new["momentum_buffer"] = s.momentum * state["momentum_buffer"] + g / denom
        values["momentum_buffer"] = new["momentum_buffer"]
        return new, p - s.lr * new["momentum_buffer"]
    return new, p - s.lr * (g / denom)


def _adam(s, p, g, state, t, values):
    b1, b2 = s.beta1, s.beta2
    if s.optimizer == "adamw":
        p = p * (1 - s.lr * s.weight_decay)
        values["decayed"] = p
    m_old = state["exp_avg"]
    new = {"exp_avg": m_old + (1 - b1) * (g - m_old),  # torch's lerp
           "exp_avg_sq": b2 * state["exp_avg_sq"] + (1 - b2) * g * g}
    values.update(new)
    second = new["exp_avg_sq"]
    if s.amsgrad:
        new["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], new["exp_avg_sq"])
        values["max_exp_avg_sq"] = second = new["max_exp_avg_sq"]
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    values["exp_avg_hat"] = new["exp_avg"] / bc1
    values["exp_avg_sq_hat"] = second / bc2
    if s.eps_form == "inside":
        denom = np.sqrt(second / bc2 + s.eps)
        values["denom"] = denom
        return new, p - s.lr * (new["exp_avg"] / bc1) / denom
    denom = np.sqrt(second) / math.sqrt(bc2) + s.eps  # torch's order of operations
    values["denom"] = denom
    return new, p - (s.lr / bc1) * (new["exp_avg"] / denom)


_RULES = {"sgd": _sgd, "momentum": _momentum, "nesterov": _momentum, "adagrad": _adagrad,
          "rmsprop": _rmsprop, "adam": _adam, "adamw": _adam}


@dataclass(frozen=True)
class Clip:
    """The clipping step: the gradients after it, the global norm before it and the scale applied (norm clipping)."""

    grads: dict[str, np.ndarray]
    norm: float | None = None          # ‖g‖ over all parameters, before clipping (clip_norm only)
    scale: float | None = None         # min(1, c/(‖g‖ + 1e-6)) (clip_norm only)
    clipped: int = 0                   # elements changed by clip_value


def clip(s: Settings, grads: dict[str, np.ndarray]) -> Clip:
    """``clip_grad_norm_`` then ``clip_grad_value_`` as ``s`` asks (each only when set), over all parameters.

    >>> c = clip(settings("sgd", clip_norm=1.0), {"W1": np.array([3.0, 4.0])})
    >>> c.norm, round(c.scale, 8), [round(float(v), 6) for v in c.grads["W1"]]
    (5.0, 0.19999996, [0.6, 0.8])
    """
    out = {k: np.asarray(v, dtype=np.float64) for k, v in grads.items()}
    norm = scale = None
    clipped = 0
    if s.clip_norm is not None:
        norm, scale, out = clip_grad_norm(out, s.clip_norm)
    if s.clip_value is not None:
        before = out
        out = clip_grad_value(out, s.clip_value)
        clipped = int(sum(np.count_nonzero(out[k] != before[k]) for k in out))
    return Clip(out, norm, scale, clipped)


def clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float):
    """``torch.nn.utils.clip_grad_norm_``: (global 2-norm, scale = min(1, c/(norm + 1e-6)), scaled gradients)."""
    norms = [np.linalg.norm(np.ravel(g)) for g in grads.values()]
    norm = float(np.linalg.norm(np.array(norms))) if norms else 0.0
    scale = min(1.0, max_norm / (norm + CLIP_NORM_EPS))
    return norm, scale, {k: g * scale for k, g in grads.items()}


def clip_grad_value(grads: dict[str, np.ndarray], c: float) -> dict[str, np.ndarray]:
    """``torch.nn.utils.clip_grad_value_``: every element into [−c, c]."""
    return {k: np.clip(g, -c, c) for k, g in grads.items()}


class Optimizer:
    """A stateful loop over :func:`clip` and :func:`update`, as ``torch.optim`` objects are used.

    >>> opt = Optimizer(settings("momentum", lr=0.5, momentum=0.5))
    >>> p = opt.step({"w": np.array([1.0])}, {"w": np.array([2.0])})
    >>> p = opt.step(p, {"w": np.array([2.0])})
    >>> float(p["w"][0]), float(opt.state["w"]["momentum_buffer"][0])
    (-1.5, 3.0)
    """

    def __init__(self, s: Settings):
        self.settings = s
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.steps = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The parameters after one step (clipping first); the state is kept for the next."""
        self.steps += 1
        grads = clip(self.settings, grads).grads
        out = {}
        for key, p in params.items():
            state = self.state.get(key) or init_state(self.settings, p)
            u = update(self.settings, p, grads[key], state, self.steps)
            self.state[key] = u.state
            out[key] = u.param
        return out
