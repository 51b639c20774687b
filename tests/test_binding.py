"""One binding policy: replacing an entry of the rule table changes every path that uses it."""

import dataclasses

import numpy as np
import pytest

from backcalc import Tensor, Value
from backcalc.net.network import Network
from backcalc.net.spec import load_spec
from backcalc.tape.rules import RULES

SPEC = {"format": 1, "data": {"x": [[2.0]], "y": [[1.0]]},
        "layers": [{"name": "k", "activation": "relu", "weights": [[0.5, -1.0]], "bias": [0.0, 1.0]},
                   {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}


@pytest.fixture
def seven(monkeypatch):
    """Replace a rule's local factor by the constant 7 (a wrong rule any path would show)."""
    def replace(name):
        rule = RULES[name]
        monkeypatch.setitem(RULES, name, dataclasses.replace(rule, local=lambda ans, *xs, **kw: (7.0,) * rule.arity))
    return replace


def test_an_operator_uses_the_replaced_rule(seven):
    seven("mul")
    x, y = Value(2.0), Value(3.0)
    (x * y).backward()
    assert x.grad == 7.0 and y.grad == 7.0
    X = Tensor([2.0])
    (X * 3.0).sum().backward()
    assert X.grad.tolist() == [7.0]
    (3.0 * X).sum().backward()  # the reflected operator too
    assert X.grad.tolist() == [7.0]


def test_an_activation_method_uses_the_replaced_rule(seven):
    seven("relu")
    x = Value(2.0)
    x.relu().backward()
    assert x.grad == 7.0
    X = Tensor([2.0, -1.0])
    X.relu().sum().backward()
    assert X.grad.tolist() == [7.0, 7.0]


def test_an_activation_reached_through_a_spec_uses_the_replaced_rule(seven):
    spec = load_spec(SPEC)
    before = Network(spec).forward()
    relu_node = before.layers[0].output
    assert relu_node.local[0].tolist() == [[1.0, 0.0]]  # relu′ of z = (1, −1)
    seven("relu")
    after = Network(spec).forward().layers[0].output
    assert after.local == (7.0,)


def test_restoring_the_entry_restores_every_path(monkeypatch):
    saved = RULES["add"]
    RULES["add"] = dataclasses.replace(saved, local=lambda ans, a, b: (5.0, 5.0))
    try:
        x = Value(1.0)
        (x + 1.0).backward()
        assert x.grad == 5.0
    finally:
        RULES["add"] = saved
    x = Value(1.0)
    (x + 1.0).backward()
    assert x.grad == 1.0
    t = Tensor([1.0])
    (t + t).sum().backward()
    assert t.grad.tolist() == [2.0]


def test_a_missing_entry_is_named_when_used(monkeypatch):
    monkeypatch.delitem(RULES, "tanh")
    with pytest.raises(KeyError, match="tanh"):
        Value(1.0).tanh()
    with pytest.raises(KeyError, match="tanh"):
        Tensor([1.0]).tanh()
    assert np.isfinite(Value(1.0).sigmoid().data)
