"""The LaTeX page: every section of the text page, every equation on the page, compiled where pdflatex exists."""

import shutil
import subprocess
from pathlib import Path

import pytest

from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec, with_steps
from backcalc.render import latex
from backcalc.render.format import num
from backcalc.render.texmath import equation_rows, to_tex

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "worked_examples").glob("*.toml") if "[[layers]]" in p.read_text())


def derivation(name, steps=None):
    spec = load_spec(str(ROOT / "worked_examples" / f"{name}.toml"))
    return explain(with_steps(spec, steps) if steps else spec)


def test_text_formulas_become_math():
    assert to_tex("∂L/∂k1_out") == r"\frac{\partial L}{\partial k1_{\text{out}}}"
    assert to_tex("1/(1 + e^(−k1_in))") == r"1/(1 + e^{-k1_{\text{in}}})"
    assert to_tex("½·(o_out − y_o)²") == r"\tfrac{1}{2} \cdot(o_{\text{out}} - y_{o})^2"
    assert to_tex("1.2e-05") == r"1.2\times 10^{-5}"
    assert r"[o1 \text{ is the true class}]" in to_tex("−[o1 is the true class]/o1_out")
    assert to_tex("a & b") == r"a \text{\&} b"  # a stray special is text, escaped


def test_long_sums_break_across_rows():
    side = " + ".join(f"w_j{k}k1·j{k}_out" for k in range(1, 9))
    rows = equation_rows("k1_in", [side, "6"], width=40)
    assert len(rows) >= 3 and rows[0].startswith(r"k1_{\text{in}} &= ") and rows[0].endswith("+")
    assert all(len(r) < 200 for r in rows)


def test_every_section_of_the_text_page():
    tex = latex.render(derivation("seed004"))
    for needle in [r"\section*{1 $\rightarrow$ 4 ReLU",           # title
                   "input 2; target 3",                           # the givens
                   "learning rate 0.25",
                   r"(2.4942 - 3)^2",                              # L with its numbers substituted
                   r"o_{\text{out}} - y_{o}",                      # ∂L/∂o_out's formula
                   r"\delta_{k1}", r"\sigma(k1_{\text{in}})",     # the δ section with σ′
                   r"\frac{\partial L}{\partial w_{ij1}}", "-0.0024952",
                   "change %".replace("%", r"\%"), "0.0082799"]:
        assert needle in tex, needle


def test_batch_rows_are_labelled_and_steps_show_history_and_final_parameters():
    tex = latex.render(derivation("softmax_batch", steps=3))
    assert r"\emph{sample 1}" in tex and r"\intertext{\emph{sample 2}}" in tex
    assert r"\tag*{sample 2}" in tex and "L_{1}" in tex and "summed over the 2 samples" in tex
    d = derivation("softmax_batch", steps=3)
    assert "Loss history" in tex and "Parameters after 3 steps" in tex
    for step, loss in d.history:
        assert f"{step} & ${num(loss)}$" in tex
    assert r"W_{2} = \begin{pmatrix}" in tex and num(d.updated["W2"][0][0]) in tex


def test_indonesian_page():
    tex = latex.render(derivation("softmax_batch"), lang="id")
    assert "Langkah maju" in tex and r"\emph{sampel 1}" in tex and "Aturan rantai" in tex


def _compile(tmp_path, name, tex):
    (tmp_path / f"{name}.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    log = (tmp_path / f"{name}.log").read_text(encoding="latin-1")
    pdf_text = subprocess.run(["pdftotext", "-layout", f"{name}.pdf", "-"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60).stdout if shutil.which("pdftotext") else None
    return log, pdf_text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_compiles_without_overfull_boxes_and_shows_every_parameter(tmp_path, path):
    for lang, steps in (("en", None), ("id", 3)):
        d = derivation(path.stem, steps)
        log, pdf_text = _compile(tmp_path, f"{path.stem}-{lang}", latex.render(d, lang=lang))
        assert "Overfull" not in log, (path.stem, lang, [l for l in log.splitlines() if "Overfull" in l])
        if pdf_text is None:
            continue
        flat = pdf_text.replace("−", "-")
        for u in d.updates:  # every parameter, its old value, its gradient and its new value
            assert u.name.replace("_", "") in flat, u.name
            for v in (u.old, u.grad, u.new):
                assert num(v).split("e")[0] in flat, (u.name, num(v))  # 1.2e-05 is typeset 1.2 × 10⁻⁵


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_layer_order_compiles_without_overfull_boxes(tmp_path, path):
    d = derivation(path.stem, None)
    tex = latex.render(d, lang="id" if path.stem == "seed004" else "en", order="layer")
    log, pdf_text = _compile(tmp_path, f"{path.stem}-layer", tex)
    assert "Overfull" not in log, (path.stem, [l for l in log.splitlines() if "Overfull" in l])
    if not d.shows_detail():
        return
    layers = [layer.index for layer in reversed(d.spec.layers)]
    backward = tex.index("lapisan demi lapisan" if path.stem == "seed004" else "layer by layer")
    starts = [tex.index(f"{'Lapisan' if path.stem == 'seed004' else 'Layer'} {n} (", backward) for n in layers]
    assert starts == sorted(starts), path.stem  # the output layer first
    if pdf_text is not None:
        flat = pdf_text.replace("−", "-")
        for u in d.updates:
            assert num(u.new).split("e")[0] in flat, (u.name, num(u.new))


def test_layer_order_puts_each_layers_update_before_the_layer_below():
    tex = latex.render(derivation("seed004", None), order="layer")
    out3 = tex.index(r"\subsubsection*{Layer 3 (o, linear): gradients, then the update}")
    out2 = tex.index(r"\subsubsection*{Layer 2 (k, sigmoid): gradients, then the update}")
    # w_k1o's update row (old 1, gradient −0.50457, new 1.1261: tests/test_derivation.py) sits in layer 3's part
    assert out3 < tex.index("$w_{k1o}$ & $1$ & $-0.50457$ & $1.1261$") < out2
    assert out3 < tex.index(r"dW_{3} &= a_{2}^{\mathsf T} \delta_{3}") < out2
    assert r"\subsection*{SGD update" not in tex


def test_piecewise_derivatives_set_their_words_upright_and_names_come_from_the_rule_table():
    from backcalc.render.texmath import to_tex

    assert to_tex("1 if k1_in > 0 else 0.01") == r"1 \text{ if } k1_{\text{in}} > 0 \text{ else } 0.01"
    assert to_tex("elu′(z)").startswith(r"\operatorname{ELU}")  # the rule's show_latex, not a second table
    assert to_tex("linear′(z)").startswith(r"\operatorname{linear}")


def test_words_inside_a_formula_keep_the_space_before_them():
    from backcalc.render.texmath import to_tex

    assert r"[o1 \text{ is the true class}]" in to_tex("softmax(o1_in) − [o1 is the true class]")
