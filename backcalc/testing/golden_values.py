"""Helpers for graders' test suites: golden values that explain themselves, and checks of hand-written backward code.

- :func:`golden` — every value of a worked derivation, addressed like an answers file
  (``g["gradients.w_j1k1"]``, ``g["forward.k1_out"]``, ``g["updated.b_o"]``, ``g["loss"]``).
- :func:`assert_matches` — a student's number (or array) against the golden value; the failure message
  shows the expected value's derivation (the chain of factors with their numbers) and, if one fits, a
  diagnosis from :mod:`backcalc.grading.grade`.
- :func:`check_backward` — a student's ``*_backward`` function against the tape and central differences
  (elementwise activations, affine layers, losses), naming the first element that differs.

Installed with backcalc, a pytest plugin offers all three as the ``backcalc`` fixture.

>>> g = golden()                                 # the embedded default example
>>> round(g["gradients.w_j1k1"], 7), g.resolve("gradients.w_j1k1").key
(-0.0018714, 'gradients.W2[0][0]')
>>> assert_matches(-0.0018714, g, "gradients.w_j1k1", rtol=1e-4)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from ..net.derivation import Derivation, explain
from ..render.format import num, signed
from ..render.shared import pool_line
from ..render.text import bias_parts, jacobian_sum, path_sum, weighted_sum
from ..net.names import array_key, index_text, node_in, node_out, parse_key
from ..net.spec import NetSpec
from ..errors import Mismatch
from ..grading.state_keys import split_scope, split_scoped_key, steps_of
from .golden_training import display_name, training_arrays, training_lines
from ..tape import Tensor, Value

__all__ = ["golden", "assert_matches", "check_backward", "Golden", "Resolved", "Mismatch", "UnknownKey", "BackwardReport"]

SCOPES = ("forward", "gradients", "updated")
_SUGGEST_ELEMENTS = 5000   # element keys offered as did-you-mean candidates up to this many parameters


class UnknownKey(KeyError):
    """A key that names no value of the derivation (the message suggests the closest ones)."""

    def __str__(self):
        return str(self.args[0])


class Resolved(NamedTuple):
    """A golden value and its canonical scoped key and display name (``None`` for whole arrays)."""

    key: str
    name: str | None
    value: float | np.ndarray


# ─────────────────────────────────────────── golden values ───────────────────────────────────────────

def golden(spec=None) -> Golden:
    """Every value of the worked derivation of ``spec`` (path, dict, NetSpec, Derivation; None = the default).

    Keys are scoped like an answers file: ``loss``, ``loss_after``, ``forward.*`` (``z1``, ``a2``,
    ``a2[0][1]``, ``k1_in``, ``k1_out``), ``gradients.*`` and ``updated.*`` (``W2``, ``b1[3]``,
    ``w_j1k1``, ``b_o``); with a training run also ``state.NAME.*``, ``state.stepN.NAME.*`` (the optimizer's
    state after the last step, after step N) and ``updated.stepN.*``. Elements give floats, arrays give numpy copies. In a batch net a forward display
    name gives the column over the samples. Iterating yields the whole-array keys.

    >>> g = golden()
    >>> g["forward.k1_in"], g["updated.b_o"], g["gradients.W1"].shape
    (6.0, 1.1264547621546943, (1, 4))
    >>> g["forward.k1out"]
    Traceback (most recent call last):
    ...
    backcalc.testing.UnknownKey: 'forward.k1out' names no value of this derivation (did you mean 'forward.k1_out' or 'forward.k2_out'?)
    """
    if isinstance(spec, Golden):
        return spec
    return Golden(spec if isinstance(spec, Derivation) else explain(spec))


class Golden(Mapping):
    """The values of one :class:`~backcalc.net.derivation.Derivation`, addressable by scoped key (see :func:`golden`)."""

    def __init__(self, derivation: Derivation):
        self.derivation = derivation
        self.spec: NetSpec = derivation.spec
        self._arrays = {"forward": {k: np.asarray(v, dtype=float) for k, v in derivation.forward.items()},
                        "gradients": {k: np.asarray(v, dtype=float) for k, v in derivation.gradients.items()},
                        "updated": {k: np.asarray(v, dtype=float) for k, v in derivation.updated.items()}}
        self._arrays.update(training_arrays(derivation))  # state.exp_avg, state.step1.exp_avg, updated.step1
        self._names = {scope: {} for scope in SCOPES}        # display name → (array, index)
        self._display = {}                                    # (scope, array, element index) → display name
        for name, key in self.spec.param_names():
            k = parse_key(key)
            array, idx = k.array, k.index
            for scope in ("gradients", "updated"):
                self._names[scope][name] = (array, idx)
                self._display[(scope, array, idx)] = name
        batch = self.spec.samples > 1
        for layer in self.spec.layers:
            shape = getattr(layer, "out_shape", None)  # a conv or pool layer's map: channels × height × width
            for c, unit in enumerate(layer.unit_names):
                at = tuple(int(i) for i in np.unravel_index(c, shape)) if shape else (c,)
                for array, node in ((array_key("z", layer.index), node_in(unit)), (array_key("a", layer.index), node_out(unit))):
                    if array not in self._arrays["forward"]:  # a pool or flatten layer has no z
                        continue
                    self._names["forward"][node] = (array, (slice(None), *at) if batch else (0, *at))
                    for s in range(self.spec.samples):
                        self._display[("forward", array, (s, *at))] = f"{node}, sample {s + 1}" if batch else node

    def __iter__(self):
        yield "loss"
        yield "loss_after"
        for scope, arrays in self._arrays.items():
            for array in arrays:
                yield f"{scope}.{array}"

    def __len__(self):
        return 2 + sum(len(a) for a in self._arrays.values())

    def __getitem__(self, key):
        return self.resolve(key).value

    def __repr__(self):
        return f"<golden values of {self.spec.title or self.spec.source!r}: {len(self)} arrays and scalars>"

    def resolve(self, key: str) -> Resolved:
        """The canonical scoped key, the display name and the value of ``key`` (:class:`UnknownKey` if none)."""
        scope, array, idx = self._address(key)
        if array is None:
            return Resolved(scope, scope, float(getattr(self.derivation, scope)))
        value = self._arrays[scope][array][idx] if idx else self._arrays[scope][array]
        name = self.display(scope, array, idx) if idx and all(isinstance(i, int) for i in idx) else None
        if name is None and idx:
            name = next((n for n, a in self._names.get(scope, {}).items() if a == (array, idx)), None)
        value = float(value) if np.ndim(value) == 0 else np.array(value)
        return Resolved(f"{scope}.{array}{index_text(idx)}", name, value)

    def display(self, scope, array, idx) -> str | None:
        """The display name of one element (``w_c1122``, ``momentum_buffer of w_c1122 (step 1)``), or None."""
        if split_scope(scope) is None:
            return self._display.get((scope, array, idx))
        name = self._display.get(("gradients", array, idx))
        return None if name is None else display_name(scope, name, steps_of(self.derivation))

    def explain(self, key: str) -> str:
        """The derivation of one element's golden value, as text (the chain of factors with numbers)."""
        scope, array, idx = self._address(key)
        if array is None:
            return "\n".join(_loss_lines(self.derivation) if scope == "loss" else _loss_after_lines(self.derivation))
        if not idx or not all(isinstance(i, int) for i in idx):
            raise ValueError(f"{key!r} is a whole array; explain() takes one element, e.g. {scope}.{array}[0][0]")
        return "\n".join(_derivation_lines(self, scope, array, idx))

    # ── key parsing ──
    def _address(self, key):
        if not isinstance(key, str):
            raise TypeError(f"golden keys are strings like 'gradients.w_j1k1', got {type(key).__name__}")
        text = key.replace(" ", "")
        if text in ("loss", "loss_after"):
            return text, None, ()
        training = split_scoped_key(text)  # state.step1.exp_avg.W1, updated.step2.b_o
        scope, dot, rest = (training[0], ".", training[1]) if training else text.partition(".")
        if dot and scope in self._arrays:
            k = parse_key(rest, slices=True)
            if k and k.array in self._arrays[scope]:
                idx = k.index
                shape = self._arrays[scope][k.array].shape
                if len(idx) > len(shape) or any(isinstance(i, int) and i >= n for i, n in zip(idx, shape)):
                    raise UnknownKey(f"{key!r}: {k.array} has shape {_shape_text(shape)} (indices are 0-based)")
                return scope, k.array, idx
            names = self._names["gradients"] if training else self._names[scope]  # one parameter name each
            if rest in names and names[rest][0] in self._arrays[scope]:
                return (scope,) + names[rest]
        raise UnknownKey(f"{key!r} names no value of this derivation{self._suggest(text)}")

    def _suggest(self, text):
        scoped = [f"{s}.{n}" for s in SCOPES for n in self._names[s] if n == text or self._arrays[s].get(text) is not None]
        if scoped:
            return f" (it needs a scope: {' or '.join(repr(k) for k in scoped)})"
        candidates = ["loss", "loss_after"] + [f"{s}.{a}" for s in self._arrays for a in self._arrays[s]]
        candidates += [f"{s}.{n}" for s in SCOPES for n in self._names[s]]
        if self.spec.n_parameters <= _SUGGEST_ELEMENTS:
            candidates += [f"{s}.{k}" for s in ("gradients", "updated") for _, k in self.spec.param_names()]
        lower = [c for c in candidates if c.lower() == text.lower()]
        close = lower or difflib.get_close_matches(text, candidates, n=2, cutoff=0.6)
        return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else \
            "; keys look like 'loss', 'forward.k1_out', 'gradients.w_j1k1', 'gradients.W2[0][0]', 'updated.b1'"


