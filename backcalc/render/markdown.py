"""Markdown rendering of a derivation (GitHub tables; also what Jupyter shows)."""

from __future__ import annotations

from tabulate import tabulate

from . import escape, text
from .format import num
from .labels import labels, localize
from .working import matrix_lines, symbolic_lines
from .training import penalty_lines, reg_term_lines, update_lines, update_markdown


def render(d, digits: int = 5, lang: str = "en", full: bool = False) -> str:
    L = labels(lang)
    c = L["col"]
    spec = d.spec
    detailed = d.shows_detail(full)
    out = [f"# {escape.markdown(d.title or 'backcalc')}", "",
           L["setup"].format(x=text._data_text(spec.x, digits, L), y=text._data_text(spec.y, digits, L),
                             loss=text.loss_title(spec.loss, L, d.loss_record.logits),
                             reduction=L["reduction"][spec.reduction],
                             lr=num(spec.learning_rate, digits)), ""]
    out += [f"## {L['forward']}", "", "```"]
    out += text._forward(d, digits, L) if detailed else text._forward_summary(d, digits, L)
    out += ["```", "", f"## {L['loss']}", "", "```"] + text.loss_lines(d, digits, L) + penalty_lines(d, digits, L) + \
        ["```", ""]
    out += [f"## {L['backward']}", ""]
    if detailed:
        symbolic = symbolic_lines(d, lang)
        out += [f"### {symbolic[0]}", "", "```"] + [line[2:] for line in symbolic[1:]] + ["```", ""]
        out += [f"### {L['upstream']}", "", "```"] + text._upstream(d, digits, L) + text.time_norm_lines(d, digits, L, text.layer_title) \
            + ["```", ""]
        rows = [[x.unit] + ([x.sample] if spec.samples > 1 else []) +
                [num(x.upstream, digits), x.formula, num(x.local, digits) if x.local is not None else "Σ",
                 num(x.value, digits)] for x in d.deltas]
        headers = [c["unit"]] + ([c["sample"]] if spec.samples > 1 else []) + \
                  [c["upstream"], c["formula"], c["local"], c["delta"]]
        out += [f"### {L['deltas']}", "", tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True), ""]
        out += _terms_table(d, digits, L)
        out += update_markdown(reg_term_lines(d, digits, L), "###")
        matrices = matrix_lines(d, digits, lang)
        if matrices:
            out += [f"### {matrices[0]}", "", "```"] + [line[2:] for line in matrices[1:]] + ["```", ""]
    else:
        out += ["```"] + text._gradient_summary(d, digits, L) + ["```", ""]
    rows = [[u.name, u.key, num(u.old, digits), num(u.grad, digits), num(u.new, digits),
             num(u.change_pct, 3) if u.change_pct is not None else "—"] for u in d.updates]
    if d.plain_sgd:
        out += [f"## {L['update'].format(lr=num(spec.learning_rate, digits))}", "",
                tabulate(rows, headers=[c["parameter"], c["key"], c["old"], c["gradient"], c["new"], c["change"]],
                         tablefmt="github", disable_numparse=True), ""]
    else:
        out += update_markdown(update_lines(d, digits, L, detailed))
    if spec.steps > 1:
        out += [f"## {L['history']}", "", tabulate([[s, num(v, digits)] for s, v in d.history],
                                                   headers=[L["step"], c["loss"]], tablefmt="github",
                                                   disable_numparse=True), ""]
        out.append(f"**{L['loss_after_steps'].format(steps=spec.steps)}:** {num(d.loss_after, digits)} "
                   f"({L['was']} {num(d.loss, digits)})")
        if detailed:
            out += ["", f"## {L['final_params'].format(steps=spec.steps)}", "", "```"]
            out += text._matrices(d.updated, digits) + ["```"]
    else:
        out.append(f"**{L['loss_after']}:** {num(d.loss_after, digits)} ({L['was']} {num(d.loss, digits)})")
    return localize("\n".join(out) + "\n", lang)


def _terms_table(d, digits, L) -> list:
    """Every parameter's chain of factors per sample (or position), then its Σ row, as one Markdown table."""
    spec, c = d.spec, L["col"]
    rows = []
    positions = any(ch.position for t in d.terms for ch in t.chains)
    tagged = spec.samples > 1 or positions
    for t in d.terms:
        for chain in t.chains:
            rows.append([f"∂L/∂{t.name}", t.key] + ([text.chain_tag(chain, spec.samples)] if tagged else []) +
                        [" · ".join(f.name for f in chain.factors),
                         " · ".join(num(f.value, digits) for f in chain.factors), num(chain.value, digits)])
        caption = text.sum_label(t, spec.samples, L)
        if caption:
            rows.append(["", "", *(["Σ"] if tagged else []), caption, "", num(t.value, digits)])
    headers = [c["parameter"], c["key"]] + ([c["position"] if positions else c["sample"]] if tagged else []) + \
              [c["chain"], c["values"], "="]
    return [f"### {L['terms']}", "", tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True), ""]
