"""An independent plain-numpy re-implementation of the vanishing study's experiments, for the tests.

It shares nothing with backcalc's tape, optimizers or statistics: only the data and the initial weights
(``make_problem``) and the documented batch order (``training_orders``) come from backcalc. Forward and
backward are written out per layer as the seed notebooks write them (affine, activation, batch norm's
closed-form backward), the losses from their textbook gradients, and sgd / momentum / adam from
``torch.optim``'s documented update rules.
"""

from __future__ import annotations

import math

import numpy as np

LAM, ALPHA = 1.0507009873554805, 1.6732632423543772
BOUND = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0, "elu": 1.0, "selu": LAM * ALPHA, "linear": 1.0}


def activation(name, alpha=None):
    """(f, f′) of an activation, f′ as a function of z."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    if name == "sigmoid":
        return sig, lambda z: sig(z) * (1 - sig(z))
    if name == "tanh":
        return np.tanh, lambda z: 1 - np.tanh(z) ** 2
    if name == "relu":
        return (lambda z: np.maximum(z, 0)), (lambda z: (z > 0) * 1.0)
    if name == "leaky_relu":
        a = 0.01 if alpha is None else alpha
        return (lambda z: np.where(z > 0, z, a * z)), (lambda z: np.where(z > 0, 1.0, a))
    if name == "elu":
        a = 1.0 if alpha is None else alpha
        return (lambda z: np.where(z > 0, z, a * np.expm1(np.minimum(z, 0)))), \
            (lambda z: np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0))))
    if name == "selu":
        return (lambda z: LAM * np.where(z > 0, z, ALPHA * np.expm1(np.minimum(z, 0)))), \
            (lambda z: LAM * np.where(z > 0, 1.0, ALPHA * np.exp(np.minimum(z, 0))))
    return (lambda z: z), (lambda z: np.ones_like(z))


class Net:
    """The study's net in numpy; ``cfg`` is a resolved backcalc Config (only its values are read)."""

    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.W = [w.copy() for w in weights]
        self.b = [np.zeros((1, w.shape[1])) for w in weights]
        hidden = range(len(weights) - 1) if cfg.batchnorm else ()
        self.gamma = {n: np.ones((1, weights[n].shape[1])) for n in hidden}
        self.beta = {n: np.zeros((1, weights[n].shape[1])) for n in hidden}

    def params(self):
        out = []
        for n in range(len(self.W)):
            out += [("W", n), ("b", n)] + ([("gamma", n), ("beta", n)] if n in self.gamma else [])
        return out

    def get(self, key):
        kind, n = key
        return getattr(self, kind)[n]

    def set(self, key, value):
        kind, n = key
        getattr(self, kind)[n] = value

    # ── forward and backward ──
    def forward(self, x):
        cfg, cache, a = self.cfg, [], x
        depth = len(self.W)
        for n in range(depth):
            last = n == depth - 1
            f, df = activation(cfg.output_activation, None) if last else activation(cfg.activation, cfg.alpha)
            v = a @ self.W[n] + self.b[n]
            bn_before = bn_after = None
            if n in self.gamma and cfg.batchnorm_position == "before":
                bn_before, v = self._bn(v, n)
            h = f(v)
            out = h
            if n in self.gamma and cfg.batchnorm_position == "after":
                bn_after, out = self._bn(h, n)
            skip = cfg.residual and not last and a.shape == out.shape
            out = out + a if skip else out
            cache.append(dict(a=a, z=v, h=h, df=df(v), out=out, bn_before=bn_before, bn_after=bn_after, skip=skip))
            a = out
        return cache

    def _bn(self, v, n):
        mu = v.mean(axis=0, keepdims=True)
        inv = 1 / np.sqrt(((v - mu) ** 2).mean(axis=0, keepdims=True) + 1e-5)
        xhat = (v - mu) * inv
        return (xhat, inv), xhat * self.gamma[n] + self.beta[n]

    def loss(self, cache, y):
        """(loss, ∂L/∂(output a) or None, ∂L/∂(last z) or None)."""
        kind, a, z = self.cfg.loss, cache[-1]["out"], cache[-1]["z"]
        n = len(y)
        if kind == "half_sse":
            return 0.5 * np.sum((a - y) ** 2), a - y, None
        if kind == "mse":
            return np.mean((a - y) ** 2), 2 * (a - y) / a.size, None
        if kind == "bce":
            return np.mean(np.logaddexp(0, z) - y * z), None, (1 / (1 + np.exp(-z)) - y) / n
        labels = y[:, 0].astype(int)
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        onehot = np.eye(z.shape[1])[labels]
        return -np.mean(logp[np.arange(n), labels]), None, (np.exp(logp) - onehot) / n

    def backward(self, cache, y):
        """(loss, grads by param key, ∂L/∂a per layer (None where the loss takes the logits))."""
        value, g_out, g_z = self.loss(cache, y)
        grads, grad_a = {}, [None] * len(cache)
        g = g_out
        for n in range(len(cache) - 1, -1, -1):
            c = cache[n]
            if g is not None:
                grad_a[n] = g
                gy = g
                if c["bn_after"] is not None:
                    gy = self._bn_back(gy, c["bn_after"], n, grads)
                gz = gy * c["df"]
            else:
                gz = g_z
            if c["bn_before"] is not None:
                gz = self._bn_back(gz, c["bn_before"], n, grads)
            grads[("W", n)] = c["a"].T @ gz
            grads[("b", n)] = gz.sum(axis=0, keepdims=True)
            g = gz @ self.W[n].T + (g if c["skip"] else 0)
        return value, grads, grad_a

    def _bn_back(self, dy, bn, n, grads):
        xhat, inv = bn
        m = len(dy)
        grads[("gamma", n)] = (dy * xhat).sum(axis=0, keepdims=True)
        grads[("beta", n)] = dy.sum(axis=0, keepdims=True)
        dx = dy * self.gamma[n]
        return inv / m * (m * dx - dx.sum(axis=0) - xhat * (dx * xhat).sum(axis=0))

    def accuracy(self, cache, y):
        if self.cfg.loss == "cross_entropy":
            return np.mean(cache[-1]["z"].argmax(axis=1) == y[:, 0])
        return np.mean((cache[-1]["out"][:, 0] > 0.5) == y[:, 0])


