"""Where a run first stops being finite: a diverging net is an error that names the place, never a page of nan.

The run is checked in the order it computed: each layer's nodes and output of the forward pass, the loss,
each parameter's gradient, then the parameters after the step. The first non-finite value is named with its
step, layer and key, with the likely cause.

>>> import numpy as np
>>> check_parameters({"W1": np.array([[1.0, np.inf]])}, step=3)
Traceback (most recent call last):
...
backcalc.errors.NonFiniteError: step 3: the run is not finite: W1[0][1] is inf after the update (the SGD step diverged: lower the learning rate)
"""

from __future__ import annotations

import numpy as np

from ..errors import NonFiniteError

_LARGE = "the weights or inputs are too large for this depth"
_DIVERGED = "the SGD step diverged: lower the learning rate"


def _first_bad(array) -> tuple | None:
    a = np.asarray(array, dtype=float)
    bad = np.argwhere(~np.isfinite(a))
    return tuple(int(i) for i in bad[0]) if len(bad) else None


def _fail(what: str, array, index: tuple, when: str, cause: str, step: int):
    value = float(np.asarray(array, dtype=float)[index]) if index else float(np.asarray(array, dtype=float))
    cell = "".join(f"[{i}]" for i in index)
    raise NonFiniteError(f"step {step}: the run is not finite: {what}{cell} is {value} {when} ({cause})")


def check_pass(p, step: int) -> None:
    """The forward values, the loss and the gradients of pass ``p`` (the ``step``-th), in the order computed."""
    when = "in the forward pass"
    cause = _LARGE if step == 1 else _DIVERGED
    for n, lp in enumerate(p.layers, start=1):
        for label, node in list(lp.nodes.items()) + [("a", lp.output)]:
            data = getattr(node, "data", node)
            index = _first_bad(data)
            if index is not None:
                name = getattr(lp.layer, "name", "")
                _fail(f"layer {n} ({name}) {label}{n}" if len(label) == 1 else f"layer {n} ({name}) {label}",
                      data, index, when, cause, step)
    index = _first_bad(p.per_sample.data)
    if index is not None:
        value = float(np.asarray(p.per_sample.data).reshape(-1)[index[0]])
        raise NonFiniteError(f"step {step}: the run is not finite: the loss of sample {index[0] + 1} is {value} "
                             f"{when} ({cause})")
    for lp in p.layers:
        for key, leaf in lp.params.items():
            if leaf.grad is not None and _first_bad(leaf.grad) is not None:
                _fail(f"∂L/∂{key}", leaf.grad, _first_bad(leaf.grad), "in the backward pass", cause, step)


def check_parameters(params: dict, step: int) -> None:
    """The parameters after SGD step ``step``."""
    for key, value in params.items():
        index = _first_bad(value)
        if index is not None:
            _fail(key, value, index, "after the update", _DIVERGED, step)
