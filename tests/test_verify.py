"""`backcalc verify`: the tape against sympy's own derivatives and central differences — and proof it checks."""

import dataclasses
import itertools
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from backcalc.tape import rules as ops
from backcalc.cli import main
from backcalc.net.spec import default_spec, load_spec
from backcalc.check.verify import closed_forms, numeric_gradients, symbolic_gradients, verify

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "worked_examples").glob("*.toml") if "student" not in p.name)


def sigma(z):
    return 1 / (1 + math.exp(-z))


def seed004_by_hand():
    """Seed 004's gradients from its own chain-rule formulas, in plain math (no backcalc, no sympy).

    j_in = 2·w_ij + 1 = 1.5, 2, 2.5, 3 (all > 0, so j_out = j_in and relu′ = 1); k1_in = 6, k2_in = 5;
    o = σ(6) + 0.5·σ(5) + 1; ∂L/∂o = o − 3 (half squared error, target 3).
    """
    j = [1.5, 2.0, 2.5, 3.0]
    wjk = [[1.0, 0.0], [0.75, 0.25], [0.5, 0.5], [0.25, 0.75]]
    wko = [1.0, 0.5]
    k = [sigma(6.0), sigma(5.0)]
    o = k[0] * wko[0] + k[1] * wko[1] + 1.0
    g_o = o - 3.0
    g_kin = [g_o * wko[q] * k[q] * (1 - k[q]) for q in range(2)]  # ∂L/∂k_in = ∂L/∂k_out · σ(1 − σ)
    g_j = [sum(g_kin[q] * wjk[p][q] for q in range(2)) for p in range(4)]  # ∂L/∂j_out (relu′ = 1)
    grads = {}
    for p in range(4):
        grads[f"W1[0][{p}]"] = g_j[p] * 2.0  # ∂j_in/∂w_ij = i = 2
        grads[f"b1[{p}]"] = g_j[p]
        for q in range(2):
            grads[f"W2[{p}][{q}]"] = g_kin[q] * j[p]
    for q in range(2):
        grads[f"b2[{q}]"] = g_kin[q]
        grads[f"W3[{q}][0]"] = g_o * k[q]  # ∂L/∂w_k1o = (o_out − t)·k1_out
    grads["b3[0]"] = g_o
    return grads, 0.5 * g_o ** 2


def test_seed004_three_ways_and_by_hand():
    result = verify()
    hand, loss = seed004_by_hand()
    assert result.ok and len(result.rows) == 21
    assert [(r.name, r.key) for r in result.rows] == default_spec().param_names()
    assert result.loss_symbolic == pytest.approx(loss, rel=1e-14)
    for row in result.rows:
        assert row.symbolic == pytest.approx(hand[row.key], rel=1e-12, abs=1e-15), row.name
        assert row.tape == pytest.approx(hand[row.key], rel=1e-12, abs=1e-15), row.name
        assert row.numeric == pytest.approx(hand[row.key], rel=1e-5, abs=1e-9), row.name
    # the seed's rounded hand values: ∂L/∂w_k1o ≈ −0.50474 (it rounds ∂L/∂o_out to −0.506), ∂L/∂w_j1k1 ≈ −0.00188
    by_name = {r.name: r.symbolic for r in result.rows}
    assert by_name["w_k1o"] == pytest.approx(-0.50474, abs=2e-4)
    assert by_name["w_j1k1"] == pytest.approx(-0.00188, abs=1e-5)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_worked_examples_pass(path):
    result = verify(str(path))
    assert result.ok, [r for r in result.rows if not r.ok]


def test_closed_forms_use_the_article_names():
    forms = closed_forms(default_spec())
    assert list(forms) == [name for name, _ in default_spec().param_names()]
    assert forms["w_k1o"] == "k1_out*(o_out - t)"  # the example
    assert forms["b_o"] == "o_out - t"
    assert forms["w_j1k1"] == "j1_out*k1_out*w_k1o*(1 - k1_out)*(o_out - t)"  # σ′ = k1_out(1 − k1_out)
    assert forms["w_ij1"].startswith("[j1_in > 0]*i*(o_out - t)*")  # relu′ as an Iverson bracket
    batch = closed_forms(load_spec(str(ROOT / "worked_examples" / "softmax_batch.toml")))
    assert batch["b_o1"] == "mean over 2 samples of (o1_out - t_o1)"  # softmax + cross-entropy, one-hot t


