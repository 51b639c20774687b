"""`--lang id` leaves no English word on stderr: every message backcalc raises has its Indonesian, and every
command's bad inputs come out as one Indonesian line (issue #17, "Indonesian, complete").

Two nets catch a message left in English. The first walks every raise site of backcalc (its AST: each
``SomeError("…")``/``fail(…, "…")``/``click.BadParameter("…")`` with its text), fills each value with a neutral
token and asks :func:`backcalc.render.labels_errors.message` for the Indonesian: a new message without its
Indonesian fails here, named by file and line. The second runs a corpus of bad inputs, one per kind of
message, through the command line in both languages: the Indonesian line has no English word, the English line is
the unchanged ``backcalc: error: …``, and both name the same values.
"""

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.render.labels_errors import MESSAGES, message
from error_corpus import COMMANDS, write_files
from test_indonesian import ALLOWED, COMMON, ENGLISH, INDONESIAN

ROOT = Path(__file__).resolve().parents[1]
ERRORS = {"BackcalcError", "SpecError", "ExpressionError", "AnswersError", "InitError", "VanishingError",
          "ArgumentError", "DomainError", "ShapeError", "NonFiniteError", "CheckFailed", "BadParameter",
          "UsageError", "ClickException"}
FAILS = {"fail", "_fail"}  # the helpers that raise a SpecError/ExpressionError with a place and a message

# Words of the English messages; a word both languages use (softmax, dense, bias, seed...) is not English here.
_MESSAGE_WORDS = {w.lower() for m in MESSAGES for w in re.findall(r"[A-Za-z]{2,}", m)}
_ID_WORDS = {w.lower() for m in MESSAGES.values() for w in re.findall(r"[A-Za-z]{2,}", m)}
# English words no Indonesian message may keep, whatever the tables hold
STRICT = set("""the of is are and to with for not no expected got needs need must cannot only use give has have
than more less at least most one two each every from by be it its this that which or as but so""".split())
# names of formats and of --order's values, written as the options take them
NAMES = set("text markdown latex json dot html svg png pdf layer pass".split())
VOCABULARY = ((ENGLISH | _MESSAGE_WORDS | set(COMMON)) - INDONESIAN - _ID_WORDS - ALLOWED - NAMES) | STRICT


def leftovers(text: str) -> list:
    """The English words of a stderr line (names, keys, options and quoted values are not words)."""
    text = re.sub(r"\b(salah satu dari|one of) [^;()]*", " ", text)  # a list of names (init names, keys)
    clean = re.sub(r"'[^']*'|\"[^\"]*\"|\S*/\S*|\b[a-z]+\.\S+|--[\w-]+|\b\w*_\w*\b|\b\w*\d\w*\b|\w+\(\)|\[[^\]]*\]", " ",
                   text)
    return [w for w in re.findall(r"[A-Za-z]{2,}", clean) if w.lower() in VOCABULARY]


def _text(node):
    """A message's text with ``{}`` for each value (None when the argument is not written out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return (_text(node.left) or "{}") + (_text(node.right) or "{}")
    if isinstance(node, ast.IfExp):
        return _text(node.body)
    return None


def raise_sites():
    """(file:line, message) for every message raised in backcalc, values as ``{}``."""
    out = []
    for path in sorted((ROOT / "backcalc").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name not in ERRORS | FAILS:
                continue
            for arg in node.args:
                text = _text(arg)
                if text is None:
                    continue
                text = re.sub(r"(\{\})+", "{}", text)
                if " " in text.strip() or "{}" in text:  # a message, not a place (``weights``, ``data.x``)
                    out.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return out


SITES = raise_sites()


def test_the_walk_finds_the_raise_sites():
    assert len(SITES) > 300, len(SITES)   # a walk that finds nothing would pass everything below
    assert any("expected a table/object at the top level" in t for _, t in SITES)


@pytest.mark.parametrize("site, text", SITES, ids=[s for s, _ in SITES])
def test_every_raised_message_has_its_indonesian(site, text):
    filled = text.replace("{}", "'v1'")
    said = message(filled, "id")
    assert leftovers(said) == [], (f"{site}: give this message its Indonesian in backcalc/render/labels_errors_spec.py "
                                   f"or labels_errors_run.py (keyed by the English, {{}} for each value)", said,
                                   leftovers(said))
    assert said.count("'v1'") == filled.count("'v1'"), (site, said)   # every value kept as written
    assert message(filled, "en") == filled


def test_the_detector_finds_a_message_left_in_english():
    assert leftovers("net.toml: layers[0]: expected 2 numbers (one per unit), got 3") != []
    assert leftovers(message("net.toml: layers[0]: expected 2 numbers (one per unit), got 3", "id")) == []


# ── the command line: a corpus of bad inputs, one per kind of message (tests/error_corpus.py) ──

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    f = tmp_path_factory.mktemp("bad")
    write_files(f)
    return f


def _run(argv, folder, lang):
    return CliRunner().invoke(main, [a.replace("{f}", str(folder)) for a in argv] + ["--lang", lang])


@pytest.mark.parametrize("argv", [c for _, c in COMMANDS], ids=[n for n, _ in COMMANDS])
def test_every_bad_input_is_one_indonesian_line(argv, folder, monkeypatch):
    monkeypatch.chdir(ROOT)
    en, id_ = _run(argv, folder, "en"), _run(argv, folder, "id")
    assert en.exit_code == id_.exit_code and id_.exit_code in (1, 2), (id_.exit_code, id_.output)
    said = id_.stderr.strip()
    assert "\n" not in said and "Traceback" not in id_.output, id_.output
    if id_.exit_code == 2:
        assert said.startswith("backcalc: galat: ") and en.stderr.startswith("backcalc: error: "), (said, en.stderr)
    assert leftovers(said) == [], (said, leftovers(said))
    # the same values in both languages: quoted names and numbers (Indonesian keeps them as written)
    quoted = re.compile(r"'[^']*'")
    assert sorted(quoted.findall(said)) == sorted(quoted.findall(en.stderr.strip())), (said, en.stderr)


def test_the_internal_error_line_is_indonesian(monkeypatch):
    import backcalc.net.derivation as derivation

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(derivation, "explain", broken)
    en = CliRunner().invoke(main, ["explain"])
    id_ = CliRunner().invoke(main, ["explain", "--lang", "id"])
    assert en.exit_code == id_.exit_code == 3
    assert en.stderr.startswith("backcalc: internal error: ZeroDivisionError: float division by zero (run with")
    assert id_.stderr.startswith("backcalc: galat internal: ZeroDivisionError: "), id_.stderr
    assert leftovers(id_.stderr.replace("float division by zero", "")) == [], id_.stderr
