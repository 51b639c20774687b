"""Every heading and caption the renderers print, in English and Indonesian (the seeds' language)."""

from __future__ import annotations

import re

LABELS = {
    "en": {
        "forward": "Forward pass",
        "layer": "Layer {n} ({name}, {activation})",
        "norm_stats": {  # a normalisation layer's statistics, before its γ·x̂ + β rows
            "batchnorm": "batchnorm: each unit over the {n} samples of the batch (biased variance, eps = {eps})",
            "layernorm": "layernorm: each sample over its {n} units (biased variance, eps = {eps})",
        },
        "compact": "check, the compact form: {formula} with {g}",
        "batch_of_one": "a batch of one sample: var = 0, so xhat = 0/√eps = 0 and the output is beta (as PyTorch "
                        "gives with eps); the gradient reaching the input through this layer is 0",
        "splits": "the gradient splits here: back through {unit}_in, and straight through the skip to {source}",
        "adds_up": "the gradient adds up here: the paths back through the block, plus {path} straight through the skip",
        "skip_layer": "+ the skip from {source}",
        "graph_skip": "skip: + as it is", "graph_norm": "μ, σ²",
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
        "update": "SGD update: new = old − {lr} · gradient",
        "loss_after": "Loss after the update",
        "loss_after_steps": "Loss after {steps} steps",
        "was": "was",
        "history": "Loss history",
        "step": "step",
        "final_params": "Parameters after {steps} steps",
        "large": "This net has {params} parameters and {samples} samples: the per-unit and per-term listings are "
                 "left out (they are for nets of up to {max_params} parameters and {max_samples} samples). "
                 "Use --full to print everything, or --format json for every term.",
        "terms_omitted": "(the per-term records are omitted for a net this size)",
        "col": {
            "parameter": "parameter", "key": "key", "old": "old", "gradient": "gradient", "new": "new",
            "change": "change %", "unit": "unit", "chain": "chain of factors", "values": "values",
            "value": "value", "formula": "formula", "delta": "δ", "upstream": "∂L/∂out", "local": "∂out/∂in",
            "sample": "sample", "loss": "loss", "matrix": "matrix",
        },
        "gradients": "Gradients",
        "graph": "computation graph",
        "graph_caption": "green: forward values; red: gradients",
        "graph_sample": "green: forward values of sample {s} of {n}; red: gradients (∂L/∂w and ∂L/∂b summed over the samples)",
        "graph_input": "input {name} ({units} values)",
        "graph_units": "{units} units",
        "graph_summary": "out: mean {mean}, min {min}, max {max}",
        "focus_paths": "Every path from {unit} to the loss:",
        "html_step": "Show step",
        "loss_over": {"sum": "Σ over samples", "mean": "mean over samples"},
        "layer_summary": "{samples}×{units} outputs, mean {mean}, min {min}, max {max}",
        "data_values": "{rows}×{cols} values",
        "paste_from": "backcalc derivation: paste from here",
        "paste_to": "to here",
        "order_layer": "layer by layer, each layer's update right after its gradients",
        "layer_backward": "Layer {n} ({name}, {activation}): gradients, then the update",
        "html_hint": "Click a weight (an edge), a bias (b_…) or a unit: every path from it to the loss is "
                     "highlighted and its chain of factors appears below. Green: forward values; red: gradients.",
        "html_details": "Click a weight, a bias or a unit in the picture or in the derivation.",
    },
    "id": {
        "forward": "Langkah maju (forward pass)",
        "layer": "Lapisan {n} ({name}, {activation})",
        "norm_stats": {
            "batchnorm": "batchnorm: tiap unit atas {n} sampel dalam batch (varians bias, eps = {eps})",
            "layernorm": "layernorm: tiap sampel atas {n} unitnya (varians bias, eps = {eps})",
        },
        "compact": "periksa, bentuk ringkas: {formula} dengan {g}",
        "batch_of_one": "batch berisi satu sampel: var = 0, jadi xhat = 0/√eps = 0 dan outputnya beta (seperti "
                        "PyTorch dengan eps); gradien yang sampai ke input lewat lapisan ini 0",
        "splits": "gradien bercabang di sini: kembali lewat {unit}_in, dan langsung lewat skip ke {source}",
        "adds_up": "gradien dijumlahkan di sini: jalur-jalur kembali lewat blok, ditambah {path} langsung lewat skip",
        "skip_layer": "+ skip dari {source}",
        "graph_skip": "skip: + apa adanya", "graph_norm": "μ, σ²",
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
        "update": "Pembaruan SGD: baru = lama − {lr} · gradien",
        "loss_after": "Loss setelah pembaruan",
        "loss_after_steps": "Loss setelah {steps} langkah",
        "was": "sebelumnya",
        "history": "Riwayat loss",
        "step": "langkah",
        "final_params": "Parameter setelah {steps} langkah",
        "large": "Jaringan ini memiliki {params} parameter dan {samples} sampel: rincian per unit dan per suku "
                 "tidak ditampilkan (hanya untuk jaringan hingga {max_params} parameter dan {max_samples} sampel). "
                 "Gunakan --full untuk menampilkan semuanya, atau --format json untuk setiap suku.",
        "terms_omitted": "(rincian per suku tidak disimpan untuk jaringan sebesar ini)",
        "col": {
            "parameter": "parameter", "key": "kunci", "old": "lama", "gradient": "gradien", "new": "baru",
            "change": "perubahan %", "unit": "unit", "chain": "rantai faktor", "values": "nilai-nilai",
            "value": "nilai", "formula": "rumus", "delta": "δ", "upstream": "∂L/∂out", "local": "∂out/∂in",
            "sample": "sampel", "loss": "loss", "matrix": "matriks",
        },
        "gradients": "Gradien",
        "graph": "graf komputasi",
        "graph_caption": "hijau: nilai langkah maju; merah: gradien",
        "graph_sample": "hijau: nilai langkah maju sampel {s} dari {n}; merah: gradien (∂L/∂w dan ∂L/∂b dijumlahkan atas semua sampel)",
        "graph_input": "input {name} ({units} nilai)",
        "graph_units": "{units} unit",
        "graph_summary": "out: rata-rata {mean}, min {min}, maks {max}",
        "focus_paths": "Semua jalur dari {unit} ke loss:",
        "html_step": "Tampilkan langkah",
        "loss_over": {"sum": "Σ atas semua sampel", "mean": "rata-rata atas semua sampel"},
        "layer_summary": "{samples}×{units} output, rata-rata {mean}, min {min}, maks {max}",
        "data_values": "{rows}×{cols} nilai",
        "paste_from": "backcalc: salin mulai dari sini",
        "paste_to": "sampai sini",
        "order_layer": "lapisan demi lapisan, pembaruan tiap lapisan tepat setelah gradiennya",
        "layer_backward": "Lapisan {n} ({name}, {activation}): gradien, lalu pembaruan",
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
           "grade_hint": "grade the class with: {command}", "wrote_files": "backcalc: wrote {paths}"},
    "id": {"wrote": "ditulis: {path}", "check_hint": "periksa jawaban dengan: {command}",
           "wrote_class": "{n} berkas ditulis untuk {students} mahasiswa di {out}", "moodle": " dan kuis Moodle {moodle}",
           "grade_hint": "nilai kelas dengan: {command}", "wrote_files": "backcalc: ditulis {paths}"},
}


