"""``kind = "avgpool2d"``: the mean of each window (every input gets its 1/size share of the gradient), over each sample's
channels × height × width, as PyTorch's ``avg_pool2d``. See :mod:`backcalc.net.layers.pool`."""

from __future__ import annotations

from . import pool

KEYS = pool.KEYS
TAKES_MAPS = True


def read(table: dict, ctx):
    """An average-pooling :class:`~backcalc.net.layers.pool.Pool` from its table (``size``, ``stride``)."""
    return pool.read(table, ctx, "avg", 2)
