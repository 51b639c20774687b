"""The words of `check`'s page and of each catalogued mistake (grading/mistakes.py, grading/optim_mistakes.py),
in English and Indonesian; :mod:`backcalc.render.check` fills them in."""

from __future__ import annotations

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
        "low_note": {"one": "1 answer is right only at the precision written (≈): more digits would show the step.",
                     "many": "{n} answers are right only at the precision written (≈): more digits would show the "
                             "step."},
        "invalid_note": {"one": "1 entry could not be read (!): fix it and check again; it counts as unanswered.",
                         "many": "{n} entries could not be read (!): fix them and check again; they count as "
                                 "unanswered."},
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
        "low_note": {"one": "{n} jawaban hanya benar pada ketelitian yang ditulis (≈): lebih banyak digit akan "
                            "menunjukkan langkahnya.",
                     "many": "{n} jawaban hanya benar pada ketelitian yang ditulis (≈): lebih banyak digit akan "
                             "menunjukkan langkahnya."},
        "invalid_note": {"one": "{n} isian tidak dapat dibaca (!): perbaiki lalu periksa lagi; isian itu dihitung "
                                "belum dijawab.",
                         "many": "{n} isian tidak dapat dibaca (!): perbaiki lalu periksa lagi; isian itu dihitung "
                                 "belum dijawab."},
        "student": "Mahasiswa: {student}",
        "exercise": "latihan {fingerprint}",
    },
}

MISTAKES = {
    "en": {
        "sign": "sign flipped",
        "bptt_truncated": "BPTT truncated to the last step: a weight of {layer} is used at every step, so its gradient "
                          "is the sum of its terms over all the steps; only the last step's term is here",
        "next_path_left_out": "the path through h_(t+1) left out: ∂L/∂h_t of {layer} is the step's own path plus the "
                              "path back from h_(t+1) (through Wh and {activation}′); only the step's own path is here",
        "tanh_at_output": "{activation}′ taken at the output: f′ computed from h_t = {activation}(z_t) as if it were "
                          "z_t (for tanh 1 − tanh²(h_t) where 1 − h_t² belongs)",
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
        "bptt_truncated": "BPTT dipotong pada langkah terakhir: bobot {layer} dipakai di setiap langkah, jadi "
                          "gradiennya adalah jumlah sukunya atas semua langkah; di sini hanya suku langkah terakhir",
        "next_path_left_out": "jalur lewat h_(t+1) terlupa: ∂L/∂h_t dari {layer} adalah jalur keluaran langkah itu "
                              "sendiri ditambah jalur mundur dari h_(t+1) (lewat Wh dan {activation}′); di sini hanya "
                              "jalur langkah itu sendiri",
        "tanh_at_output": "{activation}′ dihitung pada output: f′ dihitung dari h_t = {activation}(z_t) seolah-olah "
                          "itu z_t (untuk tanh 1 − tanh²(h_t) padahal seharusnya 1 − h_t²)",
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


# ── training mistakes (grading/optim_mistakes.py) ──
MISTAKES["en"].update({
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
MISTAKES["id"].update({
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
