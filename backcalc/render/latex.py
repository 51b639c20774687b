"""LaTeX rendering: a complete document (amsmath only) a student can compile or paste into a report.

The page has every section of the text page — the givens, the forward pass with numbers substituted, the
loss, ∂L/∂out for every unit, the δ's, the chain rule for every parameter, the update, the loss history and
the parameters after the last step — and every long equation is broken across rows so nothing runs off
the page. Formulas are the text page's own (see :mod:`backcalc.render.texmath`).

>>> from backcalc import explain
>>> r"\\begin{document}" in render(explain())
True
"""

from __future__ import annotations

import re

import numpy as np

from . import shared, text, text_norm
from .format import factor, num, signed, tex_name
from .labels import labels, localize
from .training_tex import penalty_tex, reg_terms_tex, update_tex
from .bylayer import data_part, data_title, layer_parts, layer_title, order_heading
from .escape import latex as escape
from .kinks import by_unit, kink_note, summary_notes
from .working import matrix_tex, symbolic_tex
from .texmath import equation_rows, number, text_escape, to_tex, top_level_split

MATRIX_COLUMNS = 8  # wider parameter matrices are shown in slices of this many columns


def tex(v, digits: int) -> str:
    """A number in math mode."""
    return number(num(v, digits))


def render(d, digits: int = 5, lang: str = "en", full: bool = False, order: str = "pass") -> str:
    L = labels(lang)
    spec = d.spec
    detailed = d.shows_detail(full)
    title = d.title or "backcalc"
    out = [r"\documentclass{article}", r"\usepackage{amsmath}", r"\allowdisplaybreaks",
           r"\setlength{\parindent}{0pt}", r"\begin{document}", f"% --- {escape(L['paste_from'])} ---",
           rf"\section*{{{escape(title)}}}", _givens(d, digits, L)]
    if not detailed:
        out += ["", escape(text.large_note(d, L))]
    out.append(rf"\subsection*{{{escape(L['forward'])}}}")
    out += _forward(d, digits, L) if detailed else _summary_table(d, digits, L)
    out += [rf"\subsection*{{{escape(L['loss'])}}}"] + _align(_loss(d, digits, L)) + penalty_tex(d, digits, L, escape)
    out.append(rf"\subsection*{{{escape(L['backward'])}}}")
    plain = d.plain_sgd
    if detailed and order == "layer":
        out += _backward_by_layer(d, digits, L, lang, plain)
    elif detailed:
        out += _backward(d, digits, L, lang)
    else:
        out += [rf"\subsubsection*{{{escape(L['gradients'])}}}"] + _matrices(d.gradients, digits)
    if not plain:
        out += update_tex(d, digits, L, escape)
    elif not (detailed and order == "layer"):
        out += [rf"\subsection*{{{escape(L['update'].format(lr=num(spec.learning_rate, digits)))}}}"]
        out += _update_table(d, digits, L, detailed)
    out += _after(d, digits, L, detailed)
    out += [f"% --- {escape(L['paste_to'])} ---", r"\end{document}"]
    return localize("\n".join(out) + "\n", lang)  # the records' words in formulas (piecewise forms)


def _backward(d, digits, L, lang):
    out = symbolic_tex(d, lang, escape)
    out += [rf"\subsubsection*{{{escape(L['upstream'])}}}"] + _align(_upstream(d, digits, lang))
    out += _time_norms(d, digits, L)
    out += [rf"\subsubsection*{{{escape(L['deltas'])}}}"] + _align(_deltas(d, digits, L))
    out += _softmax_note(d, L)
    out += [rf"\subsubsection*{{{escape(L['terms'])}}}"] + _align(_terms(d, digits, L))
    out += reg_terms_tex(d, digits, L, escape)
    return out + matrix_tex(d, digits, lang, escape)