def test_json_keys():
    result = CliRunner().invoke(main, ["verify", "--format", "json", "--formulas"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["format"] == 1 and doc["ok"] is True and len(doc["rows"]) == 21
    assert set(doc["rows"][0]) == {"name", "key", "tape", "symbolic", "numeric", "ok"}
    assert doc["rows"][0]["name"] == "w_ij1" and doc["rows"][0]["key"] == "W1[0][0]"
    assert doc["formulas"]["w_k1o"] == "k1_out*(o_out - t)"
    plain = json.loads(CliRunner().invoke(main, ["verify", "--format", "json"]).output)
    assert "formulas" not in plain


def test_text_output():
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 0
    assert "w_j1k1" in result.output and "✓ all 21 gradients agree" in result.output
    assert verify()._repr_markdown_().count("\n| ") == 23  # header, rule, 21 rows


# ── the checker checks: break a rule of the table on purpose ──

def test_a_wrong_sigmoid_rule_fails_verify(monkeypatch):
    honest, _ = symbolic_gradients(default_spec())
    # sigmoid′ written as σ(z) instead of σ(z)·(1 − σ(z))
    wrong = dataclasses.replace(ops.RULES["sigmoid"], local=lambda ans, a: (ans,))
    monkeypatch.setitem(ops.RULES, "sigmoid", wrong)
    result = verify()
    assert not result.ok
    failed = {r.name for r in result.failures()}
    # every parameter below the sigmoid layer is wrong; the last layer's (after it) are still right
    assert failed == {name for name, key in default_spec().param_names() if key[:2] in ("W1", "b1", "W2", "b2")}
    # sympy did not move: its definitions are its own
    assert {r.key: r.symbolic for r in result.rows} == honest
    cli = CliRunner().invoke(main, ["verify"])
    assert cli.exit_code == 1 and "✗ 18 of 21 gradients disagree" in cli.output


def test_a_wrong_relu_rule_fails_verify(monkeypatch):
    wrong = dataclasses.replace(ops.RULES["relu"], local=lambda ans, a: (ans,))  # relu′ = relu: wrong for z ≠ 1
    monkeypatch.setitem(ops.RULES, "relu", wrong)
    failed = {r.name for r in verify().failures()}
    assert failed == {"w_ij1", "w_ij2", "w_ij3", "w_ij4", "b_j1", "b_j2", "b_j3", "b_j4"}


# ── every activation and loss ──

HIDDEN = ["linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax"]
HEADS = [("half_sse", "linear"), ("sse", "tanh"), ("mse", "sigmoid"), ("bce", "sigmoid"), ("bce", "linear"),
         ("cross_entropy", "softmax"), ("cross_entropy", "linear")]


@pytest.mark.parametrize("hidden, head", list(itertools.product(HIDDEN, HEADS)))
def test_every_activation_and_loss(hidden, head):
    kind, last = head
    y = [0, 2, 1] if kind == "cross_entropy" else ([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5], [0.2, 0.7, 1.0]]
                                                    if kind == "bce" else [[0.5, -1, 2], [1, 0, -0.5], [0, 1, 1]])
    doc = {"format": 1, "seed": 3, "data": {"x": [[0.3, -1.2], [1.1, 0.4], [-0.7, 0.9]], "y": y},
           "layers": [{"activation": hidden, "units": 3, "init": "xavier_normal"},
                      {"activation": last, "units": 3, "init": "xavier_normal"}],
           "loss": {"kind": kind}}
    if hidden in ("leaky_relu", "elu"):
        doc["layers"][0]["alpha"] = 0.3
    result = verify(doc)
    assert result.ok, [r for r in result.rows if not r.ok]
    assert result.numeric_checked


def test_sum_and_mean_reductions():
    doc = {"format": 1, "data": {"x": [[1.0], [2.0]], "y": [[1.0], [0.0]]},
           "layers": [{"activation": "sigmoid", "weights": [[0.5]], "bias": [0.1]}], "loss": {"kind": "mse"}}
    mean = {r.key: r.symbolic for r in verify(doc).rows}
    doc["loss"]["reduction"] = "sum"
    total = {r.key: r.symbolic for r in verify(doc).rows}
    assert total["W1[0][0]"] == pytest.approx(2 * mean["W1[0][0]"], rel=1e-14)  # sum = 2 × mean of 2 samples


def test_at_a_kink_tape_and_sympy_still_agree():
    # j_in = 1·1 − 1 = 0: relu′(0) = 0 on the tape and in sympy's Piecewise (z if z > 0 else 0); central
    # differences straddle the kink, so they are reported but not compared
    doc = {"format": 1, "data": {"x": [[1.0]], "y": [[2.0]]},
           "layers": [{"name": "j", "activation": "relu", "weights": [[1.0]], "bias": [-1.0]},
                      {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    result = verify(doc)
    assert result.ok and not result.numeric_checked and result.notes[0].code == "kink"
    row = result.rows[0]
    assert row.tape == row.symbolic == 0.0 and row.numeric == pytest.approx(-1.0)  # half of the one-sided −2


def test_numeric_is_independent_of_the_tape(monkeypatch):
    honest = numeric_gradients(default_spec())
    monkeypatch.setitem(ops.RULES, "sigmoid", dataclasses.replace(ops.RULES["sigmoid"], local=lambda ans, a: (ans,)))
    assert numeric_gradients(default_spec()) == honest


# ── a deeper net (its speed, 3 s for the whole command, is measured in benchmarks/bench_verify.py) ──

NET_24441 = {"format": 1, "seed": 0, "data": {"x": [[0.5, -1.0]], "y": [[1.0]]},
             "layers": [{"activation": "sigmoid", "units": 4, "init": "xavier_normal"} for _ in range(3)]
             + [{"activation": "sigmoid", "units": 1, "init": "xavier_normal"}]}


def test_a_2_4_4_4_1_sigmoid_net_verifies():
    result = verify(NET_24441)
    assert result.ok and result.numeric_checked and len(result.rows) == 57


def test_the_checkers_import_neither_the_rule_table_nor_the_tape():
    # habit 3: sympy's side shares no code with the tape (verify's tape column comes from backcalc.net.network)
    import ast

    for name in ("check/verify.py", "program/sympy_check.py", "check/sympy_tools.py"):
        tree = ast.parse((ROOT / "backcalc" / name).read_text(encoding="utf-8"))
        imported = {node.module or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    for alias in node.names}
        imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        assert not imported & {"ops", "tape", "backcalc.tape.rules", "backcalc.tape"}, (name, imported)


# ── bad input ──

def test_bad_specs_exit_2(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["verify", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"format": 1, "seed": 0, "data": {"x": [[0.0] * 100], "y": [[0.0]]},
                               "layers": [{"activation": "relu", "units": 200, "init": "he_normal"},
                                          {"activation": "linear", "units": 1, "init": "zeros"}]}))
    result = runner.invoke(main, ["verify", str(big)])
    assert result.exit_code == 2 and "at most 10,000 parameters" in result.output


def test_importing_the_checker_loads_neither_the_tape_nor_the_rule_table():
    import subprocess
    import sys

    code = "import sys, backcalc.check.verify, backcalc.check.numeric; print('backcalc.tape' in sys.modules, 'backcalc.tape.rules' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


# ── the numeric column can fail a row, and a kink silences it only where it reaches ──

KINKED_NET = {"format": 1, "data": {"x": [[1.0, 2.0]], "y": [[0.5]]},
              "layers": [{"name": "j", "activation": "relu", "weights": [[1.0, 0.5], [0.5, 0.25]], "bias": [-2.0, 0.1]},
                         {"activation": "linear", "weights": [[1.0], [-1.0]], "bias": [0.0]}]}


def test_central_differences_alone_can_fail_a_row(monkeypatch):
    import backcalc.check.verify as v

    honest = v.judged_gradients

    def off(spec, *args):  # central differences disagree on one parameter; tape and sympy still agree
        out = dict(honest(spec, *args))
        value, judged = out["W2[0][0]"]
        out["W2[0][0]"] = (value + 1e-2, judged)
        return out

    monkeypatch.setattr(v, "judged_gradients", off)
    result = verify()
    bad = result.failures()
    assert [r.key for r in bad] == ["W2[0][0]"] and not result.ok
    assert bad[0].tape == pytest.approx(bad[0].symbolic, rel=1e-9)


def test_a_kink_silences_central_differences_only_for_the_parameters_that_move_it(monkeypatch):
    # j1_in = 1·1 + 2·0.5 − 2 = 0 sits at relu's kink; j2_in = 0.5 + 0.5 + 0.1 = 1.1 does not. Nudging w_ij1 or
    # b_j1 moves j1_in across the kink; nudging j2's parameters or the output layer's never does.
    import backcalc.check.verify as v

    result = verify(KINKED_NET)
    compared = {r.key: r.numeric_compared for r in result.rows}
    assert compared == {"W1[0][0]": False, "W1[0][1]": True, "W1[1][0]": False, "W1[1][1]": True,
                        "b1[0]": False, "b1[1]": True, "W2[0][0]": True, "W2[1][0]": True, "b2[0]": True}
    assert result.ok and not result.numeric_checked and result.notes[0].get("node") == "j1_in"
    honest = v.judged_gradients

    def off(spec, *args):
        out = dict(honest(spec, *args))
        for key in ("W1[0][1]", "W2[1][0]", "W1[0][0]"):
            out[key] = (out[key][0] + 1e-2, out[key][1])
        return out

    monkeypatch.setattr(v, "judged_gradients", off)
    assert [r.key for r in verify(KINKED_NET).failures()] == ["W1[0][1]", "W2[1][0]"]  # W1[0][0] is at the kink


def test_each_term_differentiated_alone_equals_the_whole_sum_differentiated():
    # the checker differentiates one term a·w of a pre-activation sum once and renames its symbols; sympy
    # differentiating the whole sum in each symbol must give the very same expressions
    import sympy

    from backcalc.check.layers.dense import Symbolic
    from backcalc.net.spec import load_spec

    spec = load_spec({"format": 1, "seed": 0, "data": {"x": [[0.5, -1.0, 2.0]], "y": [[1.0]]},
                      "layers": [{"activation": "tanh", "units": 2, "init": "xavier_normal"},
                                 {"activation": "linear", "units": 1, "init": "xavier_normal"}]})
    sym = Symbolic(spec.layers[0], sympy)
    for b in range(2):
        pre = sum(sym.A[a] * sym.W[a][b] for a in range(3)) + sym.B[b]
        assert sym.dz_db[b] == sympy.diff(pre, sym.B[b]) == 1
        for a in range(3):
            assert sym.dz_dW[a][b] == sympy.diff(pre, sym.W[a][b]) == sym.A[a]
            assert sym.dz_da[a][b] == sympy.diff(pre, sym.A[a]) == sym.W[a][b]


def test_notes_are_codes_and_the_renderer_writes_them_in_either_language():
    from backcalc.render.verify import NOTES, note_text

    doc = {"format": 1, "data": {"x": [[1.0]], "y": [[2.0]]},
           "layers": [{"name": "j", "activation": "relu", "weights": [[1.0]], "bias": [-1.0]},
                      {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    result = verify(doc)
    note = result.notes[0]
    assert (note.code, note.get("node"), note.get("sample"), note.get("activation")) == ("kink", "j_in", 1, "relu")
    data = result.to_dict()
    assert data["note_codes"][0]["code"] == "kink" and data["notes"] == [note_text(note)]
    assert "j_in = 0 (sample 1) is at relu's kink" in data["notes"][0]
    assert "titik patah relu" in note_text(note, "id")
    assert set(NOTES["en"]) == set(NOTES["id"])
