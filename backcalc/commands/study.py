"""vanishing: the vanishing/exploding-gradient study."""

from __future__ import annotations

import os
import sys

import click

from ..errors import BackcalcError
from .base import TableOption, echo, main, say


def _options():
    from ..study import options

    return options


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
@click.option("--activation", default="sigmoid", show_default=True, cls=TableOption, help="{choices}.",
              choices_from=lambda: _options().ACTIVATIONS)
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
@click.option("--loss", default="half_sse", show_default=True, cls=TableOption, help="{choices}.",
              choices_from=lambda: _options().LOSS_KINDS)
@click.option("--epochs", type=int, default=0, show_default=True, help="Train and report every epoch.")
@click.option("--optimizer", default="sgd", show_default=True, cls=TableOption,
              help="{choices} (torch.optim's rules).", choices_from=lambda: _options().OPTIMIZERS)
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

    from ..study.vanishing import planned_epochs, vanishing

    if plot is not None:  # a bad path (of any figure it may write) is bad input with or without matplotlib
        from ..render.vanishing_plot import check_paths

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
        from ..render.labels import cli_labels

        with click.progressbar(length=total, label=cli_labels(lang)["training"], file=sys.stderr) as bar:
            result = vanishing(progress=bar.update, **config)
    else:
        result = vanishing(**config)
    if fmt == "json":
        import json

        echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        echo(result.to_markdown(lang) if fmt == "markdown" else result.to_text(lang))
    if plot is not None:
        written = result.plot(plot, lang)
        from ..render.labels import cli_labels

        say(cli_labels(lang)["wrote_files"].format(paths=", ".join(written)))
# [/vanishing]
