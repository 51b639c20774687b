"""Rendering of :class:`~backcalc.grading.grade.CheckResult` (text, Markdown, JSON) and the words for each mistake.

Formatting only: the grading happens in :mod:`backcalc.grading.grade` and the diagnosis in :mod:`backcalc.grading.mistakes`; here each catalogued
:class:`~backcalc.grading.mistakes.Mistake` (a code and its parameters) is put into English or Indonesian.
"""

from __future__ import annotations

import json as _json

from ..net.names import node_in, node_out, weight_name
from ..tape.losses import LOSS_KINDS
from ..tape.rules import RULES
from .format import num
from .shared import count
from .labels_check import LABELS, MISTAKES as _MISTAKES
from .escape import html
from .graph_words import GRAPH_MISTAKES, params as graph_params
from .conv_words import CONV_MISTAKES, params as conv_params

def _examples(activation: str, unit: str, words: dict) -> dict:
    """How the two "derivative at the wrong place" mistakes look for this activation, in the rule table's
    formulas: its derivative at the output instead of the input, and its by-output form filled with the input."""
    rule = RULES[activation]
    u_in, u_out = node_in(unit), node_out(unit)
    ex = {"out_bad": rule.formula(0, a=u_out), "out_good": rule.formula(0, a=u_in)}
    by_out = rule.formula_by_out(out=u_out)
    if by_out:
        return {**ex, "in_bad": rule.formula_by_out(out=u_in), "in_good": by_out, "formula": by_out}
    return {**ex, "in_bad": words["with_for"].format(activation=activation, value=u_in, node=u_out),
            "in_good": words["with"].format(activation=activation, value=u_out),
            "formula": f"{activation}′"}


def _names(p: dict) -> dict:
    """The node and weight names a sentence needs, from the naming convention (net/names.py)."""
    out = {}
    for role in ("unit", "layer", "next"):
        if isinstance(p.get(role), str):
            out.update({f"{role}_in": node_in(p[role]), f"{role}_out": node_out(p[role])})
    if isinstance(p.get("source"), str) and isinstance(p.get("layer"), str):
        out["source_weight"] = weight_name(p["source"], p["layer"])
    if isinstance(p.get("unit"), str) and isinstance(p.get("next"), str):
        out["next_weight"] = weight_name(p["unit"], p["next"])
    return out


def _one(m, lang: str) -> str:
    words = _MISTAKES[lang]
    p = dict(m.params)
    code = m.code
    if code in ("double", "half"):
        template = words.get(f"{code}:{p.get('loss')}", words[code])
    else:
        template = words[code]
    p.setdefault("unit", p.get("layer"))
    p.update(_names(p))
    if code in ("double", "half") and p.get("loss") in LOSS_KINDS:
        kind = LOSS_KINDS[p["loss"]]
        p.update(loss_formula=kind.written(["out"], ["y"]), loss_gradient=kind.gradient)
    if code in ("local_at_out", "local_at_in", "early_round"):
        ex = _examples(p["activation"], p["unit"], words)
        side = "out" if code == "local_at_out" else "in"
        p.update(bad=ex[f"{side}_bad"], good=ex[f"{side}_good"], formula=ex["formula"])
    if code == "early_round":
        p["value"] = num(p.get("value", p["values"][0][0]), 6)
    if code == "update_arithmetic":
        p.update({k: num(p[k], 6) for k in ("old", "lr", "gradient", "value")})
    if code == "product_of_sums":
        p["extra"] = f"·(Σ ∂{p['layer_in']}/∂{p['source_weight']})" if p.get("extra") else ""
    if code == "too_few_digits":
        p["of_change"] = words["of_change"] if p.get("updated") else ""
    return template.format(**conv_params(code, graph_params(code, p)))


def describe(mistakes, lang: str = "en") -> str:
    """The words for one catalogued mistake, or for two combined (``"… ; and …"``)."""
    return LABELS[lang]["and"].join(_one(m, lang) for m in mistakes)


def diagnosis_text(row, lang: str = "en", digits: int = 5, seen=None) -> str | None:
    """A row's diagnosis: why it cannot be read, that it is right only as written, or for a wrong row the
    catalogued mistake, then the first wrong step it depends on. ``seen``: a set of blamed keys already
    explained (the first wrong step of a chain is spelled out once, then referred to)."""
    L = LABELS[lang]
    if row.verdict == "invalid":
        from .labels_answers import problem_text

        return problem_text(row.problem, lang)
    if row.verdict == "correct_low_precision":
        return L["low_precision"]
    parts = []
    own = tuple(m for m in row.mistakes if not (row.blame and row.blame.nearest and m.code == "carried"))
    b = row.blame
    if b is not None and b.nearest:
        parts.append(_blame(L, b, row, digits, seen, "carried_from", "carried_again", lang))
    if own:
        parts.append(describe(own, lang))
    if b is not None and not b.nearest:
        parts.append(_blame(L, b, row, digits, seen, "blame", "blame_again", lang))
    return "; ".join(parts) if parts else None


def _blame(L, b, row, digits, seen, first, again, lang) -> str:
    section = b.key.split(".", 1)[0]
    name = {"gradients": f"∂L/∂{b.name}", "updated": f"{b.name}′"}.get(section, b.name)
    if seen is not None and b.key in seen:
        return L[again].format(name=name)
    fresh = tuple(m for m in b.mistakes if m not in row.mistakes and not m.code.startswith("carried"))
    why = f": {describe(fresh, lang)}" if fresh else ""  # say each mistake once
    if seen is not None:
        seen.add(b.key)
    return L[first].format(name=name, given=num(b.given, digits), expected=num(b.expected, digits), why=why)


