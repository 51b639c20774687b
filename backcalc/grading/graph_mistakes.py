"""Mistakes of nets with skip connections and normalisation layers: each is the whole derivation redone with one
slip of the hand computation, so every key it reaches (forward values, factors, gradients, updated values, the
loss) gets the value that slip produces.

- ``norm_stats_constant``: the paths through μ and σ² left out (μ and σ treated as constants): ∂L/∂x = ∂L/∂x̂/σ.
- ``unbiased_variance``: σ² divided by N − 1 (the unbiased variance) where training mode divides by N.
- ``eps_left_out``: x̂ = (x − μ)/√σ², no eps.
- ``skip_left_out``: the path straight through the skip left out of the sum at the fork.
- ``skip_twice``: the skip's gradient counted twice at the fork.

A slip is the layer's own ``slip`` switch (or eps = 0) on a copy of the spec; the tape does the rest, so the
values are exactly the slipped computation's. A slip that gives a non-finite run (eps left out on a batch of one)
reproduces nothing.

>>> from backcalc.net.derivation import explain
>>> from backcalc.grading.keys import AnswerSpace
>>> sp = AnswerSpace(explain("worked_examples/batchnorm_221.toml"))
>>> [code for (code, _), _ in variants(sp.spec)]
['norm_stats_constant', 'unbiased_variance', 'eps_left_out']
"""

from __future__ import annotations

import dataclasses

import numpy as np

CODES = ("norm_stats_constant", "unbiased_variance", "eps_left_out", "skip_left_out", "skip_twice")


def _mistake(code, **params) -> tuple:
    """(code, params): :mod:`backcalc.grading.mistakes` makes the Mistake records."""
    return code, tuple(params.items())


def has_graph(spec) -> bool:
    """Whether the net has a skip or a normalisation layer (the slips below apply)."""
    return any(getattr(layer, "skip", None) is not None or hasattr(layer, "eps") for layer in spec.layers)


def _with(spec, layer):
    layers = tuple(layer if m.index == layer.index else m for m in spec.layers)
    return dataclasses.replace(spec, layers=layers)


def variants(spec) -> list:
    """((code, params), the spec with that slip) for every slip the net allows, layer by layer."""
    out = []
    for layer in spec.layers:
        if hasattr(layer, "eps"):  # batchnorm, layernorm
            count = spec.samples if layer.axis == 0 else layer.units  # over the batch, or over the units
            out.append((_mistake("norm_stats_constant", layer=layer.name, kind=layer.kind),
                        _with(spec, dataclasses.replace(layer, slip="constant_stats"))))
            if count > 1:
                out.append((_mistake("unbiased_variance", layer=layer.name, kind=layer.kind, n=count),
                            _with(spec, dataclasses.replace(layer, slip="unbiased"))))
            out.append((_mistake("eps_left_out", layer=layer.name, eps=layer.eps),
                        _with(spec, dataclasses.replace(layer, eps=0.0))))
        elif getattr(layer, "skip", None):  # a skip from a layer (from the input no gradient is asked for)
            source = spec.layers[layer.skip - 1].name
            for code, slip in (("skip_left_out", "skip_left_out"), ("skip_twice", "skip_twice")):
                out.append((_mistake(code, layer=layer.name, source=source),
                            _with(spec, dataclasses.replace(layer, slip=slip))))
    return out


class GraphRuns:
    """The slipped derivations of one net, each run once on first use (an AnswerSpace per slip)."""

    def __init__(self, sp):
        self.sp = sp
        self._spaces = None

    @property
    def spaces(self) -> list:
        if self._spaces is None:
            from ..net.derivation import explain
            from .keys import AnswerSpace

            self._spaces = []
            for mistake, spec in variants(self.sp.spec):
                try:
                    with np.errstate(all="ignore"):
                        space = AnswerSpace(explain(spec))
                except Exception:  # a slip whose run is not finite reproduces nothing
                    continue
                self._spaces.append((mistake, space))
        return self._spaces

    def candidates(self, item):
        """((code, params) per mistake, value) of ``item`` under each slip."""
        for mistake, space in self.spaces:
            try:
                (other,) = space.resolve(item.key)
            except (KeyError, ValueError):
                continue
            yield (self._here(mistake, item),), other.expected

    def _here(self, mistake, item) -> tuple:
        """A skip mistake named by the item's own units (``∂L/∂h1_out``, ``r1``) when the item is at the fork."""
        code, params = mistake
        p = dict(params)
        if code.startswith("skip_") and item.ref.kind in ("out", "delta", "local", "W", "b"):
            layer = next(m for m in self.sp.spec.layers if m.name == p["layer"])
            if item.ref.layer == layer.skip:
                p["source"] = self.sp.spec.unit_names(layer.skip)[item.ref.unit]
                p["layer"] = layer.unit_names[item.ref.unit]
        return code, tuple(p.items())


def loss_candidates(sp, item):
    """The slips of the loss itself, for every net: a factor 2 either way, the loss after the step given as the
    loss before, and the reverse."""
    if item.section == "loss":
        yield (_mistake("double", loss=sp.spec.loss),), 2 * item.expected
        yield (_mistake("half", loss=sp.spec.loss),), item.expected / 2
        yield (_mistake("loss_after_given"),), sp.d.loss_after
    elif item.section == "loss_after":
        yield (_mistake("loss_before_given"),), sp.d.loss


def simple_candidates(sp, item):
    """The catalogue's slips that need no backward pass, for nets whose layers it cannot rerun by hand (a
    normalisation layer): a sign, a factor 2, the loss before/after, and the SGD step's own slips."""
    from .optim_mistakes import plain_sgd

    e, loss = item.expected, sp.spec.loss
    if item.section in ("loss", "loss_after"):
        yield from loss_candidates(sp, item)
    elif item.section in ("gradients", "factors") and item.ref.kind not in ("src", "one", "wpath"):
        yield (_mistake("sign"),), -e
        if item.ref.kind != "local":
            yield (_mistake("double", loss=loss),), 2 * e
            yield (_mistake("half", loss=loss),), e / 2
    elif item.section == "updated" and plain_sgd(sp.spec) and sp.spec.steps == 1:
        lr, old = sp.lr, item.old
        g = float(sp.grads[item.ref.array][item.ref.index])
        for code, value in (("update_sign", old + lr * g), ("lr_none", old - g), ("lr_twice", old - lr * lr * g),
                            ("not_updated", old), ("gradient_as_new", g), ("step_as_new", -lr * g)):
            yield (_mistake(code),), value
