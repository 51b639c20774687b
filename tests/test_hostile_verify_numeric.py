"""verify's central differences: a step scaled to the parameter, and "cannot judge" where no step can decide
(issue #13, "Silent wrong numbers"). The tape is right on every spec here (sympy agrees with it), so any
row verify marks wrong is a false alarm."""

import json

import numpy as np
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings, strategies as st

from backcalc.check import numeric
from backcalc.check.verify import verify
from backcalc.net.spec import load_spec
from backcalc.cli import main

LOGITS = {"format": 1, "data": {"x": [[1e6, -1e6]], "y": [1]},
          "layers": [{"name": "o", "activation": "linear", "weights": [[1e6, 0.5], [0.25, 1e6]], "bias": [0.0, 0.0]}],
          "loss": {"kind": "cross_entropy"}}


def test_logits_of_1e12_are_not_judged_by_differences_and_not_failed(tmp_path):
    # the loss is 2e12: its last digit (4e-4) is larger than what any step up to 1e-2 moves it by for a bias
    path = tmp_path / "logits.json"
    path.write_text(json.dumps(LOGITS))
    res = CliRunner().invoke(main, ["verify", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["ok"] and not out["numeric_checked"]
    assert any("cannot judge 2 rows (b_o1, b_o2)" in n for n in out["notes"])
    text = CliRunner().invoke(main, ["verify", str(path)])
    assert "not judged" in text.output and "kink" not in text.output


def test_the_weights_of_the_same_net_are_still_judged():
    rows = {r.name: r for r in verify(LOGITS).rows}
    assert all(rows[n].numeric_compared for n in ("w_x1o1", "w_x1o2", "w_x2o1", "w_x2o2"))


def test_a_wrong_tape_is_still_caught_where_differences_judge(monkeypatch):
    # the numeric column alone still fails a row it can judge (the checker can fail)
    real = numeric.judged_gradients

    def off(spec, *a):
        out = real(spec, *a)
        key = next(iter(out))
        return {**out, key: (out[key][0] * 1.01 + 1.0, True)}

    monkeypatch.setattr("backcalc.check.verify.judged_gradients", off)
    assert not verify(LOGITS).ok


magnitude = st.floats(-3, 6).map(lambda e: 10.0 ** e) | st.just(0.0)
value = st.tuples(magnitude, st.sampled_from([-1.0, 1.0])).map(lambda t: round(t[0] * t[1], 6))


@st.composite
def specs(draw):
    loss = draw(st.sampled_from(["half_sse", "mse", "cross_entropy", "bce"]))
    shape = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(2, 3)))]
    acts = [draw(st.sampled_from(["sigmoid", "tanh", "linear", "elu"])) for _ in shape[1:]]
    if loss == "cross_entropy":
        shape[-1], acts[-1] = 2, draw(st.sampled_from(["linear", "softmax"]))
    if loss == "bce":
        acts[-1] = draw(st.sampled_from(["linear", "sigmoid"]))
    matrix = lambda r, c: [[draw(value) for _ in range(c)] for _ in range(r)]  # noqa: E731
    layers = [{"activation": a, "weights": matrix(i, o), "bias": matrix(1, o)[0]}
              for i, o, a in zip(shape, shape[1:], acts)]
    samples = draw(st.integers(1, 2))
    if loss == "cross_entropy":
        y = [draw(st.integers(0, 1)) for _ in range(samples)]
    elif loss == "bce":
        y = [[float(draw(st.integers(0, 1))) for _ in range(shape[-1])] for _ in range(samples)]
    else:
        y = matrix(samples, shape[-1])
    return {"format": 1, "data": {"x": matrix(samples, shape[0]), "y": y}, "layers": layers, "loss": {"kind": loss}}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(specs())
@example({"format": 1, "data": {"x": [[0.0, -100000.0]], "y": [[0.0, 0.0]]},  # w·1e5: a step of 1e-6 is too coarse
          "layers": [{"activation": "sigmoid", "weights": [[-1.0, -1.0], [0.0, -1.0]], "bias": [0.0, -1.0]},
                     {"activation": "sigmoid", "weights": [[-1.0, -1.0], [-1.0, 0.0]], "bias": [0.0, -1.0]}],
          "loss": {"kind": "half_sse"}})
