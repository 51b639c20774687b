"""Every heading and caption the renderers print, in English and Indonesian (the seeds' language)."""

from __future__ import annotations

import re

LABELS = {
    "en": {
        "forward": "Forward pass",
        "layer": "Layer {n} ({name}, {activation})",
        "norm_stats": {  # a normalisation layer's statistics, before its γ·x̂ + β rows
            "batchnorm": "batchnorm: each unit over the {n} of the batch (biased variance, eps = {eps})",
            "layernorm": "layernorm: each sample over its {n} (biased variance, eps = {eps})",
        },
        "compact": "check, the compact form: {formula} with {g}",
        "batch_of_one": "a batch of one sample: var = 0, so xhat = 0/√eps = 0 and the output is beta (as PyTorch "
                        "gives with eps); the gradient reaching the input through this layer is 0",
        "splits": "the gradient splits here: back through {unit}_in, and straight through the skip to {source}",
        "adds_up": "the gradient adds up here: the paths back through the block, plus {path} straight through the skip",
        "skip_layer": "+ the skip from {source}",
        "graph_skip": "skip: + as it is", "graph_norm": "μ, σ²",
        "dropout": "inverted dropout on the outputs, p = {p}: u_drop = u_out·mask/(1 − p), mask (samples × units) "
                   "= {mask}{drawn}",
        "dropout_drawn": " (drawn from the spec's seed)",
        "sample": "sample {s}",
        "loss": "Loss",
        "loss_kind": {  # each followed by its formula from the loss table (backcalc.tape.losses)
            "half_sse": "half squared error", "sse": "squared error", "mse": "mean squared error",
            "bce": "binary cross-entropy", "cross_entropy": "cross-entropy",
        },
        "true_class": "probability of the true class",
        "reduction": {"sum": "summed over samples", "mean": "averaged over samples"},
        "setup": "input {x}; target {y}; loss: {loss}, {reduction}; learning rate {lr}",
        "backward": "Backward pass",
        "upstream": "Gradient of the loss with respect to each unit's output (a sum over paths where a unit feeds several)",
        "deltas": "Deltas: δ = ∂L/∂unit_in = ∂L/∂unit_out · ∂unit_out/∂unit_in",
        "softmax_delta": "softmax: δ is a sum over the layer's outputs, Σ_j ∂L/∂j_out · ∂j_out/∂unit_in",
        "terms": "Chain rule for every parameter",
        "summed": "summed over the {n} samples",
        "summed_positions": "summed over the {n} output positions",
        "summed_positions_samples": "summed over the {n} output positions of each of the {s} samples",
        "summed_steps": "summed over the {n} time steps",
        "time_norms": "‖∂L/∂h_t‖ back through time: one step back multiplies ∂L/∂h_(t+1) by diag(f′(z_(t+1)))·Whᵀ, "
                      "so the ratio to the step after is at most max|f′(z_(t+1))|·‖Wh‖₂ (‖Wh‖₂ = {spectral}, the "
                      "largest singular value); below 1 step after step, the gradient vanishes through time",
        "time_cols": ("sample", "step t", "‖∂L/∂h_t‖", "ratio to t+1", "bound max|f′|·‖Wh‖₂"),
        "time_norms_every": "‖∂L/∂h_t‖ back through time with a loss at every step: ∂L/∂h_t is the path from the "
                            "step's own output plus the path back from h_(t+1); one step back multiplies "
                            "∂L/∂h_(t+1) by diag(f′(z_(t+1)))·Whᵀ, so the path back is at most max|f′(z_(t+1))|·‖Wh‖₂ "
                            "times ‖∂L/∂h_(t+1)‖ (‖Wh‖₂ = {spectral}, the largest singular value); below 1 step after "
                            "step, what later steps' losses send back vanishes through time",
        "time_cols_every": ("sample", "step t", "‖∂L/∂h_t‖", "‖path back from h_(t+1)‖", "ratio to ‖∂L/∂h_(t+1)‖",
                            "bound max|f′|·‖Wh‖₂"),
        "summed_steps_samples": "summed over the {n} time steps of each of the {s} samples",
        "update": "SGD update: new = old − {lr} · gradient",
        "loss_after": "Loss after the update",
        "loss_after_steps": "Loss after {steps} steps",
        "was": "was",
        "history": "Loss history",
        "step": "step",
        "final_params": "Parameters after {steps} steps",
        "large": "This net has {params} and {samples}: the per-unit and per-term listings are "
                 "left out (they are for nets of up to {max_params} parameters and {max_samples} samples). "
                 "Use --full to print everything, or --format json for every term.",
        "terms_omitted": "(the per-term records are omitted for a net this size)",
        "count_parameters": {"one": "{n} parameter", "many": "{n} parameters"},
        "count_samples": {"one": "{n} sample", "many": "{n} samples"},
        "norm_count": {"batchnorm": {"one": "{n} sample", "many": "{n} samples"},
                       "layernorm": {"one": "{n} unit", "many": "{n} units"}},
        "large_rows": "Here its listing would run to {rows} rows per sample (a shared weight has a row per output "
                      "position or time step), past the {max_rows} shown.",
        "col": {
            "parameter": "parameter", "key": "key", "old": "old", "gradient": "gradient", "new": "new",
            "change": "change %", "unit": "unit", "chain": "chain of factors", "values": "values",
            "value": "value", "formula": "formula", "delta": "δ", "upstream": "∂L/∂out", "local": "∂out/∂in",
            "sample": "sample", "loss": "loss", "matrix": "matrix", "position": "position",
        },
        "gradients": "Gradients",
        "graph": "computation graph",
        "graph_caption": "green: forward values; red: gradients",
        "graph_sample": "green: forward values of sample {s} of {n}; red: gradients (∂L/∂w and ∂L/∂b summed over the samples)",
        "graph_input": ("input {name} ({units} value)", "input {name} ({units} values)"),  # (one, several)
        "graph_units": ("{units} unit", "{units} units"),
        "graph_summary": "out: mean {mean}, min {min}, max {max}",
        "focus_paths": "Every path from {unit} to the loss:",
        "html_step": "Show step",
        "loss_over": {"sum": "Σ over samples", "mean": "mean over samples"},
        "layer_summary": "{samples}×{units} outputs, mean {mean}, min {min}, max {max}",
        "data_values": "{rows}×{cols} values",
        "paste_from": "backcalc derivation: paste from here",
        "paste_to": "to here",
        "order_layer": "layer by layer, each layer's update right after its gradients",
        "order_layer_later": "layer by layer; the optimizer's updates follow the whole pass",
        "layer_backward": "Layer {n} ({name}, {activation}): gradients, then the update",
        "layer_gradients": "Layer {n} ({name}, {activation}): gradients (no parameters)",
        "layer_gradients_later": "Layer {n} ({name}, {activation}): gradients (its update follows the whole pass)",
        "data_backward": "The data {name}: ∂L/∂{name} (given, not updated)",
        "html_hint": "Click a weight (an edge), a bias (b_…) or a unit: every path from it to the loss is "
                     "highlighted and its chain of factors appears below. Green: forward values; red: gradients.",
        "html_details": "Click a weight, a bias or a unit in the picture or in the derivation.",
    },
    "id": {
        "forward": "Langkah maju (forward pass)",
        "layer": "Lapisan {n} ({name}, {activation})",
        "norm_stats": {
            "batchnorm": "batchnorm: tiap unit atas {n} dalam batch (varians bias, eps = {eps})",
            "layernorm": "layernorm: tiap sampel atas {n}nya (varians bias, eps = {eps})",
        },
        "compact": "periksa, bentuk ringkas: {formula} dengan {g}",
        "batch_of_one": "batch berisi satu sampel: var = 0, jadi xhat = 0/√eps = 0 dan outputnya beta (seperti "
                        "PyTorch dengan eps); gradien yang sampai ke input lewat lapisan ini 0",
        "splits": "gradien bercabang di sini: kembali lewat {unit}_in, dan langsung lewat skip ke {source}",
        "adds_up": "gradien dijumlahkan di sini: jalur-jalur kembali lewat blok, ditambah {path} langsung lewat skip",
        "skip_layer": "+ skip dari {source}",
        "graph_skip": "skip: + apa adanya", "graph_norm": "μ, σ²",
        "dropout": "dropout terbalik pada keluaran, p = {p}: u_drop = u_out·mask/(1 − p), mask (sampel × unit) "
                   "= {mask}{drawn}",
        "dropout_drawn": " (diambil dari seed spesifikasi)",
        "sample": "sampel {s}",
        "loss": "Loss (fungsi kerugian)",
        "loss_kind": {
            "half_sse": "setengah galat kuadrat", "sse": "galat kuadrat", "mse": "rata-rata galat kuadrat",
            "bce": "binary cross-entropy", "cross_entropy": "cross-entropy",
        },
        "true_class": "peluang kelas yang benar",
        "reduction": {"sum": "dijumlahkan atas semua sampel", "mean": "dirata-ratakan atas semua sampel"},
        "setup": "input {x}; target {y}; loss: {loss}, {reduction}; laju pembelajaran (learning rate) {lr}",
        "backward": "Langkah mundur (backward pass)",
        "upstream": "Gradien loss terhadap output tiap unit (dijumlahkan atas semua jalur bila unit menuju beberapa unit)",
        "deltas": "Delta: δ = ∂L/∂unit_in = ∂L/∂unit_out · ∂unit_out/∂unit_in",
        "softmax_delta": "softmax: δ adalah jumlah atas semua output lapisan, Σ_j ∂L/∂j_out · ∂j_out/∂unit_in",
        "terms": "Aturan rantai (chain rule) untuk setiap parameter",
        "summed": "dijumlahkan atas {n} sampel",
        "summed_positions": "dijumlahkan atas {n} posisi keluaran",
        "summed_positions_samples": "dijumlahkan atas {n} posisi keluaran dari tiap {s} sampel",
        "summed_steps": "dijumlahkan atas {n} langkah waktu",
        "time_norms": "‖∂L/∂h_t‖ mundur melalui waktu: satu langkah mundur mengalikan ∂L/∂h_(t+1) dengan "
                      "diag(f′(z_(t+1)))·Whᵀ, sehingga rasionya terhadap langkah sesudahnya paling besar "
                      "max|f′(z_(t+1))|·‖Wh‖₂ (‖Wh‖₂ = {spectral}, nilai singular terbesar); bila di bawah 1 langkah "
                      "demi langkah, gradien menghilang melalui waktu",
        "time_cols": ("sampel", "langkah t", "‖∂L/∂h_t‖", "rasio terhadap t+1", "batas max|f′|·‖Wh‖₂"),
        "time_norms_every": "‖∂L/∂h_t‖ mundur melalui waktu dengan loss di setiap langkah: ∂L/∂h_t adalah jalur dari "
                            "keluaran langkah itu sendiri ditambah jalur mundur dari h_(t+1); satu langkah mundur "
                            "mengalikan ∂L/∂h_(t+1) dengan diag(f′(z_(t+1)))·Whᵀ, sehingga jalur mundur paling besar "
                            "max|f′(z_(t+1))|·‖Wh‖₂ kali ‖∂L/∂h_(t+1)‖ (‖Wh‖₂ = {spectral}, nilai singular terbesar); "
                            "bila di bawah 1 langkah demi langkah, yang dikirim balik oleh loss langkah-langkah "
                            "berikutnya menghilang melalui waktu",
        "time_cols_every": ("sampel", "langkah t", "‖∂L/∂h_t‖", "‖jalur mundur dari h_(t+1)‖",
                            "rasio terhadap ‖∂L/∂h_(t+1)‖", "batas max|f′|·‖Wh‖₂"),
        "summed_steps_samples": "dijumlahkan atas {n} langkah waktu dari tiap {s} sampel",
        "update": "Pembaruan SGD: baru = lama − {lr} · gradien",
        "loss_after": "Loss setelah pembaruan",
        "loss_after_steps": "Loss setelah {steps} langkah",
        "was": "sebelumnya",
        "history": "Riwayat loss",
        "step": "langkah",
        "final_params": "Parameter setelah {steps} langkah",
        "large": "Jaringan ini memiliki {params} dan {samples}: rincian per unit dan per suku "
                 "tidak ditampilkan (hanya untuk jaringan hingga {max_params} parameter dan {max_samples} sampel). "
                 "Gunakan --full untuk menampilkan semuanya, atau --format json untuk setiap suku.",
        "terms_omitted": "(rincian per suku tidak disimpan untuk jaringan sebesar ini)",
        "count_parameters": {"one": "{n} parameter", "many": "{n} parameter"},
        "count_samples": {"one": "{n} sampel", "many": "{n} sampel"},
        "norm_count": {"batchnorm": {"one": "{n} sampel", "many": "{n} sampel"},
                       "layernorm": {"one": "{n} unit", "many": "{n} unit"}},
        "large_rows": "Di sini rinciannya mencapai {rows} baris per sampel (bobot bersama punya satu baris per "
                      "posisi keluaran atau langkah waktu), melebihi {max_rows} yang ditampilkan.",
        "col": {
            "parameter": "parameter", "key": "kunci", "old": "lama", "gradient": "gradien", "new": "baru",
            "change": "perubahan %", "unit": "unit", "chain": "rantai faktor", "values": "nilai-nilai",
            "value": "nilai", "formula": "rumus", "delta": "δ", "upstream": "∂L/∂out", "local": "∂out/∂in",
            "sample": "sampel", "loss": "loss", "matrix": "matriks", "position": "posisi",
        },
        "gradients": "Gradien",
        "graph": "graf komputasi",
        "graph_caption": "hijau: nilai langkah maju; merah: gradien",
        "graph_sample": "hijau: nilai langkah maju sampel {s} dari {n}; merah: gradien (∂L/∂w dan ∂L/∂b dijumlahkan atas semua sampel)",
        "graph_input": ("input {name} ({units} nilai)", "input {name} ({units} nilai)"),
        "graph_units": ("{units} unit", "{units} unit"),
        "graph_summary": "out: rata-rata {mean}, min {min}, maks {max}",
        "focus_paths": "Semua jalur dari {unit} ke loss:",
        "html_step": "Tampilkan langkah",
        "loss_over": {"sum": "Σ atas semua sampel", "mean": "rata-rata atas semua sampel"},
        "layer_summary": "{samples}×{units} output, rata-rata {mean}, min {min}, maks {max}",
        "data_values": "{rows}×{cols} nilai",
        "paste_from": "backcalc: salin mulai dari sini",
        "paste_to": "sampai sini",
        "order_layer": "lapisan demi lapisan, pembaruan tiap lapisan tepat setelah gradiennya",
        "order_layer_later": "lapisan demi lapisan; pembaruan pengoptimal menyusul setelah seluruh lintasan",
        "layer_backward": "Lapisan {n} ({name}, {activation}): gradien, lalu pembaruan",
        "layer_gradients": "Lapisan {n} ({name}, {activation}): gradien (tanpa parameter)",
        "layer_gradients_later": "Lapisan {n} ({name}, {activation}): gradien (pembaruannya menyusul setelah seluruh lintasan)",
        "data_backward": "Data {name}: ∂L/∂{name} (diberikan, tidak diperbarui)",
        "html_hint": "Klik sebuah bobot (garis), bias (b_…) atau unit: semua jalur darinya ke loss disorot dan "
                     "rantai faktornya tampil di bawah. Hijau: nilai langkah maju; merah: gradien.",
        "html_details": "Klik sebuah bobot, bias atau unit pada gambar atau pada uraian di bawah.",
    },
}

