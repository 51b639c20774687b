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


def simple(rows: list, headers: list, maxcolwidths: list | None = None) -> str:
    """``tabulate(rows, headers, disable_numparse=True, maxcolwidths=...)`` (format ``simple``, string cells)."""
    heads = list(headers)
    if not rows or not _plain(rows, heads):
        from tabulate import tabulate

        return tabulate(rows, headers=headers, disable_numparse=True, maxcolwidths=maxcolwidths)
    if maxcolwidths is not None:
        rows = [[c if limit is None else _wrapped(c, limit) for c, limit in zip(row, maxcolwidths)] for row in rows]
    cells = [[c.strip() for c in row] for row in rows]
    width = _width_function()
    sizes = [[_cell_width(width, c) for c in row] for row in cells]  # each cell measured once
    widths = [w + 2 for w in map(width, heads)]  # tabulate's minimum: the header plus its padding of 2
    for row in sizes:
        for i, w in enumerate(row):
            if w > widths[i]:
                widths[i] = w
    fill = _filler(width)
    lines = ["  ".join(fill(h, w) for h, w in zip(heads, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    multiline = any("\n" in c for row in cells for c in row)
    for row, size in zip(cells, sizes):
        if multiline and (not any(row) or any("\n" in c for c in row)):
            # each line of the row's cells side by side, a short cell blank below its last line (a row of
            # empty cells has no line at all, as in tabulate)
            parts = [c.splitlines() for c in row]
            for k in range(max(map(len, parts))):
                lines.append("  ".join(fill(p[k], w) if k < len(p) else " " * w
                                       for p, w in zip(parts, widths)).rstrip())
        else:
            lines.append("  ".join([c + " " * (w - n) for c, n, w in zip(row, size, widths)]).rstrip())
    return "\n".join(lines)


def _cell_width(width, cell: str) -> int:
    """A cell's width: its widest line."""
    return max(map(width, cell.split("\n"))) if "\n" in cell else width(cell)


def _wrapped(cell: str, limit: int) -> str:
    """The cell as tabulate wraps it to ``limit`` columns (one short line of plain text is left as it is)."""
    if len(cell) <= limit and cell.isascii() and cell.isprintable() and cell == cell.strip():
        return cell
    from tabulate import tabulate

    return tabulate([[cell]], tablefmt="plain", maxcolwidths=[limit], disable_numparse=True)


def text_table(rows: list, headers: list, maxcolwidths: list | None = None) -> str:
    """A page's table: tabulate for what a person reads, :func:`simple` past :data:`LONG_TABLE` rows."""
    if len(rows) > LONG_TABLE:
        return simple(rows, headers, maxcolwidths)
    from tabulate import tabulate

    return tabulate(rows, headers=headers, disable_numparse=True, maxcolwidths=maxcolwidths)


def _plain(cells, heads) -> bool:
    """Whether every row has one cell per header, each printable text on one line (no control character, no
    escape code, no line break): anything else is left to tabulate."""
    n = len(heads)
    return all(h.isprintable() for h in heads) and all(
        len(row) == n and all(c.isprintable() for c in row) for row in cells)


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
