"""The `backcalc` command: a thin click layer. Each command parses, calls one library function, renders.

Exit codes: 0 done and every check passed; 1 a check found a mismatch (:class:`CheckFailed`);
2 bad input (:class:`BackcalcError` or a usage error), one line on stderr, no traceback unless --debug.
Heavy imports (sympy, matplotlib, the renderers) happen inside the commands.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import warnings

import click

from . import __version__
from .errors import BackcalcError, CheckFailed


_OUTPUT_ERRNOS = (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT)


class _OutputError(Exception):
    """Writing the output failed (a full disk, a closed pipe)."""


def _output_failed(exc: OSError):
    try:  # stdout is unusable: point it at /dev/null so the interpreter's last flush stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    reason = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc)).lower()
    click.echo(f"backcalc: error: cannot write output: {reason}", err=True)
    sys.exit(2)


class _Group(click.Group):
    """Maps backcalc's exceptions to exit codes and one-line messages."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `backcalc`: the help, as click shows it
                exc.show()
                sys.exit(exc.exit_code)
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _say(f"backcalc: error: {exc.format_message()}{where}")
            sys.exit(2)
        except click.ClickException as exc:
            _say(f"backcalc: error: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("backcalc: aborted", err=True)
            sys.exit(1)
        except _OutputError as exc:
            _output_failed(exc.args[0])
        try:
            sys.stdout.flush()
        except OSError as exc:
            _output_failed(exc)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx):
        debug = bool(ctx.params.get("debug"))  # the group's own option only: `--of --debug` is a value
        try:
            with warnings.catch_warnings():  # numpy's RuntimeWarnings never reach the user: a non-finite
                warnings.simplefilter("ignore", RuntimeWarning)  # result is named by the command itself
                return super().invoke(ctx)
        except BackcalcError as exc:
            if debug:
                raise
            _say(f"backcalc: error: {exc}")
            ctx.exit(2)
        except CheckFailed as exc:
            if debug:
                raise
            if str(exc):
                _say(f"backcalc: {exc}")
            ctx.exit(1)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            if debug or exc.errno not in _OUTPUT_ERRNOS:
                raise
            raise _OutputError(exc) from None
        except RecursionError:
            if debug:
                raise
            click.echo("backcalc: error: input nested too deeply", err=True)
            ctx.exit(2)
        except Exception as exc:  # a bug in backcalc, not bad input: say so plainly
            if debug:
                raise
            _say(f"backcalc: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
            ctx.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="backcalc")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
def main(debug):
    """backcalc: backpropagation by hand, exactly — worked derivations, checks and grading."""


def _echo(text: str) -> None:
    from .render.escape import terminal  # nothing from an input reaches the terminal raw (ESC, CSI, bidi)

    click.echo(terminal(text.rstrip("\n")))


def _say(text: str) -> None:
    """One line on stderr: control characters escaped, line breaks folded (a message is always one line)."""
    from .render.escape import terminal

    line = _QUOTED_RUN.sub(lambda m: f"{m.group(1)}{m.group(2)}…{m.group(1)}", " ".join(str(text).splitlines()))
    if len(line) > MAX_MESSAGE:
        line = f"{line[:MAX_MESSAGE]}… ({len(line)} characters)"
    click.echo(terminal(line), err=True)


MAX_MESSAGE = 1000  # characters of one error line: an echoed input never floods the terminal
_QUOTED_RUN = re.compile(r"(['\"])([^'\"]{80})[^'\"]{40,}\1")


# ── commands (one thin function each; keep each block between its markers) ──

# [explain]
_SPEC = click.argument("spec", required=False, type=click.Path(dir_okay=True, path_type=str))


def _lang_option(f):
    return click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
                        help="Language of headings and captions (id: Indonesian).")(f)


@main.command()
@_SPEC
@click.option("--format", "fmt",
              type=click.Choice(["text", "markdown", "latex", "json", "dot", "svg", "png", "html"]),
              default="text", show_default=True,
              help="Output format (svg and png: the dot graph drawn by Graphviz, when installed; html: one "
                   "self-contained interactive page).")