def _shape_text(shape) -> str:
    return "×".join(str(n) for n in shape)


# ─────────────────────────────────────────── derivations as text ───────────────────────────────────────────

def _derivation_lines(g: Golden, scope, array, idx, digits=5) -> list:
    d = g.derivation
    if split_scope(scope) is not None:  # the optimizer's state or a step's parameter: its row of the step table
        return training_lines(d, scope, f"{array}{index_text(idx)}", digits)
    if scope == "forward":
        k, s = parse_key(array), idx[0]
        n = k.layer
        layer = d.spec.layers[n - 1]
        shape = getattr(layer, "out_shape", None)
        c = int(np.ravel_multi_index(idx[1:], shape)) if shape else idx[1]
        row = next(r for r in d.forward_rows if r.layer == n and r.sample == s + 1 and r.unit == layer.unit_names[c])
        if hasattr(row, "op") and row.op == "flatten":  # a flatten feature: the map element it is, as the page says
            return [pool_line(row, digits)]
        if hasattr(row, "op"):  # a pool output: the window's maximum or mean
            names = ", ".join(name for name, _ in row.sources)
            values = ", ".join(num(v, digits) for _, v in row.sources)
            return [f"{node_out(row.unit)} = {row.op}({names}) = {row.op}({values}) = {num(row.value, digits)}"]
        return _forward_lines(row, k.kind == "a", digits)
    key = f"{array}{index_text(idx)}"
    if d.terms_omitted:
        chain = [f"(chains are not recorded for a net of {d.spec.n_parameters} parameters × {d.spec.samples} samples)"]
    else:
        chain = _chain_lines(d, d.term(key), digits)
    if scope == "gradients":
        return chain
    u = next(u for u in d.updates if u.key == key)
    eta = num(d.spec.learning_rate, digits)
    lines = [f"{u.name} ← {u.name} − η·∂L/∂{u.name} = {num(u.old, digits)} − {eta}·{signed(u.grad, digits)}"
             f" = {num(u.new, digits)}"]
    if d.spec.steps > 1:
        lines = [f"after {d.spec.steps} SGD steps (η = {eta}); the first step was:", "  " + lines[0]]
    return lines + ["where"] + ["  " + line for line in chain]


