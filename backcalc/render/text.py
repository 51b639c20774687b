"""Plain-text rendering of a :class:`~backcalc.net.derivation.Derivation` (tables by tabulate)."""

from __future__ import annotations

import numpy as np

from tabulate import tabulate

from ..net.names import node_in, node_out
from ..tape.losses import LOGIT_SUMMARY, LOSS_KINDS, logits_written
from ..tape.rules import RULES
from .format import factor, num, signed
from .kinks import by_unit, kink_note, summary_notes
from .shared import chain_tag, large_note, pool_line, sum_label, time_norm_lines  # noqa: F401
from .labels import labels, localize
from .text_norm import compact_label, norm_stat_lines
from .training import penalty_lines, reg_term_lines, update_lines
from .working import matrix_lines, symbolic_lines

MAX_SOURCES_SHOWN = 6  # a unit_in sum with more inputs is written with "…"


def render(d, digits: int = 5, lang: str = "en", full: bool = False) -> str:
    return localize("\n".join(lines(d, digits, lang, full)) + "\n", lang)


def lines(d, digits=5, lang="en", full=False):
    L = labels(lang)
    spec = d.spec
    detailed = d.shows_detail(full)
    out = [d.title or "backcalc", "=" * max(len(d.title or "backcalc"), 8)]
    out.append(L["setup"].format(x=_data_text(spec.x, digits, L), y=_data_text(spec.y, digits, L),
                                 loss=loss_title(spec.loss, L, d.loss_record.logits),
                                 reduction=L["reduction"][spec.reduction],
                                 lr=num(spec.learning_rate, digits)))
    if not detailed:
        out += ["", large_note(d, L)]
    out += ["", L["forward"], "-" * len(L["forward"])]
    if detailed:
        out += _forward(d, digits, L)
    else:
        out += _forward_summary(d, digits, L)
    out += ["", L["loss"], "-" * len(L["loss"])]
    out += loss_lines(d, digits, L)
    out += penalty_lines(d, digits, L)
    out += ["", L["backward"], "-" * len(L["backward"])]
    if detailed:
        out += [""] + symbolic_lines(d, lang)
        out += ["", L["upstream"]] + _upstream(d, digits, L)
        out += time_norm_lines(d, digits, L, layer_title)
        out += ["", L["deltas"]] + _deltas(d, digits, L)
        out += ["", L["terms"]] + _terms(d, digits, L)
        out += reg_term_lines(d, digits, L)
        matrices = matrix_lines(d, digits, lang)
        out += [""] + matrices if matrices else []
    else:
        out += _gradient_summary(d, digits, L)
    if d.plain_sgd:
        out += ["", L["update"].format(lr=num(spec.learning_rate, digits))]
        out += _updates(d, digits, L, detailed)
    else:
        out += update_lines(d, digits, L, detailed)
    out += [""]
    if spec.steps == 1:
        out.append(f"{L['loss_after']}: {num(d.loss_after, digits)}  ({L['was']} {num(d.loss, digits)})")
    else:
        out += [L["history"]]
        rows = [[s, num(v, digits)] for s, v in d.history]
        out += _indent(tabulate(rows, headers=[L["col"]["step"] if "step" in L["col"] else L["step"], L["col"]["loss"]],
                                disable_numparse=True))
        out.append(f"{L['loss_after_steps'].format(steps=spec.steps)}: {num(d.loss_after, digits)}  "
                   f"({L['was']} {num(d.loss, digits)})")
        if detailed:
            out += ["", L["final_params"].format(steps=spec.steps)]
            out += _matrices(d.updated, digits)
    return out


def _indent(block: str, pad: str = "  "):
    return [pad + line for line in block.splitlines()]


def _data_text(a, digits, L=None):
    flat = a.reshape(-1).tolist()
    if len(flat) == 1:
        return num(flat[0], digits)
    if a.size > 12:
        cols = a.shape[1] if a.ndim == 2 else ("×".join(map(str, a.shape[1:])) if a.ndim > 2 else 1)
        return (L or labels("en"))["data_values"].format(rows=a.shape[0], cols=cols)
    return _nested(a.tolist(), digits)


def _nested(v, digits) -> str:
    """A nested list of numbers as ``[[1, 2], [3, 4]]`` (any depth)."""
    return "[" + ", ".join(_nested(e, digits) if isinstance(e, list) else num(e, digits) for e in v) + "]"


