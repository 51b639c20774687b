"""explain, verify and grad: a worked derivation and its two independent checks."""

from __future__ import annotations

import sys

import click

from ..errors import BackcalcError, CheckFailed
from .base import SPEC, echo, lang_option, main


# [explain]

@main.command()
@SPEC
@click.option("--format", "fmt",
              type=click.Choice(["text", "markdown", "latex", "json", "dot", "svg", "png", "html"]),
              default="text", show_default=True,
              help="Output format (svg and png: the dot graph drawn by Graphviz, when installed; html: one "
                   "self-contained interactive page).")
@click.option("--digits", type=click.IntRange(1, 17), default=5, show_default=True,
              help="Significant digits in text, Markdown and LaTeX (JSON is always full precision).")
@lang_option
@click.option("--steps", type=click.IntRange(1, 10_000), default=None, help="SGD steps (overrides the spec's train.steps).")
@click.option("--full", is_flag=True, help="Per-unit and per-term listings even for a large net.")
@click.option("--param", default=None, metavar="NAME",
              help="Focus on one parameter (w_ij1, b_o or W1[0][0]): every path from it to the loss, with numbers "
                   "(text, markdown; html opens with it selected).")
@click.option("--order", type=click.Choice(["pass", "layer"]), default="pass", show_default=True,
              help="pass: the whole backward pass, then every update; layer: each layer's gradients and its "
                   "update, from the output layer back (text, markdown, latex, html).")
def explain(spec, fmt, digits, lang, steps, full, param, order):
    """Print the worked derivation of SPEC (default: the embedded 1 → 4 → 2 → 1 example)."""
    from ..net.spec import load_spec, with_steps
    from ..render.pages import explain_page

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
        echo(page)
# [/explain]

# [verify]
@main.command("verify")
@click.argument("spec", required=False, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--formulas", is_flag=True, help="Also print each derivative's closed form in the net's names.")
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True,
              help="Significant digits in text (JSON is always full precision).")
@lang_option
def verify_command(spec, fmt, formulas, digits, lang):
    """Check every ∂L/∂w of SPEC three ways: the tape, sympy, central differences (exit 1 on a mismatch).

    SPEC defaults to the embedded 1 → 4 → 2 → 1 example. sympy differentiates its own definitions of
    the activations and the loss, sharing nothing with the tape's rule table.
    """
    from ..render.verify import render
    from ..check.verify import verify

    result = verify(spec, formulas=formulas, lang=lang)
    echo(render(result, fmt, digits, lang))
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
@lang_option
def grad_command(program, at, of, fmt, digits, lang):
    """Differentiate PROGRAM at a point, node by node, and check it with sympy.

    PROGRAM is one expression (x*sin(x**2) + 1) or statements separated by ';' or newlines
    (c = a + b; c += 1; y = c*c), '-' to read it from stdin. Functions: exp log sqrt abs sin cos tan
    tanh sigmoid relu max min; constants pi e. Parsed by a whitelist, never run as Python.
    Exit 1 when the tape and sympy disagree.
    """
    from ..errors import ExpressionError
    from ..program.parse import MAX_CHARS, parse_point
    from ..program.run import check, grad
    from ..render.grad import render

    if program == "-":
        program = sys.stdin.read(MAX_CHARS + 1)
    point = {}
    for item in at:
        for name, value in parse_point(item).items():
            if name in point:
                raise ExpressionError(f"--at: {name} is given twice")
            point[name] = value
    result = grad(program, point, of=of)
    echo(render(result, fmt, digits, lang))
    check(result)
# [/grad]
