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


def _mp(v):
    """A nested list of mpf from an array or nested list of floats."""
    return [_mp(e) for e in v] if hasattr(v, "__len__") else mp.mpf(float(v))


def _params(spec):
    out = {}
    for layer in spec.layers:
        if layer.kind in _NORM_AXIS:
            out[f"gamma{layer.index}"] = _mp(layer.gamma)
            out[f"beta{layer.index}"] = _mp(layer.beta)
            continue
        if layer.kind == "rnn":
            out.update({f"Wx{layer.index}": _mp(layer.weights_x), f"Wh{layer.index}": _mp(layer.weights_h),
                        f"b{layer.index}": _mp(layer.bias)})
            continue
        if getattr(layer, "weights", None) is None:  # pooling and flatten have no parameters
            continue
        out[f"W{layer.index}"] = _mp(layer.weights)
        if layer.bias is not None:  # bias = false: no b{n} at all
            out[f"b{layer.index}"] = _mp(layer.bias)
    return out


def _conv2d(layer, x, W, b):
    """Cross-correlation from the definition (zeros in the padding), one sample: x channels × H × W."""
    (sh, sw), (ph, pw) = layer.stride, layer.padding
    rows, cols = len(x[0]), len(x[0][0])
    out = []
    for o in range(len(W)):
        kh, kw = len(W[o][0]), len(W[o][0][0])
        oh, ow = (rows + 2 * ph - kh) // sh + 1, (cols + 2 * pw - kw) // sw + 1
        plane = []
        for i in range(oh):
            line = []
            for j in range(ow):
                total = b[o]
                for c in range(len(x)):
                    for p in range(kh):
                        for q in range(kw):
                            r, k = i * sh + p - ph, j * sw + q - pw
                            if 0 <= r < rows and 0 <= k < cols:
                                total += W[o][c][p][q] * x[c][r][k]
                line.append(total)
            plane.append(line)
        out.append(plane)
    return out


def _rnn(layer, xs, params, s):
    """h_t = f(x_t·Wx + h_(t−1)·Wh + b), t = 1…T, from h0 (one row for every sample, or row s): (z_T, h_T)."""
    n = layer.index
    Wx, Wh, b = params[f"Wx{n}"], params[f"Wh{n}"], params[f"b{n}"]
    h0 = layer.h0[s if len(layer.h0) > 1 else 0]
    h = [mp.mpf(float(v)) for v in h0]
    hs = []  # every step's h_t (return_sequences = true hands them all on)
    for x in xs:
        z = [sum(x[f] * Wx[f][u] for f in range(len(x))) + sum(h[v] * Wh[v][u] for v in range(len(h))) + b[u]
             for u in range(len(b))]
        h = _act(layer.activation, z, layer.alpha)
        hs.append(h)
    return (z, hs) if getattr(layer, "sequence", False) else (z, h)


def _mean(values):
    values = list(values)
    return sum(values) / len(values)


class _Flat2d:
    """A 1-D layer's window, stride and padding as a 2-D layer's of height 1."""

    def __init__(self, layer):
        self.stride = (1, layer.stride[0])
        self.padding = (0, layer.padding[0]) if hasattr(layer, "padding") else (0, 0)
        self.size = (1, layer.size[0]) if hasattr(layer, "size") else None


def _pool2d(layer, x, reduce):
    (kh, kw), (sh, sw) = layer.size, layer.stride
    rows, cols = len(x[0]), len(x[0][0])
    oh, ow = (rows - kh) // sh + 1, (cols - kw) // sw + 1
    return [[[reduce(ch[i * sh + p][j * sw + q] for p in range(kh) for q in range(kw)) for j in range(ow)]
             for i in range(oh)] for ch in x]


def _flat(v):
    return [e for part in v for e in _flat(part)] if isinstance(v, list) else [v]


def _unflat(values, like):
    it = iter(values)

    def build(shape_of):
        return [build(e) for e in shape_of] if isinstance(shape_of, list) else next(it)

    return build(like)


