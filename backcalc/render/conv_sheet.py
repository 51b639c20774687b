"""The files of a conv exercise (``backcalc exercise --conv``) as text: the spec, the blank sheet and the key.

The sheet asks, each with its formula: every output position's weighted sum and activation, each pool output
(the window's maximum or mean), the flatten and dense units; backwards, ∂L/∂out, ∂out/∂in and δ of every unit and
position, each pool's routing factor ∂p_out/∂c_out, ∂L/∂x of every data element (the full correlation with the
flipped kernel, written as its sum); each kernel element's and bias's gradient (a sum over the output positions)
and its new value.

>>> from backcalc.net.derivation import explain
>>> text = maps_answers_text(explain("worked_examples/conv_pool.toml"), "backcalc exercise --conv", key=True)
>>> lines = text.splitlines()
>>> next(line for line in lines if line.startswith("c112_in"))
'c112_in = 9.0  # w_c1111·x112 + w_c1112·x113 + w_c1121·x122 + w_c1122·x123 + b_c1'
>>> next(line for line in lines if line.startswith("w_c1122"))
'w_c1122 = 0.75  # Σ over the 4 output positions of ∂L/∂c_in·x under w_c1122'
>>> print(next(line for line in lines if line.startswith('"∂p111_out/∂c112_out"')))
"∂p111_out/∂c112_out" = 1.0  # 1 for the window's maximum, 0 for the others
"""

from __future__ import annotations

import numpy as np

from ..grading.spaces import answer_space
from ..net.names import node_in, node_out
from ..tape.rules import RULES
from .sheet import LOSS_FORMULA, WORDS, _list, _num, _string, _Writer

CONV_WORDS = {
    "en": {
        "task": ["Work out by hand the forward pass (each output position's weighted sum, the pool, the dense unit),",
                 "the loss, the chain-rule factors back to the data (∂L/∂x), every kernel gradient — a sum over the",
                 "output positions — and the parameters after one SGD step; write them into sheet.toml and check with",
                 "    backcalc check exercise.toml sheet.toml"],
        "max": "max({window})", "avg": "({window})/{size}",
        "route_max": "1 for the window's maximum, 0 for the others", "route_avg": "1/{size}: every input's share",
        "pool_back": "Σ over the windows holding it of ∂L/∂p_out·∂p_out/∂{unit}",
        "flat": "= {source} (flatten)", "flat_back": "= ∂L/∂{unit} (flatten)",
        "x_back": "Σ over the positions whose window covers it of ∂L/∂c_in·w (the kernel flipped)",
        "kernel": "Σ over the {P} output positions of ∂L/∂{layer}_in·x under {name}",
        "bias": "Σ over the {P} output positions of ∂L/∂{layer}_in",
        "kernel_batch": "Σ over the {P} output positions × {S} samples of ∂L/∂{layer}_in·x under {name}",
        "bias_batch": "Σ over the {P} output positions × {S} samples of ∂L/∂{layer}_in",
        "data": "∂L/∂x of the data: the classic exercise",
        "title": "Conv 2×2 on 3×5, ReLU, {pool}-pool 2×2, one linear unit",
    },
    "id": {
        "task": ["Hitung dengan tangan langkah maju (jumlah berbobot setiap posisi keluaran, pooling, unit dense),",
                 "loss, faktor-faktor aturan rantai sampai data (∂L/∂x), setiap gradien kernel — jumlah atas posisi",
                 "keluaran — dan parameter setelah satu langkah SGD; tulis di sheet.toml lalu periksa dengan",
                 "    backcalc check exercise.toml sheet.toml"],
        "max": "max({window})", "avg": "({window})/{size}",
        "route_max": "1 untuk maksimum jendela, 0 untuk yang lain", "route_avg": "1/{size}: bagian setiap input",
        "pool_back": "Σ atas jendela yang memuatnya dari ∂L/∂p_out·∂p_out/∂{unit}",
        "flat": "= {source} (flatten)", "flat_back": "= ∂L/∂{unit} (flatten)",
        "x_back": "Σ atas posisi yang jendelanya menutupinya dari ∂L/∂c_in·w (kernel dibalik)",
        "kernel": "Σ atas {P} posisi keluaran dari ∂L/∂{layer}_in·x di bawah {name}",
        "bias": "Σ atas {P} posisi keluaran dari ∂L/∂{layer}_in",
        "kernel_batch": "Σ atas {P} posisi keluaran × {S} sampel dari ∂L/∂{layer}_in·x di bawah {name}",
        "bias_batch": "Σ atas {P} posisi keluaran × {S} sampel dari ∂L/∂{layer}_in",
        "data": "∂L/∂x data: latihan klasik",
        "title": "Konvolusi 2×2 pada 3×5, ReLU, {pool}-pool 2×2, satu unit linear",
    },
}