LANGUAGES = tuple(LABELS)

# The command line's own lines (stdout and stderr), by command.
CLI = {
    "en": {"wrote": "wrote {path}", "check_hint": "check answers with: {command}",
           "wrote_class": "wrote {n} files for {students} students in {out}", "moodle": " and the Moodle quiz {moodle}",
           "grade_hint": "grade the class with: {command}", "wrote_files": "backcalc: wrote {paths}",
           "training": "training"},
    "id": {"wrote": "ditulis: {path}", "check_hint": "periksa jawaban dengan: {command}",
           "wrote_class": "{n} berkas ditulis untuk {students} mahasiswa di {out}", "moodle": " dan kuis Moodle {moodle}",
           "grade_hint": "nilai kelas dengan: {command}", "wrote_files": "backcalc: ditulis {paths}",
           "training": "pelatihan"},
}


def cli_labels(lang: str) -> dict:
    """The command line's lines in ``lang``."""
    return CLI[lang]

# The words of the rule table's piecewise derivatives (``1 if z > 0 else 0.01``) in each language; LaTeX sets
# them upright (render/texmath.py reads them here).
PIECEWISE = {"en": ("if", "else"), "id": ("bila", "selainnya")}

# Words inside formulas the records carry (the loss table writes ∂L/∂out of cross-entropy with an Iverson
# bracket in words): each language's wording, applied by the renderers to the text they print.
PHRASES = {
    "en": (),
    "id": ((re.compile(r"\[(\w+) is the true class\]"), r"[\1 kelas yang benar]"),
           # the rule table's piecewise derivatives (``1 if z > 0 else 0.01``), in text, HTML and LaTeX
           (re.compile(r" if (\S+ (?:>|&gt;) 0) else "), r" bila \1, selainnya "),
           (re.compile(r"\\text\{ if \}([^\n]*?) ?\\text\{ else \}"), r"\\text{ bila }\1, \\text{ selainnya }"),
           # verify's closed forms: a batch's sum or mean, a normalisation layer's ∂L/∂out kept as a name
           (re.compile(r"\bΣ over (\d+) samples of "), r"Σ atas \1 sampel dari "),
           (re.compile(r"\bmean over (\d+) samples of "), r"rata-rata atas \1 sampel dari "),
           (re.compile(r"(\(∂L/∂\S+) through (batchnorm|layernorm) "), r"\1 melalui \2 ")),
}


