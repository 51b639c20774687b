"""A student's implementation of seed 000's layer functions — correct.

Straight from the course notebook (vanishing gradients): ``affine_forward``/``affine_backward`` for a dense
layer and ``sigmoid_forward``/``sigmoid_backward`` for its activation, where ``sigmoid_backward`` receives
the forward *output* ``ds`` rather than the input.
"""

import numpy as np


def affine_forward(x, W, b):
    v = np.dot(x, W) + b  # x dot w + b
    cache = (x, W, b)
    return v, cache


def affine_backward(dout, cache):
    x, W, b = cache
    dW = np.dot(x.T, dout)  # x' dot dout
    db = np.sum(dout, axis=0, keepdims=True)
    dx = np.dot(dout, W.T)  # dout dot W'
    return dW, db, dx


def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out


def sigmoid_backward(dout, ds):
    """
    Argument:
        ds: sigmoid forward result
        dout: gradient error
    """
    ds_ = ds * (1 - ds)
    dout = dout * ds_
    return dout
