"""``bias = false`` on a dense layer: no b{n} anywhere — the spec, the tape, the derivation, every renderer, the
JSON, verify's own checker — pinned by the 40-digit reference and by torch float64 (skipped without torch)."""

import copy

import numpy as np
import pytest

import reference
from backcalc.check.verify import verify
from backcalc.errors import SpecError
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec

# hmkcode's 2-2-1 net (weights only, linear units), one sample
HMKCODE = {
    "format": 1, "title": "2-2-1 linear net without biases",
    "data": {"x": [[2.0, 3.0]], "y": [[1.0]]},
    "layers": [{"name": "h", "activation": "linear", "weights": [[0.11, 0.12], [0.21, 0.08]], "bias": False},
               {"activation": "linear", "weights": [[0.14], [0.15]], "bias": False}],
    "loss": {"kind": "half_sse"},
    "train": {"learning_rate": 0.05},
}

MIXED = {
    "format": 1, "seed": 11,
    "data": {"x": [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8]], "y": [[1.0], [0.0], [0.5]]},
    "layers": [{"name": "h", "activation": "tanh", "units": 3, "init": "xavier_normal", "bias": False},
               {"name": "k", "activation": "sigmoid", "units": 2, "init": "xavier_normal"},
               {"activation": "linear", "units": 1, "init": "xavier_normal", "bias": False}],
    "loss": {"kind": "mse", "l2": 0.01},
    "train": {"learning_rate": 0.1, "steps": 3, "optimizer": "adam"},
}


def test_hmkcode_by_hand():
    # h1 = 2·0.11 + 3·0.21 = 0.85, h2 = 2·0.12 + 3·0.08 = 0.48, out = 0.85·0.14 + 0.48·0.15 = 0.191
    # (hmkcode's worked numbers)
    d = explain(load_spec(HMKCODE))
    assert d.forward["a1"][0] == pytest.approx([0.85, 0.48], abs=1e-15)
    assert d.forward["a2"][0][0] == pytest.approx(0.191, abs=1e-15)
    # ∂L/∂w_h1o = (out − y)·h1_out = (0.191 − 1)·0.85 = −0.68765
    assert d.term("w_h1o").value == pytest.approx(-0.809 * 0.85, abs=1e-15)
    assert [t.name for t in d.terms] == ["w_x1h1", "w_x1h2", "w_x2h1", "w_x2h2", "w_h1o", "w_h2o"]
    assert all(t.kind == "weight" for t in d.terms)


def test_no_b_key_anywhere():
    spec = load_spec(MIXED)
    assert spec.param_names()[-1] == ("w_k2o", "W3[1][0]") and spec.n_parameters == 6 + 8 + 2
    j = explain(spec).to_dict()
    for section in ("gradients", "updated"):
        assert sorted(j[section]) == ["W1", "W2", "W3", "b2"]
    assert sorted(j["state"][0]) == ["W1", "W2", "W3", "b2"] and sorted(j["updated_steps"][-1]) == ["W1", "W2", "W3", "b2"]
    assert not any(t["key"].startswith(("b1", "b3")) for t in j["terms"])


def test_every_format_leaves_the_bias_out():
    spec = load_spec(HMKCODE)
    from backcalc.render import dot, html, latex, markdown, text

    d = explain(spec)
    page = text.render(d)
    assert "h1_in = w_x1h1·x1 + w_x2h1·x2\n" in page and "= 0.11·2 + 0.21·3 = 0.85" in page
    assert "b_" not in page
    for render in (markdown.render, latex.render, dot.render):
        assert "b_" not in render(d) and "b_{" not in render(d)
    assert 'data-param="b_' not in html.render(d)


