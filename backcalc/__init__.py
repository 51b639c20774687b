"""backcalc — backpropagation by hand, exactly.

A tape autograd (:class:`Value`, :class:`Tensor`) whose every entry keeps its chain-rule factor and
formula; worked derivations of small nets; an independent symbolic checker; a homework grader.
Imports here stay light: sympy and matplotlib load only inside the functions that need them.
"""

from . import losses
from .errors import BackcalcError, CheckFailed, GradcheckError
from .numeric import gradcheck
from .tape import Entry, Tape, Tensor, Value

__version__ = "0.1.0"

__all__ = [
    "Value", "Tensor", "Tape", "Entry", "losses", "gradcheck",
    "BackcalcError", "CheckFailed", "GradcheckError",
    "load_spec", "explain", "verify", "check_answers", "vanishing",
]

_LAZY = {
    "load_spec": ("backcalc.spec", "load_spec"),
    "explain": ("backcalc.derivation", "explain"),
    "verify": ("backcalc.symbolic", "verify"),
    "check_answers": ("backcalc.answers", "check_answers"),
    "vanishing": ("backcalc.vanishing", "vanishing"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'backcalc' has no attribute {name!r}")
