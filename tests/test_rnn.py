"""The rnn layer and backprop through time: PyTorch float64 (an explicit loop and nn.RNN with the same weights;
skipped without torch), the mpmath reference, verify three ways (a broken rule caught), the worked example by
hand, the per-step rows and paths back through time, and bad input refused with exit 2."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from backcalc.check.verify import verify
from backcalc.errors import SpecError
from backcalc.net.derivation import explain
from backcalc.net.names import parse_key
from backcalc.net.network import Network
from backcalc.net.spec import load_spec
from shared import (assert_rnn_gradients_match, assert_tape_matches, assert_tape_matches_reference,
                    assert_verifies_three_ways, cut_before, torch_rnn_module, torch_rnn_states)

ROOT = Path(__file__).resolve().parents[1]
LAST = ROOT / "worked_examples" / "rnn_last_step.toml"


def _spec(activation="tanh", h0=None, samples=2, steps=4, features=2, units=3):
    rng = np.random.default_rng(21)
    x = np.round(rng.normal(size=(samples, steps, features)), 2)
    rnn = {"kind": "rnn", "name": "r", "weights_x": np.round(rng.normal(size=(features, units)) / 2, 2).tolist(),
           "weights_h": np.round(rng.normal(size=(units, units)) / 2, 2).tolist(),
           "bias": np.round(rng.normal(size=units) / 4, 2).tolist(), "activation": activation}
    if h0 is not None:
        rnn["h0"] = h0
    return load_spec({"format": 1, "seed": 1, "data": {"x": x.tolist(), "y": np.round(rng.normal(size=(samples, 2)), 2).tolist()},
                      "layers": [rnn, {"name": "o", "activation": "linear", "units": 2, "init": "normal:0.5"}]})


def _torch_loop(spec):
    torch = pytest.importorskip("torch")
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec.parameters().items()}
    hs = list(torch_rnn_states(spec, t))
    out = hs[-1] @ t["W2"] + t["b2"]
    loss = 0.5 * ((out - torch.tensor(spec.y, dtype=torch.float64)) ** 2).sum()
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in t.items()}, [v.grad.numpy() for v in hs]


CASES = {"worked": lambda: load_spec(LAST), "tanh": lambda: _spec(), "sigmoid_h0": lambda: _spec("sigmoid", [0.5, -0.5, 0.25]),
         "per_sample_h0": lambda: _spec("tanh", [[0.1, 0.2, 0.3], [-0.3, 0.0, 0.5]])}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_tape_matches_an_explicit_pytorch_loop(make):
    spec = make()
    loss, grads, _ = _torch_loop(spec)
    assert_tape_matches(spec, loss, grads)


def test_tape_matches_nn_rnn_with_the_same_weights():
    torch = pytest.importorskip("torch")
    spec = _spec()
    net = torch_rnn_module(spec.layers[0])
    out, h_last = net(torch.tensor(spec.x, dtype=torch.float64))
    p = Network(spec).forward()
    np.testing.assert_allclose(p.layers[0].output.data, h_last[0].detach().numpy(), rtol=1e-13)
    hs = np.asarray(explain(spec).forward["h1"])
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=1e-13)
    W2, b2 = (torch.tensor(v, dtype=torch.float64) for v in (spec.layers[1].weights, spec.layers[1].bias))
    (0.5 * ((h_last[0] @ W2 + b2 - torch.tensor(spec.y)) ** 2).sum()).backward()
    assert_rnn_gradients_match(Network(spec).forward().gradients(), net)


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_tape_matches_the_mpmath_reference(make):
    assert_tape_matches_reference(make())


@pytest.mark.parametrize("make", [CASES["worked"], CASES["sigmoid_h0"]], ids=["worked", "sigmoid_h0"])
def test_verify_passes_three_ways(make):
    assert_verifies_three_ways(make())


def test_verify_catches_bptt_truncated_on_the_tape(monkeypatch):
    # h_(t−1) detached before h_(t−1)·Wh (BPTT truncated to one step): the checker, built independently, objects
    spec = load_spec(LAST)
    assert verify(spec).ok
    cut_before(monkeypatch, "Wh1")
    result = verify(spec)
    assert not result.ok
    wrong = {r.name for r in result.rows if not r.ok}
    assert "w_xr1" in wrong and "w_r1t3o" not in wrong     # the steps before the last lose their share


def test_worked_example_by_hand():
    # h1 = tanh([0.5, −0.9]); h2 = tanh(0.5·[0.5, −1] + h1·Wh + b); o = h3[0] − h3[1]
    spec = load_spec(LAST)
    d = explain(spec)
    h1 = [math.tanh(0.5), math.tanh(-0.9)]
    z2 = [0.25 + 0.5 * h1[0] - 0.5 * h1[1], -0.5 + 0.25 * h1[0] + 1.0 * h1[1] + 0.1]
    h2 = [math.tanh(v) for v in z2]
    z3 = [-0.5 + 0.5 * h2[0] - 0.5 * h2[1], 1.0 + 0.25 * h2[0] + h2[1] + 0.1]
    h3 = [math.tanh(v) for v in z3]
    np.testing.assert_allclose(d.forward["h1"][0], [h1, h2, h3], rtol=1e-14)
    g3 = [(h3[0] - h3[1] - 0.5) * 1.0, (h3[0] - h3[1] - 0.5) * -1.0]    # ∂L/∂h3 from o = h3·[1, −1]
    dz3 = [g3[u] * (1 - h3[u] ** 2) for u in range(2)]
    g2 = [dz3[0] * 0.5 + dz3[1] * 0.25, dz3[0] * -0.5 + dz3[1] * 1.0]   # back through Wh: Σ_k δ3_k · Wh[u][k]
    up = {u.unit: u for u in d.upstream}
    assert [up["r1t2"].value, up["r2t2"].value] == pytest.approx(g2, rel=1e-13)
    assert [(p.via, p.weight_name) for p in up["r1t2"].paths] == [("r1t3", "w_r1r1"), ("r2t3", "w_r1r2")]
    # ∂L/∂w_r1r1 = Σ_t δ_r1,t · h_r1,(t−1): 0 at t1 (h0 = 0)
    t = d.term("w_r1r1")
    assert [c.position for c in t.chains] == ["t1", "t2", "t3"] and t.chains[0].value == 0.0
    dz2 = [g2[u] * (1 - h2[u] ** 2) for u in range(2)]
    assert t.chains[2].value == pytest.approx(dz3[0] * h2[0], rel=1e-13)
    assert t.chains[1].value == pytest.approx(dz2[0] * h1[0], rel=1e-13)


def test_per_step_rows_add_up_to_pytorch_gradients():
    spec = _spec()
    _, grads, hgrads = _torch_loop(spec)
    d = explain(spec)
    for term in (t for t in d.terms if t.layer == 1):
        k = parse_key(term.key)
        assert sum(c.value for c in term.chains) == pytest.approx(float(grads[k.array][k.index]), rel=1e-10, abs=1e-13)
        assert [c.position for c in term.chains] == [f"t{t}" for _ in range(2) for t in range(1, 5)]
        for c in term.chains:  # each row's ∂L/∂h_t: PyTorch's gradient of that step's state
            step, unit = int(c.position[1:]), int(c.factors[0].wrt[1])
            assert c.factors[0].value == pytest.approx(hgrads[step - 1][c.sample - 1, unit - 1], abs=1e-12)


@pytest.mark.parametrize("layers,x,message", [
    ([{"kind": "rnn", "weights_x": [[1.0, 0.0]], "weights_h": [[1.0]], "bias": [0.0]}], [[[1.0]]],
     "weights_h: expected 2×2 (units × units), got 1×1"),
    ([{"kind": "rnn", "weights_x": [[1.0], [1.0]], "weights_h": [[1.0]], "bias": [0.0]}], [[[1.0]]],
     "weights_x: expected 1×1 (features × units: data.x has 1 features per step), got 2×1"),
    ([{"kind": "rnn", "weights_x": [[1.0]], "weights_h": [[1.0]], "bias": [0.0, 1.0]}], [[[1.0]]],
     "bias: expected 1 numbers"),
    ([{"kind": "rnn", "weights_x": [[1.0]], "weights_h": [[1.0]], "bias": [0.0], "h0": [1.0, 2.0]}], [[[1.0]]], "h0"),
    ([{"kind": "rnn", "weights_x": [[1.0]], "weights_h": [[1.0]], "bias": [0.0], "return_sequences": True}],
     [[[1.0], [0.5], [0.0]]], "data.y: expected 1×3×1 (samples × steps × outputs: a target at every step): the rnn "
                              "returns every step (return_sequences = true), got 1×1"),
    ([{"kind": "rnn", "weights_x": [[1.0]], "weights_h": [[1.0]], "bias": [0.0], "return_sequences": 1}],
     [[[1.0]]], "return_sequences: expected true or false, got"),
    ([{"kind": "rnn", "weights_x": [[1.0]], "weights_h": [[1.0]], "bias": [0.0]}], [[[[1.0]]]],
     "expected samples × channels × length (or samples × steps × features for an rnn)"),
])
def test_bad_rnn_input_is_refused_naming_the_layer(layers, x, message):
    doc = {"format": 1, "data": {"x": x, "y": [[1.0]]},
           "layers": layers + [{"activation": "linear", "weights": [[1.0]] * len(layers[0]["weights_h"]), "bias": [0.0]}]}
    with pytest.raises(SpecError) as info:
        load_spec(doc)
    assert message in str(info.value), str(info.value)


def test_rnn_must_be_first_and_not_last():
    with pytest.raises(SpecError, match="put it first"):
        load_spec({"format": 1, "data": {"x": [[1.0]], "y": [[1.0]]},
                   "layers": [{"activation": "linear", "weights": [[1.0]], "bias": [0.0]},
                              {"kind": "rnn", "weights_x": [[1.0]], "weights_h": [[1.0]], "bias": [0.0]},
                              {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]})
    with pytest.raises(SpecError, match="end the net with one"):
        load_spec({"format": 1, "data": {"x": [[[1.0]]], "y": [[1.0]]},
                   "layers": [{"kind": "rnn", "weights_x": [[1.0]], "weights_h": [[1.0]], "bias": [0.0]}]})


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_gradient_norms_through_time_match_pytorch_and_stay_under_their_bound(make):
    spec = make()
    _, _, hgrads = _torch_loop(spec)
    d = explain(spec)
    rnn = spec.layers[0]
    spectral = np.linalg.svd(rnn.weights_h, compute_uv=False)[0]       # ‖Wh‖₂ by the SVD
    hs = np.asarray(d.forward["h1"])
    rows = {(r.sample, r.step): r for r in d.time_norms}
    assert len(rows) == spec.samples * rnn.steps
    for s in range(spec.samples):
        for t in range(1, rnn.steps + 1):
            r = rows[s + 1, t]
            assert r.norm == pytest.approx(np.linalg.norm(hgrads[t - 1][s]), rel=1e-10, abs=1e-14)
            if t == rnn.steps:
                assert r.ratio is None and r.bound is None
                continue
            h = hs[s, t]                                                 # h_(t+1) (0-based step t)
            fprime = 1 - h ** 2 if rnn.activation == "tanh" else h * (1 - h)
            assert r.bound == pytest.approx(np.max(np.abs(fprime)) * spectral, rel=1e-10)
            assert r.ratio == pytest.approx(r.norm / rows[s + 1, t + 1].norm, rel=1e-12)
            assert r.ratio <= r.bound * (1 + 1e-12)


def test_the_worked_example_shows_the_gradient_shrinking_back_through_time():
    d = explain(load_spec(LAST))
    norms = [r.norm for r in sorted(d.time_norms, key=lambda r: -r.step)]
    assert norms == sorted(norms, reverse=True) and norms[-1] < 0.5 * norms[0]    # 1.06 → 0.964 → 0.453
    from backcalc.render import text
    page = text.render(d)
    assert "‖∂L/∂h_t‖ back through time" in page and "ratio to t+1" in page
    assert "summed over the 3 time steps" in page and re.search(r"∂L/∂w_r1r1 +t1 ", page)
    assert "time_norms" in d.to_dict() and d.to_dict()["terms"][0]["positions"] == ["t1", "t2", "t3"]


def test_a_relu_rnn_at_its_kink_is_compared_by_tape_and_sympy_only(tmp_path):
    # z_1 = 1·1 + 0.5·0 − 1 = 0: relu's kink at step 1; every parameter moves it, so central differences step aside
    spec = load_spec({"format": 1, "data": {"x": [[[1.0], [0.0], [-1.0]]], "y": [[0.5]]},
                      "layers": [{"kind": "rnn", "name": "r", "weights_x": [[1.0]], "weights_h": [[0.5]],
                                  "bias": [-1.0], "activation": "relu"},
                                 {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]})
    result = verify(spec)
    assert result.ok and any("rt1_in" in str(n) for n in result.notes)
