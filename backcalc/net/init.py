"""Weight initialisers by name: ``normal:STD``, ``uniform:A``, Xavier/Glorot, He, LeCun, ``zeros``.

:func:`initializer` turns a name into a callable ``init(rng, fan_in, fan_out)`` that draws a float64
matrix of shape ``(fan_in, fan_out)`` — the orientation of spec files, ``x @ W``. The Xavier, He and LeCun
normals are plain (untruncated) normals, as in PyTorch's ``nn.init``; Keras truncates them.

| name | draws |
| --- | --- |
| ``normal:STD`` | N(0, STD²) |
| ``uniform:A`` | U(−A, A) |
| ``xavier_normal`` = ``glorot_normal`` | N(0, 2/(fan_in + fan_out)) |
| ``xavier_uniform`` = ``glorot_uniform`` | U(±√(6/(fan_in + fan_out))) |
| ``he_normal`` / ``he_uniform`` | N(0, 2/fan_in) / U(±√(6/fan_in)) |
| ``lecun_normal`` / ``lecun_uniform`` | N(0, 1/fan_in) / U(±√(3/fan_in)) |
| ``torch_linear`` | U(±1/√fan_in): PyTorch's ``nn.Linear`` default (``kaiming_uniform_(a=√5)``) |
| ``zeros`` | 0 |
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import InitError

__all__ = ["Init", "InitError", "initializer", "NAMES"]


@dataclass(frozen=True)
class Init:
    """A named initialiser: ``init(rng, fan_in, fan_out)`` draws a ``(fan_in, fan_out)`` float64 matrix."""

    name: str        # canonical: "normal:0.01", "xavier_normal" (never the glorot_ alias)
    formula: str     # what it draws, for a student: "N(0, 0.01²)", "N(0, 2/fan_in)"
    draw: Callable = None

    def __call__(self, rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
        return self.draw(rng, int(fan_in), int(fan_out))


def _normal(std_of):
    def draw(rng, i, o):
        w = rng.standard_normal((i, o))
        w *= std_of(i, o)  # scaled where it was drawn: the same products, one matrix allocated instead of two
        return w

    return draw


def _uniform(limit_of):
    return lambda rng, i, o: rng.uniform(-limit_of(i, o), limit_of(i, o), size=(i, o))


_FIXED = {
    "xavier_normal": ("N(0, 2/(fan_in + fan_out))", _normal(lambda i, o: math.sqrt(2.0 / (i + o)))),
    "xavier_uniform": ("U(±√(6/(fan_in + fan_out)))", _uniform(lambda i, o: math.sqrt(6.0 / (i + o)))),
    "he_normal": ("N(0, 2/fan_in)", _normal(lambda i, o: math.sqrt(2.0 / i))),
    "he_uniform": ("U(±√(6/fan_in))", _uniform(lambda i, o: math.sqrt(6.0 / i))),
    "lecun_normal": ("N(0, 1/fan_in)", _normal(lambda i, o: math.sqrt(1.0 / i))),
    "lecun_uniform": ("U(±√(3/fan_in))", _uniform(lambda i, o: math.sqrt(3.0 / i))),
    "torch_linear": ("U(±1/√fan_in)", _uniform(lambda i, o: 1.0 / math.sqrt(i))),  # nn.Linear's default
    "zeros": ("0", lambda rng, i, o: np.zeros((i, o))),
}
_ALIASES = {"glorot_normal": "xavier_normal", "glorot_uniform": "xavier_uniform"}
_PARAMETRIC = {"normal": "STD", "uniform": "A"}

#: Every accepted name, as a user writes it (``normal:STD`` and ``uniform:A`` take a number).
NAMES = ("normal:STD", "uniform:A", *_FIXED, *_ALIASES)


MAX_SCALE = 1e300  # STD or A: U(±1e308) overflows numpy's range (high − low > the largest float)


def initializer(name: str, what: str = "init", max_scale: float = MAX_SCALE) -> Init:
    """The initialiser called ``name``; ``what`` names the option or key in error messages.

    >>> import numpy as np
    >>> init = initializer("he_normal")
    >>> init.formula, init(np.random.default_rng(0), 512, 256).shape
    ('N(0, 2/fan_in)', (512, 256))
    >>> initializer("normal:0.01").name
    'normal:0.01'
    """
    if not isinstance(name, str):
        raise InitError(f"{what}: expected an initialiser name such as 'he_normal' or 'normal:0.01', "
                        f"got {type(name).__name__}")
    text = name.strip().lower()
    kind, sep, param = text.partition(":")
    kind = _ALIASES.get(kind, kind)
    if kind in _PARAMETRIC:
        return _parametric(kind, param if sep else None, name, what, max_scale)
    if kind in _FIXED:
        if sep:
            raise InitError(f"{what}: {kind} takes no parameter, got {name!r} (write just {kind!r})")
        formula, draw = _FIXED[kind]
        return Init(kind, formula, draw)
    raise InitError(f"{what}: unknown initialiser {name!r}{_did_you_mean(kind)} (expected one of "
                    + ", ".join(NAMES) + ")")


def _parametric(kind: str, param: str | None, name: str, what: str, max_scale: float = MAX_SCALE) -> Init:
    symbol = _PARAMETRIC[kind]
    example = f"{kind}:0.01" if kind == "normal" else f"{kind}:0.05"
    if param is None or not param.strip():
        raise InitError(f"{what}: {kind} needs a number: {kind}:{symbol}, e.g. {example}")
    try:
        value = float(param)
    except ValueError:
        raise InitError(f"{what}: {name!r}: {symbol} must be a number, e.g. {example}") from None
    if not math.isfinite(value) or value < 0:
        raise InitError(f"{what}: {name!r}: {symbol} must be a finite number ≥ 0, e.g. {example}")
    if value > max_scale:
        raise InitError(f"{what}: {name!r}: {symbol} must be at most {max_scale:g}, e.g. {example}")
    canonical = f"{kind}:{value!r}"
    if kind == "normal":
        return Init(canonical, f"N(0, {value!r}²)", _normal(lambda i, o: value))
    return Init(canonical, f"U(±{value!r})", _uniform(lambda i, o: value))


def _did_you_mean(kind: str) -> str:
    choices = [*_FIXED, *_ALIASES, *_PARAMETRIC]
    close = difflib.get_close_matches(kind, choices, n=2, cutoff=0.6)
    if not close:
        return ""
    shown = [f"{c}:{_PARAMETRIC[c]}" if c in _PARAMETRIC else c for c in close]
    return "; did you mean " + " or ".join(repr(s) for s in shown) + "?"
