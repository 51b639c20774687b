"""The independent checker of `backcalc verify`: every ∂L/∂parameter three ways, and the verdict.

:func:`verify` compares every ∂L/∂parameter from the tape, from sympy's derivatives
(:func:`~backcalc.check.symbolic.symbolic_gradients`) and from central differences
(:func:`~backcalc.check.numeric.numeric_gradients`). Nothing in :mod:`backcalc.check` reads backcalc's rule
table or tape to *compute* a derivative: each layer kind is built by the checker itself
(:mod:`backcalc.check.layers`), each activation and loss written with sympy's own functions — sigmoid as
``1/(1 + exp(−z))``, relu as the ``Piecewise`` "z for z > 0, else 0" — and every derivative comes from sympy's
rules, so a wrong entry in :mod:`backcalc.tape.rules` shows up as a mismatch instead of being copied. sympy is
imported inside the functions, never at module import. (`backcalc grad`'s checker is
:mod:`backcalc.program.sympy_check`; the sympy helpers both use are in :mod:`backcalc.check.sympy_tools`.)

Numbers: sympy's derivatives are evaluated with 30-digit floats at the forward values (each float taken
exactly). The tape agrees with sympy within 1e-7 relative (1e-10 absolute), central differences within
1e-4 relative (1e-7 absolute).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..net.names import parse_key
from .activations import KINKED, activation_expression  # noqa: F401 (public here too)
from .activations import exact as _exact  # noqa: F401 (benchmarks/bench_verify.py)
from .formulas import FORMULA_MAX_OPS, closed_forms  # noqa: F401
from .layers import BUILDERS, builder
from .loss import sample_loss_expression  # noqa: F401
from .numeric import EPS, judged_gradients, numeric_gradients, numpy_loss  # noqa: F401
from .rows import ThreeWays
from .replay import regularised_symbolic, replay_notes, update_rows
from .symbolic import symbolic_gradients  # noqa: F401 (public here too)
from .sympy_tools import load_sympy

TAPE_RTOL, TAPE_ATOL = 1e-7, 1e-10        # tape against sympy: both are exact up to rounding
NUMERIC_RTOL, NUMERIC_ATOL = 1e-4, 1e-7   # central differences against sympy
MAX_VERIFY_PARAMETERS = 10_000  # 19 611 took 12.5 s of CPU (four forward passes per parameter: benchmarks/bench_limits.py)
MAX_VERIFY_UNIT_SAMPLES = 3_000  # units × samples: sympy evaluates each unit once per sample (20 000 took 41 s of CPU)


# ── verify: the three columns and the verdict ──

@dataclass(frozen=True)
class VerifyRow(ThreeWays):
    """One parameter element: ∂L/∂w from the tape, from sympy's derivatives and from central differences."""

    numeric_compared: bool = True  # False when a parameter moves a unit's input across a kink


@dataclass(frozen=True)
class VerifyResult:
    """What `backcalc verify` shows; ``to_dict()`` is its JSON."""

    title: str
    samples: int
    loss_kind: str
    loss_tape: float
    loss_symbolic: float
    loss_numeric: float
    rows: tuple
    numeric_checked: bool = True  # False when some row's central difference straddles a kink (not compared)
    notes: tuple = ()
    formulas: tuple | None = None  # ((name, closed form), ...) with --formulas
    updates: tuple = ()            # UpdateRow per step and element: the optimizer's steps, three ways (1.1 specs)
    lang: str = "en"               # the language of its render method and of Jupyter's display

    @property
    def tolerance(self) -> dict:
        """The tolerances the rows were judged with: ``{"tape": {"rtol", "atol"}, "numeric": {"rtol", "atol", "eps"}}``."""
        return {"tape": {"rtol": TAPE_RTOL, "atol": TAPE_ATOL},
                "numeric": {"rtol": NUMERIC_RTOL, "atol": NUMERIC_ATOL, "eps": EPS}}

    @property
    def loss_ok(self) -> bool:
        return _agree(self.loss_tape, self.loss_symbolic, TAPE_RTOL, TAPE_ATOL)

    @property
    def ok(self) -> bool:
        return self.loss_ok and all(r.ok for r in self.rows) and all(r.ok for r in self.updates)

    def failures(self) -> list[VerifyRow]:
        return [r for r in self.rows if not r.ok]

    def to_dict(self) -> dict:
        out = {"format": 1, "ok": self.ok,
               "rows": [{"name": r.name, "key": r.key, "tape": r.tape, "symbolic": r.symbolic, "numeric": r.numeric,
                         "ok": r.ok} for r in self.rows]}
        if self.formulas is not None:
            out["formulas"] = dict(self.formulas)
        out.update({"title": self.title, "loss": {"tape": self.loss_tape, "symbolic": self.loss_symbolic,
                                                  "numeric": self.loss_numeric},
                    "numeric_checked": self.numeric_checked, "notes": _note_texts(self.notes),
                    "note_codes": [n.to_dict() for n in self.notes],
                    "tolerance": self.tolerance})
        if self.updates:
            out["updated"] = [{"step": r.step, "name": r.name, "key": r.key, "tape": r.tape, "symbolic": r.symbolic,
                               "numeric": r.numeric, "ok": r.ok} for r in self.updates]
        return out

    def render(self, fmt: str = "text", digits: int = 6, lang: str | None = None) -> str:
        """The report in ``fmt`` (text, markdown, json), in ``lang`` (default: the result's own)."""
        from ..net.records import check_lang
        from ..render.verify import render

        return render(self, fmt, digits, check_lang(lang or self.lang))

    def _repr_markdown_(self) -> str:
        from ..render.verify import markdown  # Jupyter's display: the renderer, loaded on first use

        return markdown(self, lang=self.lang)


