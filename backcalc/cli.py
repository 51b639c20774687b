"""The `backcalc` command: a thin click layer. Each command parses, calls one library function, renders.

Exit codes: 0 done and every check passed; 1 a check found a mismatch (:class:`CheckFailed`);
2 bad input (:class:`BackcalcError` or a usage error), one line on stderr, no traceback unless --debug.
Heavy imports (sympy, matplotlib, the renderers) happen inside the commands. The group and its error
handling live in :mod:`backcalc.commands.base`; each command in the module of its capability.
"""

from __future__ import annotations

from .commands import classroom, derive, study  # noqa: F401  (importing a module registers its commands)
from .commands.base import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
