"""Parameters held as named arrays: the methods every layer kind with parameters shares.

A kind lists its arrays in ``ARRAYS`` as (key prefix, attribute): dense and conv2d hold ``(("W", "weights"),
("b", "bias"))``, the norm kinds ``(("gamma", "gamma"), ("beta", "beta"))``. An attribute that is None (a layer
without that array) has no parameter.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..names import array_key


class ArrayParameters:
    """``parameters``, ``with_parameters`` and ``n_parameters`` from the kind's ``ARRAYS``."""

    ARRAYS: tuple = ()

    def _arrays(self):
        for prefix, attr in self.ARRAYS:
            value = getattr(self, attr)
            if value is not None:
                yield prefix, attr, value

    def parameters(self) -> dict:
        """``{"W{n}": weights, "b{n}": bias}`` (copies), keyed as the kind's ``ARRAYS`` name them."""
        return {array_key(prefix, self.index): value.copy() for prefix, _, value in self._arrays()}

    def with_parameters(self, values: dict):
        """The same layer with other parameter values (``{"W{n}": ..., "b{n}": ...}``; missing keys kept)."""
        n = self.index
        return replace(self, **{attr: np.asarray(values.get(array_key(prefix, n), value), dtype=np.float64)
                                for prefix, attr, value in self._arrays()})

    @property
    def n_parameters(self) -> int:
        return sum(value.size for _, _, value in self._arrays())
