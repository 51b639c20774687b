"""check reads [state] (the optimizer's state after a step, by PyTorch's names) of conv, pool and flatten nets: a
kernel's and a conv bias's state by canonical key (shaped as the tensor, or element by element) and by display
name, as for dense nets. Every state value of the answer space equals the tape's optimizer state, the 40-digit
reference run (tests/reference.py: its own forward in mpmath, central differences, the update rules written from
torch.optim's documentation) and PyTorch float64 ``torch.optim`` (skipped without torch)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest

import reference
from backcalc.grading.grade import check_answers
from backcalc.grading.spaces import answer_space
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec

EXAMPLES = Path(__file__).resolve().parent.parent / "worked_examples"
# a 2×2 conv2d, ReLU, max-pool, flatten, one linear unit; and a two-channel conv1d, tanh, average pool
MOMENTUM = ("conv_pool.toml", {"learning_rate": 0.01, "optimizer": "momentum", "momentum": 0.9, "steps": 3})
ADAM = ("conv1d_two_channel.toml", {"learning_rate": 0.1, "optimizer": "adam", "steps": 3})
_CACHE = {}


def _run(example, train):
    key = (example, tuple(sorted(train.items())))
    if key not in _CACHE:
        with open(EXAMPLES / example, "rb") as f:
            doc = tomllib.load(f)
        spec = load_spec(dict(doc, train=train))
        _CACHE[key] = spec, explain(spec), reference.train(spec)
    return _CACHE[key]


def _space_state(spec, d):
    """{(step, name, array, index): item} of every state value the answer space holds, asked by canonical array
    (``[state.step1.exp_avg] W1``) in each scope."""
    sp = answer_space(d)
    names = sorted({n for entry in d.training.state[-1].values() for n in entry})
    out = {}
    for t in range(1, spec.steps + 1):
        for name in names:
            scope = f"state.{name}" if t == spec.steps else f"state.step{t}.{name}"
            for array in spec.parameters():
                for item in sp.array_items(scope, array[0], int(array[1:])):
                    out[(t, name, array, item.ref.index)] = item
    return out


def _torch_state(spec):
    """[{(array, index): {name: value}} after each step] of PyTorch float64 torch.optim on the same net."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in spec.parameters().items()}
    o = spec.training.optim
    if o.optimizer == "momentum":
        opt = torch.optim.SGD(list(params.values()), lr=o.lr, momentum=o.momentum)
    else:
        opt = torch.optim.Adam(list(params.values()), lr=o.lr, betas=(o.beta1, o.beta2), eps=o.eps)
    x = torch.tensor(np.asarray(spec.x, dtype=float), dtype=torch.float64)
    y = torch.tensor(np.asarray(spec.y, dtype=float), dtype=torch.float64)
    acts = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda v: v}
    out = []
    for _ in range(spec.steps):
        a = x
        for layer in spec.layers:
            W, b = params.get(f"W{layer.index}"), params.get(f"b{layer.index}")
            if layer.kind in ("conv2d", "conv1d"):
                a = (F.conv2d if layer.kind == "conv2d" else F.conv1d)(a, W, b, stride=layer.stride,
                                                                       padding=layer.padding)
            elif "pool" in layer.kind:
                a = {"maxpool2d": F.max_pool2d, "avgpool1d": F.avg_pool1d}[layer.kind](a, layer.size, layer.stride)
            elif layer.kind == "flatten":
                a = torch.flatten(a, 1)
            else:
                a = a @ W + b
            if layer.kind not in ("flatten",) and "pool" not in layer.kind:
                a = acts[layer.activation](a)
        opt.zero_grad()
        (0.5 * ((a - y) ** 2).sum()).backward()  # half_sse
        opt.step()
        out.append({(k, idx): {n: float(v[idx]) for n, v in opt.state[p].items() if n != "step"}
                    for k, p in params.items() for idx in np.ndindex(tuple(p.shape))})
    return out


@pytest.mark.parametrize("example, train", [MOMENTUM, ADAM], ids=["momentum", "adam"])
def test_every_state_value_equals_the_tape_and_the_reference(example, train):
    spec, d, (_, _, states) = _run(example, train)
    items = _space_state(spec, d)
    n_state = sum(len(st) for st in states[-1].values())
    assert len(items) == spec.steps * n_state  # every state value of every step, none twice
    assert any(len(i.ref.index) > 2 for i in items.values())  # kernel elements among them
    for (t, name, array, idx), item in items.items():
        tape = float(np.asarray(d.training.state[t - 1][array][name])[idx])
        assert item.expected == tape, item.key
        want = states[t - 1][(array, idx)][name]
        assert item.expected == pytest.approx(float(want), rel=1e-9, abs=1e-15), item.key
        assert item.section == "state" and item.step == t


