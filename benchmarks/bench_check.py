"""How fast `check` grades a large answer sheet: every gradient of a 19 561-parameter net (batch 8), most wrong.

The answers are the net's own gradients, every one a tenth too large except each unit's bias (so the blame
search walks every wrong answer's whole upstream chain and finds nothing wrong before it). Times
``check_answers`` in process and the text rendering of its result, best and median of N runs, beside the
derivation alone (``explain`` of the same spec, which ``check`` needs first), so the ratio is check's own
cost over the derivation's.

    python benchmarks/bench_check.py [--repeat N] [--units N]
"""

from __future__ import annotations

import argparse
import statistics
import time

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
    print(f"{'step':<28} {'best s':>8} {'median s':>9}")
    for name, best, med in (("explain (the derivation)", d_best, d_med), ("check_answers", c_best, c_med),
                            ("render the text page", r_best, r_med)):
        print(f"{name:<28} {best:8.2f} {med:9.2f}")
    print(f"check + render over the derivation alone: {(c_best + r_best) / d_best:.1f}× (best), "
          f"{(c_med + r_med) / d_med:.1f}× (median); target (issue 19): check of this net < 2 s")


if __name__ == "__main__":
    main()
