"""Homework checking: grade a student's answers term by term against the derivation and name the mistake.

An answers file (TOML or JSON) gives any subset of ``loss``, ``loss_after`` and the tables ``[forward]``,
``[factors]``, ``[gradients]`` and ``[updated]`` — canonical matrices (``W2 = [[...]]``, a cell may be ``""``)
or display names (``w_j1k1 = -0.00187``, ``j1_out = 1.5``, ``"∂L/∂k1_out" = -0.5058``). Each given value is
compared with :func:`backcalc.derivation.explain`. By default a value is accepted when it is the right answer
rounded at the precision the student wrote it in (see :class:`Tolerance`). A wrong value is run past a
catalogue of common mistakes — each a function computing the value that mistake gives for that key — and the
one that reproduces it is named; when the student also wrote intermediate factors, the first wrong one in the
chain is named too.

>>> r = check_answers(None, {"gradients": {"w_k1o": -0.50474, "w_ij1": -0.04146}})
>>> [(row.name, row.ok) for row in r.rows]
[('w_ij1', False), ('w_k1o', True)]
>>> r.rows[0].mistakes[0].code
'product_of_sums'
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AnswersError, SpecError

# The default ("as written") tolerance; the README explains it with an example.
HAND_RTOL = 1e-3        # loss, forward values, factors, gradients: right to 0.1% (≈ 3 significant digits)
STEP_RTOL = 1e-2        # updated values: the change old → new right to 1% (the old value is exact)
ROUNDING_CAP = 0.05     # rounding is forgiven up to 5% of the value (of the change, for updated values)
DIAGNOSIS_RTOL = 1e-2   # a mistake is named when it reproduces the given value to 1% (or within tolerance)
MAX_PATH_UNITS = 64     # "a path left out" is tried for nets of hand size (at most this many units)
MAX_ANSWER = 1e15

SECTIONS = ("loss", "forward", "factors", "gradients", "updated", "loss_after")
_TABLES = ("forward", "factors", "gradients", "updated")
_TOP = ("format", "title", "student", "loss", "loss_after") + _TABLES
_NUMBER = re.compile(r"^[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$")
_ARRAY = re.compile(r"^([Wbza])(\d+)((?:\[\d+\])*)$")
_SAMPLE = re.compile(r"^(.*?)\[(\d+)\]$")


# ─────────────────────────────────────────── records ───────────────────────────────────────────

@dataclass(frozen=True)
class Mistake:
    """One catalogued mistake; ``params`` are the names and numbers its description needs."""

    code: str
    params: tuple = ()

    def get(self, name, default=None):
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Blame:
    """The first wrong answer earlier in the chain that a wrong answer depends on."""

    key: str
    name: str
    given: float
    expected: float
    mistakes: tuple = ()


@dataclass(frozen=True)
class Row:
    """One graded answer (``given`` is None when the cell was left blank)."""

    key: str
    name: str
    section: str
    expected: float
    given: float | None
    text: str | None          # the number as the student wrote it
    error: float | None       # given − expected
    allowed: float | None     # the tolerance that applied
    ok: bool | None           # None: not answered
    mistakes: tuple = ()      # Mistake records that reproduce the given value (one, or two combined)
    blame: Blame | None = None

    @property
    def status(self) -> str:
        return "unanswered" if self.ok is None else ("correct" if self.ok else "wrong")

    @property
    def diagnosis(self) -> str | None:
        from .render.check import diagnosis_text

        return diagnosis_text(self, "en")


@dataclass(frozen=True)
class Tolerance:
    """When a given value counts as right.

    With ``rtol``/``atol`` unset (the default, "as written"): a value written with d decimals (``-0.506``:
    d = 3) is accepted when ``|given − expected| ≤ max(½·10^−d, r·s)``, capped at ``5%·s``, where s is the
    size of the answer (for an updated value: the size of the change |new − old|) and r is 0.1% (1% of the
    change for updated values). So a value rounded at the precision it is written in passes, and so does a
    product of rounded intermediates that is right to about 3 significant digits, while fewer than about 2
    significant digits never pass. With ``rtol``/``atol`` set: ``|given − expected| ≤ atol + rtol·|expected|``.
    """

    rtol: float | None = None
    atol: float | None = None

    @property
    def as_written(self) -> bool:
        return self.rtol is None and self.atol is None

    def describe(self) -> str:
        if self.as_written:
            return "as written"
        return f"rtol={self.rtol or 0:g}, atol={self.atol or 0:g}"

    def allowed(self, item, text: str, reference: float) -> float:
        slack = 1e-12 + 1e-9 * abs(reference)  # float representation, never a real difference
        if not self.as_written:
            return (self.atol or 0.0) + (self.rtol or 0.0) * abs(reference) + slack
        s = _scale(item, reference)
        r = STEP_RTOL if item.section == "updated" else HAND_RTOL
        return min(max(half_unit(text), r * s), ROUNDING_CAP * s) + slack

    def match(self, item, text: str, candidate: float) -> float:
        """How close a given value must be to a mistake's value for that mistake to be named."""
        return max(self.allowed(item, text, candidate), DIAGNOSIS_RTOL * _scale(item, candidate))


@dataclass(frozen=True)
class CheckResult:
    """Every graded answer; ``to_dict()`` is the JSON of INTERFACE.md (``backcalc check --format json``)."""

    title: str
    spec_source: str
    answers_source: str
    tolerance: Tolerance
    rows: tuple

    @property
    def correct(self) -> int:
        return sum(1 for r in self.rows if r.ok is True)

    @property
    def wrong(self) -> int:
        return sum(1 for r in self.rows if r.ok is False)

    @property
    def answered(self) -> int:
        return sum(1 for r in self.rows if r.ok is not None)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> bool:
        """Every given answer is right (a blank sheet is ok: nothing given is wrong)."""
        return self.wrong == 0

    def to_dict(self) -> dict:
        return {
            "format": 1,
            "title": self.title,
            "spec": self.spec_source,
            "answers": self.answers_source,
            "tolerance": {"rule": "as_written" if self.tolerance.as_written else "rtol_atol",
                          "rtol": self.tolerance.rtol, "atol": self.tolerance.atol},
            "correct": self.correct,
            "total": self.total,
            "answered": self.answered,
            "wrong": self.wrong,
            "unanswered": self.total - self.answered,
            "ok": self.ok,
            "rows": [_row_dict(r) for r in self.rows],
        }

    def _repr_markdown_(self) -> str:
        from .render import check

        return check.markdown(self)


