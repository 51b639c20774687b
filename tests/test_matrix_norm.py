"""A normalisation layer's matrix form (batchnorm, layernorm): every matrix the page shows multiplies out to the
tape's values (numpy, the closed form of ∂L/∂X included), every one is an independent numpy normalisation's
(forward from the layer's input, backward by the three paths through x̂, σ² and μ — not the closed form) and
PyTorch float64's end to end, and every format, language and order shows it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from backcalc.net.derivation import explain
from backcalc.net.norm_matrices import norm_matrices
from backcalc.net.spec import load_spec
from backcalc.render import bylayer, html, latex, markdown, text
from backcalc.render.format import num

ROOT = Path(__file__).resolve().parents[1]
# a batchnorm with relu over three samples and a layernorm over four units, one after the other
BOTH = {"format": 1, "title": "batchnorm then layernorm",
        "data": {"x": [[0.5, -1.0], [1.5, 0.5], [-0.25, 2.0]], "y": [[1.0], [0.0], [0.5]]},
        "layers": [{"name": "h", "activation": "tanh", "weights": [[0.4, -0.3, 0.9, 0.2], [0.2, 0.6, -0.5, 0.7]],
                    "bias": [0.1, -0.1, 0.0, 0.2]},
                   {"name": "n", "kind": "batchnorm", "gamma": [1.2, 0.8, 1.0, 0.5], "beta": [0.1, -0.2, 0.3, 0.0],
                    "activation": "relu"},
                   {"name": "m", "kind": "layernorm", "gamma": [0.9, 1.1, 1.0, 0.7], "beta": [0.0, 0.1, -0.1, 0.2]},
                   {"name": "o", "activation": "sigmoid", "weights": [[0.7], [-0.5], [0.3], [0.9]], "bias": [0.2]}],
        "loss": {"kind": "mse"}}
CASES = {"batchnorm_221": None, "layernorm": None, "both": BOTH}


def _table(name):
    return CASES[name] or tomllib.loads((ROOT / "worked_examples" / f"{name}.toml").read_text())


def _forms(name):
    d = explain(load_spec(_table(name)))
    return d, norm_matrices(d)


A = lambda v: np.array(v, dtype=float)  # noqa: E731


def _stat(m, values):
    return A(values)[None, :] if m.kind == "batchnorm" else A(values)[:, None]


@pytest.mark.parametrize("name", CASES)
def test_every_matrix_multiplies_out_to_the_tapes_values(name):
    d, forms = _forms(name)
    assert forms and [m.layer for m in forms] == sorted((m.layer for m in forms), reverse=True)
    for m in forms:
        axis = 0 if m.kind == "batchnorm" else 1
        X, Xh, G, dXh = A(m.x), A(m.xhat), A(m.grad_y), A(m.grad_xhat)
        sigma = _stat(m, m.sigma)
        np.testing.assert_allclose((X - _stat(m, m.mu)) / np.sqrt(_stat(m, m.var) + m.eps), Xh, rtol=1e-12)
        np.testing.assert_allclose(np.sqrt(_stat(m, m.var) + m.eps), sigma, rtol=1e-14)
        np.testing.assert_allclose(A(m.grad_a) * A(m.local), G, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose((G * Xh).sum(axis=0), A(m.dgamma), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(G.sum(axis=0), A(m.dbeta), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(A(m.dgamma), d.gradients[f"gamma{m.layer}"], rtol=0)
        np.testing.assert_allclose(G * A(m.gamma)[None, :], dXh, rtol=1e-12, atol=1e-15)
        N = m.count
        assert N == X.shape[axis]
        closed = (N * dXh - dXh.sum(axis=axis, keepdims=True)
                  - Xh * (dXh * Xh).sum(axis=axis, keepdims=True)) / (N * sigma)
        # the tape's ∂L/∂X to rounding: a sum of three paths that nearly cancel, so an absolute bound
        np.testing.assert_allclose(closed, A(m.grad_x), rtol=1e-9, atol=1e-12 * np.abs(dXh).max() / sigma.min())


def _three_paths(X, grad_a, local, gamma, eps, axis):
    """Batchnorm (axis 0) / layernorm (axis 1) forward and backward, by the chain rule through x̂, σ², μ."""
    N = X.shape[axis]
    mu = X.mean(axis=axis, keepdims=True)
    var = ((X - mu) ** 2).mean(axis=axis, keepdims=True)
    xhat = (X - mu) / np.sqrt(var + eps)
    G = grad_a * local
    dxhat = G * gamma
    dvar = (dxhat * (X - mu) * -0.5 * (var + eps) ** -1.5).sum(axis=axis, keepdims=True)
    dmu = (-dxhat / np.sqrt(var + eps)).sum(axis=axis, keepdims=True) + dvar * (-2 * (X - mu)).sum(
        axis=axis, keepdims=True) / N
    dx = dxhat / np.sqrt(var + eps) + dvar * 2 * (X - mu) / N + dmu / N
    return {"xhat": xhat, "grad_y": G, "dgamma": (G * xhat).sum(axis=0), "dbeta": G.sum(axis=0),
            "grad_xhat": dxhat, "grad_x": dx, "mu": mu.ravel(), "var": var.ravel()}


@pytest.mark.parametrize("name", CASES)
def test_every_matrix_is_an_independent_numpy_normalisations(name):
    _, forms = _forms(name)
    for m in forms:
        ref = _three_paths(A(m.x), A(m.grad_a), A(m.local), A(m.gamma), m.eps, 0 if m.kind == "batchnorm" else 1)
        for key, want in ref.items():
            scale = np.abs(want).max()
            np.testing.assert_allclose(A(getattr(m, key)), want, rtol=1e-9, atol=1e-12 * max(scale, 1e-300) + 1e-15,
                                       err_msg=f"{name} layer {m.layer} {key}")


@pytest.mark.parametrize("name", CASES)
def test_every_matrix_is_pytorchs(name):
    torch = pytest.importorskip("torch")
    table = _table(name)
    d, forms = _forms(name)
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "linear": lambda z: z}
    a, kept, params = t(table["data"]["x"]), {}, {}
    for n, layer in enumerate(table["layers"], start=1):
        kept[n - 1] = a
        a.retain_grad() if a.requires_grad else None
        if layer.get("kind") in ("batchnorm", "layernorm"):
            g = params[f"gamma{n}"] = t(layer["gamma"]).requires_grad_()
            b = params[f"beta{n}"] = t(layer["beta"]).requires_grad_()
            axis = 0 if layer["kind"] == "batchnorm" else 1
            mu, var = a.mean(dim=axis, keepdim=True), a.var(dim=axis, keepdim=True, unbiased=False)
            a = act[layer.get("activation", "linear")](g * (a - mu) / torch.sqrt(var + 1e-5) + b)
        else:
            W = params[f"W{n}"] = t(layer["weights"]).requires_grad_()
            a = act[layer["activation"]](a @ W + t(layer["bias"]))
    y = t(table["data"]["y"])
    loss = ((a - y) ** 2).mean() if table["loss"]["kind"] == "mse" else ((a - y) ** 2).sum() / 2
    loss.backward()
    for m in forms:
        np.testing.assert_allclose(A(m.dgamma), params[f"gamma{m.layer}"].grad.numpy(), rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(A(m.dbeta), params[f"beta{m.layer}"].grad.numpy(), rtol=1e-10, atol=1e-15)
        inp = kept[m.layer - 1]
        if inp.grad is not None:
            scale = np.abs(inp.grad.numpy()).max()
            np.testing.assert_allclose(A(m.grad_x), inp.grad.numpy(), rtol=1e-7, atol=1e-9 * scale + 1e-15)


@pytest.mark.parametrize("name", ["batchnorm_221", "layernorm"])
def test_every_format_language_and_order_shows_it(name):
    d, (m,) = _forms(name)
    s = "Σ_s" if m.kind == "batchnorm" else "Σ_u"
    for lang, title in (("en", "Matrix form"), ("id", "Bentuk matriks")):
        pages = [text.render(d, lang=lang), markdown.render(d, lang=lang), html.render(d, lang=lang),
                 html.render(d, lang=lang, order="layer"), bylayer.render(d, lang=lang),
                 bylayer.render(d, lang=lang, fmt="markdown")]
        for page in pages:
            block = page.split(title, 1)[1]
            assert "X̂2 = (a1 − μ2)/√(σ2² + ε)" in block and "dγ2 = Σ_s (G2 ⊙ X̂2)" in block, lang
            assert f"∂L/∂a1 = (1/(N·σ2)) ⊙ (N·∂L/∂X̂2 − {s} ∂L/∂X̂2 − X̂2 ⊙ {s} (∂L/∂X̂2 ⊙ X̂2))" in block
        for order in ("pass", "layer"):
            tex = latex.render(d, lang=lang, order=order)
            assert r"d\gamma_{2} &= \textstyle\sum_{s} (G_{2} \odot \hat X_{2})" in tex, (lang, order)
    # μ and σ² broadcast as numpy's: a row per unit (batchnorm), a column per sample (layernorm)
    page = text.render(d)
    mu = [[num(v, 5) for v in m.mu]] if m.kind == "batchnorm" else [[num(v, 5)] for v in m.mu]
    assert " − [" + ", ".join("[" + ", ".join(r) + "]" for r in mu) + "])/√(" in page
    # the layers in order from the output: o, then n, then h
    block = page.split("Matrix form", 1)[1]
    assert block.index("Layer 3 (o") < block.index("Layer 2 (n") < block.index("Layer 1 (h")
