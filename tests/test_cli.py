"""The CLI shell: --version and --help answer without loading sympy."""

import subprocess
import sys

from click.testing import CliRunner

from backcalc import __version__
from backcalc.cli import main


def test_version_and_help():
    runner = CliRunner()
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0 and "backcalc" in result.output


def test_startup_imports_stay_light():
    code = ("import sys, backcalc.cli; heavy = [m for m in ('sympy', 'matplotlib', 'tabulate', 'numpy') if m in sys.modules];"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_usage_errors_are_one_line_with_exit_2():
    runner = CliRunner()
    for args in (["explain", "--format", "nope"], ["explain", "--bogus"], ["nocommand"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2
        assert result.output.strip().count("\n") == 0 and result.output.startswith("backcalc: error:")


def test_debug_shows_the_traceback():
    result = CliRunner().invoke(main, ["--debug", "explain", "missing.toml"])
    assert result.exit_code != 0 and result.exception is not None
    assert type(result.exception).__name__ == "SpecError"


def test_option_help_lists_names_from_their_one_home():
    from click.testing import CliRunner

    from backcalc.net.optim import OPTIMIZERS
    from backcalc.net.spec import LOSSES
    from backcalc.study import options

    vanishing = " ".join(CliRunner().invoke(main, ["vanishing", "--help"]).output.split())
    assert f"{', '.join(options.ACTIVATIONS[:-1])} or {options.ACTIVATIONS[-1]}." in vanishing
    assert f"{', '.join(options.LOSS_KINDS[:-1])} or {options.LOSS_KINDS[-1]}." in vanishing
    exercise = " ".join(CliRunner().invoke(main, ["exercise", "--help"]).output.split())
    assert f"{', '.join(LOSSES[:-1])} or {LOSSES[-1]}." in exercise
    assert f"{', '.join(OPTIMIZERS[:-1])} or {OPTIMIZERS[-1]} (torch.optim's defaults)" in exercise
