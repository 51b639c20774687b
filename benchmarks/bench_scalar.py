"""Scalar tape: backcalc ``Value`` against micrograd's ``Value`` on the same MLP, printed as ratios.

Workload (issue 2): an MLP 2 → 16 → 16 → 1 (relu hidden, linear output) over 100 points,
squared-error loss summed, one forward + backward. It is written once, as a function of the
``Value`` class, and run unchanged on both engines.

Measurement: each engine runs in its own fresh subprocess, because micrograd's closures make
reference cycles whose collection by the cyclic GC is a large part of its cost and would slow
whatever runs after it in the same process. Before every repeat the previous graph is dropped and
``gc.collect()`` runs outside the timed region. Two timings per repeat, interleaved:

* default GC — the garbage collector on, as a user runs it;
* GC off — ``gc.disable()`` around the timed region (as ``timeit`` does), the bare cost of the ops.

backcalc runs twice: as installed (its backward sweep compiled when ``pip install`` found a C compiler, the
headline) and with ``BACKCALC_PURE_PYTHON=1`` (the same sweep in Python, labelled "pure Python").

Both engines are measured the same way in both modes. The engines take turns, a fresh subprocess
each turn (``--rounds``), so a change in the machine's load hits both; the figures are the best and
the median over all turns. Before timing, the parent checks that the two engines give the same loss
and the same gradients of two weights.

    python benchmarks/bench_scalar.py            # 4 rounds × 5 repeats per engine and GC mode
    python benchmarks/bench_scalar.py --quick    # 2 rounds × 3 repeats
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time

SIZES = (2, 16, 16, 1)
POINTS = 100
SEED = 0
TARGETS = {"gc": 15.0, "nogc": 3.5}  # issue 19: times faster than micrograd, default GC and GC off


# ───────────────────────────── the workload, written once ─────────────────────────────

def make_params(Value):
    """Weights uniform in [−1, 1] and zero biases, the same numbers for every engine."""
    rng = random.Random(SEED)
    layers = []
    for fan_in, units in zip(SIZES, SIZES[1:]):
        W = [[Value(rng.uniform(-1.0, 1.0)) for _ in range(fan_in)] for _ in range(units)]
        b = [Value(0.0) for _ in range(units)]
        layers.append((W, b))
    return layers


def make_data():
    rng = random.Random(SEED + 1)
    xs = [[rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)] for _ in range(POINTS)]
    ys = [1.0 if x0 * x1 > 0 else -1.0 for x0, x1 in xs]
    return xs, ys


def mlp_loss(layers, xs, ys):
    """Σ (mlp(x) − y)² over the points; relu on the hidden layers, linear output."""
    last = len(layers) - 1
    losses = []
    for x, y in zip(xs, ys):
        h = x
        for i, (W, b) in enumerate(layers):
            z = [sum((wi * hi for wi, hi in zip(w, h)), bj) for w, bj in zip(W, b)]
            h = z if i == last else [zj.relu() for zj in z]
        losses.append((h[0] - y) ** 2)
    return sum(losses)


def run_once(Value, xs, ys):
    layers = make_params(Value)
    loss = mlp_loss(layers, xs, ys)
    loss.backward()
    return layers, loss


# ───────────────────────────── one engine, in its own process ─────────────────────────────

def engine_class(name):
    if name.startswith("backcalc"):
        if name == "backcalc-py":
            os.environ["BACKCALC_PURE_PYTHON"] = "1"
        from backcalc import Value
    else:
        from micrograd.engine import Value
    return Value


def child(name: str, repeats: int) -> dict:
    try:
        Value = engine_class(name)
    except ImportError:
        return {"engine": name, "skipped": True}
    xs, ys = make_data()
    layers, loss = run_once(Value, xs, ys)
    result = {"engine": name, "loss": float(loss.data), "grad_w": float(layers[0][0][0][0].grad),
              "grad_w2": float(layers[1][0][0][3].grad)}
    if name.startswith("backcalc"):
        from backcalc.tape import value_sweep

        result["recorded"] = len(loss.tape())
        result["compiled"] = value_sweep.COMPILED is not None
    del layers, loss
    result["peak_mb"] = peak_memory(Value, xs, ys)
    times = {"gc": [], "nogc": []}
    for r in range(repeats):
        modes = ("gc", "nogc") if r % 2 == 0 else ("nogc", "gc")
        for mode in modes:
            layers = make_params(Value)
            gc.collect()
            if mode == "nogc":
                gc.disable()
            t0 = time.perf_counter()
            loss = mlp_loss(layers, xs, ys)
            loss.backward()
            times[mode].append(time.perf_counter() - t0)
            gc.enable()
            del layers, loss
            gc.collect()
    result.update(times)
    return result


def peak_memory(Value, xs, ys) -> float:
    """Peak traced memory (MB, tracemalloc) of one forward + backward, graph included, apart from the timings."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    layers = make_params(Value)
    loss = mlp_loss(layers, xs, ys)
    loss.backward()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del layers, loss
    return peak / 2 ** 20


