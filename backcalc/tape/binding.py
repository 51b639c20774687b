"""How the tape binds its rules: one policy, so replacing a table entry changes every path that uses it.

The recorders of :class:`~backcalc.Value` and :class:`~backcalc.Tensor` — the operators (``x * y``),
the methods (``x.relu()``) and ``Tensor.activation(name)`` — are made from the table's entries by one
binding function per class, at import. The table, a :class:`RuleTable`, runs those binding functions
again whenever an entry is set, replaced or removed, so a recorder always holds the table's current
entry while costing no lookup per call (the scalar tape's operators stay one Python call each).
Everything else (the net's layers, the losses, the grader) looks its rule up in the table when it runs.

>>> import dataclasses
>>> from backcalc import Value
>>> from backcalc.tape.rules import RULES
>>> saved = RULES["relu"]
>>> RULES["relu"] = dataclasses.replace(saved, local=lambda ans, a: (2.0,))
>>> Value(3.0).relu().local
(2.0,)
>>> RULES["relu"] = saved
>>> Value(3.0).relu().local
(1.0,)
"""

from __future__ import annotations

from typing import Callable

_BINDERS: list[Callable[[dict], None]] = []


def on_change(binder: Callable[[dict], None]) -> Callable[[dict], None]:
    """Register ``binder(table)``, run now by its module and again after every change of the table."""
    _BINDERS.append(binder)
    return binder


class RuleTable(dict):
    """The rule table: a dict from primitive name to :class:`~backcalc.tape.rules.Rule` that rebinds the
    tape's recorders after every change (``RULES[name] = rule``, ``del``, ``update``, ``pop`` ...)."""

    def _rebind(self) -> None:
        for binder in _BINDERS:
            binder(self)

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self._rebind()

    def __delitem__(self, key):
        super().__delitem__(key)
        self._rebind()

    def __ior__(self, other):
        super().update(other)
        self._rebind()
        return self

    def update(self, *args, **kwargs):
        super().update(*args, **kwargs)
        self._rebind()

    def setdefault(self, key, default=None):
        value = super().setdefault(key, default)
        self._rebind()
        return value

    def pop(self, key, *default):
        value = super().pop(key, *default)
        self._rebind()
        return value

    def popitem(self):
        item = super().popitem()
        self._rebind()
        return item

    def clear(self):
        super().clear()
        self._rebind()
