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

LABELS = {
    "en": {
        "title": "Check of {answers} against {spec} (tolerance: {tolerance})",
        "as_written": "as written",
        "cols": ("key", "name", "expected", "given", "error", "ok", "diagnosis"),
        "score": "Score: {correct} of {total} correct ({answered} answered, {wrong} wrong, {blank} left blank)",
        "nothing": "Nothing answered yet: {total} cells are blank. Fill in the sheet and check again.",
        "blank_note": "{blank} blank cells not listed (--all lists them).",
        "blame": "first wrong step: {name} = {given} (expected {expected}{why})",
        "blame_again": "after the wrong {name} (above)",
        "carried_from": "worked out right from your {name} = {given}, which is wrong (expected {expected}{why})",
        "carried_again": "worked out right from your wrong {name} (above)",
        "and": "; and ",
        "low_precision": "right as written; write more digits to show the step",
        "low_note": "{n} answers are right only at the precision written (≈): more digits would show the step.",
        "invalid_note": "{n} entries could not be read (!): fix them and check again; they count as unanswered.",
        "student": "Student: {student}",
        "exercise": "exercise {fingerprint}",
    },
    "id": {
        "title": "Pemeriksaan {answers} terhadap {spec} (toleransi: {tolerance})",
        "as_written": "sesuai penulisan",
        "cols": ("kunci", "nama", "seharusnya", "jawaban", "selisih", "benar", "diagnosis"),
        "score": "Nilai: {correct} dari {total} benar ({answered} dijawab, {wrong} salah, {blank} kosong)",
        "nothing": "Belum ada jawaban: {total} isian masih kosong. Isi lembar jawaban lalu periksa lagi.",
        "blank_note": "{blank} isian kosong tidak ditampilkan (--all menampilkannya).",
        "blame": "langkah salah pertama: {name} = {given} (seharusnya {expected}{why})",
        "blame_again": "setelah {name} yang salah (lihat di atas)",
        "carried_from": "dihitung benar dari {name} = {given} milik Anda, yang salah (seharusnya {expected}{why})",
        "carried_again": "dihitung benar dari {name} Anda yang salah (lihat di atas)",
        "and": "; dan ",
        "low_precision": "benar sesuai penulisan; tulis lebih banyak digit untuk menunjukkan langkahnya",
        "low_note": "{n} jawaban hanya benar pada ketelitian yang ditulis (≈): lebih banyak digit akan menunjukkan "
                    "langkahnya.",
        "invalid_note": "{n} isian tidak dapat dibaca (!): perbaiki lalu periksa lagi; isian itu dihitung belum "
                        "dijawab.",
        "student": "Mahasiswa: {student}",
        "exercise": "latihan {fingerprint}",
    },
}

