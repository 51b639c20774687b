"""Which outputs a :class:`~backcalc.tape.tensor.Tensor` node holds, and how a dropped one comes back.

Every node's ``.data`` is readable, but the tape does not hold every output in memory. Two kinds of
intermediate output are dropped and recomputed from the node's inputs when read, bit for bit (the same
rule on the same arrays):

* the output of a one-input elementwise rule (``sigmoid``, ``tanh``, ``relu``, ``exp``, ``x ** k`` ...),
  once a later operation has used it — recomputing it costs one pass over the array;
* the output of a rule that never reads its own output in backward (``matmul``), when ``+``/``−`` — which
  read neither input in backward — adds something of the same shape to it: the sum is written into its
  buffer (``a @ W + b`` allocates one array, not two).

Neither happens to a leaf, to an array anyone outside the tape holds (a ``.data`` kept in a variable, a
view of it, a cached ``.local``), or to a node a dropped node is recomputed from (it is *pinned*), so
recomputing never goes more than two nodes deep. A dropped node remembers its inputs' arrays as they were when
it was dropped, so rebinding a leaf's ``.data`` afterwards (an optimizer step) does not change what it recomputes
(changing an array in place does: the tape's rule for factors). Reading ``.data`` recomputes and keeps the output;
``backward()`` recomputes what it needs for the duration of the sweep only.

>>> import numpy as np
>>> from backcalc import Tensor
>>> z = Tensor(np.array([[0.5, -1.0]]), label="z")
>>> h = z.sigmoid()
>>> out = h * 2.0                 # h has been used: its array is dropped ...
>>> h._data is None
True
>>> bool(np.array_equal(h.data, 1.0 / (1.0 + np.exp(-z.data))))   # ... and recomputed when read
True
"""

from __future__ import annotations

import sys

import numpy as np

_ALONE = 3  # sys.getrefcount of an array held only by its node (the attribute, a local name, the argument)


def value(node, cache: dict | None = None, owner: dict | None = None) -> np.ndarray:
    """``node``'s output: the held array, else recomputed from its inputs (kept in ``cache`` when given)."""
    data = node._data
    if data is not None:
        return data
    key = id(node)
    if cache is not None and key in cache:
        return cache[key]
    # the input arrays as they were when the output was dropped (a leaf's .data rebound since does not count)
    args = [a if a is not None else value(t, cache, owner) for a, t in zip(node._sources, node._inputs)]
    with np.errstate(all="ignore"):  # the forward already said whatever numpy had to say
        data = np.asarray(node._rule.array(*args, **node._params), dtype=np.float64)
    if cache is not None:
        cache[key] = data
        if owner is not None:
            owner[id(data)] = None  # the sweep must never write into it
    return data


def _alone(node) -> bool:
    """The node's array exists only for the node: no view of it, no variable, no cached factor holds it."""
    data = node._data
    return data is not None and data.base is None and sys.getrefcount(data) <= _ALONE


def _recomputable(node) -> bool:
    """Held, or dropped with held inputs: a node a dropped node may be recomputed from."""
    return node._data is not None or all(t._data is not None for t in node._inputs)


def release_used(inputs) -> None:
    """After an operation has used ``inputs``: drop the outputs of one-input elementwise rules among them."""
    for t in inputs:
        rule = t._rule
        if (rule is not None and rule.elementwise and rule.arity == 1 and not t._pinned
                and t._inputs[0]._data is not None and _alone(t)):
            t._inputs[0]._pinned = True
            t._sources = (t._inputs[0]._data,)
            t._data = None


def add_in_place(rule, inputs, params):
    """``rule``'s output written into the buffer of one of its two inputs, which is then dropped; None when
    no input qualifies (see the module notes)."""
    if (rule.reads_inputs or not isinstance(rule.array, np.ufunc) or params or len(inputs) != 2
            or inputs[0] is inputs[1]):
        return None
    for i, t in enumerate(inputs):
        other = inputs[1 - i]
        if (t._rule is None or t._rule.reads_out or t._pinned or not _alone(t)
                or not all(_recomputable(s) for s in t._inputs)):
            continue
        buf = t._data
        if (buf.dtype != np.float64 or not buf.flags.c_contiguous or not buf.flags.writeable
                or np.broadcast_shapes(buf.shape, other.shape) != buf.shape):
            continue
        args = (buf, other.data) if i == 0 else (other.data, buf)
        if np.shares_memory(args[1 - i], buf):
            continue
        out = rule.array(*args, out=buf)
        for s in t._inputs:
            s._pinned = True
        t._sources = tuple(s._data for s in t._inputs)  # None for a dropped input: recomputed from its own
        t._data = None
        return out
    return None
