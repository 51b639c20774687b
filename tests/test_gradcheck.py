"""gradcheck passes on correct rules and names input, element and both values when a rule is wrong."""

import dataclasses

import numpy as np
import pytest

from backcalc import GradcheckError, Tensor, Value, gradcheck
from backcalc.tape.rules import RULES


def test_passes_on_tensor_and_value():
    assert gradcheck(lambda x: (x.tanh() * x).sum(), Tensor([[0.3, -0.2]]))
    assert gradcheck(lambda a, b: (a * b).sigmoid(), Value(0.3), Value(-1.2))


def test_broken_rule_is_caught_with_a_named_element(monkeypatch):
    broken = dataclasses.replace(RULES["sigmoid"], local=lambda ans, a: (ans,))  # σ′ → σ: wrong
    monkeypatch.setitem(RULES, "sigmoid", broken)
    W = Tensor(np.array([[0.5, -0.5]]), label="W")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda W: W.sigmoid().sum(), W)
    message = str(info.value)
    assert "input 0 ('W')" in message and "element [0, 0]" in message
    assert "tape gives 0.622459" in message and "central differences give 0.235003" in message
