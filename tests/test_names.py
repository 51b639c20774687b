"""The naming convention (backcalc.net.names) and that the net's records follow it."""

import doctest

import pytest

import backcalc.net.names as names
from backcalc import explain
from backcalc.net.names import Key, element_key, parse_key


def test_the_module_examples_run():
    assert doctest.testmod(names).failed == 0


@pytest.mark.parametrize("kind", names.KINDS)
def test_every_canonical_kind_round_trips(kind):
    for index in ((), (3,), (0, 1), (2, 0, 5)):
        key = element_key(kind, 12, *index)
        assert parse_key(key) == Key(kind, 12, index)


@pytest.mark.parametrize("text", ["w_ij1", "W", "W1[", "W1[a]", "Q1", "W1[-1]", "w1", "W1 ", "z1[0]]", "W1[:]", ""])
def test_what_is_not_a_canonical_key(text):
    assert parse_key(text) is None


def test_slices_only_when_asked():
    assert parse_key("a2[:][1]", slices=True) == Key("a", 2, (slice(None), 1))
    assert parse_key("a2[:][1]") is None


def test_the_seed_net_uses_the_convention():
    d = explain()
    assert [t.name for t in d.terms][:4] == ["w_ij1", "w_ij2", "w_ij3", "w_ij4"]
    assert ("w_j1k1", "W2[0][0]") in d.spec.param_names() and ("b_o", "b3[0]") in d.spec.param_names()
    assert d.spec.layers[1].unit_names == ("k1", "k2") and d.spec.layers[2].unit_names == ("o",)
    assert names.node_unit("k1_out") == names.node_unit("k1_in") == "k1" and names.node_unit("i") == "i"
