"""Each layer kind's symbolic working (batchnorm, layernorm, conv, pooling, rnn, skip, dropout): every page shows
it in both languages; its instance rows, read with the page's numbers, give the tape's gradients; and the general
formulas it writes (the compact batchnorm ∂L/∂x, ∂L/∂W as the sum over positions, ∂L/∂x as the full correlation
with the flipped kernel) hold against PyTorch float64 (skipped without torch)."""

import html as htmllib
import re
from pathlib import Path

import numpy as np
import pytest

from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec
from backcalc.net.symbolic import symbolic_working
from backcalc.render import html, latex, markdown, text
from backcalc.render.labels_working import working_labels

ROOT = Path(__file__).resolve().parents[1]
# worked example → (layer name, topic) of the layer workings it must show
KINDS = {
    "batchnorm_221": [("n", "batchnorm")],
    "layernorm": [("n", "layernorm")],
    "conv_pool": [("p", "maxpool"), ("c", "conv")],
    "conv1d_two_channel": [("p", "avgpool"), ("c", "conv")],
    "rnn_last_step": [("r", "rnn")],
    "residual_block": [("r", "skip")],
    "dropout_231": [("h", "dropout")],
}
# a formula of each topic as the LaTeX page sets it
TEX = {"batchnorm": r"\hat{x}_{sc}", "layernorm": r"\mu_{s}", "conv": r"W_{oc}(k)", "maxpool": r"\operatorname{argmax}",
       "avgpool": r"\sum_{i: s \cdot i + k = j}", "rnn": r"h_{t-1}", "skip": r"\frac{\partial L}{\partial h1_{\text{out}}}",
       "dropout": r"m_{h1}"}


def _derivation(name):
    return explain(load_spec(str(ROOT / "worked_examples" / f"{name}.toml")))


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_shows_its_own_working_in_every_format_and_both_languages(name):
    d = _derivation(name)
    topics = [(b.layers[0], b.topic) for b in symbolic_working(d) if b.topic in working_labels("en")["topic"]
              and b.topic not in ("loss", "activation", "weighted_sum", "delta_rule")]
    assert topics == KINDS[name]
    for lang in ("en", "id"):
        W = working_labels(lang)
        titles = [W["topic"][topic].format(layers=layer, name="", unit="") for layer, topic in topics]
        pages = {"text": text.render(d, lang=lang), "markdown": markdown.render(d, lang=lang)}
        for fmt, page in pages.items():
            assert all(t in page for t in titles), (fmt, lang)
        page = html.render(d, lang=lang)
        assert all(htmllib.escape(t) in page for t in titles), ("html", lang)
        tex = latex.render(d, lang=lang)
        assert all(TEX[topic] in tex for _, topic in topics), lang


def _rows(d, topic):
    return next(b.working.lines for b in symbolic_working(d) if b.topic == topic)


def test_rnn_instance_row_read_with_the_page_numbers_is_the_tapes_gradient():
    d = _derivation("rnn_last_step")
    row = _rows(d, "rnn")[-1]
    assert row.lhs == "∂L/∂w_r1r1"
    delta = {(x.unit, x.sample): x.value for x in d.deltas}
    h = np.asarray(d.forward["h1"])[0]          # steps × units of sample 1; r1t0 is h0 = 0 in this example
    total = 0.0
    terms = row.rhs.split(" + ")
    assert len(terms) == 3
    for term in terms:
        m = re.fullmatch(r"∂L/∂r1t(\d)_in·r1t(\d)(_out)?", term)
        t, prev = int(m.group(1)), int(m.group(2))
        total += delta[(f"r1t{t}", 1)] * (h[prev - 1, 0] if prev else 0.0)
    assert total == pytest.approx(d.gradients["Wh1"][0][0], rel=1e-12, abs=1e-15)


