"""The mistakes of nets with convolution and pooling, each redone as the student would: a backward pass of its own
(numpy, from the tape's forward values and ∂L/∂output) with one slip switched on.

- ``kernel_flipped`` — convolution (the kernel rotated 180°) where cross-correlation was meant, or the reverse:
  ``step`` "forward" (z with the flipped kernel), "kernel_gradient" (∂L/∂W rotated 180°) or "input_gradient"
  (∂L/∂x as the sum of ∂L/∂pos_in·w with the kernel not flipped back: the full correlation with the kernel
  itself where the full correlation with the flipped kernel was meant; every factor below it follows);
- ``one_position`` — a kernel element's or conv bias's ∂L/∂w with one output position's term for the sum over
  positions;
- ``pool_spread`` — a max-pool's gradient spread over the window (``share`` 1/size to each input, or
  ``copy``: the whole to each) instead of routed to the maximum; ``pool_to_max`` — the reverse for an average
  pool: routed to the window's maximum instead of shared 1/size;
- and the general ones that need no net of their own: ``sign``, ``double``, ``half``, ``no_local`` (a conv or
  dense layer's activation derivative taken as 1), ``no_bias``, ``no_activation``, the SGD step's slips.

A mistake is named only when its value reproduces the student's and can be told from the right answer at the
written precision (:func:`backcalc.grading.mistakes._best`); with every switch off :func:`backward` equals the
tape (tests/test_conv_grading.py).

>>> from backcalc.net.derivation import explain
>>> from backcalc.grading.spaces import answer_space
>>> sp = answer_space(explain("worked_examples/conv_pool.toml"))
>>> backward(sp)["W"][1].tolist(), backward(sp, flip=("kernel_gradient", 1))["W"][1].tolist()
([[[[0.5, 0.0], [0.25, 0.75]]]], [[[[0.75, 0.25], [0.0, 0.5]]]])
"""

from __future__ import annotations

import numpy as np

from ..net.names import array_key
from .conv_keys import is_conv, is_map
from .optim_mistakes import plain_sgd


def _patches(layer, a_prev) -> np.ndarray:
    """samples × in_ch × kernel offsets × positions: the input under each kernel offset (0 in the padding)."""
    taps = layer.taps()
    c = layer.in_shape[0]
    x = a_prev.reshape(a_prev.shape[0], c, -1)
    padded = np.concatenate([x, np.zeros(x.shape[:2] + (1,))], axis=2)  # index −1 reads the 0 column
    return padded[:, :, taps]


def _kernel(layer, flipped=False) -> np.ndarray:
    """out_ch × in_ch × kernel offsets (rotated 180° over its spatial axes when ``flipped``)."""
    W = layer.weights
    if flipped:
        W = np.flip(W, axis=tuple(range(2, W.ndim)))
    return W.reshape(W.shape[0], W.shape[1], -1)


def conv_z(layer, a_prev, flipped=False) -> np.ndarray:
    """z of a conv layer, samples × (out_ch·positions), from its input (the kernel flipped when asked)."""
    z = np.einsum("ock,sckp->sop", _kernel(layer, flipped), _patches(layer, a_prev))
    return (z + layer.bias[None, :, None]).reshape(a_prev.shape[0], -1)


def pool_route(layer, a_prev, how="right") -> np.ndarray:
    """samples × channels × window × positions: ∂out/∂(each window input). ``how``: "right" (max: 1 for the
    first maximum in row-major order; avg: 1/size), "share" (1/size), "copy" (1), "max" (1 for the maximum)."""
    taps = layer.taps()
    x = a_prev.reshape(a_prev.shape[0], layer.in_shape[0], -1)[:, :, taps]
    k = taps.shape[0]
    if how == "right":
        how = "max" if layer.op == "max" else "share"
    if how == "share":
        return np.full(x.shape, 1.0 / k)
    if how == "copy":
        return np.ones(x.shape)
    route = np.zeros(x.shape)
    first = np.argmax(x, axis=2)  # the first maximum in row-major window order
    np.put_along_axis(route, first[:, :, None, :], 1.0, axis=2)
    return route


