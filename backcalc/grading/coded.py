"""A record of a code and its values, never words: the base of a catalogued mistake
(:class:`backcalc.grading.mistakes.Mistake`) and of an unreadable entry (:class:`backcalc.grading.problems.Problem`).
The renderers turn the code into words in English or Indonesian.

>>> c = Coded("sign", (("loss", "mse"),))
>>> c.get("loss"), c.get("lr", 0.1)
('mse', 0.1)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coded:
    """A code and its values (``params``: name/value pairs)."""

    code: str
    params: tuple = ()

    def get(self, name, default=None):
        """The value named ``name``, or ``default``."""
        return dict(self.params).get(name, default)

    def __reduce__(self):  # crosses from grade's workers as a plain tuple
        return (type(self), (self.code, self.params))