def _layer(layer, a, params):
    """(z, a) of one layer for one sample, flat lists (maps in C order); ``a`` is kept nested for maps."""
    kind = getattr(layer, "kind", "dense")
    if kind == "conv2d":
        z = _conv2d(layer, a, params[f"W{layer.index}"], params[f"b{layer.index}"])
        out = _unflat(_act(layer.activation, _flat(z), layer.alpha), z)
        return _flat(z), out
    if kind == "conv1d":  # a 1-D map is a 2-D one of height 1, to the same definition
        W = [[[row] for row in ch] for ch in params[f"W{layer.index}"]]
        z = [plane[0] for plane in _conv2d(_Flat2d(layer), [[row] for row in a], W, params[f"b{layer.index}"])]
        out = _unflat(_act(layer.activation, _flat(z), layer.alpha), z)
        return _flat(z), out
    if kind in ("maxpool2d", "avgpool2d"):
        out = _pool2d(layer, a, max if kind == "maxpool2d" else _mean)
        return _flat(out), out
    if kind in ("maxpool1d", "avgpool1d"):
        out = [plane[0] for plane in _pool2d(_Flat2d(layer), [[row] for row in a],
                                             max if kind == "maxpool1d" else _mean)]
        return _flat(out), out
    if kind == "flatten":
        return _flat(a), _flat(a)
    W = params[f"W{layer.index}"]
    b = params.get(f"b{layer.index}", [mp.mpf(0)] * len(W[0]))
    z = [sum(a[i] * W[i][j] for i in range(len(a))) + b[j] for j in range(len(b))]
    return z, _act(layer.activation, z, layer.alpha)


# batchnorm normalises each unit over the samples of the batch, layernorm each sample over its units
_NORM_AXIS = {"batchnorm": 0, "layernorm": 1}


def _normalise(rows, gamma, beta, eps, axis):
    """γ·(x − μ)/√(σ² + eps) + β with μ and the biased σ² over the samples (axis 0) or the units (axis 1)."""
    S, U = len(rows), len(rows[0])
    groups = [[rows[s][u] for s in range(S)] for u in range(U)] if axis == 0 else [list(r) for r in rows]
    normed = []
    for g in groups:
        mu = sum(g) / len(g)
        var = sum((v - mu) ** 2 for v in g) / len(g)
        normed.append([(v - mu) / mp.sqrt(var + mp.mpf(eps)) for v in g])
    xhat = [[normed[u][s] for u in range(U)] for s in range(S)] if axis == 0 else normed
    return [[gamma[u] * xhat[s][u] + beta[u] for u in range(U)] for s in range(S)]


def forward(spec, params):
    """(per-layer (z, a) lists per sample, loss) in 40-digit arithmetic, layer by layer over the whole batch."""
    rows = [_mp(row) for row in spec.x]
    steps = False  # after an rnn with return_sequences: each sample's rows are its steps
    outs = [rows]  # outs[m]: layer m's output per sample (0: the data)
    trace = [[] for _ in rows]
    for layer in spec.layers:
        n = layer.index
        if layer.kind in _NORM_AXIS:
            zs = _normalise(rows, params[f"gamma{n}"], params[f"beta{n}"], layer.eps, _NORM_AXIS[layer.kind])
            pairs = [(z, _act(layer.activation, z, layer.alpha)) for z in zs]
        elif layer.kind == "rnn":
            pairs = [_rnn(layer, a, params, s) for s, a in enumerate(rows)]
            steps = getattr(layer, "sequence", False)
        elif steps:  # a dense layer applied at every step of the sequence
            pairs = [tuple(zip(*[_layer(layer, a_t, params) for a_t in a])) for a in rows]
        else:
            pairs = [_layer(layer, a, params) for a in rows]
        skip = getattr(layer, "skip", None)
        if skip is not None:  # the output of layer NAME added after the activation
            pairs = [(z, [v + w for v, w in zip(a, e)]) for (z, a), e in zip(pairs, outs[skip])]
        drop = getattr(layer, "dropout", None)
        if drop is not None:  # inverted dropout after the activation (and the skip): a·mask/(1 − p)
            keep = 1 / (1 - mp.mpf(drop.p))
            pairs = [(z, [v * mp.mpf(float(m)) * keep for v, m in zip(a, drop.mask[s])]) for s, (z, a) in enumerate(pairs)]
        for s, pair in enumerate(pairs):
            trace[s].append(pair)
        rows = [a for _, a in pairs]
        outs.append(rows)
    if steps:  # a loss at every step, summed over the steps
        per_sample = [sum(_loss(spec, a_t, spec.y[s][t]) for t, a_t in enumerate(a)) for s, a in enumerate(rows)]
    else:
        per_sample = [_loss(spec, a, spec.y[s]) for s, a in enumerate(rows)]
    total = sum(per_sample)
    if spec.reduction == "mean":
        total /= len(per_sample)
    return trace, total