def _backward_by_layer(d, digits, L, lang, plain):
    """``--order layer``: the symbolic working, then per layer from the output its ∂L/∂out, δ's, chain rule,
    update (plain SGD; an optimizer's tables follow the whole pass) and matrix form."""
    out = symbolic_tex(d, lang, escape) + [rf"\subsubsection*{{{escape(order_heading(d, L))}}}"]
    for layer, part in layer_parts(d):
        out.append(rf"\subsubsection*{{{escape(layer_title(layer, L, plain))}}}")
        out += _align(_upstream(part, digits, lang)) + _time_norms(d, digits, L, only=layer.index)
        out += _align(_deltas(part, digits, L)) + _softmax_note(part, L)
        if part.terms:  # a pool or flatten layer has no parameters: no chain rule, no update
            out += [_minor(L["terms"])] + _align(_terms(part, digits, L))
        if plain and part.terms:
            out += [_minor(L["update"].format(lr=num(d.spec.learning_rate, digits)))]
            out += _update_table(part, digits, L, True)
        out += matrix_tex(d, digits, lang, escape, layer=layer.index)
    data = data_part(d)  # ∂L/∂x of the data, after layer 1's δ's that it sums
    if data is not None:
        out += [rf"\subsubsection*{{{escape(data_title(d, L))}}}"] + _align(_upstream(data, digits, lang))
    return out + reg_terms_tex(d, digits, L, escape)


def _minor(title: str) -> str:
    """A heading of its own line, smaller than a subsubsection (a table may follow it)."""
    return rf"\par\medskip\noindent\textbf{{{escape(title)}}}\par"


def _softmax_note(d, L):
    if not any(x.local is None for x in d.deltas):
        return []
    words, _, formula = L["softmax_delta"].rpartition(", ")
    return [f"{escape(words)}, ${to_tex(formula)}$"]


def _givens(d, digits, L):
    spec = d.spec
    return escape(L["setup"].format(x=text._data_text(spec.x, digits, L), y=text._data_text(spec.y, digits, L),
                                    loss=text.loss_title(spec.loss, L, d.loss_record.logits),
                                    reduction=L["reduction"][spec.reduction],
                                    lr=num(spec.learning_rate, digits)))


def _align(rows):
    return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"] if rows else []


def _sides(line: str):
    parts = top_level_split(line, " = ")
    return parts[0], parts[1:]


def _forward(d, digits, L):
    out, rows = [], []
    kinks = by_unit(d)
    current, last_sample = None, None
    for row in d.forward_rows:
        if row.layer != current:
            out += _align(rows)
            rows, current, last_sample = [], row.layer, None
            layer = d.spec.layers[row.layer - 1]
            out.append(rf"\subsubsection*{{{escape(text.layer_title(d, layer, L))}}}")
            out += _norm_stats(d, layer.index, digits, L)
            out += [escape(line) + "\n" for line in text.dropout_header(layer, L)]  # a paragraph of its own
        if d.spec.samples > 1 and row.sample != last_sample:
            last_sample = row.sample
            rows.append(rf"\intertext{{\emph{{{escape(L['sample'].format(s=row.sample))}}}}}" if rows else "")
            if not rows[-1]:  # the first group: a label above the environment instead of an empty row
                rows.pop()
                out.append(rf"\emph{{{escape(L['sample'].format(s=row.sample))}}}")
        if hasattr(row, "op"):
            lhs, sides = _sides(text.pool_line(row, digits))
            rows += equation_rows(lhs, sides)
            continue
        names, values = text.weighted_sum(row, digits)
        bname, bvalue = text.bias_parts(row, digits)
        rows += equation_rows(f"{row.unit}_in", [f"{names}{bname}", f"{values}{bvalue}", num(row.z, digits)])
        lhs, sides = _sides(text.activation_line(row, digits))
        after = equation_rows(lhs, sides)
        if (row.layer, row.unit, row.sample) in kinks:  # a line of words between the two equations
            after[0] = rf"\intertext{{{escape(kink_note(kinks[row.layer, row.unit, row.sample], digits, L))}}}" + after[0]
        rows += after
        if row.drop is not None:
            lhs, sides = _sides(text.dropout_line(row, digits))
            rows += equation_rows(lhs, sides)
    out += _align(rows)
    return out


