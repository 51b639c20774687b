"""gradcheck: the tape's gradients against central differences of its own forward, element by element."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ArgumentError, GradcheckError
from . import Tensor, Value


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
    _check_tolerances(eps, atol, rtol)
    if not inputs:
        raise ArgumentError("gradcheck: no inputs to check")
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

    evaluate(inputs).backward()
    for i, x in enumerate(inputs):
        analytic = np.array(x.grad, dtype=float)
        numeric = _central_differences(lambda data: _scalar_of(evaluate(_with_input(inputs, i, data))), x.data, eps)
        bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
        if bad.any():
            idx = tuple(int(k) for k in np.argwhere(bad)[0])
            name = f"input {i}" + (f" ({x.label!r})" if x.label else "")
            where = f" element {list(idx)}" if idx else ""
            raise GradcheckError(
                f"gradcheck: {name}{where}: tape gives {analytic[idx]:.10g}, central differences give "
                f"{numeric[idx]:.10g} (eps={eps:g}, atol={atol:g}, rtol={rtol:g}); "
                f"{int(bad.sum())} of {bad.size} elements differ")
    return True


def _check_tolerances(eps, atol, rtol) -> None:
    """ArgumentError unless eps > 0 and atol, rtol ≥ 0, each a finite number."""
    for name, v, low in (("eps", eps, "> 0"), ("atol", atol, "≥ 0"), ("rtol", rtol, "≥ 0")):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and (v > 0 if low == "> 0" else v >= 0)
        if not ok:
            raise ArgumentError(f"gradcheck: {name}={v!r}; expected a finite number {low}")


def _with_input(inputs, i, data) -> list:
    """Fresh leaves for every input, input ``i`` holding ``data`` (the others their own values)."""
    args = []
    for j, x in enumerate(inputs):
        if isinstance(x, Value):
            args.append(Value(float(data) if j == i else x.data, x.label))
        else:
            args.append(Tensor(data if j == i else x.data, x.label, x.requires_grad))
    return args


def _central_differences(fn, data, eps: float) -> np.ndarray:
    """(fn(x + eps·e) − fn(x − eps·e)) / 2eps for each element e of ``data``, nudging one working copy in place."""
    work = np.array(data, dtype=float)
    flat, numeric = work.reshape(-1), np.zeros(work.shape)
    for k, saved in enumerate(flat.tolist()):
        flat[k] = saved + eps
        up = fn(work)
        flat[k] = saved - eps
        numeric.flat[k] = (up - fn(work)) / (2 * eps)
        flat[k] = saved
    return numeric
