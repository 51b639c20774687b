"""Vanishing and exploding gradients: a deep net on backcalc's own tape, studied layer by layer.

:func:`vanishing` builds the net of seed 000 (1000 samples × 500 features in [−1, 1], binary targets,
9 weight layers 500 → 512×8 → 1, sigmoid everywhere, init ``normal:0.01``, ½·SSE), runs one forward and
one backward pass on the :class:`~backcalc.Tensor` tape and reports, per layer from the input side, the
mean activation, the mean ∂L/∂a (signed), the mean local derivative f′ the tape recorded against the bound
the activation puts on it (σ′ ≤ 0.25), mean |∂L/∂W|, ‖∂L/∂W‖ and its ratio to the next layer's, and a
verdict computed from those measurements (:mod:`backcalc.study.verdict`). Options swap the activation and
the initialiser, compare several configurations, add residual connections or batch normalisation, and train
(sgd, momentum, adam) for some epochs; ``preset`` reproduces a seed notebook's experiment
(:mod:`backcalc.study.presets`).

Randomness: one ``SeedSequence(seed)`` spawns three streams — data, weights, training order — so every run
of a comparison sees the same data, and ``normal:STD`` runs the same normals, scaled. ``sklearn_moons``
and the test split use scikit-learn's own recipe with ``data_seed`` as its ``random_state``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable, NamedTuple

import numpy as np

from . import datasets, tapenet
from .options import apply_preset, check_budget, layer_sizes, make_config, parse_compare, resolve
from .records import Config, Run, VanishingResult
from .training import train
from .verdict import judge, judge_training, measures, status

# Re-exported for callers of the study's module (records live in records.py, checks in options.py).
__all__ = ["vanishing", "planned_epochs", "make_problem", "training_orders", "Config", "Run", "VanishingResult", "Problem"]


class Problem(NamedTuple):
    """The data and the initial parameters of one run, as plain numpy arrays."""

    x: np.ndarray          # samples × features (the training rows with a test split)
    y: np.ndarray          # samples × 1: 0/1 targets, or class indices for cross_entropy
    weights: list          # (fan_in, fan_out) per layer
    biases: list           # (1, fan_out) per layer, zeros as in seed 000


def _streams(seed: int):
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]


def _weights(cfg: Config, init, rng) -> list:
    sizes = layer_sizes(cfg)
    return [init(rng, sizes[n], sizes[n + 1]) for n in range(cfg.depth)]


def _data(cfg: Config, rng):
    """(x, y, x_test, y_test) of ``cfg``; the test pair is None without a split."""
    if cfg.data == "sklearn_moons":
        x, y = datasets.sklearn_moons(cfg.samples, cfg.noise, _data_seed(cfg))
    elif cfg.data == "digits":
        x, y = datasets.digits()
        x, y = x[:cfg.samples], y[:cfg.samples]
    else:
        x, y = datasets.make_data(cfg.data, cfg.samples, cfg.features, rng)
    if not cfg.test_fraction:
        return x, y, None, None
    train_rows, test_rows = datasets.train_test_split(len(x), cfg.test_fraction, _data_seed(cfg))
    return x[train_rows], y[train_rows], x[test_rows], y[test_rows]


def _data_seed(cfg: Config) -> int:
    return cfg.seed if cfg.data_seed is None else cfg.data_seed


def make_problem(**config) -> Problem:
    """The data and initial weights :func:`vanishing` uses for ``config`` (to check it independently).

    >>> p = make_problem(depth=3, width=8, samples=5, features=4)
    >>> p.x.shape, [w.shape for w in p.weights]
    ((5, 4), [(4, 8), (8, 8), (8, 1)])
    """
    preset = config.pop("preset", None)
    config, _ = apply_preset(preset, config, None)
    cfg, init = resolve(make_config(config))
    data_rng, weight_rng, _ = _streams(cfg.seed)
    x, y, _, _ = _data(cfg, data_rng)
    weights = _weights(cfg, init, weight_rng)
    return Problem(x, y, weights, [np.zeros((1, w.shape[1])) for w in weights])


def training_orders(epochs: int, rows: int, seed: int = 0) -> list:
    """The order the rows are visited in each epoch (the batches are consecutive slices of it).

    >>> [o.tolist() for o in training_orders(2, 3, seed=1)] == [o.tolist() for o in training_orders(2, 3, seed=1)]
    True
    """
    rng = _streams(seed)[2]
    return [rng.permutation(rows) for _ in range(epochs)]


def _run(cfg: Config, init, data, histogram: bool, progress) -> Run:
    _, weight_rng, train_rng = _streams(cfg.seed)
    layers = tapenet.build(cfg, _weights(cfg, init, weight_rng))
    x, y = data[0], data[1]
    with np.errstate(all="ignore"):  # overflow is a finding here, reported by layer, never a warning
        loss, stats, nonfinite, accuracy, nodes = tapenet.measure(cfg, layers, x, y)
        m = measures(stats)
        verdict = judge(stats, nonfinite)
        epochs, weights, dead = (), (), (0, 0)
        if cfg.epochs:
            epochs, weights, last = train(cfg, layers, data, train_rng, progress)
            nodes = last or nodes
            dead = (sum(int(np.sum(np.all(h.local[0] == 0, axis=0))) for _, h, _ in nodes[:-1]),
                    sum(layer.W.shape[1] for layer in layers[:-1]))
        hist = acts = None
        if histogram:
            hist = tapenet.grad_histogram([layer.W.grad for layer in layers], len(epochs))
            acts = tapenet.activation_histogram([out.data for _, _, out in nodes], len(epochs))
    bound = math.prod(s.derivative_bound for s in stats[:-1])
    return Run(cfg, init.formula, loss, stats, status(stats, nonfinite), m["first_to_last"], m["signal_growth"],
               bound, nonfinite, epochs, hist, verdict, judge_training(loss, accuracy, epochs, weights, dead), weights,
               acts, accuracy, m["backward_ratio"])


def planned_epochs(*, compare=None, preset: str | None = None, **config) -> int:
    """How many training epochs :func:`vanishing` will run for these options (for a progress bar).

    >>> planned_epochs(preset="seed003")
    200
    """
    config.pop("histogram", None)
    config, compare = apply_preset(preset, config, compare)
    base, _ = resolve(make_config(config))
    return base.epochs * (1 if compare is None else len(parse_compare(compare, base)))


def vanishing(*, compare=None, histogram: bool = False, progress: Callable | None = None, preset: str | None = None,
              **config) -> VanishingResult:
    """Run the study; ``config`` takes the fields of :class:`Config` (``depth=9, activation="relu", ...``).

    ``compare`` is ``"sigmoid:normal:0.01,relu:he_normal"`` (items ``activation[(alpha)]:init[+bn|+bn_after]
    [+residual]``) or a list of such strings or (activation, init) pairs; ``preset`` is one of
    ``seed000``…``seed003`` (an option given beside it must agree with it); ``histogram=True`` keeps histograms
    of log10 |∂L/∂W| and of the activations for :meth:`VanishingResult.plot`; ``progress(k)`` is called after
    each training epoch. Every option is checked, and the work budgeted, before anything runs.

    >>> r = vanishing(depth=4, width=16, samples=50, features=10)
    >>> r.runs[0].status, r.runs[0].verdict.code, len(r.layers), r.layers[0].derivative_bound
    ('vanishing', 'vanishing', 4, 0.25)
    """
    config, compare = apply_preset(preset, config, compare)
    base, init = resolve(make_config(config))
    resolved = [(base, init)] if compare is None else [resolve(c, "--compare") for c in parse_compare(compare, base)]
    check_budget([cfg for cfg, _ in resolved])
    if base.data == "digits":
        datasets.digits()  # the extra is missing: say so before anything runs
    data_rng, _, _ = _streams(base.seed)
    with np.errstate(all="ignore"):
        data = _data(base, data_rng)
    runs = tuple(_run(cfg, init, data, histogram, progress) for cfg, init in resolved)
    labels = None if compare is None else tuple(run.label for run in runs)
    return VanishingResult(replace(base), labels, runs, preset)
