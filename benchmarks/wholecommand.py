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


def measure(cmd: list[str], env: dict | None = None, keep_stdout: bool = True) -> tuple:
    """(wall s, CPU s, peak resident MB, exit code, stdout, stderr) of one run of ``cmd`` in a fresh process, as
    bytes (stdout ``b""`` unless ``keep_stdout``).

    The peak and the CPU time come from GNU time (``/usr/bin/time``) when it is there: a child forked from
    this (larger) Python process would otherwise count this process's pages in its peak."""
    import tempfile
    import time

    with tempfile.NamedTemporaryFile("r") as report:
        timed = ["/usr/bin/time", "-f", "%M %U %S", "-o", report.name] + cmd if Path("/usr/bin/time").exists() else cmd
        t = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
                                stderr=subprocess.PIPE, cwd=ROOT, env=env or user_env())
        out = proc.stdout.read() if keep_stdout else b""
        err = proc.stderr.read()  # stderr stays small: reading it second cannot block
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        lines = report.read().splitlines() if timed is not cmd else []  # "Command exited with ..." may come first
        fields = lines[-1].split() if lines else []
    if len(fields) >= 3:
        return wall, float(fields[1]) + float(fields[2]), int(fields[0]) / 1024, code, out, err
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, out, err


def once(cmd: list[str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak resident MB, stdout) of one run of ``cmd`` in a fresh process (see :func:`measure`);
    a run that fails (exit code other than 0, or 1: check's wrong answers) stops the script."""
    wall, cpu, peak, code, out, err = measure(cmd)
    if code not in (0, 1):  # check exits 1 when answers are wrong
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err.decode()}")
    return wall, cpu, peak, out.decode()


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
