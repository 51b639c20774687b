"""How fast `backcalc verify` checks a net symbolically: the naive way against backcalc's, each in a fresh process.

naive     one sympy expression of the whole net's loss in all its parameters; ``sympy.diff`` per
          parameter; substitute the numbers (what the issue measured: ~14 s on seed 004)
backcalc  sympy.diff of each layer-local expression (one unit's activation, one pre-activation sum, one
          sample's loss), evaluated at the forward values and composed by the chain rule
          (``backcalc.check.verify.symbolic_gradients``)

Both are symbolic differentiation by sympy; the script checks that they give the same gradients, and
times the whole `backcalc verify` command (tape + sympy + central differences, with start-up) too, beside
the issue's targets for it: seed 004 under 1 s, the 2-4-4-4-1 sigmoid net under 3 s.

    python benchmarks/bench_verify.py [--repeat N] [--skip-naive]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TARGETS = {  # seconds of the whole `backcalc verify` command (the targets)
    "seed 004 (1-4-2-1, 21 params)": 1.0,
    "2-4-4-4-1 sigmoid (57 params)": 3.0,
}

NETS = {
    "seed 004 (1-4-2-1, 21 params)": None,  # the embedded default spec
    "2-4-4-4-1 sigmoid (57 params)": {
        "format": 1, "title": "2 → 4 → 4 → 4 → 1 sigmoid", "seed": 0,
        "data": {"x": [[0.5, -1.0]], "y": [[1.0]]},
        "layers": [{"activation": "sigmoid", "units": 4, "init": "xavier_normal"} for _ in range(3)]
        + [{"activation": "sigmoid", "units": 1, "init": "xavier_normal"}],
        "loss": {"kind": "half_sse"},
    },
}


def naive_gradients(spec) -> dict:
    """The straightforward way: the whole loss as one expression, one diff per parameter, then numbers."""
    import sympy as sp

    from backcalc.check.verify import _exact, activation_expression, sample_loss_expression

    values, symbols = {}, {}
    for layer in spec.layers:
        n = layer.index
        for a in range(layer.fan_in):
            for b in range(layer.units):
                symbols[f"W{n}[{a}][{b}]"] = s = sp.Symbol(f"W{n}_{a}_{b}", real=True)
                values[s] = _exact(layer.weights[a, b], sp)
        for b in range(layer.units):
            symbols[f"b{n}[{b}]"] = s = sp.Symbol(f"b{n}_{b}", real=True)
            values[s] = _exact(layer.bias[b], sp)
    losses = []
    for s_i in range(spec.samples):
        a = [_exact(v, sp) for v in spec.x[s_i]]
        for layer in spec.layers:
            n = layer.index
            z = [sum(a[i] * symbols[f"W{n}[{i}][{b}]"] for i in range(layer.fan_in)) + symbols[f"b{n}[{b}]"]
                 for b in range(layer.units)]
            if layer.activation == "softmax":
                total = sum(sp.exp(zi) for zi in z)
                a = [sp.exp(zi) / total for zi in z]
            else:
                a = [activation_expression(layer.activation, zi, sp, layer.alpha) for zi in z]
        label = int(spec.y[s_i]) if spec.loss == "cross_entropy" else None
        t = [] if label is not None else [_exact(v, sp) for v in spec.y[s_i]]
        losses.append(sample_loss_expression(spec.loss, spec.layers[-1].activation, a, t, sp, label))
    loss = sum(losses) if spec.reduction == "sum" else sum(losses) / spec.samples
    return {key: float(sp.diff(loss, s).subs(values)) for key, s in symbols.items()}


def _spec(net):
    from backcalc.net.spec import default_spec, load_spec

    return default_spec() if NETS[net] is None else load_spec(NETS[net])


def _child(method: str, net: str) -> None:
    """Run one method on one net in this (fresh) process; print seconds and gradients as JSON."""
    t0 = time.perf_counter()
    import sympy  # noqa: F401  (its import is part of the cost)

    t1 = time.perf_counter()
    spec = _spec(net)
    t2 = time.perf_counter()
    if method == "naive":
        grads = naive_gradients(spec)
    else:
        from backcalc.check.verify import symbolic_gradients

        grads, _ = symbolic_gradients(spec)
    t3 = time.perf_counter()
    print(json.dumps({"import_sympy": t1 - t0, "seconds": t3 - t2, "grads": grads}))


def run(method: str, net: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", method, net], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    return json.loads(out)


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-naive", action="store_true", help="Skip the naive runs (minutes).")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    py = sys.executable
    base = wall([py, "-c", "pass"], args.repeat)
    imp = wall([py, "-c", "import sympy"], args.repeat)
    print(f"python -c pass: {base:.3f} s;  python -c 'import sympy': {imp:.3f} s (median of {args.repeat})\n")
    print(f"{'net':32s} {'naive s':>9s} {'backcalc s':>11s} {'ratio':>7s} {'max |Δ|':>9s} {'verify cmd s':>13s}"
          f" {'target s':>9s}")
    with tempfile.TemporaryDirectory() as tmp:
        for net, doc in NETS.items():
            ours = run("backcalc", net)
            naive = None if args.skip_naive else run("naive", net)
            if doc is None:
                cmd = [py, "-m", "backcalc.cli", "verify"]
            else:
                path = Path(tmp) / "net.json"
                path.write_text(json.dumps(doc), encoding="utf-8")
                cmd = [py, "-m", "backcalc.cli", "verify", str(path)]
            command = wall(cmd, args.repeat)
            target = f"{TARGETS[net]:>4.0f} {'✓' if command < TARGETS[net] else '✗'}"
            if naive is None:
                print(f"{net:32s} {'—':>9s} {ours['seconds']:11.3f} {'—':>7s} {'—':>9s} {command:13.3f} {target:>9s}")
                continue
            delta = max(abs(naive["grads"][k] - ours["grads"][k]) for k in ours["grads"])
            print(f"{net:32s} {naive['seconds']:9.2f} {ours['seconds']:11.3f} "
                  f"{naive['seconds'] / ours['seconds']:7.0f} {delta:9.1e} {command:13.3f} {target:>9s}")
    print("\nnaive/backcalc: sympy work only, sympy imported; verify cmd: the whole command, start-up included "
          "(median of --repeat runs), against its target.")


if __name__ == "__main__":
    main()
