"""The naming convention of backcalc's pages and keys, in one place (INTERFACE.md, "Names").

For people: unit p (1-based) of layer ``k`` is ``k{p}`` (just ``k`` when the layer has one unit); the weight
joining unit ``a`` to unit ``b`` is ``w_{a}{b}``, the bias of unit ``b`` is ``b_{b}``; a unit's pre-activation
is ``{unit}_in`` and its activation ``{unit}_out`` (those node names written in :mod:`backcalc.unit_names`, at the
bottom of the import graph so the tape may ask them too, and given back here).

For machines: layer n (1-based) has canonical array keys — parameters ``W{n}``, ``b{n}`` (and in 1.1
``gamma{n}``, ``beta{n}``, ``Wx{n}``, ``Wh{n}``), forward values ``z{n}``, ``a{n}`` (and ``mu{n}``, ``var{n}``,
``xhat{n}``, ``h{n}``, ``drop{n}`` after dropout) — and element keys with 0-based indices, as numpy: ``W2[0][1]``, ``b1[3]``.

Pure string work: nothing here imports numpy, the tape or the checker, so every package may ask it.

>>> unit_names("k", 2), unit_names("o", 1)
(('k1', 'k2'), ('o',))
>>> weight_name("j1", "k1"), bias_name("o"), node_in("k1"), node_out("k1")
('w_j1k1', 'b_o', 'k1_in', 'k1_out')
>>> element_key("W", 2, 0, 1), array_key("b", 1)
('W2[0][1]', 'b1')
>>> parse_key("W2[0][1]")
Key(kind='W', layer=2, index=(0, 1))
>>> parse_key("gamma3"), parse_key("w_ij1")
(Key(kind='gamma', layer=3, index=()), None)
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..unit_names import node_drop, node_in, node_out, node_unit  # noqa: F401  (the convention's node names)

PARAMETER_KINDS = ("W", "b", "gamma", "beta", "Wx", "Wh")
FORWARD_KINDS = ("z", "a", "mu", "var", "xhat", "h", "drop")
KINDS = PARAMETER_KINDS + FORWARD_KINDS

_KINDS_BY_LENGTH = sorted(KINDS, key=len, reverse=True)
_KEY = re.compile(r"^(" + "|".join(_KINDS_BY_LENGTH) + r")(\d+)((?:\[(?:\d+|:)\])*)\Z")
_INDEX = re.compile(r"\[(\d+|:)\]")


class Key(NamedTuple):
    """A parsed canonical key: ``W2[0][1]`` → kind ``"W"``, layer 2, index ``(0, 1)`` (``()`` for a whole array)."""

    kind: str
    layer: int
    index: tuple

    @property
    def array(self) -> str:
        """The array's key: ``"W2"``."""
        return array_key(self.kind, self.layer)


# ── for people ──

def unit_names(layer_name: str, units: int) -> tuple[str, ...]:
    """The units of a layer named ``layer_name``: ``("k1", "k2")``, or ``("o",)`` for a layer of one unit."""
    return (layer_name,) if units == 1 else tuple(f"{layer_name}{p}" for p in range(1, units + 1))


def weight_name(source: str, unit: str) -> str:
    """The weight joining unit ``source`` to unit ``unit``: ``weight_name("j1", "k1")`` → ``"w_j1k1"``."""
    return f"w_{source}{unit}"


def bias_name(unit: str) -> str:
    """The bias of ``unit``: ``bias_name("o")`` → ``"b_o"``."""
    return f"b_{unit}"


def gamma_name(unit: str) -> str:
    """Display name of unit ``unit``'s scale: ``gamma_k1``."""
    return f"gamma_{unit}"


def xhat_name(unit: str) -> str:
    """Display name of unit ``unit``'s normalised input x̂: ``xhat_k1`` (as the forward key ``xhat{n}``)."""
    return f"xhat_{unit}"


def beta_name(unit: str) -> str:
    """Display name of unit ``unit``'s shift: ``beta_k1``."""
    return f"beta_{unit}"


def name_clash(layers) -> tuple | None:
    """``(where, message)`` for the first generated name that would mean two things, else None.

    ``layers``: ``(where, unit names, names its weights w_{source}{unit})`` for the input (first) and every
    layer in order. Unit names must differ (a layer ``k1`` after a layer ``k`` of two units makes ``k1`` twice);
    weight names are ``w_`` + source + unit, and two pairs can spell the same string (input ``x`` → ``ab`` and
    ``xa`` → ``b`` both give ``w_xab``). Such a pair needs a unit name ``t = r + t2`` whose tail ``t2`` is another
    unit's name: only those candidates are tried, so nets of millions of weights are checked in a blink.

    >>> name_clash([("data", ("x",), False), ("layers[1]", ("ab",), True), ("layers[2]", ("xa",), True),
    ...             ("layers[3]", ("b",), True)])[1]
    "the weight name 'w_xab' would name both the weight from 'x' to 'ab' and the one from 'xa' to 'b'"
    >>> name_clash([("data", ("x",), False), ("layers[1]", ("k1", "k2"), True), ("layers[2]", ("k1",), True)])
    ('layers[2]', "unit name 'k1' is also a unit of layers[1]")
    """
    owner = {}
    for n, (where, units, _) in enumerate(layers):
        for u in units:
            if u in owner:
                return where, f"unit name {u!r} is also a unit of {layers[owner[u]][0]}"
            owner[u] = n
    for n, (where, units, dense) in enumerate(layers):
        if not dense or n == 0:
            continue
        for t in units:  # w_{s}{t} = w_{s2}{t2} with s2 = s + r and t = r + t2
            for cut in range(1, len(t)):
                r, t2 = t[:cut], t[cut:]
                m = owner.get(t2)
                if m is None or m == 0 or not layers[m][2]:
                    continue
                for s in layers[n - 1][1]:
                    if owner.get(s + r) == m - 1:
                        return where, (f"the weight name {weight_name(s, t)!r} would name both the weight from {s!r} "
                                       f"to {t!r} and the one from {s + r!r} to {t2!r}")
    return None


# ── for machines ──

def array_key(kind: str, layer: int) -> str:
    """The canonical key of a layer's array: ``array_key("W", 2)`` → ``"W2"``."""
    return f"{kind}{layer}"


def element_key(kind: str, layer: int, *index: int) -> str:
    """The canonical key of one element: ``element_key("W", 2, 0, 1)`` → ``"W2[0][1]"`` (0-based, as numpy)."""
    return array_key(kind, layer) + index_text(index)


def index_text(index) -> str:
    """``(0, 1)`` → ``"[0][1]"``; a ``slice(None)`` is written ``[:]``."""
    return "".join(["[:]" if isinstance(i, slice) else f"[{i}]" for i in index])


def parse_key(text: str, slices: bool = False) -> Key | None:
    """``Key(kind, layer, index)`` of a canonical array or element key, or None when ``text`` is not one.

    With ``slices``, an index may be ``:`` (a whole axis), given back as ``slice(None)``.

    >>> parse_key("Wx1[0][2]"), parse_key("a2[:][1]", slices=True).index, parse_key("a2[:][1]")
    (Key(kind='Wx', layer=1, index=(0, 2)), (slice(None, None, None), 1), None)
    """
    m = _KEY.match(text)
    if m is None:
        return None
    parts = _INDEX.findall(m.group(3))
    if ":" in parts and not slices:
        return None
    index = tuple(slice(None) if i == ":" else int(i) for i in parts)
    return Key(m.group(1), int(m.group(2)), index)
