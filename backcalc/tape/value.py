"""The scalar :class:`Value`: one node per operation, inputs and local factors kept in slots."""

from __future__ import annotations

import numbers

from .rules import RULES
from .record import Entry, Tape, _ancestors, _by_seq, _new, _next_seq

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


def apply_binary(rule, x, y):
    """Record ``rule(x, y)`` for a rule without an operator of its own (``max``, ``min``, ``bce``).

    Either side may be a plain number.

    >>> from backcalc.tape.rules import RULES
    >>> apply_binary(RULES["max"], 2.0, Value(3.0)).data
    3.0
    """
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
        return apply_binary(RULES["max"], self, other)

    def min(self, other):
        return apply_binary(RULES["min"], self, other)

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
