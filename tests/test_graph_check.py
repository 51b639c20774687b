"""`check` on nets with skips and normalisation layers: every new answer key (mu, var, xhat, gamma, beta and the
factors ∂L/∂xhat, ∂L/∂var, ∂L/∂mu) confirmed by an independent numpy forward and central differences; each of the
five catalogued mistakes computed independently (numpy, the slip written out) and named only when it reproduces
the written value; a right answer is never blamed."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from backcalc.cli import main
from test_grading_fairness import assert_round_trip
from backcalc.grading.grade import check_answers
from backcalc.grading.keys import AnswerSpace
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.check.numeric import central_difference

EXAMPLES = Path(__file__).resolve().parents[1] / "worked_examples"
ACT = {"linear": lambda z: z, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh}


def _forward(spec, params, slip=None, frozen=None, xhat_at=None):
    """The loss by numpy, written out layer by layer (none of backcalc's tape or records).

    ``slip``: "unbiased" (σ² / (N − 1)), "no_eps"; ``frozen``: {layer: array} a skip's added value held fixed;
    ``xhat_at``: {layer: x̂} to start the normalisation layer from a given x̂ (for ∂L/∂x̂ by differences)."""
    a = np.array(spec.x, dtype=float)
    outs = [a]
    stats = {}
    for layer in spec.layers:
        n = layer.index
        if layer.kind in ("batchnorm", "layernorm"):
            ax = 0 if layer.kind == "batchnorm" else 1
            mu = a.mean(axis=ax, keepdims=True)
            count = a.shape[ax]
            var = ((a - mu) ** 2).sum(axis=ax, keepdims=True) / (count - 1 if slip == "unbiased" else count)
            eps = 0.0 if slip == "no_eps" else layer.eps
            xhat = (a - mu) / np.sqrt(var + eps)
            if xhat_at and n in xhat_at:
                xhat = xhat_at[n]
            stats[n] = (mu.ravel(), var.ravel(), xhat)
            z = params[f"gamma{n}"] * xhat + params[f"beta{n}"]
        else:
            z = a @ params[f"W{n}"] + params[f"b{n}"]
        a = ACT[layer.activation](z)
        if getattr(layer, "skip", None) is not None:
            a = a + (frozen[n] if frozen and n in frozen else outs[layer.skip])
        outs.append(a)
    y = np.array(spec.y, dtype=float)
    per = ((a - y) ** 2).mean(axis=1) if spec.loss == "mse" else ((a - y) ** 2).sum(axis=1) / 2
    loss = per.mean() if spec.reduction == "mean" else per.sum()
    return loss, outs, stats


def _param_grads(spec, **kw):
    params = spec.parameters()

    def at(key):
        return lambda v: _forward(spec, {**params, key: v}, **kw)[0]

    return {key: central_difference(at(key), np.array(v, dtype=float)) for key, v in params.items()}


@pytest.mark.parametrize("name", ["batchnorm_221", "layernorm"])
def test_the_normalisation_keys_are_numpy_and_central_differences(name):
    spec = load_spec(EXAMPLES / f"{name}.toml")
    sp = AnswerSpace(explain(spec))
    n = next(layer.index for layer in spec.layers if layer.kind != "dense")
    layer = spec.layers[n - 1]
    params = spec.parameters()
    _, outs, stats = _forward(spec, params)
    mu, var, xhat = stats[n]
    for g in range(mu.size):
        group = layer.unit_names[g] if layer.kind == "batchnorm" else f"n_s{g + 1}"
        assert sp.resolve(f"forward.mu_{group}")[0].expected == pytest.approx(mu[g], rel=1e-12, abs=1e-15)
        assert sp.resolve(f"forward.var{n}[{g}]")[0].expected == pytest.approx(var[g], rel=1e-12)
    for s in range(spec.samples):
        for c, u in enumerate(layer.unit_names):
            assert sp.resolve(f"forward.xhat_{u}[{s}]")[0].expected == pytest.approx(xhat[s, c], rel=1e-12)
            z = params[f"gamma{n}"][c] * xhat[s, c] + params[f"beta{n}"][c]
            assert sp.resolve(f"forward.{u}_in[{s}]")[0].expected == pytest.approx(z, rel=1e-12)
    # ∂L/∂x̂ by central differences of the loss from x̂ on; ∂L/∂σ², ∂L/∂μ by the textbook (CS231n) formulas
    dxhat = central_difference(lambda v: _forward(spec, params, xhat_at={n: v})[0], xhat.copy())
    x = outs[n - 1]
    ax = 0 if layer.kind == "batchnorm" else 1
    m, v = x.mean(axis=ax, keepdims=True), x.var(axis=ax, keepdims=True)
    dvar = (dxhat * (x - m) * -0.5 * (v + layer.eps) ** -1.5).sum(axis=ax)
    dmu = (-dxhat / np.sqrt(v + layer.eps)).sum(axis=ax)
    for s in range(spec.samples):
        for c, u in enumerate(layer.unit_names):
            got = sp.resolve(f"factors.∂L/∂xhat_{u}[{s}]")[0].expected
            assert got == pytest.approx(dxhat[s, c], rel=1e-6, abs=1e-9)
    for g in range(dvar.size):
        group = layer.unit_names[g] if layer.kind == "batchnorm" else f"n_s{g + 1}"
        assert sp.resolve(f"factors.∂L/∂var_{group}")[0].expected == pytest.approx(dvar[g], rel=1e-6, abs=1e-9)
        assert sp.resolve(f"factors.∂L/∂mu_{group}")[0].expected == pytest.approx(dmu[g], rel=1e-6, abs=1e-9)
    grads = _param_grads(spec)
    for c, u in enumerate(layer.unit_names):
        for p in ("gamma", "beta"):
            assert sp.resolve(f"gradients.{p}_{u}")[0].expected == pytest.approx(grads[f"{p}{n}"][c], rel=1e-6)


def _check(path, answers):
    return {row.key: row for row in check_answers(load_spec(path), answers).rows}


def _sig(v, digits=5):
    return f"{v:.{digits}g}"


def test_mu_and_var_left_out_is_named_from_numpy():
    """The student's ∂L/∂h_out = ∂L/∂x̂·(1/σ) alone: numpy's x̂-gradient over σ, then ∂L/∂W1 from it."""
    path = EXAMPLES / "batchnorm_221.toml"
    spec = load_spec(path)
    params = spec.parameters()
    _, outs, stats = _forward(spec, params)
    xhat = stats[2][2]
    dxhat = central_difference(lambda v: _forward(spec, params, xhat_at={2: v})[0], xhat.copy())
    sigma = np.sqrt(stats[2][1] + spec.layers[1].eps)
    dh = dxhat / sigma  # h is linear: ∂L/∂h_in = ∂L/∂h_out
    dW1 = np.array(spec.x).T @ dh
    rows = _check(path, {"factors": {"∂L/∂h1_out": [_sig(dh[0, 0]), ""]}, "gradients": {"W1": [[_sig(dW1[0, 0]), ""],
                                                                                                ["", ""]]}})
    for key in ("factors.∂L/∂h1_out[0]", "gradients.W1[0][0]"):
        assert rows[key].verdict == "wrong" and [m.code for m in rows[key].mistakes] == ["norm_stats_constant"], key


def test_unbiased_variance_is_named_from_numpy():
    path = EXAMPLES / "batchnorm_221.toml"
    spec = load_spec(path)
    loss, _, stats = _forward(spec, spec.parameters(), slip="unbiased")
    grads = _param_grads(spec, slip="unbiased")
    rows = _check(path, {"loss": _sig(loss), "forward": {"var_n1": _sig(stats[2][1][0]),
                                                         "xhat_n2": [_sig(stats[2][2][0, 1]), ""]},
                         "gradients": {"gamma_n1": _sig(grads["gamma2"][0]), "w_n1o": _sig(grads["W3"][0, 0])}})
    for key in ("loss", "forward.var2[0]", "forward.xhat2[0][1]", "gradients.gamma2[0]", "gradients.W3[0][0]"):
        assert [m.code for m in rows[key].mistakes] == ["unbiased_variance"], (key, rows[key])


def test_eps_left_out_is_named_only_where_it_shows():
    # x = 0 and 0.002: σ² = 1e-6 is smaller than eps = 1e-5, so leaving eps out changes x̂ from ±0.3015 to ±1
    doc = {"format": 1, "data": {"x": [[0.0], [0.002]], "y": [[1.0], [0.0]]},
           "layers": [{"name": "n", "kind": "batchnorm"}, {"activation": "linear", "weights": [[0.5]], "bias": [0.1]}],
           "loss": {"kind": "half_sse"}}
    spec = load_spec(doc)
    loss, _, stats = _forward(spec, spec.parameters(), slip="no_eps")
    assert stats[1][2][1, 0] == pytest.approx(1.0)
    rows = {r.key: r for r in check_answers(spec, {"loss": _sig(loss), "forward": {"xhat1": [["-1.0000"], ["1.0000"]]}}).rows}
    for key in ("loss", "forward.xhat1[0][0]", "forward.xhat1[1][0]"):
        assert [m.code for m in rows[key].mistakes] == ["eps_left_out"], key
    # on batchnorm_221 σ² ≫ eps: x̂ without eps is -1.0000 where the answer is -0.99996 — right, not a mistake
    rows = _check(EXAMPLES / "batchnorm_221.toml", {"forward": {"xhat_n1": ["-1.0000", ""]}})
    assert rows["forward.xhat2[0][0]"].verdict == "correct"


@pytest.mark.parametrize("slip, code", [("left_out", "skip_left_out"), ("twice", "skip_twice")])
def test_the_skip_slips_are_named_from_numpy(slip, code):
    """The skip's gradient path dropped (its added value held fixed) or counted twice (2·h − h held): numpy's
    forward differentiated by central differences."""
    path = EXAMPLES / "residual_block.toml"
    spec = load_spec(path)
    params = spec.parameters()
    _, outs, _ = _forward(spec, params)
    h = outs[1]
    if slip == "left_out":
        grads = _param_grads(spec, frozen={3: h})
    else:  # 2·h(θ) − h(θ₀): the same value, twice the gradient through the skip
        def loss_at(key):
            def f(v):
                p = {**params, key: v}
                h_now = _forward(spec, p)[1][1]
                return _forward(spec, p, frozen={3: 2 * h_now - h})[0]
            return f
        grads = {key: central_difference(loss_at(key), np.array(v, dtype=float)) for key, v in params.items()}
    rows = _check(path, {"gradients": {"w_x1h1": _sig(grads["W1"][0, 0]), "b_h2": _sig(grads["b1"][1]),
                                       "w_h1g1": _sig(grads["W2"][0, 0]), "w_g1r1": _sig(grads["W3"][0, 0])}})
    for key in ("gradients.W1[0][0]", "gradients.b1[1]"):
        assert [m.code for m in rows[key].mistakes] == [code], (key, rows[key])
    # the block's own weights after the fork are untouched by the slip: right
    for key in ("gradients.W2[0][0]", "gradients.W3[0][0]"):
        assert rows[key].verdict == "correct", (key, rows[key])


@pytest.mark.parametrize("name", ["batchnorm_221", "layernorm", "residual_block"])
def test_right_answers_are_right_and_a_stray_value_is_not_named(name):
    path = EXAMPLES / f"{name}.toml"
    d = explain(load_spec(path))
    sp = AnswerSpace(d)
    answers = {"forward": {}, "gradients": {}, "updated": {}}
    for name in sp.stat_names:  # mu_n1, var_n1, xhat_n1, … by their display names
        values = [_sig(it.expected, 6) for it in sp.name_items("forward", name)]
        answers["forward"][name] = values if len(values) > 1 else values[0]
    for name, _ in d.spec.param_names():
        for section in ("gradients", "updated"):
            answers[section][name] = _sig(sp.name_items(section, name)[0].expected, 7)
    rows = check_answers(load_spec(path), answers).rows
    assert len(rows) > 10 and all(r.verdict == "correct" for r in rows), [r.key for r in rows if r.verdict != "correct"]
    stray = {"gradients": {rest: "12.345" for rest in list(answers.get("gradients", {}))[:6]}}
    rows = check_answers(load_spec(path), stray).rows
    assert all(r.verdict == "wrong" and not r.mistakes for r in rows), [(r.key, r.mistakes) for r in rows]


def test_check_cli_on_batchnorm_names_the_mistake_in_both_languages(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"forward": {"var_n1": 0.245}}), encoding="utf-8")
    spec = str(EXAMPLES / "batchnorm_221.toml")
    result = CliRunner().invoke(main, ["check", spec, str(answers), "--format", "json"])
    assert result.exit_code == 1, result.output
    (row,) = json.loads(result.stdout)["rows"]
    assert row["key"] == "forward.var2[0]" and row["mistake"] == "unbiased_variance"
    assert "the unbiased variance (divided by N − 1 = 1) in layer n" in row["diagnosis"]
    result = CliRunner().invoke(main, ["check", spec, str(answers), "--lang", "id"])
    assert "varians tak bias (dibagi N − 1 = 1) di lapisan n" in result.output


def test_a_wrong_shape_of_a_statistics_array_says_what_was_expected(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text("[forward]\nmu2 = [0.45]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "layernorm.toml"), str(answers)])
    assert result.exit_code == 1 and "expected 2 values (one per sample), got 1" in result.output, result.output


@st.composite
def graph_nets(draw):
    """A dense layer, a batchnorm or layernorm (or neither), a dense layer that may skip from the first, an output."""
    weight = st.integers(-8, 8).map(lambda k: k / 8)
    width = draw(st.integers(2, 3))
    samples = draw(st.integers(2, 3))
    inputs = draw(st.integers(1, 2))
    act = st.sampled_from(["linear", "tanh", "sigmoid"])
    layers = [{"name": "h", "activation": draw(act), "weights": [[draw(weight) for _ in range(width)]
                                                                 for _ in range(inputs)],
               "bias": [draw(weight) for _ in range(width)]}]
    norm = draw(st.sampled_from([None, "batchnorm", "layernorm"]))
    if norm:
        layers.append({"name": "n", "kind": norm, "activation": draw(act),
                       "gamma": [draw(weight) + 1.0 for _ in range(width)], "beta": [draw(weight) for _ in range(width)]})
    block = {"name": "r", "activation": draw(act), "weights": [[draw(weight) for _ in range(width)]
                                                               for _ in range(width)],
             "bias": [draw(weight) for _ in range(width)]}
    if draw(st.booleans()) or not norm:
        block["skip"] = "h"
    layers += [block, {"activation": "linear", "weights": [[draw(weight)] for _ in range(width)], "bias": [0.0]}]
    x = [[draw(st.integers(-4, 4)) / 2 for _ in range(inputs)] for _ in range(samples)]
    y = [[draw(st.integers(-4, 4)) / 2] for _ in range(samples)]
    return {"format": 1, "data": {"x": x, "y": y}, "layers": layers, "loss": {"kind": "half_sse"},
            "train": {"learning_rate": 0.1}}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph_nets(), st.sampled_from([5, 3]))
def test_every_printed_number_checks_correct_on_random_graph_nets(doc, digits):
    assert_round_trip(load_spec(doc), digits)
