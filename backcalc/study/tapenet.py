"""The study's deep net on backcalc's own :class:`~backcalc.Tensor` tape, and what one pass measures.

Batch normalisation is the batchnorm layer's own (:func:`backcalc.net.layers.norm.normalise`: training mode,
biased variance, eps 1e-5) and a residual connection the dense layer's skip sum
(:func:`backcalc.net.layers.dense.add_skip`): one implementation for the worked derivations and the study.

>>> import numpy as np
>>> from .records import Config
>>> cfg = Config(depth=2, width=3, samples=4, features=2, output_activation="sigmoid", outputs=1)
>>> layers = build(cfg, [np.full((2, 3), 0.1), np.full((3, 1), 0.1)])
>>> loss, stats, nonfinite, accuracy, nodes = measure(cfg, layers, np.ones((4, 2)), np.ones((4, 1)))
>>> [s.units for s in stats], stats[0].unit_spread
([3, 1], 0.0)
"""

from __future__ import annotations

import math

import numpy as np

from ..net.layers.dense import add_skip
from ..net.layers.norm import DEFAULT_EPS as BN_EPS, normalise
from ..tape import Tensor
from ..tape import losses
from .options import DERIVATIVE_BOUND, SATURATING
from .records import Config, Histogram, LayerStats, Nonfinite

GRAD_EDGES = tuple(float(e) for e in np.arange(-45.0, 45.5, 0.5))  # bins of log10 |∂L/∂W|
ACT_BINS = 60
SATURATED = 0.01   # an f′ below 1 % of its bound counts as saturated


class Layer:
    """One layer's parameters on the tape (W, b and, with batch normalisation, γ and β)."""

    def __init__(self, n, W, b, batchnorm):
        self.W, self.b = Tensor(W, label=f"W{n}"), Tensor(b, label=f"b{n}")
        units = W.shape[1]
        self.bn = (Tensor(np.ones((1, units)), label=f"γ{n}"), Tensor(np.zeros((1, units)), label=f"β{n}")) \
            if batchnorm else None

    def params(self):
        return (self.W, self.b) + (self.bn or ())


def build(cfg: Config, weights) -> list:
    """The layers of ``cfg`` with the given weights, zero biases; batch norm on the hidden layers only."""
    return [Layer(n, W, np.zeros((1, W.shape[1])), cfg.batchnorm and n < cfg.depth)
            for n, W in enumerate(weights, 1)]


def _batchnorm(v, gamma, beta):
    """Batch normalisation over the samples: the batchnorm layer's γ·x̂ + β."""
    return normalise(v, gamma, beta, BN_EPS, axis=0)["z"]


def _activate(z, name, alpha):
    return z.activation(name, alpha=alpha) if alpha is not None else z.activation(name)


def forward(layers, x, y, cfg: Config):
    """The loss and, per layer, the (pre-activation, activation node, layer output) on the tape."""
    a = Tensor(x, label="x", requires_grad=False)
    nodes = []
    for n, layer in enumerate(layers, 1):
        last = n == len(layers)
        z = a @ layer.W + layer.b
        before = layer.bn is not None and cfg.batchnorm_position == "before"
        if before:
            z = _batchnorm(z, *layer.bn)
        h = _activate(z, cfg.output_activation, None) if last else _activate(z, cfg.activation, cfg.alpha)
        out = _batchnorm(h, *layer.bn) if layer.bn is not None and not before else h
        out = add_skip(out, a) if cfg.residual and not last and a.shape == out.shape else out
        z.label, out.label = f"z{n}", f"a{n}"
        for node in {id(h): h, id(out): out}.values():
            node.retain_data()  # read by the statistics: held, not recomputed
        out.retain_grad()  # each layer's ∂L/∂a is measured: kept by backward() rather than swept again
        nodes.append((z, h, out))
        a = out
    if cfg.loss == "bce":
        loss = losses.bce_with_logits(nodes[-1][0], y)  # = bce(σ(z), y), stable where σ saturates
    elif cfg.loss == "cross_entropy":
        loss = losses.cross_entropy(nodes[-1][0], y.ravel())
    else:
        loss = losses.loss(cfg.loss, a, y)
    return loss, nodes


def norm(g: np.ndarray) -> float:
    """‖g‖, also for huge finite entries (then scaled by the largest). Not np.linalg.norm: its BLAS dot
    is ~50× slower than a plain sum of squares when threads compete for the cores."""
    squares = float(np.sum(np.square(g)))
    if math.isfinite(squares):
        return math.sqrt(squares)
    top = float(np.max(np.abs(g)))
    if not math.isfinite(top):
        return top
    return top * math.sqrt(float(np.sum(np.square(g / top))))


def accuracy(nodes, y, cfg: Config) -> float | None:
    """The share of rows classified right: the largest logit, or an output above ½ (any output activation)."""
    out = nodes[-1][0].data if cfg.loss == "cross_entropy" else nodes[-1][2].data
    if not np.isfinite(out).all():
        return None
    guess = out.argmax(axis=1) if cfg.loss == "cross_entropy" else (out[:, 0] > 0.5)
    return float(np.mean(guess == y[:, 0]))


def _finite(a) -> bool:
    # a finite sum means every entry is finite (inf and nan propagate); only a sum that overflows needs the
    # entry-by-entry look, which allocates a mask as large as the array
    return bool(np.isfinite(np.sum(a))) or bool(np.isfinite(a).all())