def _row_dict(r: Row) -> dict:
    return {
        "key": r.key, "name": r.name, "section": r.section, "expected": r.expected, "given": r.given,
        "written": r.text, "error": r.error, "allowed": r.allowed, "ok": r.ok, "status": r.status,
        "diagnosis": r.diagnosis, "mistakes": [m.code for m in r.mistakes],
        "first_wrong": r.blame.key if r.blame else None,
    }


# ─────────────────────────────────────────── numbers as written ───────────────────────────────────────────

def decimals(text: str) -> int:
    """Decimals a number is written to: ``"-0.506"`` → 3, ``"2"`` → 0, ``"1.5e-3"`` → 4, ``"1e3"`` → −3."""
    m = _NUMBER.match(text)
    if not m:
        raise ValueError(f"not a decimal number: {text!r}")
    frac = m.group(2) or m.group(3) or ""
    return len(frac) - int(m.group(4) or 0)


def half_unit(text: str) -> float:
    """Half a unit in the last written place: the largest error of a correctly rounded value."""
    return 0.5 * 10.0 ** (-decimals(text))


def _scale(item, reference: float) -> float:
    """The size a tolerance is relative to: the value itself, or for an updated value its change old → new."""
    return abs(reference - item.old) if item.section == "updated" else abs(reference)


