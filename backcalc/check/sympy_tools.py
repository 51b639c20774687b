"""sympy helpers both symbolic checkers use: the lazy import, evaluation at a point, simplify on a budget.

sympy is imported inside :func:`load_sympy`, never at module import, so ``backcalc --help`` never waits
for it. Nothing here knows about backcalc's rule table, tape, programs or nets.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager

PRECISION = 30            # digits of the numeric evaluation
MAX_PRECISION = 3840      # evaluate_stable doubles the digits up to this many (30 · 2⁷)
SIMPLIFY_MAX_OPS = 150    # larger derivatives are shown as sympy.diff returns them
SIMPLIFY_SECONDS = 3.0    # CPU-time budget of all simplify calls of one program (main thread, POSIX)


def evaluate_at(expr, subs: dict, sp=None, precision: int = PRECISION):
    """``expr`` at the point ``subs`` ({Symbol: float}) as a float, or None where it is undefined.

    Shared subterms are evaluated once (sympy's own ``evalf(subs=...)`` walks the expression as a tree,
    which is exponential in the depth of a program that reuses its names).

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> evaluate_at(sympy.sin(x)**2 + sympy.cos(x)**2, {x: 0.3}), evaluate_at(sympy.log(x), {x: -1.0})
    (1.0, None)
    """
    return _evaluate(expr, subs, sp or load_sympy(), precision)[0]


def _evaluate(expr, subs: dict, sp, precision: int) -> tuple:
    """(the value as :func:`evaluate_at` gives it, whether a sum on its way cancelled to within the precision)."""
    point = {s: sp.Float(v, precision) for s, v in subs.items()}
    memo, cancelled = {}, set()
    tiny = sp.Float(10, precision) ** (5 - precision)

    def at(e):
        r = memo.get(e)
        if r is None:
            if e in point:
                r = point[e]
            elif not e.args:
                r = e.evalf(precision) if e.is_number and not e.is_Number else e
            else:
                args = [at(a) for a in e.args]
                r = e.func(*args)
                if any(a in cancelled for a in e.args) or (e.is_Add and _cancels(r, args, tiny)):
                    cancelled.add(e)
            memo[e] = r
        return r

    r = at(expr)
    if getattr(r, "is_number", False) and not r.is_Number:
        r = r.evalf(precision)
    if getattr(r, "is_Number", False) and r.is_finite and r.is_real is not False:
        return float(r), expr in cancelled
    return None, expr in cancelled


def _cancels(total, terms, tiny) -> bool:
    """Whether a sum of numbers came out smaller than its largest term by about the working precision."""
    if not (getattr(total, "is_Float", False) or total == 0) or not all(t.is_Number for t in terms):
        return False
    largest = max(abs(t) for t in terms)
    return largest != 0 and abs(total) <= largest * tiny


class Unsettled(ValueError):
    """:func:`evaluate_stable` found no two precisions that agree (up to :data:`MAX_PRECISION` digits)."""


def evaluate_stable(expr, subs: dict, sp=None, start: int = PRECISION, limit: int = MAX_PRECISION):
    """``expr`` at ``subs`` as a float that does not change when the working precision doubles.

    A fixed number of digits is not enough where the expression subtracts nearly equal values: at x = 1e-300
    ``(x·cos x − sin x)/x²`` loses some 600 digits. The value is taken at 30, 60, 120, … digits until two
    successive ones agree to 12 digits (or are the same float) and neither came from a sum that cancelled to
    within its precision (1e300 − 1e300 is 0 at any precision too short for it); :class:`Unsettled` when
    that never happens by ``limit`` digits.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> d = sympy.diff(sympy.sin(x) / x, x)
    >>> evaluate_stable(d, {x: 1e-300})  # = −x/3; at 30 digits this is 0 or ±1e269, depending on the rounding
    -3.3333333333333334e-301
    """
    sp = sp or load_sympy()
    before, doubtful = _evaluate(expr, subs, sp, start)
    precision = start
    while precision < limit:
        precision *= 2
        now, doubtful_now = _evaluate(expr, subs, sp, precision)
        settled = not doubtful and not doubtful_now
        if settled and now is None and before is None:
            return None
        if settled and now is not None and before is not None and (now == before
                                                                    or math.isclose(now, before, rel_tol=1e-12)):
            return now
        before, doubtful = now, doubtful_now
    raise Unsettled(f"no stable value by {limit} digits")


def is_zero(expr, sp) -> bool:
    """Whether sympy reduces ``expr`` to 0 (as a rational function of its atoms: cheap, no simplify)."""
    return sp.cancel(sp.expand(expr)) == 0


def simplified(expr, sp=None, seconds: float = SIMPLIFY_SECONDS):
    """``(sympy.simplify(expr), True)`` when it is small and quick enough, else ``(expr, False)``."""
    sp = sp or load_sympy()
    if sp.count_ops(expr) > SIMPLIFY_MAX_OPS or seconds <= 0.05:
        return expr, False
    try:
        with time_budget(seconds):
            short = sp.simplify(expr, ratio=1)
    except OutOfTime:
        return expr, False
    # simplify may trade a sign() for a Piecewise with zoo at 0: keep the form sympy.diff gave then
    odd = (sp.zoo, sp.nan, sp.Piecewise)
    if any(short.has(o) and not expr.has(o) for o in odd) or sp.count_ops(short) > sp.count_ops(expr):
        return expr, True
    return short, True


class OutOfTime(Exception):
    """A :func:`time_budget` ran out."""


@contextmanager
def time_budget(seconds: float):
    """Raise :class:`OutOfTime` inside the block after ``seconds`` of this process's CPU time (main thread on
    POSIX; else no limit). CPU time, not the wall clock: a result that depends on whether a budget ran out (a
    derivative shown simplified or as ``sympy.diff`` gave it) comes out the same on a busy machine.

    Budgets nest: an inner one never outlives the outer one, and when the outer one ran out while an inner
    block swallowed its exception, the outer block gets its own right after.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise OutOfTime

    outer, _ = signal.getitimer(signal.ITIMER_PROF)
    start = time.process_time()
    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, max(min(seconds, outer) if outer else seconds, 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if outer:  # re-arm the enclosing budget with what is left of it
            signal.setitimer(signal.ITIMER_PROF, max(outer - (time.process_time() - start), 1e-3))


def load_sympy():
    """The sympy module, imported on first use."""
    import sympy

    return sympy