def test_batchnorm_instance_row_read_with_the_page_numbers_is_the_tapes_gradient():
    d = _derivation("batchnorm_221")
    row = _rows(d, "batchnorm")[-1]
    assert (row.lhs, row.rhs) == ("∂L/∂gamma_n1", "Σ_s ∂L/∂n1_in·xhat_n1")
    delta = {(x.unit, x.sample): x.value for x in d.deltas}
    xhat = np.asarray(d.forward["xhat2"])
    total = sum(delta[("n1", s + 1)] * xhat[s, 0] for s in range(xhat.shape[0]))
    assert total == pytest.approx(d.gradients["gamma2"][0], rel=1e-12)


def test_dropout_row_scale_is_the_masks():
    d = _derivation("dropout_231")
    rows = _rows(d, "dropout")
    layer = d.spec.layers[0]
    assert rows[1].rhs == f"m_h1/(1 − {layer.dropout.p!r})"
    # δ_h1 = ∂L/∂h1_drop·m_h1/(1 − p)·σ′(h1_in), with ∂L/∂h1_drop = δ_o·w_h1o (the next layer reads h1_drop)
    delta = {(x.unit, x.sample): x for x in d.deltas}
    w = d.spec.layers[1].weights[0, 0]
    for s in (1, 2):
        m, h1 = layer.dropout.mask[s - 1, 0], delta[("h1", s)]
        assert h1.value == pytest.approx(delta[("o", s)].value * w * m / (1 - layer.dropout.p) * h1.local,
                                         rel=1e-12, abs=1e-15)
    assert {layer.dropout.mask[0, 0], layer.dropout.mask[1, 0]} == {0.0, 1.0}   # a kept and a dropped h1


