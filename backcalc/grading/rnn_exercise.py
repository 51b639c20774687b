"""``backcalc exercise --rnn``: a 3-step tanh RNN with friendly numbers, its blank sheet and its exact key.

Two units read one feature per step (inputs multiples of 0.5; weights, biases and the linear output unit's
weights multiples of 0.25 in [−1, 1]; h0 = 0); the loss is half_sse at the last step, or with ``every_step``
at every step (return_sequences = true, a target per step). A draw is kept when the hand work is pleasant and
meaningful: no tanh saturated (|z| ≤ 1.5) or at 0, every prediction misses its target by 0.25 or more, no
gradient vanishes (every |∂L/∂θ| ≥ 0.01), and each slip of the catalogue (BPTT truncated, the path through h_(t+1)
left out, tanh′ at the output) changes every recurrent gradient it touches by at least 0.01, so a sheet shows it.
The key holds every value at full precision (as the tape computed it); the sheet the same keys with "".

>>> ex = make_rnn_exercise(seed=3)
>>> "kind = \\"rnn\\"" in ex.spec_text and 'Wh1 = [["", ""], ["", ""]]' in ex.sheet_text
True
>>> ex.files() == make_rnn_exercise(seed=3).files()
True
"""

from __future__ import annotations

import numpy as np

from ..errors import BackcalcError
from ..net.derivation import explain
from ..net.documents import parse_document
from ..net.spec import load_spec
from ..render.sheet import toml_list as _list, toml_number as _num, toml_string as _string
from .exercise import INPUTS, MAX_TRIES, TARGETS, WEIGHTS, Exercise, make_exercise
from .fingerprint import fingerprint_of
from .rnn_backprop import SLIPS, bptt
from .rnn_space import RnnSpace

STEPS, UNITS = 3, 2

WORDS = {
    "en": {"task": ["Work out by hand, step by step, the forward pass of the RNN (h_t = tanh(x_t·Wx + h_(t−1)·Wh + b),",
                    "h0 = 0), the loss, ∂L/∂h_t back through time, every gradient (a sum over the steps) and the",
                    "weights after one SGD step; write them into sheet.toml and check them with",
                    "    backcalc check exercise.toml sheet.toml"],
           "sheet": "Answer sheet", "key": "Answer key",
           "fill": "Replace each \"\" with a number; keep \"\" where you have no answer (blanks are not graded).",
           "forward": "node values, step by step", "factors": "∂L/∂h_t (every path into it) and δ, the last step first",
           "gradients": "∂L/∂parameter: each shared weight's gradient is a sum over the steps",
           "updated": "the parameters after one SGD step: new = old − {lr}·gradient"},
    "id": {"task": ["Hitung dengan tangan, langkah demi langkah, langkah maju RNN (h_t = tanh(x_t·Wx + h_(t−1)·Wh + b),",
                    "h0 = 0), loss, ∂L/∂h_t mundur melalui waktu, setiap gradien (jumlah atas langkah-langkah) dan",
                    "bobot setelah satu langkah SGD; tulis di sheet.toml lalu periksa dengan",
                    "    backcalc check exercise.toml sheet.toml"],
           "sheet": "Lembar jawaban", "key": "Kunci jawaban",
           "fill": "Ganti setiap \"\" dengan angka; biarkan \"\" bila tidak dijawab (isian kosong tidak dinilai).",
           "forward": "nilai simpul, langkah demi langkah",
           "factors": "∂L/∂h_t (semua jalur ke sana) dan δ, langkah terakhir lebih dulu",
           "gradients": "∂L/∂parameter: gradien tiap bobot bersama adalah jumlah atas langkah-langkah",
           "updated": "parameter setelah satu langkah SGD: baru = lama − {lr}·gradien"},
}


