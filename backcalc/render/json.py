"""JSON rendering: exactly the keys of INTERFACE.md (``to_dict()`` of the record), full precision."""

from __future__ import annotations

import json


def render(record, **_ignored) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
