"""How fast `check` grades a large answer sheet: every gradient of a 19 535-parameter net (batch 8), most wrong.

The answers are the net's own gradients, every one a tenth too large except each unit's bias (so the blame
search walks every wrong answer's whole upstream chain and finds nothing wrong before it, and every mistake
of the catalogue is tried on each). Times the whole command ``backcalc check SPEC ANSWERS`` as a user runs
it (best and median wall time, the process's CPU time, peak memory) beside ``backcalc explain SPEC`` — the
derivation check needs first — in the same run, and, in process, ``check_answers`` and the text page apart.
Target (issue 19): the check of this net < 2 s.

    python benchmarks/bench_check.py [--repeat N] [--units N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SPEC = {"format": 1, "title": "60 → 250 → 17 → 1 sigmoid", "seed": 0,
        "data": {"x": np.random.default_rng(0).uniform(-1, 1, (8, 60)).round(3).tolist(), "y": [[1.0]] * 8},
        "layers": [{"activation": "sigmoid", "units": 250, "init": "xavier_normal"},
                   {"activation": "sigmoid", "units": 17, "init": "xavier_normal"},
                   {"activation": "sigmoid", "units": 1, "init": "xavier_normal"}]}


def answers(spec) -> dict:
    from backcalc.net.network import Network

    grads = Network(spec).gradients()
    return {"format": 1, "gradients": {name: grads[key] * (1.0 if key.startswith("b") else 1.1)
                                       for name, key in spec.param_names()}}


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), out


def main() -> None:
    from backcalc.grading.grade import check_answers
    from backcalc.net.derivation import explain
    from backcalc.net.spec import load_spec
    from backcalc.render.check import text

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--units", type=int, default=250, help="units of the first hidden layer (250: 19 535 parameters)")
    args = ap.parse_args()
    SPEC["layers"][0]["units"] = args.units
    SPEC["title"] = f"60 → {args.units} → 17 → 1 sigmoid"
    spec = load_spec(SPEC)
    doc = answers(spec)
    d_best, d_med, d = timed(lambda: explain(spec), args.repeat)
    c_best, c_med, result = timed(lambda: check_answers(spec, doc, derivation=d), args.repeat)
    r_best, r_med, page = timed(lambda: text(result), args.repeat)
    wrong = sum(1 for r in result.rows if r.ok is False)
    print(f"{SPEC['title']}: {spec.n_parameters:,} parameters, {spec.samples} samples; {len(result.rows):,} "
          f"answers, {wrong:,} wrong; text page {len(page.splitlines()):,} lines")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from wholecommand import load, runs

    with tempfile.TemporaryDirectory() as tmp:
        spec_file, answers_file = Path(tmp) / "net.json", Path(tmp) / "answers.json"
        spec_file.write_text(json.dumps(SPEC), encoding="utf-8")
        answers_file.write_text(json.dumps({k: {n: v.tolist() if hasattr(v, "tolist") else v for n, v in t.items()}
                                            if isinstance(t, dict) else t for k, t in doc.items()}), encoding="utf-8")
        py = sys.executable
        print(f"\nwhole commands, {args.repeat} runs each after a warm-up; {load()} at the start")
        print(f"{'command':30s} {'best s':>7s} {'median s':>9s} {'cpu s':>6s} {'peak MB':>8s}")
        figures = {}
        for name, cmd in (("backcalc explain SPEC", [py, "-m", "backcalc.cli", "explain", str(spec_file)]),
                          ("backcalc check SPEC ANSWERS", [py, "-m", "backcalc.cli", "check", str(spec_file),
                                                           str(answers_file)])):
            r = figures[name] = runs(cmd, args.repeat)
            print(f"{name:30s} {r.best:7.2f} {r.median:9.2f} {r.cpu_best:6.2f} {r.peak_mb:8.0f}")
        c, e = figures["backcalc check SPEC ANSWERS"], figures["backcalc explain SPEC"]
        print(f"check over explain: {c.median / e.median:.1f}× (median wall), {c.cpu_best / e.cpu_best:.1f}× (cpu); "
              f"target (issue 19): check of this net < 2 s — wall {'✓' if c.best < 2 else '✗'}, "
              f"cpu {'✓' if c.cpu_best < 2 else '✗'}")
    print(f"\nin process, {args.repeat} runs:")
    print(f"{'step':<28} {'best s':>8} {'median s':>9}")
    for name, best, med in (("explain (the derivation)", d_best, d_med), ("check_answers", c_best, c_med),
                            ("render the text page", r_best, r_med)):
        print(f"{name:<28} {best:8.2f} {med:9.2f}")
    print(f"{load()} at the end")

if __name__ == "__main__":
    main()