# ───────────────────────────── the parent: run, check, print ─────────────────────────────

def run_engine(name: str, repeats: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--engine", name, "--repeats", str(repeats)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{name} run failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_rounds(names, rounds: int, repeats: int) -> dict:
    """Each engine once per round in a fresh process, alternating which goes first; timings pooled."""
    results = {}
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            res = run_engine(name, repeats)
            if name in results and not res.get("skipped"):
                for mode in ("gc", "nogc"):
                    results[name][mode] += res[mode]
            else:
                results[name] = res
            if res.get("skipped"):
                names = [n for n in names if n != name]
    return results


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 rounds × 3 repeats instead of 4 × 5")
    ap.add_argument("--rounds", type=int, default=None, help="turns per engine, each in a fresh process")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per GC mode in each turn")
    ap.add_argument("--engine", choices=("backcalc", "backcalc-py", "micrograd"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    rounds = args.rounds or (2 if args.quick else 4)
    if args.engine:
        print(json.dumps(child(args.engine, repeats)))
        return

    print(f"scalar MLP {' → '.join(map(str, SIZES))} (relu hidden, linear out), {POINTS} points, "
          f"squared error summed; forward + backward")
    print(f"{rounds} rounds × {repeats} repeats per GC mode, each engine in a fresh subprocess per round; "
          f"times in ms (best / median); peak: tracemalloc over one more run; load average "
          f"{os.getloadavg()[0]:.1f}\n")
    results = run_rounds(["backcalc", "backcalc-py", "micrograd"], rounds, repeats)
    ours, pure, peer = results["backcalc"], results["backcalc-py"], results["micrograd"]
    print(f"backcalc records {ours['recorded']} operations, each with its rule, inputs and local factors")
    print("backcalc's backward sweep: " + ("compiled (backcalc/tape/_value_sweep.c)" if ours["compiled"] else
          "Python (the compiled sweep is not built: no C compiler when backcalc was installed)")
          + "; backcalc-py: the Python sweep (BACKCALC_PURE_PYTHON=1)")
    rows = [ours, pure]
    if peer.get("skipped"):
        print("micrograd: skipped (pip install -r benchmarks/requirements.txt)")
    else:
        for key in ("loss", "grad_w", "grad_w2"):
            a, b = ours[key], peer[key]
            if abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
                raise SystemExit(f"engines disagree on {key}: backcalc {a!r}, micrograd {b!r}")
            if pure[key] != a:
                raise SystemExit(f"backcalc's two sweeps disagree on {key}: {a!r} and {pure[key]!r}")
        print(f"check: same loss ({ours['loss']:.10g}) and same ∂L/∂w for two weights on both engines "
              "(and to the last bit on both backcalc sweeps)")
        rows.append(peer)

    print()
    print(f"{'engine':<12} {'default GC':>22} {'GC off':>22} {'peak MB':>8}")
    for row in rows:
        cells = [f"{min(row[m]) * 1e3:9.2f} / {statistics.median(row[m]) * 1e3:9.2f}" for m in ("gc", "nogc")]
        print(f"{row['engine']:<12} {cells[0]:>22} {cells[1]:>22} {row['peak_mb']:8.1f}")
    if len(rows) == 3:
        for row, label in ((ours, "backcalc"), (pure, "backcalc, pure Python (labelled, not the headline)")):
            print(f"\n{label}:")
            for m, what in (("gc", "default GC"), ("nogc", "GC off    ")):
                best = min(peer[m]) / min(row[m])
                med = statistics.median(peer[m]) / statistics.median(row[m])
                target = TARGETS[m]
                verdict = ("met (best and median)" if med >= target else "met by the best only" if best >= target
                           else "not met")
                print(f"  vs micrograd, {what}: {best:5.2f}× faster (best), {med:5.2f}× (median); "
                      f"target ≥ {target:g}×: {verdict}")
        print("targets (issue 19): ≥ 15× faster than micrograd with the default GC, ≥ 3.5× with the GC off")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
