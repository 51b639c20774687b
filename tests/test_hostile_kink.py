"""A pre-activation that is zero up to the rounding of its own terms is the kink (issue #13).

0.1·1 + 0.2·1 + (−0.3)·1 is 0 in the decimals a student works with and 5.55e-17 in floating point. The tape
takes it as exactly 0 (backcalc/net/kinks.py), so relu′(0) = 0 and every gradient is the hand work's; explain
says so in every format and language, check marks the hand answer 0 right, and verify's own sympy side (which
decides the same rule by itself, backcalc/check/activations.py) agrees with the tape.

Every expected value here comes from exact fractions of the spec's decimals (relu′(0) = 0, leaky_relu′(0) =
alpha, elu′(0) = alpha, selu′(0) = λα: the README's conventions), never from backcalc.
"""

import json
from fractions import Fraction as F

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backcalc import explain, verify
from backcalc.cli import main
from backcalc.grading.grade import check_answers

SELU_LAMBDA = F("1.0507009873554804934193349852946")
SELU_ALPHA = F("1.6732632423543772848170429916717")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def kink_spec(xs, ws, bias, activation="relu", alpha=None, y=1.0, w_out=1.0, b_out=0.0):
    """One hidden unit k = f(Σ x·w + bias) (decimal strings), a linear output o = w_out·k + b_out, ½(o − y)²."""
    hidden = {"name": "k", "activation": activation, "weights": [[float(w)] for w in ws], "bias": [float(bias)]}
    if alpha is not None:
        hidden["alpha"] = alpha
    return {"format": 1, "title": "kink", "loss": {"kind": "half_sse"},
            "data": {"x": [[float(x) for x in xs]], "y": [[y]]},
            "layers": [hidden, {"activation": "linear", "weights": [[w_out]], "bias": [b_out]}]}


def slope_at_zero(activation, alpha=None):
    """f′(0) by the README's convention, exact."""
    return {"relu": F(0), "leaky_relu": F(str(alpha or "0.01")), "elu": F(str(alpha or "1.0")),
            "selu": SELU_LAMBDA * SELU_ALPHA}[activation]


def hand_gradients(xs, ws, bias, activation="relu", alpha=None, y=1, w_out=1, b_out=0):
    """∂L/∂w of the hidden unit, worked by hand in exact decimals: z = 0 exactly, f(0) = 0, o = b_out."""
    assert sum(F(x) * F(w) for x, w in zip(xs, ws)) + F(bias) == 0
    o = F(b_out)
    delta = (o - F(y)) * F(w_out) * slope_at_zero(activation, alpha)
    return [delta * F(x) for x in xs], delta, (o - F(y))


ISSUE = (["1.0", "1.0", "1.0"], ["0.1", "0.2", "-0.3"], "0")   # 0.1 + 0.2 − 0.3 = 5.55e-17 in floats


def test_the_issue_example_is_the_kink_in_the_float_sum():
    xs, ws, b = ISSUE
    assert 0.1 * 1.0 + 0.2 * 1.0 + (-0.3) * 1.0 + 0.0 != 0.0  # the float sum really is off 0


def test_explain_takes_relu_prime_0_and_the_hand_gradients():
    xs, ws, b = ISSUE
    d = explain(kink_spec(xs, ws, b))
    grads, delta, d_out = hand_gradients(xs, ws, b)
    assert [row[0] for row in d.gradients["W1"]] == [float(g) for g in grads] == [0.0, 0.0, 0.0]
    assert d.gradients["b1"] == [float(delta)] and d.gradients["b2"] == [float(d_out)]
    assert d.forward["z1"] == [[0.0]] and d.forward["a1"] == [[0.0]]  # taken as exactly 0, and so is relu(0)
    (k,) = d.kinks
    assert (k.layer, k.unit, k.node, k.sample, k.activation) == (1, "k", "k_in", 1, "relu")
    assert k.value == 0.1 * 1.0 + 0.2 * 1.0 + (-0.3) * 1.0 + 0.0 and abs(k.value) <= k.bound


@pytest.mark.parametrize("activation, alpha", [("leaky_relu", None), ("leaky_relu", 0.2), ("elu", 0.5),
                                               ("elu", None), ("selu", None)])
def test_every_kinked_activation_takes_its_convention(activation, alpha):
    xs, ws, b = ISSUE
    d = explain(kink_spec(xs, ws, b, activation, alpha))
    grads, delta, _ = hand_gradients(xs, ws, b, activation, alpha)
    assert [row[0] for row in d.gradients["W1"]] == pytest.approx([float(g) for g in grads], rel=1e-14)
    assert d.gradients["b1"][0] == pytest.approx(float(delta), rel=1e-14)
    assert d.kinks and d.kinks[0].activation == activation