def maps_spec_text(doc, command, lang: str = "en") -> str:
    """The exercise's spec file for a net of conv, pool, flatten and dense layers."""
    out = [f"# {command}"] + [f"# {line}" for line in CONV_WORDS[lang]["task"]] + [
        "format = 1", f"title = {_string(doc['title'])}", "", "[data]",
        f"x = {_list(doc['data']['x'])}", f"y = {_list(doc['data']['y'])}"]
    for layer in doc["layers"]:
        out += ["", "[[layers]]"] + [f"{k} = {_string(v) if isinstance(v, str) else _list(v)}"
                                     for k, v in layer.items()]
    out += ["", "[loss]", f"kind = {_string(doc['loss']['kind'])}"]
    out += ["", "[train]", f"learning_rate = {_num(doc['train']['learning_rate'])}", "steps = 1"]
    return "\n".join(out) + "\n"


def maps_answers_text(d, command, key: bool, lang: str = "en", header: dict | None = None) -> str:
    """The sheet (every value "") or the key (every value) of a conv net, commented with each value's formula."""
    W, C = WORDS[lang], CONV_WORDS[lang]
    sp = answer_space(d)
    w = _Writer(sp, key)
    spec = d.spec
    file = "key.toml" if key else "sheet.toml"
    out = [f"# {W['key' if key else 'sheet']} {W['for']} ({command}).", "# " + W["check"].format(file=file)]
    out += [] if key else [f"# {line}" for line in W["fill"]]
    out += ["format = 1"] + ([f"title = {_string(W['key_title'])}"] if key else [])
    header = dict(header or {})
    for field in ("id", "student", "fingerprint"):
        if field in header or (field == "student" and not key):
            out.append(f"{field} = {_string(header.get(field, ''))}")
    per_sample = W["per_sample"].format(S=spec.samples) if spec.samples > 1 else ""
    out += ["", "# " + W["loss"].format(formula=LOSS_FORMULA[spec.loss], reduction=W.get(spec.reduction, spec.reduction)),
            w.line("loss", [sp.loss_item("loss")]), "# " + W["loss_after"],
            w.line("loss_after", [sp.loss_item("loss_after")]), "", "[forward]"]
    out += [f"# {W['nodes']}{per_sample}"] if per_sample else []
    for layer in spec.layers:
        out.append("# " + W["layer"].format(n=layer.index, name=layer.name, activation=getattr(layer, "shown_as", layer.activation)))
        out += _forward(sp, w, layer, C)
    out += ["", "[factors]", f"# {W['factors']}{per_sample}"]
    for layer in reversed(spec.layers):
        out.append("# " + W["layer"].format(n=layer.index, name=layer.name, activation=getattr(layer, "shown_as", layer.activation)))
        out += _backward(sp, w, layer, C)
    if sp.g_x is not None:
        out.append("# " + C["data"])
        out += [w.line(f"∂L/∂{u}", sp.factor_items(f"∂L/∂{u}"), C["x_back"]) for u in spec.input_unit_names]
    lr = f"{spec.learning_rate:g}"
    for section, comment in (("gradients", W["gradients"]), ("updated", W["updated"].format(lr=lr))):
        out += ["", f"[{section}]", f"# {comment}"]
        for name, _ in spec.param_names():
            out.append(w.line(name, sp.name_items(section, name), _param_sum(sp, name, C) if section == "gradients"
                              else ""))
    return "\n".join(out) + "\n"


def _sources(sp, layer) -> list:
    """What each element of the layer's input is called: ``x112`` for the data, ``c112_out`` for a layer."""
    names = sp.spec.unit_names(layer.index - 1)
    return list(names) if layer.index == 1 else [node_out(u) for u in names]


