"""Batchnorm and layernorm layers: pinned by PyTorch float64 (skipped without torch), by numpy's textbook compact
form of ∂L/∂x, and by verify's three-way agreement; the golden values of the worked examples are pinned by the
40-digit reference in test_derivation.py. Bad tables exit 2 with one line naming the layer."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from shared import explain_refuses

EXAMPLES = Path(__file__).resolve().parents[1] / "worked_examples"
NORM_EXAMPLES = ("batchnorm_221", "layernorm")


def _spec(name):
    return load_spec(EXAMPLES / f"{name}.toml")


def _torch_grads(torch, spec):
    """Loss and ∂L/∂parameter by PyTorch in float64, the net written out with torch.nn.functional."""
    F = torch.nn.functional
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec.parameters().items()}
    a = torch.tensor(spec.x, dtype=torch.float64)
    outs = [a]
    for layer in spec.layers:
        n = layer.index
        if layer.kind == "batchnorm":
            z = F.batch_norm(a, None, None, params[f"gamma{n}"], params[f"beta{n}"], training=True, eps=layer.eps)
        elif layer.kind == "layernorm":
            z = F.layer_norm(a, (layer.units,), params[f"gamma{n}"], params[f"beta{n}"], eps=layer.eps)
        else:
            z = a @ params[f"W{n}"] + params[f"b{n}"]
        a = {"linear": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[layer.activation](z)
        if getattr(layer, "skip", None) is not None:
            a = a + outs[layer.skip]
        outs.append(a)
    y = torch.tensor(spec.y, dtype=torch.float64)
    per = {"mse": ((a - y) ** 2).mean(dim=1), "half_sse": ((a - y) ** 2).sum(dim=1) / 2}[spec.loss]
    loss = per.mean() if spec.reduction == "mean" else per.sum()
    loss.backward()
    return float(loss.detach()), {k: p.grad.numpy() for k, p in params.items()}


def assert_matches_torch(spec):
    """The loss and every ∂L/∂parameter of ``spec`` equal PyTorch's float64 autograd (skips without torch)."""
    torch = pytest.importorskip("torch")
    d = explain(spec)
    loss, grads = _torch_grads(torch, spec)
    assert d.loss == pytest.approx(loss, rel=1e-12)
    for key, g in grads.items():
        np.testing.assert_allclose(np.array(d.gradients[key]), g, rtol=1e-9, atol=1e-15, err_msg=key)


@pytest.mark.parametrize("name", NORM_EXAMPLES)
def test_loss_and_every_gradient_match_torch_float64(name):
    assert_matches_torch(_spec(name))


@pytest.mark.parametrize("name", NORM_EXAMPLES)
def test_three_paths_sum_to_the_compact_form(name):
    """Σ of the three paths (x̂, σ², μ) of each input = (γ/(Nσ))·(N·g − Σg − x̂·Σ(g·x̂)), g = ∂L/∂y, in numpy."""
    spec = _spec(name)
    d = explain(spec)
    layer = next(layer for layer in spec.layers if layer.kind == name.split("_")[0])
    n, ax = layer.index, {"batchnorm": 0, "layernorm": 1}[layer.kind]
    x = np.array(d.forward[f"a{n - 1}"])
    N = x.shape[ax]
    mu = x.mean(axis=ax, keepdims=True)
    sigma = np.sqrt(((x - mu) ** 2).mean(axis=ax, keepdims=True) + layer.eps)
    xhat = (x - mu) / sigma
    np.testing.assert_allclose(np.array(d.forward[f"xhat{n}"]), xhat, rtol=1e-12)
    g = np.array([[next(r.value for r in d.deltas if r.layer == n and r.unit == u and r.sample == s + 1)
                   for u in layer.unit_names] for s in range(spec.samples)])  # ∂L/∂y
    gx = g * layer.gamma  # ∂L/∂x̂
    compact = (N * gx - gx.sum(axis=ax, keepdims=True) - xhat * (gx * xhat).sum(axis=ax, keepdims=True)) / (N * sigma)
    below = spec.unit_names(n - 1)
    for up in (r for r in d.upstream if r.layer == n - 1):
        s, c = up.sample - 1, below.index(up.unit)
        assert len(up.paths) == 3
        total = sum(p.grad * p.weight for p in up.paths)
        assert total == pytest.approx(up.value, rel=1e-9, abs=1e-15)
        assert total == pytest.approx(compact[s, c], rel=1e-6, abs=1e-12)
        assert up.paths[0].grad == pytest.approx(gx[s, c], rel=1e-12)  # ∂L/∂x̂ = ∂L/∂y·γ
        assert up.paths[0].weight == pytest.approx(1 / (sigma[0, c] if ax == 0 else sigma[s, 0]), rel=1e-12)
    for c, u in enumerate(layer.unit_names):
        gamma_term = next(t for t in d.terms if t.key == f"gamma{n}[{c}]")
        beta_term = next(t for t in d.terms if t.key == f"beta{n}[{c}]")
        assert gamma_term.value == pytest.approx((g[:, c] * xhat[:, c]).sum(), rel=1e-12)  # Σ g·x̂
        assert beta_term.value == pytest.approx(g[:, c].sum(), rel=1e-12)                 # Σ g


