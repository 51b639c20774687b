"""The catalogue's training mistakes: the l1/l2 penalty's term of a gradient, and the slips students make in an
optimizer's step (Adam's bias correction left out or taken at the wrong step, ε inside instead of outside the
root, the momentum sign, the velocity not carried to the next step, plain SGD instead of the optimizer asked,
clipping by value where the norm was asked). Each is a value the slip produces; mistakes.py tries them.

>>> from backcalc.net.derivation import explain
>>> from backcalc.net.spec import load_spec
>>> from backcalc.grading.keys import AnswerSpace
>>> spec = load_spec({"format": 1, "data": {"x": [1.0], "y": [0.0]}, "train": {"optimizer": "adam"},
...                   "layers": [{"activation": "linear", "weights": [[2.0]], "bias": [0.0]}]})
>>> sp = AnswerSpace(explain(spec))
>>> item = sp.name_items("updated", "w_xo")[0]
>>> sorted({m[0][0] for m, v in update_candidates(sp, item, {})})[:3]
['adam_bias_step', 'adam_no_bias_correction', 'eps_inside']
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..net import optim
from ..net.names import parse_key
from ..net.train_spec import Training, training_of
from ..net.training import train


def _M(code, **params) -> tuple:
    """A mistake as (code, params); mistakes.py makes its records from these."""
    return (code, tuple(params.items()))


def plain_sgd(spec) -> bool:
    """Version 1's step: w − lr·∂L/∂w, no decay, no clipping (the SGD catalogue applies as it is)."""
    s = training_of(spec).optim
    return s.optimizer == "sgd" and not s.weight_decay and s.clip_norm is None and s.clip_value is None


def penalty_term(spec, key: str, values: np.ndarray) -> np.ndarray | float:
    """The l1/l2 penalty's own term of ∂L/∂θ for array ``key`` (0 when it is not regularised)."""
    reg = training_of(spec).regularization
    if not reg.active or not reg.applies_to(parse_key(key).kind):
        return 0.0
    return 2 * reg.l2 * values + reg.l1 * np.sign(values)


def gradient_candidates(sp, item):
    """Penalty slips in ∂L/∂θ: the penalty left out, λ·w or ½λ·w for 2λ·w, a bias regularised that is not."""
    reg = training_of(sp.spec).regularization
    if not reg.l2:
        return
    e, kind = item.expected, item.ref.kind
    w = float(sp.old[item.ref.array][item.ref.index])
    if reg.applies_to(kind):
        yield (_M("l2_missing"),), e - 2 * reg.l2 * w
        yield (_M("l2_no_two"),), e - reg.l2 * w
        yield (_M("l2_half"),), e - 1.5 * reg.l2 * w
    else:
        yield (_M("l2_bias"),), e + 2 * reg.l2 * w


def _run(spec, settings) -> dict:
    variant = dataclasses.replace(spec, training=Training(settings, training_of(spec).regularization))
    try:
        return train(variant).final
    except Exception:  # a variant that overflows reproduces nothing
        return {}


def _variants(spec) -> list:
    """(mistake, settings) whose whole run is the slip, any number of steps."""
    s = training_of(spec).optim
    out = []
    if s.optimizer in ("momentum", "nesterov") and spec.steps > 1:  # v = g at every step: SGD, named for what it is
        out.append((_M("velocity_not_carried"), dataclasses.replace(s, optimizer="sgd")))
    elif s.optimizer != "sgd":
        out.append((_M("sgd_instead", optimizer=s.optimizer), dataclasses.replace(s, optimizer="sgd", weight_decay=0.0)))
    if s.optimizer in ("adagrad", "rmsprop", "adam", "adamw"):
        flipped = "inside" if s.eps_form == "outside" else "outside"
        out.append((_M(f"eps_{flipped}"), dataclasses.replace(s, eps_form=flipped)))
    if s.clip_norm is not None and s.clip_value is None:
        out.append((_M("clip_value_for_norm"), dataclasses.replace(s, clip_norm=None, clip_value=s.clip_norm)))
    return out


def update_candidates(sp, item, cache: dict):
    """Values an updated parameter takes under each slip (runs of the same spec with the slip made; ``cache``
    keeps the runs for the next item of the same derivation)."""
    spec = sp.spec
    arr, idx = item.ref.array, item.ref.index
    if not cache:
        for m, settings in _variants(spec):
            cache[m] = _run(spec, settings)
        cache.update(_first_step_slips(sp))
    for m, params in cache.items():
        if arr in params:
            yield (m,), float(np.asarray(params[arr])[idx])
    yield (_M("not_updated"),), item.old


def _first_step_slips(sp) -> dict:
    """Slips modelled on the first step only (one-step specs): Adam's bias correction, the momentum sign."""
    spec = sp.spec
    s = training_of(spec).optim
    if spec.steps != 1:
        return {}
    grads = optim.clip(s, sp.grads).grads
    out = {}
    if s.optimizer in ("adam", "adamw"):
        for m, t in ((_M("adam_no_bias_correction"), None), (_M("adam_bias_step"), 2)):
            new = {}
            for key, w in sp.old.items():
                g = grads[key] + (s.weight_decay * w if s.optimizer == "adam" else 0)
                w0 = w * (1 - s.lr * s.weight_decay) if s.optimizer == "adamw" else w
                mom, sq = (1 - s.beta1) * g, (1 - s.beta2) * g * g
                if t is not None:
                    mom, sq = mom / (1 - s.beta1 ** t), sq / (1 - s.beta2 ** t)
                new[key] = w0 - s.lr * mom / (np.sqrt(sq) + s.eps)
            out[m] = new
    if s.optimizer in ("momentum", "nesterov"):
        out[_M("momentum_sign")] = {k: w + s.lr * (grads[k] + s.weight_decay * w) for k, w in sp.old.items()}
    return out
