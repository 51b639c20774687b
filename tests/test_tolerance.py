"""The tolerance's array test (Tolerance.near): check skips the catalogue's backward-pass runs whose value it
rules out, so it must keep every value the exact test (Tolerance.match, as best_explanation applies it) keeps — else a
mistake the student made would go unnamed — and rule out the values far outside it (else it saves nothing)."""

import numpy as np
from hypothesis import example, given, settings, strategies as st

from backcalc.grading.keys import Item, Ref
from backcalc.grading.tolerance import Tolerance

SCALES = st.sampled_from([1e-12, 1e-6, 1e-3, 0.1, 1.0, 10.0, 1e4])
TOLERANCES = st.sampled_from([Tolerance(), Tolerance(strict=True), Tolerance(rtol=1e-2), Tolerance(atol=1e-4),
                              Tolerance(rtol=1e-3, atol=1e-6), Tolerance(rtol=0.0, atol=0.0)])


def item(section, expected, old):
    return Item(section, f"{section}.W1[0][0]", "w_x1h1", expected, Ref("W", 1, unit=0, source=0), (0,),
                old if section == "updated" else None)


@settings(max_examples=120, deadline=None)
@given(section=st.sampled_from(["gradients", "updated", "factors"]), v=st.floats(-1, 1), scale=SCALES,
       offset=st.floats(-3, 3), digits=st.integers(0, 17), old=st.floats(-1, 1), tol=TOLERANCES)
@example(section="gradients", v=0.5, scale=1.0, offset=0.0, digits=0, old=0.0, tol=Tolerance())  # "0" vs 0.5
def test_near_keeps_every_value_match_keeps_and_rules_out_the_far_ones(section, v, scale, offset, digits, old, tol):
    value = v * scale
    it = item(section, value, old)
    bound = tol.match(it, "1e-30", value)  # the relative part alone
    text = f"{value + offset * bound:.{digits}g}"  # a number as written, near the value or not
    given_ = float(text)
    ratio = abs(given_ - value) / tol.match(it, text, value)
    kept = tol.near(it, text, given_)(np.array([value, value]))
    assert kept.shape == (2,)
    if ratio <= 1:
        assert kept.all(), (text, value, ratio)
    elif ratio > 1 + 1e-5:
        assert not kept.any(), (text, value, ratio)


def test_near_at_the_boundary_and_nan():
    it = item("gradients", 0.25, None)
    tol = Tolerance()
    # 0.2501 − v = 0.001·v at v = 0.2501/1.001: the largest error as_written allows a value written 0.2501
    edge = 0.2501 / 1.001
    values = np.array([edge, 0.2501 / 0.999, edge * 0.999, np.nan])
    assert [abs(0.2501 - v) <= tol.match(it, "0.2501", v) for v in values[:3]] == [True, True, False]
    assert tol.near(it, "0.2501", 0.2501)(values).tolist() == [True, True, False, False]


def test_the_catalogue_names_the_same_mistakes_with_the_array_test():
    """Every candidate value of every gradient, written at 3 to 8 significant digits, gets the same diagnosis
    with the runs ruled out by Tolerance.near as with every run tried (seed 004, a tanh net, a dropout net)."""
    from pathlib import Path

    from backcalc.grading.mistake import best_explanation as best
    from backcalc.grading.mistakes import _Catalogue
    from backcalc.grading.keys import AnswerSpace
    from backcalc.net.derivation import explain

    examples = Path(__file__).resolve().parents[1] / "worked_examples"
    tried = named = 0
    for net in ("seed004", "tanh_net", "dropout_231"):
        sp = AnswerSpace(explain(examples / f"{net}.toml"))
        cat = _Catalogue(sp)
        for name, _ in sp.spec.param_names():
            (it,) = sp.name_items("gradients", name)
            values = {v for _, v, *_ in cat.candidates(it) if v is not None and np.isfinite(v)}
            for v in sorted(values):
                for digits in (3, 6):
                    for tol in (Tolerance(), Tolerance(rtol=1e-2)):
                        text = f"{v:.{digits}g}"
                        given_ = float(text)
                        if tol.verdict(it, text, given_) != "wrong":
                            continue
                        allowed = tol.allowed(it, text, it.expected)
                        every = best(it, given_, text, tol, allowed, cat.candidates(it))
                        ruled = best(it, given_, text, tol, allowed, cat.candidates(it, (given_, text, tol)))
                        assert ruled == every, (net, name, text)
                        tried += 1
                        named += bool(every)
    assert tried > 500 and named > tried // 2, (tried, named)


def test_a_sheet_rules_runs_out_by_array_as_each_answer_alone():
    """NearRuns works a sheet's gradients out per parameter array at once; each answer keeps the very runs the
    test of that answer alone keeps (several values per answer, as written and with --rtol)."""
    from pathlib import Path

    from backcalc.grading.mistakes import _Catalogue
    from backcalc.grading.keys import AnswerSpace
    from backcalc.net.derivation import explain

    examples = Path(__file__).resolve().parents[1] / "worked_examples"
    kept_some = 0
    for net in ("seed004", "tanh_net", "deep_sigmoid_chain"):
        sp = AnswerSpace(explain(examples / f"{net}.toml"))
        cat = _Catalogue(sp)
        items = [sp.name_items("gradients", name)[0] for name, _ in sp.spec.param_names()]
        values = {it.key: sorted({v for _, v, *_ in cat.candidates(it) if v is not None and np.isfinite(v)})
                  for it in items}
        for k in range(6):
            for tol in (Tolerance(), Tolerance(rtol=1e-2)):
                cells = []
                for it in items:
                    v = values[it.key][k % len(values[it.key])]
                    text = f"{v:.{3 + k % 4}g}"
                    cells.append((it, float(text), text))
                sheet = cat.for_sheet({}, cells, tol)
                for it, given_, text in cells:
                    alone = cat.for_sheet({}).near_runs.kept(it, given_, text, tol)
                    assert sheet.near_runs.kept(it, given_, text, tol) == alone, (net, it.key, text)
                    kept_some += bool(alone)
    assert kept_some > 20
