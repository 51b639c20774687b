"""The vanishing-gradient study (backcalc.study.vanishing) against an independent plain-numpy net.

The reference below is written the way seed 000 writes it — affine_forward / affine_backward and an
activation's backward from its own derivative — and shares nothing with the tape but the data and the
initial weights (``make_problem``), so agreement checks every number the study reports.
"""

import doctest
import json
import math
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

import backcalc.study.vanishing  # noqa: F401  (the submodule must not shadow backcalc.vanishing)
from backcalc.cli import main
from backcalc.errors import BackcalcError
from backcalc.study.datasets import make_data
from backcalc.study.vanishing import make_problem, vanishing

LAM, ALPHA = 1.0507009873554805, 1.6732632423543772
ACT = {  # forward, derivative from (z, a)
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0) * 1.0),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z, a: np.where(z > 0, 1.0, 0.01)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))), lambda z, a: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
    "selu": (lambda z: LAM * np.where(z > 0, z, ALPHA * np.expm1(np.minimum(z, 0))),
             lambda z, a: LAM * np.where(z > 0, 1.0, ALPHA * np.exp(np.minimum(z, 0)))),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}
SMALL = dict(depth=5, width=24, samples=60, features=12)


def reference(problem, activation="sigmoid", output="sigmoid", loss="half_sse", residual=False, batchnorm=False):
    """Seed 000's net in plain numpy: per layer the statistics the study reports, and the gradients."""
    x, y, weights, biases = problem
    a, cache = x, []
    for n, (W, b) in enumerate(zip(weights, biases), 1):
        last = n == len(weights)
        v = a @ W + b                                       # affine_forward
        bn = None
        if batchnorm and not last:                          # γ = 1, β = 0
            inv = 1 / np.sqrt(v.var(axis=0) + 1e-5)
            xhat = (v - v.mean(axis=0)) * inv
            bn, v = (xhat, inv), xhat
        f, df = ACT[output if last else activation]
        h = f(v)
        skip = residual and not last and a.shape == h.shape
        cache.append((a, v, h, df, bn, skip))
        a = h + a if skip else h
    if loss == "half_sse":
        value, g = 0.5 * np.sum((a - y) ** 2), a - y
    elif loss == "mse":
        value, g = np.mean((a - y) ** 2), 2 * (a - y) / a.size
    else:  # bce on the output logits
        z = cache[-1][1]
        value, g = np.mean(np.logaddexp(0, z) - y * z), None
    layers = [None] * len(weights)
    grads = [None] * len(weights)
    for n in range(len(weights) - 1, -1, -1):
        a_in, v, h, df, bn, skip = cache[n]
        out = h + a_in if skip else h
        if g is None:
            gz, grad_a = (ACT["sigmoid"][0](v) - y) / len(y), None
        else:
            gz, grad_a = g * df(v, h), g                    # the activation's backward
        if bn is not None:                                  # batch norm's closed-form backward
            xhat, inv = bn
            m = len(gz)
            gz = inv / m * (m * gz - gz.sum(axis=0) - xhat * (gz * xhat).sum(axis=0))
        dW, db = a_in.T @ gz, gz.sum(axis=0, keepdims=True)  # affine_backward
        g = gz @ weights[n].T + (grad_a if skip else 0)
        grads[n] = (dW, db)
        layers[n] = dict(mean_activation=out.mean(), rms_activation=np.sqrt(np.mean(out ** 2)),
                         mean_grad_a=None if grad_a is None else grad_a.mean(),
                         mean_abs_grad_a=None if grad_a is None else np.abs(grad_a).mean(),
                         mean_derivative=df(v, h).mean(), mean_abs_grad_W=np.abs(dW).mean(),
                         grad_norm_W=np.sqrt(np.sum(dW ** 2)))
    return value, layers, grads


def assert_matches(run, value, layers):
    assert run.loss == pytest.approx(value, rel=1e-10)
    for got, want in zip(run.layers, layers):
        for key in ("mean_activation", "rms_activation", "mean_derivative", "mean_abs_grad_W", "grad_norm_W"):
            assert getattr(got, key) == pytest.approx(want[key], rel=1e-8, abs=1e-300), (got.layer, key)
        if want["mean_grad_a"] is None:
            assert got.mean_grad_a is None
        else:  # a signed mean cancels: compare on the scale of the values averaged
            assert got.mean_grad_a == pytest.approx(want["mean_grad_a"], abs=1e-10 * want["mean_abs_grad_a"] + 1e-300)
    norms = [w["grad_norm_W"] for w in layers]
    for got, here, nxt in zip(run.layers, norms, norms[1:]):
        assert got.ratio_to_next == pytest.approx(here / nxt, rel=1e-8)
    assert run.layers[-1].ratio_to_next is None


