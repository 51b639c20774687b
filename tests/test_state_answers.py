"""check reads [state] (the optimizer's state after a step, by PyTorch's names) and [updated.stepN] (the parameters
after each step): every value of the 40-digit reference run (tests/reference.py, written apart from net/optim.py)
is right at full precision and rounded to 3 significant digits, and a wrong one is wrong."""

from pathlib import Path

import mpmath as mp
import pytest

from backcalc.grading.grade import check_answers
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec

import reference

EXAMPLES = Path(__file__).resolve().parent.parent / "worked_examples"
_CACHE = {}


def _run(name):
    if name not in _CACHE:
        spec = load_spec(EXAMPLES / name)
        _CACHE[name] = spec, explain(spec), reference.train(spec)
    return _CACHE[name]


def _nest(flat, name, fmt):
    """{array: nested list} of one state variable (or of the parameters, name None) from {(array, idx): …}."""
    out = {}
    for (array, idx), value in flat.items():
        v = value if name is None else value.get(name)
        if v is None:
            continue
        rows = out.setdefault(array, {})
        rows[idx] = fmt(v)
    nested = {}
    for array, cells in out.items():
        if all(len(i) == 2 for i in cells):
            n, m = max(i[0] for i in cells) + 1, max(i[1] for i in cells) + 1
            nested[array] = [[cells[(a, c)] for c in range(m)] for a in range(n)]
        else:
            nested[array] = [cells[(c,)] for c in range(len(cells))]
    return nested


def _flat_params(params):
    return {(k, idx): reference._get(params, k, idx) for k, idx in reference._flat_keys(params)}


def key_of(name, fmt):
    """An answers document with every state value and every step's parameters, from the reference run."""
    spec, _, (trajectory, _, states) = _run(name)
    last = len(trajectory)
    names = sorted({n for st in states[-1].values() for n in st})
    doc = {"state": {}, "updated": {}}
    for t in range(1, last + 1):
        state = {n: _nest(states[t - 1], n, fmt) for n in names}
        params = _nest(_flat_params(trajectory[t - 1]), None, fmt)
        if t == last:
            doc["state"].update(state)
            doc["updated"].update(params)
        else:
            doc["state"][f"step{t}"] = state
            doc["updated"][f"step{t}"] = params
    return doc


FULL = lambda v: mp.nstr(v, 17, min_fixed=-30, max_fixed=30)  # noqa: E731
THREE = lambda v: mp.nstr(v, 3, min_fixed=-30, max_fixed=30)  # noqa: E731


@pytest.mark.parametrize("name", ["adam_first_step.toml", "momentum_3_steps.toml"])
@pytest.mark.parametrize("fmt", [FULL, THREE], ids=["full", "3 digits"])
def test_the_reference_runs_state_and_steps_check_right(name, fmt):
    spec, d, (trajectory, _, states) = _run(name)
    r = check_answers(spec, key_of(name, fmt), derivation=d)
    n_params = sum(1 for _ in reference._flat_keys(trajectory[0]))
    n_state = sum(len(st) for st in states[-1].values())
    assert r.total == len(trajectory) * (n_params + n_state)
    assert r.correct == r.total and r.ok, [(x.key, x.expected, x.written) for x in r.rows if not x.ok]
    sections = {x.section for x in r.rows}
    assert sections == {"state", "updated"}
    if fmt is FULL:
        assert all(x.verdict == "correct" for x in r.rows)


def test_adam_state_names_and_scopes():
    spec, d, _ = _run("adam_first_step.toml")
    doc = key_of("adam_first_step.toml", FULL)
    keys = {x.key for x in check_answers(spec, doc, derivation=d).rows}
    assert "state.exp_avg.W1[0][3]" in keys and "state.exp_avg_sq.b3[0]" in keys and "updated.W2[3][1]" in keys


def test_momentum_steps_are_scoped_by_step():
    spec, d, _ = _run("momentum_3_steps.toml")
    r = check_answers(spec, key_of("momentum_3_steps.toml", FULL), derivation=d)
    keys = {x.key for x in r.rows}
    assert {"state.step1.momentum_buffer.b3[0]", "state.step2.momentum_buffer.W1[0][0]",
            "state.momentum_buffer.W3[1][0]", "updated.step1.b1[2]", "updated.step2.W3[0][0]", "updated.b3[0]"} <= keys
    names = {x.key: x.name for x in r.rows}
    assert names["state.step1.momentum_buffer.b3[0]"] == "momentum_buffer of b_o (step 1)"
    assert names["updated.step2.W3[0][0]"] == "w_k1o (step 2)"


