"""Tensor tape: backcalc ``Tensor`` against the same net written by hand in numpy, PyTorch and HIPS autograd.

Workload (issue 2, seed 000): input 1000×500 uniform in [−1, 1], binary targets (1000×1), 9 dense
sigmoid layers 500 → 512×8 → 1 with weights N(0, 0.01²) and zero biases, loss half_sse
½·Σ(pred − y)²; one forward + backward giving the gradient of every weight and bias and of the input
(seed 000 computes ``dx`` of the first layer too, so every implementation here does).

* numpy (hand) — ``affine_forward``/``affine_backward``/``sigmoid_forward``/``sigmoid_backward`` as in
  seed 000, the baseline every ratio is taken against;
* backcalc — ``Tensor`` and ``backcalc.tape.losses.half_sse``, every factor recorded on the tape;
* backcalc held — the same tape with a user's two opt-outs of its memory savings: ``Tensor(W, copy=False)`` (no
  copies) and ``retain_data()`` on each sigmoid output (held instead of recomputed in backward); not the default,
  printed to show what the savings cost in time;
* torch — PyTorch on the CPU in float64; autograd — HIPS autograd over ``autograd.numpy``.

As a user runs it: each call builds its tensors from the numpy arrays (``Tensor(W)``, ``torch.tensor(W)``)
— the hand-written numpy and autograd take the arrays as they are — with 2 BLAS threads and glibc's
default malloc (the headline). glibc hands freed memory back to the system and the next call faults it in
again, page by page, so an engine that keeps more arrays alive pays for them twice; ``--tuned`` adds a
second table with ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` set for every engine (a warm
heap), labelled as such.

All get the same data and weights; each engine's gradients are checked against the hand-written
ones (``np.allclose``) before it is timed. Each engine runs in a fresh process of its own, one turn
per round with the engines taking turns, so neither a change in the machine's load nor one library's
use of the allocator lands on another. Each repeat times one forward + backward; the figures are the
best and the median over all turns. Peers that are not installed are skipped. Peak memory is measured in
an untimed call after the timed ones: the most bytes allocated at once, by ``tracemalloc`` for the numpy
engines (numpy reports its arrays to it) and by the profiler's allocation events for torch (its allocator is
not traced). After, not before: tracing allocates on the heap and leaves it shaped differently for whatever
runs next — measured first, it cut the hand-written numpy's page faults from 16 500 to 3 800 per call and
autograd's from 63 500 to 25 500, a heap no user's process has.

    python benchmarks/bench_tensor.py                 # 3 rounds × 5 repeats, default malloc, 2 threads
    python benchmarks/bench_tensor.py --tuned         # and the warm-heap table beside it
    python benchmarks/bench_tensor.py --quick --threads 1
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy as np

N, FEATURES, HIDDEN, DEPTH = 1000, 500, 512, 9
SEED = 0
SKIPPED = "skipped (pip install -r benchmarks/requirements.txt)"


def make_problem():
    rng = np.random.default_rng(SEED)
    x = rng.uniform(-1.0, 1.0, size=(N, FEATURES))
    y = rng.integers(0, 2, size=(N, 1)).astype(np.float64)
    sizes = [FEATURES] + [HIDDEN] * (DEPTH - 1) + [1]
    Ws = [rng.standard_normal((m, n)) * 0.01 for m, n in zip(sizes, sizes[1:])]
    bs = [np.zeros((1, n)) for n in sizes[1:]]
    return x, y, Ws, bs


# ───────────────────────────── hand-written numpy, as in seed 000 ─────────────────────────────

def affine_forward(x, W, b):
    v = np.dot(x, W) + b
    cache = (x, W, b)
    return v, cache


def affine_backward(dout, cache):
    x, W, b = cache
    dW = np.dot(x.T, dout)
    db = np.sum(dout, axis=0, keepdims=True)
    dx = np.dot(dout, W.T)
    return dW, db, dx


def sigmoid_forward(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_backward(dout, ds):
    ds_ = ds * (1 - ds)
    return dout * ds_


def numpy_hand(x, y, Ws, bs):
    """Loss and gradients ``(dWs, dbs, dx)`` of the net, forward and backward by hand."""
    caches, acts = [], []
    a = x
    for W, b in zip(Ws, bs):
        z, cache = affine_forward(a, W, b)
        a = sigmoid_forward(z)
        caches.append(cache)
        acts.append(a)
    error = a - y  # ∂(½Σ(pred − y)²)/∂pred
    loss = 0.5 * np.sum(error ** 2)
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    g = error
    for i in reversed(range(len(Ws))):
        g = sigmoid_backward(g, acts[i])
        dWs[i], dbs[i], g = affine_backward(g, caches[i])
    return loss, dWs, dbs, g


# ───────────────────────────── the tape and the peers ─────────────────────────────

def make_backcalc(x, y, Ws, bs):
    from backcalc import Tensor, losses

    def run():
        X = Tensor(x, label="x")
        params = [(Tensor(W, label=f"W{i}"), Tensor(b, label=f"b{i}")) for i, (W, b) in enumerate(zip(Ws, bs))]
        a = X
        for W, b in params:
            a = (a @ W + b).sigmoid()
        loss = losses.half_sse(a, y)
        loss.backward()
        return loss.item(), [W.grad for W, _ in params], [b.grad for _, b in params], X.grad

    return run


def make_backcalc_held(x, y, Ws, bs):
    """The same tape with a user's two opt-outs of its memory savings: no copies of the arrays
    (``copy=False``) and every sigmoid output held (``retain_data()``) instead of recomputed in backward."""
    from backcalc import Tensor, losses

    def run():
        X = Tensor(x, label="x", copy=False)
        params = [(Tensor(W, label=f"W{i}", copy=False), Tensor(b, label=f"b{i}", copy=False))
                  for i, (W, b) in enumerate(zip(Ws, bs))]
        a = X
        for W, b in params:
            a = (a @ W + b).sigmoid()
            a.retain_data()
        loss = losses.half_sse(a, y)
        loss.backward()
        return loss.item(), [W.grad for W, _ in params], [b.grad for _, b in params], X.grad

    return run


def make_torch(x, y, Ws, bs):
    import torch

    def run():
        X = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        Y = torch.tensor(y, dtype=torch.float64)
        params = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in zip(Ws, bs)]
        a = X
        for W, b in params:
            a = torch.sigmoid(a @ W + b)
        loss = 0.5 * ((a - Y) ** 2).sum()
        loss.backward()
        return (loss.item(), [W.grad.numpy() for W, _ in params], [b.grad.numpy() for _, b in params],
                X.grad.numpy())

    return run


def make_autograd(x, y, Ws, bs):
    import autograd
    import autograd.numpy as anp

    def loss_fn(Ws, bs, x):
        a = x
        for W, b in zip(Ws, bs):
            a = 1 / (1 + anp.exp(-(anp.dot(a, W) + b)))
        return 0.5 * anp.sum((a - y) ** 2)

    value_and_grad = autograd.value_and_grad(loss_fn, argnum=[0, 1, 2])

    def run():
        loss, (dWs, dbs, dx) = value_and_grad(list(Ws), list(bs), x)
        return loss, list(dWs), list(dbs), dx

    return run


ENGINES = {"numpy (hand)": None, "backcalc": make_backcalc, "backcalc held": make_backcalc_held, "torch": make_torch,
           "autograd": make_autograd}


def check(name, got, want) -> None:
    loss, dWs, dbs, dx = got
    wl, wdWs, wdbs, wdx = want
    pairs = [("loss", loss, wl), ("dx", dx, wdx)]
    pairs += [(f"dW{i}", g, w) for i, (g, w) in enumerate(zip(dWs, wdWs))]
    pairs += [(f"db{i}", g, w) for i, (g, w) in enumerate(zip(dbs, wdbs))]
    for what, g, w in pairs:
        g, w = np.asarray(g), np.asarray(w)
        if g.shape != w.shape or not np.allclose(g, w, rtol=1e-7, atol=1e-12 * max(1.0, np.abs(w).max())):
            raise SystemExit(f"{name}: {what} differs from the hand-written numpy "
                             f"(max |Δ| = {np.abs(g - w).max() if g.shape == w.shape else g.shape})")


# ───────────────────────────── one engine, in its own process ─────────────────────────────

def child(name: str, repeats: int) -> dict:
    """Check the engine's gradients against the hand-written numpy, then time it alone."""
    x, y, Ws, bs = make_problem()
    hand = lambda: numpy_hand(x, y, Ws, bs)  # noqa: E731
    if name == "numpy (hand)":
        run = hand
    else:
        try:
            run = ENGINES[name](x, y, Ws, bs)
        except ImportError:
            return {"engine": name, "skipped": True}
        check(name, run(), hand())
    run()  # warm-up: first-call costs (imports, allocator growth) are not the workload
    times, faults = [], []
    for _ in range(repeats):
        gc.collect()
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
    # after the timed calls: tracing allocates on the heap and leaves it shaped differently for what follows
    memory = peak_memory(name, run)
    return {"engine": name, "times": times, "faults": faults, **memory}


