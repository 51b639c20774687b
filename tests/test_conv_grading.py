"""check of conv and pool nets: answer keys by canonical key and display name against the 40-digit reference and
PyTorch float64 (skipped without torch), every printed number checks correct, the catalogue's own backward pass
equals the tape, and each conv/pool mistake — computed here independently, by loops over the definition — is
named exactly, while a right sheet and a sheet with another error get none of these names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import reference
from backcalc.grading import conv_mistakes
from backcalc.grading.grade import check_answers
from backcalc.grading.spaces import answer_space as AnswerSpace
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [ROOT / "worked_examples" / "conv_pool.toml", ROOT / "worked_examples" / "conv1d_two_channel.toml"]
CONV_CODES = {"kernel_flipped", "kernel_gradient_flipped", "kernel_not_flipped", "one_position", "pool_spread",
              "pool_spread_whole", "pool_to_max"}


def _random(stride=1, padding=0, activation="tanh", pool="maxpool2d", samples=2):
    rng = np.random.default_rng(11)
    x = np.round(rng.normal(size=(samples, 2, 5, 4)), 2)
    W = np.round(rng.normal(size=(2, 2, 2, 2)) / 2, 2)
    layers = [{"kind": "conv2d", "name": "c", "weights": W.tolist(), "bias": [0.1, -0.2], "stride": stride,
               "padding": padding, "activation": activation},
              {"kind": pool, "name": "p", "size": 2, "stride": 1}, {"kind": "flatten", "name": "f"},
              {"name": "o", "activation": "sigmoid", "units": 2, "init": "normal:0.4"}]
    return {"format": 1, "seed": 5, "data": {"x": x.tolist(), "y": [[0.5, -0.5], [1.0, 0.0]][:samples]},
            "layers": layers, "train": {"learning_rate": 0.5}}


SPECS = [lambda: load_spec(EXAMPLES[0]), lambda: load_spec(EXAMPLES[1]), lambda: load_spec(_random()),
         lambda: load_spec(_random(2, 1, "relu", "avgpool2d")), lambda: load_spec(_random([1, 2], [1, 0], "elu"))]


@pytest.mark.parametrize("make", SPECS)
def test_catalogue_backward_with_no_mistake_equals_the_tape(make):
    sp = AnswerSpace(explain(make()))
    run = conv_mistakes.backward(sp)
    for key, g in sp.grads.items():
        assert np.allclose(run[key[0]][int(key[1:])], g, rtol=1e-12, atol=1e-14), key
    for n in range(1, sp.N + 1):
        assert np.allclose(run["out"][n], sp.g_out[n], rtol=1e-12, atol=1e-14), n
        if n in sp.z:
            assert np.allclose(run["delta"][n], sp.delta[n], rtol=1e-12, atol=1e-14), n
    if sp.g_x is not None:
        assert np.allclose(run["dx"], sp.g_x, rtol=1e-12, atol=1e-14)
    # the check can fail: a flipped kernel gradient differs from the tape on an unsymmetric kernel
    flipped = conv_mistakes.backward(sp, flip=("kernel_gradient", 1))
    assert not np.allclose(flipped["W"][1], sp.grads["W1"])


def _items(sp):
    """Every answerable item of a map net, by display name and by canonical key, and every per-position factor
    (∂pos_in/∂w, ∂pos_in/∂b, ∂pos_in/∂source, ∂pool_out/∂in_out)."""
    out = {}
    for section in ("forward", "factors", "gradients", "updated"):
        for name in sp.names(section):
            for item in sp.name_items(section, name, quiet=True):
                out[item.key] = item
            if name[:1] in "Wbza" and name[1:].isdigit():
                for item in sp.array_items(section, name[0], int(name[1:])):
                    out[item.key] = item
    for layer in sp.spec.layers:
        n = layer.index
        sources = sp.spec.unit_names(n - 1)
        if not hasattr(layer, "out_shape"):
            continue
        for u in layer.unit_names:
            top = f"∂{u}_in" if n in sp.z else f"∂{u}_out"
            dens = [f"{v}_out" if n > 1 else v for v in sources] + [p for p in sp.params if sp.params[p].layer == n]
            for den in dens:
                for item in sp.name_items("factors", f"{top}/∂{den}", quiet=True):
                    out[item.key] = item
    return out


@pytest.mark.parametrize("path", EXAMPLES)
def test_keys_match_the_40_digit_reference(path):
    spec = load_spec(path)
    sp = AnswerSpace(explain(spec))
    items = _items(sp)
    grads = reference.gradients(spec)
    new, _, _ = reference.sgd(spec)
    for key, g in grads.items():
        assert items[f"gradients.{key}"].expected == pytest.approx(float(g), rel=1e-12, abs=1e-14), key
        idx = tuple(int(i) for i in key.split("[", 1)[1].rstrip("]").split("]["))
        ref_new = new[key.split("[")[0]]
        for i in idx:
            ref_new = ref_new[i]
        assert items[f"updated.{key}"].expected == pytest.approx(float(ref_new), rel=1e-12, abs=1e-14), key
    trace, total = reference.forward(spec, reference._params(spec))
    assert items["loss"].expected if "loss" in items else sp.loss_item("loss").expected == pytest.approx(float(total))
    for s, layers in enumerate(trace):
        for n, (z, a) in enumerate(layers, start=1):
            flat_a = reference._flat(a)
            for c, v in enumerate(flat_a):
                assert sp.forward_item("a", n, s, c).expected == pytest.approx(float(v), rel=1e-12, abs=1e-14)
            if n in sp.z:
                for c, v in enumerate(z):
                    assert sp.forward_item("z", n, s, c).expected == pytest.approx(float(v), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("make", SPECS[:4])
def test_factors_match_torch(make):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    spec = make()
    sp = AnswerSpace(explain(spec))
    params = {k: torch.tensor(v, dtype=torch.float64) for k, v in spec.parameters().items()}
    x = torch.tensor(np.asarray(spec.x, dtype=float), dtype=torch.float64, requires_grad=True)
    a, kept = x, {}
    for layer in spec.layers:
        n = layer.index
        if layer.kind in ("conv2d", "conv1d"):
            conv = F.conv2d if layer.kind == "conv2d" else F.conv1d
            z = conv(a, params[f"W{n}"], params[f"b{n}"], stride=layer.stride, padding=layer.padding)
        elif "pool" in layer.kind:
            pool = {"maxpool2d": F.max_pool2d, "avgpool2d": F.avg_pool2d, "maxpool1d": F.max_pool1d,
                    "avgpool1d": F.avg_pool1d}[layer.kind]
            z = pool(a, layer.size, layer.stride)
        elif layer.kind == "flatten":
            z = torch.flatten(a, 1)
        else:
            z = a @ params[f"W{n}"] + params[f"b{n}"]
        act = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda v: v,
               "elu": F.elu}[layer.activation]
        z.retain_grad()
        a = act(z) if array_z(sp, n) else z
        a.retain_grad()
        kept[n] = (z, a)
    y = torch.tensor(np.asarray(spec.y, dtype=float), dtype=torch.float64)
    (0.5 * ((a - y) ** 2).sum()).backward()
    items = _items(sp)
    seen = 0
    for item in items.values():
        if item.section != "factors":
            continue
        ref = item.ref
        if ref.kind == "out":
            want = kept[ref.layer][1].grad.reshape(sp.S, -1)[ref.sample, ref.unit]
        elif ref.kind == "delta":
            want = kept[ref.layer][0].grad.reshape(sp.S, -1)[ref.sample, ref.unit]
        elif ref.kind == "dx":
            want = x.grad.reshape(sp.S, -1)[ref.sample, ref.unit]
        else:
            continue
        seen += 1
        assert item.expected == pytest.approx(float(want), rel=1e-10, abs=1e-13), item.key
    assert seen > 10


def array_z(sp, n):
    return n in sp.z


def _sheet(sp, write):
    """Every value of the answer space written by ``write``: canonical arrays (nested, shaped as the tensors)
    for nodes and parameters, display names for the factors (a list over the samples)."""
    answers = {"loss": write(sp.loss_item("loss").expected), "loss_after": write(sp.loss_item("loss_after").expected)}
    for section in ("forward", "gradients", "updated"):
        for name in sp.names(section):
            if not (name[:1] in "Wbza" and name[1:].isdigit()):
                continue
            kind, n = name[0], int(name[1:])
            values = [write(i.expected) for i in sp.array_items(section, kind, n)]
            dims = sp.array_dims(kind, n)
            if dims is None:
                rows, cols, _ = sp.array_shape(kind, n)
                dims = ((rows, cols) if cols else (rows,), None)
            answers.setdefault(section, {})[name] = np.array(values, dtype=object).reshape(dims[0]).tolist()
    for name in sp.names("factors"):
        if name.startswith("d"):
            continue
        items = sp.name_items("factors", name, quiet=True)
        if items:
            answers.setdefault("factors", {})[name] = [write(i.expected) for i in items] if sp.S > 1 else \
                write(items[0].expected)
    for item in _items(sp).values():  # the per-position factors the names above do not list
        if item.section == "factors" and item.ref.kind in ("route", "src", "one", "wpath") and item.ref.sample == 0:
            base = item.name.split(" (sample")[0]
            answers["factors"][base] = [write(i.expected) for i in sp.name_items("factors", base)] if sp.S > 1 \
                else write(item.expected)
    return answers


@pytest.mark.parametrize("make", SPECS)
@pytest.mark.parametrize("digits", [3, 4, 17])
def test_every_value_written_as_printed_checks_correct(make, digits):
    d = explain(make())
    sp = AnswerSpace(d)
    r = check_answers(derivation=d, answers=_sheet(sp, lambda v: f"{v:.{digits}g}"))
    assert r.ok and r.wrong == 0 and r.invalid == 0, [(x.key, x.given, x.expected, x.problem) for x in r.rows
                                                      if not x.ok][:5]
    assert r.correct == r.total > 40
    # the check can fail: one kernel gradient off by 10% is wrong
    answers = _sheet(sp, lambda v: f"{v:.{digits}g}")
    answers["gradients"]["W1"] = (np.array(answers["gradients"]["W1"], dtype=float) * 1.1 + 0.01).tolist()
    assert check_answers(derivation=d, answers=answers).wrong > 0


# ─────────────── the mistakes, each computed here by loops over the definition (not by backcalc) ───────────────

# chosen so that no two catalogued mistakes give the same number for one answer (where two do, the first in the
# catalogue's order is named — as for dense nets — and this test could not tell which the student made)
X = [[0.0, 0.0, 2.0, 1.0, 0.0], [0.0, 3.0, 2.0, 0.0, 1.0], [2.0, 1.0, 3.0, 1.0, 2.0]]
K = [[1.0, -1.0], [0.5, 2.0]]


def _mistake_spec(pool="maxpool2d"):
    return load_spec({"format": 1, "data": {"x": [[X]], "y": [[4.0]]},
                      "layers": [{"kind": "conv2d", "name": "c", "weights": [[K]], "bias": [0.5],
                                  "activation": "relu"},
                                 {"kind": pool, "name": "p", "size": 2}, {"kind": "flatten", "name": "h"},
                                 {"name": "o", "activation": "linear", "weights": [[0.5], [-0.25]], "bias": [0.0]}],
                      "loss": {"kind": "half_sse"}, "train": {"learning_rate": 0.25}})


def _by_hand(pool="max", slip=None):
    """A student's sheet for _mistake_spec, worked by loops, with one slip."""
    x, k = np.array(X), np.array(K)
    kf = k[::-1, ::-1]
    z = np.array([[0.5 + sum((kf if slip == "forward" else k)[p, q] * x[i + p, j + q] for p in range(2)
                             for q in range(2)) for j in range(4)] for i in range(2)])
    a = np.maximum(z, 0)
    h = [a[:, 0:2], a[:, 2:4]]
    pooled = [w.max() if pool == "max" else w.mean() for w in h]
    o = 0.5 * pooled[0] - 0.25 * pooled[1]
    g_o = o - 4.0
    g_h = [g_o * 0.5, g_o * -0.25]
    g_a = np.zeros((2, 4))
    for w, win in enumerate(h):
        for i in range(2):
            for j in range(2):
                if pool == "max" and slip == "spread" or pool == "avg" and slip != "to_max":
                    share = 0.25
                else:  # routed to the first maximum in row-major order
                    flat = [win[0, 0], win[0, 1], win[1, 0], win[1, 1]]
                    share = 1.0 if i * 2 + j == flat.index(max(flat)) else 0.0
                g_a[i, 2 * w + j] += g_h[w] * share
    delta = g_a * (z > 0)
    dW = np.array([[sum(delta[i, j] * x[i + p, j + q] for i in range(2) for j in range(4)) for q in range(2)]
                   for p in range(2)])
    if slip == "one_position":  # c112's term only
        dW = np.array([[delta[0, 1] * x[0 + p, 1 + q] for q in range(2)] for p in range(2)])
    if slip == "kernel_gradient":
        dW = dW[::-1, ::-1]
    db = delta[0, 1] if slip == "one_position" else delta.sum()
    kernel = kf if slip == "input_gradient" else k
    dx = np.zeros((3, 5))
    for i in range(2):
        for j in range(4):
            for p in range(2):
                for q in range(2):
                    dx[i + p, j + q] += delta[i, j] * kernel[p, q]
    sheet = {"forward": {"z1": [[z.tolist()]]},
             "factors": {f"∂L/∂c1{i + 1}{j + 1}_out": g_a[i, j] for i in range(2) for j in range(4)},
             "gradients": {"W1": [[dW.tolist()]], "b1": [db], "W4": [[g_o * pooled[0]], [g_o * pooled[1]]]}}
    sheet["factors"].update({f"∂L/∂x1{r + 1}{c + 1}": dx[r, c] for r in range(3) for c in range(5)})
    sheet["factors"].update({f"∂L/∂c1{i + 1}{j + 1}_in": delta[i, j] for i in range(2) for j in range(4)})
    return sheet


