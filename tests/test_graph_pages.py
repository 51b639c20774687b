"""Skip connections and normalisation layers on every page: the skip's forward line (f(z) + NAME's output), the
"splits here / adds up here" markers, the batch-of-one note, the μ, σ², σ, x̂ lines in LaTeX, HTML, DOT and JSON,
and a skip from the input (pinned by the 40-digit reference, PyTorch float64 when installed, and verify)."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import reference
from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.render import dot, html, latex, markdown, text
from backcalc.render.circuit import circuit
from shared import explain_refuses

EXAMPLES = Path(__file__).resolve().parents[1] / "worked_examples"
RESIDUAL = EXAMPLES / "residual_block.toml"
BATCHNORM = EXAMPLES / "batchnorm_221.toml"

INPUT_SKIP = {"format": 1, "data": {"x": [[0.5, -1.0], [1.5, 0.25]], "y": [[0.3], [-0.2]]},
              "layers": [{"name": "h", "activation": "tanh", "weights": [[0.4, -0.3], [0.2, 0.6]], "bias": [0.1, -0.1]},
                         {"name": "r", "activation": "sigmoid", "weights": [[0.7, -0.2], [0.1, 0.5]],
                          "bias": [0.05, -0.05], "skip": "x"},
                         {"name": "o", "activation": "linear", "weights": [[0.7], [-1.2]], "bias": [0.05]}],
              "loss": {"kind": "half_sse"}, "train": {"learning_rate": 0.1}}

BATCH_OF_ONE = {"format": 1, "data": {"x": [[4.0, -2.0]], "y": [[1.0]]},
                "layers": [{"name": "n", "kind": "batchnorm", "beta": [0.3, -0.7]},
                           {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}


def test_the_skip_layer_writes_f_of_z_plus_the_skipped_output():
    d = explain(load_spec(RESIDUAL))
    page = text.render(d)
    assert "r1_out = tanh(r1_in) + h1_out = tanh(0.43549) + 0.099668 = 0.50957" in page
    assert "r2_out = tanh(r2_in) + h2_out = tanh(0.12796) + (-0.37995) = -0.25268" in page
    assert "Layer 3 (r, tanh) + the skip from h" in page
    for row in (r for r in d.forward_rows if r.layer == 3):  # the line's numbers add up: tanh(z) + skip = a
        c = int(row.unit[1:]) - 1
        assert row.skip == (f"h{c + 1}_out", d.forward["a1"][row.sample - 1][c])
        assert np.tanh(row.z) + row.skip[1] == pytest.approx(row.a, rel=1e-15)


@pytest.mark.parametrize("lang, splits, adds", [
    ("en", "the gradient splits here: back through r1_in, and straight through the skip to h1_out",
     "the gradient adds up here: the paths back through the block, plus ∂L/∂r1_out·1 straight through the skip"),
    ("id", "gradien bercabang di sini: kembali lewat r1_in, dan langsung lewat skip ke h1_out",
     "gradien dijumlahkan di sini: jalur-jalur kembali lewat blok, ditambah ∂L/∂r1_out·1 langsung lewat skip")])
def test_the_page_marks_where_the_gradient_splits_and_adds_up(lang, splits, adds):
    d = explain(load_spec(RESIDUAL))
    for fmt in (text, markdown, html):
        page = fmt.render(d, lang=lang).replace("&#x27;", "'")
        assert page.count(splits) == 2 and page.count(adds) == 2, fmt.__name__  # once per sample
    lines = text.render(d, lang=lang).splitlines()
    k = next(i for i, line in enumerate(lines) if "[1] ∂L/∂h1_out =" in line)
    assert adds in lines[k + 2]  # right under the sum it describes
    k = next(i for i, line in enumerate(lines) if "[1] ∂L/∂r1_out =" in line)
    assert splits in lines[k + 2]
    tex = latex.render(d, lang=lang)
    assert tex.count(r"\intertext{\small (") == 8 and r"$r1_{\text{in}}$" in tex


def test_no_marker_without_a_skip():
    page = text.render(explain())
    assert "splits here" not in page and "adds up here" not in page


@pytest.mark.parametrize("lang, note", [("en", "a batch of one sample: var = 0, so xhat = 0/√eps = 0 and the output "
                                                "is beta"),
                                        ("id", "batch berisi satu sampel: var = 0, jadi xhat = 0/√eps = 0")])
def test_batchnorm_on_one_sample_says_so_on_the_page(lang, note):
    d = explain(load_spec(BATCH_OF_ONE))
    assert d.forward["xhat1"] == [[0.0, 0.0]] and d.gradients["gamma1"] == [0.0, 0.0]  # x̂ ≡ 0 whatever x is
    assert note in text.render(d, lang=lang)
    assert note in html.render(d, lang=lang)
    assert latex.escape(note) in latex.render(d, lang=lang) and r"0/$\surd$eps" in latex.escape(note)
    assert "batch of one" not in text.render(explain(load_spec(BATCHNORM)))  # two samples: no such note


def test_latex_sets_the_statistics_lines():
    tex = latex.render(explain(load_spec(BATCHNORM)))
    assert r"\mu_{n1} &= (0.1 + 0.8)/2 = 0.45" in tex
    assert r"\sigma_{n1} &= \sqrt{\sigma^2_{n1} + \varepsilon}" in tex
    assert r"\hat{x}_{n1} &= (h1_{\text{out}} - \mu_{n1})/\sigma_{n1} \tag*{sample 1}" in tex
    assert r"check, the compact form: $(1/(N \cdot \sigma))" in tex and r"-2.0985\times 10^{-5}" in tex
    tex = latex.render(explain(load_spec(EXAMPLES / "layernorm.toml")))
    assert r"\sigma^2_{n,s2} &= \frac{1}{3}\Big(" in tex  # a long mean of squares broken between its terms


def _stats(d, layer):
    """μ and biased σ² per group, recomputed by numpy from the layer's input."""
    spec = d.spec
    norm = spec.layers[layer - 1]
    x = np.array(d.forward[f"a{layer - 1}"])
    groups = x.T if norm.kind == "batchnorm" else x
    return [(g.mean(), ((g - g.mean()) ** 2).mean(), (g - g.mean()) / np.sqrt(((g - g.mean()) ** 2).mean() + norm.eps))
            for g in groups]


