"""A dense net worked the way a student works it on paper: every value rounded as it is written down, and the
next one computed from the rounded ones.

``by_hand(spec, digits=4)`` runs the forward pass, the loss, ∂L/∂out, the activation derivatives (from the
output where a page writes them so: σ′ = out·(1 − out)), δ, the gradients, the SGD step and the loss after it,
rounding every value to ``digits`` significant digits before it is used again. ``by_hand(spec, None)`` is the
same sum unrounded (the exact answers). :func:`rounds_well` asks whether such a student's answers, written at
those digits, are all right — not just right as written (≈) — under backcalc's own rule: what
``backcalc exercise`` requires of the variants it draws (values that "round well").

>>> from backcalc.net.spec import default_spec
>>> hand = by_hand(default_spec(), 4)
>>> [float(v) for v in hand["a"][1][0]], float(hand["loss"])
([0.9975, 0.9933], 0.128)
>>> rounds_well(default_spec())   # seed 004's k1_out = 0.99753: 1 − k1_out keeps two digits of four
False
"""

from __future__ import annotations

import numpy as np

from ..tape.rules import RULES

DIGITS = 4  # what a student writes: 4 significant digits


def _round(values, digits):
    """``values`` rounded to ``digits`` significant digits (unchanged when ``digits`` is None)."""
    if digits is None:
        return np.asarray(values, dtype=float)
    return np.vectorize(lambda v: float(f"{v:.{digits}g}"), otypes=[float])(np.asarray(values, dtype=float))


def _alpha(layer) -> dict:
    rule = RULES[layer.activation]
    if "alpha" not in rule.params:
        return {}
    return {"alpha": layer.alpha if layer.alpha is not None else rule.default("alpha")}


def _forward(spec, params, digits) -> tuple:
    """[(z, a)] per layer and the loss, each value rounded as it is written."""
    a, nodes = _round(spec.x, digits), []
    for layer, (W, b) in zip(spec.layers, params):
        z = _round(a @ W + b, digits)
        a = _round(RULES[layer.activation].array(z, **_alpha(layer)), digits)
        nodes.append((z, a))
        a = _round(a * _scale(layer), digits) if _scale(layer) is not None else a  # what the next layer reads
    return nodes, _loss(spec, a, digits)


def _scale(layer):
    """A dropout layer's mask/(1 − p) (None without dropout)."""
    drop = getattr(layer, "dropout", None)
    return None if drop is None else np.asarray(drop.mask, float) / (1.0 - drop.p)


def _bias(layer):
    return np.zeros(layer.units) if layer.bias is None else np.asarray(layer.bias, float)


def _loss(spec, out, digits) -> tuple:
    """(L, ∂L/∂out) from the written outputs: the loss on the tape, as the net takes it."""
    from ..tape import Tensor, losses

    t = Tensor(out, label="out")
    per_sample = losses.per_sample(spec.loss, t, spec.y, spec.layers[-1].activation)
    total = per_sample.sum() if spec.reduction == "sum" else per_sample.mean()
    total.backward()
    return _round(total.item(), digits), _round(t.grad, digits)


def _local(layer, z, a, digits):
    """∂a/∂z of an elementwise activation, from the written output where a page writes it from the output."""
    rule = RULES[layer.activation]
    if rule.by_output is not None:
        return _round(rule.by_output(a, **_alpha(layer)), digits)
    return _round(np.broadcast_to(rule.local(a, z, **_alpha(layer))[0], np.shape(z)), digits)


def _delta(layer, z, a, g, digits) -> tuple:
    """(∂a/∂z or None, δ = ∂L/∂z) of one layer from ∂L/∂a = ``g``."""
    if RULES[layer.activation].elementwise:
        local = _local(layer, z, a, digits)
        return local, _round(g * local, digits)
    inner = _round(np.sum(g * a, axis=1, keepdims=True), digits)  # softmax: δ_c = s_c·(g_c − Σ_j g_j·s_j)
    return None, _round(a * (g - inner), digits)


