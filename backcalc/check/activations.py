"""Activations from their textbook definitions, for the independent checker: sympy expressions and numpy.

Written here, never read from the rule table (:mod:`backcalc.tape.rules`), so a wrong entry there shows up in
`verify` as a mismatch instead of being copied. Every layer kind of :mod:`backcalc.check.layers` with an
activation uses these.

>>> import sympy
>>> activation_expression("sigmoid", sympy.Symbol("z"), sympy)
1/(1 + exp(-z))
>>> import numpy as np
>>> numpy_activation("relu", None, np.array([[-1.0, 2.0]]))
array([[0., 2.]])
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

# SELU's constants (Klambauer et al. 2017), written here, not read from the rule table
SELU_LAMBDA = "1.0507009873554804934193349852946"
SELU_ALPHA = "1.6732632423543772848170429916717"

#: activations with a kink at 0, where central differences straddle two slopes
KINKED = ("relu", "leaky_relu", "elu", "selu")


def exact(x, sp):
    """The float ``x`` as the exact sympy rational it stands for."""
    return sp.Rational(*Fraction(repr(float(x))).as_integer_ratio())


def activation_expression(name: str, z, sp, alpha=None, selu_constants=None):
    """An activation as a sympy expression of ``z``, from its textbook definition.

    >>> import sympy
    >>> activation_expression("relu", sympy.Symbol("z"), sympy)
    Piecewise((z, z > 0), (0, True))
    """
    if name == "linear":
        return z
    if name == "sigmoid":
        return 1 / (1 + sp.exp(-z))
    if name == "tanh":
        return sp.tanh(z)
    if name == "relu":  # relu(z) = z for z > 0, else 0: its derivative at 0 is then 0
        return sp.Piecewise((z, z > 0), (0, True))
    if name == "leaky_relu":
        return sp.Piecewise((z, z > 0), (exact(0.01 if alpha is None else alpha, sp) * z, True))
    if name == "elu":
        return sp.Piecewise((z, z > 0), (exact(1.0 if alpha is None else alpha, sp) * (sp.exp(z) - 1), True))
    if name == "selu":
        lam, alp = selu_constants or (sp.Rational(Fraction(SELU_LAMBDA)), sp.Rational(Fraction(SELU_ALPHA)))
        return lam * sp.Piecewise((z, z > 0), (alp * (sp.exp(z) - 1), True))
    raise ValueError(f"no elementwise sympy definition for {name!r}")


def numpy_activation(act: str, alpha, z):
    """An activation in plain numpy (forward only); softmax over each row."""
    with np.errstate(over="ignore"):
        if act == "linear":
            return z
        if act == "relu":
            return np.where(z > 0, z, 0.0)
        if act == "leaky_relu":
            return np.where(z > 0, z, (0.01 if alpha is None else alpha) * z)
        if act in ("elu", "selu"):
            scale, a = (1.0, 1.0 if alpha is None else alpha) if act == "elu" else (float(SELU_LAMBDA), float(SELU_ALPHA))
            return scale * np.where(z > 0, z, a * np.expm1(np.minimum(z, 0)))
        if act == "sigmoid":
            return 1.0 / (1.0 + np.exp(-z))
        if act == "tanh":
            return np.tanh(z)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
