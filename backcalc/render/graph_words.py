"""The words of the mistakes of nets with skips and normalisation layers (backcalc.grading.graph_mistakes), in
English and Indonesian; :mod:`backcalc.render.check` adds them to its catalogue of mistake words."""

from __future__ import annotations

GRAPH_MISTAKES = {
    "en": {
        "norm_stats_constant": "the paths through mu and var left out in layer {layer}: mu and sigma treated as "
                               "constants, so ∂L/∂x = ∂L/∂xhat/sigma without the paths through var and mu",
        "unbiased_variance": "the unbiased variance (divided by N − 1 = {n_less}) in layer {layer}; training mode "
                             "divides by N = {n}",
        "eps_left_out": "eps left out in layer {layer}: xhat = (x − mu)/√var instead of (x − mu)/√(var + {eps})",
        "skip_left_out": "the skip path left out of the sum: ∂L/∂{source}_out also gets ∂L/∂{layer}_out·1 straight "
                         "through the skip from {source} to {layer}",
        "skip_twice": "the skip's gradient counted twice: ∂L/∂{layer}_out·1 comes straight through the skip once",
    },
    "id": {
        "norm_stats_constant": "jalur lewat mu dan var terlupa di lapisan {layer}: mu dan sigma dianggap konstan, "
                               "jadi ∂L/∂x = ∂L/∂xhat/sigma tanpa jalur lewat var dan mu",
        "unbiased_variance": "varians tak bias (dibagi N − 1 = {n_less}) di lapisan {layer}; mode pelatihan "
                             "membagi dengan N = {n}",
        "eps_left_out": "eps terlupa di lapisan {layer}: xhat = (x − mu)/√var, seharusnya (x − mu)/√(var + {eps})",
        "skip_left_out": "jalur skip terlupa dari jumlah: ∂L/∂{source}_out juga mendapat ∂L/∂{layer}_out·1 langsung "
                         "lewat skip dari {source} ke {layer}",
        "skip_twice": "gradien skip dihitung dua kali: ∂L/∂{layer}_out·1 datang langsung lewat skip satu kali saja",
    },
}


def params(code: str, p: dict) -> dict:
    """The numbers a template needs beside the mistake's own (N − 1)."""
    if code == "unbiased_variance":
        p["n_less"] = p["n"] - 1
    return p
