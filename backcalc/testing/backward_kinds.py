"""The calling conventions :func:`~backcalc.testing.backward_check.check_backward` knows, one class each.

A convention runs the student's forward and backward functions, the tape and central differences on the
same inputs and compares them element by element: :class:`Elementwise` (an activation), :class:`Affine`
(``affine_forward``/``affine_backward``), :class:`Loss`. A new convention is one subclass of
:class:`Convention` and one entry in :data:`CONVENTIONS`.

>>> sorted(CONVENTIONS)
['affine', 'elementwise', 'loss']
"""

from __future__ import annotations

import numpy as np

from ..errors import Mismatch, did_you_mean
from ..tape import Tensor
from ..check.numeric import central_difference
from ..tape.losses import KINDS as LOSSES, loss
from ..tape.rules import RULES

ELEMENTWISE_OPS = ("linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softplus", "softmax",
                   "log_softmax", "exp", "log", "sqrt", "abs", "sin", "cos", "tan")
CACHES = ("output", "input", "returned")


def _array_text(a) -> str:
    return np.array2string(np.asarray(a), precision=8, separator=", ", max_line_width=200).replace("\n", "")


def _shape(a) -> str:
    return str(tuple(np.shape(a)))


def _where(idx) -> str:
    return f"element {list(idx)}" if idx else "the value"


class Convention:
    """One calling convention: how to run the student's functions and the tape on the same inputs."""

    input_names: tuple = ()
    grads: tuple = ()
    wrt: dict = {}
    upstream = True     # False for a loss: its upstream gradient is 1

    def __init__(self, forward_fn, backward_fn, op, cache, grads, params, eps):
        self.forward_fn, self.backward_fn, self.op, self.cache = forward_fn, backward_fn, op, cache
        self.params, self.eps = params, eps
        self.name = getattr(backward_fn if backward_fn is not None else forward_fn, "__name__", "backward_fn")
        self.forward_name = getattr(forward_fn, "__name__", "forward_fn")

    def call(self, fn, label, arrays, *args, dout=None):
        __tracebackhide__ = True
        try:
            return fn(*args)
        except Exception as exc:
            raise Mismatch(f"{getattr(fn, '__name__', fn)} raised {type(exc).__name__}: {exc}\n"
                           f"  on {label}: {self.describe(arrays, dout)}") from exc

    def describe(self, arrays, dout=None) -> str:
        shown = dict(arrays, **({"dout": dout} if dout is not None and self.upstream else {}))
        if sum(np.size(a) for a in shown.values()) <= 24:
            return "; ".join(f"{k} = {_array_text(a)}" for k, a in shown.items())
        return ", ".join(f"{k} {_shape(a)}" for k, a in shown.items())

    def given(self, inputs) -> dict:
        values = inputs if len(self.input_names) > 1 else (inputs,)
        if len(values) != len(self.input_names):
            raise ValueError(f"check_backward: inputs for this kind are ({', '.join(self.input_names)}), "
                             f"got {len(values)} values")
        return {k: np.array(v, dtype=float) for k, v in zip(self.input_names, values)}

    def check(self, label, arrays, rng, rtol, atol):
        __tracebackhide__ = True
        ref_out, leaves = self.tape(arrays)
        dout = rng.standard_normal(ref_out.shape) if self.upstream else np.ones(ref_out.shape)
        out, given = self.student(label, arrays, dout)
        inputs = self.describe(arrays, dout)

        def header(who):
            return f"{who} is wrong on {label}\n  {inputs}"

        if self.op is not None:
            bad = None if np.shape(out) == ref_out.shape else f"output has shape {_shape(out)}, expected {ref_out.shape}"
            if bad is None and not np.allclose(out, ref_out.data, rtol=rtol, atol=atol):
                idx = tuple(int(i) for i in np.argwhere(~np.isclose(out, ref_out.data, rtol=rtol, atol=atol))[0])
                bad = (f"the output differs from the tape's {self.reference_text} at {_where(idx)}: "
                       f"expected {ref_out.data[idx]:.10g}, given {np.asarray(out)[idx]:.10g}")
            if bad:
                raise Mismatch(header(self.forward_name) + f"\n  {bad}", self.forward_name)
            ref_out.backward(gradient=dout)
        problems = []
        for g in self.grads:
            value = given[g]
            ref = leaves[g].grad if self.op is not None else None
            shape = arrays[self.wrt[g]].shape
            if value.shape not in self.accepted_shapes(g, arrays):
                problems.append(self.shape_problem(g, value.shape, arrays, dout))
                continue
            value = value.reshape(shape)
            numeric = self.numeric(label, arrays, dout, self.wrt[g])
            problems += self.compare(g, value, ref, numeric, arrays, dout, rtol, atol)
        if problems:
            raise Mismatch(header(self.name) + "".join("\n  " + p for p in problems), self.name)

    def numeric(self, label, arrays, dout, name):
        def f(v):
            out = self.forward_only(label, dict(arrays, **{name: v}))
            return float(np.sum(np.asarray(out, dtype=float) * dout))

        return central_difference(f, arrays[name], self.eps)

    def compare(self, g, value, ref, numeric, arrays, dout, rtol, atol) -> list:
        nrtol, natol = max(rtol, 1e-4), max(atol, 1e-6)
        near_numeric = np.isclose(value, numeric, rtol=nrtol, atol=natol)
        if ref is None:
            bad, expected = ~near_numeric, numeric
        else:   # central differences judge only where they agree with the tape (not at kinks)
            trusted = np.isclose(numeric, ref, rtol=nrtol, atol=natol)
            bad, expected = ~np.isclose(value, ref, rtol=rtol, atol=atol) | (trusted & ~near_numeric), ref
        if not bad.any():
            return []
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        source = (f"central differences of {self.forward_name}" if ref is None
                  else f"the tape; central differences: {numeric[idx]:.10g}")
        lines = [f"{g} differs at {_where(idx)}:",
                 f"  expected {expected[idx]:.10g}  ({source})",
                 f"  given    {value[idx]:.10g}",
                 f"  {int(bad.sum())} of {bad.size} elements differ (rtol={rtol:g}, atol={atol:g})"]
        hint = self.hint(g, value, expected, arrays, dout) or _ratio_hint(value, expected, atol)
        if ref is not None and not trusted[idx]:
            note = self.kink_note()
            hint = (hint + "; " if hint else "") + f"at a kink central differences cannot decide: {note}"
        return ["\n  ".join(lines + ([f"hint: {hint}"] if hint else []))]

    def accepted_shapes(self, g, arrays):
        return (arrays[self.wrt[g]].shape,)

    def shape_problem(self, g, shape, arrays, dout):
        x = self.wrt[g]
        return f"{g} has shape {shape}, expected {arrays[x].shape} (the shape of {x})"

    def hint(self, g, value, expected, arrays, dout):
        return None

    def kink_note(self) -> str:
        rule = RULES.get(self.op)
        return f"the tape's convention applies ({rule.note})" if rule is not None and rule.note else \
            "the tape's convention applies"


