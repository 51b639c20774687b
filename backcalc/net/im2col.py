"""The im2col view of a convolution, its compact matrix form: every window of the input a row of one matrix,

    im2col(x)  (samples·positions) × (in_channels·kernel),   δ = ∂L/∂z  (samples·positions) × out_channels,
    dW = im2col(x)ᵀ·δ  (in_channels·kernel) × out_channels, reshaped to the kernel,   db = Σ over the rows of δ

— the same sum over positions as the unit form's rows, done as one product. The matrices are read from the
derivation: the windows gathered from the layer's input by its own tap table (zeros in the padding), δ of every
output position from the δ records, dW and db the tape's gradients. Nothing is multiplied here;
tests/test_matrix_extras.py multiplies them with numpy and finds the tape's gradients (and PyTorch's).

>>> from backcalc import explain, load_spec
>>> [c.dW_flat for c in conv_matrices(explain(load_spec("worked_examples/conv_pool.toml")))]
[[[0.5], [0.0], [0.25], [0.75]]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the im2col matrix is listed up to this many entries (a larger layer keeps its unit form only)
MAX_ENTRIES = 400


@dataclass(frozen=True)
class ConvMatrices:
    """One convolution layer's im2col form (lists of rows)."""

    layer: int
    name: str
    activation: str
    source: str          # "x" or "a{n−1}": the layer's input
    patches: list        # (samples·positions) × (in_channels·kernel): row = window, C order (channel, offset)
    delta: list          # (samples·positions) × out_channels: δ = ∂L/∂z at each position
    dW_flat: list        # (in_channels·kernel) × out_channels
    dW: list             # out × in × kernel, the spec's shape
    db: list | None      # out_channels (None without a bias)


def conv_matrices(d) -> tuple:
    """The im2col form of every convolution layer of ``d`` (those with ``im2col``), output side first; ``()``
    past the size limit or when the derivation lists no units."""
    spec = d.spec
    if not d.shows_detail():
        return ()
    delta = {(x.unit, x.sample): x.value for x in d.deltas}
    out = []
    for layer in reversed(spec.layers):
        if not getattr(layer, "im2col", False):
            continue
        n, samples = layer.index, spec.samples
        taps = layer.taps()                              # kernel offsets × positions (−1 in the padding)
        C, O, K, P = layer.in_shape[0], layer.out_shape[0], taps.shape[0], taps.shape[1]
        if samples * P * C * K > MAX_ENTRIES:
            continue
        x = np.asarray(spec.x if n == 1 else d.forward[f"a{n - 1}"], dtype=float).reshape(samples, C, -1)
        patches = [[float(x[s, c, taps[k, p]]) if taps[k, p] >= 0 else 0.0 for c in range(C) for k in range(K)]
                   for s in range(samples) for p in range(P)]
        rows = [[delta[(layer.unit_names[o * P + p], s + 1)] for o in range(O)] for s in range(samples)
                for p in range(P)]
        W = np.asarray(d.gradients[f"W{n}"], dtype=float)
        out.append(ConvMatrices(n, layer.name, layer.activation, "x" if n == 1 else f"a{n - 1}", patches, rows,
                                W.reshape(O, C * K).T.tolist(), W.tolist(), d.gradients.get(f"b{n}")))
    return tuple(out)
