"""What an answer depends on (grading/dependencies.py): the tables named without walking the keys
(``depends_sections``, which lets check skip the blame search of a sheet that gives nothing before an answer) hold
every key the walk (``depends``) yields, on every kind of net the checker answers."""

from pathlib import Path

import pytest

from backcalc.errors import SpecError
from backcalc.grading.keys import AnswerSpace
from backcalc.net.derivation import explain

EXAMPLES = Path(__file__).resolve().parents[1] / "worked_examples"
NETS = sorted(p.stem for p in EXAMPLES.glob("*.toml") if not p.stem.endswith("_student"))  # each new kind too


def every_item(sp):
    yield sp.loss_item("loss")
    yield sp.loss_item("loss_after")
    for section in ("forward", "factors", "gradients", "updated"):
        for name in sp.names(section):
            yield from sp.name_items(section, name, quiet=True)
    for scope in ("updated.step1", "state.momentum_buffer", "state.exp_avg"):  # a training net's other tables
        for name in sp.params:
            try:
                yield from sp.name_items(scope, name, quiet=True)
            except (KeyError, ValueError):
                pass


@pytest.mark.parametrize("net", NETS)
def test_the_tables_an_answer_depends_on_hold_every_key_it_depends_on(net):
    try:
        sp = AnswerSpace(explain(EXAMPLES / f"{net}.toml"))
    except SpecError as exc:  # a layer kind check does not answer yet
        pytest.skip(str(exc))
    seen = set()
    for item in every_item(sp):
        sections = set(sp.depends_sections(item))
        for key in sp.depends(item):
            table = key.split(".", 1)[0]
            assert table in sections, f"{item.key} depends on {key}, outside {sorted(sections)}"
            seen.add((item.section, table))
    # the walk reaches back across tables (so the test above tests something on these nets)
    assert {("gradients", "factors"), ("forward", "forward")} <= seen


def test_a_dropout_units_delta_depends_on_its_mask_and_its_gradient_after_dropout():
    # δ of h1 = ∂L/∂h1_drop · mask · ∂h1_out/∂h1_in, and ∂L/∂h1_drop comes back from o along w: the chain in order
    sp = AnswerSpace(explain(EXAMPLES / "dropout_231.toml"))
    item = sp.name_items("factors", "∂L/∂h1_in")[0]
    assert list(sp.depends(item)) == [f"factors.{f}[0]" for f in (
        "∂L/∂o_out", "∂o_out/∂o_in", "∂L/∂o_in", "∂o_in/∂h1_drop",
        "∂L/∂h1_drop", "∂h1_drop/∂h1_out", "∂L/∂h1_out", "∂h1_out/∂h1_in")]
