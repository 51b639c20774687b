"""verify's rows for training: each step's updated parameters three ways — the tape's run, a replay on sympy's
gradients in sympy arithmetic, and a replay on central differences in floats (:mod:`backcalc.check.training`).

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [1.0], "y": [0.0]}, "train": {"optimizer": "adam", "steps": 2},
...                   "layers": [{"activation": "linear", "weights": [[2.0]], "bias": [0.0]}]})
>>> rows = update_rows(spec)
>>> len(rows), all(r.ok for r in rows), rows[-1].step
(4, True, 2)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..errors import SpecError
from .notes import replay_limit
from .numeric import central_difference, numpy_loss
from .rows import ThreeWays
from .symbolic import symbolic_gradients
from .sympy_tools import load_sympy
from .training import FLOATS, penalty_gradients, penalty_value, replay, sympy_arithmetic

UPDATE_RTOL, UPDATE_ATOL = 1e-7, 1e-10            # the tape's run against the sympy replay
NUMERIC_UPDATE_RTOL, NUMERIC_UPDATE_ATOL = 1e-4, 1e-7
MAX_REPLAY_STEPS = 20


@dataclass(frozen=True)
class UpdateRow(ThreeWays):
    """One parameter element after one step: the tape's run, the sympy replay, the central-difference replay."""

    step: int


def at_parameters(spec, params: dict):
    """The spec with other parameter values (each layer kind's ``with_parameters``)."""
    layers = []
    for layer in spec.layers:
        if not hasattr(layer, "with_parameters"):
            raise SpecError(f'{spec.source}: layers[{layer.index}] ("{layer.name}"): verify cannot replay the '
                            f"optimizer's steps through layer kind {layer.kind!r}")
        values = {k: np.asarray(params[k], dtype=float) for k in layer.parameters()}
        layers.append(layer.with_parameters(values))
    return dataclasses.replace(spec, layers=tuple(layers))


def regularised_symbolic(spec, sp, params: dict | None = None) -> tuple[dict, float]:
    """sympy's ∂L/∂θ per element and the loss at ``params`` (the spec's own when None), the penalty included."""
    at = spec if params is None else at_parameters(spec, params)
    grads, loss = symbolic_gradients(at, sp)
    for key, value in penalty_gradients(spec, at.parameters(), sp).items():
        grads[key] += value
    return grads, loss + penalty_value(spec, at.parameters())


def _arrays(spec, by_element: dict) -> dict:
    """Element gradients (``"W1[0][1]"``) back into arrays shaped like the parameters."""
    out = {}
    for key, value in spec.parameters().items():
        arr = np.empty(value.shape, dtype=object)
        for idx in np.ndindex(value.shape):
            arr[idx] = by_element[key + "".join(f"[{i}]" for i in idx)]
        out[key] = arr
    return out


def _numeric(spec, params: dict) -> dict:
    """Central differences of the loss (penalty included) at ``params``, forward evaluations only."""
    plain = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    return {k: central_difference(lambda value, k=k: numpy_loss(spec, {**plain, k: value}), plain[k])
            for k in plain}


def beyond_v1(spec) -> bool:
    """Whether the spec trains with more than version 1's plain SGD (optimizer, decay, clipping, l1/l2, dropout's
    mask kept over the steps)."""
    t = spec.training
    if t is None:
        return False
    s, reg = t.optim, t.regularization
    return bool(s.optimizer != "sgd" or s.weight_decay or s.clip_norm is not None or s.clip_value is not None
                or reg.l1 or reg.l2 or any(getattr(layer, "dropout", None) is not None for layer in spec.layers))


def replay_notes(spec) -> tuple:
    """A note when the optimizer's steps are replayed for only the first MAX_REPLAY_STEPS of the run."""
    if beyond_v1(spec) and spec.steps > MAX_REPLAY_STEPS:
        return (replay_limit(MAX_REPLAY_STEPS, spec.steps),)
    return ()


def update_rows(spec, sp=None) -> tuple:
    """UpdateRow per step (the first MAX_REPLAY_STEPS) and element; none for a version-1 spec (plain SGD)."""
    if not beyond_v1(spec):
        return ()
    from ..net.derivation import explain  # the tape's run, exactly as the page shows it

    sp = sp or load_sympy()
    spec = dataclasses.replace(spec, steps=min(spec.steps, MAX_REPLAY_STEPS))
    tape = explain(spec).to_dict()["updated_steps"]
    symbolic = replay(spec, lambda p: _arrays(spec, regularised_symbolic(spec, sp, p)[0]), sympy_arithmetic(sp))
    numeric = replay(spec, lambda p: _numeric(spec, p), FLOATS)
    rows = []
    for t in range(spec.steps):
        for name, key in spec.param_names():
            array, _, rest = key.partition("[")
            idx = tuple(int(i) for i in rest.rstrip("]").split("][")) if rest else ()
            a = float(np.asarray(tape[t][array], dtype=float)[idx])
            s, n = float(symbolic[t][array][idx]), float(numeric[t][array][idx])
            ok = math.isclose(a, s, rel_tol=UPDATE_RTOL, abs_tol=UPDATE_ATOL) and \
                math.isclose(n, s, rel_tol=NUMERIC_UPDATE_RTOL, abs_tol=NUMERIC_UPDATE_ATOL)
            rows.append(UpdateRow(name, key, a, s, n, ok, step=t + 1))
    return tuple(rows)
