"""The scalar tape's backward: the local factors a node does not store, and the sweep in execution order.

A binary rule whose factors are constants (``+``: 1 and 1) or its inputs swapped (``·``: ∂(a·b)/∂a = b) has
them read when they are needed — by ``backward()`` or by ``.local`` — rather than stored on every node;
every other rule's factors are computed and stored when the operation is recorded. Which kind a rule is
is asked of the rule itself (:func:`factor_kind`), so the table stays the one place that says it.

The sweep visits the operations the output depends on, last executed first, which is the tape read in
reverse: a node's sequence number ``seq`` says where it ran, so the node ``root._seq − seq`` places
from the output is put in that place of a list the first time a consumer hands it a gradient, and the
list is read front to back while it fills. A node is reached only from the nodes that consume it, all
of them executed later, so its gradient is complete when its turn comes; and only what the output
depends on is ever reached. The first contribution sets a gradient (``0.0 + c``, as from a reset to
zero), later ones add to it, in the order of their consumers — the same sums, term by term, as
resetting every gradient and sweeping a sorted list. A graph spread over more than ``DENSE_LIMIT``
sequence numbers (an operation recorded long before the others) is swept the other way: a walk that
resets every gradient, a sort by sequence number, a sweep.

The in-place sweep has a compiled twin, ``_value_sweep.c``, built when ``pip install`` finds a C compiler:
the same loop, statement by statement, several times faster; the tests sweep random programs both ways and
compare every gradient bit for bit. Without it, or with the environment variable ``BACKCALC_PURE_PYTHON`` set
to anything but an empty string or ``0``, the Python loop below runs.
"""

from __future__ import annotations

import os

from .record import _by_seq

DENSE_LIMIT = 1 << 21  # places in the list of one sweep (16 MB): past it, walk and sort instead

SWAP = "swap"  # the kind of a rule whose factors are its inputs, swapped


def factor_kind(rule):
    """How a binary rule's factors are had without storing them: :data:`SWAP`, the pair of constants, or
    None (computed and stored when recorded).

    The rule's own ``local`` is asked, twice, with stand-in objects: it is a swap if it hands back the
    two inputs exchanged; its factors are constants if the rule reads neither its output nor its inputs
    and it gives the same two floats both times.

    >>> from backcalc.tape.rules import RULES
    >>> factor_kind(RULES["mul"]), factor_kind(RULES["sub"]), factor_kind(RULES["div"])
    ('swap', (1.0, -1.0), None)
    """
    if rule.arity != 2:
        return None
    probes = []
    for _ in range(2):
        a, b = object(), object()
        try:
            factors = tuple(rule.local(object(), a, b))
        except Exception:  # a rule that computes with its inputs cannot take stand-ins
            return None
        probes.append((factors, a, b))
    if all(len(f) == 2 and f[0] is b and f[1] is a for f, a, b in probes):
        return SWAP
    (first, _, _), (second, _, _) = probes
    constant = (not rule.reads_out and not rule.reads_inputs and len(first) == 2
                and all(x.__class__ is float for x in first + second)
                and [x.hex() for x in first] == [x.hex() for x in second])
    return first if constant else None


_KINDS: dict = {}  # id(rule) → (rule, its kind); the rule is kept so that its id is never reused


def kind_of(rule):
    """:func:`factor_kind` of ``rule``, asked once per rule."""
    known = _KINDS.get(id(rule))
    if known is None:
        known = _KINDS[id(rule)] = (rule, factor_kind(rule))
    return known[1]


def factors(node, Value) -> tuple:
    """(∂out/∂a, ∂out/∂b) of an operation node, the second None for a one-input rule."""
    rule = node._rule
    if rule.arity == 1:
        return node._la, None
    kind = kind_of(rule)
    if kind is None:
        return node._la, node._lb
    if kind is SWAP:
        a, b = node._a, node._b
        return (b.data if b.__class__ is Value else b), (a.data if a.__class__ is Value else a)
    return kind


def sweep(root, Value, swap_rule=None, unit_rule=None) -> None:
    """Fill ``_grad`` of every node ``root`` depends on with ∂root/∂node (from scratch).

    ``swap_rule`` and ``unit_rule`` are the rules of ``*`` and ``+`` when their factors are the inputs
    swapped and 1 and 1: the loop itself hands on g·b, g·a and g, g (g·1 is g in floats); every other
    rule's factors come from :func:`factors`.
    """
    root._grad = 1.0
    if root._rule is None:
        return
    if COMPILED is not None:
        in_place = COMPILED(root, Value, swap_rule, unit_rule, _handed_on, DENSE_LIMIT)
    else:
        in_place = _sweep_in_place(root, Value, swap_rule, unit_rule)
    if not in_place:
        _sweep_sorted(root, Value)


