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
not no but if else otherwise then than when where which who what as so all any each every one two per over under after before
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
forward pass backward learning rate chain rule target sample sign""".split())


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
# an answers sheet's own names: its tables ([gradients]) and a key quoted as written ('bo', 'loss_after'; in
# Markdown the quotes are escaped)
SHEET_SYNTAX = re.compile(r"\[[a-z_]+\]|'[^'\s]*'|&#x27;[^&\s]*&#x27;")


def english_words(output: str, user_text=(), names=()) -> list:
    """(word, line) for each English word left in ``output``; names such as w_ij1, k1_out are not words, nor
    ``user_text`` (a spec's own title), nor DOT's syntax."""
    found = []
    for text in user_text:
        output = output.replace(text, " ")
    for line in output.splitlines():
        line = SHEET_SYNTAX.sub(" ", line)
        clean = re.sub(r"\S*/\S*|\b[a-z]+\.\S+|--[\w-]+|\bbackcalc \w+|\b[A-Za-z]\w*_\w+\b|\b\w*\d\w*\b|\\[A-Za-z]+|<[^>]*>|&\w+;", " ", line)
        clean = DOT_SYNTAX.sub(" ", clean)
        for word in re.findall(r"[A-Za-z]{2,}", clean):
            if word.lower() in ENGLISH and word not in names:
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


PIECEWISE = ('format = 1\n[data]\nx = [[0.5, -1.0], [1.0, 2.0]]\ny = [[1.0], [0.0]]\n[[layers]]\n'
             'activation = "leaky_relu"\nweights = [[1.0, -1.0], [0.5, 0.5]]\nbias = [0.0, 0.0]\n[[layers]]\n'
             'activation = "elu"\nweights = [[1.0], [1.0]]\nbias = [-3.0]\n[[layers]]\nactivation = "selu"\n'
             'weights = [[1.0]]\nbias = [0.0]\n')


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
def test_piecewise_derivatives_in_indonesian(fmt, tmp_path):
    """The rule table's ``1 if z > 0 else 0.01`` (leaky_relu, elu, selu) reads ``bila … selainnya`` in every format
    and in verify's closed forms (a batch: ``Σ atas 2 sampel dari``)."""
    spec = tmp_path / "piecewise.toml"
    spec.write_text(PIECEWISE, encoding="utf-8")
    out = run("explain", str(spec), "--format", fmt, "--lang", "id").output
    if fmt == "html":
        out = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", out, flags=re.S)
    assert "bila" in out and "selainnya" in out and english_words(out) == [], english_words(out)[:8]
    if fmt == "latex":  # upright words in math, as the English page sets if/else
        assert r"\text{ bila }" in out and r"\text{ selainnya }" in out
    assert " if " in run("explain", str(spec), "--format", fmt).output
    from backcalc import verify

    page = verify(str(spec), formulas=True, lang="id").render("markdown" if fmt == "markdown" else "text")
    assert "Σ atas 2 sampel dari" in page and english_words(page) == [], english_words(page)[:8]


def test_check_in_indonesian_has_no_english():
    ex = ROOT / "worked_examples"
    assert _leaks(["check", str(ex / "seed004.toml"), str(ex / "seed004_student.toml"), "--lang", "id"]) == []
    assert _leaks(["check", str(ex / "seed004.toml"), str(ex / "seed004_student.toml"), "--lang", "id",
                   "--format", "markdown", "--all"]) == []


def test_exercise_and_vanishing_in_indonesian_have_no_english(tmp_path):
    assert _leaks(["exercise", "--out", str(tmp_path / "ex"), "--lang", "id"]) == []
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ani\n", encoding="utf-8")
    assert _leaks(["exercise", "--roster", str(roster), "--out", str(tmp_path / "class"), "--lang", "id",
                   "--moodle", str(tmp_path / "quiz.xml")]) == []
    spec_keys = ["format", "title", "data", "layers", "activation", "weights", "bias", "loss", "kind", "train",
                 "learning_rate", "steps", "name", "student", "id", "fingerprint"]   # the files' own TOML keys
    for f in sorted((tmp_path / "class" / "s1").glob("*.toml")) + [tmp_path / "quiz.xml"]:
        text = f.read_text(encoding="utf-8")
        text = re.sub(r"^\s*(\w+) =", " =", text, flags=re.M)  # a TOML key is a name, not a word
        assert english_words(text, [str(tmp_path)], spec_keys) == [], (f.name, english_words(text)[:8])
    for fmt in ("text", "markdown"):
        assert _leaks(["vanishing", "--depth", "3", "--width", "8", "--samples", "20", "--features", "4",
                       "--lang", "id", "--format", fmt]) == []


SMALL = ["--depth", "3", "--width", "8", "--samples", "20", "--features", "4"]


@pytest.mark.parametrize("args", [
    ["grad", "abs(x)*min(x, y) + tanh(x)/sqrt(y) + relu(x)", "--at", "x=0,y=1"],
    ["grad", "abs(x)*min(x, y) + tanh(x)/sqrt(y) + relu(x)", "--at", "x=0,y=1", "--format", "latex"],
    ["grad", "c = a + b; d = a*b + b**3; c += c + 1; e = c - d", "--at", "a=2,b=-1"],
    ["verify", str(ROOT / "worked_examples" / "softmax_batch.toml"), "--formulas"],
    ["verify", str(ROOT / "worked_examples" / "momentum_3_steps.toml")],
    ["check", str(ROOT / "worked_examples" / "seed004.toml"), str(ROOT / "worked_examples" / "seed004_student.toml"),
     "--strict", "--all"],
    ["vanishing", *SMALL, "--compare", "sigmoid:normal:0.01,relu:he_normal,tanh:xavier_normal"],
    ["vanishing", *SMALL, "--epochs", "2", "--format", "markdown"],
    ["vanishing", *SMALL, "--residual", "--batchnorm"],
    ["explain", "--steps", "3", "--digits", "3", "--full"],
    ["explain", str(ROOT / "worked_examples" / "rnn_last_step.toml"), "--order", "layer"],
], ids=lambda a: " ".join(a)[:60])
def test_every_command_in_indonesian_has_no_english(args):
    """Every command, with the options that change the page (steps, comparisons, epochs, the order)."""
    r = CliRunner().invoke(main, [*args, "--lang", "id"])
    assert r.exit_code in (0, 1), r.output
    titles = [load_spec(a).title for a in args if a.endswith(".toml") and "student" not in a]
    assert english_words(r.output, titles) == [], (args, english_words(r.output, titles)[:8])


# Every kind of unreadable entry the reader reports (grading/reader.py), on seed 004's sheet.
UNREADABLE = """loss = 0,128
lossx = 1
updated = 3
[forward]
a1 = "x"
W1 = 3
j1_in = [1.0, 2.0]
a2 = [[0.5], [0.5]]
[gradients]
bo = 1
W1 = [[1.0, 2.0], [3.0, 4.0]]
W3 = [[1.0, 2.0]]
W2 = [1.0, 2.0, 3.0]
W9 = [[1.0]]
b1 = [1.0, [2.0]]
b2 = [1.0, 2.0, 3.0]
b3 = true
w_k1o = "1e999"
w_k2o = "nan"
w_j1k1 = "0.123456789012345678901234567890123456789012345"
w_j2k1 = "one"
w_j3k1 = [[1.0]]
"b_o" = "1.5"
[factors]
"dL/dk9_out" = 2
"""


def test_every_reader_problem_has_words_in_both_languages():
    from backcalc.render.labels_answers import PROBLEMS

    source = "".join((ROOT / "backcalc" / "grading" / f"{m}.py").read_text(encoding="utf-8")
                     for m in ("reader", "problems", "grade", "gradebook"))
    codes = set(re.findall(r'problem\(f?"(\w+)"', source)) - {"expected_"}
    codes |= {f"expected_{t}" for t in ("forward", "factors", "gradients", "updated")}
    for lang in ("en", "id"):
        words = PROBLEMS[lang]
        known = set(words) | set(words["kind"]) | set(words["hint"])
        assert codes - known == set(), lang
        assert set(words) == set(PROBLEMS["en"]) and set(words["hint"]) == set(PROBLEMS["en"]["hint"])


def test_unreadable_entries_in_indonesian_have_no_english(tmp_path):
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(UNREADABLE, encoding="utf-8")
    seed = ROOT / "worked_examples" / "seed004.toml"
    r = CliRunner().invoke(main, ["check", str(seed), str(sheet), "--format", "json"])
    codes = {row["problem"] for row in __import__("json").loads(r.stdout)["rows"] if row["verdict"] == "invalid"}
    assert len(codes) >= 16, sorted(codes)   # the sheet reaches most of the reader's problems
    for fmt in ("text", "markdown"):
        out = CliRunner().invoke(main, ["check", str(seed), str(sheet), "--lang", "id", "--format", fmt])
        assert out.exit_code == 1 and out.output.count("!") >= 16, out.output
        assert english_words(out.output) == [], (fmt, english_words(out.output)[:8])
    # the softmax unit's missing ∂out/∂in and a per-sample value given once, on a softmax batch
    softmax = ROOT / "worked_examples" / "softmax_batch.toml"
    other = tmp_path / "softmax.toml"
    other.write_text('[factors]\n"dL/do1_out" = 1.0\n"do1_out/do1_in" = 1.0\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["check", str(softmax), str(other), "--lang", "id"])
    assert out.exit_code == 1 and "softmax" in out.output
    assert english_words(out.output) == [], english_words(out.output)[:8]


def test_grade_report_in_indonesian_has_no_english(tmp_path):
    """The class report (text and Markdown): scores, the question table, the mistake table and the unreadable
    entries, for a class with right sheets, a named mistake in every gradient and unreadable entries."""
    import tomllib

    from backcalc.grading.classroom import Student, make_class, write_class
    from backcalc.render.classroom import SHORT

    students = [Student(f"s{i}", f"Siswa {i}", f"s{i}@example.edu") for i in range(5)]
    variants = make_class(students, seed=5)
    write_class(variants, tmp_path / "kelas")
    for i, (s, ex) in enumerate(variants[:3]):
        key = tomllib.loads(ex.key_text)
        lines = [f'id = "{s.id}"', f'fingerprint = "{key["fingerprint"]}"', f'loss = {key["loss"]!r}']
        for table in ("forward", "gradients", "updated"):
            lines.append(f"[{table}]")
            for name, v in key[table].items():
                if i == 2 and table == "updated" and name == "w_k1o":
                    continue  # given below, unreadable
                v = -v if table == "gradients" and i == 1 else v   # the sign of every gradient flipped
                lines.append(f'"{name}" = {v!r}')
        if i == 2:
            lines.append('"bo" = 1\n"w_k1o" = "0,5"\n"W1" = [[1.0]]')
        (tmp_path / "kelas" / s.id / "sheet.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # whole sheets that cannot be graded: one missing, one made for another student's exercise
    (tmp_path / "kelas" / "s3" / "sheet.toml").unlink()
    (tmp_path / "kelas" / "s4" / "sheet.toml").write_text(variants[0][1].sheet_text, encoding="utf-8")
    for fmt in ("text", "markdown"):
        r = CliRunner().invoke(main, ["grade", str(tmp_path / "kelas"), "--lang", "id", "--format", fmt, "--jobs", "1"])
        assert r.exit_code == 0, r.output
        assert "tanda terbalik" in r.output and "'bo'" in r.output, r.output   # the mistake table, the entries
        assert "berkas tidak ada" in r.output and "dibuat untuk latihan" in r.output, r.output  # the sheets
        codes = SHORT["en"]  # the mistake table's code column: identifiers, as in the JSON (sign, double, half)
        assert english_words(r.output, [str(tmp_path / "kelas")], codes) == [], (fmt, english_words(r.output)[:8])
