"""Verdicts come from what was measured, and each names the measured numbers; the numbers are recomputed
here with the independent numpy net of tests/study_reference.py."""

import numpy as np
import pytest

import study_reference as ref
from backcalc.render.labels_study import VANISHING
from backcalc.study.vanishing import make_problem, vanishing

SMALL = dict(depth=9, width=64, samples=120, features=20)


def measured(**config):
    """The study's run and the reference's per-layer statistics (and ∂L/∂a) of the same net."""
    run = vanishing(**config).runs[0]
    net = ref.Net(run.config, make_problem(**config).weights)
    cache = net.forward(make_problem(**config).x)
    _, grads, grad_a = net.backward(cache, make_problem(**config).y)
    return run, ref.layer_stats(net, cache, grads, grad_a)


def rms_ratio(stats):
    hidden = stats[:-1]
    return hidden[0]["rms_grad_a"] / hidden[-1]["rms_grad_a"]


def test_plain_sigmoid_vanishes_and_says_by_how_much():
    run, stats = measured(**SMALL)
    v = run.verdict
    assert v.code == "vanishing" and run.status == "vanishing"
    assert v.numbers["ratio"] == pytest.approx(rms_ratio(stats), rel=1e-8) and v.numbers["ratio"] < 1e-6
    assert v.numbers["per_layer"] == pytest.approx(rms_ratio(stats) ** (1 / 7), rel=1e-8)
    product = np.prod([s["mean_derivative"] for s in stats[1:8]])   # layers 2..8, measured
    assert v.numbers["derivative_product"] == pytest.approx(product, rel=1e-8)
    assert 0.24 ** 7 < product < 0.25 ** 7
    text = vanishing(**SMALL).to_text()
    assert f"{v.numbers['ratio']:.2e}" in text and "layers 2–8 multiply to" in text


def test_residual_is_flat_not_vanishing():
    # the case: with --residual the gradient reaching every hidden layer is the same size
    run, stats = measured(residual=True)
    assert run.verdict.code == "flat" and run.status == "stable"
    assert run.verdict.numbers["ratio"] == pytest.approx(rms_ratio(stats), rel=1e-8)
    assert 0.5 < run.verdict.numbers["ratio"] < 2
    rms = [s.rms_grad_a for s in run.layers[:-1]]
    assert max(rms) / min(rms) < 1.2
    text = vanishing(residual=True).to_text()
    assert "0.25^8" not in text and "flat:" in text


@pytest.mark.parametrize("activation, derivative", [("tanh", 1.0), ("sigmoid", 0.25), ("relu", 0.0)])
def test_zeros_init_is_symmetry_not_saturation(activation, derivative):
    run, stats = measured(activation=activation, init="zeros", **SMALL)
    v = run.verdict
    assert v.code == "symmetric"
    assert v.numbers["spread"] == 0 and all(s["unit_spread"] == 0 for s in stats[:-1])
    assert v.numbers["mean_derivative"] == pytest.approx(derivative)
    assert v.numbers["zero_gradient_layers"] == sum(s["grad_norm_W"] == 0 for s in stats)
    text = vanishing(activation=activation, init="zeros", **SMALL).to_text()
    assert "symmetric:" in text and "saturated or dead" not in text


def test_one_different_unit_breaks_the_symmetry():
    # measured, not named: zeros everywhere but one weight is no longer symmetric
    run = vanishing(activation="tanh", init="uniform:1e-3", **SMALL).runs[0]
    assert run.verdict.code != "symmetric"


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_large_init_saturates(activation):
    run, stats = measured(activation=activation, init="normal:3", **SMALL)
    v = run.verdict
    assert v.code == "saturated"
    worst = max(stats[:-1], key=lambda s: s["saturated_fraction"])
    assert v.numbers["fraction"] == pytest.approx(worst["saturated_fraction"]) and v.numbers["fraction"] >= 0.5
    assert v.numbers["mean_derivative"] == pytest.approx(worst["mean_derivative"], rel=1e-8)
    assert f"{100 * v.numbers['fraction']:.3g} %" in vanishing(activation=activation, init="normal:3", **SMALL).to_text()


def test_relu_dead_units_are_counted():
    config = dict(depth=10, width=10, samples=200, features=2, data="moons", activation="relu", init="xavier_uniform")
    run, stats = measured(**config)
    v = run.verdict
    assert v.code == "dead_units"
    assert v.numbers["per_layer"] == [s["dead_units"] for s in stats[:-1]]
    assert v.numbers["dead"] >= 5 and v.numbers["dead_total"] == sum(s["dead_units"] for s in stats[:-1])
    # a dead unit passes no gradient: its incoming weights' gradient column is exactly 0
    layer = v.numbers["layer"]
    p = make_problem(**config)
    net = ref.Net(run.config, p.weights)
    cache = net.forward(p.x)
    _, grads, _ = net.backward(cache, p.y)
    dead = np.all(cache[layer - 1]["z"] <= 0, axis=0)
    assert dead.sum() == v.numbers["dead"] and not grads[("W", layer - 1)][:, dead].any()


def test_exploding_names_the_first_nonfinite_layer():
    run = vanishing(activation="relu", init="normal:1e40", depth=9, width=16, samples=40, features=8).runs[0]
    assert run.verdict.code == "nonfinite" and run.verdict.numbers == {"where": "forward", "layer": 8, "node": "z8"}


def test_verdicts_follow_measurements_not_names():
    # a sigmoid net whose gradient does not vanish, and a relu net whose signal dies
    sigmoid = vanishing(activation="sigmoid", init="normal:1", **SMALL).runs[0]
    assert sigmoid.verdict.code in ("flat", "stable", "saturated") and sigmoid.status != "vanishing"
    relu = vanishing(activation="relu", init="normal:0.01", **SMALL).runs[0]
    assert relu.verdict.code == "signal_vanishes" and relu.verdict.numbers["growth"] < 1e-2


def test_every_code_has_words_in_both_languages():
    for lang in ("en", "id"):
        words = VANISHING[lang]
        for code in ("nonfinite", "symmetric", "saturated", "dead_units", "signal_vanishes", "signal_explodes",
                     "no_gradient", "vanishing", "exploding", "flat", "stable", "learned", "stalled", "worse",
                     "diverged"):
            assert code in words["code"]
    for config in (dict(), dict(residual=True), dict(activation="tanh", init="zeros"),
                   dict(activation="tanh", init="normal:3"), dict(activation="relu", init="normal:0.01"),
                   dict(activation="relu", init="normal:1e40")):
        result = vanishing(**{**SMALL, **config})
        en, id_ = result.to_text("en"), result.to_text("id")
        assert en != id_ and "{" not in en and "{" not in id_
