"""The scalar :class:`Value`: one node per operation, inputs and local factors kept in slots."""

from __future__ import annotations

import numbers

from .binding import on_change
from .rules import RULES, Rule
from .record import Entry, Tape, _ancestors, _new, _next_seq
from .value_sweep import SWAP, factors, kind_of, sweep



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
    which side is known to be a Value. Each allocates the result node and nothing else. A rule whose
    factors are constants or its inputs (``+``, ``−``, ``·``: :mod:`backcalc.tape.value_sweep`) stores
    none; any other has its pair of local factors unpacked into the node's slots.
    """
    scalar = rule.scalar
    local = None if kind_of(rule) is not None else rule.local

    def op(x, y):
        a = x.data
        if y.__class__ is Value:
            b = y.data
        elif y.__class__ is float:
            b = y
        else:
            b = _real(y)
            if b is None:
                return NotImplemented
            y = b
        ans = scalar(a, b)
        out = _new(Value)
        out.data = ans
        out._rule = rule
        out._a = x
        out._b = y
        if local is not None:
            out._la, out._lb = local(ans, a, b)
        out._seq = _next_seq()
        return out

    def rop(y, x):
        b = y.data
        if x.__class__ is Value:
            a = x.data
        elif x.__class__ is float:
            a = x
        else:
            a = _real(x)
            if a is None:
                return NotImplemented
            x = a
        ans = scalar(a, b)
        out = _new(Value)
        out.data = ans
        out._rule = rule
        out._a = x
        out._b = y
        if local is not None:
            out._la, out._lb = local(ans, a, b)
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


def _unary_op(rule, method=None):
    """The recorder of a one-input rule: ``op(x, params=None)`` for a Value ``x``, with ``params``
    such as ``{"k": 2.0}`` or ``{"alpha": 0.1}`` for the rules that take them (named ``method`` when
    it is installed as one, so ``help(Value.relu)`` reads well)."""
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
        out._rule = rule
        out._a = x
        out._b = params  # a one-input node's second slot holds its parameters (None or a dict)
        out._la = factor
        out._seq = _next_seq()
        return out

    op.__name__ = op.__qualname__ = method or f"_{rule.name}"
    if method:
        op.__qualname__ = f"Value.{method}"
        op.__doc__ = f"Record {rule.name} of this value (rule {rule.name!r} of the table)."
    return op




class Value:
    """A scalar on the tape.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 7.0)
    """

    # One object per operation and nothing else allocated: inputs and local factors live in slots. Every
    # filled slot is visited each time the cyclic GC looks at a node, so a node fills only those it needs:
    # ``+``, ``−`` and ``·`` store no factors (value_sweep.py), a one-input node keeps its parameters in
    # ``_b`` and no second factor, an unnamed node leaves ``_label`` empty, and ``_grad`` stays empty until
    # a backward() reaches the node (``.grad`` reads 0.0 until then).
    __slots__ = ("data", "_grad", "_label", "_rule", "_a", "_b", "_la", "_lb", "_seq", "__weakref__")

    def __init__(self, data, label=None):
        value = _real(data)
        if value is None:
            raise TypeError(f"Value needs a real number, got {type(data).__name__} {data!r}")
        self.data = value
        self._grad = 0.0
        if label is not None:
            self._label = label
        self._rule = None
        self._a = self._b = None
        self._seq = _next_seq()

    @property
    def grad(self):
        """∂out/∂self of the latest ``backward()`` whose graph holds this value (0.0 before any)."""
        try:
            return self._grad
        except AttributeError:  # an operation no backward() has reached yet
            return 0.0

    @grad.setter
    def grad(self, value):
        self._grad = value

    # ── reading back ──
    @property
    def label(self):
        """The name a page gives this value (None: it is written ``v`` and its sequence number)."""
        return getattr(self, "_label", None)  # most nodes never get one: the slot stays empty

    @label.setter
    def label(self, name):
        self._label = name

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
        """The chain-rule factors ∂self/∂input, one per input (those of ``+``, ``−``, ``·`` read from the
        rule and the inputs' ``.data`` when asked: change no ``.data`` of a graph before its backward())."""
        if self._rule is None:
            return ()
        fa, fb = factors(self, Value)
        return (fa,) if self._rule.arity == 1 else (fa, fb)

    @property
    def is_leaf(self) -> bool:
        return self._rule is None

    def _entry(self, index) -> Entry:
        params = dict(self._b or {}) if self._rule.arity == 1 else {}  # a one-input node's parameters
        return Entry(index, self._rule.name, self, self.inputs, self.local, params, self._rule)

    def tape(self) -> Tape:
        """The recorded operations this value depends on, in execution order."""
        return Tape(_ancestors(self, _value_parents))

    # ── backward ──
    def backward(self) -> None:
        """Fill ``.grad`` of every value this one depends on with ∂self/∂value (from scratch)."""
        sweep(self, Value, *_HOT)

    def __pos__(self):
        return self

    # the operators and functions (``__add__``, ``exp``, ``relu`` ...) are made from the rule table by
    # _bind below, at import and again whenever an entry of the table changes (see tape/binding.py)

    def __float__(self):
        return self.data

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


_UNARY = ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "linear", "selu", "softplus")
_OPERATORS = (("add", "add"), ("sub", "sub"), ("mul", "mul"), ("div", "truediv"))


