"""Initialisers by name (backcalc.net.init): the distributions they draw and the errors for bad names."""

import doctest
import math

import numpy as np
import pytest

import backcalc.net.init
from backcalc.errors import BackcalcError
from backcalc.net.init import NAMES, initializer

FAN_IN, FAN_OUT = 400, 600   # 240 000 draws: a sample std is within ~0.3 % of the true one


def draw(name, fan_in=FAN_IN, fan_out=FAN_OUT, seed=0):
    return initializer(name)(np.random.default_rng(seed), fan_in, fan_out)


# expected std of each distribution; a uniform U(±A) has std A/√3
@pytest.mark.parametrize("name, std", [
    ("normal:0.01", 0.01),
    ("normal:2.5", 2.5),
    ("uniform:0.3", 0.3 / math.sqrt(3)),
    ("xavier_normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("glorot_normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("xavier_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT)) / math.sqrt(3)),
    ("he_normal", math.sqrt(2 / FAN_IN)),
    ("he_uniform", math.sqrt(6 / FAN_IN) / math.sqrt(3)),
    ("lecun_normal", math.sqrt(1 / FAN_IN)),
    ("lecun_uniform", math.sqrt(3 / FAN_IN) / math.sqrt(3)),
    ("torch_linear", 1 / math.sqrt(FAN_IN) / math.sqrt(3)),   # PyTorch: U(±1/√in_features)
])
def test_distributions_have_the_documented_spread(name, std):
    w = draw(name)
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float64
    assert w.std() == pytest.approx(std, rel=0.01)
    assert abs(w.mean()) < 5 * std / math.sqrt(w.size)


@pytest.mark.parametrize("name, limit", [("uniform:0.3", 0.3), ("xavier_uniform", math.sqrt(6 / 1000)),
                                         ("he_uniform", math.sqrt(6 / FAN_IN)), ("lecun_uniform", math.sqrt(3 / FAN_IN)),
                                         ("torch_linear", 1 / math.sqrt(FAN_IN))])
def test_uniforms_stay_inside_their_limits(name, limit):
    w = draw(name)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit


def test_zeros_aliases_and_determinism():
    assert not draw("zeros").any()
    assert not draw("normal:0").any()
    np.testing.assert_array_equal(draw("glorot_uniform"), draw("xavier_uniform"))
    np.testing.assert_array_equal(draw("he_normal", seed=3), draw("he_normal", seed=3))
    assert not np.array_equal(draw("he_normal", seed=3), draw("he_normal", seed=4))
    # normal:STD scales the same standard normals, so two stds differ by exactly their ratio
    np.testing.assert_allclose(draw("normal:0.5"), 50 * draw("normal:0.01"), rtol=1e-15)


def test_canonical_names_and_formulas():
    assert initializer("glorot_normal").name == "xavier_normal"
    assert initializer(" He_Normal ").name == "he_normal"
    assert initializer("normal:1e-2").name == "normal:0.01"
    assert initializer("normal:0.01").formula == "N(0, 0.01²)"
    assert initializer("he_normal").formula == "N(0, 2/fan_in)"
    assert "normal:STD" in NAMES and "zeros" in NAMES


@pytest.mark.parametrize("name, words", [
    ("he_norml", ["unknown initialiser 'he_norml'", "did you mean 'he_normal'", "expected one of"]),
    ("xavier", ["did you mean"]),
    ("normla:0.1", ["did you mean 'normal:STD'"]),
    ("kaiming", ["unknown initialiser 'kaiming'", "expected one of normal:STD"]),
    ("normal", ["normal needs a number", "normal:0.01"]),
    ("normal:", ["normal needs a number"]),
    ("normal:abc", ["STD must be a number"]),
    ("uniform:-1", ["A must be a finite number ≥ 0"]),
    ("normal:inf", ["finite number"]),
    ("normal:nan", ["finite number"]),
    ("he_normal:2", ["he_normal takes no parameter"]),
    (3, ["expected an initialiser name"]),
])
def test_bad_names_say_what_was_expected(name, words):
    with pytest.raises(BackcalcError) as info:
        initializer(name, what="--init")
    message = str(info.value)
    assert message.startswith("--init: ") and "\n" not in message
    for word in words:
        assert word in message


def test_docstring_examples():
    assert doctest.testmod(backcalc.net.init).failed == 0
