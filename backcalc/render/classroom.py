"""Rendering of a graded class (:class:`~backcalc.grading.gradebook.ClassResult`): the gradebook CSV that Moodle
and Canvas import, and the class report (score distribution, per-question correctness, the mistake table) as
text, Markdown or JSON, in English or Indonesian.
"""

from __future__ import annotations

import csv
import io
import json as _json
import statistics

from .format import num
from .labels_answers import problem_text

GRADEBOOK_COLUMNS = ("id", "name", "email", "score", "correct", "answered", "total", "forward", "loss", "factors",
                     "gradients", "updated", "error")

SHORT = {  # one line per mistake code, for the class's mistake table
    "en": {
        "sign": "sign flipped", "double": "a factor 2 too large", "half": "a factor 2 too small",
        "bptt_truncated": "BPTT truncated to the last step", "next_path_left_out": "the path through h_(t+1) left out",
        "tanh_at_output": "tanh′ taken at the output",
        "loss_after_given": "loss after the update given as the loss", "loss_before_given": "loss before given as after",
        "no_activation": "activation not applied", "no_bias": "bias left out",
        "no_local": "activation derivative left out", "no_local_all": "activation derivatives left out everywhere",
        "local_at_out": "activation derivative taken at the output", "local_at_in": "derivative formula filled with the input",
        "early_round": "rounded too early before k·(1 − k)", "path_left_out": "a path left out of the sum",
        "product_of_sums": "a product of sums, not a sum of products",
        "updated_downstream": "updated weights used in the backward pass", "extra_out": "an extra factor u_out in ∂L/∂u_out",
        "new_as_gradient": "new weight given as the gradient", "step_as_gradient": "the step lr·g given as the gradient",
        "gradient_as_new": "gradient given as the new weight", "step_as_new": "the step given as the new weight",
        "update_sign": "moved with the gradient", "lr_none": "learning rate not applied",
        "lr_twice": "learning rate applied twice", "not_updated": "not updated",
        "update_arithmetic": "right gradient, wrong step", "transposed": "transposed indices",
        "weight_for_source": "the weight for the value it multiplies", "source_for_weight": "the value for the weight",
        "too_few_digits": "too few digits (--strict)", "carried_rounding": "own earlier values rounded too early",
    },
    "id": {
        "sign": "tanda terbalik", "double": "kelebihan faktor 2", "half": "kurang faktor 2",
        "bptt_truncated": "BPTT dipotong pada langkah terakhir", "next_path_left_out": "jalur lewat h_(t+1) terlupa",
        "tanh_at_output": "tanh′ dihitung pada output",
        "loss_after_given": "loss setelah pembaruan diberikan sebagai loss", "loss_before_given": "loss sebelum diberikan",
        "no_activation": "aktivasi tidak diterapkan", "no_bias": "bias terlupa",
        "no_local": "turunan aktivasi terlupa", "no_local_all": "turunan aktivasi terlupa di setiap lapisan",
        "local_at_out": "turunan aktivasi dihitung pada output", "local_at_in": "rumus turunan diisi dengan input",
        "early_round": "dibulatkan terlalu dini sebelum k·(1 − k)", "path_left_out": "ada jalur yang terlupa",
        "product_of_sums": "perkalian jumlah, bukan jumlah perkalian",
        "updated_downstream": "bobot baru dipakai di langkah mundur", "extra_out": "faktor u_out berlebih di ∂L/∂u_out",
        "new_as_gradient": "bobot baru diberikan sebagai gradien", "step_as_gradient": "langkah lr·g sebagai gradien",
        "gradient_as_new": "gradien diberikan sebagai bobot baru", "step_as_new": "langkah diberikan sebagai bobot baru",
        "update_sign": "bergerak searah gradien", "lr_none": "learning rate tidak dipakai",
        "lr_twice": "learning rate dipakai dua kali", "not_updated": "tidak diperbarui",
        "update_arithmetic": "gradien benar, langkah salah", "transposed": "indeks tertukar",
        "weight_for_source": "bobot, bukan nilai yang dikalikannya", "source_for_weight": "nilai, bukan bobotnya",
        "too_few_digits": "digit terlalu sedikit (--strict)", "carried_rounding": "nilai sendiri dibulatkan terlalu dini",
    },
}