def activation_line(row, digits) -> str:
    """``k1_out = σ(k1_in) = 1/(1 + e^(−k1_in)) = σ(6) = 0.99753``: the rule table's expression, its definition
    and, for a function of one number, the expression at the value."""
    rule = RULES[row.activation]
    a = node_in(row.unit)
    parts = [node_out(row.unit)]
    if rule.elementwise:
        parts.append(rule.expression(a=a))
    if rule.define:
        parts.append(rule.definition(a=a))
    if rule.elementwise and rule.expression(a=a) != a:  # the identity at a number is that number: said once
        parts.append(rule.expression(a=num(row.z, digits)))
    if row.skip:  # a skip adds NAME's output after the activation: r1_out = tanh(r1_in) + h1_out
        source, value = row.skip
        expr = rule.expression(a=a) if rule.elementwise else a
        at = rule.expression(a=num(row.z, digits)) if rule.elementwise else num(row.z, digits)
        parts = [parts[0], f"{expr} + {source}", f"{at} + {signed(value, digits)}"]
    return " = ".join(parts + [num(row.a, digits)])


def dropout_line(row, digits) -> str:
    """``k1_drop = k1_out·mask/(1 − p) = 0.99753·1/(1 − 0.5) = 1.9951``: a unit's output after inverted dropout."""
    mask, p, value = row.drop
    return (f"{row.unit}_drop = {row.unit}_out·mask/(1 − p) = {signed(row.a, digits)}·{mask:g}/(1 − {p!r}) = "
            f"{num(value, digits)}")


def dropout_header(layer, L) -> list:
    """The dropout line under a layer's heading: p and the whole mask (so the page can be worked by hand)."""
    drop = getattr(layer, "dropout", None)
    if drop is None:
        return []
    return [L["dropout"].format(p=repr(drop.p), mask=drop.mask.astype(int).tolist(),
                                drawn=L["dropout_drawn"] if drop.drawn else "")]


def bias_parts(row, digits) -> tuple:
    """``(" + b_k1", " + 0.5")``: a unit's bias in its ``_in`` sum, by name and by value; empty without bias."""
    if not row.bias_name:
        return "", ""
    return f" + {row.bias_name}", f" + {signed(row.bias, digits)}"


def weighted_sum(row, digits):
    """``(names, values)`` of a unit's ``_in`` sum without its bias: ``w_j1k1·j1_out + …``, ``1·1.5 + …``."""
    src = row.sources
    shown = src if len(src) <= MAX_SOURCES_SHOWN else src[:2] + (None,) + src[-1:]
    names = " + ".join("…" if s is None else f"{s[0]}·{s[2]}" for s in shown)
    values = " + ".join("…" if s is None else f"{signed(s[1], digits)}·{signed(s[3], digits)}" for s in shown)
    return names, values


def path_sum(u, digits):
    """``(names, values)`` of a sum over paths: ``∂L/∂k1_in·w_j1k1 + …`` and its numbers."""
    names = " + ".join(f"{p.grad_name}·{p.weight_name}" for p in u.paths)
    values = " + ".join(f"{signed(p.grad, digits)}·{signed(p.weight, digits)}" for p in u.paths)
    return names, values








def jacobian_sum(delta, digits) -> str:
    """The numbers of a softmax δ: Σ_j ∂L/∂j_out · ∂j_out/∂unit_in."""
    return " + ".join(f"{signed(g, digits)}·{signed(j, digits)}" for g, j, _ in delta.jacobian)


def _forward(d, digits, L):
    out = []
    kinks = by_unit(d)
    samples = d.spec.samples
    current = None
    for row in d.forward_rows:
        if row.layer != current:
            current = row.layer
            layer = d.spec.layers[row.layer - 1]
            out += ["", layer_title(d, layer, L)]
            out += norm_stat_lines(d, layer.index, digits, L)
            out += ["  " + line for line in dropout_header(layer, L)]
            last_sample = None
        if samples > 1 and row.sample != last_sample:
            last_sample = row.sample
            out.append(f"  [{L['sample'].format(s=row.sample)}]")
        if hasattr(row, "op"):
            out.append(f"  {pool_line(row, digits)}")
            continue
        names, values = weighted_sum(row, digits)
        bname, bvalue = bias_parts(row, digits)
        out.append(f"  {row.unit}_in = {names}{bname}")
        out.append(f"  {' ' * len(row.unit)}    = {values}{bvalue} = {num(row.z, digits)}")
        if (row.layer, row.unit, row.sample) in kinks:
            out.append(f"  {' ' * len(row.unit)}    [{kink_note(kinks[row.layer, row.unit, row.sample], digits, L)}]")
        out.append(f"  {activation_line(row, digits)}")
        if row.drop is not None:
            out.append(f"  {dropout_line(row, digits)}")
    return out


def _forward_summary(d, digits, L):
    out = []
    for s, layer in zip(d.layer_summaries, d.spec.layers):
        out.append(f"  {layer_title(d, layer, L)}: "
                   + L["layer_summary"].format(samples=s.samples, units=s.units, mean=num(s.mean, digits),
                                               min=num(s.min, digits), max=num(s.max, digits)))
    return out + [f"  {note}" for note in summary_notes(d, digits, L)]


