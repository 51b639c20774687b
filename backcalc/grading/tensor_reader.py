"""Reading an answer array of more than two axes — a conv kernel (out_channels × in_channels × kh × kw) or a map
(samples × channels × height × width) — as nested lists of exactly that shape, cell by cell in C order.

>>> shape_of([[[1, 2], [3, 4]]]), shape_of([[1, 2], [3]])
((1, 2, 2), None)
"""

from __future__ import annotations

from .problems import kind_of, problem


def shape_of(value):
    """The shape of a regular nest of lists (numbers at the bottom), or None when it is ragged or mixed."""
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    inner = [shape_of(v) for v in value]
    if any(s is None for s in inner) or len(set(inner)) != 1:
        return None
    return (len(value),) + inner[0]


def read_tensor(reader, items, value, where, shape: tuple, what: str) -> list:
    """The cells of ``value`` (nested lists of ``shape``) for ``items`` in C order; one unreadable entry when the
    shape is not ``shape``."""
    got = shape_of(value)
    if got != tuple(shape):
        wanted = "×".join(map(str, shape))
        told = (problem("ragged") if got is None else kind_of(value) if not got
                else problem("shape", value="×".join(map(str, got))))
        reader.fail(where, problem("tensor_shape", shape=wanted, what=what, got=told))
    flat = []

    def walk(v, at):
        if isinstance(v, list):
            for i, e in enumerate(v):
                walk(e, at + f"[{i}]")
        else:
            flat.append((v, at))

    walk(value, where)
    return [reader.safe_cell(item, v, at) for item, (v, at) in zip(items, flat)]
