"""How fast `backcalc explain` answers: whole commands, against the bare Python interpreter's start-up and
numpy's import measured in the same run (the floor any Python CLI built on numpy pays).

The large case is issue 19's row: the text page of a 60 → 250 → 17 → 1 sigmoid net, batch 8 (19 535
parameters; bench_check.py's net), whose per-unit and per-term listings are left out — target < 0.4 s.
Printed per command: best and median wall time, the process's own CPU time (user + system, best; it
barely moves with the machine's load, the wall time does), peak resident memory, and the ratio of the
median to the interpreter's start-up. Commands run as a user runs them: bytecode cached, one warm-up run.

    python benchmarks/bench_explain.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import SPEC  # noqa: E402  (the 19 535-parameter net)
from wholecommand import load, runs  # noqa: E402

TARGET = 0.4  # seconds, explain text of the 19 535-parameter net (issue 19)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "net19535.json"
        large.write_text(json.dumps(SPEC), encoding="utf-8")
        cases = [
            ("python -c pass (baseline)", [py, "-c", "pass"]),
            ("python -c 'import numpy'", [py, "-c", "import numpy"]),
            ("backcalc --version", [py, "-m", "backcalc.cli", "--version"]),
            ("backcalc explain (default example)", [py, "-m", "backcalc.cli", "explain"]),
            ("backcalc explain --format json", [py, "-m", "backcalc.cli", "explain", "--format", "json"]),
            ("backcalc explain softmax_batch.toml", [py, "-m", "backcalc.cli", "explain",
                                                     "worked_examples/softmax_batch.toml"]),
            ("backcalc explain 19 535-param net", [py, "-m", "backcalc.cli", "explain", str(large)]),
        ]
        print(f"whole commands, {args.repeat} runs each after a warm-up; {load()} at the start\n")
        print(f"{'command':38s} {'best s':>7s} {'median s':>9s} {'cpu s':>6s} {'peak MB':>8s} {'× baseline':>11s}")
        base = None
        for name, cmd in cases:
            r = runs(cmd, args.repeat)
            base = base or r.median
            target = f"   target < {TARGET} s: {'✓' if r.best < TARGET else '✗'} (cpu {'✓' if r.cpu_best < TARGET else '✗'})" \
                if "19 535" in name else ""
            print(f"{name:38s} {r.best:7.3f} {r.median:9.3f} {r.cpu_best:6.3f} {r.peak_mb:8.0f} "
                  f"{r.median / base:11.1f}{target}")
    from backcalc.net.derivation import explain
    from backcalc.net.spec import default_spec

    spec = default_spec()
    explain(spec)
    t = time.perf_counter()
    for _ in range(50):
        explain(spec)
    print(f"\n{'explain() in-process, default example':38s} {(time.perf_counter() - t) / 50:7.4f}")
    print(f"{load()} at the end")


if __name__ == "__main__":
    main()
