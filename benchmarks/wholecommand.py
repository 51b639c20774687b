"""Timing a whole command as a user runs it: wall time, the process's own CPU time and its peak memory.

On a shared machine the wall time of a command grows with the other jobs' load; the CPU time the command's
process used (user + system, from the kernel's accounting of that one child) grows far less, so the scripts
print both, with the load average. Children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE``
removed: a user's installed package has its ``.pyc`` files), after one warm-up run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def user_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass
class Runs:
    wall: list
    cpu: list
    peak_mb: float
    stdout: str

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_best(self) -> float:
        return min(self.cpu)


def once(cmd: list[str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak resident MB, stdout) of one run of ``cmd`` in a fresh process.

    The peak and the CPU time come from GNU time (``/usr/bin/time``) when it is there: a child forked from
    this (larger) Python process would otherwise count this process's pages in its peak."""
    import tempfile
    import time

    with tempfile.NamedTemporaryFile("r") as report:
        timed = ["/usr/bin/time", "-f", "%M %U %S", "-o", report.name] + cmd if Path("/usr/bin/time").exists() else cmd
        t = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=user_env())
        out, err = proc.stdout.read(), proc.stderr.read()  # stderr stays small: reading it second cannot block
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # check exits 1 when answers are wrong
            raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err.decode()}")
        lines = report.read().splitlines() if timed is not cmd else []  # "Command exited with ..." may come first
        fields = lines[-1].split() if lines else []
    if len(fields) >= 3:
        return wall, float(fields[1]) + float(fields[2]), int(fields[0]) / 1024, out.decode()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.decode()


def runs(cmd: list[str], repeat: int, warm: bool = True) -> Runs:
    """``repeat`` runs of ``cmd`` (after one warm-up run that writes the bytecode cache)."""
    if warm:
        once(cmd)
    result = Runs([], [], 0.0, "")
    for _ in range(repeat):
        wall, cpu, peak, out = once(cmd)
        result.wall.append(wall)
        result.cpu.append(cpu)
        result.peak_mb = max(result.peak_mb, peak)
        result.stdout = out
    return result


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"
