"""The matrix form's extras — dropout's mask in δ, a skip's sum in ∂L/∂a, an l1/l2 penalty's term in dW — and a
convolution's im2col view: every matrix the page shows multiplies out (numpy), its dW, db and new weights are
PyTorch float64's (skipped without torch), and every format and language shows them."""

from pathlib import Path

import numpy as np
import pytest

from backcalc.net.derivation import explain
from backcalc.net.im2col import conv_matrices
from backcalc.net.matrix_form import matrix_form
from backcalc.net.spec import load_spec
from backcalc.render import html, latex, markdown, text

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ["dropout_231", "residual_block", "l2_221"]
CONVS = ["conv_pool", "conv1d_two_channel"]


def _spec(name):
    return load_spec(str(ROOT / "worked_examples" / f"{name}.toml"))


def _torch_dense(torch, spec):
    """∂L/∂parameter of a dense net with skips, dropout masks and an l1/l2 penalty, written out in torch."""
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec.parameters().items()}
    acts = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "linear": lambda z: z}
    a = torch.tensor(spec.x, dtype=torch.float64)
    outs = [a]
    for layer in spec.layers:
        n = layer.index
        a = acts[layer.activation](a @ params[f"W{n}"] + (params[f"b{n}"] if f"b{n}" in params else 0))
        if layer.skip is not None:
            a = a + outs[layer.skip]
        if layer.dropout is not None:
            a = a * torch.tensor(layer.dropout.mask) / (1 - layer.dropout.p)
        outs.append(a)
    y = torch.tensor(spec.y, dtype=torch.float64)
    per = {"mse": ((a - y) ** 2).mean(dim=1), "half_sse": ((a - y) ** 2).sum(dim=1) / 2,
           "sse": ((a - y) ** 2).sum(dim=1)}[spec.loss]
    loss = per.mean() if spec.reduction == "mean" else per.sum()
    reg = spec.training.regularization if spec.training is not None else None
    if reg is not None:
        for key, t in params.items():
            if reg.applies_to(key.rstrip("0123456789")):
                loss = loss + reg.l2 * (t ** 2).sum() + reg.l1 * t.abs().sum()
    loss.backward()
    return {k: p.grad.numpy() for k, p in params.items()}


@pytest.mark.parametrize("name", EXTRAS)
def test_extras_matrices_are_pytorchs(name):
    torch = pytest.importorskip("torch")
    spec = _spec(name)
    d = explain(spec)
    grads = _torch_dense(torch, spec)
    form = matrix_form(d)
    assert [m.layer for m in form] == [x.index for x in reversed(spec.layers)]
    for m in form:
        n = m.layer
        np.testing.assert_allclose(np.array(m.dW), grads[f"W{n}"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(np.array(m.db), grads[f"b{n}"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(np.array(m.W_new), spec.layers[n - 1].weights - spec.learning_rate * grads[f"W{n}"],
                                   rtol=1e-10)


def test_each_extra_shows_its_own_term():
    rows = {name: [m for m in matrix_form(explain(_spec(name)))] for name in EXTRAS}
    assert [m.p for m in rows["dropout_231"]] == [None, 0.5] and rows["dropout_231"][0].prev_dropped
    assert [[k for k, _ in m.skips] for m in rows["residual_block"]] == [[], [], [3], []]   # r adds h's output
    assert all(m.penalty == (0.01, 0.0) and m.W_term is not None for m in rows["l2_221"])
    pages = {name: text.render(explain(_spec(name))) for name in EXTRAS}
    assert "δ1 = ∂L/∂drop1 ⊙ (M1/(1 − 0.5)) ⊙ f′(z1)" in pages["dropout_231"]
    assert "dW2 = drop1ᵀ·δ2" in pages["dropout_231"]
    assert "∂L/∂a1 = δ2·W2ᵀ + ∂L/∂a3" in pages["residual_block"]
    assert "dW1 = xᵀ·δ1 + 2·0.01·W1" in pages["l2_221"]


@pytest.mark.parametrize("name", CONVS)
def test_im2col_multiplies_out_to_the_tapes_and_pytorchs_gradient(name):
    spec = _spec(name)
    d = explain(spec)
    (c,) = conv_matrices(d)
    P, delta = np.array(c.patches), np.array(c.delta)
    np.testing.assert_allclose(P.T @ delta, np.array(c.dW_flat), rtol=1e-12, atol=1e-15)
    W = spec.layers[0].weights
    np.testing.assert_allclose(np.array(c.dW_flat).T.reshape(W.shape), np.array(d.gradients["W1"]), rtol=1e-12)
    np.testing.assert_allclose(np.array(c.dW), np.array(d.gradients["W1"]), rtol=1e-12)
    np.testing.assert_allclose(delta.sum(axis=0), np.array(c.db), rtol=1e-12, atol=1e-15)
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    layer = spec.layers[0]
    x = torch.tensor(np.asarray(spec.x, dtype=float).reshape(spec.samples, *layer.in_shape))
    w = torch.tensor(W, requires_grad=True)
    conv = F.conv2d if x.dim() == 4 else F.conv1d
    z = conv(x, w, stride=tuple(layer.stride), padding=tuple(layer.padding))
    # δ's rows are (sample, position), its columns output channels: back to samples × channels × positions
    z.backward(torch.tensor(delta.reshape(spec.samples, -1, delta.shape[1]).transpose(0, 2, 1).reshape(z.shape)))
    np.testing.assert_allclose(np.array(c.dW), w.grad.numpy(), rtol=1e-12, atol=1e-15)
    # the patches are PyTorch's unfold of the input (im2col): one column per window there, one row here
    x4 = x if x.dim() == 4 else x.unsqueeze(2)
    k, stride = (W.shape[2:], tuple(layer.stride)) if x.dim() == 4 else ((1, W.shape[2]), (1, layer.stride[0]))
    pad = tuple(layer.padding) if x.dim() == 4 else (0, layer.padding[0])
    unfolded = F.unfold(x4, k, stride=stride, padding=pad)
    np.testing.assert_allclose(P, unfolded.transpose(1, 2).reshape(-1, P.shape[1]).numpy(), rtol=0)


def test_every_format_and_language_shows_the_new_matrices():
    for name, needle in (("conv_pool", "im2col"), ("dropout_231", "drop1"), ("residual_block", "∂L/∂a3"),
                         ("l2_221", "0.01")):
        d = explain(_spec(name))
        for lang in ("en", "id"):
            for render in (text.render, markdown.render, html.render):
                page = render(d, lang=lang)
                title = "Matrix form" if lang == "en" else "Bentuk matriks"
                assert title in page and needle in page.split(title, 1)[1], (name, render.__module__, lang)
            tex = latex.render(d, lang=lang)
            assert {"conv_pool": r"\operatorname{im2col}(x)", "dropout_231": r"\mathrm{drop}_{1}",
                    "residual_block": r"\frac{\partial L}{\partial a_{3}}",
                    "l2_221": r"2 \cdot 0.01\, W_{1}"}[name] in tex, (name, lang)
