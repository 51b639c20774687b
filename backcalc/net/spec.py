"""Read and validate spec files (TOML or JSON, chosen by extension) into a frozen :class:`NetSpec`.

Everything is checked before anything is computed, and every error names the file, the key, the layer
and what was expected: ``spec.toml: layers[2] ("k") weights: expected 4×2 (fan_in × units), got 4×3``.
Unknown keys are rejected (with a did-you-mean), so a misspelt key never silently does nothing. The top level,
``[data]``, ``[loss]`` and ``[train]`` are read here; each ``[[layers]]`` table by its kind's module
(:mod:`backcalc.net.layers`).

>>> spec = default_spec()
>>> spec.layers[1].unit_names, spec.loss, spec.learning_rate
(('k1', 'k2'), 'half_sse', 0.25)
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import SpecError
from ..tape.losses import LOSS_KINDS
from ..userinput import label, printable_problem
from .train_spec import LOSS_KEYS, TRAIN_KEYS, Training, read_training
from . import layers as kinds
from .documents import MAX_DEPTH, MAX_FILE_BYTES, parse_document, read_document  # noqa: F401 (public here too)
from .fields import MAX_ABS_NUMBER, Fields, kind_of  # noqa: F401
from .layers.dense import ACTIVATIONS, MAX_UNITS  # noqa: F401
from .layers.dense import Dense as LayerSpec  # noqa: F401 (the dense layer's spec, by its old name)
from .layers.steps import per_step, read_targets, refuse_keys, refuse_per_step_targets
from .layers import MAX_PARAMETERS, Budget, LayerContext  # noqa: F401
from .layers.maps import MAX_MAP_ELEMENTS, map_names
from .names import name_clash, unit_names

LOSSES = tuple(LOSS_KINDS)
DEFAULT_REDUCTION = {k.name: k.reduction for k in LOSS_KINDS.values()}

# Limits, documented in the README ("Errors and limits").
MAX_LAYERS = 64
MAX_SAMPLES = 100_000
MAX_STEPS = 10_000
MAX_TABLE_STEPS = 500  # steps of per-parameter optimizer tables on a hand-size page (about 4 s of CPU at 500)
MAX_WORK = 200_000_000  # samples × weights × steps: a run past this is refused before it starts

_TOP_KEYS = ("format", "title", "seed", "data", "layers", "loss", "train")
_DATA_KEYS = ("x", "y", "input_name")
_LOSS_KEYS = LOSS_KEYS
_TRAIN_KEYS = TRAIN_KEYS


@dataclass(frozen=True)
class NetSpec:
    """A validated network, its data, loss and training settings."""

    title: str
    x: np.ndarray                    # samples × inputs
    y: np.ndarray                    # samples × outputs, or class indices (samples,) for cross_entropy
    input_name: str
    input_unit_names: tuple[str, ...]
    layers: tuple                    # one layer spec per [[layers]] table (see backcalc.net.layers)
    loss: str
    reduction: str
    learning_rate: float
    steps: int
    seed: int | None = None
    source: str = "<spec>"
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    training: Training | None = None  # optimizer, clipping and l1/l2 (train_spec.py); plain SGD when None

    @property
    def samples(self) -> int:
        return self.x.shape[0]

    def unit_names(self, layer: int) -> tuple[str, ...]:
        """Names of the units of layer ``layer`` (0 = the input units)."""
        return self.input_unit_names if layer == 0 else self.layers[layer - 1].unit_names

    def param_names(self) -> list[tuple[str, str]]:
        """Every parameter element as (display name, canonical key), in the fixed order: layer, W row-major, b."""
        return list(self._param_names)

    @functools.cached_property
    def _param_names(self) -> tuple:
        # made once per spec: a large net has tens of thousands of names, and a command asks for them more than once
        out = []
        for layer in self.layers:
            out += layer.param_names(self.unit_names(layer.index - 1))
        return tuple(out)

    def parameters(self) -> dict[str, np.ndarray]:
        """``{"W1": ..., "b1": ..., ...}`` — copies."""
        out = {}
        for layer in self.layers:
            out.update(layer.parameters())
        return out

    @property
    def n_parameters(self) -> int:
        return sum(layer.n_parameters for layer in self.layers)


# ─────────────────────────────────────────── reading ───────────────────────────────────────────

def load_spec(source) -> NetSpec:
    """Read a spec from a path (``.toml`` or ``.json``), a dict, or pass a :class:`NetSpec` through.

    >>> load_spec({"format": 1, "data": {"x": [1.0], "y": [2.0]},
    ...            "layers": [{"activation": "linear", "weights": [[3.0]], "bias": [0.0]}]}).layers[0].unit_names
    ('o',)
    """
    if isinstance(source, NetSpec):
        return source
    if isinstance(source, dict):
        return _build(_plain(source), "<spec>")
    if source is None:
        return default_spec()
    path = Path(source)

    return _build(read_document(path), label(path.name))


def default_spec() -> NetSpec:
    """The embedded default example: the 1 → 4 ReLU → 2 sigmoid → 1 linear net (input 2, target 3)."""
    text = resources.files("backcalc.examples").joinpath("default.toml").read_text(encoding="utf-8")
    return _build(parse_document(text, ".toml", "default.toml"), "default.toml")


def with_steps(spec: NetSpec, steps: int) -> NetSpec:
    """The spec with another number of SGD steps (checked against the same limits)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise SpecError(f"--steps: expected a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    _check_work(Fields(spec.source), spec.samples, sum(layer.multiply_adds for layer in spec.layers), steps)
    _check_tables(Fields(spec.source), spec.layers, spec.samples, steps, spec.training)
    return dataclasses.replace(spec, steps=steps)


# ─────────────────────────────────────────── validation ───────────────────────────────────────────

def _plain(value):
    """A dict from Python as a document reads: numpy arrays and scalars as lists and numbers, tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return value.tolist() if value.dtype.kind != "c" else "complex numbers"
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item() if value.dtype.kind in "biuf" else str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 13_000:
        raise SpecError("<spec>: an integer of thousands of digits; numbers in a spec are between −10⁶ and 10⁶")
    return value


def _build(doc: dict, source: str) -> NetSpec:
    f = Fields(source)
    title, seed = _read_top(f, doc)
    data = f.table(doc, "data")
    f.keys("data", data, _DATA_KEYS)
    for key in ("x", "y"):
        if key not in data:
            f.fail("data", f"missing key {key!r}")
    input_name = f.name("data.input_name", data.get("input_name", "x"))
    layers_doc = _layer_tables(f, doc)
    first = _first_kind(f, layers_doc)
    x = _inputs(f, data["x"], getattr(first, "MAP_AXES", 2), getattr(first, "FLAT_AXIS", 1))
    loss, reduction = _read_loss(f, doc)
    layers = _read_layers(f, layers_doc, input_name, x.shape[1:], seed, x.shape[0])
    y = _targets(f, data["y"], x.shape[0], layers, loss)
    train = f.table(doc, "train", required=False)
    f.keys("train", train, _TRAIN_KEYS)
    lr = f.number("train.learning_rate", train.get("learning_rate", 0.1), 0.0, 1e3)
    steps = f.whole("train.steps", train.get("steps", 1), 1, MAX_STEPS)
    _check_work(f, x.shape[0], sum(layer.multiply_adds for layer in layers), steps)
    training = read_training(f.fail, train, f.table(doc, "loss", required=False))
    _check_tables(f, layers, x.shape[0], steps, training)
    return NetSpec(title=title, x=x, y=y, input_name=input_name, input_unit_names=_input_names(input_name, x, first),
                   layers=tuple(layers), loss=loss, reduction=reduction, learning_rate=lr, steps=steps,
                   seed=seed, source=source, raw=doc, training=training)


def _read_top(f: Fields, doc) -> tuple:
    """The top level's keys, format, title and seed."""
    if not isinstance(doc, dict):
        f.fail("", f"expected a table at the top level, got {kind_of(doc)}")
    f.keys("top level", doc, _TOP_KEYS)
    if "format" not in doc:
        f.fail("", "missing key 'format' (write format = 1 at the top)")
    if doc["format"] != 1 or isinstance(doc["format"], bool):
        f.fail("format", f"expected 1 (the only spec format so far), got {kind_of(doc['format'])}")
    title = doc.get("title", "")
    if not isinstance(title, str) or len(title) > 200:
        f.fail("title", "expected a string of at most 200 characters")
    problem = printable_problem(title)
    if problem:
        f.fail("title", f"{problem}; expected one line of text")
    seed = doc.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 32):
        f.fail("seed", f"expected a whole number from 0 to 4294967295, got {kind_of(seed)}")
    return title, seed


