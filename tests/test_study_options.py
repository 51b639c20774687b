"""Training options against the numpy reference (every optimizer and loss), bad input refused before any
work with one line, the JSON keys, the CLI and the figures."""

import json
import time

import numpy as np
import pytest
from click.testing import CliRunner

import study_reference as ref
from backcalc.cli import main
from backcalc.errors import BackcalcError
from backcalc.study import datasets
from backcalc.study.vanishing import make_problem, planned_epochs, training_orders, vanishing
from test_study_presets import assert_run_matches

TINY = dict(depth=4, width=8, samples=40, features=3, data="blobs", seed=2)


def fake_digits(monkeypatch):
    """A small 10-class data set standing in for the digits (cross-entropy runs without scikit-learn)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (60, 64))
    y = (np.arange(60) % 10).astype(float).reshape(-1, 1)
    monkeypatch.setattr(datasets, "digits", lambda: (x, y))


def reference_of(run, config):
    problem = make_problem(**config)
    cfg = run.config
    return ref.run(cfg, problem, training_orders(cfg.epochs, len(problem.x), cfg.seed))


@pytest.mark.parametrize("options", [
    dict(optimizer="sgd", loss="half_sse", learning_rate=0.05),
    dict(optimizer="momentum", loss="mse", learning_rate=0.1),
    dict(optimizer="momentum", momentum=0.5, loss="bce", learning_rate=0.1, batch_size=7),
    dict(optimizer="adam", loss="bce", learning_rate=0.01, activation="leaky_relu", alpha=0.2, init="he_normal"),
    dict(optimizer="adam", loss="half_sse", learning_rate=0.01, activation="elu", init="he_normal", batchnorm=True,
         batchnorm_position="after", residual=True),
    dict(optimizer="sgd", loss="bce", learning_rate=0.1, activation="selu", init="lecun_normal", batchnorm=True),
])
def test_training_matches_numpy(options):
    config = dict(TINY, epochs=4, **options)
    run = vanishing(**config).runs[0]
    assert_run_matches(run, reference_of(run, config), rtol=1e-8)


def test_cross_entropy_on_many_classes_matches_numpy(monkeypatch):
    fake_digits(monkeypatch)
    config = dict(depth=3, width=12, data="digits", loss="cross_entropy", optimizer="momentum", epochs=3,
                  batch_size=16, learning_rate=0.1, init="torch_linear")
    run = vanishing(**config).runs[0]
    assert run.config.outputs == 10 and run.config.output_activation == "linear"
    assert_run_matches(run, reference_of(run, config), rtol=1e-8)


def test_test_split_accuracy_matches_numpy():
    config = dict(depth=3, width=6, samples=50, data="sklearn_moons", test_fraction=0.2, data_seed=1, epochs=3,
                  optimizer="adam", learning_rate=0.01, loss="bce")
    run = vanishing(**config).runs[0]
    x, y = datasets.sklearn_moons(50, 0.05, 1)
    train, test = datasets.train_test_split(50, 0.2, 1)
    problem = make_problem(**config)
    np.testing.assert_array_equal(problem.x, x[train])
    want = ref.run(run.config, problem, training_orders(3, 40, 0), (x[test], y[test]))
    assert_run_matches(run, want)
    assert run.epochs[-1].test_accuracy is not None


# ───────────────────────────── bad input: one line, exit 2, before any work ─────────────────────────────

@pytest.mark.parametrize("options, words", [
    (dict(preset="seed004"), "--preset: unknown preset 'seed004' (did you mean 'seed003'?)"),
    (dict(preset="seed003", seed=4, compare="sigmoid:xavier_uniform,relu:xavier_uniform", epochs=100), None),
    (dict(preset="seed003", activation="tanh"), "contradicts --preset seed003"),
    (dict(preset="seed003", epochs=5), "--epochs 5 contradicts --preset seed003, which sets 100"),
    (dict(preset="seed001", learning_rate=0.1), "--lr 0.1 contradicts --preset seed001"),
    (dict(loss="cross_entropy"), "--loss cross_entropy: data random has binary targets and the net one output"),
    (dict(data="digits", loss="bce"), "--loss bce: data digits has 10 classes"),
    (dict(epochs=400), "over the budget"),
    (dict(optimizer="adma"), "--optimizer: unknown optimizer 'adma' (did you mean 'adam'?)"),
    (dict(momentum=0.9), "--momentum: applies to --optimizer momentum only"),
    (dict(optimizer="momentum", momentum=1.5), "--momentum: expected a number in [0, 1]"),
    (dict(alpha=0.2), "alpha applies to leaky_relu and elu only, not sigmoid"),
    (dict(noise=0.1), "--noise: applies to --data sklearn_moons only"),
    (dict(test_fraction=0.95), "--test-fraction"),
    (dict(compare="relu:he_normal+bm"), "unknown modifier '+bm'; expected +bn, +bn_after or +residual"),
    (dict(compare="leaky_relu(x):he_normal"), "alpha of 'leaky_relu(x)' is not a number"),
    (dict(compare="sigmoid(0.2):he_normal"), "alpha applies to leaky_relu and elu only"),
    (dict(batchnorm_position="middle"), "--batchnorm: unknown position 'middle'"),
    (dict(data="digits", samples=5000), "--samples: digits has 1797 rows"),
    (dict(data="sklearn_moons", features=3), "--features: data sklearn_moons has 2 features"),
])
def test_bad_options_are_refused_before_work(options, words, monkeypatch):
    fake_digits(monkeypatch)
    if words is None:   # agrees with the preset, or is the seed: allowed (checked without running it)
        assert planned_epochs(**options) == 200
        return
    start = time.perf_counter()
    with pytest.raises(BackcalcError) as info:
        vanishing(**options)
    assert time.perf_counter() - start < 1.0    # refused before the work, however big it would be
    assert words in str(info.value) and "\n" not in str(info.value), options


def test_missing_data_extra_says_so(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real(name, *a))
    result = CliRunner().invoke(main, ["vanishing", "--preset", "seed001"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("backcalc: error: --data digits needs scikit-learn's 8×8 digits, which ship "
                                     "with the data extra: pip install 'backcalc[data]'")


@pytest.mark.parametrize("args, words", [
    (["--preset", "seed9"], "--preset: unknown preset"),
    (["--preset", "seed003", "--depth", "4"], "--depth 4 contradicts --preset seed003"),
    (["--preset", "seed003", "--batchnorm"], "--batchnorm True contradicts --preset seed003, which keeps the default"),
    (["--loss", "cross_entropy"], "binary targets"),
    (["--epochs", "1000"], "over the budget"),
    (["--batchnorm", "sideways"], "--batchnorm"),
])
def test_cli_bad_input_one_line(args, words):
    result = CliRunner().invoke(main, ["vanishing", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.output


# ───────────────────────────── outputs ─────────────────────────────

def test_json_has_epochs_verdict_and_weights():
    config = dict(TINY, epochs=2, optimizer="adam", learning_rate=0.01)
    d = vanishing(**config).to_dict()
    assert d["verdict"]["code"] in ("vanishing", "flat", "stable", "dead_units", "saturated", "signal_vanishes")
    assert [e["epoch"] for e in d["epochs"]] == [1, 2]
    for key in ("loss", "accuracy", "grad_norm_W", "weight_change_pct", "test_accuracy"):
        assert key in d["epochs"][0]
    assert d["training"]["code"] in ("learned", "stalled", "worse") and "loss_after" in d["training"]
    assert [w["layer"] for w in d["weights"]] == [1, 4] and len(d["weights"][0]["before"]) == 3
    json.dumps(d, allow_nan=False)
    c = vanishing(compare="relu:he_normal,elu(0.5):he_normal+bn_after", **config).to_dict()
    assert [r["label"] for r in c["runs"]] == ["relu:he_normal", "elu(0.5):he_normal+bn_after"]
    assert c["runs"][1]["config"]["batchnorm_position"] == "after" and c["runs"][1]["config"]["alpha"] == 0.5


def test_cli_preset_json_and_compare_table():
    runner = CliRunner()
    out = runner.invoke(main, ["vanishing", "--preset", "seed003", "--format", "json"])
    assert out.exit_code == 0
    d = json.loads(out.output)
    assert d["preset"] == "seed003" and len(d["runs"]) == 2 and len(d["runs"][0]["epochs"]) == 100
    text = vanishing(compare="sigmoid:xavier_uniform,relu:he_normal", **dict(TINY, epochs=2)).to_text("id")
    assert "akurasi sesudah" in text and "epoch hingga loss separuh" in text
    assert planned_epochs(preset="seed002") == 70


def test_markdown_escapes_pipes_and_keeps_blocks():
    md = vanishing(**dict(TINY, epochs=2)).to_markdown()
    assert md.startswith("### Vanishing gradients") and "| epoch" in md and "```" in md


def test_figures_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "study.png"
    result = CliRunner().invoke(main, ["vanishing", "--depth", "4", "--width", "8", "--samples", "40", "--features",
                                       "3", "--epochs", "2", "--compare", "sigmoid:xavier_uniform,relu:he_normal",
                                       "--plot", str(path)])
    assert result.exit_code == 0, result.output
    names = ["study.png", "study-histograms.png", "study-activations.png", "study-weights.png"]
    for name in names:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote " + ", ".join(str(tmp_path / n) for n in names) in result.stderr
