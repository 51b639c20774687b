"""An independent reference for golden values: its own forward pass in mpmath at 40 digits and gradients
by central differences (h = 1e-15, so the error is ~1e-30). It shares no code with backcalc's tape or rule
table; it only reads the validated spec (the arrays)."""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 40


def _act(name, zs, alpha=None):
    if name == "linear":
        return list(zs)
    if name == "relu":
        return [z if z > 0 else mp.mpf(0) for z in zs]
    if name == "leaky_relu":
        a = mp.mpf(alpha if alpha is not None else 0.01)
        return [z if z > 0 else a * z for z in zs]
    if name == "elu":
        a = mp.mpf(alpha if alpha is not None else 1.0)
        return [z if z > 0 else a * (mp.e ** z - 1) for z in zs]
    if name == "selu":
        lam, al = mp.mpf("1.0507009873554805"), mp.mpf("1.6732632423543772")
        return [lam * (z if z > 0 else al * (mp.e ** z - 1)) for z in zs]
    if name == "sigmoid":
        return [1 / (1 + mp.e ** (-z)) for z in zs]
    if name == "tanh":
        return [mp.tanh(z) for z in zs]
    if name == "softmax":
        m = max(zs)
        es = [mp.e ** (z - m) for z in zs]
        total = sum(es)
        return [e / total for e in es]
    raise ValueError(name)


def _params(spec):
    out = {}
    for layer in spec.layers:
        out[f"W{layer.index}"] = [[mp.mpf(float(v)) for v in row] for row in layer.weights]
        out[f"b{layer.index}"] = [mp.mpf(float(v)) for v in layer.bias]
    return out


def forward(spec, params):
    """(per-layer (z, a) lists per sample, loss) in 40-digit arithmetic."""
    per_sample = []
    trace = []
    for s, row in enumerate(spec.x):
        a = [mp.mpf(float(v)) for v in row]
        layers = []
        for layer in spec.layers:
            W, b = params[f"W{layer.index}"], params[f"b{layer.index}"]
            z = [sum(a[i] * W[i][j] for i in range(len(a))) + b[j] for j in range(len(b))]
            a = _act(layer.activation, z, layer.alpha)
            layers.append((z, a))
        trace.append(layers)
        per_sample.append(_loss(spec, a, s))
    total = sum(per_sample)
    if spec.reduction == "mean":
        total /= len(per_sample)
    return trace, total


def _loss(spec, out, s):
    kind = spec.loss
    if kind == "cross_entropy":
        label = int(spec.y[s])
        if spec.layers[-1].activation == "softmax":
            return -mp.log(out[label])
        m = max(out)
        return -(out[label] - m - mp.log(sum(mp.e ** (o - m) for o in out)))
    y = [mp.mpf(float(v)) for v in spec.y[s]]
    if kind == "bce" and spec.layers[-1].activation == "linear":  # outputs are logits
        return sum(mp.log(1 + mp.e ** z) - t * z for z, t in zip(out, y)) / len(y)
    if kind == "bce":
        return sum(-(t * mp.log(p) + (1 - t) * mp.log(1 - p)) for p, t in zip(out, y)) / len(y)
    sq = [(p - t) ** 2 for p, t in zip(out, y)]
    if kind == "half_sse":
        return sum(sq) / 2
    if kind == "sse":
        return sum(sq)
    return sum(sq) / len(sq)  # mse


def loss(spec, params=None):
    return forward(spec, params or _params(spec))[1]


def gradients(spec, params=None):
    """{"W1[0][0]": mpf, ...} by central differences in 40-digit arithmetic."""
    params = params or _params(spec)
    h = mp.mpf("1e-15")
    out = {}
    for _, key in spec.param_names():
        name, rest = key.split("[", 1)
        idx = [int(i) for i in rest.rstrip("]").split("][")]

        def shifted(delta):
            p = {k: [list(r) if isinstance(r, list) else r for r in v] for k, v in params.items()}
            if len(idx) == 2:
                p[name][idx[0]][idx[1]] += delta
            else:
                p[name][idx[0]] += delta
            return forward(spec, p)[1]

        out[key] = (shifted(h) - shifted(-h)) / (2 * h)
    return out


def sgd(spec, steps=None):
    """Parameters after ``steps`` plain SGD steps, and the loss history, all in 40-digit arithmetic."""
    params = _params(spec)
    history = []
    for _ in range(steps or spec.steps):
        history.append(loss(spec, params))
        grads = gradients(spec, params)
        for key, g in grads.items():
            name, rest = key.split("[", 1)
            idx = [int(i) for i in rest.rstrip("]").split("][")]
            if len(idx) == 2:
                params[name][idx[0]][idx[1]] -= spec.learning_rate * g
            else:
                params[name][idx[0]] -= spec.learning_rate * g
    return params, history, loss(spec, params)
