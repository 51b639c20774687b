"""The update rules of backcalc.net.optim: exact hand values per rule (fractions, closed forms), and
torch.optim in float64 over several steps (skipped when torch is absent)."""

from fractions import Fraction as F
import math

import numpy as np
import pytest

from backcalc.net.optim import Optimizer, clip, init_state, settings, update


def run(s, p0, grads):
    """Parameters and state after each step of ``s`` from p0 over the gradient sequence."""
    p, state, out = np.array([float(p0)]), None, []
    for t, g in enumerate(grads, start=1):
        state = state if state is not None else init_state(s, p)
        u = update(s, p, np.array([float(g)]), state, step=t)
        p, state = u.param, u.state
        out.append((float(p[0]), {k: float(v[0]) for k, v in state.items()}, u.values))
    return out


def close(got, exact):
    assert got == pytest.approx(float(exact), rel=1e-15, abs=1e-300), (got, exact)


# ───────────────────────── exact values, worked by hand in the comments ─────────────────────────

def test_sgd_and_weight_decay_exact():
    close(run(settings("sgd", lr=0.25), 1, [0.5])[0][0], F(7, 8))                          # 1 − ¼·½
    close(run(settings("sgd", lr=0.25, weight_decay=0.1), 1, [0.5])[0][0], 1 - F(1, 4) * F(6, 10))  # g + λw = 0.6


def test_momentum_pytorch_form_exact():
    # lr = μ = ½, g = 2, 2, −1: v = 2, 3, ½; w = 1 − 1 = 0, 0 − 3/2, −3/2 − ¼
    steps = run(settings("momentum", lr=0.5, momentum=0.5), 1, [2, 2, -1])
    assert [s[1]["momentum_buffer"] for s in steps] == [2.0, 3.0, 0.5]
    for (p, _, _), exact in zip(steps, [0, F(-3, 2), F(-7, 4)]):
        close(p, exact)


def test_momentum_cs231n_form_exact():
    # v ← μv − lr·g: v = −1, −½ − 1, −¾ + ½; w ← w + v: 0, −3/2, −7/4 (the same weights, v = −lr·buffer)
    steps = run(settings("momentum", lr=0.5, momentum=0.5, momentum_form="cs231n"), 1, [2, 2, -1])
    assert [s[1]["velocity"] for s in steps] == [-1.0, -1.5, -0.25]
    assert [s[0] for s in steps] == [0.0, -1.5, -1.75]


def test_momentum_ema_form_exact():
    # v ← μv + (1−μ)g from 0: v = 1, 3/2, ¼; w = 1 − ½, ½ − ¾, −¼ − ⅛
    steps = run(settings("momentum", lr=0.5, momentum=0.5, momentum_form="ema"), 1, [2, 2, -1])
    assert [s[1]["momentum_buffer"] for s in steps] == [1.0, 1.5, 0.25]
    assert [s[0] for s in steps] == [0.5, -0.25, -0.375]


@pytest.mark.parametrize("form", ["pytorch", "cs231n"])
def test_nesterov_exact(form):
    # torch: v = 2, w = 1 − ½(2 + ½·2) = −½; v = 1 + 2 = 3, w = −½ − ½(2 + 3/2) = −9/4.
    # cs231n: v = −1, w = 1 − 0 + (3/2)(−1) = −½; v = −3/2, w = −½ + ½ − (3/2)(3/2) = −9/4.
    steps = run(settings("nesterov", lr=0.5, momentum=0.5, momentum_form=form), 1, [2, 2])
    assert [s[0] for s in steps] == [-0.5, -2.25]


def test_adagrad_exact():
    # ε = 0, lr = 1: s = 9, w = 1 − 3/3 = 0; s = 25, w = 0 − 4/5
    steps = run(settings("adagrad", lr=1.0, eps=0.0), 1, [3, 4])
    assert [s[1]["sum"] for s in steps] == [9.0, 25.0]
    close(steps[1][0], F(-4, 5))
    # ε = 16 outside: 1 − 3/(3 + 16); inside: 1 − 3/√(9 + 16) = 2/5
    close(run(settings("adagrad", lr=1.0, eps=16.0), 1, [3])[0][0], 1 - F(3, 19))
    close(run(settings("adagrad", lr=1.0, eps=16.0, eps_form="inside"), 1, [3])[0][0], F(2, 5))


def test_rmsprop_exact():
    # α = ¾, ε = 0, lr = 1: s = ¼·4 = 1, w = 1 − 2/1 = −1; s = ¾ + ¼·1 = 1, w = −1 − 1/1 = −2
    steps = run(settings("rmsprop", lr=1.0, alpha=0.75, eps=0.0), 1, [2, 1])
    assert [(s[0], s[1]["square_avg"]) for s in steps] == [(-1.0, 1.0), (-2.0, 1.0)]
    # centered: g_avg = ¼·2 = ½, s − g_avg² = 1 − ¼ = ¾: w = 1 − 2/√¾ = 1 − 4/√3
    centered = run(settings("rmsprop", lr=1.0, alpha=0.75, eps=0.0, centered=True), 1, [2])
    close(centered[0][0], 1 - 4 / math.sqrt(3))
    assert centered[0][1]["grad_avg"] == 0.5
    # momentum ½: buf = 0 + 2/1 = 2, w = 1 − 2; buf = 1 + 1/1 = 2, w = −1 − 2
    mom = run(settings("rmsprop", lr=1.0, alpha=0.75, eps=0.0, momentum=0.5), 1, [2, 1])
    assert [s[0] for s in mom] == [-1.0, -3.0]


