"""Read and validate spec files (TOML or JSON, chosen by extension) into a frozen :class:`NetSpec`.

Everything is checked before anything is computed, and every error names the file, the key, the layer
and what was expected: ``spec.toml: layers[2] ("k") weights: expected 4×2 (fan_in × units), got 4×3``.
Unknown keys are rejected (with a did-you-mean), so a misspelt key never silently does nothing.

>>> spec = default_spec()
>>> spec.layers[1].unit_names, spec.loss, spec.learning_rate
(('k1', 'k2'), 'half_sse', 0.25)
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import SpecError, did_you_mean
from .names import array_key, bias_name, element_key, unit_names, weight_name

ACTIVATIONS = ("linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax")
LOSSES = ("half_sse", "sse", "mse", "bce", "cross_entropy")
DEFAULT_REDUCTION = {"half_sse": "sum", "sse": "sum", "mse": "mean", "bce": "mean", "cross_entropy": "mean"}

# Limits, documented in the README ("Errors and limits").
MAX_FILE_BYTES = 1_000_000
MAX_LAYERS = 64
MAX_UNITS = 4096
MAX_PARAMETERS = 2_000_000
MAX_SAMPLES = 100_000
MAX_STEPS = 10_000
MAX_ABS_NUMBER = 1e6
MAX_DEPTH = 8
MAX_WORK = 200_000_000  # samples × weights × steps: a run past this is refused before it starts

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,7}$")
_TOP_KEYS = ("format", "title", "seed", "data", "layers", "loss", "train")
_DATA_KEYS = ("x", "y", "input_name")
_LAYER_KEYS = ("name", "activation", "weights", "bias", "units", "init", "alpha")
_LOSS_KEYS = ("kind", "reduction")
_TRAIN_KEYS = ("learning_rate", "steps")


@dataclass(frozen=True)
class LayerSpec:
    """One dense layer: ``z = a_prev @ weights + bias``, ``a = activation(z)``."""

    index: int                       # 1-based
    name: str                        # the layer's letter, e.g. "k"
    activation: str
    weights: np.ndarray              # fan_in × units
    bias: np.ndarray                 # units
    unit_names: tuple[str, ...]      # ("k1", "k2") or ("o",)
    alpha: float | None = None       # leaky_relu / elu parameter

    @property
    def units(self) -> int:
        return self.weights.shape[1]

    @property
    def fan_in(self) -> int:
        return self.weights.shape[0]


@dataclass(frozen=True)
class NetSpec:
    """A validated network, its data, loss and training settings."""

    title: str
    x: np.ndarray                    # samples × inputs
    y: np.ndarray                    # samples × outputs, or class indices (samples,) for cross_entropy
    input_name: str
    input_unit_names: tuple[str, ...]
    layers: tuple[LayerSpec, ...]
    loss: str
    reduction: str
    learning_rate: float
    steps: int
    seed: int | None = None
    source: str = "<spec>"
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def samples(self) -> int:
        return self.x.shape[0]

    def unit_names(self, layer: int) -> tuple[str, ...]:
        """Names of the units of layer ``layer`` (0 = the input units)."""
        return self.input_unit_names if layer == 0 else self.layers[layer - 1].unit_names

    def param_names(self) -> list[tuple[str, str]]:
        """Every parameter element as (display name, canonical key), in the fixed order: layer, W row-major, b."""
        out = []
        for layer in self.layers:
            sources = self.unit_names(layer.index - 1)
            for a in range(layer.fan_in):
                for b in range(layer.units):
                    out.append((weight_name(sources[a], layer.unit_names[b]), element_key("W", layer.index, a, b)))
            for b in range(layer.units):
                out.append((bias_name(layer.unit_names[b]), element_key("b", layer.index, b)))
        return out

    def parameters(self) -> dict[str, np.ndarray]:
        """``{"W1": ..., "b1": ..., ...}`` — copies."""
        out = {}
        for layer in self.layers:
            out[array_key("W", layer.index)] = layer.weights.copy()
            out[array_key("b", layer.index)] = layer.bias.copy()
        return out

    @property
    def n_parameters(self) -> int:
        return sum(layer.weights.size + layer.bias.size for layer in self.layers)


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
        return _build(source, "<spec>")
    if source is None:
        return default_spec()
    path = Path(source)
    return _build(read_document(path), path.name)


def read_document(path: Path) -> dict:
    """Read a TOML or JSON file into a dict, with errors that name the file (and the line)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise SpecError(f"{name}: expected a .toml or .json file, got {suffix or 'no extension'!r}")
    try:
        if path.is_dir():
            raise SpecError(f"{name}: is a directory, expected a file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise SpecError(f"{name}: {size} bytes is over the limit of {MAX_FILE_BYTES} bytes for a spec or answers file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise SpecError(f"{name}: the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{name}: not UTF-8 text (byte {exc.start}); expected a {suffix[1:].upper()} document") from None
    if "\x00" in text:
        raise SpecError(f"{name}: contains NUL bytes; expected a {suffix[1:].upper()} text document")
    return parse_document(text, suffix, name)


def parse_document(text: str, suffix: str, name: str) -> dict:
    if suffix == ".json":
        try:
            doc = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply") from None
        except ValueError as exc:
            raise SpecError(f"{name}: {exc}") from None
    else:
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{name}: invalid TOML: {exc}") from None
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply") from None
    if not isinstance(doc, dict):
        raise SpecError(f"{name}: expected a table/object at the top level, got {_kind(doc)}")
    _check_depth(doc, name)
    return doc


def _reject_constant(token):
    raise ValueError(f"{token} is not a number backcalc accepts (NaN and infinity are refused)")


def _check_depth(doc, name, depth=0):
    if depth > MAX_DEPTH:
        raise SpecError(f"{name}: nested more than {MAX_DEPTH} levels deep")
    if isinstance(doc, dict):
        for v in doc.values():
            _check_depth(v, name, depth + 1)
    elif isinstance(doc, list):
        for v in doc:
            if isinstance(v, (list, dict)):
                _check_depth(v, name, depth + 1)


def default_spec() -> NetSpec:
    """The embedded default example: the 1 → 4 ReLU → 2 sigmoid → 1 linear net (input 2, target 3)."""
    text = resources.files("backcalc.examples").joinpath("default.toml").read_text(encoding="utf-8")
    return _build(parse_document(text, ".toml", "default.toml"), "default.toml")


# ─────────────────────────────────────────── validation ───────────────────────────────────────────

class _Ctx:
    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str):
        raise SpecError(f"{self.source}: {where}: {message}" if where else f"{self.source}: {message}")


