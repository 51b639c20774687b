"""One catalogued mistake (:class:`Mistake`: a code and its values, never words) and :func:`made`, which makes
each of the common ones once: the catalogue tries the same few on every answer of a sheet.

>>> made("double", loss="mse") is made("double", loss="mse")
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .coded import Coded


@dataclass(frozen=True)
class Mistake(Coded):
    """One catalogued mistake; ``params`` are the names and numbers its description needs."""


_PLAIN = (str, int, bool, type(None))
_MADE: dict = {}


def made(code, **params) -> Mistake:
    """``Mistake(code, params)``; one of names and whole numbers only is made once and shared."""
    if not all(type(v) in _PLAIN for v in params.values()):
        return Mistake(code, tuple(params.items()))
    key = (code,) + tuple((k, type(v), v) for k, v in params.items())  # the type: True and 1 stay apart
    found = _MADE.get(key)
    if found is None:
        if len(_MADE) > 4096:
            _MADE.clear()
        found = _MADE[key] = Mistake(code, tuple(params.items()))
    return found


NEW_AS_GRADIENT = (made("new_as_gradient"),)
STEP_AS_GRADIENT = (made("step_as_gradient"),)


@functools.lru_cache(maxsize=None)
def scaled_mistakes(loss: str) -> tuple:
    """The sign, double and half mistakes (each a one-mistake explanation), made once per loss."""
    return (made("sign"),), (made("double", loss=loss),), (made("half", loss=loss),)
