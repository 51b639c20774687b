"""Exercise generator: a small net with friendly numbers, a blank answer sheet and its answer key.

Weights and biases are multiples of 0.25 in [−1, 1], inputs and targets multiples of 0.5; a draw is kept
only when the hand work is pleasant and meaningful — no ReLU is dead (unless asked for) or sits at its kink,
no sigmoid or tanh is saturated, the prediction misses the target, and no gradient vanishes. Of those, the
first whose values round well is kept: a student who rounds every value to 4 significant digits and works on
from the rounded values gets every answer right (:mod:`backcalc.grading.handwork`). The same seed gives
byte-identical files. The sheet lists every key :func:`backcalc.grading.grade.check_answers` understands.

>>> ex = make_exercise(seed=1)
>>> sorted(ex.files())
['exercise.toml', 'key.toml', 'sheet.toml']
>>> ex.files() == make_exercise(seed=1).files()
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import BackcalcError, did_you_mean
from ..files import check_output, write_text
from ..net.derivation import explain
from ..net.documents import parse_document
from ..net.network import Network
from ..net.optim import OPTIMIZERS
from ..net.spec import ACTIVATIONS, load_spec, LOSSES
from ..render.sheet import answers_text, spec_text
from ..tape.rules import RULES
from ..userinput import label
from .fingerprint import fingerprint_of
from .exercise_record import Exercise
from .handwork import rounding_cost

DEFAULT_SHAPE = (1, 4, 2, 1)
DEFAULT_ACTIVATIONS = ("relu", "sigmoid", "linear")
MAX_WEIGHT_LAYERS = 5
MAX_UNITS = 6
MAX_SAMPLES = 4
MAX_TRIES = 5000
ROUND_CANDIDATES = 60  # friendly draws tried for one whose values round well (grading/handwork.py)
HIDDEN_NAMES = "jklm"  # input "i", hidden j, k, l, m, output "o" — the names of seed 004
WEIGHTS = np.arange(-4, 5) / 4.0          # −1, −0.75, …, 1
INPUTS = np.array([-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0])
TARGETS = np.arange(-4, 7) / 2.0          # −2, −1.5, …, 3
FILES = ("exercise.toml", "sheet.toml", "key.toml")


# ─────────────────────────────────────────── options ───────────────────────────────────────────

def parse_shape(text) -> tuple:
    """``"1,4,2,1"`` → (1, 4, 2, 1): units per layer, the input first."""
    if isinstance(text, (tuple, list)):
        parts = list(text)
    else:
        parts = [p.strip() for p in str(text).split(",")]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise BackcalcError(f"--shape: expected whole numbers separated by commas, like 1,4,2,1; got {text!r}") from None
    if len(shape) < 2:
        raise BackcalcError(f"--shape: expected at least two sizes (inputs, outputs), got {text!r}")
    if len(shape) - 1 > MAX_WEIGHT_LAYERS:
        raise BackcalcError(f"--shape: {len(shape) - 1} weight layers is more than {MAX_WEIGHT_LAYERS}, the most an "
                            f"exercise by hand allows")
    if any(not 1 <= n <= MAX_UNITS for n in shape):
        raise BackcalcError(f"--shape: every layer needs 1 to {MAX_UNITS} units for work by hand, got {text!r}")
    return shape


def parse_activations(text, layers: int, shape=None) -> tuple:
    """``"relu,sigmoid,linear"`` → a tuple, one per weight layer (defaults depend on the shape)."""
    if text is None:
        if shape == DEFAULT_SHAPE:
            return DEFAULT_ACTIVATIONS
        return ("sigmoid",) * (layers - 1) + ("linear",)
    acts = tuple(a.strip() for a in (text.split(",") if isinstance(text, str) else text))
    if len(acts) != layers:
        raise BackcalcError(f"--activations: expected {layers} names (one per weight layer of the shape), "
                            f"got {len(acts)}: {','.join(acts)}")
    for a in acts:
        if a not in ACTIVATIONS:
            raise BackcalcError(f"--activations: unknown activation {a!r}{did_you_mean(a, ACTIVATIONS)}; "
                                f"expected one of {', '.join(ACTIVATIONS)}")
    for n, a in enumerate(acts, start=1):
        if a == "softmax" and shape is not None and shape[n] < 2:
            raise BackcalcError(f"--activations: softmax over one unit (weight layer {n}: --shape gives it "
                                f"{shape[n]} unit) is always 1 and passes no gradient; give that layer at least "
                                "2 units in --shape, or use sigmoid for one output")
    return acts


# ─────────────────────────────────────────── drawing a friendly net ───────────────────────────────────────────

def make_exercise(shape=DEFAULT_SHAPE, activations=None, seed: int = 0, loss: str = "half_sse",
                  lr: float | None = None, samples: int = 1, dead_relu: bool = False, lang: str = "en",
                  student: dict | None = None, command: str | None = None, optimizer: str | None = None,
                  l2: float | None = None, dropout: float | None = None, no_bias: bool = False,
                  batchnorm: bool = False, skip: bool = False, conv: bool = False, pool: str | None = None) -> Exercise:
    """Draw a net with friendly numbers and write its spec, blank sheet and answer key (as text).

    ``student``: ``{"id": …, "name": …}`` written into the sheet and the key; ``lang``: the files' comments
    (en or id). Sheet and key always carry the exercise's fingerprint. ``optimizer`` (sgd, momentum, nesterov,
    adagrad, rmsprop, adam, adamw; torch.optim's defaults) and ``l2`` (λ of [loss] l2) make a training exercise:
    the key's updated weights are that optimizer's first step. ``dropout`` (p) puts inverted dropout with a
    drawn mask (at least one unit kept per sample) on every hidden layer; ``no_bias`` writes ``bias = false``.
    ``batchnorm``: a batchnorm layer ``n`` after the first hidden layer's weighted sum (that layer linear, the
    batchnorm applying its activation; needs a batch of 2 or more); ``skip``: the last hidden layer adds the output
    of the first (or of the input) of its width; ``conv``: a conv exercise instead (``pool`` max or avg).
    (A 3-step RNN instead: :func:`backcalc.grading.rnn_exercise.exercise_for` with ``rnn=True``.)
    """
    if conv or pool is not None:  # the conv exercise draws its own net (grading/conv_exercise.py)
        return _conv(conv, pool, seed, samples, lr, lang, student, command, shape, activations, loss, dict(
            dead_relu=dead_relu, optimizer=optimizer, l2=l2, dropout=dropout, no_bias=no_bias, batchnorm=batchnorm, skip=skip))
    shape = parse_shape(shape)
    acts = parse_activations(activations, len(shape) - 1, shape)
    if loss not in LOSSES:
        raise BackcalcError(f"--loss: unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
    if loss == "bce" and acts[-1] != "sigmoid":
        raise BackcalcError("--loss bce needs probabilities: make the last activation sigmoid")
    if loss == "cross_entropy" and shape[-1] < 2:
        raise BackcalcError("--loss cross_entropy needs an output layer of at least 2 units")
    if not 1 <= samples <= MAX_SAMPLES:
        raise BackcalcError(f"--samples: expected 1 to {MAX_SAMPLES} for work by hand, got {samples}")
    if not isinstance(seed, int) or not 0 <= seed < 2 ** 32:
        raise BackcalcError(f"--seed: expected a whole number from 0 to 4294967295, got {seed}")
    if dead_relu and "relu" not in acts[:-1]:
        raise BackcalcError("--dead-relu needs a hidden relu layer in --activations")
    lr = 0.25 if lr is None else float(lr)
    if not 0 < lr <= 10:
        raise BackcalcError(f"--lr: expected a learning rate between 0 and 10, got {lr}")
    training = _training_keys(optimizer, l2)
    if dropout is not None and not (isinstance(dropout, (int, float)) and 0 < dropout < 1):
        raise BackcalcError(f"--dropout: expected a probability p with 0 < p < 1, got {dropout}")
    if dropout is not None and len(shape) < 3:
        raise BackcalcError("--dropout needs a hidden layer (dropout applies to hidden layers): give --shape with "
                            "three sizes or more")
    graph = _graph_options(shape, samples, batchnorm, skip)
    rng = np.random.default_rng(seed)
    doc, spec = _draw_friendly(rng, shape, acts, loss, lr, samples, dead_relu, training, (dropout, no_bias), graph)
    command = command or (f"backcalc exercise --shape {','.join(map(str, shape))} --activations {','.join(acts)} --seed {seed}"
               + (f" --loss {loss}" if loss != "half_sse" else "") + (f" --lr {lr:g}" if lr != 0.25 else "")
               + (f" --samples {samples}" if samples != 1 else "") + (" --dead-relu" if dead_relu else "")
               + (f" --optimizer {optimizer}" if optimizer else "") + (f" --l2 {l2:g}" if l2 else "")
               + (f" --dropout {dropout:g}" if dropout else "") + (" --no-bias" if no_bias else "")
               + (" --batchnorm" if batchnorm else "") + (" --skip" if skip else ""))

    d = explain(spec)
    text = spec_text(doc, command, lang)
    header = {"fingerprint": fingerprint_of(parse_document(text, ".toml", "exercise.toml"))}
    if student is not None:
        header = {"id": student["id"], "student": student.get("name", ""), **header}
    return Exercise(text, answers_text(d, command, False, lang, header), answers_text(d, command, True, lang, header),
                    command, spec)


def _conv(conv, pool, seed, samples, lr, lang, student, command, shape, activations, loss, others) -> Exercise:
    """``--conv``: the options that shape a dense net, when given beside it, are refused by name."""
    from .conv_exercise import conv_options

    given = {"--shape": tuple(parse_shape(shape)) != DEFAULT_SHAPE, "--activations": activations is not None,
             "--loss": loss != "half_sse", **{f"--{k.replace('_', '-')}": v for k, v in others.items()}}
    return conv_options(conv, pool, seed, samples, lr, lang, student, command, [k for k, v in given.items() if v])


def _draw_friendly(rng, shape, acts, loss, lr, samples, dead_relu, training, variant=(None, False),
                   graph=None) -> tuple:
    """(doc, spec) of the first friendly draw that rounds well; when none of ROUND_CANDIDATES friendly draws
    does, the one a student rounding to 4 significant digits gets fewest answers wrong (then fewest ≈) on."""
    best, friendly = None, 0
    for _ in range(MAX_TRIES):
        doc = _draw(rng, shape, acts, loss, lr, samples)
        _variants(rng, doc, *variant)
        doc = _with_graph(rng, doc, graph or {})
        doc["train"].update(training.get("train", {}))
        doc["loss"].update(training.get("loss", {}))
        if not _friendly_forward(doc, loss, dead_relu):
            continue
        spec = load_spec(doc)
        if not _friendly_gradients(spec, dead_relu or variant[0] is not None):  # a dropped unit's weights get 0
            continue
        # the hand-rounding student (handwork.py) works dense chains only: a skip or batchnorm draw is taken as is
        cost, friendly = (rounding_cost(spec) if not graph else (0, 0)), friendly + 1
        if best is None or cost < best[0]:
            best = (cost, doc, spec)
        if cost == (0, 0) or friendly >= ROUND_CANDIDATES:
            break
    if best is None:
        raise BackcalcError(f"no friendly exercise found for --shape {','.join(map(str, shape))} --activations "
                            f"{','.join(acts)} in {MAX_TRIES} draws; try another --seed or other activations")
    return best[1], best[2]


def _training_keys(optimizer, l2) -> dict:
    """The spec keys of --optimizer and --l2, checked."""
    out = {}
    if optimizer is not None:
        if optimizer not in OPTIMIZERS:
            raise BackcalcError(f"--optimizer: expected one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
        out["train"] = {"optimizer": optimizer}
    if l2 is not None:
        if not (isinstance(l2, (int, float)) and 0 < l2 <= 1000 and np.isfinite(l2)):
            raise BackcalcError(f"--l2: expected a λ above 0 and at most 1000, got {l2}")
        out["loss"] = {"l2": float(l2)}
    return out


def _variants(rng, doc, dropout, no_bias):
    """``bias = false`` on every layer, and dropout p with a drawn mask on every hidden layer (each sample keeps
    at least one unit of each layer, and some unit is dropped: a layer dropped whole, or kept whole, teaches
    nothing)."""
    for layer in doc["layers"]:
        if no_bias:
            layer["bias"] = False
    if dropout is None:
        return
    samples = len(doc["data"]["x"])
    for layer in doc["layers"][:-1]:
        units = len(layer["weights"][0])
        while True:
            mask = (rng.random((samples, units)) >= dropout).astype(int)
            if mask.sum(axis=1).min() > 0 and (mask.min() == 0 or units == 1):
                break
        layer["dropout"], layer["dropout_mask"] = float(dropout), mask.tolist()


def _graph_options(shape, samples, batchnorm, skip) -> dict:
    """Where --batchnorm and --skip go in a net of this shape (checked before any draw)."""
    out = {}
    if batchnorm:
        if len(shape) < 3:
            raise BackcalcError("--batchnorm needs a hidden layer (it follows the first one): e.g. --shape 2,3,1")
        if samples < 2:
            raise BackcalcError("--batchnorm needs a batch of 2 or more samples (over one sample the variance is 0 "
                                "and every x̂ is 0): add --samples 2")
        out["batchnorm"] = True
    if skip:
        hidden = shape[1:-1]
        target = len(hidden) - 1  # the last hidden layer adds the output of the first of its width before it
        sources = [k for k in range(target) if hidden[k] == hidden[target]]
        if hidden and sources:
            out["skip"] = (target, sources[0])
        elif hidden and shape[0] == hidden[target]:
            out["skip"] = (target, None)  # from the input
        else:
            raise BackcalcError(f"--skip needs two hidden layers of the same width, or a last hidden layer as wide as "
                                f"the input (e.g. --shape 2,2,2,1), got --shape {','.join(map(str, shape))}")
    return out


def _with_graph(rng, doc, graph) -> dict:
    """The drawn net with its skip and its batchnorm layer (friendly gamma, beta) put in."""
    layers = doc["layers"]
    if "skip" in graph:
        target, source = graph["skip"]
        layers[target]["skip"] = doc["data"]["input_name"] if source is None else layers[source]["name"]
    if graph.get("batchnorm"):
        first = layers[0]
        units = len(first["weights"][0])
        # γ·x̂ + β is centred on β: before a ReLU-like activation β is positive and γ small, so no unit dies
        relu_like = RULES[first["activation"]].kink
        gammas = np.array([0.25, 0.5]) if relu_like else np.array([0.5, 0.75, 1.0, 1.25, 1.5])
        betas = np.array([0.75, 1.0, 1.25]) if relu_like else WEIGHTS
        norm = {"name": "n", "kind": "batchnorm", "activation": first["activation"],
                "gamma": _pick(rng, gammas, units).tolist(), "beta": _pick(rng, betas, units).tolist()}
        first["activation"] = "linear"
        layers.insert(1, norm)
    if graph:
        parts = [str(len(doc["data"]["x"][0]))]
        for layer in layers:
            parts.append(f"batchnorm + {layer['activation']}" if layer.get("kind") else
                         f"{len(layer['weights'][0])} {layer['activation']}" + (f" + {layer['skip']}" if "skip" in layer else ""))
        doc["title"] = " → ".join(parts)
    return doc


def _pick(rng, values, size):
    return values[rng.integers(0, len(values), size=size)]


def _draw(rng, shape, acts, loss, lr, samples) -> dict:
    names = [HIDDEN_NAMES[i] for i in range(len(shape) - 2)] + ["o"]
    x = _pick(rng, INPUTS, (samples, shape[0]))
    layers = []
    for n, (units, act) in enumerate(zip(shape[1:], acts)):
        W = _pick(rng, WEIGHTS[WEIGHTS != 0], (shape[n], units))
        b = _pick(rng, WEIGHTS, units)
        layers.append({"name": names[n], "activation": act, "weights": W.tolist(), "bias": b.tolist()})
    if loss == "cross_entropy":
        y = rng.integers(0, shape[-1], size=samples).tolist()
    elif loss == "bce":
        y = rng.integers(0, 2, size=(samples, shape[-1])).astype(float).tolist()
    else:
        y = _pick(rng, TARGETS, (samples, shape[-1])).tolist()
    title = f"{' → '.join([str(shape[0])] + [f'{u} {a}' for u, a in zip(shape[1:], acts)])}"
    return {"format": 1, "title": title, "data": {"x": x.tolist(), "y": y, "input_name": "i"}, "layers": layers,
            "loss": {"kind": loss}, "train": {"learning_rate": lr, "steps": 1}}


def _friendly_forward(doc, loss, dead_relu) -> bool:
    a = np.array(doc["data"]["x"], dtype=float)
    outs = {doc["data"]["input_name"]: a}
    dead = False
    for layer in doc["layers"]:
        act = layer["activation"]
        if layer.get("kind") == "batchnorm":
            var = a.var(axis=0)
            if np.any(var < 0.0625):  # each unit must vary over the batch (σ ≥ 0.25), or x̂ is all eps
                return False
            z = np.array(layer["gamma"]) * (a - a.mean(axis=0)) / np.sqrt(var + 1e-5) + np.array(layer["beta"])
        else:
            z = a @ np.array(layer["weights"]) + (np.array(layer["bias"]) if layer["bias"] is not False else 0.0)
        if np.any(np.abs(z) > 6):
            return False
        if RULES[act].kink:  # relu-like (the rule table's mark)
            if np.any(np.abs(z) < 0.25):  # keep clear of the kink at 0
                return False
            if act == "relu" and np.any(z < 0):
                if not dead_relu or np.all(z < 0, axis=1).any():
                    return False  # dead units only when asked, and never a whole dead layer
                dead = True
        if act in ("sigmoid", "tanh") and np.any(np.abs(z) > 3):  # saturated: the derivative all but vanishes
            return False
        a = RULES[act].array(z) + (outs[layer["skip"]] if "skip" in layer else 0.0)
        if "dropout" in layer:  # what the next layer reads
            a = a * np.array(layer["dropout_mask"]) / (1 - layer["dropout"])
        outs[layer["name"]] = a
    if dead_relu and not dead:
        return False
    if loss in ("half_sse", "sse", "mse"):
        return bool(np.all(np.abs(a - np.array(doc["data"]["y"])) >= 0.25))
    if loss == "bce":
        return bool(np.all((a > 0.1) & (a < 0.9)))
    return True


def _friendly_gradients(spec, dead_relu) -> bool:
    # the layer before a batchnorm is exempt: its bias has gradient 0 (the mean is subtracted) and, over two
    # samples, its weights nearly 0 (x̂ = ±1 whatever they are) — the lesson, not a dull draw
    before = {layer.index - 1 for layer in spec.layers if layer.kind == "batchnorm"}
    exempt = {key for layer in spec.layers if layer.index in before
              for _, key in layer.param_names(spec.unit_names(layer.index - 1))}
    grads = np.array([g for key, g in Network(spec).gradients().items() if key not in exempt])
    big = np.abs(grads).max()
    if not big > 1e-3:
        return False
    small = np.abs(grads) < 1e-4 * big
    return not small.any() if not dead_relu else not small.all()


def check_out(out, force: bool = False) -> list:
    """Validate ``--out`` before any work: a folder (new or existing, never a symbolic link to elsewhere's
    files), whose exercise files are new or, with ``force``, regular files to replace. Returns their paths."""
    if out is None or str(out) == "":
        raise BackcalcError("--out: expected a folder name, got an empty string")
    folder = Path(out)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise BackcalcError(f"--out: {label(str(folder))} is {'a symbolic link' if folder.is_symlink() else 'a file'}, "
                            "expected a folder")
    paths = [folder / name for name in FILES]
    existing = [p.name for p in paths if p.exists() or p.is_symlink()]
    if existing and not force:
        raise BackcalcError(f"--out: {label(str(folder))} already has {', '.join(existing)}; use --force to "
                            "overwrite, or choose a new or empty folder")
    if folder.is_dir():
        for p in paths:
            check_output(p, "--out")
    return paths


def write_exercise(ex: Exercise, out, force: bool = False) -> list:
    """Write the three files into folder ``out`` (created if needed); existing files only with ``force``.

    Each file is written exactly where named, never through a symbolic link."""
    paths = check_out(out, force)
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackcalcError(f"--out: cannot make the folder {label(str(out))} ({exc.strerror})") from None
    for path, text in zip(paths, (ex.spec_text, ex.sheet_text, ex.key_text)):
        write_text(path, text, what="--out", force=force)
    return paths
