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
from backcalc.net.names import parse_key
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


def test_no_general_delta_rule_and_the_matrix_form_keeps_the_mask_for_a_net_with_dropout():
    # δ_h1 = σ′(h1_in)·(w_h1o·δ_o) would leave out the mask factor 1/(1 − p): the general rule is not shown,
    # and the matrix form puts the mask's M/(1 − p) into δ (tests/test_matrix_extras.py: PyTorch's numbers)
    from backcalc.net.matrix_form import matrix_form
    from backcalc.net.symbolic import symbolic_working

    d = explain(load_spec(EXAMPLE))
    assert "delta_rule" not in [b.topic for b in symbolic_working(d)]
    hidden = matrix_form(d)[-1]
    assert hidden.p == 0.5 and np.array_equal(np.array(hidden.drop_scale), MASK / (1 - 0.5))
    np.testing.assert_allclose(np.array(hidden.grad_drop) * np.array(hidden.drop_scale) * np.array(hidden.local),
                               np.array(hidden.delta), rtol=1e-12, atol=1e-15)


# ── check: answers with dropout, and the slips students make ──

MASK = np.array([[1, 0, 1], [0, 1, 1]], dtype=float)


def _spec(p):
    raw = copy.deepcopy(load_spec(EXAMPLE).raw)
    raw["layers"][0]["dropout"] = p
    return raw


def _by_hand(factor=None, forward_factor=None, p=0.5):
    """The example's gradients in plain numpy (independent of backcalc), with ``factor`` in place of
    mask/(1 − p) in the backward pass and ``forward_factor`` in the forward."""
    spec = load_spec(_spec(p))
    x, y = spec.x, spec.y
    W1, b1, W2, b2 = spec.layers[0].weights, spec.layers[0].bias, spec.layers[1].weights, spec.layers[1].bias
    scale = MASK / (1 - p)
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    d = h * (scale if forward_factor is None else forward_factor)
    o = d @ W2 + b2
    g_o = o - y                                  # ½·Σ(o − y)², summed over the samples
    g_d = g_o @ W2.T
    g_h = g_d * (scale if factor is None else factor)
    delta = g_h * h * (1 - h)
    return {"W1": x.T @ delta, "b1": delta.sum(axis=0), "W2": d.T @ g_o, "drop": d, "z2": o}


def test_every_dropout_key_checks_correct_at_the_printed_digits():
    from backcalc.grading.grade import check_answers
    from backcalc.grading.keys import AnswerSpace
    from backcalc.render.format import num

    d = explain(load_spec(EXAMPLE))
    sp = AnswerSpace(d)
    for digits in (5, 3):
        named = {"forward": {}, "factors": {}}
        for u in ("h1", "h2", "h3"):
            named["forward"][f"{u}_drop"] = [num(i.expected, digits) for i in sp.name_items("forward", f"{u}_drop")]
            for name in (f"∂L/∂{u}_drop", f"∂{u}_drop/∂{u}_out", f"∂L/∂{u}_out", f"∂o_in/∂{u}_drop"):
                named["factors"][name] = [num(i.expected, digits) for i in sp.factor_items(name)]
        r = check_answers(EXAMPLE, named, derivation=d)
        assert r.correct == r.total == 6 + 24, [(x.key, x.text, x.expected) for x in r.rows if not x.ok]
        canonical = {"forward": {"drop1": [[num(v, digits) for v in row] for row in d.forward["drop1"]]}}
        r = check_answers(EXAMPLE, canonical, derivation=d)
        assert r.correct == r.total == 6
    # the factors are the hand's own: ∂h1_drop/∂h1_out = 1/(1 − 0.5) = 2 in sample 1, 0 in sample 2
    assert [i.expected for i in sp.factor_items("dh1_drop/dh1_out")] == [2.0, 0.0]
    assert sp.factor_items("∂o_in/∂h1_drop")[0].expected == 1.0  # the weight on the path back, w_h1o
    assert sp.resolve("factors.∂o_in/∂w_h1o[0]")[0].expected == pytest.approx(d.forward["drop1"][0][0])
    with pytest.raises(KeyError):
        sp.factor_items("∂o_in/∂h1_out")  # o reads h1_drop, not h1_out