def _codes(result):
    return {row.key: row.mistake for row in result.rows if row.verdict == "wrong"}


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_a_right_sheet_is_all_right(pool):
    r = check_answers(_mistake_spec(f"{pool}pool2d"), _by_hand(pool))
    assert r.ok and r.wrong == 0 and r.correct == r.total > 40


@pytest.mark.parametrize("pool, slip, code, keys", [
    ("max", "forward", "kernel_flipped", {"forward.z1"}),
    ("max", "kernel_gradient", "kernel_gradient_flipped", {"gradients.W1"}),
    ("max", "input_gradient", "kernel_not_flipped", {"factors.∂L/∂x"}),
    ("max", "one_position", "one_position", {"gradients.W1", "gradients.b1"}),
    # spreading or routing keeps each window's total, so ∂L/∂b (the sum of δ) is right when every relu is active
    ("max", "spread", "pool_spread", {"factors.∂L/∂c", "factors.∂L/∂x", "gradients.W1"}),
    ("avg", "to_max", "pool_to_max", {"factors.∂L/∂c", "factors.∂L/∂x", "gradients.W1"}),
])
def test_each_mistake_is_named_exactly(pool, slip, code, keys):
    spec = _mistake_spec(f"{pool}pool2d")
    sheet = _by_hand(pool, slip)
    if slip == "forward":  # what follows from a wrong z is carried, not a mistake of its own: z alone is asked
        sheet = {"forward": sheet["forward"]}
    wrong = _codes(check_answers(spec, sheet))
    assert wrong, slip
    named = {k: v for k, v in wrong.items() if v is not None}
    assert set(named.values()) == {code}, wrong
    assert {k for k in named if any(k.startswith(p) for p in keys)} == set(named)
    for prefix in keys:  # each part the slip changes is diagnosed somewhere
        assert any(k.startswith(prefix) for k in named), (prefix, wrong)
    # every wrong gradient or factor the slip made is named (nothing wrong is left unexplained)
    assert all(v == code for v in wrong.values()), wrong


