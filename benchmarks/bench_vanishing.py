"""`vanishing()` at its default size against hand-written numpy doing the same forward + backward.

Workload (issue 6): seed 000's net — 1000 × 500 inputs, 9 weight layers 500 → 512×8 → 1, sigmoid
everywhere, init normal:0.01, ½·SSE — one forward and one backward pass.

* backcalc: ``vanishing()`` end to end — data, weights, the pass on the Tensor tape, every per-layer
  statistic and the verdict.
* numpy, pass only: seed 000's affine/sigmoid forward and backward (dW, db, dx) on the same arrays.
* numpy, end to end: the same plus drawing the data and the weights, as ``vanishing()`` does.
* the same without dx of the first layer: seed 000's affine_backward computes it, the study (whose input
  is a constant) does not, so this is the peer that does exactly the study's arithmetic.

The three are interleaved, repeat after repeat, so a busy machine slows them alike; best and median
are printed, and the ratios of both, with the load average. The headline runs with glibc's default malloc,
as a user's process does: memory handed back to the system is faulted in again on every call, so a pass that
keeps more arrays alive pays for them twice (the page faults per call are printed). Then, labelled, the same
comparison in a fresh interpreter with the tuned thresholds bench_tensor.py's ``--tuned`` uses
(``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` for both sides: a warm heap, not what a user gets).
Then ``--compare`` of k = 2, 3 and 6 configurations of the same net against k × one run (target ≈ k), and
each preset as the whole command a user runs (``backcalc vanishing --preset NAME``, a fresh interpreter each
time; target < 15 s; seed001 only when scikit-learn is installed).
BLAS runs on ``--threads`` threads (1 by default, set before numpy loads): on a shared machine a
multi-threaded BLAS whose threads wait for busy cores makes every timing noise; both sides use the same.

    python benchmarks/bench_vanishing.py [--repeat N] [--threads N|all] [--system-malloc] [--no-presets]

``--system-malloc`` prints the headline (default malloc) only, without the tuned table.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**40)}

if __name__ == "__main__":  # the thread count (and the tuned table's malloc) must be set before numpy loads
    _args = argparse.ArgumentParser(add_help=False)
    _args.add_argument("--threads", default="1")
    _args.add_argument("--tuned-child", action="store_true")
    _known = _args.parse_known_args()[0]
    _want = {**os.environ, **TUNED_MALLOC} if _known.tuned_child else \
        {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    if _want != dict(os.environ):  # the headline is glibc's defaults: no inherited malloc setting
        os.execve(sys.executable, [sys.executable, *sys.argv], _want)
    _threads = _known.threads
    if _threads != "all":
        for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[_var] = _threads

import numpy as np  # noqa: E402

from backcalc.study.vanishing import make_problem, vanishing  # noqa: E402

COMPARE = "sigmoid:normal:0.01,relu:he_normal,tanh:xavier_normal"


def numpy_pass(x, y, weights, biases, dx=True):
    """Seed 000, written out: affine_forward → sigmoid, then sigmoid_backward → affine_backward (which
    computes dx of the first layer too, as seed 000 does; ``dx=False`` skips that product, which the study,
    whose input is a constant, never makes)."""
    acts = [x]
    for W, b in zip(weights, biases):
        acts.append(1 / (1 + np.exp(-(acts[-1] @ W + b))))
    loss = 0.5 * np.sum((acts[-1] - y) ** 2)
    g = acts[-1] - y
    grads = []
    for n in range(len(weights) - 1, -1, -1):
        a = acts[n + 1]
        gz = g * a * (1 - a)
        grads.append((acts[n].T @ gz, gz.sum(axis=0, keepdims=True)))
        if n or dx:
            g = gz @ weights[n].T
    return loss, grads[::-1]


def numpy_end_to_end(dx=True):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1000, 500))
    y = (x @ rng.standard_normal(500) > 0).astype(float).reshape(-1, 1)
    sizes = [500] + [512] * 8 + [1]
    weights = [rng.standard_normal((sizes[n], sizes[n + 1])) * 0.01 for n in range(9)]
    biases = [np.zeros((1, s)) for s in sizes[1:]]
    return numpy_pass(x, y, weights, biases, dx)


def compare_scaling(repeat: int) -> None:
    """--compare of k configurations against k × one run of the same net (interleaved, median of `repeat`)."""
    net = dict(depth=9, width=256, samples=500, features=100)
    items = COMPARE.split(",") + ["elu:he_normal", "selu:lecun_normal", "leaky_relu(0.2):he_normal"]
    one = []
    ks = (2, 3, 6)
    runs = {k: [] for k in ks}
    for _ in range(repeat):
        one.append(timed(lambda: vanishing(**net)))
        for k in ks:
            runs[k].append(timed(lambda: vanishing(compare=",".join(items[:k]), **net)))
    base = statistics.median(one)
    print(f"--compare of k configurations, {net}: one run median {base * 1e3:.0f} ms ({load()})")
    for k in ks:
        median = statistics.median(runs[k])
        print(f"  k = {k}: median {median * 1e3:6.0f} ms = {median / base:4.2f} × one run (target ≈ {k})")


def presets(repeat: int) -> None:
    """Each preset as the whole command, in a fresh interpreter (best and median of `repeat`)."""
    import importlib.util
    import subprocess

    print(f"presets as whole commands (backcalc vanishing --preset NAME > /dev/null), {repeat} repeats:")
    for name in ("seed000", "seed001", "seed002", "seed003"):
        if name == "seed001" and importlib.util.find_spec("sklearn") is None:
            print(f"  {name}: skipped (scikit-learn is not installed)")
            continue
        times = [timed(lambda: subprocess.run([sys.executable, "-m", "backcalc.cli", "vanishing", "--preset", name],
                                              stdout=subprocess.DEVNULL, check=True)) for _ in range(repeat)]
        print(f"  {name}: best {min(times):5.2f} s, median {statistics.median(times):5.2f} s (target < 15 s)")


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def load() -> str:
    return "load average " + " / ".join(f"{v:.1f}" for v in os.getloadavg())


def default_run(repeat: int, title: str) -> None:
    """vanishing() at its default size against numpy doing the same, interleaved; best, median, ratios."""
    p = make_problem()
    loss, grads = numpy_pass(*p)
    run = vanishing().runs[0]  # also the warm-up
    assert abs(run.loss - loss) <= 1e-10 * loss, "backcalc and numpy disagree on the loss"
    assert abs(run.layers[0].grad_norm_W - np.linalg.norm(grads[0][0])) <= 1e-8 * run.layers[0].grad_norm_W
    numpy_end_to_end()

    cases = {"backcalc vanishing()": vanishing, "numpy forward + backward": lambda: numpy_pass(*p),
             "numpy data + weights + forward + backward": numpy_end_to_end,
             "the same without dx of the input": lambda: numpy_end_to_end(dx=False)}
    times = {name: [] for name in cases}
    cpu = {name: [] for name in cases}
    faults = {name: [] for name in cases}
    before = load()
    for _ in range(repeat):
        for name, fn in cases.items():
            f0, c0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.process_time()
            times[name].append(timed(fn))
            cpu[name].append(time.process_time() - c0)
            faults[name].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)

    after = load()
    peaks = {name: peak_memory(fn) for name, fn in cases.items()}  # after the timed calls, as bench_tensor.py

    print(f"{title}\n  seed 000's net, {repeat} repeats, interleaved; BLAS threads: {THREADS}; "
          f"Python {sys.version.split()[0]}, numpy {np.__version__}; {before} before, {after} after")
    print(f"  {'':<42} {'wall best':>10} {'median':>8} {'CPU best':>9} {'median':>8} {'faults':>7} {'peak MB':>8}  "
          "(ms; page faults per call; peak of one untimed call by tracemalloc)")
    for name in cases:
        print(f"  {name:<42} {min(times[name]) * 1e3:10.1f} {statistics.median(times[name]) * 1e3:8.1f} "
              f"{min(cpu[name]) * 1e3:9.1f} {statistics.median(cpu[name]) * 1e3:8.1f} "
              f"{statistics.median(faults[name]):7.0f} {peaks[name] / 1e6:8.1f}")
    for name in list(cases)[1:]:
        print(f"  ratio vanishing() / {name:<41} wall {_ratios(times, name)}   CPU {_ratios(cpu, name)}")


def peak_memory(fn) -> int:
    """The most bytes allocated at once during one call (numpy reports its arrays to tracemalloc)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _ratios(times: dict, name: str) -> str:
    ours, base = times["backcalc vanishing()"], times[name]
    return f"best {min(ours) / min(base):5.3f}× median {statistics.median(ours) / statistics.median(base):5.3f}×"


