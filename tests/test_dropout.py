"""Inverted dropout on a layer (``dropout = p``, ``dropout_mask``): the spec's checks, the tape's chain with the
mask factor, the independent checker (verify), PyTorch's F.dropout in float64 and the 40-digit reference."""

import copy
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import reference
from backcalc.check.verify import verify
from backcalc.cli import main
from backcalc.errors import SpecError
from backcalc.net.derivation import explain
from backcalc.net.layers import dropout as net_dropout
from backcalc.net.spec import load_spec

EXAMPLE = Path(__file__).resolve().parent.parent / "worked_examples" / "dropout_231.toml"

BASE = {
    "format": 1, "seed": 3,
    "data": {"x": [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8]], "y": [[1.0], [0.0], [0.5]]},
    "layers": [{"name": "h", "activation": "tanh", "units": 4, "init": "xavier_normal", "dropout": 0.5},
               {"name": "k", "activation": "sigmoid", "units": 3, "init": "xavier_normal", "dropout": 0.25},
               {"activation": "linear", "units": 1, "init": "xavier_normal"}],
    "loss": {"kind": "mse"},
    "train": {"learning_rate": 0.1, "steps": 3, "optimizer": "adam"},
}


def doc_with(**layer_keys):
    doc = copy.deepcopy(BASE)
    doc["layers"][0].update(layer_keys)
    return doc


# ── the spec ──

@pytest.mark.parametrize("keys, message", [
    ({"dropout": 1.0}, 'layers[1] ("h") dropout: expected a probability in [0, 1) (the chance of dropping a unit), '
                       "got the number 1.0"),
    ({"dropout": -0.1}, "dropout: expected a probability in [0, 1)"),
    ({"dropout": True}, "dropout: expected a probability in [0, 1) (the chance of dropping a unit), got a boolean"),
    ({"dropout": 0.5, "dropout_mask": [[1, 0, 1, 1]]}, "dropout_mask: expected 3×4 (samples × units), got 1×4"),
    ({"dropout": 0.5, "dropout_mask": [[1, 0, 1, 1]] * 2 + [[1, 0.5, 1, 1]]},
     'layers[1] ("h") dropout_mask[2][1]: expected 0 (dropped) or 1 (kept), got 0.5'),
    ({"dropout": 0.5, "dropout_mask": [[1, 0, 1, 1]] * 2 + [[1, 1, 1, "x"]]}, "dropout_mask[2][3]: expected a number"),
    ({"dropout_mask": [[1, 0, 1, 1]] * 3, "dropout": None}, "dropout_mask needs dropout = p"),
])
def test_bad_dropout_names_the_key(keys, message):
    doc = doc_with(**keys)
    doc["layers"][0] = {k: v for k, v in doc["layers"][0].items() if v is not None}
    with pytest.raises(SpecError) as err:
        load_spec(doc)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_dropout_on_the_output_layer_or_without_seed_is_refused():
    doc = copy.deepcopy(BASE)
    doc["layers"][2]["dropout"] = 0.5
    with pytest.raises(SpecError, match=r'layers\[3\] \("o"\) dropout: dropout applies to hidden layers'):
        load_spec(doc)
    spec = load_spec(EXAMPLE)
    raw = copy.deepcopy(spec.raw)
    del raw["layers"][0]["dropout_mask"]
    with pytest.raises(SpecError, match="needs a top-level seed"):
        load_spec(raw)


