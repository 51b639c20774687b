"""Golden values of every worked example, each confirmed by the independent reference (tests/reference.py:
its own 40-digit forward pass and central differences), plus hand-derived numbers cited beside them."""

from pathlib import Path

import pytest

import reference
from backcalc.net.derivation import explain
from backcalc.net.spec import default_spec, load_spec

# worked_examples/ holds specs and answers files side by side: a spec is the one with layers
EXAMPLES = sorted(p for p in (Path(__file__).resolve().parents[1] / "worked_examples").glob("*.toml")
                  if "[[layers]]" in p.read_text(encoding="utf-8"))


def _get(arrays, key):
    name, rest = key.split("[", 1)
    value = arrays[name]
    for i in rest.rstrip("]").split("]["):
        value = value[int(i)]
    return value


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.stem)
def example(request):
    spec = load_spec(request.param)
    return spec, explain(spec), reference.sgd(spec)


def test_at_least_five_worked_examples():
    assert {p.stem for p in EXAMPLES} >= {"seed004", "tanh_net", "softmax_batch", "sigmoid_222", "deep_sigmoid_chain"}


def test_loss_and_every_gradient_match_the_reference(example):
    spec, d, _ = example
    assert d.loss == pytest.approx(float(reference.loss(spec)), rel=1e-12)
    ref = reference.gradients(spec)
    assert len(d.terms) == len(ref) == spec.n_parameters
    for term in d.terms:
        assert term.value == pytest.approx(float(ref[term.key]), rel=1e-9, abs=1e-14), term.name
        assert _get(d.gradients, term.key) == term.value


def test_updates_history_and_loss_after_match_the_reference(example):
    spec, d, (params, history, loss_after) = example
    for key in (k for _, k in spec.param_names()):
        assert _get(d.updated, key) == pytest.approx(float(_get(params, key)), rel=1e-9, abs=1e-13), key
    assert [v for _, v in d.history] == pytest.approx([float(h) for h in history], rel=1e-9)
    assert d.loss_after == pytest.approx(float(loss_after), rel=1e-9)


def test_chains_multiply_and_sum_to_the_tape_gradient(example):
    spec, d, _ = example
    # with [loss] l2/l1 the chains are the data term and the penalty adds its own term (2λ·w + λ₁·sign w)
    own = {r.key: r.value for r in d.training.reg_terms} if d.training is not None else {}
    for term in d.terms:
        # one chain per sample, and per output position for a shared weight (a kernel element)
        positions = len({c.position for c in term.chains})
        assert [c.sample for c in term.chains] == [s for s in range(1, spec.samples + 1) for _ in range(positions)]
        for chain in term.chains:
            product = 1.0
            for f in chain.factors:
                product *= f.value
            assert chain.value == pytest.approx(product, rel=1e-12)
        assert sum(c.value for c in term.chains) + own.get(term.key, 0.0) == pytest.approx(term.value, rel=1e-9,
                                                                                            abs=1e-15)


def test_sums_over_paths_add_up(example):
    _, d, _ = example
    for u in d.upstream:
        if u.paths:
            assert sum(p.grad * p.weight for p in u.paths) == pytest.approx(u.value, rel=1e-9, abs=1e-15)
    for x in d.deltas:
        if x.local is not None:
            assert x.upstream * x.local == pytest.approx(x.value, rel=1e-9, abs=1e-15)
        else:
            assert sum(g * j for g, j, _ in x.jacobian) == pytest.approx(x.value, rel=1e-9, abs=1e-15)


def test_seed004_by_hand():
    d = explain(default_spec())
    # forward: j_in = w_ij·2 + 1 = 1.5, 2, 2.5, 3; k_in = 6 and 5 (seed 004, checked by hand)
    assert d.forward["z1"] == [[1.5, 2.0, 2.5, 3.0]]
    assert d.forward["z2"] == [[6.0, 5.0]]
    # L = ½(o_out − 3)², o_out = σ(6) + ½σ(5) + 1 = 2.494181 → L = 0.12793
    assert round(d.loss, 5) == 0.12793
    assert round(d.term("w_k1o").value, 5) == -0.50457          # (o_out − t)·k1_out
    assert round(d.term("w_ij1").value, 7) == -0.0024952         # not the seed's −0.04146 (≈16× too large)
    # ∂L/∂k1_out = (o_out − t)·w_k1o = −0.50582: no k1_out factor in it (the seed multiplies one in)
    k1 = next(u for u in d.upstream if u.unit == "k1")
    assert round(k1.value, 5) == -0.50582
    assert [p.weight_name for p in k1.paths] == ["w_k1o"]
    # ∂L/∂j1_out sums over the two paths j1 → k1 and j1 → k2
    j1 = next(u for u in d.upstream if u.unit == "j1")
    assert [p.via for p in j1.paths] == ["k1", "k2"]
    w = d.term("w_j1k1")
    assert [f.name for f in w.chains[0].factors] == ["∂L/∂k1_out", "∂k1_out/∂k1_in", "∂k1_in/∂w_j1k1"]
    assert w.chains[0].factors[1].formula == "σ(k1_in)·(1−σ(k1_in))"
    assert w.chains[0].factors[2].value == 1.5
    # SGD with learning rate 0.25: w_k1o = 1 − 0.25·(−0.50457) = 1.12614
    assert round(d.updated["W3"][0][0], 5) == 1.12614


