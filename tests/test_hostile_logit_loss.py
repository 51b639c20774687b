"""bce and cross_entropy on a linear output layer: the page writes the loss the tape computed from the logits
(log-sum-exp, softplus), never ln of a logit (issue #13, "Text formulas wrong while numbers are right")."""

import math
import re

import pytest

from backcalc.net.derivation import explain
from backcalc.render import latex, markdown, text

CE = {"format": 1, "data": {"x": [[1.0, 2.0]], "y": [1]},
      "layers": [{"name": "o", "activation": "linear", "weights": [[0.25, -0.5], [0.5, 0.125]], "bias": [0.0, 0.1]}],
      "loss": {"kind": "cross_entropy"}}
BCE = {"format": 1, "data": {"x": [[1.0, 2.0], [0.5, -1.0]], "y": [[1.0, 0.0], [0.0, 1.0]]},
       "layers": [{"name": "o", "activation": "linear", "weights": [[0.25, -0.5], [-0.5, 0.125]], "bias": [0.0, 0.1]}],
       "loss": {"kind": "bce"}}


def loss_lines(spec):
    page = text.render(explain(spec))
    page = page[page.index("\nLoss\n"):page.index("\nBackward pass")]  # the Loss section only
    lines = [line.strip() for line in page.splitlines() if line.strip().startswith(("L = ", "[sample"))]
    lines = [line.split("] ", 1)[1] if line.startswith("[") else line for line in lines if "L = " in line]
    return [line for line in lines if line.startswith("L = ") and "mean over" not in line]


def evaluate(written: str) -> float:
    """The numbers side of a loss line, evaluated here (ln, exp, −, ·) to confirm it is the loss."""
    expr = written.replace("−", "-").replace("·", "*").replace("ln(", "log(")
    assert re.fullmatch(r"[0-9eE.+\-*/() logxp]+", expr), expr
    return eval(expr, {"__builtins__": {}}, {"log": math.log, "exp": math.exp})  # our own output, test-only


def test_cross_entropy_of_logits_is_log_sum_exp():
    (line,) = loss_lines(CE)
    assert "−ln(o" not in line and line.startswith("L = ln(exp(o1_out) + exp(o2_out)) − o2_out = ")
    numbers = line.split(" = ")[2]
    z1, z2 = 0.25 * 1 + 0.5 * 2 + 0.0, -0.5 * 1 + 0.125 * 2 + 0.1
    truth = math.log(math.exp(z1) + math.exp(z2)) - z2  # −ln softmax(z)[1], by hand
    assert evaluate(numbers) == pytest.approx(truth, rel=1e-4)
    assert explain(CE).loss == pytest.approx(truth, rel=1e-12)


def test_bce_of_logits_is_softplus_minus_y_times_logit():
    lines = loss_lines(BCE)
    first = lines[0]
    assert "L = ((ln(1 + exp(o1_out)) − y_o1·o1_out) + (ln(1 + exp(o2_out)) − y_o2·o2_out))/2 = " in first and "ln(1−" not in "\n".join(lines)
    d = explain(BCE)
    for line, value in zip(lines, d.loss_record.per_sample):
        assert evaluate(line.split(" = ")[2]) == pytest.approx(value, rel=1e-4)
    # BCE with logits by hand: ln(1 + e^z) − y·z per output, mean over outputs, for sample 1
    z = [0.25 * 1 - 0.5 * 2, -0.5 * 1 + 0.125 * 2 + 0.1]
    hand = sum(math.log1p(math.exp(zi)) - yi * zi for zi, yi in zip(z, [1.0, 0.0])) / 2
    assert d.loss_record.per_sample[0] == pytest.approx(hand, rel=1e-12)


def test_the_title_and_every_format_use_the_logit_form():
    d = explain(CE)
    assert "ln Σ exp(out) − out[y]" in text.render(d)
    assert "ln Σ exp(out) − out[y]" in markdown.render(d)
    tex = latex.render(d)
    assert r"\ln(\exp(o1_{\text{out}}) + \exp(o2_{\text{out}})) - o2_{\text{out}}" in tex
    assert r"\ln(o2" not in tex


def test_probability_outputs_keep_the_probability_form():
    spec = {**CE, "layers": [{**CE["layers"][0], "activation": "softmax"}]}
    (line,) = loss_lines(spec)
    assert line.startswith("L = −ln(o2_out) = ")
