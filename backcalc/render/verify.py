"""Rendering of a :class:`~backcalc.check.verify.VerifyResult` as text, Markdown or JSON (formatting only)."""

from __future__ import annotations

import json as _json

from .format import num
from .escape import markdown as md_text
from .table import text_table
from .labels import localize
from .labels_checks import verify_labels


#: Words for verify's notes (:mod:`backcalc.check.notes`), by language and code; numbers arrive as values.
NOTES = {
    "en": {
        "kink": "{node} = {value:.3g} (sample {sample}) is at {activation}'s kink: central differences straddle it, "
                "so only tape and sympy are compared",
        "rounded_kink": "{node} = {value:.3g} (sample {sample}) is 0 up to the rounding of its terms, so it is taken "
                        "as exactly 0, at {activation}'s kink: central differences straddle it, so only tape and sympy "
                        "are compared",
        "tie": "{unit} (sample {sample}): its window's two largest inputs tie at {value:.3g}; the gradient goes to the "
               "first in row-major order, and central differences cannot judge it, so only tape and the checker are "
               "compared",
        "replay_limit": "the parameters after each step are checked for the first {limit} of the {steps} steps",
        "unjudged": "central differences cannot judge {count} row{s} ({names}): the loss's rounding is larger than "
                    "the change any step up to 10⁴× the usual one makes, or a step that large bends the quotient; "
                    "only tape and sympy are compared there",
    },
    "id": {
        "kink": "{node} = {value:.3g} (sampel {sample}) tepat di titik patah {activation}: selisih pusat "
                "melintasinya, jadi hanya tape dan sympy yang dibandingkan",
        "rounded_kink": "{node} = {value:.3g} (sampel {sample}) bernilai 0 sampai pembulatan suku-sukunya, jadi "
                        "diambil tepat 0, di titik patah {activation}: selisih pusat melintasinya, jadi hanya tape "
                        "dan sympy yang dibandingkan",
        "tie": "{unit} (sampel {sample}): dua masukan terbesar jendelanya sama, {value:.3g}; gradien diberikan ke "
               "yang pertama menurut urutan baris, dan selisih pusat tidak dapat menilainya, jadi hanya tape dan "
               "pemeriksa yang dibandingkan",
        "replay_limit": "parameter setelah setiap langkah diperiksa untuk {limit} langkah pertama dari {steps} langkah",
        "unjudged": "selisih pusat tidak dapat menilai {count} baris ({names}): pembulatan loss lebih besar daripada "
                    "perubahan yang dibuat langkah mana pun sampai 10⁴× langkah biasa, atau langkah sebesar itu "
                    "membengkokkan hasil bagi; di sana hanya tape dan sympy yang dibandingkan",
    },
}


def note_text(note, lang: str = "en") -> str:
    """One verify note (a :class:`~backcalc.check.notes.Note`) in words.

    >>> from backcalc.check.notes import kink
    >>> note_text(kink("k1_in", 1e-12, 1, "relu"))
    "k1_in = 1e-12 (sample 1) is at relu's kink: central differences straddle it, so only tape and sympy are compared"
    """
    return NOTES[lang][note.code].format(**dict(note.params))


def render(result, fmt: str = "text", digits: int = 6, lang: str = "en") -> str:
    """``result`` in ``fmt`` (text, markdown or json), its words in ``lang``."""
    return {"text": text, "markdown": markdown, "json": json}[fmt](result, digits=digits, lang=lang)


def json(result, **_ignored) -> str:  # JSON's keys are the interface's, in every language
    return _json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _err(v: float) -> str:
    return f"{v:.1e}"


def _header(result, digits, V) -> list[str]:
    samples = V["samples"]["one" if result.samples == 1 else "many"].format(n=result.samples)
    return [V["header"].format(title=result.title or V["spec"], n=len(result.rows), samples=samples,
                               loss=result.loss_kind),
            V["loss"].format(tape=num(result.loss_tape, digits), sympy=num(result.loss_symbolic, digits),
                             numpy=num(result.loss_numeric, digits)) + ("" if result.loss_ok else V["loss_differs"])]


def _verdict(result, V) -> str:
    bad = result.failures()
    tolerance = result.tolerance
    wrong = [r for r in result.updates if not r.ok]
    if not bad and result.loss_ok and not wrong:
        skipped = sum(not r.numeric_compared for r in result.rows)
        rtol = f"{tolerance['numeric']['rtol']:g}"
        numeric = (V["numeric_all"].format(rtol=rtol) if not skipped
                   else V["numeric_none"] if skipped == len(result.rows)
                   else V["numeric_some"].format(rtol=rtol, n=len(result.rows) - skipped))
        steps = V["steps_agree"].format(n=len(result.updates)) if result.updates else ""
        return V["all_agree"].format(n=len(result.rows), rtol=f"{tolerance['tape']['rtol']:g}", numeric=numeric,
                                     steps=steps)
    names = ", ".join(r.name for r in bad[:8]) + (" …" if len(bad) > 8 else "")
    if not bad and wrong:
        shown = ", ".join(V["step_name"].format(name=r.name, step=r.step) for r in wrong[:8]) + \
            (" …" if len(wrong) > 8 else "")
        return V["steps_disagree"].format(bad=len(wrong), n=len(result.updates), names=shown)
    return V["disagree"].format(bad=len(bad), n=len(result.rows), names=names)


def text(result, digits: int = 6, lang: str = "en") -> str:
    from tabulate import tabulate

    V = verify_labels(lang)
    out = _header(result, digits, V) + [""]
    rows = [[r.name, r.key, num(r.tape, digits), num(r.symbolic, digits), num(r.numeric, digits),
             _err(r.tape_error), _err(r.numeric_error) if r.numeric_compared else V["not_judged"], "✓" if r.ok else "✗"]
            for r in result.rows]
    out.append(text_table(rows, V["cols"]))
    if result.updates:
        out += ["", V["steps"]]
        rows = [[r.step, r.name, r.key, num(r.tape, digits), num(r.symbolic, digits), num(r.numeric, digits),
                 "✓" if r.ok else "✗"] for r in result.updates]
        out.append(tabulate(rows, headers=V["step_cols"], disable_numparse=True))
    out += ["", _verdict(result, V)]
    out += [f"{V['note']}: {note_text(n, lang)}" for n in result.notes]
    if result.formulas is not None:
        out += ["", V["closed"]]
        out += [f"  ∂L/∂{name} = {localize(form, lang)}" for name, form in result.formulas]
    return "\n".join(out) + "\n"


def markdown(result, digits: int = 6, lang: str = "en") -> str:
    V = verify_labels(lang)
    head = _header(result, digits, V)
    out = [f"**{md_text(head[0])}**", "", md_text(head[1]), "",
           "| " + " | ".join(V["md_cols"]) + " |", "| --- | --- | ---: | ---: | ---: | :-: |"]
    out += [f"| {r.name} | `{r.key}` | {num(r.tape, digits)} | {num(r.symbolic, digits)} | "
            f"{num(r.numeric, digits)} | {'✓' if r.ok else '✗'} |" for r in result.rows]
    out += ["", _verdict(result, V)]
    out += [f"- {note_text(n, lang)}" for n in result.notes]
    if result.formulas is not None:
        out += [""] + [f"- ∂L/∂{name} = `{localize(form, lang)}`" for name, form in result.formulas]
    return "\n".join(out) + "\n"