def by_hand(spec, digits: int | None = DIGITS) -> dict:
    """Every answer of a one-step SGD exercise on a dense net, worked with values rounded to ``digits``.

    Keys: ``z``, ``a``, ``out`` (∂L/∂a), ``local`` (∂a/∂z; None for softmax), ``delta``, ``W``, ``b`` (gradients),
    ``new_W``, ``new_b`` — lists with one array per layer — and ``loss``, ``loss_after``.
    """
    params = [(np.asarray(layer.weights, float), _bias(layer)) for layer in spec.layers]
    nodes, (loss, g) = _forward(spec, params, digits)
    out, local, delta, gW, gb = [], [], [], [], []
    for n in range(len(spec.layers) - 1, -1, -1):
        layer, (z, a) = spec.layers[n], nodes[n]
        f, d = _delta(layer, z, a, g, digits)
        prev = spec.layers[n - 1] if n else None
        before = nodes[n - 1][1] if n else _round(spec.x, digits)
        if prev is not None and _scale(prev) is not None:
            before = _round(before * _scale(prev), digits)
        out.insert(0, g), local.insert(0, f), delta.insert(0, d)
        gW.insert(0, _round(before.T @ d, digits))
        gb.insert(0, _round(d.sum(axis=0), digits) if layer.bias is not None else None)
        g = _round(d @ params[n][0].T, digits)
        if prev is not None and _scale(prev) is not None:  # ∂L/∂u_drop, then times mask/(1 − p)
            g = _round(g * _scale(prev), digits)
    lr = spec.learning_rate
    new = [(_round(W - lr * dW, digits), _round(b - lr * db, digits) if db is not None else None)
           for (W, b), dW, db in zip(params, gW, gb)]
    new_params = [(W, b if b is not None else np.zeros(W.shape[1])) for W, b in new]
    _, (loss_after, _) = _forward(spec, new_params, digits)
    return {"z": [z for z, _ in nodes], "a": [a for _, a in nodes], "out": out, "local": local, "delta": delta,
            "W": gW, "b": gb, "new_W": [W for W, _ in new], "new_b": [b for _, b in new], "loss": loss,
            "loss_after": loss_after}


def _written(value: float, digits: int) -> str:
    """``value`` as a student writes it: ``digits`` significant digits, trailing zeros kept (0.1000)."""
    return f"{value:#.{digits}g}"


_SECTIONS = (("z", "forward"), ("a", "forward"), ("out", "factors"), ("local", "factors"), ("delta", "factors"),
             ("W", "gradients"), ("b", "gradients"), ("new_W", "updated"), ("new_b", "updated"))


def hand_verdicts(spec, digits: int = DIGITS):
    """(what, section, exact, written, verdict) for every answer the hand-rounded work gives, judged by
    :class:`~backcalc.grading.tolerance.Tolerance` at the written precision. Plain SGD exercises give every
    answer; with another optimizer or a penalty only the forward values and factors (the step is not SGD's)."""
    from .keys import Item
    from .tolerance import Tolerance

    tol = Tolerance()
    hand, exact = by_hand(spec, digits), by_hand(spec, None)
    plain = _plain_sgd(spec)
    olds = {"new_W": [np.asarray(layer.weights, float) for layer in spec.layers],
            "new_b": [_bias(layer) for layer in spec.layers]}
    groups = [(what, section) for what, section in _SECTIONS if plain or section in ("forward", "factors")]
    for what, section in groups:
        for n, (h, e) in enumerate(zip(hand[what], exact[what])):
            if h is None:
                continue
            old = olds.get(what, [None] * len(hand[what]))[n]
            for idx in np.ndindex(np.shape(e)):
                written = _written(h[idx], digits)
                item = Item(section, "", "", float(e[idx]), None, (), None if old is None else float(old[idx]))
                yield f"{what}{n + 1}{list(idx)}", section, float(e[idx]), written, tol.verdict(item, written, float(written))
    if plain:
        for what in ("loss", "loss_after"):
            written = _written(float(hand[what]), digits)
            item = Item("loss", what, what, float(exact[what]), None, ())
            yield what, "loss", float(exact[what]), written, tol.verdict(item, written, float(written))


def _plain_sgd(spec) -> bool:
    """One step of w − lr·∂L/∂w with no penalty: what :func:`by_hand` works out."""
    from ..net.train_spec import training_of

    t = training_of(spec)
    o = t.optim
    return (spec.steps == 1 and o.optimizer == "sgd" and not o.momentum and not o.weight_decay
            and o.clip_norm is None and o.clip_value is None and not t.regularization.active)


def rounding_cost(spec, digits: int = DIGITS) -> tuple:
    """(answers wrong, answers only right as written) of a student rounding every value to ``digits``
    significant digits: (0, 0) when the exercise rounds well."""
    verdicts = [v[-1] for v in hand_verdicts(spec, digits)]
    return verdicts.count("wrong"), verdicts.count("correct_low_precision")


def rounds_well(spec, digits: int = DIGITS) -> bool:
    """Whether a student rounding every value to ``digits`` significant digits gets every answer right (✓)."""
    return rounding_cost(spec, digits) == (0, 0)
