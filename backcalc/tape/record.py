"""What every node on the tape keeps and how it is read back: :class:`Entry`, :class:`Tape`, and the
nodes an output depends on in execution order (without recursion)."""

from __future__ import annotations

import itertools
import operator
from typing import Iterator, NamedTuple

from .rules import Rule

_next_seq = itertools.count().__next__
_new = object.__new__
_by_seq = operator.attrgetter("_seq")


class Entry(NamedTuple):
    """One recorded operation, read back from the tape."""

    index: int
    op: str
    output: object
    inputs: tuple
    local: tuple
    params: dict
    rule: Rule

    def formula(self, i: int, latex: bool = False, **names) -> str:
        """The local derivative ∂out/∂input_i as a formula (names default to the nodes' labels)."""
        return self.rule.formula(i, latex, **self._names(names))

    def _names(self, names: dict) -> dict:
        full = {"a": _name_of(self.inputs[0])}
        if len(self.inputs) > 1:
            full["b"] = _name_of(self.inputs[1])
        full["out"] = _name_of(self.output)
        full.update(self.params)
        full.update(names)
        return full

    def expression(self, latex: bool = False, **names) -> str:
        """The forward operation written with the inputs' names (``σ(k1_in)``)."""
        return self.rule.expression(latex, **self._names(names))


def _name_of(x) -> str:
    if hasattr(x, "_seq"):  # a Value or a Tensor
        return x.label or f"v{x._seq}"
    return f"{x:g}" if isinstance(x, float) else str(x)


class Tape:
    """The operations an output depends on, in execution order (``out.tape()``)."""

    def __init__(self, nodes: list):
        self.nodes = nodes
        self.entries = [node._entry(i) for i, node in enumerate(n for n in nodes if n._rule is not None)]
        self.leaves = [n for n in nodes if n._rule is None]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, i) -> Entry:
        return self.entries[i]

    def __repr__(self) -> str:
        lines = [f"Tape({len(self.entries)} operations, {len(self.leaves)} leaves)"]
        for e in self.entries[:50]:
            # a constant input (the 3 of 3·x) has no factor worth listing: only nodes on the tape do
            factors = ", ".join(f"∂/∂{_name_of(x)} = {e.formula(i)}" for i, x in enumerate(e.inputs)
                                if hasattr(x, "_seq"))
            lines.append(f"  {e.index:>3} {_name_of(e.output)} = {e.expression()}   [{factors}]")
        if len(self.entries) > 50:
            lines.append(f"  ... {len(self.entries) - 50} more")
        return "\n".join(lines)


def _ancestors(root, parents) -> list:
    """Every node ``root`` depends on (itself included), in execution order — without recursion."""
    seen = set()
    order = []
    stack = [root]
    while stack:
        node = stack.pop()
        key = id(node)
        if key in seen:
            continue
        seen.add(key)
        order.append(node)
        stack.extend(parents(node))
    order.sort(key=_by_seq)
    return order