def _norm_stats(d, layer, digits, L) -> list:
    """A normalisation layer's μ, σ², σ and x̂ (the text page's equations), under a line saying over what."""
    out, rows = [], []
    for st in (r for r in d.norm_stats if r.layer == layer):
        if not out:
            out += [escape(line) + r"\\" for line in text_norm.norm_heading(st, digits, L)]
        for lhs, sides, sample in text_norm.norm_stat_equations(st, digits):
            tag = L["sample"].format(s=sample) if sample and d.spec.samples > 1 else ""
            mean = f")/{st.count}"
            if sides[0].startswith("(") and sides[0].endswith(mean) and len(sides[0]) > 40:
                rows += _mean_rows(lhs, sides[0][1:-len(mean)], st.count, sides[1:], tag)
            else:
                rows += equation_rows(lhs, sides, tag=tag)
    return out + _align(rows)


def _mean_rows(lhs, inner, count, rest, tag, width=40) -> list:
    """``lhs = (1/N)·(t1 + t2 + …)`` broken between the terms (a long mean of squares), then ``= rest``."""
    lines, line = [], []
    for term in top_level_split(inner, " + "):
        if line and len(" + ".join(line + [term])) > width:
            lines.append(line)
            line = []
        line.append(term)
    lines.append(line)
    rows = []
    for k, terms in enumerate(lines):
        body = " + ".join(to_tex(t) for t in terms)
        start = rf"{to_tex(lhs)} &= \frac{{1}}{{{count}}}\Big(" if k == 0 else r"&\phantom{=} "
        end = r"\Big)" if k == len(lines) - 1 else " +"
        rows.append(start + body + end + (rf" \tag*{{{text_escape(tag)}}}" if tag and k == 0 else ""))
    return rows + [" &= " + " = ".join(to_tex(side) for side in rest)]


_FORMULA_WORD = re.compile(r"(∂[^\s,;)]+|\b\w+_(?:in|out)\b)")


def _mixed(words: str) -> str:
    """A sentence of the page with its node names and ∂-fractions set as inline math (``r1_in``, ``∂L/∂r1_out·1``)."""
    return "".join(f"${to_tex(piece)}$" if k % 2 else escape(piece)
                   for k, piece in enumerate(_FORMULA_WORD.split(words)))


def compact_tex(L) -> str:
    """The compact-form label in text mode, its formula and g set as inline math."""
    out = []
    for piece in re.split(r"(\{formula\}|\{g\})", L["compact"]):
        if piece == "{formula}":
            out.append(f"${to_tex(text_norm.COMPACT_FORMULA)}$")
        elif piece == "{g}":
            out.append(f"${to_tex(text_norm.COMPACT_G)}$")
        elif piece:
            out.append(escape(piece))
    return "".join(out)


def _summary_table(d, digits, L):
    c = L["col"]
    out = [r"\begin{tabular}{lrrrr}", rf"{escape(c['unit'])} & {escape(c['sample'])}$\times${escape(c['unit'])} & "
           r"mean & min & max \\ \hline"]
    for s, layer in zip(d.layer_summaries, d.spec.layers):
        out.append(f"{escape(L['layer'].format(n=s.layer, name=layer.name, activation=layer.activation))} & "
                   f"${s.samples}\\times{s.units}$ & ${tex(s.mean, digits)}$ & ${tex(s.min, digits)}$ & "
                   f"${tex(s.max, digits)}$ \\\\")
    notes = [escape(note) + "\n" for note in summary_notes(d, digits, L)]  # each a paragraph of its own
    return out + [r"\end{tabular}"] + ([""] + notes if notes else [])


