"""The tape: scalar :class:`Value` and numpy :class:`Tensor`, reverse mode, every chain-rule factor kept.

Every operation makes one node that keeps its rule (from :mod:`backcalc.ops`), its inputs, its output
and, for each input, the local partial derivative ∂out/∂input as a number (or array). Nodes carry a
sequence number in execution order; ``backward()`` gathers the nodes the output depends on, orders
them by that number — which is the tape, in the order the operations ran — and sweeps it in reverse.
No recursion, so a chain of 100 000 operations is fine.

Conventions:

* ``backward()`` computes gradients from scratch: it first sets ``.grad`` of every node the output
  depends on to zero, so calling it twice gives the same gradients, never doubled ones. After it,
  ``x.grad`` is ∂out/∂x of the most recent ``backward()`` whose graph contains ``x``.
* Gradients of intermediate nodes are kept (``k1_out.grad`` is ∂L/∂k1_out), not only of leaves.
  A Tensor's ``.grad`` is a writeable array of its own, never memory shared with another node's
  ``.grad`` or ``.data``.
* Derivatives at non-differentiable points follow :mod:`backcalc.ops` (relu′(0) = 0, ...).
"""

from __future__ import annotations

import itertools
import numbers
import operator
from typing import Iterator, NamedTuple

import numpy as np

from .errors import ShapeError
from .ops import RULES, Rule

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
    if isinstance(x, (Value, Tensor)):
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
            factors = ", ".join(f"∂/∂{_name_of(x)} = {e.formula(i)}" for i, x in enumerate(e.inputs))
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


# ─────────────────────────────────────────── Value ───────────────────────────────────────────

def _real(x):
    """``x`` as a float if it is a plain real number, else None (so operators can answer NotImplemented)."""
    cls = x.__class__
    if cls is float:
        return x
    if cls is int or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        return float(x)
    return None


def _binary_op(rule):
    """The recorders of a binary rule, ``(op, rop)``: ``op(x, y)`` is x ∘ y and ``rop(y, x)`` is x ∘ y
    too, each called with the Value as first argument (``__add__`` and ``__radd__``); the other side
    may be a plain number. Anything else gives NotImplemented.

    Built once per operator so that ``x * y`` costs one Python call; the two bodies differ only in
    which side is known to be a Value. Each allocates the result node and nothing else: the rule's
    pair of local factors is unpacked into the node's slots, not kept.
    """
    scalar, local = rule.scalar, rule.local

    def op(x, y):
        a = x.data
        if y.__class__ is Value:
            b = y.data
        else:
            b = _real(y)
            if b is None:
                return NotImplemented
            y = b
        ans = scalar(a, b)
        out = _new(Value)
        out.data = ans
        out.grad = 0.0
        out.label = None
        out._rule = rule
        out._a = x
        out._b = y
        out._la, out._lb = local(ans, a, b)
        out._p = None
        out._seq = _next_seq()
        return out

    def rop(y, x):
        b = y.data
        if x.__class__ is Value:
            a = x.data
        else:
            a = _real(x)
            if a is None:
                return NotImplemented
            x = a
        ans = scalar(a, b)
        out = _new(Value)
        out.data = ans
        out.grad = 0.0
        out.label = None
        out._rule = rule
        out._a = x
        out._b = y
        out._la, out._lb = local(ans, a, b)
        out._p = None
        out._seq = _next_seq()
        return out

    op.__name__ = op.__qualname__ = f"_{rule.name}"
    rop.__name__ = rop.__qualname__ = f"_r{rule.name}"
    return op, rop


def _binary(rule, x, y):
    """Record ``rule(x, y)`` for a rule without an operator of its own (``max``, ``min``, ``bce``)."""
    op, rop = _binary_op(rule)
    return op(x, y) if x.__class__ is Value else rop(y, x)


