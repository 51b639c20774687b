"""Verdicts from what was measured — per-layer gradient and activation statistics, f′, weights — never from
the configuration's name. Each verdict is a code and the numbers it stands on; the renderer words it.

Codes of the untrained pass, checked in this order:

| code | measured |
| --- | --- |
| ``nonfinite`` | inf/NaN appeared: where, layer, node |
| ``symmetric`` | every hidden layer's units output the same value for every sample (spread 0) |
| ``saturated`` | in some hidden layer most f′ are below 1 % of their bound, where f′ → 0 on both sides |
| ``dead_units`` | in some hidden layer most units have f′ = 0 for every sample (counted) |
| ``signal_vanishes`` / ``signal_explodes`` | the activations' rms shrinks / grows beyond 100× through the hidden layers |
| ``no_gradient`` | every ∂L/∂W is exactly 0 |
| ``vanishing`` / ``exploding`` | the gradient reaching the first hidden layer's output against the last's, beyond 100× |
| ``flat`` | within 2× |
| ``stable`` | within 100× |

>>> from .records import LayerStats
>>> s = lambda n, g: LayerStats(n, 4, 4, "tanh", 0.0, 0.5, 0.0, 0.9, 1.0, 0.1, 1.0, None, rms_grad_a=g,
...                             unit_spread=1.0)
>>> v = judge([s(1, 1e-6), s(2, 1e-3), s(3, 1.0)], None)
>>> v.code, v.numbers["ratio"]
('vanishing', 0.001)
"""

from __future__ import annotations

import math

from .records import Verdict
from .tapenet import ratio

THRESHOLD = 100.0   # beyond two orders of magnitude a run is called vanishing or exploding
FLAT = 2.0          # within a factor 2 the gradient is called flat
MAJORITY = 0.5      # a layer is saturated or dead when at least half of it is


def measures(stats) -> dict:
    """The ratios a verdict stands on: ‖∂L/∂W‖ first ÷ last, the activations' rms growth through the hidden
    layers, and the rms of ∂L/∂a at the first hidden layer ÷ at the last hidden layer."""
    hidden = stats[:-1]
    growth = ratio(hidden[-1].rms_activation, hidden[0].rms_activation) if len(hidden) >= 2 else None
    backward = ratio(hidden[0].rms_grad_a, hidden[-1].rms_grad_a) if len(hidden) >= 2 else None
    return {"first_to_last": ratio(stats[0].grad_norm_W, stats[-1].grad_norm_W), "signal_growth": growth,
            "backward_ratio": backward}


def status(stats, nonfinite) -> str:
    """The coarse gradient-flow status: vanishing, exploding, stable or dead."""
    m = measures(stats)
    growth, backward = m["signal_growth"], m["backward_ratio"]
    flow = backward if backward is not None else m["first_to_last"]
    if nonfinite is not None:
        return "exploding"
    if growth is not None and not 1 / THRESHOLD <= growth <= THRESHOLD:
        return "vanishing" if growth < 1 else "exploding"
    if all(s.grad_norm_W == 0 for s in stats):
        return "dead"
    if flow is None:
        return "vanishing"  # a later layer has a gradient, an earlier one has none
    if not 1 / THRESHOLD <= flow <= THRESHOLD:
        return "vanishing" if flow < 1 else "exploding"
    return "stable"


def judge(stats, nonfinite) -> Verdict:
    """The verdict of one untrained pass (see the module's table)."""
    if nonfinite is not None:
        return Verdict("nonfinite", {"where": nonfinite.where, "layer": nonfinite.layer, "node": nonfinite.node})
    hidden = [s for s in stats[:-1]]
    for check in (_symmetric, _saturated, _dead, _signal):
        found = check(hidden, stats)
        if found is not None:
            return found
    if all(s.grad_norm_W == 0 for s in stats):
        return Verdict("no_gradient", {"layers": len(stats)})
    return _flow(hidden, stats)


def _symmetric(hidden, stats):
    wide = [s for s in hidden if s.units > 1]
    if not wide or any(s.unit_spread != 0 for s in wide):
        return None
    return Verdict("symmetric", {
        "layers": len(wide), "units": wide[0].units, "spread": max(s.unit_spread for s in wide),
        "mean_derivative": wide[0].mean_derivative,
        "zero_gradient_layers": sum(s.grad_norm_W == 0 for s in stats), "depth": len(stats)})


def _worst(hidden, key):
    return max(hidden, key=key) if hidden else None


