"""Number formatting shared by the renderers (formatting only: no arithmetic on the values)."""

from __future__ import annotations

import math


def num(v: float, digits: int = 5) -> str:
    """``v`` to ``digits`` significant digits, with no ``-0``: ``num(-0.00249521, 5)`` → ``-0.0024952``."""
    if v is None:
        return ""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = f"{v:.{digits}g}"
    if text in ("-0", "-0.0"):
        text = "0"
    return text


def signed(v: float, digits: int = 5) -> str:
    """A factor in a product: negative numbers in parentheses."""
    text = num(v, digits)
    return f"({text})" if text.startswith("-") else text


def factor(formula: str) -> str:
    """A written formula as a factor in a product: in parentheses when it is a sum, a difference or a case
    split (``a if … else b``) at its top level.

    >>> factor("1 − tanh²(h1_in)"), factor("σ(k1_in)·(1 − σ(k1_in))"), factor("[h1_in > 0]")
    ('(1 − tanh²(h1_in))', 'σ(k1_in)·(1 − σ(k1_in))', '[h1_in > 0]')
    >>> factor("1 if j1_in > 0 else 0.01")
    '(1 if j1_in > 0 else 0.01)'
    """
    if " if " in formula:
        return f"({formula})"
    depth = 0
    for i, ch in enumerate(formula):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and ch in "+−-" and 0 < i < len(formula) - 1 and formula[i - 1] == " " == formula[i + 1]:
            return f"({formula})"
    return formula


def tex_name(name: str) -> str:
    """A node name in LaTeX: ``k1_out`` → ``k1_{\\text{out}}``, ``w_j1k1`` → ``w_{j1k1}``."""
    if "_" in name:
        head, tail = name.split("_", 1)
        return f"{head}_{{\\text{{{tail}}}}}" if tail in ("in", "out", "drop") else f"{head}_{{{tail}}}"
    return name


def tex_num(v: float, digits: int = 5) -> str:
    text = num(v, digits)
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}\\times 10^{{{int(exp)}}}"
    return text


def aligned_lines(equations, indent: str = "    ") -> list:
    """Text rows of ``lhs = side₀``, ``= side₁``, … for each ``(lhs, sides)``, the later sides under the first
    ``=``: the matrix form's equations.

    >>> aligned_lines([("dW", ["A·B", "3"])])
    ['    dW = A·B', '       = 3']
    """
    out = []
    for lhs, sides in equations:
        out.append(f"{indent}{lhs} = {sides[0]}")
        out += [f"{indent}{'':>{len(lhs)}} = {side}" for side in sides[1:]]
    return out
