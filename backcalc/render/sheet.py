"""The files of an exercise as text: the spec, the blank answer sheet and the answer key, commented in English or
Indonesian. Every key the checker understands is listed (node values, factors, gradients, new parameters, both
losses), each with its formula; sheet and key carry the student's ``id`` and name and the exercise's fingerprint.

>>> from backcalc.net.derivation import explain
>>> text = answers_text(explain(), "backcalc exercise", key=False, lang="id",
...                     header={"id": "s01", "student": "Ani", "fingerprint": "0123456789"})
>>> [line for line in text.splitlines() if line.startswith(("id =", "student =", "fingerprint ="))]
['id = "s01"', 'student = "Ani"', 'fingerprint = "0123456789"']
"""

from __future__ import annotations

import json

from ..net.names import bias_name, node_drop, node_in, node_out, weight_name
from ..grading.spaces import answer_space
from ..grading.state_keys import state_names
from ..tape.rules import RULES

WORDS = {
    "en": {
        "task": ["Work out by hand the forward pass, the loss, the chain-rule factors, every gradient and the weights",
                 "after one SGD step; write them into sheet.toml and check them with",
                 "    backcalc check exercise.toml sheet.toml"],
        "sheet": "Answer sheet", "key": "Answer key", "for": "for exercise.toml", "key_title": "answer key",
        "variant": "the variant of {id}",
        "check": "Check with:  backcalc check exercise.toml {file}",
        "fill": ["Replace each \"\" with a number; keep \"\" where you have no answer (blanks are not graded).",
                 "Write as many digits as you like: a value rounded at the precision you write it in is accepted;",
                 "a value with too few digits to show its step is accepted but marked (write more to show it)."],
        "loss": "the loss before the update: L = {formula}, {reduction} over the samples",
        "loss_after": "the loss after one SGD step (the forward pass again, with the new weights)",
        "per_sample": " (one value per sample: {S})", "nodes": "node values",
        "layer": "layer {n} ({name}, {activation})",
        "factors": "the chain-rule factors, backwards from the loss",
        "last": "layer {n}: the last factor of each parameter's chain, and the weights on the paths back",
        "softmax_delta": "δ (softmax: a sum over the layer's outputs)",
        "gradients": "∂L/∂parameter for every weight and bias",
        "updated": "the parameters after one SGD step: new = old − {lr}·gradient",
        "updated_optim": "the parameters after one {optimizer} step (torch.optim's formulas, lr = {lr})",
        "state": "the optimizer's state {name} after the step (PyTorch's name), one value per parameter",
        "sum": "sum", "mean": "mean",
        "over_batch": "the samples of the batch", "over_units": "the units of the sample",
        "mean_of": "mean of {x} over {over}", "var_of": "mean of ({x} − {mu})² over {over} (biased: ÷ N)",
    },
    "id": {
        "task": ["Hitung dengan tangan langkah maju, loss, faktor-faktor aturan rantai, setiap gradien dan bobot",
                 "setelah satu langkah SGD; tulis di sheet.toml lalu periksa dengan",
                 "    backcalc check exercise.toml sheet.toml"],
        "sheet": "Lembar jawaban", "key": "Kunci jawaban", "for": "untuk exercise.toml", "key_title": "kunci jawaban",
        "variant": "varian milik {id}",
        "check": "Periksa dengan:  backcalc check exercise.toml {file}",
        "fill": ["Ganti setiap \"\" dengan angka; biarkan \"\" bila tidak dijawab (isian kosong tidak dinilai).",
                 "Tulis digit sebanyak yang Anda mau: nilai yang dibulatkan pada ketelitian yang ditulis diterima;",
                 "nilai dengan digit terlalu sedikit untuk menunjukkan langkahnya diterima tetapi ditandai."],
        "loss": "loss sebelum pembaruan: L = {formula}, {reduction} atas sampel",
        "loss_after": "loss setelah satu langkah SGD (langkah maju lagi, dengan bobot baru)",
        "per_sample": " (satu nilai per sampel: {S})", "nodes": "nilai simpul",
        "layer": "lapisan {n} ({name}, {activation})",
        "factors": "faktor-faktor aturan rantai, mundur dari loss",
        "last": "lapisan {n}: faktor terakhir rantai setiap parameter, dan bobot pada jalur mundur",
        "softmax_delta": "δ (softmax: jumlah atas semua output lapisan)",
        "gradients": "∂L/∂parameter untuk setiap bobot dan bias",
        "updated": "parameter setelah satu langkah SGD: baru = lama − {lr}·gradien",
        "updated_optim": "parameter setelah satu langkah {optimizer} (rumus torch.optim, lr = {lr})",
        "state": "keadaan optimizer {name} setelah langkah itu (nama PyTorch), satu nilai per parameter",
        "sum": "jumlah", "mean": "rata-rata",
        "over_batch": "sampel-sampel dalam batch", "over_units": "unit-unit sampel itu",
        "mean_of": "rata-rata {x} atas {over}", "var_of": "rata-rata ({x} − {mu})² atas {over} (bias: ÷ N)",
    },
}
LOSS_FORMULA = {"half_sse": "½·Σ(out − y)²", "sse": "Σ(out − y)²", "mse": "mean((out − y)²)",
                "bce": "−mean(y·ln out + (1 − y)·ln(1 − out))", "cross_entropy": "−ln p(true class)"}