def test_sigmoid_222_matches_the_classic_worked_numbers():
    # The well-known step-by-step example: E_total = 0.298371109; w5+ = 0.35891648; w1+ = 0.149780716.
    # (w5 joins h1 → o1: W2[0][0]; w1 joins i1 → h1: W1[0][0].) Confirmed above by the reference too.
    d = explain(load_spec(Path(__file__).resolve().parents[1] / "worked_examples" / "sigmoid_222.toml"))
    assert d.loss == pytest.approx(0.298371109, abs=1e-9)
    assert d.updated["W2"][0][0] == pytest.approx(0.35891648, abs=1e-8)
    assert d.updated["W1"][0][0] == pytest.approx(0.149780716, abs=1e-9)


def test_deep_chain_gradients_shrink_towards_the_input():
    d = explain(load_spec(Path(__file__).resolve().parents[1] / "worked_examples" / "deep_sigmoid_chain.toml"))
    grads = [abs(d.term(f"W{n}[0][0]").value) for n in range(1, 7)]
    assert grads == sorted(grads)                      # smaller at every layer towards the input
    assert grads[0] < grads[-1] / 1000                 # σ′ ≤ 1/4 per layer: five layers ≈ 4⁻⁵ or less
    assert len(d.history) == 3


def test_softmax_batch_dead_unit_and_batch_sum():
    d = explain(load_spec(Path(__file__).resolve().parents[1] / "worked_examples" / "softmax_batch.toml"))
    # sample 2: h2_in = 1.5·(−0.5) + (−1)·0.5 + 0.5 = −0.75 < 0, so h2 is dead there
    assert d.forward["z1"][1][1] == -0.75
    term = d.term("w_x1h2")
    assert term.chains[1].value == 0.0 and term.chains[0].value != 0.0
    assert d.loss_record.targets == (0, 2)


def test_bce_from_logits_with_a_linear_output():
    # 1 → 1 linear, bce: the output is a logit z = 2·1 + 0 = 2 with target 1; L = ln(1 + e^(−2)),
    # ∂L/∂w = (σ(z) − y)·x = σ(2) − 1
    import math
    spec = load_spec({"format": 1, "data": {"x": [[1.0]], "y": [[1.0]]}, "loss": {"kind": "bce"},
                      "layers": [{"activation": "linear", "weights": [[2.0]], "bias": [0.0]}]})
    d = explain(spec)
    assert d.loss == pytest.approx(math.log1p(math.exp(-2.0)), rel=1e-14)
    assert d.term("w_xo").value == pytest.approx(1 / (1 + math.exp(-2.0)) - 1, rel=1e-12)
    assert d.term("w_xo").value == pytest.approx(float(reference.gradients(spec)["W1[0][0]"]), rel=1e-12)


def test_extreme_logits_are_exact_with_a_linear_output_and_a_clear_error_with_softmax():
    import warnings

    from backcalc.errors import DomainError
    doc = {"format": 1, "data": {"x": [[1.0]], "y": [1]}, "loss": {"kind": "cross_entropy"},
           "layers": [{"activation": "linear", "weights": [[1000.0, -1000.0]], "bias": [0.0, 0.0]}]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = explain(load_spec(doc))
    assert d.loss == 2000.0                                    # −log_softmax = 1000 − (−1000)
    assert d.gradients["W1"] == [[1.0, -1.0]]                  # (softmax − onehot)·x = (1 − 0, 0 − 1)
    doc["layers"][0]["activation"] = "softmax"
    with pytest.raises(DomainError, match="linear output layer"):
        explain(load_spec(doc))


def test_huge_nets_are_refused_before_they_run():
    from backcalc.errors import SpecError
    doc = {"format": 1, "seed": 0, "data": {"x": [[0.0] * 500] * 1000, "y": [[0.0]] * 1000},
           "train": {"steps": 100},
           "layers": [{"activation": "relu", "units": 128, "init": "he_normal"},
                      {"activation": "linear", "units": 1, "init": "he_normal"}]}
    with pytest.raises(SpecError, match="multiply-adds"):
        load_spec(doc)


def test_large_net_records_are_capped_but_arrays_kept():
    doc = {"format": 1, "seed": 0, "data": {"x": [[0.1] * 50] * 20, "y": [[0.0]] * 20},
           "layers": [{"activation": "tanh", "units": 64, "init": "xavier_normal"},
                      {"activation": "linear", "units": 1, "init": "xavier_normal"}]}
    d = explain(load_spec(doc))
    assert d.terms_omitted and d.terms == () and d.forward_rows == ()
    assert len(d.gradients["W1"]) == 50 and not d.shows_detail(full=True)
    assert d.to_dict()["terms_omitted"] is True
