"""check_backward: a student's hand-written backward function against the tape and central differences.

For elementwise activations (``sigmoid_backward(dout, ds)`` style, the cache being the forward output or
input), affine layers (``affine_forward(x, W, b) -> (out, cache)``, ``affine_backward(dout, cache) ->
(dW, db, dx)``) and losses. The first element that differs is named with both values, and common
mistakes get a hint (a derivative not multiplied in, a transposed dW, db not summed over the batch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ArgumentError, Mismatch  # noqa: F401 (raised by the conventions; documented here)
from .backward_kinds import CACHES, CONVENTIONS, ELEMENTWISE_OPS  # noqa: F401 (public here too)

__all__ = ["check_backward", "BackwardReport"]

KINDS = tuple(CONVENTIONS)


@dataclass(frozen=True)
class BackwardReport:
    """What :func:`check_backward` compared, returned when everything agreed."""

    name: str
    kind: str
    op: str | None
    cases: tuple         # the inputs tried: "the given inputs", "random inputs #1 (seed 0)", ...
    outputs: tuple       # the gradients compared: ("dW", "db", "dx")
    references: tuple    # ("the tape", "central differences")

    def __str__(self):
        verb = "agrees" if len(self.outputs) == 1 else "agree"
        return (f"{self.name}: {', '.join(self.outputs)} {verb} with {' and '.join(self.references)} "
                f"on {len(self.cases)} cases ({'; '.join(self.cases)})")


def check_backward(forward_fn, backward_fn, inputs=None, *, kind="elementwise", op=None, cache=None,
                   grads=("dW", "db", "dx"), params=None, trials=3, seed=0, rtol=1e-6, atol=1e-9,
                   eps=1e-6) -> BackwardReport:
    """Check a hand-written backward function against the tape and against central differences.

    The inputs tried are ``inputs`` (when given) and ``trials`` random ones (``seed``); the upstream
    gradient ``dout`` is random. Calling conventions, by ``kind``:

    - ``"elementwise"`` (an activation; ``op`` names it: ``sigmoid``, ``relu``, ``tanh``, ... — ``op=None``
      checks against central differences only): ``forward_fn(x) -> out`` and ``backward_fn(dout, c) -> dx``
      where ``c`` is the forward output with ``cache="output"`` (``sigmoid_backward(dout, ds)``), the input
      with ``cache="input"`` (``relu_backward(dout, x)``), or the cache ``forward_fn`` returned as
      ``(out, cache)`` with ``cache="returned"``.
    - ``"affine"``: ``forward_fn(x, W, b) -> (out, cache)`` (or just ``out``, then the cache is ``(x, W, b)``)
      and ``backward_fn(dout, cache)`` returning the gradients in the order ``grads`` (seed 000's
      ``("dW", "db", "dx")`` by default). ``db`` may be ``(units,)`` or ``(1, units)``.
    - ``"loss"`` (``op`` one of :data:`backcalc.tape.losses.KINDS`): ``forward_fn(pred, target) -> loss`` and
      ``backward_fn(pred, target) -> dpred``; or ``backward_fn=None`` and ``forward_fn`` returns ``(loss, dpred)``.

    Central differences differentiate the student's own forward; the tape decides where they cannot (at a
    kink such as relu at 0). The forward output is checked first. Returns a :class:`BackwardReport`, or
    raises :class:`Mismatch` naming the case, the gradient (``dW``/``db``/``dx``), the first element that
    differs with both values, and a hint when the mistake is a common one.

    >>> import numpy as np
    >>> sig = lambda x: 1 / (1 + np.exp(-x))
    >>> print(check_backward(sig, lambda dout, s: dout * s * (1 - s), [[0.5, -1.0]], op="sigmoid", cache="output"))
    ... # doctest: +ELLIPSIS
    <lambda>: dx agrees with the tape and central differences on 4 cases (the given inputs; random inputs #1; ...)
    >>> check_backward(sig, lambda dout, s: dout, [[0.5, -1.0]], op="sigmoid", cache="output")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backcalc.errors.Mismatch: <lambda> is wrong on the given inputs
    ...
      hint: dx equals dout: the local derivative ∂out/∂x = σ(x)·(1−σ(x)) was never multiplied in
    """
    __tracebackhide__ = True
    if kind not in KINDS:
        raise ValueError(f"check_backward: kind={kind!r}; expected one of {', '.join(KINDS)}")
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 0:
        raise ArgumentError(f"check_backward: trials={trials!r}; expected a whole number ≥ 0")
    if trials == 0 and inputs is None:
        raise ArgumentError("check_backward: nothing to check: give inputs, or trials ≥ 1 random ones")
    for name, v in (("eps", eps), ("rtol", rtol), ("atol", atol)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0 or (name == "eps" and v == 0):
            raise ArgumentError(f"check_backward: {name}={v!r}; expected a finite number {'> 0' if name == 'eps' else '≥ 0'}")
    checker = CONVENTIONS[kind](forward_fn, backward_fn, op, cache, grads, dict(params or {}), eps)
    rng = np.random.default_rng(seed)
    cases = ([("the given inputs", checker.given(inputs))] if inputs is not None else [])
    like = cases[0][1] if cases else None
    cases += [(f"random inputs #{t + 1}", checker.random(rng, t, like)) for t in range(trials)]
    for label, arrays in cases:
        checker.check(label, arrays, rng, rtol, atol)
    refs = ("the tape", "central differences") if checker.op is not None else ("central differences",)
    return BackwardReport(checker.name, kind, checker.op, tuple(c[0] for c in cases), checker.grads, refs)