def as_dict(result, lang: str = "en") -> dict:
    """The JSON of ``check --format json``: the record's values and codes, and each diagnosis in words."""
    t = result.tolerance
    return {
        "format": 1,
        "title": result.title,
        "spec": result.spec_source,
        "answers": result.answers_source,
        "student": result.student,
        "id": result.id,
        "fingerprint": result.fingerprint,
        "tolerance": {"rule": "as_written" if t.as_written else "rtol_atol", "rtol": t.rtol, "atol": t.atol,
                      "strict": t.strict},
        "correct": result.correct,
        "total": result.total,
        "answered": result.answered,
        "wrong": result.wrong,
        "invalid": result.invalid,
        "low_precision": result.low_precision,
        "unanswered": result.total - result.answered,
        "ok": result.ok,
        "rows": [{
            "key": r.key, "name": r.name, "section": r.section, "expected": r.expected, "given": r.given,
            "written": r.text, "error": r.error, "allowed": r.allowed, "ok": r.ok, "status": r.status,
            "verdict": r.verdict, "mistake": r.mistake, "diagnosis": diagnosis_text(r, lang),
            "mistakes": [m.code for m in r.mistakes], "first_wrong": r.blame.key if r.blame else None,
            "problem": r.problem.code if r.problem is not None else None,
        } for r in result.rows],
    }


# ─────────────────────────────────────────── formats ───────────────────────────────────────────

for _lang, _words in GRAPH_MISTAKES.items():  # skips and normalisation layers (grading/graph_mistakes.py)
    _MISTAKES[_lang].update(_words)
for _lang, _words in CONV_MISTAKES.items():  # conv and pool nets (grading/conv_mistakes.py)
    _MISTAKES[_lang].update(_words)

_MARK = {"correct": "✓", "correct_low_precision": "≈", "wrong": "✗", "invalid": "!", "unanswered": ""}


def _rows(result, digits, lang, show_all):
    out = []
    seen = set()
    for r in result.rows:
        if r.verdict == "unanswered" and not show_all:
            continue
        expected = num(r.expected, digits) if r.expected is not None else ""
        out.append([r.key, r.name, expected, r.text if r.text is not None else "",
                    num(r.error, 2) if r.error is not None else "", _MARK[r.verdict],
                    diagnosis_text(r, lang, digits, seen) or ""])
    return out


def _summary(result, lang):
    L = LABELS[lang]
    blank = result.total - result.answered - result.invalid
    return L["score"].format(correct=result.correct, total=result.total, answered=result.answered,
                             wrong=result.wrong, blank=blank)


def _notes(result, lang):
    L = LABELS[lang]
    out = []
    if result.low_precision:
        out.append(count(L["low_note"], result.low_precision))
    if result.invalid:
        out.append(count(L["invalid_note"], result.invalid))
    return out


def _head(result, lang):
    L = LABELS[lang]
    tol = L["as_written"] if result.tolerance.as_written else result.tolerance.describe()
    if result.tolerance.strict:
        tol += ", --strict"
    head = L["title"].format(answers=result.answers_source, spec=result.spec_source, tolerance=tol)
    who = [x for x in (result.student, result.id and f"id {result.id}") if x]
    if who or result.fingerprint:
        extra = [L["student"].format(student=", ".join(who))] if who else []
        if result.fingerprint:
            extra.append(L["exercise"].format(fingerprint=result.fingerprint))
        head += "\n" + "; ".join(extra)
    return head


def text(result, digits: int = 5, lang: str = "en", show_all: bool = False, width: int = 60) -> str:
    from .table import text_table

    L = LABELS[lang]
    out = [_head(result, lang), ""]
    rows = _rows(result, digits, lang, show_all)
    if not rows:
        out.append(L["nothing"].format(total=result.total))
    else:
        table = text_table(rows, list(L["cols"]), maxcolwidths=[None] * 6 + [width])
        out += ["  " + line for line in table.splitlines()]
        blank = result.total - result.answered - result.invalid
        if blank and not show_all:
            out += ["", L["blank_note"].format(blank=blank)]
    out += [""] + _notes(result, lang) + [_summary(result, lang)]
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    return html(text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " "))


def markdown(result, digits: int = 5, lang: str = "en", show_all: bool = False) -> str:
    from tabulate import tabulate

    L = LABELS[lang]
    out = [f"**{_md_cell(line)}**  " for line in _head(result, lang).splitlines()] + [""]
    rows = _rows(result, digits, lang, show_all)
    if rows:
        cells = [[f"`{_md_cell(c)}`" if i == 0 and c else _md_cell(c) for i, c in enumerate(r)] for r in rows]
        out += [tabulate(cells, headers=list(L["cols"]), tablefmt="github", disable_numparse=True), ""]
    else:
        out += [L["nothing"].format(total=result.total), ""]
    out += [f"{note}  " for note in _notes(result, lang)]
    out.append(f"**{_summary(result, lang)}**")
    return "\n".join(out) + "\n"


def json(result, lang: str = "en", **_ignored) -> str:
    return _json.dumps(as_dict(result, lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def failure(result, lang: str = "en") -> str:
    """The one line for stderr when a sheet has wrong or unreadable answers."""
    words = {"en": ("{wrong} of {answered} answers are wrong", "{invalid} entries could not be read"),
             "id": ("{wrong} dari {answered} jawaban salah", "{invalid} isian tidak dapat dibaca")}[lang]
    parts = [words[0]] if result.wrong or not result.invalid else []
    parts += [words[1]] if result.invalid else []
    return "; ".join(parts).format(wrong=result.wrong, answered=result.answered, invalid=result.invalid)


def render(result, fmt: str = "text", **options) -> str:
    """``fmt``: text, markdown or json."""
    return {"text": text, "markdown": markdown, "json": json}[fmt](result, **options)