def _one(name, doc):
    spec, d, _ = _run(name)
    (row,) = check_answers(spec, doc, derivation=d).rows
    return row


def test_a_wrong_state_value_is_wrong_and_a_right_one_right():
    _, _, (_, _, states) = _run("momentum_3_steps.toml")
    v1 = states[0][("b3", (0,))]["momentum_buffer"]
    v3 = states[2][("b3", (0,))]["momentum_buffer"]
    right = _one("momentum_3_steps.toml", {"state": {"step1": {"momentum_buffer": {"b_o": mp.nstr(v1, 5)}}}})
    assert right.verdict == "correct"
    # the last step's buffer given for step 1, and the reverse: wrong
    wrong = _one("momentum_3_steps.toml", {"state": {"step1": {"momentum_buffer": {"b_o": mp.nstr(v3, 5)}}}})
    assert wrong.verdict == "wrong" and not wrong.ok
    wrong = _one("momentum_3_steps.toml", {"state": {"momentum_buffer": {"b_o": mp.nstr(v1, 5)}}})
    assert wrong.verdict == "wrong"
    right = _one("momentum_3_steps.toml", {"state": {"momentum_buffer": {"b_o": mp.nstr(v3, 5)}}})
    assert right.verdict == "correct"


def test_a_wrong_adam_moment_is_wrong():
    _, _, (_, _, states) = _run("adam_first_step.toml")
    m = states[0][("W3", (0, 0))]["exp_avg"]
    assert _one("adam_first_step.toml", {"state": {"exp_avg": {"w_k1o": mp.nstr(m, 4)}}}).verdict == "correct"
    assert _one("adam_first_step.toml", {"state": {"exp_avg": {"w_k1o": mp.nstr(m * 1.01, 4)}}}).verdict == "wrong"
    # m̂ = m/(1 − β1) is not the state PyTorch keeps
    assert _one("adam_first_step.toml", {"state": {"exp_avg": {"w_k1o": mp.nstr(m * 10, 4)}}}).verdict == "wrong"


def test_a_step_before_the_last_is_judged_against_its_own_step():
    _, _, (trajectory, _, _) = _run("momentum_3_steps.toml")
    after1 = trajectory[0]["b3"][0]
    assert _one("momentum_3_steps.toml", {"updated": {"step1": {"b_o": mp.nstr(after1, 6)}}}).verdict == "correct"
    row = _one("momentum_3_steps.toml", {"updated": {"step2": {"b_o": mp.nstr(after1, 6)}}})
    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == ["not_updated"]


@pytest.mark.parametrize("doc, words", [
    ({"state": {"velocity": {"b_o": 1}}}, "keeps momentum_buffer"),
    ({"state": {"step4": {"momentum_buffer": {"b_o": 1}}}}, "steps 1 to 3"),
    ({"state": {"step2": 3}}, "expected a table"),
    ({"state": {"momentum_buffer": {"bo": 1}}}, "did you mean 'b_o'"),
    ({"updated": {"step2": {"W3": [[1.0, 2.0]]}}}, "transposed"),
    ({"state": 5}, "expected a table"),
])
def test_unreadable_state_entries_are_their_own_rows(doc, words):
    from backcalc.render.labels_answers import problem_text

    spec, d, _ = _run("momentum_3_steps.toml")
    doc = dict(doc, loss="0.12793")
    r = check_answers(spec, doc, derivation=d)
    bad = [x for x in r.rows if x.verdict == "invalid"]
    assert len(bad) == 1 and words in problem_text(bad[0].problem), problem_text(bad[0].problem)
    assert [x.verdict for x in r.rows if x.verdict != "invalid"] == ["correct"]


def test_plain_sgd_has_no_state():
    from backcalc.render.labels_answers import problem_text

    r = check_answers(None, {"state": {"momentum_buffer": {"b_o": 1}}})
    assert "no state" in problem_text(r.rows[0].problem)
