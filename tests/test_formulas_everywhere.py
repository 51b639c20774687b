"""Every formula a student sees, in every format: each activation's forward and derivative, each loss and its
∂L/∂out. The expected text is written here by hand (not read from the rule or loss table), and every number
beside it is computed here from the net's definition with ``math``, so a wrong table entry, a renderer that
writes another function's name, or two swapped columns fails."""

import json
from pathlib import Path
import math
import re

import pytest

from backcalc import explain
from backcalc.render import renderer
from backcalc.render.labels import localize

X = [[0.5, -1.0], [1.5, 0.25]]
W1 = [[0.5, -0.25], [0.75, 0.5]]
B1 = [0.1, -0.2]


def spec(hidden="sigmoid", loss="half_sse", out="linear", outputs=1, samples=1):
    if loss == "cross_entropy":
        y = [0, 1][:samples]
    elif loss == "bce":
        y = [[1.0] * outputs, [0.0] * outputs][:samples]
    else:
        y = [[0.25] * outputs, [-0.5] * outputs][:samples]
    return {"format": 1, "data": {"x": X[:samples], "y": y},
            "layers": [{"name": "j", "activation": hidden, "weights": W1, "bias": B1},
                       {"name": "o", "activation": out, "weights": [[0.5 + k for k in range(outputs)], [-0.5] * outputs],
                        "bias": [0.0] * outputs}],
            "loss": {"kind": loss}}


def render(d, fmt, lang="en"):
    return renderer(fmt).render(d, lang=lang)


def g5(v):
    text = f"{v:.5g}"
    return "0" if text in ("-0", "0") else text


# unit j1 of sample 1: z = 0.5·0.5 + 0.75·(−1) + 0.1 = −0.4 (j2: −0.825)
Z1 = -0.4
SELU_L, SELU_A = 1.0507009873554805, 1.6732632423543772
FORWARD = {  # activation: (f(−0.4), the text line's formula part, the LaTeX of f(j1_in), ∂j1_out/∂j1_in as written)
    "linear": (Z1, "j1_out = j1_in = ", r"j1_{\text{out}} &= j1_{\text{in}} = ", "1"),
    "relu": (0.0, "j1_out = max(0, j1_in) = max(0, -0.4) = ", r"\max(0, j1_{\text{in}})", "[j1_in > 0]"),
    "leaky_relu": (0.01 * Z1, "j1_out = leaky_relu(j1_in) = leaky_relu(-0.4) = ", r"\operatorname{LeakyReLU}",
                   "1 if j1_in > 0 else 0.01"),
    "elu": (math.expm1(Z1), "j1_out = elu(j1_in) = elu(-0.4) = ", r"\operatorname{ELU}",
            "1 if j1_in > 0 else j1_out + 1"),
    "selu": (SELU_L * SELU_A * math.expm1(Z1), "j1_out = selu(j1_in) = selu(-0.4) = ", r"\operatorname{SELU}",
             "λ if j1_in > 0 else j1_out + λα"),
    "sigmoid": (1 / (1 + math.exp(0.4)), "j1_out = σ(j1_in) = 1/(1 + e^(−j1_in)) = σ(-0.4) = ",
                r"\sigma(j1_{\text{in}}) = 1/(1 + e^{-j1_{\text{in}}})", "σ(j1_in)·(1−σ(j1_in))"),
    "tanh": (math.tanh(Z1), "j1_out = tanh(j1_in) = tanh(-0.4) = ", r"\tanh(j1_{\text{in}})", "1 − tanh²(j1_in)"),
}
# each activation's function name as the pages write it; no page of another activation may show it
NAMES = {"relu": "max(0, ", "leaky_relu": "leaky_relu(", "elu": "elu(", "selu": "selu(", "sigmoid": "σ(",
         "tanh": "tanh("}
TEX_NAMES = {"relu": r"\max(0,", "leaky_relu": "LeakyReLU", "elu": "{ELU}", "selu": "SELU", "sigmoid": r"\sigma",
             "tanh": r"\tanh"}