def test_adam_exact():
    # β1 = ½, β2 = ¾, ε = 0, lr = 1. Step 1, g = 2: m = 1, v = 1, m̂ = 1/½ = 2, v̂ = 1/¼ = 4, w = 1 − 2/2 = 0.
    # Step 2, g = −2: m = ½ − 1 = −½, v = ¾ + 1 = 7/4, m̂ = −½/¾ = −2/3, v̂ = (7/4)/(7/16) = 4, w = 0 + (2/3)/2 = 1/3.
    s = settings("adam", lr=1.0, beta1=0.5, beta2=0.75, eps=0.0)
    steps = run(s, 1, [2, -2])
    assert steps[0][0] == 0.0 and steps[0][1] == {"exp_avg": 1.0, "exp_avg_sq": 1.0}
    assert float(steps[0][2]["exp_avg_hat"][0]) == 2.0 and float(steps[0][2]["exp_avg_sq_hat"][0]) == 4.0
    close(steps[1][0], F(1, 3))
    close(float(steps[1][2]["exp_avg_hat"][0]), F(-2, 3))
    close(float(steps[1][2]["exp_avg_sq_hat"][0]), 4)
    # ε = 5 inside the root: w = 1 − 2/√(4 + 5) = 1/3; outside: 1 − 2/(2 + 5) = 5/7
    close(run(settings("adam", lr=1.0, beta1=0.5, beta2=0.75, eps=5.0, eps_form="inside"), 1, [2])[0][0], F(1, 3))
    close(run(settings("adam", lr=1.0, beta1=0.5, beta2=0.75, eps=5.0), 1, [2])[0][0], F(5, 7))


def test_amsgrad_exact():
    # as above, then g = 0: v = ¾ < max = 1, m = ½, m̂ = (½)/(¾) = 2/3, v̂ = 1/(7/16) = 16/7: w = 0 − (2/3)·√7/4 = −√7/6
    s = settings("adam", lr=1.0, beta1=0.5, beta2=0.75, eps=0.0, amsgrad=True)
    steps = run(s, 1, [2, 0])
    assert steps[1][1]["max_exp_avg_sq"] == 1.0 and steps[1][1]["exp_avg_sq"] == 0.75
    close(steps[1][0], -math.sqrt(7) / 6)


def test_adamw_exact():
    # lr = ½, λ = ½: w ← 1·(1 − ¼) = ¾, then the Adam step ½·2/2: w = ¼ (the gradient is not decayed)
    steps = run(settings("adamw", lr=0.5, weight_decay=0.5, beta1=0.5, beta2=0.75, eps=0.0), 1, [2])
    assert steps[0][0] == 0.25 and float(steps[0][2]["grad"][0]) == 2.0
    # Adam's weight decay is coupled: g = 2 + ½·1 = 5/2, m̂ = 5/2, v̂ = 25/4: w = 1 − ½ = ½
    assert run(settings("adam", lr=0.5, weight_decay=0.5, beta1=0.5, beta2=0.75, eps=0.0), 1, [2])[0][0] == 0.5


def test_clip_exact():
    # ‖(3, 4, 12)‖ = 13 over two parameters; scale = 1/(13 + 10⁻⁶)
    c = clip(settings("sgd", clip_norm=1.0), {"W1": np.array([3.0, 4.0]), "b1": np.array([12.0])})
    assert c.norm == 13.0
    scale = F(1) / (13 + F(1, 10**6))
    close(c.scale, scale)
    close(float(c.grads["b1"][0]), 12 * scale)
    # no clipping when c/(‖g‖ + 10⁻⁶) ≥ 1: the gradients are unchanged
    assert clip(settings("sgd", clip_norm=100.0), {"W1": np.array([3.0, 4.0])}).grads["W1"].tolist() == [3.0, 4.0]
    v = clip(settings("sgd", clip_value=1.0), {"W1": np.array([-3.0, 0.5, 2.0])})
    assert v.grads["W1"].tolist() == [-1.0, 0.5, 1.0] and v.clipped == 2


