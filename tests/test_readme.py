"""The README's Python examples run as written (doctest)."""

import doctest
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples(monkeypatch):
    monkeypatch.chdir(README.parent)  # the examples name files relative to the repository
    # a code fence ends an example just as a blank line does
    text = "\n".join("" if line.startswith("```") else line for line in README.read_text(encoding="utf-8").splitlines())
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 0


def test_docstring_examples():
    import backcalc.tape.losses
    import backcalc.check.numeric
    import backcalc.tape.gradcheck
    import backcalc.tape.tensor
    import backcalc.tape.value

    for module in (backcalc.tape.value, backcalc.tape.tensor, backcalc.tape.losses, backcalc.check.numeric, backcalc.tape.gradcheck):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