_MISTAKES = {
    "en": {
        "sign": "sign flipped",
        "double:half_sse": "a factor 2 too large: the ½ of L = {loss_formula} left out",
        "double": "a factor 2 too large (doubled)",
        "half:half_sse": "a factor 2 too small: ½ put in twice (∂/∂out of {loss_formula} is {loss_gradient})",
        "half:sse": "a factor 2 too small: the 2 from the square dropped",
        "half:mse": "a factor 2 too small: the 2 from the square dropped",
        "half": "a factor 2 too small (halved)",
        "loss_after_given": "this is the loss after the update",
        "loss_before_given": "this is the loss before the update",
        "no_activation": "activation not applied: this is {unit_in}, not {unit_out}",
        "no_bias": "bias {bias} left out",
        "no_local": "activation derivative left out: ∂{unit_out}/∂{unit_in} ({activation}′) taken as 1",
        "no_local_all": "activation derivatives left out in every layer",
        "local_at_out": "{activation}′ taken at the output instead of the input: {bad} where {good} belongs",
        "local_at_in": "the derivative's formula in the output filled in with the input: {bad} instead of {good}",
        "early_round": "{unit_out} rounded to {value} before {formula}: too few digits survive the 1 − {unit_out} "
                       "— carry more digits",
        "path_left_out": "a path left out: ∂L/∂{layer_out} sums over the paths through every unit it feeds; the one "
                         "through {via} is missing",
        "product_of_sums": "a product of sums, not a sum of products: (Σ ∂L/∂{layer_out})·(Σ ∂{layer_out}/∂{layer_in})"
                           "·(Σ {source_weight}){extra} instead of Σ over {units} of "
                           "∂L/∂{layer_out}·∂{layer_out}/∂{layer_in}·{source_weight}",
        "updated_downstream": "used the updated weights (after the SGD step) instead of the original ones in the "
                              "backward pass",
        "extra_out": "an extra factor {unit_out} in ∂L/∂{unit_out} ({unit_out} belongs to ∂L/∂{next_weight}; "
                     "∂{next_in}/∂{unit_out} = {next_weight})",
        "new_as_gradient": "this is the updated weight, not the gradient",
        "step_as_gradient": "this is the step lr·gradient, not the gradient",
        "gradient_as_new": "this is the gradient, not the updated weight",
        "step_as_new": "this is the change −lr·gradient, not the updated weight (new = old − lr·gradient)",
        "update_sign": "moved with the gradient: old + lr·gradient instead of old − lr·gradient",
        "lr_none": "learning rate not applied: old − gradient",
        "lr_twice": "learning rate applied twice: old − lr²·gradient",
        "not_updated": "not updated: this is the old value",
        "update_arithmetic": "the gradient is right but the step from it is not: old − lr·gradient = {old} − "
                             "{lr}·({gradient}) = {value}",
        "transposed": "transposed indices: this is the value of {other} ({key})",
        "weight_for_source": "this is the weight {weight}, not the value it multiplies (∂(w·x)/∂w = x)",
        "source_for_weight": "this is {source}, not the weight {weight} (∂(w·x)/∂x = w)",
        "too_few_digits": "too few digits: right when rounded to {decimals} decimals, but at that precision a wrong "
                          "answer looks the same — write at least 2 significant digits{of_change}",
        "of_change": " of the change new − old",
        "carried": "worked out right from your own earlier values, but they are wrong",
        "carried_rounding": "worked out from your own earlier values, rounded too early — carry more digits",
        "with_for": "{activation}′ with {value} for {node}", "with": "{activation}′ with {value}",
    },
    "id": {
        "sign": "tanda terbalik",
        "double:half_sse": "kelebihan faktor 2: ½ pada L = {loss_formula} terlupa",
        "double": "kelebihan faktor 2 (dikali dua)",
        "half:half_sse": "kurang faktor 2: ½ dipakai dua kali (∂/∂out dari {loss_formula} adalah {loss_gradient})",
        "half:sse": "kurang faktor 2: angka 2 dari kuadrat hilang",
        "half:mse": "kurang faktor 2: angka 2 dari kuadrat hilang",
        "half": "kurang faktor 2 (dibagi dua)",
        "loss_after_given": "ini loss setelah pembaruan",
        "loss_before_given": "ini loss sebelum pembaruan",
        "no_activation": "fungsi aktivasi tidak diterapkan: ini {unit_in}, bukan {unit_out}",
        "no_bias": "bias {bias} terlupa",
        "no_local": "turunan aktivasi terlupa: ∂{unit_out}/∂{unit_in} ({activation}′) dianggap 1",
        "no_local_all": "turunan aktivasi terlupa di setiap lapisan",
        "local_at_out": "{activation}′ dihitung pada output, bukan input: {bad} padahal seharusnya {good}",
        "local_at_in": "rumus turunan dalam bentuk output diisi dengan input: {bad}, seharusnya {good}",
        "early_round": "{unit_out} dibulatkan menjadi {value} sebelum {formula}: 1 − {unit_out} kehilangan digit "
                       "— bawa lebih banyak digit",
        "path_left_out": "ada jalur yang terlupa: ∂L/∂{layer_out} adalah jumlah atas semua jalur; jalur lewat {via} "
                         "tidak ada",
        "product_of_sums": "perkalian jumlah, bukan jumlah perkalian: (Σ ∂L/∂{layer_out})·(Σ ∂{layer_out}/∂{layer_in})"
                           "·(Σ {source_weight}){extra}, bukan Σ atas {units} dari "
                           "∂L/∂{layer_out}·∂{layer_out}/∂{layer_in}·{source_weight}",
        "updated_downstream": "memakai bobot yang sudah diperbarui (setelah langkah SGD), bukan bobot lama, pada "
                              "langkah mundur",
        "extra_out": "faktor {unit_out} berlebih di ∂L/∂{unit_out} ({unit_out} milik ∂L/∂{next_weight}; "
                     "∂{next_in}/∂{unit_out} = {next_weight})",
        "new_as_gradient": "ini bobot yang sudah diperbarui, bukan gradien",
        "step_as_gradient": "ini langkah lr·gradien, bukan gradien",
        "gradient_as_new": "ini gradien, bukan bobot baru",
        "step_as_new": "ini perubahan −lr·gradien, bukan bobot baru (baru = lama − lr·gradien)",
        "update_sign": "bergerak searah gradien: lama + lr·gradien, seharusnya lama − lr·gradien",
        "lr_none": "learning rate tidak dipakai: lama − gradien",
        "lr_twice": "learning rate dipakai dua kali: lama − lr²·gradien",
        "not_updated": "tidak diperbarui: ini nilai lama",
        "update_arithmetic": "gradiennya benar tetapi langkahnya salah: lama − lr·gradien = {old} − "
                             "{lr}·({gradient}) = {value}",
        "transposed": "indeks tertukar: ini nilai {other} ({key})",
        "weight_for_source": "ini bobot {weight}, bukan nilai yang dikalikannya (∂(w·x)/∂w = x)",
        "source_for_weight": "ini {source}, bukan bobot {weight} (∂(w·x)/∂x = w)",
        "too_few_digits": "digit terlalu sedikit: benar bila dibulatkan ke {decimals} desimal, tetapi pada ketelitian "
                          "itu jawaban salah terlihat sama — tulis paling sedikit 2 angka penting{of_change}",
        "of_change": " dari perubahan baru − lama",
        "carried": "dihitung benar dari nilai-nilai Anda sebelumnya, tetapi nilai-nilai itu salah",
        "carried_rounding": "dihitung dari nilai-nilai Anda sebelumnya yang dibulatkan terlalu dini — bawa lebih "
                            "banyak digit",
        "with_for": "{activation}′ dengan {value} sebagai {node}", "with": "{activation}′ dengan {value}",
    },
}


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
    return template.format(**p)


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

