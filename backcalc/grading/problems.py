"""Why an entry of an answers sheet cannot be read, as a record: a code and its values, never words.

The reader (:mod:`backcalc.grading.reader`) makes a :class:`Problem` for every unreadable cell;
:func:`backcalc.render.labels_answers.problem_text` writes it in English or Indonesian. What a value is (a list,
a table, the string 'x') is itself a code (:func:`kind_of`), and so is a hint (did you mean, where a key belongs).

>>> p = problem("decimal_comma", text="0,128", fixed="0.128")
>>> p.code, p.get("fixed")
('decimal_comma', '0.128')
>>> kind_of([1, 2]), kind_of("abc")
(Problem(code='list', params=()), Problem(code='string', params=(('value', "'abc'"),)))
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import AnswersError
from .coded import Coded


@dataclass(frozen=True)
class Problem(Coded):
    """A code and its values (``params``: name/value pairs, each value a str, an int or a Problem)."""


def problem(code: str, **params) -> Problem:
    """``Problem(code, params)`` with the values given by name (None values are left out)."""
    return Problem(code, tuple((k, v) for k, v in params.items() if v is not None))


def kind_of(value, number_text=None) -> Problem:
    """What a value of the sheet is, for "expected …, got …": a list, a table, a boolean, a string, a number."""
    if isinstance(value, list):
        return problem("list")
    if isinstance(value, dict):
        return problem("table")
    if isinstance(value, bool):
        return problem("boolean")
    if isinstance(value, str):
        return problem("string", value=repr(value)) if len(value) < 40 else problem("long_string")
    if number_text is not None:
        return problem("number", value=number_text)
    if isinstance(value, (int, float)):
        return problem("number", value=str(value))
    return problem("other", value=type(value).__name__)


class SheetError(AnswersError):
    """A whole sheet that cannot be graded, with its :class:`Problem` (``grade``'s report writes it in the
    report's language; the message stays for ``check``'s one line and the gradebook's error column)."""

    def __init__(self, message: str, problem: Problem):
        super().__init__(message)
        self.problem = problem
