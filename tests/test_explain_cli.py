"""`backcalc explain`: every format from the same records, both languages, errors as exit code 2."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.net.spec import default_spec

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_default_text_has_the_whole_derivation():
    r = run("explain")
    assert r.exit_code == 0, r.output
    for needle in ["k1_in = w_j1k1·j1_out", "= 1·1.5 + 0.75·2 + 0.5·2.5 + 0.25·3 + 1 = 6", "0.12793",
                   "∂L/∂w_k1o", "-0.50457", "-0.0024952", "∂L/∂j1_out = ∂L/∂k1_in·w_j1k1 + ∂L/∂k2_in·w_j1k2",
                   "SGD update", "Loss after the update"]:
        assert needle in r.output, needle
    assert "-0.04146" not in r.output


def test_json_has_the_interface_keys():
    r = run("explain", "--format", "json")
    d = json.loads(r.output)
    assert set(d) >= {"format", "title", "loss", "forward", "gradients", "updated", "loss_after", "terms", "history"}
    assert d["format"] == 1 and set(d["forward"]) == {"z1", "a1", "z2", "a2", "z3", "a3"}
    assert len(d["gradients"]["W2"]) == 4 and len(d["gradients"]["W2"][0]) == 2
    term = next(t for t in d["terms"] if t["name"] == "w_j1k1")
    assert term["key"] == "W2[0][0]"
    assert [f["name"] for f in term["factors"]] == ["∂L/∂k1_out", "∂k1_out/∂k1_in", "∂k1_in/∂w_j1k1"]
    assert d["history"] == [{"step": 1, "loss": d["loss"]}]


def test_json_matches_the_library():
    assert json.loads(run("explain", "--format", "json").output) == json.loads(
        json.dumps(explain(default_spec()).to_dict()))


def test_indonesian_and_digits():
    r = run("explain", "--lang", "id", "--digits", "3")
    assert "Langkah maju" in r.output and "Langkah mundur" in r.output and "Pembaruan SGD" in r.output
    assert "0.128" in r.output


def test_markdown_and_dot_and_steps():
    md = run("explain", "--format", "markdown").output
    assert md.startswith("# ") and "| parameter" in md
    dot = run("explain", "--format", "dot").output
    assert dot.startswith("digraph") and '"j1" -> "w_j1k1@j1>k1"' in dot and '"w_j1k1@j1>k1" -> "k1"' in dot
    r = run("explain", str(ROOT / "worked_examples" / "deep_sigmoid_chain.toml"), "--steps", "4")
    assert "Loss history" in r.output and "Loss after 4 steps" in r.output


def test_every_example_renders_in_every_format():
    for path in sorted((ROOT / "worked_examples").glob("*.toml")):
        if "[[layers]]" not in path.read_text(encoding="utf-8"):
            continue  # an answers file
        for fmt in ("text", "markdown", "latex", "json", "dot"):
            r = run("explain", str(path), "--format", fmt)
            assert r.exit_code == 0, (path.name, fmt, r.output)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_compiles(tmp_path):
    for name in ("seed004", "softmax_batch"):
        tex = run("explain", str(ROOT / "worked_examples" / f"{name}.toml"), "--format", "latex").output
        (tmp_path / f"{name}.tex").write_text(tex)
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")
def test_dot_is_valid_graphviz(tmp_path):
    src = run("explain", "--format", "dot").output
    done = subprocess.run(["dot", "-Tsvg"], input=src, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_large_net_prints_a_summary(tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text('format = 1\nseed = 0\n[data]\nx = [[0.5, -0.5, 0.25, 1.0]]\ny = [[1.0]]\n'
                    '[[layers]]\nactivation = "tanh"\nunits = 16\ninit = "xavier_normal"\n'
                    '[[layers]]\nactivation = "linear"\nunits = 1\ninit = "xavier_normal"\n')
    r = run("explain", str(spec))
    assert r.exit_code == 0, r.output
    assert "--full" in r.output and "∂L/∂w_x1h1 " not in r.output
    full = run("explain", str(spec), "--full")
    assert "∂L/∂w_x1h1" in full.output


def test_bad_input_exits_2_with_one_line():
    r = run("explain", "nope.toml")
    assert r.exit_code == 2
    assert r.output.strip().count("\n") == 0 and "nope.toml" in r.output


def test_jupyter_display_is_the_markdown_rendering():
    from backcalc.render import markdown

    d = explain(default_spec())
    assert d._repr_markdown_() == markdown.render(d)
    assert "| ∂L/∂w_k1o" in d._repr_markdown_()
