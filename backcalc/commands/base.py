"""The `backcalc` command group: exit codes, one-line errors, and the output helpers every command uses.

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

from .. import __version__
from ..errors import BackcalcError, CheckFailed


_OUTPUT_ERRNOS = (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT)


class _OutputError(Exception):
    """Writing the output failed (a full disk, a closed pipe)."""


def _output_failed(exc: OSError, lang: str = "en"):
    try:  # stdout is unusable: point it at /dev/null so the interpreter's last flush stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    reason = _frame("no_space", lang) if exc.errno == errno.ENOSPC else \
        _message((exc.strerror or str(exc)).lower(), lang)
    click.echo(_frame("error", lang, message=_frame("output", lang, reason=reason)), err=True)
    sys.exit(2)


class _Group(click.Group):
    """Maps backcalc's exceptions to exit codes and one-line messages."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        self.lang = _lang_of(sys.argv[1:] if args is None else args)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `backcalc`: the help, as click shows it
                exc.show()
                sys.exit(exc.exit_code)
            where = _frame("see", self.lang, command=exc.ctx.command_path) if exc.ctx is not None else ""
            say(_frame("error", self.lang, message=_message(exc.format_message(), self.lang)) + where)
            sys.exit(2)
        except click.ClickException as exc:
            say(_frame("error", self.lang, message=_message(exc.format_message(), self.lang)))
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(_frame("aborted", self.lang), err=True)
            sys.exit(1)
        except _OutputError as exc:
            _output_failed(exc.args[0], self.lang)
        try:
            sys.stdout.flush()
        except OSError as exc:
            _output_failed(exc, self.lang)
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
            lang = getattr(self, "lang", "en")
            say(_frame("error", lang, message=_message(str(exc), lang)))
            ctx.exit(2)
        except CheckFailed as exc:
            if debug:
                raise
            if str(exc):
                lang = getattr(self, "lang", "en")
                say(_frame("failed", lang, message=_message(str(exc), lang)))
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
            lang = getattr(self, "lang", "en")
            click.echo(_frame("error", lang, message=_frame("nested", lang)), err=True)
            ctx.exit(2)
        except Exception as exc:  # a bug in backcalc, not bad input: say so plainly
            if debug:
                raise
            say(_frame("internal", getattr(self, "lang", "en"), exception=type(exc).__name__, message=exc))
            ctx.exit(3)


def _lang_of(args) -> str:
    """The language a command line asks for (``--lang id`` or ``--lang=id``), for its stderr lines."""
    args = [str(a) for a in args]
    for k, a in enumerate(args):
        if a == "--lang" and k + 1 < len(args):
            return "id" if args[k + 1] == "id" else "en"
        if a.startswith("--lang="):
            return "id" if a == "--lang=id" else "en"
    return "en"


def _frame(kind: str, lang: str, **fields) -> str:
    """A stderr line's frame in ``lang`` (its words live in render/labels_errors.py)."""
    from ..render.labels_errors import frame

    return frame(kind, lang, **fields)


def _message(text: str, lang: str) -> str:
    from ..render.labels_errors import message

    return message(text, lang)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="backcalc")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
def main(debug):
    """backcalc: backpropagation by hand, exactly — worked derivations, checks and grading."""


def echo(text: str) -> None:
    """Print a page on stdout, terminal control characters escaped."""
    from ..render.escape import terminal  # nothing from an input reaches the terminal raw (ESC, CSI, bidi)

    click.echo(terminal(text.rstrip("\n")))


def say(text: str) -> None:
    """One line on stderr: control characters escaped, line breaks folded (a message is always one line)."""
    from ..render.escape import terminal

    line = _QUOTED_RUN.sub(lambda m: f"{m.group(1)}{m.group(2)}…{m.group(1)}", " ".join(str(text).splitlines()))
    if len(line) > MAX_MESSAGE:
        line = f"{line[:MAX_MESSAGE]}… ({len(line)} characters)"
    click.echo(terminal(line), err=True)


MAX_MESSAGE = 1000  # characters of one error line: an echoed input never floods the terminal
_QUOTED_RUN = re.compile(r"(['\"])([^'\"]{80})[^'\"]{40,}\1")


# ── shared by the commands ──

SPEC = click.argument("spec", required=False, type=click.Path(dir_okay=True, path_type=str))


def lang_option(f):
    return click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
                        help="Language of headings and captions (id: Indonesian).")(f)


class TableOption(click.Option):
    """An option whose help lists names read from their one home when the help is shown (``{choices}`` in
    the help text): ``choices_from`` is called then, not at start-up, so the table's module may import numpy."""

    def __init__(self, *args, choices_from=None, **kwargs):
        self.choices_from = choices_from
        super().__init__(*args, **kwargs)

    def get_help_record(self, ctx):
        if self.choices_from is not None:
            names = list(self.choices_from())
            self.help = self.help.format(choices=", ".join(names[:-1]) + " or " + names[-1])
            self.choices_from = None
        return super().get_help_record(ctx)
