"""An exercise's fingerprint: a short hash of its spec, carried by every sheet and key made for it.

`check` refuses a sheet whose fingerprint is not its spec's, so a student's sheet is never graded against
another student's variant. The hash covers everything that changes an answer (data, layers, loss, training)
and nothing that does not (the title, comments, key order, how a number is spelled: ``1`` = ``1.0``).

>>> a = {"format": 1, "title": "A", "data": {"x": [[2]], "y": [[3.0]]},
...      "layers": [{"activation": "linear", "weights": [[1.0]], "bias": [0.0]}]}
>>> b = dict(a, title="B", data={"y": [[3]], "x": [[2.0]]})
>>> fingerprint_of(a) == fingerprint_of(b), len(fingerprint_of(a))
(True, 10)
"""

from __future__ import annotations

import hashlib
import json

LENGTH = 10  # hex digits: 40 bits, no clash in a class of thousands of variants


def _canonical(value):
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items() if k != "title"}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return repr(float(value))
    return str(value)


def fingerprint_of(doc: dict) -> str:
    """The fingerprint of a spec document (a dict as read from TOML or JSON)."""
    text = json.dumps(_canonical(doc), sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:LENGTH]


def fingerprint(spec) -> str | None:
    """The fingerprint of a loaded :class:`~backcalc.net.spec.NetSpec` (None if it was not read from a document)."""
    raw = getattr(spec, "raw", None)
    return fingerprint_of(raw) if raw else None
