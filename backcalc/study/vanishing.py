"""Vanishing and exploding gradients: a deep net on backcalc's own tape, studied layer by layer.

:func:`vanishing` builds the net of seed 000 (1000 samples × 500 features in [−1, 1], binary targets,
9 weight layers 500 → 512×8 → 1, sigmoid everywhere, init ``normal:0.01``, ½·SSE), runs one forward and
one backward pass on the :class:`~backcalc.Tensor` tape and reports, per layer from the input side, the
mean activation, the mean ∂L/∂a (signed), the mean local derivative f′ the tape recorded against the bound
the activation puts on it (σ′ ≤ 0.25), mean |∂L/∂W|, ‖∂L/∂W‖ and its ratio to the next layer's.
Options swap the activation and the initialiser, compare several of them, add residual connections or
batch normalisation, and train with SGD for some epochs on generated data.

Randomness: one ``SeedSequence(seed)`` spawns three streams — data, weights, training order — so every run
of a comparison sees the same data, and ``normal:STD`` runs the same normals, scaled.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Callable, NamedTuple

import numpy as np

from ..tape import losses
from .datasets import make_data
from ..errors import VanishingError, did_you_mean
from ..net.init import initializer
from ..tape import rules
from ..tape import Tensor

ACTIVATIONS = tuple(a for a in rules.ACTIVATIONS if rules.RULES[a].elementwise)  # every activation of one number
DATA_KINDS = ("random", "moons", "blobs")
LOSS_KINDS = ("half_sse", "mse", "bce")
#: The largest |f′| the activation allows: each layer can pass back at most this factor (times its weights).
DERIVATIVE_BOUND = {a: rules.RULES[a].local_bound for a in ACTIVATIONS}
#: Beyond two orders of magnitude (first layer against last) a run is called vanishing or exploding.
THRESHOLD = 100.0
BN_EPS = 1e-5
HIST_EDGES = tuple(float(e) for e in np.arange(-45.0, 45.5, 0.5))  # bins of log10 |∂L/∂W|
_MAX_FLOATS = 4e8  # ≈ 3 GB of float64: refuse before numpy runs out of memory


# ───────────────────────────────────────── records ─────────────────────────────────────────

@dataclass(frozen=True)
class Config:
    """One configuration of the study; ``features`` and ``output_activation`` are resolved in results."""

    depth: int = 9
    width: int = 512
    samples: int = 1000
    features: int | None = None          # None: 500 for random data, 2 for moons and blobs
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"     # the targets are binary: the output is a probability
    init: str = "normal:0.01"
    loss: str = "half_sse"
    data: str = "random"
    residual: bool = False
    batchnorm: bool = False
    epochs: int = 0
    learning_rate: float = 0.01         # for the summed ½·SSE of a batch of 32
    batch_size: int = 32
    seed: int = 0

    @property
    def label(self) -> str:
        return f"{self.activation}:{self.init}"

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
    mean_grad_a: float | None      # None for the output of a bce run (the loss takes the logits)
    mean_derivative: float         # mean of f′(z) as recorded on the tape
    derivative_bound: float
    mean_abs_grad_W: float
    grad_norm_W: float
    ratio_to_next: float | None    # ‖∂L/∂W_n‖ / ‖∂L/∂W_{n+1}‖; None for the last layer


@dataclass(frozen=True)
class Epoch:
    epoch: int
    loss: float
    grad_norm_W: tuple
    weight_change_pct: tuple       # 100·‖W_after − W_before‖ / ‖W_before‖ over the epoch, per layer


@dataclass(frozen=True)
class Nonfinite:
    where: str                     # "forward" or "backward"
    layer: int
    node: str                      # "z8", "a8", "∂L/∂W3", ...


@dataclass(frozen=True)
class Histogram:
    edges: tuple                   # HIST_EDGES; counts below/above go to the end bins
    counts: tuple                  # per layer, one count per bin of log10 |∂L/∂W|
    zeros: tuple                   # per layer, how many entries are exactly 0


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

    @property
    def label(self) -> str:
        return self.config.label

    def to_dict(self) -> dict:
        return {"config": self.config.to_dict(), "label": self.label, "init_formula": self.init_formula,
                "loss": _num(self.loss), "status": self.status, "first_to_last": _num(self.first_to_last),
                "signal_growth": _num(self.signal_growth), "bound_product": _num(self.bound_product),
                "nonfinite": asdict(self.nonfinite) if self.nonfinite else None,
                "layers": [{k: _jsonable(v) for k, v in asdict(s).items()} for s in self.layers],
                "epochs": [{k: _jsonable(v) for k, v in asdict(e).items()} for e in self.epochs]}


@dataclass(frozen=True)
class VanishingResult:
    """What :func:`vanishing` found: one :class:`Run` per configuration (several with ``compare``)."""

    config: Config
    compare: tuple | None
    runs: tuple

    @property
    def layers(self) -> tuple:
        """The per-layer records of the first (or only) run."""
        return self.runs[0].layers

    def to_dict(self) -> dict:
        """Exactly what ``backcalc vanishing --format json`` prints."""
        if self.compare is None:
            return {"format": 1, **self.runs[0].to_dict()}
        config = {**self.config.to_dict(), "compare": list(self.compare)}
        return {"format": 1, "config": config, "runs": [run.to_dict() for run in self.runs]}

    def to_text(self) -> str:
        from ..render.vanishing import text
        return text(self)

    def to_markdown(self) -> str:
        from ..render.vanishing import markdown
        return markdown(self)

    def plot(self, path) -> None:
        """Gradient norm per layer per configuration and histograms of log10 |∂L/∂W| (needs matplotlib)."""
        from ..render.vanishing import plot
        plot(self, path)

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
    if isinstance(v, tuple):
        return [_num(x) if isinstance(x, float) else x for x in v]
    return _num(v) if isinstance(v, float) else v


# ───────────────────────────────────────── options ─────────────────────────────────────────

def _fail(message: str):
    raise VanishingError(message)


def _int(cfg, name, minimum):
    value = getattr(cfg, name)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        _fail(f"--{name.replace('_', '-')}: expected a whole number ≥ {minimum}, got {value!r}")
    if value < minimum:
        _fail(f"--{name.replace('_', '-')}: expected a whole number ≥ {minimum}, got {value}")
    return int(value)


def _choice(value, choices, option, what):
    if value in choices:
        return value
    _fail(f"{option}: unknown {what} {value!r}{did_you_mean(value, choices)}; expected one of {', '.join(choices)}")


def _resolve(cfg: Config, via: str | None = None) -> tuple[Config, object]:
    """Check every option; fill in the defaults that depend on others. Returns (config, initialiser).

    ``via`` names the option the activation and init came from when it is not theirs (``--compare``)."""
    for name in ("depth", "width", "samples"):
        _int(cfg, name, 1)
    _int(cfg, "epochs", 0)
    _int(cfg, "batch_size", 1)
    _int(cfg, "seed", 0)
    if cfg.samples < 2:
        _fail(f"--samples: expected a whole number ≥ 2, got {cfg.samples}")
    data = _choice(cfg.data, DATA_KINDS, "--data", "data set")
    features = cfg.features
    if features is None:
        features = 500 if data == "random" else 2
    elif data == "moons" and isinstance(features, int) and features < 2:
        _fail(f"--features: moons has 2 informative features (more are noise), so expected ≥ 2, got {features}")
    else:
        features = _int(cfg, "features", 1)
    activation = _choice(cfg.activation, ACTIVATIONS, via or "--activation", "activation")
    output = _choice(cfg.output_activation, ACTIVATIONS, "--output-activation", "activation")
    loss = _choice(cfg.loss, LOSS_KINDS, "--loss", "loss")
    if loss == "bce" and output != "sigmoid":
        _fail(f"--loss bce: needs a sigmoid output layer (bce takes probabilities), got {output!r}; "
              "add --output-activation sigmoid")
    lr = cfg.learning_rate
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        _fail(f"--lr: expected a finite number > 0, got {lr!r}")
    init = initializer(cfg.init, what=via or "--init")
    size = cfg.samples * (features + 6 * cfg.width * cfg.depth) + 3 * cfg.width * (features + cfg.width * cfg.depth)
    if size > _MAX_FLOATS:
        _fail(f"--depth {cfg.depth} --width {cfg.width} --samples {cfg.samples} --features {features}: "
              f"about {size * 8 / 1e9:.0f} GB of float64; make the net or the data smaller")
    for name in ("residual", "batchnorm"):
        if not isinstance(getattr(cfg, name), bool):
            _fail(f"--{name}: expected True or False, got {getattr(cfg, name)!r}")
    cfg = replace(cfg, features=features, activation=activation, output_activation=output, data=data,
                  loss=loss, learning_rate=float(lr), init=init.name)
    return cfg, init


def _parse_compare(compare, base: Config) -> list[Config]:
    """``"sigmoid:normal:0.01,relu:he_normal"``: the activation is the first field, the init the rest."""
    example = "e.g. sigmoid:normal:0.01,relu:he_normal"
    if not isinstance(compare, (str, list, tuple)):
        _fail(f"--compare: expected activation:init pairs separated by commas, {example}; got {compare!r}")
    items = compare.split(",") if isinstance(compare, str) else list(compare)
    if not items:
        _fail(f"--compare: expected activation:init pairs separated by commas, {example}")
    configs = []
    for item in items:
        if isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(v, str) for v in item):
            activation, init = item
        elif isinstance(item, str) and item.strip():
            activation, sep, init = item.strip().partition(":")
            init = init if sep else base.init
        else:
            _fail(f"--compare: empty or malformed entry {item!r}; expected activation:init pairs, {example}")
        activation = _choice(activation.strip(), ACTIVATIONS, "--compare", "activation")
        configs.append(replace(base, activation=activation, init=init.strip()))
    return configs


# ───────────────────────────────────────── data and weights ─────────────────────────────────────────

class Problem(NamedTuple):
    """The data and the initial parameters of one run, as plain numpy arrays."""

    x: np.ndarray          # samples × features
    y: np.ndarray          # samples × 1, zeros and ones
    weights: list          # (fan_in, fan_out) per layer
    biases: list           # (1, fan_out) per layer, zeros as in seed 000


def _streams(seed: int):
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]


def _sizes(cfg: Config) -> list:
    return [cfg.features] + [cfg.width] * (cfg.depth - 1) + [1]


def _weights(cfg: Config, init, rng) -> list:
    sizes = _sizes(cfg)
    return [init(rng, sizes[n], sizes[n + 1]) for n in range(cfg.depth)]


def make_problem(**config) -> Problem:
    """The data and initial weights :func:`vanishing` uses for ``config`` (to check it independently).

    >>> p = make_problem(depth=3, width=8, samples=5, features=4)
    >>> p.x.shape, [w.shape for w in p.weights]
    ((5, 4), [(4, 8), (8, 8), (8, 1)])
    """
    cfg, init = _resolve(_config(config))
    data_rng, weight_rng, _ = _streams(cfg.seed)
    x, y = make_data(cfg.data, cfg.samples, cfg.features, data_rng)
    weights = _weights(cfg, init, weight_rng)
    return Problem(x, y, weights, [np.zeros((1, w.shape[1])) for w in weights])


# ───────────────────────────────────────── the net on the tape ─────────────────────────────────────────

class _Layer:
    """One layer's parameters on the tape (W, b and, with batch normalisation, γ and β)."""

    def __init__(self, n, W, b, batchnorm):
        self.W, self.b = Tensor(W, label=f"W{n}"), Tensor(b, label=f"b{n}")
        units = W.shape[1]
        self.bn = (Tensor(np.ones((1, units)), label=f"γ{n}"), Tensor(np.zeros((1, units)), label=f"β{n}")) \
            if batchnorm else None

    def params(self):
        return (self.W, self.b) + (self.bn or ())


