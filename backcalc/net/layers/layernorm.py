"""``kind = "layernorm"``: the normalisation layer of :mod:`backcalc.net.layers.norm` with its statistics taken over
the units of each sample (one μ and σ² per sample; biased variance).

>>> KEYS
('activation', 'alpha', 'gamma', 'beta', 'eps')
"""

from __future__ import annotations

from . import norm

KEYS = norm.KEYS


def read(table: dict, ctx) -> norm.Norm:
    """A layernorm layer from its ``[[layers]]`` table."""
    return norm.read(table, ctx, "layernorm")