def tuned_table(repeat: int) -> None:
    """The same comparison in a fresh interpreter with the tuned malloc thresholds (labelled)."""
    proc = subprocess.run([sys.executable, __file__, "--tuned-child", "--repeat", str(repeat), "--threads", THREADS],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"the tuned run failed:\n{proc.stderr}")
    print(proc.stdout, end="")


THREADS = "1"

HEADLINE = "HEADLINE — glibc's default malloc (what a user's process gets)"
TUNED = ("TUNED — warm heap (MALLOC_MMAP_THRESHOLD_=32 MiB, MALLOC_TRIM_THRESHOLD_=1 TiB for both sides; "
         "not what a user gets by default)")
TARGET = ("target (issue 18): vanishing() ≤ 1.10× hand-written numpy of the same net on the same data, default "
          "malloc (the HEADLINE table). vanishing() draws its data and weights and takes its statistics, so the "
          "like-for-like peer is numpy doing the same (data + weights + forward + backward; without dx of the input, "
          "exactly the study's products); the bare pass is printed beside it")


def main() -> None:
    global THREADS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", default="1", help="BLAS threads, or 'all' for the library's default")
    parser.add_argument("--system-malloc", action="store_true",
                        help="the headline (glibc's default malloc) only, without the tuned table")
    parser.add_argument("--no-presets", action="store_true", help="skip timing the presets as whole commands")
    parser.add_argument("--tuned-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    THREADS = args.threads
    if args.tuned_child:
        default_run(args.repeat, TUNED)
        return

    default_run(args.repeat, HEADLINE)
    if not args.system_malloc:
        tuned_table(args.repeat)
    print(TARGET)
    compare_scaling(max(1, args.repeat // 2))
    if not args.no_presets:
        presets(max(1, args.repeat // 3))


if __name__ == "__main__":
    main()
