"""Fuzzing the spec reader and `explain`: random structures and byte strings never crash, never hang.

Every outcome must be a derivation or a BackcalcError (exit 2 from the CLI with one line, no traceback)."""

import copy
import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.errors import BackcalcError
from backcalc.net.spec import default_spec, load_spec
from fuzzing import DELETE, mutate, paths

BASE = copy.deepcopy(default_spec().raw)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["relu", "sigmoid", "softmax", "cross_entropy", "bce", "mse", "xavier_normal", "normal:0.01", ""]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=20)


PATHS = list(paths(BASE))


def _outcome(doc):
    try:
        spec = load_spec(doc)
    except BackcalcError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    try:
        explain(spec).to_dict()
    except BackcalcError as exc:
        assert str(exc) and "\n" not in str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), st.one_of(values, st.just(DELETE)))
def test_mutated_specs_load_or_fail_cleanly(path, value):
    _outcome(mutate(copy.deepcopy(BASE), path, value))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=10), values, max_size=6))
def test_random_documents_fail_cleanly(doc):
    _outcome(doc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.sampled_from([".toml", ".json"]))
def test_random_bytes_through_the_cli(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"spec{suffix}"
    path.write_bytes(data)
    r = CliRunner().invoke(main, ["explain", str(path)])
    assert r.exit_code in (0, 1, 2), r.output
    assert "Traceback" not in r.output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(PATHS), values)
def test_mutated_json_files_through_the_cli(tmp_path_factory, path, value):
    doc = mutate(copy.deepcopy(BASE), path, value)
    try:
        text = json.dumps(doc)
    except (ValueError, TypeError):
        return
    file = tmp_path_factory.mktemp("fuzz") / "spec.json"
    file.write_text(text)
    r = CliRunner().invoke(main, ["explain", str(file), "--format", "json"])
    assert r.exit_code in (0, 2), r.output
    assert "Traceback" not in r.output and "internal error" not in r.output
    if r.exit_code == 2:
        assert r.output.count("\n") == 1


def test_deep_nesting_is_refused(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text('{"format": 1, "data": {"x": ' + deep + "}}")
    r = CliRunner().invoke(main, ["explain", str(tmp_path / "deep.json")])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_very_large_file_is_refused_quickly(tmp_path):
    big = tmp_path / "big.json"
    big.write_text('{"format": 1, "pad": "' + "x" * 2_000_000 + '"}')
    r = CliRunner().invoke(main, ["explain", str(big)])
    assert r.exit_code == 2 and "over the limit" in r.output
