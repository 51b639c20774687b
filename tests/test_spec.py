"""The spec reader: valid files load, and every invalid one is refused with a message naming key and layer."""

import json

import numpy as np
import pytest

from backcalc.errors import SpecError
from backcalc.net.spec import default_spec, load_spec


def _base():
    return {"format": 1, "data": {"x": [[1.0, 2.0]], "y": [[1.0]]},
            "layers": [{"name": "h", "activation": "relu", "weights": [[1.0, 0.5], [0.5, 1.0]], "bias": [0.0, 0.0]},
                       {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}


def test_default_names_and_keys():
    spec = default_spec()
    assert spec.input_unit_names == ("i",)
    assert [l.unit_names for l in spec.layers] == [("j1", "j2", "j3", "j4"), ("k1", "k2"), ("o",)]
    names = dict(spec.param_names())
    assert names["w_j1k1"] == "W2[0][0]" and names["b_o"] == "b3[0]" and names["w_k2o"] == "W3[1][0]"
    assert spec.n_parameters == 21


def test_default_layer_names_and_input_names():
    spec = load_spec(_base())
    assert spec.layers[0].unit_names == ("h1", "h2") and spec.layers[1].unit_names == ("o",)
    assert spec.input_unit_names == ("x1", "x2")
    assert spec.reduction == "sum" and spec.steps == 1


def test_toml_and_json_give_the_same_spec(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(_base()))
    spec = load_spec(tmp_path / "a.json")
    assert np.array_equal(spec.layers[0].weights, [[1.0, 0.5], [0.5, 1.0]])


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("format"), "missing key 'format'"),
    (lambda d: d.update(format=2), "format: expected 1"),
    (lambda d: d.update(extra=1), "unknown key 'extra'"),
    (lambda d: d["data"].update(xx=1), "unknown key 'xx'"),
    (lambda d: d["layers"][0].update(activaton="relu"), "did you mean 'activation'"),
    (lambda d: d["layers"][0].update(activation="sigmoidd"), "did you mean 'sigmoid'"),
    (lambda d: d["layers"][1].update(weights=[[1.0], [1.0], [1.0]]), 'layers[2] ("o") weights: expected 2×1'),
    (lambda d: d["layers"][0].update(bias=[0.0]), 'layers[1] ("h") bias: expected 2 numbers'),
    (lambda d: d["layers"][0].update(weights=[[1.0, 0.5], [0.5]]), "ragged matrix"),
    (lambda d: d["layers"][0].update(weights=[[1.0, "a"], [0.5, 1.0]]), "weights[0][1]: expected a number"),
    (lambda d: d["layers"][0].update(weights=[[1.0, True], [0.5, 1.0]]), "got a boolean"),
    (lambda d: d["layers"][0].update(weights=[[1.0, 1e9], [0.5, 1.0]]), "out of range"),
    (lambda d: d["data"].update(y=[[1.0, 2.0]]), "data.y: expected 1×1"),
    (lambda d: d["data"].update(x=[[1.0, 2.0, 3.0]]), "expected 3×2"),
    (lambda d: d.update(loss={"kind": "hinge"}), "unknown loss"),
    (lambda d: d.update(loss={"kind": "half_sse", "reduction": "max"}), "loss.reduction"),
    (lambda d: d.update(train={"steps": 0}), "train.steps"),
    (lambda d: d.update(train={"learning_rate": -1}), "train.learning_rate"),
    (lambda d: d["layers"][1].update(name="h"), "already used"),
    (lambda d: d.pop("layers"), "missing [[layers]]"),
])
def test_invalid_specs_name_the_culprit(mutate, message):
    doc = _base()
    mutate(doc)
    with pytest.raises(SpecError) as info:
        load_spec(doc)
    assert message in str(info.value)


def test_cross_entropy_labels():
    doc = _base()
    doc["layers"][1] = {"activation": "softmax", "weights": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "bias": [0, 0, 0]}
    doc["loss"] = {"kind": "cross_entropy"}
    doc["data"]["y"] = [2]
    assert load_spec(doc).y.tolist() == [2]
    doc["data"]["y"] = [3]
    with pytest.raises(SpecError, match="class label 3 is out of range"):
        load_spec(doc)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        load_spec(tmp_path / "missing.toml")


@pytest.mark.parametrize("name, content, message", [
    ("e.toml", b"", "empty"),
    ("bad.toml", b"format = 1\n[data\n", "invalid TOML.*line 2"),
    ("bad.json", b'{"format": 1,\n "data": }', "invalid JSON at line 2"),
    ("nan.json", b'{"format": 1, "data": {"x": NaN}}', "NaN"),
    ("a.yaml", b"x", ".toml or .json"),
    ("bin.toml", b"\xff\xfe\x00\x01", "UTF-8"),
])
def test_file_errors(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SpecError, match=message):
        load_spec(tmp_path / name)
