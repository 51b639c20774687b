"""Losses, composed from the rule table's primitives (so every factor of a loss is on the tape).

Reductions over samples: ``half_sse`` and ``sse`` sum; ``mse``, ``bce``, ``bce_with_logits`` and
``cross_entropy`` take the mean. Each accepts a :class:`~backcalc.Tensor` (or a scalar
:class:`~backcalc.Value` for the elementwise ones); targets are constants.

>>> from backcalc import Tensor
>>> pred = Tensor([[2.5]])
>>> half_sse(pred, [[3.0]]).item()
0.125
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from .rules import RULES
from .tensor import Tensor, _constant
from .value import Value, apply_binary

KINDS = ("half_sse", "sse", "mse", "bce", "bce_with_logits", "cross_entropy")


def _pair(pred, target):
    if isinstance(pred, Value):
        return pred, target
    pred = pred if isinstance(pred, Tensor) else Tensor(pred)
    target = _constant(target)
    if target.shape != pred.shape:
        try:
            np.broadcast_shapes(pred.shape, target.shape)
        except ValueError:
            raise ShapeError(f"loss: prediction of shape {pred.shape} against target of shape {target.shape}") from None
    return pred, target


def half_sse(pred, target):
    """½·Σ(pred − target)², summed over samples and outputs."""
    pred, target = _pair(pred, target)
    if isinstance(pred, Value):
        return 0.5 * (pred - target) ** 2
    return 0.5 * ((pred - target) ** 2).sum()


def sse(pred, target):
    """Σ(pred − target)²."""
    pred, target = _pair(pred, target)
    if isinstance(pred, Value):
        return (pred - target) ** 2
    return ((pred - target) ** 2).sum()


def mse(pred, target):
    """mean((pred − target)²) over every element."""
    pred, target = _pair(pred, target)
    if isinstance(pred, Value):
        return (pred - target) ** 2
    return ((pred - target) ** 2).mean()


def bce(prob, target):
    """Binary cross-entropy of probabilities, mean over elements: −mean(t·ln p + (1−t)·ln(1−p)).

    0·ln 0 counts as 0; a probability of exactly 0 or 1 against the opposite target raises
    :class:`~backcalc.errors.DomainError` (use :func:`bce_with_logits`).
    """
    prob, target = _pair(prob, target)
    if isinstance(prob, Value):
        return apply_binary(RULES["bce"], prob, target)
    return prob._apply(RULES["bce"], target).mean()


def bce_with_logits(logits, target):
    """Binary cross-entropy from logits z, stable for any z: mean(softplus(z) − t·z)."""
    logits, target = _pair(logits, target)
    if isinstance(logits, Value):
        return logits.softplus() - target * logits
    return (logits.softplus() - logits * target).mean()


def cross_entropy(logits, labels):
    """Softmax cross-entropy from logits (samples × classes) and integer class labels, mean over the batch.

    Computed as −mean(log_softmax(logits)[i, labels[i]]) through a stable log-sum-exp.
    """
    logits = logits if isinstance(logits, Tensor) else Tensor(logits)
    if logits.ndim == 1:
        logits = logits.reshape(1, -1)
    if logits.ndim != 2:
        raise ShapeError(f"cross_entropy: logits must be samples × classes, got shape {logits.shape}")
    n, classes = logits.shape
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels).reshape(-1)
    if labels.shape[0] != n:
        raise ShapeError(f"cross_entropy: {labels.shape[0]} labels for {n} samples")
    if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise ShapeError("cross_entropy: labels must be whole class indices")
    labels = labels.astype(int)
    if labels.min() < 0 or labels.max() >= classes:
        bad = int(labels[(labels < 0) | (labels >= classes)][0])
        raise ShapeError(f"cross_entropy: class label {bad} outside 0..{classes - 1}")
    onehot = np.zeros((n, classes))
    onehot[np.arange(n), labels] = 1.0
    return -(logits.log_softmax(axis=1) * onehot).sum() / n


def loss(kind: str, pred, target):
    """The loss called ``kind`` (one of :data:`KINDS`)."""
    return _BY_NAME[kind](pred, target)


_BY_NAME = {"half_sse": half_sse, "sse": sse, "mse": mse, "bce": bce,
            "bce_with_logits": bce_with_logits, "cross_entropy": cross_entropy}