def _local(act, z, a):
    """∂a/∂z of the activation at z (a = f(z)), from its definition."""
    return {"linear": 1.0, "relu": float(z > 0), "leaky_relu": 1.0 if z > 0 else 0.01,
            "elu": 1.0 if z > 0 else a + 1.0, "selu": SELU_L if z > 0 else a + SELU_L * SELU_A,
            "sigmoid": a * (1 - a), "tanh": 1 - a * a}[act]


def _by_hand(act):
    """Unit j1 of sample 1 in the half_sse net: (out, ∂L/∂j1_out, δ_j1), by the chain rule written out here."""
    f = {"linear": lambda z: z, "relu": lambda z: max(z, 0.0), "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
         "elu": lambda z: z if z > 0 else math.expm1(z), "selu": lambda z: SELU_L * (z if z > 0 else SELU_A * math.expm1(z)),
         "sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh}[act]
    z = [0.5 * 0.5 + 0.75 * -1.0 + 0.1, -0.25 * 0.5 + 0.5 * -1.0 - 0.2]
    a = [f(v) for v in z]
    o = 0.5 * a[0] - 0.5 * a[1]
    upstream = (o - 0.25) * 0.5               # ∂L/∂o_out · w_j1o (linear output)
    return a[0], upstream, upstream * _local(act, z[0], a[0])


@pytest.mark.parametrize("act", list(FORWARD))
def test_an_activation_is_written_alike_in_every_format_and_language(act):
    value, line, tex, local = FORWARD[act]
    d = explain(spec(act))
    out, upstream, delta = _by_hand(act)
    assert g5(out) == g5(value)
    others = [n for a, n in NAMES.items() if a != act]
    tex_others = [n for a, n in TEX_NAMES.items() if a != act]
    for lang in ("en", "id"):
        text, md = render(d, "text", lang), render(d, "markdown", lang)
        # a piecewise derivative in the page's words: "1 if z > 0 else 0.01", "1 bila z > 0, selainnya 0.01"
        written = local if lang == "en" else local.replace(" if ", " bila ").replace(" else ", ", selainnya ")
        for page in (text, md):
            assert line + g5(value) in page, (act, lang)
            product = f"({written})" if re.search(r" [+−] | if | bila ", written) else written  # a sum or cases: (…)
            assert f"{g5(upstream)} · {product}" in page or f"({g5(upstream)}) · {product}" in page or \
                f"| {g5(upstream)} | {written} |" in page.replace("  ", " ").replace("  ", " "), (act, lang)
            # the layer's rows name its own function and no other one
            layer = page[page.index("(j, "):page.index("(o, ")]
            assert not [n for n in others if re.search(r"(?<![a-z_])" + re.escape(n), layer)], (act, layer)
        tex_page = render(d, "latex", lang)
        assert tex in tex_page, (act, lang)
        layer = tex_page[tex_page.index("(j, "):tex_page.index("(o, ")]
        assert not [n for n in tex_others if n in layer], (act, lang)
        dot = render(d, "dot", lang)
        assert f"<B>j1  ({act})</B>" in dot
    factors = [f for t in json.loads(render(d, "json"))["terms"] for f in t["factors"] if f["name"] == "∂j1_out/∂j1_in"]
    assert factors and {f["formula"] for f in factors} == {local}
    assert {g5(f["value"]) for f in factors} == {g5(_local(act, Z1, out))}


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "elu"])
def test_dot_puts_each_gradient_in_its_own_row(act):
    # ∂L/∂out above δ = ∂L/∂in, each the value the chain rule gives (swapping the two rows fails here)
    out, upstream, delta = _by_hand(act)
    dot = render(explain(spec(act)), "dot")
    node = dot[dot.index("<B>j1  ("):dot.index("<B>j2  (")]
    got = dict(re.findall(r"(∂L/∂out|δ = ∂L/∂in) = ([-0-9.e]+)<", node))
    assert got == {"∂L/∂out": g5(upstream), "δ = ∂L/∂in": g5(delta)}
    assert f"out = {g5(out)}<" in node and "in = -0.4<" in node


