"""Training the study's net: mini-batches in a seeded order, ``torch.optim``'s update rules from
:mod:`backcalc.net.optim`, and after each epoch a pass over all training rows that measures it.

Each epoch records the loss and the accuracy over all training rows (and the held-out rows' accuracy with a
test split), ‖∂L/∂W‖ per layer and each layer's relative weight change 100·‖ΔW‖/‖W‖ over the epoch.
"""

from __future__ import annotations

import math

from .records import Config, Epoch, WeightChange
from .tapenet import accuracy, forward, norm, ratio
from ..net.optim import Optimizer, settings


def optimizer(cfg: Config):
    """The :class:`~backcalc.net.optim.Optimizer` of ``cfg`` (sgd, momentum or adam with torch's defaults)."""
    extra = {"momentum": cfg.momentum} if cfg.optimizer == "momentum" else {}
    return Optimizer(settings(cfg.optimizer, lr=cfg.learning_rate, **extra))


def _step(opt, layers, x, y, cfg):
    loss, _ = forward(layers, x, y, cfg)
    loss.backward()
    params = [p for layer in layers for p in layer.params()]
    new = opt.step({p.label: p.data for p in params}, {p.label: p.grad for p in params})
    for p in params:
        p.data = new[p.label]


def train(cfg: Config, layers, data, rng, progress=None) -> tuple:
    """(epochs, weight changes of the first and last layer, the last measuring pass's nodes)."""
    x, y, x_test, y_test = data
    opt = optimizer(cfg)
    first, last = layers[0].W.data.copy(), layers[-1].W.data.copy()
    epochs, nodes = [], None
    for epoch in range(1, cfg.epochs + 1):
        before = [layer.W.data.copy() for layer in layers]
        order = rng.permutation(len(x))
        for start in range(0, len(x), cfg.batch_size):
            batch = order[start:start + cfg.batch_size]
            _step(opt, layers, x[batch], y[batch], cfg)
        loss, nodes = forward(layers, x, y, cfg)
        loss.backward()
        change = [ratio(100.0 * norm(layer.W.data - old), norm(old)) for layer, old in zip(layers, before)]
        test = None
        if x_test is not None and len(x_test):
            test = accuracy(forward(layers, x_test, y_test, cfg)[1], y_test, cfg)
        epochs.append(Epoch(epoch, float(loss.item()), tuple(norm(layer.W.grad) for layer in layers),
                            tuple(change), accuracy(nodes, y, cfg), test))
        if progress is not None:
            progress(1)
        if not math.isfinite(loss.item()):
            break  # diverged: later epochs would only repeat nan
    weights = (WeightChange(1, first, layers[0].W.data.copy()),
               WeightChange(len(layers), last, layers[-1].W.data.copy()))
    return tuple(epochs), weights, nodes