def _saturated(hidden, stats):
    worst = _worst(hidden, lambda s: s.saturated_fraction)
    if worst is None or worst.saturated_fraction < MAJORITY:
        return None
    return Verdict("saturated", {
        "layer": worst.layer, "fraction": worst.saturated_fraction, "mean_derivative": worst.mean_derivative,
        "bound": worst.derivative_bound,
        "layers_saturated": sum(s.saturated_fraction >= MAJORITY for s in hidden), "hidden": len(hidden),
        "first_to_last": measures(stats)["first_to_last"]})


def _dead(hidden, stats):
    worst = _worst(hidden, lambda s: s.dead_units / s.units)
    if worst is None or worst.dead_units < MAJORITY * worst.units:
        return None
    return Verdict("dead_units", {
        "layer": worst.layer, "dead": worst.dead_units, "units": worst.units,
        "dead_total": sum(s.dead_units for s in hidden), "units_total": sum(s.units for s in hidden),
        "per_layer": [s.dead_units for s in hidden], "first_to_last": measures(stats)["first_to_last"]})


def _signal(hidden, stats):
    growth = measures(stats)["signal_growth"]
    if growth is None or 1 / THRESHOLD <= growth <= THRESHOLD:
        return None
    return Verdict("signal_vanishes" if growth < 1 else "signal_explodes", {
        "growth": growth, "first": hidden[0].rms_activation, "last": hidden[-1].rms_activation,
        "last_layer": hidden[-1].layer, "first_to_last": measures(stats)["first_to_last"],
        "zero_gradient": all(s.grad_norm_W == 0 for s in stats)})


def _flow(hidden, stats):
    m = measures(stats)
    if m["backward_ratio"] is not None:
        value, measure = m["backward_ratio"], "grad_a"
        first, last = hidden[0].rms_grad_a, hidden[-1].rms_grad_a
        first_layer, last_layer = hidden[0].layer, hidden[-1].layer
    else:   # one hidden layer or none: compare the weight gradients of the first and the last layer
        value, measure = m["first_to_last"], "grad_W"
        first, last = stats[0].grad_norm_W, stats[-1].grad_norm_W
        first_layer, last_layer = stats[0].layer, stats[-1].layer
    numbers = {"measure": measure, "ratio": value, "first": first, "last": last, "first_layer": first_layer,
               "last_layer": last_layer, "first_to_last": m["first_to_last"]}
    if value is None or value == 0:
        return Verdict("vanishing", {**numbers, "ratio": 0.0})
    steps = last_layer - first_layer
    numbers["per_layer"] = value ** (1 / steps) if steps > 0 else None
    between = [s for s in hidden if first_layer < s.layer <= last_layer]
    numbers["derivative_product"] = math.prod(s.mean_derivative for s in between) if between else None
    numbers["derivative_layers"] = [between[0].layer, between[-1].layer] if between else None
    if value < 1 / THRESHOLD:
        return Verdict("vanishing", numbers)
    if value > THRESHOLD:
        return Verdict("exploding", numbers)
    return Verdict("flat" if 1 / FLAT <= value <= FLAT else "stable", numbers)


def judge_training(loss_before, accuracy_before, epochs, weights, dead=(0, 0)) -> Verdict | None:
    """What training did: ``diverged`` (the loss is no longer finite), ``worse`` (it rose by 1 % or more),
    ``stalled`` (it moved by less than 1 %, or fell while the accuracy rose by less than 2 points) or
    ``learned``; with the loss, accuracy, the first and last layers' weight change over all epochs and
    ``dead`` = (dead hidden units after training, hidden units)."""
    if not epochs:
        return None
    last = epochs[-1]
    numbers = {"epochs": last.epoch, "loss_before": loss_before, "loss_after": last.loss,
               "accuracy_before": accuracy_before, "accuracy_after": last.accuracy,
               "test_accuracy": last.test_accuracy,
               "first_change_pct": weights[0].change_pct if weights else None,
               "last_change_pct": weights[-1].change_pct if weights else None,
               "epochs_to_half": next((e.epoch for e in epochs if e.loss <= 0.5 * loss_before), None),
               "dead_after": dead[0], "hidden_units": dead[1]}
    if not math.isfinite(last.loss):
        return Verdict("diverged", numbers)
    change = (last.loss - loss_before) / loss_before if loss_before else 0.0
    numbers["loss_change_pct"] = 100.0 * change
    gain = None if last.accuracy is None or accuracy_before is None else last.accuracy - accuracy_before
    if change >= 0.01:
        return Verdict("worse", numbers)
    if change > -0.01 or (gain is not None and gain < 0.02):
        return Verdict("stalled", numbers)   # the loss barely moved, or it fell without a row more classified
    return Verdict("learned", numbers)