def backward(sp, flip=None, no_local=None, pool=None):
    """∂L/∂out, ∂out/∂in, δ and the gradients of every layer (and ∂L/∂x of the data), with at most one slip:
    ``flip`` (step, layer), ``no_local`` (a layer), ``pool`` (layer, how). None when a softmax layer meets
    a switch it cannot model."""
    out = {"out": {}, "local": {}, "delta": {}, "W": {}, "b": {}, "dx": None}
    g = sp.g_out[sp.N]
    for n in range(sp.N, 0, -1):
        layer = sp.spec.layers[n - 1]
        a_prev = sp.a[n - 1]
        out["out"][n] = g
        if n in sp.z:
            if layer.activation == "softmax":
                s = sp.a[n]
                loc, delta = None, s * (g - (g * s).sum(axis=1, keepdims=True))
            else:
                loc = np.ones(g.shape) if no_local == n else sp.local[n]
                delta = g * loc
            out["local"][n], out["delta"][n] = loc, delta
            if is_conv(layer):
                g = _conv_back(layer, a_prev, delta, out, n, flip)
            else:
                out["W"][n] = a_prev.T @ delta
                if layer.bias is not None:
                    out["b"][n] = delta.sum(axis=0)
                g = delta @ layer.weights.T
        elif is_map(layer):  # a pool: each input gets ∂L/∂out·∂out/∂in of every window holding it
            how = pool[1] if pool and pool[0] == n else "right"
            route = pool_route(layer, a_prev, how)
            S, C = a_prev.shape[0], layer.in_shape[0]
            share = route * g.reshape(S, C, 1, -1)
            back = np.zeros((S, C, a_prev.shape[1] // C))
            taps = layer.taps()
            for k in range(taps.shape[0]):
                np.add.at(back, (slice(None), slice(None), taps[k]), share[:, :, k])
            g = back.reshape(S, -1)
        # a flatten layer hands ∂L/∂ of its features back to the map elements in the same (C) order
    out["dx"] = g
    return out


def _conv_back(layer, a_prev, delta, out, n, flip) -> np.ndarray:
    """∂L/∂W, ∂L/∂b of a conv layer into ``out``, and ∂L/∂ of its input (the sum over covering positions)."""
    S, O = delta.shape[0], layer.out_shape[0]
    d = delta.reshape(S, O, -1)
    patches = _patches(layer, a_prev)
    dW = np.einsum("sop,sckp->ock", d, patches).reshape(layer.weights.shape)
    if flip == ("kernel_gradient", n):
        dW = np.flip(dW, axis=tuple(range(2, dW.ndim)))
    out["W"][n] = dW
    out["b"][n] = d.sum(axis=(0, 2))
    back_each = np.einsum("sop,ock->sckp", d, _kernel(layer, flipped=flip == ("input_gradient", n)))
    taps = layer.taps()
    C = layer.in_shape[0]
    back = np.zeros((S, C, a_prev.shape[1] // C + 1))  # the last column takes the padding's share (dropped)
    for k in range(taps.shape[0]):
        np.add.at(back, (slice(None), slice(None), taps[k]), back_each[:, :, k])
    return back[:, :, :-1].reshape(S, -1)


# ─────────────────────────────────────────── the candidates of one key ───────────────────────────────────────────

def runs(sp) -> list:
    """((code, params), run) of every backward-pass slip of the net, in the order they are tried."""
    out = []
    for layer in sp.spec.layers:
        n, name = layer.index, layer.name
        if is_conv(layer):
            out.append((("kernel_gradient_flipped", (("layer", name),)), backward(sp, flip=("kernel_gradient", n))))
            out.append((("kernel_not_flipped", (("layer", name),)), backward(sp, flip=("input_gradient", n))))
        elif is_map(layer) and layer.op == "max":
            size = (("layer", name), ("size", layer.window))
            out.append((("pool_spread", size), backward(sp, pool=(n, "share"))))
            out.append((("pool_spread_whole", size), backward(sp, pool=(n, "copy"))))
        elif is_map(layer):
            out.append((("pool_to_max", (("layer", name), ("size", layer.window))), backward(sp, pool=(n, "max"))))
        if n in sp.z and layer.activation not in ("linear", "softmax"):
            out.append((("no_local", (("n", n), ("layer", name), ("activation", layer.activation))),
                        backward(sp, no_local=n)))
    return out


def pick(run, ref):
    """The value a run gives for an item's ref (None where it has none)."""
    if ref.kind in ("W", "b"):
        table = run[ref.kind].get(ref.layer)
        return None if table is None else float(table[ref.index])
    if ref.kind == "dx":
        return float(run["dx"][ref.sample, ref.unit])
    table = run.get(ref.kind, {}).get(ref.layer) if ref.kind in ("out", "local", "delta") else None
    return None if table is None else float(table[ref.sample, ref.unit])


def candidates(sp, item, slips):
    """((code, params), ...), value) for one item; ``slips``: :func:`runs` of the net."""
    ref, e = item.ref, item.expected  # the loss's own slips are graph_mistakes.loss_candidates, for every net
    loss = sp.spec.loss
    scaled = ((("sign", ()),), -e), ((("double", (("loss", loss),)),), 2 * e), ((("half", (("loss", loss),)),), e / 2)
    if item.section == "forward":
        yield from _forward(sp, item)
    elif item.section == "factors":  # the net's own slips first: a flip or a 1/size share may double or halve
        if ref.kind == "route":
            yield from _route(sp, item)
        for code, run in slips:
            v = pick(run, ref)
            if v is not None:
                yield (code,), v
        if ref.kind in ("out", "delta", "dx"):
            yield from scaled
    elif item.section == "gradients":
        yield from _gradients(sp, item, slips, scaled)
    elif item.section == "updated" and item.step is None and plain_sgd(sp.spec) and sp.spec.steps == 1:
        lr, old = sp.lr, item.old
        g = float(sp.grads[ref.array][ref.index])
        steps = ((("update_sign", ()), lambda v: old + lr * v), (("lr_none", ()), lambda v: old - v),
                 (("lr_twice", ()), lambda v: old - lr * lr * v))
        for m, f in steps:
            yield (m,), f(g)
        yield (("not_updated", ()),), old
        yield (("gradient_as_new", ()),), g
        yield (("step_as_new", ()),), -lr * g
        for codes, v in _gradients(sp, item, slips, scaled):
            if codes[0][0] != "sign":
                yield codes, old - lr * v
    elif item.section == "updated":
        yield (("not_updated", ()),), item.old


def _gradients(sp, item, slips, scaled):
    for code, run in slips:
        v = pick(run, item.ref)
        if v is not None:
            yield (code,), v
    yield from _one_position(sp, item)
    yield from scaled


def _one_position(sp, item):
    """A conv kernel element's (or bias's) ∂L/∂w as one output position's term: each distinct value once, the
    position named only when no other position gives the same term."""
    ref = item.ref
    layer = sp.spec.layers[ref.layer - 1]
    if not is_conv(layer) or layer.positions < 2:
        return
    P, o = layer.positions, ref.unit
    delta = sp.delta[ref.layer].reshape(sp.S, -1, P)[:, o]                      # samples × positions
    if ref.kind == "W":
        patches = _patches(layer, sp.a[ref.layer - 1])
        k = int(np.prod(layer.weights.shape[2:]))
        c = ref.at[1]
        off = int(np.ravel_multi_index(ref.at[2:], layer.weights.shape[2:])) if k > 1 else 0
        terms = (delta * patches[:, c, off]).sum(axis=0)
    else:
        terms = delta.sum(axis=0)
    for pos, v in enumerate(terms):
        same = np.isclose(terms, v, rtol=1e-12, atol=1e-15)
        if same[:pos].any():
            continue
        name = layer.unit_names[o * P + pos] if same.sum() == 1 else ""
        yield (("one_position", (("layer", layer.name), ("position", name))),), float(v)


def _forward(sp, item):
    ref = item.ref
    n, s, c = ref.layer, ref.sample, ref.unit
    layer = sp.spec.layers[n - 1]
    yield (("sign", ()),), -item.expected
    if n not in sp.z:
        return
    act = _activation(layer)
    unit = layer.unit_names[c]
    bias = layer.bias[c // layer.positions] if is_conv(layer) else (layer.bias[c] if layer.bias is not None else 0.0)
    z = float(sp.z[n][s, c])
    if ref.kind == "a" and layer.activation != "linear":
        yield (("no_activation", (("unit", unit),)),), z
    if bias:
        b_name = sp.pnames[f"b{n}[{c // layer.positions if is_conv(layer) else c}]"]
        yield (("no_bias", (("bias", b_name),)),), (z - bias if ref.kind == "z" else act(z - bias))
    if is_conv(layer):
        flipped = float(conv_z(layer, sp.a[n - 1], flipped=True)[s, c])
        yield (("kernel_flipped", (("layer", layer.name),)),), (flipped if ref.kind == "z" else act(flipped))


def _activation(layer):
    from ..tape.rules import RULES

    if layer.activation == "softmax":
        return lambda v: float("nan")
    kw = {"alpha": layer.alpha} if layer.alpha is not None else {}
    return lambda v: float(RULES[layer.activation].array(np.array([v]), **kw)[0])


def _route(sp, item):
    """∂pool_out/∂in_out: 1/size (or 1) for every input of a max-pool's window; 1 for an average's maximum."""
    ref = item.ref
    layer = sp.spec.layers[ref.layer - 1]
    params = (("layer", layer.name), ("size", layer.window))
    if layer.op == "max":
        yield (("pool_spread", params),), 1.0 / layer.window
        yield (("pool_spread_whole", params),), 1.0
    else:
        route = pool_route(layer, sp.a[ref.layer - 1], "max")
        P = int(np.prod(layer.out_shape[1:]))
        ch, pos = divmod(ref.unit, P)
        taps = layer.taps()
        spatial = sp.a[ref.layer - 1].shape[1] // layer.in_shape[0]
        offsets = np.nonzero(taps[:, pos] == ref.source - ch * spatial)[0]
        if offsets.size:
            yield (("pool_to_max", params),), float(route[ref.sample, ch, offsets[0], pos])
