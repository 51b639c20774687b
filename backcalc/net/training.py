"""The training loop of a spec, as PyTorch's: per step the gradients of the loss (l1/l2 included) on the tape,
then clipping, then the optimizer's update of every parameter (:mod:`backcalc.net.optim`), keeping each step's
state old → new so the derivation can show it.

>>> from backcalc.net.spec import default_spec
>>> run = train(default_spec())
>>> len(run.steps), round(run.steps[0].loss, 6), sorted(run.final)[:2]
(1, 0.127926, ['W1', 'W2'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DomainError
from . import optim
from .finite import check_pass
from .network import Network, Pass
from .train_spec import training_of


@dataclass(frozen=True)
class ParamStep:
    """One parameter array's step: before, the raw and clipped gradient, the state before, the optimizer's update."""

    key: str
    old: np.ndarray
    grad: np.ndarray          # ∂L/∂θ as the tape gives it (penalty included), before clipping and weight decay
    clipped: np.ndarray       # after clipping (the same array when nothing is clipped)
    state_old: dict
    update: optim.Update


@dataclass(frozen=True)
class Step:
    step: int
    loss: float
    clip: optim.Clip | None
    params: tuple             # ParamStep per parameter array, in the spec's order

    def param(self, key: str) -> ParamStep:
        return next(p for p in self.params if p.key == key)


@dataclass(frozen=True)
class Run:
    settings: optim.Settings
    first: Pass               # the first step's pass on the tape (the derivation reads it)
    steps: tuple
    final: dict               # parameters after the last step
    loss_after: float


def train(spec, steps: int | None = None) -> Run:
    """Run the spec's steps; a parameter or state that leaves the floats names its step and parameter."""
    settings = training_of(spec).optim
    steps = spec.steps if steps is None else steps
    net = Network(spec)
    params = net.params
    state: dict = {}
    records, first = [], None
    for t in range(1, steps + 1):
        p = Network(spec, params).forward()
        check_pass(p, t)  # the forward values, the loss and the gradients, before any update uses them
        first = first or p
        grads = p.gradients()
        clipped = optim.clip(settings, grads) if settings.clip_norm or settings.clip_value else None
        used = clipped.grads if clipped else grads
        rows, new_params = [], {}
        for key, value in params.items():
            old_state = state.get(key) or optim.init_state(settings, value)
            u = optim.update(settings, value, used[key], old_state, t)
            _check_finite(spec, t, key, u)
            rows.append(ParamStep(key, value, grads[key], used[key], old_state, u))
            new_params[key], state[key] = u.param, u.state
        records.append(Step(t, p.loss, clipped, tuple(rows)))
        params = new_params
    loss_after = Network(spec, params).loss()
    return Run(settings, first, tuple(records), params, loss_after)


def _check_finite(spec, t, key, u):
    for name, value in (("param", u.param), *u.state.items()):
        bad = ~np.isfinite(value)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            element = key + "".join(f"[{i}]" for i in idx)
            names = dict((k, n) for n, k in spec.param_names())
            what = "the parameter" if name == "param" else f"its {name}"
            raise DomainError(f"step {t}: the update of {names.get(element, element)} ({element}) overflows: {what} "
                              f"becomes {float(value[idx])}; lower the learning rate or the number of steps")
