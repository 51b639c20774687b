"""Each preset's figures — tables, per-epoch curves, before/after weights, histograms — against the independent
numpy re-implementation in tests/study_reference.py; the data sets against scikit-learn when it is installed."""

import numpy as np
import pytest

import study_reference as ref
from backcalc.study import datasets
from backcalc.study.presets import PRESETS
from backcalc.study.vanishing import make_problem, training_orders, vanishing


def assert_run_matches(run, want, rtol=1e-8):
    """Every number the study reports for ``run`` against the reference's ``want``."""
    assert run.loss == pytest.approx(want["loss"], rel=1e-10)
    assert run.accuracy == pytest.approx(want["accuracy"], abs=1e-12)
    for got, w in zip(run.layers, want["layers"]):
        for key in ("rms_activation", "mean_derivative", "mean_abs_grad_W", "grad_norm_W", "weight_norm",
                    "unit_spread", "saturated_fraction"):
            assert getattr(got, key) == pytest.approx(w[key], rel=1e-8, abs=1e-300), (run.label, got.layer, key)
        # a mean that cancels (batch norm's output has mean 0): compare on the scale of the values averaged
        assert got.mean_activation == pytest.approx(w["mean_activation"], abs=1e-10 * w["rms_activation"] + 1e-300)
        assert got.dead_units == w["dead_units"], (run.label, got.layer)
        if w["rms_grad_a"] is None:
            assert got.rms_grad_a is None
        else:
            assert got.rms_grad_a == pytest.approx(w["rms_grad_a"], rel=1e-8, abs=1e-300)
    assert len(run.epochs) == len(want["epochs"])
    for got, w in zip(run.epochs, want["epochs"]):
        assert got.loss == pytest.approx(w["loss"], rel=rtol), (run.label, got.epoch)
        assert got.accuracy == pytest.approx(w["accuracy"], abs=1e-12), (run.label, got.epoch)
        if w["test_accuracy"] is None:
            assert got.test_accuracy is None
        else:
            assert got.test_accuracy == pytest.approx(w["test_accuracy"], abs=1e-12)
        assert list(got.grad_norm_W) == pytest.approx(w["grad_norm_W"], rel=rtol, abs=1e-300)
        assert list(got.weight_change_pct) == pytest.approx(w["weight_change_pct"], rel=rtol)
    if run.epochs:
        first, last = run.weights
        np.testing.assert_array_equal(first.before, want["first_before"])
        np.testing.assert_allclose(first.after, want["first_after"], rtol=rtol, atol=1e-12)
        np.testing.assert_allclose(last.after, want["last_after"], rtol=rtol, atol=1e-12)


