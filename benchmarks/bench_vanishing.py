"""`vanishing()` at its default size against hand-written numpy doing the same forward + backward.

Workload (issue 6): seed 000's net — 1000 × 500 inputs, 9 weight layers 500 → 512×8 → 1, sigmoid
everywhere, init normal:0.01, ½·SSE — one forward and one backward pass.

* backcalc: ``vanishing()`` end to end — data, weights, the pass on the Tensor tape, every per-layer
  statistic and the verdict.
* numpy, pass only: seed 000's affine/sigmoid forward and backward (dW, db, dx) on the same arrays.
* numpy, end to end: the same plus drawing the data and the weights, as ``vanishing()`` does.

The three are interleaved, repeat after repeat, so a busy machine slows them alike; best and median
are printed, and the ratios of both. Then ``--compare`` of three configurations, timed the same way.
BLAS runs on ``--threads`` threads (1 by default, set before numpy loads): on a shared machine a
multi-threaded BLAS whose threads wait for busy cores makes every timing noise; both sides use the same.
glibc's malloc thresholds are fixed as in bench_tensor.py (the script re-runs itself with them), because
under the defaults memory handed back to the system is faulted in again on every pass — tens of
milliseconds that land on whichever side's allocation pattern trips them; ``--system-malloc`` keeps the
defaults to show that.

    python benchmarks/bench_vanishing.py [--repeat N] [--threads N|all] [--system-malloc]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

STEADY_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**40)}

if __name__ == "__main__":  # the thread count and malloc settings must be set before numpy is imported
    _args = argparse.ArgumentParser(add_help=False)
    _args.add_argument("--threads", default="1")
    _args.add_argument("--system-malloc", action="store_true")
    _known = _args.parse_known_args()[0]
    if not _known.system_malloc and any(os.environ.get(k) != v for k, v in STEADY_MALLOC.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **STEADY_MALLOC})
    _threads = _known.threads
    if _threads != "all":
        for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[_var] = _threads

import numpy as np  # noqa: E402

from backcalc.study.vanishing import make_problem, vanishing  # noqa: E402

COMPARE = "sigmoid:normal:0.01,relu:he_normal,tanh:xavier_normal"


def numpy_pass(x, y, weights, biases):
    """Seed 000, written out: affine_forward → sigmoid, then sigmoid_backward → affine_backward."""
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
        g = gz @ weights[n].T
    return loss, grads[::-1]


def numpy_end_to_end():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1000, 500))
    y = (x @ rng.standard_normal(500) > 0).astype(float).reshape(-1, 1)
    sizes = [500] + [512] * 8 + [1]
    weights = [rng.standard_normal((sizes[n], sizes[n + 1])) * 0.01 for n in range(9)]
    biases = [np.zeros((1, s)) for s in sizes[1:]]
    return numpy_pass(x, y, weights, biases)


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", default="1", help="BLAS threads, or 'all' for the library's default")
    parser.add_argument("--system-malloc", action="store_true", help="keep glibc's default malloc thresholds")
    args = parser.parse_args()

    p = make_problem()
    loss, grads = numpy_pass(*p)
    run = vanishing().runs[0]  # also the warm-up
    assert abs(run.loss - loss) <= 1e-10 * loss, "backcalc and numpy disagree on the loss"
    assert abs(run.layers[0].grad_norm_W - np.linalg.norm(grads[0][0])) <= 1e-8 * run.layers[0].grad_norm_W

    cases = {"backcalc vanishing()": vanishing, "numpy forward + backward": lambda: numpy_pass(*p),
             "numpy data + weights + forward + backward": numpy_end_to_end}
    times = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, fn in cases.items():
            times[name].append(timed(fn))
    compare = [timed(lambda: vanishing(compare=COMPARE)) for _ in range(max(1, args.repeat // 2))]

    print(f"default run (seed 000's net), {args.repeat} repeats, interleaved; BLAS threads: {args.threads}; "
          f"malloc: {'glibc defaults' if args.system_malloc else 'steady thresholds'}; "
          f"Python {sys.version.split()[0]}, numpy {np.__version__}")
    for name, ts in times.items():
        print(f"  {name:<45} best {min(ts) * 1e3:8.1f} ms   median {statistics.median(ts) * 1e3:8.1f} ms")
    ours = times["backcalc vanishing()"]
    for name in list(cases)[1:]:
        base = times[name]
        print(f"  ratio vanishing() / {name:<40} best {min(ours) / min(base):5.2f}   "
              f"median {statistics.median(ours) / statistics.median(base):5.2f}")
    print(f"--compare {COMPARE}: best {min(compare):.2f} s, median {statistics.median(compare):.2f} s "
          f"({statistics.median(compare) / statistics.median(ours):.1f} × one default run)")


if __name__ == "__main__":
    main()
