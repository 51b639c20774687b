"""Shared by the tests: a command refused with exit 2 and one line, PyTorch float64 references (an rnn's too), the
40-digit reference and verify's three ways asserted, and a path cut on the tape on purpose."""

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


def assert_tape_matches_reference(spec) -> None:
    """The tape's loss and every gradient of ``spec`` equal the 40-digit mpmath reference's (tests/reference.py)."""
    import reference
    from backcalc.net.network import Network

    assert Network(spec).forward().loss == pytest.approx(float(reference.loss(spec)), rel=1e-13)
    ref = reference.gradients(spec)
    got = Network(spec).gradients()
    assert set(got) == set(ref)
    for key, value in got.items():
        assert value == pytest.approx(float(ref[key]), rel=1e-9, abs=1e-12), key


def assert_verifies_three_ways(spec) -> None:
    """``verify`` passes on ``spec`` with its numeric column run, one row per parameter."""
    from backcalc.check.verify import verify

    result = verify(spec)
    assert result.ok and result.numeric_checked
    assert len(result.rows) == spec.n_parameters


def cut_before(monkeypatch, label: str) -> None:
    """Break the tape on purpose: the left operand of every ``… @ <label>`` is detached (for an rnn's ``Wh1``,
    the path back through h_(t−1) is cut, BPTT truncated to one step)."""
    from backcalc.tape.tensor import Tensor

    real = Tensor.__matmul__

    def cut(self, other):
        if isinstance(other, Tensor) and other.label == label:
            self = Tensor(self.data, requires_grad=False)
        return real(self, other)

    monkeypatch.setattr(Tensor, "__matmul__", cut)


def torch_rnn_states(spec, t: dict):
    """An rnn's h_t, step by step, by PyTorch float64 from parameter tensors ``t`` (each h_t keeps its grad)."""
    import torch

    rnn = spec.layers[0]
    f = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[rnn.activation]
    x = torch.tensor(spec.x, dtype=torch.float64)
    h = torch.tensor(np.broadcast_to(rnn.h0, (spec.samples, rnn.units)).copy(), dtype=torch.float64)
    for step in range(x.shape[1]):
        h = f(x[:, step] @ t["Wx1"] + h @ t["Wh1"] + t["b1"])
        h.retain_grad()
        yield h


def torch_rnn_module(rnn):
    """``torch.nn.RNN`` (float64, batch first) holding the rnn layer's weights (its hidden bias 0)."""
    import torch

    net = torch.nn.RNN(rnn.weights_x.shape[0], rnn.units, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.tensor(rnn.weights_x.T))
        net.weight_hh_l0.copy_(torch.tensor(rnn.weights_h.T))
        net.bias_ih_l0.copy_(torch.tensor(rnn.bias))
        net.bias_hh_l0.zero_()
    return net


def assert_rnn_gradients_match(g: dict, net) -> None:
    """The tape's Wx1, Wh1, b1 gradients equal those ``torch_rnn_module``'s ``net`` was given by backward."""
    np.testing.assert_allclose(g["Wx1"], net.weight_ih_l0.grad.numpy().T, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(g["Wh1"], net.weight_hh_l0.grad.numpy().T, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(g["b1"], net.bias_ih_l0.grad.numpy(), rtol=1e-10, atol=1e-13)
