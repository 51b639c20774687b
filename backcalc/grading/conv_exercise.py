"""``backcalc exercise --conv``: a small convolution exercise with friendly numbers whose answers are exact.

The net is the classic hand exercise: a 3×5 input (one channel; whole numbers from −1 to 3), a 2×2 kernel (±0.5,
±1) and a bias (−0.5, 0 or 0.5), ReLU, a 2×2 pool (``--pool max``, the default, or ``avg``) giving two windows,
flatten, and one linear output unit (weights ±0.25 … ±1, bias a multiple of 0.25), half_sse against a target that
is a multiple of 0.5, one SGD step of learning rate 0.25. Every value is then a short binary fraction — exact in
floating point and in a few decimals — so the key holds the answers exactly. A draw is kept only when the work is
worth doing: no ReLU at its kink (|z| ≥ 0.5), each window's maximum unique (a max-pool's gradient goes to one
input, no tie) and alive, the prediction at least 0.5 from the target, the kernel and its gradient not
symmetric under a 180° turn (so a flipped kernel shows), every kernel element's gradient not 0, and every value
written with at most 8 significant digits.

>>> ex = make_conv_exercise(seed=1)
>>> ex.files() == make_conv_exercise(seed=1).files()
True
>>> "kind = \\"conv2d\\"" in ex.spec_text, "w_c1122" in ex.sheet_text
(True, True)
"""

from __future__ import annotations

import numpy as np

from ..errors import BackcalcError
from ..net.derivation import explain
from ..net.documents import parse_document
from ..net.spec import load_spec
from ..render.conv_sheet import CONV_WORDS, maps_answers_text, maps_spec_text
from .exercise_record import Exercise
from .fingerprint import fingerprint_of
from .spaces import answer_space

INPUTS = np.arange(-1.0, 4.0)                        # −1 … 3
KERNEL = np.array([-1.0, -0.5, 0.5, 1.0])
BIASES = np.array([-0.5, 0.0, 0.5])
DENSE = np.array([-1.0, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1.0])
TARGETS = np.arange(-4, 7) / 2.0
MAX_TRIES = 5000
MAX_DIGITS = 8
MAX_SAMPLES = 4  # as a dense exercise: a batch worked by hand


def conv_options(conv, pool, seed, samples, lr, lang, student, command, dense_given=()):
    """``exercise --conv``: its own options checked; ``dense_given``, the options that shape a dense net that were
    given beside it (``--shape``, …), refused by name."""
    if not conv:
        raise BackcalcError("--pool goes with --conv (the pool of the conv exercise: max or avg)")
    if dense_given:
        raise BackcalcError(f"--conv draws its own net (a 3×5 input, a 2×2 kernel, relu, a 2×2 pool, one linear "
                            f"unit, half_sse): it does not take {', '.join(dense_given)}")
    if not 1 <= samples <= MAX_SAMPLES:
        raise BackcalcError(f"--samples: expected 1 to {MAX_SAMPLES} for work by hand, got {samples}")
    if not isinstance(seed, int) or not 0 <= seed < 2 ** 32:
        raise BackcalcError(f"--seed: expected a whole number from 0 to 4294967295, got {seed}")
    if lr is not None and not 0 < lr <= 10:
        raise BackcalcError(f"--lr: expected a learning rate between 0 and 10, got {lr}")
    return make_conv_exercise(seed, pool or "max", samples, lr, lang, student, command)


def make_conv_exercise(seed: int = 0, pool: str = "max", samples: int = 1, lr: float | None = None,
                       lang: str = "en", student: dict | None = None, command: str | None = None):
    """The three files of a conv exercise (an :class:`~backcalc.grading.exercise_record.Exercise`); see the module."""
    if pool not in ("max", "avg"):
        raise BackcalcError(f"--pool: expected max or avg, got {pool!r}")
    lr = 0.25 if lr is None else float(lr)
    rng = np.random.default_rng(seed)
    for _ in range(MAX_TRIES):
        doc = _draw(rng, pool, samples, lr, CONV_WORDS[lang]["title"].format(pool=pool))
        spec = load_spec(doc)
        d = explain(spec)
        if _friendly(d):
            break
    else:
        raise BackcalcError(f"no friendly conv exercise found in {MAX_TRIES} draws (seed {seed}, --lr {lr:g}): "
                            f"try another seed or the default learning rate")
    command = command or (f"backcalc exercise --conv --seed {seed}" + (" --pool avg" if pool == "avg" else "")
                          + (f" --samples {samples}" if samples != 1 else "") + (f" --lr {lr:g}" if lr != 0.25 else ""))
    text = maps_spec_text(doc, command, lang)
    header = {"fingerprint": fingerprint_of(parse_document(text, ".toml", "exercise.toml"))}
    if student is not None:
        header = {"id": student["id"], "student": student.get("name", ""), **header}
    return Exercise(text, maps_answers_text(d, command, False, lang, header),
                    maps_answers_text(d, command, True, lang, header), command, spec)


def _draw(rng, pool, samples, lr, title) -> dict:
    x = rng.choice(INPUTS, size=(samples, 1, 3, 5))
    kernel = rng.choice(KERNEL, size=(1, 1, 2, 2))
    layers = [{"kind": "conv2d", "name": "c", "weights": kernel.tolist(), "bias": [float(rng.choice(BIASES))],
               "activation": "relu"},
              {"kind": f"{pool}pool2d", "name": "p", "size": 2}, {"kind": "flatten", "name": "h"},
              {"name": "o", "activation": "linear", "weights": rng.choice(DENSE, size=(2, 1)).tolist(),
               "bias": [float(rng.choice(np.arange(-2, 3) / 4.0))]}]
    return {"format": 1, "title": title,
            "data": {"x": x.tolist(), "y": rng.choice(TARGETS, size=(samples, 1)).tolist()},
            "layers": layers, "loss": {"kind": "half_sse"}, "train": {"learning_rate": lr}}


def _friendly(d) -> bool:
    spec = d.spec
    conv, pool = spec.layers[0], spec.layers[1]
    z = np.asarray(d.forward["z1"], dtype=float).reshape(spec.samples, 2, 4)
    if np.abs(z).min() < 0.5:
        return False
    a = np.maximum(z, 0)
    for w in (a[:, :, 0:2], a[:, :, 2:4]):
        flat = w.reshape(spec.samples, 4)
        top = np.sort(flat, axis=1)
        if top[:, -1].min() <= 0 or (pool.op == "max" and (top[:, -1] - top[:, -2]).min() < 0.5):
            return False
    if np.abs(np.asarray(d.forward["a4"]) - np.asarray(spec.y)).min() < 0.5:
        return False
    K, dW = conv.weights[0, 0], np.asarray(d.gradients["W1"])[0, 0]
    if np.array_equal(K, K[::-1, ::-1]) or np.allclose(dW, dW[::-1, ::-1]) or np.abs(dW).min() == 0:
        return False
    sp = answer_space(d)
    values = [d.loss, d.loss_after] + [item.expected for section in ("forward", "gradients", "updated")
                                       for name in sp.names(section) if not name[1:].isdigit()
                                       for item in sp.name_items(section, name, quiet=True)]
    return all(_digits(v) <= MAX_DIGITS for v in values)


def _digits(v) -> int:
    """Significant digits of the shortest repr of ``v`` (what the key writes): 0.0625 → 3."""
    text = repr(float(v)).lower()
    if "e" in text:
        return MAX_DIGITS + 1
    return len(text.replace("-", "").replace(".", "").lstrip("0").rstrip("0") or "0")
