"""The numpy :class:`Tensor`: float64 arrays on the tape, broadcasting undone in one place."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from .rules import RULES
from .record import Entry, Tape, _ancestors, _new, _next_seq
from .binding import on_change
from .keep import add_in_place, release_used, value
from .sweep import Sweep
from .value import _entry_of, _real

def _as_array(data, copy: bool = True) -> np.ndarray:
    """A fresh float64 copy: the tape never shares an array its caller may change later (unless the caller
    says with ``copy=False`` that it will not: then a float64 array is used as it is)."""
    if isinstance(data, Tensor):
        return data.data.copy() if copy else data.data
    if isinstance(data, (bool, np.bool_)) or (isinstance(data, np.ndarray) and data.dtype == bool):
        raise TypeError("Tensor needs numbers, got booleans")
    if data is None or isinstance(data, (str, bytes)):
        raise TypeError(f"Tensor needs a number or a rectangular array of numbers, got {type(data).__name__}")
    try:
        raw = np.asarray(data)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Tensor needs a number or a rectangular array of numbers: {exc}") from None
    if raw.dtype.kind not in "biuf":  # complex (its imaginary part would be dropped), None, strings, objects
        what = "complex numbers (the tape is real)" if raw.dtype.kind == "c" else f"{raw.dtype} values"
        raise TypeError(f"Tensor needs real numbers, got {what}")
    return np.array(raw, dtype=np.float64) if copy else np.asarray(raw, dtype=np.float64)


class Tensor:
    """A float64 numpy array on the tape.

    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], label="W")
    >>> x = Tensor([[1.0, 1.0]], requires_grad=False)
    >>> loss = (x @ W).sigmoid().sum()
    >>> loss.backward()
    >>> W.grad.shape
    (2, 2)

    The tensor holds a copy of ``data``; ``copy=False`` uses a float64 array as it is (no copy, no memory
    of its own), for a caller that will not change that array in place while the graph is in use.
    """

    __array_priority__ = 100  # ndarray ⊕ Tensor goes to Tensor's reflected operator

    def __init__(self, data, label=None, requires_grad=True, copy=True):
        self._data = _as_array(data, copy)
        self._shape = self._data.shape
        self._grad = None
        self._shared = False
        self._replay = None   # the Sweep that dropped this node's gradient (filled when .grad is read)
        self._retain = False  # keep the gradient in every backward() (retain_grad())
        self._pinned = False  # a dropped node is recomputed from it: never drop its output (tape/keep.py)
        self._sources = ()    # a dropped output's input arrays, as they were when it was dropped
        self.label = label
        self.requires_grad = bool(requires_grad)
        self._rule = None
        self._inputs = ()
        self._local = ()
        self._params = {}
        self._seq = _next_seq()

    @classmethod
    def _node(cls, data, rule, inputs, params):
        out = _new(cls)
        out._data = data
        out._shape = data.shape
        out._grad = None
        out._shared = False
        out._replay = None
        out._retain = False
        out._pinned = False
        out._sources = ()
        out.label = None
        out.requires_grad = any(t.requires_grad for t in inputs)
        out._rule = rule
        out._inputs = inputs
        out._local = None  # computed from the recorded output and inputs when first needed
        out._params = params
        out._seq = _next_seq()
        return out

    def _apply(self, rule, *others, **params):
        inputs = (self,) + tuple(o if isinstance(o, Tensor) else _constant(o) for o in others)
        ans = add_in_place(rule, inputs, params)
        if ans is None:
            ans = np.asarray(rule.array(*[t.data for t in inputs], **params), dtype=np.float64)
        out = Tensor._node(ans, rule, inputs, params)
        release_used(inputs)
        return out

    @property
    def data(self) -> np.ndarray:
        """The output (the array for a leaf). An intermediate's output the tape dropped (tape/keep.py) is
        recomputed from its inputs, bit for bit, on first reading and kept from then on."""
        data = self._data
        if data is None:
            data = self._data = value(self)
        return data

    @data.setter
    def data(self, data) -> None:
        self._data = data
        self._shape = np.shape(data)

    def _factors(self) -> tuple:
        """The local factors, from the cache if ``.local`` was read, else computed afresh (not kept)."""
        if self._local is not None:
            return self._local
        return self._rule.local(self.data, *[t.data for t in self._inputs], **self._params)

    # ── reading back ──
    @property
    def shape(self):
        return self._shape

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        return int(np.prod(self._shape, dtype=np.int64))

    @property
    def op(self):
        return self._rule.name if self._rule is not None else None

    @property
    def inputs(self) -> tuple:
        return self._inputs

    @property
    def local(self) -> tuple:
        """The chain-rule factors ∂self/∂input, one per input (arrays for elementwise rules).

        Computed by the rule from the recorded output and inputs on first reading and kept from then
        on; ``backward()`` computes them for its own use without keeping them.
        """
        if self._local is None:
            self._local = self._factors()
        return self._local

    @property
    def grad(self):
        """∂out/∂self of the latest ``backward()`` (None before one): a writeable array of its own.

        An intermediate's gradient that ``backward()`` did not keep is computed on this first reading (the
        sweep runs again and fills every gradient it dropped, see tape/sweep.py). During ``backward()`` a
        gradient that is handed on unchanged (by ``+``, a reshape, a transpose) is shared between the nodes
        instead of copied; the first reading of a shared one copies it, so what a reader gets is never
        memory of another node's ``.grad`` or ``.data``.
        """
        if self._replay is not None:
            self._replay.fill()
        g = self._grad
        if self._shared and g is not None:
            g = self._grad = np.array(g)
            self._shared = False
        return g

    @grad.setter
    def grad(self, value):
        self._grad = value
        self._shared = False
        self._replay = None

    def retain_grad(self) -> None:
        """Keep this intermediate's gradient in every ``backward()`` instead of computing it when read.

        >>> x = Tensor([1.0, 2.0]); h = x.exp(); h.retain_grad()
        >>> (h * 3.0).sum().backward()
        >>> h._grad.tolist()
        [3.0, 3.0]
        """
        self._retain = True

    def retain_data(self) -> None:
        """Hold this node's output in memory: the tape never drops it (tape/keep.py), so reading ``.data``
        later costs no recomputation.

        >>> h = Tensor([0.0, 1.0]).sigmoid(); h.retain_data()
        >>> y = h * 2.0
        >>> h._data is not None
        True
        """
        self._pinned = True

    @property
    def params(self) -> dict:
        return dict(self._params)

    @property
    def is_leaf(self) -> bool:
        return self._rule is None

    def _entry(self, index) -> Entry:
        return Entry(index, self._rule.name, self, self._inputs, self.local, dict(self._params), self._rule)

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
    def backward(self, gradient=None, keep_grads: bool = False, visit=None) -> None:
        """Fill ``.grad`` of every tensor this one depends on (from scratch, see the module notes).

        A tensor with more than one element needs ``gradient``, the upstream ∂L/∂self of its shape. The
        gradients of the leaves, of this tensor, of every node someone holds and of nodes marked
        ``retain_grad()`` are kept; the gradient of an intermediate reachable only through the graph is
        freed once handed on and computed again when its ``.grad`` is read — or kept too with
        ``keep_grads=True`` (more memory, no second sweep). ``visit(node, grad, factors)``, when given, is
        called for each recorded node as the sweep reaches it, with its complete gradient ∂self/∂node and the
        chain-rule factors about to be used: a look at every intermediate without keeping any. Both arrays
        belong to the sweep (a fresh factor is overwritten by the product right after): read them, copy
        what you keep.

        >>> x = Tensor([1.0, -1.0]); seen = []
        >>> (x.exp() * 2.0).sum().backward(visit=lambda node, g, f: seen.append((node.op, float(g.sum()))))
        >>> seen
        [('sum', 1.0), ('mul', 2.0), ('exp', 4.0)]
        """
        if gradient is None:
            if self.size != 1:
                raise ShapeError(f"backward() on a tensor of shape {self.shape} needs gradient= of that shape "
                                 "(or call it on a scalar such as a loss)")
            seed = np.ones(self.shape)
        else:
            seed = _as_array(gradient)
            if seed.shape != self.shape and not (seed.size == 1 and self.size == 1):
                raise ShapeError(f"backward(gradient=…): the gradient has shape {seed.shape}, expected {self.shape} "
                                 "(the shape of the tensor)")
            seed = seed.reshape(self.shape)
        Sweep(self, seed).run(_ancestors(self, _tensor_parents), bool(keep_grads), visit)

    def __rmatmul__(self, other):
        return _constant(other).__matmul__(self)

    def activation(self, name: str, **params):
        """Apply an activation by name (``linear relu leaky_relu elu selu sigmoid tanh softmax``)."""
        return self._apply(RULES[name], **params)

    # the operators and functions (``__add__``, ``__matmul__``, ``exp``, ``relu`` ...) are made from the
    # rule table by _bind below, at import and again whenever an entry of the table changes



_ELEMENTWISE = ("exp", "log", "sqrt", "abs", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "linear", "selu",
                "softplus")
_OPERATORS = (("add", "add"), ("sub", "sub"), ("mul", "mul"), ("div", "truediv"))


@on_change
def _bind(rules) -> None:
    """Make Tensor's operators and functions from the current entries of ``rules`` (tape/binding.py)."""
    for name, dunder in _OPERATORS:
        op, rop = _binary_methods(_entry_of(rules, name))
        setattr(Tensor, f"__{dunder}__", op)
        setattr(Tensor, f"__r{dunder}__", rop)
    Tensor.__pow__, Tensor.__rpow__ = _pow_methods(_entry_of(rules, "pow"), _entry_of(rules, "vpow"))
    Tensor.__matmul__ = _matmul_method(_entry_of(rules, "matmul"))
    for name in _ELEMENTWISE + ("neg",):
        setattr(Tensor, name, _method(_entry_of(rules, name), name))
    Tensor.__neg__, Tensor.__abs__ = Tensor.neg, Tensor.abs
    del Tensor.neg
    for name, default in (("leaky_relu", 0.01), ("elu", 1.0)):
        setattr(Tensor, name, _alpha_method(_entry_of(rules, name), name, default))
    for name in ("softmax", "log_softmax"):
        setattr(Tensor, name, _axis_method(_entry_of(rules, name), name))
    for name in ("max", "min"):
        setattr(Tensor, {"max": "maximum", "min": "minimum"}[name], _binary_methods(_entry_of(rules, name))[0])
    for name in ("sum", "mean"):
        setattr(Tensor, name, _reduction(_entry_of(rules, name), name))
    reshape_rule = _entry_of(rules, "reshape")

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return self._apply(reshape_rule, shape=shape)

    transpose = _entry_of(rules, "transpose")
    Tensor.reshape, Tensor.T = reshape, property(lambda self: self._apply(transpose))


