"""``kind = "maxpool1d"``: the largest input of each window (the gradient goes to it alone; a tie to the
first in row-major order), over each sample's
channels × length, as PyTorch's ``max_pool1d``. See :mod:`backcalc.net.layers.pool`."""

from __future__ import annotations

from . import pool

KEYS = pool.KEYS
TAKES_MAPS = True
MAP_AXES = 1   # data.x of depth 3 is samples × channels × length


def read(table: dict, ctx):
    """A max-pooling :class:`~backcalc.net.layers.pool.Pool` from its table (``size``, ``stride``)."""
    return pool.read(table, ctx, "max", 1)