def _unary_op(rule):
    """The recorder of a one-input rule: ``op(x, params=None)`` for a Value ``x``, with ``params``
    such as ``{"k": 2.0}`` or ``{"alpha": 0.1}`` for the rules that take them."""
    scalar, local = rule.scalar, rule.local

    def op(x, params=None):
        a = x.data
        if params is None:
            ans = scalar(a)
            (factor,) = local(ans, a)
        else:
            ans = scalar(a, **params)
            (factor,) = local(ans, a, **params)
        out = _new(Value)
        out.data = ans
        out.grad = 0.0
        out.label = None
        out._rule = rule
        out._a = x
        out._b = None
        out._la = factor
        out._lb = 0.0
        out._p = params
        out._seq = _next_seq()
        return out

    op.__name__ = op.__qualname__ = f"_{rule.name}"
    return op


def _unary_value(rule, x, params=None):
    """Record ``rule(x)`` with a rule looked up when called (so a replaced table entry takes effect)."""
    return _unary_op(rule)(x, params)


# the operators' rules are bound once; named functions look theirs up in RULES when called
_ADD, _SUB, _MUL, _DIV = RULES["add"], RULES["sub"], RULES["mul"], RULES["div"]
_POW, _VPOW, _NEG, _RELU = RULES["pow"], RULES["vpow"], RULES["neg"], RULES["relu"]
_vpow, _rvpow = _binary_op(_VPOW)
_pow = _unary_op(_POW)


class Value:
    """A scalar on the tape.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 7.0)
    """

    # one object per operation and nothing else allocated: inputs and local factors live in slots
    __slots__ = ("data", "grad", "label", "_rule", "_a", "_b", "_la", "_lb", "_p", "_seq", "__weakref__")

    def __init__(self, data, label=None):
        value = _real(data)
        if value is None:
            raise TypeError(f"Value needs a real number, got {type(data).__name__} {data!r}")
        self.data = value
        self.grad = 0.0
        self.label = label
        self._rule = None
        self._a = self._b = None
        self._la = self._lb = 0.0
        self._p = None
        self._seq = _next_seq()

    # ── recording ──
    def _unary(self, rule, **params):
        return _unary_value(rule, self, params or None)

    # ── reading back ──
    @property
    def op(self):
        """Name of the rule that made this value (None for a leaf)."""
        return self._rule.name if self._rule is not None else None

    @property
    def inputs(self) -> tuple:
        if self._rule is None:
            return ()
        return (self._a,) if self._rule.arity == 1 else (self._a, self._b)

    @property
    def local(self) -> tuple:
        """The chain-rule factors ∂self/∂input, one per input."""
        if self._rule is None:
            return ()
        return (self._la,) if self._rule.arity == 1 else (self._la, self._lb)

    @property
    def is_leaf(self) -> bool:
        return self._rule is None

    def _entry(self, index) -> Entry:
        return Entry(index, self._rule.name, self, self.inputs, self.local, dict(self._p or {}), self._rule)

    def tape(self) -> Tape:
        """The recorded operations this value depends on, in execution order."""
        return Tape(_ancestors(self, _value_parents))

    # ── backward ──
    def backward(self) -> None:
        """Fill ``.grad`` of every value this one depends on with ∂self/∂value (from scratch)."""
        ops = _value_ops(self)
        self.grad = 1.0
        for node in reversed(ops):
            g = node.grad
            a = node._a
            if a.__class__ is Value:
                a.grad += g * node._la
            b = node._b
            if b.__class__ is Value:
                b.grad += g * node._lb

    # ── operators ──
    __add__, __radd__ = _binary_op(_ADD)
    __sub__, __rsub__ = _binary_op(_SUB)
    __mul__, __rmul__ = _binary_op(_MUL)
    __truediv__, __rtruediv__ = _binary_op(_DIV)

    def __pow__(self, other):
        if other.__class__ is Value:
            return _vpow(self, other)
        k = _real(other)
        if k is None:
            return NotImplemented
        return _pow(self, {"k": k})

    __rpow__ = _rvpow

    __neg__ = _unary_op(_NEG)

    def __pos__(self):
        return self

    # ── functions (looked up in RULES when called, so a replaced table entry takes effect) ──
    def exp(self):
        return _unary_value(RULES["exp"], self)

    def log(self):
        return _unary_value(RULES["log"], self)

    def sqrt(self):
        return _unary_value(RULES["sqrt"], self)

    def __abs__(self):
        return _unary_value(RULES["abs"], self)

    abs = __abs__

    def sin(self):
        return _unary_value(RULES["sin"], self)

    def cos(self):
        return _unary_value(RULES["cos"], self)

    def tan(self):
        return _unary_value(RULES["tan"], self)

    def tanh(self):
        return _unary_value(RULES["tanh"], self)

    def sigmoid(self):
        return _unary_value(RULES["sigmoid"], self)

    relu = _unary_op(_RELU)

    def linear(self):
        return _unary_value(RULES["linear"], self)

    def leaky_relu(self, alpha=0.01):
        return _unary_value(RULES["leaky_relu"], self, {"alpha": float(alpha)})

    def elu(self, alpha=1.0):
        return _unary_value(RULES["elu"], self, {"alpha": float(alpha)})

    def selu(self):
        return _unary_value(RULES["selu"], self)

    def softplus(self):
        return _unary_value(RULES["softplus"], self)

    def max(self, other):
        return _binary(RULES["max"], self, other)

    def min(self, other):
        return _binary(RULES["min"], self, other)

    def __float__(self):
        return self.data

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


