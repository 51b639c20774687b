"""The words of the mistakes of nets with convolution and pooling (backcalc.grading.conv_mistakes), in English
and Indonesian; :mod:`backcalc.render.check` adds them to its catalogue of mistake words."""

from __future__ import annotations

CONV_MISTAKES = {
    "en": {
        "kernel_flipped": "convolution with the flipped kernel where correlation was meant: {layer}'s kernel rotated "
                          "180° in the forward; a conv layer (as PyTorch's) is a cross-correlation, "
                          "z = Σ w·x(pos + offset) with the kernel as it is",
        "kernel_gradient_flipped": "∂L/∂W of {layer} rotated 180° (a convolution where correlation was meant): "
                                   "∂L/∂w at offset (p, q) is Σ over positions of ∂L/∂pos_in·x(pos + (p, q)), "
                                   "no flip",
        "kernel_not_flipped": "correlation where convolution was meant: ∂L/∂x through {layer} taken with the kernel "
                              "as it is; each input gets Σ ∂L/∂pos_in·w over the positions whose window covers it, "
                              "the w that joined them — the full correlation with the flipped kernel",
        "one_position": "the sum over positions left out: only one output position's term{at}; a kernel element (or "
                        "bias) of {layer} is used at every output position, and ∂L/∂w sums the terms of all of them",
        "pool_spread": "pool gradient spread over the window instead of routed to the max: ∂L/∂{layer}_out shared "
                       "1/{size} to each input; a max-pool passes it to the window's maximum only",
        "pool_spread_whole": "pool gradient spread over the window instead of routed to the max: all of "
                             "∂L/∂{layer}_out given to each input; a max-pool passes it to the window's maximum only",
        "pool_to_max": "the average pool's gradient routed to the window's maximum as in a max-pool; an average "
                       "gives every input of the window its 1/{size} share",
        "at": " ({position})",
    },
    "id": {
        "kernel_flipped": "konvolusi dengan kernel terbalik padahal yang dimaksud korelasi: kernel {layer} diputar "
                          "180° di langkah maju; lapisan conv (seperti PyTorch) adalah korelasi silang, "
                          "z = Σ w·x(posisi + geseran) dengan kernel apa adanya",
        "kernel_gradient_flipped": "∂L/∂W {layer} diputar 180° (konvolusi padahal yang dimaksud korelasi): ∂L/∂w "
                                   "pada geseran (p, q) adalah Σ atas posisi dari ∂L/∂pos_in·x(posisi + (p, q)), "
                                   "tanpa pembalikan",
        "kernel_not_flipped": "korelasi padahal yang dimaksud konvolusi: ∂L/∂x lewat {layer} dihitung dengan kernel "
                              "apa adanya; setiap input mendapat Σ ∂L/∂pos_in·w atas posisi yang jendelanya "
                              "menutupinya, w yang menghubungkan keduanya — korelasi penuh dengan kernel terbalik",
        "one_position": "jumlah atas posisi terlupa: hanya suku satu posisi keluaran{at}; elemen kernel (atau "
                        "bias) {layer} dipakai di setiap posisi keluaran, dan ∂L/∂w menjumlahkan suku semuanya",
        "pool_spread": "gradien pooling disebar ke seluruh jendela, bukan diarahkan ke maksimum: ∂L/∂{layer}_out "
                       "dibagi 1/{size} ke setiap input; max-pool meneruskannya hanya ke maksimum jendela",
        "pool_spread_whole": "gradien pooling disebar ke seluruh jendela, bukan diarahkan ke maksimum: seluruh "
                             "∂L/∂{layer}_out diberikan ke setiap input; max-pool meneruskannya hanya ke maksimum "
                             "jendela",
        "pool_to_max": "gradien average pooling diarahkan ke maksimum jendela seperti max-pool; rata-rata memberi "
                       "setiap input jendela bagian 1/{size}",
        "at": " ({position})",
    },
}


def params(code: str, p: dict) -> dict:
    """The words a template needs beside the mistake's own: the position named, when one is."""
    if code == "one_position":
        p["at"] = f" ({p['position']})" if p.get("position") else ""
    return p
