"""Renderers of the vanishing-gradient study: text (tables + a log-scale bar chart), Markdown, PNG.

They format the records of :mod:`backcalc.study.vanishing` and compute nothing of the study: both text and
Markdown are written from one list of blocks, so they cannot disagree. JSON is ``result.to_dict()``.
"""

from __future__ import annotations

import math
from ..tape.rules import RULES
from .format import num

BAR = 40           # characters of the longest bar
_BLOCKS = " ▏▎▍▌▋▊▉█"


def fmt(v) -> str:
    """A number for a table: 4 significant digits in [0.001, 10 000), else scientific; None → —."""
    if v is None:
        return "—"
    v = float(v)
    if v == 0 or not math.isfinite(v):
        return num(v)
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.4g}"
    return f"{v:.2e}"


# ───────────────────────────── blocks: what is said, in order ─────────────────────────────

def _blocks(result) -> list:
    runs = result.runs
    cfg = result.config
    blocks = [("title", _title(result)), ("para", _data_line(cfg))]
    if result.compare is None:
        run = runs[0]
        blocks.append(("para", f"init {run.config.init} = {run.init_formula}; loss before training {fmt(run.loss)}"))
        blocks.append(("table", _layer_table(run)))
    else:
        letters = _letters(len(runs))
        legend = "; ".join(f"{k} = {r.label} ({r.init_formula})" for k, r in zip(letters, runs))
        blocks.append(("para", legend))
        blocks.append(("table", _compare_table(runs, letters)))
    blocks.append(("chart", _chart(runs, None if result.compare is None else _letters(len(runs)))))
    for run in runs:
        prefix = "" if result.compare is None else f"{run.label}: "
        blocks.append(("para", prefix + _verdict(run)))
    for run in runs:
        if run.epochs:
            blocks.extend(_epoch_blocks(run, result.compare is not None))
    return blocks


def _title(result) -> str:
    cfg = result.config
    sizes = f"{cfg.features} → {cfg.width}×{cfg.depth - 1} → 1" if cfg.depth > 1 else f"{cfg.features} → 1"
    extras = [x for x, on in (("residual connections", cfg.residual), ("batch normalisation", cfg.batchnorm)) if on]
    if result.compare is None:
        act = cfg.activation + (" everywhere" if cfg.output_activation == cfg.activation
                                else f", {cfg.output_activation} output")
    else:
        act = f"{len(result.runs)} configurations, {cfg.output_activation} output"
    layers = "weight layer" if cfg.depth == 1 else "weight layers"
    return f"Vanishing gradients: {cfg.depth} {layers} {sizes}, {act}, {cfg.loss}" + \
        "".join(", " + e for e in extras)


def _data_line(cfg) -> str:
    return (f"data {cfg.data}: {cfg.samples} samples × {cfg.features} features in [−1, 1], binary targets; "
            f"seed {cfg.seed}; statistics of one forward and one backward pass over all samples")


def _layer_table(run):
    headers = ["layer", "units", "mean a", "mean ∂L/∂a", "mean f′ (bound)", "mean |∂L/∂W|", "‖∂L/∂W‖", "÷ next"]
    rows = [[s.layer, s.units, fmt(s.mean_activation), fmt(s.mean_grad_a),
             f"{fmt(s.mean_derivative)} ({RULES[s.activation].bound_text})", fmt(s.mean_abs_grad_W),
             fmt(s.grad_norm_W), fmt(s.ratio_to_next)] for s in run.layers]
    return headers, rows


def _compare_table(runs, letters):
    headers = ["layer"] + [f"{k}: ‖∂L/∂W‖" for k in letters]
    rows = [[n + 1] + [fmt(run.layers[n].grad_norm_W) for run in runs] for n in range(len(runs[0].layers))]
    rows.append(["first ÷ last"] + [fmt(run.first_to_last) for run in runs])
    rows.append(["status"] + [run.status for run in runs])
    rows.append(["loss"] + [fmt(run.loss) for run in runs])
    return headers, rows


def _letters(n):
    return [chr(ord("A") + i) if i < 26 else f"R{i + 1}" for i in range(n)]


