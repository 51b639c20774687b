"""The study's records: plain frozen values and codes (no words — :mod:`backcalc.render.vanishing` says them).

>>> Config().label, Config(activation="leaky_relu", alpha=0.2, init="he_normal", batchnorm=True).label
('sigmoid:normal:0.01', 'leaky_relu(0.2):he_normal+bn')
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Config:
    """One configuration of the study; ``features``, ``outputs`` and the defaults that depend on other
    options are resolved in results."""

    depth: int = 9
    width: int = 512
    samples: int | None = None           # None: 1000 generated rows, every row of digits
    features: int | None = None          # None: 500 for random data, 2 for moons and blobs, fixed by some data
    activation: str = "sigmoid"
    output_activation: str | None = None   # None: sigmoid (a probability), linear logits for cross_entropy
    init: str = "normal:0.01"
    loss: str = "half_sse"
    data: str = "random"
    residual: bool = False
    batchnorm: bool = False
    epochs: int = 0
    learning_rate: float = 0.01         # for the summed ½·SSE of a batch of 32
    batch_size: int = 32
    seed: int = 0
    optimizer: str = "sgd"                # sgd, momentum or adam (torch.optim's update rules)
    momentum: float | None = None         # momentum: 0.9 unless given
    alpha: float | None = None            # leaky_relu's slope (0.01) or elu's alpha (1) when given
    batchnorm_position: str = "before"    # batch norm before the activation (on z) or after it (on f(z))
    noise: float | None = None            # sklearn_moons: the noise's standard deviation (0.05 unless given)
    data_seed: int | None = None          # sklearn_moons and the test split: sklearn's random_state (seed if None)
    test_fraction: float = 0.0            # rows held out as sklearn's train_test_split does
    outputs: int | None = None            # resolved: 1 for binary targets, one per class otherwise

    @property
    def label(self) -> str:
        """The configuration as ``--compare`` writes it: ``activation[(alpha)]:init[+bn|+bn_after][+residual]``."""
        act = self.activation if self.alpha is None else f"{self.activation}({self.alpha:g})"
        mods = ""
        if self.batchnorm:
            mods += "+bn" if self.batchnorm_position == "before" else "+bn_after"
        if self.residual:
            mods += "+residual"
        return f"{act}:{self.init}{mods}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LayerStats:
    layer: int
    fan_in: int
    units: int
    activation: str
    mean_activation: float
    rms_activation: float
    mean_grad_a: float | None      # None for the output of a bce or cross-entropy run (the loss takes the logits)
    mean_derivative: float         # mean of f′(z) as recorded on the tape
    derivative_bound: float
    mean_abs_grad_W: float
    grad_norm_W: float
    ratio_to_next: float | None    # ‖∂L/∂W_n‖ / ‖∂L/∂W_{n+1}‖; None for the last layer
    rms_grad_a: float | None = None  # rms of ∂L/∂a_n: the gradient that reaches the layer's output
    weight_norm: float = 0.0       # ‖W_n‖
    dead_units: int = 0            # units whose f′ is exactly 0 on every sample: no gradient passes them
    saturated_fraction: float = 0.0  # share of f′ entries below 1 % of the bound, where f′ → 0 on both sides
    unit_spread: float = 0.0       # max over samples of (largest − smallest unit output): 0 = identical units


@dataclass(frozen=True)
class Epoch:
    epoch: int
    loss: float
    grad_norm_W: tuple
    weight_change_pct: tuple       # 100·‖W_after − W_before‖ / ‖W_before‖ over the epoch, per layer
    accuracy: float | None = None  # share of training rows classified right after the epoch
    test_accuracy: float | None = None  # on the held-out rows (with a test split)


@dataclass(frozen=True)
class Nonfinite:
    where: str                     # "forward" or "backward"
    layer: int
    node: str                      # "z8", "a8", "∂L/∂W3", ...


@dataclass(frozen=True)
class Histogram:
    edges: tuple                   # bin edges; values below/above go to the end bins
    counts: tuple                  # per layer, one count per bin
    zeros: tuple                   # per layer, how many entries are exactly 0 (left out of the counts)
    after_epochs: int = 0          # measured on the untrained net (0) or after training


@dataclass(frozen=True)
class Verdict:
    """A finding as a code and the measured numbers it stands on (``numbers`` maps names to values)."""

    code: str
    numbers: dict

    def to_dict(self) -> dict:
        return {"code": self.code, **{k: _jsonable(v) for k, v in self.numbers.items()}}


@dataclass(frozen=True, eq=False)   # holds arrays: compared by identity
class WeightChange:
    """One layer's weight matrix before and after training."""

    layer: int
    before: np.ndarray
    after: np.ndarray

    @property
    def change_pct(self) -> float | None:
        old = float(np.sqrt(np.sum(self.before ** 2)))
        return 100.0 * float(np.sqrt(np.sum((self.after - self.before) ** 2))) / old if old > 0 else None

    def to_dict(self) -> dict:
        return {"layer": self.layer, "before": _matrix(self.before), "after": _matrix(self.after),
                "change_pct": _num(self.change_pct)}