class _Num:
    """A number kept as the text it was written with (TOML/JSON parse hooks)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _written(value) -> str | None:
    """The text of an answer cell; None for a blank ("" or null)."""
    if value is None:
        return None
    if isinstance(value, _Num):
        return value.text.replace("_", "")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("a boolean")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, str):
        text = value.strip().replace("−", "-").replace("_", "")
        return text or None
    raise TypeError(_kind(value))


def _kind(v) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, str):
        return f"the string {v!r}" if len(v) < 40 else "a string"
    if isinstance(v, _Num):
        return f"the number {v.text}"
    return type(v).__name__


# ─────────────────────────────────────────── reading ───────────────────────────────────────────

def read_answers(source) -> tuple[dict, str]:
    """An answers document (numbers kept as written) and its name, from a path or a dict."""
    if isinstance(source, dict):
        return _from_python(source), "<answers>"
    if source is None:
        raise AnswersError("no answers given: pass a .toml or .json answers file")
    from .spec import read_document

    path = Path(source)
    try:
        read_document(path)  # size, encoding and syntax checks, with messages naming the file and line
    except SpecError as exc:
        raise AnswersError(str(exc)) from None
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(text, parse_float=_Num, parse_int=_Num, parse_constant=_Num)
        else:
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib
            doc = tomllib.loads(text, parse_float=_Num)
    except Exception as exc:  # read_document already parsed it; this only guards the second parse
        raise AnswersError(f"{path.name}: cannot read: {exc}") from None
    return doc, path.name


def _from_python(value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _from_python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_from_python(v) for v in value]
    return value


# ─────────────────────────────────────────── the answer space of a derivation ───────────────────────────────────────────

@dataclass(frozen=True)
class _Item:
    section: str
    key: str                 # canonical, scoped: "gradients.W1[0][0]", "factors.∂L/∂k1_out", "loss"
    name: str                # display: "w_ij1", "∂L/∂k1_out", "j1_out (sample 2)"
    expected: float
    ref: tuple               # what it is: ("W", n, a, c), ("z", n, s, c), ("out", n, c, s), ...
    order: tuple
    old: float | None = None


class _Space:
    """Every answerable key of one derivation: names, canonical keys, expected values, dependencies."""

    def __init__(self, d):
        self.d = d
        spec = self.spec = d.spec
        self.N = len(spec.layers)
        self.S = spec.samples
        self.lr = spec.learning_rate
        self.a = {0: np.asarray(spec.x, dtype=float)}
        self.z = {}
        for n in range(1, self.N + 1):
            self.z[n] = np.asarray(d.forward[f"z{n}"], dtype=float)
            self.a[n] = np.asarray(d.forward[f"a{n}"], dtype=float)
        self.old = spec.parameters()
        self.grads = {k: np.asarray(v, dtype=float) for k, v in d.gradients.items()}
        self.updated = {k: np.asarray(v, dtype=float) for k, v in d.updated.items()}
        self.units = {}
        for c, u in enumerate(spec.input_unit_names):
            self.units[u] = (0, c)
        for layer in spec.layers:
            for c, u in enumerate(layer.unit_names):
                self.units[u] = (layer.index, c)
        self.params = {}
        for name, key in spec.param_names():
            m = _ARRAY.match(key)
            self.params[name] = (m.group(1), int(m.group(2))) + tuple(int(i) for i in re.findall(r"\d+", m.group(3)))
        self.g_out, self.delta, self.local = {}, {}, {}
        for layer in spec.layers:
            shape = (self.S, layer.units)
            self.g_out[layer.index] = np.zeros(shape)
            self.delta[layer.index] = np.zeros(shape)
            self.local[layer.index] = np.zeros(shape) if layer.activation != "softmax" else None
        for u in d.upstream:
            self.g_out[u.layer][u.sample - 1, self.units[u.unit][1]] = u.value
        for x in d.deltas:
            c = self.units[x.unit][1]
            self.delta[x.layer][x.sample - 1, c] = x.value
            if self.local[x.layer] is not None:
                self.local[x.layer][x.sample - 1, c] = x.local

    # ── names ──
    def wname(self, n, a, c):
        return f"w_{self.spec.unit_names(n - 1)[a]}{self.spec.unit_names(n)[c]}"

    def node(self, text: str):
        """("k1", "out") for "k1_out" (also "k1out", "K1_Out"); ("i", "out") for an input unit; else None."""
        m = re.fullmatch(r"(.+?)_?(out|in)", text, flags=re.IGNORECASE)
        candidates = [(m.group(1), m.group(2).lower())] if m else []
        candidates.append((text, "out"))
        for unit, kind in candidates:
            hit = self.units.get(unit)
            if hit is None:
                folded = [u for u in self.units if u.lower() == unit.lower()]
                hit = self.units.get(folded[0]) if len(folded) == 1 else None
                unit = folded[0] if hit else unit
            if hit is not None and not (hit[0] == 0 and kind == "in"):
                return unit, kind
        return None

    def _suffix(self, s):
        return f"[{s}]" if self.S > 1 else ""

    def _sample_name(self, s):
        return f" (sample {s + 1})" if self.S > 1 else ""

    # ── items ──
    def loss_item(self, which):
        d = self.d
        return _Item(which, which, which, d.loss if which == "loss" else d.loss_after, (which,),
                     (SECTIONS.index(which),))

    def param_item(self, section, kind, n, *idx):
        layer = self.spec.layers[n - 1]
        if kind == "W":
            a, c = idx
            name, key = self.wname(n, a, c), f"W{n}[{a}][{c}]"
            order = (n, 0, a, c)
        else:
            (c,) = idx
            name, key = f"b_{layer.unit_names[c]}", f"b{n}[{c}]"
            order = (n, 1, c, 0)
        arr = f"{kind}{n}"
        source = self.grads if section == "gradients" else self.updated
        old = float(self.old[arr][idx]) if section == "updated" else None
        return _Item(section, f"{section}.{key}", name, float(source[arr][idx]), (kind, n) + tuple(idx),
                     (SECTIONS.index(section),) + order, old)

    def forward_item(self, kind, n, s, c):
        unit = self.spec.layers[n - 1].unit_names[c]
        value = (self.z if kind == "z" else self.a)[n][s, c]
        name = f"{unit}_{'in' if kind == 'z' else 'out'}{self._sample_name(s)}"
        return _Item("forward", f"forward.{kind}{n}[{s}][{c}]", name, float(value), (kind, n, s, c),
                     (SECTIONS.index("forward"), s, n, c, kind == "a"))

    def factor_item(self, kind, n, c, s, a=None):
        """kind: out (∂L/∂u_out), local (∂u_out/∂u_in), delta (∂L/∂u_in), src (∂u_in/∂w_au), one (∂u_in/∂b_u),
        wpath (∂u_in/∂(source a)_out)."""
        u = self.spec.layers[n - 1].unit_names[c]
        if kind == "out":
            name, value = f"∂L/∂{u}_out", self.g_out[n][s, c]
        elif kind == "delta":
            name, value = f"∂L/∂{u}_in", self.delta[n][s, c]
        elif kind == "local":
            if self.local[n] is None:
                raise KeyError(f"∂{u}_out/∂{u}_in: a softmax unit's output depends on every unit's input, so "
                               f"there is no single factor; give ∂L/∂{u}_in instead")
            name, value = f"∂{u}_out/∂{u}_in", self.local[n][s, c]
        elif kind == "src":
            name, value = f"∂{u}_in/∂{self.wname(n, a, c)}", self.a[n - 1][s, a]
        elif kind == "one":
            name, value = f"∂{u}_in/∂b_{u}", 1.0
        else:  # wpath
            src = self.spec.unit_names(n - 1)[a]
            name, value = f"∂{u}_in/∂{src if n == 1 else src + '_out'}", self.spec.layers[n - 1].weights[a, c]
        rank = ("out", "local", "delta", "src", "one", "wpath").index(kind)
        return _Item("factors", f"factors.{name}{self._suffix(s)}", name + self._sample_name(s), float(value),
                     (kind, n, c, s) + ((a,) if a is not None else ()),
                     (SECTIONS.index("factors"), -n, c, rank, a if a is not None else -1, s))

    # ── resolving a scoped key: "gradients.W1[0][0]", "updated.b_o", "factors.dL/dk1_out", "loss" ──
    def resolve(self, scoped: str) -> list:
        scoped = scoped.strip()
        if scoped in ("loss", "loss_after"):
            return [self.loss_item(scoped)]
        section, _, rest = scoped.partition(".")
        if section not in _TABLES or not rest:
            raise KeyError(f"{scoped!r}: expected loss, loss_after or a key scoped by its table "
                           f"(forward., factors., gradients., updated.), like gradients.W1[0][0] or gradients.w_ij1")
        m = _ARRAY.match(rest)
        if m and m.group(3) and section != "factors":
            for item in self.array_items(section, m.group(1), int(m.group(2))):
                if item.key == f"{section}.{rest}":
                    return [item]
            raise KeyError(f"{scoped!r}: no such element (indices are 0-based, as in numpy)")
        sample = None
        items = self.name_items(section, rest, quiet=True)
        if not items:
            sm = _SAMPLE.match(rest)
            if not sm:
                self.name_items(section, rest)  # raises, naming the key
            items, sample = self.name_items(section, sm.group(1)), int(sm.group(2))
            if len(items) != self.S or sample >= self.S:
                raise KeyError(f"{scoped!r}: sample {sample} does not exist (0-based; the net has {self.S})")
            items = [items[sample]]
        if len(items) != 1:
            raise KeyError(f"{scoped!r}: the net has {self.S} samples; add the 0-based sample, e.g. {scoped}[0]")
        return items

    def array_items(self, section, kind, n):
        """Every element of a canonical array (W2, b1, z1, a3), in order."""
        if not 1 <= n <= self.N:
            raise KeyError(f"layer {n} does not exist (the net has layers 1 to {self.N})")
        layer = self.spec.layers[n - 1]
        if section == "forward" and kind in "za":
            return [self.forward_item(kind, n, s, c) for s in range(self.S) for c in range(layer.units)]
        if section in ("gradients", "updated") and kind == "W":
            return [self.param_item(section, "W", n, a, c) for a in range(layer.fan_in) for c in range(layer.units)]
        if section in ("gradients", "updated") and kind == "b":
            return [self.param_item(section, "b", n, c) for c in range(layer.units)]
        raise KeyError(f"{kind}{n} does not belong under [{section}]")

    def name_items(self, section, name, quiet=False):
        """The items a display name stands for (one per sample for node values and factors)."""
        try:
            if section in ("gradients", "updated"):
                p = self.params.get(name)
                if p is None:
                    raise KeyError(name)
                return [self.param_item(section, p[0], p[1], *p[2:])]
            if section == "forward":
                node = self.node(name)
                if node is None or self.units[node[0]][0] == 0:
                    raise KeyError(name)
                n, c = self.units[node[0]]
                return [self.forward_item("z" if node[1] == "in" else "a", n, s, c) for s in range(self.S)]
            if section == "factors":
                return self.factor_items(name)
        except KeyError:
            if quiet:
                return []
            raise
        raise KeyError(name)

    def factor_items(self, text):
        compact = re.sub(r"\s+", "", text)
        m = re.fullmatch(r"(?:∂|d)(.+?)/(?:∂|d)(.+)", compact)
        if not m:
            raise KeyError(text)
        num, den = m.group(1), m.group(2)
        if num in ("L", "Loss", "loss", "E"):
            if den in self.params:
                return [self.param_item("gradients", *self.params[den][:1], *self.params[den][1:])]
            node = self.node(den)
            if node is None or self.units[node[0]][0] == 0:
                raise KeyError(text)
            n, c = self.units[node[0]]
            return [self.factor_item("out" if node[1] == "out" else "delta", n, c, s) for s in range(self.S)]
        top = self.node(num)
        if top is None or self.units[top[0]][0] == 0:
            raise KeyError(text)
        n, c = self.units[top[0]]
        if top[1] == "out":
            low = self.node(den)
            if low == (top[0], "in"):
                return [self.factor_item("local", n, c, s) for s in range(self.S)]
            raise KeyError(text)
        p = self.params.get(den)
        if p is not None and p[1] == n and (p[0] == "b" and p[2] == c or p[0] == "W" and p[3] == c):
            if p[0] == "b":
                return [self.factor_item("one", n, c, s) for s in range(self.S)]
            return [self.factor_item("src", n, c, s, p[2]) for s in range(self.S)]
        low = self.node(den)
        if low is not None and low[1] == "out" and self.units[low[0]][0] == n - 1:
            return [self.factor_item("wpath", n, c, s, self.units[low[0]][1]) for s in range(self.S)]
        raise KeyError(text)

    def names(self, section) -> list:
        """Valid keys of a table, for did-you-mean suggestions."""
        out = []
        if section == "forward":
            for n, layer in enumerate(self.spec.layers, start=1):
                out += [f"z{n}", f"a{n}"] + [f"{u}_{k}" for u in layer.unit_names for k in ("in", "out")]
        elif section in ("gradients", "updated"):
            out = [f"{k}{n}" for n in range(1, self.N + 1) for k in "Wb"] + list(self.params)
        elif section == "factors":
            for layer in self.spec.layers:
                for u in layer.unit_names:
                    out += [f"∂L/∂{u}_out", f"∂{u}_out/∂{u}_in", f"∂L/∂{u}_in", f"dL/d{u}_out", f"dL/d{u}_in"]
        return out

    # ── what an item depends on, first step first (for "the first wrong factor in the chain") ──
    def depends(self, item):
        kind = item.ref[0]
        if item.section in ("gradients", "updated"):
            n = item.ref[1]
            c = item.ref[3] if kind == "W" else item.ref[2]
            for s in range(self.S):
                yield from self._upstream_of(n, c, s, own=True)
                if kind == "W":
                    yield self.factor_item("src", n, c, s, item.ref[2]).key
                else:
                    yield self.factor_item("one", n, c, s).key
            if item.section == "updated":
                yield "gradients." + item.key.split(".", 1)[1]
        elif item.section == "factors":
            _, n, c, s = item.ref[:4]
            if kind in ("out", "delta"):
                yield from self._upstream_of(n, c, s, own=(kind == "delta"), skip_delta=True)
            elif kind == "local":
                yield self.forward_item("z", n, s, c).key
                yield self.forward_item("a", n, s, c).key
            elif kind == "src" and n > 1:
                yield self.forward_item("a", n - 1, s, item.ref[4]).key
        elif item.section == "forward":
            _, n, s, c = item.ref
            for m in range(1, n):
                for u in range(self.spec.layers[m - 1].units):
                    yield self.forward_item("z", m, s, u).key
                    yield self.forward_item("a", m, s, u).key
            if kind == "a":
                yield self.forward_item("z", n, s, c).key
        elif item.section == "loss":
            for s in range(self.S):
                for c in range(self.spec.layers[-1].units):
                    yield self.forward_item("a", self.N, s, c).key
        elif item.section == "loss_after":
            for section in ("updated",):
                for name in self.params:
                    yield self.name_items(section, name)[0].key

    def _upstream_of(self, n, c, s, own, skip_delta=False):
        """Factor keys from the loss down to unit c of layer n (its own ∂L/∂out, ∂out/∂in, δ when ``own``)."""
        for m in range(self.N, n, -1):
            for v in range(self.spec.layers[m - 1].units):
                yield self.factor_item("out", m, v, s).key
                if self.local[m] is not None:
                    yield self.factor_item("local", m, v, s).key
                yield self.factor_item("delta", m, v, s).key
                if m == n + 1:
                    yield self.factor_item("wpath", m, v, s, c).key
        if own:
            yield self.factor_item("out", n, c, s).key
            if self.local[n] is not None:
                yield self.factor_item("local", n, c, s).key
            if not skip_delta:
                yield self.factor_item("delta", n, c, s).key


# ─────────────────────────────────────────── validating an answers document ───────────────────────────────────────────

class _Reader:
    def __init__(self, space: _Space, source: str):
        self.space = space
        self.source = source
        self.seen = {}

    def fail(self, where, message):
        raise AnswersError(f"{self.source}: {where}: {message}" if where else f"{self.source}: {message}")

    def read(self, doc) -> list:
        if not isinstance(doc, dict):
            self.fail("", f"expected a table/object at the top level, got {_kind(doc)}")
        cells = []
        for key, value in doc.items():
            if key == "format":
                if isinstance(value, _Num):
                    value = value.text
                if str(value) != "1":
                    self.fail("format", f"expected 1 (the only answers format so far), got {value!r}")
            elif key in ("title", "student"):
                if not isinstance(value, str):
                    self.fail(key, f"expected a string, got {_kind(value)}")
            elif key in ("loss", "loss_after"):
                cells.append(self.cell(self.space.loss_item(key), value, key))
            elif key in _TABLES:
                if not isinstance(value, dict):
                    self.fail(key, f"expected a table [{key}], got {_kind(value)}")
                for k, v in value.items():
                    cells += self.entry(key, str(k), v)
            else:
                self.fail("", f"unknown key {key!r}{self.hint(None, key)}")
        return cells

    def hint(self, section, key) -> str:
        """Where a misplaced key belongs, or the closest valid key."""
        if re.fullmatch(r"[Wb]\d+", key) and section not in ("gradients", "updated"):
            return f"; {key} is a parameter array: its gradient goes under [gradients], its new value under [updated]"
        if re.fullmatch(r"[za]\d+", key) and section != "forward":
            return f"; {key} holds node values: it belongs under [forward]"
        for other in _TABLES:
            if other == section:
                continue
            try:
                self.space.resolve(f"{other}.{key}")
            except KeyError:
                continue
            if other in ("gradients", "updated"):
                return f"; {key} is a parameter: its gradient goes under [gradients], its new value under [updated]"
            return f"; {key} belongs under [{other}]"
        choices = list(_TOP) if section is None else self.space.names(section)
        close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
        mean = f" (did you mean {close[0]!r}?)" if close else ""
        if section is None:
            return f"{mean}; expected {', '.join(_TOP)}"
        expected = {
            "forward": "z1, a1, … (samples × units) or a node value like j1_in, j1_out",
            "gradients": "W1, b1, … (shaped as in the spec) or a parameter name like w_ij1, b_j1",
            "updated": "W1, b1, … (shaped as in the spec) or a parameter name like w_ij1, b_j1",
            "factors": "a chain-rule factor like \"∂L/∂k1_out\" (or \"dL/dk1_out\"), \"∂k1_out/∂k1_in\", "
                       "\"∂L/∂k1_in\", \"∂k1_in/∂w_j1k1\", \"∂k1_in/∂j1_out\"",
        }[section]
        return f"{mean}; expected {expected}"

    def entry(self, section, key, value) -> list:
        where = f"[{section}] {key}"
        sp = self.space
        m = _ARRAY.match(key)
        if m and not m.group(3) and section != "factors":
            kind, n = m.group(1), int(m.group(2))
            try:
                items = sp.array_items(section, kind, n)
            except KeyError as exc:
                self.fail(where, f"{exc.args[0]}{self.hint(section, key)}")
            layer = sp.spec.layers[n - 1]
            if kind == "b":
                return self.vector(items, value, where, layer.units)
            rows, what = (layer.fan_in, "fan_in × units, as in the spec") if kind == "W" else (sp.S, "samples × units")
            return self.grid(items, value, where, rows, layer.units, what)
        try:
            items = sp.name_items(section, key)
        except KeyError as exc:
            if exc.args and exc.args[0] != key and str(exc.args[0]).startswith("∂"):
                self.fail(where, exc.args[0])
            self.fail(where, f"unknown key {key!r}{self.hint(section, key)}")
        if len(items) == 1:
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            return [self.cell(items[0], value, where)]
        if not isinstance(value, list) or len(value) != len(items):
            self.fail(where, f"expected {len(items)} values, one per sample (\"\" leaves one blank), got {_kind(value)}"
                      + (f" of {len(value)}" if isinstance(value, list) else ""))
        return [self.cell(item, v, f"{where}[{s}]") for s, (item, v) in enumerate(zip(items, value))]

    def grid(self, items, value, where, rows, cols, what):
        if isinstance(value, list) and value and all(not isinstance(r, list) for r in value):
            if rows == 1 and len(value) == cols or cols == 1 and len(value) == rows:
                return [self.cell(item, v, f"{where}[{i}]") for i, (item, v) in enumerate(zip(items, value))]
            self.fail(where, f"expected {rows}×{cols} ({what}): {rows} rows of {cols}, got a flat list of {len(value)}")
        if not isinstance(value, list) or not value:
            if rows == cols == 1 and not isinstance(value, (list, dict)):
                return [self.cell(items[0], value, where)]
            self.fail(where, f"expected a {rows}×{cols} matrix ({what}), got {_kind(value) if value != [] else 'an empty list'}")
        if not all(isinstance(r, list) for r in value):
            self.fail(where, "expected a list of rows (lists of numbers), got a mix of rows and numbers")
        shape = (len(value), len(value[0]))
        for i, r in enumerate(value):
            if len(r) != shape[1]:
                self.fail(where, f"ragged matrix: row {i} has {len(r)} values, row 0 has {shape[1]}")
        if shape != (rows, cols):
            hint = ""
            if shape == (cols, rows):
                hint = " — transposed? weights[a][b] joins unit a of the previous layer to unit b" if "fan_in" in what \
                    else " — transposed? rows are samples"
            self.fail(where, f"expected {rows}×{cols} ({what}), got {shape[0]}×{shape[1]}{hint}")
        return [self.cell(items[i * cols + j], v, f"{where}[{i}][{j}]")
                for i, r in enumerate(value) for j, v in enumerate(r)]

    def vector(self, items, value, where, n):
        if not isinstance(value, list):
            if n == 1:
                return [self.cell(items[0], value, where)]
            self.fail(where, f"expected a list of {n} values (one per unit), got {_kind(value)}")
        if any(isinstance(v, list) for v in value):
            self.fail(where, f"expected a flat list of {n} values (one per unit), got a nested list")
        if len(value) != n:
            self.fail(where, f"expected {n} values (one per unit), got {len(value)}")
        return [self.cell(item, v, f"{where}[{i}]") for i, (item, v) in enumerate(zip(items, value))]

    def cell(self, item, value, where):
        if item.key in self.seen:
            self.fail(where, f"gives {item.name} ({item.key}) a second time (first at {self.seen[item.key]}); keep one")
        self.seen[item.key] = where
        if isinstance(value, (list, dict)):
            self.fail(where, f"expected one number (or \"\" to leave it blank), got {_kind(value)}")
        try:
            text = _written(value)
        except TypeError as exc:
            self.fail(where, f"expected a number (or \"\" to leave it blank), got {exc}")
        if text is None:
            return item, None, None
        if "," in text and "." not in text and _NUMBER.match(text.replace(",", ".")):
            self.fail(where, f"write the decimal point as a point: {text.replace(',', '.')} (not {text})")
        if not _NUMBER.match(text):
            if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                self.fail(where, f"expected a finite number, got {text}")
            self.fail(where, f"expected a number (or \"\" to leave it blank), got {_kind(value)}")
        number = float(text)
        if not math.isfinite(number) or abs(number) > MAX_ANSWER:
            self.fail(where, f"{text} is out of range (at most {MAX_ANSWER:g} in size)")
        return item, number, text


# ─────────────────────────────────────────── the catalogue of mistakes ───────────────────────────────────────────
#
# Each mistake is a function of the derivation's records that gives the value the mistake produces for a key.
# Mistakes in the backward pass are modelled by one small backprop with switches (_backprop): it starts from
# the tape's ∂L/∂output and the tape's forward values and propagates the way the student did.

def _M(code, **params) -> Mistake:
    return Mistake(code, tuple(params.items()))


def _backprop(sp: _Space, local=None, weights=None, drop=None, sums=0, extra_out=None):
    """∂L/∂a, local factors, δ and parameter gradients per layer, with one mistake switched on."""
    out = {"out": {}, "local": {}, "delta": {}, "W": {}, "b": {}}
    g = sp.g_out[sp.N]
    for n in range(sp.N, 0, -1):
        layer = sp.spec.layers[n - 1]
        out["out"][n] = g
        if sp.local[n] is None:  # softmax: δ_c = s_c·(g_c − Σ_j g_j·s_j)
            s = sp.a[n]
            loc, delta = None, s * (g - (g * s).sum(axis=1, keepdims=True))
        else:
            loc = local[n] if local and n in local else sp.local[n]
            delta = g * loc
        out["local"][n], out["delta"][n] = loc, delta
        out["W"][n] = sp.a[n - 1].T @ delta
        out["b"][n] = delta.sum(axis=0)
        if n == 1:
            break
        W = (weights or {}).get(n, layer.weights)
        if sums:
            if loc is None:
                return None
            g = g.sum(axis=1, keepdims=True) * loc.sum(axis=1, keepdims=True) * W.sum(axis=1)[None, :]
            if sums == 2:  # and Σ_k ∂k_in/∂w_jk = (number of k units)·j_out, as the seed-004 notes do
                g = g * (layer.units * sp.a[n - 1])
        else:
            if drop is not None and drop[0] == n:
                delta = delta.copy()
                delta[:, drop[1]] = 0.0
            g = delta @ W.T
        if extra_out == n - 1:
            g = g * sp.a[n - 1]
    return out


class _Catalogue:
    """The mistakes tried for one derivation (backward-pass variants computed once, on first use)."""

    def __init__(self, sp: _Space):
        self.sp = sp
        self._runs = None

    @property
    def runs(self) -> list:
        if self._runs is None:
            self._runs = [(m, r) for m, r in self._make_runs() if r is not None]
        return self._runs

    def _make_runs(self):
        from .ops import RULES

        sp = self.sp
        names = {layer.index: layer.name for layer in sp.spec.layers}
        nonlinear = [layer for layer in sp.spec.layers if layer.activation not in ("linear", "softmax")]
        for layer in nonlinear:
            n, act = layer.index, layer.activation
            rule = RULES[act]
            kw = {"alpha": layer.alpha} if layer.alpha is not None else {}
            shape = sp.a[n].shape

            def local(ans, x):
                return np.broadcast_to(np.asarray(rule.local(ans, x, **kw)[0], dtype=float), shape)

            yield _M("no_local", n=n, layer=layer.name, activation=act), _backprop(sp, local={n: np.ones(shape)})
            at_out = local(rule.array(sp.a[n], **kw), sp.a[n])
            yield _M("local_at_out", n=n, layer=layer.name, activation=act), _backprop(sp, local={n: at_out})
            yield _M("local_at_in", n=n, layer=layer.name, activation=act), \
                _backprop(sp, local={n: local(sp.z[n], sp.z[n])})
            if act in ("sigmoid", "tanh"):
                for p in (2, 3, 4):
                    rounded = np.round(sp.a[n], p)
                    yield _M("early_round", n=n, layer=layer.name, activation=act, decimals=p,
                             values=tuple(map(tuple, rounded.tolist()))), \
                        _backprop(sp, local={n: local(rounded, sp.z[n])})
        if len(nonlinear) > 1:
            yield _M("no_local_all"), _backprop(sp, local={layer.index: np.ones(sp.a[layer.index].shape)
                                                           for layer in nonlinear})
        for layer in sp.spec.layers[:-1]:
            yield _M("extra_out", n=layer.index, layer=layer.name, next=names[layer.index + 1]), \
                _backprop(sp, extra_out=layer.index)
        wide = [layer for layer in sp.spec.layers[1:] if layer.units > 1]
        if wide:
            top = wide[-1]
            src = names[top.index - 1]
            for variant in (1, 2):
                yield _M("product_of_sums", layer=top.name, source=src, units=", ".join(top.unit_names),
                         extra=variant == 2), _backprop(sp, sums=variant)
        if sum(layer.units for layer in sp.spec.layers) <= MAX_PATH_UNITS:
            for layer in wide:
                for v, via in enumerate(layer.unit_names):
                    yield _M("path_left_out", n=layer.index - 1, layer=names[layer.index - 1], via=via), \
                        _backprop(sp, drop=(layer.index, v))
        new = {layer.index: layer.weights - sp.lr * sp.grads[f"W{layer.index}"] for layer in sp.spec.layers}
        yield _M("updated_downstream"), _backprop(sp, weights=new)

    def _here(self, m: Mistake, item) -> Mistake:
        """Name the item's own unit in a layer-wide mistake ("k2_out", not "k_out") when it is in that layer."""
        n = m.get("n")
        kind = item.ref[0]
        if n is None or kind not in ("W", "b", "out", "delta", "local") or item.ref[1] != n:
            return m
        c = item.ref[3] if kind == "W" else item.ref[2]
        s = item.ref[3] if kind in ("out", "delta", "local") else 0
        p = dict(m.params)
        p["unit"] = self.sp.spec.layers[n - 1].unit_names[c]
        if "values" in p:
            p["value"] = p["values"][s][c]
        return Mistake(m.code, tuple(p.items()))

    # ── candidates per kind of key: (mistakes, value), in the order they are tried ──
    def candidates(self, item):
        sp = self.sp
        kind = item.ref[0]
        loss = sp.spec.loss
        e = item.expected
        if item.section == "loss":
            yield (_M("double", loss=loss),), 2 * e
            yield (_M("half", loss=loss),), e / 2
            yield (_M("loss_after_given"),), sp.d.loss_after
        elif item.section == "loss_after":
            yield (_M("loss_before_given"),), sp.d.loss
        elif item.section == "forward":
            yield from self._forward(item)
        elif item.section == "gradients":
            yield from self._scaled(e, loss)
            for m, run in self.runs:
                yield (self._here(m, item),), self._pick(run, item)
            yield (_M("new_as_gradient"),), float(sp.updated[f"{kind}{item.ref[1]}"][item.ref[2:]])
            yield (_M("step_as_gradient"),), sp.lr * e
            yield (_M("step_as_gradient"),), -sp.lr * e
            yield from self._transposed(item, sp.grads)
        elif item.section == "updated":
            yield from self._updated(item)
        elif item.section == "factors":
            yield from self._factor(item)

    @staticmethod
    def _scaled(e, loss):
        yield (_M("sign"),), -e
        yield (_M("double", loss=loss),), 2 * e
        yield (_M("half", loss=loss),), e / 2

    @staticmethod
    def _pick(run, item):
        kind = item.ref[0]
        if kind in ("W", "b"):
            return float(run[kind][item.ref[1]][item.ref[2:]])
        _, n, c, s = item.ref[:4]
        table = run[kind][n]
        return None if table is None else float(table[s, c])

    def _transposed(self, item, arrays):
        if item.ref[0] != "W":
            return
        _, n, a, c = item.ref
        W = arrays[f"W{n}"]
        if a != c and c < W.shape[0] and a < W.shape[1]:
            yield (_M("transposed", other=self.sp.wname(n, c, a), key=f"W{n}[{c}][{a}]"),), float(W[c, a])

    def _forward(self, item):
        from .ops import RULES

        sp = self.sp
        kind, n, s, c = item.ref
        layer = sp.spec.layers[n - 1]
        unit = layer.unit_names[c]
        z = sp.z[n][s, c]
        if kind == "a" and layer.activation != "linear":
            yield (_M("no_activation", unit=unit),), z
        zb = z - layer.bias[c]
        if kind == "z":
            yield (_M("no_bias", bias=f"b_{unit}"),), zb
        elif layer.activation != "softmax":
            kw = {"alpha": layer.alpha} if layer.alpha is not None else {}
            yield (_M("no_bias", bias=f"b_{unit}"),), float(RULES[layer.activation].array(np.array([zb]), **kw)[0])
        yield (_M("sign"),), -item.expected

    def _factor(self, item):
        sp = self.sp
        kind = item.ref[0]
        e = item.expected
        if kind in ("out", "delta"):
            yield from self._scaled(e, sp.spec.loss)
        if kind in ("out", "delta", "local"):
            if kind == "local":
                yield (_M("sign"),), -e
            for m, run in self.runs:
                v = self._pick(run, item)
                if v is not None:
                    yield (self._here(m, item),), v
        elif kind == "src":
            _, n, c, s, a = item.ref
            yield (_M("weight_for_source", weight=sp.wname(n, a, c)),), float(sp.spec.layers[n - 1].weights[a, c])
        elif kind == "wpath":
            _, n, c, s, a = item.ref
            src = sp.spec.unit_names(n - 1)[a]
            yield (_M("source_for_weight", source=src if n == 1 else f"{src}_out", weight=sp.wname(n, a, c)),), \
                float(sp.a[n - 1][s, a])
            yield (_M("updated_downstream"),), float(sp.updated[f"W{n}"][a, c])

    def _updated(self, item):
        sp = self.sp
        lr, old = sp.lr, item.old
        kind = item.ref[0]
        g = float(sp.grads[f"{kind}{item.ref[1]}"][item.ref[2:]])
        if sp.spec.steps != 1:  # the mistakes below model one step
            yield (_M("not_updated"),), old
            return
        steps = ((_M("update_sign"), lambda v: old + lr * v), (_M("lr_none"), lambda v: old - v),
                 (_M("lr_twice"), lambda v: old - lr * lr * v))
        for m, f in steps:
            yield (m,), f(g)
        yield (_M("not_updated"),), old
        yield (_M("gradient_as_new"),), g
        yield (_M("step_as_new"),), -lr * g
        yield (_M("double", loss=sp.spec.loss),), old - lr * 2 * g
        yield (_M("half", loss=sp.spec.loss),), old - lr * g / 2
        grads = [(self._here(m, item), self._pick(run, item)) for m, run in self.runs]
        for m, v in grads:
            yield (m,), old - lr * v
        yield from self._transposed(item, sp.updated)
        scaled = [(_M("double", loss=sp.spec.loss), 2 * g), (_M("half", loss=sp.spec.loss), g / 2)]
        for gm, v in grads + scaled:
            for m, f in steps:
                yield (gm, m), f(v)
            yield (gm, _M("gradient_as_new")), v

    def explain(self, item, given, text, tol: Tolerance, gradient=None) -> tuple:
        """The mistakes that reproduce ``given`` for ``item`` (empty when none does).

        ``gradient``: for an updated value, the student's own graded gradient row of that parameter (if given);
        the update is then first judged against it, so a wrong gradient carried into a right update is one
        mistake, not two.
        """
        if gradient is not None and item.section == "updated" and self.sp.spec.steps == 1:
            found = self._own_step(item, given, text, tol, gradient)
            if found is not None:
                return found
        allowed = tol.allowed(item, text, item.expected)
        hit = _best(item, given, text, tol, allowed, self.candidates(item))
        if hit:
            return hit
        if tol.as_written and abs(given - item.expected) <= half_unit(text) + 1e-12:
            return (_M("too_few_digits", decimals=decimals(text), updated=item.section == "updated"),)
        return ()

    def _own_step(self, item, given, text, tol, row):
        lr, old, g = self.sp.lr, item.old, row.given
        steps = [((), old - lr * g), ((_M("update_sign"),), old + lr * g), ((_M("lr_none"),), old - g),
                 ((_M("lr_twice"),), old - lr * lr * g), ((_M("gradient_as_new"),), g)]
        best = None
        for mistakes, value in steps:
            ratio = abs(given - value) / tol.match(item, text, value)
            if ratio <= 1 and (best is None or ratio < best[0] - 1e-9):
                best = (ratio, mistakes)
        if best is not None:
            carried = () if row.ok else row.mistakes
            return carried + best[1] if (carried or best[1]) else None
        if row.ok:  # the gradient is right, the step from it is not
            return (_M("update_arithmetic", old=old, lr=lr, gradient=g, value=old - lr * g),)
        return None