# ───────────────────────────── seed 000 at its full size ─────────────────────────────

@pytest.fixture(scope="module")
def seed000():
    """The default net, and the two cures, side by side at full size (one run of three configurations)."""
    return vanishing(compare="sigmoid:normal:0.01,relu:he_normal,tanh:xavier_normal")


def test_defaults_are_seed_000(seed000):
    cfg = seed000.runs[0].config
    assert (cfg.depth, cfg.width, cfg.samples, cfg.features) == (9, 512, 1000, 500)
    assert (cfg.activation, cfg.output_activation, cfg.init, cfg.loss) == ("sigmoid", "sigmoid", "normal:0.01", "half_sse")
    shapes = [(s.fan_in, s.units) for s in seed000.runs[0].layers]
    assert shapes == [(500, 512)] + [(512, 512)] * 7 + [(512, 1)]
    p = make_problem()
    assert p.x.shape == (1000, 500) and p.x.min() >= -1 and p.x.max() <= 1
    assert set(np.unique(p.y)) == {0.0, 1.0} and 0.3 < p.y.mean() < 0.7


def test_sigmoid_default_vanishes(seed000):
    run = seed000.runs[0]
    norms = [s.grad_norm_W for s in run.layers]
    # The issue asks for ≤ 1e-6. Seed 0 gives 6.9e-11 (seeds 1, 2: 1.5e-10, 5.8e-10 with the seed-000 recipe):
    # each layer passes back ≈ σ′·std·√512 = 0.25 · 0.01 · 22.6 ≈ 0.057 of the next one's norm.
    assert run.first_to_last <= 1e-6
    assert run.first_to_last < 1e-9
    assert all(0.02 < s.ratio_to_next < 0.1 for s in run.layers[:-1])
    assert norms == sorted(norms)  # strictly growing towards the output
    assert run.status == "vanishing"
    for s in run.layers[:-1]:  # seed 000 prints mean activations of 0.500 for the hidden layers
        assert s.mean_activation == pytest.approx(0.5, abs=0.005)
        assert 0.24 < s.mean_derivative <= s.derivative_bound == 0.25
    assert run.bound_product == 0.25 ** 8


def test_relu_he_normal_keeps_gradients_within_two_orders(seed000):
    run = seed000.runs[1]
    norms = [s.grad_norm_W for s in run.layers]
    assert max(norms) / min(norms) < 100                    # the statement
    # what seed 0 shows: 44.6 growing steadily to 493 (seeds 1, 2: max/min 9.0 and 12.4, first/last 0.11, 0.08)
    assert max(norms) / min(norms) < 15
    assert run.status == "stable" and 0.05 < run.first_to_last < 0.2
    assert run.first_to_last > 1e8 * seed000.runs[0].first_to_last
    assert seed000.runs[2].status == "stable"               # tanh + xavier_normal too


def test_full_size_numbers_match_independent_numpy(seed000):
    value, layers, _ = reference(make_problem())
    assert_matches(seed000.runs[0], value, layers)
    value, layers, _ = reference(make_problem(activation="relu", init="he_normal"), "relu")
    assert_matches(seed000.runs[1], value, layers)


# ───────────────────────────── every option against the reference (small nets) ─────────────────────────────

@pytest.mark.parametrize("activation, init", [
    ("sigmoid", "normal:0.5"), ("tanh", "xavier_normal"), ("relu", "he_normal"), ("leaky_relu", "he_uniform"),
    ("elu", "lecun_normal"), ("selu", "lecun_normal"), ("linear", "xavier_uniform"), ("sigmoid", "uniform:0.4"),
])
def test_each_activation_matches_reference(activation, init):
    config = dict(SMALL, activation=activation, init=init, seed=3)
    run = vanishing(**config).runs[0]
    value, layers, _ = reference(make_problem(**config), activation)
    assert_matches(run, value, layers)
    for s in run.layers:
        assert abs(s.mean_derivative) <= s.derivative_bound + 1e-12


