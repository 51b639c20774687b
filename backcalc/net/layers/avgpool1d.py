"""``kind = "avgpool1d"``: the mean of each window (every input gets its 1/size share of the gradient), over each sample's
channels × length, as PyTorch's ``avg_pool1d``. See :mod:`backcalc.net.layers.pool`."""

from __future__ import annotations

from . import pool

KEYS = pool.KEYS
TAKES_MAPS = True
MAP_AXES = 1   # data.x of depth 3 is samples × channels × length


def read(table: dict, ctx):
    """An average-pooling :class:`~backcalc.net.layers.pool.Pool` from its table (``size``, ``stride``)."""
    return pool.read(table, ctx, "avg", 1)