@click.option("--digits", type=click.IntRange(1, 17), default=5, show_default=True,
              help="Significant digits in text, Markdown and LaTeX (JSON is always full precision).")
@_lang_option
@click.option("--steps", type=click.IntRange(1, 10_000), default=None, help="SGD steps (overrides the spec's train.steps).")
@click.option("--full", is_flag=True, help="Per-unit and per-term listings even for a large net.")
@click.option("--param", default=None, metavar="NAME",
              help="Focus on one parameter (w_ij1, b_o or W1[0][0]): every path from it to the loss, with numbers "
                   "(text, markdown; html opens with it selected).")
@click.option("--order", type=click.Choice(["pass", "layer"]), default="pass", show_default=True,
              help="pass: the whole backward pass, then every update; layer: each layer's gradients and its "
                   "update, from the output layer back (text, markdown).")
def explain(spec, fmt, digits, lang, steps, full, param, order):
    """Print the worked derivation of SPEC (default: the embedded 1 → 4 → 2 → 1 example)."""
    from .net.spec import load_spec, with_steps
    from .render.pages import explain_page

    if fmt == "png" and sys.stdout.isatty():
        raise BackcalcError("--format png writes binary data: redirect it to a file (backcalc explain --format png > net.png)")
    net = load_spec(spec)
    if steps is not None:
        net = with_steps(net, steps)
    page = explain_page(net, fmt, digits=digits, lang=lang, full=full, param=param, order=order)
    if isinstance(page, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(page)  # click's get_binary_stream is deprecated
        sys.stdout.buffer.flush()
    else:
        _echo(page)
# [/explain]

# [verify]
@main.command("verify")
@click.argument("spec", required=False, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--formulas", is_flag=True, help="Also print each derivative's closed form in the net's names.")
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True,
              help="Significant digits in text (JSON is always full precision).")
def verify_command(spec, fmt, formulas, digits):
    """Check every ∂L/∂w of SPEC three ways: the tape, sympy, central differences (exit 1 on a mismatch).

    SPEC defaults to the embedded 1 → 4 → 2 → 1 example. sympy differentiates its own definitions of
    the activations and the loss, sharing nothing with the tape's rule table.
    """
    from .render.verify import render
    from .check.verify import verify

    result = verify(spec, formulas=formulas)
    _echo(render(result, fmt, digits))
    if not result.ok:
        raise CheckFailed(f"{len(result.failures())} of {len(result.rows)} gradients disagree"
                          + ("" if result.loss_ok else "; the tape's loss differs from sympy's"))
# [/verify]

# [grad]
@main.command("grad")
@click.argument("program")
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE[,NAME=VALUE...]",
              help="The point: a value for every input (repeatable).")
@click.option("--of", "of", default=None, metavar="NAME",
              help="Differentiate this value (default: the last statement's).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "latex"]), default="text", show_default=True,
              help="Output format.")
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True,
              help="Significant digits in text and LaTeX (JSON is always full precision).")
def grad_command(program, at, of, fmt, digits):
    """Differentiate PROGRAM at a point, node by node, and check it with sympy.

    PROGRAM is one expression (x*sin(x**2) + 1) or statements separated by ';' or newlines
    (c = a + b; c += 1; y = c*c), '-' to read it from stdin. Functions: exp log sqrt abs sin cos tan
    tanh sigmoid relu max min; constants pi e. Parsed by a whitelist, never run as Python.
    Exit 1 when the tape and sympy disagree.
    """
    from .errors import ExpressionError
    from .program.parse import MAX_CHARS, parse_point
    from .program.run import check, grad
    from .render.grad import render

    if program == "-":
        program = sys.stdin.read(MAX_CHARS + 1)
    point = {}
    for item in at:
        for name, value in parse_point(item).items():
            if name in point:
                raise ExpressionError(f"--at: {name} is given twice")
            point[name] = value
    result = grad(program, point, of=of)
    _echo(render(result, fmt, digits))
    check(result)
# [/grad]

# [check]
@main.command("check")
@click.argument("spec", type=click.Path(dir_okay=True, path_type=str))
@click.argument("answers", type=click.Path(dir_okay=True, path_type=str))
@click.option("--rtol", type=click.FloatRange(min=0), default=None,
              help="Relative tolerance: |given − expected| ≤ atol + rtol·|expected| (replaces the as-written rule).")
