"""Renderers of the vanishing-gradient study: text (tables + a log-scale bar chart), Markdown, PNG figures.

They word the records of :mod:`backcalc.study` (values and codes) and compute nothing of the study; every
word comes from :data:`backcalc.render.labels_study.VANISHING` in English or Indonesian. Text and Markdown are
written from one list of blocks, so they cannot disagree. JSON is ``result.to_dict()``.
"""

from __future__ import annotations

import math

from ..tape.rules import RULES
from .format import num
from .labels_study import vanishing_labels

BAR = 40           # characters of the longest bar
MAX_EPOCH_ROWS = 12  # longer trainings show every k-th epoch and the last
MAX_MATRIX = 60    # weight matrices up to this many entries are printed in full
MAX_CHART_RUNS = 6   # a bar chart of more configurations is too long to read: the table and --plot show them
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


def pct(v) -> str:
    """A share in [0, 1] as a percentage."""
    return "—" if v is None else f"{100 * v:.3g} %"


# ───────────────────────────── blocks: what is said, in order ─────────────────────────────

def _blocks(result, L) -> list:
    runs = result.runs
    blocks = [("title", _title(result, L)), ("para", _data_line(runs[0].config, result.preset, L))]
    letters = None if result.compare is None else _letters(len(runs))
    if letters is None:
        run = runs[0]
        acc = L["acc_before"].format(acc=pct(run.accuracy)) if run.accuracy is not None else ""
        blocks.append(("para", L["init_line"].format(init=run.config.init, formula=run.init_formula,
                                                     loss=fmt(run.loss), acc=acc)))
        blocks.append(("table", _layer_table(run, L)))
    else:
        blocks.append(("para", "; ".join(f"{k} = {r.label} ({r.init_formula})" for k, r in zip(letters, runs))))
        blocks.append(("table", _compare_table(runs, letters, L)))
    if len(runs) <= MAX_CHART_RUNS:
        blocks.append(("chart", _chart(runs, letters, L)))
    for run in runs:
        prefix = "" if letters is None else f"{run.label}: "
        blocks.append(("para", prefix + verdict_text(run, L)))
    if any(run.epochs for run in runs):
        blocks.extend(_training_blocks(runs, letters, L))
    return blocks


def _title(result, L) -> str:
    cfg = result.config
    out = cfg.outputs or 1
    sizes = f"{cfg.features} → {cfg.width}×{cfg.depth - 1} → {out}" if cfg.depth > 1 else f"{cfg.features} → {out}"
    if result.compare is None:
        act = L["everywhere"].format(act=_act(cfg)) if cfg.output_activation == cfg.activation \
            else L["output_act"].format(act=_act(cfg), output=cfg.output_activation)
    else:
        act = L["configurations"].format(n=len(result.runs), output=cfg.output_activation)
    extras = []
    if result.compare is None and cfg.residual:
        extras.append(L["residual"])
    if result.compare is None and cfg.batchnorm:
        extras.append(L["batchnorm"] if cfg.batchnorm_position == "before" else L["batchnorm_after"])
    if result.preset:
        extras.append(L["preset"].format(name=result.preset))
    layers = L["weight_layer"] if cfg.depth == 1 else L["weight_layers"]
    return L["title"].format(depth=cfg.depth, layers=layers, sizes=sizes, act=act, loss=cfg.loss) + \
        "".join(", " + e for e in extras)


def _act(cfg) -> str:
    return cfg.activation if cfg.alpha is None else f"{cfg.activation}({cfg.alpha:g})"


def _data_line(cfg, preset, L) -> str:
    data = cfg.data
    if data == "sklearn_moons":
        data = L["sklearn_moons"].format(noise=f"{cfg.noise:g}", data_seed=_data_seed(cfg))
    targets = L["binary"] if (cfg.outputs or 1) == 1 else L["classes"].format(n=cfg.outputs)
    scaled = L["scaled"] if cfg.data in ("random", "moons", "blobs", "digits") else ""
    test = math.ceil(cfg.test_fraction * cfg.samples) if cfg.test_fraction else 0
    line = L["data"].format(data=data, samples=cfg.samples, features=cfg.features, scaled=scaled, targets=targets,
                            seed=cfg.seed, rows=cfg.samples - test)
    if test:
        line += L["split"].format(test=test, data_seed=_data_seed(cfg))
    return line


