"""The backward sweep of the :class:`~backcalc.tape.tensor.Tensor` tape, and which gradients it keeps.

``backward()`` keeps the gradients of the leaves (the inputs and parameters), of the tensor it was called on,
of every node someone holds (a variable, a list, a ``Tape``: anything but the graph's own nodes), and of
nodes marked with ``retain_grad()`` — or of every node with ``backward(keep_grads=True)``. The gradient
of an intermediate no one holds, which can only be reached through the graph (``out.tape()``,
``.inputs``), is freed as soon as the sweep has handed it on, so a deep net holds one layer's gradients at a
time, not all of them. Reading such a node's ``.grad`` afterwards runs the same sweep once more, keeping
every gradient this time, and fills every dropped gradient of that ``backward()`` at once: the same
operations in the same order, so the same numbers bit for bit — as long as no array of the graph was
changed in place in between (the rule the factors already follow).

A gradient handed on unchanged (by ``+``, a reshape, a transpose) is one array for both nodes inside the
sweep; a node whose gradient is shared copies it when it is first read (``Tensor.grad``).

>>> from backcalc import Tensor
>>> x = Tensor([1.0, 2.0], label="x")
>>> loss = (x.tanh() * 3.0).sum()              # no one holds the tanh node ...
>>> loss.backward()
>>> h = loss.tape().nodes[1]
>>> h.op, h._grad is None, x._grad is not None   # ... so its gradient was freed
('tanh', True, True)
>>> h.grad.tolist()                              # and comes back when read: ∂L/∂h = 3
[3.0, 3.0]
"""

from __future__ import annotations

import sys
import weakref

import numpy as np

from ..errors import ArgumentError
from .keep import value
from .record import _ancestors


def _buffer(a: np.ndarray):
    """The object owning ``a``'s memory (``a`` itself, or the array it is a view of)."""
    return a if a.base is None else a.base


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a gradient back to the shape of the input it belongs to (the one place broadcasting is undone)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return np.reshape(grad, shape)


class Sweep:
    """One ``backward()``: its seed and (weakly) the tensor it started from, to run again when a dropped
    gradient is read. A node whose gradient was dropped holds its Sweep; the Sweep does not hold the graph,
    so no reference cycle keeps a graph's arrays alive after its last user lets go of it."""

    __slots__ = ("root", "seed")

    def __init__(self, root, seed: np.ndarray):
        self.root, self.seed = weakref.ref(root), seed

    def run(self, nodes: list, keep_all: bool, visit=None) -> None:
        """Fill ``.grad`` of the nodes this sweep keeps (all of them with ``keep_all``), dropping the rest;
        ``visit(node, grad, factors)`` sees each recorded node as the sweep passes it (Tensor.backward)."""
        root = self.root()
        keep = None if keep_all else _kept(nodes, root)
        grads, shared = _run(nodes, root, self.seed.copy(), keep, visit)
        for node in nodes:
            key = id(node)
            if key in grads or keep is None or key in keep or not node.requires_grad:
                node._grad, node._shared, node._replay = _final(node, grads.get(key)), key in shared, None
            else:
                node._grad, node._shared, node._replay = None, False, self

    def fill(self) -> None:
        """Run again keeping every gradient; store it in each node whose gradient this sweep dropped."""
        root = self.root()
        if root is None:
            raise ArgumentError("this intermediate's gradient was not kept, and the tensor backward() was called on "
                                "is gone, so it cannot be computed again: keep that tensor, or call retain_grad() "
                                "on this one (or backward(keep_grads=True)) before backward()")
        nodes = _ancestors(root, _parents)
        grads, shared = _run(nodes, root, self.seed.copy(), None)
        for node in nodes:
            if node._replay is self:
                key = id(node)
                node._grad, node._shared, node._replay = _final(node, grads.get(key)), key in shared, None


def _parents(node):
    return node._inputs


_INTERNAL = 3  # references to a node inside _kept: the list of nodes, the loop's name, getrefcount's argument