def _chain_lines(d, term, digits) -> list:
    chains = term.chains
    names = " · ".join(f.name for f in chains[0].factors)
    if len(chains) == 1:
        c = chains[0]
        lines = [f"∂L/∂{term.name} = {names} = {'·'.join(signed(f.value, digits) for f in c.factors)}"
                 f" = {num(term.value, digits)}"]
        return lines + ["  " + line for line in _factor_lines(d, c, digits)]
    over = "output positions" if chains[0].position else "samples"  # a kernel element: one chain per position
    lines = [f"∂L/∂{term.name} = Σ over the {len(chains)} {over} of {names}"]
    lines += [f"  {c.position or 'sample'}{'' if c.position and d.spec.samples == 1 else ' ' + str(c.sample)}: "
              f"{'·'.join(signed(f.value, digits) for f in c.factors)} = {num(c.value, digits)}" for c in chains]
    return lines + [f"  sum: {num(term.value, digits)}"]


def _factor_lines(d, chain, digits) -> list:
    out = []
    for f in chain.factors:
        if f.of == "L":
            unit, kind = f.wrt.rsplit("_", 1)
            out.append(_upstream_line(d, unit, kind, chain.sample, f, digits))
        elif f.formula and f.formula != num(f.value, digits):
            out.append(f"{f.name} = {f.formula} = {num(f.value, digits)}")
    return out


