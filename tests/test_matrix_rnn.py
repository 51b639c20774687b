"""A recurrent layer's matrix form (backprop through time with the actual matrices): every matrix the page shows
multiplies out to the tape's own values (numpy), every one is an independent numpy BPTT's written out below from
the spec's table alone (and PyTorch float64's dWx, dWh, db where torch is installed), and every format, language
and order shows it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from backcalc.net.derivation import explain
from backcalc.net.matrix_form import matrix_form
from backcalc.net.rnn_matrices import rnn_matrices
from backcalc.net.spec import load_spec
from backcalc.render import bylayer, html, latex, markdown, text
from backcalc.render.format import num

ROOT = Path(__file__).resolve().parents[1]

# two samples, two features, four steps, a per-sample h0, sigmoid, a two-unit head on H_T, mse
LAST_MSE = {"format": 1, "title": "rnn, mse",
            "data": {"x": [[[1.0, -0.5], [0.5, 0.25], [-1.0, 2.0], [0.75, -0.25]],
                           [[-0.5, 1.0], [2.0, 0.5], [0.25, -1.5], [1.0, 1.0]]],
                     "y": [[0.5, -0.25], [0.0, 1.0]]},
            "layers": [{"kind": "rnn", "name": "r", "activation": "sigmoid",
                        "weights_x": [[0.5, -1.0], [0.25, 0.75]], "weights_h": [[0.5, 0.25], [-0.5, 1.0]],
                        "bias": [0.1, -0.2], "h0": [[0.1, -0.3], [0.2, 0.4]]},
                       {"name": "o", "activation": "linear", "weights": [[1.0, 0.5], [-1.0, 0.25]],
                        "bias": [0.0, 0.1]}],
            "loss": {"kind": "mse"}, "train": {"learning_rate": 0.05}}
# two samples, relu (no pre-activation at 0), a head at every step, half_sse
EVERY_RELU = {"format": 1, "title": "rnn, relu, every step",
              "data": {"x": [[[1.0], [0.5], [-1.0]], [[0.25], [-0.75], [1.5]]],
                       "y": [[[0.5], [-0.5], [0.25]], [[0.0], [1.0], [-1.0]]]},
              "layers": [{"kind": "rnn", "name": "r", "activation": "relu", "weights_x": [[0.5, -1.0]],
                          "weights_h": [[0.5, 0.25], [-0.5, 1.0]], "bias": [0.3, 0.6], "return_sequences": True},
                         {"name": "o", "activation": "linear", "weights": [[1.0], [-1.0]], "bias": [0.0]}],
              "loss": {"kind": "half_sse"}}


def _table(name):
    if isinstance(name, dict):
        return name
    return tomllib.loads((ROOT / "worked_examples" / f"{name}.toml").read_text())


CASES = ["rnn_last_step", "rnn_every_step", LAST_MSE, EVERY_RELU]
IDS = ["rnn_last_step", "rnn_every_step", "last_mse", "every_relu"]


def _derive(case):
    table = _table(case)
    return table, explain(load_spec(table))


ACT = {"tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
       "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
       "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float))}


def _bptt(table):
    """Backprop through time from the spec's table alone: every step's ∂L/∂H_t, f′(Z_t), δ_t, the head's δ,
    ∂L/∂X_t and the sums dWx, dWh, db (a linear head; half_sse summed, mse averaged over samples and outputs)."""
    r, o = table["layers"]
    f, df = ACT[r.get("activation", "tanh")]
    X = np.array(table["data"]["x"], dtype=float)
    S, T, _ = X.shape
    Wx, Wh, b = (np.array(r[k], dtype=float) for k in ("weights_x", "weights_h", "bias"))
    W2, b2 = np.array(o["weights"], dtype=float), np.array(o["bias"], dtype=float)
    H = [np.broadcast_to(np.array(r.get("h0", [[0.0] * len(b)]), dtype=float), (S, len(b)))]
    Z = []
    for t in range(T):
        Z.append(X[:, t] @ Wx + H[-1] @ Wh + b)
        H.append(f(Z[-1]))
    Y = np.array(table["data"]["y"], dtype=float)
    every = r.get("return_sequences", False)
    scale = 1.0 if table["loss"]["kind"] == "half_sse" else 2.0 / (S * W2.shape[1])
    G = {t: (H[t] @ W2 + b2 - Y[:, t - 1]) * scale for t in range(1, T + 1)} if every else \
        {T: (H[T] @ W2 + b2 - Y) * scale}
    out = {"dWx": 0, "dWh": 0, "db": 0}
    grad_h = G[T] @ W2.T
    for t in range(T, 0, -1):
        delta = grad_h * df(Z[t - 1])
        out[t] = {"grad_h": grad_h, "local": df(Z[t - 1]), "delta": delta, "head": G.get(t), "x": X[:, t - 1],
                  "h_prev": H[t - 1], "grad_x": delta @ Wx.T}
        out["dWx"] = out["dWx"] + X[:, t - 1].T @ delta
        out["dWh"] = out["dWh"] + H[t - 1].T @ delta
        out["db"] = out["db"] + delta.sum(axis=0)
        grad_h = delta @ Wh.T + (G[t - 1] @ W2.T if t - 1 in G else 0)
    return out


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_matrix_multiplies_out_to_the_tapes_values(case):
    _, d = _derive(case)
    (r,) = rnn_matrices(d)
    Wx, Wh, W2 = np.array(r.Wx), np.array(r.Wh), np.array(r.head_W)
    by_t = {s.t: s for s in r.steps}
    assert [s.t for s in r.steps] == list(range(len(r.steps), 0, -1))
    for s in r.steps:
        A = lambda v: np.array(v, dtype=float)  # noqa: E731
        head = A(s.head_delta) @ W2.T if s.head_delta is not None else 0.0
        back = A(by_t[s.t + 1].delta) @ Wh.T if s.t + 1 in by_t else 0.0
        np.testing.assert_allclose(head + back, A(s.grad_h), rtol=1e-12, atol=1e-15)     # ∂L/∂H_t
        np.testing.assert_allclose(A(s.grad_h) * A(s.local), A(s.delta), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(A(s.delta) @ Wx.T, A(s.grad_x), rtol=1e-12, atol=1e-15)
    dWx = sum(np.array(s.x).T @ np.array(s.delta) for s in r.steps)
    dWh = sum(np.array(s.h_prev).T @ np.array(s.delta) for s in r.steps)
    db = sum(np.array(s.delta).sum(axis=0) for s in r.steps)
    for mine, tape in ((dWx, r.dWx), (dWh, r.dWh), (db, r.db)):
        np.testing.assert_allclose(mine, np.array(tape), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.array(r.dWx), d.gradients["Wx1"], rtol=0)   # the tape's gradients themselves
    np.testing.assert_allclose(np.array(r.dWh), d.gradients["Wh1"], rtol=0)
    if r.new is not None:
        for k, grad in (("Wx", dWx), ("Wh", dWh), ("b", db)):
            old = np.array(_table(case)["layers"][0][{"Wx": "weights_x", "Wh": "weights_h", "b": "bias"}[k]])
            np.testing.assert_allclose(np.array(r.new[k]), old - r.learning_rate * grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_matrix_is_an_independent_numpy_bptts(case):
    table, d = _derive(case)
    (r,) = rnn_matrices(d)
    ref = _bptt(table)
    close = lambda a, b: np.testing.assert_allclose(np.array(a, dtype=float), b, rtol=1e-12, atol=1e-14)  # noqa: E731
    for s in r.steps:
        want = ref[s.t]
        for key in ("grad_h", "local", "delta", "x", "h_prev", "grad_x"):
            close(getattr(s, key), want[key])
        assert (s.head_delta is None) == (want["head"] is None)
        if s.head_delta is not None:
            close(s.head_delta, want["head"])
    close(r.dWx, ref["dWx"])
    close(r.dWh, ref["dWh"])
    close(r.db, ref["db"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_sums_over_the_steps_are_pytorchs(case):
    torch = pytest.importorskip("torch")
    table, d = _derive(case)
    (r,) = rnn_matrices(d)
    rl, o = table["layers"]
    t64 = lambda v, grad=False: torch.tensor(v, dtype=torch.float64, requires_grad=grad)  # noqa: E731
    Wx, Wh, b = (t64(rl[k], True) for k in ("weights_x", "weights_h", "bias"))
    X = t64(table["data"]["x"])
    f = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[rl.get("activation", "tanh")]
    h = t64(rl.get("h0", [[0.0] * len(rl["bias"])])).expand(X.shape[0], -1)
    hs = []
    for t in range(X.shape[1]):
        h = f(X[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    W2, b2, Y = t64(o["weights"]), t64(o["bias"]), t64(table["data"]["y"])
    if rl.get("return_sequences", False):
        out = torch.stack([x @ W2 + b2 for x in hs], dim=1)
    else:
        out = hs[-1] @ W2 + b2
    loss = ((out - Y) ** 2).sum() / 2 if table["loss"]["kind"] == "half_sse" else ((out - Y) ** 2).mean()
    loss.backward()
    for mine, theirs in ((r.dWx, Wx), (r.dWh, Wh), (r.db, b)):
        np.testing.assert_allclose(np.array(mine), theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_the_dense_head_on_h_T_has_its_matrix_form_and_a_head_at_every_step_has_none():
    last = explain(load_spec(_table("rnn_last_step")))
    (m,) = matrix_form(last)
    assert m.layer == 2 and np.allclose(m.a_prev, np.array(last.forward["h1"])[:, -1, :])
    np.testing.assert_allclose(np.array(m.a_prev).T @ np.array(m.delta), np.array(m.dW), rtol=1e-12)
    (r,) = rnn_matrices(last)
    np.testing.assert_allclose(m.grad_a_prev, r.steps[0].grad_h, rtol=0)   # the head's ∂L/∂a1 is ∂L/∂H_T
    assert matrix_form(explain(load_spec(_table("rnn_every_step")))) == ()


def test_the_page_shows_the_records_matrices():
    _, d = _derive("rnn_every_step")
    page = text.render(d)
    block = page.split("Matrix form", 1)[1]
    (r,) = rnn_matrices(d)
    s2, s3 = r.steps[1], r.steps[0]
    M = lambda rows: "[" + ", ".join("[" + ", ".join(num(v, 5) for v in row) + "]" for row in rows) + "]"  # noqa: E731
    assert "∂L/∂H_2 = δ2_2·W2ᵀ + δ_3·Wh1ᵀ" in block
    assert f"= {M(s2.head_delta)}·[[1, -1]] + {M(s3.delta)}·[[0.5, -0.5], [0.25, 1]]" in block
    assert f"= {M(s2.grad_h)} ⊙ {M(s2.local)}" in block
    assert "dWh1 = H_0ᵀ·δ_1 + H_1ᵀ·δ_2 + H_2ᵀ·δ_3" in block and f"= {M(r.dWh)}" in block
    assert "∂L/∂H_2 = δ_3·Wh1ᵀ\n" in text.render(explain(load_spec(_table("rnn_last_step"))))


@pytest.mark.parametrize("case", ["rnn_last_step", "rnn_every_step"])
def test_every_format_language_and_order_shows_it(case):
    _, d = _derive(case)
    for lang, title, note in (("en", "Matrix form", "backprop through time"),
                              ("id", "Bentuk matriks", "propagasi balik melalui waktu")):
        pages = [text.render(d, lang=lang), markdown.render(d, lang=lang), html.render(d, lang=lang),
                 html.render(d, lang=lang, order="layer"), bylayer.render(d, lang=lang),
                 bylayer.render(d, lang=lang, fmt="markdown")]
        for page in pages:
            assert title in page and note in page.split(title, 1)[1], lang
            assert "dWh1 = H_0ᵀ·δ_1 + H_1ᵀ·δ_2 + H_2ᵀ·δ_3" in page
        for order in ("pass", "layer"):
            tex = latex.render(d, lang=lang, order=order)
            assert r"\delta_{t=3} &= \frac{\partial L}{\partial H_{t=3}} \odot f'(Z_{t=3})" in tex, (lang, order)
            assert r"dW_{h1} &= H_{t=0}^{\mathsf T} \delta_{t=1}" in tex
