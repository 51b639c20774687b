"""`vanishing()` at its default size against hand-written numpy doing the same forward + backward.

Workload (issue 6): seed 000's net — 1000 × 500 inputs, 9 weight layers 500 → 512×8 → 1, sigmoid
everywhere, init normal:0.01, ½·SSE — one forward and one backward pass.

* backcalc: ``vanishing()`` end to end — data, weights, the pass on the Tensor tape, every per-layer
  statistic and the verdict.
* numpy, pass only: seed 000's affine/sigmoid forward and backward (dW, db, dx) on the same arrays.
* numpy, end to end: the same plus drawing the data and the weights, as ``vanishing()`` does.

The three are interleaved, repeat after repeat, so a busy machine slows them alike; best and median
are printed, and the ratios of both. Then ``--compare`` of k = 1, 2, 3 and 6 configurations of the same
net against k × one run (target ≈ k), and each preset as the whole command a user runs
(``backcalc vanishing --preset NAME``, a fresh interpreter each time; target < 15 s; seed001 only when
scikit-learn is installed).
BLAS runs on ``--threads`` threads (1 by default, set before numpy loads): on a shared machine a
multi-threaded BLAS whose threads wait for busy cores makes every timing noise; both sides use the same.
glibc's malloc thresholds are fixed as in bench_tensor.py (the script re-runs itself with them), because
under the defaults memory handed back to the system is faulted in again on every pass — tens of
milliseconds that land on whichever side's allocation pattern trips them; ``--system-malloc`` keeps the
defaults to show that.

    python benchmarks/bench_vanishing.py [--repeat N] [--threads N|all] [--system-malloc] [--no-presets]
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
    print(f"--compare of k configurations, {net}: one run median {base * 1e3:.0f} ms")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", default="1", help="BLAS threads, or 'all' for the library's default")
    parser.add_argument("--system-malloc", action="store_true", help="keep glibc's default malloc thresholds")
    parser.add_argument("--no-presets", action="store_true", help="skip timing the presets as whole commands")
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
    compare_scaling(max(1, args.repeat // 2))
    if not args.no_presets:
        presets(max(1, args.repeat // 3))


if __name__ == "__main__":
    main()