def _forward(layers, x, y, cfg: Config):
    """The loss and, per layer, the (pre-activation, activation node, layer output) on the tape."""
    a = Tensor(x, label="x", requires_grad=False)
    nodes = []
    for n, layer in enumerate(layers, 1):
        last = n == len(layers)
        z = a @ layer.W + layer.b
        if layer.bn is not None:
            gamma, beta = layer.bn
            centred = z - z.mean(axis=0, keepdims=True)
            var = (centred * centred).mean(axis=0, keepdims=True)
            z = centred / (var + BN_EPS) ** 0.5 * gamma + beta
        h = z.activation(cfg.output_activation if last else cfg.activation)
        out = h + a if cfg.residual and not last and a.shape == h.shape else h
        z.label, out.label = f"z{n}", f"a{n}"
        nodes.append((z, h, out))
        a = out
    if cfg.loss == "bce":
        loss = losses.bce_with_logits(nodes[-1][0], y)  # = bce(σ(z), y), stable where σ saturates
    else:
        loss = losses.loss(cfg.loss, a, y)
    return loss, nodes


def _norm(g: np.ndarray) -> float:
    """‖g‖, also for huge finite entries (then scaled by the largest). Not np.linalg.norm: its BLAS dot
    is ~50× slower than a plain sum of squares when threads compete for the cores."""
    squares = float(np.sum(np.square(g)))
    if math.isfinite(squares):
        return math.sqrt(squares)
    top = float(np.max(np.abs(g)))
    if not math.isfinite(top):
        return top
    return top * math.sqrt(float(np.sum(np.square(g / top))))


