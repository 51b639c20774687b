"""A student's implementation of seed 000's layer functions — with three typical bugs.

1. ``sigmoid_backward`` computes the activation's derivative but never multiplies it in.
2. ``affine_backward`` transposes dW: ``doutᵀ·x`` instead of ``xᵀ·dout`` (same numbers transposed, so it
   even runs when W is square).
3. ``affine_backward`` returns dout as the bias gradient instead of summing it over the batch.

``test_grading.py`` should catch each one with a message that says what is wrong.
"""

import numpy as np


def affine_forward(x, W, b):
    v = np.dot(x, W) + b
    cache = (x, W, b)
    return v, cache


def affine_backward(dout, cache):
    x, W, b = cache
    dW = np.dot(dout.T, x)  # bug 2: transposed
    db = dout  # bug 3: not summed over the batch
    dx = np.dot(dout, W.T)
    return dW, db, dx


def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out


def sigmoid_backward(dout, ds):
    ds_ = ds * (1 - ds)  # bug 1: computed, never used
    return dout
