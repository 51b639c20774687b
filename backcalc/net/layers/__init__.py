"""Layer kinds: one module per kind, found by the name a spec gives in ``kind`` (default ``"dense"``).

The spec reader, the network, the derivation and the renderers never switch on a kind's name: they ask the
kind's module (through :func:`kind`) and the layer spec it builds. Kinds that differ only by a setting share a
module, each an object with the same attributes (``"backcalc.net.layers.pool:MAXPOOL2D"``: max or average, 1-D
or 2-D; ``norm:BATCHNORM`` and ``norm:LAYERNORM``). A new kind is one module here, one entry in
:data:`KINDS`, and its symbolic twin in :mod:`backcalc.check.layers` (the independent checker builds every kind
itself, from sympy, sharing nothing with the tape).

>>> kind("dense").KEYS
('activation', 'weights', 'bias', 'units', 'init', 'alpha', 'skip', 'dropout', 'dropout_mask')
>>> sorted(KINDS)
['avgpool1d', 'avgpool2d', 'batchnorm', 'conv1d', 'conv2d', 'dense', 'flatten', 'layernorm', 'maxpool1d', 'maxpool2d', 'rnn']
>>> kind("dens")
Traceback (most recent call last):
...
KeyError: "unknown layer kind 'dens' (did you mean 'dense'?); expected one of dense, conv2d, conv1d, maxpool2d, avgpool2d, maxpool1d, avgpool1d, flatten, rnn, batchnorm, layernorm"

What a kind's module provides
-----------------------------
``KEYS``
    The keys its ``[[layers]]`` table may hold besides ``name`` and ``kind`` (which every kind takes). Unknown
    keys are refused with a did-you-mean before :func:`read` sees the table.
``TAKES_MAPS`` (optional, default false)
    True for a kind that reads a channels × height × width map per sample (``ctx.in_shape``); a kind without
    it is refused after a map, naming the layer and the shape (put a flatten layer first).
``read(table, ctx) -> layer``
    Validate the table (``ctx`` is a :class:`LayerContext`: ``ctx.fields`` words errors that name the file and
    the layer; ``ctx.fan_in`` is what the layer before gives each sample) and return a frozen layer spec.

What the layer spec provides (see :class:`backcalc.net.layers.dense.Dense`, the model to copy)
-------------------------------------------------------------------------------------------
``kind, index, name, unit_names, units, activation, reads`` (and ``out_shape`` for a kind whose output is a map)
    Its kind's name, 1-based position, letter, output unit names (``("k1", "k2")``), output size per sample,
    the activation of its output (``"linear"`` when it has none: the loss reads the last layer's), and the
    layers whose outputs it reads (``(index - 1,)``; 0 is the data; a skip connection adds its source).
``parameters() -> {key: array}``, ``param_names(sources) -> [(display name, key)]``, ``n_parameters``,
``multiply_adds``
    Its parameters by canonical key (copies, in display order), every element's display name and element key
    (``("w_j1k1", "W2[0][0]")``; ``sources`` are the unit names of its input), their count, and the
    multiply-adds of one sample (the run-size limit).
``forward(a, leaves, earlier) -> LayerPass``
    Build the forward on the tape from the input tensor ``a`` and the parameter leaves (``{key: Tensor}``),
    with tensor methods only (``a @ W``, ``z.activation(name)``): a kind never imports the tape.
    ``earlier[m]`` is the output tensor of layer m (``earlier[0]`` the data), for kinds that read more than
    the layer before.
``forward_values(lp) -> {key: nested list}``
    Its forward keys for the JSON (``{"z2": ..., "a2": ...}``).
``unit_rows(lp, reader)``, ``deltas(lp, reader)``, ``terms(lp, reader)``, ``input_paths(lp, s, a, unit, source)``
    The derivation rows it shows, read back from its own tape nodes (``reader`` names its sources, see
    :class:`backcalc.net.derivation.TapeReader`): how each output is computed, each δ, each parameter's chain of
    factors, and the paths by which unit ``a`` (named ``unit``) of layer ``source`` (one of ``reads``) reaches
    its nodes in sample ``s`` (the terms of that unit's sum over paths).
``working(spec) -> ((topic, Working), …)`` (optional)
    The kind's own rules for the symbolic working before the numbers (its forward written symbolically and its
    gradients' formulas, :class:`backcalc.tape.workings.Working` rows with reason codes); ``topic`` is a code
    whose words live in ``render/labels_working.py``. A kind without it shows only its activation's working.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from ...errors import did_you_mean

#: kind name → module that implements it
KINDS: dict[str, str] = {
    "dense": "backcalc.net.layers.dense",
    "conv2d": "backcalc.net.layers.conv2d",
    "conv1d": "backcalc.net.layers.conv1d",
    "maxpool2d": "backcalc.net.layers.pool:MAXPOOL2D",
    "avgpool2d": "backcalc.net.layers.pool:AVGPOOL2D",
    "maxpool1d": "backcalc.net.layers.pool:MAXPOOL1D",
    "avgpool1d": "backcalc.net.layers.pool:AVGPOOL1D",
    "flatten": "backcalc.net.layers.flatten",
    "rnn": "backcalc.net.layers.rnn",
    "batchnorm": "backcalc.net.layers.norm:BATCHNORM",
    "layernorm": "backcalc.net.layers.norm:LAYERNORM",
}



def allowed_keys(module) -> tuple:
    """Every key a layer table of this kind may hold: ``name``, the kind's own keys, ``kind``."""
    return ("name", *module.KEYS, "kind")