def test_softmax_is_written_as_its_definition():
    d = explain(spec("tanh", "cross_entropy", "softmax", 2, 2))
    for fmt in ("text", "markdown"):
        page = render(d, fmt)
        assert re.search(r"o1_out = e\^\(o1_in\) / Σ e\^\(in\) = [0-9.]+\n", page)
        assert "s_i·(δ_ij − s_j)" not in page.split("Backward")[0]
    assert "<B>o1  (softmax)</B>" in render(d, "dot")


# ── losses: L and ∂L/∂out ──

def _hidden(sample):
    z = [X[sample][0] * W1[0][c] + X[sample][1] * W1[1][c] + B1[c] for c in range(2)]
    return [1 / (1 + math.exp(-v)) for v in z]


def _outputs(sample, outputs):
    a = _hidden(sample)
    return [(0.5 + k) * a[0] - 0.5 * a[1] for k in range(outputs)]


LOSSES = {  # (loss, output activation, outputs, samples): (the L line with names, ∂L/∂(first output) written out)
    ("half_sse", "linear", 1, 1): ("L = ½·(o_out − y_o)² = ½·(", "∂L/∂o_out = o_out − y_o = "),
    ("half_sse", "linear", 2, 1): ("L = ½·((o1_out − y_o1)² + (o2_out − y_o2)²) = ½·((", "∂L/∂o1_out = o1_out − y_o1 = "),
    ("sse", "linear", 1, 1): ("L = (o_out − y_o)² = (", "∂L/∂o_out = 2·(o_out − y_o) = "),
    ("mse", "linear", 2, 1): ("L = ((o1_out − y_o1)² + (o2_out − y_o2)²)/2 = ((", "∂L/∂o1_out = 2·(o1_out − y_o1)/2 = "),
    ("mse", "linear", 1, 2): ("L = ((o_out − y_o)²) = ((", "∂L/∂o_out = 2·(o_out − y_o)/2 = "),
    ("bce", "sigmoid", 1, 1): ("L = (−(y·ln o_out + (1−y)·ln(1−o_out))) = (−(1·ln ",
                               "∂L/∂o_out = (o_out − y_o) / (o_out·(1 − o_out)) = "),
    ("bce", "linear", 1, 2): ("L = ln(1 + exp(o_out)) − y·o_out = ln(1 + exp(", "∂L/∂o_out = (σ(o_out) − y_o)/2 = "),
    ("cross_entropy", "softmax", 2, 1): ("L = −ln(o1_out) = −ln(", "∂L/∂o1_out = −[o1 is the true class]/o1_out = "),
    ("cross_entropy", "softmax", 2, 2): (None, "∂L/∂o1_out = −[o1 is the true class]/(2·o1_out) = "),
    ("cross_entropy", "linear", 2, 2): ("L = ln(exp(o1_out) + exp(o2_out)) − o1_out = ln(exp(",
                                        "∂L/∂o1_out = (softmax(o1_in) − [o1 is the true class])/2 = "),
}
LOGIT_TITLES = {"bce": ("binary cross-entropy ln(1 + exp(out)) − y·out",) * 2,
                "cross_entropy": ("cross-entropy ln Σ exp(out) − out[y]",) * 2}
TITLES = {"half_sse": ("half squared error ½·Σ(out − y)²", "setengah galat kuadrat ½·Σ(out − y)²"),
          "sse": ("squared error Σ(out − y)²", "galat kuadrat Σ(out − y)²"),
          "mse": ("mean squared error mean((out − y)²)", "rata-rata galat kuadrat mean((out − y)²)"),
          "bce": ("binary cross-entropy −(y·ln out + (1−y)·ln(1−out))",) * 2,
          "cross_entropy": ("cross-entropy −ln(probability of the true class)", "cross-entropy −ln(peluang kelas yang benar)")}


