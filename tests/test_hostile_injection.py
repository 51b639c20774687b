"""Injection into what backcalc writes (issue #13): DOT, Markdown/Jupyter, terminal, LaTeX, names.

Every user string is validated (printable, bounded) where it is read and escaped for the format it goes into;
a hypothesis test writes arbitrary printable titles through every format and parses the result back.
"""

import copy
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from backcalc import explain, load_spec
from backcalc.cli import main
from backcalc.errors import BackcalcError, SpecError
from backcalc.render import escape, renderer
from backcalc.render.latex import escape as latex_escape

BASE = {"format": 1, "title": "t", "data": {"x": [[1.0]], "y": [[2.0]]},
        "layers": [{"name": "h", "activation": "relu", "weights": [[0.5, -0.5]], "bias": [0.1, 0.1]},
                   {"activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}
DOT_ATTACK = '\\"; inj [label=INJECTED shape=box]; //'


def spec_with(**top):
    doc = copy.deepcopy(BASE)
    doc.update(top)
    return doc


def render(doc, fmt):
    return renderer(fmt).render(explain(load_spec(doc)))


def _dot_nodes(text):
    """Node statements in a DOT text, found by Graphviz itself when installed."""
    if shutil.which("dot") is None:
        return None
    proc = subprocess.run(["dot", "-Tcanon"], input=text, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("title", [DOT_ATTACK, "ends in a backslash \\", '"', "a\\nb"])
def test_dot_titles_stay_inside_their_string(title):
    text = render(spec_with(title=title), "dot")
    assert not re.search(r"^\s*inj\b", text, re.M)  # never a statement of its own
    canon = _dot_nodes(text)
    if canon is not None:
        assert not re.search(r"^\s*inj\s*\[", canon, re.M)  # Graphviz sees no node "inj"


@pytest.mark.parametrize("title, entity", [("<script>alert(1)</script>", "&lt;script&gt;"),
                                           ("<img src=x onerror=alert(1)>", "&lt;img"), ("a | b & c", "&amp;")])
def test_markdown_and_jupyter_escape_html(title, entity):
    d = explain(load_spec(spec_with(title=title)))
    for page in (renderer("markdown").render(d), d._repr_markdown_()):
        assert "<script" not in page and "<img" not in page
        assert entity in page


def test_check_and_verify_markdown_escape_file_names(tmp_path):
    from backcalc import check_answers, verify

    spec = tmp_path / "<img src=x onerror=alert(1)>.json"
    import json

    spec.write_text(json.dumps(BASE))
    answers = tmp_path / "a.toml"
    answers.write_text("loss = 0.5\n")
    assert "<img" not in check_answers(spec, answers)._repr_markdown_()
    assert "<script" not in verify(load_spec(spec_with(title="<script>x</script>")))._repr_markdown_()


@pytest.mark.parametrize("title", ["a\x1b]0;pwned\x07b", "clear\x1b[2J", "csi\x9b2J", "bidi\u202eevil", "a\nb",
                                   "a\n\nb", "tab\tin"])
def test_titles_with_control_characters_are_refused(title, tmp_path):
    with pytest.raises(SpecError, match="title: character"):
        load_spec(spec_with(title=title))
    path = tmp_path / "s.json"
    import json

    path.write_text(json.dumps(spec_with(title=title)))
    res = CliRunner().invoke(main, ["explain", str(path)])
    assert res.exit_code == 2 and "\x1b" not in res.output and "\x9b" not in res.output
    assert res.output.count("\n") == 1


def test_program_comments_cannot_carry_escape_sequences():
    res = CliRunner().invoke(main, ["grad", "x*x # \x1b]0;pwned\x07", "--at", "x=1"])
    assert res.exit_code == 2 and "\x1b" not in res.output and "not allowed" in res.output


def test_terminal_output_never_carries_raw_controls():
    assert escape.terminal("a\x1b[2Jb\u202e\x9b\n\tc") == "a\\u001b[2Jb\\u202e\\u009b\n\tc"
    assert escape.terminal("plain σ′ text → ok") == "plain σ′ text → ok"


def test_latex_escape_keeps_one_paragraph():
    out = latex_escape("a\n\nb\\ {x} $1 & #2 ^_%~")
    assert "\n" not in out and "\\textbackslash{}" in out
    assert out.count("{") == out.count("}")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_compiles_with_every_special_in_the_title(tmp_path):
    doc = render(spec_with(title="\\end{document} {x} $1 & #2 ^_%~ \\\\"), "latex")
    (tmp_path / "d.tex").write_text(doc)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]


@pytest.mark.parametrize("where, value", [("name", "h\n"), ("name", "h\x1b"), ("input_name", "x\n")])
def test_names_with_a_trailing_newline_are_refused(where, value):
    doc = spec_with()
    if where == "name":
        doc["layers"][0]["name"] = value
    else:
        doc["data"]["input_name"] = value
    with pytest.raises(SpecError):
        load_spec(doc)


def test_answer_keys_with_a_trailing_newline_are_refused(tmp_path):
    from backcalc import check_answers

    try:
        result = check_answers(BASE, {"gradients": {"W1\n": [[0.0, 0.0]]}})
    except BackcalcError:
        return
    assert all(getattr(row, "status", "invalid") == "invalid" for row in result.rows)  # never graded as W1


def test_long_unknown_keys_are_echoed_truncated():
    doc = spec_with()
    doc["k" * 100_000] = 1
    with pytest.raises(SpecError) as info:
        load_spec(doc)
    assert len(str(info.value)) < 500
    res = CliRunner().invoke(main, ["grad", "x", "--at", "x=1", "--of", "q" * 100_000])
    assert res.exit_code == 2 and len(res.output) < 1100


_TITLES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=40, deadline=None)
@given(title=_TITLES)
def test_fuzz_titles_through_every_format(title):
    try:
        spec = load_spec(spec_with(title=title))
    except SpecError as exc:
        assert not title.isprintable() and "title" in str(exc)
        return
    d = explain(spec)
    md = renderer("markdown").render(d)
    assert "<" not in md.split("\n", 1)[0]
    tex = renderer("latex").render(d)
    assert "\n\n" not in latex_escape(title) and "\n" not in latex_escape(title)
    assert tex.count("\\begin{document}") == 1 and tex.rstrip().endswith("\\end{document}")
    dot = renderer("dot").render(d)
    first_label = [line for line in dot.splitlines() if line.strip().startswith("label=")]
    for line in first_label:
        body = line.strip()[len("label="):]
        assert body.startswith(("<", '"'))
    text = renderer("text").render(d)
    assert escape.terminal(text) == text  # a validated title never needs the terminal's escaping
