"""Shared by the tests: a command refused with exit 2 and one line, and PyTorch float64 references."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main


def one_line_refusal(result) -> str:
    """The one line of a command that exited 2 (asserting there is exactly one and no traceback)."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def explain_refuses(tmp_path, doc: dict, name: str = "spec.json") -> str:
    """``backcalc explain`` of ``doc`` written as JSON: the one line it refuses it with."""
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return one_line_refusal(CliRunner().invoke(main, ["explain", str(path)]))


def torch_map_gradients(spec):
    """The half-SSE loss and every parameter's gradient of a conv/pool/flatten/dense net, by PyTorch float64
    (``F.conv1d``/``conv2d``, ``max_pool``/``avg_pool``, ``torch.flatten``); skips without torch."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    acts = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda v: v}
    pools = {"maxpool2d": F.max_pool2d, "avgpool2d": F.avg_pool2d, "maxpool1d": F.max_pool1d,
             "avgpool1d": F.avg_pool1d}
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec.parameters().items()}
    a = torch.tensor(spec.x, dtype=torch.float64)
    for layer in spec.layers:
        n = layer.index
        if layer.kind in ("conv1d", "conv2d"):
            conv = F.conv1d if layer.kind == "conv1d" else F.conv2d
            a = acts[layer.activation](conv(a, t[f"W{n}"], t[f"b{n}"], stride=layer.stride, padding=layer.padding))
        elif layer.kind in pools:
            a = pools[layer.kind](a, layer.size, layer.stride)
        elif layer.kind == "flatten":
            a = torch.flatten(a, 1)
        else:
            a = acts[layer.activation](a @ t[f"W{n}"] + t[f"b{n}"])
    loss = 0.5 * ((a - torch.tensor(spec.y, dtype=torch.float64)) ** 2).sum()
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in t.items()}


def assert_training_matches(d: dict, losses, snapshots) -> None:
    """An explained training run (``to_dict()``) against a reference's loss per step and parameters per step."""
    np.testing.assert_allclose([h["loss"] for h in d["history"]], losses, rtol=1e-12)
    for ours, theirs in zip(d["updated_steps"], snapshots):
        for key, value in theirs.items():
            np.testing.assert_allclose(np.array(ours[key]), value, rtol=1e-11, atol=1e-14)


def assert_tape_matches(spec, loss: float, grads: dict) -> None:
    """The tape's loss and every gradient of ``spec`` equal a reference's (``grads`` by canonical key)."""
    from backcalc.net.network import Network

    p = Network(spec).forward()
    assert p.loss == pytest.approx(loss, rel=1e-12)
    for key, g in p.gradients().items():
        np.testing.assert_allclose(g, grads[key], rtol=1e-10, atol=1e-12, err_msg=key)


def assert_tape_matches_torch(spec) -> None:
    """The tape's loss and every gradient of a conv/pool net equal PyTorch float64's."""
    assert_tape_matches(spec, *torch_map_gradients(spec))


def with_train(base: dict, train: dict | None = None, loss: dict | None = None) -> dict:
    """A deep copy of spec document ``base`` with its ``train`` and ``loss`` tables updated."""
    import copy

    doc = copy.deepcopy(base)
    doc["train"].update(train or {})
    doc["loss"].update(loss or {})
    return doc


def conv_pool_net(seed: int, x_shape, w_shape, bias, y, spec_seed: int, stride=1, padding=0, activation="tanh",
                  pool="maxpool2d"):
    """A conv2d → pool (2×2 at stride 1) → flatten → linear net of random numbers rounded to 2 decimals."""
    from backcalc.net.spec import load_spec

    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=x_shape), 2)
    W = np.round(rng.normal(size=w_shape) / 2, 2)
    layers = [{"kind": "conv2d", "name": "c", "weights": W.tolist(), "bias": bias, "stride": stride,
               "padding": padding, "activation": activation},
              {"kind": pool, "name": "p", "size": 2, "stride": 1}, {"kind": "flatten", "name": "f"},
              {"name": "o", "activation": "linear", "units": len(y[0]), "init": "normal:0.3"}]
    return load_spec({"format": 1, "seed": spec_seed, "data": {"x": x.tolist(), "y": y}, "layers": layers})
