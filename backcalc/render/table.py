"""Plain-text tables: tabulate's ``simple`` layout, written out directly for long tables.

tabulate lays a table out by looking at every cell several times (types, widths, padding), which is what a
page a person reads needs and takes seconds at tens of thousands of rows. :func:`simple` gives the same
text — the same padding, the same ``--`` rule under the headers — for tables of one-line string cells, and
hands anything else (an escape code, a line break) to tabulate itself. A test holds the two equal.

>>> print(simple([["w1", "0.5"], ["bias", "-1"]], ["param", "value"]))
param    value
-------  -------
w1       0.5
bias     -1
"""

from __future__ import annotations

#: rows past which a page's table is laid out here rather than by tabulate (the text is the same)
LONG_TABLE = 200


def simple(rows: list, headers: list) -> str:
    """``tabulate(rows, headers, disable_numparse=True)`` (format ``simple``, every cell a string)."""
    heads = list(headers)
    if not rows or not _plain(rows, heads):
        from tabulate import tabulate

        return tabulate(rows, headers=headers, disable_numparse=True)
    cells = [[c.strip() for c in row] for row in rows]
    width = _width_function()
    widths = [w + 2 for w in map(width, heads)]  # tabulate's minimum: the header plus its padding of 2
    for row in cells:
        for i, c in enumerate(row):
            w = width(c)
            if w > widths[i]:
                widths[i] = w
    fill = _filler(width)
    lines = ["  ".join(fill(h, w) for h, w in zip(heads, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fill(c, w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def text_table(rows: list, headers: list) -> str:
    """A page's table: tabulate for what a person reads, :func:`simple` past :data:`LONG_TABLE` rows."""
    if len(rows) > LONG_TABLE:
        return simple(rows, headers)
    from tabulate import tabulate

    return tabulate(rows, headers=headers, disable_numparse=True)


def _plain(cells, heads) -> bool:
    """Whether every row has one cell per header, each one line of text without escape codes (nor tabulate's
    separating-line mark)."""
    n = len(heads)
    for row in cells:
        if len(row) != n:
            return False
        for c in row:
            if not c.isprintable() and any(ch in c for ch in _SPECIAL):
                return False
    return not any(ch in h for h in heads for ch in _SPECIAL)


_SPECIAL = "\n\r\t\x1b\x01"


def _width_function():
    """How tabulate measures a cell: terminal columns when wcwidth is installed, characters otherwise."""
    try:
        import tabulate
    except ImportError:  # pragma: no cover - tabulate is a dependency
        return len
    wc = getattr(tabulate, "wcwidth", None)
    if wc is None or not getattr(tabulate, "WIDE_CHARS_MODE", False):
        return len

    def width(s: str) -> int:
        return len(s) if s.isascii() and s.isprintable() else wc.wcswidth(s)

    return width


def _filler(width):
    if width is len:
        return str.ljust
    return lambda s, w: s + " " * (w - width(s))
