"""The words of `backcalc verify` and `backcalc grad` (render/verify.py, render/grad.py), in English and
Indonesian, and the Indonesian wording of the notes their records carry (kinks, replayed steps)."""

from __future__ import annotations

import re

VERIFY = {
    "en": {
        "header": "backcalc verify: {title}   ({n} parameters, {samples}, {loss})",
        "spec": "spec",
        "samples": {"one": "{n} sample", "many": "{n} samples"},
        "loss": "loss: tape {tape}, sympy {sympy}, numpy {numpy}",
        "loss_differs": "   ✗ tape and sympy differ",
        "cols": ["param", "key", "∂L/∂w tape", "sympy", "central diff", "|tape − sympy|", "|diff − sympy|", "ok"],
        "md_cols": ["param", "key", "tape", "sympy", "central diff", "ok"],
        "steps": "Parameters after each step: the tape's run, the optimizer replayed on sympy's gradients (sympy "
                 "arithmetic) and on central differences (floats)",
        "step_cols": ["step", "param", "key", "tape", "sympy replay", "central-diff replay", "ok"],
        "numeric_all": " and central differences (rtol {rtol})",
        "numeric_none": " (central differences cannot judge any row: see the notes)",
        "numeric_some": " and central differences (rtol {rtol}) on the {n} rows they can judge (see the notes)",
        "not_judged": "not judged",
        "steps_agree": "; all {n} updated parameters agree three ways",
        "all_agree": "✓ all {n} gradients agree: tape = sympy (rtol {rtol}){numeric}{steps}",
        "steps_disagree": "✗ {bad} of {n} updated parameters disagree: {names}",
        "step_name": "{name} (step {step})",
        "disagree": "✗ {bad} of {n} gradients disagree: {names}",
        "note": "note",
        "closed": "Closed forms (sympy.diff of each layer's expressions, in the net's names; one sample):",
    },
    "id": {
        "header": "backcalc verify: {title}   ({n} parameter, {samples}, {loss})",
        "spec": "spesifikasi",
        "samples": {"one": "{n} sampel", "many": "{n} sampel"},
        "loss": "loss: tape {tape}, sympy {sympy}, numpy {numpy}",
        "loss_differs": "   ✗ tape dan sympy berbeda",
        "cols": ["parameter", "kunci", "∂L/∂w tape", "sympy", "beda pusat", "|tape − sympy|", "|beda − sympy|", "ok"],
        "md_cols": ["parameter", "kunci", "tape", "sympy", "beda pusat", "ok"],
        "steps": "Parameter setelah tiap langkah: hasil tape, optimizer diulang dengan gradien sympy (aritmetika "
                 "sympy) dan dengan beda pusat (float)",
        "step_cols": ["langkah", "parameter", "kunci", "tape", "ulang sympy", "ulang beda pusat", "ok"],
        "numeric_all": " dan beda pusat (rtol {rtol})",
        "numeric_none": " (beda pusat tidak dapat menilai satu baris pun: lihat catatan)",
        "numeric_some": " dan beda pusat (rtol {rtol}) pada {n} baris yang dapat dinilainya (lihat catatan)",
        "not_judged": "tidak dinilai",
        "steps_agree": "; semua {n} parameter hasil pembaruan cocok tiga cara",
        "all_agree": "✓ semua {n} gradien cocok: tape = sympy (rtol {rtol}){numeric}{steps}",
        "steps_disagree": "✗ {bad} dari {n} parameter hasil pembaruan tidak cocok: {names}",
        "step_name": "{name} (langkah {step})",
        "disagree": "✗ {bad} dari {n} gradien tidak cocok: {names}",
        "note": "catatan",
        "closed": "Bentuk tertutup (sympy.diff dari ekspresi tiap lapisan, dengan nama-nama jaringan; satu sampel):",
    },
}