def _upstream_line(d, unit, kind, sample, f, digits) -> str:
    if kind == "in":   # a softmax layer's δ: a sum over the layer's outputs
        delta = next(x for x in d.deltas if x.unit == unit and x.sample == sample)
        body = jacobian_sum(delta, digits)
        return f"{f.name} = Σ_j ∂L/∂{node_out('j')}·∂{node_out('j')}/∂{node_in(unit)} = {body} = {num(f.value, digits)}"
    u = next(u for u in d.upstream if u.unit == unit and u.sample == sample)
    if not u.paths:
        return f"{u.name} = {u.formula} = {num(u.value, digits)}"
    names, values = path_sum(u, digits)
    return f"{u.name} = {names} = {values} = {num(u.value, digits)}"


def _forward_lines(row, with_activation, digits) -> list:
    from ..render.text import activation_line

    names, values = weighted_sum(row, digits)
    bname, bvalue = bias_parts(row, digits)
    lines = [f"{node_in(row.unit)} = {names}{bname} = {values}{bvalue} = {num(row.z, digits)}"]
    return lines + ([activation_line(row, digits)] if with_activation else [])


def _loss_lines(d) -> list:
    from ..render.labels import labels
    from ..render.text import loss_lines

    return [line.strip() for line in loss_lines(d, 5, labels("en"))]


def _loss_after_lines(d) -> list:
    eta = num(d.spec.learning_rate)
    steps = f"{d.spec.steps} SGD step{'s' if d.spec.steps > 1 else ''}"
    history = ", ".join(f"step {s}: {num(v)}" for s, v in d.history)
    return [f"the loss with the parameters after {steps} (η = {eta}) = {num(d.loss_after)}",
            f"loss before each step: {history}"]


# ─────────────────────────────────────────── assert_matches ───────────────────────────────────────────

