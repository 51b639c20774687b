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

from ..net.names import node_out
from .sympy_tools import is_zero

# SELU's constants (Klambauer et al. 2017), written here, not read from the rule table
SELU_LAMBDA = "1.0507009873554804934193349852946"
SELU_ALPHA = "1.6732632423543772848170429916717"

#: activations with a kink at 0, where central differences straddle two slopes
KINKED = ("relu", "leaky_relu", "elu", "selu")
#: float64's unit roundoff: one rounding moves a number by at most this much, relative
UNIT_ROUNDOFF = 2.0 ** -53


def rounding_zeros(z: np.ndarray, magnitude: np.ndarray, terms: int) -> np.ndarray:
    """Where a pre-activation ``z`` (a float sum of ``terms`` terms whose absolute values add to ``magnitude``)
    is non-zero but within the rounding such a sum carries, (terms + 2)·2⁻⁵³·Σ|term|, of 0 — 0.1 + 0.2 − 0.3 =
    5.55e-17: the README's rule that such a pre-activation is the kink, written here from its statement.

    >>> import numpy as np
    >>> rounding_zeros(np.array([0.1 + 0.2 - 0.3, 1e-15]), np.array([0.6, 0.6]), 3).tolist()
    [True, False]
    """
    return (z != 0) & (np.abs(z) <= (terms + 2) * UNIT_ROUNDOFF * magnitude)


def at_kink(name: str, z: np.ndarray, magnitude, terms: int) -> np.ndarray:
    """``z`` with the elements :func:`rounding_zeros` finds set to exactly 0, for an activation with a kink (sympy's
    Piecewise then gives its value and slope at 0); ``magnitude()`` is called only for such an activation."""
    if name not in KINKED:
        return z
    zeros = rounding_zeros(z, magnitude(), terms)
    return np.where(zeros, 0.0, z) if zeros.any() else z


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


class LayerActivation:
    """sympy's derivative of a layer's activation — f′(z) of one unit, or the softmax Jacobian — diffed once."""

    def __init__(self, layer, sp):
        self.softmax = layer.activation == "softmax"
        if self.softmax:
            self.zs = [sp.Symbol(f"z{i}", real=True) for i in range(layer.units)]
            total = sum(sp.exp(z) for z in self.zs)
            self.outs = [sp.exp(z) / total for z in self.zs]
            self.jacobian = [[sp.diff(out, z) for z in self.zs] for out in self.outs]  # [j][i] = ∂a_j/∂z_i
        else:
            self.z = sp.Symbol("z", real=True)
            self.act = activation_expression(layer.activation, self.z, sp, layer.alpha)
            self.dact = sp.diff(self.act, self.z)

    def evaluate(self, z: np.ndarray, memo) -> tuple:
        """``(a, d)``: the activation of ``z`` (samples × units) and its derivative (softmax: the Jacobian)."""
        a = np.empty_like(z)
        d = np.empty(z.shape + (z.shape[1],)) if self.softmax else np.empty_like(z)
        for s in range(z.shape[0]):
            if self.softmax:
                point = dict(zip(self.zs, z[s]))
                a[s] = [memo(out, point) for out in self.outs]
                d[s] = [[memo(entry, point) for entry in row] for row in self.jacobian]
            else:
                for u in range(z.shape[1]):
                    a[s, u] = memo(self.act, {self.z: z[s, u]})
                    d[s, u] = memo(self.dact, {self.z: z[s, u]})
        return a, d

    def back(self, g: np.ndarray, d: np.ndarray) -> np.ndarray:
        """∂L/∂z from ∂L/∂a and the derivative :meth:`evaluate` gave."""
        return np.einsum("sj,sji->si", g, d) if self.softmax else g * d


def delta_names(layer, ins, upstream, sp, sym, outs=None) -> dict:
    """∂L/∂u_in for each unit, in names: ∂L/∂u_out times sympy's derivative of the activation.

    The derivative is written in ``outs``, the symbols that stand for f(u_in) — ``u_out`` by default; a kind
    that adds something after the activation (a skip connection) passes other names, since u_out is not f(u_in).
    """
    units = layer.unit_names
    outs = outs or [sym(node_out(u)) for u in units]
    if layer.activation == "softmax":
        total = sum(sp.exp(z) for z in ins)
        delta = {}
        for i, u in enumerate(units):
            terms = []
            for j, v in enumerate(units):
                d = sp.diff(sp.exp(ins[j]) / total, ins[i])
                shown = outs[j] * ((1 if i == j else 0) - outs[i])  # a_j(δ_ij − a_i), if sympy agrees
                ok = is_zero(d - shown.subs({o: sp.exp(z) / total for o, z in zip(outs, ins)}), sp)
                terms.append(upstream[v] * (shown if ok else d))
            delta[u] = sum(terms)
        return delta
    delta = {}
    # σ′ shown as σ·(1 − σ) in the output's name, if sympy confirms it (checked once per layer)
    z0 = sp.Symbol("z", real=True)
    sigma0 = activation_expression("sigmoid", z0, sp)
    sigmoid_ok = layer.activation == "sigmoid" and is_zero(sp.diff(sigma0, z0) - sigma0 * (1 - sigma0), sp)
    for u, z, out in zip(units, ins, outs):
        act = activation_expression(layer.activation, z, sp, layer.alpha, (sym("λ"), sym("α")))
        d = sp.diff(act, z)
        shown = d.subs(act, out) if layer.activation == "tanh" else d
        if sigmoid_ok:
            shown = out * (1 - out)
        shown = shown.replace(lambda e: isinstance(e, sp.Piecewise) and len(e.args) == 2
                              and e.args[1].cond == sp.true, _piecewise_name(sym))
        delta[u] = upstream[u] * shown
    return delta


def _piecewise_name(sym):
    """A two-piece derivative as one readable name: ``[j1_in > 0]`` (Iverson) or ``(1 if z > 0 else 1/5)``."""
    def name(e):
        (a, cond), (b, _) = e.args
        if a == 1 and b == 0:
            return sym(f"[{cond}]")
        return sym(f"({a} if {cond} else {b})")

    return name