GRAD = {
    "en": {
        "header": "backcalc grad: {program}   at {point}",
        "no_inputs_point": "(no inputs)",
        "forward": "Forward pass and local derivatives, in execution order",
        "cols": ["node", "computes", "value", "local derivative", "= value"],
        "chain_cols": ["∂{f}/∂node", "∂{f}/∂node · local"],
        "gradient": "Gradient (the tape: the chain products that reach each input, summed)",
        "no_inputs": "  (the program has no inputs)",
        "symbolic": "Symbolic check (the program rebuilt in sympy, differentiated by sympy.diff)",
        "undefined": "undefined",
        "unsimplified": "   (as sympy.diff gives it: too large or slow to simplify)",
        "mark": {"ok": "✓ agrees with the tape", "kink": "≈ differs at a non-differentiable point (see the note)",
                 "mismatch": "✗ DISAGREES with the tape", "unsettled": "? cannot judge (see the note)"},
        "note": "note",
        "latex_head": "% backcalc grad: for a page with \\usepackage{amsmath}",
        "at": "at",
    },
    "id": {
        "header": "backcalc grad: {program}   di {point}",
        "no_inputs_point": "(tanpa masukan)",
        "forward": "Langkah maju dan turunan lokal, menurut urutan eksekusi",
        "cols": ["simpul", "menghitung", "nilai", "turunan lokal", "= nilai"],
        "chain_cols": ["∂{f}/∂simpul", "∂{f}/∂simpul · lokal"],
        "gradient": "Gradien (tape: hasil kali rantai yang sampai ke tiap masukan, dijumlahkan)",
        "no_inputs": "  (program tidak punya masukan)",
        "symbolic": "Pemeriksaan simbolik (program dibangun ulang di sympy, diturunkan oleh sympy.diff)",
        "undefined": "tak terdefinisi",
        "unsimplified": "   (seperti diberikan sympy.diff: terlalu besar atau lambat untuk disederhanakan)",
        "mark": {"ok": "✓ cocok dengan tape", "kink": "≈ berbeda di titik yang tak terdiferensialkan (lihat catatan)",
                 "mismatch": "✗ TIDAK COCOK dengan tape", "unsettled": "? tidak dapat dinilai (lihat catatan)"},
        "note": "catatan",
        "latex_head": "% backcalc grad: untuk halaman dengan \\usepackage{amsmath}",
        "at": "di",
    },
}

# The notes a record carries are written in English by the checker; their Indonesian wording, pattern by pattern.
NOTE_PHRASES = {
    "en": (),
    "id": (
        (re.compile(r"\(sample (\d+)\) is at (\w+)'s kink: central differences straddle it, so only tape and sympy "
                    r"are compared"),
         r"(sampel \1) berada di titik patah \2: beda pusat melintasinya, jadi hanya tape dan sympy yang dibandingkan"),
        (re.compile(r"the parameters after each step are checked for the first (\d+) of the (\d+) steps"),
         r"parameter setelah tiap langkah diperiksa untuk \1 langkah pertama dari \2 langkah"),
        (re.compile(r": (\w+) has no derivative at 0; the tape takes "), r": \1 tidak punya turunan di 0; tape memakai "),
        (re.compile(r": a tie has no derivative; "), r": nilai kembar tidak punya turunan; "),
        (re.compile(r"at a tie the gradient goes to the first argument"), r"pada nilai kembar gradien ke argumen pertama"),
        (re.compile(r"the tape takes a convention"), r"tape memakai sebuah konvensi"),
        (re.compile(r" is at its kink here: its arguments are equal in exact decimals \(the tape's floating point "
                    r"numbers differ by a rounding error\), so the tape's derivative is one side's slope and sympy's "
                    r"is not the tape's convention"),
         r" berada di titik patahnya di sini: argumennya sama dalam desimal eksak (bilangan titik-mengambang tape "
         r"berbeda karena galat pembulatan), jadi turunan tape adalah kemiringan satu sisi dan turunan sympy bukan "
         r"konvensi tape"),
        (re.compile(r"\ba convention\b"), r"sebuah konvensi"),
    ),
}


def verify_labels(lang: str) -> dict:
    """`verify`'s words in ``lang``."""
    return VERIFY[lang]


def grad_labels(lang: str) -> dict:
    """`grad`'s words in ``lang``."""
    return GRAD[lang]


def note(text: str, lang: str) -> str:
    """A record's note in ``lang`` (``text`` as it is in English)."""
    for pattern, words in NOTE_PHRASES[lang]:
        text = pattern.sub(words, text)
    return text
