"""The study's options: checked before any work starts, defaults that depend on others filled in.

Every message is one line that names the option and what was expected (exit 2 from the CLI).

>>> cfg, init = resolve(Config(activation="relu", init="he_normal", features=8))
>>> cfg.samples, cfg.outputs, init.formula
(1000, 1, 'N(0, 2/fan_in)')
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import fields, replace

import numpy as np

from ..errors import VanishingError, did_you_mean
from ..net.init import initializer
from ..tape import rules
from .datasets import CLASSES, DIGITS_SAMPLES, FIXED_FEATURES, KINDS
from .presets import PRESETS
from .records import Config

ACTIVATIONS = tuple(a for a in rules.ACTIVATIONS if rules.RULES[a].elementwise)  # every activation of one number
DATA_KINDS = KINDS
LOSS_KINDS = ("half_sse", "mse", "bce", "cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "adam")
#: The largest |f′| the activation allows: each layer can pass back at most this factor (times its weights).
DERIVATIVE_BOUND = {a: rules.RULES[a].local_bound for a in ACTIVATIONS}
#: Activations whose f′ tends to 0 on both sides: where their units saturate.
SATURATING = ("sigmoid", "tanh")
MAX_FLOATS = 4e8          # ≈ 3 GB of float64: refuse before numpy runs out of memory
#: Multiply-adds one command may spend (≈ 5 s of CPU here: every preset fits, the default net trains 3 epochs;
#: benchmarks/bench_limits.py); a training step's bookkeeping counts as STEP_COST per layer, so tiny nets
#: trained for many steps are measured too.
WORK_BUDGET = 5e10
STEP_COST = 3e6
EXTRA = ("compare", "histogram", "progress", "preset")
PRESET_FREE = ("seed",)   # the one option a preset leaves to the user


def fail(message: str):
    raise VanishingError(message)


def _int(value, option, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        fail(f"{option}: expected a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def _number(value, option, low, high, low_open=False):
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if not ok or value > high or value < low or (low_open and value == low):
        bracket = "(" if low_open else "["
        fail(f"{option}: expected a number in {bracket}{low:g}, {high:g}], got {value!r}")
    return float(value)


def _choice(value, choices, option, what):
    if value in choices:
        return value
    fail(f"{option}: unknown {what} {value!r}{did_you_mean(value, choices)}; expected one of {', '.join(choices)}")


def make_config(config: dict) -> Config:
    """A :class:`Config` from keyword options, refusing unknown names with a did-you-mean."""
    names = [f.name for f in fields(Config)]
    for key in config:
        if key not in names:
            close = difflib.get_close_matches(key, names + list(EXTRA), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            fail(f"vanishing(): unknown option {key!r}{hint} (expected some of {', '.join(names)}, "
                 f"{', '.join(EXTRA)})")
    return Config(**config)


def apply_preset(preset, config: dict, compare):
    """The preset's options merged with ``config``; an option given that the preset sets otherwise is refused."""
    if preset is None:
        return config, compare
    if not isinstance(preset, str) or preset not in PRESETS:
        fail(f"--preset: unknown preset {preset!r}{did_you_mean(preset, PRESETS)}; expected one of "
             f"{', '.join(PRESETS)}")
    fixed = dict(PRESETS[preset])
    given = dict(config, **({} if compare is None else {"compare": compare}))
    defaults = Config()
    for key, value in given.items():
        option = "--" + key.replace("_", "-").replace("learning-rate", "lr")
        if key in fixed and value != fixed[key]:
            fail(f"{option} {value!r} contradicts --preset {preset}, which sets {fixed[key]!r}; "
                 "drop one of them")
        if key not in fixed and key not in PRESET_FREE and value != getattr(defaults, key, None):
            fail(f"{option} {value!r} contradicts --preset {preset}, which keeps the default "
                 f"{getattr(defaults, key, None)!r}; drop one of them")
    merged = {**fixed, **config}
    return {k: v for k, v in merged.items() if k != "compare"}, fixed.get("compare", compare)


