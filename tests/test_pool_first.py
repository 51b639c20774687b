"""explain shows ∂L/∂x of the data when a pool is the first layer (as when a conv is): each data element's sum over
the windows holding it of ∂L/∂pool_out·∂pool_out/∂x — pinned by hand, by PyTorch float64 (skipped without torch) and
by the catalogue's own backward pass; every format renders it, and check grades ∂L/∂x122 and the routing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.grading import conv_mistakes
from backcalc.grading.grade import check_answers
from backcalc.grading.spaces import answer_space
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec


def _spec(kind="maxpool2d", stride=None):
    """A 3×4 one-channel input, a 2×2 pool (stride 2: 1×2 outputs; stride 1: 2×3), flatten, one linear unit."""
    x = [[1.0, 3.0, 0.5, 2.0], [2.0, -1.0, 4.0, 1.0], [0.0, 1.5, -2.0, 2.5]]
    pool = {"kind": kind, "name": "p", "size": 2} | ({"stride": stride} if stride else {})
    features = 2 if stride is None else 6
    weights = [[0.5 if i % 2 == 0 else -1.0] for i in range(features)]
    return load_spec({"format": 1, "data": {"x": [[x]], "y": [[1.0]]},
                      "layers": [pool, {"kind": "flatten", "name": "h"},
                                 {"name": "o", "activation": "linear", "weights": weights, "bias": [0.0]}]})


def test_max_pool_first_routes_the_gradient_to_each_window_s_maximum_by_hand():
    d = explain(_spec())
    rows = {u.unit: u for u in d.upstream if u.layer == 0}
    # windows [[1, 3], [2, −1]] and [[0.5, 2], [4, 1]]: o = 0.5·3 − 1·4 = −2.5, ∂L/∂o = −3.5, so
    # ∂L/∂p111 = −1.75 goes to x112 (3) and ∂L/∂p112 = 3.5 to x123 (4); the third row is in no window
    assert {u: r.value for u, r in rows.items() if r.value} == {"x112": -1.75, "x123": 3.5}
    assert len(rows) == 12
    assert [p.weight_name for p in rows["x112"].paths] == ["∂p111_out/∂x112"]
    assert rows["x131"].paths == ()


@pytest.mark.parametrize("kind, stride", [("maxpool2d", None), ("avgpool2d", None), ("maxpool2d", 1),
                                          ("avgpool2d", 1)])
def test_the_data_gradient_matches_torch_and_the_catalogue(kind, stride):
    spec = _spec(kind, stride=stride)
    d = explain(spec)
    sp = answer_space(d)
    assert np.allclose(conv_mistakes.backward(sp)["dx"], sp.g_x, rtol=1e-12, atol=1e-14)
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.tensor(np.asarray(spec.x, dtype=float), dtype=torch.float64, requires_grad=True)
    pool = F.max_pool2d if kind == "maxpool2d" else F.avg_pool2d
    a = torch.flatten(pool(x, 2, stride or 2), 1) @ torch.tensor(spec.layers[2].weights, dtype=torch.float64)
    (0.5 * ((a - torch.tensor(spec.y, dtype=torch.float64)) ** 2).sum()).backward()
    assert np.allclose(sp.g_x, x.grad.numpy().reshape(1, -1), rtol=1e-12, atol=1e-14)
    # check grades the data gradient and the routing by name
    r = check_answers(spec, {"factors": {"∂L/∂x112": float(sp.g_x[0, 1]),
                                         "∂p111_out/∂x112": 1.0 if kind == "maxpool2d" else 0.25}})
    assert r.ok and r.correct == 2


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_format_shows_it(tmp_path, fmt, lang):
    path = tmp_path / "pool_first.json"
    spec = _spec()
    path.write_text(json.dumps({"format": 1, "data": {"x": spec.x.tolist(), "y": spec.y.tolist()},
                                "layers": [{"kind": "maxpool2d", "name": "p", "size": 2},
                                           {"kind": "flatten", "name": "h"},
                                           {"name": "o", "activation": "linear",
                                            "weights": spec.layers[2].weights.tolist(), "bias": [0.0]}]}))
    r = CliRunner().invoke(main, ["explain", str(path), "--format", fmt, "--lang", lang])
    assert r.exit_code == 0, r.output
    assert "x112" in r.output and ("-1.75" in r.output or "−1.75" in r.output)
