"""The vanishing study's figures (matplotlib, the ``plot`` extra): one PNG file per figure.

``plot(result, "out.png", labels)`` writes

| file | figure |
| --- | --- |
| ``out.png`` | ‖∂L/∂W‖ per layer per configuration (log scale); with training also loss and accuracy per epoch |
| ``out-histograms.png`` | per configuration, histograms of log10 \\|∂L/∂W\\| layer by layer on one shared x-axis |
| ``out-activations.png`` | per configuration, the distribution of each layer's activations |
| ``out-weights.png`` | with training: per configuration, layer 1's weights after against before (diagonal = unchanged) |

The histograms are measured after training when there was training (seed 001's picture), else on the untrained
net. Every number drawn comes from the records; nothing is computed here but the drawing.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import BackcalcError
from ..files import check_output, write_bytes

PLOT_FORMATS = (".png", ".svg", ".pdf")  # the figures' format follows the file name's extension
STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
MAX_COLUMNS = 4


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise BackcalcError("--plot needs matplotlib: pip install 'backcalc[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def paths(path, result=None) -> list:
    """The files :func:`plot` writes for ``result``, ``path`` first (every file it may write without one)."""
    path = Path(path)
    stem = path.with_suffix("")
    runs = result.runs if result is not None else None
    out = [path]
    for suffix, wanted in (("histograms", lambda run: run.histogram is not None),
                           ("activations", lambda run: run.activations is not None),
                           ("weights", lambda run: bool(run.weights))):
        if runs is None or any(wanted(run) for run in runs):
            out.append(Path(f"{stem}-{suffix}{path.suffix}"))
    return out


def check_paths(path) -> None:
    """Refuse, before any work, a --plot path that :func:`plot` could not write (every file it may write)."""
    check_output(path, "--plot", PLOT_FORMATS)   # the name given first: an empty or bad one is named as given
    for target in paths(path)[1:]:
        check_output(str(target), "--plot", PLOT_FORMATS)


def _style(i, plt):
    colors = plt.get_cmap("tab10").colors
    return dict(color=colors[i % 10], linestyle=STYLES[(i // 10 + i) % len(STYLES)],
                marker=MARKERS[i % len(MARKERS)], markersize=4)


def _save(fig, path, plt):
    """Draw in memory, then write exactly ``path`` (never through a symbolic link); the format follows the name."""
    import io

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, dpi=110, bbox_inches="tight", format=str(path).rsplit(".", 1)[1].lower())
    finally:
        plt.close(fig)
    write_bytes(str(path), buffer.getvalue(), what="--plot")


def plot(result, path, L) -> list:
    """Write every figure of ``result``; returns the paths written, ``path`` first."""
    check_paths(path)
    plt = _pyplot()
    import matplotlib.ticker

    written = paths(path, result)
    _overview(result, written[0], L, plt, matplotlib.ticker)
    for target in written[1:]:
        name = str(target)
        if name.endswith(f"-histograms{target.suffix}"):
            _ridges(result, target, L, plt, "histogram")
        elif name.endswith(f"-activations{target.suffix}"):
            _ridges(result, target, L, plt, "activations")
        else:
            _weights(result, target, L, plt)
    return [str(p) for p in written]


def _labelled(result):
    if result.compare is None:
        return [(result.runs[0].label, result.runs[0])]
    return [(f"{chr(65 + i) if i < 26 else i + 1}: {run.label}", run) for i, run in enumerate(result.runs)]


def _overview(result, path, L, plt, ticker):
    trained = any(run.epochs for run in result.runs)
    panels = 3 if trained else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), squeeze=False)
    axes = axes[0]
    ax = axes[0]
    for i, (name, run) in enumerate(_labelled(result)):
        norms = [s.grad_norm_W if s.grad_norm_W > 0 and math.isfinite(s.grad_norm_W) else float("nan")
                 for s in run.layers]
        ax.plot([s.layer for s in run.layers], norms, label=f"{name} ({L['status'][run.status]})", **_style(i, plt))
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set(xlabel=L["plot_layer"], ylabel="‖∂L/∂W‖", title=L["plot_norms"])
    if trained:
        for i, (name, run) in enumerate(_labelled(result)):
            epochs = [0] + [e.epoch for e in run.epochs]
            style = dict(_style(i, plt), markersize=0 if len(epochs) > 20 else 3)
            axes[1].plot(epochs, [run.loss] + [e.loss for e in run.epochs], **style)
            axes[2].plot(epochs, [run.accuracy] + [e.accuracy for e in run.epochs], **style)
        axes[1].set(xlabel=L["plot_epoch"], ylabel=L["col"]["loss"], title=L["plot_loss"])
        axes[2].set(xlabel=L["plot_epoch"], ylabel=L["col"]["accuracy"], title=L["plot_accuracy"], ylim=(0, 1.02))
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="upper left", bbox_to_anchor=(1.0, 0.95), fontsize=8, frameon=False)
    fig.tight_layout()
    _save(fig, path, plt)


def _grid(n, plt, height):
    cols = min(n, MAX_COLUMNS)
    rows = -(-n // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(4.4 * cols, height * rows), squeeze=False)
    axes = [ax for row in grid for ax in row]
    for extra in axes[n:]:
        extra.set_visible(False)
    return fig, axes


def _ridges(result, path, L, plt, kind):
    """Each layer's histogram as a ridge (its counts ÷ its largest count), layer 1 at the bottom."""
    items = [(name, run) for name, run in _labelled(result) if getattr(run, kind) is not None]
    depth = len(items[0][1].layers)
    fig, axes = _grid(len(items), plt, 0.45 * depth + 1.4)
    shared = kind == "histogram"
    span = _span(items, kind) if shared else None
    for ax, (name, run) in zip(axes, items):
        h = getattr(run, kind)
        cmap = plt.get_cmap("viridis")
        for n, counts in enumerate(h.counts):
            top = max(counts) or 1
            heights = [0.9 * c / top for c in counts]
            ax.fill_between(h.edges[:-1], n, [n + v for v in heights], step="post", color=cmap(n / max(1, depth - 1)),
                            alpha=0.8, linewidth=0)
            if h.zeros[n]:
                ax.annotate(L["plot_zeros"].format(n=h.zeros[n]), (0.01, n + 0.35), xycoords=("axes fraction", "data"),
                            ha="left", fontsize=6)   # the left edge: small gradients are the rare ones
        ax.set_yticks([n + 0.3 for n in range(depth)], [f"W{n + 1}" if shared else f"a{n + 1}" for n in range(depth)])
        if span:
            ax.set_xlim(*span)
        when = L["plot_after"].format(n=h.after_epochs) if h.after_epochs else ""
        title = L["plot_hist"] if shared else L["plot_acts"]
        ax.set_title(title.format(label=name, when=when), fontsize=9)
        ax.set_xlabel("log10 |∂L/∂W|" if shared else L["plot_value"])
    fig.tight_layout()
    _save(fig, path, plt)