def _first_gradient(loss, act, outputs, samples):
    """∂L/∂(first output) of sample 1, from the loss's definition (the sign included)."""
    o = _outputs(0, outputs)
    mean = samples if loss in ("mse", "bce", "cross_entropy") and samples > 1 else 1
    if loss == "half_sse":
        return (o[0] - 0.25) / mean
    if loss == "sse":
        return 2 * (o[0] - 0.25) / mean
    if loss == "mse":
        return 2 * (o[0] - 0.25) / (outputs * mean)
    if loss == "bce":
        p = o[0] if act == "sigmoid" else 1 / (1 + math.exp(-o[0]))
        if act == "sigmoid":  # the spec's sigmoid output layer: o is σ of the pre-activation
            p = 1 / (1 + math.exp(-o[0]))
            return (p - 1.0) / (p * (1 - p)) / (outputs * mean)
        return (p - 1.0) / (outputs * mean)
    e = [math.exp(v) for v in o]
    s = [v / sum(e) for v in e]
    if act == "softmax":
        return -1 / s[0] / mean   # −[true]/p for the true class 0 of sample 1
    return (s[0] - 1) / mean


@pytest.mark.parametrize("case", list(LOSSES))
def test_a_loss_and_its_gradient_are_written_alike_in_every_format_and_language(case):
    loss, act, outputs, samples = case
    line, grad = LOSSES[case]
    d = explain(spec("sigmoid", loss, act, outputs, samples))
    expected = _first_gradient(loss, act, outputs, samples)
    first = next(u for u in d.upstream if u.sample == 1 and u.layer == 2)
    assert g5(first.value) == g5(expected)
    titles = LOGIT_TITLES[loss] if act == "linear" and loss in LOGIT_TITLES else TITLES[loss]
    for lang, title in zip(("en", "id"), titles):
        for fmt in ("text", "markdown"):
            page = render(d, fmt, lang)
            assert f"loss: {title}, " in page, (case, fmt, lang)
            if line:
                assert line in page, (case, fmt, lang)
            assert localize(grad, lang) + g5(expected) in page, (case, fmt, lang)  # words in the page's language
        tex = render(d, "latex", lang)
        assert "loss: " + title.replace("½", r"$\frac{1}{2}$").replace("Σ", r"$\Sigma$").replace("·", r"$\cdot$") \
            .replace("−", "-").replace("²", "$^2$") in tex, (case, lang)
        assert r"\frac{\partial L}{\partial o" in tex
        dot = render(d, "dot", lang)
        assert f"L = {g5(d.loss)}<" in dot
    data = json.loads(render(d, "json"))
    assert data["loss_kind"] == loss and g5(data["loss"]) == g5(d.loss)


def test_the_cross_entropy_gradient_has_the_sign_of_its_value():
    # the true class's ∂L/∂p = −1/p is negative, and the page says so with its "−"
    d = explain(spec("sigmoid", "cross_entropy", "softmax", 2, 1))
    text = render(d, "text")
    assert re.search(r"∂L/∂o1_out = −\[o1 is the true class\]/o1_out = -[0-9.]+\n", text)
    assert re.search(r"∂L/∂o2_out = −\[o2 is the true class\]/o2_out = 0\n", text)


# ── grad: the rule table's own LaTeX and text, with sympy's independent closed form beside them ──

GRAD = {  # program: (the node's LaTeX, its derivative's LaTeX, the text expression, the text derivative)
    "sigmoid(x)": (r"f &= \sigma(x) = ", r"&= \sigma(x)\,(1-\sigma(x)) = ", "σ(x)", "σ(x)·(1−σ(x))"),
    "tanh(x)": (r"f &= \tanh x = ", r"&= 1-\tanh^2 x = ", "tanh(x)", "1 − tanh²(x)"),
    "relu(x)": (r"f &= \max(0, x) = ", r"&= [x > 0] = ", "max(0, x)", "[x > 0]"),
}