@pytest.mark.parametrize("options", [
    dict(loss="mse"), dict(loss="bce"), dict(output_activation="linear"), dict(residual=True),
    dict(batchnorm=True), dict(residual=True, batchnorm=True, activation="relu", init="he_normal"),
    dict(data="moons", features=4), dict(data="blobs"),
])
def test_options_match_reference(options):
    config = dict(SMALL, seed=1, **options)
    if "features" not in options and "data" in options:
        config.pop("features")
    run = vanishing(**config).runs[0]
    value, layers, _ = reference(make_problem(**config), config.get("activation", "sigmoid"),
                                 config.get("output_activation", "sigmoid"), config.get("loss", "half_sse"),
                                 config.get("residual", False), config.get("batchnorm", False))
    assert_matches(run, value, layers)


def test_cures_help_the_sigmoid_net():
    base = vanishing(depth=9, width=64, samples=200, features=20).runs[0]
    residual = vanishing(depth=9, width=64, samples=200, features=20, residual=True).runs[0]
    batchnorm = vanishing(depth=9, width=64, samples=200, features=20, batchnorm=True).runs[0]
    assert base.status == "vanishing" and base.first_to_last < 1e-8
    assert residual.first_to_last > 1e4 * base.first_to_last
    assert batchnorm.status == "stable"


def test_training_matches_numpy_sgd():
    # one batch of every sample: the order of the rows cannot matter, so numpy's SGD is the same SGD
    config = dict(depth=4, width=10, samples=80, features=3, data="blobs", activation="tanh",
                  init="xavier_normal", epochs=3, learning_rate=0.02, batch_size=80, seed=5)
    run = vanishing(**config).runs[0]
    p = make_problem(**config)
    weights, biases = [w.copy() for w in p.weights], [b.copy() for b in p.biases]
    assert len(run.epochs) == 3
    for epoch in run.epochs:
        before = [w.copy() for w in weights]
        _, _, grads = reference((p.x, p.y, weights, biases), "tanh")
        for w, b, (dW, db) in zip(weights, biases, grads):
            w -= 0.02 * dW
            b -= 0.02 * db
        value, layers, _ = reference((p.x, p.y, weights, biases), "tanh")
        assert epoch.loss == pytest.approx(value, rel=1e-9)
        assert list(epoch.grad_norm_W) == pytest.approx([s["grad_norm_W"] for s in layers], rel=1e-8)
        change = [100 * np.linalg.norm(w - old) / np.linalg.norm(old) for w, old in zip(weights, before)]
        assert list(epoch.weight_change_pct) == pytest.approx(change, rel=1e-7)
    assert run.epochs[-1].loss < run.loss


def test_training_with_the_cures_and_odd_batches():
    # batch norm's γ and β train too (the output layer has none), a batch of one sample is fine
    run = vanishing(depth=4, width=6, samples=33, features=3, batchnorm=True, residual=True, epochs=3,
                    batch_size=8, learning_rate=0.05, data="blobs").runs[0]
    assert len(run.epochs) == 3 and all(math.isfinite(e.loss) for e in run.epochs)
    assert run.epochs[-1].loss < run.loss
    run = vanishing(depth=2, width=1, samples=10, features=3, batchnorm=True, epochs=1, batch_size=1).runs[0]
    assert math.isfinite(run.epochs[0].loss)


def test_mini_batch_training_learns_moons_with_relu_but_not_deep_sigmoid():
    common = dict(data="moons", depth=10, width=10, samples=250, epochs=10, seed=0)
    relu = vanishing(activation="relu", init="he_normal", **common).runs[0]
    sigmoid = vanishing(**common).runs[0]
    assert relu.epochs[-1].loss < 0.5 * relu.loss
    assert abs(sigmoid.epochs[-1].loss - sigmoid.loss) < 0.01 * sigmoid.loss   # seed 003: the loss does not move
    assert sigmoid.epochs[-1].weight_change_pct[0] < 1e-6                      # nor do the first layer's weights


# ───────────────────────────── explosion, dead nets, warnings ─────────────────────────────

def first_nonfinite_layer(problem, activation):
    a = problem.x
    with np.errstate(all="ignore"):
        for n, W in enumerate(problem.weights, 1):
            z = a @ W
            a = ACT["sigmoid" if n == len(problem.weights) else activation][0](z)
            if not (np.isfinite(z).all() and np.isfinite(a).all()):
                return n
    return None


@pytest.mark.parametrize("activation, init", [("relu", "normal:1e40"), ("linear", "normal:1e100"),
                                              ("elu", "normal:1e40")])
