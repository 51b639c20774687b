"""Messages that name the real problem (issue #13, "Unclear messages")."""

from click.testing import CliRunner

from backcalc.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_2(res):
    assert res.exit_code == 2, (res.exit_code, res.output)
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backcalc: error:"), res.output
    return lines[0]


def test_at_names_the_length_limit_not_finiteness():
    out = one_line_2(run("grad", "x", "--at", "x=0." + "0" * 60 + "1"))
    assert "at most 40 characters" in out and "63" in out and "finite" not in out
    assert "expected a finite number" in one_line_2(run("grad", "x", "--at", "x=1e999"))


def test_exercise_softmax_over_one_unit_names_the_option_not_a_layer_of_a_hidden_spec(tmp_path):
    for shape, acts in (("1,1", "softmax"), ("2,1,3", "softmax,softmax"), ("2,3,1", "relu,softmax")):
        out = one_line_2(run("exercise", "--shape", shape, "--activations", acts, "--out", tmp_path / "hw"))
        assert "--activations: softmax over one unit" in out and "--shape" in out
        assert "layers[" not in out and not (tmp_path / "hw").exists()
