"""The one exception module: every error backcalc raises on purpose lives here, with the helper that
words a did-you-mean.

The CLI maps :class:`BackcalcError` to exit code 2 (bad input) and :class:`CheckFailed`
to exit code 1 (ran, but a check found a mismatch).
"""


class BackcalcError(Exception):
    """Bad input: the message names what was wrong, where, and what was expected."""


class SpecError(BackcalcError):
    """An invalid spec file or spec dictionary."""


class ExpressionError(BackcalcError):
    """A `grad` program that the whitelist parser refuses."""


class AnswersError(BackcalcError):
    """An invalid answers file."""


class InitError(BackcalcError, ValueError):
    """An initialiser name that backcalc does not know, or a bad parameter (``normal:-1``)."""


class VanishingError(BackcalcError, ValueError):
    """A bad option of the vanishing study (the message names it and what was expected)."""


class ArgumentError(BackcalcError, ValueError):
    """A bad argument to the Python API (``gradcheck(eps=0)``, ``check_backward(trials=0)`` with no inputs)."""


class DomainError(BackcalcError, ValueError):
    """A value outside the domain of an operation (log of 0, sqrt of a negative number...)."""


class ShapeError(BackcalcError, ValueError):
    """Tensor shapes that do not fit an operation."""


class NonFiniteError(BackcalcError, ArithmeticError):
    """A run that produced inf or NaN; the message names the first place (step, layer, key) and the cause."""


class CheckFailed(Exception):
    """A check ran and found a mismatch (exit code 1)."""


class Mismatch(AssertionError):
    """A value or a gradient that does not match; ``.key``, ``.expected``, ``.given``, ``.diagnosis``."""

    def __init__(self, message, key=None, expected=None, given=None, diagnosis=None):
        super().__init__(message)
        self.key, self.expected, self.given, self.diagnosis = key, expected, given, diagnosis


class GradcheckError(AssertionError):
    """Tape gradients disagree with central finite differences."""


def closest(word, choices) -> str | None:
    """The closest of ``choices`` to a misspelt ``word`` (``'sigmoid'`` for ``'sigmiod'``), or None."""
    import difflib

    if len(str(word)) > 100:  # nothing that long is a typo of a key, and difflib would take seconds
        return None
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word, choices) -> str:
    """`` (did you mean 'sigmoid'?)`` for the closest of ``choices``, or an empty string."""
    close = closest(word, choices)
    return f" (did you mean {close!r}?)" if close else ""
