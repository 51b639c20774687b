"""The words for a pre-activation taken as exactly 0 at a kink (:class:`~backcalc.net.kinks.RoundedKink`).

>>> from backcalc.net.kinks import RoundedKink
>>> from backcalc.render.labels import labels
>>> k = RoundedKink(1, "k", "k_in", 1, 5.551115123125783e-17, 4e-16, 4, "relu")
>>> kink_note(k, 5, labels("en"))
"k_in is 5.5511e-17 in floating point, 0 up to the rounding of its 4 terms (|k_in| ≤ 4e-16): taken as exactly 0, at relu's kink (relu′(0) = 0)"
"""

from __future__ import annotations

from ..tape.rules import RULES
from .format import num

#: a page that lists no units names at most this many kinks, then counts the rest
SUMMARY_KINKS = 8


def convention(activation: str) -> str:
    """The rule table's convention at the kink: ``relu′(0) = 0``."""
    return RULES[activation].note.split("; ")[-1]


def kink_note(k, digits: int, L: dict, sample: bool = False) -> str:
    """One kink in words (``L``: a language's labels); ``sample`` names the sample too (pages without unit rows)."""
    w = L["kink"]
    node = k.node + (w["sample"].format(s=k.sample) if sample else "")
    return w["note"].format(node=node, name=k.node, value=num(k.value, digits), terms=k.terms,
                            bound=num(k.bound, digits), activation=k.activation, convention=convention(k.activation))


def by_unit(d) -> dict:
    """{(layer, unit, sample): RoundedKink} of a derivation: the unit rows' notes."""
    return {(k.layer, k.unit, k.sample): k for k in d.kinks}


def summary_notes(d, digits: int, L: dict) -> list:
    """The first :data:`SUMMARY_KINKS` kinks in words, and a count of the rest (pages without unit rows)."""
    out = [kink_note(k, digits, L, sample=d.spec.samples > 1) for k in d.kinks[:SUMMARY_KINKS]]
    if len(d.kinks) > SUMMARY_KINKS:
        out.append(L["kink"]["more"].format(n=len(d.kinks) - SUMMARY_KINKS))
    return out
