"""The node tree of a `backcalc grad` program: backcalc's own frozen dataclasses, never Python objects.

:func:`backcalc.program.parse.parse` builds it from the whitelist; :mod:`backcalc.program.run` runs it on the
tape and :mod:`backcalc.program.sympy_check` rebuilds it with sympy's functions.

>>> p = Pos(1, 3, 1, 4)
>>> str(p), Binary("+", Name("x", p), Num(1.0, p), p).op
('1:3', '+')
"""

from __future__ import annotations

from dataclasses import dataclass

@dataclass(frozen=True)
class Pos:
    """Where a node sits in the program text (1-based line and column)."""

    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self):
        return f"{self.line}:{self.col}"


@dataclass(frozen=True)
class Num:
    value: float
    pos: Pos


@dataclass(frozen=True)
class Const:
    name: str  # "pi" or "e"
    pos: Pos


@dataclass(frozen=True)
class Name:
    name: str
    pos: Pos


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: object
    pos: Pos


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / **
    left: object
    right: object
    pos: Pos


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple
    pos: Pos


@dataclass(frozen=True)
class Statement:
    target: str
    expr: object
    pos: Pos
    implicit: bool = False  # a bare last expression, given the name of the output


@dataclass(frozen=True)
class Program:
    """A parsed program: statements in order, its inputs (in order of first use) and its output's name."""

    source: str
    statements: tuple
    inputs: tuple
    output: str

    @property
    def assigned(self) -> tuple:
        """Names assigned by the program, in order of first assignment."""
        return tuple(dict.fromkeys(s.target for s in self.statements))

    def snippet(self, pos: Pos, limit: int = 40) -> str:
        """The program text of a node (shortened)."""
        lines = self.source.splitlines() or [""]
        if pos.line == pos.end_line:
            text = lines[pos.line - 1][pos.col - 1:pos.end_col - 1]
        else:
            text = lines[pos.line - 1][pos.col - 1:] + " ..."
        return text if len(text) <= limit else text[:limit - 1] + "…"
