"""Generated names that would mean two things are refused (issue #13, "Names that collide").

The check (net/names.name_clash) tries only the candidates a clash needs; a hypothesis test compares it with
the brute force over every unit, node and parameter name of random nets whose names share letters."""

import json

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings, strategies as st

from backcalc.cli import main
from backcalc.errors import SpecError
from backcalc.net.names import node_in, node_out
from backcalc.net.spec import load_spec


def spec(names, units, input_name="x", features=1):
    layers, fan = [], features
    for name, u in zip(names, units):
        layers.append({"name": name, "activation": "linear", "weights": [[0.5] * u] * fan, "bias": [0.0] * u})
        fan = u
    return {"format": 1, "data": {"x": [[1.0] * features], "y": [[1.0] * units[-1]], "input_name": input_name},
            "layers": layers}


def one_line_2(doc, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    res = CliRunner().invoke(main, ["explain", str(path)])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backcalc: error:")
    return lines[0]


def test_w_xab_names_two_weights(tmp_path):
    out = one_line_2(spec(["ab", "xa", "b"], [1, 1, 1]), tmp_path)
    assert "'w_xab'" in out and "from 'x' to 'ab'" in out and "from 'xa' to 'b'" in out


def test_a_layer_k1_after_a_layer_k_of_two_units(tmp_path):
    out = one_line_2(spec(["k", "k1", "o"], [2, 1, 1]), tmp_path)
    assert 'layers[2] ("k1")' in out and "unit name 'k1'" in out


def test_an_input_unit_named_like_a_unit(tmp_path):
    out = one_line_2(spec(["x1", "o"], [1, 1], features=2), tmp_path)
    assert "unit name 'x1'" in out and "data.input_name" in out


def test_input_t_and_the_target_t_in_verify_formulas():
    from backcalc.check.verify import verify

    doc = spec(["o"], [1], input_name="t")
    doc["layers"][0]["activation"] = "sigmoid"
    forms = dict(verify(doc, formulas=True).formulas)
    assert forms["w_to"] == "o_out*t*(1 - o_out)*(o_out - t_o)"  # t the input, t_o the target
    assert forms["b_o"] == "o_out*(1 - o_out)*(o_out - t_o)"
    assert dict(verify(spec(["o"], [1]), formulas=True).formulas)["w_xo"] == "x*(o_out - t)"


def every_name(s):
    names = [u for layer in range(len(s.layers) + 1) for u in s.unit_names(layer)]
    names += [n for u in names for n in (node_in(u), node_out(u))]
    return names + [name for name, _ in s.param_names()]


NAMES = st.sampled_from(["a", "b", "x", "ab", "xa", "ba", "bx", "bxa", "k", "k1", "k11"])


@settings(max_examples=150, deadline=None)
@example(["ab", "xa", "b"], [1, 1, 1, 1], "x", 1)
@example(["ab", "xa", "b"], [2, 1, 2, 1], "x", 1)  # w_x ab1 … : no clash once ab has two units
@example(["a", "bxa", "b"], [1, 1, 1, 1], "x", 1)
@given(st.lists(NAMES, min_size=1, max_size=4, unique=True),
       st.lists(st.integers(1, 2) | st.integers(1, 12), min_size=4, max_size=4),
       st.sampled_from(["x", "a", "b", "k"]), st.integers(1, 2))
def test_refused_exactly_when_some_name_means_two_things(names, units, input_name, features):
    doc = spec(names, units[:len(names)], input_name, features)
    try:
        s = load_spec(doc)
    except SpecError as exc:
        if "every name on the page must mean one thing" not in str(exc):
            return  # refused for another reason (a layer named like the input)
        # the brute force finds the duplicate too
        names_all = brute_force_names(doc)
        assert len(names_all) != len(set(names_all)), str(exc)
        return
    everything = every_name(s)
    assert len(everything) == len(set(everything))


def brute_force_names(doc):
    """Every name the net would generate, built here without the spec reader's check."""
    data = doc["data"]
    features = len(data["x"][0])
    inp = data["input_name"]
    units = [[inp] if features == 1 else [f"{inp}{p}" for p in range(1, features + 1)]]
    for layer in doc["layers"]:
        u = len(layer["bias"])
        units.append([layer["name"]] if u == 1 else [f"{layer['name']}{p}" for p in range(1, u + 1)])
    out = [u for us in units for u in us]
    for prev, this in zip(units, units[1:]):
        out += [f"w_{s}{t}" for s in prev for t in this]
    return out