def _chart(runs, letters) -> str:
    """‖∂L/∂W‖ per layer as bars on a log scale shared by every run; 0 and non-finite values have no bar."""
    values = [s.grad_norm_W for run in runs for s in run.layers]
    shown = [v for v in values if v > 0 and math.isfinite(v)]
    if not shown:
        return "‖∂L/∂W‖ per layer: no finite nonzero gradient to draw"
    lo = math.floor(math.log10(min(shown)))
    hi = max(math.ceil(math.log10(max(shown))), lo + 1)
    lines = [f"‖∂L/∂W‖ per layer, log scale: an empty bar is 1e{lo:+03d}, a full one 1e{hi:+03d}"]
    for n in range(len(runs[0].layers)):
        for i, run in enumerate(runs):
            v = run.layers[n].grad_norm_W
            head = f"layer {n + 1:>2}" if i == 0 else " " * 8
            tag = f" {letters[i]}" if letters else ""
            lines.append(f"{head}{tag} │{_bar(v, lo, hi)} {fmt(v)}")
    return "\n".join(lines)


def _bar(v, lo, hi) -> str:
    if not (v > 0 and math.isfinite(v)):
        return " " * BAR
    eighths = round((math.log10(v) - lo) / (hi - lo) * BAR * 8)
    eighths = max(1, min(BAR * 8, eighths))
    full, part = divmod(eighths, 8)
    return ("█" * full + (_BLOCKS[part] if part else "")).ljust(BAR)


def _verdict(run) -> str:
    d = len(run.layers)
    ratio = f"layer 1's ‖∂L/∂W‖ is {fmt(run.first_to_last)} × layer {d}'s"
    growth = f"the activations' rms changes {fmt(run.signal_growth)} × from layer 1 to layer {d - 1}"
    zero = run.layers[0].grad_norm_W == 0 and run.layers[-1].grad_norm_W == 0
    if run.nonfinite is not None:
        nf = run.nonfinite
        return (f"exploding: inf/NaN first appears in the {nf.where} pass at layer {nf.layer} ({nf.node}); "
                "the weights are far too large for this depth")
    if run.status == "dead":
        return ("no gradient: every ∂L/∂W is exactly 0 — saturated or dead units stop the chain rule "
                "(the tape recorded f′ = 0 for them)")
    if run.signal_growth is not None and not 0.01 <= run.signal_growth <= 100:
        tail = ("; the output saturates or dies, so every ∂L/∂W is exactly 0" if zero
                else f", and every ∂L/∂W = aᵀ·δ is scaled with it — compare the sizes, not only the ratio "
                     f"({ratio})")
        return f"{run.status}: {growth}{tail}."
    if run.status == "vanishing":
        if run.first_to_last is None or run.first_to_last == 0:
            return f"vanishing: layer 1 gets no gradient at all while layer {d} does (zero weights pass none back)."
        why = ""
        if run.bound_product < 1:
            act = run.layers[0].activation
            why = (f" Each of the {d - 1} layers below the output passes back at most f′ times its weights "
                   f"({RULES[act].bound_text}): {fmt(run.layers[0].derivative_bound)}^{d - 1} = "
                   f"{fmt(run.bound_product)} from the activations alone; the weights do the rest.")
        return f"vanishing: {ratio}.{why}"
    if run.status == "exploding":
        return f"exploding: {ratio}; large weights multiply the gradient at every layer on the way back."
    return f"stable: {ratio}, within two orders of magnitude."


def _epoch_blocks(run, named) -> list:
    cfg = run.config
    who = f"{run.label}: " if named else ""
    intro = (f"{who}training with SGD, learning rate {cfg.learning_rate:g}, batches of {cfg.batch_size}, "
             f"{cfg.epochs} epochs on {cfg.data} data; after each epoch the loss and the gradients over all "
             "samples (epoch 0 is the untrained net above)")
    d = len(run.layers)
    start = [0, fmt(run.loss)] + [fmt(s.grad_norm_W) for s in run.layers]  # epoch 0: the study above
    norms = (["epoch", "loss"] + [f"W{n}" for n in range(1, d + 1)],
             [start] + [[e.epoch, fmt(e.loss)] + [fmt(v) for v in e.grad_norm_W] for e in run.epochs])
    change = (["epoch"] + [f"W{n}" for n in range(1, d + 1)],
              [[e.epoch] + [fmt(v) for v in e.weight_change_pct] for e in run.epochs])
    blocks = [("para", intro), ("para", "loss and ‖∂L/∂W‖ per layer:"), ("table", norms),
              ("para", "weight change over the epoch, 100·‖ΔW‖/‖W‖ (%):"), ("table", change)]
    if len(run.epochs) < cfg.epochs:
        blocks.append(("para", f"stopped after epoch {len(run.epochs)}: the loss is no longer finite (diverged)"))
    return blocks