_ELSEWHERE = ("transposed",)  # values taken from another element: near misses by coincidence are common


def _best(item, given, text, tol, allowed, candidates) -> tuple:
    """The candidate closest to ``given`` (relative to the match tolerance). Tiers: one mistake in the
    computation, then one value taken from elsewhere (transposed indices), then two mistakes combined."""
    best = {}
    for mistakes, value in candidates:
        if value is None or not math.isfinite(value) or abs(value - item.expected) <= allowed:
            continue  # a "mistake" that gives the right answer here explains nothing
        ratio = abs(given - value) / tol.match(item, text, value)
        tier = 3 if len(mistakes) > 1 else (2 if mistakes[0].code in _ELSEWHERE else 1)
        if ratio <= 1 and (tier not in best or ratio < best[tier][0] - 1e-9):
            best[tier] = (ratio, mistakes)
    for tier in (1, 2, 3):
        if tier in best:
            return best[tier][1]
    return ()


# ─────────────────────────────────────────── public API ───────────────────────────────────────────

_CACHE: list = []  # (derivation, space, catalogue) of the last call, so diagnose() in a loop stays cheap


def _context(derivation):
    if _CACHE and _CACHE[0][0] is derivation:
        return _CACHE[0][1], _CACHE[0][2]
    sp = _Space(derivation)
    cat = _Catalogue(sp)
    _CACHE[:] = [(derivation, sp, cat)]
    return sp, cat