def _first_nonfinite(nodes, layers) -> Nonfinite | None:
    for n, (z, _, out) in enumerate(nodes, 1):
        for node in (z, out):
            if not np.isfinite(node.data).all():
                return Nonfinite("forward", n, node.label)
    for n in range(len(nodes), 0, -1):
        grads = ((nodes[n - 1][2].grad, f"∂L/∂a{n}"), (layers[n - 1].W.grad, f"∂L/∂W{n}"))
        for g, name in grads:
            if g is not None and not np.isfinite(g).all():
                return Nonfinite("backward", n, name)
    return None


def _histogram(layers) -> Histogram:
    edges = np.asarray(HIST_EDGES)
    counts, zeros = [], []
    for layer in layers:
        g = np.abs(layer.W.grad.ravel())
        g = g[np.isfinite(g)]
        nonzero = g[g > 0]
        logs = np.clip(np.log10(nonzero), edges[0], edges[-1])
        counts.append(tuple(int(c) for c in np.histogram(logs, bins=edges)[0]))
        zeros.append(int(g.size - nonzero.size))
    return Histogram(HIST_EDGES, tuple(counts), tuple(zeros))


def _study(cfg: Config, layers, x, y) -> tuple:
    loss, nodes = _forward(layers, x, y, cfg)
    loss.backward()
    norms = [_norm(layer.W.grad) for layer in layers]
    stats = []
    for n, ((z, h, out), layer) in enumerate(zip(nodes, layers), 1):
        act = h.op
        nxt = norms[n] if n < len(norms) else None
        stats.append(LayerStats(
            layer=n, fan_in=layer.W.shape[0], units=layer.W.shape[1], activation=act,
            mean_activation=float(out.data.mean()),
            rms_activation=_norm(out.data) / math.sqrt(out.data.size),
            mean_grad_a=float(out.grad.mean()) if out.grad is not None else None,
            mean_derivative=float(np.mean(h.local[0])),  # the chain-rule factor the tape recorded
            derivative_bound=DERIVATIVE_BOUND[act],
            mean_abs_grad_W=float(np.abs(layer.W.grad).mean()), grad_norm_W=norms[n - 1],
            ratio_to_next=_ratio(norms[n - 1], nxt) if nxt is not None else None))
    return float(loss.item()), tuple(stats), _first_nonfinite(nodes, layers)