def layer_stats(net, cache, grads, grad_a):
    """What the study reports per layer, computed here from the cache."""
    out = []
    for n, c in enumerate(cache):
        dW = grads[("W", n)]
        name = net.cfg.output_activation if n == len(cache) - 1 else net.cfg.activation
        data = c["out"]
        g = grad_a[n]
        out.append(dict(
            mean_activation=data.mean(), rms_activation=np.sqrt(np.mean(data ** 2)), mean_derivative=c["df"].mean(),
            mean_abs_grad_W=np.abs(dW).mean(), grad_norm_W=np.sqrt(np.sum(dW ** 2)),
            rms_grad_a=None if g is None else np.sqrt(np.mean(g ** 2)), weight_norm=np.sqrt(np.sum(net.W[n] ** 2)),
            dead_units=int(np.sum(np.all(c["df"] == 0, axis=0))),
            saturated_fraction=float(np.mean(np.abs(c["df"]) < 0.01 * BOUND[name])) if name in ("sigmoid", "tanh")
            else 0.0,
            unit_spread=float(np.max(data.max(axis=1) - data.min(axis=1))) if data.shape[1] > 1 else 0.0))
    return out


class Optimizer:
    """torch.optim's SGD (with momentum) and Adam, as their documentation writes the update."""

    def __init__(self, kind, lr, momentum=None, betas=(0.9, 0.999), eps=1e-8):
        self.kind, self.lr, self.mu, self.betas, self.eps = kind, lr, momentum, betas, eps
        self.state, self.t = {}, 0

    def step(self, net, grads):
        self.t += 1
        for key in net.params():
            p, g = net.get(key), grads[key]
            if self.kind == "sgd":
                net.set(key, p - self.lr * g)
            elif self.kind == "momentum":
                buf = g.copy() if self.t == 1 else self.mu * self.state[key] + g
                self.state[key] = buf
                net.set(key, p - self.lr * buf)
            else:
                b1, b2 = self.betas
                m, v = self.state.get(key, (np.zeros_like(p), np.zeros_like(p)))
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                self.state[key] = (m, v)
                m_hat, v_hat = m / (1 - b1 ** self.t), v / (1 - b2 ** self.t)
                net.set(key, p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps))


def run(cfg, problem, orders, test=None):
    """The whole experiment: the untrained pass, then the epochs. Returns a dict of what the study reports."""
    net = Net(cfg, problem.weights)
    x, y = problem.x, problem.y
    cache = net.forward(x)
    loss, grads, grad_a = net.backward(cache, y)
    result = dict(loss=loss, accuracy=net.accuracy(cache, y), layers=layer_stats(net, cache, grads, grad_a),
                  epochs=[], first_before=net.W[0].copy(), last_before=net.W[-1].copy())
    opt = Optimizer(cfg.optimizer, cfg.learning_rate, cfg.momentum)
    for epoch, order in enumerate(orders[:cfg.epochs], 1):
        before = [w.copy() for w in net.W]
        for start in range(0, len(x), cfg.batch_size):
            rows = order[start:start + cfg.batch_size]
            _, batch_grads, _ = net.backward(net.forward(x[rows]), y[rows])
            opt.step(net, batch_grads)
        cache = net.forward(x)
        loss, grads, grad_a = net.backward(cache, y)
        change = [100 * np.sqrt(np.sum((w - old) ** 2)) / np.sqrt(np.sum(old ** 2)) for w, old in zip(net.W, before)]
        test_acc = net.accuracy(net.forward(test[0]), test[1]) if test is not None else None
        result["epochs"].append(dict(loss=loss, accuracy=net.accuracy(cache, y), test_accuracy=test_acc,
                                     grad_norm_W=[np.sqrt(np.sum(grads[("W", n)] ** 2)) for n in range(len(net.W))],
                                     weight_change_pct=change))
    result.update(first_after=net.W[0], last_after=net.W[-1], final_grads=[grads[("W", n)] for n in range(len(net.W))],
                  final_outputs=[c["out"] for c in cache], final_stats=layer_stats(net, cache, grads, grad_a))
    return result


def grad_histogram(grads):
    edges = np.arange(-45.0, 45.5, 0.5)
    counts, zeros = [], []
    for g in grads:
        g = np.abs(g.ravel())
        nonzero = g[g > 0]
        counts.append(np.histogram(np.clip(np.log10(nonzero), -45, 45), bins=edges)[0].tolist())
        zeros.append(int(g.size - nonzero.size))
    return counts, zeros


def activation_histogram(outputs):
    low = min(o.min() for o in outputs)
    high = max(o.max() for o in outputs)
    edges = np.linspace(low, high, 61)
    return [np.histogram(o, bins=edges)[0].tolist() for o in outputs], edges


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300) if math.isfinite(b) else float("inf")