@click.option("--atol", type=click.FloatRange(min=0), default=None, help="Absolute tolerance (see --rtol).")
@click.option("--strict", is_flag=True,
              help="A value right only at a precision too low to show the step counts as wrong.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--digits", type=click.IntRange(1, 17), default=5, show_default=True,
              help="Significant digits of expected values in text and Markdown.")
@click.option("--lang", "lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Language of headings and diagnoses (id: Indonesian).")
@click.option("--all", "show_all", is_flag=True, help="Also list the cells left blank.")
def check_command(spec, answers, rtol, atol, strict, fmt, digits, lang, show_all):
    """Grade ANSWERS (TOML or JSON) against SPEC, answer by answer, and name each mistake.

    Exit 0 when every given answer is right (a blank sheet included), 1 when one is wrong or unreadable."""
    from .grading.grade import check_answers
    from .render import check as render_check

    result = check_answers(spec, answers, rtol=rtol, atol=atol, strict=strict)
    options = {"lang": lang} if fmt == "json" else {"digits": digits, "lang": lang, "show_all": show_all}
    _echo(render_check.render(result, fmt, **options))
    if not result.ok:
        raise CheckFailed(render_check.failure(result, lang))
# [/check]

# [exercise]
@main.command("exercise")
@click.option("--shape", default="1,4,2,1", show_default=True, help="Units per layer, the input first.")
@click.option("--activations", default=None,
              help="One per weight layer  [default: relu,sigmoid,linear for 1,4,2,1; else sigmoid hidden, linear out]")
@click.option("--loss", default="half_sse", show_default=True, help="half_sse, sse, mse, bce or cross_entropy.")
@click.option("--lr", type=float, default=None, help="Learning rate  [default: 0.25]")
@click.option("--samples", type=click.IntRange(1, 4), default=1, show_default=True, help="Samples in the batch.")
@click.option("--seed", type=click.IntRange(0, 2 ** 32 - 1), default=0, show_default=True,
              help="Same seed, same files (with --roster: the assignment's seed; each student's variant comes from "
                   "it and the student's id).")
@click.option("--dead-relu", is_flag=True, help="Include a dead ReLU unit (its gradients are 0).")
@click.option("--optimizer", default=None,
              help="A training exercise: sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw (torch.optim's "
                   "defaults); the key's updated weights are its first step.")
@click.option("--l2", type=float, default=None, help="Add [loss] l2 = λ (λ·Σw² over the weights).")
@click.option("--roster", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="CSV with a header: id, name[, email]. One variant per student in DIR/<id>/, worked solutions "
                   "in DIR/solutions/.")
@click.option("--moodle", default=None, metavar="QUIZ.xml",
              help="Also write the variants as Moodle XML cloze questions (with --roster).")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Language of the files' comments and the solutions (id: Indonesian).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for exercise.toml, sheet.toml and key.toml (created if needed).")
@click.option("--force", is_flag=True, help="Overwrite the files if the folder already has them.")
def exercise_command(shape, activations, loss, lr, samples, seed, dead_relu, optimizer, l2, roster, moodle, lang, out,
                     force):
    """Write a fresh exercise: DIR/exercise.toml (the net), DIR/sheet.toml (blank answers), DIR/key.toml.

    With --roster, one variant per student: DIR/<id>/ each with exercise.toml, sheet.toml (the student's id
    and name filled in) and key.toml, DIR/solutions/<id>.md and .tex, and DIR/roster.csv for backcalc grade."""
    from .grading.exercise import check_out, make_exercise, write_exercise
    from .render.labels import cli_labels

    options = dict(shape=shape, activations=activations, loss=loss, lr=lr, samples=samples, dead_relu=dead_relu,
                   optimizer=optimizer, l2=l2)
    if roster is None:
        if moodle is not None:
            raise BackcalcError("--moodle needs --roster (one question per student's variant)")
        check_out(out, force)
        ex = make_exercise(seed=seed, lang=lang, **options)
        for path in write_exercise(ex, out, force=force):
            _echo(cli_labels(lang)["wrote"].format(path=path))
        _echo(cli_labels(lang)["check_hint"].format(command=f"backcalc check {out}/exercise.toml {out}/sheet.toml"))
        return
    from .files import check_output
    from .grading.classroom import make_class, read_roster, write_class

    students = read_roster(roster)
    if moodle is not None:
        check_output(moodle, "--moodle", (".xml",), force=True)
    written = write_class(make_class(students, seed=seed, lang=lang, **options), out, force=force, moodle=moodle,
                          lang=lang)
    words = cli_labels(lang)
    _echo(words["wrote_class"].format(n=len(written), students=len(students), out=out)
          + (words["moodle"].format(moodle=moodle) if moodle else ""))
    _echo(words["grade_hint"].format(command=f"backcalc grade {out} --out gradebook.csv"))