def _data_seed(cfg):
    return cfg.seed if cfg.data_seed is None else cfg.data_seed


def _layer_table(run, L):
    c = L["col"]
    dead = any(s.dead_units for s in run.layers)
    saturated = any(s.saturated_fraction for s in run.layers)
    headers = [c["layer"], c["units"], c["mean_a"], c["mean_grad_a"], c["rms_grad_a"], c["mean_f"],
               c["mean_abs_grad_W"], c["grad_norm_W"], c["next"]] + ([c["dead"]] if dead else []) + \
        ([c["saturated"]] if saturated else [])
    rows = []
    for s in run.layers:
        row = [s.layer, s.units, fmt(s.mean_activation), fmt(s.mean_grad_a), fmt(s.rms_grad_a),
               f"{fmt(s.mean_derivative)} ({RULES[s.activation].bound_text})", fmt(s.mean_abs_grad_W),
               fmt(s.grad_norm_W), fmt(s.ratio_to_next)]
        rows.append(row + ([s.dead_units] if dead else []) + ([pct(s.saturated_fraction)] if saturated else []))
    return headers, rows


def _compare_table(runs, letters, L):
    m = L["cmp"]
    headers = [m["norms"]] + list(letters)
    rows = [[n + 1] + [fmt(run.layers[n].grad_norm_W) for run in runs] for n in range(len(runs[0].layers))]
    rows.append([m["first_to_last"]] + [fmt(run.first_to_last) for run in runs])
    rows.append([m["backward"]] + [fmt(run.backward_ratio) for run in runs])
    rows.append([m["status"]] + [L["status"][run.status] for run in runs])
    rows.append([m["verdict"]] + [L["code"][run.verdict.code] if run.verdict else "—" for run in runs])
    rows.append([m["loss"]] + [fmt(run.loss) for run in runs])
    if any(run.epochs for run in runs):
        t = [run.training.numbers if run.training else {} for run in runs]
        rows.append([m["final_loss"]] + [fmt(n.get("loss_after")) for n in t])
        rows.append([m["accuracy_before"]] + [pct(n.get("accuracy_before")) for n in t])
        rows.append([m["accuracy"]] + [pct(n.get("accuracy_after")) for n in t])
        if any(n.get("test_accuracy") is not None for n in t):
            rows.append([m["test_accuracy"]] + [pct(n.get("test_accuracy")) for n in t])
        rows.append([m["to_half"]] + [n.get("epochs_to_half") or L["never"] for n in t])
        rows.append([m["first_change"]] + [fmt(n.get("first_change_pct")) for n in t])
        rows.append([m["training"]] + [L["code"][run.training.code] if run.training else "—" for run in runs])
    return headers, rows


def _letters(n):
    return [chr(ord("A") + i) if i < 26 else f"R{i + 1}" for i in range(n)]


def _chart(runs, letters, L) -> str:
    """‖∂L/∂W‖ per layer as bars on a log scale shared by every run; 0 and non-finite values have no bar."""
    values = [s.grad_norm_W for run in runs for s in run.layers]
    shown = [v for v in values if v > 0 and math.isfinite(v)]
    if not shown:
        return L["chart_none"]
    lo = math.floor(math.log10(min(shown)))
    hi = max(math.ceil(math.log10(max(shown))), lo + 1)
    lines = [L["chart"].format(lo=f"{lo:+03d}", hi=f"{hi:+03d}")]
    word = L["chart_layer"]
    for n in range(len(runs[0].layers)):
        for i, run in enumerate(runs):
            v = run.layers[n].grad_norm_W
            head = f"{word} {n + 1:>2}" if i == 0 else " " * (len(word) + 3)
            tag = f" {letters[i]:>2}" if letters else ""
            lines.append(f"{head}{tag} │{_bar(v, lo, hi)} {fmt(v)}")
    return "\n".join(lines)


