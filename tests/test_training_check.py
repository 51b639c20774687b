"""check on training specs: right answers are right, and the training slips of the catalogue are named only
when they reproduce the answer (Adam's bias correction, the l2 factor 2, the velocity not carried, ...)."""

from pathlib import Path

import numpy as np

from backcalc.grading.grade import check_answers
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.net.train_spec import Training
from backcalc.net.training import train
import dataclasses

EXAMPLES = Path(__file__).resolve().parent.parent / "worked_examples"


def codes(result):
    return {r.key: [m.code for m in r.mistakes] for r in result.rows if r.verdict == "wrong"}


def with_settings(spec, **changes):
    t = spec.training
    return dataclasses.replace(spec, training=Training(dataclasses.replace(t.optim, **changes), t.regularization))


def test_adam_without_bias_correction_is_named():
    spec = load_spec(EXAMPLES / "adam_first_step.toml")
    d = explain(spec)
    # the slip by hand: m = (1 − β1)·g, v = (1 − β2)·g², w − lr·m/(√v + ε)
    g = np.array(d.gradients["W3"])
    wrong = np.array(spec.parameters()["W3"]) - 0.1 * (0.1 * g) / (np.sqrt(0.001 * g * g) + 1e-8)
    r = check_answers(spec, {"updated": {"W3": wrong.tolist()}}, derivation=d)
    assert set(map(tuple, codes(r).values())) == {("adam_no_bias_correction",)}


def test_right_adam_answers_are_right():
    spec = load_spec(EXAMPLES / "adam_first_step.toml")
    d = explain(spec)
    r = check_answers(spec, {"updated": d.updated, "gradients": d.gradients}, derivation=d)
    assert r.correct == r.total and not codes(r)


def test_l2_gradient_without_the_two_is_named():
    spec = load_spec(EXAMPLES / "l2_221.toml")
    d = explain(spec)
    wrong = np.array(d.gradients["W1"]) - 0.01 * np.array(spec.parameters()["W1"])   # λ·w instead of 2λ·w
    r = check_answers(spec, {"gradients": {"W1": wrong.tolist()}}, derivation=d)
    assert set(map(tuple, codes(r).values())) == {("l2_no_two",)}


def test_velocity_not_carried_is_named():
    spec = load_spec(EXAMPLES / "momentum_3_steps.toml")
    d = explain(spec)
    slip = train(with_settings(spec, optimizer="sgd")).final   # v reset to g at every step: plain SGD
    r = check_answers(spec, {"updated": {"W2": slip["W2"].tolist()}}, derivation=d)
    assert set(map(tuple, codes(r).values())) == {("velocity_not_carried",)}


def test_sgd_mistakes_are_not_named_for_adam():
    # old + lr·g is "moved with the gradient" under SGD; under Adam no catalogued slip gives it
    spec = load_spec(EXAMPLES / "adam_first_step.toml")
    d = explain(spec)
    g, old = np.array(d.gradients["W3"]), np.array(spec.parameters()["W3"])
    r = check_answers(spec, {"updated": {"W3": (old + 0.37 * g).tolist()}}, derivation=d)
    assert all(not c or "update_sign" not in c for c in codes(r).values())


def test_exercise_with_optimizer_and_l2_has_a_key_that_checks(tmp_path):
    from backcalc.grading.exercise import make_exercise
    from backcalc.net.documents import parse_document

    ex = make_exercise(seed=3, optimizer="momentum", l2=0.05)
    spec = load_spec(parse_document(ex.spec_text, ".toml", "exercise.toml"))
    assert spec.training.optim.optimizer == "momentum" and spec.training.regularization.l2 == 0.05
    key = parse_document(ex.key_text, ".toml", "key.toml")
    r = check_answers(spec, key)
    assert r.correct == r.total > 0
    assert "--optimizer momentum --l2 0.05" in ex.command