def cli_labels(lang: str) -> dict:
    """The command line's lines in ``lang``."""
    return CLI[lang]

# Words inside formulas the records carry (the loss table writes ∂L/∂out of cross-entropy with an Iverson
# bracket in words): each language's wording, applied by the renderers to the text they print.
PHRASES = {
    "en": (),
    "id": ((re.compile(r"\[(\w+) is the true class\]"), r"[\1 kelas yang benar]"),),
}


def localize(text: str, lang: str) -> str:
    """``text`` with the words of record formulas in ``lang``: ``[o1 is the true class]`` → ``[o1 kelas yang benar]``."""
    for pattern, words in PHRASES.get(lang, ()):
        text = pattern.sub(words, text)
    return text


def labels(lang: str) -> dict:
    return LABELS[lang]


# ───────────── the vanishing-gradient study (render/vanishing.py): every word it prints ─────────────
# Numbers arrive formatted; {d} is the output layer's number, {k} a count of layers.
VANISHING = {
    "en": {
        "title": "Vanishing gradients: {depth} {layers} {sizes}, {act}, {loss}",
        "weight_layer": "weight layer", "weight_layers": "weight layers",
        "everywhere": "{act} everywhere", "output_act": "{act}, {output} output",
        "configurations": "{n} configurations, {output} output",
        "residual": "residual connections", "batchnorm": "batch normalisation", "batchnorm_after":
        "batch normalisation after the activation",
        "preset": "preset {name}",
        "data": "data {data}: {samples} samples × {features} features{scaled}, {targets}; seed {seed}; statistics of "
                "one forward and one backward pass over all {rows} training rows",
        "scaled": " in [−1, 1]",
        "binary": "binary targets", "classes": "{n} classes",
        "split": " ({test} rows held out as test data, train_test_split with random_state {data_seed})",
        "sklearn_moons": "make_moons(noise={noise}, random_state={data_seed}) as scikit-learn draws it",
        "init_line": "init {init} = {formula}; loss before training {loss}{acc}",
        "acc_before": ", accuracy {acc}",
        "col": {"layer": "layer", "units": "units", "mean_a": "mean a", "mean_grad_a": "mean ∂L/∂a",
                "rms_grad_a": "rms ∂L/∂a", "mean_f": "mean f′ (bound)", "mean_abs_grad_W": "mean |∂L/∂W|",
                "grad_norm_W": "‖∂L/∂W‖", "next": "÷ next", "dead": "dead units", "saturated": "saturated",
                "epoch": "epoch", "loss": "loss", "accuracy": "accuracy", "test_accuracy": "test accuracy",
                "row": "row", "config": "configuration"},
        "cmp": {"norms": "‖∂L/∂W‖ of layer", "accuracy_before": "accuracy before", "first_to_last": "‖∂L/∂W‖ first ÷ last", "backward": "rms ∂L/∂a first ÷ last hidden",
                "status": "status", "verdict": "verdict", "loss": "loss before", "final_loss": "loss after",
                "accuracy": "accuracy after", "test_accuracy": "test accuracy",
                "to_half": "epochs to half the loss", "first_change": "layer 1 weight change %",
                "training": "training"},
        "status": {"vanishing": "vanishing", "exploding": "exploding", "stable": "stable", "dead": "dead"},
        "code": {"nonfinite": "non-finite", "symmetric": "symmetric", "saturated": "saturated",
                 "dead_units": "dead units", "signal_vanishes": "signal vanishes", "signal_explodes":
                 "signal explodes", "no_gradient": "no gradient", "vanishing": "vanishing", "exploding": "exploding",
                 "flat": "flat", "stable": "stable", "learned": "learned", "stalled": "stalled", "worse": "worse",
                 "diverged": "diverged"},
        "never": "never",
        "chart_none": "‖∂L/∂W‖ per layer: no finite nonzero gradient to draw",
        "chart": "‖∂L/∂W‖ per layer, log scale: an empty bar is 1e{lo}, a full one 1e{hi}",
        "chart_layer": "layer",
        "v_nonfinite": "exploding: inf/NaN first appears in the {where} pass at layer {layer} ({node}); the weights are "
                       "far too large for this depth",
        "where": {"forward": "forward", "backward": "backward"},
        "v_symmetric": "symmetric: in each of the {layers} hidden layers all {units} units output the same value for "
                       "every sample (largest spread across units {spread}), so each gets the same gradient and they "
                       "stay identical — training cannot tell them apart. Nothing is saturated: the tape recorded "
                       "mean f′ = {mean_derivative} in layer 1; identical initial weights do it. {zero} of the {depth} "
                       "layers get ‖∂L/∂W‖ = 0.",
        "v_saturated": "saturated: in layer {layer}, {fraction} of the f′ values the tape recorded are below 1 % of "
                       "their bound (mean f′ {mean_derivative}, bound {bound}); {count} of the {hidden} hidden layers "
                       "are mostly saturated. The units sit on the activation's flat tails, so the chain rule "
                       "multiplies by almost 0{tail}.",
        "v_saturated_ratio": " (layer 1's ‖∂L/∂W‖ is {ratio} × layer {d}'s)",
        "v_saturated_zero": " and no gradient reaches layer 1",
        "v_dead_units": "dead units: {dead} of the {units} units of layer {layer} have f′ = 0 on every sample (they "
                        "output a constant whatever the input); {dead_total} of the {units_total} hidden units in all "
                        "(per layer: {per_layer}). No gradient passes a dead unit, so its incoming weights never "
                        "change.",
        "v_signal": "{status}: the activations' rms changes {growth} × from layer 1 ({first}) to layer {last_layer} "
                    "({last}){tail}.",
        "v_signal_zero": "; the output saturates or dies, so every ∂L/∂W is exactly 0",
        "v_signal_scaled": ", and every ∂L/∂W = aᵀ·δ is scaled with it — compare the sizes, not only the ratio "
                           "(layer 1's ‖∂L/∂W‖ is {ratio} × layer {d}'s)",
        "v_no_gradient": "no gradient: every ∂L/∂W is exactly 0 in all {layers} layers.",
        "v_flow": "{code}: the gradient reaching layer {first_layer}'s output has rms {first}, {ratio} × the {last} "
                  "reaching layer {last_layer}'s{per_layer}.",
        "v_flow_weights": "{code}: layer {first_layer}'s ‖∂L/∂W‖ is {ratio} × layer {last_layer}'s.",
        "v_per_layer": " — about {factor} per layer",
        "v_none": "{code}: layer 1 gets no gradient at all while layer {d} does.",
        "v_why_vanishing": " The mean f′ the tape recorded in layers {a}–{b} multiply to {product}; the weights do "
                           "the rest.",
        "v_why_exploding": " Large weights multiply the gradient at every layer on the way back.",
        "v_flat": " It neither vanishes nor explodes.",
        "v_stable": " Within two orders of magnitude.",
        "v_weights_note": " (‖∂L/∂W‖ of layer 1 is {ratio} × layer {d}'s: each ∂L/∂W = aᵀ·δ also scales with the "
                          "layer's input.)",
        "v_dead_note": " {dead} of the {units} hidden units are dead (f′ = 0 on every sample).",
        "training_intro": "{who}training with {optimizer}, learning rate {lr}, batches of {batch}, {epochs} epochs on "
                          "{data} data; after each epoch the loss and the gradients over all training rows "
                          "(epoch 0 is the untrained net above)",
        "optimizer": {"sgd": "SGD", "momentum": "SGD with momentum {momentum}", "adam": "Adam"},
        "norms_caption": "loss, accuracy and ‖∂L/∂W‖ per layer:",
        "change_caption": "weight change over the epoch, 100·‖ΔW‖/‖W‖ (%):",
        "every": "(every {k}th epoch and the last shown; --format json has them all)",
        "stopped": "stopped after epoch {n}: the loss is no longer finite (diverged)",
        "t_learned": "{who}learned: after {epochs} epochs the loss went from {before} to {after} ({change} %)",
        "t_stalled": "{who}stalled: after {epochs} epochs the loss moved only from {before} to {after} ({change} %)",
        "t_worse": "{who}got worse: after {epochs} epochs the loss rose from {before} to {after} ({change} %)",
        "t_diverged": "{who}diverged: the loss stopped being finite in epoch {epochs}",
        "t_accuracy": "; accuracy {before} → {after}",
        "t_test": ", {test} on the held-out rows",
        "t_weights": "; layer 1's weights changed by {first} % in all, layer {d}'s by {last} %",
        "t_half": "; the loss fell to half its first value in epoch {epoch}",
        "t_no_half": "; it never fell to half its first value",
        "t_dead": "; {dead} of the {units} hidden units are dead after training",
        "weights_title": "{who}layer {layer}'s weights before and after training (change {change} %):",
        "weights_summary": "{who}layer {layer}'s weights ({rows}×{cols}): ‖W‖ {before} before, {after} after training, "
                           "change {change} %, largest |Δw| {delta}",
        "before": "before", "after": "after",
        "loss_epochs": "loss per epoch (epoch 0: untrained):",
        "acc_epochs": "accuracy per epoch:",
        "plot_norms": "gradient norm per layer", "plot_layer": "layer (1 = input side)",
        "plot_hist": "{label}: log10 |∂L/∂W| per layer{when}", "plot_acts": "{label}: activations per layer{when}",
        "plot_after": " after {n} epochs", "plot_count": "count (log)", "plot_value": "activation value",
        "plot_loss": "loss per epoch", "plot_accuracy": "accuracy per epoch", "plot_epoch": "epoch",
        "plot_weights": "{label}: layer 1's weights", "plot_before": "before training", "plot_after_w": "after training",
        "plot_zeros": "{n} exact zeros",
    },
    "id": {
        "title": "Gradien menghilang: {depth} {layers} {sizes}, {act}, {loss}",
        "weight_layer": "lapisan bobot", "weight_layers": "lapisan bobot",
        "everywhere": "{act} di semua lapisan", "output_act": "{act}, output {output}",
        "configurations": "{n} konfigurasi, output {output}",
        "residual": "koneksi residual", "batchnorm": "normalisasi batch", "batchnorm_after":
        "normalisasi batch setelah aktivasi",
        "preset": "preset {name}",
        "data": "data {data}: {samples} sampel × {features} fitur{scaled}, {targets}; seed {seed}; statistik dari "
                "satu langkah maju dan satu langkah mundur atas semua {rows} baris latih",
        "scaled": " dalam [−1, 1]",
        "binary": "target biner", "classes": "{n} kelas",
        "split": " ({test} baris disisihkan sebagai data uji, train_test_split dengan random_state {data_seed})",
        "sklearn_moons": "make_moons(noise={noise}, random_state={data_seed}) persis seperti scikit-learn",
        "init_line": "inisialisasi {init} = {formula}; loss sebelum pelatihan {loss}{acc}",
        "acc_before": ", akurasi {acc}",
        "col": {"layer": "lapisan", "units": "unit", "mean_a": "rata-rata a", "mean_grad_a": "rata-rata ∂L/∂a",
                "rms_grad_a": "rms ∂L/∂a", "mean_f": "rata-rata f′ (batas)", "mean_abs_grad_W": "rata-rata |∂L/∂W|",
                "grad_norm_W": "‖∂L/∂W‖", "next": "÷ berikutnya", "dead": "unit mati", "saturated": "jenuh",
                "epoch": "epoch", "loss": "loss", "accuracy": "akurasi", "test_accuracy": "akurasi uji",
                "row": "baris", "config": "konfigurasi"},
        "cmp": {"norms": "‖∂L/∂W‖ lapisan", "accuracy_before": "akurasi sebelum", "first_to_last": "‖∂L/∂W‖ pertama ÷ terakhir", "backward": "rms ∂L/∂a tersembunyi pertama ÷ terakhir",
                "status": "status", "verdict": "putusan", "loss": "loss sebelum", "final_loss": "loss sesudah",
                "accuracy": "akurasi sesudah", "test_accuracy": "akurasi uji",
                "to_half": "epoch hingga loss separuh", "first_change": "perubahan bobot lapisan 1 %",
                "training": "pelatihan"},
        "status": {"vanishing": "menghilang", "exploding": "meledak", "stable": "stabil", "dead": "mati"},
        "code": {"nonfinite": "tak hingga", "symmetric": "simetris", "saturated": "jenuh",
                 "dead_units": "unit mati", "signal_vanishes": "sinyal menghilang", "signal_explodes":
                 "sinyal meledak", "no_gradient": "tanpa gradien", "vanishing": "menghilang", "exploding": "meledak",
                 "flat": "datar", "stable": "stabil", "learned": "belajar", "stalled": "macet", "worse": "memburuk",
                 "diverged": "divergen"},
        "never": "tidak pernah",
        "chart_none": "‖∂L/∂W‖ per lapisan: tidak ada gradien hingga dan bukan nol untuk digambar",
        "chart": "‖∂L/∂W‖ per lapisan, skala log: batang kosong 1e{lo}, batang penuh 1e{hi}",
        "chart_layer": "lapisan",
        "v_nonfinite": "meledak: inf/NaN pertama muncul pada langkah {where} di lapisan {layer} ({node}); bobotnya "
                       "terlalu besar untuk kedalaman ini",
        "where": {"forward": "maju", "backward": "mundur"},
        "v_symmetric": "simetris: di setiap {layers} lapisan tersembunyi, semua {units} unit mengeluarkan nilai yang "
                       "sama untuk setiap sampel (sebaran terbesar antar-unit {spread}), sehingga semuanya menerima "
                       "gradien yang sama dan tetap identik — pelatihan tidak dapat membedakannya. Tidak ada yang "
                       "jenuh: tape mencatat rata-rata f′ = {mean_derivative} di lapisan 1; penyebabnya bobot awal "
                       "yang identik. {zero} dari {depth} lapisan mendapat ‖∂L/∂W‖ = 0.",
        "v_saturated": "jenuh: di lapisan {layer}, {fraction} nilai f′ yang dicatat tape di bawah 1 % batasnya "
                       "(rata-rata f′ {mean_derivative}, batas {bound}); {count} dari {hidden} lapisan tersembunyi "
                       "sebagian besar jenuh. Unit-unitnya berada di ekor datar fungsi aktivasi, sehingga aturan "
                       "rantai mengalikan dengan hampir 0{tail}.",
        "v_saturated_ratio": " (‖∂L/∂W‖ lapisan 1 adalah {ratio} × milik lapisan {d})",
        "v_saturated_zero": " dan tidak ada gradien yang sampai ke lapisan 1",
        "v_dead_units": "unit mati: {dead} dari {units} unit lapisan {layer} memiliki f′ = 0 pada setiap sampel "
                        "(outputnya konstan apa pun inputnya); total {dead_total} dari {units_total} unit tersembunyi "
                        "(per lapisan: {per_layer}). Gradien tidak melewati unit mati, sehingga bobot masuknya tidak "
                        "pernah berubah.",
        "v_signal": "{status}: rms aktivasi berubah {growth} × dari lapisan 1 ({first}) ke lapisan {last_layer} "
                    "({last}){tail}.",
        "v_signal_zero": "; output jenuh atau mati, sehingga setiap ∂L/∂W tepat 0",
        "v_signal_scaled": ", dan setiap ∂L/∂W = aᵀ·δ ikut terskala — bandingkan besarnya, bukan hanya rasionya "
                           "(‖∂L/∂W‖ lapisan 1 adalah {ratio} × milik lapisan {d})",
        "v_no_gradient": "tanpa gradien: setiap ∂L/∂W tepat 0 di semua {layers} lapisan.",
        "v_flow": "{code}: gradien yang sampai ke output lapisan {first_layer} memiliki rms {first}, {ratio} × nilai "
                  "{last} yang sampai ke lapisan {last_layer}{per_layer}.",
        "v_flow_weights": "{code}: ‖∂L/∂W‖ lapisan {first_layer} adalah {ratio} × milik lapisan {last_layer}.",
        "v_per_layer": " — sekitar {factor} per lapisan",
        "v_none": "{code}: lapisan 1 tidak mendapat gradien sama sekali sementara lapisan {d} mendapatkannya.",
        "v_why_vanishing": " Rata-rata f′ yang dicatat tape di lapisan {a}–{b} jika dikalikan menjadi {product}; "
                           "bobot menyumbang sisanya.",
        "v_why_exploding": " Bobot yang besar mengalikan gradien di setiap lapisan saat mundur.",
        "v_flat": " Gradien tidak menghilang dan tidak meledak.",
        "v_stable": " Masih dalam dua orde besaran.",
        "v_weights_note": " (‖∂L/∂W‖ lapisan 1 adalah {ratio} × milik lapisan {d}: setiap ∂L/∂W = aᵀ·δ juga "
                          "terskala oleh input lapisannya.)",
        "v_dead_note": " {dead} dari {units} unit tersembunyi mati (f′ = 0 pada setiap sampel).",
        "training_intro": "{who}pelatihan dengan {optimizer}, learning rate {lr}, batch berisi {batch}, {epochs} epoch "
                          "pada data {data}; setelah setiap epoch, loss dan gradien atas semua baris latih "
                          "(epoch 0 adalah jaringan sebelum dilatih di atas)",
        "optimizer": {"sgd": "SGD", "momentum": "SGD dengan momentum {momentum}", "adam": "Adam"},
        "norms_caption": "loss, akurasi dan ‖∂L/∂W‖ per lapisan:",
        "change_caption": "perubahan bobot selama epoch, 100·‖ΔW‖/‖W‖ (%):",
        "every": "(ditampilkan setiap epoch ke-{k} dan yang terakhir; --format json memuat semuanya)",
        "stopped": "berhenti setelah epoch {n}: loss tidak lagi hingga (divergen)",
        "t_learned": "{who}belajar: setelah {epochs} epoch loss turun dari {before} ke {after} ({change} %)",
        "t_stalled": "{who}macet: setelah {epochs} epoch loss hanya bergerak dari {before} ke {after} ({change} %)",
        "t_worse": "{who}memburuk: setelah {epochs} epoch loss naik dari {before} ke {after} ({change} %)",
        "t_diverged": "{who}divergen: loss tidak lagi hingga pada epoch {epochs}",
        "t_accuracy": "; akurasi {before} → {after}",
        "t_test": ", {test} pada data uji",
        "t_weights": "; bobot lapisan 1 berubah {first} % seluruhnya, lapisan {d} {last} %",
        "t_half": "; loss turun ke separuh nilai awalnya pada epoch {epoch}",
        "t_no_half": "; loss tidak pernah turun ke separuh nilai awalnya",
        "t_dead": "; {dead} dari {units} unit tersembunyi mati setelah pelatihan",
        "weights_title": "{who}bobot lapisan {layer} sebelum dan sesudah pelatihan (perubahan {change} %):",
        "weights_summary": "{who}bobot lapisan {layer} ({rows}×{cols}): ‖W‖ {before} sebelum, {after} sesudah "
                           "pelatihan, perubahan {change} %, |Δw| terbesar {delta}",
        "before": "sebelum", "after": "sesudah",
        "loss_epochs": "loss per epoch (epoch 0: belum dilatih):",
        "acc_epochs": "akurasi per epoch:",
        "plot_norms": "norma gradien per lapisan", "plot_layer": "lapisan (1 = sisi input)",
        "plot_hist": "{label}: log10 |∂L/∂W| per lapisan{when}", "plot_acts": "{label}: aktivasi per lapisan{when}",
        "plot_after": " setelah {n} epoch", "plot_count": "jumlah (log)", "plot_value": "nilai aktivasi",
        "plot_loss": "loss per epoch", "plot_accuracy": "akurasi per epoch", "plot_epoch": "epoch",
        "plot_weights": "{label}: bobot lapisan 1", "plot_before": "sebelum pelatihan", "plot_after_w": "sesudah pelatihan",
        "plot_zeros": "{n} nol tepat",
    },
}


def vanishing_labels(lang: str) -> dict:
    """The vanishing study's words in ``lang`` (``en`` or ``id``)."""
    return VANISHING[lang]


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