def _ratio(a, b):
    if b == 0 or not (math.isfinite(a) and math.isfinite(b)):
        return None
    return a / b


def _verdict(stats, nonfinite) -> tuple:
    first, last = stats[0].grad_norm_W, stats[-1].grad_norm_W
    first_to_last = _ratio(first, last)
    hidden = [s.rms_activation for s in stats[:-1]]
    growth = _ratio(hidden[-1], hidden[0]) if len(hidden) >= 2 else None
    if nonfinite is not None:
        status = "exploding"
    elif growth is not None and not 1 / THRESHOLD <= growth <= THRESHOLD:
        status = "vanishing" if growth < 1 else "exploding"   # the forward signal itself dies or blows up
    elif first == 0 and last == 0:
        status = "dead"
    elif first_to_last is not None and not 1 / THRESHOLD <= first_to_last <= THRESHOLD:
        status = "vanishing" if first_to_last < 1 else "exploding"
    elif first_to_last is None:
        status = "vanishing"  # the last layer has a gradient, the first has none
    else:
        status = "stable"
    return status, first_to_last, growth


def _train(cfg: Config, layers, x, y, rng, progress) -> tuple:
    """SGD on mini-batches; after each epoch the whole data's loss and gradient norms, and each layer's change."""
    epochs = []
    for epoch in range(1, cfg.epochs + 1):
        before = [layer.W.data.copy() for layer in layers]
        order = rng.permutation(len(x))
        for start in range(0, len(x), cfg.batch_size):
            batch = order[start:start + cfg.batch_size]
            loss, _ = _forward(layers, x[batch], y[batch], cfg)
            loss.backward()
            for layer in layers:
                for p in layer.params():
                    p.data -= cfg.learning_rate * p.grad
        loss, _ = _forward(layers, x, y, cfg)
        loss.backward()
        change = [_ratio(100.0 * _norm(layer.W.data - old), _norm(old)) for layer, old in zip(layers, before)]
        epochs.append(Epoch(epoch, float(loss.item()), tuple(_norm(layer.W.grad) for layer in layers), tuple(change)))
        if progress is not None:
            progress(1)
        if not math.isfinite(loss.item()):
            break  # diverged: later epochs would only repeat nan
    return tuple(epochs)


