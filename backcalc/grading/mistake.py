"""One catalogued mistake (:class:`Mistake`: a code and its values, never words); :func:`made`, which makes
each of the common ones once (the catalogue tries the same few on every answer of a sheet); and which of the
catalogue's explanations of a wrong value wins (:func:`best_explanation`).

>>> made("double", loss="mse") is made("double", loss="mse")
True
"""

from __future__ import annotations

import functools
import math
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


_ELSEWHERE = ("transposed",)  # values taken from another element: near misses by coincidence are common


def _tier(mistakes, origin) -> int:
    """Which explanation wins: one mistake on the exact values (1); the step done right from the student's own
    earlier values (2); one mistake on them (3); a value taken from elsewhere (4); two mistakes combined (5)."""
    if len(mistakes) > 1:
        return 5
    if mistakes[0].code in _ELSEWHERE:
        return 4
    if origin == "own":
        return 2 if mistakes[0].code == "carried" else 3
    return 1


def best_explanation(item, given, text, tol, allowed, candidates) -> tuple:
    """The best-tier candidate that reproduces ``given`` at the precision it is written in (the closest within
    a tier). A "mistake" whose value cannot be told from the right answer at that precision is never named."""
    best = {}
    match_of = tol.matcher(item, text)
    for mistakes, value, *origin in candidates:
        if value is None or not math.isfinite(value):
            continue
        match = match_of(value)
        if abs(value - item.expected) <= allowed + match:
            continue  # at the written precision this "mistake" cannot be told from the right answer: never named
        ratio = abs(given - value) / match
        if ratio > 1:
            continue
        if callable(mistakes):  # named only now that it reproduces the value (see _transposed)
            mistakes = mistakes()
        tier = _tier(mistakes, origin[0] if origin else "exact")
        if tier not in best or ratio < best[tier][0] - 1e-9:
            best[tier] = (ratio, mistakes)
    for tier in sorted(best):
        return best[tier][1]
    return ()