def assert_matches(given, spec, key_or_name: str, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Assert that ``given`` equals the golden value ``key_or_name`` of ``spec`` (``|given − expected| ≤ atol + rtol·|expected|``).

    ``spec`` is anything :func:`golden` takes, or a :class:`Golden` (reuse one for many checks). ``given``
    is a number, or an array for a whole-array key (a bias may come as ``(1, units)``). On failure raises
    :class:`Mismatch` whose message shows expected and given, the expected value's derivation and, when
    :mod:`backcalc.grading.grade` recognises the mistake, a diagnosis.

    >>> assert_matches(-0.00187, None, "gradients.w_j1k1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    backcalc.errors.Mismatch: gradients.w_j1k1 (W2[0][0]) does not match (rtol=1e-06, atol=1e-09)
      expected -0.001871411075
      given    -0.00187
    derivation of the expected value:
      ∂L/∂w_j1k1 = ∂L/∂k1_out · ∂k1_out/∂k1_in · ∂k1_in/∂w_j1k1 = (-0.50582)·0.0024665·1.5 = -0.0018714
        ∂L/∂k1_out = ∂L/∂o_in·w_k1o = (-0.50582)·1 = -0.50582
        ∂k1_out/∂k1_in = σ(k1_in)·(1−σ(k1_in)) = 0.0024665
        ∂k1_in/∂w_j1k1 = j1_out = 1.5...
    """
    __tracebackhide__ = True
    g = golden(spec)
    r = g.resolve(key_or_name)
    label = key_or_name if r.key.endswith(key_or_name.replace(" ", "")) else f"{key_or_name} ({_unscoped(r.key)})"
    expected = np.asarray(r.value, dtype=float)
    try:
        value = np.asarray(given.data if isinstance(given, (Tensor, Value)) else given, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"{label}: expected a number or an array of numbers, got {given!r}", r.key, r.value, given) from None
    tol = f"rtol={rtol:g}, atol={atol:g}"
    if value.shape != expected.shape:
        if value.size == expected.size and np.squeeze(value).shape == np.squeeze(expected).shape:
            value = value.reshape(expected.shape)
        else:
            raise Mismatch(f"{label}: given has shape {value.shape}, expected {expected.shape}", r.key, r.value, given)
    bad = ~np.isclose(value, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    scope, array, idx = g._address(r.key)
    if array is None:
        element, name = scope, scope
    else:
        idx = _full_index(idx, first)
        element = f"{scope}.{array}{index_text(idx)}"
        name = g.display(scope, array, idx)
    e, v = float(expected[first]), float(value[first])
    if expected.ndim == 0:
        lines = [f"{label} does not match ({tol})", f"  expected {e:.10g}", f"  given    {v:.10g}"]
    else:
        where = _unscoped(element) + (f" ({name})" if name else "")
        lines = [f"{label}: {int(bad.sum())} of {bad.size} elements differ ({tol})"]
        if expected.size <= 36:
            lines += [f"  expected {_array_text(expected)}", f"  given    {_array_text(value)}"]
        lines += [f"the first is {where}:", f"  expected {e:.10g}", f"  given    {v:.10g}"]
    lines += ["derivation of the expected value:"] + ["  " + x for x in g.explain(element).splitlines()]
    diagnosis = _diagnosis(g.derivation, element, v, rtol, atol)
    if diagnosis:
        lines.append(f"diagnosis: {diagnosis}")
    raise Mismatch("\n".join(lines), r.key, r.value, given, diagnosis)


def _unscoped(key: str) -> str:
    """``W1[0][0]`` of ``gradients.W1[0][0]`` or of ``state.step1.exp_avg.W1[0][0]``."""
    training = split_scoped_key(key)
    return training[1] if training else key.split(".", 1)[-1]


def _full_index(idx, pos):
    """The element index in the whole array of position ``pos`` within the sub-array ``idx`` selects."""
    pos, out = list(pos), []
    for i in idx:
        out.append(pos.pop(0) if isinstance(i, slice) else i)
    return tuple(out + pos)


def _array_text(a) -> str:
    return np.array2string(np.asarray(a), precision=8, separator=", ", max_line_width=200).replace("\n", "")


def _diagnosis(derivation, key, given, rtol, atol):
    """The answers module's diagnosis of a wrong number, when that module (and a fitting diagnosis) exists."""
    try:
        from ..grading.grade import diagnose
    except ImportError:
        return None
    try:
        return diagnose(derivation, key, given, rtol=rtol, atol=atol)
    except Exception:  # a diagnosis is a bonus: it must never hide the mismatch itself
        return None


from .backward_check import BackwardReport, check_backward  # noqa: E402  (re-exported: part of this API)

for _public in (UnknownKey, Resolved, Golden):  # shown under the public module in reprs and tracebacks
    _public.__module__ = "backcalc.testing"
