"""Homework checking: grade a student's answers term by term against the derivation and name the mistake.

An answers file (TOML or JSON) gives any subset of ``loss``, ``loss_after`` and the tables ``[forward]``,
``[factors]``, ``[gradients]`` and ``[updated]`` — canonical matrices (``W2 = [[...]]``, a cell may be ``""``)
or display names (``w_j1k1 = -0.00187``, ``j1_out = 1.5``, ``"∂L/∂k1_out" = -0.5058``). Each given value is
compared with :func:`backcalc.net.derivation.explain`. By default a value is accepted when it is the right answer
rounded at the precision the student wrote it in (see :class:`Tolerance`). A wrong value is run past a
catalogue of common mistakes — each a function computing the value that mistake gives for that key — and the
one that reproduces it is named; when the student also wrote intermediate factors, the first wrong one in the
chain is named too.

The file is read and validated in :mod:`backcalc.grading.reader`, a derivation's keys are named in
:mod:`backcalc.grading.keys` and the mistakes are catalogued in :mod:`backcalc.grading.mistakes`; this module grades.

>>> r = check_answers(None, {"gradients": {"w_k1o": -0.50474, "w_ij1": -0.04146}})
>>> [(row.name, row.ok) for row in r.rows]
[('w_ij1', False), ('w_k1o', True)]
>>> r.rows[0].mistakes[0].code
'product_of_sums'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .reader import (DIAGNOSIS_RTOL, HAND_RTOL, MAX_ANSWER, ROUNDING_CAP, STEP_RTOL, Tolerance, _Reader,
                           decimals, half_unit, read_answers)
from .keys import SECTIONS, AnswerSpace
from ..errors import AnswersError
from .mistakes import MAX_PATH_UNITS, Mistake, _Catalogue

__all__ = [
    "check_answers", "diagnose", "resolve", "read_answers", "decimals", "half_unit",
    "CheckResult", "Row", "Blame", "Tolerance", "Mistake", "SECTIONS",
    "HAND_RTOL", "STEP_RTOL", "ROUNDING_CAP", "DIAGNOSIS_RTOL", "MAX_PATH_UNITS", "MAX_ANSWER",
]


# ─────────────────────────────────────────── records ───────────────────────────────────────────

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
        from ..render.check import diagnosis_text

        return diagnosis_text(self, "en")

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
        from ..render import check

        return check.markdown(self)


def _row_dict(r: Row) -> dict:
    return {
        "key": r.key, "name": r.name, "section": r.section, "expected": r.expected, "given": r.given,
        "written": r.text, "error": r.error, "allowed": r.allowed, "ok": r.ok, "status": r.status,
        "diagnosis": r.diagnosis, "mistakes": [m.code for m in r.mistakes],
        "first_wrong": r.blame.key if r.blame else None,
    }


# ─────────────────────────────────────────── public API ───────────────────────────────────────────

_CACHE: list = []  # (derivation, space, catalogue) of the last call, so diagnose() in a loop stays cheap


def _context(derivation):
    if _CACHE and _CACHE[0][0] is derivation:
        return _CACHE[0][1], _CACHE[0][2]
    sp = AnswerSpace(derivation)
    cat = _Catalogue(sp)
    _CACHE[:] = [(derivation, sp, cat)]
    return sp, cat


def check_answers(spec=None, answers=None, rtol: float | None = None, atol: float | None = None) -> CheckResult:
    """Grade an answers file (path or dict) against a spec (path, dict, NetSpec; None = the seed-004 example).

    >>> r = check_answers(None, {"loss": 0.128, "gradients": {"b_o": "-0.506"}})
    >>> r.correct, r.total, r.ok
    (2, 2, True)
    """
    from ..net.derivation import explain
    from ..net.spec import load_spec

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
        running = dep.section in ("forward", "gradients") or dep.ref.kind in ("out", "delta")
        if r.ok is False and blame is None:
            blame = r
        elif r.ok and running:
            blame = None
    if blame is None:
        return row
    return dataclasses.replace(row, blame=Blame(blame.key, blame.name, blame.given, blame.expected, blame.mistakes))


def resolve(derivation, scoped_key: str) -> tuple[str, str, float]:
    """(canonical scoped key, display name, expected value) of a key like ``"gradients.w_ij1"``.

    >>> from backcalc.net.derivation import explain
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

    >>> from backcalc.net.derivation import explain
    >>> diagnose(explain(), "gradients.w_k1o", 0.50457)
    'sign flipped'
    """
    from ..render.check import describe

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