@on_change
def _bind(rules) -> None:
    """Make Value's operators and functions from the current entries of ``rules`` (one policy for all)."""
    for name, dunder in _OPERATORS:
        op, rop = _binary_op(_entry_of(rules, name))
        setattr(Value, f"__{dunder}__", op)
        setattr(Value, f"__r{dunder}__", rop)
    global _HOT
    mul, add = _entry_of(rules, "mul"), _entry_of(rules, "add")
    _HOT = (mul if kind_of(mul) is SWAP else None, add if kind_of(add) == (1.0, 1.0) else None)
    vpow, rvpow = _binary_op(_entry_of(rules, "vpow"))
    power = _unary_op(_entry_of(rules, "pow"))

    def __pow__(self, other):
        if other.__class__ is Value:
            return vpow(self, other)
        k = _real(other)
        if k is None:
            return NotImplemented
        return power(self, {"k": k})

    Value.__pow__, Value.__rpow__ = __pow__, rvpow
    Value.__neg__ = _unary_op(_entry_of(rules, "neg"))
    for name in _UNARY:
        setattr(Value, name, _unary_op(_entry_of(rules, name), name))
    Value.abs = Value.__abs__ = _unary_op(_entry_of(rules, "abs"), "abs")
    leaky, elu = _unary_op(_entry_of(rules, "leaky_relu")), _unary_op(_entry_of(rules, "elu"))

    def leaky_relu(self, alpha=0.01):
        return leaky(self, {"alpha": float(alpha)})

    def elu_(self, alpha=1.0):
        return elu(self, {"alpha": float(alpha)})

    Value.leaky_relu, Value.elu = leaky_relu, elu_
    Value.elu.__name__ = "elu"
    for name in ("max", "min"):
        setattr(Value, name, _binary_op(_entry_of(rules, name))[0])


def _entry_of(rules, name):
    """The table's entry ``name``, or a stand-in whose use says the entry is missing."""
    if name in rules:
        return rules[name]

    def missing(*args, **kwargs):
        raise KeyError(f"the rule table has no entry {name!r}")

    return Rule(name=name, arity=1 if name not in ("add", "sub", "mul", "div", "vpow", "max", "min") else 2,
                local=missing, text=(), latex=(), scalar=missing, array=missing)


_bind(RULES)


def _value_parents(node):
    a, b = node._a, node._b
    if a.__class__ is Value:
        if b.__class__ is Value:
            return (a, b)
        return (a,)
    if b.__class__ is Value:
        return (b,)
    return ()
