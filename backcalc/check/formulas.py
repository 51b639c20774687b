"""`verify --formulas`: every ∂L/∂parameter in node names, from sympy's derivatives of layer-local expressions.

One sample's derivative (for several samples the reduction sums or averages it over them). Each layer kind of
:mod:`backcalc.check.layers` writes its own factors; this module starts from the loss and walks the layers
from the output back.

>>> from backcalc.net.spec import default_spec
>>> closed_forms(default_spec())["w_k1o"]
'k1_out*(o_out - t)'
"""

from __future__ import annotations

from .layers import builder
from .loss import sample_loss_expression
from .sympy_tools import is_zero, load_sympy  # noqa: F401 (is_zero: public here too)
from ..net.names import node_out

FORMULA_MAX_OPS = 40  # a longer ∂L/∂unit_out is kept as its own name in the formulas below it


class Names:
    """What every kind's closed forms share: sympy, symbols by name, the loss's outputs and targets."""

    def __init__(self, spec, sp):
        self.spec, self.sp = spec, sp
        outputs = spec.layers[-1].unit_names
        # the target is "t" (t_o1, t_o2 for several outputs), "t_o" when an input unit, written bare, is called t
        bare = len(outputs) == 1 and "t" not in spec.input_unit_names
        self.targets = [self.sym("t" if bare else f"t_{u}") for u in outputs]
        self.outputs = [self.sym(node_out(u)) for u in outputs]

    def sym(self, name: str):
        """The real sympy symbol called ``name``."""
        return self.sp.Symbol(name, real=True)

    def softmax_cross_entropy(self, layer) -> bool:
        """Whether ``layer`` is a softmax output layer under cross-entropy (δ = out − t with one-hot t)."""
        spec = self.spec
        return layer.index == len(spec.layers) and spec.loss == "cross_entropy" and layer.activation == "softmax"

    def shorten(self, expr, unit: str):
        """∂L/∂unit_out as it is, or as its own name ``(∂L/∂unit_out)`` past ``FORMULA_MAX_OPS`` operations."""
        return expr if self.sp.count_ops(expr) <= FORMULA_MAX_OPS else self.sym(f"(∂L/∂{node_out(unit)})")


def closed_forms(spec, sp=None) -> dict[str, str]:
    """∂L/∂parameter for every parameter, in node names: ``{"w_k1o": "k1_out*(o_out - t)", ...}``.

    A ∂L/∂unit_out longer than ``FORMULA_MAX_OPS`` operations stays a name, ``(∂L/∂h11_out)``. Each
    factor is a ``sympy.diff`` of a layer-local expression written in names; an activation's derivative
    is shown in its output's name (σ′ as k1_out*(1 - k1_out)) only when sympy confirms the two agree.
    """
    sp = sp or load_sympy()
    result = closed_form_expressions(spec, sp)
    prefix = "" if spec.samples == 1 else (f"Σ over {spec.samples} samples of " if spec.reduction == "sum"
                                           else f"mean over {spec.samples} samples of ")
    wrap = (lambda text: f"({text})") if prefix else (lambda text: text)  # noqa: E731
    return {name: prefix + wrap(_tidy(result[name], sp)) for name, _ in spec.param_names()}


def closed_form_expressions(spec, sp) -> dict:
    """One sample's ∂L/∂parameter as sympy expressions in node names, by display name (see :func:`closed_forms`)."""
    names = Names(spec, sp)
    t, outs = names.targets, names.outputs
    last = spec.layers[-1].activation
    if spec.loss == "cross_entropy":  # one-hot targets t
        loss = (-sum(ti * sp.log(a) for ti, a in zip(t, outs)) if last == "softmax"
                else -(sum(ti * a for ti, a in zip(t, outs)) - sp.log(sum(sp.exp(a) for a in outs))))
    else:
        loss = sample_loss_expression(spec.loss, last, outs, t, sp)
    upstream = {u: sp.diff(loss, o) for u, o in zip(spec.layers[-1].unit_names, outs)}  # ∂L/∂u_out
    result = {}
    for layer in reversed(spec.layers):  # upstream: ∂L/∂unit_out of every unit reached so far
        found, below = builder(layer.kind).closed_forms(layer, spec.unit_names(layer.index - 1), upstream, names)
        result.update(found)
        for unit, part in below.items():
            upstream[unit] = upstream[unit] + part if unit in upstream else part
    return result


def _tidy(expr, sp) -> str:
    return str(sp.factor_terms(expr)).replace("**", "^")
