"""`--lang id` leaves no English word behind, on any command and in any format a person reads.

The English vocabulary is every word of the English labels (render/labels.py and the grading renderers'
tables) plus common English words, less the words the Indonesian labels use themselves and the few terms the
seed notes keep in English (input, output, loss, bias, softmax, ...). A word of the output in that vocabulary
fails the test, with the line it is on."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.spec import load_spec
from backcalc.render import escape, latex
from backcalc.render import labels as label_module

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "worked_examples").glob("*.toml") if "[[layers]]" in p.read_text())

COMMON = """the a an of to in on at for from with by is are was were be been it its this that these those and or
not no but if then than when where which who what as so all any each every one two per over under after before
into out up down only also more most less least same other only both either between across through about
sample samples value values unit units layer layers weight weights gradient gradients step steps update
updated new old change error errors mean sum summed average averaged true class probability squared half
binary chain rule rows row column columns parameter parameters key keys formula formulas left shown omitted
print everything use full every term terms net nets size summary large small outputs inputs target targets
learning rate pass forward backward loss after history graph green red values click highlighted appears below
show showing agrees differs point note check checks right wrong answer answers blank given expected correct
mistake mistakes student students score report question questions hardest wrote written write file files
""".split()

# kept in English by the seed notes (or symbols and names, not words)
ALLOWED = set("""input output loss bias softmax sigmoid relu tanh linear elu selu leaky cross entropy sgd mean max min
in out ln e exp log sse mse bce half_sse cross_entropy unit parameter delta backcalc id en json dot
forward pass backward learning rate chain rule target sample""".split())


def _words(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _words(v)
    elif isinstance(obj, str):
        yield from (w.lower() for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", " ", obj)))


def _tables(lang):
    """Every word table of the renderers: each module-level dict of backcalc.render keyed by language."""
    import importlib
    import pkgutil

    import backcalc.render as render

    out = []
    for info in pkgutil.iter_modules(render.__path__):
        module = importlib.import_module(f"backcalc.render.{info.name}")
        for name in dir(module):
            table = getattr(module, name)
            if isinstance(table, dict) and isinstance(table.get(lang), dict):
                out.append(table[lang])
    assert any(t is label_module.LABELS[lang] for t in out)
    return out


INDONESIAN = {w for t in _tables("id") for w in _words(t)}
ENGLISH = ({w for t in _tables("en") for w in _words(t)} | set(COMMON)) - INDONESIAN - ALLOWED


DOT_SYNTAX = re.compile(r"\b\w+=|\b(?:digraph|graph|node|edge|rank|same|invis|true|plain)\b")


def english_words(output: str, user_text=()) -> list:
    """(word, line) for each English word left in ``output``; names such as w_ij1, k1_out are not words, nor
    ``user_text`` (a spec's own title), nor DOT's syntax."""
    found = []
    for text in user_text:
        output = output.replace(text, " ")
    for line in output.splitlines():
        clean = re.sub(r"\S*/\S*|\b[a-z]+\.\S+|--[\w-]+|\bbackcalc \w+|\b[A-Za-z]\w*_\w+\b|\b\w*\d\w*\b|\\[A-Za-z]+|<[^>]*>|&\w+;", " ", line)
        clean = DOT_SYNTAX.sub(" ", clean)
        for word in re.findall(r"[A-Za-z]{2,}", clean):
            if word.lower() in ENGLISH:
                found.append((word, line.strip()[:160]))
    return found


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_detector_finds_english():
    assert english_words("Loss after the update: 0.1") == [("after", "Loss after the update: 0.1"),
                                                          ("the", "Loss after the update: 0.1"),
                                                          ("update", "Loss after the update: 0.1")]
    assert english_words("Loss setelah pembaruan: 0.1 (w_ij1, k1_out)") == []


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "dot", "html"])
def test_explain_in_indonesian_has_no_english(fmt):
    for path in EXAMPLES:
        for steps in ("1", "3"):
            r = run("explain", str(path), "--format", fmt, "--lang", "id", "--steps", steps)
            assert r.exit_code == 0, r.output
            text = r.output
            if fmt == "html":  # the page's script and style are code, not words
                text = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", text, flags=re.S)
            title = [load_spec(str(path)).title]
            title += [escape.html(title[0]), escape.dot(title[0])[1:-1], latex.escape(title[0])]
            assert english_words(text, title) == [], (path.name, fmt, steps, english_words(text, title)[:8])


def test_explain_views_and_large_nets_in_indonesian(tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text('format = 1\nseed = 0\n[data]\nx = [[0.5, -0.5, 0.25, 1.0]]\ny = [[1.0]]\n'
                    '[[layers]]\nactivation = "tanh"\nunits = 16\ninit = "xavier_normal"\n'
                    '[[layers]]\nactivation = "linear"\nunits = 1\ninit = "xavier_normal"\n')
    for args in (["--param", "w_ij1"], ["--order", "layer"], [str(spec)], [str(spec), "--format", "latex"],
                 [str(spec), "--format", "dot"], [str(ROOT / "worked_examples" / "softmax_batch.toml"),
                                                   "--param", "w_x1h1"]):
        out = run("explain", *args, "--lang", "id").output
        assert english_words(out) == [], (args, english_words(out)[:8])


def _leaks(args, tmp_path=None):
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code in (0, 1), (args, r.output)
    return english_words(r.output)


def test_check_in_indonesian_has_no_english():
    ex = ROOT / "worked_examples"
    assert _leaks(["check", str(ex / "seed004.toml"), str(ex / "seed004_student.toml"), "--lang", "id"]) == []
    assert _leaks(["check", str(ex / "seed004.toml"), str(ex / "seed004_student.toml"), "--lang", "id",
                   "--format", "markdown", "--all"]) == []


def test_exercise_and_vanishing_in_indonesian_have_no_english(tmp_path):
    assert _leaks(["exercise", "--out", str(tmp_path / "ex"), "--lang", "id"]) == []
    for fmt in ("text", "markdown"):
        assert _leaks(["vanishing", "--depth", "3", "--width", "8", "--samples", "20", "--features", "4",
                       "--lang", "id", "--format", fmt]) == []
