"""Losses, composed from the rule table's primitives (so every factor of a loss is on the tape), and the loss
table: every loss a spec can name, with its default reduction, its per-sample value on the tape and how a
page writes it and its ∂L/∂out (:data:`LOSS_KINDS`).

Reductions over samples: ``half_sse`` and ``sse`` sum; ``mse``, ``bce``, ``bce_with_logits`` and
``cross_entropy`` take the mean. Each accepts a :class:`~backcalc.Tensor` (or a scalar
:class:`~backcalc.Value` for the elementwise ones); targets are constants.

>>> from backcalc import Tensor
>>> pred = Tensor([[2.5]])
>>> half_sse(pred, [[3.0]]).item()
0.125
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DomainError, ShapeError
from ..unit_names import node_in, node_out
from .rules import RULES
from .tensor import Tensor, _constant
from .value import Value, apply_binary

KINDS = ("half_sse", "sse", "mse", "bce", "bce_with_logits", "cross_entropy")


def _pair(pred, target):
    if isinstance(pred, Value):
        return pred, target
    pred = pred if isinstance(pred, Tensor) else Tensor(pred)
    target = _constant(target)
    if target.shape != pred.shape and target.ndim != 0:  # a plain number is every element's target
        raise ShapeError(f"loss: prediction of shape {pred.shape} against target of shape {target.shape}; "
                         "they must have the same shape (broadcasting would compare every pair)")
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


# ─────────────────────────────────────────── the loss table ───────────────────────────────────────────

@dataclass(frozen=True)
class LossKind:
    """A loss a spec can name: its default reduction over samples and how a page writes it.

    ``term`` is one output's share with ``{out}`` and ``{y}``; ``one``/``many`` wrap the ``{sum}`` of the shares
    for one output or ``{n}`` of them; ``target`` names the target of output unit ``{unit}``; ``summary`` is
    the loss in general terms (``{true_class}`` is filled with the renderer's words); ``gradient`` is ∂L/∂out
    of one output's share in general terms, where a page explains a factor 2 (the squared losses).

    >>> LOSS_KINDS["half_sse"].written(["o_out"], ["y_o"]), LOSS_KINDS["mse"].written(["1.5", "2"], ["1", "0"])
    ('½·(o_out − y_o)²', '((1.5 − 1)² + (2 − 0)²)/2')
    """

    name: str
    reduction: str
    term: str
    one: str
    many: str
    target: str
    summary: str
    gradient: str = ""

    def written(self, outs, ys) -> str:
        """The per-sample loss written with the given outputs and targets (names or numbers)."""
        total = " + ".join(self.term.format(out=o, y=y) for o, y in zip(outs, ys))
        return (self.many if len(outs) > 1 else self.one).format(sum=total, n=len(outs))

    def target_name(self, unit: str) -> str:
        """The target of output unit ``unit`` as the formulas name it: ``y_o`` (``y`` for bce)."""
        return self.target.format(unit=unit)


LOSS_KINDS = {k.name: k for k in (
    LossKind("half_sse", "sum", "({out} − {y})²", "½·{sum}", "½·({sum})", "y_{unit}", "½·Σ(out − y)²", "out − y"),
    LossKind("sse", "sum", "({out} − {y})²", "{sum}", "{sum}", "y_{unit}", "Σ(out − y)²", "2·(out − y)"),
    LossKind("mse", "mean", "({out} − {y})²", "({sum})", "({sum})/{n}", "y_{unit}", "mean((out − y)²)",
             "2·(out − y)/n"),
    LossKind("bce", "mean", "−({y}·ln {out} + (1−{y})·ln(1−{out}))", "({sum})", "({sum})/{n}", "y",
             "−(y·ln out + (1−y)·ln(1−out))"),
    # only the true class's output enters: written with that one output
    LossKind("cross_entropy", "mean", "−ln({out})", "{sum}", "{sum}", "", "−ln({true_class})"),
)}


#: bce and cross_entropy on a linear output layer take the outputs as logits: the loss the tape computes then
LOGIT_SUMMARY = {"bce": "ln(1 + exp(out)) − y·out", "cross_entropy": "ln Σ exp(out) − out[y]"}


def logits_written(kind: str, outs, ys=(), true: int = 0) -> str:
    """The per-sample loss as the tape computes it from logits (bce, cross_entropy on a linear output layer),
    with names or numbers; a negative number is put in parentheses where it is subtracted or multiplied.

    >>> logits_written("cross_entropy", ["o1_out", "o2_out"], true=1)
    'ln(exp(o1_out) + exp(o2_out)) − o2_out'
    >>> logits_written("bce", ["-0.65"], ["1"]), logits_written("bce", ["a", "b"], ["1", "0"])
    ('ln(1 + exp(-0.65)) − 1·(-0.65)', '((ln(1 + exp(a)) − 1·a) + (ln(1 + exp(b)) − 0·b))/2')
    """
    def p(v: str) -> str:
        return f"({v})" if v.startswith("-") else v

    if kind == "cross_entropy":
        return f"ln({' + '.join(f'exp({o})' for o in outs)}) − {p(outs[true])}"
    terms = [f"ln(1 + exp({o})) − {y}·{p(o)}" for o, y in zip(outs, ys)]
    return terms[0] if len(terms) == 1 else "(" + " + ".join(f"({t})" for t in terms) + f")/{len(terms)}"


def out_gradient_formula(kind: str, unit: str, samples: int, outputs: int, reduction: str, activation: str) -> str:
    """∂L/∂out of output unit ``unit`` written with names (its value always comes from the tape).

    >>> out_gradient_formula("half_sse", "o", 1, 1, "sum", "linear"), out_gradient_formula("mse", "o", 2, 1, "mean", "linear")
    ('o_out − y_o', '2·(o_out − y_o)/2')
    >>> out_gradient_formula("bce", "o", 2, 1, "mean", "linear")  # a difference divided: in parentheses
    '(σ(o_out) − y_o)/2'
    >>> out_gradient_formula("cross_entropy", "o1", 2, 3, "mean", "linear")
    '(softmax(o1_in) − [o1 is the true class])/2'
    """
    mean = reduction == "mean" and samples > 1
    scale = f"/{samples}" if mean else ""
    out, y = node_out(unit), f"y_{unit}"
    if kind == "half_sse":
        return f"({out} − {y}){scale}" if scale else f"{out} − {y}"
    if kind == "sse":
        return f"2·({out} − {y}){scale}"
    if kind == "mse":
        den = samples * outputs if mean else outputs
        return f"2·({out} − {y})/{den}" if den > 1 else f"2·({out} − {y})"
    if kind == "bce":
        den = (samples if mean else 1) * outputs
        base = f"σ({out}) − {y}" if activation == "linear" else f"({out} − {y}) / ({out}·(1 − {out}))"
        return f"({base})/{den}" if den > 1 else base
    # cross_entropy
    if activation == "softmax":
        return f"−[{unit} is the true class]/({samples}·{out})" if mean else f"−[{unit} is the true class]/{out}"
    base = f"softmax({node_in(unit)}) − [{unit} is the true class]"
    return f"({base}){scale}" if scale else base


def per_sample(kind: str, out: Tensor, target, activation: str) -> Tensor:
    """The loss of each sample (a vector) of a spec's net: outputs ``out`` of an ``activation`` layer.

    ``target`` is samples × outputs, or the class index per sample for cross_entropy. With a linear output,
    bce and cross_entropy take the outputs as logits (stable for any logit).
    """
    if kind == "cross_entropy":
        onehot = np.zeros(out.shape)
        onehot[np.arange(out.shape[0]), target] = 1.0
        if activation == "softmax":
            picked = (out * onehot).sum(axis=1)
            if np.any(picked.data <= 0):
                s = int(np.argmax(picked.data <= 0))
                raise DomainError(f"sample {s + 1}: the softmax probability of the true class underflows to 0 "
                                  "(its logit is over 745 below the largest), so −ln p cannot be derived through the "
                                  "probabilities; use a linear output layer, whose outputs cross_entropy takes as logits")
            return -(picked.log())  # −ln p(true class)
        return -((out.log_softmax(axis=1) * onehot).sum(axis=1))  # outputs are logits: stable log-sum-exp
    target = Tensor(target, label="y", requires_grad=False)
    if kind == "bce":
        if activation == "linear":  # outputs are logits: softplus(z) − y·z, stable for any z
            return (out.softplus() - out * target).mean(axis=1)
        try:
            return out._apply(RULES["bce"], target).mean(axis=1)
        except DomainError as exc:
            raise DomainError(f"{exc}; in a spec: use a linear output layer, whose outputs bce takes as logits") from None
    diff = out - target
    if kind == "half_sse":
        return 0.5 * (diff ** 2).sum(axis=1)
    if kind == "sse":
        return (diff ** 2).sum(axis=1)
    return (diff ** 2).mean(axis=1)  # mse
