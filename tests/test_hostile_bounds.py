"""Bounded time: the limits that keep every command under 10 s are refused up front, with one line (issue #13).

The times themselves are measured by benchmarks/bench_limits.py (every command at every limit), not here."""

from click.testing import CliRunner

from backcalc.cli import main
from backcalc.study.options import MAX_FLOATS, WORK_BUDGET, floats, resolve, work
from backcalc.study.presets import PRESETS
from backcalc.study.records import Config


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_2(res):
    assert res.exit_code == 2, (res.exit_code, res.output)
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backcalc: error:") and "Traceback" not in res.output
    return lines[0]


def test_a_net_over_100_000_weights_is_refused_before_it_is_drawn(tmp_path):
    path = tmp_path / "wide.json"
    path.write_text('{"format": 1, "seed": 0, "data": {"x": [[0.5]], "y": [[0.1]]}, "layers": ['
                    '{"activation": "relu", "units": 4096, "init": "xavier_uniform"},'
                    '{"activation": "linear", "units": 25, "init": "xavier_uniform"}]}')  # 4096 + 102 400 weights
    assert "more than 100000 weights" in one_line_2(run("explain", path))


def test_vanishing_epochs_and_depth_past_the_budget_are_refused_at_once():
    for args in (["--epochs", "1000000000"], ["--epochs", "4"], ["--depth", "1000000", "--width", "1"]):
        out = one_line_2(run("vanishing", *args))
        assert args[0] in out
    # the default net trains 3 epochs within the budget, and every preset fits
    assert work(resolve(Config(epochs=3))[0]) <= WORK_BUDGET < work(resolve(Config(epochs=4))[0])
    for name, options in PRESETS.items():
        from backcalc.study.options import apply_preset, make_config, parse_compare

        config, compare = apply_preset(name, {}, None)
        base, _ = resolve(make_config(config))
        runs = [base] if compare is None else [resolve(c, "--compare")[0] for c in parse_compare(compare, base)]
        assert sum(work(c) for c in runs) <= WORK_BUDGET, name


def test_the_vanishing_float_bound_is_reached_inside_the_work_budget():
    """benchmarks/bench_limits.py's vanishing-floats case times the run at this bound: --width 256 (depth 9, 500
    features) with the most samples it lets through is inside the work budget, one sample more is refused."""
    from dataclasses import replace

    at = resolve(Config(width=256, samples=26_038))[0]
    assert floats(at) <= MAX_FLOATS < floats(replace(at, samples=26_039)) and work(at) <= WORK_BUDGET
    assert floats(at) == 26_038 * 6 * (500 + 8 * 256 + 1) + 3 * (500 * 256 + 7 * 256 * 256 + 256)  # by hand
    out = one_line_2(run("vanishing", "--width", "256", "--samples", "26039"))
    assert "--width 256 --samples 26039" in out and "GB of float64" in out


def test_verify_past_its_limits_and_long_adam_pages_are_refused_at_once(tmp_path):
    many = tmp_path / "many.json"  # 2 → 4 → 1 × 700 samples: 3 500 units × samples
    many.write_text('{"format": 1, "data": {"x": ' + str([[0.5, 0.25]] * 700) + ', "y": ' + str([[0.0]] * 700)
                    + '}, "layers": [{"activation": "tanh", "weights": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]], '
                    '"bias": [0, 0, 0, 0]}, {"activation": "linear", "weights": [[1], [1], [1], [1]], "bias": [0]}]}')
    assert "at most 3,000 units × samples" in one_line_2(run("verify", many))
    adam = tmp_path / "adam.json"
    adam.write_text('{"format": 1, "data": {"x": [[0.5]], "y": [[0.1]]}, "layers": [{"activation": "linear", '
                    '"weights": [[0.5]], "bias": [0.0]}], "train": {"steps": 501, "optimizer": "adam"}}')
    out = one_line_2(run("explain", adam))
    assert "train.steps" in out and "at most 500" in out
    adam.write_text(adam.read_text().replace('"steps": 501', '"steps": 2'))
    assert "at most 500" in one_line_2(run("explain", adam, "--steps", "600"))
    assert run("explain", adam, "--steps", "500", "--format", "json").exit_code == 0