def _binary_methods(rule):
    def op(self, other):
        return self._apply(rule, other)

    def rop(self, other):
        return _constant(other)._apply(rule, self)

    return op, rop


def _pow_methods(power, vpow):
    def __pow__(self, other):
        if isinstance(other, Tensor):
            return self._apply(vpow, other)
        k = _real(other)
        if k is None:
            return self._apply(vpow, other)
        return self._apply(power, k=k)

    def __rpow__(self, other):
        return _constant(other)._apply(vpow, self)

    return __pow__, __rpow__


def _matmul_method(rule):
    def __matmul__(self, other):
        other = other if isinstance(other, Tensor) else _constant(other)
        if self.ndim == 0 or other.ndim == 0:
            raise ShapeError("matmul needs arrays of at least one dimension, got a scalar")
        rows = other.shape[-2 if other.ndim > 1 else 0]
        if self.shape[-1] != rows:
            raise ShapeError(f"matmul: shapes {self.shape} and {other.shape} do not fit "
                             f"({self.shape[-1]} columns against {rows} rows)")
        return self._apply(rule, other)

    return __matmul__


def _method(rule, name):
    def method(self):
        return self._apply(rule)

    return _named(method, rule, name)


def _alpha_method(rule, name, default):
    def method(self, alpha=default):
        return self._apply(rule, alpha=float(alpha))

    return _named(method, rule, name)


def _axis_method(rule, name):
    def method(self, axis=-1):
        return self._apply(rule, axis=axis)

    return _named(method, rule, name)


def _named(method, rule, name):
    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    method.__doc__ = f"Record {rule.name} of this tensor (rule {rule.name!r} of the table)."
    return method


def _reduction(rule, name):
    def method(self, axis=None, keepdims=False):
        if name == "mean":
            n = self.size if axis is None else np.prod([self.shape[i] for i in np.atleast_1d(axis)])
            if n == 0:
                raise ShapeError(f"mean over no elements (a tensor of shape {self.shape}): it is undefined")
        return self._apply(rule, axis=axis, keepdims=keepdims)

    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    method.__doc__ = f"Record {rule.name} of this tensor over ``axis`` (all elements when None)."
    return method


def _constant(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x, requires_grad=False)


def _tensor_parents(node):
    return node._inputs


_bind(RULES)