def _num(v) -> str:
    return repr(float(v))


def _list(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_list(x) for x in v) + "]"
    return str(v) if isinstance(v, int) else _num(v)


def _string(text) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for every character)."""
    return json.dumps(str(text), ensure_ascii=False)


def spec_text(doc, command, lang: str = "en") -> str:
    """The exercise's spec file."""
    W = WORDS[lang]
    out = [f"# {command}"] + [f"# {line}" for line in W["task"]] + [
        "format = 1", f"title = {_string(doc['title'])}", "", "[data]",
        f"x = {_list(doc['data']['x'])}", f"y = {_list(doc['data']['y'])}", "input_name = \"i\""]
    for layer in doc["layers"]:
        out += ["", "[[layers]]", f"name = {_string(layer['name'])}"]
        if "kind" in layer:  # a normalisation layer: gamma, beta (eps at its default)
            out += [f"kind = {_string(layer['kind'])}", f"activation = {_string(layer['activation'])}",
                    f"gamma = {_list(layer['gamma'])}", f"beta = {_list(layer['beta'])}"]
            continue
        bias = _list(layer["bias"]) if layer["bias"] is not False else "false"
        out += [f"activation = {_string(layer['activation'])}", f"weights = {_list(layer['weights'])}", f"bias = {bias}"]
        out += [f"skip = {_string(layer['skip'])}"] if "skip" in layer else []
        if "dropout" in layer:
            out += [f"dropout = {_num(layer['dropout'])}", f"dropout_mask = {_list(layer['dropout_mask'])}"]
    out += ["", "[loss]", f"kind = {_string(doc['loss']['kind'])}"]
    out += [f"l2 = {_num(doc['loss']['l2'])}"] if "l2" in doc["loss"] else []
    out += ["", "[train]", f"learning_rate = {_num(doc['train']['learning_rate'])}", "steps = 1"]
    out += [f"optimizer = {_string(doc['train']['optimizer'])}"] if "optimizer" in doc["train"] else []
    return "\n".join(out) + "\n"


class _Writer:
    def __init__(self, sp, key: bool):
        self.sp, self.key = sp, key

    def value(self, items) -> str:
        if not self.key:
            return '""' if len(items) == 1 else "[" + ", ".join('""' for _ in items) + "]"
        vals = [_num(item.expected) for item in items]
        return vals[0] if len(vals) == 1 else "[" + ", ".join(vals) + "]"

    def line(self, name, items, comment=""):
        k = f'"{name}"' if not name.replace("_", "").isalnum() else name
        return f"{k} = {self.value(items)}" + (f"  # {comment}" if comment else "")