def test_another_error_gets_none_of_the_conv_names():
    sheet = _by_hand("max")
    sheet["gradients"]["W1"] = (np.array(sheet["gradients"]["W1"]) * 1.5 + 0.125).tolist()
    sheet["gradients"]["W1"][0][0][0][1] = 0.3
    sheet["factors"] = {k: (v * 3 + 0.5 if "x" in k else v) for k, v in sheet["factors"].items()}
    sheet["forward"]["z1"] = (np.array(sheet["forward"]["z1"]) + 0.25).tolist()
    wrong = _codes(check_answers(_mistake_spec(), sheet))
    assert len(wrong) > 20
    assert not set(wrong.values()) & CONV_CODES, wrong


def test_the_per_position_factors_by_hand():
    d = explain(EXAMPLES[0])
    sp = AnswerSpace(d)
    got = {k: sp.resolve(f"factors.{k}")[0].expected for k in
           ("∂c112_in/∂w_c1122", "∂c112_in/∂x122", "∂c112_in/∂b_c1", "∂p111_out/∂c112_out", "∂p111_out/∂c111_out",
            "∂L/∂x122", "∂c111_in/∂w_c1121")}
    # c112's window is x[0:2, 1:3] = [[2, 0], [1, 3]]: w_c1122 meets 3; x122 lies under offset (1, 0): w = 0.5;
    # c112_in = 9 wins the pool; ∂L/∂x122 = 0.25·0.5 (README); c111's window [[1, 2], [0, 1]]: w_c1121 meets 0
    assert got == {"∂c112_in/∂w_c1122": 3.0, "∂c112_in/∂x122": 0.5, "∂c112_in/∂b_c1": 1.0,
                   "∂p111_out/∂c112_out": 1.0, "∂p111_out/∂c111_out": 0.0, "∂L/∂x122": 0.125,
                   "∂c111_in/∂w_c1121": 0.0}
    avg = AnswerSpace(explain(EXAMPLES[1]))
    assert avg.resolve("factors.∂p11_out/∂c11_out")[0].expected == 0.5
    with pytest.raises(KeyError):
        sp.resolve("factors.∂c111_in/∂x133")  # x133 is not under c111's window


