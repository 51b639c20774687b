"""`backcalc exercise --optimizer`: the sheet asks the optimizer's state after the step ([state.NAME]), and the
key, copied at full precision or rounded to 3 significant digits, checks 100%; its state values agree with the
40-digit reference run (tests/reference.py)."""

import re

import mpmath as mp
import pytest

import reference
from backcalc.grading.exercise import make_exercise, write_exercise
from backcalc.grading.grade import check_answers
from backcalc.net.spec import load_spec

STATE = {"adam": {"exp_avg", "exp_avg_sq"}, "momentum": {"momentum_buffer"}, "rmsprop": {"square_avg"},
         "adagrad": {"sum"}, "sgd": set()}
_NUMBER = re.compile(r"(?<=[ \[])(-?\d+\.\d+(?:e-?\d+)?)(?=[,\]\s]|$)")


def _three(text):
    """The key with every number rounded to 3 significant digits, as a student writes them."""
    return "\n".join(line if line.startswith(("#", "fingerprint", "title")) else
                     _NUMBER.sub(lambda m: f"{float(m.group(1)):.3g}", line) for line in text.splitlines()) + "\n"


@pytest.fixture(params=sorted(STATE), scope="module")
def written(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    ex = make_exercise(optimizer=request.param, seed=3)
    write_exercise(ex, folder)
    return request.param, ex, folder


def test_the_sheet_asks_the_optimizers_state(written):
    optimizer, ex, _ = written
    tables = set(re.findall(r"^\[state\.(\w+)\]$", ex.sheet_text, flags=re.MULTILINE))
    assert tables == STATE[optimizer]
    assert set(re.findall(r"^\[state\.(\w+)\]$", ex.key_text, flags=re.MULTILINE)) == tables


@pytest.mark.parametrize("digits", ["full", "3"])
def test_the_key_checks_100_percent(written, digits, tmp_path):
    optimizer, ex, folder = written
    key = folder / "key.toml"
    if digits == "3":
        key = tmp_path / "key3.toml"
        key.write_text(_three(ex.key_text), encoding="utf-8")
    r = check_answers(folder / "exercise.toml", key)
    assert r.ok and r.correct == r.total == r.answered > 0, [(x.key, x.expected, x.written) for x in r.rows if not x.ok]
    assert sum(x.section == "state" for x in r.rows) == 21 * len(STATE[optimizer])  # 1,4,2,1: 21 parameters


def test_the_keys_state_agrees_with_the_reference(written):
    optimizer, ex, folder = written
    if not STATE[optimizer]:
        return
    spec = load_spec(folder / "exercise.toml")
    _, _, states = reference.train(spec)
    r = check_answers(spec, folder / "key.toml")
    names = {name: key for name, key in spec.param_names()}
    seen = 0
    for row in r.rows:
        if row.section != "state":
            continue
        _, state, element = row.key.split(".", 2)
        array, idx = element.split("[", 1)[0], tuple(int(i) for i in re.findall(r"\[(\d+)\]", element))
        ref = states[0][(array, idx)][state]
        assert abs(row.expected - float(ref)) <= 1e-9 * max(1.0, abs(float(ref))), (row.key, row.expected, ref)
        seen += 1
    assert seen == len(names) * len(STATE[optimizer])


def test_a_wrong_state_value_on_the_key_is_wrong(written, tmp_path):
    optimizer, ex, folder = written
    if not STATE[optimizer]:
        return
    name = sorted(STATE[optimizer])[0]
    text = ex.key_text
    head, _, tail = text.partition(f"[state.{name}]")
    line = next(x for x in tail.splitlines() if x.startswith("w_k1o = "))
    value = float(line.split(" = ")[1])
    wrong = head + f"[state.{name}]" + tail.replace(line, f"w_k1o = {mp.nstr(value * 1.05, 6)}", 1)
    path = tmp_path / "wrong.toml"
    path.write_text(wrong, encoding="utf-8")
    r = check_answers(folder / "exercise.toml", path)
    bad = [x for x in r.rows if not x.ok]
    assert [x.key for x in bad] == [f"state.{name}.W3[0][0]"] and bad[0].verdict == "wrong"
