"""The circuit picture: DOT in the CS231n style, drawn by Graphviz as SVG or PNG where it is installed."""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.render import dot

ROOT = Path(__file__).resolve().parents[1]
HAS_DOT = shutil.which("dot") is not None


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_layers_are_ranks_with_units_in_order_and_every_number_on_the_picture():
    src = dot.render(explain())
    assert '{ rank=same; "j1" -> "j2" -> "j3" -> "j4" [style=invis]; }' in src
    assert '{ rank=same; "k1" -> "k2" [style=invis]; }' in src
    # the weight's value (green) and ∂L/∂w (red) on its edge; tests/test_derivation.py confirms -0.0024952
    weight = next(line for line in src.splitlines() if line.startswith('  "w_ij1@i>j1" [label='))
    assert "w_ij1 = 0.25" in weight and "∂L/∂w = -0.0024952" in weight and dot.GREEN in weight and dot.RED in weight
    assert '  "i" -> "w_ij1@i>j1" [arrowhead=none];' in src and '  "w_ij1@i>j1" -> "j1";' in src
    # a unit: in/out above the line, ∂L/∂out and δ below, its bias and ∂L/∂b
    unit = next(line for line in src.splitlines() if line.startswith('  "k1" [label='))
    assert unit.index("out = 0.99753") < unit.index("<HR/>") < unit.index("∂L/∂out = -0.50582")
    assert "δ = ∂L/∂in = -0.0012476" in unit and "b_k1 = 1" in unit and "∂L/∂b_k1 = -0.0012476" in unit


def test_a_batch_says_which_sample_the_values_are():
    d = explain(load_spec(str(ROOT / "worked_examples" / "softmax_batch.toml")))
    assert "sample 1 of 2" in dot.render(d)
    assert "sampel 1 dari 2" in dot.render(d, lang="id")


def test_a_large_net_is_one_node_per_layer(tmp_path):
    spec = {"format": 1, "seed": 0, "data": {"x": [[0.5] * 6], "y": [[1.0]]},
            "layers": [{"activation": "tanh", "units": 6, "init": "xavier_normal"}] * 4 +
                      [{"activation": "linear", "units": 1, "init": "xavier_normal"}]}
    src = dot.render(explain(spec))
    assert "w_" not in src and '"layer1" -> "layer2"' in src and "W2 6×6" in src and "6 units" in src


def test_user_strings_are_escaped():
    spec = load_spec(str(ROOT / "worked_examples" / "seed004.toml"))
    d = explain(spec)
    object.__setattr__(d, "title", 'a <b>"&" \\ net')
    src = dot.render(d)
    assert "a &lt;b&gt;&quot;&amp;&quot; \\ net" in src and "<b>" not in src


@pytest.mark.skipif(not HAS_DOT, reason="graphviz not installed")
def test_svg_and_png_from_the_cli_with_units_drawn_top_to_bottom_in_order():
    r = run("explain", "--format", "svg")
    assert r.exit_code == 0, r.output
    svg = r.output
    assert svg.lstrip().startswith("<?xml") and "w_ij1 = 0.25" in svg
    ys = {}
    for name, body in re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]+)</title>(.*?)</g>', svg, re.S):
        ys[name] = min(float(y) for y in re.findall(r'\by="(-?[\d.]+)"', body))
    assert ys["j1"] < ys["j2"] < ys["j3"] < ys["j4"] and ys["k1"] < ys["k2"]
    png = CliRunner().invoke(main, ["explain", "--format", "png"]).stdout_bytes
    assert png.startswith(b"\x89PNG")
    for path in sorted((ROOT / "worked_examples").glob("*.toml")):
        if "[[layers]]" in path.read_text():
            for lang in ("en", "id"):
                assert run("explain", str(path), "--format", "svg", "--lang", lang).exit_code == 0, path


def test_without_graphviz_svg_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    r = run("explain", "--format", "svg")
    assert r.exit_code == 2 and r.output.count("\n") == 1
    assert "Graphviz" in r.output and "--format dot" in r.output


def _boxes(svg):
    """Each drawn node of an SVG by its title: (x0, y0, x1, y1) of its outline and the text inside it."""
    boxes = {}
    for name, body in re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]+)</title>(.*?)</g>', svg, re.S):
        pts = [(float(x), float(y)) for x, y in re.findall(r'(-?[\d.]+),(-?[\d.]+)', body)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        boxes[name] = ((min(xs), min(ys), max(xs), max(ys)), " ".join(re.findall(r'>([^<]+)</text>', body)))
    return boxes


@pytest.mark.skipif(not HAS_DOT, reason="graphviz not installed")
def test_a_wide_fan_out_keeps_every_weight_label_in_a_box_of_its_own():
    # 2 → 12 → 1: 36 weights; as edge labels they collided with each other and with the wires
    spec = {"format": 1, "seed": 3, "data": {"x": [[0.5, -1.0]], "y": [[1.0]]},
            "layers": [{"name": "h", "activation": "sigmoid", "units": 12, "init": "xavier_normal"},
                       {"name": "o", "activation": "linear", "units": 1, "init": "xavier_normal"}]}
    d = explain(spec)
    svg = dot.to_image(dot.render(d), "svg").decode()
    boxes = _boxes(svg)
    edges = "".join(re.findall(r'<g id="edge\d+" class="edge">(.*?)</g>', svg, re.S))
    assert "<text" not in edges  # no label drawn on a wire
    for t in d.terms:
        if t.name.startswith("w_"):
            owners = [n for n, (_, text) in boxes.items() if f"{t.name} = " in text.replace("&#45;", "-")]
            assert len(owners) == 1, t.name
    items = sorted(boxes.items())
    for i, (a, (ba, _)) in enumerate(items):
        for b, (bb, _) in items[i + 1:]:
            apart = ba[2] <= bb[0] or bb[2] <= ba[0] or ba[3] <= bb[1] or bb[3] <= ba[1]
            assert apart, (a, b)
