"""`backcalc check`: the tolerance rule, every catalogued mistake, the seed-004 notes, answers files and the CLI.

Each mistake is demonstrated by an answers file that commits exactly that mistake; the wrong value is built
here, independently of backcalc, from the 40-digit reference (tests/reference.py) and the seed-004 derivation
written out by hand: i = 2, t = 3, j_in = j_out = (1.5, 2, 2.5, 3), k_in = (6, 5), k_out = σ(k_in),
o = σ(6) + ½σ(5) + 1, ∂L/∂o = o − 3, ∂L/∂k1_out = (o − 3)·w_k1o, ∂L/∂k2_out = (o − 3)·w_k2o,
δ_k = ∂L/∂k_out·σ′(k_in), ∂L/∂j_out = Σ_k δ_k·w_jk, ∂L/∂w_ij = ∂L/∂j_out·1·i.
"""

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import reference
from backcalc.grading.grade import check_answers, decimals, diagnose, half_unit, resolve
from backcalc.cli import main
from backcalc.render.check import diagnosis_text
from backcalc.net.derivation import explain
from backcalc.errors import AnswersError
from backcalc.net.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "worked_examples" / "seed004.toml"
STUDENT = ROOT / "worked_examples" / "seed004_student.toml"


def sig(z):
    return 1 / (1 + math.exp(-z))


# seed 004 by hand (see the module docstring)
K1, K2 = sig(6), sig(5)
S1, S2 = K1 * (1 - K1), K2 * (1 - K2)           # σ′(k1_in), σ′(k2_in)
O = K1 + 0.5 * K2 + 1                            # o_out = 2.494181
DO = O - 3                                       # ∂L/∂o_out = −0.505819
W_JK = [(1.0, 0.0), (0.75, 0.25), (0.5, 0.5), (0.25, 0.75)]
DK = (DO * 1.0 * S1, DO * 0.5 * S2)              # δ_k1, δ_k2


def test_hand_values_agree_with_the_reference():
    spec = load_spec(SEED)
    g = reference.gradients(spec)
    assert float(g["W3[0][0]"]) == pytest.approx(DO * K1, rel=1e-12)
    assert float(g["W2[0][0]"]) == pytest.approx(DK[0] * 1.5, rel=1e-12)
    assert float(g["W1[0][1]"]) == pytest.approx((DK[0] * 0.75 + DK[1] * 0.25) * 2, rel=1e-12)


