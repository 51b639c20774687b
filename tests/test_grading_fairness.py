"""Fair grading: every number `explain` prints, copied into an answers file, checks correct; the mistake
catalogue's own backprop, with no mistake switched on, is the tape's."""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from backcalc.grading.grade import check_answers
from backcalc.grading.keys import AnswerSpace
from backcalc.grading.student_backprop import backprop
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.render.format import num

ROOT = Path(__file__).resolve().parents[1]
# conv and pool nets: their printed values check correct in tests/test_conv_grading.py; rnn nets are not graded yet
EXAMPLES = sorted(p for p in (ROOT / "worked_examples").glob("*.toml")
                  if p.name not in ("seed004_student.toml",)
                  and not re.search(r'kind = "(conv|\w+pool|rnn)', p.read_text(encoding="utf-8")))
DENSE = [p for p in EXAMPLES if not re.search(r'kind = "(batch|layer)norm"', p.read_text(encoding="utf-8"))]


def printed_sheet(d, digits):
    """Every value of the derivation as `explain --digits N` prints it (render.format.num), as an answers dict."""
    sp = AnswerSpace(d)
    spec = d.spec
    sheet = {"loss": num(d.loss, digits), "loss_after": num(d.loss_after, digits),
             "forward": {}, "factors": {}, "gradients": {}, "updated": {}}

    def put(section, key, items):
        values = [num(item.expected, digits) for item in items]
        sheet[section][key] = values[0] if len(values) == 1 else values

    for layer in spec.layers:
        for u in layer.unit_names:
            for kind in ("in", "out"):
                put("forward", f"{u}_{kind}", sp.name_items("forward", f"{u}_{kind}"))
            names = [f"∂L/∂{u}_out", f"∂L/∂{u}_in"]
            if sp.local[layer.index] is not None:
                names.append(f"∂{u}_out/∂{u}_in")
            for name in names:
                put("factors", name, sp.factor_items(name))
    for name in sp.stat_names:  # normalisation layers: mu, var, xhat and ∂L/∂ of each
        put("forward", name, sp.name_items("forward", name))
        if sp.norm[sp.stat_names[name][1]].grad_xhat is not None:
            put("factors", f"∂L/∂{name}", sp.factor_items(f"∂L/∂{name}"))
    for name, _ in spec.param_names():
        put("gradients", name, sp.name_items("gradients", name))
        put("updated", name, sp.name_items("updated", name))
    return sheet


def assert_round_trip(spec, digits):
    d = explain(spec)
    r = check_answers(spec, printed_sheet(d, digits), derivation=d)
    wrong = [(x.key, x.text, x.expected) for x in r.rows if x.verdict not in ("correct", "correct_low_precision")]
    assert not wrong and r.correct == r.total == r.answered, wrong[:5]
    return r


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("digits", [5, 3])
def test_every_printed_number_checks_correct_on_the_worked_examples(path, digits):
    spec = load_spec(path)
    r = assert_round_trip(spec, digits)
    # at explain's default most answers show their step; only some new weights cannot — except Adam's, whose
    # first step moves every weight by lr·g/(|g| + ε), lr up to ~1e-7: printed to 5 digits, none shows it
    if digits == 5 and spec.training.optim.optimizer not in ("adam", "adamw"):
        assert r.low_precision < r.total / 4


@st.composite
def nets(draw):
    acts = ["linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh"]
    depth = draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 3)) for _ in range(depth)]
    loss = draw(st.sampled_from(["half_sse", "sse", "mse", "bce", "cross_entropy"]))
    last = {"bce": st.sampled_from(["sigmoid", "linear"]), "cross_entropy": st.sampled_from(["softmax", "linear"])}
    if loss == "cross_entropy":
        widths[-1] = max(widths[-1], 2)
    samples = draw(st.integers(1, 3))
    inputs = draw(st.integers(1, 2))
    weight = st.integers(-8, 8).map(lambda k: k / 8)
    layers, fan_in = [], inputs
    for n, units in enumerate(widths):
        act = draw(last.get(loss, st.sampled_from(acts)) if n == depth - 1 else st.sampled_from(acts))
        layers.append({"activation": act, "weights": [[draw(weight) for _ in range(units)] for _ in range(fan_in)],
                       "bias": [draw(weight) for _ in range(units)]})
        fan_in = units
    x = [[draw(st.integers(-4, 4)) / 2 for _ in range(inputs)] for _ in range(samples)]
    if loss == "cross_entropy":
        y = [draw(st.integers(0, widths[-1] - 1)) for _ in range(samples)]
    elif loss == "bce":
        y = [[float(draw(st.integers(0, 1))) for _ in range(widths[-1])] for _ in range(samples)]
    else:
        y = [[draw(st.integers(-4, 4)) / 2 for _ in range(widths[-1])] for _ in range(samples)]
    return {"format": 1, "data": {"x": x, "y": y}, "layers": layers, "loss": {"kind": loss},
            "train": {"learning_rate": draw(st.sampled_from([0.1, 0.25, 0.5])), "steps": draw(st.integers(1, 3))}}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nets(), st.sampled_from([5, 3]))
@example({"format": 1, "data": {"x": [[0.0, 0.5], [2.0, 2.0]], "y": [[1.5], [2.0]]},  # diverges: loss_after ≈ 2.1e15
          "layers": [{"activation": "linear", "weights": [[0.0], [0.0]], "bias": [0.0]},
                     {"activation": "linear", "weights": [[0.75]], "bias": [0.0]}],
          "loss": {"kind": "half_sse"}, "train": {"learning_rate": 0.5, "steps": 3}}, 5)
def test_every_printed_number_checks_correct_on_random_nets(doc, digits):
    assert_round_trip(load_spec(doc), digits)


@pytest.mark.parametrize("path", DENSE, ids=lambda p: p.stem)
def test_the_catalogues_own_backprop_with_no_mistake_is_the_tape(path):
    """With no switch on, the catalogue's backprop gives the tape's ∂L/∂out, δ, local factors and gradients.
    (A flipped sign in its softmax δ, s·(g − Σ g·s) → s·(Σ g·s − g), fails this on softmax_batch.)"""
    d = explain(load_spec(path))
    sp = AnswerSpace(d)
    run = backprop(sp)
    for layer in d.spec.layers:
        n = layer.index
        np.testing.assert_allclose(run["W"][n], d.gradients[f"W{n}"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(run["b"][n], d.gradients[f"b{n}"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(run["out"][n], sp.g_out[n], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(run["delta"][n], sp.delta[n], rtol=1e-12, atol=1e-15)
        if sp.local[n] is not None:
            np.testing.assert_allclose(run["local"][n], sp.local[n], rtol=1e-12, atol=1e-15)


def test_softmax_is_among_the_worked_examples():
    # the softmax δ of the catalogue is only exercised if a worked example has a softmax layer
    assert any(layer.activation == "softmax" for p in EXAMPLES for layer in load_spec(p).layers)
