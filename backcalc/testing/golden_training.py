"""The training scopes of :func:`~backcalc.testing.golden`: the optimizer's state after each step and the
parameters after each step before the last, keyed as an answers file keys them (grading/state_keys.py):
``state.momentum_buffer.W1``, ``state.step1.exp_avg.w_c1122``, ``updated.step2.b_o``.

>>> from backcalc.net.derivation import explain
>>> arrays = training_arrays(explain("worked_examples/momentum_3_steps.toml"))
>>> sorted(arrays)[:3], round(float(arrays["state.momentum_buffer"]["b3"][0]), 5)
(['state.momentum_buffer', 'state.step1.momentum_buffer', 'state.step2.momentum_buffer'], -1.0954)
"""

from __future__ import annotations

import numpy as np

from ..grading.state_keys import scope_of, split_scope, state_names, steps_of


def training_arrays(d) -> dict:
    """``{scope: {array: ndarray}}`` of every training scope of derivation ``d`` (empty without a training run)."""
    last = steps_of(d)
    out = {}
    for t in range(1, last + 1):
        for name in state_names(d):
            arrays = {arr: np.asarray(entry[name], dtype=float) for arr, entry in d.training.state[t - 1].items()
                      if name in entry}
            out[scope_of("state", t, name, last)] = arrays
        if t < last:
            out[scope_of("updated", t, None, last)] = {k: np.asarray(v, dtype=float)
                                                       for k, v in d.training.updated_steps[t - 1].items()}
    return out


def display_name(scope: str, name: str, last: int) -> str:
    """``momentum_buffer of w_c1122 (step 1)``, ``b_o (step 2)``: as check shows the row."""
    table, step, state = split_scope(scope)
    when = f" (step {step})" if step is not None and step != last else ""
    return (f"{state} of {name}" if table == "state" else name) + when


def training_lines(d, scope: str, key: str, digits: int = 5) -> list:
    """The worked line of one element's value in a training scope: its row of explain's step table."""
    from ..render.training import ASSIGNS, step_tables, symbols  # render loads only when a line is asked

    table, step, state = split_scope(scope)
    last = steps_of(d)
    step = last if step is None else step
    quantity = "param" if table == "updated" else state
    for s, tables in step_tables(d, digits):
        for name, k, rows in tables if s == step else ():
            symbol = symbols(name)[ASSIGNS.get(quantity, quantity)]
            row = next((r for r in rows if r[0] == symbol), None) if k == key else None
            if row is not None:
                what = f"{state} {symbol}" if table == "state" and symbol != state else symbol
                return [f"step {step}: {what} ← {row[1]} = {row[2]} = {row[4]}"]
    return [f"step {step}: (no per-parameter table is kept for this net; backcalc explain prints the update)"]