def first_nonfinite(nodes, layers) -> Nonfinite | None:
    for n, (z, _, out) in enumerate(nodes, 1):
        for node in (z, out):
            if not _finite(node.data):
                return Nonfinite("forward", n, node.label)
    for n in range(len(nodes), 0, -1):
        grads = ((nodes[n - 1][2].grad, f"∂L/∂a{n}"), (layers[n - 1].W.grad, f"∂L/∂W{n}"))
        for g, name in grads:
            if g is not None and not _finite(g):
                return Nonfinite("backward", n, name)
    return None


def _layer_stats(n, z, h, out, layer, norms) -> LayerStats:
    act = h.op
    local = h.local[0]  # the chain-rule factor f′(z) the tape recorded
    bound = DERIVATIVE_BOUND[act]
    data = out.data
    spread = float(np.max(data.max(axis=1) - data.min(axis=1))) if data.shape[1] > 1 else 0.0
    nxt = norms[n] if n < len(norms) else None
    return LayerStats(
        layer=n, fan_in=layer.W.shape[0], units=layer.W.shape[1], activation=act,
        mean_activation=float(data.mean()), rms_activation=norm(data) / math.sqrt(data.size),
        mean_grad_a=float(out.grad.mean()) if out.grad is not None else None,
        mean_derivative=float(np.mean(local)), derivative_bound=bound,
        mean_abs_grad_W=float(np.abs(layer.W.grad).mean()), grad_norm_W=norms[n - 1],
        ratio_to_next=ratio(norms[n - 1], nxt) if nxt is not None else None,
        rms_grad_a=norm(out.grad) / math.sqrt(out.grad.size) if out.grad is not None else None,
        weight_norm=norm(layer.W.data), dead_units=_dead(local),
        saturated_fraction=_share(np.abs(local) < SATURATED * bound) if act in SATURATING else 0.0,
        unit_spread=spread)


def _share(mask) -> float:
    """The share of True in a boolean array (= np.mean of it, without turning each entry into a float)."""
    return np.count_nonzero(mask) / mask.size


def _dead(local) -> int:
    """Units whose f′ is 0 on every sample (the full look only when some f′ is 0 at all)."""
    if np.count_nonzero(local) == local.size:
        return 0
    return int(np.sum(np.all(local == 0, axis=0)))


def measure(cfg: Config, layers, x, y) -> tuple:
    """One forward and one backward pass over all rows: (loss, per-layer stats, first non-finite, accuracy,
    the tape nodes per layer)."""
    loss, nodes = forward(layers, x, y, cfg)
    for _, h, _ in nodes:
        h.local  # f′ is measured: computed once, used by backward() and kept for the statistics
    loss.backward()
    norms = [norm(layer.W.grad) for layer in layers]
    stats = tuple(_layer_stats(n, z, h, out, layer, norms)
                  for n, ((z, h, out), layer) in enumerate(zip(nodes, layers), 1))
    nonfinite = None if _measured_finite(stats, nodes) else first_nonfinite(nodes, layers)
    return float(loss.item()), stats, nonfinite, accuracy(nodes, y, cfg), nodes


def _measured_finite(stats, nodes) -> bool:
    """Every output, ∂L/∂a and ∂L/∂W is finite when the statistics summed over them are (a non-finite entry
    makes its sum non-finite), so only the pre-activations need a look of their own; False sends the caller
    to :func:`first_nonfinite` for the place."""
    for s, (z, _, _) in zip(stats, nodes):
        sums = (s.mean_activation, s.grad_norm_W) + ((s.mean_grad_a,) if s.mean_grad_a is not None else ())
        if not all(math.isfinite(v) for v in sums) or not _finite(z.data):
            return False
    return True


def ratio(a, b):
    if b is None or b == 0 or a is None or not (math.isfinite(a) and math.isfinite(b)):
        return None
    return a / b


def grad_histogram(grads, after_epochs: int = 0) -> Histogram:
    """Counts of log10 |g| per layer in bins of 0.5 (exact zeros counted apart)."""
    edges = np.asarray(GRAD_EDGES)
    counts, zeros = [], []
    for grad in grads:
        g = np.abs(grad.ravel())
        g = g[np.isfinite(g)]
        nonzero = g[g > 0]
        logs = np.clip(np.log10(nonzero), edges[0], edges[-1])
        counts.append(tuple(int(c) for c in np.histogram(logs, bins=edges)[0]))
        zeros.append(int(g.size - nonzero.size))
    return Histogram(GRAD_EDGES, tuple(counts), tuple(zeros), after_epochs)


def activation_histogram(outputs, after_epochs: int = 0) -> Histogram | None:
    """Counts of every layer's output values on ACT_BINS bins shared by all layers (their finite range)."""
    finite = [a[np.isfinite(a)] for a in outputs]
    if not any(f.size for f in finite):
        return None
    low = min(float(f.min()) for f in finite if f.size)
    high = max(float(f.max()) for f in finite if f.size)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, ACT_BINS + 1)
    counts = tuple(tuple(int(c) for c in np.histogram(f, bins=edges)[0]) for f in finite)
    return Histogram(tuple(float(e) for e in edges), counts, tuple(0 for _ in finite), after_epochs)