@pytest.mark.parametrize("optimizer, given, key", [
    ("adam", {"beta1": 1.0}, "beta1"), ("adam", {"beta2": -0.1}, "beta2"), ("sgd", {"lr": -1.0}, "lr"),
    ("rmsprop", {"eps": -1e-8}, "eps"), ("sgd", {"clip_norm": 0.0}, "clip_norm"), ("sgd", {"clip_value": -1.0}, "clip_value"),
    ("momentum", {"momentum_form": "keras"}, "momentum_form"), ("adam", {"eps_form": "under"}, "eps_form"),
    ("nesterov", {"momentum": 0.0}, "momentum"), ("lion", {}, "optimizer"), ("sgd", {"lr": math.nan}, "lr"),
])
def test_bad_settings_name_the_setting(optimizer, given, key):
    with pytest.raises(ValueError, match=f"^{key}: expected"):
        settings(optimizer, **given)


def test_defaults_are_torch_optims():
    assert settings("adagrad").eps == 1e-10 and settings("rmsprop").alpha == 0.99
    assert settings("adamw").weight_decay == 0.01 and settings("adam").weight_decay == 0.0
    assert (settings("adam").beta1, settings("adam").beta2, settings("adam").eps) == (0.9, 0.999, 1e-8)
    assert settings("momentum").momentum == 0.9 and settings("rmsprop").momentum == 0.0


# ─────────────────────────────── torch.optim in float64 ───────────────────────────────

CASES = [
    ("sgd", {}), ("sgd", {"weight_decay": 0.1}), ("momentum", {}), ("momentum", {"momentum": 0.5, "weight_decay": 0.05}),
    ("nesterov", {}), ("nesterov", {"weight_decay": 0.1}), ("adagrad", {}), ("adagrad", {"weight_decay": 0.1}),
    ("rmsprop", {}), ("rmsprop", {"centered": True, "momentum": 0.8, "weight_decay": 0.1}),
    ("adam", {}), ("adam", {"amsgrad": True, "weight_decay": 0.1}), ("adam", {"beta1": 0.5, "beta2": 0.9, "eps": 1e-3}),
    ("adamw", {}), ("adamw", {"amsgrad": True, "weight_decay": 0.3}),
    ("adam", {"clip_norm": 0.5}), ("momentum", {"clip_value": 0.2}), ("rmsprop", {"clip_norm": 1.0, "clip_value": 0.3}),
]


def torch_optimizer(torch, s, params):
    o = torch.optim
    if s.optimizer in ("sgd", "momentum", "nesterov"):
        return o.SGD(params, lr=s.lr, momentum=s.momentum, nesterov=s.optimizer == "nesterov", weight_decay=s.weight_decay)
    if s.optimizer == "adagrad":
        return o.Adagrad(params, lr=s.lr, eps=s.eps, weight_decay=s.weight_decay)
    if s.optimizer == "rmsprop":
        return o.RMSprop(params, lr=s.lr, alpha=s.alpha, eps=s.eps, weight_decay=s.weight_decay,
                         momentum=s.momentum, centered=s.centered)
    cls = o.AdamW if s.optimizer == "adamw" else o.Adam
    return cls(params, lr=s.lr, betas=(s.beta1, s.beta2), eps=s.eps, weight_decay=s.weight_decay, amsgrad=s.amsgrad)


@pytest.mark.parametrize("optimizer, given", CASES)
def test_agrees_with_torch_optim_over_steps(optimizer, given):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(14)
    s = settings(optimizer, lr=0.05, **given)
    params = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2), "W2": rng.normal(size=(2, 1))}
    tparams = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    topt = torch_optimizer(torch, s, list(tparams.values()))
    ours = Optimizer(s)
    for _ in range(6):
        grads = {k: rng.normal(scale=2.0, size=v.shape) for k, v in params.items()}
        for k, t in tparams.items():
            t.grad = torch.tensor(grads[k], dtype=torch.float64)
        if s.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(list(tparams.values()), s.clip_norm)
        if s.clip_value is not None:
            torch.nn.utils.clip_grad_value_(list(tparams.values()), s.clip_value)
        topt.step()
        params = ours.step(params, grads)
        for k, t in tparams.items():
            np.testing.assert_allclose(params[k], t.detach().numpy(), rtol=1e-13, atol=1e-15)
            theirs = {n: v for n, v in topt.state[t].items() if n != "step" and (n != "momentum_buffer" or v is not None)}
            assert set(theirs) == set(ours.state[k]), (theirs.keys(), ours.state[k].keys())
            for n, v in theirs.items():
                np.testing.assert_allclose(ours.state[k][n], v.numpy(), rtol=1e-13, atol=1e-15)


def test_cs231n_momentum_gives_torchs_weights_with_velocity_minus_lr_buffer():
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(5, 4))
    for optimizer in ("momentum", "nesterov"):
        a = Optimizer(settings(optimizer, lr=0.1))
        b = Optimizer(settings(optimizer, lr=0.1, momentum_form="cs231n"))
        pa = pb = {"w": rng.normal(size=4)}
        for g in grads:
            pa, pb = a.step(pa, {"w": g}), b.step(pb, {"w": g})
            np.testing.assert_allclose(pa["w"], pb["w"], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(b.state["w"]["velocity"], -0.1 * a.state["w"]["momentum_buffer"], rtol=1e-12)