def test_a_kink_in_a_deeper_layer_from_computed_activations():
    # j = x·(0.1, 0.2) (linear): 0.1 and 0.2; k = relu(j1 + j2 − 0.3): 0.30000000000000004 − 0.3 in floats
    spec = {"format": 1, "loss": {"kind": "half_sse"}, "data": {"x": [[1.0]], "y": [[1.0]]},
            "layers": [{"name": "j", "activation": "linear", "weights": [[0.1, 0.2]], "bias": [0.0, 0.0]},
                       {"name": "k", "activation": "relu", "weights": [[1.0], [1.0]], "bias": [-0.3]},
                       {"activation": "linear", "weights": [[2.0]], "bias": [0.5]}]}
    d = explain(spec)
    assert [(k.layer, k.node) for k in d.kinks] == [(2, "k_in")]
    # by hand: k_in = 0, relu′(0) = 0, so nothing reaches j or W1; ∂L/∂b3 = o − y = 0.5 − 1
    assert d.gradients["W1"] == [[0.0, 0.0]] and d.gradients["W2"] == [[0.0], [0.0]]
    assert d.gradients["b3"] == [-0.5]
    assert verify(spec).ok


def test_a_small_value_that_is_not_rounding_keeps_its_slope():
    # 1e-15 = 1·1e-15 is far above the rounding of its one term (1e-31): a real positive pre-activation
    d = explain(kink_spec(["1.0"], ["1e-15"], "0"))
    assert not d.kinks and d.gradients["W1"] == [[-1.0 + 1e-15]]
    # large terms whose decimals cancel: 0.3·100000.1 − 3·10000.01 = 0, whatever the floats leave over
    xs, ws = ["0.3", "-3.0"], ["100000.1", "10000.01"]
    d = explain(kink_spec(xs, ws, "0"))
    assert d.forward["z1"] == [[0.0]] and d.gradients["W1"] == [[0.0], [0.0]]


def test_many_samples_one_at_the_kink():
    spec = kink_spec(["1.0", "1.0", "1.0"], ISSUE[1], "0")
    spec["data"] = {"x": [[1.0, 1.0, 1.0], [1.0, 2.0, 1.0]], "y": [[1.0], [1.0]]}
    d = explain(spec)
    assert [(k.sample, k.node) for k in d.kinks] == [(1, "k_in")]
    # sample 2: z = 0.1 + 0.4 − 0.3 = 0.2 > 0, relu′ = 1, o = 0.2: ∂L/∂w_x2k = (0.2 − 1)·1·1·2 (sample 1 adds 0)
    assert d.gradients["W1"][1][0] == pytest.approx(float((F("0.1") + F("0.4") - F("0.3") - 1) * 2), rel=1e-12)


@pytest.mark.parametrize("kind, x, w", [("conv1d", [[[1.0, 1.0, 1.0]]], [[[0.1, 0.2, -0.3]]]),
                                         ("conv2d", [[[[1.0, 1.0, 1.0]]]], [[[[0.1, 0.2, -0.3]]]])])
