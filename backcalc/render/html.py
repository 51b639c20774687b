"""An interactive page: one self-contained HTML file (no network) a teacher can post and a student open offline.

The net is drawn as SVG (:mod:`backcalc.render.htmlsvg`); clicking a weight, a bias or a unit highlights every
path from it to the loss and fills the panel ``id="details"`` with its chain of factors, the sum over paths and
the δ's along the way (:mod:`backcalc.render.focus`). Below the picture is the whole derivation — every section
of the text page — with each row linked to its element in the picture. With several steps a selector shows
each step's picture and derivation.

>>> from backcalc import explain
>>> page = render(explain())
>>> 'data-param="w_ij1"' in page and 'id="details"' in page and "http" not in page.split("<svg")[0]
True
"""

from __future__ import annotations

import itertools

from . import escape, focus, html_training, shared, text, text_norm
from .circuit import circuit
from .format import num, signed
from .htmlsvg import svg
from .kinks import by_unit, kink_note
from .labels import labels, localize
from .page_assets import CSS, SCRIPT
from .bylayer import data_part, data_title, layer_parts, layer_title, order_heading
from .working import matrix_lines, symbolic_lines

MAX_STEPS_SHOWN = 20  # the step selector offers at most this many steps (the history lists them all)
_ids = itertools.count(1)


def _h(s) -> str:
    return escape.html(str(s))


