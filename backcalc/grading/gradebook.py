"""Grading a class: every student's sheet against the student's own exercise, in parallel, into records.

``grade_class(folder)`` reads ``folder/roster.csv`` when there is one (written by ``backcalc exercise --roster``;
its ``answers`` column may name each student's answers file) or else every ``folder/*/sheet.toml``, and grades
each sheet against ``exercise.toml`` beside it. A sheet that cannot be read is a row with its error, never the
end of the run. The renderers (:mod:`backcalc.render.classroom`) turn the records into the gradebook CSV and
the class report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BackcalcError
from ..userinput import label
from .classroom import read_roster, Student
from .grade import check_answers
from .problems import problem

SECTION_COLUMNS = ("forward", "loss", "factors", "gradients", "updated")
_SECTION = {"loss": "loss", "loss_after": "loss", "state": "updated"}  # the optimizer's state: the step's
SERIAL_BELOW = 16  # fewer sheets than this are graded in this process: starting workers would cost more


@dataclass(frozen=True)
class Answer:
    """One graded cell of one student's sheet: its key, name, verdict and the codes of the mistakes named."""

    key: str
    name: str
    verdict: str
    mistakes: tuple = ()
    problem: object = None         # why an invalid entry could not be read: a grading.problems.Problem

    def __reduce__(self):
        # a class's answers cross from the workers as plain tuples: half the pickling of a dataclass's __dict__
        return (Answer, (self.key, self.name, self.verdict, self.mistakes, self.problem))


@dataclass(frozen=True)
class StudentGrade:
    """One gradebook row. ``error`` (one line) when the sheet could not be graded; then ``score`` is None."""

    id: str
    name: str
    email: str = ""
    score: float | None = None      # percent of the sheet's cells right
    correct: int = 0
    answered: int = 0
    total: int = 0
    sections: tuple = ()            # (section, correct, total) for SECTION_COLUMNS present
    error: str | None = None
    answers: tuple = field(default=(), repr=False)
    fingerprint: str | None = None
    problem: object = None          # the error as a grading.problems.Problem, for the report's language


@dataclass(frozen=True)
class ClassResult:
    """Every student's grade; ``questions()`` and ``mistakes()`` summarise the class."""

    folder: str
    students: tuple
    strict: bool = False

    @property
    def graded(self) -> tuple:
        return tuple(s for s in self.students if s.error is None)

    def questions(self) -> list:
        """[(key, name, correct, answered, graded)] in the sheet's order: how many students got each right."""
        stats, order = {}, []
        for s in self.graded:
            for a in s.answers:
                if a.key not in stats and a.verdict != "invalid":
                    stats[a.key] = [a.name, 0, 0]
                    order.append(a.key)
        for s in self.graded:
            for a in s.answers:
                if a.key not in stats:
                    continue  # an unreadable entry under a key no sheet has: not a question
                stats[a.key][1] += a.verdict in ("correct", "correct_low_precision")
                stats[a.key][2] += a.verdict not in ("unanswered", "invalid")
        n = len(self.graded)
        return [(k, stats[k][0], stats[k][1], stats[k][2], n) for k in order]

    def unreadable(self) -> list:
        """[(student id, key, problem)] for every entry of a graded sheet that could not be read."""
        return [(s.id, a.key, a.problem) for s in self.graded for a in s.answers if a.verdict == "invalid"]

    def mistakes(self) -> list:
        """[(code, students, [names of keys])], most common first: each named mistake and where it was made."""
        who, where = {}, {}
        for s in self.graded:
            for a in s.answers:
                for code in a.mistakes:
                    if code == "carried":
                        continue  # worked right from a wrong earlier value: the mistake is that value's
                    who.setdefault(code, set()).add(s.id)
                    names = where.setdefault(code, [])
                    if a.name not in names:
                        names.append(a.name)
        return sorted(((c, len(who[c]), where[c]) for c in who), key=lambda t: (-t[1], t[0]))


def _grade_one(task) -> StudentGrade:
    """Grade one student's sheet (runs in a worker process; every failure becomes the row's error)."""
    student, exercise, sheet, strict = task
    base = dict(id=student.id, name=student.name, email=student.email)
    try:
        r = check_answers(exercise, sheet, strict=strict)
    except BackcalcError as exc:
        found = getattr(exc, "problem", None)
        if found is None:
            found = problem("no_sheet", path=label(str(sheet))) if not Path(sheet).exists() else \
                problem("sheet_error", message=str(exc))
        return StudentGrade(error=str(exc), problem=found, **base)
    except Exception as exc:  # a bug must not end the class's run; the row says so
        return StudentGrade(error=f"internal error: {type(exc).__name__}: {exc}", **base)
    sections = {}
    for row in r.rows:
        sec = _SECTION.get(row.section, row.section)
        c, t = sections.get(sec, (0, 0))
        sections[sec] = (c + (row.verdict in ("correct", "correct_low_precision")), t + 1)
    answers = tuple(Answer(row.key, row.name, row.verdict, tuple(m.code for m in row.mistakes), row.problem)
                    for row in r.rows)
    score = round(100.0 * r.correct / r.total, 1) if r.total else 0.0
    if r.id and r.id != student.id:
        return StudentGrade(error=f"{r.answers_source}: the sheet is for id {r.id!r}, not {student.id!r}",
                            problem=problem("wrong_id", sheet=r.answers_source, given=repr(r.id),
                                            expected=repr(student.id)), **base)
    return StudentGrade(score=score, correct=r.correct, answered=r.answered, total=r.total,
                        sections=tuple((s, *sections[s]) for s in SECTION_COLUMNS if s in sections),
                        answers=answers, fingerprint=r.fingerprint, **base)


def _tasks(folder: Path, strict: bool) -> list:
    roster = folder / "roster.csv"
    if roster.is_file():
        students = read_roster(roster)
    else:
        students = [Student(p.parent.name, "") for p in sorted(folder.glob("*/sheet.toml"))]
    if not students:
        raise BackcalcError(f"{folder}: no roster.csv and no */sheet.toml: expected the folder written by "
                            "backcalc exercise --roster")
    tasks = []
    for s in students:
        sheet = folder / s.answers if s.answers else folder / s.id / "sheet.toml"
        tasks.append((s, folder / s.id / "exercise.toml", sheet, strict))
    return tasks


def grade_class(folder, strict: bool = False, jobs: int | None = None) -> ClassResult:
    """Grade every student of a class folder; ``jobs`` worker processes (default: every core)."""
    path = Path(folder)
    if not path.is_dir():
        raise BackcalcError(f"{folder}: expected the class folder written by backcalc exercise --roster")
    tasks = _tasks(path, strict)
    jobs = min(jobs or os.cpu_count() or 1, len(tasks))
    if jobs == 1 or len(tasks) < SERIAL_BELOW:
        grades = [_grade_one(t) for t in tasks]
    else:
        grades = _grade_parallel(tasks, jobs)
    return ClassResult(str(folder), tuple(grades), strict)


def _grade_parallel(tasks, jobs) -> list:
    """Grade in ``jobs`` processes. The first sheet is graded here first, so every lazy import and cache the
    grading needs is loaded once and, where processes fork, inherited by the workers instead of repeated in each;
    the rest go out in small chunks, so no worker idles while another finishes a long one."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    first = _grade_one(tasks[0])
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)
    rest = tasks[1:]
    chunk = max(1, min(8, len(rest) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return [first] + list(pool.map(_grade_one, rest, chunksize=chunk))