@dataclass(frozen=True)
class Run:
    config: Config
    init_formula: str
    loss: float
    layers: tuple
    status: str                    # "vanishing", "exploding", "stable" or "dead" (no gradient at all)
    first_to_last: float | None    # ‖∂L/∂W_1‖ / ‖∂L/∂W_depth‖
    signal_growth: float | None    # rms of the last hidden layer's activations / of the first's
    bound_product: float           # Π of the derivative bounds of layers 1..depth−1
    nonfinite: Nonfinite | None
    epochs: tuple
    histogram: Histogram | None = None
    verdict: Verdict | None = None           # what the untrained net's pass shows
    training: Verdict | None = None          # what training shows (with epochs)
    weights: tuple = ()                      # WeightChange of the first and the last layer (with epochs)
    activations: Histogram | None = None     # activation values per layer (with histogram=True)
    accuracy: float | None = None            # before training
    backward_ratio: float | None = None      # rms ∂L/∂a at the first hidden layer ÷ at the last hidden layer

    @property
    def label(self) -> str:
        return self.config.label

    def to_dict(self) -> dict:
        return {"config": self.config.to_dict(), "label": self.label, "init_formula": self.init_formula,
                "loss": _num(self.loss), "status": self.status, "first_to_last": _num(self.first_to_last),
                "signal_growth": _num(self.signal_growth), "bound_product": _num(self.bound_product),
                "backward_ratio": _num(self.backward_ratio), "accuracy": _num(self.accuracy),
                "nonfinite": asdict(self.nonfinite) if self.nonfinite else None,
                "verdict": self.verdict.to_dict() if self.verdict else None,
                "training": self.training.to_dict() if self.training else None,
                "layers": [{k: _jsonable(v) for k, v in asdict(s).items()} for s in self.layers],
                "epochs": [{k: _jsonable(v) for k, v in asdict(e).items()} for e in self.epochs],
                "weights": [w.to_dict() for w in self.weights]}


@dataclass(frozen=True)
class VanishingResult:
    """What :func:`~backcalc.study.vanishing.vanishing` found: one :class:`Run` per configuration."""

    config: Config
    compare: tuple | None
    runs: tuple
    preset: str | None = None

    @property
    def layers(self) -> tuple:
        """The per-layer records of the first (or only) run."""
        return self.runs[0].layers

    def to_dict(self) -> dict:
        """Exactly what ``backcalc vanishing --format json`` prints."""
        if self.compare is None:
            return {"format": 1, "preset": self.preset, **self.runs[0].to_dict()}
        config = {**self.config.to_dict(), "compare": list(self.compare)}
        return {"format": 1, "preset": self.preset, "config": config, "runs": [run.to_dict() for run in self.runs]}

    def to_text(self, lang: str = "en") -> str:
        from ..render.vanishing import text
        return text(self, lang)

    def to_markdown(self, lang: str = "en") -> str:
        from ..render.vanishing import markdown
        return markdown(self, lang)

    def plot(self, path, lang: str = "en") -> list:
        """Write the figures (needs matplotlib); returns the paths written, ``path`` first."""
        from ..render.vanishing import plot
        return plot(self, path, lang)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        body = ", ".join(f"{r.label}: {r.status}" for r in self.runs)
        return f"VanishingResult({body})"


def _num(v):
    return float(v) if v is not None and math.isfinite(v) else None


def _jsonable(v):
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    return _num(v) if isinstance(v, (float, np.floating)) else v


def _matrix(a: np.ndarray) -> list:
    return [[_num(float(v)) for v in row] for row in np.atleast_2d(a)]