def _bar(v, lo, hi) -> str:
    if not (v > 0 and math.isfinite(v)):
        return " " * BAR
    eighths = round((math.log10(v) - lo) / (hi - lo) * BAR * 8)
    eighths = max(1, min(BAR * 8, eighths))
    full, part = divmod(eighths, 8)
    return ("█" * full + (_BLOCKS[part] if part else "")).ljust(BAR)


# ───────────────────────────── verdicts ─────────────────────────────

def verdict_text(run, L) -> str:
    """The untrained pass's verdict in words, with the numbers it stands on."""
    v = run.verdict
    n, d = v.numbers, len(run.layers)
    code = v.code
    if code == "nonfinite":
        return L["v_nonfinite"].format(where=L["where"][n["where"]], layer=n["layer"], node=n["node"])
    if code == "symmetric":
        return L["v_symmetric"].format(layers=n["layers"], units=n["units"], spread=fmt(n["spread"]),
                                       mean_derivative=fmt(n["mean_derivative"]), zero=n["zero_gradient_layers"],
                                       depth=n["depth"])
    if code == "saturated":
        tail = L["v_saturated_ratio"].format(ratio=fmt(n["first_to_last"]), d=d) if n["first_to_last"] \
            else L["v_saturated_zero"]
        return L["v_saturated"].format(layer=n["layer"], fraction=pct(n["fraction"]), tail=tail,
                                       mean_derivative=fmt(n["mean_derivative"]), bound=fmt(n["bound"]),
                                       count=n["layers_saturated"], hidden=n["hidden"])
    if code == "dead_units":
        return L["v_dead_units"].format(dead=n["dead"], units=n["units"], layer=n["layer"], dead_total=n["dead_total"],
                                        units_total=n["units_total"], per_layer=", ".join(map(str, n["per_layer"])))
    if code in ("signal_vanishes", "signal_explodes"):
        tail = L["v_signal_zero"] if n["zero_gradient"] else \
            L["v_signal_scaled"].format(ratio=fmt(n["first_to_last"]), d=d)
        status = L["status"]["vanishing" if code == "signal_vanishes" else "exploding"]
        return L["v_signal"].format(status=status, growth=fmt(n["growth"]), first=fmt(n["first"]),
                                    last_layer=n["last_layer"], last=fmt(n["last"]), tail=tail)
    if code == "no_gradient":
        return L["v_no_gradient"].format(layers=n["layers"])
    return _flow_text(run, n, code, d, L)


def _flow_text(run, n, code, d, L) -> str:
    word = L["code"][code]
    if not n["ratio"]:
        return L["v_none"].format(code=word, d=d)
    if n["measure"] == "grad_W":
        text = L["v_flow_weights"].format(code=word, first_layer=n["first_layer"], last_layer=n["last_layer"],
                                          ratio=fmt(n["ratio"]))
    else:
        per = L["v_per_layer"].format(factor=fmt(n["per_layer"])) if n.get("per_layer") else ""
        text = L["v_flow"].format(code=word, first_layer=n["first_layer"], first=fmt(n["first"]),
                                  ratio=fmt(n["ratio"]), last=fmt(n["last"]), last_layer=n["last_layer"],
                                  per_layer=per)
    if code == "vanishing" and n.get("derivative_product") is not None:
        a, b = n["derivative_layers"]
        text += L["v_why_vanishing"].format(a=a, b=b, product=fmt(n["derivative_product"]))
    elif code == "exploding":
        text += L["v_why_exploding"]
    else:
        text += L["v_flat"] if code == "flat" else L["v_stable"] if code == "stable" else ""
    if n["measure"] == "grad_a" and n.get("first_to_last") is not None:
        text += L["v_weights_note"].format(ratio=fmt(n["first_to_last"]), d=d)
    dead = sum(s.dead_units for s in run.layers[:-1])
    if dead:
        text += L["v_dead_note"].format(dead=dead, units=sum(s.units for s in run.layers[:-1]))
    return text