SHORT["en"].update({  # training mistakes (grading/optim_mistakes.py)
    "l2_missing": "l2 term left out", "l2_no_two": "l2 term without its 2", "l2_half": "l2 term halved",
    "l2_bias": "bias regularised", "sgd_instead": "plain SGD instead of the optimizer",
    "velocity_not_carried": "velocity not carried", "eps_inside": "ε inside the root", "eps_outside": "ε outside the root",
    "clip_value_for_norm": "clipped by value, not norm", "adam_no_bias_correction": "no bias correction",
    "adam_bias_step": "bias correction at the wrong step", "momentum_sign": "momentum sign flipped",
    "dropout_no_scale": "dropout without 1/(1 − p)", "dropout_no_mask": "dropout mask left out",
    "dropout_ignored": "dropout left out",
})
SHORT["id"].update({
    "l2_missing": "suku l2 terlupa", "l2_no_two": "suku l2 tanpa 2", "l2_half": "suku l2 dibagi dua",
    "l2_bias": "bias ikut diregularisasi", "sgd_instead": "SGD biasa, bukan optimizer yang diminta",
    "velocity_not_carried": "kecepatan tidak dibawa", "eps_inside": "ε di dalam akar", "eps_outside": "ε di luar akar",
    "clip_value_for_norm": "dipotong per nilai, bukan norma", "adam_no_bias_correction": "tanpa koreksi bias",
    "adam_bias_step": "koreksi bias pada langkah yang salah", "momentum_sign": "tanda momentum terbalik",
    "dropout_no_scale": "dropout tanpa 1/(1 − p)", "dropout_no_mask": "mask dropout terlupa",
    "dropout_ignored": "dropout terlupa",
})


LABELS = {
    "en": {"title": "Class report: {folder} ({n} students, {graded} graded{errors})", "errors": ", {e} with errors",
           "scores": "Scores: mean {mean} %, median {median} %, lowest {low} %, highest {high} %",
           "distribution": "Score distribution", "questions": "Questions: students right",
           "qcols": ("key", "name", "right", "answered", "% right"), "mistakes": "Mistakes named",
           "mcols": ("mistake", "code", "students", "keys"), "of": "{k} of {n}",
           "none": "No catalogued mistake was named.",
           "errorlist": "Sheets or entries that could not be read (an unreadable entry counts as unanswered)",
           "strict": " (--strict)", "students": "students",
           "hardest": "Hardest questions ({k} shown of the {m} that not every student got right, of {n}; fewest "
                      "right first; --format markdown or json lists every question)"},
    "id": {"title": "Laporan kelas: {folder} ({n} mahasiswa, {graded} dinilai{errors})", "errors": ", {e} bermasalah",
           "scores": "Nilai: rata-rata {mean} %, median {median} %, terendah {low} %, tertinggi {high} %",
           "distribution": "Sebaran nilai", "questions": "Soal: mahasiswa yang benar",
           "qcols": ("kunci", "nama", "benar", "dijawab", "% benar"), "mistakes": "Kesalahan yang dikenali",
           "mcols": ("kesalahan", "kode", "mahasiswa", "kunci"), "of": "{k} dari {n}",
           "none": "Tidak ada kesalahan katalog yang dikenali.",
           "errorlist": "Lembar atau isian yang tidak dapat dibaca (isian yang tidak terbaca dihitung belum dijawab)",
           "strict": " (--strict)", "students": "mahasiswa",
           "hardest": "Soal tersulit ({k} ditampilkan dari {m} soal yang tidak dijawab benar oleh semua, dari {n}; "
                      "paling sedikit benar dahulu; --format markdown atau json menampilkan semua soal)"},
}