@example({"format": 1, "data": {"x": [[-0.0]], "y": [[0.0]]},  # bce of σ(23.08) = 1 − 9.5e-11: 1 − a cancels
          "layers": [{"activation": "tanh", "weights": [[-0.0]], "bias": [-1.0]},
                     {"activation": "sigmoid", "weights": [[-31.622777]], "bias": [-1.0]}],
          "loss": {"kind": "bce"}})
@example({"format": 1, "data": {"x": [[-100000.0]], "y": [[0.0, 0.0]]},  # a step of w moves the logit −1 by 1e5
          "layers": [{"activation": "linear", "weights": [[-1000000.0]], "bias": [-1.0]},
                     {"activation": "linear", "weights": [[-0.0, -1.0]], "bias": [-1.0, -0.0]}],
          "loss": {"kind": "bce"}})
def test_no_false_alarm_over_magnitudes_1e_minus_3_to_1e6(spec):
    # before the scaled step, about one spec in five of these failed a right row (e.g. a weight of 1e5 moved by
    # 1e-6, a loss of 1e9 differenced at 1e-6)
    from backcalc.errors import BackcalcError

    try:
        result = verify(spec)
    except BackcalcError:  # a run that overflows or a bce probability of exactly 0 or 1 is refused, never judged
        return
    assert result.ok, [(r.name, r.tape, r.symbolic, r.numeric) for r in result.failures()]
    for r in result.rows:  # a row judged by differences really agrees with sympy at the tolerance
        if r.numeric_compared:
            assert np.isclose(r.numeric, r.symbolic, rtol=1e-4, atol=1e-7)


def test_bce_of_a_probability_near_1_is_not_judged_by_differences():
    # −ln(1 − a) at a = 1 − 9.5e-11: a's rounding (1.1e-16) is 1.2e-6 of 1 − a, so the loss rounds at 1.2e-6
    # and a step of 1e-6 gives a quotient 6 % off (−14.12 for −13.28): a false mismatch before the cancellation
    # counted in the loss's rounding; now those rows are "cannot judge", and tape = sympy decides them
    spec = {"format": 1, "data": {"x": [[0.0]], "y": [[0.0]]},
            "layers": [{"activation": "tanh", "weights": [[0.0]], "bias": [-1.0]},
                       {"activation": "sigmoid", "weights": [[-31.622777]], "bias": [-1.0]}],
            "loss": {"kind": "bce"}}
    result = verify(spec)
    rows = {r.name: r for r in result.rows}
    assert result.ok and not rows["b_h1"].numeric_compared
    assert abs(rows["b_h1"].numeric - rows["b_h1"].symbolic) > 1e-4 * abs(rows["b_h1"].symbolic)  # it was noise
    assert any(n.code == "unjudged" for n in result.notes)


def test_a_step_that_moves_a_logit_past_its_bend_is_not_trusted():
    # h1 = 1e11, so a step of 1e-6 in w_h1o1 moves the logit o1 = −1 by ±1e5: softplus is 0 on one side and the
    # identity on the other, and the quotients at h and h/2 agree on the average slope, 2.5e10 for 1.34e10
    spec = {"format": 1, "data": {"x": [[-100000.0]], "y": [[0.0, 0.0]]},
            "layers": [{"activation": "linear", "weights": [[-1000000.0]], "bias": [-1.0]},
                       {"activation": "linear", "weights": [[0.0, -1.0]], "bias": [-1.0, 0.0]}],
            "loss": {"kind": "bce"}}
    result = verify(spec)
    row = {r.name: r for r in result.rows}["w_h1o1"]
    assert result.ok and not row.numeric_compared
    assert abs(row.numeric - row.symbolic) > 0.5 * abs(row.symbolic)  # what differences said was far off
    # the rule on its own: the step's move of the outputs is measured, and past MAX_MOVE it is not trusted
    params = {k: v for k, v in load_spec(spec).parameters().items()}
    _, outputs = numeric.forward_loss(load_spec(spec), params)
    assert outputs[-1][0, 0] == -1.0 and abs(outputs[0][0, 0]) > 1e10