def _run(cfg: Config, init, x, y, histogram: bool, progress) -> Run:
    _, weight_rng, train_rng = _streams(cfg.seed)
    layers = [_Layer(n, W, np.zeros((1, W.shape[1])), cfg.batchnorm and n < cfg.depth)  # not the output
              for n, W in enumerate(_weights(cfg, init, weight_rng), 1)]
    with np.errstate(all="ignore"):  # overflow is a finding here, reported by layer, never a warning
        loss, stats, nonfinite = _study(cfg, layers, x, y)
        status, first_to_last, growth = _verdict(stats, nonfinite)
        hist = _histogram(layers) if histogram else None
        epochs = _train(cfg, layers, x, y, train_rng, progress) if cfg.epochs else ()
    bound = math.prod(s.derivative_bound for s in stats[:-1])
    return Run(cfg, init.formula, loss, stats, status, first_to_last, growth, bound, nonfinite, epochs, hist)


def _config(config: dict) -> Config:
    names = [f.name for f in fields(Config)]
    for key in config:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            _fail(f"vanishing(): unknown option {key!r}{hint} (expected some of {', '.join(names)}, "
                  "compare, histogram, progress)")
    return Config(**config)


def vanishing(*, compare=None, histogram: bool = False, progress: Callable | None = None, **config) -> VanishingResult:
    """Run the study; ``config`` takes the fields of :class:`Config` (``depth=9, activation="relu", ...``).

    ``compare`` is ``"sigmoid:normal:0.01,relu:he_normal"`` or a list of such strings or (activation, init)
    pairs; ``histogram=True`` keeps histograms of log10 |∂L/∂W| for :meth:`VanishingResult.plot`;
    ``progress(k)`` is called after each training epoch.

    >>> r = vanishing(depth=4, width=16, samples=50, features=10)
    >>> r.runs[0].status, len(r.layers), r.layers[0].derivative_bound
    ('vanishing', 4, 0.25)
    """
    base, init = _resolve(_config(config))
    resolved = [(base, init)] if compare is None else [_resolve(c, "--compare") for c in _parse_compare(compare, base)]
    data_rng, _, _ = _streams(base.seed)
    with np.errstate(all="ignore"):
        x, y = make_data(base.data, base.samples, base.features, data_rng)
    runs = tuple(_run(cfg, init, x, y, histogram, progress) for cfg, init in resolved)
    labels = None if compare is None else tuple(run.label for run in runs)
    return VanishingResult(base, labels, runs)
