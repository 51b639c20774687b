"""The per-position rows of a shared weight's gradient, the routing through pools and flatten, and the forward
rows of conv and pool outputs: every number checked against PyTorch float64 (skipped without torch) or against
the data by hand, never against the tape's own arithmetic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from shared import conv_pool_net

ROOT = Path(__file__).resolve().parents[1]
CONV_POOL = ROOT / "worked_examples" / "conv_pool.toml"


def _net(stride=2, padding=1, pool="maxpool2d"):
    return conv_pool_net(11, (2, 2, 4, 5), (2, 2, 2, 3), [0.1, -0.2], [[0.5], [-1.0]], 5, stride, padding, "tanh", pool)


def _torch(spec):
    """PyTorch float64 of the same net: ∂L/∂(conv output), ∂L/∂(pool output), ∂L/∂W and ∂L/∂b."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec.parameters().items()}
    conv, pool = spec.layers[0], spec.layers[1]
    x = torch.tensor(spec.x, dtype=torch.float64)
    a1 = torch.tanh(F.conv2d(x, t["W1"], t["b1"], stride=conv.stride, padding=conv.padding))
    a1.retain_grad()
    a2 = (F.max_pool2d if pool.kind == "maxpool2d" else F.avg_pool2d)(a1, pool.size, pool.stride)
    a2.retain_grad()
    out = torch.flatten(a2, 1) @ t["W4"] + t["b4"]
    (0.5 * ((out - torch.tensor(spec.y)) ** 2).sum()).backward()
    return {"a1": a1.grad.numpy(), "a2": a2.grad.numpy(), "W1": t["W1"].grad.numpy(), "b1": t["b1"].grad.numpy(),
            "z1": (a1.grad * (1 - a1 ** 2)).detach().numpy()}


def _padded(spec, pad):
    return np.pad(spec.x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))


