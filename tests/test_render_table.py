"""The plain table layout of long pages gives the very text tabulate gives (render/table.py)."""

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from backcalc.render import table

# ASCII, the symbols pages print, wide (CJK) and zero-width characters, controls, and what tabulate treats apart
CELL = st.text(alphabet=st.sampled_from(list("ab -+.0123e∂✓✗−·é漢\u200b\u0301\x07\x1c\x0c\x85\t\r\n\x1b\x01")), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(st.lists(CELL, min_size=n, max_size=n),
                                                      st.lists(st.lists(CELL, min_size=n, max_size=n), max_size=5))))
def test_simple_is_tabulates_simple_format(table_cells):
    headers, rows = table_cells
    assert table.simple(rows, headers) == tabulate(rows, headers=headers, disable_numparse=True)


def test_simple_without_wide_character_support_too(monkeypatch):
    import tabulate as module

    monkeypatch.setattr(module, "WIDE_CHARS_MODE", False)
    rows = [["漢字", "∂L/∂w", "✓"], ["x", "-0.5", "✗"]]
    assert table.simple(rows, ["param", "value", "ok"]) == tabulate(rows, headers=["param", "value", "ok"],
                                                                    disable_numparse=True)


def test_a_long_verify_page_is_the_page_tabulate_lays_out(monkeypatch):
    from backcalc.check.verify import verify
    from backcalc.render import verify as page

    result = verify()  # seed 004: 21 rows
    short = page.text(result)
    monkeypatch.setattr(table, "LONG_TABLE", 3)  # the same rows, laid out here instead of by tabulate
    calls = []
    monkeypatch.setattr(table, "simple", lambda rows, headers, widths=None, plain=table.simple:
                        calls.append(1) or plain(rows, headers, widths))
    assert page.text(result) == short and calls


LONG = st.text(alphabet=st.sampled_from(list("ab  -∂✓·漢é\t")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(CELL, LONG), min_size=1, max_size=5), st.integers(3, 12))
def test_simple_wraps_a_column_as_tabulate_does(rows, limit):
    rows = [list(r) for r in rows]
    headers = ["key", "diagnosis"]
    assert table.simple(rows, headers, [None, limit]) == tabulate(rows, headers=headers, disable_numparse=True,
                                                                  maxcolwidths=[None, limit])


def test_a_long_check_page_is_the_page_tabulate_lays_out(monkeypatch):
    from pathlib import Path

    from backcalc.grading.grade import check_answers
    from backcalc.render import check as page

    examples = Path(__file__).resolve().parents[1] / "worked_examples"
    result = check_answers(examples / "seed004.toml", examples / "seed004_student.toml")
    short = page.text(result, width=30)  # a narrow diagnosis column: most diagnoses wrap
    assert any(line.startswith(" " * 40) for line in short.splitlines())  # a wrapped line, under the diagnosis
    monkeypatch.setattr(table, "LONG_TABLE", 3)
    assert page.text(result, width=30) == short
