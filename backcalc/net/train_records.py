"""The training part of a derivation as records: per step and parameter element, every quantity of the
optimizer's update (formula, the numbers put in, old → new), the clipping step, and the l1/l2 penalty of the
loss with its own term in each ∂L/∂w. Read from a :class:`~backcalc.net.training.Run`; renderers format them.

>>> from backcalc.net.spec import load_spec
>>> spec = load_spec({"format": 1, "data": {"x": [1.0], "y": [0.0]}, "train": {"optimizer": "adam"},
...                   "layers": [{"activation": "linear", "weights": [[2.0]], "bias": [0.0]}]})
>>> from backcalc.net.training import train
>>> rec = training_record(spec, train(spec))
>>> [r.quantity for r in rec.tables[0].rows]
['exp_avg', 'exp_avg_sq', 'exp_avg_hat', 'exp_avg_sq_hat', 'param']
>>> round(rec.tables[0].rows[-1].value, 6)
1.9
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import optim
from .optim_formulas import Formula, formulas as step_formulas
from .names import parse_key
from .train_spec import Regularization, training_of

# quantity of optim.Update.values → its placeholder in optim's templates
PLACEHOLDER = {"param": "w", "decayed": "w_decayed", "grad": "g"}
HYPER = ("lr", "momentum", "beta1", "beta2", "alpha", "eps", "weight_decay")


@dataclass(frozen=True)
class QuantityRow:
    """One quantity of one element's step: new value, old value (state only) and every number of its formula."""

    quantity: str
    formula: Formula
    numbers: dict          # placeholder → number, for substituting into the formula
    value: float
    old: float | None


@dataclass(frozen=True)
class ParamTable:
    step: int
    name: str              # w_j1k1
    key: str               # W2[0][0]
    rows: tuple


@dataclass(frozen=True)
class ClipRecord:
    """The clipping of one step: the global norm before, the scale factor, elements clipped by value."""

    step: int
    clip_norm: float | None
    clip_value: float | None
    norm: float | None
    scale: float | None
    clipped: int


@dataclass(frozen=True)
class RegTerm:
    """The penalty's own term of ∂L/∂θ for one element: 2λ₂·θ + λ₁·sign(θ) (read from the tape)."""

    name: str
    key: str
    param: float
    data: float            # the data term (the chains' sum)
    value: float           # the penalty's term


@dataclass(frozen=True)
class PenaltyRecord:
    """L = data loss + λ₂·Σθ² + λ₁·Σ|θ| of the first step."""

    regularization: Regularization
    data_loss: float
    sum_squares: float
    sum_abs: float
    value: float           # λ₂·Σθ² + λ₁·Σ|θ|
    arrays: tuple          # the regularised parameter arrays' keys


@dataclass(frozen=True)
class TrainingRecord:
    settings: optim.Settings
    penalty: PenaltyRecord | None
    reg_terms: tuple       # RegTerm per regularised element (first step)
    clips: tuple           # ClipRecord per step (empty without clipping)
    tables: tuple          # ParamTable per step and element (empty for plain sgd or large nets)
    state: tuple           # per step: {key: {state name: list}}
    updated_steps: tuple   # per step: {key: list}

    @property
    def plain_sgd(self) -> bool:
        """The step is version 1's w − lr·∂L/∂w (no decay, no clipping; a penalty is in ∂L/∂w): the page shows
        the update table it always showed."""
        s = self.settings
        return s.optimizer == "sgd" and not s.weight_decay and s.clip_norm is None and s.clip_value is None


def _numbers(s: optim.Settings, t: int, ps, idx) -> dict:
    u = ps.update
    nums = {h: float(getattr(s, h)) for h in HYPER}
    nums["t"] = t
    nums["dL"] = float(ps.clipped[idx])
    nums["w_old"] = float(ps.old[idx])
    for name, old in ps.state_old.items():
        nums[f"{name}_old"] = float(old[idx])
    for name, value in u.values.items():
        nums[PLACEHOLDER.get(name, name)] = float(value[idx])
    return nums


def tables(spec, run, names: dict) -> tuple:
    """ParamTable per step and parameter element, in the spec's parameter order."""
    formulas = step_formulas(run.settings)
    out = []
    for step in run.steps:
        arrays = {ps.key: ps for ps in step.params}
        for name, key in names.items():
            k = parse_key(key)
            ps = arrays[k.array]
            nums = _numbers(run.settings, step.step, ps, k.index)
            rows = tuple(QuantityRow(f.quantity, f, nums, nums[PLACEHOLDER.get(f.quantity, f.quantity)],
                                     nums.get(f"{f.quantity}_old") if f.quantity != "param" else nums["w_old"])
                         for f in formulas)
            out.append(ParamTable(step.step, name, key, rows))
    return tuple(out)