def render(d, digits: int = 5, lang: str = "en", full: bool = False, steps=None, fragment: bool = False,
           select: str | None = None, order: str = "pass") -> str:
    """The page of derivation ``d``; ``steps`` (one derivation per step, :func:`~backcalc.net.derivation.explain_steps`)
    adds the step selector; ``fragment`` gives a ``<div>`` for Jupyter instead of a whole document; ``select``
    names a parameter shown selected when the page opens; ``order="layer"`` groups the backward pass by layer."""
    L = labels(lang)
    root = f"backcalc-{next(_ids)}"
    pages = list(steps[:MAX_STEPS_SHOWN]) if steps else [d]
    chosen = f' data-select="{_h(d.term(select).name)}"' if select else ""
    body = [f'<div class="backcalc" id="{root}" lang="{_h(lang)}"{chosen}>', f"<h1>{_h(d.title or 'backcalc')}</h1>",
            f'<p class="givens">{_h(_givens(d, digits, L))}</p>']
    if not d.shows_detail(full):
        body.append(f'<p class="note">{_h(text_large(d, L))}</p>')
    if len(pages) > 1:
        options = "".join(f'<option value="{k}">{_h(L["step"])} {k}</option>' for k in range(1, len(pages) + 1))
        body.append(f'<p><label>{_h(L["html_step"])} <select class="step-select">{options}</select></label></p>')
    body.append(f'<p class="hint">{_h(L["html_hint"])}</p>')
    for k, page in enumerate(pages, start=1):
        body.append(f'<section class="step" data-step="{k}"{"" if k == 1 else " hidden"}>')
        body.append(f'<div class="picture">{svg(circuit(page, 1, full), digits, L)}</div>')
        if page.spec.samples > 1:
            body.append(f'<p class="caption">{_h(L["graph_sample"].format(s=1, n=page.spec.samples))}</p>')
        body += _templates(page, digits, lang, full)
        body += _derivation(page, digits, L, full, lang, order)
        body.append("</section>")
    body += _after(d, digits, L, full)
    body.append(f'<aside id="details" class="details" aria-live="polite"><p>{_h(L["html_details"])}</p></aside>')
    body += ["</div>", f"<script>{SCRIPT.replace('ROOT_ID', root)}</script>"]
    if fragment:
        return localize(f"<style>{CSS}</style>\n" + "\n".join(body) + "\n", lang)
    return localize("\n".join(["<!DOCTYPE html>", f'<html lang="{_h(lang)}">', "<head>", '<meta charset="utf-8">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      f"<title>{_h(d.title or 'backcalc')}</title>", f"<style>{CSS}</style>", "</head>", "<body>"]
                     + body + ["</body>", "</html>"]) + "\n", lang)


def text_large(d, L):
    return text.large_note(d, L)


def _givens(d, digits, L):
    spec = d.spec
    return L["setup"].format(x=text._data_text(spec.x, digits, L), y=text._data_text(spec.y, digits, L),
                             loss=L["loss_kind"][spec.loss], reduction=L["reduction"][spec.reduction],
                             lr=num(spec.learning_rate, digits))


def _templates(d, digits, lang, full):
    """The details of every parameter and unit, ready for the panel (shown by the script, never computed)."""
    if not d.shows_detail(full):
        return []
    out = []
    for t in d.terms:
        lines = focus.param_lines(d, t.name, digits, lang)
        out.append(f'<template data-for="param:{_h(t.name)}">{_lines(lines, title=f"∂L/∂{t.name}")}</template>')
    units = list(dict.fromkeys(r.unit for r in d.forward_rows))
    for u in units:
        out.append(f'<template data-for="node:{_h(u)}">{_lines(focus.unit_lines(d, u, digits, lang), title=u)}'
                   f'</template>')
    return out


def _lines(lines, title=""):
    head = f"<h3>{_h(title)}</h3>" if title else ""
    return head + "".join(f'<div class="eq">{_h(line)}</div>' for line in lines)


def _eq(line, node="", param=""):
    attrs = (f' data-node="{_h(node)}"' if node else "") + (f' data-param="{_h(param)}"' if param else "")
    return f'<div class="eq"{attrs}>{_h(line)}</div>'


def _derivation(d, digits, L, full, lang="en", order="pass"):
    detailed = d.shows_detail(full)
    out = ['<div class="derivation">', f"<h2>{_h(L['forward'])}</h2>"]
    if detailed:
        out += _forward(d, digits, L)
    else:
        out.append(f"<pre>{_h(chr(10).join(text._forward_summary(d, digits, L)))}</pre>")
    out += [f"<h2>{_h(L['loss'])}</h2>"] + [_eq(line.strip()) for line in text.loss_lines(d, digits, L)]
    out += html_training.penalty(d, digits, L)
    out.append(f"<h2>{_h(L['backward'])}</h2>")
    if detailed and order == "layer":
        return out + _by_layer(d, digits, L, lang) + ["</div>"]
    if detailed:
        out += _working(symbolic_lines(d, lang))
        out.append(f"<h3>{_h(L['upstream'])}</h3>")
        out += _upstream(d, digits, L)
        for layer in d.spec.layers:
            out += _time_norms(d, layer, digits, L)
        out.append(f"<h3>{_h(L['deltas'])}</h3>")
        out += _deltas(d, digits, L)
        out.append(f"<h3>{_h(L['terms'])}</h3>")
        out += _terms(d, digits, L)
        out += html_training.reg_terms(d, digits, L)
        out += _working(matrix_lines(d, digits, lang))
    else:
        out.append(f"<pre>{_h(chr(10).join(text._gradient_summary(d, digits, L)))}</pre>")
    if d.plain_sgd:
        out.append(f"<h2>{_h(L['update'].format(lr=num(d.spec.learning_rate, digits)))}</h2>")
        out += _updates(d, digits, L, detailed)
    else:  # another optimizer: its settings and, per step, a table per parameter of every quantity
        out += html_training.optimizer(d, digits, L)
    return out + ["</div>"]


def _by_layer(d, digits, L, lang):
    """``--order layer``: the symbolic working, then per layer from the output its ∂L/∂out, δ's, chain rule,
    update and matrix form (every row linked to the picture as in the whole-pass order)."""
    plain = d.plain_sgd
    out = _working(symbolic_lines(d, lang)) + [f'<p class="topic">{_h(order_heading(d, L))}</p>']
    for layer, part in layer_parts(d):
        out += [f"<h3>{_h(layer_title(layer, L, plain))}</h3>"] + _upstream(part, digits, L)
        out += _time_norms(d, layer, digits, L) + _deltas(part, digits, L)
        if part.terms:  # a pool or flatten layer has no parameters: no chain rule, no update
            out += [f"<h4>{_h(L['terms'])}</h4>"] + _terms(part, digits, L)
        if plain and part.terms:  # another optimizer's update is not new = old − η·gradient: after the pass
            out += [f"<h4>{_h(L['update'].format(lr=num(d.spec.learning_rate, digits)))}</h4>"]
            out += _updates(part, digits, L, True)
        matrices = matrix_lines(d, digits, lang, layer=layer.index)
        if matrices:
            out += [f"<h4>{_h(matrices[0])}</h4>", f'<pre class="working">{_h(chr(10).join(m[4:] for m in matrices[2:]))}</pre>']
    data = data_part(d)  # ∂L/∂x of the data, after layer 1's δ's that it sums
    if data is not None:
        out += [f"<h3>{_h(data_title(d, L))}</h3>"] + _upstream(data, digits, L)
    if not plain:
        out += [f"<h2>{_h(L['update'].format(lr=num(d.spec.learning_rate, digits)))}</h2>"] + _updates(d, digits, L, True)
    return out


def _time_norms(d, layer, digits, L) -> list:
    """‖∂L/∂h_t‖ back through time of a recurrent layer (none for other kinds): the caption wraps, the table keeps
    its columns."""
    table = shared.time_norm_rows(d, layer, digits, L)
    if table is None:
        return []
    caption, cols, body = table
    return [f"<p>{_h(text.layer_title(d, layer, L))}: {_h(caption)}</p>",
            f"<pre>{_h(text.tabulate(body, headers=cols, disable_numparse=True))}</pre>"]


def _working(lines):
    """A section of text lines (the symbolic working, the matrix form): its title, topics, rows."""
    if not lines:
        return []
    out = [f"<h3>{_h(lines[0])}</h3>"]
    rows = []
    for line in lines[1:] + [""]:
        if line.startswith("    "):
            rows.append(line[4:])
            continue
        if rows:  # a topic's rows keep their alignment (the = under the =)
            out.append(f'<pre class="working">{_h(chr(10).join(rows))}</pre>')
            rows = []
        if line.strip():
            out.append(f'<p class="topic">{_h(line.strip())}</p>')
    return out


def _tag(d, sample, L):
    return f"  [{L['sample'].format(s=sample)}]" if d.spec.samples > 1 else ""


def _forward(d, digits, L):
    out, current, last = [], None, None
    kinks = by_unit(d)
    for row in d.forward_rows:
        if row.layer != current:
            current, last = row.layer, None
            layer = d.spec.layers[row.layer - 1]
            out.append(f"<h3>{_h(text.layer_title(d, layer, L))}</h3>")
            out += _norm_stats(d, layer.index, digits, L)
            out += [f"<p>{_h(line)}</p>" for line in text.dropout_header(layer, L)]
        if d.spec.samples > 1 and row.sample != last:
            last = row.sample
            out.append(f'<p class="sample">{_h(L["sample"].format(s=row.sample))}</p>')
        out += [_eq(line, node=row.unit) for line in focus.forward_lines(row, digits)]
        if (row.layer, row.unit, row.sample) in kinks:
            out.append(f'<p class="note">{_h(kink_note(kinks[row.layer, row.unit, row.sample], digits, L))}</p>')
    return out


def _norm_stats(d, layer, digits, L):
    """A normalisation layer's μ, σ², σ and x̂ lines (the text page's own equations)."""
    out = []
    for st in (r for r in d.norm_stats if r.layer == layer):
        if not out:
            out += [f'<p class="note">{_h(line)}</p>' for line in text_norm.norm_heading(st, digits, L)]
        for lhs, sides, sample in text_norm.norm_stat_equations(st, digits):
            out.append(_eq(f"{lhs} = {' = '.join(sides)}" + (_tag(d, sample, L) if sample else "")))
    return out


def _upstream(d, digits, L):
    """∂L/∂unit_out rows, each with its compact check (normalisation) or skip marker under it."""
    compact = {(st.layer - 1, unit, s): v for st in d.norm_stats for s, unit, v in st.compact}
    out = []
    for u in d.upstream:
        out.append(_eq(focus.upstream_line(u, digits) + _tag(d, u.sample, L), node=u.unit))
        if (u.layer, u.unit, u.sample) in compact:
            out.append(f'<p class="note">({_h(text_norm.compact_label(L))}: {_h(num(compact[(u.layer, u.unit, u.sample)], digits))})</p>')
        note = text.skip_note(d, u, L)
        if note:
            out.append(f'<p class="note">({_h(note)})</p>')
    return out


def _deltas(d, digits, L):
    out = [_eq(focus.delta_line(x, digits) + _tag(d, x.sample, L), node=x.unit) for x in d.deltas]
    if any(x.local is None for x in d.deltas):
        out.append(f"<p>{_h(L['softmax_delta'])}</p>")
    return out


def _terms(d, digits, L):
    if d.terms_omitted:
        return [f"<p>{_h(L['terms_omitted'])}</p>"]
    c = L["col"]
    samples = d.spec.samples
    positions = any(ch.position for t in d.terms for ch in t.chains)
    many = samples > 1 or positions
    head = [c["parameter"]] + ([c["position"] if positions else c["sample"]] if many else []) + \
        [c["chain"], c["values"], "="]
    rows = []
    for t in d.terms:
        for chain in t.chains:
            cells = [f"∂L/∂{t.name}"] + ([text.chain_tag(chain, samples)] if many else []) + \
                    [" · ".join(f.name for f in chain.factors), " · ".join(signed(f.value, digits) for f in chain.factors),
                     num(chain.value, digits)]
            rows.append((t.name, cells))
        caption = text.sum_label(t, samples, L)
        if caption:
            rows.append((t.name, ["", *(["Σ"] if many else []), caption, "", num(t.value, digits)]))
    return _table(head, rows)


def _updates(d, digits, L, detailed):
    c = L["col"]
    rows = [(u.name, [u.name, num(u.old, digits), num(u.grad, digits), num(u.new, digits),
                      num(u.change_pct, 3) if u.change_pct is not None else "—"]) for u in d.updates]
    if not detailed and len(rows) > 40:
        rows = rows[:20] + [("", ["…", "", "", "", ""])] + rows[-5:]
    return _table([c["parameter"], c["old"], c["gradient"], c["new"], c["change"]], rows)


def _table(head, rows):
    out = ['<div class="scroll"><table>', "<tr>" + "".join(f"<th>{_h(h)}</th>" for h in head) + "</tr>"]
    for param, cells in rows:
        attr = f' data-param="{_h(param)}"' if param else ""
        out.append(f"<tr{attr}>" + "".join(f"<td>{_h(v)}</td>" for v in cells) + "</tr>")
    return out + ["</table></div>"]


def _after(d, digits, L, full):
    spec = d.spec
    if spec.steps == 1:
        return [f'<p class="after">{_h(L["loss_after"])}: {_h(num(d.loss_after, digits))} '
                f'({_h(L["was"])} {_h(num(d.loss, digits))})</p>']
    out = [f"<h2>{_h(L['history'])}</h2>"]
    out += _table([L["step"], L["col"]["loss"]], [("", [s, num(v, digits)]) for s, v in d.history])
    out.append(f'<p class="after">{_h(L["loss_after_steps"].format(steps=spec.steps))}: '
               f'{_h(num(d.loss_after, digits))} ({_h(L["was"])} {_h(num(d.loss, digits))})</p>')
    if d.shows_detail(full):
        out += [f"<h2>{_h(L['final_params'].format(steps=spec.steps))}</h2>",
                f"<pre>{_h(chr(10).join(text._matrices(d.updated, digits)))}</pre>"]
    return out
