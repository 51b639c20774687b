"""The words of the symbolic working and the matrix form (render/working.py), in English and Indonesian.

A reason's formula is never written here: the renderer puts the rule table's after the words.
"""

from __future__ import annotations

WORKING = {
    "en": {
        "title": "Symbolic working: the rules before the numbers",
        "topic": {
            "loss": "∂L/∂out from the loss",
            "activation": "the derivative of {name} (layer {layers})",
            "weighted_sum": "the weighted sum of {unit} and its partial derivatives",
            "delta_rule": "the general rule for δ, and it at {unit}",
        },
        "reason": {
            "definition": "definition",
            "loss_term": "the loss of one sample",
            "logit_loss": "a linear output is a logit: the loss is softplus of it minus the target times it",
            "true_class": "only the true class's output enters",
            "quotient": "quotient rule, times the derivative of the denominator (chain rule)",
            "quotient_uv": "quotient rule",
            "power": "power rule, times the derivative of the difference (chain rule)",
            "log": "derivative of the logarithm",
            "softplus": "derivative of softplus",
            "log_softmax": "derivative of log-softmax",
            "piecewise": "each piece on its own side of 0",
            "identity": "the derivative of z itself",
            "kronecker": "written with δ_ij = [i = j]",
            "instance": "at a unit of this net",
            "product": "product rule",
            "sum": "sum rule",
            "chain": "chain rule",
            "paths": "sum over every path to the loss",
            "delta": "the general rule",
        },
        "matrix_title": "Matrix form (rows are samples, ⊙ multiplies element by element)",
        "matrix_layer": "Layer {n} ({name}, {activation})",
        "matrix_softmax": "softmax: δ{n} row by row through its Jacobian (the δ table above)",
    },
    "id": {
        "title": "Uraian simbolik: aturan sebelum angka",
        "topic": {
            "loss": "∂L/∂out dari fungsi loss",
            "activation": "turunan {name} (lapisan {layers})",
            "weighted_sum": "jumlah berbobot {unit} dan turunan parsialnya",
            "delta_rule": "aturan umum δ, dan penerapannya pada {unit}",
        },
        "reason": {
            "definition": "definisi",
            "loss_term": "loss satu sampel",
            "logit_loss": "output linear adalah logit: loss = softplus-nya dikurangi target kali logit",
            "true_class": "hanya output kelas yang benar yang masuk",
            "quotient": "aturan hasil bagi, dikali turunan penyebut (aturan rantai)",
            "quotient_uv": "aturan hasil bagi",
            "power": "aturan pangkat, dikali turunan selisihnya (aturan rantai)",
            "log": "turunan logaritma",
            "softplus": "turunan softplus",
            "log_softmax": "turunan log-softmax",
            "piecewise": "tiap bagian di sisi 0-nya sendiri",
            "identity": "turunan z terhadap dirinya",
            "kronecker": "ditulis dengan δ_ij = [i = j]",
            "instance": "pada sebuah unit jaringan ini",
            "product": "aturan perkalian",
            "sum": "aturan penjumlahan",
            "chain": "aturan rantai",
            "paths": "jumlah atas semua jalur ke loss",
            "delta": "aturan umum",
        },
        "matrix_title": "Bentuk matriks (baris = sampel, ⊙ mengalikan elemen demi elemen)",
        "matrix_layer": "Lapisan {n} ({name}, {activation})",
        "matrix_softmax": "softmax: δ{n} baris demi baris melalui Jacobian-nya (tabel δ di atas)",
    },
}


def working_labels(lang: str) -> dict:
    """The symbolic working's and the matrix form's words in ``lang``."""
    return WORKING[lang]