@pytest.mark.parametrize("name", ["batchnorm_221", "layernorm"])
def test_json_has_the_statistics_as_numpy_computes_them(name):
    result = CliRunner().invoke(main, ["explain", str(EXAMPLES / f"{name}.toml"), "--format", "json"])
    doc = json.loads(result.output)
    d = explain(load_spec(EXAMPLES / f"{name}.toml"))
    stats = doc["norm_stats"]
    expected = _stats(d, stats[0]["layer"])
    assert len(stats) == len(expected)
    for st, (mu, var, xhat) in zip(stats, expected):
        assert st["mu"] == pytest.approx(mu, rel=1e-12, abs=1e-15) and st["var"] == pytest.approx(var, rel=1e-12)
        assert st["sigma"] == pytest.approx(np.sqrt(var + st["eps"]), rel=1e-14)
        assert [m["xhat"] for m in st["members"]] == pytest.approx(list(xhat), rel=1e-12)
        up = {(u.layer, u.unit, u.sample): u.value for u in d.upstream}
        for c in st["compact"]:  # the compact form is the three paths' sum
            assert c["value"] == pytest.approx(up[(st["layer"] - 1, c["unit"], c["sample"])], rel=1e-6, abs=1e-12)
    assert "norm_stats" not in json.loads(CliRunner().invoke(main, ["explain", "--format", "json"]).output)


