"""`--lang id` on verify and grad, on stderr's error lines, and `lang=` in the Python API: Indonesian words,
the same numbers."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from backcalc import explain, verify
from backcalc.cli import main
from backcalc.errors import BackcalcError
from test_indonesian import english_words

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_verify_in_indonesian_has_no_english_and_the_same_numbers(fmt):
    from backcalc.render.verify import render

    result = verify(str(ROOT / "worked_examples" / "adam_first_step.toml"))
    en, id_ = render(result, fmt, lang="en"), render(result, fmt, lang="id")
    assert english_words(id_, [result.title]) == [], english_words(id_, [result.title])[:8]
    assert NUMBER.findall(en) == NUMBER.findall(id_)  # only the words change
    assert ("gradien cocok" in id_) and ("gradients agree" in en)


def test_verify_from_the_cli_in_indonesian_with_a_kink_note():
    spec = ROOT / "worked_examples" / "seed004.toml"
    r = run("verify", str(spec), "--lang", "id", "--formulas")
    assert r.exit_code == 0 and "✓ semua 21 gradien cocok" in r.output and "Bentuk tertutup" in r.output
    assert english_words(r.output) == [], english_words(r.output)[:8]
    kink = {"format": 1, "data": {"x": [[1.0]], "y": [[0.5]]},
            "layers": [{"activation": "relu", "weights": [[1.0]], "bias": [-1.0]},
                       {"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
    result = verify(kink)
    from backcalc.render.verify import render

    page = render(result, "text", lang="id")
    assert result.notes and "catatan:" in page and "titik patah" in page
    assert english_words(page) == [], english_words(page)[:8]


@pytest.mark.parametrize("fmt", ["text", "latex"])
def test_grad_in_indonesian_has_no_english(fmt):
    args = ["grad", "relu(x) + max(x, y)*sin(x)", "--at", "x=0,y=0", "--format", fmt]
    en, id_ = run(*args).output, run(*args, "--lang", "id").output
    assert english_words(id_) == [], english_words(id_)[:8]
    assert NUMBER.findall(en) == NUMBER.findall(id_)
    if fmt == "text":
        assert "catatan:" in id_ and "Gradien (tape" in id_


@pytest.mark.parametrize("args", [
    ["explain", "/no/such/file.toml"],
    ["explain", "--formt", "x"],
    ["explain", "--digits", "99"],
    ["explain", "--format", "pdf"],
    ["verify", "tiada.toml"],
    ["grad", "x +* 1", "--at", "x=1"],
    ["grad", "x + y", "--at", "x=1"],
])
def test_error_lines_in_indonesian(args, tmp_path):
    r = run(*args, "--lang", "id")
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert r.output.startswith("backcalc: galat: "), r.output
    en = run(*args).output
    assert en.startswith("backcalc: error: ")
    assert english_words(r.output) == [], (r.output, english_words(r.output))


def test_a_spec_error_in_indonesian(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\n[data]\nx = [[1]]\ny = [[1]]\n[[layers]]\nactivation = "sigmoidd"\n'
                   'weights = [[1]]\nbias = [1]\n')
    r = run("explain", str(bad), "--lang", "id")
    assert r.exit_code == 2 and "aktivasi 'sigmoidd' (maksudnya 'sigmoid'?) tidak dikenal" in r.output
    # the file's own keys (layers, activation) name what to fix: they stay as the spec writes them
    assert "seharusnya salah satu dari" in r.output and english_words(r.output, ["layers", "activation"]) == []


def test_the_python_api_speaks_indonesian():
    d = explain(lang="id")
    assert "Langkah maju" in d.render() and "Langkah maju" in d._repr_markdown_() and 'lang="id"' in d._repr_html_()
    assert "Forward pass" in d.render(lang="en") and "Forward pass" in explain().render()
    assert d.loss == explain().loss and d.to_dict() == explain().to_dict()
    v = verify(lang="id")
    assert "gradien cocok" in v.render() and "gradien cocok" in v._repr_markdown_()
    assert v.to_dict() == verify().to_dict()
    with pytest.raises(BackcalcError, match="lang 'fr'"):
        explain(lang="fr")
    with pytest.raises(BackcalcError, match="format 'pdf'"):
        d.render("pdf")


def test_grad_in_the_python_api_speaks_indonesian():
    """grad's result renders itself as explain's does: ``grad(..., lang="id")``, ``render(fmt, lang=)``."""
    from backcalc import grad

    en = grad("relu(x) + max(x, y)*sin(x)", {"x": 0.0, "y": 0.0})
    id_ = grad("relu(x) + max(x, y)*sin(x)", {"x": 0.0, "y": 0.0}, lang="id")
    assert id_.to_dict() == en.to_dict() and id_.lang == "id"
    for fmt in ("text", "latex"):
        page = id_.render(fmt)
        assert page == run("grad", "relu(x) + max(x, y)*sin(x)", "--at", "x=0,y=0", "--format", fmt,
                           "--lang", "id").output
        assert english_words(page) == [] and NUMBER.findall(page) == NUMBER.findall(en.render(fmt))
        assert id_.render(fmt, lang="en") == en.render(fmt)
    assert "catatan:" in id_._repr_markdown_() and "note:" in en._repr_markdown_()
    assert id_.render("json") == en.render("json")
    with pytest.raises(BackcalcError, match="lang 'fr'"):
        grad("x", {"x": 1.0}, lang="fr")
    with pytest.raises(BackcalcError, match="format 'pdf'"):
        id_.render("pdf")