@pytest.mark.parametrize("example, train", [MOMENTUM, ADAM], ids=["momentum", "adam"])
def test_every_state_value_equals_torch_optim(example, train):
    spec, d, _ = _run(example, train)
    torch_states = _torch_state(spec)
    items = _space_state(spec, d)
    for (t, name, array, idx), item in items.items():
        assert item.expected == pytest.approx(torch_states[t - 1][(array, idx)][name], rel=1e-9, abs=1e-15), item.key


def _nested(values, shape):
    return np.array(values, dtype=object).reshape(shape).tolist()


def _sheet(spec, states, fmt, by_name):
    """Every state value of every step from the reference run: shaped arrays, or (``by_name``) display names."""
    doc = {"state": {}}
    names = sorted({n for st in states[-1].values() for n in st})
    for t in range(1, spec.steps + 1):
        table = doc["state"] if t == spec.steps else doc["state"].setdefault(f"step{t}", {})
        for name in names:
            entries = table.setdefault(name, {})
            if by_name:
                for pname, key in spec.param_names():
                    array, rest = key.split("[", 1)
                    idx = tuple(int(i) for i in rest.rstrip("]").split("]["))
                    entries[pname] = fmt(states[t - 1][(array, idx)][name])
            else:
                for array, value in spec.parameters().items():
                    cells = [fmt(states[t - 1][(array, idx)][name]) for idx in np.ndindex(value.shape)]
                    entries[array] = _nested(cells, value.shape)
    return doc


FULL = lambda v: mp.nstr(v, 17, min_fixed=-30, max_fixed=30)  # noqa: E731
FOUR = lambda v: mp.nstr(v, 4, min_fixed=-30, max_fixed=30)  # noqa: E731


@pytest.mark.parametrize("example, train", [MOMENTUM, ADAM], ids=["momentum", "adam"])
@pytest.mark.parametrize("fmt", [FULL, FOUR], ids=["full", "4 digits"])
@pytest.mark.parametrize("by_name", [False, True], ids=["arrays", "names"])
def test_the_reference_state_checks_right(example, train, fmt, by_name):
    spec, d, (_, _, states) = _run(example, train)
    r = check_answers(spec, _sheet(spec, states, fmt, by_name), derivation=d)
    assert r.total == spec.steps * sum(len(st) for st in states[-1].values())
    assert r.correct == r.total and r.ok, [(x.key, x.expected, x.text, x.verdict) for x in r.rows if not x.ok]
    assert {x.section for x in r.rows} == {"state"}
    assert r.section_scores() == {"updated": (r.total, r.total)}  # the gradebook counts state in `updated`


def _one(example, train, doc, **kw):
    spec, d, _ = _run(example, train)
    (row,) = [r for r in check_answers(spec, doc, derivation=d, **kw).rows if r.given is not None or r.verdict == "invalid"]
    return row


def test_kernel_state_by_hand():  # the README's sheet ("Conv and pool nets"), and one more
    # momentum's first buffer is the first gradient: ∂L/∂w_c1122 = 0.75 (test_conv_grading's golden value); after
    # three steps the reference run's buffers are w_c1122 0.24467998…, b_c1 0.081559994…, w_ho 0.93456357…
    rows = {r.key: r for r in check_answers(*_run(*MOMENTUM)[:1], {"state": {
        "step1": {"momentum_buffer": {"w_c1122": 0.75}},
        "momentum_buffer": {"W1": [[[["", ""], ["", "0.2447"]]]], "b_c1": "0.08156", "W4": [[0.9346]]}}},
        derivation=_run(*MOMENTUM)[1]).rows}
    assert {k: r.verdict for k, r in rows.items() if r.given is not None} == {
        "state.step1.momentum_buffer.W1[0][0][1][1]": "correct", "state.momentum_buffer.W1[0][0][1][1]": "correct",
        "state.momentum_buffer.b1[0]": "correct", "state.momentum_buffer.W4[0][0]": "correct"}
    assert rows["state.step1.momentum_buffer.W1[0][0][1][1]"].name == "momentum_buffer of w_c1122 (step 1)"
    assert rows["state.momentum_buffer.b1[0]"].name == "momentum_buffer of b_c1"
    # adam after three steps: exp_avg_sq of w_c112 is 0.00028710225…, exp_avg of b_c2 −0.020641437…
    assert _one(*ADAM, {"state": {"exp_avg_sq": {"w_c112": "0.0002871"}}}).verdict == "correct"
    assert _one(*ADAM, {"state": {"exp_avg": {"b1": [None, -0.02064]}}}).verdict == "correct"


