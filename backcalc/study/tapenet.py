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
import weakref

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
        # the study's own fresh arrays, changed only by rebinding .data (training): no copies
        self.W, self.b = Tensor(W, label=f"W{n}", copy=False), Tensor(b, label=f"b{n}", copy=False)
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


def forward(layers, x, y, cfg: Config, look=None):
    """The loss and, per layer, the (pre-activation, activation node, layer output) on the tape;
    ``look(n, z, h, out)``, when given, sees each layer as soon as it is built, while its output is in memory."""
    a = Tensor(x, label="x", requires_grad=False, copy=False)  # the rows are read, never changed
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
        if look is not None:
            look(n, z, h, out)
        nodes.append((z, h, out))
        a = out
    if cfg.loss == "bce":
        loss = losses.bce_with_logits(nodes[-1][0], y)  # = bce(σ(z), y), stable where σ saturates
    elif cfg.loss == "cross_entropy":
        loss = losses.cross_entropy(nodes[-1][0], y.ravel())
    else:
        loss = losses.loss(cfg.loss, a, y)
    return loss, nodes


def norm(g: np.ndarray, scratch: "_Scratch | None" = None) -> float:
    """‖g‖, also for huge finite entries (then scaled by the largest). Not np.linalg.norm: its BLAS dot
    is ~50× slower than a plain sum of squares when threads compete for the cores. The squares go into
    ``scratch`` when given (the same numbers: the same sum over the same layout), not a fresh array."""
    squares = float(np.sum(np.square(g, out=_room(scratch, g))))
    if math.isfinite(squares):
        return math.sqrt(squares)
    top = float(np.max(np.abs(g)))
    if not math.isfinite(top):
        return top
    return top * math.sqrt(float(np.sum(np.square(g / top))))


class _Scratch:
    """One float64 buffer that a pass's statistics take their temporaries from, one at a time: a fresh
    array of a layer's size per statistic would be handed back to the system and faulted in again."""

    def __init__(self):
        self.buffer = np.empty(0)

    def like(self, a: np.ndarray) -> np.ndarray | None:
        """A C-ordered array of ``a``'s shape in the buffer (None when ``a`` is not C-ordered float64, whose
        temporaries numpy lays out differently)."""
        if a.dtype != np.float64 or not a.flags.c_contiguous:
            return None
        if self.buffer.size < a.size:
            self.buffer = np.empty(a.size)
        return self.buffer[:a.size].reshape(a.shape)


def _room(scratch, a):
    return scratch.like(a) if scratch is not None else None


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


class _Look:
    """What one measuring pass sees of each layer, as it goes: the output and the pre-activation in the forward,
    ∂L/∂a and the factor f′(z) in backward() — so no layer's arrays are held for the statistics."""

    def __init__(self):
        self.out, self.grad, self.local = {}, {}, {}  # layer → its numbers
        self.roles = {}  # id(node) → (layer, "h" | "out" | "both")
        self.scratch = _Scratch()

    def forward(self, n, z, h, out) -> None:
        data = out.data
        spread = float(np.max(data.max(axis=1) - data.min(axis=1))) if data.shape[1] > 1 else 0.0
        self.out[n] = (float(data.mean()), norm(data, self.scratch) / math.sqrt(data.size), spread, _finite(z.data))
        self.roles[id(h)] = (n, "both" if h is out else "h")
        if h is not out:
            self.roles[id(out)] = (n, "out")

    def backward(self, node, g, factors) -> None:
        n, role = self.roles.get(id(node), (None, None))
        if role in ("out", "both"):
            self.grad[n] = (float(g.mean()), norm(g, self.scratch) / math.sqrt(g.size))
        if role in ("h", "both"):
            self.local[n] = _local_numbers(node.op, factors[0], self.scratch)


def _local_numbers(act, local, scratch=None) -> tuple:
    """(mean f′, dead units, saturated share) of the chain-rule factor f′(z) the tape recorded."""
    bound = DERIVATIVE_BOUND[act]
    saturated = 0.0
    if act in SATURATING:
        saturated = _share(np.abs(local, out=_room(scratch, local)) < SATURATED * bound)
    return float(np.mean(local)), _dead(local), saturated


