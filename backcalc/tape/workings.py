"""The symbolic working a page shows before the numbers: how each activation's derivative and each loss's
∂L/∂out follow from the rules, step by step.

The first and last line of every working come from the rule table (:mod:`backcalc.tape.rules`: a rule's
``define``/``show`` and its local derivative) or the loss table (:mod:`backcalc.tape.losses`: the loss written
out and its ∂L/∂out); the steps between are the algebra that joins them, written here once. Each step carries
a reason code (``"quotient"``, ``"power"``, ...) that a renderer turns into words. tests/test_workings.py
checks every step equal to sympy's own derivative.

>>> w = activation_working("sigmoid")
>>> [line.rhs for line in w.lines][0], w.lines[-1].rhs
('1/(1 + e^(−z))', 'σ(z)·(1−σ(z))')
>>> loss_working("half_sse", "o", 1, 1, "sum", "linear").lines[1].rhs
'½·2·(o_out − y_o)^(2−1)·1'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..unit_names import node_in, node_out
from .losses import LOSS_KINDS, out_gradient_formula
from .rules import RULES


@dataclass(frozen=True)
class Line:
    """One row of a working: ``lhs = rhs`` (``lhs`` empty: the same left side as the row above) and why."""

    lhs: str
    rhs: str
    reason: str = ""     # a code: definition, quotient, power, piecewise, log, softplus, identity, ...


@dataclass(frozen=True)
class Working:
    """The rows of one derivation, in order."""

    lines: tuple


# The algebra between an activation's definition and its derivative as the rule table writes it: each step a
# template in {a} (the pre-activation) and its reason code. The definition line comes first (the rule's
# ``define``, or the template here when the rule has none), the rule's own formula last.
_DEFINE = {"tanh": "(e^({a}) − e^(−{a}))/(e^({a}) + e^(−{a}))"}
_STEPS = {
    "sigmoid": (("−1/(1 + e^(−{a}))²·(−e^(−{a}))", "quotient"),
                ("e^(−{a})/(1 + e^(−{a}))²", ""),
                ("1/(1 + e^(−{a}))·(1 − 1/(1 + e^(−{a})))", "")),
    "tanh": (("((e^({a}) + e^(−{a}))² − (e^({a}) − e^(−{a}))²)/(e^({a}) + e^(−{a}))²", "quotient_uv"),
             ("1 − (e^({a}) − e^(−{a}))²/(e^({a}) + e^(−{a}))²", "")),
}
_LAST_REASON = {"linear": "identity", "relu": "piecewise", "leaky_relu": "piecewise", "elu": "piecewise",
                "selu": "piecewise"}


def activation_working(name: str, a: str = "z", alpha=None) -> Working:
    """The derivative of activation ``name`` worked from its definition, in the variable ``a`` (``alpha``: the
    layer's own, else the rule's default)."""
    rule = RULES[name]
    if name == "softmax":
        return _softmax_working()
    lines = []
    f = rule.expression(a=a)
    define = rule.definition(a=a) or _DEFINE.get(name, "").format(a=a)
    if define:
        lines.append(Line(f, define, "definition"))
    steps = _STEPS.get(name, ())
    prime = f"{rule.sign}′({a})"
    for k, (template, reason) in enumerate(steps):
        lines.append(Line(prime if k == 0 else "", template.format(a=a), reason))
    lines.append(Line("" if steps else prime, rule.formula(0, a=a, out=f"{rule.sign}({a})",
                                                            alpha=alpha if alpha is not None else
                                                            (rule.default("alpha") or "α")),
                      "" if steps else _LAST_REASON.get(name, "")))
    return Working(tuple(lines))


def _softmax_working() -> Working:
    rule = RULES["softmax"]
    return Working((
        Line("s_i", "e^(z_i)/Σ_k e^(z_k)", "definition"),
        Line("∂s_i/∂z_j", "(e^(z_i)·[i = j]·Σ_k e^(z_k) − e^(z_i)·e^(z_j))/(Σ_k e^(z_k))²", "quotient_uv"),
        Line("", "s_i·[i = j] − s_i·s_j", ""),
        Line("", rule.formula(0), "kronecker"),
    ))


def loss_working(kind: str, unit: str, samples: int, outputs: int, reduction: str, activation: str,
                 units: tuple = ()) -> Working:
    """∂L/∂out of output unit ``unit`` worked from the loss (``outputs`` of them, all named in ``units``,
    ``samples`` in the batch).

    The rows: the loss of one sample, the derivative by the rules (power and difference, log, softplus, the
    bce rule), and last the loss table's ∂L/∂out (:func:`~backcalc.tape.losses.out_gradient_formula`).
    """
    table = LOSS_KINDS[kind]
    out, y = node_out(unit), f"y_{unit}"  # out_gradient_formula's names (bce's table writes plain y)
    mean = reduction == "mean" and samples > 1
    scale = f"(1/{samples})·" if mean else ""
    final = out_gradient_formula(kind, unit, samples, outputs, reduction, activation)
    grad = f"∂L/∂{out}"
    units = units or (unit,)
    if kind in ("half_sse", "sse", "mse"):
        loss = table.written([node_out(u) for u in units], [f"y_{u}" for u in units])
        power = RULES["pow"].formula(0, a=f"({out} − {y})", k=2)
        inner = RULES["sub"].formula(0)
        share = {"half_sse": "½·", "sse": "", "mse": f"(1/{outputs})·" if outputs > 1 else ""}[kind]
        return Working((Line(_sample_loss(samples), loss, "loss_term"),
                        Line(grad, f"{scale}{share}{power}·{inner}", "power"), Line("", final, "")))
    if kind == "bce":
        share = f"(1/{outputs})·" if outputs > 1 else ""
        if activation == "linear":  # the output is a logit: the loss is softplus(z) − y·z
            terms = " + ".join(f"{RULES['softplus'].expression(a=node_out(u))} − y_{u}·{node_out(u)}" for u in units)
            loss = f"({terms})/{len(units)}" if len(units) > 1 else terms
            step = f"{scale}{share}({RULES['softplus'].formula(0, a=out)} − {RULES['mul'].formula(0, b=y)})"
            return Working((Line(_sample_loss(samples), loss, "logit_loss"), Line(grad, step, "softplus"),
                            Line("", final, "")))
        loss = table.written([node_out(u) for u in units], [f"y_{u}" for u in units])
        step = f"{scale}{share}({RULES['bce'].formula(0, a=out, b=y)})"
        return Working((Line(_sample_loss(samples), loss, "loss_term"), Line(grad, step, "log"),
                        Line("", final, "")))
    # cross_entropy: only the true class's output enters the loss
    true = f"[{unit} is the true class]"
    if activation == "softmax":
        step = f"{scale}(−{true}·{RULES['log'].formula(0, a=out)})"
        loss = f"−Σ_c [c is the true class]·ln({node_out('c')})"
        return Working((Line(_sample_loss(samples), loss, "true_class"), Line(grad, step, "log"), Line("", final, "")))
    step = f"{scale}(−({true} − softmax({node_in(unit)})))"
    loss = f"−Σ_c [c is the true class]·ln(softmax({node_in('c')}))"
    return Working((Line(_sample_loss(samples), loss, "true_class"), Line(grad, step, "log_softmax"),
                    Line("", final, "")))


def _sample_loss(samples: int) -> str:
    return "L_s" if samples > 1 else "L"