@pytest.mark.parametrize("doc", [HMKCODE, MIXED], ids=["hmkcode", "mixed"])
def test_matches_the_reference(doc):
    spec = load_spec(doc)
    d = explain(spec).to_dict()
    trajectory, history, _ = reference.train(spec)
    np.testing.assert_allclose([h["loss"] for h in d["history"]], [float(v) for v in history], rtol=1e-13)
    for ours, theirs in zip(d["updated_steps"], trajectory):
        assert sorted(ours) == sorted(theirs)
        for key, value in theirs.items():
            expected = np.array([[float(v) for v in row] for row in value] if isinstance(value[0], list)
                                else [float(v) for v in value])
            np.testing.assert_allclose(np.array(ours[key]), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("doc", [HMKCODE, MIXED], ids=["hmkcode", "mixed"])
def test_matches_torch(doc):
    torch = pytest.importorskip("torch")
    from test_training import torch_run

    spec = load_spec(doc)
    d = explain(spec).to_dict()
    losses, snapshots, _ = torch_run(torch, spec)
    np.testing.assert_allclose([h["loss"] for h in d["history"]], losses, rtol=1e-12)
    for ours, theirs in zip(d["updated_steps"], snapshots):
        assert sorted(ours) == sorted(theirs)
        for key, value in theirs.items():
            np.testing.assert_allclose(np.array(ours[key]), value, rtol=1e-11, atol=1e-14)


def test_verify_checks_a_net_without_bias():
    r = verify(MIXED)
    assert r.ok and [row.key for row in r.rows if row.key.startswith("b")] == ["b2[0]", "b2[1]"]
    assert len(r.updates) == 3 * 16
    forms = dict(verify(HMKCODE, formulas=True).formulas)
    assert sorted(forms) == ["w_h1o", "w_h2o", "w_x1h1", "w_x1h2", "w_x2h1", "w_x2h2"]


def test_verify_catches_a_tape_that_keeps_a_bias(monkeypatch):
    # a tape that adds a bias of 0.1 the spec does not have: the checker, which builds z = a·W itself, disagrees
    from backcalc.net.layers import dense

    forward = dense.Dense.forward

    def with_bias(self, a, leaves, earlier=()):
        lp = forward(self, a, leaves, earlier)
        return lp if self.bias is not None else forward(self, a + 0.1, leaves, earlier)

    monkeypatch.setattr(dense.Dense, "forward", with_bias)
    assert not verify(HMKCODE).ok


@pytest.mark.parametrize("value, message", [
    (True, 'layers[1] ("h") bias: expected a list of numbers (one per unit) or false (no bias), got true'),
    ("false", 'layers[1] ("h") bias'),
    ([0.1], 'layers[1] ("h") bias: expected 2 numbers (one per unit), got 1'),
])
def test_bad_bias_names_the_key(value, message):
    doc = copy.deepcopy(HMKCODE)
    doc["layers"][0]["bias"] = value
    with pytest.raises(SpecError) as err:
        load_spec(doc)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_bias_true_with_init_is_refused_and_a_missing_bias_says_how_to_drop_it():
    doc = copy.deepcopy(MIXED)
    doc["layers"][0]["bias"] = True
    with pytest.raises(SpecError, match="biases start at 0 .or write bias = false"):
        load_spec(doc)
    doc = copy.deepcopy(HMKCODE)
    del doc["layers"][0]["bias"]
    with pytest.raises(SpecError, match="or bias = false for a layer without bias"):
        load_spec(doc)


# ── check: answers for a net without bias ──

@pytest.mark.parametrize("doc", [HMKCODE, MIXED], ids=["hmkcode", "mixed"])
@pytest.mark.parametrize("digits", [5, 3])
def test_every_printed_number_checks_correct(doc, digits):
    from test_grading_fairness import assert_round_trip

    assert_round_trip(load_spec(doc), digits)


def test_check_refuses_a_bias_the_net_has_not_and_names_slips():
    from backcalc.grading.grade import check_answers

    r = check_answers(HMKCODE, {"gradients": {"b_h1": 0.1, "b1": [0.1, 0.2], "w_h1o": -0.68765 * 2}})
    rows = {x.key: x for x in r.rows}
    invalid = [x for x in r.rows if x.verdict == "invalid"]
    assert len(invalid) == 2 and not r.ok
    # the catalogue still works on the weights: ½ of ½·(out − y)² left out doubles ∂L/∂w
    assert rows["gradients.W2[0][0]"].mistake == "double"
