"""How fast `backcalc explain` answers: wall time of whole commands, best of N runs, against the bare Python
interpreter's start-up measured in the same run (the floor any Python CLI pays).

    python benchmarks/bench_explain.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(cmd: list[str], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    cases = [
        ("python -c pass (baseline)", [py, "-c", "pass"]),
        ("backcalc --version", [py, "-m", "backcalc.cli", "--version"]),
        ("backcalc explain (default example)", [py, "-m", "backcalc.cli", "explain"]),
        ("backcalc explain --format json", [py, "-m", "backcalc.cli", "explain", "--format", "json"]),
        ("backcalc explain softmax_batch.toml", [py, "-m", "backcalc.cli", "explain",
                                                 "worked_examples/softmax_batch.toml"]),
    ]
    base = None
    print(f"{'command':40s} {'best s':>8s} {'median s':>9s} {'× baseline':>11s}")
    for name, cmd in cases:
        best, med = wall(cmd, args.repeat)
        base = base or best
        print(f"{name:40s} {best:8.3f} {med:9.3f} {best / base:11.1f}")
    from backcalc.net.derivation import explain
    from backcalc.net.spec import default_spec

    spec = default_spec()
    explain(spec)
    t = time.perf_counter()
    for _ in range(50):
        explain(spec)
    print(f"{'explain() in-process, default example':40s} {(time.perf_counter() - t) / 50:8.4f}")


if __name__ == "__main__":
    main()
