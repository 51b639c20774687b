"""Rendering of a :class:`~backcalc.check.verify.VerifyResult` as text, Markdown or JSON (formatting only)."""

from __future__ import annotations

import json as _json

from .format import num
from .escape import markdown as md_text
from .table import text_table

#: Words for verify's notes (:mod:`backcalc.check.notes`), by language and code; numbers arrive as values.
NOTES = {
    "en": {
        "kink": "{node} = {value:.3g} (sample {sample}) is at {activation}'s kink: central differences straddle it, "
                "so only tape and sympy are compared",
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


def render(result, fmt: str = "text", digits: int = 6) -> str:
    """``result`` in ``fmt`` (text, markdown or json)."""
    return {"text": text, "markdown": markdown, "json": json}[fmt](result, digits=digits)


def json(result, **_ignored) -> str:
    return _json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _err(v: float) -> str:
    return f"{v:.1e}"


def _header(result, digits) -> list[str]:
    samples = f"{result.samples} sample{'s' if result.samples != 1 else ''}"
    return [f"backcalc verify: {result.title or 'spec'}   ({len(result.rows)} parameters, {samples}, "
            f"{result.loss_kind})",
            f"loss: tape {num(result.loss_tape, digits)}, sympy {num(result.loss_symbolic, digits)}, "
            f"numpy {num(result.loss_numeric, digits)}" + ("" if result.loss_ok else "   ✗ tape and sympy differ")]


def _verdict(result) -> str:
    bad = result.failures()
    tolerance = result.tolerance
    wrong = [r for r in result.updates if not r.ok]
    if not bad and result.loss_ok and not wrong:
        skipped = sum(not r.numeric_compared for r in result.rows)
        numeric = (f" and central differences (rtol {tolerance['numeric']['rtol']:g})" if not skipped
                   else " (central differences cannot judge any row: see the notes)" if skipped == len(result.rows)
                   else f" and central differences (rtol {tolerance['numeric']['rtol']:g}) on the "
                        f"{len(result.rows) - skipped} rows they can judge (see the notes)")
        steps = (f"; all {len(result.updates)} updated parameters agree three ways" if result.updates else "")
        return (f"✓ all {len(result.rows)} gradients agree: tape = sympy (rtol {tolerance['tape']['rtol']:g}){numeric}"
                f"{steps}")
    names = ", ".join(r.name for r in bad[:8]) + (" …" if len(bad) > 8 else "")
    if not bad and wrong:
        shown = ", ".join(f"{r.name} (step {r.step})" for r in wrong[:8]) + (" …" if len(wrong) > 8 else "")
        return f"✗ {len(wrong)} of {len(result.updates)} updated parameters disagree: {shown}"
    return f"✗ {len(bad)} of {len(result.rows)} gradients disagree: {names}"


def text(result, digits: int = 6) -> str:
    from tabulate import tabulate

    out = _header(result, digits) + [""]
    rows = [[r.name, r.key, num(r.tape, digits), num(r.symbolic, digits), num(r.numeric, digits),
             _err(r.tape_error), _err(r.numeric_error) if r.numeric_compared else "not judged", "✓" if r.ok else "✗"]
            for r in result.rows]
    out.append(text_table(rows, ["param", "key", "∂L/∂w tape", "sympy", "central diff", "|tape − sympy|",
                                 "|diff − sympy|", "ok"]))
    if result.updates:
        out += ["", "Parameters after each step: the tape's run, the optimizer replayed on sympy's gradients (sympy "
                    "arithmetic) and on central differences (floats)"]
        rows = [[r.step, r.name, r.key, num(r.tape, digits), num(r.symbolic, digits), num(r.numeric, digits),
                 "✓" if r.ok else "✗"] for r in result.updates]
        out.append(tabulate(rows, headers=["step", "param", "key", "tape", "sympy replay", "central-diff replay", "ok"],
                            disable_numparse=True))
    out += ["", _verdict(result)]
    out += [f"note: {note_text(n)}" for n in result.notes]
    if result.formulas is not None:
        out += ["", "Closed forms (sympy.diff of each layer's expressions, in the net's names; one sample):"]
        out += [f"  ∂L/∂{name} = {form}" for name, form in result.formulas]
    return "\n".join(out) + "\n"


def markdown(result, digits: int = 6) -> str:
    out = [f"**{md_text(_header(result, digits)[0])}**", "", md_text(_header(result, digits)[1]), "",
           "| param | key | tape | sympy | central diff | ok |", "| --- | --- | ---: | ---: | ---: | :-: |"]
    out += [f"| {r.name} | `{r.key}` | {num(r.tape, digits)} | {num(r.symbolic, digits)} | "
            f"{num(r.numeric, digits)} | {'✓' if r.ok else '✗'} |" for r in result.rows]
    out += ["", _verdict(result)]
    out += [f"- {note_text(n)}" for n in result.notes]
    if result.formulas is not None:
        out += [""] + [f"- ∂L/∂{name} = `{form}`" for name, form in result.formulas]
    return "\n".join(out) + "\n"