def test_huge_init_reports_exploding_and_the_first_inf_layer(activation, init):
    config = dict(depth=9, width=16, samples=40, features=8, activation=activation, init=init)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no numpy RuntimeWarning may leak
        result = vanishing(**config)
    run = result.runs[0]
    assert run.status == "exploding"
    assert run.nonfinite is not None
    expected = first_nonfinite_layer(make_problem(**config), activation)
    if expected is not None:
        assert (run.nonfinite.where, run.nonfinite.layer) == ("forward", expected)
    else:
        assert run.nonfinite.where == "backward"
    text = json.dumps(result.to_dict(), allow_nan=False)  # stays valid JSON: non-finite numbers become null
    assert '"nonfinite": {"where"' in text
    assert "inf/NaN first appears" in result.to_text()


def test_status_names_the_other_failures():
    small = dict(depth=9, width=128, samples=201, features=50)
    assert vanishing(activation="tanh", init="normal:1", **small).runs[0].status == "exploding"    # ratio ≈ 1e3
    relu_big = vanishing(activation="relu", init="normal:1", **small).runs[0]
    assert relu_big.status == "exploding" and relu_big.signal_growth > 1e5
    assert vanishing(activation="relu", init="normal:0.01", **small).runs[0].status == "vanishing"  # the signal dies
    assert vanishing(activation="relu", init="zeros", **small).runs[0].status == "dead"
    # saturated, not overflowing: tanh and sigmoid stay finite with huge weights, and pass back exactly 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for activation in ("tanh", "sigmoid"):
            run = vanishing(activation=activation, init="normal:1e300", **small).runs[0]
            assert run.status == "dead" and run.nonfinite is None


# ───────────────────────────── results, records, API ─────────────────────────────

def test_json_shape_follows_the_interface():
    d = vanishing(**SMALL).to_dict()
    assert d["format"] == 1 and d["config"]["depth"] == 5
    assert [layer["layer"] for layer in d["layers"]] == [1, 2, 3, 4, 5]
    for key in ("mean_activation", "mean_grad_a", "mean_abs_grad_W", "grad_norm_W", "ratio_to_next",
                "mean_derivative", "derivative_bound"):
        assert key in d["layers"][0]
    json.dumps(d, allow_nan=False)
    c = vanishing(compare="sigmoid:normal:0.01,relu:he_normal", **SMALL).to_dict()
    assert "layers" not in c and c["config"]["compare"] == ["sigmoid:normal:0.01", "relu:he_normal"]
    assert [(r["config"]["activation"], r["config"]["init"]) for r in c["runs"]] == [("sigmoid", "normal:0.01"),
                                                                                    ("relu", "he_normal")]
    assert all(len(r["layers"]) == 5 for r in c["runs"])


def test_compare_parsing():
    result = vanishing(compare=["sigmoid:normal:0.01", ("tanh", "glorot_normal"), "relu"], init="he_normal", **SMALL)
    assert [r.label for r in result.runs] == ["sigmoid:normal:0.01", "tanh:xavier_normal", "relu:he_normal"]
    # every run sees the same data, and normal:STD runs the same normals
    a = vanishing(compare="linear:normal:0.1,linear:normal:0.2", **SMALL).runs
    assert a[1].layers[0].mean_abs_grad_W != a[0].layers[0].mean_abs_grad_W
    np.testing.assert_allclose(2 * make_problem(init="normal:0.1", **SMALL).weights[0],
                               make_problem(init="normal:0.2", **SMALL).weights[0], rtol=1e-15)


def test_deterministic_for_a_seed():
    assert vanishing(**SMALL, seed=7).to_dict() == vanishing(**SMALL, seed=7).to_dict()
    assert vanishing(**SMALL, seed=7).to_dict() != vanishing(**SMALL, seed=8).to_dict()


def test_renderings():
    result = vanishing(**SMALL)
    text = result.to_text()
    assert "mean ∂L/∂a" in text and "σ′ ≤ 0.25" in text and "log scale" in text and "█" in text
    assert "layer  1 │" in text
    md = result._repr_markdown_()
    assert md.startswith("### Vanishing gradients") and "| layer" in md and "```" in md
    assert str(result) == text and "vanishing" in repr(result)