def _ratio_hint(value, expected, atol):
    mask = np.abs(expected) > max(atol, 1e-12) * 10
    if not mask.any():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = value[mask] / expected[mask]
    c = float(ratio.reshape(-1)[0])
    if not np.all(np.isfinite(ratio)) or not np.allclose(ratio, c, rtol=1e-6) or abs(c - 1) < 1e-6:
        return None
    if abs(c + 1) < 1e-6:
        return "the sign is flipped: given = −expected everywhere"
    return f"given = {c:.6g} × expected everywhere: a constant factor is wrong or missing"


def _close(a, b) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-12))


class Elementwise(Convention):
    input_names, grads, wrt = ("x",), ("dx",), {"dx": "x"}

    def __init__(self, forward_fn, backward_fn, op, cache, grads, params, eps):
        super().__init__(forward_fn, backward_fn, op, cache, grads, params, eps)
        if op is not None and op not in ELEMENTWISE_OPS:
            raise ValueError(f"check_backward: op={op!r} is not an elementwise activation"
                             f"{did_you_mean(op, ELEMENTWISE_OPS)}; expected one of {', '.join(ELEMENTWISE_OPS)}")
        if cache not in CACHES:
            raise ValueError(f"check_backward(kind='elementwise') needs cache=: 'output' when backward_fn(dout, out) "
                             f"gets the forward output (sigmoid_backward(dout, ds)), 'input' when it gets x "
                             f"(relu_backward(dout, x)), 'returned' when forward_fn returns (out, cache); got {cache!r}")
        self.reference_text = op or ""

    def random(self, rng, t, like):
        shape = like["x"].shape if like is not None and t == 0 else ((4, 3), (2, 5), (3, 4))[t % 3]
        x = rng.standard_normal(shape) * 2
        return {"x": np.abs(x) + 0.1 if self.op in ("log", "sqrt") else x}

    def tape(self, arrays):
        x = Tensor(arrays["x"])
        return x.activation(self.op, **self.params) if self.op else _NoTape(arrays["x"]), {"dx": x}

    def forward_only(self, label, arrays):
        res = self.call(self.forward_fn, label, arrays, arrays["x"].copy())
        return res[0] if self.cache == "returned" else res

    def student(self, label, arrays, dout):
        x = arrays["x"]
        res = self.call(self.forward_fn, label, arrays, x.copy())
        if self.cache == "returned":
            if not (isinstance(res, tuple) and len(res) == 2):
                raise Mismatch(f"{self.forward_name} should return (out, cache) with cache='returned'; "
                               f"got {type(res).__name__}")
            out, c = res
        else:
            out = res
            c = np.array(out, dtype=float) if self.cache == "output" else x.copy()
        dx = self.call(self.backward_fn, label, arrays, dout.copy(), c, dout=dout)
        return np.asarray(out, dtype=float), {"dx": np.asarray(dx, dtype=float)}

    def hint(self, g, value, expected, arrays, dout):
        if self.op is None or self.op in ("softmax", "log_softmax"):
            return None

        formula = RULES[self.op].formula(0, a="x", out="out", alpha=self.params.get("alpha", RULES[self.op].default("alpha")))
        if _close(value, dout):
            return f"dx equals dout: the local derivative ∂out/∂x = {formula} was never multiplied in"
        x = Tensor(arrays["x"])
        x.activation(self.op, **self.params).backward(gradient=np.ones_like(dout))
        if _close(value, x.grad):
            return "dx equals ∂out/∂x alone: multiply it by dout, the upstream gradient"
        if self.cache == "output":
            out = Tensor(arrays["x"]).activation(self.op, **self.params).data
            y = Tensor(out)
            y.activation(self.op, **self.params).backward(gradient=dout)
            if _close(value, y.grad):
                return (f"dx is ∂out/∂x evaluated at the forward output as if it were x: the second argument of "
                        f"{self.name} already is the forward output, so use it directly (do not apply {self.op} again)")
        return None


