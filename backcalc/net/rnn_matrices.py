"""The matrix form of a recurrent layer: backprop through time with the actual matrices (rows are samples),

    ∂L/∂H_t = G_t + δ_(t+1)·Whᵀ   (G_t = δ(n+1)_t·W(n+1)ᵀ, the path from the layer reading H_t; zero when it
                                   reads only H_T and t < T; no second term at t = T)
    δ_t = ∂L/∂H_t ⊙ f′(Z_t),   dWx = Σ_t X_tᵀ·δ_t,   dWh = Σ_t H_(t−1)ᵀ·δ_t,   db = Σ_t Σ_s δ_t,   ∂L/∂X_t = δ_t·Wxᵀ

each read from the derivation's records: ∂L/∂H_t the upstream records of the step's units, f′ and δ their δ
records, δ(n+1)_t those of the reading layer, X_t the data, H_t the forward values (H_0 the layer's h0), dWx, dWh
and db the tape's gradients. Nothing is multiplied here; tests/test_matrix_rnn.py multiplies the matrices with
numpy and finds the records' values (and PyTorch's).

>>> from backcalc import explain, load_spec
>>> r = rnn_matrices(explain(load_spec("worked_examples/rnn_last_step.toml")))[0]
>>> [s.t for s in r.steps], [round(v, 5) for v in r.db]
([3, 2, 1], [-0.79117, 1.19835])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RnnStep:
    """One step t of a recurrent layer's matrix form (samples × …)."""

    t: int
    x: list                # samples × features: X_t
    h_prev: list           # samples × units: H_(t−1) (H_0 = h0)
    head_delta: list | None  # samples × the reading layer's units: δ(n+1)_t; None when it does not read H_t
    grad_h: list           # samples × units: ∂L/∂H_t
    local: list            # samples × units: f′(Z_t)
    delta: list            # samples × units: δ_t = ∂L/∂Z_t
    grad_x: list | None    # samples × features: ∂L/∂X_t (None when the derivation lists no input gradient)


@dataclass(frozen=True)
class RnnMatrices:
    """One recurrent layer's matrix form; ``steps`` the last step first (the order of backprop through time)."""

    layer: int
    name: str
    activation: str
    sequence: bool         # the reading layer reads every H_t (return_sequences), else only H_T
    head: int              # the index of the layer reading H_t
    head_W: list           # units × the reading layer's units
    Wx: list               # features × units
    Wh: list               # units × units
    steps: tuple           # RnnStep, t = T … 1
    dWx: list
    dWh: list
    db: list
    new: dict | None = None          # {"Wx": …, "Wh": …, "b": …} after the first SGD step (None otherwise)
    learning_rate: float | None = None


def rnn_matrices(d) -> tuple:
    """The matrix form of every recurrent layer of ``d`` read by a plain dense layer; ``()`` when the derivation
    lists no units."""
    spec = d.spec
    if not d.shows_detail():
        return ()
    out = []
    for layer in spec.layers:
        head = spec.layers[layer.index] if layer.index < len(spec.layers) else None
        if getattr(layer, "recurrent", False) and _plain_head(head):
            out.append(_layer(d, layer, head))
    return tuple(out)


def _plain_head(head) -> bool:
    """A dense layer (at every step or on H_T) without dropout or skip: G_t = δ(n+1)_t·W(n+1)ᵀ."""
    return (head is not None and getattr(head, "affine", False) and getattr(head, "dropout", None) is None
            and getattr(head, "skip", None) is None)


def _layer(d, layer, head) -> RnnMatrices:
    from .matrix_form import updated

    spec, n, T = d.spec, layer.index, layer.steps
    rows = range(1, spec.samples + 1)
    grad = {(u.layer, u.unit, u.sample): u.value for u in d.upstream}
    delta = {(x.unit, x.sample): x for x in d.deltas}
    F, U = layer.weights_x.shape[0], layer.units
    x = np.asarray(spec.x, dtype=float).reshape(spec.samples, T, F)
    hs = np.asarray(d.forward[f"h{n}"], dtype=float)
    h0 = np.broadcast_to(layer.h0, (spec.samples, U))
    inputs = spec.input_unit_names
    steps = []
    for t in range(T, 0, -1):
        units = layer.step_units(t)
        reads = head.unit_names if not layer.sequence and t == T else (
            head.step_units(t) if layer.sequence else None)
        names = inputs[(t - 1) * F:t * F]
        steps.append(RnnStep(
            t=t, x=x[:, t - 1, :].tolist(), h_prev=(h0 if t == 1 else hs[:, t - 2, :]).tolist(),
            head_delta=None if reads is None else [[delta[(u, s)].value for u in reads] for s in rows],
            grad_h=[[grad[(n, u, s)] for u in units] for s in rows],
            local=[[delta[(u, s)].local for u in units] for s in rows],
            delta=[[delta[(u, s)].value for u in units] for s in rows],
            grad_x=[[grad[(n - 1, u, s)] for u in names] for s in rows]
            if all((n - 1, u, 1) in grad for u in names) else None))
    plain = d.plain_sgd
    new = updated(d) if plain else {}
    return RnnMatrices(
        layer=n, name=layer.name, activation=layer.activation, sequence=layer.sequence, head=head.index,
        head_W=head.weights.tolist(), Wx=layer.weights_x.tolist(), Wh=layer.weights_h.tolist(), steps=tuple(steps),
        dWx=d.gradients[f"Wx{n}"], dWh=d.gradients[f"Wh{n}"], db=d.gradients[f"b{n}"],
        new={k: new[f"{k}{n}"] for k in ("Wx", "Wh", "b")} if new else None,
        learning_rate=spec.learning_rate if new else None)