def _loss(spec, out, target):
    kind = spec.loss
    if kind == "cross_entropy":
        label = int(target)
        if spec.layers[-1].activation == "softmax":
            return -mp.log(out[label])
        m = max(out)
        return -(out[label] - m - mp.log(sum(mp.e ** (o - m) for o in out)))
    y = [mp.mpf(float(v)) for v in target]
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
    """The loss, the l1/l2 penalty included."""
    params = params or _params(spec)
    return forward(spec, params)[1] + (penalty(spec, params) if spec.training is not None else 0)


def gradients(spec, params=None):
    """{"W1[0][0]": mpf, ...}: ∂(loss + penalty)/∂θ (see _full_gradients)."""
    params = params or _params(spec)
    if spec.training is None:
        return _data_gradients(spec, params)
    full = _full_gradients(spec, params)
    return {name + "".join(f"[{i}]" for i in idx): g for (name, idx), g in full.items()}


def _data_gradients(spec, params=None):
    """{"W1[0][0]": mpf, ...} of the data loss by central differences in 40-digit arithmetic."""
    params = params or _params(spec)
    h = mp.mpf("1e-15")
    out = {}
    for _, key in spec.param_names():
        name, rest = key.split("[", 1)
        idx = [int(i) for i in rest.rstrip("]").split("][")]

        def shifted(delta):
            p = {k: _copy(v) for k, v in params.items()}
            holder = p[name]
            for i in idx[:-1]:
                holder = holder[i]
            holder[idx[-1]] += delta
            return forward(spec, p)[1]

        out[key] = (shifted(h) - shifted(-h)) / (2 * h)
    return out


def sgd(spec, steps=None):
    """Parameters after ``steps`` steps (plain SGD; the spec's optimizer when it has one), the loss history and
    the loss after, all in 40-digit arithmetic."""
    if spec.training is not None and (steps is None or steps == spec.steps):
        trajectory, history, _ = train(spec)
        return trajectory[-1], history, loss(spec, trajectory[-1])
    params = _params(spec)
    history = []
    for _ in range(steps or spec.steps):
        history.append(loss(spec, params))
        grads = gradients(spec, params)
        for key, g in grads.items():
            name, rest = key.split("[", 1)
            idx = tuple(int(i) for i in rest.rstrip("]").split("]["))
            _set(params, name, idx, _get(params, name, idx) - spec.learning_rate * g)
    return params, history, loss(spec, params)


# ─────────────── training beyond plain SGD (written again from torch.optim's documentation) ───────────────

def penalty(spec, params):
    """λ₂·Σw² + λ₁·Σ|w| over the weight matrices (and biases with regularize_bias)."""
    reg = spec.training.regularization
    total = mp.mpf(0)
    for key, value in params.items():
        if key.startswith("W") or (key.startswith("b") and reg.regularize_bias):
            flat = _flat(value)
            total += mp.mpf(reg.l2) * sum(v * v for v in flat) + mp.mpf(reg.l1) * sum(abs(v) for v in flat)
    return total


def _copy(v):
    return [_copy(e) for e in v] if isinstance(v, list) else v


def _flat_keys(params):
    for name, value in params.items():
        for idx in _indices(value):
            yield name, idx


def _indices(v):
    """Every index tuple of a nested list, in C order."""
    if not isinstance(v, list):
        yield ()
        return
    for i, e in enumerate(v):
        for rest in _indices(e):
            yield (i,) + rest


def _get(params, name, idx):
    v = params[name]
    for i in idx:
        v = v[i]
    return v


def _set(params, name, idx, v):
    holder = params[name]
    for i in idx[:-1]:
        holder = holder[i]
    holder[idx[-1]] = v


def _full_loss(spec, params):
    return forward(spec, params)[1] + penalty(spec, params)