# ───────────────────────────── writers ─────────────────────────────

def text(result) -> str:
    """The study as terminal text."""
    from tabulate import tabulate

    out = []
    for kind, body in _blocks(result):
        if kind == "title":
            out += [body, "=" * len(body)]
        elif kind == "table":
            out.append(tabulate(body[1], headers=body[0], tablefmt="simple", disable_numparse=True))
        else:
            out.append(body)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def markdown(result) -> str:
    """The study as Markdown (what Jupyter shows)."""
    from tabulate import tabulate

    out = []
    for kind, body in _blocks(result):
        if kind == "title":
            out.append(f"### {body}")
        elif kind == "table":
            out.append(tabulate(body[1], headers=body[0], tablefmt="github", disable_numparse=True))
        elif kind == "chart":
            out.append(f"```\n{body}\n```")
        else:
            out.append(body)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


PLOT_FORMATS = (".png", ".svg", ".pdf")  # the format follows the file name's extension


def plot(result, path) -> None:
    """Write a figure: ‖∂L/∂W‖ per layer per configuration, and per configuration the histograms of
    log10 |∂L/∂W| layer by layer (needs ``histogram=True`` in :func:`~backcalc.study.vanishing.vanishing`)."""
    import io

    from ..errors import BackcalcError
    from ..files import check_output, write_bytes

    path = check_output(path, "--plot", PLOT_FORMATS)
    fmt = path.rsplit(".", 1)[1].lower()
    try:
        import matplotlib
    except ImportError:
        raise BackcalcError("--plot needs matplotlib: pip install 'backcalc[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    runs = result.runs
    panels = 1 + sum(run.histogram is not None for run in runs)
    cols = min(panels, 2 if panels == 4 else 3)
    rows = -(-panels // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(5.5 * cols, 4.2 * rows), squeeze=False)
    axes = [ax for row in grid for ax in row]
    for extra in axes[panels:]:
        extra.set_visible(False)
    ax = axes[0]
    for run in runs:
        layers = [s.layer for s in run.layers]
        norms = [s.grad_norm_W if s.grad_norm_W > 0 and math.isfinite(s.grad_norm_W) else float("nan")
                 for s in run.layers]
        ax.plot(layers, norms, marker="o", label=f"{run.label} ({run.status})")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("layer (1 = input side)")
    ax.set_ylabel("‖∂L/∂W‖")
    ax.set_title("gradient norm per layer")
    ax.legend(fontsize=8)
    i = 1
    for run in runs:
        if run.histogram is None:
            continue
        _histogram_panel(axes[i], run, plt)
        i += 1
    fig.tight_layout()
    buffer = io.BytesIO()  # drawn in memory, then written to exactly `path` (never through a symlink)
    try:
        fig.savefig(buffer, dpi=110, format=fmt)
    finally:
        plt.close(fig)
    write_bytes(path, buffer.getvalue(), what="--plot")


def _histogram_panel(ax, run, plt):
    h = run.histogram
    used = [i for i in range(len(h.edges) - 1) if any(c[i] for c in h.counts)]
    colors = plt.cm.viridis([k / max(1, len(h.counts) - 1) for k in range(len(h.counts))])
    if used:
        lo, hi = used[0], used[-1] + 2
        for n, counts in enumerate(h.counts):
            ax.stairs(counts[lo:hi - 1], h.edges[lo:hi], color=colors[n], label=f"W{n + 1}")
    ax.set_yscale("log")
    ax.set_xlabel("log10 |∂L/∂W|")
    ax.set_ylabel("count")
    ax.set_title(f"{run.label}: gradient values")
    ax.legend(fontsize=7, ncol=2)
