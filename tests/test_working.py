"""The symbolic working and the matrix form: every step of a working is sympy's own derivative, every matrix
product of the matrix form holds between the records' matrices (numpy), and every page shows both."""

import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from backcalc.net.derivation import explain
from backcalc.net.matrix_form import matrix_form
from backcalc.net.symbolic import symbolic_working
from backcalc.render import html, latex, markdown, text
from backcalc.tape.losses import KINDS
from backcalc.tape.workings import activation_working, loss_working

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "worked_examples").glob("*.toml") if "[[layers]]" in p.read_text())


def to_sympy(formula: str, names: dict):
    """One of backcalc's own formulas (never user text) as a sympy expression, for this test only."""
    s = formula
    s = re.sub(r"tanh²\((\w+)\)", r"tanh(\1)**2", s)
    s = re.sub(r"\[(\w+) is the true class\]", "t", s)
    s = re.sub(r"ln (\w+)", r"log(\1)", s)
    s = s.replace("e^(", "exp(").replace("ln(", "log(").replace("σ(", "sig(").replace("^", "**")
    s = s.replace("²", "**2").replace("·", "*").replace("−", "-").replace("½", "(1/2)")
    local = {"sig": lambda x: 1 / (1 + sp.exp(-x)), "exp": sp.exp, "log": sp.log, "tanh": sp.tanh,
             "softmax": lambda x: names["softmax"], **names}
    return sp.sympify(s, locals=local)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "linear"])
def test_every_step_of_an_activation_working_is_its_derivative(name):
    z = sp.Symbol("z")
    w = activation_working(name)
    lines = w.lines
    if lines[0].reason == "definition":
        f = to_sympy(lines[0].rhs, {"z": z})
        truth = sp.diff(f, z)
        steps = lines[1:]
    else:
        truth = sp.diff(z, z)
        steps = lines
    assert len(steps) >= 1
    for line in steps:
        assert sp.simplify(to_sympy(line.rhs, {"z": z}) - truth) == 0, line


def test_a_wrong_step_is_caught():
    z = sp.Symbol("z")
    good = to_sympy("e^(−z)/(1 + e^(−z))²", {"z": z})
    wrong = to_sympy("e^(−z)/(1 + e^(−z))", {"z": z})
    truth = sp.diff(to_sympy("1/(1 + e^(−z))", {"z": z}), z)
    assert sp.simplify(good - truth) == 0 and sp.simplify(wrong - truth) != 0


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("cross_entropy", "bce_with_logits")])
@pytest.mark.parametrize("samples,outputs,reduction", [(1, 1, "sum"), (2, 2, "mean"), (3, 1, "sum"), (2, 1, "mean")])
def test_every_step_of_a_loss_working_is_its_derivative(kind, samples, outputs, reduction):
    units = ("o1", "o2")[:outputs]
    syms = {f"{u}_{p}": sp.Symbol(f"{u}_{p}", positive=True) for u in units for p in ("out", "in")}
    syms.update({f"y_{u}": sp.Symbol(f"y_{u}") for u in units})
    for activation in (("linear", "sigmoid") if kind == "bce" else ("linear",)):
        w = loss_working(kind, units[0], samples, outputs, reduction, activation, units)
        per_sample = to_sympy(w.lines[0].rhs, syms)
        scale = sp.Rational(1, samples) if reduction == "mean" and samples > 1 else 1
        truth = sp.diff(scale * per_sample, syms[f"{units[0]}_out"])
        for line in w.lines[1:]:
            assert sp.simplify(to_sympy(line.rhs, syms) - truth) == 0, (kind, activation, line)


@pytest.mark.parametrize("true_class", [0, 1])
def test_cross_entropy_workings_are_its_derivative(true_class):
    o1, o2 = sp.symbols("o1_out o2_out", positive=True)
    t = 1 if true_class == 0 else 0
    # softmax outputs: L = −ln(p of the true class)
    p_true = (o1, o2)[true_class]
    truth = sp.diff(-sp.log(p_true) / 2, o1)
    for line in loss_working("cross_entropy", "o1", 2, 2, "mean", "softmax").lines[1:]:
        assert sp.simplify(to_sympy(line.rhs, {"o1_out": o1, "t": t}) - truth) == 0, line
    # linear outputs are logits: L = −ln softmax(logits)[true]
    s1 = sp.exp(o1) / (sp.exp(o1) + sp.exp(o2))
    loss = -sp.log((s1, 1 - s1)[true_class])
    truth = sp.diff(loss / 2, o1)
    for line in loss_working("cross_entropy", "o1", 2, 2, "mean", "linear").lines[1:]:
        value = to_sympy(line.rhs.replace("softmax(o1_in)", "S"), {"S": s1, "t": t})
        assert sp.simplify(value - truth) == 0, line