def _full_gradients(spec, params):
    """∂(loss + penalty)/∂θ per element by 40-digit central differences (|w|′ is taken analytically: sign, 0 at 0)."""
    data = _data_gradients(spec, params)
    reg = spec.training.regularization
    out = {}
    for name, idx in _flat_keys(params):
        key = name + "".join(f"[{i}]" for i in idx)
        g = data[key]
        if name.startswith("W") or (name.startswith("b") and reg.regularize_bias):
            w = _get(params, name, idx)
            g += 2 * mp.mpf(reg.l2) * w + mp.mpf(reg.l1) * mp.sign(w)
        out[(name, idx)] = g
    return out


def train(spec):
    """(params after each step, loss before each step, state after each step) for any optimizer, 40 digits."""
    s = spec.training.optim
    params = _params(spec)
    state = {k: {} for k in _flat_keys_list(params)}
    trajectory, history, states = [], [], []
    for t in range(1, spec.steps + 1):
        history.append(_full_loss(spec, params))
        grads = _full_gradients(spec, params)
        if s.clip_norm is not None:
            norm = mp.sqrt(sum(g * g for g in grads.values()))
            scale = mp.mpf(s.clip_norm) / (norm + mp.mpf("1e-6"))
            if scale < 1:
                grads = {k: g * scale for k, g in grads.items()}
        if s.clip_value is not None:
            c = mp.mpf(s.clip_value)
            grads = {k: max(-c, min(c, g)) for k, g in grads.items()}
        for k, g in grads.items():
            w = _get(params, *k)
            _set(params, *k, _update(s, t, w, g, state[k]))
        trajectory.append({k: _copy(v) for k, v in params.items()})  # deep: a kernel's list nests four deep
        states.append({k: dict(v) for k, v in state.items()})
    return trajectory, history, states


def _flat_keys_list(params):
    return list(_flat_keys(params))


def _update(s, t, w, g, st):
    """One element's step; state by PyTorch's names."""
    m = lambda v: mp.mpf(v)  # noqa: E731
    lr = m(s.lr)
    if s.weight_decay and s.optimizer != "adamw":
        g = g + m(s.weight_decay) * w
    name = s.optimizer
    if name == "sgd":
        return w - lr * g
    if name in ("momentum", "nesterov"):
        mu = m(s.momentum)
        if s.momentum_form == "cs231n":
            prev = st.get("velocity", m(0))
            st["velocity"] = mu * prev - lr * g
            return w - mu * prev + (1 + mu) * st["velocity"] if name == "nesterov" else w + st["velocity"]
        prev = st.get("momentum_buffer")
        if s.momentum_form == "ema":
            buf = mu * (prev or 0) + (1 - mu) * g
        else:
            buf = g if prev is None else mu * prev + g
        st["momentum_buffer"] = buf
        return w - lr * (g + mu * buf) if name == "nesterov" else w - lr * buf
    eps = m(s.eps)
    root = (lambda x: mp.sqrt(x + eps)) if s.eps_form == "inside" else (lambda x: mp.sqrt(x) + eps)
    if name == "adagrad":
        st["sum"] = st.get("sum", m(0)) + g * g
        return w - lr * g / root(st["sum"])
    if name == "rmsprop":
        a = m(s.alpha)
        st["square_avg"] = a * st.get("square_avg", m(0)) + (1 - a) * g * g
        x = st["square_avg"]
        if s.centered:
            st["grad_avg"] = a * st.get("grad_avg", m(0)) + (1 - a) * g
            x = x - st["grad_avg"] ** 2
        if s.momentum:
            st["momentum_buffer"] = m(s.momentum) * st.get("momentum_buffer", m(0)) + g / root(x)
            return w - lr * st["momentum_buffer"]
        return w - lr * g / root(x)
    if name == "adamw":
        w = w * (1 - lr * m(s.weight_decay))
    b1, b2 = m(s.beta1), m(s.beta2)
    st["exp_avg"] = b1 * st.get("exp_avg", m(0)) + (1 - b1) * g
    st["exp_avg_sq"] = b2 * st.get("exp_avg_sq", m(0)) + (1 - b2) * g * g
    second = st["exp_avg_sq"]
    if s.amsgrad:
        st["max_exp_avg_sq"] = max(st.get("max_exp_avg_sq", m(0)), second)
        second = st["max_exp_avg_sq"]
    return w - lr * (st["exp_avg"] / (1 - b1 ** t)) / root(second / (1 - b2 ** t))