# ── training mistakes (grading/optim_mistakes.py) ──
_MISTAKES["en"].update({
    "l2_missing": "the l2 term 2λ·w is left out of the gradient",
    "l2_no_two": "the l2 term without its factor 2: λ·w instead of 2λ·w (∂(λw²)/∂w = 2λw)",
    "l2_half": "the l2 term halved: ½·λ·w instead of 2λ·w",
    "l2_bias": "the bias is regularised, but l2 covers weights only (regularize_bias = false)",
    "sgd_instead": "a plain SGD step old − lr·gradient, not the {optimizer} step",
    "velocity_not_carried": "the velocity is not carried to the next step (each step starts again from v = 0)",
    "eps_inside": "ε inside the square root: √(v̂ + ε), but this optimizer adds it outside: √v̂ + ε",
    "eps_outside": "ε outside the square root: √v̂ + ε, but this spec puts it inside: √(v̂ + ε)",
    "clip_value_for_norm": "clipped each element by value, but the gradient norm was to be clipped",
    "adam_no_bias_correction": "Adam's bias correction left out: m and v used instead of m̂ = m/(1 − β1^t) and "
                               "v̂ = v/(1 − β2^t)",
    "adam_bias_step": "Adam's bias correction taken at the wrong step (t = 2 on the first step)",
    "momentum_sign": "the momentum step taken with the wrong sign: old + lr·v instead of old − lr·v",
    "dropout_no_scale": "layer {layer}'s dropout without its 1/(1 − p) scaling: the mask (0 or 1) instead of "
                        "mask/(1 − p) = mask/{keep}",
    "dropout_no_mask": "layer {layer}'s dropout mask left out: every unit scaled by 1/(1 − p), the dropped ones too",
    "dropout_ignored": "layer {layer}'s dropout left out (u_drop taken as u_out, ∂u_drop/∂u_out as 1)",
})
_MISTAKES["id"].update({
    "l2_missing": "suku l2 2λ·w terlupa dari gradien",
    "l2_no_two": "suku l2 tanpa faktor 2: λ·w, seharusnya 2λ·w (∂(λw²)/∂w = 2λw)",
    "l2_half": "suku l2 dibagi dua: ½·λ·w, seharusnya 2λ·w",
    "l2_bias": "bias ikut diregularisasi, padahal l2 hanya untuk bobot (regularize_bias = false)",
    "sgd_instead": "langkah SGD biasa lama − lr·gradien, bukan langkah {optimizer}",
    "velocity_not_carried": "kecepatan (velocity) tidak dibawa ke langkah berikutnya (setiap langkah mulai lagi dari v = 0)",
    "eps_inside": "ε di dalam akar: √(v̂ + ε), padahal optimizer ini menambahkannya di luar: √v̂ + ε",
    "eps_outside": "ε di luar akar: √v̂ + ε, padahal spec ini menaruhnya di dalam: √(v̂ + ε)",
    "clip_value_for_norm": "setiap elemen dipotong per nilai, padahal yang diminta memotong norma gradien",
    "adam_no_bias_correction": "koreksi bias Adam terlupa: m dan v dipakai, bukan m̂ = m/(1 − β1^t) dan "
                               "v̂ = v/(1 − β2^t)",
    "adam_bias_step": "koreksi bias Adam pada langkah yang salah (t = 2 pada langkah pertama)",
    "momentum_sign": "langkah momentum dengan tanda terbalik: lama + lr·v, seharusnya lama − lr·v",
    "dropout_no_scale": "dropout lapisan {layer} tanpa penskalaan 1/(1 − p): mask (0 atau 1), seharusnya "
                        "mask/(1 − p) = mask/{keep}",
    "dropout_no_mask": "mask dropout lapisan {layer} terlupa: setiap unit diskalakan 1/(1 − p), yang di-drop juga",
    "dropout_ignored": "dropout lapisan {layer} terlupa (u_drop dianggap u_out, ∂u_drop/∂u_out dianggap 1)",
})

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
        out.append(L["low_note"].format(n=result.low_precision))
    if result.invalid:
        out.append(L["invalid_note"].format(n=result.invalid))
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
    from tabulate import tabulate

    L = LABELS[lang]
    out = [_head(result, lang), ""]
    rows = _rows(result, digits, lang, show_all)
    if not rows:
        out.append(L["nothing"].format(total=result.total))
    else:
        table = tabulate(rows, headers=list(L["cols"]), disable_numparse=True,
                         maxcolwidths=[None] * 6 + [width])
        out += ["  " + line for line in table.splitlines()]
        blank = result.total - result.answered - result.invalid
        if blank and not show_all:
            out += ["", L["blank_note"].format(blank=blank)]
    out += [""] + _notes(result, lang) + [_summary(result, lang)]
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    from .escape import html

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
