"""The teacher's tests for seed 000's homework: a student's affine and sigmoid layers, forward and backward.

Grade a student's module (a file in this directory) by name:

    STUDENT=student_buggy python -m pytest worked_examples/grading

The ``backcalc`` fixture comes from backcalc's pytest plugin (installed with the package). Two kinds of
checks: the hand-written backward functions against backcalc's tape and central differences
(``check_backward``), and the student's own backpropagation through a small net against the golden values of
its worked derivation (``assert_matches``), so a wrong number is shown with the chain of factors it should have.
"""

import importlib
import os
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent / "sigmoid_222.toml"   # 2 → 2 sigmoid → 2 sigmoid, ½·Σ(out − y)², one sample


@pytest.fixture(scope="module")
def student():
    name = os.environ.get("STUDENT", "student_correct")
    if not name.isidentifier():
        pytest.fail(f"STUDENT={name!r}: expected a module name such as student_correct")
    sys.path.insert(0, str(HERE))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(HERE))


# ── each function on its own ──

def test_sigmoid_backward(backcalc, student):
    x = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]])
    backcalc.check_backward(student.sigmoid_forward, student.sigmoid_backward, x,
                            kind="elementwise", op="sigmoid", cache="output")


def test_affine_backward(backcalc, student):
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), np.zeros((1, 3))   # a batch of 4
    backcalc.check_backward(student.affine_forward, student.affine_backward, (x, W, b), kind="affine")


# ── the student's backpropagation through a small net, against its worked derivation ──

def backprop(student, spec):
    """One forward and backward pass of the 2-2-2 sigmoid net with the student's functions."""
    (W1, b1), (W2, b2) = ((layer.weights, layer.bias.reshape(1, -1)) for layer in spec.layers)
    z1, cache1 = student.affine_forward(spec.x, W1, b1)
    a1 = student.sigmoid_forward(z1)
    z2, cache2 = student.affine_forward(a1, W2, b2)
    a2 = student.sigmoid_forward(z2)
    dz2 = student.sigmoid_backward(a2 - spec.y, a2)      # ∂L/∂a2 = a2 − y for ½·Σ(a2 − y)²
    dW2, db2, da1 = student.affine_backward(dz2, cache2)
    dz1 = student.sigmoid_backward(da1, a1)
    dW1, db1, _ = student.affine_backward(dz1, cache1)
    return {"forward.a1": a1, "forward.a2": a2,
            "gradients.W2": dW2, "gradients.b2": db2, "gradients.W1": dW1, "gradients.b1": db1}


@pytest.fixture(scope="module")
def net(backcalc, student):
    golden = backcalc.golden(SPEC)
    return golden, backprop(student, golden.spec)


@pytest.mark.parametrize("key", ["forward.a1", "forward.a2", "gradients.W2", "gradients.b2",
                                 "gradients.W1", "gradients.b1"])
def test_backprop_matches_the_worked_example(backcalc, net, key):
    golden, values = net
    backcalc.assert_matches(values[key], golden, key)


def test_one_weight_by_name(backcalc, net):
    golden, values = net
    backcalc.assert_matches(values["gradients.W1"][0][0], golden, "gradients.w_x1h1")