def training_text(run, who, L) -> str:
    """What training did, in words."""
    v = run.training
    n = v.numbers
    if v.code == "diverged":
        return L["t_diverged"].format(who=who, epochs=n["epochs"])
    text = L[f"t_{v.code}"].format(who=who, epochs=n["epochs"], before=fmt(n["loss_before"]),
                                   after=fmt(n["loss_after"]), change=f"{n['loss_change_pct']:+.3g}")
    if n["accuracy_after"] is not None:
        text += L["t_accuracy"].format(before=pct(n["accuracy_before"]), after=pct(n["accuracy_after"]))
        if n["test_accuracy"] is not None:
            text += L["t_test"].format(test=pct(n["test_accuracy"]))
    text += L["t_weights"].format(first=fmt(n["first_change_pct"]), last=fmt(n["last_change_pct"]),
                                  d=len(run.layers))
    text += L["t_half"].format(epoch=n["epochs_to_half"]) if n["epochs_to_half"] else L["t_no_half"]
    if n.get("dead_after"):
        text += L["t_dead"].format(dead=n["dead_after"], units=n["hidden_units"])
    return text + "."


# ───────────────────────────── training ─────────────────────────────

def _shown(epochs) -> list:
    if len(epochs) <= MAX_EPOCH_ROWS:
        return list(epochs)
    k = math.ceil(len(epochs) / 10)
    return [e for e in epochs if e.epoch == 1 or e.epoch % k == 0 or e is epochs[-1]]


def _every(epochs, L) -> list:
    if len(epochs) <= MAX_EPOCH_ROWS:
        return []
    return [("para", L["every"].format(k=math.ceil(len(epochs) / 10)))]


def _training_blocks(runs, letters, L) -> list:
    blocks = []
    if letters is not None:
        blocks.extend(_compare_epochs(runs, letters, L))
    for i, run in enumerate(runs):
        if not run.epochs:
            continue
        who = "" if letters is None else f"{letters[i]} = {run.label}: "
        if letters is None:
            blocks.extend(_epoch_tables(run, L))
        blocks.append(("para", training_text(run, who, L)))
        for w in run.weights:
            blocks.extend(_weights_blocks(w, who, L))
    return blocks


def _intro(run, who, L) -> str:
    cfg = run.config
    opt = L["optimizer"][cfg.optimizer].format(momentum=f"{cfg.momentum:g}" if cfg.momentum is not None else "")
    return L["training_intro"].format(who=who, optimizer=opt, lr=f"{cfg.learning_rate:g}", batch=cfg.batch_size,
                                      epochs=cfg.epochs, data=cfg.data)


def _epoch_tables(run, L) -> list:
    c = L["col"]
    d = len(run.layers)
    shown = _shown(run.epochs)
    test = any(e.test_accuracy is not None for e in run.epochs)
    head = [c["epoch"], c["loss"], c["accuracy"]] + ([c["test_accuracy"]] if test else [])
    start = [0, fmt(run.loss), pct(run.accuracy)] + (["—"] if test else []) + [fmt(s.grad_norm_W) for s in run.layers]
    norms = (head + [f"W{n}" for n in range(1, d + 1)],
             [start] + [[e.epoch, fmt(e.loss), pct(e.accuracy)] + ([pct(e.test_accuracy)] if test else [])
                        + [fmt(v) for v in e.grad_norm_W] for e in shown])
    change = ([c["epoch"]] + [f"W{n}" for n in range(1, d + 1)],
              [[e.epoch] + [fmt(v) for v in e.weight_change_pct] for e in shown])
    blocks = [("para", _intro(run, "", L)), ("para", L["norms_caption"]), ("table", norms),
              ("para", L["change_caption"]), ("table", change)] + _every(run.epochs, L)
    if len(run.epochs) < run.config.epochs:
        blocks.append(("para", L["stopped"].format(n=len(run.epochs))))
    return blocks


