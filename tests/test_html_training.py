"""The HTML page's training part: the optimizer's tables per step (each on its own step of the selector), the
l1/l2 penalty in the loss and in each ∂L/∂w, the clipping line — the same rows as the text page."""

import re
from pathlib import Path

from backcalc.net.derivation import explain, explain_steps
from backcalc.net.spec import load_spec
from backcalc.render import html
from backcalc.render.labels import labels

EXAMPLES = Path(__file__).resolve().parent.parent / "worked_examples"


def _sections(page):
    return re.findall(r'<section class="step" data-step="(\d+)"[^>]*>(.*?)</section>', page, flags=re.S)


def test_adam_page_has_the_optimizer_tables_not_the_sgd_table():
    d = explain(load_spec(EXAMPLES / "adam_first_step.toml"))
    page = html.render(d)
    assert "SGD update" not in page
    assert "<h2>Update: Adam (lr 0.1, β1 0.9, β2 0.999, ε 1e-08)</h2>" in page
    assert '<h4 data-param="w_ij1">w_ij1 (W1[0][0])</h4>' in page
    # every row is linked to its parameter in the picture, and the numbers are the text page's
    assert ('<tr data-param="w_ij1"><td>m</td><td>β1·m + (1 − β1)·g</td><td>0.9·0 + (1 − 0.9)·(-0.0024952)</td>'
            "<td>0</td><td>-0.00024952</td></tr>") in page
    assert page.count("<h4 data-param=") == len(d.updates)


def test_each_step_of_the_selector_shows_its_own_step():
    spec = load_spec(EXAMPLES / "momentum_3_steps.toml")
    d = explain(spec)
    page = html.render(d, steps=explain_steps(spec))
    sections = _sections(page)
    assert [k for k, _ in sections] == ["1", "2", "3"]
    state = d.to_dict()["state"]
    for k, body in sections:
        assert f"<h3>Step {k}</h3>" in body and body.count("<h3>Step ") == 1
        # the velocity of w_ij1 after step k, as the JSON's momentum_buffer (5 digits)
        v = state[int(k) - 1]["W1"]["momentum_buffer"][0][0]
        row = re.search(r'<tr data-param="w_ij1"><td>v</td>(.*?)</tr>', body).group(1)
        assert re.findall(r"<td>([^<]*)</td>", row)[-1] == f"{v:.5g}"


def test_penalty_and_its_own_term_on_every_step():
    spec = load_spec(EXAMPLES / "l2_221.toml")
    d = explain(spec)
    page = html.render(d)
    assert '<div class="eq">L = data loss + λ₂·Σw² = 0.041456 + 0.01·2.375 = 0.065206</div>' in page
    assert "Regularisation&#x27;s own term" in page or "Regularisation's own term" in page
    assert '<tr data-param="w_x1h1"><td>∂L/∂w_x1h1</td><td>-0.0058038</td>' in page
    # a later step's page shows that step's penalty (its own weights), not the first step's
    import copy

    doc = copy.deepcopy(spec.raw)
    doc["train"]["steps"] = 2
    spec2 = load_spec(doc)
    pages = explain_steps(spec2)
    second = "".join(html.render(pages[1]).split("<h2>Loss</h2>")[1:])
    assert pages[1].training.penalty.sum_squares != d.training.penalty.sum_squares
    assert f"0.01·{pages[1].training.penalty.sum_squares:.5g}" in second


def test_clipping_line_on_the_page():
    import copy

    spec = load_spec(EXAMPLES / "adam_first_step.toml")
    doc = copy.deepcopy(spec.raw)
    doc["train"]["clip_norm"] = 0.001
    page = html.render(explain(load_spec(doc)))
    assert "clipping: ‖g‖ over all parameters" in page and "every gradient is multiplied by the scale" in page


def test_indonesian_headings():
    d = explain(load_spec(EXAMPLES / "adam_first_step.toml"))
    page = html.render(d, lang="id")
    assert labels("id")["train"]["with_numbers"] in page and "Langkah 1" in page
