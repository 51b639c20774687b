"""``kind = "batchnorm"``: the normalisation layer of :mod:`backcalc.net.layers.norm` with its statistics taken over
the samples of the batch (one μ and σ² per unit; training mode, biased variance).

>>> KEYS
('activation', 'alpha', 'gamma', 'beta', 'eps')
"""

from __future__ import annotations

from . import norm

KEYS = norm.KEYS


def read(table: dict, ctx) -> norm.Norm:
    """A batchnorm layer from its ``[[layers]]`` table."""
    return norm.read(table, ctx, "batchnorm")