def check_answers(spec=None, answers=None, rtol: float | None = None, atol: float | None = None) -> CheckResult:
    """Grade an answers file (path or dict) against a spec (path, dict, NetSpec; None = the seed-004 example).

    >>> r = check_answers(None, {"loss": 0.128, "gradients": {"b_o": "-0.506"}})
    >>> r.correct, r.total, r.ok
    (2, 2, True)
    """
    from .derivation import explain
    from .spec import load_spec

    for name, v in (("rtol", rtol), ("atol", atol)):
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise AnswersError(f"--{name}: expected a number ≥ 0, got {v}")
    net = load_spec(spec)
    doc, source = read_answers(answers)
    d = explain(net)
    sp, cat = _context(d)
    tol = Tolerance(rtol, atol)
    rows = {}
    cells = _Reader(sp, source).read(doc)
    # gradients before updated values, so an update can be judged against the student's own gradient
    for item, given, text in sorted(cells, key=lambda c: c[0].section == "updated"):
        if given is None:
            rows[item.key] = (item, Row(item.key, item.name, item.section, item.expected, None, None, None, None, None))
            continue
        allowed = tol.allowed(item, text, item.expected)
        error = given - item.expected
        ok = abs(error) <= allowed
        mistakes = ()
        if not ok:
            own = rows.get("gradients." + item.key.split(".", 1)[1]) if item.section == "updated" else None
            own = own[1] if own is not None and own[1].ok is not None else None
            mistakes = cat.explain(item, given, text, tol, gradient=own)
        rows[item.key] = (item, Row(item.key, item.name, item.section, item.expected, given, text, error, allowed,
                                    ok, mistakes))
    out = []
    for item, row in sorted(rows.values(), key=lambda p: p[0].order):
        if row.ok is False:
            row = _with_blame(sp, item, row, rows)
        out.append(row)
    return CheckResult(net.title, net.source, source, tol, tuple(out))


