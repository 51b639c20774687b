"""A class's exercises: a roster in, one variant per student out, each in its own folder.

The roster is a CSV file with a header row and the columns ``id``, ``name`` and optionally ``email`` (and
``answers``: a student's answers file, relative to the class folder, for ``backcalc grade``), UTF-8, separated by
commas or semicolons. Each student's variant is drawn from the assignment seed and the student's id, so the same
roster, seed and options give byte-identical folders.

>>> students = parse_roster("id;name\\ns01;Ani\\ns02;Budi\\n", "roster.csv")
>>> [(s.id, s.name) for s in students], variant_seed(7, "s01") == variant_seed(7, "s01") != variant_seed(7, "s02")
([('s01', 'Ani'), ('s02', 'Budi')], True)
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackcalcError
from ..files import check_output, read_text, write_text
from ..net.derivation import explain
from ..render import renderer
from ..render.sheet import variant_words
from ..userinput import label
from .exercise import DEFAULT_SHAPE, check_out, make_exercise, parse_shape, write_exercise
from .rnn_exercise import exercise_for

MAX_STUDENTS = 500  # grade of 500 sheets: about 4 s of CPU (benchmarks/bench_limits.py; 5 000 took about 40 s)
#: students × parameters × samples that one `exercise --roster` makes: each student's net is drawn until friendly
#: and worked in three formats (about 0.04 s of CPU at the default 1,4,2,1 and 0.3 s at 2,4,4,1 × 2 samples: 27 such students took 7.7–8.5 s)
MAX_CLASS_WORK = 1_500
MAX_ROSTER_BYTES = 2_000_000
SOLUTIONS = "solutions"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Student:
    """One roster row."""

    id: str
    name: str
    email: str = ""
    answers: str = ""


def _fail(source, where, message):
    raise BackcalcError(f"{source}: {where}: {message}" if where else f"{source}: {message}")


def parse_roster(text: str, source: str = "roster.csv") -> list:
    """The students of a roster's text (header ``id,name[,email][,answers]``; commas or semicolons)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        _fail(source, "", "the roster is empty; expected a header row id,name,email and one row per student")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().lower() for h in rows[0]]
    for needed in ("id", "name"):
        if needed not in header:
            _fail(source, "line 1", f"no column {needed!r}: expected a header row with id, name and optionally "
                                    f"email, got {', '.join(header) or 'nothing'}")
    unknown = [h for h in header if h not in ("id", "name", "email", "answers")]
    if unknown:
        _fail(source, "line 1", f"unknown column {unknown[0]!r}; expected id, name, email, answers")
    students, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            _fail(source, f"line {line}", f"{len(row)} fields for the header's {len(header)}")
        cells = {h: c.strip() for h, c in zip(header, row)}
        sid = cells["id"]
        if not _ID.match(sid) or sid == SOLUTIONS:
            _fail(source, f"line {line}", f"id {sid!r}: expected letters, digits, '.', '_' or '-' (it names the "
                                          f"student's folder), up to 64 characters, not {SOLUTIONS!r}")
        if sid.lower() in seen:
            _fail(source, f"line {line}", f"id {sid!r} is given twice (first on line {seen[sid.lower()]})")
        seen[sid.lower()] = line
        answers = cells.get("answers", "")
        if answers and (Path(answers).is_absolute() or ".." in Path(answers).parts):
            _fail(source, f"line {line}", f"answers {answers!r}: expected a path inside the class folder")
        students.append(Student(sid, cells["name"], cells.get("email", ""), answers))
        if len(students) > MAX_STUDENTS:
            _fail(source, "", f"more than {MAX_STUDENTS} students")
    if not students:
        _fail(source, "", "no students: expected one row per student after the header")
    return students


def read_roster(path) -> list:
    """The students of a roster file (see :func:`parse_roster`)."""
    name = label(str(path))
    text = read_text(path, MAX_ROSTER_BYTES, what="--roster")
    return parse_roster(text, name)


def variant_seed(seed: int, student_id: str) -> int:
    """The seed of one student's variant: a hash of the assignment seed and the id (stable across runs)."""
    digest = hashlib.sha256(f"{int(seed)}:{student_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big")


def make_class(students, seed: int = 0, lang: str = "en", **options) -> list:
    """One :class:`~backcalc.grading.exercise.Exercise` per student: [(student, exercise), …]; a class whose
    students × parameters × samples pass :data:`MAX_CLASS_WORK` is refused before any is drawn."""
    shape = parse_shape(options.get("shape", DEFAULT_SHAPE))
    parameters = sum(a * b + b for a, b in zip(shape, shape[1:]))
    work = len(students) * parameters * options.get("samples", 1)
    if work > MAX_CLASS_WORK:
        raise BackcalcError(f"--roster: {len(students)} students × {parameters} parameters × {options.get('samples', 1)} "
                            f"sample(s) = {work:,}; one run makes at most {MAX_CLASS_WORK:,} (about 10 s): split the "
                            f"roster into sections of at most {max(1, MAX_CLASS_WORK // (work // len(students)))} "
                            "students, one folder each")
    recurrent = {k: options.pop(k) for k in ("rnn", "every_step") if k in options}
    maker = (lambda **kw: exercise_for(**recurrent, **kw)) if any(recurrent.values()) else make_exercise
    out = []
    for s in students:
        command = f"backcalc exercise --roster … --seed {seed}: " + variant_words(lang).format(id=s.id)
        ex = maker(seed=variant_seed(seed, s.id), lang=lang, student={"id": s.id, "name": s.name},
                   command=command, **options)
        out.append((s, ex))
    return out


def roster_text(students) -> str:
    """The class folder's own copy of the roster (``backcalc grade`` reads names and emails from it)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "name", "email", "answers"])
    for s in students:
        w.writerow([s.id, s.name, s.email, s.answers])
    return buf.getvalue()


def write_class(variants, out, force: bool = False, moodle: str | None = None, lang: str = "en") -> list:
    """Write ``out/<id>/{exercise,sheet,key}.toml``, ``out/solutions/<id>.md`` and ``.tex``, ``out/roster.csv``
    (and the Moodle XML quiz). Nothing is written through a symbolic link; existing files only with ``force``."""
    folder = Path(out)
    check_out(folder, force=True)  # the folder itself: not a file, not a symbolic link
    plan = [(folder / s.id, ex) for s, ex in variants]
    for sub, _ in plan:
        check_out(sub, force)
    solutions = folder / SOLUTIONS
    check_out(solutions, force=True)
    written = []
    for sub, ex in plan:
        written += write_exercise(ex, sub, force=force)
    solutions.mkdir(parents=True, exist_ok=True)
    for s, ex in variants:
        d = explain(ex.spec)
        for suffix, fmt in ((".md", "markdown"), (".tex", "latex")):
            path = solutions / f"{s.id}{suffix}"
            check_output(path, "--out", force=force)
            write_text(path, renderer(fmt).render(d, lang=lang), what="--out", force=force)
            written.append(path)
    path = folder / "roster.csv"
    write_text(path, roster_text([s for s, _ in variants]), what="--out", force=True)
    written.append(path)
    if moodle:
        from .moodle import quiz_xml

        check_output(moodle, "--moodle", (".xml",), force=True)
        write_text(moodle, quiz_xml(variants, lang=lang), what="--moodle", force=True)
        written.append(Path(moodle))
    return written