class _NoTape:
    """Stands in for the tape's output when no op is named: only the shape is known."""

    def __init__(self, x):
        self.shape = np.shape(x)


class Affine(Convention):
    input_names = ("x", "W", "b")
    wrt = {"dW": "W", "db": "b", "dx": "x"}
    reference_text = "x @ W + b"

    def __init__(self, forward_fn, backward_fn, op, cache, grads, params, eps):
        super().__init__(forward_fn, backward_fn, op, cache, grads, params, eps)
        if sorted(grads) != ["dW", "db", "dx"]:
            raise ValueError(f"check_backward(kind='affine'): grads={grads!r} must order 'dW', 'db' and 'dx'")
        self.grads, self.op = tuple(grads), "affine"

    def random(self, rng, t, like):
        n, d, m = ((4, 5, 3), (3, 2, 2), (2, 3, 4))[t % 3]
        b_shape = (1, m) if like is not None and like["b"].ndim == 2 else (m,)
        return {"x": rng.standard_normal((n, d)), "W": rng.standard_normal((d, m)), "b": rng.standard_normal(b_shape)}

    def tape(self, arrays):
        x, W, b = (Tensor(arrays[k]) for k in ("x", "W", "b"))
        return x @ W + b, {"dx": x, "dW": W, "db": b}

    def forward_only(self, label, arrays):
        res = self.call(self.forward_fn, label, arrays, *(arrays[k].copy() for k in ("x", "W", "b")))
        return res[0] if isinstance(res, tuple) else res

    def student(self, label, arrays, dout):
        x, W, b = (arrays[k].copy() for k in ("x", "W", "b"))
        res = self.call(self.forward_fn, label, arrays, x, W, b)
        out, c = res if isinstance(res, tuple) and len(res) == 2 else (res, (x, W, b))
        got = self.call(self.backward_fn, label, arrays, dout.copy(), c, dout=dout)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise Mismatch(f"{self.name} should return 3 gradients ({', '.join(self.grads)}), got "
                           f"{len(got) if isinstance(got, (tuple, list)) else type(got).__name__}")
        return np.asarray(out, dtype=float), {g: np.asarray(v, dtype=float) for g, v in zip(self.grads, got)}

    def accepted_shapes(self, g, arrays):
        if g == "db":
            m = arrays["W"].shape[1]
            return {arrays["b"].shape, (m,), (1, m)}
        return (arrays[self.wrt[g]].shape,)

    def shape_problem(self, g, shape, arrays, dout):
        x, W = arrays["x"], arrays["W"]
        if g == "db":
            n, m = dout.shape
            text = f"db has shape {shape}, expected (1, {m}) or ({m},)"
            if shape == dout.shape:
                return text + ": the bias gradient must be summed over the batch"
            if shape in ((n,), (n, 1)):
                return text + ": sum dout over the batch (axis=0), not over the units"
            return text + ": db = Σ over the batch of dout"
        rule, full = ("dW = xᵀ·dout", W.shape) if g == "dW" else ("dx = dout·Wᵀ", x.shape)
        text = f"{g} has shape {shape}, expected {full} (the shape of {self.wrt[g]})"
        return text + (f": it is transposed — {rule}" if shape == full[::-1] else f": {rule}")

    def hint(self, g, value, expected, arrays, dout):
        if g == "dW" and _close(value.T, expected):
            return "dW is the transpose of the expected gradient: dW = xᵀ·dout (the shape of W), not doutᵀ·x"
        if g == "dx" and _close(value.T, expected):
            return "dx is the transpose of the expected gradient: dx = dout·Wᵀ (the shape of x)"
        if g == "db" and _close(value.reshape(-1), dout.mean(axis=0)):
            return "db is the mean of dout over the batch; the bias gradient is the sum (np.sum(dout, axis=0))"
        if g == "db" and dout.shape[0] == dout.shape[1] and _close(value.reshape(-1), dout.sum(axis=1)):
            return "db sums dout over the units (axis=1); the bias gradient sums over the batch (axis=0)"
        return None