def compiled_sweep():
    """The compiled in-place sweep, ``f(root, Value, swap_rule, unit_rule, handed_on, dense_limit) -> bool``,
    or None when it is not built or ``BACKCALC_PURE_PYTHON`` asks for the Python loop.

    >>> compiled_sweep() in (None, COMPILED)
    True
    """
    if os.environ.get("BACKCALC_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from ._value_sweep import sweep_in_place
    except ImportError:
        return None
    return sweep_in_place


COMPILED = compiled_sweep()  # what sweep() uses; the tests set it to None to run the Python loop


def _sweep_in_place(root, Value, swap, unit) -> bool:
    """The sweep over a list that fills as it is read (the module's docstring); False past :data:`DENSE_LIMIT`."""
    top = root._seq
    order = [None] * 256
    order[0] = root
    leaves = set()
    for node in order:
        if node is None:
            continue
        g = node._grad
        rule = node._rule
        a = node._a
        b = node._b
        if rule is swap:
            if b.__class__ is Value:
                ca = g * b.data
                cb = g * a.data if a.__class__ is Value else g * a
            else:
                ca = g * b
        elif rule is unit:
            ca = cb = g
        else:
            ca, cb = _handed_on(node, g, Value)
        if a.__class__ is Value:
            if a._rule is None:
                if a in leaves:
                    a._grad += ca
                else:
                    leaves.add(a)
                    a._grad = ca or 0.0
            else:
                i = top - a._seq
                try:
                    if order[i] is a:
                        a._grad += ca
                    else:
                        order[i] = a
                        a._grad = ca or 0.0
                except IndexError:  # past the end of the list
                    if not _place_past_end(order, i, a, ca):
                        return False
        if b.__class__ is Value:  # the same for the second input
            if b._rule is None:
                if b in leaves:
                    b._grad += cb
                else:
                    leaves.add(b)
                    b._grad = cb or 0.0
            else:
                i = top - b._seq
                try:
                    if order[i] is b:
                        b._grad += cb
                    else:
                        order[i] = b
                        b._grad = cb or 0.0
                except IndexError:  # past the end of the list
                    if not _place_past_end(order, i, b, cb):
                        return False
    return True


def _handed_on(node, g, Value) -> tuple:
    """g·∂out/∂a and g·∂out/∂b of a node whose factors the sweep does not read itself (None: no second input)."""
    fa, fb = factors(node, Value)
    return g * fa, (g * fb if node._b.__class__ is Value else None)


def _place_past_end(order: list, i: int, node, c) -> bool:
    """Lengthen ``order`` to hold ``node`` at place ``i`` (at least doubling it) and give it its first
    gradient ``c``; False past :data:`DENSE_LIMIT`."""
    if i >= DENSE_LIMIT:
        return False
    order += [None] * (max(i + 1, 2 * len(order)) - len(order))
    order[i] = node
    node._grad = c or 0.0
    return True


def _sweep_sorted(root, Value) -> None:
    """The sweep of a spread-out graph: reset every gradient on a walk, sort by sequence number, sweep."""
    for node in _ops_last_first(root, Value):
        g = node._grad
        fa, fb = factors(node, Value)
        a = node._a
        if a.__class__ is Value:
            a._grad += g * fa
        b = node._b
        if b.__class__ is Value:
            b._grad += g * fb


def _ops_last_first(root, Value) -> list:
    """The operations ``root`` depends on (itself included), last executed first; every ``_grad`` set to 0.

    Depth-first without recursion, a node marked visited by a zero made for this walk in its ``_grad``
    (``float("0")`` is a new object each time), then sorted by sequence number. ``root``'s own gradient
    is 1.
    """
    zero = float("0")
    root._grad = zero
    ops = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node._rule is None:
            continue
        ops.append(node)
        for x in (node._a, node._b):
            if x.__class__ is Value and getattr(x, "_grad", None) is not zero:
                x._grad = zero
                stack.append(x)
    ops.sort(key=_by_seq, reverse=True)
    root._grad = 1.0
    return ops
