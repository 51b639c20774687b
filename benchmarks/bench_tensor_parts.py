"""Where the Tensor tape's time goes beside the hand-written numpy, on bench_tensor.py's seed-000 workload.

One process with a warm heap (``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` set for it, as in
``bench_tensor.py --tuned``) and ``--threads`` BLAS threads times, interleaved call by call so a change of
the machine's load lands on all of them alike:

* the whole forward + backward: the hand-written numpy, the tape as a user builds it, the tape without
  copies of its inputs (``copy=False``), with each sigmoid output held (``retain_data()``), and with both
  (bench_tensor.py's ``backcalc held``) — and afterwards the peak memory of one call of each;
* the parts the tape does and the hand-written numpy does not, each alone on the workload's own arrays:
  the copies of the inputs and weights (``Tensor(W)``), the nine sigmoid outputs recomputed in backward,
  the nine sigmoid factors σ(z)·σ(−z) (``rule("sigmoid").local``) and the products g·σ′ — against what the
  hand-written numpy does for the same step, out·(1 − out) and g·that.

Wall time (best and median) and CPU time of this process (median; with more than one BLAS thread the CPU
time counts every thread). The parts say what the whole-call differences are made of; they are not
subtracted from each other.

    python benchmarks/bench_tensor_parts.py               # 2 BLAS threads, 15 interleaved repeats
    python benchmarks/bench_tensor_parts.py --threads 1 --repeats 25
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tensor import TUNED_MALLOC, make_backcalc, make_backcalc_held, make_problem, numpy_hand  # noqa: E402


def make_variant(x, y, Ws, bs, copy: bool, hold: bool):
    """The tape with copies of its inputs or not (``copy=False``), each sigmoid output held or not."""
    from backcalc import Tensor, losses

    def run():
        X = Tensor(x, label="x", copy=copy)
        params = [(Tensor(W, copy=copy), Tensor(b, copy=copy)) for W, b in zip(Ws, bs)]
        a = X
        for W, b in params:
            a = (a @ W + b).sigmoid()
            if hold:
                a.retain_data()
        loss = losses.half_sse(a, y)
        loss.backward()
        return loss.item()

    return run


def parts(x, Ws, bs) -> dict:
    """Each extra step of the tape alone, on the pre-activations of the workload."""
    from backcalc.tape.rules import rule

    sigmoid = rule("sigmoid")
    zs, a = [], x
    for W, b in zip(Ws, bs):
        zs.append(a @ W + b)
        a = sigmoid.array(zs[-1])
    outs = [sigmoid.array(z) for z in zs]
    gs = [np.full(z.shape, 0.5) for z in zs]
    return {
        "copies of x, W, b (21 MB)": lambda: [np.array(v, dtype=np.float64) for v in [x, *Ws, *bs]],
        "9 sigmoid outputs recomputed": lambda: [sigmoid.array(z) for z in zs],
        "9 factors σ(z)·σ(−z)": lambda: [sigmoid.local(o, z) for o, z in zip(outs, zs)],
        "9 products g·σ′ (tape)": lambda: [np.multiply(g, o) for g, o in zip(gs, outs)],
        "hand: 9 × g·(out·(1 − out))": lambda: [g * (o * (1 - o)) for g, o in zip(gs, outs)],
    }


def child(repeats: int) -> None:
    x, y, Ws, bs = make_problem()
    runs = {"numpy (hand)": lambda: numpy_hand(x, y, Ws, bs), "backcalc": make_backcalc(x, y, Ws, bs),
            "backcalc copy=False": make_variant(x, y, Ws, bs, copy=False, hold=False),
            "backcalc retain_data()": make_variant(x, y, Ws, bs, copy=True, hold=True),
            "backcalc held (both)": make_backcalc_held(x, y, Ws, bs)}
    calls = list(runs)
    runs.update(parts(x, Ws, bs))
    for run in runs.values():
        run(), run()  # warm-up: the heap grows to its working size
    wall = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            run()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    base = min(wall["numpy (hand)"])
    base_cpu = statistics.median(cpu["numpy (hand)"])
    print(f"{'':<30} {'wall best':>9} {'median':>8} {'CPU med':>8}   (ms; ×hand's call: best wall, median CPU)")
    for name in runs:
        best, med, c = min(wall[name]), statistics.median(wall[name]), statistics.median(cpu[name])
        print(f"{name:<30} {best * 1e3:9.2f} {med * 1e3:8.2f} {c * 1e3:8.2f}   "
              f"{best / base:6.3f}×  {c / base_cpu:6.3f}×")
    hand_peak = peak(runs["numpy (hand)"])
    print(f"\npeak memory of one call (tracemalloc, after the timed calls): hand {hand_peak / 1e6:.0f} MB")
    for name in calls[1:]:
        p = peak(runs[name])
        print(f"{name:<30} {p / 1e6:6.0f} MB  {p / hand_peak:5.2f}× hand's")


def peak(run) -> int:
    gc.collect()
    tracemalloc.start()
    run()
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads (default 2)")
    ap.add_argument("--repeats", type=int, default=15, help="interleaved repeats of each (default 15)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.repeats)
        return
    env = {**os.environ, **TUNED_MALLOC}
    env.update({var: str(args.threads) for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    print(f"seed-000 workload, warm heap, {args.threads} BLAS threads, {args.repeats} interleaved repeats; "
          "load average " + " / ".join(f"{v:.1f}" for v in os.getloadavg()))
    subprocess.run([sys.executable, __file__, "--child", "--repeats", str(args.repeats)], env=env, check=True)
    print("load average after " + " / ".join(f"{v:.1f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
