"""A class run is bounded before it starts (issue #13, "Bounded time"): a roster of at most 500 students, and an
`exercise --roster` of at most 1 500 students × parameters × samples (benchmarks/bench_limits.py measures both
at the limit: under 10 s of CPU)."""

from click.testing import CliRunner

from backcalc.cli import main
from backcalc.grading import classroom


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def roster(path, n):
    path.write_text("id,name\n" + "".join(f"s{i:04d},Student {i}\n" for i in range(n)), encoding="utf-8")
    return path


def test_a_roster_of_501_students_is_refused_naming_the_limit(tmp_path):
    res = run("exercise", "--roster", roster(tmp_path / "r.csv", 501), "--out", tmp_path / "hw")
    assert res.exit_code == 2 and "more than 500 students" in res.output
    assert not (tmp_path / "hw").exists()


def test_a_class_past_the_work_limit_is_refused_before_anything_is_drawn(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(classroom, "make_exercise", lambda **kw: drawn.append(kw))
    # 72 students × 21 parameters (1,4,2,1) × 1 sample = 1 512 > 1 500
    res = run("exercise", "--roster", roster(tmp_path / "r.csv", 72), "--out", tmp_path / "hw")
    assert res.exit_code == 2, res.output
    assert "72 students × 21 parameters × 1 sample(s) = 1,512" in res.output
    assert "sections of at most 71 students" in res.output
    assert not drawn and not (tmp_path / "hw").exists()
    # 2,4,4,1 × 2 samples is 74 a student: 21 are too many, 20 are not
    res = run("exercise", "--roster", roster(tmp_path / "r21.csv", 21), "--shape", "2,4,4,1", "--samples", "2",
              "--out", tmp_path / "hw")
    assert res.exit_code == 2 and "= 1,554" in res.output and not drawn


def test_a_class_at_the_work_limit_is_made(monkeypatch):
    made = []
    monkeypatch.setattr(classroom, "make_exercise", lambda **kw: made.append(kw) or kw)
    students = [classroom.Student(f"s{i}", f"S {i}", "", "") for i in range(71)]
    assert len(classroom.make_class(students)) == 71 == len(made)
