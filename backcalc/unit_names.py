"""The names of a unit's values on a page, in one place: pre-activation ``{unit}_in``, activation ``{unit}_out``,
output after dropout ``{unit}_drop``.

Part of the naming convention of :mod:`backcalc.net.names` (which gives these back under its own name), kept at
the bottom of the import graph beside :mod:`backcalc.errors` so the tape's loss table and its workings write
∂L/∂out with the same names as the net's pages. Pure string work: it imports nothing.

>>> node_in("k1"), node_out("k1"), node_drop("k1"), node_unit("k1_out"), node_unit("i")
('k1_in', 'k1_out', 'k1_drop', 'k1', 'i')
"""

_TAILS = ("_out", "_in", "_drop")


def node_in(unit: str) -> str:
    """A unit's pre-activation: ``node_in("k1")`` → ``"k1_in"``."""
    return f"{unit}_in"


def node_out(unit: str) -> str:
    """A unit's activation: ``node_out("k1")`` → ``"k1_out"``."""
    return f"{unit}_out"


def node_drop(unit: str) -> str:
    """A unit's output after dropout, what the next layer reads: ``node_drop("k1")`` → ``"k1_drop"``."""
    return f"{unit}_drop"


def node_unit(node: str) -> str:
    """The unit a node value belongs to: ``"k1_out"`` and ``"k1_in"`` → ``"k1"``; an input unit ``"i"`` stays."""
    for tail in _TAILS:
        if node.endswith(tail):
            return node[:-len(tail)]
    return node