def resolve(cfg: Config, via: str | None = None):
    """Check every option; fill in the defaults that depend on others. Returns (config, initialiser).

    ``via`` names the option the activation and init came from when it is not theirs (``--compare``)."""
    for name in ("depth", "width", "batch_size"):
        _int(getattr(cfg, name), f"--{name.replace('_', '-')}", 1)
    _int(cfg.epochs, "--epochs", 0)
    _int(cfg.seed, "--seed", 0)
    data = _choice(cfg.data, DATA_KINDS, "--data", "data set")
    samples = _samples(cfg, data)
    features = _features(cfg, data)
    activation = _choice(cfg.activation, ACTIVATIONS, via or "--activation", "activation")
    loss = _choice(cfg.loss, LOSS_KINDS, "--loss", "loss")
    classes = CLASSES[data]
    outputs = 1 if classes == 2 else classes
    output = cfg.output_activation or ("linear" if loss == "cross_entropy" else "sigmoid")
    output = _choice(output, ACTIVATIONS, "--output-activation", "activation")
    _check_loss(loss, output, data, classes)
    _check_training(cfg)
    alpha = cfg.alpha
    if alpha is not None:
        if activation not in ("leaky_relu", "elu"):
            fail(f"{via or '--alpha'}: alpha applies to leaky_relu and elu only, not {activation}")
        alpha = _number(alpha, via or "--alpha", 0.0, 10.0)
    _choice(cfg.batchnorm_position, ("before", "after"), "--batchnorm", "position")
    noise, data_seed, test_fraction = _data_options(cfg, data, samples)
    init = initializer(cfg.init, what=via or "--init")
    for name in ("residual", "batchnorm"):
        if not isinstance(getattr(cfg, name), bool):
            fail(f"--{name}: expected True or False, got {getattr(cfg, name)!r}")
    cfg = replace(cfg, samples=samples, features=features, activation=activation, output_activation=output,
                  data=data, loss=loss, learning_rate=float(cfg.learning_rate), init=init.name, alpha=alpha,
                  momentum=cfg.momentum if cfg.optimizer != "momentum" else float(cfg.momentum or 0.9),
                  noise=noise, data_seed=data_seed, test_fraction=test_fraction, outputs=outputs)
    _check_size(cfg)
    return cfg, init


def _samples(cfg, data):
    if data == "digits":
        samples = DIGITS_SAMPLES if cfg.samples is None else _int(cfg.samples, "--samples", 2)
        if samples > DIGITS_SAMPLES:
            fail(f"--samples: digits has {DIGITS_SAMPLES} rows, got {samples}")
        return samples
    return 1000 if cfg.samples is None else _int(cfg.samples, "--samples", 2)


def _features(cfg, data):
    fixed = FIXED_FEATURES.get(data)
    if fixed is not None:
        if cfg.features is not None and cfg.features != fixed:
            fail(f"--features: data {data} has {fixed} features, got {cfg.features!r}")
        return fixed
    if cfg.features is None:
        return 500 if data == "random" else 2
    if data == "moons" and isinstance(cfg.features, int) and cfg.features < 2:
        fail(f"--features: moons has 2 informative features (more are noise), so expected ≥ 2, got {cfg.features}")
    return _int(cfg.features, "--features", 1)


def _check_loss(loss, output, data, classes):
    if loss == "cross_entropy" and classes == 2:
        fail(f"--loss cross_entropy: data {data} has binary targets and the net one output; "
             "use --loss bce (or half_sse)")
    if loss != "cross_entropy" and classes > 2:
        fail(f"--loss {loss}: data {data} has {classes} classes, one output each; use --loss cross_entropy")
    if loss == "cross_entropy" and output != "linear":
        fail(f"--loss cross_entropy: takes the output layer's logits, so expected --output-activation linear, "
             f"got {output!r}")
    if loss == "bce" and output != "sigmoid":
        fail(f"--loss bce: needs a sigmoid output layer (bce takes probabilities), got {output!r}; "
             "add --output-activation sigmoid")


def _check_training(cfg):
    _number(cfg.learning_rate, "--lr", 0.0, 1e6, low_open=True)
    _choice(cfg.optimizer, OPTIMIZERS, "--optimizer", "optimizer")
    if cfg.momentum is not None:
        if cfg.optimizer != "momentum":
            fail(f"--momentum: applies to --optimizer momentum only, not {cfg.optimizer}")
        _number(cfg.momentum, "--momentum", 0.0, 1.0)


def _data_options(cfg, data, samples):
    noise = cfg.noise
    if noise is not None and data != "sklearn_moons":
        fail(f"--noise: applies to --data sklearn_moons only, not {data}")
    if data == "sklearn_moons":
        noise = 0.05 if noise is None else _number(noise, "--noise", 0.0, 10.0)
    test_fraction = _number(cfg.test_fraction, "--test-fraction", 0.0, 0.9)
    if test_fraction and samples - math.ceil(test_fraction * samples) < 2:
        fail(f"--test-fraction {test_fraction:g}: leaves fewer than 2 of the {samples} rows to train on")
    data_seed = cfg.data_seed
    if data_seed is not None:
        if data != "sklearn_moons" and not test_fraction:
            fail("--data-seed: applies to --data sklearn_moons and to --test-fraction only")
        data_seed = _int(data_seed, "--data-seed", 0)
    return noise, data_seed, test_fraction