def _value_parents(node):
    a, b = node._a, node._b
    if a.__class__ is Value:
        if b.__class__ is Value:
            return (a, b)
        return (a,)
    if b.__class__ is Value:
        return (b,)
    return ()


def _value_ops(root) -> list:
    """The operations ``root`` depends on (itself included) in execution order; every ``.grad`` set to 0.

    Depth-first without recursion. Inputs are pushed first to last, so the last input's subgraph is
    walked first: on an expression tree that meets the operations in exactly the reverse of execution
    order, and sorting the reversed walk by sequence number only mends the places where a value is
    shared — a nearly sorted list, which sorts in close to linear time. Leaves get their gradient
    reset but are left out: they pass nothing on. (``seen`` relies on Value hashing by identity.)
    """
    root.grad = 0.0
    seen = {root}
    ops = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node._rule is None:
            continue
        ops.append(node)
        a = node._a
        if a.__class__ is Value and a not in seen:
            seen.add(a)
            a.grad = 0.0
            stack.append(a)
        b = node._b
        if b.__class__ is Value and b not in seen:
            seen.add(b)
            b.grad = 0.0
            stack.append(b)
    ops.reverse()
    ops.sort(key=_by_seq)
    return ops


# ─────────────────────────────────────────── Tensor ───────────────────────────────────────────

