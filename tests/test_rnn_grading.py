"""check, the mistake catalogue and exercise --rnn for nets with a recurrent layer: a right sheet is all right, each
catalogued slip of backprop through time is named exactly where it shows (and only there), other errors never get
these names, and exercise --rnn writes friendly numbers with an exact key."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.grading.rnn_exercise import exercise_for as make_exercise
from backcalc.grading.grade import check_answers
from backcalc.grading.rnn_backprop import bptt
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec

from test_rnn import ROOT

EVERY = ROOT / "worked_examples" / "rnn_every_step.toml"
LAST = ROOT / "worked_examples" / "rnn_last_step.toml"
RNN_CODES = {"bptt_truncated", "next_path_left_out", "tanh_at_output"}


def _g(v, digits=6):
    return f"{v:.{digits}g}" if v != 0 else "0." + "0" * digits  # a 0 written as "0" would be judged to ±0.5


def _sheet(d, grads=None, factors=None, digits=6):
    """Every recurrent gradient and ∂L/∂h_t, δ of a derivation (or of a slipped run), written to ``digits``."""
    grads = grads or {k: np.asarray(d.gradients[f"{k}1"]) for k in ("Wx", "Wh", "b")}
    rnn = d.spec.layers[0]
    out = {"gradients": {f"{k}1": np.vectorize(lambda v: _g(v, digits))(grads[k]).tolist() for k in ("Wx", "Wh", "b")},
           "factors": {}}
    up = {(u.unit, u.sample): u.value for u in d.upstream}
    dl = {(x.unit, x.sample): x.value for x in d.deltas}
    for t in range(1, rnn.steps + 1):
        for k, base in enumerate(rnn.base):
            unit = f"{base}t{t}"
            for name, table, run in ((f"∂L/∂{unit}_out", up, "out"), (f"∂L/∂{unit}_in", dl, "delta")):
                vals = ([factors[run][s, t - 1, k] for s in range(d.spec.samples)] if factors is not None
                        else [table[unit, s + 1] for s in range(d.spec.samples)])
                out["factors"][name] = [_g(v, digits) for v in vals] if len(vals) > 1 else _g(vals[0], digits)
    return out


def _two_samples():
    return load_spec({"format": 1, "data": {"x": [[[1.0], [0.5], [-1.0]], [[-0.5], [1.0], [0.5]]],
                                            "y": [[[0.5], [-0.5], [0.25]], [[0.0], [1.0], [-0.5]]]},
                      "loss": {"kind": "mse"},
                      "layers": [{"kind": "rnn", "name": "r", "weights_x": [[0.5, -1.0]], "weights_h": [[0.5, 0.25], [-0.5, 1.0]],
                                  "bias": [0.0, 0.1], "return_sequences": True},
                                 {"name": "o", "activation": "linear", "weights": [[1.0], [-1.0]], "bias": [0.0]}]})


SPECS = {"every_step": lambda: load_spec(EVERY), "last_step": lambda: load_spec(LAST), "two_samples_mse": _two_samples}


@pytest.mark.parametrize("make", SPECS.values(), ids=SPECS.keys())
@pytest.mark.parametrize("digits", [4, 6, 17])
def test_a_right_sheet_is_all_right(make, digits):
    d = explain(make())
    answers = _sheet(d, digits=digits)
    answers["loss"] = _g(d.loss, digits)
    answers["updated"] = {k: np.vectorize(lambda v: _g(v, digits))(np.asarray(v)).tolist() for k, v in d.updated.items()}
    r = check_answers(d.spec, answers, derivation=d)
    assert r.ok and r.wrong == 0 and r.correct == r.answered == r.total
    assert all(row.mistake is None for row in r.rows)


@pytest.mark.parametrize("make", SPECS.values(), ids=SPECS.keys())
@pytest.mark.parametrize("slip,code", [("truncated", "bptt_truncated"), ("no_next_path", "next_path_left_out"),
                                       ("local_at_output", "tanh_at_output")])
def test_each_slip_is_named_exactly_where_it_shows(make, slip, code):
    d = explain(make())
    run = bptt(d, slip)
    r = check_answers(d.spec, _sheet(d, {k: run[k] for k in ("Wx", "Wh", "b")}, run), derivation=d)
    last_step_only = not d.spec.layers[0].out_steps
    named = 0
    for row in r.rows:
        if row.ok:
            assert row.mistake is None
            continue
        want = "bptt_truncated" if slip == "no_next_path" and last_step_only and row.section != "factors" else code
        if abs(row.given - row.expected) > 3 * row.allowed:   # clearly the slip's number: named, and named so
            assert row.mistake == want, (row.key, row.given, row.expected, row.mistakes)
            named += 1
        else:  # the slip moves this answer by little more than its tolerance: named so, or (honestly) not at all
            assert row.mistake in (want, None), (row.key, row.mistakes)
    assert named >= 4      # every gradient of Wx, b at least shows it
    from backcalc.render.check import render

    doc = json.loads(render(r, "json"))   # the code in JSON
    assert {row["mistake"] for row in doc["rows"] if not row["ok"]} <= {code, "bptt_truncated", None}
    assert sum(row["mistake"] is not None for row in doc["rows"]) >= named


def test_a_last_step_net_names_gradients_the_truncation_and_zero_factors_the_path_left_out():
    d = explain(load_spec(LAST))
    run = bptt(d, "no_next_path")
    assert np.array_equal(run["Wx"], bptt(d, "truncated")["Wx"])        # the same gradients, by construction
    r = check_answers(d.spec, _sheet(d, {k: run[k] for k in ("Wx", "Wh", "b")}, run), derivation=d)
    named = {row.section: set() for row in r.rows}
    for row in r.rows:
        if row.mistake:
            named[row.section].add(row.mistake)
    assert named["gradients"] == {"bptt_truncated"} and named["factors"] == {"next_path_left_out"}


@pytest.mark.parametrize("make", SPECS.values(), ids=SPECS.keys())
@pytest.mark.parametrize("error", ["sign", "double", "plus_a_little", "sigmoid_local", "other_weights"])
def test_other_errors_get_none_of_these_names(make, error):
    d = explain(make())
    right = bptt(d)
    if error == "sign":
        wrong = {k: -right[k] for k in right}
    elif error == "double":
        wrong = {k: 2 * right[k] for k in right}
    elif error == "plus_a_little":
        wrong = {k: right[k] + 0.0731 for k in right}
    elif error == "sigmoid_local":  # another slip: the derivative of the sigmoid in place of tanh's
        from backcalc.grading import rnn_backprop

        rnn = d.spec.layers[0]
        sig = load_spec({**d.spec.raw, "layers": [{**d.spec.raw["layers"][0], "activation": "sigmoid"},
                                                  *d.spec.raw["layers"][1:]]})
        wrong = rnn_backprop.bptt(explain(sig))
        assert rnn.activation == "tanh"
    else:  # the right backprop with other recurrent weights
        raw = d.spec.raw
        other = load_spec({**raw, "layers": [{**raw["layers"][0], "weights_h": [[0.25, 0.5], [0.5, -1.0]]},
                                             *raw["layers"][1:]]})
        wrong = bptt(explain(other))
    r = check_answers(d.spec, _sheet(d, {k: wrong[k] for k in ("Wx", "Wh", "b")}, wrong), derivation=d)
    assert r.wrong > 0
    assert not {row.mistake for row in r.rows} & RNN_CODES, [(row.key, row.mistake) for row in r.rows if row.mistake]


def test_the_words_in_english_and_indonesian():
    from backcalc.render import check as render_check

    d = explain(load_spec(EVERY))
    run = bptt(d, "local_at_output")
    r = check_answers(d.spec, {"gradients": {"w_xr1": _g(run["Wx"][0, 0])}}, derivation=d)
    assert r.rows[0].mistake == "tanh_at_output"
    def words(r, lang="en"):
        return json.loads(render_check.render(r, "json", lang=lang))["rows"][0]["diagnosis"]

    en, idn = words(r), words(r, "id")
    assert "tanh′ taken at the output" in en and "1 − tanh²(h_t) where 1 − h_t² belongs" in en
    assert "tanh′ dihitung pada output" in idn
    run = bptt(d, "no_next_path")
    r = check_answers(d.spec, {"factors": {"∂L/∂r1t1_out": _g(run["out"][0, 0, 0])}}, derivation=d)
    assert r.rows[0].mistake == "next_path_left_out"
    assert "the path through h_(t+1) left out" in words(r) and "jalur lewat h_(t+1) terlupa" in words(r, "id")


def test_answers_by_canonical_keys_and_display_names_and_bad_keys():
    d = explain(load_spec(LAST))
    g = d.gradients
    r = check_answers(d.spec, {"gradients": {"Wh1[0][1]": _g(g["Wh1"][0][1]), "w_r1t3o": _g(g["W2"][0][0]),
                                             "b_r2": _g(g["b1"][1])},
                               "forward": {"r2t2_out": _g(d.forward["h1"][0][1][1]), "o_out": _g(d.forward["a2"][0][0])}},
                      derivation=d)
    assert r.ok and r.correct == 5
    assert {row.key for row in r.rows} >= {"gradients.Wh1[0][1]", "gradients.W2[0][0]", "gradients.b1[1]"}
    r = check_answers(d.spec, {"gradients": {"w_r1r7": "1", "Wx1": [["1"]]}}, derivation=d)
    assert r.invalid == 2 and r.correct == 0


def test_exercise_rnn_friendly_numbers_and_an_exact_key(tmp_path):
    for every in (False, True):
        for seed in range(3):
            ex = make_exercise(seed=seed, rnn=True, every_step=every)
            assert ex.files() == make_exercise(seed=seed, rnn=True, every_step=every).files()
            spec = ex.spec
            rnn, out = spec.layers
            assert bool(rnn.out_steps) == every and rnn.steps == 3 and rnn.units == 2 and rnn.activation == "tanh"
            for w in (rnn.weights_x, rnn.weights_h, rnn.bias, out.weights, out.bias):
                assert np.all(w * 4 == np.round(w * 4)) and np.all(np.abs(w) <= 1)
            assert np.all(spec.x * 2 == np.round(spec.x * 2))
            d = explain(spec)
            r = check_answers(spec, ex.key_text.encode() if False else _toml(tmp_path, ex.key_text), derivation=d)
            assert r.ok and r.correct == r.total and all(row.error == 0 for row in r.rows)   # exact to the last digit
            blank = check_answers(spec, _toml(tmp_path, ex.sheet_text), derivation=d)
            assert blank.answered == 0 and blank.total == r.total


def _toml(tmp_path, text):
    path = tmp_path / "answers.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_exercise_rnn_on_the_command_line(tmp_path):
    runner = CliRunner()
    out = tmp_path / "hw"
    result = runner.invoke(main, ["exercise", "--rnn", "--every-step", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    check = runner.invoke(main, ["check", str(out / "exercise.toml"), str(out / "key.toml"), "--format", "json"])
    assert check.exit_code == 0 and json.loads(check.stdout)["correct"] == json.loads(check.stdout)["total"]
    for argv, words in ((["--rnn", "--shape", "1,2,1"], "leave out --shape"), (["--every-step"], "goes with --rnn"),
                        (["--rnn", "--samples", "3"], "expected 1 or 2 with --rnn")):
        bad = runner.invoke(main, ["exercise", *argv, "--out", str(tmp_path / "x")])
        assert bad.exit_code == 2 and words in bad.stderr and "Traceback" not in bad.stderr


def test_a_class_of_rnn_exercises_is_graded(tmp_path):
    runner = CliRunner()
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ani\ns2,Budi\n", encoding="utf-8")
    out = tmp_path / "cls"
    made = runner.invoke(main, ["exercise", "--rnn", "--every-step", "--roster", str(roster), "--out", str(out)])
    assert made.exit_code == 0, made.output
    (out / "s1" / "sheet.toml").write_text((out / "s1" / "key.toml").read_text(encoding="utf-8"), encoding="utf-8")
    graded = runner.invoke(main, ["grade", str(out), "--format", "json"])
    assert graded.exit_code == 0, graded.output
    scores = {s["id"]: s["score"] for s in json.loads(graded.stdout)["students"]}
    assert scores["s1"] == 100 and scores["s2"] == 0
    bad = runner.invoke(main, ["exercise", "--rnn", "--roster", str(roster), "--out", str(tmp_path / "q"),
                               "--moodle", str(tmp_path / "q.xml")])
    assert bad.exit_code == 2 and "dense nets only so far, not --rnn" in bad.stderr and not (tmp_path / "q").exists()
