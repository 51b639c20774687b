"""The study's measuring pass (study/tapenet.py) holds what an untaped pass would: its statistics are taken
as the pass goes, bit for bit the numbers that reading every node back from the tape gives."""

import math
import tracemalloc

import numpy as np
import pytest

from backcalc.study import tapenet
from backcalc.study.options import make_config, resolve
from backcalc.study.vanishing import make_problem

SMALL = dict(depth=6, width=64, samples=300, features=40)


def _setup(**options):
    config = dict(SMALL, **options)
    cfg, _ = resolve(make_config(config))
    x, y, weights, _ = make_problem(**config)
    return cfg, x, y, weights


def _read_back(cfg, x, y, weights):
    """The statistics read from a pass that keeps every node's output, factor and gradient (the old way)."""
    layers = tapenet.build(cfg, [w.copy() for w in weights])
    loss, nodes = tapenet.forward(layers, x, y, cfg)
    loss.backward(keep_grads=True)
    rows = []
    for (z, h, out), layer in zip(nodes, layers):
        f, data, g = h.local[0], out.data, out.grad
        rows.append((float(data.mean()), tapenet.norm(data) / math.sqrt(data.size),
                     float(g.mean()) if g is not None else None, float(np.mean(f)),
                     float(np.abs(layer.W.grad).mean()), tapenet.norm(layer.W.grad),
                     tapenet.norm(g) / math.sqrt(g.size) if g is not None else None))
    return float(loss.item()), rows


@pytest.mark.parametrize("options", [{}, {"residual": True}, {"batchnorm": True},
                                     {"batchnorm": True, "batchnorm_position": "after", "activation": "tanh"},
                                     {"loss": "bce", "activation": "relu", "init": "he_normal"}])
def test_statistics_taken_as_the_pass_goes_are_the_numbers_read_back(options):
    cfg, x, y, weights = _setup(**options)
    loss, stats, _, _, _ = tapenet.measure(cfg, tapenet.build(cfg, [w.copy() for w in weights]), x, y)
    want_loss, want = _read_back(cfg, x, y, weights)
    assert loss == want_loss
    got = [(s.mean_activation, s.rms_activation, s.mean_grad_a, s.mean_derivative, s.mean_abs_grad_W,
            s.grad_norm_W, s.rms_grad_a) for s in stats]
    assert got == want  # exactly: the same arrays, the same reductions


def test_the_pass_keeps_no_hidden_layer_output_factor_or_gradient():
    cfg, x, y, weights = _setup()
    _, _, _, _, nodes = tapenet.measure(cfg, tapenet.build(cfg, weights), x, y)
    for z, h, out in nodes[:-1]:
        assert z._data is not None                             # the pre-activation, as numpy keeps a layer's array
        assert h._data is None and h._local is None            # σ's output and factor: recomputed when read
        assert out._grad is None and z._grad is None           # ∂L/∂a and ∂L/∂z: measured in the sweep, not kept


def test_peak_memory_is_close_to_numpy_doing_the_same():
    cfg, x, y, weights = _setup(depth=8, width=256, samples=400, features=100)

    def hand():  # forward and backward of the same net, seed 000's way
        acts = [x]
        for W in weights:
            acts.append(1.0 / (1.0 + np.exp(-(acts[-1] @ W))))
        g, dWs = acts[-1] - y, []
        for n in range(len(weights) - 1, -1, -1):
            a = acts[n + 1]
            g = g * a * (1 - a)
            dWs.append(acts[n].T @ g)
            g = g @ weights[n].T
        return dWs

    layers = tapenet.build(cfg, weights)
    peaks = []
    for f in (hand, lambda: tapenet.measure(cfg, layers, x, y)):
        tracemalloc.start()
        f()
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] <= 1.5 * peaks[0]  # it was 3.3× while the statistics held every layer's arrays
