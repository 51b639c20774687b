"""A net past the derivation's record cap (MAX_TERM_RECORDS parameters × samples) keeps no ∂L/∂out, δ or local
factor per unit: check must never judge against the zeros that would stand in for them. A [factors] table is
refused in one line; gradients are graded, and no backward-pass mistake is named from missing numbers."""

from pathlib import Path

import pytest

import backcalc.net.derivation as derivation
from backcalc.grading.grade import check_answers
from backcalc.grading.problems import SheetError
from backcalc.net.derivation import explain
from backcalc.net.spec import load_spec

SEED004 = Path(__file__).resolve().parents[1] / "worked_examples" / "seed004.toml"


@pytest.fixture
def capped(monkeypatch):
    monkeypatch.setattr(derivation, "MAX_TERM_RECORDS", 4)
    spec = load_spec(SEED004)
    d = explain(spec)
    assert d.terms_omitted
    return spec, d


def test_factors_past_the_cap_are_refused_not_marked_wrong(capped):
    spec, d = capped
    with pytest.raises(SheetError, match=r"\[factors\]: the chain-rule factors .* cannot be judged"):
        check_answers(spec, {"format": 1, "factors": {"∂L/∂o_out": "-0.5"}}, derivation=d)


def test_gradients_past_the_cap_are_graded_and_no_backprop_mistake_is_invented(capped):
    spec, d = capped
    right = {name: f"{value:.10g}" for name, value in _gradients(d).items()}
    r = check_answers(spec, {"format": 1, "gradients": right}, derivation=d)
    assert r.total == len(right) and r.correct == r.total
    zero = {name: "0.000000" for name in right}
    r = check_answers(spec, {"format": 1, "gradients": zero}, derivation=d)
    backprop = {"no_local", "no_local_all", "local_at_out", "local_at_in", "path_left_out", "product_of_sums",
                "early_round", "extra_out", "updated_downstream"}
    assert not any(m.code in backprop for row in r.rows for m in row.mistakes)


def _gradients(d) -> dict:
    from backcalc.net.names import parse_key

    out = {}
    for name, key in d.spec.param_names():
        k = parse_key(key)
        value = d.gradients[f"{k.kind}{k.layer}"]
        for i in k.index:
            value = value[i]
        out[name] = value
    return out


@pytest.mark.parametrize("example, codes", [
    ("conv_pool.toml", {"kernel_flipped", "kernel_gradient_flipped", "kernel_not_flipped", "one_position",
                        "pool_spread", "pool_spread_whole", "pool_to_max", "no_local"}),
    ("rnn_last_step.toml", {"bptt_truncated", "next_path_left_out", "tanh_at_output"}),
])
def test_conv_and_rnn_past_the_cap_name_no_backprop_mistake(monkeypatch, example, codes):
    monkeypatch.setattr(derivation, "MAX_TERM_RECORDS", 1)
    spec = load_spec(SEED004.parent / example)
    d = explain(spec)
    assert d.terms_omitted
    zero = {name: "0.000000" for name in _gradients(d)}
    r = check_answers(spec, {"format": 1, "gradients": zero}, derivation=d)
    assert r.total == len(zero)
    assert not any(m.code in codes for row in r.rows for m in row.mistakes)