def floats(cfg: Config) -> int:
    """The floats a configuration is counted to hold at once, what :data:`MAX_FLOATS` bounds: six per unit and
    sample, three per weight (an upper estimate: the run at the bound peaks near 0.8 GB, not 3 GB;
    benchmarks/bench_limits.py).

    >>> floats(resolve(Config(depth=2, width=3, features=4, samples=5))[0])  # 5·6·(4 + 3 + 1) + 3·(12 + 3)
    285
    """
    sizes = layer_sizes(cfg)
    return cfg.samples * 6 * sum(sizes) + 3 * sum(a * b for a, b in zip(sizes, sizes[1:]))


def _check_size(cfg):
    held = floats(cfg)
    if held > MAX_FLOATS:
        fail(f"--depth {cfg.depth} --width {cfg.width} --samples {cfg.samples} --features {cfg.features}: "
             f"about {held * 8 / 1e9:.0f} GB of float64; make the net or the data smaller")


def work(cfg: Config) -> float:
    """Multiply-adds (and step bookkeeping) one configuration costs: the first pass, and per epoch the
    mini-batch steps and the pass over all rows that measures the epoch."""
    sizes = layer_sizes(cfg)
    params = sum(a * b for a, b in zip(sizes, sizes[1:]))
    steps = cfg.epochs * math.ceil(cfg.samples / cfg.batch_size)
    return 3.0 * params * cfg.samples * (1 + 2 * cfg.epochs) + STEP_COST * cfg.depth * steps


def check_budget(configs) -> None:
    total = sum(work(cfg) for cfg in configs)
    if total > WORK_BUDGET:
        cfg = configs[0]
        fail(f"--epochs {cfg.epochs} × {len(configs)} configuration(s) of depth {cfg.depth}, width {cfg.width} on "
             f"{cfg.samples} samples: about {total:.1e} multiply-adds, over the budget of {WORK_BUDGET:.0e} "
             "(about 5 s here); use fewer --epochs or --samples, or a smaller net")


def layer_sizes(cfg: Config) -> list:
    return [cfg.features] + [cfg.width] * (cfg.depth - 1) + [cfg.outputs or 1]


_ITEM = re.compile(r"^([a-z_]+)(?:\(([^()]*)\))?$")
_MODS = {"bn": dict(batchnorm=True, batchnorm_position="before"),
         "bn_after": dict(batchnorm=True, batchnorm_position="after"), "residual": dict(residual=True)}


def parse_compare(compare, base: Config) -> list:
    """``"sigmoid:normal:0.01,leaky_relu(0.2):he_normal+bn"``: the activation (with an optional alpha) is the
    first field, the init the rest, then ``+bn``, ``+bn_after`` or ``+residual``."""
    example = "e.g. sigmoid:normal:0.01,relu:he_normal"
    if not isinstance(compare, (str, list, tuple)):
        fail(f"--compare: expected activation:init pairs separated by commas, {example}; got {compare!r}")
    items = compare.split(",") if isinstance(compare, str) else list(compare)
    if not items:
        fail(f"--compare: expected activation:init pairs separated by commas, {example}")
    return [_compare_item(item, base, example) for item in items]


def _compare_item(item, base: Config, example) -> Config:
    if isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(v, str) for v in item):
        return replace(base, activation=_choice(item[0], ACTIVATIONS, "--compare", "activation"), init=item[1])
    if not isinstance(item, str) or not item.strip():
        fail(f"--compare: empty or malformed entry {item!r}; expected activation:init pairs, {example}")
    head, *mods = item.strip().split("+")
    act, sep, init = head.partition(":")
    match = _ITEM.match(act.strip())
    if match is None:
        fail(f"--compare: cannot read the activation {act.strip()!r}; expected a name, or leaky_relu(0.2)")
    activation = _choice(match.group(1), ACTIVATIONS, "--compare", "activation")
    options = dict(activation=activation, init=init.strip() if sep else base.init)
    if match.group(2) is not None:
        try:
            options["alpha"] = float(match.group(2))
        except ValueError:
            fail(f"--compare: alpha of {act.strip()!r} is not a number")
    for mod in mods:
        options.update(_MODS.get(mod.strip()) or fail(
            f"--compare: unknown modifier '+{mod.strip()}'{did_you_mean(mod.strip(), _MODS)}; expected "
            "+bn, +bn_after or +residual"))
    return replace(base, **options)
