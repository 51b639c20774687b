"""The independent checker's layer kinds: each builds its layer from sympy and numpy, never from the tape.

`verify` walks a spec's layers and asks :func:`builder` for each one's module by the kind's name (the same names
as :mod:`backcalc.net.layers`); nothing in :mod:`backcalc.check` switches on a kind's name. A kind's module here
is its net module's twin, written from the textbook definition, sharing nothing with the tape or the rule table.

>>> builder("dense").__name__
'backcalc.check.layers.dense'
>>> builder("conv9d")
Traceback (most recent call last):
...
KeyError: "the checker has no builder for layer kind 'conv9d'"

What a kind's module provides (see :mod:`backcalc.check.layers.dense`, the model to copy)
---------------------------------------------------------------------------------------
``Symbolic(layer, sp)``
    sympy's derivatives of the layer, each a ``sympy.diff`` of a layer-local expression.
    ``.forward(a, memo, earlier)`` takes the input (samples × inputs, floats) and returns the output, evaluating
    sympy's expressions with ``memo(expr, {symbol: value})`` (``earlier[m]`` is layer m's output, 0 the data);
    ``.backward(g, memo)`` takes ∂L/∂output and returns ``({element key: ∂L/∂parameter}, ∂L/∂input)`` by the
    chain rule over sympy's local derivatives — ∂L/∂input an array (for the layer before) or
    ``{layer index: array}`` for a kind that reads several layers.
``numpy_forward(layer, a, params, earlier)``
    The forward in plain numpy with parameters ``params`` ({canonical key: array}): central differences.
``units_moved(layer, index)``
    The units of the layer whose input the parameter element at ``index`` (of any of its arrays) moves; with
    ``kinks``, it decides which rows central differences cannot judge.
``kinks(layer, a, params, eps)``
    ``(unit, note)`` for each unit whose input sits within reach of a kink for some sample (central differences
    straddle it, for every parameter that moves that input).
``closed_forms(layer, sources, upstream, names)``
    ∂L/∂parameter in node names for ``--formulas``: ``({display name: expr}, {unit: its part of ∂L/∂unit_out})``
    for the units the layer reads (parts from several layers are added); ``upstream`` maps every unit of the
    net known so far to ∂L/∂unit_out; ``names`` is a
    :class:`backcalc.check.formulas.Names` (sympy, symbols by name, the loss and the output layer).
"""

from __future__ import annotations

import importlib

#: kind name → module of its symbolic builder
BUILDERS: dict[str, str] = {
    "dense": "backcalc.check.layers.dense",
    "conv2d": "backcalc.check.layers.conv2d",
    "conv1d": "backcalc.check.layers.conv1d",
    "maxpool2d": "backcalc.check.layers.pool",
    "avgpool2d": "backcalc.check.layers.pool",
    "maxpool1d": "backcalc.check.layers.pool",
    "avgpool1d": "backcalc.check.layers.pool",
    "flatten": "backcalc.check.layers.flatten",
    "rnn": "backcalc.check.layers.rnn",
    "batchnorm": "backcalc.check.layers.norm",
    "layernorm": "backcalc.check.layers.norm",
}


def builder(kind: str):
    """The checker's module for layer kind ``kind``."""
    module = BUILDERS.get(kind)
    if module is None:
        raise KeyError(f"the checker has no builder for layer kind {kind!r}")
    return importlib.import_module(module)


def register(kind: str, module: str) -> None:
    """Make the checker build layers of kind ``kind`` with ``module`` (a dotted module path)."""
    BUILDERS[kind] = module