def _loss(d, digits, L):
    rec = d.loss_record
    rows = []
    many = len(rec.per_sample) > 1
    for s, (pred, target, value) in enumerate(zip(rec.predictions, rec.targets, rec.per_sample), start=1):
        lhs, sides = _sides(text._loss_line(rec, pred, target, value, digits))
        if many:
            lhs = f"L_{s}"
        rows += equation_rows(lhs, sides, tag=L["sample"].format(s=s) if many else "")
    if many:
        terms = " + ".join(f"L_{s}" for s in range(1, len(rec.per_sample) + 1))
        first = f"({terms})/{len(rec.per_sample)}" if rec.reduction == "mean" else terms
        rows += equation_rows("L", [first, num(rec.value, digits)], tag=L["reduction"][rec.reduction])
    return rows


def _upstream(d, digits, lang):
    rows = []
    L = labels(lang)
    many = d.spec.samples > 1
    compact = {(st.layer - 1, unit, s): v for st in d.norm_stats for s, unit, v in st.compact}
    for u in d.upstream:
        tag = f"[{u.sample}]" if many else ""
        if not u.paths:
            rows += equation_rows(u.name, [localize(u.formula, lang), num(u.value, digits)], tag=tag)
            continue
        names, values = text.path_sum(u, digits)
        rows += equation_rows(u.name, [names, values, num(u.value, digits)], tag=tag)
        if (u.layer, u.unit, u.sample) in compact:  # the three paths' sum checked by the compact form
            rows.append(rf"\intertext{{\small ({compact_tex(L)}: ${tex(compact[(u.layer, u.unit, u.sample)], digits)}$)}}")
        note = text.skip_note(d, u, L)
        if note:  # where the gradient splits at a skip, and where it adds up again
            rows.append(rf"\intertext{{\small ({_mixed(note)})}}")
    return rows


def _deltas(d, digits, L):
    rows = []
    many = d.spec.samples > 1
    for x in d.deltas:
        tag = L["sample"].format(s=x.sample) if many else ""
        lhs = f"δ_{x.unit}"
        if x.local is None:
            sides = [f"Σ_j ∂L/∂j_out·∂j_out/∂{x.unit}_in", text.jacobian_sum(x, digits), num(x.value, digits)]
        else:
            sides = [f"∂L/∂{x.unit}_out · ∂{x.unit}_out/∂{x.unit}_in", f"{signed(x.upstream, digits)} · {factor(x.formula)}",
                     f"{signed(x.upstream, digits)} · {signed(x.local, digits)}", num(x.value, digits)]
        rows += [r.replace(to_tex(lhs), rf"\delta_{{{tex_name(x.unit)}}}", 1) for r in equation_rows(lhs, sides, tag=tag)]
    return rows


def _time_norms(d, digits, L, only: int | None = None) -> list:
    """‖∂L/∂h_t‖ over the steps of each recurrent layer (``only``: of that one) under its explanation."""
    out = []
    for layer in d.spec.layers if only is None else (d.spec.layers[only - 1],):
        table = shared.time_norm_rows(d, layer, digits, L)
        if table is None:
            continue
        caption, cols, body = table
        out += [r"{\sloppy " + escape(f"{text.layer_title(d, layer, L)}: {caption}") + r"\par}\smallskip",
                r"\begin{tabular}{" + "r" * len(cols) + "}",
                # a loss at every step adds a column: its headers on two lines, so the table fits the page
                " & ".join(_stacked(c) if getattr(layer, "out_steps", 0) else escape(c) for c in cols) + r" \\ \hline"]
        out += [" & ".join(c if c.isdigit() or c == "—" else f"${number(c)}$" for c in row).replace("—", "---")
                + r" \\" for row in body]
        out.append(r"\end{tabular}")
    return out


def _stacked(header: str) -> str:
    """A long column header on two lines (split at the space nearest its middle), so a wide table fits the page."""
    if len(header) <= 12 or " " not in header:
        return escape(header)
    cut = min((i for i, ch in enumerate(header) if ch == " "), key=lambda i: abs(i - len(header) / 2))
    return rf"\begin{{tabular}}[b]{{@{{}}r@{{}}}}{escape(header[:cut])}\\{escape(header[cut + 1:])}\end{{tabular}}"