def _layer_tables(f: Fields, doc) -> list:
    layers_doc = doc.get("layers")
    if layers_doc is None:
        f.fail("", "missing [[layers]]: at least one layer is needed")
    if not isinstance(layers_doc, list) or not layers_doc:
        f.fail("layers", f"expected a list of layer tables, got {kind_of(layers_doc)}")
    if len(layers_doc) > MAX_LAYERS:
        f.fail("layers", f"{len(layers_doc)} layers is over the limit of {MAX_LAYERS}")
    return layers_doc


def _read_loss(f: Fields, doc) -> tuple:
    loss_doc = f.table(doc, "loss", required=False)
    f.keys("loss", loss_doc, _LOSS_KEYS)
    loss = f.choice("loss.kind", loss_doc.get("kind", "half_sse"), LOSSES, "loss")
    reduction = loss_doc.get("reduction", DEFAULT_REDUCTION[loss])
    if reduction not in ("sum", "mean"):
        f.fail("loss.reduction", f"expected \"sum\" or \"mean\", got {kind_of(reduction)}")
    return loss, reduction


def _first_kind(f: Fields, layers_doc: list):
    """The module of the first layer's kind, which says how it reads data.x: ``MAP_AXES`` (1 for conv1d, the 1-D
    pools and rnn: a sample is a matrix; else 2) and ``FLAT_AXIS`` (where a flat sample gets its axis of 1)."""
    first = layers_doc[0]
    return _kind(f, "layers[1]", first) if isinstance(first, dict) else None