def test_the_net_names_and_the_general_rule():
    blocks = {b.topic + ":" + b.subject: b for b in symbolic_working(explain())}
    ws = [(line.lhs, line.rhs) for line in blocks["weighted_sum:o"].working.lines]
    assert ("∂o_in/∂w_k1o", "k1_out") in ws and ("∂o_in/∂b_o", "1") in ws and ("∂o_in/∂k1_out", "w_k1o") in ws
    rule = [(line.lhs, line.rhs) for line in blocks["delta_rule:k1"].working.lines]
    assert ("δ_j", "f′(j_in)·Σ_k w_jk·δ_k") in rule and ("δ_k1", "σ′(k1_in)·(w_k1o·δ_o)") in rule
    sig = [line.rhs for line in blocks["activation:sigmoid"].working.lines]
    assert sig[0] == "1/(1 + e^(−z))" and sig[-2] == "σ(z)·(1−σ(z))" and sig[-1] == "σ(k1_in)·(1−σ(k1_in))"
    assert blocks["loss:o"].working.lines[-1].rhs == "o_out − y_o"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_matrix_form_multiplies_out(path):
    d = explain(str(path))
    form = matrix_form(d)
    for m in form:
        a, delta, W = np.array(m.a_prev), np.array(m.delta), np.array(m.W)
        data = a.T @ delta
        if m.W_term is not None:  # a penalty: dW = aᵀ·δ + its own term (tests/test_matrix_extras.py: PyTorch's)
            np.testing.assert_allclose(data, np.array(m.dW_data), rtol=1e-12, atol=1e-15)
            data = data + np.array(m.W_term)
        np.testing.assert_allclose(data, np.array(m.dW), rtol=1e-12, atol=1e-15)
        if m.db is not None:
            db = delta.sum(axis=0) + (np.array(m.b_term) if m.b_term is not None else 0)
            np.testing.assert_allclose(db, np.array(m.db), rtol=1e-12, atol=1e-15)
        if m.grad_drop is not None:  # dropout: ∂L/∂a = ∂L/∂drop ⊙ M/(1 − p)
            np.testing.assert_allclose(np.array(m.grad_drop) * np.array(m.drop_scale), np.array(m.grad_a),
                                       rtol=1e-12, atol=1e-15)
        if m.local is not None:
            np.testing.assert_allclose(np.array(m.grad_a) * np.array(m.local), delta, rtol=1e-12, atol=1e-15)
        if m.grad_a_prev is not None:  # a skip's sum: every layer adding a(n−1) passes its ∂L/∂a back
            back = delta @ W.T + sum((np.array(g) for _, g in m.skips), np.zeros_like(delta @ W.T))
            np.testing.assert_allclose(back, np.array(m.grad_a_prev), rtol=1e-12, atol=1e-15)
        if m.W_new is not None:  # plain SGD: the new weights, shaped like W, are W − η·dW
            np.testing.assert_allclose(np.array(m.W_new), W - d.spec.learning_rate * data, rtol=1e-12)
        if m.b_new is not None:
            np.testing.assert_allclose(np.array(m.b_new), np.array(m.db) * -d.spec.learning_rate +
                                       d.spec.layers[m.layer - 1].bias, rtol=1e-12)
        plain_sgd = d.training is None or d.training.plain_sgd
        assert (m.W_new is not None) == plain_sgd, path.name
    first, rest = d.spec.layers[0], d.spec.layers[1:]
    on_h_T = first.kind == "rnn" and not first.sequence   # the dense layers after an rnn handing them H_T
    shown = ("dense", "batchnorm", "layernorm")   # a normalisation layer's form is its own (test_matrix_norm.py)
    plain = all(x.kind in shown for x in rest) and (first.kind in shown or on_h_T)
    assert bool(form) == (plain and d.shows_detail()), path.name


def test_every_page_shows_the_working_and_the_matrices_in_both_languages():
    d = explain()
    for lang, title, matrices in (("en", "Symbolic working", "Matrix form"), ("id", "Uraian simbolik", "Bentuk matriks")):
        for render in (text.render, markdown.render, latex.render, html.render):
            page = render(d, lang=lang)
            assert title in page and matrices in page, (render.__module__, lang)
        page = text.render(d, lang=lang)
        assert "dW2 = a1ᵀ·δ2" in page and "[[1.5], [2], [2.5], [3]]·[[-0.0012476, -0.0016814]]" in page
        assert "W3′ = W3 − 0.25·dW3\n" in page and "= [[1.1261], [0.62561]]" in page  # w_k1o 1 → 1.1261
        assert "σ′(z) = −1/(1 + e^(−z))²·(−e^(−z))" in page and "o_out − y_o" in page
