"""conv1d and the average/1-D pools: PyTorch float64 (skipped without torch), the mpmath reference, verify
three ways (with a broken rule caught), the worked example by hand, and bad shapes refused with exit 2."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import reference
from backcalc.check.verify import verify
from backcalc.errors import SpecError
from backcalc.net.network import Network
from backcalc.net.spec import load_spec
from shared import assert_tape_matches_torch, torch_map_gradients

ROOT = Path(__file__).resolve().parents[1]
CONV1D = ROOT / "worked_examples" / "conv1d_two_channel.toml"


def _spec(pool="maxpool1d", stride=1, padding=0, size=2, pool_stride=None):
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=(2, 2, 7)), 2)
    W = np.round(rng.normal(size=(3, 2, 3)) / 2, 2)
    pooling = {"kind": pool, "name": "p", "size": size, **({"stride": pool_stride} if pool_stride else {})}
    layers = [{"kind": "conv1d", "name": "c", "weights": W.tolist(), "bias": [0.1, -0.2, 0.3], "stride": stride,
               "padding": padding, "activation": "sigmoid"}, pooling, {"kind": "flatten", "name": "f"},
              {"name": "o", "activation": "linear", "units": 2, "init": "normal:0.3"}]
    return load_spec({"format": 1, "seed": 9, "data": {"x": x.tolist(), "y": [[0.5, -0.5], [1.0, 0.0]]},
                      "layers": layers})


def _avg2d():
    rng = np.random.default_rng(4)
    x = np.round(rng.normal(size=(1, 1, 5, 5)), 2)
    layers = [{"kind": "conv2d", "name": "c", "weights": [[[[0.5, -1.0], [1.0, 0.25]]]], "bias": [0.1],
               "activation": "relu", "padding": 1},
              {"kind": "avgpool2d", "name": "p", "size": [2, 3], "stride": [2, 1]}, {"kind": "flatten"},
              {"name": "o", "activation": "linear", "units": 1, "init": "normal:0.5"}]
    return load_spec({"format": 1, "seed": 2, "data": {"x": x.tolist(), "y": [[1.0]]}, "layers": layers})


CASES = {"worked": lambda: load_spec(CONV1D), "max1d": lambda: _spec(), "avg1d": lambda: _spec("avgpool1d"),
         "stride_pad": lambda: _spec("maxpool1d", 2, 1, 2, 1), "avg1d_window3": lambda: _spec("avgpool1d", 1, 2, 3, 2),
         "avg2d_pairs": _avg2d}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_tape_matches_pytorch_float64(make):
    assert_tape_matches_torch(make())


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_tape_matches_the_mpmath_reference(make):
    spec = make()
    assert Network(spec).forward().loss == pytest.approx(float(reference.loss(spec)), rel=1e-13)
    ref = reference.gradients(spec)
    for key, value in Network(spec).gradients().items():
        assert value == pytest.approx(float(ref[key]), rel=1e-9, abs=1e-12), key


@pytest.mark.parametrize("make", [CASES["worked"], CASES["stride_pad"], CASES["avg2d_pairs"]],
                         ids=["worked", "stride_pad", "avg2d_pairs"])
def test_verify_passes_three_ways(make):
    result = verify(make())
    assert result.ok, [(r.name, r.tape, r.symbolic) for r in result.rows]
    assert len(result.rows) == make().n_parameters


def test_verify_catches_an_average_pool_that_routes_like_a_max(monkeypatch):
    from backcalc.net.layers import pool

    real = pool.Pool.forward
    monkeypatch.setattr(pool.Pool, "forward",
                        lambda self, a, leaves, earlier=(): real(pool.Pool(**{**self.__dict__, "op": "max"}), a, leaves))
    assert not verify(load_spec(CONV1D)).ok


def test_worked_example_by_hand():
    # c11_in = 0.5·1 − 0.5·0 + 1·0 + 0·1 = 0.5; p11 = (tanh 0.5 + tanh 1.5)/2; o = p11 − p12 + (p21 + p22)/2
    spec = load_spec(CONV1D)
    p = Network(spec).forward()
    z = p.layers[0].nodes["z"].data[0]
    # channel 2: 0·x1 + 1·x2 − 0.5·y1 + 0.5·y2 + 0.1 at each position (x, y the two input channels)
    assert z[0].tolist() == [0.5, 1.5, -0.5, 0.25] and z[1].tolist() == pytest.approx([0.6, -0.9, 1.35, 1.35], rel=1e-15)
    pooled = p.layers[1].output.data[0]
    assert pooled[0, 0] == pytest.approx((math.tanh(0.5) + math.tanh(1.5)) / 2, rel=1e-15)
    # ∂L/∂c11_out = ∂L/∂p11_out · ½ (the average's share) and ∂L/∂p11_out = (o − y)·1
    g = p.layers[0].output.grad[0, 0, 0]
    assert g == pytest.approx((p.output.data[0, 0] - 1.0) * 1.0 * 0.5, rel=1e-15)


def test_flat_samples_are_one_channel_for_conv1d():
    spec = load_spec({"format": 1, "data": {"x": [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], "y": [[1.0], [0.0]]},
                      "layers": [{"kind": "conv1d", "weights": [[[1.0, -1.0]]], "bias": [0.0], "activation": "linear"},
                                 {"kind": "flatten"}, {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]})
    assert spec.x.shape == (2, 1, 3) and spec.input_unit_names == ("x11", "x12", "x13")


BAD = [
    ({"weights": [[[1.0] * 9]]}, "kernel (weights 1×1×9) 9 is larger than its input 7"),
    ({"weights": [[[1.0, 2.0]], [[1.0, 2.0]]]}, "expected 2 numbers (one per output channel)"),
    ({"weights": [[[1.0], [1.0]]]}, "the kernel has 2 input channels but its input has 1"),
    ({"weights": [[[[1.0]]]]}, "weights"),
    ({"stride": [1, 2]}, "stride"),
]


@pytest.mark.parametrize("change,message", BAD)
def test_bad_conv1d_is_refused_naming_layer_and_shapes(change, message):
    conv = {"kind": "conv1d", "name": "c", "weights": [[[1.0]]], "bias": [0.0], "activation": "relu", **change}
    if "expected 2 numbers" in message:
        conv["bias"] = [0.0]
    doc = {"format": 1, "seed": 0, "data": {"x": [[[1.0] * 7]], "y": [[1.0]]},
           "layers": [conv, {"kind": "flatten"}, {"activation": "linear", "units": 1, "init": "zeros"}]}
    with pytest.raises(SpecError) as info:
        load_spec(doc)
    assert 'layers[1] ("c")' in str(info.value) and message in str(info.value), str(info.value)


@pytest.mark.parametrize("layers,message", [
    ([{"kind": "avgpool1d", "size": 9}], "pool window 9 is larger than its input 7"),
    ([{"kind": "maxpool2d", "size": 2}], "needs channels × height × width per sample, but its input is 1×7"),
    ([{"kind": "conv1d", "weights": [[[1.0]]], "bias": [0.0], "activation": "relu"},
      {"kind": "avgpool2d", "size": 2}], "avgpool2d needs channels × height × width"),
])
def test_pools_that_do_not_fit_are_refused(layers, message):
    doc = {"format": 1, "data": {"x": [[[1.0] * 7]], "y": [[1.0]]},
           "layers": layers + [{"kind": "flatten"}, {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    if layers[0]["kind"] == "maxpool2d":
        doc["data"]["x"] = [[[[1.0] * 7]]][0]  # a 1-channel 1-D sample given to a 2-D pool: 1×7 per sample
        doc["layers"][0] = {"kind": "conv1d", "weights": [[[1.0]]], "bias": [0.0], "activation": "relu"}
        doc["layers"].insert(1, {"kind": "maxpool2d", "size": 2})
    with pytest.raises(SpecError, match="layers\\[") as info:
        load_spec(doc)
    assert message in str(info.value), str(info.value)


def test_conv_kernels_drawn_from_units_kernel_and_init_repeat_and_match_pytorch():
    doc = {"format": 1, "seed": 4, "data": {"x": np.round(np.random.default_rng(1).normal(size=(2, 2, 4, 5)), 2).tolist(),
                                            "y": [[0.5], [-0.5]]},
           "layers": [{"kind": "conv2d", "name": "c", "units": 3, "kernel": [2, 3], "init": "he_normal",
                       "activation": "tanh"}, {"kind": "avgpool2d", "size": 2}, {"kind": "flatten"},
                      {"activation": "linear", "units": 1, "init": "normal:0.5"}]}
    a, b = load_spec(doc), load_spec(doc)
    W = a.layers[0].weights
    assert W.shape == (3, 2, 2, 3) and np.array_equal(W, b.layers[0].weights) and a.layers[0].bias.tolist() == [0.0] * 3
    assert 0.1 < W.std() < 2.0                                  # he_normal: std √(2/fan_in) = √(2/12) ≈ 0.41
    loss, grads = torch_map_gradients(a)
    for key, g in Network(a).forward().gradients().items():
        np.testing.assert_allclose(g, grads[key], rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("change,message", [
    ({"units": 2}, "missing 'weights' and 'bias' (or 'units', 'kernel' and 'init')"),
    ({"units": 2, "kernel": 2, "bias": [0.0, 0.0]}, "'bias' goes with 'weights'"),
    ({"units": 2, "kernel": 2, "weights": [[[[1.0]]]]}, "give either weights and bias, or units, kernel and init"),
    ({"units": 2, "kernel": 4}, "kernel (weights 2×1×4×4) 4×4 is larger than its input 3×3"),
])
def test_drawn_kernels_refuse_bad_keys(change, message):
    conv = {"kind": "conv2d", "name": "c", "activation": "relu", **change}
    doc = {"format": 1, "seed": 0, "data": {"x": [[[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 1.0]]], "y": [[1.0]]},
           "layers": [conv, {"kind": "flatten"}, {"activation": "linear", "units": 1, "init": "zeros"}]}
    with pytest.raises(SpecError) as info:
        load_spec(doc)
    assert 'layers[1] ("c")' in str(info.value) and message in str(info.value), str(info.value)


def test_an_average_pool_writes_a_negative_term_after_the_first_in_parentheses():
    # as a weighted sum and a bias do: (0.53705 + (-0.7163))/2, never "+ -0.7163"
    from click.testing import CliRunner

    from backcalc.cli import main

    result = CliRunner().invoke(main, ["explain", "worked_examples/conv1d_two_channel.toml"])
    assert result.exit_code == 0
    assert "p21_out = (c21_out + c22_out)/2 = (0.53705 + (-0.7163))/2 = -0.089624" in result.stdout
    assert "p12_out = (c13_out + c14_out)/2 = (-0.46212 + 0.24492)/2 = -0.1086" in result.stdout
    assert "+ -" not in result.stdout