def localize(text: str, lang: str) -> str:
    """``text`` with the words of record formulas in ``lang``: ``[o1 is the true class]`` → ``[o1 kelas yang benar]``."""
    for pattern, words in PHRASES.get(lang, ()):
        text = pattern.sub(words, text)
    return text


def counted(forms, n: int, **values) -> str:
    """A caption with a count in the right form: ``forms`` is (one, several) — ``1 unit``, ``4 units``."""
    return forms[0 if n == 1 else 1].format(units=n, **values)


def labels(lang: str) -> dict:
    return LABELS[lang]


# ── training (optimizers, clipping, l1/l2): merged into each language's labels under "train" ──
TRAINING_LABELS = {
    "en": {
        "optimizer": {"sgd": "SGD", "momentum": "SGD with momentum", "nesterov": "SGD with Nesterov momentum",
                      "adagrad": "Adagrad", "rmsprop": "RMSProp", "adam": "Adam", "adamw": "AdamW"},
        "form": {"pytorch": "PyTorch's form", "cs231n": "CS231n/Keras form v ← μ·v − lr·g",
                 "ema": "moving-average form v ← μ·v + (1 − μ)·g"},
        "eps_inside": "ε inside the square root",
        "centered": "centered",
        "update": "Update: {settings}",
        "step": "Step {step}",
        "weight_decay": "weight decay: g = ∂L/∂w + {lam}·w is the gradient the optimizer uses (the loss is unchanged)",
        "decoupled": "decoupled weight decay: w′ = w·(1 − lr·{lam}) before the Adam step (the gradient is unchanged)",
        "quantity": "quantity",
        "with_numbers": "with numbers",
        "data_loss": "data loss",
        "penalty": "Regularisation of {arrays}:",
        "l1_note": "l1′(0) = 0: a weight at exactly 0 gets no l1 term (as PyTorch's abs)",
        "reg_terms": "Regularisation's own term in each ∂L/∂w: ∂L/∂w = data term + {term}",
        "data_term": "data term",
        "total": "∂L/∂w",
        "clip_norm": "clipping: ‖g‖ over all parameters = {norm}; scale = min(1, {c}/(‖g‖ + 1e-6)) = {scale}",
        "clip_scaled": "every gradient is multiplied by the scale before the update",
        "clip_kept": "the norm is within the limit: the gradients are unchanged",
        "clip_value": "clipping: every gradient element into [−{c}, {c}] ({n} elements clipped)",
    },
    "id": {
        "optimizer": {"sgd": "SGD", "momentum": "SGD dengan momentum", "nesterov": "SGD dengan momentum Nesterov",
                      "adagrad": "Adagrad", "rmsprop": "RMSProp", "adam": "Adam", "adamw": "AdamW"},
        "form": {"pytorch": "bentuk PyTorch", "cs231n": "bentuk CS231n/Keras v ← μ·v − lr·g",
                 "ema": "bentuk rata-rata bergerak v ← μ·v + (1 − μ)·g"},
        "eps_inside": "ε di dalam akar kuadrat",
        "centered": "terpusat (centered)",
        "update": "Pembaruan: {settings}",
        "step": "Langkah {step}",
        "weight_decay": "weight decay: g = ∂L/∂w + {lam}·w adalah gradien yang dipakai optimizer (loss tidak berubah)",
        "decoupled": "weight decay terpisah: w′ = w·(1 − lr·{lam}) sebelum langkah Adam (gradien tidak berubah)",
        "quantity": "besaran",
        "with_numbers": "dengan angka",
        "data_loss": "loss data",
        "penalty": "Regularisasi atas {arrays}:",
        "l1_note": "l1′(0) = 0: bobot yang tepat 0 tidak mendapat suku l1 (seperti abs di PyTorch)",
        "reg_terms": "Suku regularisasi tersendiri pada setiap ∂L/∂w: ∂L/∂w = suku data + {term}",
        "data_term": "suku data",
        "total": "∂L/∂w",
        "clip_norm": "clipping: ‖g‖ atas semua parameter = {norm}; skala = min(1, {c}/(‖g‖ + 1e-6)) = {scale}",
        "clip_scaled": "setiap gradien dikalikan dengan skala ini sebelum pembaruan",
        "clip_kept": "norma masih dalam batas: gradien tidak berubah",
        "clip_value": "clipping: setiap elemen gradien ke dalam [−{c}, {c}] ({n} elemen dipotong)",
    },
}
for _lang, _extra in TRAINING_LABELS.items():
    LABELS[_lang]["train"] = _extra


# ── a pre-activation 0 up to rounding, taken as exactly 0 at its kink (render/kinks.py): LABELS[lang]["kink"] ──
KINK_LABELS = {
    "en": {"note": "{node} is {value} in floating point, 0 up to the rounding of its {terms} terms (|{name}| ≤ "
                   "{bound}): taken as exactly 0, at {activation}'s kink ({convention})",
           "sample": " (sample {s})",
           "more": "… and {n} more pre-activations taken as exactly 0 (the JSON lists every one under \"kinks\")"},
    "id": {"note": "{node} bernilai {value} dalam floating point, 0 sampai pembulatan {terms} sukunya (|{name}| ≤ "
                   "{bound}): diambil tepat 0, di titik patah {activation} ({convention})",
           "sample": " (sampel {s})",
           "more": "… dan {n} pra-aktivasi lain diambil tepat 0 (JSON mencantumkan semuanya di \"kinks\")"},
}
for _lang, _extra in KINK_LABELS.items():
    LABELS[_lang]["kink"] = _extra