def _terms(d, digits, L):
    if d.terms_omitted:
        return [rf"&\text{{{text_escape(L['terms_omitted'])}}}"]
    rows = []
    samples = d.spec.samples
    for t in d.terms:
        for chain in t.chains:
            names = " · ".join(f.name for f in chain.factors)
            values = " · ".join(signed(f.value, digits) for f in chain.factors)
            tag = ", ".join(([L["sample"].format(s=chain.sample)] if samples > 1 else []) +
                            ([chain.position] if chain.position else []))
            rows += equation_rows(f"∂L/∂{t.name}", [names, values, num(chain.value, digits)], tag=tag)
        caption = text.sum_label(t, samples, L)
        if caption:
            total = " + ".join(signed(c.value, digits) for c in t.chains)
            rows += equation_rows(f"∂L/∂{t.name}", [total, num(t.value, digits)], tag=caption)
    return rows


def _update_table(d, digits, L, detailed):
    c = L["col"]
    out = [r"\begin{tabular}{lrrrr}",
           rf"{escape(c['parameter'])} & {escape(c['old'])} & {escape(c['gradient'])} & {escape(c['new'])} & "
           rf"{escape(c['change'])} \\ \hline"]
    updates = list(d.updates)
    if not detailed and len(updates) > 40:
        updates = updates[:20] + [None] + updates[-5:]
    for u in updates:
        if u is None:
            out.append(r"\dots & & & & \\")
            continue
        change = f"${number(num(u.change_pct, 3))}$" if u.change_pct is not None else "---"
        out.append(f"${tex_name(u.name)}$ & ${tex(u.old, digits)}$ & ${tex(u.grad, digits)}$ & "
                   f"${tex(u.new, digits)}$ & {change} \\\\")
    return out + [r"\end{tabular}", ""]


def _after(d, digits, L, detailed):
    spec = d.spec
    if spec.steps == 1:
        return [rf"{escape(L['loss_after'])}: ${tex(d.loss_after, digits)}$ ({escape(L['was'])} ${tex(d.loss, digits)}$)", ""]
    out = [rf"\subsection*{{{escape(L['history'])}}}", r"\begin{tabular}{rr}",
           rf"{escape(L['step'])} & {escape(L['col']['loss'])} \\ \hline"]
    out += [f"{s} & ${tex(v, digits)}$ \\\\" for s, v in d.history]
    out += [r"\end{tabular}", "",
            rf"{escape(L['loss_after_steps'].format(steps=spec.steps))}: ${tex(d.loss_after, digits)}$ "
            rf"({escape(L['was'])} ${tex(d.loss, digits)}$)", ""]
    if detailed:
        out += [rf"\subsection*{{{escape(L['final_params'].format(steps=spec.steps))}}}"]
        out += _matrices(d.updated, digits)
    return out


def _matrices(arrays, digits):
    """Each array as a matrix shaped like the parameter (sliced into blocks of columns when wide)."""
    out = []
    for key, value in arrays.items():
        rows = value if isinstance(value[0], list) else [value]
        if isinstance(rows[0][0], list):  # a conv kernel or map: its last axis as columns, the rest as rows, C order
            rows = np.asarray(value, dtype=float).reshape(-1, np.shape(value)[-1]).tolist()
        for start in range(0, len(rows[0]), MATRIX_COLUMNS):
            block = [r[start:start + MATRIX_COLUMNS] for r in rows[:MATRIX_COLUMNS * 3]]
            body = r" \\ ".join(" & ".join(tex(v, digits) for v in r) for r in block)
            cols = f"_{{[:, {start}:{start + len(block[0])}]}}" if len(rows[0]) > MATRIX_COLUMNS else ""
            more = r" \;\dots" if len(rows) > len(block) else ""
            out += [r"\[", rf"{_key_tex(key)}{cols} = \begin{{pmatrix}} {body} \end{{pmatrix}}{more}", r"\]"]
    return out


def _key_tex(key: str) -> str:
    head = key.rstrip("0123456789")
    return f"{text_escape(head)}_{{{key[len(head):]}}}" if head != key else text_escape(key)