@pytest.mark.parametrize("pool", ["maxpool2d", "avgpool2d"])
def test_each_kernel_element_is_its_sum_over_positions_each_row_checked_against_pytorch(pool):
    spec = _net(pool=pool)
    conv = spec.layers[0]
    d = explain(spec)
    ref = _torch(spec)
    xp = _padded(spec, conv.padding)
    positions = conv.unit_names
    P = conv.positions
    for idx, (name, key) in zip(np.ndindex(conv.weights.shape), conv.param_names(())):
        t = d.term(name)
        o, c, p, q = idx
        assert len(t.chains) == spec.samples * P       # every output position of every sample: a row
        for chain in t.chains:
            u = positions.index(chain.position)
            assert u // P == o                          # a kernel element only touches its own output channel
            i, j = divmod(u % P, conv.out_shape[2])
            s = chain.sample - 1
            up, local, x = (f.value for f in chain.factors)
            assert up == pytest.approx(ref["a1"][s, o, i, j], abs=1e-12)
            assert up * local == pytest.approx(ref["z1"][s, o, i, j], abs=1e-12)
            # the input under the element at this position, with the zero padding, by hand
            assert x == xp[s, c, i * conv.stride[0] + p, j * conv.stride[1] + q]
            assert chain.value == pytest.approx(up * local * x, rel=1e-12, abs=1e-15)
        assert sum(ch.value for ch in t.chains) == pytest.approx(ref["W1"][idx], rel=1e-10, abs=1e-12)
    for o in range(2):
        t = d.term(f"b_c{o + 1}")
        assert [f.value for ch in t.chains for f in ch.factors[2:]] == [1.0] * (spec.samples * P)
        assert sum(ch.value for ch in t.chains) == pytest.approx(ref["b1"][o], rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("pool", ["maxpool2d", "avgpool2d"])
def test_routing_through_the_pool_and_flatten_matches_pytorch(pool):
    spec = _net(pool=pool)
    d = explain(spec)
    ref = _torch(spec)
    conv, layer = spec.layers[0], spec.layers[1]
    ups = {(u.unit, u.sample): u for u in d.upstream}
    for s in range(spec.samples):
        for u, unit in enumerate(conv.unit_names):
            rec = ups[unit, s + 1]
            assert rec.value == pytest.approx(ref["a1"].reshape(2, -1)[s, u], abs=1e-12)
            assert sum(p.grad * p.weight for p in rec.paths) == pytest.approx(rec.value, abs=1e-12)
            for path in rec.paths:                  # each window holding the unit: 1/0 for max, 1/4 for avg
                assert path.weight in ((0.0, 1.0) if pool == "maxpool2d" else (0.25,))
                v = layer.unit_names.index(path.via)
                assert path.grad == pytest.approx(ref["a2"].reshape(2, -1)[s, v], abs=1e-12)


def test_max_pool_rows_name_the_winner_and_the_first_at_a_tie():
    doc = {"format": 1, "data": {"x": [[[1.0, 3.0], [3.0, 2.0]]], "y": [[0.0]]},
           "layers": [{"kind": "conv2d", "name": "c", "weights": [[[[1.0]]]], "bias": [0.0], "activation": "linear"},
                      {"kind": "maxpool2d", "name": "p", "size": 2}, {"kind": "flatten"},
                      {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    d = explain(load_spec(doc))
    row = next(r for r in d.forward_rows if r.layer == 2)
    assert row.sources[row.winner][0] == "c112_out"    # 3 at (0, 1) before 3 at (1, 0): row-major order
    from backcalc.render.text import pool_line
    assert pool_line(row, 5) == "p111_out = max(c111_out, c112_out, c121_out, c122_out) = max(1, 3, 3, 2) = 3 = c112_out"


def test_worked_example_rows_by_hand():
    # relu(z) = [[1.5, 9], [2.5, 1]]; the pool keeps 9 (c112); ∂L/∂p = 0.5·0.5 = 0.25 reaches c112 only
    text = explain(load_spec(CONV_POOL))
    rows = {r.unit: r for r in text.forward_rows}
    assert [s[3] for s in rows["c112"].sources] == [2.0, 0.0, 1.0, 3.0]     # x112, x113, x122, x123
    assert rows["c112"].z == 9.0 and rows["p111"].winner == 1
    chains = {c.position: c for c in text.term("w_c1122").chains}
    assert [f.value for f in chains["c112"].factors] == [0.25, 1.0, 3.0]     # δ·x123 = 0.25·3 = 0.75
    assert all(c.value == 0 for p, c in chains.items() if p != "c112")


def test_json_keeps_positions_and_per_sample_sums():
    d = explain(_net())
    t = d.to_dict()["terms"][0]
    assert len(t["positions"]) == len(d.terms[0].chains) and len(t["per_sample"]) == 2
    assert sum(t["per_sample"]) == pytest.approx(t["value"], rel=1e-12)


def test_conv_terms_are_omitted_past_the_record_limit():
    # 8 samples × 10 parameters × 17·17 positions = 23120 chains, past MAX_TERM_RECORDS (20000)
    big = load_spec({"format": 1, "data": {"x": np.zeros((8, 1, 19, 19)).tolist(), "y": [[0.0]] * 8},
                     "layers": [{"kind": "conv2d", "weights": np.ones((1, 1, 3, 3)).tolist(), "bias": [0.0],
                                 "activation": "relu"}, {"kind": "maxpool2d", "size": 17}, {"kind": "flatten"},
                                {"activation": "linear", "units": 1, "init": "zeros"}], "seed": 0})
    d = explain(big)
    assert d.terms_omitted and d.terms == () and d.upstream == ()


def test_the_summary_graph_counts_in_the_right_form_and_puts_no_weights_on_pool_or_flatten_edges():
    from backcalc.render import dot

    page = dot.render(explain(load_spec(CONV_POOL)))
    assert "input x (9 values)" in page and "1 unit<" in page.replace("1 unit</", "1 unit<") and "1 units" not in page
    assert "4 units" in page and "1 values" not in page
    assert "Layer 2 (p, maxpool2d)" in page and "Layer 3 (h, flatten)" in page
    assert '"layer1" -> "layer2";' in page and '"layer2" -> "layer3";' in page    # no W2, no W3
    assert 'label="W1 1×1×2×2"' in page and 'label="W4 1×1"' in page
    rnn = dot.render(explain(load_spec(ROOT / "worked_examples" / "rnn_last_step.toml")))
    assert 'label="Wx1 1×2, Wh1 2×2"' in rnn


def test_a_conv_on_a_larger_map_is_summarised_not_listed_row_by_row():
    # 15 parameters only, but 100 output positions: 9·100 + 100 chains and 109 units, past DETAIL_ROWS (400)
    rng = np.random.default_rng(0)
    spec = load_spec({"format": 1, "seed": 0, "data": {"x": rng.normal(size=(1, 1, 12, 12)).tolist(), "y": [[0.0]]},
                      "layers": [{"kind": "conv2d", "name": "c", "weights": np.ones((1, 1, 3, 3)).tolist(),
                                  "bias": [0.0], "activation": "relu"}, {"kind": "maxpool2d", "size": 5},
                                 {"kind": "flatten"}, {"activation": "linear", "units": 1, "init": "zeros"}]})
    d = explain(spec)
    assert not d.detailed and d.rows == 1000 + 100 + 4 + 4 + 1 + 5
    from backcalc.render import text
    page = text.render(d)
    assert "1114 rows per sample" in page and "Layer 2 (h2, maxpool2d): 1×4 outputs" in page
    assert "c1-1-1_in =" not in page and len(page.splitlines()) < 60
    assert "c1-1-1_in =" in text.render(d, full=True)


def test_the_data_gradient_is_the_full_correlation_with_the_flipped_kernel_written_as_sums():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    spec = _net()
    conv = spec.layers[0]
    d = explain(spec)
    t = {k: torch.tensor(v, dtype=torch.float64) for k, v in spec.parameters().items()}
    x = torch.tensor(spec.x, dtype=torch.float64, requires_grad=True)
    a = torch.tanh(F.conv2d(x, t["W1"], t["b1"], stride=conv.stride, padding=conv.padding))
    out = torch.flatten(F.max_pool2d(a, 2, 1), 1) @ t["W4"] + t["b4"]
    (0.5 * ((out - torch.tensor(spec.y)) ** 2).sum()).backward()
    rows = {(u.unit, u.sample): u for u in d.upstream if u.layer == 0}
    assert len(rows) == spec.x.size
    gx = x.grad.numpy().reshape(spec.samples, -1)
    Wflat = conv.weights.reshape(-1)
    for (unit, s), u in rows.items():
        a_ = spec.input_unit_names.index(unit)
        assert u.value == pytest.approx(gx[s - 1, a_], abs=1e-12)
        assert sum(p.grad * p.weight for p in u.paths) == pytest.approx(u.value, abs=1e-12)
        for p in u.paths:   # each path: a covering output's δ times the kernel element over this input there
            assert p.weight == Wflat[conv.weight_names().index(p.weight_name)]


def test_the_worked_example_data_gradient_by_hand():
    # only c112 has δ = 0.25: ∂L/∂X = 0.25 · the kernel placed over c112's window [[x112, x113], [x122, x123]]
    d = explain(load_spec(CONV_POOL))
    got = {u.unit: u.value for u in d.upstream if u.layer == 0}
    want = dict.fromkeys(load_spec(CONV_POOL).input_unit_names, 0.0)
    want.update(x112=0.25, x113=-0.25, x122=0.125, x123=0.5)
    assert got == want


def test_the_symbolic_working_names_only_layers_with_an_activation_of_their_own():
    from backcalc.net.symbolic import symbolic_working

    d = explain(load_spec(CONV_POOL))
    acts = {b.subject: b.layers for b in symbolic_working(d) if b.topic == "activation"}
    assert acts == {"linear": ("o",), "relu": ("c",)}          # not the pool p or the flatten h