def assert_histograms_match(run, want):
    counts, zeros = ref.grad_histogram(want["final_grads"])
    # counts near a bin edge may differ in the last bits of log10: allow a move of a handful of entries
    for got, w in zip(run.histogram.counts, counts):
        assert sum(abs(a - b) for a, b in zip(got, w)) <= max(2, sum(w) // 1000)
    assert list(run.histogram.zeros) == zeros
    acts, edges = ref.activation_histogram(want["final_outputs"])
    np.testing.assert_allclose(run.activations.edges, edges, rtol=1e-9)
    for got, w in zip(run.activations.counts, acts):
        assert sum(abs(a - b) for a, b in zip(got, w)) <= max(2, sum(w) // 1000)


def reference_runs(result, test=None):
    out = []
    for run in result.runs:
        cfg = run.config
        problem = make_problem(**{k: v for k, v in cfg.to_dict().items() if k != "outputs"})
        out.append(ref.run(cfg, problem, training_orders(cfg.epochs, len(problem.x), cfg.seed), test))
    return out


# ───────────────────────────── the data sets ─────────────────────────────

def test_sklearn_moons_and_split_are_scikit_learns():
    sk = pytest.importorskip("sklearn.datasets")
    from sklearn.model_selection import train_test_split

    for samples, noise, state in ((250, 0.05, 42), (7, 0.3, 0), (100, 0.0, 3)):
        x, y = datasets.sklearn_moons(samples, noise, state)
        want_x, want_y = sk.make_moons(samples, noise=noise or None, random_state=state)
        np.testing.assert_array_equal(x, want_x)
        np.testing.assert_array_equal(y.ravel(), want_y)
    x, y = datasets.sklearn_moons(250, 0.05, 42)
    train, test = datasets.train_test_split(250, 0.2, 42)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=42)
    np.testing.assert_array_equal(x[train], x_train)
    np.testing.assert_array_equal(x[test], x_test)


def test_digits_are_scikit_learns():
    sk = pytest.importorskip("sklearn.datasets")
    x, y = datasets.digits()
    bunch = sk.load_digits()
    np.testing.assert_array_equal(x, bunch.data / 8.0 - 1.0)
    np.testing.assert_array_equal(y.ravel(), bunch.target)


# ───────────────────────────── the presets ─────────────────────────────

def test_seed000_is_the_default():
    small = dict(depth=4, width=16, samples=30, features=6)
    assert {k: v for k, v in PRESETS["seed000"].items() if k in small} == dict(depth=9, width=512, samples=1000,
                                                                                 features=500)
    a = vanishing(preset="seed000").to_dict()
    b = vanishing().to_dict()
    assert a.pop("preset") == "seed000" and b.pop("preset") is None
    assert a == b


@pytest.fixture(scope="module")
def seed003():
    return vanishing(preset="seed003", histogram=True)


def test_seed003_matches_numpy(seed003):
    x, y = datasets.sklearn_moons(250, 0.05, 42)
    _, test_rows = datasets.train_test_split(250, 0.2, 42)
    wants = reference_runs(seed003, (x[test_rows], y[test_rows]))
    for run, want in zip(seed003.runs, wants):
        assert (run.config.data, len(run.epochs), run.config.optimizer) == ("sklearn_moons", 100, "adam")
        assert_run_matches(run, want, rtol=1e-6)
        assert_histograms_match(run, want)
        # the training verdict's counts, from the reference's last pass
        stats = want["final_stats"][:-1]
        assert run.training.numbers["dead_after"] == sum(s["dead_units"] for s in stats)


def test_seed003_shows_what_the_notebook_shows(seed003):
    sigmoid, relu = seed003.runs
    assert sigmoid.verdict.code == "vanishing" and sigmoid.verdict.numbers["ratio"] < 1e-4
    # the loss barely moves for the sigmoid net while the relu net learns the moons
    assert sigmoid.epochs[-1].loss > 0.9 * sigmoid.loss
    assert relu.epochs[-1].loss < 0.01 * relu.loss and relu.epochs[-1].test_accuracy == 1.0
    assert relu.verdict.code == "dead_units"   # narrow relu layers: counted from f′ = 0 on every row
    assert relu.verdict.numbers["dead"] == relu.layers[relu.verdict.numbers["layer"] - 1].dead_units


def test_seed002_matches_numpy():
    result = vanishing(preset="seed002")
    assert len(result.runs) == 14
    labels = [run.label for run in result.runs]
    assert labels[1] == "leaky_relu(0.2):xavier_normal" and labels[-2:] == ["elu:he_normal+bn_after", "elu:he_normal+bn"]
    for run, want in zip(result.runs, reference_runs(result)):
        assert_run_matches(run, want, rtol=1e-7)


def test_seed001_matches_numpy():
    pytest.importorskip("sklearn")
    result = vanishing(preset="seed001", histogram=True)
    run = result.runs[0]
    assert (run.config.outputs, run.config.samples, run.config.loss) == (10, 1797, "cross_entropy")
    (want,) = reference_runs(result)
    assert_run_matches(run, want, rtol=1e-7)
    assert_histograms_match(run, want)
    assert run.verdict.code == "vanishing" and run.training.code == "stalled"   # accuracy stays at chance
