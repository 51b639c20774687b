"""Exercises whose values round well: a student who writes every value to 4 significant digits and works on from
the written values gets every answer of the sheet right (✓, not ≈), on every variant `exercise` draws.

The student here is worked out in numpy from scratch (forward, ½·Σ(out − y)² or mean squared error, σ′ from the
written output, δ, the sums over paths, the SGD step, the loss after it) — not by backcalc's
grading/handwork.py — and the sheet is graded by `check_answers`, backcalc's own rule.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from backcalc.grading import exercise as exercise_module
from backcalc.grading.classroom import variant_seed
from backcalc.grading.exercise import make_exercise
from backcalc.grading.grade import check_answers

F = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
     "linear": lambda z: z}
DF = {"relu": lambda a: (a > 0) * 1.0, "sigmoid": lambda a: a * (1 - a), "tanh": lambda a: 1 - a * a,
      "linear": lambda a: np.ones_like(a)}


def r4(v):
    return np.vectorize(lambda x: float(f"{x:.4g}"), otypes=[float])(v)


def w4(v):
    """As a student writes it: 4 significant digits, trailing zeros kept."""
    return np.vectorize(lambda x: f"{x:#.4g}", otypes=[object])(v).tolist()


def student(spec):
    """The sheet of a student who rounds every value to 4 significant digits before using it."""
    Ws = [np.asarray(layer.weights, float) for layer in spec.layers]
    bs = [np.asarray(layer.bias, float) for layer in spec.layers]
    acts = [layer.activation for layer in spec.layers]
    names = [layer.unit_names for layer in spec.layers]
    x, y, lr, n = np.asarray(spec.x, float), np.asarray(spec.y, float), spec.learning_rate, spec.samples
    mean = spec.reduction == "mean"

    def forward(Ws, bs):
        a, zs, as_ = x, [], []
        for W, b, f in zip(Ws, bs, acts):
            z = r4(a @ W + b)
            a = r4(F[f](z))
            zs.append(z), as_.append(a)
        out = as_[-1]
        if spec.loss == "half_sse":
            L, g = 0.5 * np.sum((out - y) ** 2), out - y
        else:  # mse: the mean over samples of Σ over outputs, as the net takes it
            assert spec.loss == "mse"
            L, g = np.sum((out - y) ** 2), 2 * (out - y)
        if mean:
            L, g = L / n, g / n
        return zs, as_, float(r4(L)), r4(g)

    zs, as_, loss, g = forward(Ws, bs)
    sheet = {"loss": f"{loss:#.4g}", "forward": {}, "factors": {}, "gradients": {}, "updated": {}}
    newW, newb = [], []
    for i in range(len(Ws) - 1, -1, -1):
        local = r4(DF[acts[i]](as_[i]))
        delta = r4(g * local)
        prev = as_[i - 1] if i else x
        gW, gb = r4(prev.T @ delta), r4(delta.sum(axis=0))
        for c, u in enumerate(names[i]):
            for key, v in ((f"∂L/∂{u}_out", g), (f"∂{u}_out/∂{u}_in", local), (f"∂L/∂{u}_in", delta)):
                sheet["factors"][key] = w4(v[:, c]) if n > 1 else w4(v[0, c])
        sheet["gradients"][f"W{i + 1}"], sheet["gradients"][f"b{i + 1}"] = w4(gW), w4(gb)
        newW.insert(0, r4(Ws[i] - lr * gW)), newb.insert(0, r4(bs[i] - lr * gb))
        g = r4(delta @ Ws[i].T)
    for i in range(len(Ws)):
        sheet["forward"][f"z{i + 1}"], sheet["forward"][f"a{i + 1}"] = w4(zs[i]), w4(as_[i])
        sheet["updated"][f"W{i + 1}"], sheet["updated"][f"b{i + 1}"] = w4(newW[i]), w4(newb[i])
    sheet["loss_after"] = f"{forward(newW, newb)[2]:#.4g}"
    return sheet


def not_all_right(spec) -> list:
    r = check_answers(spec, student(spec))
    assert r.answered == r.total >= 20 and r.invalid == 0
    return [(row.key, row.text, row.expected, row.verdict) for row in r.rows if row.verdict != "correct"]


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_every_variant_of_the_default_exercise_rounds_well(seed):
    assert not_all_right(make_exercise(seed=seed).spec) == []


@pytest.mark.parametrize("options", [
    dict(shape="2,3,1", activations="sigmoid,linear"),
    dict(shape="2,2,2,1", activations="tanh,sigmoid,linear", samples=2),
    dict(shape="1,4,2,1", loss="mse", samples=3),
    dict(shape="1,4,2,1", dead_relu=True),
], ids=["2-3-1", "tanh-2-samples", "mse-3-samples", "dead-relu"])
def test_variants_of_other_shapes_round_well(options):
    for student_id in ("s01", "s02", "s03"):
        assert not_all_right(make_exercise(seed=variant_seed(7, student_id), **options).spec) == [], student_id


def test_without_the_rule_some_default_variants_do_not_round_well(monkeypatch):
    """The property is not free: the first friendly draw of some seeds leaves a rounding student wrong."""
    monkeypatch.setattr("backcalc.grading.exercise.rounding_cost", lambda spec, digits=4: (0, 0))
    failing = [s for s in range(12) if not_all_right(make_exercise(seed=s).spec)]
    assert failing, "every first friendly draw rounds well: the test above would hold without the rule"


@pytest.mark.parametrize("act", ["linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax"])
def test_the_hand_work_unrounded_is_the_tape(act):
    """grading/handwork.py's sum without rounding gives the tape's gradients, loss and loss after the step, for every
    activation and loss: what it judges the rounded work against is the answer."""
    from backcalc.grading.handwork import by_hand
    from backcalc.net.derivation import explain
    from backcalc.net.network import Network

    for loss in ("half_sse", "mse", "cross_entropy", "bce"):
        last = "sigmoid" if loss == "bce" else "softmax" if act == "softmax" else "linear"
        shape = "2,3,2" if loss == "cross_entropy" or last == "softmax" else "2,3,1"
        spec = make_exercise(shape=shape, activations=f"{act},{last}", loss=loss, seed=3, samples=2).spec
        exact, grads, d = by_hand(spec, None), Network(spec).gradients(), explain(spec)
        for n in range(len(spec.layers)):
            for (i, j), v in np.ndenumerate(exact["W"][n]):
                assert v == pytest.approx(grads[f"W{n + 1}[{i}][{j}]"], rel=1e-9, abs=1e-12), (loss, n, i, j)
        assert float(exact["loss"]) == pytest.approx(d.loss, rel=1e-12), loss
        assert float(exact["loss_after"]) == pytest.approx(d.loss_after, rel=1e-12), loss


def test_a_net_with_no_draw_that_rounds_well_keeps_the_one_that_rounds_best():
    from backcalc.grading.handwork import rounding_cost

    spec = make_exercise(shape="3,3,3,3,3,1", seed=0).spec   # deep: steps too small to show at 4 digits
    wrong, coarse = rounding_cost(spec)
    assert wrong == 0 and coarse > 0
    assert exercise_module.ROUND_CANDIDATES >= 20