def _inputs(f: Fields, v, axes: int = 2, flat_axis: int = 1) -> np.ndarray:
    """data.x: samples × inputs, or samples × channels × height × width (a sample given as one matrix is one
    channel) for the 2-D map kinds, or samples × channels × length (a flat list per sample is one channel) when
    the first layer reads 1-D maps (``axes`` 1)."""
    depth, probe = 0, v
    while isinstance(probe, list) and probe:
        depth, probe = depth + 1, probe[0]
    if axes == 1 and depth in (2, 3):
        x = f.tensor("data.x", v, depth)
        x = np.expand_dims(x, flat_axis) if depth == 2 else x
        if np.prod(x.shape[1:]) > MAX_MAP_ELEMENTS:
            f.fail("data.x", f"a sample of {'×'.join(map(str, x.shape[1:]))} is over the limit of "
                             f"{MAX_MAP_ELEMENTS} numbers")
    elif axes == 1:
        f.fail("data.x", f"expected samples × channels × length (or samples × steps × features for an rnn), got "
                         f"{depth} levels of lists")
    elif depth <= 2:
        x = f.matrix("data.x", v, flat_is_row=True)
    elif depth > 4:
        f.fail("data.x", f"expected samples × inputs or samples × channels × height × width, got {depth} levels of lists")
    else:
        x = f.tensor("data.x", v, depth)
        x = x[:, None] if depth == 3 else x
        if np.prod(x.shape[1:]) > MAX_MAP_ELEMENTS:
            f.fail("data.x", f"a sample of {'×'.join(map(str, x.shape[1:]))} is over the limit of "
                             f"{MAX_MAP_ELEMENTS} numbers")
    if x.shape[0] > MAX_SAMPLES:
        f.fail("data.x", f"{x.shape[0]} samples is over the limit of {MAX_SAMPLES}")
    return x


