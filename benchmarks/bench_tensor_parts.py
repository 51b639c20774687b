"""Where the Tensor tape's time goes beside the hand-written numpy, on bench_tensor.py's seed-000 workload.

One process with a warm heap (``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` set for it, as in
``bench_tensor.py --tuned``) and ``--threads`` BLAS threads times, interleaved call by call so a change of
the machine's load lands on all of them alike:

* the whole forward + backward: the hand-written numpy, the tape as a user builds it, the tape without
  copies of its inputs (``copy=False``), with each sigmoid output held (``retain_data()``), and with both
  (bench_tensor.py's ``backcalc held``) — and afterwards the peak memory of one call of each;
* the parts the tape does and the hand-written numpy does not, each alone on the workload's own arrays:
  the copies of the inputs and weights (``Tensor(W)``), nine exps alone (the tape makes three a layer, the
  hand-written numpy one), the nine sigmoid outputs recomputed in backward,
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


def zs_of(x, Ws, bs):
    """The workload's pre-activations, layer by layer."""
    from backcalc.tape.rules import rule

    a = x
    for W, b in zip(Ws, bs):
        z = a @ W + b
        yield z
        a = rule("sigmoid").array(z)


def parts(x, Ws, bs) -> dict:
    """Each extra step of the tape alone, on the pre-activations of the workload; and two alternatives."""
    from backcalc.tape.rules import rule

    sigmoid = rule("sigmoid")
    zs = list(zs_of(x, Ws, bs))
    outs = [sigmoid.array(z) for z in zs]
    gs = [np.full(z.shape, 0.5) for z in zs]
    return {
        "copies of x, W, b (21 MB)": lambda: [np.array(v, dtype=np.float64) for v in [x, *Ws, *bs]],
        "9 np.exp alone": lambda: [np.exp(z) for z in zs],
        "9 sigmoid outputs recomputed": lambda: [sigmoid.array(z) for z in zs],
        "9 factors σ(z)·σ(−z)": lambda: [sigmoid.local(o, z) for o, z in zip(outs, zs)],
        "9 products g·σ′ (tape)": lambda: [np.multiply(g, o) for g, o in zip(gs, outs)],
        "hand: 9 × g·(out·(1 − out))": lambda: [g * (o * (1 - o)) for g, o in zip(gs, outs)],
        "alt: 9 factors, one exp": lambda: [one_exp_factor(z) for z in zs],
        "9 sigmoid steps, as the sweep": lambda: [sweep_step(sigmoid, z, g) for z, g in zip(zs, gs)],
        "alt: 9 steps fused, one scratch": lambda: fused_steps(zs, gs),
    }


def one_exp_factor(z):
    """σ′(z) with one exp per element: t = e^(−|z|), σ′ = t/(1 + t)² (not the tape's formula: other bits)."""
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    u = np.add(1.0, t)
    np.multiply(u, u, out=u)
    return np.divide(t, u, out=t)


def sweep_step(sigmoid, z, g):
    """A sigmoid node's backward as the sweep does it: the output recomputed, the factor, g·factor."""
    out = sigmoid.array(z)
    factor = sigmoid.local(out, z)[0]
    return np.multiply(g, factor, out=factor)


def fused_steps(zs, gs):
    """The same numbers bit for bit, every layer's passes in two scratch buffers reused layer after layer
    (the products in a list of views, so a check can compare them; a sweep would hand each on at once)."""
    scratch, done = {}, []
    with np.errstate(over="ignore"):
        for z, g in zip(zs, gs):
            if z.shape not in scratch:
                scratch[z.shape] = np.empty(z.shape), np.empty(z.shape)
            s1, s2 = scratch[z.shape]
            np.negative(z, out=s1), np.exp(s1, out=s1), np.add(1.0, s1, out=s1), np.divide(1.0, s1, out=s1)
            np.exp(z, out=s2), np.add(1.0, s2, out=s2), np.divide(1.0, s2, out=s2), np.multiply(s1, s2, out=s1)
            done.append(np.multiply(g, s1, out=s1))
    return done


def same_bits(zs) -> bool:
    from backcalc.tape.rules import rule

    gs = [np.random.default_rng(1).standard_normal(z.shape) for z in zs]
    return all(np.array_equal(sweep_step(rule("sigmoid"), z, g).view(np.int64), fused_steps([z], [g])[0].view(np.int64))
               for z, g in zip(zs, gs))


def bits(zs) -> str:
    """How often the one-exp factor differs from the tape's σ(z)·σ(−z), and by how many units in the last place."""
    from backcalc.tape.rules import rule

    sigmoid, rng = rule("sigmoid"), np.random.default_rng(0)
    cases = [("the workload's z", np.concatenate([z.ravel() for z in zs]))]
    cases += [(f"10⁶ z ~ N(0, {s}²)", rng.standard_normal(10**6) * s) for s in (0.05, 1.0, 5.0, 40.0)]
    lines = []
    for what, z in cases:
        ulps = np.abs(sigmoid.local(sigmoid.array(z), z)[0].view(np.int64) - one_exp_factor(z).view(np.int64))
        lines.append(f"  {what}: other bits in {np.mean(ulps != 0):.1%} of elements, at most {ulps.max()} ulp")
    return "\n".join(lines)


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
    zs = list(zs_of(x, Ws, bs))
    print("\nthe one-exp factor t/(1 + t)² against the tape's σ(z)·σ(−z):\n" + bits(zs))
    print(f"the fused steps give the sweep's bits: {same_bits(zs)}")
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
