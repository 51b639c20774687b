"""verify on training specs: the l1/l2 penalty and every optimizer step checked three ways, and the checker
catching a broken update rule or a broken penalty on the tape."""


import pytest

from backcalc.check.verify import verify
from backcalc.net.spec import load_spec
from shared import with_train

SPEC = {
    "format": 1, "seed": 3,
    "data": {"x": [[0.5, -1.0], [1.5, 0.25]], "y": [[1.0], [0.0]]},
    "layers": [{"name": "h", "activation": "tanh", "units": 2, "init": "xavier_normal"},
               {"activation": "sigmoid", "units": 1, "init": "xavier_normal"}],
    "loss": {"kind": "bce"},
    "train": {"learning_rate": 0.1, "steps": 3},
}


def spec_with(train=None, loss=None):
    return load_spec(with_train(SPEC, train, loss))


@pytest.mark.parametrize("train, loss", [
    ({"optimizer": "adam"}, {"l2": 0.01}),
    ({"optimizer": "momentum", "momentum_form": "cs231n", "clip_norm": 0.1}, {"l1": 0.02}),
    ({"optimizer": "nesterov", "weight_decay": 0.1}, {}),
    ({"optimizer": "rmsprop", "centered": True, "momentum": 0.5, "eps_form": "inside"}, {}),
    ({"optimizer": "adagrad", "clip_value": 0.05}, {"l2": 0.1, "regularize_bias": True}),
    ({"optimizer": "adamw", "amsgrad": True}, {}),
])
def test_training_specs_verify_three_ways(train, loss):
    result = verify(spec_with(train, loss))
    assert result.ok and len(result.updates) == 3 * len(result.rows)


def test_version_1_specs_have_no_update_rows():
    assert verify(spec_with()).updates == ()


def test_verify_catches_a_wrong_update_rule(monkeypatch):
    from backcalc.net import optim

    def no_bias_correction(s, p, g, state, t, values):
        return optim._RULES["adam_real"](s, p, g, state, 1, values)  # always step 1: the correction never fades

    monkeypatch.setitem(optim._RULES, "adam_real", optim._RULES["adam"])
    monkeypatch.setitem(optim._RULES, "adam", no_bias_correction)
    result = verify(spec_with({"optimizer": "adam"}))
    assert not result.ok
    assert all(r.ok for r in result.rows)               # the gradients are right...
    assert {r.step for r in result.updates if not r.ok} == {2, 3}   # ...steps 2 and 3 are not


def test_verify_catches_a_wrong_penalty_on_the_tape(monkeypatch):
    from backcalc.net import train_spec

    monkeypatch.setattr(train_spec.Regularization, "applies_to", lambda self, kind: kind in ("W", "b"))
    result = verify(spec_with(loss={"l2": 0.1}))     # the tape regularises biases it was not asked to
    assert not result.ok                              # (biases start at 0: the first step's gradients agree)
    assert {r.step for r in result.updates if not r.ok} == {2, 3}


def test_long_runs_say_which_steps_were_replayed():
    result = verify(spec_with({"optimizer": "momentum", "steps": 25}))
    assert result.ok and {r.step for r in result.updates} == set(range(1, 21))
    assert any(dict(n.params) == {"limit": 20, "steps": 25} for n in result.notes)