def _kind(v) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, str):
        return f"the string {v!r}" if len(v) < 40 else "a string"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a table"
    return type(v).__name__


def _check_keys(ctx, where, table, allowed):
    for key in table:
        if key not in allowed:
            ctx.fail(where, f"unknown key {key!r}{did_you_mean(key, allowed)}; expected one of {', '.join(allowed)}")


def _table(ctx, doc, key, required=True) -> dict:
    v = doc.get(key)
    if v is None:
        if required:
            ctx.fail("", f"missing [{key}] table")
        return {}
    if not isinstance(v, dict):
        ctx.fail(key, f"expected a table, got {_kind(v)}")
    return v


def _number(ctx, where, v, lo=-MAX_ABS_NUMBER, hi=MAX_ABS_NUMBER) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        ctx.fail(where, f"expected a number, got {_kind(v)}")
    if isinstance(v, int) and abs(v) > 10 ** 15:
        ctx.fail(where, f"{v} is out of range; expected a number between {lo:g} and {hi:g}")
    v = float(v)
    if not math.isfinite(v):
        ctx.fail(where, f"expected a finite number, got {v}")
    if not lo <= v <= hi:
        ctx.fail(where, f"{v:g} is out of range; expected a number between {lo:g} and {hi:g}")
    return v


def _matrix(ctx, where, v, flat_is_row=False) -> np.ndarray:
    """A rectangular matrix of finite numbers; a flat list becomes one row (if flat_is_row) or a column."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return np.array([[_number(ctx, where, v)]])
    if not isinstance(v, list) or not v:
        ctx.fail(where, f"expected a non-empty list of rows, got {_kind(v) if v != [] else 'an empty list'}")
    if all(not isinstance(r, list) for r in v):
        row = [_number(ctx, f"{where}[{j}]", c) for j, c in enumerate(v)]
        return np.array([row]) if flat_is_row else np.array(row).reshape(-1, 1)
    rows = []
    for i, r in enumerate(v):
        if not isinstance(r, list):
            ctx.fail(f"{where}[{i}]", f"expected a row (a list of numbers), got {_kind(r)}")
        if len(r) != len(v[0]):
            ctx.fail(where, f"ragged matrix: row {i} has {len(r)} numbers, row 0 has {len(v[0])}")
        rows.append([_number(ctx, f"{where}[{i}][{j}]", c) for j, c in enumerate(r)])
    if not rows[0]:
        ctx.fail(where, "expected rows with at least one number")
    return np.array(rows, dtype=np.float64)


def _vector(ctx, where, v) -> np.ndarray:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return np.array([_number(ctx, where, v)])
    if not isinstance(v, list) or not v:
        ctx.fail(where, f"expected a non-empty list of numbers, got {_kind(v) if v != [] else 'an empty list'}")
    return np.array([_number(ctx, f"{where}[{j}]", c) for j, c in enumerate(v)], dtype=np.float64)


def _name(ctx, where, v) -> str:
    if not isinstance(v, str) or not _NAME.match(v):
        ctx.fail(where, f"expected a short name of letters and digits starting with a letter (like \"j\"), got {_kind(v)}")
    return v


def _build(doc: dict, source: str) -> NetSpec:
    ctx = _Ctx(source)
    if not isinstance(doc, dict):
        ctx.fail("", f"expected a table at the top level, got {_kind(doc)}")
    _check_keys(ctx, "top level", doc, _TOP_KEYS)
    if "format" not in doc:
        ctx.fail("", "missing key 'format' (write format = 1 at the top)")
    if doc["format"] != 1 or isinstance(doc["format"], bool):
        ctx.fail("format", f"expected 1 (the only spec format so far), got {_kind(doc['format'])}")
    title = doc.get("title", "")
    if not isinstance(title, str) or len(title) > 200:
        ctx.fail("title", "expected a string of at most 200 characters")
    seed = doc.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 32):
        ctx.fail("seed", f"expected a whole number from 0 to 4294967295, got {_kind(seed)}")

    data = _table(ctx, doc, "data")
    _check_keys(ctx, "data", data, _DATA_KEYS)
    for key in ("x", "y"):
        if key not in data:
            ctx.fail("data", f"missing key {key!r}")
    input_name = _name(ctx, "data.input_name", data.get("input_name", "x"))
    x = _matrix(ctx, "data.x", data["x"], flat_is_row=True)
    if x.shape[0] > MAX_SAMPLES:
        ctx.fail("data.x", f"{x.shape[0]} samples is over the limit of {MAX_SAMPLES}")

    layers_doc = doc.get("layers")
    if layers_doc is None:
        ctx.fail("", "missing [[layers]]: at least one layer is needed")
    if not isinstance(layers_doc, list) or not layers_doc:
        ctx.fail("layers", f"expected a list of layer tables, got {_kind(layers_doc)}")
    if len(layers_doc) > MAX_LAYERS:
        ctx.fail("layers", f"{len(layers_doc)} layers is over the limit of {MAX_LAYERS}")

    loss_doc = _table(ctx, doc, "loss", required=False)
    _check_keys(ctx, "loss", loss_doc, _LOSS_KEYS)
    loss = loss_doc.get("kind", "half_sse")
    if loss not in LOSSES:
        ctx.fail("loss.kind", f"unknown loss {_kind(loss)}{did_you_mean(loss, LOSSES)}; expected one of {', '.join(LOSSES)}")
    reduction = loss_doc.get("reduction", DEFAULT_REDUCTION[loss])
    if reduction not in ("sum", "mean"):
        ctx.fail("loss.reduction", f"expected \"sum\" or \"mean\", got {_kind(reduction)}")

    rng = None
    fan_in = x.shape[1]
    layers = []
    names_seen = {input_name: "data.input_name"}
    total = 0
    for n, layer in enumerate(layers_doc, start=1):
        last = n == len(layers_doc)
        where = f"layers[{n}]"
        if not isinstance(layer, dict):
            ctx.fail(where, f"expected a table, got {_kind(layer)}")
        _check_keys(ctx, where, layer, _LAYER_KEYS)
        name = _name(ctx, f"{where}.name", layer.get("name", "o" if last else f"h{n}"))
        where = f'layers[{n}] ("{name}")'
        if name in names_seen:
            ctx.fail(where, f"name {name!r} is already used by {names_seen[name]}; every layer needs its own name")
        names_seen[name] = f"layers[{n}]"
        act = layer.get("activation")
        if act is None:
            ctx.fail(where, f"missing key 'activation' (one of {', '.join(ACTIVATIONS)})")
        if act not in ACTIVATIONS:
            ctx.fail(f"{where} activation", f"unknown activation {_kind(act)}{did_you_mean(act, ACTIVATIONS)}; "
                                            f"expected one of {', '.join(ACTIVATIONS)}")
        alpha = layer.get("alpha")
        if alpha is not None:
            if act not in ("leaky_relu", "elu"):
                ctx.fail(f"{where} alpha", f"alpha applies to leaky_relu and elu only, not {act}")
            alpha = _number(ctx, f"{where} alpha", alpha, 0.0, 10.0)
        if "weights" in layer:
            for k in ("units", "init"):
                if k in layer:
                    ctx.fail(where, f"give either weights and bias, or units and init, not both ({k!r} with 'weights')")
            if "bias" not in layer:
                ctx.fail(where, "missing key 'bias' (one number per unit)")
            W = _matrix(ctx, f"{where} weights", layer["weights"], flat_is_row=(fan_in == 1))
            if W.shape[0] != fan_in:
                prev = "data.x has" if n == 1 else f"layers[{n - 1}] has"
                ctx.fail(f"{where} weights", f"expected {fan_in}×{W.shape[1]} (fan_in × units: {prev} {fan_in} "
                                             f"units), got {W.shape[0]}×{W.shape[1]}")
            b = _vector(ctx, f"{where} bias", layer["bias"])
            if b.shape[0] != W.shape[1]:
                ctx.fail(f"{where} bias", f"expected {W.shape[1]} numbers (one per unit), got {b.shape[0]}")
        else:
            if "units" not in layer:
                ctx.fail(where, "missing 'weights' and 'bias' (or 'units' with 'init')")
            units = layer["units"]
            if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
                ctx.fail(f"{where} units", f"expected a whole number from 1 to {MAX_UNITS}, got {_kind(units)}")
            if "bias" in layer:
                ctx.fail(where, "'bias' goes with 'weights'; with 'units' and 'init' the biases start at 0")
            init = layer.get("init", "xavier_normal")
            if seed is None:
                ctx.fail(where, "'units' with 'init' needs a top-level seed (for example seed = 0), so runs repeat")
            total += fan_in * units
            if total > MAX_PARAMETERS:
                ctx.fail(where, f"the net has more than {MAX_PARAMETERS} weights (the limit)")
            rng = rng if rng is not None else np.random.default_rng(seed)
            W = _initial_weights(ctx, f"{where} init", init, rng, fan_in, units)
            b = np.zeros(units)
        total += W.size if "weights" in layer else 0
        if total > MAX_PARAMETERS:
            ctx.fail(where, f"the net has more than {MAX_PARAMETERS} weights (the limit)")
        if act == "softmax" and W.shape[1] < 2:
            ctx.fail(f"{where} activation", "softmax needs at least 2 units")
        layers.append(LayerSpec(n, name, act, W, b, unit_names(name, W.shape[1]), alpha))
        fan_in = W.shape[1]

    outputs = layers[-1].units
    y = _targets(ctx, data["y"], x.shape[0], outputs, loss, layers[-1].activation)
    train = _table(ctx, doc, "train", required=False)
    _check_keys(ctx, "train", train, _TRAIN_KEYS)
    lr = _number(ctx, "train.learning_rate", train.get("learning_rate", 0.1), 0.0, 1e3)
    steps = train.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        ctx.fail("train.steps", f"expected a whole number from 1 to {MAX_STEPS}, got {_kind(steps)}")
    _check_work(ctx, x.shape[0], sum(layer.weights.size for layer in layers), steps)
    return NetSpec(title=title, x=x, y=y, input_name=input_name, input_unit_names=unit_names(input_name, x.shape[1]),
                   layers=tuple(layers), loss=loss, reduction=reduction, learning_rate=lr, steps=steps,
                   seed=seed, source=source, raw=doc)


def _check_work(ctx, samples, weights, steps):
    if samples * weights * steps > MAX_WORK:
        ctx.fail("", f"{samples} samples × {weights} weights × {steps} steps is over the limit of {MAX_WORK:,} "
                     "multiply-adds for one run; use fewer samples, units or steps")


def with_steps(spec: NetSpec, steps: int) -> NetSpec:
    """The spec with another number of SGD steps (checked against the same limits)."""
    import dataclasses

    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise SpecError(f"--steps: expected a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    _check_work(_Ctx(spec.source), spec.samples, sum(layer.weights.size for layer in spec.layers), steps)
    return dataclasses.replace(spec, steps=steps)


def _initial_weights(ctx, where, init, rng, fan_in, fan_out) -> np.ndarray:
    from .init import initializer  # the same initialisers as the vanishing study

    if not isinstance(init, str):
        ctx.fail(where, f"expected an init name such as \"xavier_normal\" or \"normal:0.01\", got {_kind(init)}")
    try:
        make = initializer(init)
    except SpecError:
        raise
    except Exception as exc:  # the initialiser module words its own message
        ctx.fail(where, str(exc))
    return np.asarray(make(rng, fan_in, fan_out), dtype=np.float64)


def _targets(ctx, v, samples, outputs, loss, last_activation) -> np.ndarray:
    if loss == "cross_entropy":
        labels = v
        if isinstance(v, list) and v and all(isinstance(r, list) and len(r) == 1 for r in v):
            labels = [r[0] for r in v]
        if not isinstance(labels, list) or any(isinstance(c, list) for c in labels):
            ctx.fail("data.y", "cross_entropy needs a flat list of class indices, one per sample (y = [0, 2])")
        if len(labels) != samples:
            ctx.fail("data.y", f"expected {samples} class labels (one per sample of data.x), got {len(labels)}")
        out = []
        for j, c in enumerate(labels):
            if isinstance(c, bool) or not isinstance(c, (int, float)) or c != int(c):
                ctx.fail(f"data.y[{j}]", f"expected a whole class index, got {_kind(c)}")
            if not 0 <= c < outputs:
                ctx.fail(f"data.y[{j}]", f"class label {int(c)} is out of range: the output layer has {outputs} "
                                         f"units, so labels go from 0 to {outputs - 1}")
            out.append(int(c))
        if outputs < 2:
            ctx.fail("loss.kind", "cross_entropy needs an output layer of at least 2 units")
        return np.array(out, dtype=np.int64)
    y = _matrix(ctx, "data.y", v, flat_is_row=(outputs > 1 and samples == 1))
    if y.shape != (samples, outputs):
        ctx.fail("data.y", f"expected {samples}×{outputs} (samples × output units), got {y.shape[0]}×{y.shape[1]}")
    if loss == "bce":
        if last_activation not in ("sigmoid", "linear"):
            ctx.fail("loss.kind", f"bce needs a sigmoid output layer (probabilities) or a linear one (logits), "
                                  f"not {last_activation}")
        if np.any((y < 0) | (y > 1)):
            ctx.fail("data.y", "bce targets must lie between 0 and 1")
    return y