def test_compact_norm_formula_is_pytorchs_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for axis in (0, 1):   # batchnorm: over the samples; layernorm: over the units of a sample
        x = torch.tensor(rng.normal(size=(3, 4)), dtype=torch.float64, requires_grad=True)
        g = torch.tensor(rng.normal(size=(3, 4)), dtype=torch.float64)   # ∂L/∂x̂, any
        eps = 1e-5
        mu, var = x.mean(axis, keepdim=True), x.var(axis, unbiased=False, keepdim=True)
        xhat = (x - mu) / torch.sqrt(var + eps)
        (xhat * g).sum().backward()
        n = x.shape[axis]
        xh, gn, root = xhat.detach().numpy(), g.numpy(), np.sqrt(var.detach().numpy() + eps)
        # the working's last row: (N·∂L/∂x̂ − Σ_r ∂L/∂x̂_r − x̂·Σ_r ∂L/∂x̂_r·x̂_r)/(N·√(var + eps))
        compact = (n * gn - gn.sum(axis, keepdims=True) - xh * (gn * xh).sum(axis, keepdims=True)) / (n * root)
        np.testing.assert_allclose(compact, x.grad.numpy(), rtol=1e-10, atol=1e-13)
        # the three paths, as the row above it writes them
        dvar = (gn * (x.detach().numpy() - mu.detach().numpy()) * -0.5 * root ** -3).sum(axis, keepdims=True)
        dmu = (-gn / root).sum(axis, keepdims=True) + dvar * (-2 * (x.detach().numpy() - mu.detach().numpy()) / n).sum(
            axis, keepdims=True)
        paths = gn / root + dvar * 2 * (x.detach().numpy() - mu.detach().numpy()) / n + dmu / n
        np.testing.assert_allclose(paths, x.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_conv_sums_and_the_flipped_kernel_are_pytorchs_gradients():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    rng = np.random.default_rng(1)
    x = torch.tensor(rng.normal(size=(1, 2, 4, 5)), dtype=torch.float64, requires_grad=True)
    w = torch.tensor(rng.normal(size=(3, 2, 2, 3)), dtype=torch.float64, requires_grad=True)
    z = F.conv2d(x, w)
    g = torch.tensor(rng.normal(size=z.shape), dtype=torch.float64)
    (z * g).sum().backward()
    xn, wn, gn = x.detach().numpy()[0], w.detach().numpy(), g.numpy()[0]
    O, C, KH, KW = wn.shape
    OH, OW = gn.shape[1:]
    # ∂L/∂W_oc(k) = Σ_i ∂L/∂z_o(i)·x_c(i + k)
    dW = np.array([[[[sum(gn[o, i, j] * xn[c, i + p, j + q] for i in range(OH) for j in range(OW))
                      for q in range(KW)] for p in range(KH)] for c in range(C)] for o in range(O)])
    np.testing.assert_allclose(dW, w.grad.numpy(), rtol=1e-12)
    # ∂L/∂x_c(j) = Σ_o Σ_k ∂L/∂z_o(j − K + 1 + k)·W_oc(K − 1 − k): ∂L/∂z padded with K − 1 zeros, kernel flipped
    padded = np.pad(gn, ((0, 0), (KH - 1, KH - 1), (KW - 1, KW - 1)))
    flipped = wn[:, :, ::-1, ::-1]
    dx = np.array([[[sum(padded[o, r + p, s + q] * flipped[o, c, p, q] for o in range(O) for p in range(KH)
                         for q in range(KW)) for s in range(xn.shape[2])] for r in range(xn.shape[1])]
                    for c in range(C)])
    np.testing.assert_allclose(dx, x.grad.numpy()[0], rtol=1e-12)


def test_skip_row_read_with_the_page_numbers_is_the_forks_gradient():
    """∂L/∂h1_out = Σ_k ∂L/∂k_in·∂k_in/∂h1_out + ∂L/∂r1_out·1: the paths through layer g's weights plus the skip."""
    d = _derivation("residual_block")
    row = _rows(d, "skip")[-1]
    assert (row.lhs, row.rhs) == ("∂L/∂h1_out", "Σ_k ∂L/∂k_in·∂k_in/∂h1_out + ∂L/∂r1_out·1")
    delta = {(x.unit, x.sample): x.value for x in d.deltas}
    up = {(u.unit, u.sample): u.value for u in d.upstream}
    W2 = d.spec.layers[1].weights                        # h → g
    for s in (1, 2):
        through = sum(delta[(k, s)] * W2[0, j] for j, k in enumerate(("g1", "g2")))
        assert through + up[("r1", s)] == pytest.approx(up[("h1", s)], rel=1e-12)
        assert through != pytest.approx(up[("h1", s)], rel=1e-3)   # the skip's own path is not negligible here


def test_pool_rows_with_the_page_numbers_route_the_gradient():
    """avg: ∂L/∂a1_c(j) = Σ_(i: s·i + k = j) ∂L/∂a2_c(i)·1/2; max: the window's winner m(i) alone gets ∂L/∂a2_c(i)."""
    d = _derivation("conv1d_two_channel")
    rows = _rows(d, "avgpool")
    assert rows[3].rhs == "1/2" and rows[0].rhs == "2"           # share 1/size, stride s = 2
    up = {(u.unit, u.sample): u.value for u in d.upstream}
    for c in (1, 2):
        for j in range(4):                                          # windows i = j // 2 (size 2, stride 2)
            assert up[(f"c{c}{j + 1}", 1)] == pytest.approx(up[(f"p{c}{j // 2 + 1}", 1)] * 0.5, rel=1e-12)
    d = _derivation("conv_pool")
    a1 = np.asarray(d.forward["a1"])[0, 0].reshape(-1)             # the one 2×2 window, row-major
    winner = int(np.argmax(a1))                                     # m(i): the first maximum in row-major order
    units = d.spec.layers[0].unit_names
    up = {(u.unit, u.sample): u.value for u in d.upstream}
    pooled = up[(d.spec.layers[1].unit_names[0], 1)]
    assert [up[(u, 1)] for u in units] == [pooled if k == winner else 0.0 for k in range(len(units))]