def test_bad_mask_exits_2_with_one_line(tmp_path):
    text = EXAMPLE.read_text().replace("dropout_mask = [[1, 0, 1], [0, 1, 1]]", "dropout_mask = [[1, 0, 2], [0, 1, 1]]")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    r = CliRunner().invoke(main, ["explain", str(bad)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert 'layers[1] ("h") dropout_mask[0][2]: expected 0 (dropped) or 1 (kept), got 2' in r.output


def test_a_drawn_mask_is_printed_and_reproduces_the_page():
    spec = load_spec(BASE)
    d = explain(spec).to_dict()
    assert [(e["layer"], e["p"], e["drawn"]) for e in d["dropout"]] == [(1, 0.5, True), (2, 0.25, True)]
    # the mask keeps a unit when its uniform draw from default_rng((seed, layer)) is at least p
    masks = [np.array(e["mask"]) for e in d["dropout"]]
    assert masks[1].tolist() == (np.random.default_rng((3, 2)).random((3, 3)) >= 0.25).astype(int).tolist()
    assert masks[0].shape == (3, 4) and set(np.unique(masks[0])) <= {0, 1}
    again = copy.deepcopy(BASE)
    for layer, e in zip(again["layers"], d["dropout"]):
        layer["dropout_mask"] = e["mask"]
    # the printed mask written into the spec gives the same page (masks have a generator of their own, so the
    # weights drawn by init do not move)
    d2 = explain(load_spec(again)).to_dict()
    assert d2["updated"] == d["updated"] and d2["history"] == d["history"]
    assert [e["drawn"] for e in d2["dropout"]] == [False, False]
    from backcalc.render import text

    page = text.render(explain(spec))
    assert f"mask (samples × units) = {masks[0].tolist()} (drawn from the spec's seed)" in page


# ── the tape's derivation ──

def test_chain_carries_the_mask_factor_and_multiplies_to_the_gradient():
    d = explain(load_spec(EXAMPLE))
    t = d.term("w_x1h2")
    # sample 1 drops h2 (mask 0): its chain is 0 whatever the other factors; sample 2 keeps it (factor 2)
    names = [f.name for f in t.chains[0].factors]
    assert names == ["∂L/∂h2_drop", "∂h2_drop/∂h2_out", "∂h2_out/∂h2_in", "∂h2_in/∂w_x1h2"]
    assert [c.factors[1].value for c in t.chains] == [0.0, 2.0]
    assert [c.factors[1].formula for c in t.chains] == ["0/(1 − 0.5)", "1/(1 − 0.5)"]
    for term in d.terms:
        total = sum(np.prod([f.value for f in c.factors]) for c in term.chains)
        assert total == pytest.approx(term.value, rel=1e-12, abs=1e-15)
    # the next layer reads h_drop: ∂o_in/∂w_h1o is h1_drop, 2·h1_out for a kept unit
    forward = d.forward
    assert np.allclose(forward["drop1"], np.array(forward["a1"]) * np.array([[2, 0, 2], [0, 2, 2]]))
    assert d.term("w_h1o").chains[0].factors[-1].formula == "h1_drop"


def test_upstream_rows_name_the_drop_and_the_out_gradient():
    d = explain(load_spec(EXAMPLE))
    rows = [(u.name, u.sample) for u in d.upstream if u.unit == "h3"]
    assert rows == [("∂L/∂h3_drop", 1), ("∂L/∂h3_out", 1), ("∂L/∂h3_drop", 2), ("∂L/∂h3_out", 2)]
    drop, out = [u for u in d.upstream if u.unit == "h3" and u.sample == 1]
    assert out.value == drop.value * 2.0 and out.paths[0].weight_name == "1/(1 − 0.5)"


def test_text_page_shows_the_mask_and_each_drop():
    page = CliRunner().invoke(main, ["explain", str(EXAMPLE)]).output
    assert "inverted dropout on the outputs, p = 0.5: u_drop = u_out·mask/(1 − p), mask (samples × units) = " \
           "[[1, 0, 1], [0, 1, 1]]" in page
    assert "h2_drop = h2_out·mask/(1 − p) = 0.65135·0/(1 − 0.5) = 0" in page
    assert "∂L/∂h1_out = ∂L/∂h1_drop·1/(1 − 0.5)" in page
    drawn = CliRunner().invoke(main, ["explain", "--lang", "id", str(EXAMPLE)]).output
    assert "dropout terbalik pada keluaran" in drawn


def test_every_format_renders(tmp_path):
    for fmt in ("markdown", "latex", "html", "json"):
        r = CliRunner().invoke(main, ["explain", str(EXAMPLE), "--format", fmt])
        assert r.exit_code == 0, r.output
        assert "h1_drop" in r.output or "h1_{\\text{drop}}" in r.output


# ── the 40-digit reference, and PyTorch ──

def test_example_gradients_match_the_reference():
    spec = load_spec(EXAMPLE)
    d = explain(spec)
    ref = reference.gradients(spec)
    for t in d.terms:
        assert t.value == pytest.approx(float(ref[t.key]), rel=1e-12, abs=1e-15), t.name
    assert d.loss == pytest.approx(float(reference.loss(spec)), rel=1e-14)


def test_dropout_agrees_with_torch_f_dropout():
    """torch draws each layer's mask with F.dropout (seeded); the same mask written into the spec must give
    torch.optim's trajectory with F.dropout in the forward (the inverted-dropout convention is torch's)."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    from test_training import torch_run

    doc = copy.deepcopy(BASE)
    doc["data"]["x"] = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8], [0.2, 0.1], [1.0, 1.0]]
    doc["data"]["y"] = [[1.0], [0.0], [0.5], [0.2], [-0.4]]
    for n, layer in enumerate(doc["layers"][:2], start=1):
        torch.manual_seed(100 + n)
        ones = torch.ones(5, layer["units"], dtype=torch.float64)
        kept = F.dropout(ones, layer["dropout"], training=True) != 0
        layer["dropout_mask"] = kept.int().tolist()
    for optimizer in ("adam", "momentum", "sgd"):
        doc["train"]["optimizer"] = optimizer
        spec = load_spec(doc)
        d = explain(spec).to_dict()

        def f_dropout(layer, a):
            torch.manual_seed(100 + layer.index)  # the same draw as the mask's
            return F.dropout(a, layer.dropout.p, training=True)

        losses, snapshots, _ = torch_run(torch, spec, f_dropout)
        np.testing.assert_allclose([h["loss"] for h in d["history"]], losses, rtol=1e-12)
        for ours, theirs in zip(d["updated_steps"], snapshots):
            for key, value in theirs.items():
                np.testing.assert_allclose(np.array(ours[key]), value, rtol=1e-11, atol=1e-14)


# ── verify: the checker's own dropout ──

def test_verify_checks_dropout_three_ways():
    r = verify(EXAMPLE)
    assert r.ok and len(r.rows) == 13 and len(r.updates) == 26
    assert verify(BASE).ok


def test_verify_catches_a_tape_without_the_scaling(monkeypatch):
    # the tape forgets 1/(1 − p): the checker, which reads the mask and p from the spec itself, disagrees
    monkeypatch.setattr(net_dropout.Dropout, "scale", property(lambda self: self.mask))
    r = verify(EXAMPLE)
    assert not r.ok and not r.loss_ok


def test_verify_catches_a_tape_without_the_mask(monkeypatch):
    monkeypatch.setattr(net_dropout.Dropout, "scale", property(lambda self: np.ones_like(self.mask) / (1 - self.p)))
    assert not verify(EXAMPLE).ok


def test_closed_forms_name_the_mask():
    forms = verify(EXAMPLE, formulas=True).formulas
    forms = dict(forms)
    assert "m_h1" in forms["w_x1h1"] and "p_h" in forms["w_x1h1"]
    assert "h1_drop" in forms["w_h1o"]


def test_no_general_delta_rule_or_matrix_form_for_a_net_with_dropout():
    # δ_h1 = σ′(h1_in)·(w_h1o·δ_o) would leave out the mask factor 1/(1 − p): neither is shown
    from backcalc.net.matrix_form import matrix_form
    from backcalc.net.symbolic import symbolic_working

    d = explain(load_spec(EXAMPLE))
    assert "delta_rule" not in [b.topic for b in symbolic_working(d)] and matrix_form(d) == ()