def _input_names(input_name: str, x: np.ndarray, first=None) -> tuple:
    """The input units' names: ``x1``, ``x2``, … (or ``x``), or one per map element, ``x123``, or as the first
    layer's kind names them (``input_names``: an rnn's ``x1t2``)."""
    if x.ndim > 2 and hasattr(first, "input_names"):
        return first.input_names(input_name, x.shape[1:])
    return unit_names(input_name, x.shape[1]) if x.ndim == 2 else map_names(input_name, x.shape[1:])


def _read_layers(f: Fields, tables: list, input_name: str, in_shape: tuple, seed, samples: int = 1) -> list:
    """Each [[layers]] table read by its kind's module, in order; names checked to be unique."""
    budget = Budget(seed)
    fan_in, shape = int(np.prod(in_shape)), (tuple(in_shape) if len(in_shape) > 1 else ())
    inputs = (input_name, fan_in if not shape else 0)  # a skip may name the input (features, not maps)
    names_seen = {input_name: "data.input_name"}
    layers = []
    for n, table in enumerate(tables, start=1):
        last = n == len(tables)
        where = f"layers[{n}]"
        if not isinstance(table, dict):
            f.fail(where, f"expected a table, got {kind_of(table)}")
        module = _kind(f, where, table)
        f.keys(where, table, kinds.allowed_keys(module))
        name = f.name(f"{where}.name", table.get("name", "o" if last else f"h{n}"))
        where = f'layers[{n}] ("{name}")'
        if name in names_seen:
            f.fail(where, f"name {name!r} is already used by {names_seen[name]}; every layer needs its own name")
        names_seen[name] = f"layers[{n}]"
        every = getattr(layers[-1], "out_steps", 0) if layers else 0  # after an rnn with return_sequences
        if every and not getattr(module, "TAKES_STEPS", False):
            f.fail(where, f"a {table.get('kind', 'dense')} layer cannot read every step of layers[{n - 1}] "
                          f"(\"{layers[-1].name}\", {layers[-1].out_steps} steps × {layers[-1].units} units): after "
                          "return_sequences = true come dense layers, applied at every step")
        if shape and not getattr(module, "TAKES_MAPS", False):
            f.fail(where, f"a {table.get('kind', 'dense')} layer reads features, but its input is a map of "
                          f"{'×'.join(map(str, shape))} per sample; put a layer of kind = \"flatten\" before it")
        ctx = LayerContext(f, n, name, where, last, fan_in, budget, tuple(layers), shape, *inputs, samples)
        if every:  # the same dense layer at every step (net/layers/steps.py)
            refuse_keys(table, ctx)
        layer = module.read(table, ctx)
        layer = per_step(layer, layers[-1]) if every else layer
        layers.append(layer)
        fan_in, shape = layer.units, tuple(getattr(layer, "out_shape", ()))
    if shape:
        f.fail(where, f"the output layer gives a map of {'×'.join(map(str, shape))} per sample; end the net with "
                      "kind = \"flatten\" and a dense layer")
    clash = name_clash([("data.input_name", _input_names(input_name, np.empty((0,) + tuple(in_shape))), False)]
                       + [(f'layers[{la.index}] ("{la.name}")', la.unit_names, la.kind == "dense") for la in layers])
    if clash:
        f.fail(clash[0], f"{clash[1]}: every name on the page must mean one thing; rename a layer "
                         "(or data.input_name)")
    return layers


def _kind(f: Fields, where: str, table: dict):
    """The module of the table's ``kind`` (dense when absent)."""
    name = table.get("kind", "dense")
    try:
        return kinds.kind(name)
    except KeyError as exc:
        f.fail(f"{where} kind", exc.args[0])