@pytest.mark.parametrize("p", [0.5, 0.25])
@pytest.mark.parametrize("code", ["dropout_no_scale", "dropout_no_mask", "dropout_ignored"])
def test_a_slip_in_the_chain_is_named(code, p):
    from backcalc.grading.grade import check_answers

    factors = {"dropout_no_scale": MASK, "dropout_no_mask": np.full((2, 3), 1 / (1 - p)),
               "dropout_ignored": np.ones((2, 3))}
    by_slip = {c: _by_hand(factor=f, p=p) for c, f in factors.items()}
    wrong = by_slip[code]
    answers = {"gradients": {"W1": [[f"{v:.6g}" for v in row] for row in wrong["W1"]],
                             "b1": [f"{v:.6g}" for v in wrong["b1"]]}}
    r = check_answers(_spec(p), answers)
    rows = [x for x in r.rows if x.verdict == "wrong"]
    assert len(rows) >= 3
    for x in rows:  # the slip named is this one, or one that gives the very same number for this element
        k = parse_key(x.key.split(".")[1])
        same = [c for c, v in by_slip.items() if np.isclose(v[k.array][k.index], wrong[k.array][k.index], rtol=1e-12)]
        assert x.mistake == code or x.mistake in same, (x.key, x.mistake, same)
    assert sum(x.mistake == code for x in rows) >= len(rows) / 2
    said = [x["diagnosis"] for x in r.to_dict()["rows"] if x["verdict"] == "wrong"]
    assert all(x.startswith("layer h's dropout") for x in said), said[:1]


@pytest.mark.parametrize("code, factor", [("dropout_no_scale", MASK), ("dropout_ignored", np.ones((2, 3)))])
def test_a_slip_in_the_forward_is_named(code, factor):
    from backcalc.grading.grade import check_answers

    wrong = _by_hand(forward_factor=factor)
    answers = {"forward": {"drop1": [[f"{v:.6g}" for v in row] for row in wrong["drop"]],
                           "z2": [[f"{v:.6g}"] for v in wrong["z2"][:, 0]]}}
    r = check_answers(EXAMPLE, answers)
    rows = [x for x in r.rows if x.verdict == "wrong"]
    assert rows
    for x in rows:  # for a kept unit a·mask is a: "ignored" and "no scale" give the same u_drop, either is true
        unit_kept = x.key.startswith("forward.drop1") and MASK[parse_key(x.key[8:]).index] == 1
        assert x.mistake == code or (unit_kept and x.mistake in ("dropout_no_scale", "dropout_ignored")), x.key
    z = [x for x in rows if x.key.startswith("forward.z2")]
    assert len(z) == 2 and all(x.mistake == code for x in z)


def test_the_right_answers_by_hand_are_right():
    from backcalc.grading.grade import check_answers

    right = _by_hand()
    answers = {"gradients": {"W1": [[f"{v:.6g}" for v in row] for row in right["W1"]],
                             "W2": [[f"{v:.6g}" for v in row] for row in right["W2"]]}}
    assert check_answers(EXAMPLE, answers).ok


# ── exercise --dropout (and --no-bias) ──

@pytest.mark.parametrize("options", [{"dropout": 0.5, "samples": 2, "seed": 4, "shape": "2,3,1"},
                                     {"dropout": 0.25, "no_bias": True, "optimizer": "adam", "seed": 2},
                                     {"no_bias": True, "seed": 3}])
def test_exercise_key_checks_correct_and_the_sheet_asks_every_dropout_value(options):
    import tomllib

    from backcalc.grading.exercise import make_exercise
    from backcalc.grading.grade import check_answers

    ex = make_exercise(**options)
    spec = tomllib.loads(ex.spec_text)
    hidden = spec["layers"][:-1]
    if "dropout" in options:
        assert all(layer["dropout"] == options["dropout"] for layer in hidden)
        masks = [np.array(layer["dropout_mask"]) for layer in hidden]
        assert all(m.sum(axis=1).min() > 0 for m in masks) and any(m.min() == 0 for m in masks)
        assert '"∂j1_drop/∂j1_out"' in ex.sheet_text and "j1_drop = " in ex.sheet_text
    assert all(layer["bias"] is False for layer in spec["layers"]) == bool(options.get("no_bias"))
    if options.get("no_bias"):
        assert "b_" not in ex.key_text
    r = check_answers(spec, tomllib.loads(ex.key_text))
    assert r.ok and r.correct == r.total == r.answered > 0
    blank = check_answers(spec, tomllib.loads(ex.sheet_text))
    assert blank.answered == 0 and blank.total == r.total


def test_exercise_options_are_checked():
    from backcalc.errors import BackcalcError
    from backcalc.grading.exercise import make_exercise

    with pytest.raises(BackcalcError, match=r"--dropout: expected a probability p with 0 < p < 1, got 1.5"):
        make_exercise(dropout=1.5)
    with pytest.raises(BackcalcError, match="--dropout needs a hidden layer"):
        make_exercise(shape="2,1", dropout=0.5)
    r = CliRunner().invoke(main, ["exercise", "--dropout", "-0.5", "--out", "x"])
    assert r.exit_code == 2 and "--dropout" in r.output and "Traceback" not in r.output