def write(tmp_path, text, name="answers.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def grade(tmp_path, body, spec=SEED, **kw):
    return check_answers(spec, write(tmp_path, body), **kw)


def one(tmp_path, section, name, value, spec=SEED, text=None):
    """Grade one answer written as a student would (6 significant digits), and return its row."""
    text = text or f"{value:.6g}"
    body = f'{name} = {text}\n' if section is None else f'[{section}]\n"{name}" = {text}\n'
    result = grade(tmp_path, body, spec)
    (row,) = result.rows
    return row


def code(row):
    assert row.ok is False, (row.key, row.given, row.expected)
    return [m.code for m in row.mistakes]


# ─────────────────────────────────────────── the tolerance rule ───────────────────────────────────────────

@pytest.mark.parametrize("text, d", [("-0.506", 3), ("2", 0), ("3.0", 1), ("1.5e-3", 4), ("1e3", -3),
                                     ("0.06910", 5), ("-.25", 2), ("+12.50", 2)])
def test_decimals_as_written(text, d):
    assert decimals(text) == d
    assert half_unit(text) == pytest.approx(0.5 * 10 ** -d)


def test_the_notes_rounded_output_layer_passes(tmp_path):
    # −0.506 is (o − 3) = −0.50582 rounded to 3 decimals; −0.50474 = −0.506·0.9975 is a product of rounded
    # factors, 0.034% off; 0.128 is L = 0.12793 rounded to 3 decimals
    r = grade(tmp_path, "loss = 0.128\n[gradients]\nw_k1o = -0.50474\nw_k2o = -0.50261\nb_o = -0.506\n"
                        "[forward]\nk1_out = 0.9975\no_out = 2.494\n")
    assert [row.ok for row in r.rows] == [True] * 6 and r.ok


def test_precision_as_written_decides(tmp_path):
    # o_out = 2.49418: "2.5" is it rounded to 1 decimal (error 0.0058 ≤ 0.05); "2.50" claims 2 decimals (> 0.005)
    assert one(tmp_path, "forward", "o_out", 0, text="2.5").ok is True
    assert one(tmp_path, "forward", "o_out", 0, text="2.50").ok is False
    assert one(tmp_path, "forward", "o_out", 0, text='"2.50"').ok is False   # a string keeps its digits too
    assert one(tmp_path, "forward", "o_out", 0, text="2.494").ok is True
    assert one(tmp_path, "forward", "o_out", 0, text="2.490").ok is False


def test_three_significant_digits_pass_a_real_slip_does_not(tmp_path):
    g = DO * K1                                                   # ∂L/∂w_k1o = −0.504568
    assert one(tmp_path, "gradients", "w_k1o", g * 1.0009).ok is True      # 0.09% off: rounding
    assert one(tmp_path, "gradients", "w_k1o", g * 1.002).ok is False      # 0.2% off at 6 digits: a slip


def test_rounded_at_the_written_precision_is_never_wrong(tmp_path):
    # L = 0.12793: "0.1" is it rounded to 1 decimal — right as written, but 22% off: too coarse to show the step
    row = one(tmp_path, None, "loss", 0, text="0.1")
    assert row.ok is True and row.verdict == "correct_low_precision"
    assert one(tmp_path, None, "loss", 0, text="0.13").verdict == "correct"
    assert one(tmp_path, None, "loss", 0, text="0.12").verdict == "wrong"       # not L rounded: 0.0079 off
    assert one(tmp_path, "gradients", "w_ij1", 0, text="-0.0025").verdict == "correct"
    # a new weight shows its change: 0.25 → 0.2506238; "0.251" rounds it but shows a step of 0.001 for 0.00062
    assert one(tmp_path, "updated", "w_ij1", 0, text="0.251").verdict == "correct_low_precision"
    assert one(tmp_path, "updated", "w_ij1", 0, text="0.25").verdict == "correct_low_precision"
    assert one(tmp_path, "updated", "w_ij1", 0, text="0.2506").verdict == "correct_low_precision"  # change: 1 digit
    assert one(tmp_path, "updated", "w_ij1", 0, text="0.25062").verdict == "correct"
    assert one(tmp_path, "updated", "w_ij1", 0, text="0.2507").verdict == "wrong"
    # the issue's own case: b_j2 = 1.000339 written as explain prints it, 1.0003
    assert one(tmp_path, "updated", "b_j2", 0, text="1.0003").verdict == "correct_low_precision"


def test_strict_makes_low_precision_wrong(tmp_path):
    r = grade(tmp_path, "loss = 0.1\n[updated]\nb_j2 = 1.0003\nw_ij1 = 0.25062\n", strict=True)
    assert [(x.verdict, x.mistake) for x in r.rows] == [("wrong", "too_few_digits"), ("correct", None),
                                                        ("wrong", "too_few_digits")]
    assert not r.ok and r.correct == 1


def test_exact_values_need_no_digits(tmp_path):
    # 6 and 1.5 are exact: no precision is "too low" for an exact answer
    r = grade(tmp_path, "[forward]\nk1_in = 6\nj1_out = 1.5\n", strict=True)
    assert [x.verdict for x in r.rows] == ["correct", "correct"]


def test_explicit_rtol_atol(tmp_path):
    body = "[gradients]\nw_k1o = -0.50474\n"
    assert grade(tmp_path, body, rtol=1e-6).ok is False
    assert grade(tmp_path, body, atol=1e-3).ok is True
    assert grade(tmp_path, body, rtol=1e-3).ok is True
    with pytest.raises(AnswersError):
        check_answers(SEED, {"loss": 0.128}, rtol=-1)


def test_an_exact_zero_needs_zero(tmp_path):
    # a dead ReLU unit: h_in = 1·(−1) + 0 < 0, so ∂L/∂w_xh = 0 exactly
    spec = {"format": 1, "data": {"x": [[1.0]], "y": [[3.0]]},
            "layers": [{"name": "h", "activation": "relu", "weights": [[-1.0, 1.0]], "bias": [0.0, 0.0]},
                       {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}
    r = check_answers(spec, {"gradients": {"w_xh1": "0", "w_xh2": "0.0", "b_h1": 0.0001}})
    assert [row.ok for row in r.rows] == [True, False, False]  # ∂L/∂w_xh2 = (1 − 3)·1·1 = −2; b_h1: 0


# ─────────────────────────────────────────── the catalogue, one mistake per answers file ───────────────────────────────────────────

def test_sign_flipped(tmp_path):
    g = float(reference.gradients(load_spec(SEED))["W3[0][0]"])
    assert code(one(tmp_path, "gradients", "w_k1o", -g)) == ["sign"]
    assert code(one(tmp_path, "factors", "dL/do_out", 3 - O)) == ["sign"]          # (y − out), not (out − y)


def test_factor_two(tmp_path):
    assert code(one(tmp_path, "gradients", "b_o", 2 * DO)) == ["double"]               # ½ of the loss left out
    assert code(one(tmp_path, "gradients", "b_o", DO / 2)) == ["half"]                 # ½ put in twice
    assert code(one(tmp_path, None, "loss", DO ** 2)) == ["double"]                     # (o − t)² without ½
    row = one(tmp_path, "gradients", "b_o", 2 * DO)
    assert "½" in diagnosis_text(row)


def test_activation_derivative_left_out(tmp_path):
    # ∂L/∂w_j1k1 without σ′(k1_in): (o − 3)·w_k1o·1·j1_out
    row = one(tmp_path, "gradients", "w_j1k1", DO * 1.0 * 1.5)
    assert code(row) == ["no_local"] and "∂k1_out/∂k1_in" in diagnosis_text(row)


def test_derivative_at_the_wrong_place(tmp_path):
    # k_in·(1 − k_in) instead of k_out·(1 − k_out): σ′ "= 6·(1 − 6) = −30"
    assert code(one(tmp_path, "factors", "dk1_out/dk1_in", 6 * (1 - 6))) == ["local_at_in"]
    assert code(one(tmp_path, "gradients", "w_j1k1", DO * 6 * (1 - 6) * 1.5)) == ["local_at_in"]
    # σ′ evaluated at the output: σ(k1_out)·(1 − σ(k1_out))
    at_out = sig(K1) * (1 - sig(K1))
    assert code(one(tmp_path, "factors", "dk1_out/dk1_in", at_out)) == ["local_at_out"]
    assert code(one(tmp_path, "gradients", "w_j1k1", DO * at_out * 1.5)) == ["local_at_out"]


def test_a_path_left_out(tmp_path):
    # ∂L/∂j2_out = δ_k1·w_j2k1 + δ_k2·w_j2k2; the path through k2 left out
    row = one(tmp_path, "gradients", "w_ij2", DK[0] * 0.75 * 2)
    assert code(row) == ["path_left_out"] and row.mistakes[0].get("via") == "k2"
    assert code(one(tmp_path, "factors", "dL/dj2_out", DK[1] * 0.25)) == ["path_left_out"]


def test_product_of_sums(tmp_path):
    # (Σ_k ∂L/∂k_out)·(Σ_k σ′(k_in))·(Σ_k w_j1k)·i, where the chain rule sums the products path by path
    sums = (DO * 1.0 + DO * 0.5) * (S1 + S2)
    row = one(tmp_path, "gradients", "w_ij1", sums * (1.0 + 0.0) * 2)
    assert code(row) == ["product_of_sums"] and row.mistakes[0].get("extra") is False
    # the notes' version also multiplies Σ_k ∂k_in/∂w_j1k = 2·j1_out: −0.0415 = 16.6 × the right −0.0024952
    row = one(tmp_path, "gradients", "w_ij1", sums * 1.0 * (2 * 1.5) * 2)
    assert code(row) == ["product_of_sums"] and row.mistakes[0].get("extra") is True


def test_updated_weights_used_downstream(tmp_path):
    # ∂L/∂w_j1k1 with the new w_k1o = 1 − 0.25·∂L/∂w_k1o (from the reference's SGD step)
    params, _, _ = reference.sgd(load_spec(SEED))
    new_w = float(params["W3"][0][0])
    assert code(one(tmp_path, "gradients", "w_j1k1", DO * new_w * S1 * 1.5)) == ["updated_downstream"]


def test_gradient_and_new_weight_swapped(tmp_path):
    g = DO * K1
    assert code(one(tmp_path, "updated", "w_k1o", g)) == ["gradient_as_new"]
    assert code(one(tmp_path, "gradients", "w_k1o", 1 - 0.25 * g)) == ["new_as_gradient"]


def test_learning_rate_twice_or_not_at_all(tmp_path):
    g = DO * K1
    assert code(one(tmp_path, "updated", "w_k1o", 1 - 0.25 * 0.25 * g)) == ["lr_twice"]
    assert code(one(tmp_path, "updated", "w_k1o", 1 - g)) == ["lr_none"]
    assert code(one(tmp_path, "updated", "w_k1o", 1 + 0.25 * g)) == ["update_sign"]
    assert code(one(tmp_path, "updated", "w_k1o", 1.0, text="1.0")) == ["not_updated"]


def test_transposed_indices(tmp_path):
    # 2-2-2 sigmoid net: the student writes ∂L/∂W1[1][0] where ∂L/∂W1[0][1] was asked
    spec = load_spec(ROOT / "worked_examples" / "sigmoid_222.toml")
    g = reference.gradients(spec)
    name = spec.param_names()[1][0]
    assert spec.param_names()[1][1] == "W1[0][1]"
    row = one(tmp_path, "gradients", name, float(g["W1[1][0]"]), spec=spec)
    assert code(row) == ["transposed"] and row.mistakes[0].get("key") == "W1[1][0]"


def test_forward_and_loss_mistakes(tmp_path):
    assert code(one(tmp_path, "forward", "k1_out", 6.0, text="6")) == ["no_activation"]
    assert code(one(tmp_path, "forward", "j1_in", 0.5, text="0.5")) == ["no_bias"]      # w_ij1·i without b_j1
    d = explain(load_spec(SEED))
    assert code(one(tmp_path, None, "loss", d.loss_after)) == ["loss_after_given"]


def test_simple_factor_mix_ups(tmp_path):
    assert code(one(tmp_path, "factors", "dk1_in/dw_j2k1", 0.75, text="0.75")) == ["weight_for_source"]
    assert code(one(tmp_path, "factors", "dk1_in/dj2_out", 2.0, text="2.0")) == ["source_for_weight"]


def test_update_judged_against_the_students_own_gradient(tmp_path):
    # a wrong gradient carried into a correct update: one mistake, named once
    g_wrong = 2 * DO * K1
    r = grade(tmp_path, f"[gradients]\nw_k1o = {g_wrong:.6g}\n[updated]\nw_k1o = {1 - 0.25 * g_wrong:.6g}\n")
    assert [m.code for m in r.rows[1].mistakes] == ["double"]
    # a right gradient, a slip in the update
    r = grade(tmp_path, f"[gradients]\nw_k1o = {DO * K1:.6g}\n[updated]\nw_k1o = 1.2\n")
    assert [m.code for m in r.rows[1].mistakes] == ["update_arithmetic"]


def test_first_wrong_factor_is_named(tmp_path):
    body = (f'[factors]\n"dL/do_out" = {-DO:.6g}\n'             # sign flipped
            f'[gradients]\nw_j1k1 = {-DK[0] * 1.5:.6g}\n')       # carried into the weight's gradient
    row = grade(tmp_path, body).rows[1]
    assert row.blame is not None and row.blame.key == "factors.∂L/∂o_out"
    assert "first wrong step: ∂L/∂o_out" in diagnosis_text(row)
    # a right ∂L/∂k1_out in between shows that error did not reach w_j1k1: nothing to blame before it
    body = (f'[factors]\n"dL/do_out" = {-DO:.6g}\n"dL/dk1_out" = {DO:.6g}\n'
            f'[gradients]\nw_j1k1 = {-DK[0] * 1.5:.6g}\n')
    rows = {r.key: r for r in grade(tmp_path, body).rows}
    assert rows["gradients.W2[0][0]"].blame is None and code(rows["gradients.W2[0][0]"]) == ["sign"]


# A later right running total clears the blame: a wrong value is not the "first wrong step" of an answer when a
# right value worked out from it lies between them (the error did not reach past it). Each kind of running total —
# a node value, ∂L/∂out, δ, the gradient — is tried with and without it; a right value beside the wrong one
# (another path of the same sum) clears nothing.
RUNNING_TOTALS = {
    # kind: (the wrong earlier value, the right running total, the wrong answer, the key of the earlier value)
    "node value": ("[forward]\nj1_out = 5.0\n", "k1_in = 6\n", "k1_out = 0.5\n", "forward.a1[0][0]"),
    "∂L/∂out": (f'[factors]\n"dL/do_out" = {-DO:.6g}\n', f'"dL/dk1_out" = {DO:.6g}\n',
                f"[gradients]\nw_j1k1 = {-DK[0] * 1.5:.6g}\n", "factors.∂L/∂o_out"),
    "δ": (f'[factors]\n"dL/do_out" = {-DO:.6g}\n', f'"dL/dk1_in" = {DK[0]:.6g}\n',
          f"[gradients]\nw_j1k1 = {-DK[0] * 1.5:.6g}\n", "factors.∂L/∂o_out"),
    "gradient": (f'[factors]\n"dL/do_out" = {-DO:.6g}\n', f"[gradients]\nw_j1k1 = {DK[0] * 1.5:.6g}\n",
                 "[updated]\nw_j1k1 = 0.123\n", "factors.∂L/∂o_out"),
}


@pytest.mark.parametrize("kind", RUNNING_TOTALS)
def test_a_later_right_running_total_clears_the_blame(tmp_path, kind):
    earlier, total, answer, blamed = RUNNING_TOTALS[kind]
    last = lambda r: r.rows[-1]  # noqa: E731 — the answer comes last in the sheet's order
    without = last(grade(tmp_path, earlier + answer))
    assert without.ok is False and without.blame is not None and without.blame.key == blamed
    row = last(grade(tmp_path, earlier + total + answer))
    assert row.ok is False and row.key == without.key
    assert row.blame is None, f"{row.key} blamed on {row.blame.key} although the right {kind} lies between"
    assert "first wrong step" not in (diagnosis_text(row) or "")


def test_a_right_value_on_another_path_clears_nothing(tmp_path):
    """∂L/∂k1_out doubled, ∂L/∂k2_out right, ∂L/∂j2_out = Σ_k δ_k·w_j2k worked from the doubled one: the right
    ∂L/∂k2_out is beside the wrong value, not after it, so the answer is worked right from a wrong value
    (`carried`, naming ∂L/∂k1_out) — not an early rounding, and not unexplained."""
    wrong_k1 = 2 * DO * 1.0
    j2 = wrong_k1 * S1 * W_JK[1][0] + DK[1] * W_JK[1][1]
    for beside in ("", f'"dL/dk2_out" = {DO * 0.5:.6g}\n'):
        body = f'[factors]\n"dL/dk1_out" = {wrong_k1:.6g}\n{beside}"dL/dj2_out" = {j2:.6g}\n'
        row = {r.key: r for r in grade(tmp_path, body).rows}["factors.∂L/∂j2_out"]
        assert code(row) == ["carried"], beside
        assert row.blame is not None and row.blame.key == "factors.∂L/∂k1_out", beside
    # the same among node values: a right j2_in beside a wrong j1_out does not clear it from k1_out
    rows = {r.key: r for r in grade(tmp_path, "[forward]\nj1_out = 5.0\nj2_in = 2.0\nk1_out = 0.5\n").rows}
    assert rows["forward.z1[0][1]"].ok is True
    assert rows["forward.a2[0][0]"].blame.key == "forward.a1[0][0]"


def test_no_diagnosis_for_an_unexplained_value(tmp_path):
    row = one(tmp_path, "gradients", "w_k1o", 0.123)
    assert row.ok is False and row.mistakes == () and diagnosis_text(row) is None


# ─────────────────────────────────────────── seed 004: the notes' own numbers ───────────────────────────────────────────

def test_seed004_notes_output_layer_accepted_input_layer_flagged():
    r = check_answers(SEED, STUDENT)
    rows = {row.key: row for row in r.rows}
    for key in ("loss", "gradients.W3[0][0]", "gradients.W3[1][0]", "gradients.b3[0]",
                "updated.W3[0][0]", "updated.W3[1][0]", "updated.b3[0]", "forward.a2[0][0]", "factors.∂L/∂o_out"):
        assert rows[key].ok is True, key
    for j in range(4):
        grad = rows[f"gradients.W1[0][{j}]"]
        assert grad.ok is False and grad.mistakes[0].code == "product_of_sums"
        assert abs(grad.given / grad.expected) > 13          # −0.04146 vs −0.0024952: ~16×
        assert rows[f"updated.W1[0][{j}]"].ok is False
        assert rows[f"updated.W1[0][{j}]"].mistakes[0].code == "product_of_sums"
        # the notes' new biases are old − gradient: the learning rate was left out as well
        assert [m.code for m in rows[f"updated.b1[{j}]"].mistakes] == ["product_of_sums", "lr_none"]
    # ∂L/∂k1_out carries an extra k1_out; σ′(6) was carried as 0.00249 from k1_out rounded to 0.9975
    assert [m.code for m in rows["factors.∂L/∂k1_out"].mistakes] == ["extra_out"]
    assert [m.code for m in rows["factors.∂k1_out/∂k1_in"].mistakes] == ["early_round"]
    assert rows["gradients.W1[0][0]"].blame.key == "factors.∂L/∂k1_out"
    assert not r.ok and r.answered == r.total == 75


def test_seed004_cli_exit_1_and_json(tmp_path):
    res = CliRunner().invoke(main, ["check", str(SEED), str(STUDENT), "--format", "json"])
    assert res.exit_code == 1
    d = json.loads(res.stdout)
    assert {"format", "correct", "total", "rows"} <= set(d) and d["format"] == 1
    assert {"key", "name", "expected", "given", "ok", "diagnosis"} <= set(d["rows"][0])
    row = next(x for x in d["rows"] if x["key"] == "gradients.W1[0][0]")
    assert row["name"] == "w_ij1" and row["given"] == -0.04146 and row["ok"] is False
    assert row["diagnosis"].startswith("a product of sums")
    assert d["correct"] == sum(1 for x in d["rows"] if x["ok"]) and d["total"] == len(d["rows"])
    assert "answers are wrong" in res.stderr


def test_text_and_indonesian():
    res = CliRunner().invoke(main, ["check", str(SEED), str(STUDENT)])
    assert res.exit_code == 1
    assert "✗" in res.stdout and "✓" in res.stdout and "Score: 40 of 75 correct" in res.stdout
    res = CliRunner().invoke(main, ["check", str(SEED), str(STUDENT), "--lang", "id"])
    assert "Nilai: 40 dari 75 benar" in res.stdout and "perkalian jumlah" in res.stdout


# ─────────────────────────────────────────── answers files ───────────────────────────────────────────

def test_canonical_matrices_with_blanks_toml_and_json(tmp_path):
    d = explain(load_spec(SEED))
    W2 = d.gradients["W2"]
    toml = f'[gradients]\nW2 = [["", {W2[0][1]!r}], [{W2[1][0]!r}, ""], ["", ""], ["", ""]]\nW1 = [0.1, "", "", ""]\n'
    r = grade(tmp_path, toml)
    assert r.answered == 3 and r.total == 12 and r.wrong == 1 and not r.ok
    doc = {"gradients": {"W2": [["", W2[0][1]], [W2[1][0], ""], ["", ""], ["", ""]], "W1": [[0.1, None, None, None]]}}
    rj = check_answers(SEED, write(tmp_path, json.dumps(doc), "answers.json"))
    assert [(x.key, x.ok) for x in rj.rows] == [(x.key, x.ok) for x in r.rows]


def test_flat_lists_where_unambiguous(tmp_path):
    d = explain(load_spec(SEED))
    r = grade(tmp_path, f"[updated]\nW3 = {d.updated['W3'][0] + d.updated['W3'][1]!r}\n"
                        f"b3 = {d.updated['b3'][0]!r}\n[forward]\na1 = [1.5, 2, 2.5, 3]\n")
    assert r.ok and r.answered == 7


def test_python_api_dict_and_markdown():
    r = check_answers(None, {"loss": 0.128, "factors": {"∂L/∂k1_out": -0.5058}})
    assert r.ok and r.to_dict()["rows"][1]["key"] == "factors.∂L/∂k1_out"
    md = r._repr_markdown_()
    assert "| key" in md and "Score" in md


def test_multi_sample_answers(tmp_path):
    spec = ROOT / "worked_examples" / "softmax_batch.toml"
    d = explain(load_spec(spec))
    h = [row[0] for row in d.forward["a1"]]
    r = grade(tmp_path, f'[forward]\nh1_out = [{h[0]!r}, ""]\n', spec=spec)
    assert r.answered == 1 and r.total == 2 and r.ok and r.rows[0].name == "h1_out (sample 1)"
    assert resolve(d, "forward.h1_out[1]")[0] == "forward.a1[1][0]"
    with pytest.raises(AnswersError, match="samples"):
        resolve(d, "forward.h1_out")
    (bad,) = grade(tmp_path, "[forward]\nh1_out = 1.0\n", spec=spec).rows
    assert bad.verdict == "invalid" and "one per sample" in diagnosis_text(bad)


# one bad entry: that row says what is wrong (the rest is graded, the score counts it unanswered, exit 1)
BAD_ROW = [
    ("[gradient]\nw_ij1 = 1\n", "gradient", "unknown key 'gradient' (did you mean 'gradients'?)"),
    ("[gradients]\nw_j1k3 = 1\n", "gradients.w_j1k3", "unknown key 'w_j1k3' (did you mean 'w_j1k2'?)"),
    ("[gradients]\nbo = 1\n", "gradients.bo", "unknown key 'bo' (did you mean 'b_o'?)"),
    ("[gradients]\nW2 = [[1, 2, 3, 4], [5, 6, 7, 8]]\n", "gradients.W2",
     "expected 4×2 (fan_in × units, as in the spec), got 2×4 — transposed?"),
    ("[gradients]\nj1_out = 1\n", "gradients.j1_out", "unknown key 'j1_out'; j1_out belongs under [forward]"),
    ("w_ij1 = 1\n", "w_ij1", "w_ij1 is a parameter: its gradient goes under [gradients]"),
    ("[gradients]\nw_ij1 = \"abc\"\n", "gradients.W1[0][0]", "expected a number (or \"\" to leave it blank)"),
    ("[gradients]\nw_ij1 = \"0,5\"\n", "gradients.W1[0][0]", "write the decimal point as a point: 0.5"),
    ("[gradients]\nw_ij1 = 0,5\n", "gradients.W1[0][0]", "write the decimal point as a point: 0.5 (not 0,5)"),
    ("loss = 0,128\n", "loss", "write the decimal point as a point: 0.128 (not 0,128)"),
    ("[gradients]\nw_ij1 = nan\n", "gradients.W1[0][0]", "expected a finite number, got nan"),
    ("[gradients]\nw_ij1 = 1\nW1 = [[1, 2, 3, 4]]\n", "gradients.W1[0][0]", "gives w_ij1 (gradients.W1[0][0]) a second time"),
    ("[updated]\nb2 = [1, 2, 3]\n", "updated.b2", "expected 2 values (one per unit), got 3"),
    ("[factors]\n\"dk1_out/dk2_in\" = 1\n", "factors.dk1_out/dk2_in", "unknown key"),
    ("loss = [1, 2]\n", "loss", "expected one number"),
    ("[gradients]\nW2 = [[1, 2], [3]]\n", "gradients.W2", "ragged matrix"),
    ("[gradients]\nw_ij1 = true\n", "gradients.W1[0][0]", "got a boolean"),
]


@pytest.mark.parametrize("body, key, message", BAD_ROW)
def test_a_bad_entry_is_its_own_row_the_rest_is_graded(tmp_path, body, key, message):
    path = write(tmp_path, body + "[forward]\nk1_in = 6\n")
    res = CliRunner().invoke(main, ["check", str(SEED), str(path), "--format", "json"])
    assert res.exit_code == 1, res.output
    d = json.loads(res.stdout)
    bad = [row for row in d["rows"] if row["verdict"] == "invalid"]
    assert [row["key"] for row in bad][-1] == key and message in bad[-1]["diagnosis"], bad
    assert bad[-1]["ok"] is None and bad[-1]["given"] is None
    good = next(row for row in d["rows"] if row["key"] == "forward.z2[0][0]")
    assert good["verdict"] == "correct" and d["correct"] >= 1 and d["invalid"] == len(bad)
    assert "could not be read" in res.stderr and "Traceback" not in res.output
    text = CliRunner().invoke(main, ["check", str(SEED), str(path)])
    assert text.exit_code == 1 and f"  {key}  " in text.stdout and "! " in text.stdout


BAD = [
    ("format = 2\n", "format: expected 1"),
    ("[gradients\n", "answers.toml: invalid TOML"),
    ("123", "answers.toml: invalid TOML"),
]


@pytest.mark.parametrize("body, message", BAD)
def test_a_sheet_that_is_not_toml_exits_2_with_one_line(tmp_path, body, message):
    path = write(tmp_path, body)
    res = CliRunner().invoke(main, ["check", str(SEED), str(path)])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "answers.toml" in lines[0], lines
    assert "Traceback" not in res.output


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeffloss = 0.128\n[gradients]\nb_o = -0.506\n".encode("utf-8"))
    r = check_answers(SEED, path)
    assert r.ok and r.correct == 2
    path = tmp_path / "bom.json"
    path.write_bytes('\ufeff{"loss": 0.128}'.encode("utf-8"))
    assert check_answers(SEED, path).correct == 1


def test_missing_and_wrong_kind_of_file(tmp_path):
    res = CliRunner().invoke(main, ["check", str(SEED), str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "nope.toml: no such file" in res.stderr
    res = CliRunner().invoke(main, ["check", str(SEED), str(write(tmp_path, "x", "a.txt"))])
    assert res.exit_code == 2 and "expected a .toml or .json file" in res.stderr


# ─────────────────────────────────────────── diagnose() and resolve() ───────────────────────────────────────────

def test_diagnose_and_resolve_api():
    d = explain(load_spec(SEED))
    assert resolve(d, "gradients.w_ij1")[:2] == ("gradients.W1[0][0]", "w_ij1")
    assert resolve(d, "gradients.W1[0][0]")[1] == "w_ij1"
    assert resolve(d, "factors.dL/dk1_out")[:2] == ("factors.∂L/∂k1_out", "∂L/∂k1_out")
    key, name, value = resolve(d, "loss")
    assert value == pytest.approx(float(reference.loss(load_spec(SEED))), rel=1e-12)
    assert diagnose(d, "gradients.w_ij1", -0.04146).startswith("a product of sums")
    assert diagnose(d, "gradients.W1[0][0]", "-0.04146") == diagnose(d, "gradients.w_ij1", -0.04146)
    assert diagnose(d, "updated.b_o", 1.1265) is None                 # right: nothing to diagnose
    assert diagnose(d, "gradients.w_k1o", 0.123) is None              # wrong, but no catalogued mistake
    assert diagnose(d, "gradients.w_k1o", 1.0, rtol=1e-9) is None
    assert "learning rate" in diagnose(d, "updated.w_k1o", 1 - DO * K1)
    for bad in ("gradients.w_zz", "forward", "gradients.W9[0][0]", "nonsense.w_ij1"):
        with pytest.raises(AnswersError):
            resolve(d, bad)


def test_module_examples():
    import doctest

    import backcalc.grading.grade

    result = doctest.testmod(backcalc.grading.grade)
    assert result.failed == 0 and result.attempted > 0