def _agree(a: float, b: float, rtol: float, atol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def verify(spec=None, formulas: bool = False, lang: str = "en") -> VerifyResult:
    """Check every ∂L/∂parameter of a spec three ways: the tape, sympy's derivatives, central differences
    (``lang``: the language of the result's render method and Jupyter display).

    >>> result = verify()          # the embedded seed-004 net
    >>> result.ok, len(result.rows), result.rows[-1].name
    (True, 21, 'b_o')
    """
    from ..errors import SpecError
    from ..net.finite import check_pass
    from ..net.network import Network
    from ..net.records import check_lang
    from ..net.spec import load_spec

    check_lang(lang)
    spec = load_spec(spec)
    for layer in spec.layers:  # a kind the checker cannot build itself is refused, never half-checked
        if layer.kind not in BUILDERS:
            raise SpecError(f'{spec.source}: layers[{layer.index}] ("{layer.name}"): verify has no independent '
                            f"check for layer kind {layer.kind!r}")
    if spec.n_parameters > MAX_VERIFY_PARAMETERS:
        raise SpecError(f"{spec.source}: verify checks nets of at most {MAX_VERIFY_PARAMETERS:,} parameters "
                        f"(one sympy evaluation per unit and sample); this one has {spec.n_parameters:,}")
    unit_samples = spec.samples * sum(layer.units for layer in spec.layers)
    if unit_samples > MAX_VERIFY_UNIT_SAMPLES:
        raise SpecError(f"{spec.source}: verify evaluates at most {MAX_VERIFY_UNIT_SAMPLES:,} units × samples; "
                        f"this spec has {unit_samples:,}: use fewer samples")
    with np.errstate(all="ignore"):  # a net that overflows is named (its first non-finite value), not checked
        check_pass(Network(spec).forward(), 1)
    sp = load_sympy()
    net = Network(spec)
    tape = net.gradients()
    loss_tape = net.loss()
    try:
        symbolic, loss_symbolic = regularised_symbolic(spec, sp)
    except RecursionError:
        raise SpecError(f"{spec.source}: the net is too deep for the symbolic check") from None
    numeric = judged_gradients(spec, EPS, NUMERIC_RTOL, NUMERIC_ATOL)
    kinks = _kinks(spec)
    rows, unjudged = [], []
    for name, key in spec.param_names():
        t, s, (n, judged) = tape[key], symbolic[key], numeric[key]
        kinked = _reached_by_kink(spec, key, kinks)
        compared = judged and not kinked
        if not judged and not kinked:
            unjudged.append(name)
        ok = _agree(t, s, TAPE_RTOL, TAPE_ATOL) and (not compared or _agree(n, s, NUMERIC_RTOL, NUMERIC_ATOL))
        rows.append(VerifyRow(name, key, t, s, n, ok, compared))
    notes = tuple(note for _, _, note in kinks) + _unjudged_note(unjudged) + replay_notes(spec)
    closed = tuple(closed_forms(spec, sp).items()) if formulas else None
    return VerifyResult(spec.title, spec.samples, spec.loss, loss_tape, loss_symbolic,
                        numpy_loss(spec, spec.parameters()), tuple(rows), all(r.numeric_compared for r in rows),
                        notes, closed, update_rows(spec, sp), lang)


def _unjudged_note(names: list) -> tuple:
    from .notes import unjudged

    return (unjudged(names),) if names else ()


def _note_texts(notes) -> list:
    """The notes in English words, as the JSON carries them beside their codes (the renderer writes the words)."""
    from ..render.verify import note_text

    return [note_text(n) for n in notes]


def _kinks(spec) -> list[tuple]:
    """``(layer, unit, note)`` for each unit whose input sits within reach of a kink, from each kind's builder."""
    found = []
    outputs = [np.asarray(spec.x, dtype=float)]
    params = spec.parameters()
    for layer in spec.layers:
        kind = builder(layer.kind)
        found += [(layer.index, unit, note) for unit, note in kind.kinks(layer, outputs[-1], params, EPS)]
        outputs.append(kind.numpy_forward(layer, outputs[-1], params, tuple(outputs)))
    return found


def _reached_by_kink(spec, key: str, kinks) -> bool:
    """Whether nudging parameter ``key`` moves a kinked unit's input: one its kind says it moves, or any later.

    A parameter of layer n changes the inputs of the units of its layer that its kind names (a dense weight
    W[a][c]: unit c only) and everything after it, never an earlier layer.
    """
    k = parse_key(key)
    layer = spec.layers[k.layer - 1]
    own = builder(layer.kind).units_moved(layer, k.index)
    return any(n > k.layer or (n == k.layer and unit in own) for n, unit, _ in kinks)
