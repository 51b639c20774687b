"""User strings in messages and on the page: quoted, bounded, and checked to be printable text.

Every string a user gave (a key, a name, a title, a file name) is echoed through :func:`shown`: quoted like
Python's ``repr`` (so a newline or an escape sequence is written as ``\\n``, ``\\x1b``, never sent raw to a
terminal) and cut at ``limit`` characters. Free text that goes onto a page (a spec's title) must pass
:func:`printable_problem` first.

>>> shown("h\\n")
"'h\\\\n'"
>>> shown("x" * 100, limit=10)
"'xxxxxxxxxx'… (100 characters)"
>>> printable_problem("a\\x1b]0;pwned\\x07") is not None
True
"""

from __future__ import annotations


def shown(value, limit: int = 60) -> str:
    """``value`` quoted for a message: control characters escaped, at most ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


def label(value, limit: int = 100) -> str:
    """A name for a message as it is when it is plain printable text (``spec.toml``), else :func:`shown`."""
    text = value if isinstance(value, str) else str(value)
    if text and len(text) <= limit and text.isprintable() and text.strip() == text:
        return text
    return shown(text, limit)


def printable_problem(text: str, limit: int | None = None) -> str | None:
    """Why ``text`` cannot go onto a page (a control character, a line break, too long), or None."""
    if limit is not None and len(text) > limit:
        return f"{len(text)} characters, expected at most {limit}"
    for i, ch in enumerate(text):
        if not ch.isprintable():
            return f"character {i + 1} is {ch!r}, not printable text (control characters and line breaks are refused)"
    return None
