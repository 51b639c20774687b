"""A unit's node names ({unit}_in, {unit}_out, {unit}_drop) are written in one place, backcalc/unit_names.py: no
module of the tape, the net, the checker, grading, the study or testing spells them in an f-string (the loss
table's ∂L/∂out, its workings and the net's pages all ask node_in/node_out, so a change of convention reaches them
all). The renderers are not held yet: render/focus.py, latex.py, text.py still spell some."""

import ast
import re
from pathlib import Path

import backcalc.net.names as names
import backcalc.unit_names as unit_names
from backcalc.tape.losses import out_gradient_formula
from backcalc.tape.workings import loss_working

PACKAGE = Path(__file__).resolve().parent.parent / "backcalc"
GUARDED = ("tape", "net", "check", "grading", "program", "study", "testing", "commands")
_TAIL = re.compile(r"_(out|in|drop)(?![A-Za-z0-9_])")


def spelled_node_names(source: str) -> list:
    """Line numbers of f-strings that write a node name themselves: ``{...}`` then ``_out``, ``_in`` or ``_drop``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for before, after in zip(parts, parts[1:]):
                if isinstance(before, ast.FormattedValue) and isinstance(after, ast.Constant) \
                        and _TAIL.match(str(after.value)):
                    found.append(node.lineno)
    return found


def test_no_package_below_the_renderers_spells_a_node_name_itself():
    spelled = [f"{path.relative_to(PACKAGE.parent)}:{line}"
               for package in GUARDED for path in sorted((PACKAGE / package).rglob("*.py"))
               for line in spelled_node_names(path.read_text(encoding="utf-8"))]
    assert not spelled, "node names spelled outside backcalc/unit_names.py: " + ", ".join(spelled)


def test_the_scan_finds_a_spelled_node_name():
    assert spelled_node_names('x = f"{unit}_out"\ny = f"softmax({u}_in) − 1"\nz = f"{u}_drop"') == [1, 2, 3]
    assert spelled_node_names('x = f"{unit}_output"\ny = f"{u}_index"\nz = node_out(u)') == []


def test_the_net_gives_back_the_same_node_names():
    assert (names.node_in, names.node_out, names.node_drop, names.node_unit) == \
        (unit_names.node_in, unit_names.node_out, unit_names.node_drop, unit_names.node_unit)


def test_the_loss_formulas_follow_the_convention(monkeypatch):
    """The tape's ∂L/∂out and its working change with the convention's one home (a break on purpose)."""
    import backcalc.tape.losses as losses
    import backcalc.tape.workings as workings
    assert out_gradient_formula("half_sse", "o", 1, 1, "sum", "linear") == "o_out − y_o"
    monkeypatch.setattr(losses, "node_out", lambda unit: f"{unit}.a")
    monkeypatch.setattr(workings, "node_out", lambda unit: f"{unit}.a")
    assert out_gradient_formula("half_sse", "o", 1, 1, "sum", "linear") == "o.a − y_o"
    assert all("_out" not in line.lhs + line.rhs for line in loss_working("mse", "o1", 2, 2, "mean", "linear",
                                                                           ("o1", "o2")).lines)
