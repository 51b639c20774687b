"""`exercise --batchnorm` and `--skip`: friendly nets whose key checks 100% correct, whose blank sheet checks as
nothing answered, byte-identical for the same options; options that cannot work exit 2 with one line."""

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.grading.exercise import make_exercise
from backcalc.grading.grade import check_answers
from backcalc.net.documents import parse_document
from backcalc.net.spec import load_spec
from shared import one_line_refusal


def _spec(ex):
    return load_spec(parse_document(ex.spec_text, ".toml", "exercise.toml"))


@pytest.mark.parametrize("options", [
    dict(batchnorm=True, samples=2),
    dict(batchnorm=True, samples=3, shape="2,3,1", activations="tanh,linear"),
    dict(skip=True, shape="2,2,2,1"),
    dict(skip=True, shape="2,2,1", activations="tanh,linear"),           # from the input
    dict(batchnorm=True, skip=True, samples=2, shape="2,2,2,1", activations="sigmoid,tanh,linear"),
])
def test_the_key_checks_correct_and_the_sheet_is_blank(options):
    ex = make_exercise(seed=3, **options)
    spec = _spec(ex)
    kinds = [layer.kind for layer in spec.layers]
    assert ("batchnorm" in kinds) == bool(options.get("batchnorm"))
    assert any(getattr(layer, "skip", None) is not None for layer in spec.layers) == bool(options.get("skip"))
    key = check_answers(spec, parse_document(ex.key_text, ".toml", "key.toml"))
    assert key.total > 20 and key.correct == key.total == key.answered, [r.key for r in key.rows if not r.ok]
    sheet = check_answers(spec, parse_document(ex.sheet_text, ".toml", "sheet.toml"))
    assert sheet.answered == 0 and sheet.total == key.total
    assert ex.files() == make_exercise(seed=3, **options).files()  # the same options, the same bytes


def test_batchnorm_exercise_sits_before_the_activation_and_keeps_units_alive():
    ex = make_exercise(seed=0, batchnorm=True, samples=2)
    spec = _spec(ex)
    j, n = spec.layers[0], spec.layers[1]
    assert (j.activation, n.kind, n.activation) == ("linear", "batchnorm", "relu")
    assert "1 → 4 linear → batchnorm + relu → 2 sigmoid → 1 linear" == spec.title
    from backcalc.net.derivation import explain
    d = explain(spec)
    assert np.all(np.array(d.forward["a2"]) > 0)  # no ReLU after the batchnorm is dead
    assert d.gradients["b1"] == pytest.approx([0.0] * 4, abs=1e-12)  # the mean is subtracted: b_j has no effect
    assert "mu_n1 = " in ex.key_text and '"∂L/∂var_n1" = ' in ex.key_text and "gamma_n1 = " in ex.key_text


def test_skip_exercise_names_its_source_in_the_sheet():
    ex = make_exercise(seed=1, skip=True, shape="2,2,2,1")
    assert 'skip = "j"' in ex.spec_text and "k1_out = \"\"  # σ(k1_in) + j1_out" in ex.sheet_text
    assert "--skip" in ex.command


@pytest.mark.parametrize("args, message", [
    (["--batchnorm"], "--batchnorm needs a batch of 2 or more samples"),
    (["--batchnorm", "--samples", "2", "--shape", "2,1"], "--batchnorm needs a hidden layer"),
    (["--skip"], "--skip needs two hidden layers of the same width, or a last hidden layer as wide as the input"),
])
def test_options_that_cannot_work_exit_2_with_one_line(tmp_path, args, message):
    assert message in one_line_refusal(CliRunner().invoke(main, ["exercise", *args, "--out", str(tmp_path / "hw")]))
    assert not (tmp_path / "hw").exists()


def test_the_cli_writes_a_batchnorm_exercise_that_checks(tmp_path):
    out = tmp_path / "hw"
    result = CliRunner().invoke(main, ["exercise", "--batchnorm", "--samples", "2", "--seed", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["check", str(out / "exercise.toml"), str(out / "key.toml")])
    assert result.exit_code == 0 and "0 wrong" in result.output, result.output


def test_a_moodle_quiz_of_a_batchnorm_skip_exercise_lists_its_layers():
    from backcalc.grading.moodle import quiz_xml

    ex = make_exercise(seed=2, batchnorm=True, skip=True, samples=2, shape="2,2,2,1", activations="tanh,tanh,linear")
    xml = quiz_xml([(None, ex)])
    assert "batchnorm: each unit over the 2 samples of the batch (biased variance, eps = 1e-05), gamma2 = [" in xml
    assert ", + j (skip)" in xml and "∂L/∂gamma_n1" in xml
