"""The answer space of a derivation: :class:`~backcalc.grading.conv_keys.MapSpace` for a net with conv, pool or
flatten layers, :class:`~backcalc.grading.keys.AnswerSpace` for every other.

>>> from backcalc.net.derivation import explain
>>> type(answer_space(explain("worked_examples/conv_pool.toml"))).__name__, type(answer_space(explain())).__name__
('MapSpace', 'AnswerSpace')
"""

from __future__ import annotations

from .conv_keys import MapSpace, has_maps
from .keys import AnswerSpace


def answer_space(d) -> AnswerSpace:
    """The answer space of derivation ``d`` (see the module's docstring)."""
    return MapSpace(d) if has_maps(d.spec) else AnswerSpace(d)