def answers_text(d, command, key: bool, lang: str = "en", header: dict | None = None) -> str:
    """The sheet (every value "") or the key (every value), grouped and commented the same way. ``header``:
    ``id``, ``student`` and ``fingerprint`` written at the top."""
    W = WORDS[lang]
    sp = answer_space(d)
    w = _Writer(sp, key)
    spec = d.spec
    S = spec.samples
    file = "key.toml" if key else "sheet.toml"
    out = [f"# {W['key' if key else 'sheet']} {W['for']} ({command}).", "# " + W["check"].format(file=file)]
    if not key:
        out += [f"# {line}" for line in W["fill"]]
    out += ["format = 1"]
    header = dict(header or {})
    if key:
        out.append(f"title = {_string(W['key_title'])}")
    for field in ("id", "student", "fingerprint"):
        if field in header or (field == "student" and not key):
            out.append(f"{field} = {_string(header.get(field, ''))}")
    out.append("")
    per_sample = W["per_sample"].format(S=S) if S > 1 else ""
    out += ["# " + W["loss"].format(formula=LOSS_FORMULA[spec.loss], reduction=W.get(spec.reduction, spec.reduction)),
            w.line("loss", [sp.loss_item("loss")]), "# " + W["loss_after"],
            w.line("loss_after", [sp.loss_item("loss_after")]), "", "[forward]"]
    if S > 1:
        out.append(f"# {W['nodes']}{per_sample}")
    out += _forward_lines(d, sp, w, W)
    out += ["", "[factors]", f"# {W['factors']}{per_sample}"] + _factor_lines(d, sp, w, W)
    t = d.training
    lr = f"{spec.learning_rate:g}"
    updated = W["updated"].format(lr=lr) if t is None or t.plain_sgd else \
        W["updated_optim"].format(optimizer=t.settings.optimizer, lr=lr)
    sections = [("gradients", W["gradients"]), ("updated", updated)]
    sections += [(f"state.{name}", W["state"].format(name=name)) for name in state_names(d)]
    for section, comment in sections:
        out += ["", f"[{section}]", f"# {comment}"]
        for name, _ in spec.param_names():
            out.append(w.line(name, sp.name_items(section, name)))
    return "\n".join(out) + "\n"


def _forward_lines(d, sp, w, W) -> list:
    spec = d.spec
    out = []
    for layer in spec.layers:
        n = layer.index
        sources = spec.unit_names(n - 1)
        src = [s if n == 1 else _sent(sp, n - 1, s) for s in sources]
        rule = RULES[layer.activation]
        out.append("# " + W["layer"].format(n=n, name=layer.name, activation=layer.activation))
        if n in sp.norm:
            out += _norm_forward_lines(sp, w, layer, src, W)
        skip = getattr(layer, "skip", None)
        added = ""
        for c, u in enumerate(layer.unit_names):
            if n in sp.norm:
                total = f"gamma_{u}·xhat_{u} + beta_{u}"
            else:
                total = " + ".join(f"{weight_name(s, u)}·{v}" for s, v in zip(sources, src)) + \
                    (f" + {bias_name(u)}" if layer.bias is not None else "")
            out.append(w.line(node_in(u), sp.name_items("forward", node_in(u)), total))
            if skip is not None:  # f(u_in) + the skipped-from unit's output
                v = spec.unit_names(skip)[c]
                added = f" + {v if skip == 0 else _sent(sp, skip, v)}"
            out.append(w.line(node_out(u), sp.name_items("forward", node_out(u)), rule.expression(a=node_in(u)) + added))
            if n in sp.drop:
                p = layer.dropout.p
                out.append(w.line(node_drop(u), sp.name_items("forward", node_drop(u)), f"{node_out(u)}·mask/(1 − {p!r})"))
    return out


def _norm_forward_lines(sp, w, layer, src, W) -> list:
    """μ and σ² of each group (biased: over N), then each unit's x̂."""
    nk = sp.norm[layer.index]
    out = []
    for g, group in enumerate(nk.groups):
        x = src[g] if nk.axis == 0 else ", ".join(src)
        over = W["over_batch"] if nk.axis == 0 else W["over_units"]
        out.append(w.line(f"mu_{group}", sp.name_items("forward", f"mu_{group}"), W["mean_of"].format(x=x, over=over)))
        out.append(w.line(f"var_{group}", sp.name_items("forward", f"var_{group}"),
                          W["var_of"].format(x=x, mu=f"mu_{group}", over=over)))
    for c, u in enumerate(layer.unit_names):
        stat = u if nk.axis == 0 else f"{layer.name}_s…"
        out.append(w.line(f"xhat_{u}", sp.name_items("forward", f"xhat_{u}"),
                          f"({src[c]} − mu_{stat})/√(var_{stat} + eps)"))
    return out


def _sent(sp, n, unit) -> str:
    """The node layer n + 1 reads of ``unit``: ``h1_drop`` after dropout, else ``h1_out``."""
    return node_drop(unit) if n in sp.drop else node_out(unit)


