"""Every command at its documented limit: wall time and CPU time of the whole command, as a user runs it.

The README's "Errors and limits" table promises that every command at every limit it states finishes (or is
refused up front, exit 2) in under 10 s on the development machine. Each case below builds an input at a limit
(the largest net, the most samples, steps, parameters, the largest answers file, the slowest programs the
parser accepts, the most floats the vanishing study may hold …), runs the command in a fresh process and prints
its wall time, its CPU time (user + system of the process and its children: what the machine's load does not
inflate), its peak resident memory, its exit code and the limit it stands at. The bare interpreter's start-up
is measured in the same run.

    python benchmarks/bench_limits.py [--only NAME[,NAME...]] [--list] [--repeat N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the cases are worked out by this tree's backcalc, as its commands run (PYTHONPATH)
TARGET = 10.0  # seconds


def dense(fan_in, units, activation, rng, scale=0.1):
    return {"activation": activation, "weights": (rng.uniform(-scale, scale, (fan_in, units))).round(3).tolist(),
            "bias": rng.uniform(-scale, scale, units).round(3).tolist()}


def net(path, shape, acts, samples=1, steps=1, loss="half_sse", seed=0, train=None, drawn=False, short=False):
    """A spec file with the given layer sizes: weights written out (as a user's file holds them), or with
    ``drawn`` as ``units`` and ``init`` (a net whose weights would not fit in the 1 MB a spec file may have)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    if drawn:
        layers = [{"activation": act, "units": b, "init": "xavier_uniform"} for b, act in zip(shape[1:], acts)]
        if len(layers) > 9:  # h1 … h63 would make unit h111 twice (h1's 11th, h11's 1st): letters only
            for i, layer in enumerate(layers):
                layer["name"] = "h" + "".join(chr(97 + d) for d in _digits26(i + 1))
    else:
        layers = [dense(a, b, act, rng, scale=1 / max(1, a) ** 0.5) for a, b, act in zip(shape, shape[1:], acts)]
    digits = 0 if short else 3  # short: data of 0s and 1s, so that 100 000 samples fit in a 1 MB file
    x = rng.uniform(-1, 1, (samples, shape[0])).round(digits)
    y = rng.uniform(0, 1, (samples, shape[-1])).round(digits)
    spec = {"format": 1, "seed": seed, "data": {"x": x.astype(int).tolist() if short else x.tolist(),
                                                "y": y.astype(int).tolist() if short else y.tolist()},
            "layers": layers, "loss": {"kind": loss}, "train": {"learning_rate": 0.01, "steps": steps, **(train or {})}}
    path.write_text(json.dumps(spec, separators=(",", ":")))
    return str(path)


def _digits26(n: int) -> list:
    """n ≥ 1 in base 26 with digits 1…26 (a layer name of letters: 1 → a, 27 → aa)."""
    out = []
    while n:
        n, r = divmod(n - 1, 26)
        out.append(r)
    return out[::-1]


def answers(path, spec_path, limit_bytes=1_000_000):
    """An answers file of display-name entries, every gradient wrong, as close to the 1 MB bound as fits."""
    from backcalc.net.spec import load_spec

    spec = load_spec(spec_path)
    lines, size = ["[gradients]"], 12
    for i, (name, _key) in enumerate(spec.param_names()):
        line = f"{name} = {0.123456 + i * 1e-6:.6f}"
        if size + len(line) + 1 > limit_bytes:
            break
        lines.append(line)
        size += len(line) + 1
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def nested(fmt, n, seed="x"):
    p = seed
    for _ in range(n):
        p = fmt.format(p)
    return p


WIDE = "(x*x + x*x) * (x*x + x*x) + (x*x + x*x) * (x*x + x*x)"  # operations that add no depth to the chain


def cases(tmp: Path) -> list:
    """(name, limit it stands at, argv after `backcalc`) — inputs are written lazily into ``tmp``."""
    wide = lambda: net(tmp / "wide.json", [1, 207, 480], ["relu", "linear"], drawn=True)  # noqa: E731
    out = [
        ("explain-wide", "1→207→480: 99 051 weights (≤ 100 000)", lambda: ["explain", wide()]),
        ("explain-wide-json", "same, --format json", lambda: ["explain", wide(), "--format", "json"]),
        ("explain-wide-markdown", "same, --format markdown", lambda: ["explain", wide(), "--format", "markdown"]),
        ("explain-wide-latex", "same, --format latex", lambda: ["explain", wide(), "--format", "latex"]),
        ("explain-wide-html", "same, --format html", lambda: ["explain", wide(), "--format", "html"]),
        ("explain-work", "1→3000→32 × 2 000 samples: 99 000 weights, 1.98·10⁸ of the 2·10⁸ multiply-adds",
         lambda: ["explain", net(tmp / "work.json", [1, 3000, 32], ["relu", "linear"], samples=2000, drawn=True,
                                 short=True)]),
        ("explain-units", "1→4096→4: 4 096 units (the most per layer)",
         lambda: ["explain", net(tmp / "units.json", [1, 4096, 4], ["relu", "linear"], drawn=True)]),
        ("explain-samples", "100 000 samples (1→2→1; the data written short to fit the 1 MB file)",
         lambda: ["explain", net(tmp / "samples.json", [1, 2, 1], ["tanh", "linear"], samples=100_000, short=True)]),
        ("explain-steps", "10 000 SGD steps (1→4→1)",
         lambda: ["explain", net(tmp / "steps.json", [1, 4, 1], ["relu", "linear"], steps=10_000)]),
        ("explain-steps-adam", "500 adam steps (1→4→1: the limit of a page with the optimizer's table)",
         lambda: ["explain", net(tmp / "adam.json", [1, 4, 1], ["relu", "linear"], steps=500,
                                 train={"optimizer": "adam"})]),
        ("explain-deep", "64 layers of 39 units, 4 samples (94 653 weights)",
         lambda: ["explain", net(tmp / "deep.json", [8] + [39] * 63 + [1], ["tanh"] * 63 + ["linear"], samples=4,
                                 drawn=True)]),
        ("verify-params", "1→1427→5→1: 10 000 parameters (the limit)",
         lambda: ["verify", net(tmp / "v1.json", [1, 1427, 5, 1], ["sigmoid", "tanh", "linear"], drawn=True)]),
        ("verify-unit-samples", "2→4→1 × 600 samples: units × samples = 3 000 (the limit)",
         lambda: ["verify", net(tmp / "v2.json", [2, 4, 1], ["sigmoid", "linear"], samples=600)]),
        ("verify-steps", "20 adam steps replayed, 3→8→8→2, 4 samples",
         lambda: ["verify", net(tmp / "v3.json", [3, 8, 8, 2], ["tanh", "relu", "linear"], samples=4, steps=20,
                                train={"optimizer": "adam"})]),
        ("check-1MB", "a 1 MB answers file: every gradient of 1→2800→5→1 answered wrong",
         lambda: ["check", net(tmp / "c.json", [1, 2800, 5, 1], ["sigmoid", "tanh", "linear"], drawn=True),
                  answers(tmp / "c_answers.toml", tmp / "c.json")]),
        ("check-hand", "a hand-size net (6,6,6,6,6,6, 4 samples), every gradient wrong",
         lambda: ["check", net(tmp / "h.json", [6] * 6, ["sigmoid"] * 4 + ["linear"], samples=4),
                  answers(tmp / "h_answers.toml", tmp / "h.json")]),
        ("grad-powers", "(x)**1.5 nested 14 deep (sympy's algebra explodes: the 5 s budget)",
         lambda: ["grad", nested("({})**1.5", 14), "--at", "x=1.1"]),
        ("grad-sigmoids", "sigmoid(… * 1.5) nested 6 deep",
         lambda: ["grad", nested("sigmoid({}*1.5)", 6), "--at", "x=1.1"]),
        ("grad-ops", "13 statements of 19 operations: at most 250 operations and depth 40 after expansion",
         lambda: ["grad", "; ".join(["a = x"] + [f"a = sin(a) * x + {i}.5 + {WIDE}" for i in range(1, 14)]) + "; y = a",
                  "--at", "x=0.3"]),
        ("grad-cancel", "sin(x)/x at 1e-300 (1 920 digits)", lambda: ["grad", "sin(x)/x", "--at", "x=1e-300"]),
        ("exercise-largest", "--shape 6,6,6,6,6,6, 4 samples, adam",
         lambda: ["exercise", "--shape", "6,6,6,6,6,6", "--activations", "tanh,tanh,sigmoid,tanh,linear",
                  "--samples", "4", "--optimizer", "adam", "--out", str(tmp / "ex1"), "--force"]),
        ("exercise-no-friendly", "5 000 draws that find no friendly net (the most tries)",
         lambda: ["exercise", "--shape", "6,6,6,6,6,6", "--activations", "relu,tanh,sigmoid,relu,linear",
                  "--samples", "4", "--out", str(tmp / "ex2"), "--force"]),
        ("exercise-roster", "--roster of 71 students, default 1,4,2,1: 1 491 of the 1 500 students × parameters × samples",
         lambda: ["exercise", "--roster", roster(tmp / "r71.csv", 71), "--out", str(tmp / "class1"), "--force"]),
        ("exercise-roster-2441", "--roster of 20 students, 2,4,4,1 × 2 samples: 1 480 of the 1 500",
         lambda: ["exercise", "--roster", roster(tmp / "r20.csv", 20), "--shape", "2,4,4,1", "--activations",
                  "tanh,tanh,linear", "--samples", "2", "--out", str(tmp / "class2"), "--force"]),
        ("grade-500", "500 sheets (the roster limit; ⅓ right, ⅓ signs flipped, ⅓ blank)",
         lambda: ["grade", graded(tmp / "class500", 500), "--out", str(tmp / "gb.csv"), "--force", "--jobs", "1"]),
        ("vanishing-default", "the default run (seed 000's net)", lambda: ["vanishing"]),
        ("vanishing-budget", "--epochs at the work budget (default net)",
         lambda: ["vanishing", "--epochs", str(budget_epochs())]),
        floats_case(),
    ]
    return out


def roster(path, students: int) -> str:
    """A roster CSV of ``students`` rows."""
    path.write_text("id,name\n" + "".join(f"s{i:04d},Student {i}\n" for i in range(students)), encoding="utf-8")
    return str(path)


def graded(folder, students: int) -> str:
    """A class folder of ``students`` answered sheets, as benchmarks/bench_grade.py makes it."""
    from bench_grade import make_class

    if not (folder / "roster.csv").is_file():
        make_class(folder, students)
    return str(folder)


def budget_epochs() -> int:
    from backcalc.study.options import WORK_BUDGET, resolve, work
    from backcalc.study.records import Config

    lo, hi = 0, 10_000
    while lo < hi:  # the most epochs the budget allows
        mid = (lo + hi + 1) // 2
        try:
            if work(resolve(Config(epochs=mid))[0]) <= WORK_BUDGET:
                lo = mid
            else:
                hi = mid - 1
        except Exception:
            hi = mid - 1
    return lo


FLOATS_WIDTH = 256  # the widest power of two at which the float bound comes before the work budget


def floats_case() -> tuple:
    """The vanishing command at its memory bound, inside its work budget: the default net (depth 9, 500 random
    features, no training) at --width 256 with the most --samples the bound of 4·10⁸ floats lets through — one
    sample more is refused by that bound, not by the budget. (Depth 9 at 1 000 samples reaches the work budget
    long before the float bound: wider nets cost more work per float held.)"""
    from backcalc.errors import VanishingError
    from backcalc.study.options import MAX_FLOATS, WORK_BUDGET, floats, resolve, work
    from backcalc.study.records import Config

    def resolved(samples):
        try:
            return resolve(Config(width=FLOATS_WIDTH, samples=samples))[0]
        except VanishingError:
            return None

    lo, hi = 2, 10_000_000
    while lo < hi:  # the most samples under the float bound
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if resolved(mid) is not None else (lo, mid - 1)
    cfg = resolved(lo)
    share = work(cfg) / WORK_BUDGET
    if share > 1 or resolved(lo + 1) is not None:
        raise SystemExit(f"vanishing-floats: --width {FLOATS_WIDTH} no longer meets the float bound inside the budget")
    spaced = lambda v: f"{int(v):,}".replace(",", " ")  # noqa: E731
    limit = (f"--width {FLOATS_WIDTH} --samples {spaced(lo)} (depth 9, 500 features): {spaced(floats(cfg))} of the "
             f"{spaced(MAX_FLOATS)} floats (one sample more is refused by them), {share:.0%} of the work budget")
    return "vanishing-floats", limit, lambda: ["vanishing", "--width", str(FLOATS_WIDTH), "--samples", str(lo)]


def timed(argv) -> tuple:
    """(wall s, CPU s, exit code, last line of stderr, peak resident MB) of the command (wholecommand.measure)."""
    from wholecommand import measure

    wall, cpu, peak, code, _, err = measure([sys.executable, "-m", "backcalc.cli", *argv],
                                            env={**os.environ, "PYTHONPATH": str(ROOT)}, keep_stdout=False)
    lines = err.decode(errors="replace").strip().splitlines()
    return wall, cpu, code, lines[-1][:110] if lines else "", peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated case names (prefixes)")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", default=None, help="write the inputs here and keep them")
    args = parser.parse_args()
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="backcalc-limits-"))
    tmp.mkdir(parents=True, exist_ok=True)
    chosen = [c for c in cases(tmp) if not args.only or any(c[0].startswith(o) for o in args.only.split(","))]
    if args.list:
        for name, limit, _ in chosen:
            print(f"{name:22s} {limit}")
        return
    base = min(timed(["--version"])[0] for _ in range(3))
    load = os.getloadavg()[0]
    print(f"backcalc --version: {base:.2f} s wall; load average {load:.1f} on {os.cpu_count()} cores; target < {TARGET:g} s")
    print(f"{'case':22s} {'wall s':>7s} {'cpu s':>6s} {'MB':>5s} {'exit':>4s}  limit / message")
    worst = 0.0
    try:
        for name, limit, make in chosen:
            argv = make()
            runs = [timed(argv) for _ in range(args.repeat)]
            wall, cpu, code, err, peak = min(runs)
            worst = max(worst, cpu)
            flag = "" if cpu < TARGET else "   OVER"
            print(f"{name:22s} {wall:7.2f} {cpu:6.2f} {peak:5.0f} {code:4d}  {limit}{flag}" +
                  (f"\n{'':48s}{err}" if code else ""), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"slowest CPU time: {worst:.2f} s (target < {TARGET:g} s; wall times grow with the machine's load)")


if __name__ == "__main__":
    main()
