"""Fuzzing the expression parser (`grad`) and the answers reader (`check`): random programs, structures and
bytes end with exit 0, 1 or 2 — never a traceback, never a hang, never anything executed."""

import copy
import json
import string
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from backcalc.grading.grade import check_answers
from backcalc.cli import main
from backcalc.errors import BackcalcError
from backcalc.net.spec import default_spec, read_document
from fuzzing import mutate, paths

ROOT = Path(__file__).resolve().parents[1]
STUDENT = read_document(ROOT / "worked_examples" / "seed004_student.toml")

TOKENS = ["x", "y", "a", "b", "+", "-", "*", "/", "**", "(", ")", ",", ";", "=", "+=", "*=", " ", "\n", "1", "2.5",
          "1e308", "9", "sin", "exp", "log", "sqrt", "relu", "max", "pi", "e", "__import__", "open", ".", "[", "]",
          "lambda", ":", "import", "os", "'", '"', "{", "}", "@", "%", "//", "not", "if", "else", "for", "in"]
programs = st.one_of(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
                     st.text(alphabet=string.printable, max_size=80))


def _cli(*args):
    return CliRunner().invoke(main, list(args))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_random_programs_end_cleanly(program):
    r = _cli("grad", program, "--at", "x=0.5,y=1.5,a=2,b=-1", "--format", "json")
    assert r.exit_code in (0, 1, 2), r.output
    assert "Traceback" not in r.output and "internal error" not in r.output
    if r.exit_code == 2:
        assert r.output.strip().count("\n") == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["x", "1.5", "2"]), min_size=1, max_size=4),
       st.lists(st.sampled_from(["+", "*", "-", "/", "**"]), min_size=3, max_size=3))
def test_well_formed_programs_give_a_gradient(operands, ops):
    program = operands[0] + "".join(f" {op} {v}" for op, v in zip(ops, operands[1:]))
    r = _cli("grad", program, "--at", "x=0.75", "--format", "json")
    assert r.exit_code in (0, 1, 2), r.output
    if r.exit_code == 0:
        out = json.loads(r.output)
        assert set(out) >= {"format", "value", "gradient", "derivative"}


PATHS = list(paths(STUDENT))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 20, 10 ** 20), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["", "0.5", "1,5", "∂L/∂k1_out", "W9[0][0]"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=3)),
                      max_leaves=12)
SPEC = default_spec()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), values)
def test_mutated_answers_grade_or_fail_cleanly(path, value):
    doc = mutate(copy.deepcopy(STUDENT), path, value)
    try:
        result = check_answers(SPEC, doc)
    except BackcalcError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    d = result.to_dict()
    assert d["correct"] <= d["total"]


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=10), values, max_size=5))
def test_random_answer_documents_fail_cleanly(doc):
    try:
        check_answers(SPEC, doc)
    except BackcalcError as exc:
        assert str(exc) and "\n" not in str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.sampled_from([".toml", ".json"]))
def test_random_answer_bytes_through_the_cli(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"answers{suffix}"
    path.write_bytes(data)
    r = _cli("check", str(ROOT / "worked_examples" / "seed004.toml"), str(path))
    assert r.exit_code in (0, 1, 2), r.output
    assert "Traceback" not in r.output and "internal error" not in r.output