def test_bad_options_raise_one_line_errors():
    cases = [
        (dict(depth=0), "--depth: expected a whole number ≥ 1, got 0"),
        (dict(depth=2.5), "--depth"),
        (dict(activation="rleu"), "did you mean 'relu'"),
        (dict(init="he_norml"), "--init: unknown initialiser 'he_norml'; did you mean 'he_normal'"),
        (dict(data="moon"), "did you mean 'moons'"),
        (dict(loss="bce", output_activation="relu"), "--loss bce: needs a sigmoid output"),
        (dict(learning_rate=-1.0), "--lr"),
        (dict(compare=""), "--compare"),
        (dict(compare=5), "--compare"),
        (dict(compare=[("relu", 3)]), "--compare: empty or malformed"),
        (dict(compare="sigmoid:normal:0.01,,relu"), "--compare: empty"),
        (dict(compare="sigmod:he_normal"), "--compare: unknown activation 'sigmod'"),
        (dict(compare="relu:he_norml"), "--compare: unknown initialiser"),
        (dict(dept=3), "unknown option 'dept'; did you mean 'depth'"),
        (dict(width=10 ** 6, samples=10 ** 6), "GB of float64"),
        (dict(data="moons", features=1), "moons has 2 informative features"),
    ]
    for options, words in cases:
        with pytest.raises(BackcalcError) as info:
            vanishing(**options)
        assert words in str(info.value) and "\n" not in str(info.value), options


def test_data_generators():
    rng = np.random.default_rng(0)
    for kind in ("random", "moons", "blobs"):
        x, y = make_data(kind, 101, 5, rng)
        assert x.shape == (101, 5) and y.shape == (101, 1)
        assert x.min() >= -1 and x.max() <= 1 and set(np.unique(y)) == {0.0, 1.0}
    x, y = make_data("moons", 100, 2, np.random.default_rng(0))
    assert y.sum() == 50


def test_package_attribute_stays_callable():
    import backcalc

    assert callable(backcalc.vanishing)  # the study lives in backcalc.study.vanishing, so no submodule shadows it
    assert backcalc.vanishing(**SMALL).to_dict() == vanishing(**SMALL).to_dict()


def test_docstring_examples():
    import backcalc.study.datasets
    import backcalc.study.options
    import backcalc.study.presets
    import backcalc.study.records
    import backcalc.study.tapenet
    import backcalc.study.verdict

    for module in (backcalc.study.vanishing, backcalc.study.datasets, backcalc.study.options, backcalc.study.presets,
                   backcalc.study.records, backcalc.study.tapenet, backcalc.study.verdict):
        assert doctest.testmod(module).failed == 0


# ───────────────────────────── CLI ─────────────────────────────

CLI_SMALL = ["--depth", "4", "--width", "8", "--samples", "30", "--features", "5"]


def test_cli_json_is_the_api_result():
    result = CliRunner().invoke(main, ["vanishing", *CLI_SMALL, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == vanishing(depth=4, width=8, samples=30, features=5).to_dict()


def test_cli_text_compare_and_epochs():
    runner = CliRunner()
    result = runner.invoke(main, ["vanishing", *CLI_SMALL, "--compare", "sigmoid:normal:0.01,relu:he_normal"])
    assert result.exit_code == 0 and "‖∂L/∂W‖ of layer" in result.output and "relu:he_normal: flat: " in result.output
    result = runner.invoke(main, ["vanishing", *CLI_SMALL, "--epochs", "2", "--data", "moons", "--format", "markdown"])
    assert result.exit_code == 0 and "weight change over the epoch" in result.output and "| epoch" in result.output


@pytest.mark.parametrize("args, words", [
    (["--activation", "rleu"], "did you mean 'relu'"),
    (["--init", "normal:-1"], "--init: 'normal:-1'"),
    (["--compare", "relu:he_normal,"], "--compare"),
    (["--depth", "0"], "--depth"),
    (["--plot", "/no/such/folder/x.png"], "--plot: folder"),
])
def test_cli_bad_options_exit_2_with_one_line(args, words):
    result = CliRunner().invoke(main, ["vanishing", *CLI_SMALL, *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backcalc: error: ") and words in lines[0]


def test_cli_usage_errors_exit_2():
    result = CliRunner().invoke(main, ["vanishing", "--depth", "x"])
    assert result.exit_code == 2 and "--depth" in result.stderr


def test_plot_without_matplotlib(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    result = CliRunner().invoke(main, ["vanishing", *CLI_SMALL, "--plot", str(tmp_path / "g.png")])
    assert result.exit_code == 2
    assert result.stderr.strip() == "backcalc: error: --plot needs matplotlib: pip install 'backcalc[plot]'"
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)   # the renderer says the same
    with pytest.raises(BackcalcError, match="pip install 'backcalc\\[plot\\]'"):
        vanishing(depth=2, width=4, samples=10, features=3, histogram=True).plot(tmp_path / "g.png")


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "grads.png"
    result = CliRunner().invoke(main, ["vanishing", *CLI_SMALL, "--compare", "sigmoid:normal:0.01,relu:he_normal",
                                       "--plot", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {path}" in result.stderr