def training_record(spec, run, detailed: bool = True) -> TrainingRecord:
    """The records of a run; per-element tables only when ``detailed`` and the optimizer is more than plain SGD."""
    reg = training_of(spec).regularization
    names = {key: name for name, key in spec.param_names()}
    penalty, reg_terms = penalty_records(reg, run.first, names)
    clips = tuple(ClipRecord(s.step, run.settings.clip_norm, run.settings.clip_value, s.clip.norm, s.clip.scale,
                             s.clip.clipped) for s in run.steps if s.clip is not None)
    s = run.settings
    shown = detailed and (s.optimizer != "sgd" or s.weight_decay or clips)
    return TrainingRecord(s, penalty, reg_terms, clips,
                          tables(spec, run, dict(spec.param_names())) if shown else (),
                          _state(run), _updated(run))


def penalty_records(reg: Regularization, first, names: dict) -> tuple:
    """``(PenaltyRecord, RegTerms)`` of one pass (``(None, ())`` without l1/l2)."""
    if not first.penalties:
        return None, ()
    sq = sum(float(np.sum(first.param_values(p.key) ** 2)) for p in first.penalties)
    ab = sum(float(np.sum(np.abs(first.param_values(p.key)))) for p in first.penalties)
    penalty = PenaltyRecord(reg, first.data_total.item(), sq, ab, sum(p.total.item() for p in first.penalties),
                            tuple(p.key for p in first.penalties))
    return penalty, _reg_terms(first, names)


def of_step(record: TrainingRecord, step: int, spec, p) -> TrainingRecord:
    """The record of one step only (its tables and clipping), with the penalty of that step's pass ``p`` — the
    training part of the HTML page's step ``step``."""
    names = {key: name for name, key in spec.param_names()}
    penalty, reg_terms = penalty_records(training_of(spec).regularization, p, names)
    return replace(record, penalty=penalty, reg_terms=reg_terms,
                   clips=tuple(c for c in record.clips if c.step == step),
                   tables=tuple(t for t in record.tables if t.step == step))


def _reg_terms(first, names) -> tuple:
    out = []
    grads = first.gradients()
    for p in first.penalties:
        own = p.gradient()
        values = first.param_values(p.key)
        for idx in np.ndindex(values.shape):
            key = p.key + "".join(f"[{i}]" for i in idx)
            total = float(grads[p.key][idx])
            out.append(RegTerm(names.get(key, key), key, float(values[idx]), total - float(own[idx]), float(own[idx])))
    return tuple(out)


def _state(run) -> tuple:
    return tuple({ps.key: {n: v.tolist() for n, v in ps.update.state.items()} for ps in step.params}
                 for step in run.steps)


def _updated(run) -> tuple:
    return tuple({ps.key: ps.update.param.tolist() for ps in step.params} for step in run.steps)


def settings_dict(s: optim.Settings) -> dict:
    """The optimizer and the settings it reads (as the spec names them, ``lr`` as ``learning_rate``)."""
    out = {"name": s.optimizer, "learning_rate": s.lr}
    for key in optim.USES[s.optimizer]:
        out[key] = getattr(s, key)
    for key in ("clip_norm", "clip_value"):
        if getattr(s, key) is not None:
            out[key] = getattr(s, key)
    return out


def training_dict(t: TrainingRecord) -> dict:
    """The JSON keys of INTERFACE.md 1.1: ``state`` and ``updated_steps`` always; the rest when used."""
    out = {"optimizer": settings_dict(t.settings), "state": list(t.state), "updated_steps": list(t.updated_steps)}
    if t.clips:
        out["clipping"] = [{"step": c.step, "norm": c.norm, "scale": c.scale, "clipped": c.clipped} for c in t.clips]
    if t.penalty is not None:
        p = t.penalty
        out["regularization"] = {"l2": p.regularization.l2, "l1": p.regularization.l1,
                                 "regularize_bias": p.regularization.regularize_bias, "data_loss": p.data_loss,
                                 "penalty": p.value, "sum_squares": p.sum_squares, "sum_abs": p.sum_abs,
                                 "terms": [{"name": r.name, "key": r.key, "data": r.data, "penalty": r.value}
                                           for r in t.reg_terms]}
    return out
