"""`backcalc exercise`: friendly, deterministic exercises whose key checks 100% and whose blank sheet checks clean.

The key's gradients are confirmed by the independent 40-digit reference (tests/reference.py)."""

import re

import numpy as np
import pytest
from click.testing import CliRunner

import reference
from backcalc.grading.grade import check_answers
from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.grading.exercise import make_exercise, write_exercise
from backcalc.errors import BackcalcError
from backcalc.net.spec import load_spec

SHAPES = [
    dict(),                                                                   # 1,4,2,1 relu,sigmoid,linear
    dict(shape="2,3,1", activations="tanh,linear", seed=5),
    dict(shape="2,2,2", activations="sigmoid,sigmoid", seed=2, samples=2),
    dict(shape="1,3,2,1", activations="relu,tanh,sigmoid", seed=9, loss="bce"),
    dict(shape="2,3,3", activations="relu,softmax", seed=4, loss="cross_entropy", lr=0.5),
    dict(shape="1,2,1", activations="leaky_relu,linear", seed=1, loss="mse", samples=3),
]


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(params=SHAPES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def written(request, tmp_path):
    ex = make_exercise(**request.param)
    write_exercise(ex, tmp_path)
    return ex, tmp_path


def test_key_checks_100_percent(written):
    ex, folder = written
    r = check_answers(folder / "exercise.toml", folder / "key.toml")
    assert r.ok and r.correct == r.total == r.answered > 0


def test_blank_sheet_is_all_unanswered_and_exit_0(written):
    _, folder = written
    r = check_answers(folder / "exercise.toml", folder / "sheet.toml")
    assert r.ok and r.answered == 0 and r.correct == 0 and r.total > 0
    res = run("check", str(folder / "exercise.toml"), str(folder / "sheet.toml"))
    assert res.exit_code == 0 and "Nothing answered yet" in res.stdout


def test_sheet_has_every_key_of_the_key(written):
    ex, folder = written
    keys = lambda text: [line.split(" = ")[0] for line in text.splitlines() if " = " in line and not line.startswith("#")]
    sheet, key = keys(ex.sheet_text), keys(ex.key_text)
    assert sheet[2:] == key[2:]  # after format and student/title
    blank = check_answers(folder / "exercise.toml", folder / "sheet.toml")
    full = check_answers(folder / "exercise.toml", folder / "key.toml")
    assert [r.key for r in blank.rows] == [r.key for r in full.rows]
    spec = load_spec(folder / "exercise.toml")
    units = sum(layer.units for layer in spec.layers)
    sections = {}
    for r in full.rows:
        sections[r.section] = sections.get(r.section, 0) + 1
    assert sections["forward"] == 2 * units * spec.samples
    assert sections["gradients"] == sections["updated"] == spec.n_parameters
    assert sections["loss"] == sections["loss_after"] == 1


def test_key_agrees_with_the_reference(written):
    _, folder = written
    spec = load_spec(folder / "exercise.toml")
    ref = reference.gradients(spec)
    rows = {r.key: r for r in check_answers(folder / "exercise.toml", folder / "key.toml").rows}
    for _, key in spec.param_names():
        assert rows[f"gradients.{key}"].given == pytest.approx(float(ref[key]), rel=1e-9, abs=1e-13)
    assert rows["loss"].given == pytest.approx(float(reference.loss(spec)), rel=1e-12)


def test_friendly_numbers(written):
    _, folder = written
    spec = load_spec(folder / "exercise.toml")
    for layer in spec.layers:
        assert np.all(layer.weights * 4 == np.round(layer.weights * 4)) and np.all(np.abs(layer.weights) <= 1)
        assert np.all(layer.bias * 4 == np.round(layer.bias * 4))
    assert np.all(spec.x * 2 == np.round(spec.x * 2))
    text = (folder / "exercise.toml").read_text(encoding="utf-8")
    numbers = re.findall(r"-?\d+\.\d+", text)
    assert numbers and all(len(n.split(".")[1]) <= 2 for n in numbers)
    d = explain(spec)
    for n, layer in enumerate(spec.layers, start=1):
        z = np.array(d.forward[f"z{n}"])
        if layer.activation == "relu":
            assert np.all(z > 0)                               # no dead ReLU unless asked
        if layer.activation in ("sigmoid", "tanh"):
            assert np.all(np.abs(z) <= 3)                      # not saturated
    grads = np.concatenate([np.ravel(v) for v in d.gradients.values()])
    assert np.all(np.abs(grads) > 1e-4 * np.abs(grads).max())  # no vanished gradient


def test_same_seed_same_bytes_different_seed_different(tmp_path):
    for name in ("a", "b"):
        res = run("exercise", "--shape", "1,4,2,1", "--activations", "relu,sigmoid,linear", "--seed", "7",
                  "--out", str(tmp_path / name))
        assert res.exit_code == 0, res.output
    for f in ("exercise.toml", "sheet.toml", "key.toml"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert make_exercise(seed=7).files() == make_exercise(seed=7).files()
    assert make_exercise(seed=7).spec_text != make_exercise(seed=8).spec_text


def test_cli_writes_and_the_key_checks(tmp_path):
    out = tmp_path / "hw"
    res = run("exercise", "--seed", "3", "--out", str(out))
    assert res.exit_code == 0 and "wrote" in res.stdout
    res = run("check", str(out / "exercise.toml"), str(out / "key.toml"), "--format", "json")
    assert res.exit_code == 0 and '"wrong": 0' in res.stdout


def test_refuses_to_overwrite_without_force(tmp_path):
    assert run("exercise", "--seed", "1", "--out", str(tmp_path)).exit_code == 0
    before = (tmp_path / "key.toml").read_bytes()
    res = run("exercise", "--seed", "2", "--out", str(tmp_path))
    assert res.exit_code == 2 and "--force" in res.stderr
    assert (tmp_path / "key.toml").read_bytes() == before
    assert run("exercise", "--seed", "2", "--out", str(tmp_path), "--force").exit_code == 0
    assert (tmp_path / "key.toml").read_bytes() != before


def test_dead_relu_on_request(tmp_path):
    ex = make_exercise(seed=0, dead_relu=True)
    d = explain(ex.spec)
    z1 = np.array(d.forward["z1"])
    assert np.any(z1 < 0) and not np.all(z1 < 0)
    write_exercise(ex, tmp_path)
    assert check_answers(tmp_path / "exercise.toml", tmp_path / "key.toml").ok


@pytest.mark.parametrize("args, message", [
    (["--shape", "1,x,1"], "--shape: expected whole numbers"),
    (["--shape", "1"], "at least two sizes"),
    (["--shape", "1,40,1"], "1 to 6 units"),
    (["--activations", "relu,sigmoid"], "expected 3 names"),
    (["--activations", "relu,sigmoid,lineer"], "did you mean 'linear'"),
    (["--loss", "bce"], "make the last activation sigmoid"),
    (["--loss", "hinge"], "unknown loss"),
    (["--shape", "1,2,1", "--activations", "sigmoid,linear", "--dead-relu"], "needs a hidden relu"),
])
def test_bad_options_exit_2(tmp_path, args, message):
    res = run("exercise", *args, "--out", str(tmp_path / "x"))
    assert res.exit_code == 2 and message in res.stderr, res.output
    assert not (tmp_path / "x").exists()


def test_out_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(BackcalcError, match="is a file"):
        write_exercise(make_exercise(), f)


def test_module_examples():
    import doctest

    import backcalc.grading.exercise

    result = doctest.testmod(backcalc.grading.exercise)
    assert result.failed == 0 and result.attempted > 0
