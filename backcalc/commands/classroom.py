"""check, exercise and grade: one student's sheet, a class's variants, a class's gradebook."""

from __future__ import annotations

import click

from ..errors import BackcalcError, CheckFailed
from .base import TableOption, echo, main, say


def _spec_losses():
    from ..net.spec import LOSSES

    return LOSSES


def _optimizers():
    from ..net.optim import OPTIMIZERS

    return OPTIMIZERS


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
    from ..grading.grade import check_answers
    from ..render import check as render_check

    result = check_answers(spec, answers, rtol=rtol, atol=atol, strict=strict)
    options = {"lang": lang} if fmt == "json" else {"digits": digits, "lang": lang, "show_all": show_all}
    echo(render_check.render(result, fmt, **options))
    if not result.ok:
        raise CheckFailed(render_check.failure(result, lang))
# [/check]

# [exercise]
@main.command("exercise")
@click.option("--shape", default="1,4,2,1", show_default=True, help="Units per layer, the input first.")
@click.option("--activations", default=None,
              help="One per weight layer  [default: relu,sigmoid,linear for 1,4,2,1; else sigmoid hidden, linear out]")
@click.option("--loss", default="half_sse", show_default=True, cls=TableOption, help="{choices}.",
              choices_from=lambda: _spec_losses())
@click.option("--lr", type=float, default=None, help="Learning rate  [default: 0.25]")
@click.option("--samples", type=click.IntRange(1, 4), default=1, show_default=True, help="Samples in the batch.")
@click.option("--seed", type=click.IntRange(0, 2 ** 32 - 1), default=0, show_default=True,
              help="Same seed, same files (with --roster: the assignment's seed; each student's variant comes from "
                   "it and the student's id).")
@click.option("--dead-relu", is_flag=True, help="Include a dead ReLU unit (its gradients are 0).")
@click.option("--optimizer", default=None,
              cls=TableOption, choices_from=lambda: _optimizers(),
              help="A training exercise: {choices} (torch.optim's defaults); the key's updated weights are its "
                   "first step.")
@click.option("--l2", type=float, default=None, help="Add [loss] l2 = λ (λ·Σw² over the weights).")
@click.option("--dropout", type=float, default=None,
              help="Inverted dropout with probability p on every hidden layer, its mask drawn and written in the spec.")
@click.option("--no-bias", "no_bias", is_flag=True, help="Layers without bias (bias = false).")
@click.option("--batchnorm", is_flag=True,
              help="A batchnorm layer after the first hidden layer's weighted sum (needs --samples 2 or more).")
@click.option("--skip", is_flag=True,
              help="The last hidden layer adds the output of an earlier layer (or the input) of its width.")
@click.option("--conv", is_flag=True,
              help="A convolution exercise: a 3×5 input, a 2×2 kernel, relu, a 2×2 pool, flatten, one linear unit.")
@click.option("--pool", type=click.Choice(["max", "avg"]), default=None,
              help="The pool of --conv  [default: max]")
@click.option("--rnn", is_flag=True,
              help="A 3-step tanh RNN (2 units, one feature per step, a linear output) instead of a dense net.")
@click.option("--every-step", "every_step", is_flag=True,
              help="With --rnn: a loss at every step (return_sequences = true, a target per step).")
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
def exercise_command(shape, activations, loss, lr, samples, seed, dead_relu, optimizer, l2, dropout, no_bias, batchnorm,
                     skip, conv, pool, rnn, every_step, roster,
                     moodle, lang, out, force):
    """Write a fresh exercise: DIR/exercise.toml (the net), DIR/sheet.toml (blank answers), DIR/key.toml.

    With --roster, one variant per student: DIR/<id>/ each with exercise.toml, sheet.toml (the student's id
    and name filled in) and key.toml, DIR/solutions/<id>.md and .tex, and DIR/roster.csv for backcalc grade."""
    from ..grading.exercise import check_out, write_exercise
    from ..grading.rnn_exercise import exercise_for
    from ..render.labels import cli_labels

    options = dict(shape=shape, activations=activations, loss=loss, lr=lr, samples=samples, dead_relu=dead_relu,
                   optimizer=optimizer, l2=l2, dropout=dropout, no_bias=no_bias,
                   batchnorm=batchnorm, skip=skip, conv=conv, pool=pool, rnn=rnn, every_step=every_step)
    if roster is None:
        if moodle is not None:
            raise BackcalcError("--moodle needs --roster (one question per student's variant)")
        check_out(out, force)
        ex = exercise_for(seed=seed, lang=lang, **options)
        for path in write_exercise(ex, out, force=force):
            echo(cli_labels(lang)["wrote"].format(path=path))
        echo(cli_labels(lang)["check_hint"].format(command=f"backcalc check {out}/exercise.toml {out}/sheet.toml"))
        return
    from ..files import check_output
    from ..grading.classroom import make_class, read_roster, write_class

    if moodle is not None and rnn:
        raise BackcalcError("--moodle: the Moodle quiz is written for dense nets only so far, not --rnn")
    students = read_roster(roster)
    if moodle is not None:
        check_output(moodle, "--moodle", (".xml",), force=True)
    written = write_class(make_class(students, seed=seed, lang=lang, **options), out, force=force, moodle=moodle,
                          lang=lang)
    words = cli_labels(lang)
    echo(words["wrote_class"].format(n=len(written), students=len(students), out=out)
          + (words["moodle"].format(moodle=moodle) if moodle else ""))
    echo(words["grade_hint"].format(command=f"backcalc grade {out} --out gradebook.csv"))
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
    from ..files import check_output, write_text
    from ..grading.gradebook import grade_class
    from ..render import classroom

    if out is not None:
        check_output(out, "--out", (".csv",), force=force)
    result = grade_class(folder, strict=strict, jobs=jobs)
    echo(classroom.render(result, fmt, lang))
    if out is not None:
        write_text(out, classroom.gradebook_csv(result), what="--out", force=force)
        from ..render.labels import cli_labels

        say(cli_labels(lang)["wrote_files"].format(paths=out))
# [/grade]
