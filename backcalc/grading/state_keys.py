"""The training answers of a derivation: the optimizer's state after a step (``[state]``, by PyTorch's names:
``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``, …) and the parameters after each step (``[updated.step2]``).

A scope names where a table's entries go: ``updated`` (after the last step), ``updated.step2``,
``state.exp_avg`` (after the last step) or ``state.step2.exp_avg``. Scoped keys are
``state.exp_avg.W1[0][0]``, ``state.step1.momentum_buffer.W2[1][0]`` and ``updated.step1.b1[0]``; the last
step's are written without ``stepN`` (``[updated.stepN]`` of the last step is ``[updated]``).

>>> from backcalc.net.derivation import explain
>>> from backcalc.net.spec import load_spec
>>> from backcalc.grading.keys import AnswerSpace
>>> train = {"optimizer": "momentum", "momentum": 0.9, "steps": 2}
>>> sp = AnswerSpace(explain(load_spec({"format": 1, "data": {"x": [1.0], "y": [0.0]}, "train": train,
...     "layers": [{"activation": "linear", "weights": [[2.0]], "bias": [0.0]}]})))
>>> [(i.key, round(i.expected, 6)) for i in (sp.name_items(scope, "w_xo")[0]
...     for scope in ("state.step1.momentum_buffer", "state.momentum_buffer", "updated.step1"))]
[('state.step1.momentum_buffer.W1[0][0]', 2.0), ('state.momentum_buffer.W1[0][0]', 3.4), ('updated.step1.W1[0][0]', 1.8)]
"""

from __future__ import annotations

import re

import numpy as np

_STEP = re.compile(r"step(\d+)\Z")


def split_scope(scope: str) -> tuple | None:
    """``(table, step or None, state name or None)`` of a scope, or None when it is no training scope.

    >>> split_scope("state.step2.exp_avg"), split_scope("updated.step1"), split_scope("gradients")
    (('state', 2, 'exp_avg'), ('updated', 1, None), None)
    """
    parts = scope.split(".")
    if parts[0] == "updated" and len(parts) == 2 and _STEP.match(parts[1]):
        return "updated", int(_STEP.match(parts[1]).group(1)), None
    if parts[0] == "state" and len(parts) == 2 and not _STEP.match(parts[1]):
        return "state", None, parts[1]
    if parts[0] == "state" and len(parts) == 3 and _STEP.match(parts[1]):
        return "state", int(_STEP.match(parts[1]).group(1)), parts[2]
    return None


def split_scoped_key(scoped: str) -> tuple | None:
    """``(scope, rest)`` of a scoped training key: ``state.step2.exp_avg.W1[0][0]`` → ``("state.step2.exp_avg",
    "W1[0][0]")``; None when it is no training key."""
    parts = scoped.split(".")
    for n in (3, 2):
        if len(parts) > n and split_scope(".".join(parts[:n])) is not None:
            return ".".join(parts[:n]), ".".join(parts[n:])
    return None


def steps_of(d) -> int:
    """The number of steps the derivation's run made (0 when it has no training record)."""
    t = getattr(d, "training", None)
    return len(t.updated_steps) if t is not None else 0


def state_names(d) -> list:
    """The optimizer's state variables, in the order the run keeps them (``[]`` for plain SGD)."""
    t = getattr(d, "training", None)
    if t is None or not t.state:
        return []
    names = []
    for entry in t.state[-1].values():
        names += [n for n in entry if n not in names]
    return names


def check_scope(sp, scope: str) -> tuple:
    """``(table, step, name)`` of a valid scope of ``sp``'s derivation; KeyError saying what is wrong."""
    table, step, name = split_scope(scope)
    last = steps_of(sp.d)
    if step is not None and not 1 <= step <= last:
        raise KeyError(f"step{step}: the run has steps 1 to {last}")
    if table == "state" and name not in state_names(sp.d):
        names = state_names(sp.d)
        raise KeyError(f"{name!r}: the optimizer keeps " + (", ".join(names) if names else "no state (plain SGD)"))
    return table, (last if step is None else step), name


def scope_of(table: str, step: int, name: str | None, last: int) -> str:
    """The canonical scope: the last step without ``stepN``."""
    parts = [table] + ([f"step{step}"] if step != last else []) + ([name] if name else [])
    return ".".join(parts)


def training_value(sp, scope: str, kind: str, n: int, idx: tuple) -> tuple | None:
    """``(section, key, name, value, old, step, rank)`` of one parameter element in a training scope (the answer
    space makes its item); None for the last step's ``[updated]``, which is the answer space's own item."""
    from ..net.names import array_key, element_key

    table, step, name = check_scope(sp, scope)
    last = steps_of(sp.d)
    if table == "updated" and step == last:
        return None
    t = sp.d.training
    arr = array_key(kind, n)
    pname = sp.pnames[element_key(kind, n, *idx)]  # the spec's own name: w_k1o, b_o, a kernel's w_c1122, b_c1
    key = f"{scope_of(table, step, name, last)}.{element_key(kind, n, *idx)}"
    when = f" (step {step})" if step != last else ""
    if table == "updated":
        value = float(np.asarray(t.updated_steps[step - 1][arr])[idx])
        old = float(np.asarray(t.updated_steps[step - 2][arr])[idx]) if step > 1 else float(sp.old[arr][idx])
        return "updated", key, pname + when, value, old, step, ()
    entry = t.state[step - 1].get(arr, {})
    if name not in entry:
        raise KeyError(f"{name} of {arr}: the optimizer keeps no {name} for it")
    value = float(np.asarray(entry[name])[idx])
    return "state", key, f"{name} of {pname}{when}", value, None, step, (state_names(sp.d).index(name),)


def training_names(sp, table: str) -> list:
    """Valid entries of ``[state]`` / ``[updated]`` beyond the parameters: state names and ``stepN``."""
    last = steps_of(sp.d)
    steps = [f"step{k}" for k in range(1, last + 1)] if last > 1 else []
    return (state_names(sp.d) + steps) if table == "state" else steps
