"""The numerics behind the rule table: forwards with domain checks and stable forms, local derivatives
free of cancellation, and the vector-Jacobian products of the rules whose Jacobian is not diagonal.

:mod:`backcalc.tape.rules` names these in its table; nothing else should need them directly.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DomainError

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

# ───────────────────────────── forward helpers (domain checks, stability) ─────────────────────────────

def _log_scalar(a):
    if not a > 0:
        raise DomainError(f"log({a:g}): the logarithm is defined for positive numbers only")
    return math.log(a)


def _log_array(a):
    bad = np.argwhere(~(a > 0))
    if len(bad):
        idx = tuple(int(i) for i in bad[0])
        raise DomainError(f"log of {a[idx]:g} at element {list(idx)}: "
                          "the logarithm is defined for positive numbers only")
    return np.log(a)


def _sqrt_scalar(a):
    if a < 0:
        raise DomainError(f"sqrt({a:g}): the square root is defined for numbers ≥ 0 only")
    return math.sqrt(a)


def _sqrt_array(a):
    bad = np.argwhere(a < 0)
    if len(bad):
        idx = tuple(int(i) for i in bad[0])
        raise DomainError(f"sqrt of {a[idx]:g} at element {list(idx)}: defined for numbers ≥ 0 only")
    return np.sqrt(a)


def _exp_scalar(a):
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def _exp_array(a):
    with np.errstate(over="ignore"):
        return np.exp(a)


def _sigmoid_scalar(a):
    # the two branches never overflow: exp of a non-positive number only
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sigmoid_array(a):
    # exp(−a) may overflow to inf for a < −709; 1/(1+inf) = 0 is then the exact limit, so the
    # overflow is silenced rather than avoided, at the cost of the plain formula.
    # the same operations as 1/(1 + exp(−a)), done in one buffer: a large layer allocates once, not four times
    with np.errstate(over="ignore"):
        if a.ndim == 0:
            return 1.0 / (1.0 + np.exp(-a))
        t = np.negative(a, dtype=np.float64)
        np.exp(t, out=t)
        np.add(1.0, t, out=t)
        return np.divide(1.0, t, out=t)


def _softplus_scalar(a):
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _softplus_array(a):
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def _half_over(ans):
    if isinstance(ans, np.ndarray):
        with np.errstate(divide="ignore"):
            return 0.5 / ans
    return 0.5 / ans if ans else math.inf


def _tan_local(ans, a):
    return (1.0 + ans * ans,)


def _elu_scalar(a, alpha=1.0):
    return a if a > 0 else alpha * math.expm1(a)


def _elu_array(a, alpha=1.0):
    return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0.0)))


def _selu_scalar(a):
    return SELU_SCALE * (a if a > 0 else SELU_ALPHA * math.expm1(a))


def _selu_array(a):
    return SELU_SCALE * np.where(a > 0, a, SELU_ALPHA * np.expm1(np.minimum(a, 0.0)))


def _pow_scalar(a, k):
    try:
        r = a ** k
    except ZeroDivisionError:
        raise DomainError(f"{a:g} ** {k:g}: zero to a negative power") from None
    except OverflowError:
        return math.inf
    if isinstance(r, complex):
        raise DomainError(f"{a:g} ** {k:g}: a negative number to a fractional power is not real")
    return r


def _pow_array(a, k):
    k_arr = np.asarray(k)
    if np.any((k_arr != np.round(k_arr)) & (a < 0)):
        raise DomainError("a negative number to a fractional power is not real")
    if np.any((k_arr < 0) & (a == 0)):
        raise DomainError("zero to a negative power")
    with np.errstate(over="ignore"):
        return a ** k


def _pow_local(ans, a, k):
    if k == 2:
        return (2.0 * a,)
    if k == 1:
        return (a * 0.0 + 1.0,)
    if isinstance(a, np.ndarray):
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return (k * a ** (k - 1),)
    return (k * _pow_scalar(a, k - 1),)


def _vpow_local(ans, a, b):
    # d/da a^b = b·a^(b−1); d/db a^b = a^b·ln a (defined for a > 0; nan elsewhere, as a is a base)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        with np.errstate(all="ignore"):
            return b * a ** (b - 1), np.where(a > 0, ans * np.log(np.where(a > 0, a, 1.0)), np.nan)
    return b * _pow_scalar(a, b - 1), (ans * math.log(a) if a > 0 else math.nan)


def _div_scalar(a, b):
    if b == 0:
        raise DomainError(f"{a:g} / 0: division by zero")
    return a / b


def _div_array(a, b):
    if np.any(b == 0):
        raise DomainError("division by zero")
    return a / b


def _bce_range(p, t):
    # a probability or a target outside [0, 1] (or NaN) gives a meaningless, possibly negative, loss
    if p.__class__ is float and t.__class__ is float and 0.0 <= p <= 1.0 and 0.0 <= t <= 1.0:
        return
    p, t = np.asarray(p, dtype=float), np.asarray(t, dtype=float)
    for what, arr in (("probability", p), ("target", t)):
        bad = ~((arr >= 0) & (arr <= 1))
        if np.any(bad):
            idx = [int(i) for i in np.argwhere(bad)[0]] if arr.ndim else []
            v = float(arr[tuple(idx)])
            raise DomainError(f"bce: a {what} of {v:g}{f' at element {idx}' if idx else ''} is outside [0, 1]"
                              + ("; use bce_with_logits for logits" if what == "probability" else ""))


def _bce_scalar(p, t):
    _bce_range(p, t)
    return -(_xlogy(t, p) + _xlogy(1.0 - t, 1.0 - p))


def _xlogy(x, y):
    if x == 0:
        return 0.0
    if y <= 0:
        raise DomainError("bce: a predicted probability of exactly 0 or 1 against the opposite target "
                          "gives an infinite loss; use bce_with_logits on the pre-activation")
    return x * math.log(y)


def _bce_array(p, t):
    _bce_range(np.asarray(p), np.asarray(t))
    bad = ((p <= 0) & (t != 0)) | ((p >= 1) & (t != 1))
    if bad.any():
        idx = [int(i) for i in np.argwhere(bad)[0]]
        raise DomainError(f"bce: predicted probability {p[tuple(idx)]:g} at element {idx} against target "
                          f"{t[tuple(idx)]:g} gives an infinite loss; use bce_with_logits on the pre-activation")
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(t == 0, 0.0, t * np.log(np.where(p > 0, p, 1.0)))
        b = np.where(t == 1, 0.0, (1.0 - t) * np.log(np.where(p < 1, 1.0 - p, 1.0)))
    return -(a + b)


def _bce_local(ans, p, t):
    # ∂/∂p = −t/p + (1−t)/(1−p), computed as (p − t)/(p·(1 − p)) so the two terms never cancel when p ≈ t;
    # at p = 0 or 1 (allowed against a matching target) the 0/0 term is taken as 0.
    # ∂/∂t = ln(1−p) − ln p = ln((1−p)/p), as log1p((1 − 2p)/p) near p = ½ where the two logs cancel.
    if isinstance(p, np.ndarray) or isinstance(t, np.ndarray):
        p, t = np.broadcast_arrays(np.asarray(p, float), np.asarray(t, float))
        inside = (p > 0) & (p < 1)
        q = np.where(inside, p, 0.5)
        with np.errstate(divide="ignore", invalid="ignore"):
            edge = np.where(t == 0, 0.0, -t / p) + np.where(t == 1, 0.0, (1.0 - t) / (1.0 - p))
            dp = np.where(inside, (q - t) / (q * (1.0 - q)), edge)
            near_half = (q > 0.25) & (q < 0.75)
            dt = np.where(near_half, np.log1p((1.0 - 2.0 * q) / q), np.log((1.0 - q) / q))
        return dp, np.where(inside, dt, np.nan)
    if 0 < p < 1:
        dt = math.log1p((1.0 - 2.0 * p) / p) if 0.25 < p < 0.75 else math.log((1.0 - p) / p)
        return (p - t) / (p * (1.0 - p)), dt
    dp = (0.0 if t == 0 else -t / p) + (0.0 if t == 1 else (1.0 - t) / (1.0 - p))
    return dp, math.nan


# ───────────────────────────── local derivatives free of cancellation ─────────────────────────────
# Each is the textbook formula of the table's text, computed so that no large term cancels: σ′ as
# σ(a)·σ(−a) (1 − σ(a) is 0 in floats for a > 37), tanh′ as 1/cosh²(a) (1 − tanh² is 0 for |a| > 19), elu′
# for a ≤ 0 as α·e^a (out + α cancels for a < −19), the piecewise rules by selection, never by arithmetic on the indicator ([a>0]·(1 − x) + x is 0 for a
# large x). Property-tested against mpmath over magnitudes 1e-300…1e300 (tests/test_rules_precision.py).

def _where_positive(a, pos, neg):
    if isinstance(a, np.ndarray):
        return np.where(a > 0, pos, neg)
    return pos if a > 0 else neg


def _exp_neg(a):
    # e^a where a ≤ 0 (the negative branch of elu and selu): out + α = α·e^a, without the cancellation
    if isinstance(a, np.ndarray):
        return np.exp(np.minimum(a, 0.0))
    return math.exp(min(a, 0.0))


def _elu_local(ans, a, alpha=1.0):
    return (_where_positive(a, 1.0, alpha * _exp_neg(a)),)


def _selu_local(ans, a):
    return (_where_positive(a, SELU_SCALE, SELU_SCALE * SELU_ALPHA * _exp_neg(a)),)


def _sigmoid_local(ans, a):
    if isinstance(a, np.ndarray) and a.ndim:
        # σ(−a) = 1/(1 + e^a), the same operations as _sigmoid_array(−a), in one buffer
        with np.errstate(over="ignore"):
            t = np.exp(a)
            np.add(1.0, t, out=t)
            np.divide(1.0, t, out=t)
        return (np.multiply(ans, t, out=t),)
    if isinstance(a, np.ndarray):
        return (ans * _sigmoid_array(-a),)
    return (ans * _sigmoid_scalar(-a),)


def _tanh_local(ans, a):
    # sech²(a) = 1/cosh²(a); past |a| = 20 it is 4·e^(−2|a|) to the last bit (and never overflows)
    if isinstance(a, np.ndarray):
        m = np.abs(a)
        return (np.where(m > 20.0, 4.0 * np.exp(-2.0 * m), 1.0 / np.cosh(np.minimum(m, 20.0)) ** 2),)
    m = abs(a)
    return (4.0 * math.exp(-2.0 * m) if m > 20.0 else 1.0 / math.cosh(m) ** 2,)


# ───────────────────────────── vjps of the non-elementwise rules ─────────────────────────────

def _matmul_vjp(g, ans, local, inputs, params, needs):
    b, a = local  # ∂(a@b)/∂a pairs with b, ∂(a@b)/∂b pairs with a
    if a.ndim == 1 and b.ndim == 1:  # a dot product: g is a scalar
        return (g * b if needs[0] else None), (g * a if needs[1] else None)
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    if a.ndim == 1:
        g = np.expand_dims(g, -2)
    if b.ndim == 1:
        g = np.expand_dims(g, -1)
    ga = gb = None  # a constant operand (an input x) gets no gradient: the product is skipped
    if needs[0]:
        ga = g @ np.swapaxes(b2, -1, -2)
        if a.ndim == 1:
            ga = np.squeeze(ga, -2)
    if needs[1]:
        gb = np.swapaxes(a2, -1, -2) @ g
        if b.ndim == 1:
            gb = np.squeeze(gb, -1)
    return ga, gb


def _sum_vjp(g, ans, local, inputs, params, needs):
    shape = inputs[0].shape
    axis = params.get("axis")
    if axis is not None and not params.get("keepdims"):
        g = np.expand_dims(g, axis)
    return (np.broadcast_to(g * local[0], shape),)


def _reshape_vjp(g, ans, local, inputs, params, needs):
    return (np.reshape(g, inputs[0].shape),)


def _transpose_vjp(g, ans, local, inputs, params, needs):
    return (np.swapaxes(g, -1, -2) if g.ndim > 1 else g,)


def _softmax_vjp(g, ans, local, inputs, params, needs):
    s = local[0]
    axis = params.get("axis", -1)
    return (s * (g - np.sum(g * s, axis=axis, keepdims=True)),)


def _log_softmax_vjp(g, ans, local, inputs, params, needs):
    s = local[0]
    axis = params.get("axis", -1)
    return (g - s * np.sum(g, axis=axis, keepdims=True),)


def _mean_local(ans, a, axis=None, keepdims=False):
    n = a.size if axis is None else np.prod([a.shape[i] for i in np.atleast_1d(axis)])
    return (1.0 / float(n),)


def _softmax_array(a, axis=-1):
    m = np.max(a, axis=axis, keepdims=True)
    e = np.exp(a - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_array(a, axis=-1):
    m = np.max(a, axis=axis, keepdims=True)
    shifted = a - m
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _transpose_array(a):
    return np.swapaxes(a, -1, -2) if a.ndim > 1 else a


def _step(a):
    return 1.0 if a > 0 else 0.0


def _ones_like(a):
    return np.ones_like(a) if isinstance(a, np.ndarray) else 1.0


def _gt(a, b):
    # 1 where a > b, written for floats and arrays alike (floats first: the scalar tape's hot path)
    if a.__class__ is float:
        return 1.0 if a > b else 0.0
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (np.asarray(a) > b).astype(float)
    return 1.0 if a > b else 0.0


def _ge(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (np.asarray(a) >= b).astype(float)
    return 1.0 if a >= b else 0.0


def _sign(a):
    if isinstance(a, np.ndarray):
        return np.sign(a)
    return 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)


def _max_local(ans, a, b):
    first = _ge(a, b)  # a tie sends the gradient to the first argument
    return first, 1.0 - first


def _min_local(ans, a, b):
    first = _ge(b, a)
    return first, 1.0 - first
