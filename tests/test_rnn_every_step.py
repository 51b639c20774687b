"""A loss at every step (rnn with return_sequences = true): PyTorch float64 (an explicit loop, and nn.RNN with a
Linear at every step; skipped without torch), the 40-digit reference, hand arithmetic for the worked example, verify
three ways (and a cut path caught), ∂L/∂h_t's two paths and the ‖∂L/∂h_t‖ table, and bad input refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner

import reference
from backcalc.check.verify import verify
from backcalc.cli import main
from backcalc.errors import SpecError
from backcalc.net.derivation import explain
from backcalc.net.network import Network
from backcalc.net.spec import load_spec

from test_rnn import ROOT
from shared import (assert_rnn_gradients_match, assert_tape_matches, assert_tape_matches_reference,
                    assert_verifies_three_ways, cut_before, torch_rnn_module, torch_rnn_states)

EVERY = ROOT / "worked_examples" / "rnn_every_step.toml"


def _spec(loss="half_sse", head="linear", outputs=2, activation="tanh", h0=None, samples=2, steps=4, seed=5):
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=(samples, steps, 2)), 2)
    rnn = {"kind": "rnn", "name": "r", "weights_x": np.round(rng.normal(size=(2, 3)) / 2, 2).tolist(),
           "weights_h": np.round(rng.normal(size=(3, 3)) / 2, 2).tolist(),
           "bias": np.round(rng.normal(size=3) / 4, 2).tolist(), "activation": activation, "return_sequences": True}
    if h0 is not None:
        rnn["h0"] = h0
    if loss == "cross_entropy":
        y = rng.integers(0, outputs, size=(samples, steps)).tolist()
    elif loss == "bce":
        y = rng.uniform(size=(samples, steps, outputs)).round(2).tolist()
    else:
        y = np.round(rng.normal(size=(samples, steps, outputs)), 2).tolist()
    return load_spec({"format": 1, "data": {"x": x.tolist(), "y": y}, "loss": {"kind": loss},
                      "layers": [rnn, {"name": "o", "activation": head,
                                       "weights": np.round(rng.normal(size=(3, outputs)), 2).tolist(),
                                       "bias": np.round(rng.normal(size=outputs) / 4, 2).tolist()}]})


CASES = {"worked": lambda: load_spec(EVERY), "tanh": lambda: _spec(),
         "sigmoid_h0_mse": lambda: _spec("mse", activation="sigmoid", h0=[0.5, -0.5, 0.25]),
         "per_sample_h0_sse": lambda: _spec("sse", h0=[[0.1, 0.2, 0.3], [-0.3, 0.0, 0.5]]),
         "softmax_ce": lambda: _spec("cross_entropy", "softmax", 3), "logits_ce": lambda: _spec("cross_entropy", "linear", 3),
         "sigmoid_bce": lambda: _spec("bce", "sigmoid", 2), "logits_bce": lambda: _spec("bce", "linear", 1)}


def _torch_loop(spec):
    """The loss at every step by an explicit PyTorch loop: per-sample losses summed over steps, then reduced."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec.parameters().items()}
    head = spec.layers[1]
    per, hs = 0.0, []
    for step, h in enumerate(torch_rnn_states(spec, t)):
        hs.append(h)
        z = h @ t["W2"] + t["b2"]
        y = torch.tensor(spec.y[:, step])
        if spec.loss == "cross_entropy":
            logp = torch.log(torch.softmax(z, 1)) if head.activation == "softmax" else torch.log_softmax(z, 1)
            per = per - logp[torch.arange(spec.samples), y]
        elif spec.loss == "bce":
            per = per + (F.binary_cross_entropy(torch.sigmoid(z), y, reduction="none") if head.activation == "sigmoid"
                         else F.binary_cross_entropy_with_logits(z, y, reduction="none")).mean(1)
        else:
            sq = (z - y) ** 2
            per = per + {"half_sse": 0.5 * sq.sum(1), "sse": sq.sum(1), "mse": sq.mean(1)}[spec.loss]
    loss = per.sum() if spec.reduction == "sum" else per.mean()
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in t.items()}, [v.grad.numpy() for v in hs]


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_tape_matches_an_explicit_pytorch_loop(make):
    spec = make()
    loss, grads, _ = _torch_loop(spec)
    assert_tape_matches(spec, loss, grads)