def _as_array(data) -> np.ndarray:
    """A fresh float64 copy: the tape never shares an array its caller may change later."""
    if isinstance(data, Tensor):
        return data.data.copy()
    if isinstance(data, (bool, np.bool_)) or (isinstance(data, np.ndarray) and data.dtype == bool):
        raise TypeError("Tensor needs numbers, got booleans")
    try:
        arr = np.array(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Tensor needs a number or a rectangular array of numbers: {exc}") from None
    return arr


def _buffer(a: np.ndarray):
    """The object owning ``a``'s memory (``a`` itself, or the array it is a view of)."""
    return a if a.base is None else a.base


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
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


class Tensor:
    """A float64 numpy array on the tape.

    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W")
    >>> x = Tensor([[1.0, 1.0]], requires_grad=False)
    >>> loss = (x @ W).sigmoid().sum()
    >>> loss.backward()
    >>> W.grad.shape
    (2, 2)
    """

    __array_priority__ = 100  # ndarray ⊕ Tensor goes to Tensor's reflected operator

    def __init__(self, data, label=None, requires_grad=True):
        self.data = _as_array(data)
        self.grad = None
        self.label = label
        self.requires_grad = bool(requires_grad)
        self._rule = None
        self._inputs = ()
        self._local = ()
        self._params = {}
        self._seq = _next_seq()

    @classmethod
    def _node(cls, data, rule, inputs, local, params):
        out = _new(cls)
        out.data = data
        out.grad = None
        out.label = None
        out.requires_grad = any(t.requires_grad for t in inputs)
        out._rule = rule
        out._inputs = inputs
        out._local = local
        out._params = params
        out._seq = _next_seq()
        return out

    def _apply(self, rule, *others, **params):
        inputs = (self,) + tuple(o if isinstance(o, Tensor) else _constant(o) for o in others)
        arrays = [t.data for t in inputs]
        ans = np.asarray(rule.array(*arrays, **params), dtype=np.float64)
        local = rule.local(ans, *arrays, **params)
        return Tensor._node(ans, rule, inputs, local, params)

    # ── reading back ──
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def op(self):
        return self._rule.name if self._rule is not None else None

    @property
    def inputs(self) -> tuple:
        return self._inputs

    @property
    def local(self) -> tuple:
        """The chain-rule factors ∂self/∂input, one per input (arrays for elementwise rules)."""
        return self._local

    @property
    def params(self) -> dict:
        return dict(self._params)

    @property
    def is_leaf(self) -> bool:
        return self._rule is None

    def _entry(self, index) -> Entry:
        return Entry(index, self._rule.name, self, self._inputs, self._local, dict(self._params), self._rule)

    def tape(self) -> Tape:
        """The recorded operations this tensor depends on, in execution order."""
        return Tape(_ancestors(self, _tensor_parents))

    def item(self) -> float:
        return float(self.data.reshape(-1)[0]) if self.data.size == 1 else float(self.data)

    def numpy(self) -> np.ndarray:
        return self.data

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        body = np.array2string(self.data, precision=6, separator=", ", threshold=20)
        return f"Tensor({body}{label})"

    # ── backward ──
    def backward(self, gradient=None) -> None:
        """Fill ``.grad`` of every tensor this one depends on (from scratch, see the module notes).

        A tensor with more than one element needs ``gradient``, the upstream ∂L/∂self of its shape.
        """
        if gradient is None:
            if self.data.size != 1:
                raise ShapeError(f"backward() on a tensor of shape {self.shape} needs gradient= of that shape "
                                 "(or call it on a scalar such as a loss)")
            seed = np.ones_like(self.data)
        else:
            seed = np.broadcast_to(_as_array(gradient), self.shape).astype(np.float64)
        nodes = _ancestors(self, _tensor_parents)
        for node in nodes:
            node.grad = None
        self.grad = seed
        # the memory already in use as some node's .data or .grad: a gradient that lives there is copied,
        # so no two nodes share memory (changing one .grad never changes another) and sums add in place
        taken = {id(_buffer(n.data)) for n in nodes}
        taken.add(id(seed))
        for node in reversed(nodes):
            rule = node._rule
            g = node.grad
            if rule is None or g is None:
                continue
            inputs = node._inputs
            if rule.vjp is not None:
                grads = rule.vjp(g, node.data, node._local, [t.data for t in inputs], node._params)
            else:
                grads = [g * f if t.requires_grad else None for f, t in zip(node._local, inputs)]
            for t, gi in zip(inputs, grads):
                if not t.requires_grad:
                    continue
                gi = _unbroadcast(np.asarray(gi, dtype=np.float64), t.data.shape)
                if t.grad is not None:
                    t.grad += gi
                    continue
                # add hands its upstream gradient on unchanged, reshape and transpose hand on views,
                # sum a read-only broadcast
                if id(_buffer(gi)) in taken or not gi.flags.writeable:
                    gi = np.array(gi)
                taken.add(id(_buffer(gi)))
                t.grad = gi
        for node in nodes:
            if node.grad is None and node.requires_grad:
                node.grad = np.zeros_like(node.data)

    # ── operators ──
    def __add__(self, other):
        return self._apply(_ADD, other)

    def __radd__(self, other):
        return _constant(other)._apply(_ADD, self)

    def __sub__(self, other):
        return self._apply(_SUB, other)

    def __rsub__(self, other):
        return _constant(other)._apply(_SUB, self)

    def __mul__(self, other):
        return self._apply(_MUL, other)

    def __rmul__(self, other):
        return _constant(other)._apply(_MUL, self)

    def __truediv__(self, other):
        return self._apply(_DIV, other)

    def __rtruediv__(self, other):
        return _constant(other)._apply(_DIV, self)

    def __pow__(self, other):
        if isinstance(other, Tensor):
            return self._apply(_VPOW, other)
        k = _real(other)
        if k is None:
            return self._apply(_VPOW, other)
        return self._apply(_POW, k=k)

    def __rpow__(self, other):
        return _constant(other)._apply(_VPOW, self)

    def __matmul__(self, other):
        other = other if isinstance(other, Tensor) else _constant(other)
        if self.ndim == 0 or other.ndim == 0:
            raise ShapeError("matmul needs arrays of at least one dimension, got a scalar")
        if self.shape[-1] != other.shape[-2 if other.ndim > 1 else 0]:
            raise ShapeError(f"matmul: shapes {self.shape} and {other.shape} do not fit "
                             f"({self.shape[-1]} columns against {other.shape[-2 if other.ndim > 1 else 0]} rows)")
        return self._apply(RULES["matmul"], other)

    def __rmatmul__(self, other):
        return _constant(other).__matmul__(self)

    def __neg__(self):
        return self._apply(_NEG)

    # ── functions and activations ──
    def exp(self):
        return self._apply(RULES["exp"])

    def log(self):
        return self._apply(RULES["log"])

    def sqrt(self):
        return self._apply(RULES["sqrt"])

    def abs(self):
        return self._apply(RULES["abs"])

    __abs__ = abs

    def sin(self):
        return self._apply(RULES["sin"])

    def cos(self):
        return self._apply(RULES["cos"])

    def tan(self):
        return self._apply(RULES["tan"])

    def tanh(self):
        return self._apply(RULES["tanh"])

    def sigmoid(self):
        return self._apply(RULES["sigmoid"])

    def relu(self):
        return self._apply(_RELU)

    def linear(self):
        return self._apply(RULES["linear"])

    def leaky_relu(self, alpha=0.01):
        return self._apply(RULES["leaky_relu"], alpha=float(alpha))

    def elu(self, alpha=1.0):
        return self._apply(RULES["elu"], alpha=float(alpha))

    def selu(self):
        return self._apply(RULES["selu"])

    def softplus(self):
        return self._apply(RULES["softplus"])

    def softmax(self, axis=-1):
        return self._apply(RULES["softmax"], axis=axis)

    def log_softmax(self, axis=-1):
        return self._apply(RULES["log_softmax"], axis=axis)

    def maximum(self, other):
        return self._apply(RULES["max"], other)

    def minimum(self, other):
        return self._apply(RULES["min"], other)

    def activation(self, name: str, **params):
        """Apply an activation by name (``linear relu leaky_relu elu selu sigmoid tanh softmax``)."""
        return self._apply(RULES[name], **params)

    # ── reductions and shape ──
    def sum(self, axis=None, keepdims=False):
        return self._apply(RULES["sum"], axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return self._apply(RULES["mean"], axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return self._apply(RULES["reshape"], shape=shape)

    @property
    def T(self):
        return self._apply(RULES["transpose"])


def _constant(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x, requires_grad=False)


def _tensor_parents(node):
    return node._inputs