@pytest.mark.parametrize("program", list(GRAD))
def test_grad_writes_each_activation_from_the_rule_table(program):
    from backcalc.program.run import grad
    from backcalc.render import grad as pages

    tex_node, tex_local, node, local = GRAD[program]
    result = grad(program, {"x": 0.5})
    tex = pages.render(result, "latex")
    assert tex_node in tex and tex_local in tex, tex
    functions = {"sigmoid(x)": r"\sigma", "tanh(x)": r"\tanh", "relu(x)": r"\max"}
    tape_side = tex.split("(tape)")[0]  # sympy's own closed form follows
    assert [f for p, f in functions.items() if f in tape_side] == [functions[program]]
    text = pages.render(result, "text")
    assert node in text and local in text, text


def test_a_delta_row_puts_a_difference_factor_in_parentheses():
    """δ = upstream · (1 − tanh²(z)), never upstream · 1 − tanh²(z), which reads as (upstream·1) − tanh²(z)."""
    from click.testing import CliRunner

    from backcalc.cli import main

    spec = str(Path(__file__).resolve().parents[1] / "worked_examples" / "tanh_net.toml")
    text = CliRunner().invoke(main, ["explain", spec]).output
    assert "0.23271 · (1 − tanh²(h1_in))" in text and "· 1 − tanh²" not in text
    latex = CliRunner().invoke(main, ["explain", spec, "--format", "latex"]).output
    assert r"0.23271 \cdot(1 - \tanh^2(h1_{\text{in}}))" in latex and r"\cdot 1 - \tanh" not in latex


# ── the check's mistake sentences: formulas and names from the tables, never spelled by the renderer ──

@pytest.mark.parametrize("activation, bad, good", [
    ("sigmoid", "σ(k1_out)·(1−σ(k1_out))", "σ(k1_in)·(1−σ(k1_in))"),
    ("tanh", "1 − tanh²(k1_out)", "1 − tanh²(k1_in)"),
])
def test_a_derivative_at_the_wrong_place_is_written_as_the_page_writes_it(activation, bad, good):
    from backcalc.grading.mistakes import Mistake
    from backcalc.render.check import describe

    text = describe([Mistake("local_at_out", (("layer", "k1"), ("activation", activation)))])
    assert f"{bad} where {good} belongs" in text


def test_the_squared_loss_in_a_factor_2_sentence_is_the_loss_tables():
    from backcalc.grading.mistakes import Mistake
    from backcalc.render.check import describe

    assert describe([Mistake("half", (("loss", "half_sse"),))]) == \
        "a factor 2 too small: ½ put in twice (∂/∂out of ½·(out − y)² is out − y)"
    assert describe([Mistake("double", (("loss", "half_sse"),))], "id") == "kelebihan faktor 2: ½ pada L = ½·(out − y)² terlupa"


def test_names_in_a_mistake_sentence_follow_the_naming_convention():
    from backcalc.grading.mistakes import Mistake
    from backcalc.render.check import describe

    text = describe([Mistake("extra_out", (("unit", "j2"), ("next", "k1")))])
    assert text.startswith("an extra factor j2_out in ∂L/∂j2_out (j2_out belongs to ∂L/∂w_j2k1; ∂k1_in/∂j2_out = w_j2k1)")
    elu = describe([Mistake("local_at_in", (("layer", "k1"), ("activation", "elu")))], "id")
    assert "elu′ dengan k1_in sebagai k1_out" in elu and " with " not in elu


def test_a_negative_target_is_written_in_parentheses_in_the_loss_line():
    from backcalc.net.derivation import explain as derive
    from backcalc.render import text

    d = derive({"format": 1, "data": {"x": [[1.0]], "y": [[-0.2]]},
                "layers": [{"name": "o", "activation": "linear", "weights": [[0.5]], "bias": [0.0]}]})
    page = text.render(d)
    assert "½·(0.5 − (-0.2))²" in page and "− -0.2" not in page
