"""One sample's loss from its definition, as a sympy expression in the outputs (the checker's own loss table).

>>> import sympy
>>> a, t = sympy.symbols("a t")
>>> sample_loss_expression("half_sse", "linear", [a], [t], sympy)
(a - t)**2/2
"""

from __future__ import annotations


def sample_loss_expression(kind: str, last: str, a: list, t: list, sp, label: int | None = None):
    """One sample's loss in its outputs ``a`` and targets ``t`` (for cross_entropy: the class ``label``)."""
    k = len(a)
    if kind == "half_sse":
        return sum((ai - ti) ** 2 for ai, ti in zip(a, t)) / 2
    if kind == "sse":
        return sum((ai - ti) ** 2 for ai, ti in zip(a, t))
    if kind == "mse":
        return sum((ai - ti) ** 2 for ai, ti in zip(a, t)) / k
    if kind == "bce":
        if last == "linear":  # the outputs are logits: −ln σ(a)·t − ln(1 − σ(a))·(1 − t) = ln(1 + e^a) − t·a
            return sum(sp.log(1 + sp.exp(ai)) - ti * ai for ai, ti in zip(a, t)) / k
        return sum(-(ti * sp.log(ai) + (1 - ti) * sp.log(1 - ai)) for ai, ti in zip(a, t)) / k
    if kind == "cross_entropy":
        if last == "softmax":  # the outputs are probabilities
            return -sp.log(a[label])
        return -(a[label] - sp.log(sum(sp.exp(ai) for ai in a)))  # the outputs are logits
    raise ValueError(f"unknown loss {kind!r}")