def test_a_convolution_output_at_the_kink(kind, x, w):
    # one output position: 0.1·1 + 0.2·1 + (−0.3)·1 + 0, relu′(0) = 0 by hand, so the kernel's gradient is 0
    spec = {"format": 1, "loss": {"kind": "half_sse"}, "data": {"x": x, "y": [[1.0]]},
            "layers": [{"kind": kind, "name": "c", "weights": w, "bias": [0.0], "activation": "relu"},
                       {"kind": "flatten"}, {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    d = explain(spec)
    assert [(k.node, k.terms) for k in d.kinks] == [("c11_in" if kind == "conv1d" else "c111_in", 4)]
    assert np.array(d.gradients["W1"]).ravel().tolist() == [0.0, 0.0, 0.0] and d.gradients["b1"] == [0.0]
    assert "taken as exactly 0" in d.render()
    result = verify(spec)
    assert result.ok and [n.code for n in result.notes] == ["rounded_kink"]


def test_a_recurrent_step_at_the_kink():
    # step 1: 0.1 + 0.2 − 0.3 (+ h0·1 + 0) is 0 by hand, relu′(0) = 0, h1 = 0; step 2: z = 1.5 = h2 = the output,
    # ∂L/∂z2 = 1.5, so ∂L/∂Wx = 1.5·0.5 from step 2 alone and ∂L/∂Wh = 1.5·h1 = 0 (the float slope gave 0.9, 1.05, 0.3)
    spec = {"format": 1, "data": {"x": [[[0.1, 0.2, -0.3], [0.5, 0.5, 0.5]]], "y": [[0.0]]},
            "layers": [{"kind": "rnn", "name": "r", "activation": "relu", "weights_x": [[1.0], [1.0], [1.0]],
                        "weights_h": [[1.0]], "bias": [0.0]},
                       {"name": "o", "activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    d = explain(spec)
    assert [(k.node, k.terms) for k in d.kinks] == [("rt1_in", 5)]
    exact = F(3, 2) * F(1, 2)
    assert d.gradients["Wx1"] == [[float(exact)]] * 3 and d.gradients["Wh1"] == [[0.0]]
    assert "taken as exactly 0" in d.render()
    result = verify(spec)
    assert result.ok and [n.code for n in result.notes] == ["rounded_kink"]


def test_a_normalisation_output_at_the_kink():
    # batchnorm of [0, 2]: x̂ = ±1/√(1 + eps); γ = 1 and β one unit in the last place short of −x̂ leave y = γ·x̂ + β
    # of sample 2 at 1.1e-16, inside the rounding of its two terms: relu′ takes 0 there, so nothing reaches γ or β
    # (the float slope of 1 gave ∂L/∂γ ≈ −1, and verify disagreed)
    xhat = 1 / np.sqrt(1 + 1e-5)
    spec = {"format": 1, "data": {"x": [[0.0], [2.0]], "y": [[1.0], [1.0]]},
            "layers": [{"kind": "batchnorm", "name": "n", "activation": "relu", "gamma": [1.0],
                        "beta": [-float(np.nextafter(xhat, 0))]},
                       {"name": "o", "activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    d = explain(spec)
    assert [(k.node, k.sample, k.terms) for k in d.kinks] == [("n_in", 2, 2)]
    assert d.gradients["gamma1"] == [0.0] and d.gradients["beta1"] == [0.0]
    result = verify(spec)
    assert result.ok and [n.code for n in result.notes] == ["rounded_kink"]


# ── every format and both languages say it ──

@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
@pytest.mark.parametrize("lang, words", [("en", "taken as exactly 0"), ("id", "diambil tepat 0")])
def test_every_format_and_language_says_it(tmp_path, fmt, lang, words):
    path = tmp_path / "kink.json"
    path.write_text(json.dumps(kink_spec(*ISSUE)))
    res = run("explain", path, "--format", fmt, "--lang", lang)
    assert res.exit_code == 0, res.output
    assert words in res.output and "5.5511e-17" in res.output


def test_the_json_lists_the_kink_and_the_zero(tmp_path):
    path = tmp_path / "kink.json"
    path.write_text(json.dumps(kink_spec(*ISSUE)))
    out = json.loads(run("explain", path, "--format", "json").output)
    assert out["forward"]["z1"] == [[0.0]] and out["gradients"]["W1"] == [[0.0], [0.0], [0.0]]
    (k,) = out["kinks"]
    assert k["node"] == "k_in" and k["taken_as"] == 0.0 and k["float_value"] == 0.1 + 0.2 - 0.3 + 0.0
    assert k["terms"] == 4 and k["activation"] == "relu"


def test_a_summary_page_names_the_kink(tmp_path):
    # 3 inputs → 30 relu units → 1: too large for the unit listing, so the summary says it
    rng = np.random.default_rng(0)
    W = np.round(rng.uniform(-1, 1, (3, 30)), 1)
    W[:, 0] = [0.1, 0.2, -0.3]
    spec = {"format": 1, "loss": {"kind": "half_sse"}, "data": {"x": [[1.0, 1.0, 1.0]], "y": [[1.0]]},
            "layers": [{"name": "k", "activation": "relu", "weights": W.tolist(), "bias": [0.0] * 30},
                       {"activation": "linear", "weights": [[1.0]] * 30, "bias": [0.0]}]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(spec))
    for fmt in ("text", "markdown", "latex", "html"):
        res = run("explain", path, "--format", fmt)
        assert res.exit_code == 0 and "_in is 5.5511e-17 in floating point" in res.output, fmt


# ── check and verify agree ──

def answers_of(grads, delta, d_out):
    """A hand-worked answers file: every gradient, and the unit's forward values (0 at the kink)."""
    given = {f"w_x{i + 1}k": float(g) for i, g in enumerate(grads)}
    given.update(b_k=float(delta), w_ko=0.0, b_o=float(d_out))
    return {"gradients": given, "forward": {"k_in": 0.0, "k_out": 0.0}}


def test_check_marks_the_hand_answer_right_and_the_float_slope_wrong(tmp_path):
    spec, (grads, delta, d_out) = kink_spec(*ISSUE), hand_gradients(*ISSUE)
    result = check_answers(spec, answers_of(grads, delta, d_out))
    assert result.ok and result.correct == len(result.rows) == 8
    wrong = check_answers(spec, {"gradients": {"w_x1k": -1.0}})  # relu′ = 1 taken of the float 5.55e-17
    assert not wrong.ok
    sp, an = tmp_path / "s.json", tmp_path / "a.json"
    sp.write_text(json.dumps(spec))
    an.write_text(json.dumps(answers_of(grads, delta, d_out)))
    assert run("check", sp, an).exit_code == 0


def test_verify_agrees_and_says_why_numeric_cannot_judge(tmp_path):
    result = verify(kink_spec(*ISSUE))
    assert result.ok
    rows = {r.name: r for r in result.rows}
    assert rows["w_x1k"].tape == rows["w_x1k"].symbolic == 0.0 and not rows["w_x1k"].numeric_compared
    assert [n.code for n in result.notes] == ["rounded_kink"]
    path = tmp_path / "kink.json"
    path.write_text(json.dumps(kink_spec(*ISSUE)))
    for lang, words in (("en", "taken as exactly 0"), ("id", "diambil tepat 0")):
        res = run("verify", path, "--lang", lang)
        assert res.exit_code == 0 and words in res.output
    out = json.loads(run("verify", path, "--format", "json").output)
    assert out["ok"] and out["note_codes"][0]["code"] == "rounded_kink"


def test_verify_catches_a_tape_that_takes_the_float(monkeypatch):
    # the checker decides the kink on its own: a tape that no longer settles it is a mismatch
    monkeypatch.setattr("backcalc.net.layers.activation.settle", lambda z, upper, exact, terms: ((), (), ()))
    result = verify(kink_spec(*ISSUE))
    assert not result.ok and {r.name for r in result.failures()} == {"w_x1k", "w_x2k", "w_x3k", "b_k"}


def test_verify_catches_a_checker_that_takes_the_float(monkeypatch):
    # ... and the tape's decision is not copied into the checker: without its own rule sympy disagrees
    monkeypatch.setattr("backcalc.check.activations.rounding_zeros", lambda z, magnitude, terms: np.zeros_like(z, bool))
    assert not verify(kink_spec(*ISSUE)).ok


# ── the property: any decimal weights and inputs whose exact sum is 0 ──

decimals = st.integers(-40, 40).filter(bool)


@st.composite
def zero_sums(draw):
    """2–4 inputs of one decimal place, weights of two, and the bias (three places) that makes the sum 0."""
    n = draw(st.integers(2, 4))
    xs = [f"{draw(decimals) / 10:.1f}" for _ in range(n)]
    ws = [f"{draw(decimals) / 100:.2f}" for _ in range(n)]
    bias = -sum(F(x) * F(w) for x, w in zip(xs, ws))
    return xs, ws, f"{float(bias):.3f}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=zero_sums(), activation=st.sampled_from(["relu", "leaky_relu", "elu", "selu"]))
@example(case=ISSUE, activation="relu")
def test_a_decimal_zero_is_the_kink_everywhere(case, activation):
    xs, ws, bias = case
    spec = kink_spec(xs, ws, bias, activation)
    grads, delta, d_out = hand_gradients(xs, ws, bias, activation)
    d = explain(spec)
    assert d.forward["z1"] == [[0.0]]
    assert [row[0] for row in d.gradients["W1"]] == pytest.approx([float(g) for g in grads], rel=1e-12, abs=1e-300)
    assert d.gradients["b1"][0] == pytest.approx(float(delta), rel=1e-12)
    result = check_answers(spec, answers_of(grads, delta, d_out))
    assert result.ok and result.correct == len(grads) + 5


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=zero_sums(), activation=st.sampled_from(["relu", "leaky_relu", "elu", "selu"]))
@example(case=ISSUE, activation="relu")
def test_verify_agrees_at_every_decimal_zero(case, activation):
    xs, ws, bias = case
    result = verify(kink_spec(xs, ws, bias, activation))
    assert result.ok, [(r.name, r.tape, r.symbolic) for r in result.failures()]