@pytest.mark.parametrize("name", NORM_EXAMPLES)
def test_forward_keys_are_shaped_as_the_interface_says(name):
    spec = _spec(name)
    d = explain(spec)
    n = next(layer.index for layer in spec.layers if layer.kind != "dense")
    units = spec.layers[n - 1].units
    stats = units if name.startswith("batchnorm") else spec.samples
    assert len(d.forward[f"mu{n}"]) == len(d.forward[f"var{n}"]) == stats
    assert np.array(d.forward[f"xhat{n}"]).shape == (spec.samples, units)
    assert f"a{n}" in d.forward and f"z{n}" not in d.forward


@pytest.mark.parametrize("name", NORM_EXAMPLES)
def test_verify_agrees_three_ways(name):
    result = CliRunner().invoke(main, ["verify", str(EXAMPLES / f"{name}.toml")])
    assert result.exit_code == 0, result.output
    assert "gradients agree: tape = sympy" in result.output


def test_biased_variance_and_eps_are_what_the_tape_uses():
    # x = 1, 3 over the batch: μ = 2, biased σ² = 1 (the unbiased one would be 2); eps = 0.5 → x̂ = ∓1/√1.5
    spec = load_spec({"format": 1, "data": {"x": [[1.0], [3.0]], "y": [[0.0], [1.0]]},
                      "layers": [{"name": "n", "kind": "batchnorm", "eps": 0.5},
                                 {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]})
    d = explain(spec)
    assert d.forward["mu1"] == [2.0] and d.forward["var1"] == [1.0]
    assert np.array(d.forward["xhat1"]).ravel() == pytest.approx([-1 / 1.5 ** 0.5, 1 / 1.5 ** 0.5], rel=1e-15)


def test_a_batch_of_one_gives_beta_as_pytorch_does():
    spec = load_spec({"format": 1, "data": {"x": [[4.0, -2.0]], "y": [[1.0]]},
                      "layers": [{"name": "n", "kind": "batchnorm", "beta": [0.3, -0.7]},
                                 {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]})
    d = explain(spec)
    assert d.forward["a1"] == [[0.3, -0.7]] and d.forward["var1"] == [0.0, 0.0]
    assert all(np.isfinite(v) for v in d.gradients["gamma1"] + d.gradients["beta1"])


BAD = [
    ({"gamma": [1.0]}, 'layers[2] ("n") gamma: expected 2 numbers (one per unit of its input), got 1'),
    ({"beta": [0.0, 0.0, 0.0]}, 'layers[2] ("n") beta: expected 2 numbers (one per unit of its input), got 3'),
    ({"eps": 0}, 'layers[2] ("n") eps: expected a positive number'),
    ({"weights": [[1.0]]}, "weights"),
    ({"activation": "softmax"}, 'layers[2] ("n") activation'),
]


@pytest.mark.parametrize("kind", ["batchnorm", "layernorm"])
@pytest.mark.parametrize("extra, expected", BAD)
def test_bad_tables_exit_2_with_one_line_naming_the_layer(tmp_path, kind, extra, expected):
    doc = {"format": 1, "data": {"x": [[1.0, 2.0], [0.0, 1.0]], "y": [[1.0], [0.0]]},
           "layers": [{"name": "h", "activation": "linear", "weights": [[1.0, 0.0], [0.0, 1.0]], "bias": [0.0, 0.0]},
                      {"name": "n", "kind": kind, **extra},
                      {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}
    assert expected in explain_refuses(tmp_path, doc)


@pytest.mark.parametrize("name, sheet", [("batchnorm_221", "[forward]\nmu_n1 = 0.45\nvar_n1 = 0.2\n"),
                                         ("layernorm", "[forward]\nmu2 = [0.5, 0.15423]\n")])
def test_check_judges_normalisation_answers(tmp_path, name, sheet):
    # batchnorm_221: μ of h1 over the batch (0.1 + 0.8)/2 = 0.45, σ² = 0.1225 (0.2 is wrong);
    # layernorm: sample 2's mean of its three units is 0.15423 (test_graph_pages), sample 1's is not 0.5
    answers = tmp_path / "answers.toml"
    answers.write_text(sheet, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / f"{name}.toml"), str(answers)])
    assert result.exit_code == 1 and "Score: 1 of 2 correct" in result.output, result.output


@pytest.mark.parametrize("name", NORM_EXAMPLES)
def test_statistics_rows_are_the_textbook_numbers(name):
    """μ, σ², σ and every x̂ of each group as numpy computes them from the layer's input; the compact form of each
    ∂L/∂x equals the sum of its three paths."""
    spec = _spec(name)
    d = explain(spec)
    layer = next(layer for layer in spec.layers if layer.kind != "dense")
    n, ax = layer.index, {"batchnorm": 0, "layernorm": 1}[layer.kind]
    x = np.array(d.forward[f"a{n - 1}"])
    groups = x.T if ax == 0 else x
    rows = [r for r in d.norm_stats if r.layer == n]
    assert len(rows) == groups.shape[0]
    for row, g in zip(rows, groups):
        assert row.count == g.size and row.mu == pytest.approx(g.mean(), rel=1e-12, abs=1e-15)
        assert row.var == pytest.approx(((g - g.mean()) ** 2).mean(), rel=1e-12)  # biased: / N
        assert row.sigma == pytest.approx(np.sqrt(row.var + layer.eps), rel=1e-15)
        assert [m[4] for m in row.members] == pytest.approx(list((g - g.mean()) / row.sigma), rel=1e-12)
    upstream = {(u.layer, u.unit, u.sample): u.value for u in d.upstream}
    for row in rows:
        for s, unit, value in row.compact:
            assert value == pytest.approx(upstream[(n - 1, unit, s)], rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_page_shows_the_statistics_and_the_compact_check(lang):
    result = CliRunner().invoke(main, ["explain", str(EXAMPLES / "batchnorm_221.toml"), "--lang", lang])
    assert result.exit_code == 0
    out = result.output
    assert "mu_n1 = (0.1 + 0.8)/2 = 0.45" in out
    assert "var_n1 = ((0.1 − 0.45)² + (0.8 − 0.45)²)/2 = 0.1225" in out
    assert "[1] xhat_n1 = (h1_out − mu_n1)/sigma_n1 = (0.1 − 0.45)/0.35001 = -0.99996" in out
    assert "∂L/∂xhat_n1·1/sigma_n1 + ∂L/∂var_n1·2·(h1_out − mu_n1)/N + ∂L/∂mu_n1·1/N" in out
    assert ("check, the compact form" if lang == "en" else "periksa, bentuk ringkas") in out
    md = CliRunner().invoke(main, ["explain", str(EXAMPLES / "batchnorm_221.toml"), "--format", "markdown"]).output
    assert "mu_n1 = (0.1 + 0.8)/2 = 0.45" in md and "the compact form" in md
