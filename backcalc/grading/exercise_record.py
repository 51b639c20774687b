"""What an exercise is: its three files' text and the spec they describe (made by
:func:`backcalc.grading.exercise.make_exercise` and :func:`backcalc.grading.conv_exercise.make_conv_exercise`).

>>> Exercise("spec", "sheet", "key", "backcalc exercise").files()["key.toml"]
'key'
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Exercise:
    """The three files' text (``files()``), and the spec they describe."""

    spec_text: str
    sheet_text: str
    key_text: str
    command: str
    spec: object = field(repr=False, compare=False, default=None)

    def files(self) -> dict:
        return {"exercise.toml": self.spec_text, "sheet.toml": self.sheet_text, "key.toml": self.key_text}