def _span(items, kind):
    """The x range where any layer of any configuration has counts (so every panel shares one x-axis)."""
    lo = hi = None
    for _, run in items:
        h = getattr(run, kind)
        used = [i for i in range(len(h.edges) - 1) if any(c[i] for c in h.counts)]
        if used:
            lo = h.edges[used[0]] if lo is None else min(lo, h.edges[used[0]])
            hi = h.edges[used[-1] + 1] if hi is None else max(hi, h.edges[used[-1] + 1])
    return (lo - 0.5, hi + 0.5) if lo is not None else None


def _weights(result, path, L, plt):
    items = [(name, run) for name, run in _labelled(result) if run.weights]
    fig, axes = _grid(len(items), plt, 4.0)
    for ax, (name, run) in zip(axes, items):
        w = run.weights[0]
        before, after = w.before.ravel(), w.after.ravel()
        ax.scatter(before, after, s=10, alpha=0.7)
        low = float(min(before.min(), after.min()))
        high = float(max(before.max(), after.max()))
        ax.plot([low, high], [low, high], color="grey", linewidth=0.8, linestyle="--")
        ax.set(xlabel=L["plot_before"], ylabel=L["plot_after_w"], title=L["plot_weights"].format(label=name))
        ax.title.set_fontsize(9)
    fig.tight_layout()
    _save(fig, path, plt)