def _check_tables(f: Fields, layers, samples, steps, training):
    """A hand-size net trained by more than plain SGD prints a table per parameter and step: at most
    :data:`MAX_TABLE_STEPS` steps of them (10 000 steps of adam took over two minutes)."""
    from .records import DETAIL_PARAMETERS, DETAIL_SAMPLES

    o = training.optim if training is not None else None
    tables = o is not None and (o.optimizer != "sgd" or o.weight_decay or o.clip_norm is not None
                                or o.clip_value is not None)
    small = sum(layer.n_parameters for layer in layers) <= DETAIL_PARAMETERS and samples <= DETAIL_SAMPLES
    if tables and small and steps > MAX_TABLE_STEPS:
        f.fail("train.steps", f"{steps} steps of {o.optimizer} on a net of hand size print a table per parameter "
                              f"and step; at most {MAX_TABLE_STEPS} (use fewer steps)")


def _check_work(f: Fields, samples, weights, steps):
    if samples * weights * steps > MAX_WORK:
        f.fail("", f"{samples} samples × {weights} weights × {steps} steps is over the limit of {MAX_WORK:,} "
                   "multiply-adds for one run; use fewer samples, units or steps")


def _targets(f: Fields, v, samples, layers, loss) -> np.ndarray:
    """data.y checked against the output layer and the loss (a target at every step after return_sequences)."""
    outputs, last_activation = layers[-1].units, layers[-1].activation
    steps = getattr(layers[-1], "out_steps", 0)
    if steps:
        _output_fits(f, loss, outputs, last_activation)
        return read_targets(f, v, samples, steps, outputs, loss)
    refuse_per_step_targets(f, v, layers)
    if loss == "cross_entropy":
        labels = v
        if isinstance(v, list) and v and all(isinstance(r, list) and len(r) == 1 for r in v):
            labels = [r[0] for r in v]
        if not isinstance(labels, list) or any(isinstance(c, list) for c in labels):
            f.fail("data.y", "cross_entropy needs a flat list of class indices, one per sample (y = [0, 2])")
        if len(labels) != samples:
            f.fail("data.y", f"expected {samples} class labels (one per sample of data.x), got {len(labels)}")
        out = []
        for j, c in enumerate(labels):
            if isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c) or c != int(c):
                f.fail(f"data.y[{j}]", f"expected a whole class index, got {kind_of(c)}")
            if not 0 <= c < outputs:
                f.fail(f"data.y[{j}]", f"class label {int(c)} is out of range: the output layer has {outputs} "
                                         f"units, so labels go from 0 to {outputs - 1}")
            out.append(int(c))
        _output_fits(f, loss, outputs, last_activation)
        return np.array(out, dtype=np.int64)
    y = f.matrix("data.y", v, flat_is_row=(outputs > 1 and samples == 1))
    if y.shape != (samples, outputs):
        f.fail("data.y", f"expected {samples}×{outputs} (samples × output units), got {y.shape[0]}×{y.shape[1]}")
    if loss == "bce":
        _output_fits(f, loss, outputs, last_activation)
        if np.any((y < 0) | (y > 1)):
            f.fail("data.y", "bce targets must lie between 0 and 1")
    return y


def _output_fits(f: Fields, loss, outputs, last_activation) -> None:
    """The output layer a loss needs: cross_entropy at least 2 softmax or linear units, bce sigmoid or linear."""
    if loss == "cross_entropy":
        if outputs < 2:
            f.fail("loss.kind", "cross_entropy needs an output layer of at least 2 units")
        if last_activation not in ("softmax", "linear"):
            f.fail("loss.kind", f"cross_entropy needs a softmax output layer (probabilities) or a linear one "
                                f"(logits), not {last_activation}")
    if loss == "bce" and last_activation not in ("sigmoid", "linear"):
        f.fail("loss.kind", f"bce needs a sigmoid output layer (probabilities) or a linear one (logits), "
                              f"not {last_activation}")
