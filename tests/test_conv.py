"""conv2d, maxpool2d and flatten: PyTorch float64 (skipped without torch), the mpmath reference, verify three
ways, explain in every format, and bad shapes refused with exit 2 before any work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import reference
from shared import assert_tape_matches_torch, conv_pool_net
from backcalc.check.verify import verify
from backcalc.errors import SpecError
from backcalc.net.network import Network
from backcalc.net.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
CONV_POOL = ROOT / "worked_examples" / "conv_pool.toml"


def _spec(stride=1, padding=0, activation="tanh"):
    """2 samples of 2 channels 5×4; 3 output channels of 3×2 kernels; a 2×2 pool at stride 1; flatten; dense 2."""
    return conv_pool_net(7, (2, 2, 5, 4), (3, 2, 3, 2), [0.1, -0.2, 0.3], [[0.5, -0.5], [1.0, 0.0]], 3, stride, padding,
                         activation)


@pytest.mark.parametrize("make", [lambda: load_spec(CONV_POOL), lambda: _spec(), lambda: _spec(2, 1, "relu"),
                                  lambda: _spec([1, 2], [1, 0], "sigmoid")],
                         ids=["worked", "two_channel", "stride2_pad1", "pairs"])
def test_tape_matches_pytorch_float64(make):
    assert_tape_matches_torch(make())


def test_max_pool_tie_goes_to_the_first_in_row_major_order_as_pytorch():
    doc = {"format": 1, "data": {"x": [[[1.0, 3.0], [3.0, 2.0]]], "y": [[0.0]]},
           "layers": [{"kind": "conv2d", "name": "c", "weights": [[[[1.0]]]], "bias": [0.0], "activation": "linear"},
                      {"kind": "maxpool2d", "name": "p", "size": 2}, {"kind": "flatten"},
                      {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    spec = load_spec(doc)
    p = Network(spec).forward()
    g = p.layers[0].output.grad
    assert g.tolist() == [[[[0.0, 3.0], [0.0, 0.0]]]]  # ∂L/∂out = 3 routed to (0, 1), not (1, 0)
    torch = pytest.importorskip("torch")
    x = torch.tensor([[[[1.0, 3.0], [3.0, 2.0]]]], dtype=torch.float64, requires_grad=True)
    (torch.nn.functional.max_pool2d(x, 2).sum() * 3).backward()
    assert x.grad.tolist() == g.tolist()


def test_worked_example_matches_the_mpmath_reference():
    spec = load_spec(CONV_POOL)
    p = Network(spec).forward()
    assert p.loss == pytest.approx(float(reference.loss(spec)), rel=1e-14)
    ref = reference.gradients(spec)
    got = Network(spec).gradients()
    assert set(got) == set(ref)
    for key, value in got.items():
        assert value == pytest.approx(float(ref[key]), rel=1e-12, abs=1e-14), key
    # the numbers by hand: relu(z) = [[1.5, 9], [2.5, 1]], the pool keeps 9 (window at row 0, column 1)
    assert got["W1[0][0][0][0]"] == 0.5 and got["W1[0][0][1][1]"] == 0.75 and got["b1[0]"] == 0.25


def test_two_channel_net_matches_the_reference():
    spec = _spec(2, 1, "relu")
    ref = reference.gradients(spec)
    for key, value in Network(spec).gradients().items():
        assert value == pytest.approx(float(ref[key]), rel=1e-9, abs=1e-12), key


@pytest.mark.parametrize("make", [lambda: load_spec(CONV_POOL), lambda: _spec()], ids=["worked", "two_channel"])
def test_verify_passes_three_ways(make):
    result = verify(make())
    assert result.ok and result.numeric_checked
    assert len(result.rows) == make().n_parameters


def test_verify_catches_a_wrong_conv_on_the_tape(monkeypatch):
    # break the tape's gather (a kernel flipped into convolution): the checker, built independently, must object
    from backcalc.net.layers import conv2d

    real = conv2d.Conv2d.taps
    monkeypatch.setattr(conv2d.Conv2d, "taps", lambda layer: real(layer)[::-1].copy())
    assert not verify(load_spec(CONV_POOL)).ok


def _run(*args):
    return subprocess.run([sys.executable, "-m", "backcalc.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "json", "dot", "html"])
def test_explain_runs_in_every_format(fmt):
    r = _run("explain", str(CONV_POOL), "--format", fmt)
    assert r.returncode == 0, r.stderr
    assert "c1111" in r.stdout or fmt == "dot"
    if fmt == "json":
        doc = json.loads(r.stdout)
        assert np.shape(doc["forward"]["z1"]) == (1, 1, 2, 2)
        assert doc["gradients"]["W1"] == [[[[0.5, 0.0], [0.25, 0.75]]]]


BAD = [
    ({"weights": [[[[1.0] * 4] * 4]]}, "kernel (weights 1×1×4×4) 4×4 is larger than its input 3×3"),
    ({"weights": [[[[1.0]]], [[[1.0]]]], "bias": [0.0]}, "expected 2 numbers (one per output channel)"),
    ({"weights": [[[[1.0]], [[1.0]]]]}, "the kernel has 2 input channels but its input has 1"),
    ({"stride": 0}, "stride"),
    ({"padding": [1, 2, 3]}, "padding"),
]


@pytest.mark.parametrize("change,message", BAD)
def test_bad_conv_shapes_exit_2_naming_layer_and_shapes(tmp_path, change, message):
    doc = {"format": 1, "data": {"x": [[[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 1.0]]], "y": [[1.0]]},
           "layers": [dict({"kind": "conv2d", "name": "c", "weights": [[[[1.0]]]], "bias": [0.0],
                            "activation": "relu"}, **change), {"kind": "flatten"},
                      {"activation": "linear", "units": 1, "init": "zeros"}], "seed": 0}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    r = _run("explain", str(path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert 'layers[1] ("c")' in r.stderr and message in r.stderr, r.stderr


@pytest.mark.parametrize("layers,message", [
    ([{"kind": "conv2d", "weights": [[[[1.0]]]], "bias": [0.0], "activation": "relu"},
      {"activation": "linear", "weights": [[1.0]] * 9, "bias": [0.0]}], "put a layer of kind = \"flatten\""),
    ([{"kind": "maxpool2d", "size": 4}, {"kind": "flatten"}, {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}],
     "pool window 4×4 is larger than its input 3×3"),
    ([{"kind": "conv2d", "weights": [[[[1.0]]]], "bias": [0.0], "activation": "relu"}], "the output layer gives a map"),
])
def test_bad_map_nets_are_refused(layers, message):
    doc = {"format": 1, "data": {"x": [[[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 1.0]]], "y": [[1.0]]},
           "layers": layers}
    with pytest.raises(SpecError, match="layers\\[") as info:
        load_spec(doc)
    assert message in str(info.value)


def test_map_kinds_refuse_plain_features_and_ragged_maps():
    with pytest.raises(SpecError, match="needs channels × height × width"):
        load_spec({"format": 1, "data": {"x": [[1.0, 2.0]], "y": [[1.0]]},
                   "layers": [{"kind": "flatten"}, {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]})
    with pytest.raises(SpecError, match="data.x.*ragged"):
        load_spec({"format": 1, "data": {"x": [[[1.0, 2.0], [3.0]]], "y": [[1.0]]},
                   "layers": [{"kind": "flatten"}, {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]})


def test_a_sample_given_as_one_matrix_is_one_channel():
    one = load_spec(CONV_POOL)
    assert one.x.shape == (1, 1, 3, 3)
    assert one.input_unit_names[:2] == ("x111", "x112")


def test_check_grades_a_conv_net_by_kernel_name_and_canonical_key(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text('[gradients]\nb_c1 = 0.25\nW1 = [[[[0.5, 0], [0.25, 0.75]]]]\n'
                       '[factors]\n"∂L/∂x122" = 0.125\n"∂p111_out/∂c112_out" = 1\n', encoding="utf-8")
    r = _run("check", str(CONV_POOL), str(answers), "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert [row["verdict"] for row in rows] == ["correct"] * 7
    # a kernel written as a matrix is one unreadable entry naming the shape, not a crash
    answers.write_text("[gradients]\nW1 = [[0.5, 0], [0.25, 0.75]]\n", encoding="utf-8")
    r = _run("check", str(CONV_POOL), str(answers))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "expected nested lists of shape 1×1×2×2" in r.stdout and "got shape 2×2" in r.stdout


def test_verify_on_a_pool_tie_agrees_with_the_tape_and_says_central_differences_cannot_judge():
    # z = [[3, 2], [3, 1]]: the window's maximum 3 ties at (0, 0) and (1, 0), whose inputs differ
    doc = {"format": 1, "data": {"x": [[[1.0, 2.0, 0.0], [2.0, 1.0, 0.0]]], "y": [[0.0]]},
           "layers": [{"kind": "conv2d", "name": "c", "weights": [[[[1.0, 1.0]]]], "bias": [0.0],
                       "activation": "linear"},
                      {"kind": "maxpool2d", "name": "p", "size": 2}, {"kind": "flatten"},
                      {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    result = verify(load_spec(doc))
    assert result.ok and not result.numeric_checked
    assert any(note.code == "tie" for note in result.notes)
    # ∂L/∂out = 3 goes to (0, 0), the first in row-major order: ∂L/∂w = 3·[x00, x01] = [3, 6]
    assert [r.tape for r in result.rows[:2]] == [r.symbolic for r in result.rows[:2]] == [3.0, 6.0]
