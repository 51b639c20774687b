"""The matrix form of the backward pass, next to the unit form — the bridge to numpy code:

    δn = ∂L/∂an ⊙ f′(zn),   dWn = a(n−1)ᵀ·δn,   dbn = Σ_s δn (over the samples),   ∂L/∂a(n−1) = δn·Wnᵀ

with the actual matrices of a small dense net, each read from the derivation's records (the tape's values:
∂L/∂out, f′ and δ of every unit and sample, the forward values and the gradients). Nothing is multiplied
here; tests/test_working.py multiplies the matrices with numpy and finds the records' products.

>>> from backcalc import explain
>>> m = matrix_form(explain())
>>> [x.layer for x in m], [[round(v, 5) for v in row] for row in m[0].dW]
([3, 2, 1], [[-0.50457], [-0.50243]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerMatrices:
    """One dense layer's matrices (lists of rows; rows are samples, columns units)."""

    layer: int
    name: str
    activation: str
    a_prev: list             # samples × fan_in: the layer's input (x for layer 1)
    grad_a: list             # samples × units: ∂L/∂a (∂L/∂out of each unit)
    local: list | None       # samples × units: f′(z); None for softmax (not elementwise)
    delta: list              # samples × units: δ = ∂L/∂z
    W: list                  # fan_in × units
    dW: list                 # fan_in × units
    db: list | None          # units (None without a bias)
    grad_a_prev: list | None  # samples × fan_in: ∂L/∂a of the layer before (None for layer 1)
    W_new: list | None = None  # fan_in × units after the first SGD step (None with another optimizer)
    b_new: list | None = None
    learning_rate: float | None = None


def matrix_form(d) -> tuple:
    """The matrices of every layer of ``d``, output layer first; ``()`` when the net is not all dense layers,
    has a skip, dropout or a penalty (their gradients have more terms than aᵀ·δ), or is too large to list."""
    spec = d.spec
    if not d.shows_detail() or not _plain(d):
        return ()
    samples = spec.samples
    grad = {(u.unit, u.sample): u.value for u in d.upstream}
    new = _updated(d) if d.training is None or d.training.plain_sgd else {}
    delta = {(x.unit, x.sample): x for x in d.deltas}
    out = []
    for layer in reversed(spec.layers):
        n = layer.index
        units = layer.unit_names
        rows = range(1, samples + 1)
        prev = spec.layers[n - 2].unit_names if n > 1 else None
        out.append(LayerMatrices(
            layer=n, name=layer.name, activation=layer.activation,
            a_prev=spec.x.tolist() if n == 1 else d.forward[f"a{n - 1}"],
            grad_a=[[grad[(u, s)] for u in units] for s in rows],
            local=None if any(delta[(u, 1)].local is None for u in units)
            else [[delta[(u, s)].local for u in units] for s in rows],
            delta=[[delta[(u, s)].value for u in units] for s in rows],
            W=layer.weights.tolist(), dW=d.gradients[f"W{n}"], db=d.gradients.get(f"b{n}"),
            grad_a_prev=None if prev is None else [[grad[(u, s)] for u in prev] for s in rows],
            W_new=new.get(f"W{n}"), b_new=new.get(f"b{n}"), learning_rate=spec.learning_rate if new else None))
    return tuple(out)


def _updated(d) -> dict:
    """The parameters after the first step, shaped like the spec's, from the update records."""
    from .names import parse_key

    shapes = {key: np.shape(value) for key, value in d.gradients.items()}
    out = {key: np.zeros(shape) for key, shape in shapes.items()}
    for u in d.updates:
        k = parse_key(u.key)
        out[f"{k.kind}{k.layer}"][k.index] = u.new
    return {key: value.tolist() for key, value in out.items()}


def _plain(d) -> bool:
    spec = d.spec
    if spec.x.ndim != 2 or any(not getattr(x, "affine", False) or getattr(x, "skip", None) is not None
                               or getattr(x, "dropout", None) for x in spec.layers):
        return False
    t = d.training
    return t is None or t.penalty is None
