"""sympy helpers both symbolic checkers use: the lazy import, evaluation at a point, simplify on a budget.

sympy is imported inside :func:`load_sympy`, never at module import, so ``backcalc --help`` never waits
for it. Nothing here knows about backcalc's rule table, tape, programs or nets.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

PRECISION = 30            # digits of the numeric evaluation
SIMPLIFY_MAX_OPS = 150    # larger derivatives are shown as sympy.diff returns them
SIMPLIFY_SECONDS = 3.0    # time budget of all simplify calls of one program (main thread, POSIX)


def evaluate_at(expr, subs: dict, sp=None):
    """``expr`` at the point ``subs`` ({Symbol: float}) as a float, or None where it is undefined.

    Shared subterms are evaluated once (sympy's own ``evalf(subs=...)`` walks the expression as a tree,
    which is exponential in the depth of a program that reuses its names).

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> evaluate_at(sympy.sin(x)**2 + sympy.cos(x)**2, {x: 0.3}), evaluate_at(sympy.log(x), {x: -1.0})
    (1.0, None)
    """
    sp = sp or load_sympy()
    point = {s: sp.Float(v, PRECISION) for s, v in subs.items()}
    memo = {}

    def at(e):
        r = memo.get(e)
        if r is None:
            if e in point:
                r = point[e]
            elif not e.args:
                r = e.evalf(PRECISION) if e.is_number and not e.is_Number else e
            else:
                r = e.func(*[at(a) for a in e.args])
            memo[e] = r
        return r

    r = at(expr)
    if getattr(r, "is_number", False) and not r.is_Number:
        r = r.evalf(PRECISION)
    if getattr(r, "is_Number", False) and r.is_finite and r.is_real is not False:
        return float(r)
    return None


def is_zero(expr, sp) -> bool:
    """Whether sympy reduces ``expr`` to 0 (as a rational function of its atoms: cheap, no simplify)."""
    return sp.cancel(sp.expand(expr)) == 0


def simplified(expr, sp=None, seconds: float = SIMPLIFY_SECONDS):
    """``(sympy.simplify(expr), True)`` when it is small and quick enough, else ``(expr, False)``."""
    sp = sp or load_sympy()
    if sp.count_ops(expr) > SIMPLIFY_MAX_OPS or seconds <= 0.05:
        return expr, False
    try:
        with _time_budget(seconds):
            short = sp.simplify(expr, ratio=1)
    except _Timeout:
        return expr, False
    # simplify may trade a sign() for a Piecewise with zoo at 0: keep the form sympy.diff gave then
    odd = (sp.zoo, sp.nan, sp.Piecewise)
    if any(short.has(o) and not expr.has(o) for o in odd) or sp.count_ops(short) > sp.count_ops(expr):
        return expr, True
    return short, True


class _Timeout(Exception):
    pass


@contextmanager
def _time_budget(seconds: float):
    """Raise :class:`_Timeout` inside the block after ``seconds`` (main thread on POSIX; else no limit)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def load_sympy():
    """The sympy module, imported on first use."""
    import sympy

    return sympy