def _layer_stats(n, h, out, layer, norms, look: _Look) -> LayerStats:
    act = h.op
    mean_a, rms_a, spread, _ = look.out[n]
    # a layer the loss does not reach through its output (bce and cross_entropy take the logits) was not
    # visited by backward(): its factor, and its output's gradient if any, are read from the tape
    mean_local, dead, saturated = look.local[n] if n in look.local else _local_numbers(act, h.local[0])
    if n in look.grad:
        mean_g, rms_g = look.grad[n]
    else:
        g = out.grad
        mean_g, rms_g = (float(g.mean()), norm(g) / math.sqrt(g.size)) if g is not None else (None, None)
    nxt = norms[n] if n < len(norms) else None
    grad_W = layer.W.grad
    return LayerStats(
        layer=n, fan_in=layer.W.shape[0], units=layer.W.shape[1], activation=act,
        mean_activation=mean_a, rms_activation=rms_a, mean_grad_a=mean_g,
        mean_derivative=mean_local, derivative_bound=DERIVATIVE_BOUND[act],
        mean_abs_grad_W=float(np.abs(grad_W, out=_room(look.scratch, grad_W)).mean()), grad_norm_W=norms[n - 1],
        ratio_to_next=ratio(norms[n - 1], nxt) if nxt is not None else None,
        rms_grad_a=rms_g, weight_norm=norm(layer.W.data, look.scratch), dead_units=dead,
        saturated_fraction=saturated, unit_spread=spread)


def _share(mask) -> float:
    """The share of True in a boolean array (= np.mean of it, without turning each entry into a float)."""
    return np.count_nonzero(mask) / mask.size


def _dead(local) -> int:
    """Units whose f′ is 0 on every sample (the look per unit only when some f′ is 0 at all). The zeros as a
    mask: np.count_nonzero of a float array is ~10× slower than of a boolean one."""
    zeros = local == 0
    if not zeros.any():
        return 0
    return int(np.sum(np.all(zeros, axis=0)))


def measure(cfg: Config, layers, x, y) -> tuple:
    """One forward and one backward pass over all rows: (loss, per-layer stats, first non-finite, accuracy,
    the tape nodes per layer).

    The statistics are taken as the passes go (:class:`_Look`), so the pass holds what an untaped one would:
    each layer's pre-activation and the parameters' gradients. The hidden layers' nodes are held weakly during
    backward(), which therefore keeps none of their gradients (a reading of one sweeps again, tape/sweep.py);
    the loss's graph keeps them alive. The last layer's are held: with bce or cross_entropy its activation is
    not on the loss's path, and its arrays are as narrow as the output."""
    look = _Look()
    loss, nodes = forward(layers, x, y, cfg, look.forward)
    weak = [tuple(weakref.ref(node) for node in trio) for trio in nodes[:-1]]
    nodes = nodes[-1:]
    loss.backward(visit=look.backward)
    nodes = [tuple(ref() for ref in trio) for trio in weak] + nodes
    norms = [norm(layer.W.grad, look.scratch) for layer in layers]
    stats = tuple(_layer_stats(n, h, out, layer, norms, look)
                  for n, ((_, h, out), layer) in enumerate(zip(nodes, layers), 1))
    finite = all(look.out[n][3] for n in look.out) and _measured_finite(stats)
    nonfinite = None if finite else first_nonfinite(nodes, layers)
    return float(loss.item()), stats, nonfinite, accuracy(nodes, y, cfg), nodes


def _measured_finite(stats) -> bool:
    """Every output, ∂L/∂a and ∂L/∂W is finite when the statistics summed over them are (a non-finite entry
    makes its sum non-finite; the pre-activations are looked at in the forward); False sends the caller to
    :func:`first_nonfinite` for the place."""
    for s in stats:
        sums = (s.mean_activation, s.grad_norm_W) + ((s.mean_grad_a,) if s.mean_grad_a is not None else ())
        if not all(math.isfinite(v) for v in sums):
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
