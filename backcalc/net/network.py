"""A network from a :class:`~backcalc.net.spec.NetSpec`, run on the tape: forward, loss, backward, SGD.

Each layer builds its own forward on the tape (its kind's module, :mod:`backcalc.net.layers`: a dense layer
n computes ``z_n = a_{n-1} @ W_n + b_n`` and ``a_n = activation(z_n)``); the loss is built per
sample and then summed or averaged over samples (the spec's reduction). The loss is written the way a
student writes it — cross-entropy of a softmax layer as −ln(probability of the true class), bce of a
sigmoid output on the probabilities — so every factor of the hand derivation is a node on the tape.

>>> from backcalc.net.spec import default_spec
>>> net = Network(default_spec())
>>> round(net.forward().loss, 6)
0.127926
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .names import parse_key
from .spec import NetSpec
from ..tape import Tensor, losses


@dataclass
class Pass:
    """One forward + backward pass: each layer's part of the tape, and the loss, kept for reading back."""

    x: Tensor
    layers: list            # LayerPass per layer (backcalc.net.layers), in order
    per_sample: Tensor      # the loss of each sample
    total: Tensor           # the loss (with the l1/l2 penalty when the spec has one)
    data_total: Tensor | None = None   # the loss before the penalty (None without one)
    penalties: tuple = ()              # Penalty per regularised parameter array

    @property
    def loss(self) -> float:
        return self.total.item()

    @property
    def output(self) -> Tensor:
        return self.layers[-1].output

    def param_values(self, key: str) -> np.ndarray:
        """A parameter array's values in this pass, by canonical key (``"W2"``, ``"b1"``)."""
        return next(lp.params[key].data for lp in self.layers if key in lp.params)

    def gradients(self) -> dict[str, np.ndarray]:
        """∂L/∂parameter by canonical array key (``{"W1": ..., "b1": ..., ...}``), in the spec's order."""
        return {key: leaf.grad.copy() for lp in self.layers for key, leaf in lp.params.items()}


class Network:
    """The spec's net with its current parameters (``{"W1": ..., "b1": ..., ...}``)."""

    def __init__(self, spec: NetSpec, params: dict | None = None):
        self.spec = spec
        self.params = {k: np.array(v, dtype=np.float64) for k, v in (params or spec.parameters()).items()}

    def forward(self, backward: bool = True) -> Pass:
        """Run the net on the spec's data, on a fresh tape; with ``backward`` fill every gradient."""
        spec = self.spec
        # a first layer that shows ∂L/∂x of the data (a convolution: the full correlation with the flipped kernel)
        x = Tensor(spec.x, label="a0", requires_grad=getattr(spec.layers[0], "input_gradient", False))
        a = x
        passes, outputs = [], [x]
        for layer in spec.layers:  # each kind builds its own forward from its parameter leaves
            leaves = {key: Tensor(self.params[key], label=key) for key in layer.parameters()}
            lp = layer.forward(a, leaves, tuple(outputs))
            passes.append(lp)
            a = lp.output
            outputs.append(a)
        per_sample = _per_sample(spec, a)
        per_sample.label = "loss per sample"
        total = per_sample.sum() if spec.reduction == "sum" else per_sample.mean()
        total.label = "L"
        data_total, penalties = None, ()
        reg = spec.training.regularization if spec.training is not None else None
        if reg is not None and reg.active:
            data_total, penalties = total, _penalties(reg, passes)
            total = data_total + sum_tensors([p.total for p in penalties])
            total.label = "L"
        result = Pass(x, passes, per_sample, total, data_total, penalties)
        if backward:
            total.backward(keep_grads=True)  # a derivation reads every node's gradient: one sweep keeps them all
        return result

    def loss(self) -> float:
        return self.forward(backward=False).loss

    def gradients(self) -> dict[str, float]:
        """∂L/∂parameter for every element, by canonical key (``"W2[0][1]"``)."""
        grads = self.forward().gradients()
        out = {}
        for _, key in self.spec.param_names():
            k = parse_key(key)
            out[key] = float(grads[k.array][k.index])
        return out

    def step(self, grads: dict[str, np.ndarray], learning_rate: float | None = None) -> Network:
        """The net after one SGD step: every parameter minus learning rate × its gradient."""
        lr = self.spec.learning_rate if learning_rate is None else learning_rate
        return Network(self.spec, {k: v - lr * grads[k] for k, v in self.params.items()})


def _per_sample(spec, out: Tensor) -> Tensor:
    """Each sample's loss; with a loss at every step (an rnn with return_sequences) the steps' losses summed:
    each (sample, step) is one row of the outputs, its loss the loss kind's per-sample rule."""
    last = spec.layers[-1]
    steps = getattr(last, "out_steps", 0)
    if not steps:
        return losses.per_sample(spec.loss, out, spec.y, last.activation)
    S = out.shape[0]
    rows = out.reshape(S * steps, last.units)
    y = spec.y.reshape(S * steps) if spec.loss == "cross_entropy" else spec.y.reshape(S * steps, last.units)
    return losses.per_sample(spec.loss, rows, y, last.activation).reshape(S, steps).sum(axis=1)


@dataclass(frozen=True)
class Penalty:
    """λ₂·Σθ² + λ₁·Σ|θ| of one parameter array on the tape; ``square``/``absolute`` are the θ² and |θ| nodes."""

    key: str
    total: Tensor
    square: Tensor | None
    absolute: Tensor | None

    def gradient(self) -> np.ndarray:
        """The penalty's own term of ∂L/∂θ, read from the tape: 2λ₂·θ + λ₁·sign(θ)."""
        out = 0.0
        for node in (self.square, self.absolute):
            if node is not None:
                out = out + node.grad * np.broadcast_to(node.local[0], node.shape)
        return np.asarray(out, dtype=np.float64)


def _penalties(reg, passes) -> tuple:
    """A Penalty per regularised parameter array (weight matrices; biases with regularize_bias), in spec order."""
    out = []
    for lp in passes:
        for key, leaf in lp.params.items():
            if not reg.applies_to(parse_key(key).kind):
                continue
            square = leaf ** 2 if reg.l2 else None
            absolute = leaf.abs() if reg.l1 else None
            parts = ([square.sum() * reg.l2] if square is not None else []) + \
                    ([absolute.sum() * reg.l1] if absolute is not None else [])
            out.append(Penalty(key, sum_tensors(parts), square, absolute))
    return tuple(out)


def sum_tensors(parts: list) -> Tensor:
    """``parts[0] + parts[1] + …`` on the tape."""
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total
