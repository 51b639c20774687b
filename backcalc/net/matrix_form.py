"""The matrix form of the backward pass, next to the unit form — the bridge to numpy code:

    δn = ∂L/∂an ⊙ f′(zn),   dWn = a(n−1)ᵀ·δn,   dbn = Σ_s δn (over the samples),   ∂L/∂a(n−1) = δn·Wnᵀ

with the actual matrices of a small dense net, each read from the derivation's records (the tape's values:
∂L/∂out, f′ and δ of every unit and sample, the forward values and the gradients). Nothing is multiplied
here; tests/test_working.py multiplies the matrices with numpy and finds the records' products.

A net's extras keep their own terms in the same form: dropout's mask in δn = ∂L/∂dropn ⊙ (Mn/(1 − p)) ⊙ f′(zn)
(the next layer reads dropn), a skip's sum in ∂L/∂a(m) = δ(m+1)·W(m+1)ᵀ + ∂L/∂an (the gradient of every layer n
that adds am), and an l1/l2 penalty's term in dWn = a(n−1)ᵀ·δn + 2·λ₂·Wn + λ₁·sign(Wn) (each element the tape's
recorded term). A convolution's compact form is :mod:`backcalc.net.im2col`'s.

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
    grad_drop: list | None = None   # samples × units: ∂L/∂drop (dropout on the layer's output), else None
    drop_scale: list | None = None  # samples × units: mask/(1 − p)
    p: float | None = None
    prev_dropped: bool = False      # the layer reads drop(n−1), not a(n−1)
    skips: tuple = ()               # (n of a layer adding a(n−1), its ∂L/∂a_n: samples × units), the skip's sum
    dW_data: list | None = None     # a_prevᵀ·δ alone, with a penalty (dW = dW_data + W_term)
    W_term: list | None = None      # fan_in × units: the penalty's own term of every weight
    b_term: list | None = None      # units: the penalty's term of every bias (regularize_bias), else None
    penalty: tuple = ()             # (l2, l1) of the penalty, () without one


def matrix_form(d) -> tuple:
    """The matrices of every layer of ``d``, output layer first; ``()`` when the net is not all dense layers
    (a convolution's compact form is :func:`backcalc.net.im2col.conv_matrices`'), or is too large to list."""
    spec = d.spec
    if not d.shows_detail() or not _plain(d):
        return ()
    dense = [x for x in spec.layers if getattr(x, "affine", False) and not getattr(x, "out_steps", 0)]
    samples = spec.samples
    grad = {(u.unit, u.sample, u.name.endswith("_drop")): u.value for u in d.upstream}
    new = updated(d) if d.plain_sgd else {}
    delta = {(x.unit, x.sample): x for x in d.deltas}
    terms = _penalty_terms(d)
    rows = range(1, samples + 1)
    out = []
    for layer in reversed(dense):
        n = layer.index
        units = layer.unit_names
        before = spec.layers[n - 2] if n > 1 else None
        drop, dropped = layer.dropout, before is not None and getattr(before, "dropout", None) is not None
        m = LayerMatrices(
            layer=n, name=layer.name, activation=layer.activation,
            a_prev=spec.x.tolist() if n == 1 else d.forward[f"{'drop' if dropped else 'a'}{n - 1}"],
            grad_a=[[grad[(u, s, False)] for u in units] for s in rows],
            local=None if any(delta[(u, 1)].local is None for u in units)
            else [[delta[(u, s)].local for u in units] for s in rows],
            delta=[[delta[(u, s)].value for u in units] for s in rows],
            W=layer.weights.tolist(), dW=d.gradients[f"W{n}"], db=d.gradients.get(f"b{n}"),
            grad_a_prev=None if before is None else [[grad[(u, s, dropped)] for u in before.unit_names] for s in rows],
            W_new=new.get(f"W{n}"), b_new=new.get(f"b{n}"), learning_rate=spec.learning_rate if new else None,
            grad_drop=None if drop is None else [[grad[(u, s, True)] for u in units] for s in rows],
            drop_scale=None if drop is None else drop.scale.tolist(), p=None if drop is None else drop.p,
            prev_dropped=dropped,
            skips=tuple((x.index, [[grad[(u, s, False)] for u in x.unit_names] for s in rows])
                        for x in spec.layers if getattr(x, "skip", None) is not None and x.skip == n - 1 and n > 1))
        out.append(_with_penalty(m, terms, d) if terms else m)
    return tuple(out)


def _penalty_terms(d) -> dict:
    """{canonical element key: RegTerm} of every regularised element (empty without l1/l2)."""
    t = d.training
    return {} if t is None or not t.reg_terms else {r.key: r for r in t.reg_terms}


def _with_penalty(m: LayerMatrices, terms: dict, d) -> LayerMatrices:
    """The layer's matrices with the penalty's term split off dW (and db with regularize_bias)."""
    from dataclasses import replace

    from .names import element_key

    n = m.layer
    keys = [[element_key("W", n, i, j) for j in range(len(row))] for i, row in enumerate(m.W)]
    W_term = [[terms[k].value if k in terms else 0.0 for k in row] for row in keys]
    data = [[terms[k].data if k in terms else g for k, g in zip(row, grads)] for row, grads in zip(keys, m.dW)]
    b_term = None
    if m.db is not None and any(element_key("b", n, j) in terms for j in range(len(m.db))):
        b_term = [terms[k].value if k in terms else 0.0 for k in (element_key("b", n, j) for j in range(len(m.db)))]
    reg = d.training.penalty.regularization
    return replace(m, dW_data=data, W_term=W_term, b_term=b_term, penalty=(reg.l2, reg.l1))


def updated(d) -> dict:
    """The parameters after the first step, shaped like the spec's, from the update records."""
    from .names import parse_key

    shapes = {key: np.shape(value) for key, value in d.gradients.items()}
    out = {key: np.zeros(shape) for key, shape in shapes.items()}
    for u in d.updates:
        k = parse_key(u.key)
        out[f"{k.kind}{k.layer}"][k.index] = u.new
    return {key: value.tolist() for key, value in out.items()}


def _plain(d) -> bool:
    """All dense layers on samples × features data (skips, dropout and penalties have their terms above), or
    dense layers after a recurrent layer that hands them H_T (its own form is :mod:`backcalc.net.rnn_matrices`'),
    with normalisation layers among them (theirs is :mod:`backcalc.net.norm_matrices`')."""
    spec = d.spec
    first, rest = spec.layers[0], spec.layers[1:]
    shown = lambda x: getattr(x, "affine", False) or getattr(x, "normalises", False)  # noqa: E731 (a norm: its own)
    if getattr(first, "recurrent", False) and not first.sequence:
        return all(shown(x) for x in rest)
    return spec.x.ndim == 2 and all(shown(x) for x in spec.layers)
