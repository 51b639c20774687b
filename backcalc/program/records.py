"""The records of a `grad` run: one :class:`NodeRow` per tape entry, a :class:`Factor` per chain-rule factor, sympy's
:class:`Derivative` per input, all in one :class:`GradResult` (``to_dict()`` is the JSON of ``grad --format json``).

Both the tape run (:mod:`backcalc.program.run`) and the independent checker (:mod:`backcalc.program.sympy_check`)
fill these records; neither imports the other's code for it.

>>> agree(0.1 + 0.2, 0.3), agree(1.0, None)
(True, False)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

RTOL, ATOL = 1e-7, 1e-9  # tape against sympy


# ─────────────────────────────────────────── records ───────────────────────────────────────────

@dataclass(frozen=True)
class Factor:
    """One chain-rule factor of a node: ∂node/∂input, and its product with ∂out/∂node."""

    input: str
    input_latex: str
    formula: str          # ∂node/∂input, from the rule table, written with the nodes' names
    formula_latex: str
    local: float          # its value
    chain: float          # ∂out/∂node · ∂node/∂input: this path's share of ∂out/∂input


@dataclass(frozen=True)
class NodeRow:
    """One operation on the tape, in execution order."""

    name: str
    name_latex: str
    op: str
    expression: str       # what it computes, in the inputs' names (``sin(t1)``)
    expression_latex: str
    source: str           # the program text that made it
    value: float
    grad: float           # ∂out/∂node
    factors: tuple


@dataclass(frozen=True)
class Derivative:
    """∂out/∂input three ways: the tape's number, sympy's closed form and sympy's number."""

    input: str
    tape: float
    symbolic: str
    symbolic_latex: str
    symbolic_value: float | None
    simplified: bool
    status: str           # "ok", "kink" (non-differentiable point: the tape's convention applies), "mismatch",
    #                       or "unsettled" (sympy's value never settled: the symbolic column cannot judge)


@dataclass(frozen=True)
class GradResult:
    """Everything `backcalc grad` shows; ``to_dict()`` is the JSON output."""

    program: str
    output: str
    output_latex: str
    value: float
    point: tuple          # ((name, value), ...) in the order of the inputs
    gradient_items: tuple  # ((name, ∂out/∂name), ...)
    nodes: tuple
    input_latex: tuple    # ((name, latex), ...)
    expression: str = ""  # the output in the inputs, as sympy writes it ("" without the symbolic check)
    expression_latex: str = ""
    symbolic_value: float | None = None
    derivatives: tuple = ()
    notes: tuple = ()
    checked: bool = True  # False when the symbolic check ran out of time (see the notes): nothing above is checked
    lang: str = "en"      # the language of its render method and of Jupyter's display

    @property
    def gradient(self) -> dict[str, float]:
        return dict(self.gradient_items)

    @property
    def ok(self) -> bool:
        value_ok = self.symbolic_value is None or agree(self.value, self.symbolic_value)
        return value_ok and all(d.status != "mismatch" for d in self.derivatives)

    def mismatches(self) -> list[str]:
        out = []
        if self.symbolic_value is not None and not agree(self.value, self.symbolic_value):
            out.append(f"{self.output}: tape {self.value!r}, sympy {self.symbolic_value!r}")
        for d in self.derivatives:
            if d.status == "mismatch":
                sym = "undefined" if d.symbolic_value is None else repr(d.symbolic_value)
                out.append(f"∂{self.output}/∂{d.input}: tape {d.tape!r}, sympy {sym} ({d.symbolic})")
        return out

    def render(self, fmt: str = "text", digits: int = 6, lang: str | None = None) -> str:
        """The page in ``fmt`` (text, latex, json), in ``lang`` (default: the result's own).

        >>> from backcalc import grad
        >>> grad("x*x", {"x": 3.0}, lang="id").render().splitlines()[-1]
        '  ∂f/∂x = 2*x = 6   ✓ cocok dengan tape'
        """
        from ..errors import BackcalcError
        from ..net.records import check_lang
        from ..render.grad import FORMATS, render

        if fmt not in FORMATS:
            raise BackcalcError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
        return render(self, fmt, digits, check_lang(lang or self.lang))

    def _repr_markdown_(self) -> str:
        """Jupyter shows the text page (the table of the tape) as a code block."""
        from ..render.grad import markdown  # the renderer, loaded on first use

        return markdown(self, lang=self.lang)

    def to_dict(self) -> dict:
        out = {"format": 1, "value": self.value, "gradient": dict(self.gradient_items),
               "derivative": {d.input: d.symbolic for d in self.derivatives},
               "output": self.output, "point": dict(self.point), "program": self.program}
        if self.expression:
            out["expression"] = self.expression
            out["symbolic"] = {"value": self.symbolic_value,
                               "gradient": {d.input: d.symbolic_value for d in self.derivatives},
                               "status": {d.input: d.status for d in self.derivatives},
                               "simplified": {d.input: d.simplified for d in self.derivatives}}
            out["ok"] = self.ok
        elif not self.checked:
            out["symbolic"] = None
            out["ok"] = None  # the symbolic check did not finish: neither agreement nor disagreement
        out["nodes"] = [{k: v for k, v in asdict(n).items() if k not in ("name_latex", "expression_latex")}
                        | {"factors": [{k: v for k, v in asdict(f).items() if not k.endswith("_latex")}
                                       for f in n.factors]} for n in self.nodes]
        out["notes"] = list(self.notes)
        return out


def agree(a: float, b: float | None) -> bool:
    """Whether the tape's ``a`` and sympy's ``b`` agree (rtol :data:`RTOL`, atol :data:`ATOL`); ``b`` None never does."""
    return b is not None and math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)