# [/exercise]

# [grade]
@main.command("grade")
@click.argument("folder", type=click.Path(file_okay=False, path_type=str))
@click.option("--out", "out", default=None, metavar="GRADEBOOK.csv",
              help="Write the gradebook CSV (id, name, email, score %, counts, % per section) for Moodle or Canvas.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="Format of the class report.")
@click.option("--strict", is_flag=True,
              help="A value right only at a precision too low to show the step counts as wrong.")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Language of the report (id: Indonesian).")
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes  [default: every core]")
@click.option("--force", is_flag=True, help="Overwrite an existing gradebook file.")
def grade_command(folder, out, fmt, strict, lang, jobs, force):
    """Grade every student's sheet in FOLDER against the student's own exercise; print the class report.

    FOLDER is what backcalc exercise --roster wrote. Exit 0 when the gradebook was made (a sheet that cannot
    be read is a row with its error)."""
    from .files import check_output, write_text
    from .grading.gradebook import grade_class
    from .render import classroom

    if out is not None:
        check_output(out, "--out", (".csv",), force=force)
    result = grade_class(folder, strict=strict, jobs=jobs)
    _echo(classroom.render(result, fmt, lang))
    if out is not None:
        write_text(out, classroom.gradebook_csv(result), what="--out", force=force)
        from .render.labels import cli_labels

        _say(cli_labels(lang)["wrote_files"].format(paths=out))
# [/grade]

# [vanishing]
# Options → vanishing() keyword; only the options given on the command line are passed, so the library's
# defaults (and a preset's settings) are the one home of every default.
_VANISHING_KEYS = {"depth": "depth", "width": "width", "samples": "samples", "features": "features",
                   "activation": "activation", "alpha": "alpha", "output_activation": "output_activation",
                   "init": "init", "compare": "compare", "residual": "residual", "data": "data", "loss": "loss",
                   "epochs": "epochs", "optimizer": "optimizer", "momentum": "momentum", "lr": "learning_rate",
                   "batch_size": "batch_size", "seed": "seed", "noise": "noise", "data_seed": "data_seed",
                   "test_fraction": "test_fraction", "preset": "preset"}


@main.command("vanishing")
@click.option("--preset", default=None, metavar="NAME",
              help="A seed notebook's experiment: seed000 (the defaults), seed001 (digits; needs the data extra), "
                   "seed002, seed003.")
@click.option("--depth", type=int, default=9, show_default=True, help="Weight layers (input → output).")
@click.option("--width", type=int, default=512, show_default=True, help="Units in each hidden layer.")
@click.option("--samples", type=int, default=None, help="Rows of data  [default: 1000; all 1797 of digits]")
@click.option("--features", type=int, default=None, help="Input columns  [default: 500; 2 for moons and blobs]")
@click.option("--activation", default="sigmoid", show_default=True,
              help="sigmoid, tanh, relu, leaky_relu, elu, selu or linear.")
@click.option("--alpha", type=float, default=None, help="leaky_relu's slope or elu's alpha  [default: 0.01, 1]")
@click.option("--output-activation", default=None,
              help="The output layer's activation  [default: sigmoid; linear logits for cross_entropy]")
@click.option("--init", default="normal:0.01", show_default=True,
              help="normal:STD, uniform:A, xavier_normal, xavier_uniform (= glorot_*), he_normal, he_uniform, "
                   "lecun_normal, lecun_uniform, torch_linear or zeros.")
@click.option("--compare", default=None, metavar="A:I,A:I,...",
              help="Run several configurations side by side: activation[(alpha)]:init[+bn|+bn_after][+residual], "
                   "e.g. sigmoid:normal:0.01,relu:he_normal,'leaky_relu(0.2):he_normal+bn'.")
@click.option("--residual", is_flag=True, default=None, help="Skip connections around the hidden layers: "
                                                             "a_n = f(z_n) + a_(n−1).")
@click.option("--batchnorm", type=click.Choice(["before", "after"]), is_flag=False, flag_value="before", default=None,
              help="Batch-normalise each hidden layer before its activation (the default) or after it.")
@click.option("--data", default="random", show_default=True,
              help="random, moons, blobs, sklearn_moons (make_moons as scikit-learn draws it) or digits "
                   "(scikit-learn's 8×8 digits: the data extra).")
@click.option("--noise", type=float, default=None, help="sklearn_moons: the noise's standard deviation  [default: 0.05]")
@click.option("--data-seed", type=int, default=None, help="sklearn_moons and --test-fraction: scikit-learn's "
                                                          "random_state  [default: --seed]")
@click.option("--test-fraction", type=float, default=None, help="Hold out this share of rows as test data "
                                                                "(train_test_split's test_size).")
@click.option("--loss", default="half_sse", show_default=True, help="half_sse, mse, bce or cross_entropy.")
@click.option("--epochs", type=int, default=0, show_default=True, help="Train and report every epoch.")
@click.option("--optimizer", default="sgd", show_default=True, help="sgd, momentum or adam (torch.optim's rules).")
@click.option("--momentum", type=float, default=None, help="With --optimizer momentum  [default: 0.9]")
@click.option("--lr", "--learning-rate", "lr", type=float, default=0.01, show_default=True,
              help="Learning rate (with --epochs).")
@click.option("--batch-size", type=int, default=32, show_default=True, help="Mini-batch size (with --epochs).")
@click.option("--plot", default=None, metavar="FILE.png",
              help="Also draw the figures: FILE.png and FILE-histograms.png, FILE-activations.png, "
                   "FILE-weights.png (needs matplotlib).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Language of the text, Markdown and figures.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of data, weights and training order.")
@click.pass_context
def vanishing_command(ctx, plot, fmt, lang, batchnorm, **options):
    """Watch gradients vanish or explode layer by layer in a deep net (seed 000's by default)."""
    import importlib.util

    # One BLAS thread unless the user says otherwise: the study's matrices are small, and a multi-threaded
    # BLAS whose threads wait for busy cores made the presets 4-10× slower here (takes effect when numpy is
    # first imported, as it is from the command line).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")

    from click.core import ParameterSource

    from .study.vanishing import planned_epochs, vanishing

    if plot is not None:  # a bad path (of any figure it may write) is bad input with or without matplotlib
        from .render.vanishing_plot import check_paths

        check_paths(plot)
        if importlib.util.find_spec("matplotlib") is None:
            raise BackcalcError("--plot needs matplotlib: pip install 'backcalc[plot]'")
    given = {name for name in options if ctx.get_parameter_source(name) in
             (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}
    config = {_VANISHING_KEYS[name]: options[name] for name in given}
    if batchnorm is not None:
        config.update(batchnorm=True, batchnorm_position=batchnorm)
    config["histogram"] = plot is not None
    total = planned_epochs(**config) if sys.stderr.isatty() else 0
    if total:
        with click.progressbar(length=total, label="training", file=sys.stderr) as bar:
            result = vanishing(progress=bar.update, **config)
    else:
        result = vanishing(**config)
    if fmt == "json":
        import json

        _echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _echo(result.to_markdown(lang) if fmt == "markdown" else result.to_text(lang))
    if plot is not None:
        written = result.plot(plot, lang)
        from .render.labels import cli_labels

        _say(cli_labels(lang)["wrote_files"].format(paths=", ".join(written)))
# [/vanishing]


if __name__ == "__main__":  # pragma: no cover
    main()