def test_tape_matches_nn_rnn_and_a_linear_at_every_step():
    torch = pytest.importorskip("torch")
    spec = _spec()
    rnn, head = spec.layers
    net, lin = torch_rnn_module(rnn), torch.nn.Linear(3, 2, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(head.weights.T))
        lin.bias.copy_(torch.tensor(head.bias))
    seq, _ = net(torch.tensor(spec.x, dtype=torch.float64))
    out = lin(seq)                                              # Linear on samples × steps × units: every step
    (0.5 * ((out - torch.tensor(spec.y)) ** 2).sum()).backward()
    d = explain(spec)
    np.testing.assert_allclose(d.forward["h1"], seq.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(d.forward["a1"], seq.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(d.forward["a2"], out.detach().numpy(), rtol=1e-13)
    g = {k: np.asarray(v) for k, v in d.gradients.items()}
    assert_rnn_gradients_match(g, net)
    np.testing.assert_allclose(g["W2"], lin.weight.grad.numpy().T, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(g["b2"], lin.bias.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("make", [CASES[k] for k in ("worked", "sigmoid_h0_mse", "softmax_ce", "logits_bce")],
                         ids=["worked", "sigmoid_h0_mse", "softmax_ce", "logits_bce"])
def test_tape_matches_the_mpmath_reference(make):
    assert_tape_matches_reference(make())


@pytest.mark.parametrize("make", [CASES[k] for k in ("worked", "sigmoid_h0_mse", "softmax_ce", "sigmoid_bce")],
                         ids=["worked", "sigmoid_h0_mse", "softmax_ce", "sigmoid_bce"])
def test_verify_passes_three_ways(make):
    assert_verifies_three_ways(make())


def test_verify_catches_the_path_through_h_next_cut_on_the_tape(monkeypatch):
    # h_(t−1) detached before h_(t−1)·Wh: each ∂L/∂h_t keeps its own step's path only; the checker objects
    spec = load_spec(EVERY)
    cut_before(monkeypatch, "Wh1")
    result = verify(spec)
    assert not result.ok
    wrong = {r.name for r in result.rows if not r.ok}
    assert "w_xr1" in wrong and "w_r1o" not in wrong and "b_o" not in wrong   # the head is not behind the cut


def test_worked_example_by_hand():
    # h_t = tanh(x_t·[0.5, −1] + h_(t−1)·Wh + [0, 0.1]); o_t = h_t·[1, −1]; L = Σ_t ½(o_t − y_t)²
    d = explain(load_spec(EVERY))
    x, y = [1.0, 0.5, -1.0], [0.5, -0.5, 0.25]
    Wh = [[0.5, 0.25], [-0.5, 1.0]]
    h, hs, zs = [0.0, 0.0], [], []
    for t in range(3):
        z = [x[t] * 0.5 + h[0] * Wh[0][0] + h[1] * Wh[1][0], x[t] * -1.0 + h[0] * Wh[0][1] + h[1] * Wh[1][1] + 0.1]
        h = [math.tanh(v) for v in z]
        hs.append(h)
        zs.append(z)
    o = [h[0] - h[1] for h in hs]
    assert d.loss == pytest.approx(sum(0.5 * (o[t] - y[t]) ** 2 for t in range(3)), rel=1e-14)
    assert d.loss == pytest.approx(2.25088, abs=5e-6)                  # the README's number
    e = [o[t] - y[t] for t in range(3)]                                # ∂L/∂o_t
    own = [[e[t], -e[t]] for t in range(3)]                            # the step's own path: ∂L/∂o_t·w_r{u}o
    g = [None, None, own[2]]
    dz = [None, None, [g[2][u] * (1 - hs[2][u] ** 2) for u in range(2)]]
    for t in (1, 0):                                                   # plus the path back from h_(t+1)
        g[t] = [own[t][u] + dz[t + 1][0] * Wh[u][0] + dz[t + 1][1] * Wh[u][1] for u in range(2)]
        dz[t] = [g[t][u] * (1 - hs[t][u] ** 2) for u in range(2)]
    up = {u.unit: u for u in d.upstream}
    for t in range(3):
        for u in range(2):
            row = up[f"r{u + 1}t{t + 1}"]
            assert row.value == pytest.approx(g[t][u], rel=1e-13)
            assert sum(p.grad * p.weight for p in row.paths) == pytest.approx(g[t][u], rel=1e-13)
    assert [(p.via, p.weight_name) for p in up["r1t2"].paths] == [("ot2", "w_r1o"), ("r1t3", "w_r1r1"), ("r2t3", "w_r1r2")]
    assert [(p.via, p.weight_name) for p in up["r2t3"].paths] == [("ot3", "w_r2o")]    # the last step: its own only
    assert up["r1t2"].value == pytest.approx(1.807, abs=5e-4) and up["r2t1"].value == pytest.approx(-1.7113, abs=5e-5)
    # ∂L/∂w_r1o = Σ_t ∂L/∂o_t · h_r1,t, one chain per step
    t = d.term("w_r1o")
    assert [c.position for c in t.chains] == ["t1", "t2", "t3"]
    assert [c.value for c in t.chains] == pytest.approx([e[k] * hs[k][0] for k in range(3)], rel=1e-13)
    assert t.value == pytest.approx(sum(e[k] * hs[k][0] for k in range(3)), rel=1e-13)
    # ∂L/∂w_r1r1 = Σ_t δ_r1,t · h_r1,(t−1)
    assert d.term("w_r1r1").value == pytest.approx(dz[1][0] * hs[0][0] + dz[2][0] * hs[1][0], rel=1e-13)
    assert [u.unit for u in d.upstream if u.layer == 1] == ["r1t3", "r2t3", "r1t2", "r2t2", "r1t1", "r2t1"]


@pytest.mark.parametrize("make", [CASES[k] for k in ("worked", "tanh", "sigmoid_h0_mse")], ids=["worked", "tanh", "sigmoid"])
def test_gradient_norms_through_time_match_pytorch_and_the_back_path_stays_under_its_bound(make):
    spec = make()
    _, _, hgrads = _torch_loop(spec)
    d = explain(spec)
    rnn = spec.layers[0]
    spectral = np.linalg.svd(rnn.weights_h, compute_uv=False)[0]
    hs = np.asarray(d.forward["h1"])
    rows = {(r.sample, r.step): r for r in d.time_norms}
    for s in range(spec.samples):
        for t in range(1, rnn.steps + 1):
            r = rows[s + 1, t]
            assert r.norm == pytest.approx(np.linalg.norm(hgrads[t - 1][s]), rel=1e-10, abs=1e-14)
            if t == rnn.steps:
                assert r.back is None and r.ratio is None and r.bound is None
                continue
            h = hs[s, t]
            fprime = 1 - h ** 2 if rnn.activation == "tanh" else h * (1 - h)
            back = (hgrads[t][s] * fprime) @ rnn.weights_h.T             # ∂L/∂z_(t+1)·Whᵀ from PyTorch's ∂L/∂h_(t+1)
            assert r.back == pytest.approx(np.linalg.norm(back), rel=1e-10, abs=1e-14)
            assert r.bound == pytest.approx(np.max(np.abs(fprime)) * spectral, rel=1e-10)
            assert r.ratio == pytest.approx(r.back / rows[s + 1, t + 1].norm, rel=1e-12)
            assert r.ratio <= r.bound * (1 + 1e-12)
    assert all("back" in row for row in d.to_dict()["time_norms"])


@pytest.mark.parametrize("y,loss,message", [
    ([[0.5]], "half_sse", "data.y: expected 1×3×1 (samples × steps × outputs: a target at every step): the rnn returns "
                          "every step (return_sequences = true), got 1×1"),
    ([[[0.5], [0.5]]], "half_sse", "expected 1×3×1 (samples × steps × outputs: a target at every step): the rnn "
                                   "returns every step (return_sequences = true), got 1×2×1"),
    ([[[0.5, 1.0], [0.5, 1.0], [0.5, 1.0]]], "half_sse", "got 1×3×2"),
    ([[0, 1]], "cross_entropy", "expected 1×3 (samples × steps: a class index at every step)"),
])
def test_targets_shaped_for_the_wrong_steps_are_refused(y, loss, message):
    doc = _doc(y, loss)
    with pytest.raises(SpecError) as info:
        load_spec(doc)
    assert message in str(info.value), str(info.value)


def _doc(y, loss="half_sse", sequence=True, outputs=1, after=None):
    head = {"name": "o", "activation": "softmax" if loss == "cross_entropy" else "linear",
            "weights": [[1.0] * (2 if loss == "cross_entropy" else outputs)], "bias": [0.0] * (2 if loss == "cross_entropy" else outputs)}
    return {"format": 1, "data": {"x": [[[1.0], [0.5], [-1.0]]], "y": y}, "loss": {"kind": loss},
            "layers": [{"kind": "rnn", "name": "r", "weights_x": [[0.5]], "weights_h": [[0.5]], "bias": [0.0],
                        "return_sequences": sequence}] + ([after] if after else []) + [head]}


def test_a_target_at_every_step_without_return_sequences_names_the_rnn_and_both_shapes(tmp_path):
    import json

    path = tmp_path / "s.json"
    path.write_text(json.dumps(_doc([[[0.5], [-0.5], [0.25]]], sequence=False)), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert ('data.y: expected 1×1 (samples × output units): layers[1] ("r") hands on h_T only, got 1×3×1, a target '
            'at every step; for a loss at every step write return_sequences = true in that layer') in line


@pytest.mark.parametrize("after,message", [
    ({"kind": "batchnorm", "name": "n", "gamma": [1.0], "beta": [0.0]},
     'layers[2] ("n"): a batchnorm layer cannot read every step of layers[1] ("r", 3 steps × 1 units)'),
    ({"name": "k", "activation": "tanh", "weights": [[1.0]], "bias": [0.0], "dropout": 0.5},
     'layers[2] ("k") dropout: dropout on a layer applied at every step (after return_sequences = true) is not built'),
    ({"name": "k", "activation": "tanh", "weights": [[1.0], [2.0]], "bias": [0.0]},
     'layers[2] ("k") weights: expected 1×1 (fan_in × units: layers[1] has 1 units), got 2×1'),
])
def test_what_cannot_follow_every_step_is_refused_naming_the_layer(after, message):
    with pytest.raises(SpecError) as info:
        load_spec(_doc([[[0.5], [-0.5], [0.25]]], after=after))
    assert message in str(info.value), str(info.value)


def test_a_dense_stack_after_every_step_runs_at_every_step():
    doc = _doc([[[0.5], [-0.5], [0.25]]], after={"name": "k", "activation": "tanh", "weights": [[1.0, -0.5]],
                                                 "bias": [0.0, 0.25]})
    doc["layers"][-1]["weights"] = [[1.0], [0.5]]
    spec = load_spec(doc)
    assert spec.layers[1].unit_names == ("k1t1", "k2t1", "k1t2", "k2t2", "k1t3", "k2t3")
    assert verify(spec).ok
    ref = reference.gradients(spec)
    for key, value in Network(spec).gradients().items():
        assert value == pytest.approx(float(ref[key]), rel=1e-9, abs=1e-12), key


LAST = ROOT / "worked_examples" / "rnn_last_step.toml"
TWO_PATHS = "∂L/∂r1t2_out = ∂L/∂ot2_in·w_r1o + ∂L/∂r1t3_in·w_r1r1 + ∂L/∂r2t3_in·w_r1r2"
NUMBERS = "1.9473·1 + (-0.47533)·0.5 + 0.3894·0.25 = 1.807"


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_format_writes_both_paths_the_sums_over_steps_and_the_table(lang):
    d = explain(load_spec(EVERY))
    words = {"en": ("path back from h_(t+1)", "summed over the 3 time steps"),
             "id": ("jalur mundur dari h_(t+1)", "dijumlahkan atas 3 langkah waktu")}[lang]
    for fmt in ("text", "markdown", "html"):
        page = d.render(fmt, lang=lang)
        flat = page.replace("&#x27;", "'")
        assert TWO_PATHS in flat and NUMBERS in flat, fmt
        assert words[0] in flat and words[1] in flat, fmt
        assert "½·(ot1_out − y_ot1)² + ½·(ot2_out − y_ot2)² + ½·(ot3_out − y_ot3)²" in flat, fmt
    tex = d.render("latex", lang=lang)
    assert r"\frac{\partial L}{\partial ot2_{\text{in}}} \cdot w_{r1o} + \frac{\partial L}{\partial r1t3_{\text{in}}}" in tex
    assert "0.64257" in tex and "0.90963" in tex
    import json

    doc = json.loads(d.render("json", lang=lang))
    assert doc["loss"] == pytest.approx(2.25088, abs=5e-6)
    assert np.asarray(doc["forward"]["a2"]).shape == (1, 3, 1) and np.asarray(doc["forward"]["h1"]).shape == (1, 3, 2)
    assert np.asarray(doc["gradients"]["W2"]).shape == (2, 1)
    w = next(t for t in doc["terms"] if t["name"] == "w_r1o")
    assert w["positions"] == ["t1", "t2", "t3"] and w["key"] == "W2[0][0]"
    assert [r["back"] for r in doc["time_norms"]][1:] == pytest.approx([0.64257, 1.0876], abs=5e-6)
    dot = d.render("dot", lang=lang)
    assert dot.startswith("digraph") and "L = 2.2509" in dot


@pytest.mark.parametrize("path", [EVERY, LAST], ids=["every_step", "last_step"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
def test_order_layer_shows_the_time_norm_table_in_the_recurrent_layer_part(path, fmt):
    from backcalc.render import renderer

    d = explain(load_spec(path))
    for lang, caption in (("en", "back through time"), ("id", "mundur melalui waktu")):
        kwargs = {"order": "layer"}
        page = renderer(fmt).render(d, lang=lang, **kwargs) if fmt in ("latex", "html") else None
        if page is None:
            from backcalc.render import bylayer

            page = bylayer.render(d, lang=lang, fmt=fmt)
        assert page.count(caption) == 1, (fmt, lang)
        at = page.index(caption)
        heading = "Layer 1 (r, tanh): gradients" if lang == "en" else "Lapisan 1 (r, tanh): gradien"
        assert page.rindex(heading, 0, at) < at, (fmt, lang)                 # in the recurrent layer's part,
        assert page.index("δ_r1t3" if fmt != "latex" else r"\delta_{r1t3}", at)  # before its deltas
        assert "0.90963" in page and "0.59283" in page


@pytest.mark.parametrize("lang,words", [("en", "11 parameters and 1 sample:"), ("id", "11 parameter dan 1 sampel:")])
def test_one_sample_is_singular(lang, words):
    x = [[[round(math.sin(k), 2)] for k in range(60)]]
    spec = load_spec({"format": 1, "data": {"x": x, "y": [[0.5]]},
                      "layers": [{"kind": "rnn", "name": "r", "weights_x": [[0.5, -1.0]], "weights_h": [[0.5, 0.25], [-0.5, 1.0]],
                                  "bias": [0.0, 0.1]}, {"name": "o", "activation": "linear", "weights": [[1.0], [-1.0]], "bias": [0.0]}]})
    page = explain(spec).render("text", lang=lang)
    assert words in page and "1 samples" not in page
    bn = load_spec({"format": 1, "data": {"x": [[0.5, -1.0]], "y": [[1.0]]},
                    "layers": [{"kind": "batchnorm", "name": "n", "gamma": [1.0, 1.0], "beta": [0.0, 0.5]},
                               {"name": "o", "activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]})
    page = explain(bn).render("text", lang=lang)
    assert ("over the 1 sample of the batch" if lang == "en" else "atas 1 sampel dalam batch") in page
    assert "1 samples" not in page


@pytest.mark.parametrize("answers,words", [
    ({"gradients": {"b_o": "-0.5"}}, "1 answer is right only at the precision written"),
    ({"gradients": {"b_o": "-0.5"}, "updated": {"b_o": "1.1"}}, "2 answers are right only at the precision written"),
    ({"gradients": {"b_o": "x"}}, "1 entry could not be read (!): fix it and check again; it counts as unanswered."),
])
def test_check_notes_are_singular_for_one(answers, words):
    from backcalc.grading.grade import check_answers
    from backcalc.render.check import render

    for fmt in ("text", "markdown"):
        page = render(check_answers(None, answers), fmt)
        assert words in page and "1 answers" not in page and "1 entries" not in page, fmt


@pytest.mark.parametrize("make", [lambda: load_spec(EVERY), lambda: load_spec(LAST), CASES["sigmoid_h0_mse"],
                                  CASES["softmax_ce"]], ids=["every_step", "last_step", "sigmoid_mse", "softmax_ce"])
def test_the_data_gradient_of_a_first_rnn(make):
    # ∂L/∂x_t = Σ_u ∂L/∂u_t_in · w_x{f}u: against PyTorch's x.grad and 40-digit central differences
    spec = make()
    d = explain(spec)
    rows = {(u.unit, u.sample): u for u in d.upstream if u.layer == 0}
    S, T, F = spec.x.shape
    assert len(rows) == S * T * F
    for (unit, s), row in rows.items():
        assert row.value == pytest.approx(sum(p.grad * p.weight for p in row.paths), rel=1e-12, abs=1e-15)
        assert all(p.weight_name.startswith("w_x") for p in row.paths) and len(row.paths) == spec.layers[0].units
    names = spec.input_unit_names
    torch = pytest.importorskip("torch")
    t = {k: torch.tensor(v, dtype=torch.float64) for k, v in spec.parameters().items()}
    x = torch.tensor(spec.x, dtype=torch.float64, requires_grad=True)
    rnn, head = spec.layers
    f = {"tanh": torch.tanh, "sigmoid": torch.sigmoid}[rnn.activation]
    h = torch.tensor(np.broadcast_to(rnn.h0, (S, rnn.units)).copy(), dtype=torch.float64)
    hs = []
    for step in range(T):
        h = f(x[:, step] @ t["Wx1"] + h @ t["Wh1"] + t["b1"])
        hs.append(h)
    outs = [hh @ t["W2"] + t["b2"] for hh in (hs if rnn.out_steps else hs[-1:])]
    ys = [torch.tensor(spec.y[:, k]) for k in range(T)] if rnn.out_steps else [torch.tensor(spec.y)]
    per = 0.0
    for z, y in zip(outs, ys):
        if spec.loss == "cross_entropy":
            per = per - torch.log(torch.softmax(z, 1))[torch.arange(S), y]
        elif spec.loss == "mse":
            per = per + ((z - y) ** 2).mean(1)
        else:
            per = per + 0.5 * ((z - y) ** 2).sum(1)
    (per.sum() if spec.reduction == "sum" else per.mean()).backward()
    g = x.grad.numpy().reshape(S, -1)
    for s in range(S):
        for a, unit in enumerate(names):
            assert rows[unit, s + 1].value == pytest.approx(g[s, a], rel=1e-10, abs=1e-13), (unit, s)


def test_the_data_gradient_against_the_40_digit_reference():
    spec = load_spec(EVERY)
    d = explain(spec)
    rows = {u.unit: u.value for u in d.upstream if u.layer == 0}
    eps = 1e-7
    for t in range(3):
        def loss_at(v, t=t):
            raw = json_copy(spec.raw)
            raw["data"]["x"][0][t][0] = v
            return reference.loss(load_spec(raw))
        x = spec.x[0, t, 0]
        fd = (loss_at(x + eps) - loss_at(x - eps)) / (2 * eps)
        assert rows[f"xt{t + 1}"] == pytest.approx(float(fd), rel=1e-7), t


def json_copy(doc):
    import json

    return json.loads(json.dumps(doc))


def test_order_layer_writes_tanh_prime_as_one_factor():
    # δ_r1t3 = ∂L/∂r1t3_out · (1 − tanh²(r1t3_in)): without the parentheses the line reads ∂L/∂out·1 − tanh²
    from backcalc.render import bylayer

    page = bylayer.render(explain(load_spec(LAST)))
    assert "δ_r1t3 = ∂L/∂r1t3_out · (1 − tanh²(r1t3_in)) = " in page and "· 1 − tanh²" not in page


def test_the_rnn_working_names_both_paths_for_a_loss_at_every_step():
    every, last = (explain(load_spec(p)).render("text") for p in (EVERY, LAST))
    assert "(the next layer reads every step)" in every and "only h_T feeds the next layer" not in every
    assert "only h_T feeds the next layer" in last