def _compare_epochs(runs, letters, L) -> list:
    c = L["col"]
    trained = [(k, r) for k, r in zip(letters, runs) if r.epochs]
    longest = max((r for _, r in trained), key=lambda r: len(r.epochs))
    shown = [e.epoch for e in _shown(longest.epochs)]
    by_epoch = [{e.epoch: e for e in r.epochs} for _, r in trained]

    def cell(table, epoch, key):
        e = table.get(epoch)
        return "—" if e is None else (fmt(e.loss) if key == "loss" else pct(e.accuracy))

    loss = ([c["epoch"]] + [k for k, _ in trained],
            [[0] + [fmt(r.loss) for _, r in trained]] + [[ep] + [cell(t, ep, "loss") for t in by_epoch] for ep in shown])
    acc = ([c["epoch"]] + [k for k, _ in trained],
           [[0] + [pct(r.accuracy) for _, r in trained]] + [[ep] + [cell(t, ep, "acc") for t in by_epoch] for ep in shown])
    first = trained[0][1]
    return [("para", _intro(first, "", L)), ("para", L["loss_epochs"]), ("table", loss), ("para", L["acc_epochs"]),
            ("table", acc)] + _every(longest.epochs, L)


def _weights_blocks(w, who, L) -> list:
    rows, cols = w.before.shape
    change = fmt(w.change_pct)
    if rows * cols > MAX_MATRIX:
        delta = float(abs(w.after - w.before).max())
        norm_b, norm_a = (float((m ** 2).sum()) ** 0.5 for m in (w.before, w.after))
        return [("para", L["weights_summary"].format(who=who, layer=w.layer, rows=rows, cols=cols, before=fmt(norm_b),
                                                     after=fmt(norm_a), change=change, delta=fmt(delta)))]
    c = L["col"]
    pairs = (("before", w.before), ("after", w.after))
    if cols == 1:   # a column of weights reads better as a row
        table = ([c["row"]] + [str(i + 1) for i in range(rows)], [[L[when]] + [fmt(v) for v in m[:, 0]] for when, m in pairs])
    else:
        table = ([c["row"]] + [str(j + 1) for j in range(cols)],
                 [[f"{L[when]} {i + 1}"] + [fmt(v) for v in m[i]] for when, m in pairs for i in range(rows)])
    return [("para", L["weights_title"].format(who=who, layer=w.layer, change=change)), ("table", table)]


# ───────────────────────────── writers ─────────────────────────────

def text(result, lang: str = "en") -> str:
    """The study as terminal text."""
    from tabulate import tabulate

    out = []
    for kind, body in _blocks(result, vanishing_labels(lang)):
        if kind == "title":
            out += [body, "=" * len(body)]
        elif kind == "table":
            out.append(tabulate(body[1], headers=body[0], tablefmt="simple", disable_numparse=True))
        else:
            out.append(body)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def markdown(result, lang: str = "en") -> str:
    """The study as Markdown (what Jupyter shows); table cells escape ``|``."""
    from tabulate import tabulate

    out = []
    for kind, body in _blocks(result, vanishing_labels(lang)):
        if kind == "title":
            out.append(f"### {body}")
        elif kind == "table":
            cells = [[str(c).replace("|", "\\|") for c in row] for row in body[1]]
            out.append(tabulate(cells, headers=body[0], tablefmt="github", disable_numparse=True))
        elif kind == "chart":
            out.append(f"```\n{body}\n```")
        else:
            out.append(body)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def plot(result, path, lang: str = "en") -> list:
    """Write the study's figures (see :mod:`backcalc.render.vanishing_plot`); returns the paths written."""
    from .vanishing_plot import plot as draw

    return draw(result, path, vanishing_labels(lang))