def make_rnn_exercise(seed: int = 0, every_step: bool = False, samples: int = 1, lr: float | None = None,
                      lang: str = "en", student: dict | None = None, command: str | None = None) -> Exercise:
    """Draw a friendly 3-step tanh RNN (a loss at the last step, or at every step) and write its three files."""
    if not 1 <= samples <= 2:
        raise BackcalcError(f"--samples: expected 1 or 2 with --rnn (3 steps by hand per sample), got {samples}")
    lr = 0.25 if lr is None else float(lr)
    if not 0 < lr <= 10:
        raise BackcalcError(f"--lr: expected a learning rate between 0 and 10, got {lr}")
    rng = np.random.default_rng(seed)
    for _ in range(MAX_TRIES):
        doc = _draw(rng, every_step, samples, lr)
        spec = load_spec(doc)
        d = explain(spec)
        if _friendly(d):
            break
    else:  # pragma: no cover - the draws above succeed within a few dozen tries
        raise BackcalcError(f"--seed {seed}: no friendly RNN found in {MAX_TRIES} draws; try another seed")
    command = command or (f"backcalc exercise --rnn{' --every-step' if every_step else ''} --seed {seed}"
                          + (f" --samples {samples}" if samples != 1 else "") + (f" --lr {lr:g}" if lr != 0.25 else ""))
    text = _spec_text(doc, command, lang)
    spec = load_spec(parse_document(text, ".toml", "exercise.toml"))
    d = explain(spec)
    header = {"fingerprint": fingerprint_of(spec.raw)}
    if student is not None:
        header = {"id": student["id"], "student": student.get("name", ""), **header}
    return Exercise(text, _answers(d, command, False, lang, header), _answers(d, command, True, lang, header),
                    command, spec)


def exercise_for(seed: int = 0, lang: str = "en", student: dict | None = None, command: str | None = None,
                 rnn: bool = False, every_step: bool = False, **options) -> Exercise:
    """``backcalc exercise``'s one entry: a 3-step RNN with ``rnn`` (``every_step``: a loss at every step), else the
    dense net of :func:`~backcalc.grading.exercise.make_exercise` with ``options``."""
    if not (rnn or every_step):
        return make_exercise(seed=seed, lang=lang, student=student, command=command, **options)
    if not rnn:
        raise BackcalcError("--every-step goes with --rnn (a loss at every step of the RNN)")
    samples, lr = options.pop("samples", 1), options.pop("lr", None)
    refuse_other_options(options)
    return make_rnn_exercise(seed, every_step, samples, lr, lang, student, command)


def refuse_other_options(options: dict) -> None:
    """--rnn draws its own net: the options of a dense exercise (given away from their defaults) are refused."""
    given = [name for name, value in options.items() if value not in (None, False, "half_sse", "1,4,2,1", (1, 4, 2, 1))]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise BackcalcError(f"--rnn draws its own net (3 tanh steps of 2 units, one feature per step, a linear output "
                            f"unit, half_sse): leave out {flags}")


def _draw(rng, every_step, samples, lr) -> dict:
    def pick(values, shape):
        return rng.choice(values, size=shape).tolist()

    y = pick(TARGETS, (samples, STEPS, 1)) if every_step else pick(TARGETS, (samples, 1))
    rnn = {"kind": "rnn", "name": "r", "activation": "tanh", "weights_x": pick(WEIGHTS, (1, UNITS)),
           "weights_h": pick(WEIGHTS, (UNITS, UNITS)), "bias": pick(WEIGHTS, (UNITS,))}
    if every_step:
        rnn["return_sequences"] = True
    return {"format": 1, "title": f"RNN: {STEPS} tanh steps, a loss at {'every' if every_step else 'the last'} step",
            "data": {"x": pick(INPUTS, (samples, STEPS, 1)), "y": y},
            "layers": [rnn, {"name": "o", "activation": "linear", "weights": pick(WEIGHTS, (UNITS, 1)),
                             "bias": pick(WEIGHTS, (1,))}],
            "loss": {"kind": "half_sse"}, "train": {"learning_rate": lr}}