def _kept(nodes: list, root) -> set:
    """The ids of the nodes whose gradients backward() keeps: the leaves, the root, nodes marked retain_grad()
    and every node someone holds — referenced from anywhere but the inputs of the graph's own nodes."""
    uses = _uses(nodes)
    keep = {id(root)}
    for node in nodes:
        if node._rule is None or node._retain or sys.getrefcount(node) > _INTERNAL + uses.get(id(node), 0):
            keep.add(id(node))
    return keep


def _uses(nodes: list) -> dict:
    """How many times each node is an input of the graph's nodes (a function: no name outlives the loop)."""
    uses = {}
    for n in nodes:
        for t in n._inputs:
            uses[id(t)] = uses.get(id(t), 0) + 1
    return uses


def _final(node, grad):
    if grad is None and node.requires_grad:
        return np.zeros(node._shape)
    return grad


def _run(nodes: list, root, seed: np.ndarray, keep, visit=None) -> tuple:
    """The sweep: every gradient, by node id (those not kept dropped as soon as handed on), and the ids of
    nodes whose gradient array is shared with another's."""
    grads, shared = {id(root): seed}, set()
    # who holds each buffer: a node's data (None) or the id of the first node whose gradient lives there
    owner = {id(_buffer(n._data)): None for n in nodes if n._data is not None}
    owner[id(seed)] = id(root)
    values = {}  # dropped outputs recomputed for this sweep, each until its own node has been passed
    for node in reversed(nodes):
        key = id(node)
        g = grads.get(key)
        if g is not None and node._rule is not None:
            _step(node, g, grads, shared, owner, values, visit)
            if keep is not None and key not in keep:
                del grads[key]
        values.pop(key, None)
    return grads, shared


def _step(node, g, grads: dict, shared: set, owner: dict, values: dict, visit=None) -> None:
    """Hand ``node``'s gradient on to its inputs, each summed back to its input's shape."""
    rule, inputs = node._rule, node._inputs
    ans = node._data
    if ans is None and rule.reads_out:
        ans = value(node, values, owner)
    args = [t._data if t._data is not None or not rule.reads_inputs else value(t, values, owner) for t in inputs]
    factors = node._local
    if factors is None:
        factors = rule.local(ans, *args, **node._params)
    if visit is not None:
        visit(node, g, factors)  # before the product below may be written into a fresh factor
    if rule.vjp is not None:
        needs = tuple(t.requires_grad for t in inputs)
        out = rule.vjp(g, ans, factors, args, node._params, needs)
    else:
        # factors made just now belong to nobody: each product may be written into its factor
        fresh = node._local is None and len({id(f) for f in factors}) == len(factors)
        out = [_times(g, f, fresh, owner) if t.requires_grad else None for f, t in zip(factors, inputs)]
    for t, gi in zip(inputs, out):
        if t.requires_grad:
            _hand_on(t, unbroadcast(np.asarray(gi, dtype=np.float64), t._shape), grads, shared, owner)


def _hand_on(t, gi: np.ndarray, grads: dict, shared: set, owner: dict) -> None:
    key = id(t)
    have = grads.get(key)
    if have is not None:
        if key in shared:
            grads[key] = have = have + gi
            shared.discard(key)
            owner[id(have)] = key
        else:
            have += gi
        return
    buf = id(_buffer(gi))
    if buf in owner or not gi.flags.writeable:
        holder = owner.get(buf)
        if holder is not None:
            shared.add(holder)
        shared.add(key)
    else:
        owner[buf] = key
    grads[key] = gi


def _times(g, f, fresh: bool, owner: dict):
    """``g * f``, written into ``f`` when ``f`` is a full-size array made for this product alone."""
    if (fresh and f.__class__ is np.ndarray and f.base is None and f.shape == g.shape
            and f.dtype == np.float64 and f.flags.writeable and id(f) not in owner):
        return np.multiply(g, f, out=f)
    return g * f