def peak_memory(name: str, run) -> dict:
    """Peak bytes allocated during one call: tracemalloc for the numpy engines (numpy reports its arrays
    to it), the profiler's allocation events for torch (whose allocator tracemalloc does not see)."""
    gc.collect()
    if name == "torch":
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            run()
        live = peak = 0
        for _, size in sorted((e.time_range.start, e.self_cpu_memory_usage) for e in prof.events()):
            live += size
            peak = max(peak, live)
        return {"peak": peak, "peak_by": "torch profiler"}
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"peak": peak, "peak_by": "tracemalloc"}


# ───────────────────────────── the parent: run, print ─────────────────────────────

# a warm heap: freed memory stays in the process for every engine alike (the --tuned table only)
TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**40)}


def run_engine(name: str, repeats: int, tuned: bool, threads: int | None) -> dict:
    env = {**os.environ, **TUNED_MALLOC} if tuned else {k: v for k, v in os.environ.items()
                                                       if not k.startswith("MALLOC_")}
    if threads:
        env.update({var: str(threads) for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    proc = subprocess.run([sys.executable, __file__, "--engine", name, "--repeats", str(repeats)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{name} run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load() -> str:
    return "load average " + " / ".join(f"{v:.1f}" for v in os.getloadavg())


def measure(names: list, rounds: int, repeats: int, tuned: bool, threads) -> dict:
    """Each engine once per round in a fresh process, alternating the order; timings pooled."""
    results = {"load": load()}
    for r in range(rounds):
        for name in (names[:] if r % 2 == 0 else names[::-1]):
            res = run_engine(name, repeats, tuned, threads)
            if res.get("skipped"):
                print(f"{name}: {SKIPPED}")
                names.remove(name)
                continue
            if name in results:
                for key in ("times", "faults"):
                    results[name][key] += res[key]
                results[name]["peak"] = min(results[name]["peak"], res["peak"])
            else:
                results[name] = res
    results["load"] += f" before, {load()} after"
    return results


def table(results: dict, title: str) -> None:
    results = dict(results)
    measured = results.pop("load")
    base = results["numpy (hand)"]
    base_best, base_med = min(base["times"]), statistics.median(base["times"])
    print(f"\n{title}\n({measured})")
    print(f"{'engine':<14} {'best':>8} {'median':>8} {'ratio best':>11} {'ratio median':>13} {'faults':>8} "
          f"{'peak MB':>8} {'×hand':>6}  measured by")
    for name, res in results.items():
        ts = res["times"]
        best, med = min(ts), statistics.median(ts)
        print(f"{name:<14} {best * 1e3:8.1f} {med * 1e3:8.1f} {best / base_best:10.3f}× {med / base_med:12.3f}× "
              f"{statistics.median(res['faults']):8.0f} {res['peak'] / 1e6:8.0f} {res['peak'] / base['peak']:5.2f}×  "
              f"{res['peak_by']}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 rounds × 2 repeats instead of 3 × 5")
    ap.add_argument("--rounds", type=int, default=None, help="turns per engine, each in a fresh process")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs in each turn")
    ap.add_argument("--tuned", action="store_true",
                    help="also measure with fixed malloc thresholds (a warm heap), in a second labelled table")
    ap.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads for every engine (default 2)")
    ap.add_argument("--engine", choices=list(ENGINES), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    rounds = args.rounds or (2 if args.quick else 3)
    if args.engine:
        print(json.dumps(child(args.engine, repeats)))
        return

    print(f"seed-000 net: {N}×{FEATURES} input, {DEPTH} sigmoid layers {FEATURES} → {HIDDEN}×{DEPTH - 1} → 1, "
          "half_sse; forward + backward (all dW, db and dx), float64; tensors built in each call")
    names = list(ENGINES)
    results = measure(names, rounds, repeats, False, args.threads)
    print(f"check: every gradient of {', '.join(n for n in results if n not in ('numpy (hand)', 'load'))} agrees with the "
          "hand-written numpy (np.allclose)")
    head = (f"{rounds} rounds × {repeats} repeats, each engine in a fresh process per round; {args.threads} BLAS "
            "threads; times in ms; ratio = time / hand-written numpy's; page faults per call (median); peak "
            "memory of one untimed call")
    table(results, f"HEADLINE — glibc's default malloc. {head}")
    if args.tuned:
        tuned = measure([n for n in results if n != "load"], rounds, repeats, True, args.threads)
        table(tuned, "TUNED — warm heap (MALLOC_MMAP_THRESHOLD_=32 MiB, MALLOC_TRIM_THRESHOLD_=1 TiB for every "
                     "engine; not what a user gets by default)")
    print("\ntargets (issue 19): backcalc ≤ 1.10× (default malloc), ≤ 1.01× (warm heap), peak memory ≤ 1.6× hand's "
          "(the 'backcalc' row: tensors built as a user builds them; 'backcalc held' is copy=False + retain_data()); "
          "where the warm-heap time goes: benchmarks/bench_tensor_parts.py")


if __name__ == "__main__":
    main()
