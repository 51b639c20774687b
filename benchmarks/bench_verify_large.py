"""How fast `backcalc verify` checks the large nets of issue 19: the whole command, as a user runs it.

The issue's three sigmoid nets with one sample, and a fourth just inside verify's limit (10 000 parameters,
check/verify.MAX_VERIFY_PARAMETERS), which shows what the limit allows:

  20 → 60 → 60 → 1   4 981 parameters (a deep net: every weight's chain runs through two hidden layers)
  600 → 8 → 1        4 817 parameters (a wide input: 4 800 weights in one layer)
  2490 → 2 → 1       4 985 parameters (a very wide input and a narrow layer)
  20 → 97 → 80 → 1   9 958 parameters (the deep net at the limit; the target is the issue's, for the three above)

Each is written to a spec file and checked by ``python -m backcalc.cli verify FILE`` in a fresh process,
--repeat times, taking turns with the floor every Python tool that uses sympy pays in the same run
(``python -c "import numpy, sympy"``), so a change in the machine's load hits both. Printed: best and median
wall time of the whole command (start-up, tape, sympy's derivatives, central differences, the text page),
the process's own CPU time (user + system: it barely moves with the machine's load, the wall time does),
its ratio to the floor, the peak resident memory of the command's process, and the target (< 2 s). Commands
run as a user runs them: bytecode cached, one warm-up run.
``--stages`` adds, in process, the time of each stage of one run (the tape, sympy, central differences,
the page). ``--naive`` adds the peer: differentiating the whole loss per parameter with sympy (the way
the issue measured 98 s and > 400 s; minutes per net).

    python benchmarks/bench_verify_large.py [--repeat N] [--stages] [--naive]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from wholecommand import once  # noqa: E402
TARGET = 2.0  # seconds, the whole command (issue 19)
NETS = {"20-60-60-1": (20, 60, 60, 1), "600-8-1": (600, 8, 1), "2490-2-1": (2490, 2, 1)}
AT_LIMIT = {"20-97-80-1": (20, 97, 80, 1)}  # timed beside them, no target of its own


def spec_of(sizes) -> dict:
    rng = random.Random(1)
    return {"format": 1, "title": " → ".join(map(str, sizes)) + " sigmoid", "seed": 0,
            "data": {"x": [[round(rng.uniform(-1, 1), 3) for _ in range(sizes[0])]], "y": [[1.0]]},
            "layers": [{"activation": "sigmoid", "units": u, "init": "xavier_normal"} for u in sizes[1:]]}


def timed(cmd: list[str]) -> tuple[float, float, str, float]:
    """Wall seconds, peak resident MB, stdout and CPU seconds of one run (benchmarks/wholecommand.py)."""
    wall, cpu, peak, out = once(cmd)
    return wall, peak, out, cpu


def stages(path: Path) -> str:
    """Seconds of each stage of one in-process run (sympy already imported)."""
    code = f"""
import time
t0 = time.perf_counter()
from backcalc.check.sympy_tools import load_sympy
sp = load_sympy()
from backcalc.net.spec import load_spec
from backcalc.net.network import Network
from backcalc.check.replay import regularised_symbolic
from backcalc.check.numeric import numeric_gradients
from backcalc.check.verify import verify
from backcalc.render.verify import text
t1 = time.perf_counter()
spec = load_spec({str(path)!r})
Network(spec).gradients()
t2 = time.perf_counter()
regularised_symbolic(spec, sp)
t3 = time.perf_counter()
numeric_gradients(spec)
t4 = time.perf_counter()
result = verify(spec)
t5 = time.perf_counter()
text(result)
t6 = time.perf_counter()
print(f"imports {{t1 - t0:.2f}}, tape {{t2 - t1:.2f}}, sympy {{t3 - t2:.2f}}, central differences {{t4 - t3:.2f}}, "
      f"verify() in all {{t5 - t4:.2f}}, text page {{t6 - t5:.2f}}")
"""
    return timed([sys.executable, "-c", code])[2].strip()


def naive(path: Path) -> float:
    """Seconds of the naive way (bench_verify.py's): the whole loss, one sympy.diff per parameter."""
    code = f"""
import sys, time
sys.path.insert(0, {str(ROOT / 'benchmarks')!r})
from bench_verify import naive_gradients
from backcalc.net.spec import load_spec
spec = load_spec({str(path)!r})
t = time.perf_counter()
naive_gradients(spec)
print(time.perf_counter() - t)
"""
    return float(timed([sys.executable, "-c", code])[2].strip())  # seconds as the child measured them


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stages", action="store_true", help="time each stage of one run, in process")
    parser.add_argument("--naive", action="store_true", help="also time the whole-loss sympy.diff way (minutes)")
    args = parser.parse_args()
    py = sys.executable
    floor_cmd = [py, "-c", "import numpy, sympy"]
    print(f"`backcalc verify FILE`, whole command, fresh process; {args.repeat} runs each, taking turns with the "
          f"floor `python -c 'import numpy, sympy'`; load average {os.getloadavg()[0]:.1f} at the start\n")
    print(f"{'net':<12} {'params':>7} {'best s':>7} {'median s':>9} {'cpu s':>6} {'floor s':>8} {'× floor':>8} "
          f"{'peak MB':>8} {'target':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, sizes in {**NETS, **AT_LIMIT}.items():
            path = Path(tmp) / f"{name}.json"
            doc = spec_of(sizes)
            path.write_text(json.dumps(doc), encoding="utf-8")
            cmd = [py, "-m", "backcalc.cli", "verify", str(path)]
            ours, cpus, floor, peak, verdict = [], [], [], 0.0, ""
            timed(cmd)  # a warm-up run: the bytecode cache written, as on a user's machine
            for _ in range(args.repeat):
                seconds, mb, out, cpu = timed(cmd)
                ours.append(seconds)
                cpus.append(cpu)
                peak = max(peak, mb)
                verdict = out.strip().splitlines()[-1]
                floor.append(timed(floor_cmd)[0])
            params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
            best, med, fl = min(ours), statistics.median(ours), statistics.median(floor)
            mark = ("✓" if best < TARGET else "✗") + (" cpu ✓" if min(cpus) < TARGET else " cpu ✗")
            target = "(at the limit)" if name in AT_LIMIT else f"  < 2 s {mark}"
            print(f"{name:<12} {params:>7,} {best:7.2f} {med:9.2f} {min(cpus):6.2f} {fl:8.2f} {med / fl:8.1f} "
                  f"{peak:8.0f} {target}")
            if not verdict.startswith("✓"):
                print(f"  verify did not agree: {verdict}")
            if args.stages:
                print(f"  stages: {stages(path)}")
            if args.naive:
                seconds = naive(path)
                print(f"  naive whole-loss sympy.diff: {seconds:.1f} s = {seconds / best:.0f}× the whole command")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end; × floor is median over median")


if __name__ == "__main__":
    main()