HARDEST = 20  # questions listed in the text report (Markdown and JSON list every one)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet never runs as a formula (a leading =, +, -, @ gets a ')."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def gradebook_csv(result) -> str:
    """One row per student: id, name, email, score (%), correct, answered, total, % right per section, error."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(GRADEBOOK_COLUMNS)
    for s in result.students:
        sections = {name: (c, t) for name, c, t in s.sections}
        per = [f"{100.0 * sections[x][0] / sections[x][1]:.1f}" if x in sections else "" for x in GRADEBOOK_COLUMNS[7:12]]
        score = "" if s.score is None else f"{s.score:.1f}"
        counts = ["", "", ""] if s.error else [s.correct, s.answered, s.total]
        w.writerow([_cell(s.id), _cell(s.name), _cell(s.email), score, *counts, *per, _cell(s.error)])
    return buf.getvalue()


def as_dict(result, lang: str = "en") -> dict:
    """The JSON of ``grade --format json``."""
    return {
        "format": 1, "folder": result.folder, "strict": result.strict,
        "students": [{"id": s.id, "name": s.name, "email": s.email, "score": s.score, "correct": s.correct,
                      "answered": s.answered, "total": s.total, "error": s.error, "fingerprint": s.fingerprint,
                      "sections": {name: {"correct": c, "total": t} for name, c, t in s.sections}}
                     for s in result.students],
        "questions": [{"key": k, "name": name, "correct": c, "answered": a,
                       "correct_rate": (c / n if n else None)} for k, name, c, a, n in result.questions()],
        "mistakes": [{"mistake": code, "description": SHORT[lang].get(code, code), "students": n, "keys": keys}
                     for code, n, keys in result.mistakes()],
        "unreadable": [{"id": sid, "key": key, "problem": problem_text(problem, lang), "code": problem.code}
                       for sid, key, problem in result.unreadable()],
    }


def _bars(scores) -> list:
    bins = [0] * 10
    for x in scores:
        bins[min(9, int(x // 10))] += 1
    top = max(bins) or 1
    return [f"  {10 * i:3d}–{10 * i + 10:<3d}% │{'█' * round(20 * b / top):<20} {b}" for i, b in enumerate(bins)]


def _parts(result, lang):
    L = LABELS[lang]
    n, graded = len(result.students), result.graded
    errors = n - len(graded)
    head = L["title"].format(folder=result.folder, n=n, graded=len(graded),
                             errors=L["errors"].format(e=errors) if errors else "")
    head += L["strict"] if result.strict else ""
    scores = [s.score for s in graded]
    summary = (L["scores"].format(mean=num(statistics.fmean(scores), 3), median=num(statistics.median(scores), 3),
                                  low=num(min(scores), 3), high=num(max(scores), 3)) if scores else "")
    questions = [[k, name, str(c), str(a), f"{100.0 * c / m:.0f}" if m else ""]
                 for k, name, c, a, m in result.questions()]
    mistakes = [[SHORT[lang].get(code, code), code, L["of"].format(k=k, n=len(graded)), ", ".join(keys[:8])
                 + (f", … (+{len(keys) - 8})" if len(keys) > 8 else "")] for code, k, keys in result.mistakes()]
    failed = [(s.id, problem_text(s.problem, lang) if s.problem else s.error) for s in result.students if s.error]
    failed += [(sid, f"{key}: {problem_text(problem, lang)}") for sid, key, problem in result.unreadable()]
    return head, summary, scores, questions, mistakes, failed


def text(result, lang: str = "en") -> str:
    from tabulate import tabulate

    L = LABELS[lang]
    head, summary, scores, questions, mistakes, failed = _parts(result, lang)
    out = [head, ""]
    if scores:
        out += [summary, "", L["distribution"]] + _bars(scores) + [""]
    out += [L["mistakes"]]
    out += ["  " + line for line in tabulate(mistakes, headers=list(L["mcols"]), disable_numparse=True,
                                             maxcolwidths=[36, None, None, 50]).splitlines()] if mistakes else \
        ["  " + L["none"]]
    missed = sorted((q for q in questions if q[4] != "100"), key=lambda q: float(q[4] or 0))
    hard = missed[:HARDEST]
    out += ["", L["hardest"].format(k=len(hard), m=len(missed), n=len(questions))]
    if hard:
        out += ["  " + line for line in tabulate(hard, headers=list(L["qcols"]), disable_numparse=True).splitlines()]
    if failed:
        out += ["", L["errorlist"]] + [f"  {sid}: {err}" for sid, err in failed]
    return "\n".join(out) + "\n"


def _md(text) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def markdown(result, lang: str = "en") -> str:
    from tabulate import tabulate

    L = LABELS[lang]
    head, summary, scores, questions, mistakes, failed = _parts(result, lang)
    out = [f"## {_md(head)}", ""]
    if scores:
        out += [summary, "", f"### {L['distribution']}", "", "```"] + _bars(scores) + ["```", ""]
    out += [f"### {L['mistakes']}", ""]
    out += [tabulate([[_md(c) for c in r] for r in mistakes], headers=list(L["mcols"]), tablefmt="github",
                     disable_numparse=True) if mistakes else L["none"], ""]
    out += [f"### {L['questions']}", "",
            tabulate([[f"`{_md(r[0])}`"] + [_md(c) for c in r[1:]] for r in questions], headers=list(L["qcols"]),
                     tablefmt="github", disable_numparse=True)]
    if failed:
        out += ["", f"### {L['errorlist']}", ""] + [f"- `{_md(sid)}`: {_md(err)}" for sid, err in failed]
    return "\n".join(out) + "\n"


def json(result, lang: str = "en") -> str:
    return _json.dumps(as_dict(result, lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render(result, fmt: str = "text", lang: str = "en") -> str:
    """``fmt``: text, markdown or json."""
    return {"text": text, "markdown": markdown, "json": json}[fmt](result, lang)