def test_dot_draws_the_skip_and_the_statistics():
    d = explain(load_spec(RESIDUAL))
    c = circuit(d)
    skips = [(e.src, e.dst) for e in c.edges if e.kind == "skip"]
    assert skips == [("h1", "r1"), ("h2", "r2")]
    source = dot.render(d)
    assert source.count("style=dashed") == 2
    bn = explain(load_spec(BATCHNORM))
    assert [(e.src, e.dst) for e in circuit(bn).edges if e.kind == "norm"] == [("h1", "n1"), ("h2", "n2")]
    ln = explain(load_spec(EXAMPLES / "layernorm.toml"))
    assert len([e for e in circuit(ln).edges if e.kind == "norm"]) == 9  # each x̂ reads every unit of its sample
    source = dot.render(bn)
    assert "μ = 0.45, σ² = 0.1225" in source and "x̂ = -0.99996" in source and "gamma_n1 = 1.2" in source


def test_html_shows_the_statistics_and_the_skip_arcs():
    page = html.render(explain(load_spec(BATCHNORM)))
    assert "mu_n1 = (0.1 + 0.8)/2 = 0.45" in page and 'class="edge norm"' in page
    assert "the compact form" in page
    page = html.render(explain(load_spec(RESIDUAL)))
    assert page.count('class="edge skip"') == 2 and "r1_out = tanh(r1_in) + h1_out" in page


def test_a_skip_from_the_input_matches_the_reference():
    spec = load_spec(INPUT_SKIP)
    assert spec.layers[1].skip == 0
    d = explain(spec)
    ref = reference.gradients(spec)
    assert ref  # central differences in 40 digits, element by element
    for name, key in spec.param_names():
        k = key.split("[", 1)
        got = np.array(d.gradients[k[0]])[tuple(int(i) for i in k[1].rstrip("]").split("]["))]
        assert got == pytest.approx(float(ref[key]), rel=1e-9, abs=1e-12), name
    assert float(reference.loss(spec)) == pytest.approx(d.loss, rel=1e-13)
    page = text.render(d)
    h = np.tanh(np.array([[0.5, -1.0]]) @ np.array([[0.4, -0.3], [0.2, 0.6]]) + [0.1, -0.1])
    z = float((h @ np.array([[0.7], [0.1]]))[0, 0] + 0.05)  # r1_in of sample 1, by numpy
    assert f"r1_out = σ(r1_in) + x1 = σ({z:.5g}) + 0.5 = {1 / (1 + np.exp(-z)) + 0.5:.5g}" in page
    assert "straight through the skip to x1" in page


def test_a_skip_from_the_input_matches_torch_float64():
    torch = pytest.importorskip("torch")
    from test_norm_layers import _torch_grads
    spec = load_spec(INPUT_SKIP)
    loss, grads = _torch_grads(torch, spec)
    d = explain(spec)
    assert d.loss == pytest.approx(loss, rel=1e-12)
    for key, g in grads.items():
        np.testing.assert_allclose(np.array(d.gradients[key]), g, rtol=1e-9, atol=1e-15, err_msg=key)


def test_verify_agrees_on_a_skip_from_the_input(tmp_path):
    path = tmp_path / "skip_x.json"
    path.write_text(json.dumps(INPUT_SKIP), encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 0 and "gradients agree: tape = sympy" in result.output, result.output


def test_a_skip_from_an_input_of_another_width_exits_2(tmp_path):
    doc = json.loads(json.dumps(INPUT_SKIP))
    doc["data"]["x"] = [[0.5, -1.0, 2.0]]
    doc["data"]["y"] = [[0.3]]
    doc["layers"][0]["weights"] = [[0.4, -0.3], [0.2, 0.6], [0.1, 0.1]]
    line = explain_refuses(tmp_path, doc, "skip_x.json")
    assert "layers[2] (\"r\") skip: the input 'x' gives 3 values per sample and this layer 2" in line
