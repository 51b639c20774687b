"""The training keys of a spec (INTERFACE.md 1.1, "Training"): ``[train]``'s optimizer, hyperparameters and
clipping, ``[loss]``'s l1/l2 regularisation. Read and checked here; the rules themselves are
:mod:`backcalc.net.optim`'s, and so are their ranges and defaults.

>>> t = read_training(lambda where, msg: None, {"optimizer": "adam", "learning_rate": 0.01}, {"l2": 0.5})
>>> t.optim.optimizer, t.optim.beta2, t.regularization.l2, t.regularization.regularize_bias
('adam', 0.999, 0.5, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..errors import did_you_mean
from . import optim

TRAIN_KEYS = ("learning_rate", "steps", "optimizer", "momentum", "beta1", "beta2", "alpha", "eps",
              "weight_decay", "amsgrad", "centered", "momentum_form", "eps_form", "clip_norm", "clip_value")
LOSS_KEYS = ("kind", "reduction", "l2", "l1", "regularize_bias")
MAX_LAMBDA = 1e3


@dataclass(frozen=True)
class Regularization:
    """``[loss]`` l2/l1: λ₂·Σw² + λ₁·Σ|w| over weight matrices (biases too with ``regularize_bias``)."""

    l2: float = 0.0
    l1: float = 0.0
    regularize_bias: bool = False

    @property
    def active(self) -> bool:
        return bool(self.l2 or self.l1)

    def applies_to(self, kind: str) -> bool:
        """Whether parameters of this kind (``"W"``, ``"b"``, ...) are regularised."""
        return kind in ("W", "Wx", "Wh") or (kind == "b" and self.regularize_bias)


@dataclass(frozen=True)
class Training:
    optim: optim.Settings
    regularization: Regularization


def training_of(spec) -> Training:
    """The spec's optimizer (its learning rate is always the spec's) and regularisation; plain SGD by default."""
    t = spec.training or Training(optim.settings("sgd", lr=spec.learning_rate), Regularization())
    return t if t.optim.lr == spec.learning_rate else Training(replace(t.optim, lr=spec.learning_rate), t.regularization)


def _kind(v) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, str):
        return f"the string {v!r}" if len(v) < 40 else "a string"
    return "a list" if isinstance(v, list) else "a table" if isinstance(v, dict) else type(v).__name__


def read_training(fail, train: dict, loss: dict) -> Training:
    """The checked optimizer settings and regularisation; ``fail(where, message)`` raises the spec's error."""
    name = train.get("optimizer", "sgd")
    if name not in optim.OPTIMIZERS:
        shown = repr(name) if isinstance(name, str) else _kind(name)
        fail("train.optimizer", f"unknown optimizer {shown}{did_you_mean(str(name), optim.OPTIMIZERS)}; "
                                f"expected one of {', '.join(optim.OPTIMIZERS)}")
    given = {}
    uses = optim.USES[name]
    for key in TRAIN_KEYS[3:]:
        if key not in train:
            continue
        if key not in uses and key not in ("clip_norm", "clip_value"):
            users = [o for o in optim.OPTIMIZERS if key in optim.USES[o]]
            fail(f"train.{key}", f"applies to {', '.join(users)}, not {name}")
        given[key] = _setting(fail, key, train[key])
    given["lr"] = train.get("learning_rate", 0.1)
    try:
        settings = optim.settings(name, **given)
    except ValueError as exc:
        key, _, message = str(exc).partition(": ")
        fail("train.learning_rate" if key == "lr" else f"train.{key}", message)
    return Training(settings, _regularization(fail, loss))


def _setting(fail, key, v):
    where = f"train.{key}"
    if key in ("amsgrad", "centered"):
        if not isinstance(v, bool):
            fail(where, f"expected true or false, got {_kind(v)}")
        return v
    if key in ("momentum_form", "eps_form"):
        choices = optim.MOMENTUM_FORMS if key == "momentum_form" else optim.EPS_FORMS
        if v not in choices:
            fail(where, f"expected one of {', '.join(choices)}, got {_kind(v)}")
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, int) and abs(v) > 10 ** 15):
        fail(where, f"expected a number, got {_kind(v)}")
    if not math.isfinite(float(v)):
        fail(where, f"expected a finite number, got {v}")
    return float(v)


def _regularization(fail, loss: dict) -> Regularization:
    lam = {}
    for key in ("l2", "l1"):
        v = loss.get(key, 0.0)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)) \
                or not 0 <= float(v) <= MAX_LAMBDA:
            fail(f"loss.{key}", f"expected a number from 0 to {MAX_LAMBDA:g} (the λ of the penalty), got {_kind(v)}")
        lam[key] = float(v)
    rb = loss.get("regularize_bias", False)
    if not isinstance(rb, bool):
        fail("loss.regularize_bias", f"expected true or false, got {_kind(rb)}")
    return Regularization(lam["l2"], lam["l1"], rb)