def _factor_lines(d, sp, w, W) -> list:
    spec = d.spec
    out = []
    upstream = {(u.layer, u.unit): u for u in d.upstream if u.sample == 1}
    for layer in reversed(spec.layers):
        n = layer.index
        rule = RULES[layer.activation]
        out.append("# " + W["layer"].format(n=n, name=layer.name, activation=layer.activation))
        drops = {u.unit: u for u in d.upstream if u.sample == 1 and u.name.endswith("_drop")}
        for u in layer.unit_names:
            up = upstream[(n, u)]
            if u in drops:  # the sum over paths is ∂L/∂u_drop; then the mask's factor
                paths = " + ".join(f"{p.grad_name}·{p.weight_name}" for p in drops[u].paths)
                out.append(w.line(f"∂L/∂{node_drop(u)}", sp.factor_items(f"∂L/∂{node_drop(u)}"), paths))
                out.append(w.line(f"∂{node_drop(u)}/∂{node_out(u)}", sp.factor_items(f"∂{node_drop(u)}/∂{node_out(u)}"),
                                  f"mask/(1 − {layer.dropout.p!r})"))
            how = up.formula or " + ".join(f"{p.grad_name}·{p.weight_name}" for p in up.paths)
            if u in drops:  # the mask differs per sample: the factor by its name
                how = f"∂L/∂{node_drop(u)}·∂{node_drop(u)}/∂{node_out(u)}"
            out.append(w.line(f"∂L/∂{node_out(u)}", sp.factor_items(f"∂L/∂{node_out(u)}"), how))
            if sp.local[n] is not None:
                out.append(w.line(f"∂{node_out(u)}/∂{node_in(u)}", sp.factor_items(f"∂{node_out(u)}/∂{node_in(u)}"),
                                  rule.formula(0, a=node_in(u), out=node_out(u))))
            delta = f"δ = ∂L/∂{node_out(u)}·∂{node_out(u)}/∂{node_in(u)}" if sp.local[n] is not None else W["softmax_delta"]
            out.append(w.line(f"∂L/∂{node_in(u)}", sp.factor_items(f"∂L/∂{node_in(u)}"), delta))
        out.append("# " + W["last"].format(n=n))
        sources = spec.unit_names(n - 1)
        if n in sp.norm:
            out += _norm_factor_lines(sp, w, layer)
            continue
        for u in layer.unit_names:
            for s in sources:
                node = s if n == 1 else _sent(sp, n - 1, s)
                out.append(w.line(f"∂{node_in(u)}/∂{weight_name(s, u)}", sp.factor_items(f"∂{node_in(u)}/∂{weight_name(s, u)}"),
                                  f"= {node}"))
            if layer.bias is not None:
                b = bias_name(u)
                out.append(w.line(f"∂{node_in(u)}/∂{b}", sp.factor_items(f"∂{node_in(u)}/∂{b}")))
            for s in sources:
                node = s if n == 1 else _sent(sp, n - 1, s)
                out.append(w.line(f"∂{node_in(u)}/∂{node}", sp.factor_items(f"∂{node_in(u)}/∂{node}"), f"= {weight_name(s, u)}"))
    return out


def _norm_factor_lines(sp, w, layer) -> list:
    """∂u_in/∂gamma_u = x̂_u and ∂u_in/∂beta_u = 1; then the factors of the three paths back to the input."""
    nk = sp.norm[layer.index]
    out = []
    for u in layer.unit_names:
        out.append(w.line(f"∂{node_in(u)}/∂gamma_{u}", sp.factor_items(f"∂{node_in(u)}/∂gamma_{u}"), f"= xhat_{u}"))
        out.append(w.line(f"∂{node_in(u)}/∂beta_{u}", sp.factor_items(f"∂{node_in(u)}/∂beta_{u}")))
    if nk.grad_xhat is None:  # the layer reads the data: no path back is asked for
        return out
    for u in layer.unit_names:
        out.append(w.line(f"∂L/∂xhat_{u}", sp.factor_items(f"∂L/∂xhat_{u}"), f"∂L/∂{node_in(u)}·gamma_{u}"))
    for group in nk.groups:
        out.append(w.line(f"∂L/∂var_{group}", sp.factor_items(f"∂L/∂var_{group}"),
                          f"Σ ∂L/∂xhat·(x − mu_{group})·(−½)·(var_{group} + eps)^(−3/2)"))
        out.append(w.line(f"∂L/∂mu_{group}", sp.factor_items(f"∂L/∂mu_{group}"), f"Σ −∂L/∂xhat/sigma_{group}"))
    return out


def variant_words(lang: str = "en") -> str:
    """How a class exercise names one student's variant in its files' comments (``the variant of {id}``)."""
    return WORDS[lang]["variant"]


#: the TOML writers of the exercise files, for the other exercise kinds (grading/rnn_exercise.py)
toml_number, toml_list, toml_string = _num, _list, _string