def test_a_wrong_kernel_state_is_wrong_and_named_with_nothing():
    # the catalogue has no mistake for an optimizer's state, of a dense net or a conv net: a wrong value is wrong
    step1 = 0.75  # step 1's buffer given for the last step
    for row in (_one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": step1}}}),
                _one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": "0.2457"}}}),
                _one(*ADAM, {"state": {"exp_avg": {"w_c112": "0.0002871"}}}),   # exp_avg_sq given for exp_avg
                _one(*ADAM, {"state": {"exp_avg": {"w_c112": "0.3888"}}}),      # m̂ = m/(1 − β1³)·… is not kept
                _one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": "-0.2447"}}}),  # the sign, a factor 2:
                _one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": "0.4894"}}})):  # no state mistake either
        assert row.verdict == "wrong" and not row.ok and row.mistakes == () and row.blame is None, row
    # as for a dense net (momentum_3_steps.toml: b_o's buffer after three steps is −1.0954…, README)
    (dense,) = check_answers(EXAMPLES / "momentum_3_steps.toml", {"state": {"momentum_buffer": {"b_o": "1.0954"}}}).rows
    assert dense.verdict == "wrong" and dense.mistakes == ()


def test_state_is_judged_by_a_gradients_rule():
    # w_c1122's buffer 0.24467998…: 0.05% off is within the 0.1% of a product of rounded intermediates, 0.2% is not
    assert _one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": "0.24480"}}}).verdict == "correct"
    assert _one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": "0.24517"}}}).verdict == "wrong"
    # 0.2 is w_c1122's buffer rounded to 1 decimal, but half a unit of it is 20% of the value
    assert _one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": "0.2"}}}).verdict == "correct_low_precision"
    row = _one(*MOMENTUM, {"state": {"momentum_buffer": {"w_c1122": "0.2"}}}, strict=True)
    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == ["too_few_digits"]


@pytest.mark.parametrize("doc, code, words", [
    ({"state": {"momentum_buffer": {"W1": [[1.0, 2.0], [3.0, 4.0]]}}}, "tensor_shape", "1×1×2×2"),
    ({"state": {"momentum_buffer": {"w_c112": 1}}}, "unknown_key", "did you mean 'w_c1122'"),
    ({"state": {"exp_avg": {"w_c1122": 1}}}, "bad_scope", "keeps momentum_buffer"),
    ({"state": {"step4": {"momentum_buffer": {"b_c1": 1}}}}, "bad_scope", "steps 1 to 3"),
    ({"state": {"momentum_buffer": {"b1": [1.0, 2.0]}}}, "vector_length", "1"),
    ({"state": {"momentum_buffer": {"W2": [[1.0]]}}}, "wrong_table", "W2"),
])
def test_unreadable_kernel_state_entries_are_their_own_rows(doc, code, words):
    from backcalc.render.labels_answers import problem_text

    spec, d, _ = _run(*MOMENTUM)
    r = check_answers(spec, dict(doc, loss="0.125"), derivation=d)
    bad = [x for x in r.rows if x.verdict == "invalid"]
    assert len(bad) == 1 and bad[0].problem.code == code, bad
    assert words in problem_text(bad[0].problem), problem_text(bad[0].problem)
    assert [x.verdict for x in r.rows if x.verdict != "invalid"] == ["correct"]


def test_a_kernel_after_each_step_is_judged_against_its_own_step():
    spec, d, (trajectory, _, _) = _run(*MOMENTUM)
    after1 = [[[[FULL(v) for v in row] for row in plane] for plane in out] for out in trajectory[0]["W1"]]
    r = check_answers(spec, {"updated": {"step1": {"W1": after1}}}, derivation=d)
    assert r.total == 4 and r.correct == 4, [(x.key, x.expected, x.text, x.verdict) for x in r.rows]
    row = _one(*MOMENTUM, {"updated": {"step2": {"w_c1122": after1[0][0][1][1]}}})
    assert row.key == "updated.step2.W1[0][0][1][1]" and row.name == "w_c1122 (step 2)"
    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == ["not_updated"]


@pytest.mark.parametrize("train", [
    {"optimizer": "nesterov", "momentum": 0.5},
    {"optimizer": "momentum", "momentum_form": "cs231n"},
    {"optimizer": "adagrad"},
    {"optimizer": "rmsprop", "centered": True, "momentum": 0.5},
    {"optimizer": "adam", "amsgrad": True},
    {"optimizer": "adamw", "weight_decay": 0.1},
], ids=lambda t: "-".join(str(v) for v in t.values()))
def test_every_optimizer_of_a_conv_net_has_its_state_answered(train):
    """Each optimizer's every state variable (velocity, sum, square_avg, grad_avg, max_exp_avg_sq, …) of a conv
    net, two steps: the answer space against the tape and the reference, and a sheet of them at 4 digits."""
    spec, d, (_, _, states) = _run("conv1d_two_channel.toml", dict(train, learning_rate=0.05, steps=2))
    items = _space_state(spec, d)
    assert len(items) == 2 * sum(len(st) for st in states[-1].values())
    for (t, name, array, idx), item in items.items():
        assert item.expected == float(np.asarray(d.training.state[t - 1][array][name])[idx]), item.key
        assert item.expected == pytest.approx(float(states[t - 1][(array, idx)][name]), rel=1e-9, abs=1e-15)
    r = check_answers(spec, _sheet(spec, states, FOUR, by_name=True), derivation=d)
    assert r.total == len(items) and r.correct == r.total, [(x.key, x.expected, x.text) for x in r.rows if not x.ok]


@pytest.mark.parametrize("example, train", [MOMENTUM, ADAM], ids=["momentum", "adam"])
def test_golden_holds_every_state_value_by_key_and_name(example, train):
    from backcalc.testing import assert_matches, golden

    spec, d, (_, _, states) = _run(example, train)
    g = golden(d)
    names = {key: name for name, key in spec.param_names()}
    seen = 0
    for t in range(1, spec.steps + 1):
        for (array, idx), entry in states[t - 1].items():
            for name, want in entry.items():
                scope = f"state.{name}" if t == spec.steps else f"state.step{t}.{name}"
                key = f"{array}" + "".join(f"[{i}]" for i in idx)
                r = g.resolve(f"{scope}.{names[key]}")
                assert r.key == f"{scope}.{key}" and r.value == pytest.approx(float(want), rel=1e-9, abs=1e-15)
                assert r.name == f"{name} of {names[key]}" + (f" (step {t})" if t < spec.steps else "")
                assert_matches(float(mp.nstr(want, 12)), g, f"{scope}.{key}", rtol=1e-9, atol=1e-15)
                seen += 1
    assert seen == spec.steps * sum(len(st) for st in states[-1].values())


def test_assert_matches_of_a_kernel_state_shows_its_step():
    from backcalc.errors import Mismatch
    from backcalc.testing import assert_matches, golden

    g = golden(_run(*MOMENTUM)[1])
    assert_matches([[[[0.5, 0.0], [0.25, 0.75]]]], g, "state.step1.momentum_buffer.W1")  # step 1: v = ∂L/∂W
    with pytest.raises(Mismatch) as e:
        assert_matches(0.5, g, "state.step1.momentum_buffer.w_c1122")
    text = str(e.value)
    assert "(W1[0][0][1][1]) does not match" in text and "expected 0.75" in text
    assert "step 1: momentum_buffer v ← μ·v + g = 0.9·0 + 0.75 = 0.75" in text
    assert g.explain("updated.step1.w_ho") == "step 1: w_ho ← w_ho − lr·v = 0.5 − 0.01·4.5 = 0.455"
    with pytest.raises(KeyError):
        g["state.exp_avg.w_c1122"]  # momentum keeps no exp_avg


def _plain_sgd_final(example, train):
    """The parameters after the same steps of plain SGD, by the reference (the slip the catalogue names)."""
    with open(EXAMPLES / example, "rb") as f:
        doc = tomllib.load(f)
    spec = load_spec(dict(doc, train={"learning_rate": train["learning_rate"], "steps": train["steps"]}))
    return reference.train(spec)[0][-1]


def test_a_conv_nets_update_under_an_optimizer_gets_the_optimizers_slips():
    # momentum over 3 steps worked as plain SGD: the velocity not carried (a dense net's name for it)
    w = _plain_sgd_final(*MOMENTUM)["W1"][0][0][1][1]
    row = _one(*MOMENTUM, {"updated": {"w_c1122": mp.nstr(w, 6)}})
    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == ["velocity_not_carried"]
    # adam over 3 steps worked as plain SGD
    w = _plain_sgd_final(*ADAM)["W1"][0][0][1]
    row = _one(*ADAM, {"updated": {"w_c112": mp.nstr(w, 6)}})
    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == ["sgd_instead"]
    # one step of momentum with the sign flipped: w_c1122 = 2 + 0.01·0.75 (its gradient, test_conv_grading)
    one = ("conv_pool.toml", dict(MOMENTUM[1], steps=1))
    row = _one(*one, {"updated": {"w_c1122": "2.0075"}})
    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == ["momentum_sign"]
    # one adam step without bias correction: −0.5 + 0.1·(0.1·|g|)/√(0.001·g²) for w_c112 (g < 0: adam's first
    # step is −0.5 + 0.1 = −0.4 to within ε)
    one = ("conv1d_two_channel.toml", dict(ADAM[1], steps=1))
    row = _one(*one, {"updated": {"w_c112": "-0.183772"}})
    assert row.verdict == "wrong" and [m.code for m in row.mistakes] == ["adam_no_bias_correction"]
    # a number no slip gives is only wrong
    row = _one(*ADAM, {"updated": {"w_c112": "-0.123"}})
    assert row.verdict == "wrong" and row.mistakes == ()
