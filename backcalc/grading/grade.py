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

import numpy as np

from .reader import MAX_ANSWER, Invalid, _Reader, read_answers
from .tolerance import HAND_RTOL, LOW_PRECISION, STEP_RTOL, VERDICTS, Tolerance, decimals, half_unit
from .keys import SECTIONS
from .spaces import answer_space
from ..errors import AnswersError
from .problems import SheetError, problem
from ..net.records import MAX_TERM_RECORDS
from .mistakes import MAX_PATH_UNITS, Mistake, _Catalogue
from ..net.derivation import explain
from ..net.spec import load_spec
from .fingerprint import fingerprint

__all__ = [
    "check_answers", "diagnose", "resolve", "read_answers", "decimals", "half_unit",
    "CheckResult", "Row", "Blame", "Tolerance", "Mistake", "SECTIONS", "VERDICTS",
    "HAND_RTOL", "STEP_RTOL", "LOW_PRECISION", "MAX_PATH_UNITS", "MAX_ANSWER",
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
    nearest: bool = False     # the wrong value this answer was worked out from (not the first in the chain)


@dataclass(frozen=True)
class Row:
    """One graded answer (``given`` is None when the cell was left blank or could not be read).

    ``verdict``: ``correct``, ``correct_low_precision`` (right as written, too few digits to show the step;
    counted as correct), ``wrong``, ``invalid`` (the cell could not be read: ``problem`` says why) or
    ``unanswered``. Words for the mistakes and the verdicts come from :mod:`backcalc.render.check`.
    """

    key: str
    name: str
    section: str
    expected: float | None
    given: float | None
    text: str | None          # the number as the student wrote it
    error: float | None       # given − expected
    allowed: float | None     # the tolerance that applied
    ok: bool | None           # None: not answered (blank or invalid)
    mistakes: tuple = ()      # Mistake records that reproduce the given value (one, or two combined)
    blame: Blame | None = None
    verdict: str = "unanswered"
    problem: object = None    # invalid: a grading.problems.Problem (render/labels_answers.py writes it)

    @property
    def status(self) -> str:
        return self.verdict

    @property
    def mistake(self) -> str | None:
        """The mistake's code ("a+b" for two combined), or None."""
        return "+".join(m.code for m in self.mistakes) or None


@dataclass(frozen=True)
class CheckResult:
    """Every graded answer; ``to_dict()`` is the JSON of INTERFACE.md (``backcalc check --format json``)."""

    title: str
    spec_source: str
    answers_source: str
    tolerance: Tolerance
    rows: tuple
    student: str | None = None
    id: str | None = None
    fingerprint: str | None = None

    def _count(self, *verdicts) -> int:
        return sum(1 for r in self.rows if r.verdict in verdicts)

    @property
    def correct(self) -> int:
        return self._count("correct", "correct_low_precision")

    @property
    def low_precision(self) -> int:
        return self._count("correct_low_precision")

    @property
    def wrong(self) -> int:
        return self._count("wrong")

    @property
    def invalid(self) -> int:
        return self._count("invalid")

    @property
    def answered(self) -> int:
        return sum(1 for r in self.rows if r.ok is not None)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> bool:
        """Every given answer is right and readable (a blank sheet is ok: nothing given is wrong)."""
        return self.wrong == 0 and self.invalid == 0

    def section_scores(self) -> dict:
        """{section: (correct, total)} over forward (with the loss), factors, gradients and updated."""
        out = {}
        for r in self.rows:
            section = {"loss": "forward", "loss_after": "updated", "state": "updated"}.get(r.section, r.section)
            c, t = out.get(section, (0, 0))
            out[section] = (c + (r.verdict in ("correct", "correct_low_precision")), t + 1)
        return out

    def to_dict(self, lang: str = "en") -> dict:
        from ..render.check import as_dict

        return as_dict(self, lang)

    def _repr_markdown_(self) -> str:
        from ..render import check

        return check.markdown(self)


# ─────────────────────────────────────────── public API ───────────────────────────────────────────

_CACHE: list = []  # (derivation, space, catalogue) of the last call, so diagnose() in a loop stays cheap


def _context(derivation):
    if _CACHE and _CACHE[0][0] is derivation:
        return _CACHE[0][1], _CACHE[0][2]
    if any(getattr(layer, "recurrent", False) for layer in derivation.spec.layers):  # backprop through time
        from .rnn_mistakes import RnnCatalogue
        from .rnn_space import RnnSpace

        sp = RnnSpace(derivation)
        cat = RnnCatalogue(sp)
    else:
        sp = answer_space(derivation)
        cat = _Catalogue(sp)
    _CACHE[:] = [(derivation, sp, cat)]
    return sp, cat


def check_answers(spec=None, answers=None, rtol: float | None = None, atol: float | None = None,
                  strict: bool = False, derivation=None) -> CheckResult:
    """Grade an answers file (path or dict) against a spec (path, dict, NetSpec; None = the seed-004 example).

    ``strict``: a value right only at a precision too low to show the step is wrong (default: accepted, with
    the verdict ``correct_low_precision``). ``derivation``: the spec's derivation, if already worked out.

    >>> r = check_answers(None, {"loss": 0.128, "gradients": {"b_o": "-0.506"}})
    >>> r.correct, r.total, r.ok
    (2, 2, True)
    """
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise AnswersError(f"--{name}: expected a number ≥ 0, got {v}")
    net = load_spec(spec) if derivation is None else derivation.spec
    doc, source = read_answers(answers)
    d = explain(net) if derivation is None else derivation
    sp, cat = _context(d)
    reader = _Reader(sp, source)
    cells = reader.read(doc)
    head = reader.header
    print_ = fingerprint(net)
    if head.get("fingerprint") and print_ and head["fingerprint"] != print_:
        raise SheetError(f"{source}: made for exercise {head['fingerprint']}, but {net.source} is exercise "
                         f"{print_}: check each sheet against its own exercise",
                         problem("wrong_exercise", sheet=source, sheet_print=head["fingerprint"], spec=net.source,
                                 spec_print=print_))
    if d.terms_omitted and any(not isinstance(c, Invalid) and c[0].section == "factors" for c in cells):
        limit = f"{MAX_TERM_RECORDS:,}"
        raise SheetError(f"{source}: [factors]: the chain-rule factors of a net past {limit} parameters × samples are "
                         "not kept, so they cannot be judged; check its forward values, loss, gradients and updated "
                         "parameters, or a smaller net", problem("factors_not_kept", sheet=source, limit=limit))
    tol = Tolerance(rtol, atol, strict)
    good = [c for c in cells if not isinstance(c, Invalid)]
    rows = _grade(sp, cat.for_sheet(_own_values(sp, good), good, tol), tol, good)
    bad = [_invalid_row(sp, c) for c in cells if isinstance(c, Invalid)]
    return CheckResult(net.title, net.source, source, tol, tuple(rows + bad), head.get("student") or None,
                       head.get("id") or None, head.get("fingerprint") or print_)


def _own_values(sp, cells) -> dict:
    """The student's own node values and factors, for working a mistake from them: {kind: {layer: array}}."""
    own = {}
    for item, given, _ in cells:
        kind = item.ref.kind
        if given is None or kind not in ("out", "local", "delta", "a", "z", "drop", "dout"):
            continue
        shape = (sp.S, sp.spec.layers[item.ref.layer - 1].units)
        table = own.setdefault(kind, {}).setdefault(item.ref.layer, np.full(shape, np.nan))
        table[item.ref.sample, item.ref.unit] = given
    return own


def _grade(sp, cat, tol, cells) -> list:
    rows = {}
    # gradients before updated values, so an update can be judged against the student's own gradient
    for item, given, text in sorted(cells, key=lambda c: c[0].section == "updated"):
        if given is None:
            rows[item.key] = (item, Row(item.key, item.name, item.section, item.expected, None, None, None, None, None))
            continue
        verdict, allowed = tol.judge(item, text, given)
        mistakes = ()
        if verdict == "wrong":
            if tol.as_written and abs(given - item.expected) <= half_unit(text) + 1e-12:  # --strict: right as written
                mistakes = (Mistake("too_few_digits", (("decimals", decimals(text)),
                                                       ("updated", item.section == "updated"))),)
            else:
                own = rows.get("gradients." + item.key.split(".", 1)[1]) if item.section == "updated" else None
                own = own[1] if own is not None and own[1].ok is not None else None
                mistakes = cat.explain(item, given, text, tol, gradient=own)
        rows[item.key] = (item, Row(item.key, item.name, item.section, item.expected, given, text,
                                    given - item.expected, allowed,
                                    verdict != "wrong", mistakes, verdict=verdict))
    out = []
    summaries = {}  # id(chain) → what the blame search finds in it (rows no longer change here)
    answered = frozenset(r.section for _, r in rows.values() if r.ok is not None)
    for item, row in sorted(rows.values(), key=lambda p: p[0].order):
        if row.ok is False:
            row = _with_blame(sp, item, row, rows, summaries, answered)
        out.append(row)
    return out


def _invalid_row(sp, cell: Invalid) -> Row:
    try:
        (item,) = sp.resolve(cell.key)
        name, expected = item.name, item.expected
    except (KeyError, ValueError):
        name, expected = cell.key.split(".", 1)[-1], None
    return Row(cell.key, name, cell.section, expected, None, None, None, None, None, verdict="invalid",
               problem=cell.problem)


def _with_blame(sp, item, row, rows, summaries=None, answered=None):
    """The first wrong answer in the chain before ``item`` — unless a later running total (a node value,
    ∂L/∂out, δ, the gradient) that depends on it is right, which shows that error did not reach this answer. A
    right value beside the wrong one (another path of the same sum) clears nothing. A value worked right from
    the student's own earlier values that are all right as written is an early rounding.

    The search runs over :meth:`AnswerSpace.depends_chains`; what it finds in a chain, and what a right running
    total depends on, is worked out once and kept in ``summaries``, since they are shared by many answers.
    ``answered``: the tables with an answer given; when none of those ``item`` depends on is among them, there
    is nothing to search."""
    import dataclasses

    summaries = {} if summaries is None else summaries
    wrong, cleared = [], set()
    search = answered is None or not answered.isdisjoint(sp.depends_sections(item))
    for chain in sp.depends_chains(item) if search else ():
        if len(chain) == 1:  # one key, made for this answer alone (∂u_in/∂w): looked up, not kept
            hit = rows.get(chain[0])
            if hit is None or hit[1].ok is None:
                continue
            found = (_search(chain, rows),)
        else:
            found = summaries.get(id(chain))
            if found is None:
                found = summaries[id(chain)] = (_search(chain, rows), chain)  # kept: its id stays its own
        wrong += found[0][0]
        for total in found[0][1]:
            cleared |= _upstream(sp, total, summaries)
    wrong = [r for r in wrong if r.key not in cleared]
    blame, nearest = (wrong[0], wrong[-1]) if wrong else (None, None)
    carried = bool(row.mistakes) and row.mistakes[0].code == "carried"
    if blame is None:
        if carried:
            return dataclasses.replace(row, mistakes=(Mistake("carried_rounding"),) + row.mistakes[1:])
        return row
    if carried:  # worked right from the student's own values: name the wrong value it was worked from
        blame = nearest
    return dataclasses.replace(row, blame=Blame(blame.key, blame.name, blame.given, blame.expected, blame.mistakes,
                                                nearest=carried))


def _search(chain, rows) -> tuple:
    """``(wrong, totals)`` of one chain of keys: its wrong answers, and its right running totals (node values,
    ∂L/∂out, δ, gradients), each of which shows that the errors it depends on did not reach past it."""
    wrong, totals = [], []
    for key in chain:
        hit = rows.get(key)
        if hit is None or hit[1].ok is None:
            continue
        dep, r = hit
        if r.ok is False:
            wrong.append(r)
        elif r.ok and (dep.section in ("forward", "gradients") or dep.ref.kind in ("out", "delta")):
            totals.append(dep)
    return tuple(wrong), tuple(totals)


def _upstream(sp, item, summaries) -> frozenset:
    """Every key ``item`` is worked out from (kept in ``summaries``)."""
    key = ("upstream", item.key)
    if key not in summaries:
        summaries[key] = frozenset(sp.depends(item))
    return summaries[key]


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
    if tol.verdict(item, text, value) != "wrong":
        return None
    mistakes = cat.explain(item, value, text, tol)
    return describe(mistakes, "en") if mistakes else None