class Loss(Convention):
    input_names, grads, wrt, upstream = ("pred", "target"), ("dpred",), {"dpred": "pred"}, False

    def __init__(self, forward_fn, backward_fn, op, cache, grads, params, eps):
        super().__init__(forward_fn, backward_fn, op, cache, grads, params, eps)

        if op not in LOSSES:
            raise ValueError(f"check_backward(kind='loss') needs op= one of {', '.join(LOSSES)}"
                             f"{did_you_mean(op, LOSSES) if isinstance(op, str) else ''}; got {op!r}")
        self.reference_text = f"{op} loss"

    def given(self, inputs):
        pred, target = inputs
        return {"pred": np.array(pred, dtype=float), "target": np.array(target)}

    def random(self, rng, t, like):
        shape = like["pred"].shape if like is not None and t == 0 else ((4, 3), (2, 2), (5, 1))[t % 3]
        if self.op == "cross_entropy":
            classes = shape[1] if len(shape) > 1 else shape[0]
            return {"pred": rng.standard_normal(shape), "target": rng.integers(0, classes, size=shape[0])}
        target = rng.integers(0, 2, size=shape).astype(float) if self.op.startswith("bce") else rng.standard_normal(shape)
        pred = rng.uniform(0.05, 0.95, size=shape) if self.op == "bce" else rng.standard_normal(shape)
        return {"pred": pred, "target": target}

    def tape(self, arrays):
        pred = Tensor(arrays["pred"])
        return loss(self.op, pred, arrays["target"]), {"dpred": pred}

    def forward_only(self, label, arrays):
        res = self.call(self.forward_fn, label, arrays, arrays["pred"].copy(), arrays["target"].copy())
        return res[0] if self.backward_fn is None else res

    def student(self, label, arrays, dout):
        pred, target = arrays["pred"].copy(), arrays["target"].copy()
        res = self.call(self.forward_fn, label, arrays, pred, target)
        if self.backward_fn is None:
            if not (isinstance(res, tuple) and len(res) == 2):
                raise Mismatch(f"{self.forward_name} should return (loss, dpred) when backward_fn is None")
            value, dpred = res
        else:
            value = res
            dpred = self.call(self.backward_fn, label, arrays, arrays["pred"].copy(), target)
        value = np.asarray(value, dtype=float)
        return value.reshape(()) if value.size == 1 else value, {"dpred": np.asarray(dpred, dtype=float)}

    def hint(self, g, value, expected, arrays, dout):
        n, size = arrays["pred"].shape[0], arrays["pred"].size
        if _close(value, -expected):
            return "the sign is flipped: this is −∂L/∂pred" + (
                " (target − pred, like error = y − a, is the negative of the gradient of ½(a − y)²)"
                if self.op == "half_sse" else "")
        for k, what in ((n, f"the {n} samples"), (size, f"all {size} elements")):
            if k > 1 and _close(value, k * expected):
                return f"given = {k} × expected: the loss is a mean over {what}, so its gradient carries 1/{k}"
            if k > 1 and _close(value * k, expected):
                return f"given = expected / {k}: the loss is not averaged over {what}, so its gradient has no 1/{k}"
        return None


#: kind → calling convention
CONVENTIONS = {"elementwise": Elementwise, "affine": Affine, "loss": Loss}