MAX_PARAMETERS = 100_000  # explain of a net this size, every format, in under 10 s (benchmarks/bench_limits.py)


def kind(name: str):
    """The module (or object) of layer kind ``name``; ``KeyError`` with a did-you-mean when there is none."""
    where = KINDS.get(name) if isinstance(name, str) else None
    if where is None:
        raise KeyError(f"unknown layer kind {name!r}{did_you_mean(name, KINDS)}; expected one of {', '.join(KINDS)}")
    module, _, attribute = where.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attribute) if attribute else found


def register(name: str, module: str) -> None:
    """Make ``kind = "name"`` in a spec use ``module``: a dotted module path with ``KEYS`` and ``read``, or
    ``"module:NAME"`` for an object of that module that has them (kinds that differ by a setting share a module)."""
    KINDS[name] = module


@dataclass
class Budget:
    """What all layers of one spec share while they are read: the parameter count and the seeded generator."""

    seed: int | None
    total: int = 0
    _rng: np.random.Generator | None = field(default=None, repr=False)

    def rng(self) -> np.random.Generator:
        """The spec's generator, created from its seed on first use (layers draw in order)."""
        if self._rng is None:
            self._rng = np.random.default_rng(self.seed)
        return self._rng


@dataclass
class LayerContext:
    """What :func:`read` of a kind knows about the layer it reads."""

    fields: object            # backcalc.net.fields.Fields of the document
    index: int                # 1-based position in [[layers]]
    name: str                 # the layer's letter
    where: str                # 'layers[2] ("k")', the start of its error messages
    last: bool                # the output layer
    fan_in: int               # units the layer before (or data.x) gives each sample
    budget: Budget
    earlier: tuple = ()       # the layer specs read so far (a skip connection looks its source up here)
    shape: tuple = ()         # one sample's input shape when it is a map (channels × height × width)
    input_name: str = "x"     # data.input_name (a skip may name the input)
    input_units: int = 0      # features per sample of data.x
    samples: int = 1          # rows of data.x (a dropout mask has one row per sample)

    @property
    def in_shape(self) -> tuple:
        """The shape of one sample of the layer's input: ``(fan_in,)``, or channels × height × width."""
        return self.shape or (self.fan_in,)

    def fail(self, message: str, key: str | None = None):
        """Raise a SpecError at this layer (``key``: at one of its keys)."""
        self.fields.fail(self.where if key is None else f"{self.where} {key}", message)

    def count(self, weights: int) -> None:
        """Add ``weights`` to the net's total and refuse a net past :data:`MAX_PARAMETERS`."""
        self.budget.total += weights
        if self.budget.total > MAX_PARAMETERS:
            self.fail(f"the net has more than {MAX_PARAMETERS} weights (the limit)")


@dataclass
class LayerPass:
    """One layer's part of a forward pass on the tape, kept for reading the derivation back."""

    layer: object             # the layer spec
    input: object             # the Tensor it read (a_{n-1}; data.x for the first layer)
    output: object            # the Tensor it gave (a_n)
    params: dict              # its parameter leaves, {canonical key: Tensor}
    nodes: dict               # its named intermediate nodes, e.g. {"product": a @ W, "z": z}
    constants: dict = field(default_factory=dict)  # what it built besides the tape (a conv's index tables)
    kinks: tuple = ()         # RoundedKink per pre-activation taken as exactly 0 (backcalc.net.kinks)