def _forward(sp, w, layer, C) -> list:
    n, out = layer.index, []
    src = _sources(sp, layer)
    if layer.kind == "flatten":
        return [w.line(node_out(u), sp.name_items("forward", node_out(u)), C["flat"].format(source=src[c]))
                for c, u in enumerate(layer.unit_names)]
    if not hasattr(layer, "out_shape"):  # dense
        for c, u in enumerate(layer.unit_names):
            total = " + ".join(f"{sp.wname(n, a, c)}·{s}" for a, s in enumerate(src)) + \
                (f" + {sp.pnames[f'b{n}[{c}]']}" if layer.bias is not None else "")
            out.append(w.line(node_in(u), sp.name_items("forward", node_in(u)), total))
            out.append(w.line(node_out(u), sp.name_items("forward", node_out(u)),
                              RULES[layer.activation].expression(a=node_in(u))))
        return out
    taps = layer.taps()
    spatial = len(src) // layer.in_shape[0]
    P = int(np.prod(layer.out_shape[1:]))
    for c, u in enumerate(layer.unit_names):
        o, pos = divmod(c, P)
        if n in sp.z:  # conv: the weighted sum over the window (padding left out)
            k = taps.shape[0]
            names = [sp.pnames[f"W{n}" + "".join(f"[{i}]" for i in (o, *np.unravel_index(a, layer.weights.shape[1:])))]
                     for a in range(layer.weights[o].size)]
            terms = [f"{names[ch * k + off]}·{src[ch * spatial + taps[off, pos]]}"
                     for ch in range(layer.in_shape[0]) for off in range(k) if taps[off, pos] >= 0]
            out.append(w.line(node_in(u), sp.name_items("forward", node_in(u)),
                              " + ".join(terms) + f" + {sp.pnames[f'b{n}[{o}]']}"))
            out.append(w.line(node_out(u), sp.name_items("forward", node_out(u)),
                              RULES[layer.activation].expression(a=node_in(u))))
        else:  # a pool over its window
            window = ", ".join(src[o * spatial + t] for t in taps[:, pos]) if layer.op == "max" else \
                " + ".join(src[o * spatial + t] for t in taps[:, pos])
            out.append(w.line(node_out(u), sp.name_items("forward", node_out(u)),
                              C[layer.op].format(window=window, size=layer.window)))
    return out


def _backward(sp, w, layer, C) -> list:
    n, out = layer.index, []
    src = _sources(sp, layer)
    upstream = {u.unit: u for u in sp.d.upstream if u.sample == 1 and u.layer == n}
    for c, u in enumerate(layer.unit_names):
        up = upstream.get(u)
        if n < sp.N and sp.spec.layers[n].kind == "flatten":
            how = C["flat_back"].format(unit=node_out(sp.spec.layers[n].unit_names[c]))
        elif n < sp.N and hasattr(sp.spec.layers[n], "out_shape") and n + 1 not in sp.z:
            how = C["pool_back"].format(unit=node_out(u))
        else:
            how = up.formula if up is not None and up.formula else \
                " + ".join(f"{p.grad_name}·{p.weight_name}" for p in (up.paths if up is not None else ()))
        out.append(w.line(f"∂L/∂{node_out(u)}", sp.factor_items(f"∂L/∂{node_out(u)}"), how))
        if n in sp.z and sp.local[n] is not None:
            out.append(w.line(f"∂{node_out(u)}/∂{node_in(u)}", sp.factor_items(f"∂{node_out(u)}/∂{node_in(u)}"),
                              RULES[layer.activation].formula(0, a=node_in(u), out=node_out(u))))
            out.append(w.line(f"∂L/∂{node_in(u)}", sp.factor_items(f"∂L/∂{node_in(u)}"),
                              f"δ = ∂L/∂{node_out(u)}·∂{node_out(u)}/∂{node_in(u)}"))
        if hasattr(layer, "out_shape") and n not in sp.z:  # a pool: the routing factor of each window input
            taps = layer.taps()
            P = int(np.prod(layer.out_shape[1:]))
            o, pos = divmod(c, P)
            spatial = len(src) // layer.in_shape[0]
            how = C["route_max"] if layer.op == "max" else C["route_avg"].format(size=layer.window)
            for t in taps[:, pos]:
                name = f"∂{node_out(u)}/∂{src[o * spatial + t]}"
                out.append(w.line(name, sp.factor_items(name), how))
    return out


def _param_sum(sp, name, C) -> str:
    p = sp.params[name]
    layer = sp.spec.layers[p.layer - 1]
    if not hasattr(layer, "out_shape"):
        return ""
    what = "kernel" if p.kind == "W" else "bias"
    return C[what + ("_batch" if sp.S > 1 else "")].format(P=layer.positions, S=sp.S, layer=layer.name, name=name)