def loss_lines(d, digits, L) -> list:
    """The loss, sample by sample, written with the output names and then with the numbers."""
    rec = d.loss_record
    out = []
    for s, (pred, target, value) in enumerate(zip(rec.predictions, rec.targets, rec.per_sample), start=1):
        prefix = f"  [{L['sample'].format(s=s)}] " if len(rec.per_sample) > 1 else "  "
        out.append(prefix + _loss_line(rec, pred, target, value, digits))
    if len(rec.per_sample) > 1:
        out.append(f"  L = {L['loss_over'][rec.reduction]} = {num(rec.value, digits)}")
    return out


def _loss_line(rec, pred, target, value, digits):
    """``L = ½·(o_out − y_o)² = ½·(2.5 − 3)² = 0.125``: the loss table's formula with names, then with numbers; with
    a loss at every step, the steps' losses added (``½·(ot1_out − y_ot1)² + ½·(ot2_out − y_ot2)²``)."""
    if rec.steps == 1:
        names, values = _loss_sides(rec, rec.outputs, pred, target, digits)
        return f"L = {names} = {values} = {num(value, digits)}"
    k = len(rec.outputs) // rec.steps
    ce = rec.kind == "cross_entropy"
    sides = [_loss_sides(rec, rec.outputs[i:i + k], pred[i:i + k], target[i // k] if ce else target[i:i + k], digits)
             for i in range(0, len(rec.outputs), k)]
    return (f"L = {' + '.join(n for n, _ in sides)} = {' + '.join(v for _, v in sides)} = {num(value, digits)}")


def _loss_sides(rec, outputs, pred, target, digits) -> tuple:
    """(the loss written with names, with numbers) of one sample (of one step) with these outputs and targets."""
    kind = LOSS_KINDS[rec.kind]
    if rec.logits:  # the loss the tape computed from logits: log-sum-exp or softplus, never ln of a logit
        ys = () if rec.kind == "cross_entropy" else target
        several = len(outputs) > 1  # y_o1, y_o2 as in ∂L/∂out (one output: the loss table's y)
        names = logits_written(rec.kind, [node_out(u) for u in outputs],
                               [f"y_{u}" if several or rec.steps > 1 else kind.target_name(u) for u in outputs],
                               true=target if not ys else 0)
        values = logits_written(rec.kind, [num(p, digits) for p in pred], [signed(y, digits) for y in ys],
                                true=target if not ys else 0)
        return names, values
    if rec.kind == "cross_entropy":  # only the true class's output enters
        units, preds, targets = [outputs[target]], [pred[target]], [""]
    else:
        units, preds, targets = outputs, pred, target
    names = kind.written([node_out(u) for u in units], [kind.target_name(u) if rec.steps == 1 or rec.kind != "bce"
                                                        else f"y_{u}" for u in units])
    values = kind.written([num(p, digits) for p in preds], [signed(y, digits) if y != "" else "" for y in targets])
    return names, values


def loss_title(kind: str, L: dict, logits: bool = False) -> str:
    """The loss's name in the page's language and its formula from the loss table: ``half squared error ½·Σ(out − y)²``
    (the logit form for bce and cross_entropy on a linear output layer)."""
    if logits:
        return f"{L['loss_kind'][kind]} {LOGIT_SUMMARY[kind]}"
    return f"{L['loss_kind'][kind]} {LOSS_KINDS[kind].summary.format(true_class=L['true_class'])}"


def layer_title(d, layer, L) -> str:
    """``Layer 3 (r, tanh)``, with ``+ the skip from h`` for a layer that adds another's output; a layer without
    an activation of its own (pooling) names its kind: ``Layer 2 (p, maxpool2d)``."""
    title = L["layer"].format(n=layer.index, name=layer.name, activation=getattr(layer, "shown_as", layer.activation))
    skip = getattr(layer, "skip", None)
    if skip is None:
        return title
    source = d.spec.input_name if skip == 0 else d.spec.layers[skip - 1].name
    return f"{title} {L['skip_layer'].format(source=source)}"


def _upstream(d, digits, L=None):
    out = []
    L = L or labels("en")
    compact = {(st.layer - 1, unit, s): v for st in d.norm_stats for s, unit, v in st.compact}
    samples = d.spec.samples
    for u in d.upstream:
        tag = f"[{u.sample}] " if samples > 1 else ""
        if not u.paths:
            out.append(f"  {tag}{u.name} = {u.formula} = {num(u.value, digits)}")
            continue
        names, values = path_sum(u, digits)
        out.append(f"  {tag}{u.name} = {names}")
        out.append(f"  {' ' * (len(tag) + len(u.name))} = {values} = {num(u.value, digits)}")
        if (u.layer, u.unit, u.sample) in compact:
            out.append(f"  {' ' * (len(tag) + len(u.name))}   ({compact_label(L)}: "
                       f"{num(compact[(u.layer, u.unit, u.sample)], digits)})")
        note = skip_note(d, u, L)
        if note:
            out.append(f"  {' ' * (len(tag) + len(u.name))}   ({note})")
    return out


def skip_note(d, u, L) -> str:
    """The marker of a skip connection on an ∂L/∂unit_out row: "the gradient splits here" on a unit whose layer
    adds a skip (its gradient goes back through the block and straight to the skipped-from unit), "adds up here"
    on the skipped-from unit, whose sum has the skip's path (``∂L/∂r1_out·1``); else ""."""
    through = [p for p in u.paths if p.skip]
    if through:
        return L["adds_up"].format(path=" + ".join(f"{p.grad_name}·1" for p in through))
    layer = d.spec.layers[u.layer - 1]
    if getattr(layer, "skip", None) is None:
        return ""
    c = layer.unit_names.index(u.unit)
    source = d.spec.unit_names(layer.skip)[c]
    return L["splits"].format(unit=u.unit, source=source if layer.skip == 0 else node_out(source))






def _deltas(d, digits, L):
    c = L["col"]
    rows = []
    softmax = False
    for x in d.deltas:
        if x.local is None:
            softmax = True
            local = jacobian_sum(x, digits)
            rows.append([x.unit] + ([x.sample] if d.spec.samples > 1 else []) +
                        ["Σ_j ∂L/∂j_out·∂j_out/∂in", local, num(x.value, digits)])
        else:
            rows.append([x.unit] + ([x.sample] if d.spec.samples > 1 else []) +
                        [f"{signed(x.upstream, digits)} · {factor(x.formula)}", num(x.local, digits), num(x.value, digits)])
    headers = [c["unit"]] + ([c["sample"]] if d.spec.samples > 1 else []) + [f"{c['upstream']} · {c['local']}",
                                                                            c["local"], c["delta"]]
    out = _indent(tabulate(rows, headers=headers, disable_numparse=True))
    if softmax:
        out.append("  " + L["softmax_delta"])
    return out


def _terms(d, digits, L):
    if d.terms_omitted:
        return ["  " + L["terms_omitted"]]
    out = []
    c = L["col"]
    samples = d.spec.samples
    positions = any(ch.position for t in d.terms for ch in t.chains)
    tagged = samples > 1 or positions
    rows = []
    for t in d.terms:
        for k, chain in enumerate(t.chains):
            names = " · ".join(f.name for f in chain.factors)
            values = " · ".join(signed(f.value, digits) for f in chain.factors)
            rows.append([f"∂L/∂{t.name}" if k == 0 else "",
                         *([chain_tag(chain, samples)] if tagged else []), names, values, num(chain.value, digits)])
        caption = sum_label(t, samples, L)
        if caption:
            rows.append(["", *(["Σ"] if tagged else []), caption, "", num(t.value, digits)])
    where = (c["position"] if any(t.sum_over == "positions" for t in d.terms if t.chains and t.chains[0].position)
             else L["step"]) if positions else c["sample"]
    headers = [c["parameter"]] + ([where] if tagged else []) + [c["chain"], c["values"], "="]
    out += _indent(tabulate(rows, headers=headers, disable_numparse=True))
    return out


def _gradient_summary(d, digits, L):
    out = ["", L["gradients"]]
    out += _matrices(d.gradients, digits, limit=6)
    return out


def _matrices(arrays, digits, limit=None):
    out = []
    for key, value in arrays.items():
        rows = value if isinstance(value[0], list) else [value]
        if isinstance(rows[0][0], list):  # a conv kernel or map: its last axis as columns, the rest as rows, C order
            rows = np.asarray(value, dtype=float).reshape(-1, np.shape(value)[-1]).tolist()
        shown = rows if limit is None or len(rows) <= limit else rows[:limit]
        body = [[num(v, digits) for v in (r if limit is None or len(r) <= limit else r[:limit])] for r in shown]
        out.append(f"  {key}:")
        out += _indent(tabulate(body, tablefmt="plain", disable_numparse=True), "    ")
        if limit is not None and (len(rows) > limit or len(rows[0]) > limit):
            out.append(f"    … ({len(rows)}×{len(rows[0])})")
    return out


def _updates(d, digits, L, detailed):
    c = L["col"]
    updates = d.updates
    if not detailed and len(updates) > 40:  # only the rows shown are formatted (or, for a large net, built)
        updates = updates[:20] + (None,) + updates[-5:]
    rows = [["…", "", "", "", ""] if u is None else
            [u.name, num(u.old, digits), num(u.grad, digits), num(u.new, digits),
             num(u.change_pct, 3) if u.change_pct is not None else "—"] for u in updates]
    return _indent(tabulate(rows, headers=[c["parameter"], c["old"], c["gradient"], c["new"], c["change"]],
                            disable_numparse=True))
