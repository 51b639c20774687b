"""backcalc — backpropagation by hand, exactly.

A tape autograd (:class:`Value`, :class:`Tensor`) whose every entry keeps its chain-rule factor and
formula; worked derivations of small nets; an independent symbolic checker; a homework grader.

Importing ``backcalc`` is instant: every public name below loads its module (and numpy) on first use,
so ``backcalc --help`` never waits for numpy, sympy or matplotlib.
"""

from .errors import BackcalcError, CheckFailed, GradcheckError

__version__ = "0.1.0"

__all__ = [
    "Value", "Tensor", "Tape", "Entry", "losses", "gradcheck",
    "BackcalcError", "CheckFailed", "GradcheckError",
    "load_spec", "explain", "verify", "grad", "check_answers", "vanishing",
]

_LAZY = {
    "Value": ("backcalc.tape", "Value"),
    "Tensor": ("backcalc.tape", "Tensor"),
    "Tape": ("backcalc.tape", "Tape"),
    "Entry": ("backcalc.tape", "Entry"),
    "losses": ("backcalc.tape.losses", None),
    "gradcheck": ("backcalc.tape.gradcheck", "gradcheck"),
    "load_spec": ("backcalc.net.spec", "load_spec"),
    "explain": ("backcalc.net.derivation", "explain"),
    "verify": ("backcalc.check.verify", "verify"),
    "grad": ("backcalc.program.run", "grad"),
    "check_answers": ("backcalc.grading.grade", "check_answers"),
    "vanishing": ("backcalc.study.vanishing", "vanishing"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = importlib.import_module(module)
        value = value if attr is None else getattr(value, attr)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'backcalc' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
