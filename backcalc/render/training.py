"""The training part of a page (text): the l1/l2 penalty in the loss and in each ∂L/∂w, the clipping step, and
per step a table per parameter of every optimizer quantity — formula, the numbers put in, old → new.

The formulas are :mod:`backcalc.net.optim`'s templates; :func:`fill` writes them with symbols or with numbers,
so text, Markdown and LaTeX show the same formula the update computed.
"""

from __future__ import annotations

from string import Template

from tabulate import tabulate

from ..net.optim_formulas import SYMBOLS
from .format import num, signed, tex_name, tex_num
from ..net.optim import USES

# the placeholder a quantity's row assigns to (optim's Update.values name → template name)
ASSIGNS = {"param": "w", "decayed": "w_decayed", "grad": "g"}


def symbols(name: str, latex: bool = False) -> dict:
    """Each placeholder's symbol; the parameter's own name stands for ``w``."""
    out = {k: v[1 if latex else 0] for k, v in SYMBOLS.items()}
    shown = tex_name(name) if latex else name
    out["w"] = f"{shown}_t" if latex else shown
    out["w_old"] = f"{shown}_{{t-1}}" if latex and "_" not in shown else shown
    if latex and "_" in shown:
        head, tail = shown.split("_", 1)
        out["w"], out["w_old"] = f"{head}_{{{tail.strip('{}')},t}}", f"{head}_{{{tail.strip('{}')},t-1}}"
    out["dL"] = f"\\frac{{\\partial L}}{{\\partial {shown}}}" if latex else f"∂L/∂{name}"
    return out


def fill(template: str, mapping: dict) -> str:
    """A formula template with each ``${name}`` replaced (symbols or numbers)."""
    return Template(template).safe_substitute({k: str(v) for k, v in mapping.items()})


def numbers(row, digits: int, latex: bool = False) -> dict:
    """Every number a row's formula needs, formatted as a factor (negatives in parentheses)."""
    if latex:  # negatives in parentheses, and a×10^k where it is squared or multiplied
        shown = {k: tex_num(v, digits) for k, v in row.numbers.items()}
        factor = ("g", "dL", "grad_avg")
        return {k: str(row.numbers[k]) if k == "t" else f"\\left({v}\\right)" if v.startswith("-") or (
            "times" in v and (k in factor or k.endswith("_old"))) else v for k, v in shown.items()}
    return {k: signed(v, digits) if k != "t" else str(v) for k, v in row.numbers.items()}


def rhs(template: str) -> str:
    """The right-hand side of ``x ← …`` or ``x = …``."""
    for sep in (" ← ", " = "):
        if sep in template:
            return template.split(sep, 1)[1]
    return template


def settings_text(s, L) -> str:
    """``Adam (lr 0.1, β1 0.9, β2 0.999, ε 1e-08)`` — the optimizer and the settings it reads."""
    parts = [f"lr {num(s.lr, 6)}"]
    for key in USES[s.optimizer]:
        value = getattr(s, key)
        if key in SYMBOLS and (value or key in ("eps", "beta1", "beta2", "alpha", "momentum")):
            parts.append(f"{SYMBOLS[key][0]} {num(value, 6)}")
    extra = [L["train"]["form"][s.momentum_form]] if "momentum_form" in USES[s.optimizer] else []
    extra += [L["train"]["eps_inside"]] if s.eps_form == "inside" else []
    extra += ["amsgrad"] if getattr(s, "amsgrad", False) and s.optimizer in ("adam", "adamw") else []
    extra += [L["train"]["centered"]] if s.centered and s.optimizer == "rmsprop" else []
    return f"{L['train']['optimizer'][s.optimizer]} ({', '.join(parts + extra)})"


# ─────────────────────────────────────────── text ───────────────────────────────────────────

def penalty_lines(d, digits, L) -> list:
    """``L = data loss + λ·Σw² = 2 + 0.1·0.25 = 2.025`` under the loss."""
    t = d.training
    if t is None or t.penalty is None:
        return []
    p, T = t.penalty, L["train"]
    names, values = [T["data_loss"]], [num(p.data_loss, digits)]
    reg = p.regularization
    for term, lam, total in (("λ₂·Σw²", reg.l2, p.sum_squares), ("λ₁·Σ|w|", reg.l1, p.sum_abs)):
        if lam:
            names.append(term)
            values.append(f"{num(lam, digits)}·{num(total, digits)}")
    return ["", "  " + T["penalty"].format(arrays=", ".join(p.arrays)),
            f"  L = {' + '.join(names)} = {' + '.join(values)} = {num(d.loss, digits)}"] + \
           (["  " + T["l1_note"]] if reg.l1 else [])


