"""Every heading and caption the renderers print, in English and Indonesian (the seeds' language)."""

from __future__ import annotations

LABELS = {
    "en": {
        "forward": "Forward pass",
        "layer": "Layer {n} ({name}, {activation})",
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
    },
    "id": {
        "forward": "Langkah maju (forward pass)",
        "layer": "Lapisan {n} ({name}, {activation})",
        "sample": "sampel {s}",
        "loss": "Loss (fungsi kerugian)",
        "loss_kind": {
            "half_sse": "setengah galat kuadrat", "sse": "galat kuadrat", "mse": "rata-rata galat kuadrat",
            "bce": "binary cross-entropy", "cross_entropy": "cross-entropy",
        },
        "true_class": "peluang kelas yang benar",
        "reduction": {"sum": "dijumlahkan atas semua sampel", "mean": "dirata-ratakan atas semua sampel"},
        "setup": "input {x}; target {y}; loss: {loss}, {reduction}; learning rate {lr}",
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
    },
}

LANGUAGES = tuple(LABELS)


def labels(lang: str) -> dict:
    return LABELS[lang]