def _friendly(d) -> bool:
    rnn = d.spec.layers[0]
    zs = np.array([r.z for r in d.forward_rows if r.layer == 1])
    if np.any(np.abs(zs) > 1.5) or np.any(np.abs(zs) < 0.05):
        return False
    preds = np.array([r.a for r in d.forward_rows if r.layer == 2])
    targets = np.asarray(d.spec.y, dtype=float).ravel()
    if np.any(np.abs(preds - targets) < 0.25):
        return False
    grads = np.concatenate([np.ravel(v) for v in d.gradients.values()])
    if np.any(np.abs(grads) < 0.01):
        return False
    right = bptt(d)
    for slip in SLIPS:
        if slip == "no_next_path" and not rnn.out_steps:
            continue
        run = bptt(d, slip)
        if any(np.min(np.abs(run[k] - right[k])) < 0.01 for k in ("Wx", "Wh", "b")):
            return False
    return True


def _spec_text(doc, command, lang) -> str:
    rnn, out = doc["layers"]
    lines = [f"# {command}"] + [f"# {line}" for line in WORDS[lang]["task"]] + [
        "format = 1", f"title = {_string(doc['title'])}", "", "[data]", f"x = {_list(doc['data']['x'])}",
        f"y = {_list(doc['data']['y'])}", "", "[[layers]]", 'kind = "rnn"', f"name = {_string(rnn['name'])}",
        f"activation = {_string(rnn['activation'])}", f"weights_x = {_list(rnn['weights_x'])}",
        f"weights_h = {_list(rnn['weights_h'])}", f"bias = {_list(rnn['bias'])}"]
    lines += ["return_sequences = true"] if rnn.get("return_sequences") else []
    lines += ["", "[[layers]]", f"name = {_string(out['name'])}", f"activation = {_string(out['activation'])}",
              f"weights = {_list(out['weights'])}", f"bias = {_list(out['bias'])}", "", "[loss]",
              'kind = "half_sse"', "", "[train]", f"learning_rate = {_num(doc['train']['learning_rate'])}",
              "steps = 1"]
    return "\n".join(lines) + "\n"


def _answers(d, command, key: bool, lang, header) -> str:
    """The sheet ("" everywhere) or the key (every value at full precision), by the keys check reads."""
    W = WORDS[lang]
    sp = RnnSpace(d)
    rnn = d.spec.layers[0]

    def value(items):
        cells = [_num(i.expected) if key else '""' for i in items]
        return cells[0] if len(cells) == 1 else "[" + ", ".join(cells) + "]"

    def array(section, kind, n):
        rows, cols, _ = sp.array_shape(kind, n)
        items = sp.array_items(section, kind, n)
        cells = [_num(i.expected) if key else '""' for i in items]
        if not cols:
            return "[" + ", ".join(cells) + "]"
        return "[" + ", ".join("[" + ", ".join(cells[r * cols:(r + 1) * cols]) + "]" for r in range(rows)) + "]"

    out = [f"# {W['key' if key else 'sheet']} ({command})", "format = 1"] + ([] if key else [f"# {W['fill']}"])
    out += [f"{k} = {_string(header.get(k, ''))}" for k in ("id", "student", "fingerprint")
            if k in header or (k == "student" and not key)]
    out += ["", f"loss = {value([sp.loss_item('loss')])}", f"loss_after = {value([sp.loss_item('loss_after')])}",
            "", "[forward]", f"# {W['forward']}"]
    steps = [f"{u}t{t}" for t in range(1, rnn.steps + 1) for u in rnn.base]
    heads = list(d.spec.layers[1].unit_names)
    for unit in steps + heads:
        for which in ("in", "out"):
            out.append(f"{unit}_{which} = {value(sp.name_items('forward', f'{unit}_{which}'))}")
    out += ["", "[factors]", f"# {W['factors']}"]
    for unit in [f"{u}t{t}" for t in range(rnn.steps, 0, -1) for u in rnn.base]:
        for which in ("out", "in"):
            out.append(f"\"∂L/∂{unit}_{which}\" = {value(sp.name_items('factors', f'∂L/∂{unit}_{which}'))}")
    for section, words in (("gradients", W["gradients"]), ("updated", W["updated"].format(lr=d.spec.learning_rate))):
        out += ["", f"[{section}]", f"# {words}"]
        for n, kinds in ((1, ("Wx", "Wh", "b")), (2, ("W", "b"))):
            out += [f"{k}{n} = {array(section, k, n)}" for k in kinds]
    return "\n".join(out) + "\n"
