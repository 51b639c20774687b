"""The training worked examples, pinned by the independent 40-digit mpmath reference (tests/reference.py, which
shares no code with backcalc) and by torch.optim in float64 (skipped without torch)."""

from pathlib import Path

import numpy as np
import pytest

import reference
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from shared import assert_training_matches

EXAMPLES = Path(__file__).resolve().parent.parent / "worked_examples"
TRAINING_EXAMPLES = ["adam_first_step.toml", "momentum_3_steps.toml", "l2_221.toml", "dropout_231.toml"]


@pytest.mark.parametrize("name", TRAINING_EXAMPLES)
def test_example_matches_the_mpmath_reference(name):
    spec = load_spec(EXAMPLES / name)
    d = explain(spec).to_dict()
    trajectory, history, states = reference.train(spec)
    np.testing.assert_allclose([h["loss"] for h in d["history"]], [float(v) for v in history], rtol=1e-13)
    for ours, theirs in zip(d["updated_steps"], trajectory):
        for key, value in theirs.items():
            expected = np.array([[float(v) for v in row] for row in value] if isinstance(value[0], list)
                                else [float(v) for v in value])
            np.testing.assert_allclose(np.array(ours[key]), expected, rtol=1e-12, atol=1e-15)
    for (key, idx), st in states[-1].items():
        for name_, value in st.items():
            np.testing.assert_allclose(np.array(d["state"][-1][key][name_])[idx], float(value), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", TRAINING_EXAMPLES)
def test_example_matches_torch(name):
    torch = pytest.importorskip("torch")
    from test_training import torch_run

    spec = load_spec(EXAMPLES / name)
    d = explain(spec).to_dict()
    losses, snapshots, _ = torch_run(torch, spec)
    assert_training_matches(d, losses, snapshots)


def test_first_adam_step_moves_every_parameter_by_about_lr():
    # m̂ = g and v̂ = g² on step 1, so each parameter moves by lr·g/(|g| + ε): ±0.1 up to ε
    d = explain(load_spec(EXAMPLES / "adam_first_step.toml"))
    for u in d.updates:
        assert abs(abs(u.new - u.old) - 0.1) < 1e-6 * (1 + 1 / abs(u.grad))
