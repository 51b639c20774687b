"""``skip = "NAME"`` on a dense layer: output f(z) + the output of NAME. Pinned by PyTorch float64 (skipped without
torch) and verify's three-way agreement; the golden values by the 40-digit reference (test_derivation.py). The
gradient at the fork is the sum of the path back through the block and the path straight through the skip."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from backcalc.cli import main
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from shared import explain_refuses

EXAMPLE = Path(__file__).resolve().parents[1] / "worked_examples" / "residual_block.toml"


def test_loss_and_every_gradient_match_torch_float64():
    from test_norm_layers import assert_matches_torch

    assert_matches_torch(load_spec(EXAMPLE))


def test_the_fork_sums_the_block_path_and_the_skip_path():
    spec = load_spec(EXAMPLE)
    d = explain(spec)
    a_r = np.array(d.forward["a3"])
    z_r = np.array(d.forward["z3"])
    assert a_r == pytest.approx(np.tanh(z_r) + np.array(d.forward["a1"]), rel=1e-15)  # f(z) + h's output
    up = {(u.layer, u.unit, u.sample): u for u in d.upstream}
    for s in (1, 2):
        for c, unit in enumerate(("h1", "h2")):
            row = up[(1, unit, s)]
            skip = [p for p in row.paths if p.weight_name == "1"]
            assert len(skip) == 1 and skip[0].grad_name == f"∂L/∂r{c + 1}_out"
            assert skip[0].grad == up[(3, f"r{c + 1}", s)].value  # straight through: ∂L/∂r_out · 1
            assert len(row.paths) == 3 and sum(p.grad * p.weight for p in row.paths) == pytest.approx(row.value, rel=1e-12)


def test_verify_agrees_three_ways():
    result = CliRunner().invoke(main, ["verify", str(EXAMPLE)])
    assert result.exit_code == 0 and "gradients agree: tape = sympy" in result.output, result.output


@pytest.mark.parametrize("skip, expected", [
    ("nope", 'layers[3] ("r") skip: expected the name of an earlier layer'),
    ("o", 'layers[3] ("r") skip: expected the name of an earlier layer'),     # a later layer
    ("w", 'layers[3] ("r") skip: layer \'w\' gives 3 units per sample and this layer 2'),
    (3, 'layers[3] ("r") skip: expected the name of an earlier layer'),
])
def test_bad_skips_exit_2_with_one_line_naming_both(tmp_path, skip, expected):
    doc = {"format": 1, "data": {"x": [[1.0, 2.0]], "y": [[1.0]]},
           "layers": [{"name": "h", "activation": "tanh", "weights": [[1.0, 0.0], [0.0, 1.0]], "bias": [0.0, 0.0]},
                      {"name": "w", "activation": "tanh", "weights": [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]],
                       "bias": [0.0, 0.0, 0.0]},
                      {"name": "r", "activation": "tanh", "weights": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
                       "bias": [0.0, 0.0], "skip": skip},
                      {"name": "o", "activation": "linear", "weights": [[1.0], [1.0]], "bias": [0.0]}]}
    assert expected in explain_refuses(tmp_path, doc)


def test_check_judges_a_net_with_a_skip(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text("[gradients]\nw_x1h1 = 0.94273\nb_h1 = 0.5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(EXAMPLE), str(answers)])
    assert result.exit_code == 1 and "cannot judge" not in result.output, result.output  # b_h1 is 0.94901
    assert "Score: 1 of 2 correct" in result.output
