"""How fast a teacher's class is graded: the whole `backcalc grade` command on a class of 500 sheets of the
default shape (1 → 4 relu → 2 sigmoid → 1 linear, 114 answers each), with 1, 2, … worker processes, and the
whole `backcalc check` command on one sheet — each against the bare interpreter's start-up and the
in-process grading of the same sheets, measured in the same run.

    python benchmarks/bench_grade.py [--students 500] [--repeat 3] [--jobs 1,2] [--folder DIR]

The worker counts are timed in turn, round after round, so a burst of other load hits each alike; each row shows
the best and median wall time and the CPU seconds of the command with its workers, and "cores used" (CPU ÷ wall):
near the worker count on an idle machine, lower when other processes held the cores. The load average is printed
before and after: measure scaling with cores when it is well below the core count. Linux's autogroup scheduler
gives each session one share of the CPU however many processes it runs, so on a machine busy with other sessions
more workers do not help; to measure on such a machine, give the benchmark's session the cores first
(`echo -20 > /proc/self/autogroup` in its shell, as root). `--folder DIR` keeps the class
there (made once, reused by later runs).

The class is made by `backcalc exercise --roster` (one variant per student); a third of the sheets are the key
at 4 significant digits, a third have a sign flipped in every gradient (every wrong answer runs the mistake
catalogue), a third leave the gradients out. Targets: grade of 500 sheets < 20 s, check of one sheet < 1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(cmd: list[str], check: bool = True) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and every process it waited for)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def wall(cmd: list[str], repeat: int) -> tuple[float, float]:
    times = [run_once(cmd)[0] for _ in range(repeat)]
    return min(times), statistics.median(times)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def make_class(folder: Path, students: int) -> Path:
    from backcalc.grading.classroom import Student, make_class as variants, write_class
    from backcalc.render.format import num

    roster = [Student(f"s{i:04d}", f"Student {i}", f"s{i:04d}@example.edu") for i in range(students)]
    # in sections within exercise --roster's work limit; a variant depends on the seed and the id only
    write_class([v for i in range(0, students, 100) for v in variants(roster[i:i + 100], seed=1)], folder)
    number = re.compile(r"^(\S+) = (-?\d[\d.e+-]*)$")
    for i, s in enumerate(roster):
        lines, section = [], None
        for line in (folder / s.id / "key.toml").read_text(encoding="utf-8").splitlines():
            if line.startswith("title ="):
                continue
            if line.startswith("["):
                section = line
            m = number.match(line)
            if m and line.split(" ")[0] != "format":
                value = float(m.group(2))
                if section == "[gradients]" and i % 3 == 1:
                    value = -value
                if section == "[gradients]" and i % 3 == 2:
                    continue
                line = f"{m.group(1)} = {num(value, 4)}"
            lines.append(line)
        (folder / s.id / "sheet.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", default=None, help="worker counts to time, e.g. 1,2 (default: 1 and every core)")
    parser.add_argument("--folder", default=None, help="make the class here once and reuse it")
    args = parser.parse_args()
    py = sys.executable
    cores = os.cpu_count() or 1
    jobs = [int(j) for j in args.jobs.split(",")] if args.jobs else sorted({1, cores})
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        folder = Path(args.folder) if args.folder else Path(tmp) / "class"
        if not (folder / "roster.csv").is_file():
            make_class(folder, args.students)
        print(f"a class of {args.students} sheets ready in {time.perf_counter() - t:.1f} s ({cores} cores, {load()})")
        base, _ = wall([py, "-c", "pass"], args.repeat)
        print(f"{'command':52s} {'best s':>8s} {'median s':>9s} {'per sheet ms':>13s}")
        print(f"{'python -c pass (baseline)':52s} {base:8.3f}")
        grade = {j: [] for j in jobs}
        for _ in range(args.repeat):  # interleaved, so a burst of other load hits every worker count alike
            for j in jobs:
                grade[j].append(run_once([py, "-m", "backcalc.cli", "grade", str(folder), "--out",
                                          str(Path(tmp) / "gb.csv"), "--force", "--jobs", str(j)]))
        for j in jobs:
            best = min(w for w, _ in grade[j])
            med = statistics.median(w for w, _ in grade[j])
            cpu = min(c for _, c in grade[j])
            used = (lambda w, c: c / w)(*min(grade[j]))  # of the fastest run
            print(f"{f'backcalc grade ({args.students} sheets, --jobs {j})':52s} {best:8.3f} {med:9.3f} "
                  f"{1000 * best / args.students:13.2f}   CPU {cpu:.2f} s, cores used {used:.2f}")
        for label, sheet in (("right", "s0000"), ("every gradient wrong", "s0001")):
            cmd = [py, "-m", "backcalc.cli", "check", str(folder / sheet / "exercise.toml"),
                   str(folder / sheet / "sheet.toml")]
            times = [run_once(cmd, check=label == "right")[0] for _ in range(args.repeat)]  # a wrong sheet exits 1
            print(f"{f'backcalc check (one sheet, {label})':52s} {min(times):8.3f} {statistics.median(times):9.3f}")
        from backcalc.grading.gradebook import grade_class

        t = time.perf_counter()
        grade_class(folder, jobs=1)
        inproc = time.perf_counter() - t
        print(f"{'grade_class() in-process, 1 worker':52s} {inproc:8.3f} {'':9s} {1000 * inproc / args.students:13.2f}")
        if len(grade) > 1:
            one, many = (min(w for w, _ in grade[j]) for j in (min(grade), max(grade)))
            print(f"speed-up with {max(grade)} workers: {one / many:.2f}× (whole command, best of "
                  f"{args.repeat} each)")
        print(f"{load()} at the end")


if __name__ == "__main__":
    main()
