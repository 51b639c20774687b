"""Every word the vanishing-gradient study prints (text, Markdown, figures), in English and Indonesian."""

from __future__ import annotations

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