def penalty_words(d, L) -> str:
    """The penalty as a task states it, without its values: ``Regularisation of W1, W2: L = data loss + λ₂·Σw²
    (λ₂ = 0.1)``; "" without one."""
    t = d.training
    if t is None or t.penalty is None:
        return ""
    p, T = t.penalty, L["train"]
    reg = p.regularization
    terms = [(term, f"{symbol} = {num(lam, 6)}") for term, symbol, lam in
             (("λ₂·Σw²", "λ₂", reg.l2), ("λ₁·Σ|w|", "λ₁", reg.l1)) if lam]
    return (f"{T['penalty'].format(arrays=', '.join(p.arrays))} L = {' + '.join([T['data_loss']] + [t for t, _ in terms])}"
            f" ({', '.join(v for _, v in terms)})")


def reg_term_lines(d, digits, L) -> list:
    """Each regularised parameter's ∂L/∂w as data term + the penalty's own term."""
    table = reg_term_table(d, digits, L)
    if table is None:
        return []
    title, headers, rows = table
    return ["", title] + _indent(tabulate(rows, headers=headers, disable_numparse=True))


def reg_term_table(d, digits, L):
    """``(title, headers, rows)`` of the penalty's own term in each ∂L/∂w (None without l1/l2)."""
    t = d.training
    if t is None or not t.reg_terms:
        return None
    reg, T, c = t.penalty.regularization, L["train"], L["col"]
    own = " + ".join(x for x in ("2·λ₂·w" if reg.l2 else "", "λ₁·sign(w)" if reg.l1 else "") if x)
    rows = []
    for r in t.reg_terms:
        nums = " + ".join(x for x in (f"2·{num(reg.l2, digits)}·{signed(r.param, digits)}" if reg.l2 else "",
                                      f"{num(reg.l1, digits)}·sign({signed(r.param, digits)})" if reg.l1 else "") if x)
        rows.append([f"∂L/∂{r.name}", num(r.data, digits), nums, num(r.value, digits), num(r.data + r.value, digits)])
    headers = [c["parameter"], T["data_term"], f"+ {own}", "=", T["total"]]
    return T["reg_terms"].format(term=own), headers, rows


def clip_lines(t, step: int, digits, L) -> list:
    T = L["train"]
    out = []
    for c in t.clips:
        if c.step != step:
            continue
        if c.clip_norm is not None:
            out.append("  " + T["clip_norm"].format(norm=num(c.norm, digits), c=num(c.clip_norm, digits),
                                                     scale=num(c.scale, digits)))
            out.append("  " + (T["clip_scaled"] if c.scale < 1 else T["clip_kept"]))
        if c.clip_value is not None:
            out.append("  " + T["clip_value"].format(c=num(c.clip_value, digits), n=c.clipped))
    return out


def update_head(d, digits, L) -> list:
    """The optimizer section's heading (its settings) and the weight-decay line."""
    t, T = d.training, L["train"]
    out = [T["update"].format(settings=settings_text(t.settings, L))]
    if t.settings.weight_decay:
        out.append((T["decoupled"] if t.settings.optimizer == "adamw" else T["weight_decay"]).format(
            lam=num(t.settings.weight_decay, digits)))
    return out


def step_tables(d, digits) -> list:
    """Per step ``(step, [(name, key, rows)])``: each parameter's rows ``[quantity, formula, with numbers, old,
    new]`` as text — what the text, Markdown and HTML pages show."""
    t = d.training
    steps = sorted({x.step for x in t.tables} | {x.step for x in t.clips}) if t.tables else []
    by_step = {}
    for x in t.tables:  # grouped once: a scan per step made 1 000 steps quadratic
        by_step.setdefault(x.step, []).append(x)
    out = []
    for step in steps:
        tables = []
        for table in by_step.get(step, ()):
            sym = symbols(table.name)
            rows = [[sym[ASSIGNS.get(r.quantity, r.quantity)], fill(rhs(r.formula.text), sym),
                     fill(rhs(r.formula.text), numbers(r, digits)), "" if r.old is None else num(r.old, digits),
                     num(r.value, digits)] for r in table.rows]
            tables.append((table.name, table.key, rows))
        out.append((step, tables))
    return out


def table_headers(L) -> list:
    return [L["train"]["quantity"], L["col"]["formula"], L["train"]["with_numbers"], L["col"]["old"], L["col"]["new"]]


def update_lines(d, digits, L, detailed) -> list:
    """The optimizer section: per step, clipping then a table per parameter (or the v1 table for plain SGD)."""
    t = d.training
    head = update_head(d, digits, L)
    out = ["", head[0]] + ["  " + line for line in head[1:]]
    if not t.tables:
        out += clip_lines(t, 1, digits, L)
        return out
    for step, tables in step_tables(d, digits):
        out += ["", L["train"]["step"].format(step=step)]
        out += clip_lines(t, step, digits, L)
        for name, key, rows in tables:
            out += ["", f"  {name} ({key})"]
            out += _indent(tabulate(rows, headers=table_headers(L), disable_numparse=True), "    ")
    return out


def update_markdown(lines: list, level: str = "##") -> list:
    """Text lines as Markdown: the first non-blank line a heading, the rest in a code block."""
    lines = [x for x in lines]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return []
    return [f"{level} {lines[0].strip()}", "", "```"] + lines[1:] + ["```", ""]


def _indent(block: str, pad: str = "  "):
    return [pad + line for line in block.splitlines()]