def test_the_students_sheet_of_the_readme():
    r = check_answers(EXAMPLES[0], ROOT / "worked_examples" / "sheets" / "conv_pool_student.toml")
    wrong = {row.key: row.mistake for row in r.rows if row.verdict == "wrong"}
    assert set(wrong.values()) == {"pool_spread"} and len(wrong) == 9, wrong
    assert (r.correct, r.total) == (11, 20)
    blame = next(row.blame for row in r.rows if row.key == "factors.∂L/∂x122")
    assert blame.key == "factors.∂p111_out/∂c111_out"


def test_golden_and_assert_matches_on_a_conv_net():
    from backcalc.errors import Mismatch
    from backcalc.testing import assert_matches, golden

    g = golden(EXAMPLES[0])
    assert g["gradients.w_c1122"] == g["gradients.W1"][0, 0, 1, 1] == 0.75
    assert g["forward.c112_in"] == 9.0 and g["forward.p111_out"] == 9.0 and g["forward.a2"].shape == (1, 1, 1, 1)
    assert_matches([[[[0.5, 0.0], [0.25, 0.75]]]], g, "gradients.W1")
    with pytest.raises(Mismatch) as e:
        assert_matches(0.5, g, "gradients.w_c1122")
    text = str(e.value)
    assert "Σ over the 4 output positions" in text and "c112: 0.25·1·3 = 0.75" in text
    assert "diagnosis: ∂L/∂W of c rotated 180°" in text  # 0.5 is w_c1111's gradient: the kernel's turned
    with pytest.raises(Mismatch) as e:
        assert_matches(2.5, g, "forward.p111_out")
    assert "p111_out = max(c111_out, c112_out, c121_out, c122_out) = max(1.5, 9, 2.5, 1) = 9" in str(e.value)
    batch = golden(load_spec(_random()))
    assert batch["forward.c112_out"].shape == (2,)


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_the_conv_mistakes_in_indonesian_have_no_english(pool):
    from test_indonesian import english_words

    from backcalc.render import check as render_check

    spec = _mistake_spec(f"{pool}pool2d")
    slips = ("forward", "kernel_gradient", "input_gradient", "one_position", "spread") if pool == "max" else ("to_max",)
    for slip in slips:
        sheet = _by_hand(pool, slip)
        page = render_check.render(check_answers(spec, sheet if slip != "forward" else {"forward": sheet["forward"]}),
                                   "text", digits=5, lang="id", show_all=False)
        assert "✗" in page and english_words(page) == [], (slip, english_words(page)[:8])