def _with_blame(sp, item, row, rows):
    """The first wrong answer in the chain before ``item`` — unless a later running total (a node value,
    ∂L/∂out, δ, the gradient) is right again, which shows that error did not reach this answer."""
    import dataclasses

    blame = None
    for key in sp.depends(item):
        hit = rows.get(key)
        if hit is None or hit[1].ok is None:
            continue
        dep, r = hit
        running = dep.section in ("forward", "gradients") or dep.ref[0] in ("out", "delta")
        if r.ok is False and blame is None:
            blame = r
        elif r.ok and running:
            blame = None
    if blame is None:
        return row
    return dataclasses.replace(row, blame=Blame(blame.key, blame.name, blame.given, blame.expected, blame.mistakes))


def resolve(derivation, scoped_key: str) -> tuple[str, str, float]:
    """(canonical scoped key, display name, expected value) of a key like ``"gradients.w_ij1"``.

    >>> from backcalc.derivation import explain
    >>> key, name, value = resolve(explain(), "updated.b_o")
    >>> key, name, round(value, 5)
    ('updated.b3[0]', 'b_o', 1.12645)
    """
    sp, _ = _context(derivation)
    try:
        (item,) = sp.resolve(scoped_key)
    except KeyError as exc:
        raise AnswersError(f"unknown key: {exc.args[0]}") from None
    return item.key, item.name, item.expected


def diagnose(derivation, key: str, given, rtol: float | None = None, atol: float | None = None) -> str | None:
    """The catalogued mistake that gives ``given`` for ``key`` (a scoped canonical key or display name).

    ``given`` is a number or the number's text (``"-0.04146"``: the text sets the precision for the default
    tolerance; a float counts as written with its shortest repr). None when the value is right or no
    catalogued mistake reproduces it.

    >>> from backcalc.derivation import explain
    >>> diagnose(explain(), "gradients.w_k1o", 0.50457)
    'sign flipped'
    """
    from .render.check import describe

    sp, cat = _context(derivation)
    try:
        (item,) = sp.resolve(key)
    except KeyError as exc:
        raise AnswersError(f"unknown key: {exc.args[0]}") from None
    _, value, text = _Reader(sp, "<given>").cell(item, given, key)
    if value is None:
        return None
    tol = Tolerance(rtol, atol)
    if abs(value - item.expected) <= tol.allowed(item, text, item.expected):
        return None
    mistakes = cat.explain(item, value, text, tol)
    return describe(mistakes, "en") if mistakes else None
