"""∂L/∂parameter of a spec's net from sympy's derivatives: each layer kind built by the checker itself.

Each kind's :class:`Symbolic` builder (:mod:`backcalc.check.layers`) differentiates its layer-local expressions
with ``sympy.diff``; this module runs them forward (evaluating sympy's expressions with 30-digit floats at the
forward values, each float taken exactly), differentiates one sample's loss in its outputs, and runs them
backward by the chain rule, sample by sample. One diff per distinct expression keeps seed 004 at a few
milliseconds of sympy, where differentiating the whole net's loss once per parameter takes seconds
(benchmarks/bench_verify.py).

>>> from backcalc.net.spec import default_spec
>>> grads, loss = symbolic_gradients(default_spec())
>>> round(grads["W3[0][0]"], 6), round(loss, 6)
(-0.504568, 0.127926)
"""

from __future__ import annotations

import numpy as np

from ..errors import ExpressionError
from .layers import builder
from .loss import sample_loss_expression
from .sympy_tools import evaluate_at, load_sympy


class Memo:
    """evaluate_at with a cache: the same expression at the same point is evaluated once."""

    def __init__(self, sp):
        self.sp = sp
        self.cache = {}

    def __call__(self, expr, subs: dict) -> float:
        key = (expr, tuple(subs.items()))
        value = self.cache.get(key)
        if value is None:
            value = evaluate_at(expr, subs, self.sp)
            if value is None:
                raise ExpressionError(f"sympy's {expr} is undefined at {', '.join(f'{k} = {v:g}' for k, v in subs.items())}")
            self.cache[key] = value
        return value


def symbolic_gradients(spec, sp=None) -> tuple[dict, float]:
    """∂L/∂parameter for every element (canonical keys) and the loss, from sympy's derivatives."""
    sp = sp or load_sympy()
    memo = Memo(sp)
    layers = [builder(layer.kind).Symbolic(layer, sp) for layer in spec.layers]
    outputs = [np.asarray(spec.x, dtype=float)]  # outputs[m]: layer m's (0: the data)
    for sym in layers:
        outputs.append(sym.forward(outputs[-1], memo, tuple(outputs)))
    loss, g = _loss_and_gradient(spec, outputs[-1], sp, memo)
    grads, pending = {}, {len(layers): g}  # ∂L/∂(layer m's output), summed over the layers that read it
    for n in range(len(layers), 0, -1):
        found, back = layers[n - 1].backward(pending.pop(n), memo)
        grads.update(found)
        for m, gm in (back.items() if isinstance(back, dict) else ((n - 1, back),)):
            pending[m] = pending[m] + gm if m in pending else gm
    return grads, loss


def _loss_and_gradient(spec, out: np.ndarray, sp, memo) -> tuple:
    """The reduced loss and ∂L/∂output, from sympy's derivative of one sample's loss and of the reduction; with
    outputs at every step (samples × steps × outputs) a sample's loss is the sum of its steps'."""
    if out.ndim == 3:
        S, T, k = out.shape
        rows = _loss_rows(spec, out.reshape(S * T, k), spec.y.reshape(S * T, *spec.y.shape[2:]), sp, memo)
        per_sample, G = rows[0].reshape(S, T).sum(axis=1), rows[1].reshape(S, T, k)
    else:
        per_sample, G = _loss_rows(spec, out, spec.y, sp, memo)
        S = out.shape[0]
    syms = [sp.Symbol(f"l{s}", real=True) for s in range(S)]
    total = sum(syms) if spec.reduction == "sum" else sum(syms) / S
    weight = float(sp.diff(total, syms[0]))  # every sample enters the reduction alike
    loss = float(per_sample.sum()) if spec.reduction == "sum" else float(per_sample.mean())
    return loss, G * weight


def _loss_rows(spec, out: np.ndarray, y, sp, memo) -> tuple:
    """(each row's loss, ∂(its loss)/∂(its outputs)) from sympy's derivative of one row's loss expression."""
    S, k = out.shape
    a_syms = [sp.Symbol(f"y{j}", real=True) for j in range(k)]
    t_syms = [sp.Symbol(f"t{j}", real=True) for j in range(k)]
    last = spec.layers[-1].activation
    per_label = {}
    losses = np.empty(S)
    G = np.empty_like(out)
    for s in range(S):
        label = int(y[s]) if spec.loss == "cross_entropy" else None
        if label not in per_label:
            expr = sample_loss_expression(spec.loss, last, a_syms, t_syms, sp, label)
            per_label[label] = (expr, [sp.diff(expr, a) for a in a_syms])
        expr, grads = per_label[label]
        point = dict(zip(a_syms, out[s]))
        if label is None:
            point.update(zip(t_syms, (float(v) for v in y[s])))
        losses[s] = memo(expr, point)
        G[s] = [memo(g, point) for g in grads]
    return losses, G
