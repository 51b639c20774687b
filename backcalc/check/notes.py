"""What verify could not compare, and why, as records: a code and its values; render/verify.py writes the words.

>>> kink("k1_in", 0.0, 1, "relu").code, dict(kink("k1_in", 0.0, 1, "relu").params)["node"]
('kink', 'k1_in')
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One note of a verify run: ``code`` is ``kink``, ``rounded_kink``, ``tie``, ``unjudged`` or ``replay_limit``; ``params`` its values."""

    code: str
    params: tuple = ()

    def get(self, name: str, default=None):
        return dict(self.params).get(name, default)

    def to_dict(self) -> dict:
        return {"code": self.code, **dict(self.params)}


def kink(node: str, value: float, sample: int, activation: str, rounded: bool = False) -> Note:
    """A unit's input ``node`` = ``value`` (1-based ``sample``) sits at ``activation``'s kink: central differences
    straddle it, so only the tape and sympy are compared for the parameters that move it. ``rounded``: the value
    is 0 up to the rounding of its terms and taken as exactly 0 (code ``rounded_kink``)."""
    return Note("rounded_kink" if rounded else "kink",
                (("node", node), ("value", float(value)), ("sample", int(sample)), ("activation", activation)))


def tie(unit: str, value: float, sample: int) -> Note:
    """A pooling window whose two largest inputs tie at ``value``: max has no derivative there."""
    return Note("tie", (("unit", unit), ("value", float(value)), ("sample", int(sample))))


def replay_limit(limit: int, steps: int) -> Note:
    """The optimizer's steps are replayed for the first ``limit`` of ``steps`` only."""
    return Note("replay_limit", (("limit", int(limit)), ("steps", int(steps))))


def unjudged(names) -> Note:
    """Central differences can judge none of these rows (``names``, the first eight shown): no step is both above
    the loss's rounding and fine enough for its curvature."""
    names = list(names)
    return Note("unjudged", (("count", len(names)), ("names", ", ".join(names[:8]) + (" …" if len(names) > 8 else "")),
                             ("s", "s" if len(names) != 1 else "")))
