"""Tensor: broadcasting, matmul, reductions, stability; hypothesis compares the tape with central differences."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from backcalc import Tensor, gradcheck
from backcalc.errors import ShapeError


def test_matmul_bias_sigmoid_by_hand():
    # z = x·W + b with x = [[1, 2]], W = [[1], [−1]], b = [1]: z = 0, σ(0) = 1/2, σ′(0) = 1/4.
    # L = sum(σ(z)) ⇒ ∂L/∂W = xᵀ·σ′ = [[1/4], [1/2]], ∂L/∂b = 1/4, ∂L/∂x = σ′·Wᵀ = [[1/4, −1/4]]
    x = Tensor([[1.0, 2.0]])
    W = Tensor([[1.0], [-1.0]])
    b = Tensor([1.0])
    L = (x @ W + b).sigmoid().sum()
    L.backward()
    assert L.item() == 0.5
    assert W.grad.tolist() == [[0.25], [0.5]]
    assert b.grad.tolist() == [0.25]
    assert x.grad.tolist() == [[0.25, -0.25]]


def test_broadcast_gradients_summed_back():
    # y = sum(A + b) with A 3×2 and b of shape (2,): ∂y/∂b = [3, 3] (summed over the 3 rows)
    A = Tensor(np.zeros((3, 2)))
    b = Tensor([1.0, 2.0])
    c = Tensor(np.ones((3, 1)))
    y = ((A + b) * c).sum()
    y.backward()
    assert b.grad.tolist() == [3.0, 3.0]
    assert c.grad.tolist() == [[3.0], [3.0], [3.0]]
    assert A.grad.shape == (3, 2)


def test_numbers_and_arrays_on_either_side():
    x = Tensor([1.0, 2.0])
    y = (2 - x) * 3 + np.array([1.0, 1.0]) / x + 2 ** x
    y.sum().backward()
    # d/dx [3(2 − x) + 1/x + 2^x] = −3 − 1/x² + 2^x ln 2
    expected = -3 - 1 / np.array([1.0, 2.0]) ** 2 + 2 ** np.array([1.0, 2.0]) * np.log(2)
    assert np.allclose(x.grad, expected)


def test_reductions_and_shapes():
    a = Tensor(np.arange(6.0).reshape(2, 3))
    m = a.mean(axis=0)  # mean over 2 rows: ∂/∂a = 1/2 each
    m.sum().backward()
    assert np.allclose(a.grad, 0.5)
    a2 = Tensor(np.arange(6.0).reshape(2, 3))
    (a2.T.reshape(6) * Tensor(np.arange(6.0))).sum().backward()
    assert a2.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]


def test_softmax_and_log_softmax_at_extremes_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = Tensor([[1000.0, -1000.0, 0.0]])
        s = z.softmax()
        assert s.data.tolist() == [[1.0, 0.0, 0.0]]
        ls = z.log_softmax()
        assert ls.data[0, 0] == 0.0 and ls.data[0, 1] == -2000.0
        ls.sum().backward()
        assert np.all(np.isfinite(z.grad))
        q = Tensor([-1000.0, 1000.0]).sigmoid()
        assert q.data.tolist() == [0.0, 1.0]


def test_backward_needs_seed_for_non_scalar():
    with pytest.raises(ShapeError, match="gradient="):
        Tensor([1.0, 2.0]).sigmoid().backward()
    x = Tensor([1.0, 2.0])
    (x * 3).backward(gradient=[1.0, 1.0])
    assert x.grad.tolist() == [3.0, 3.0]


def test_backward_twice_and_grad_ownership():
    x = Tensor([1.0, 2.0])
    y = x + x
    s = y.sum()
    s.backward()
    s.backward()
    assert x.grad.tolist() == [2.0, 2.0]
    y.grad[0] = 99.0  # grads are separate arrays: changing one changes no other
    assert s.grad.tolist() == 1.0 and x.grad.tolist() == [2.0, 2.0]


def test_constant_inputs_get_no_gradient():
    x = Tensor([[1.0, 2.0]], requires_grad=False)
    W = Tensor([[1.0], [1.0]])
    (x @ W).sum().backward()
    assert x.grad is None and W.grad.tolist() == [[1.0], [2.0]]


def test_tape_of_a_layer():
    x = Tensor([[2.0]], label="i", requires_grad=False)
    W = Tensor([[0.25, 0.5]], label="W1")
    z = x @ W
    a = z.relu()
    tape = a.tape()
    assert [e.op for e in tape] == ["matmul", "relu"]
    assert tape[1].local[0].tolist() == [[1.0, 1.0]]
    assert tape[0].local[1] is x.data  # ∂(x@W)/∂W pairs with x: kept, not copied


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ShapeError, match=r"\(2, 3\) and \(2, 1\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 1)))


def test_tensor_copies_its_input():
    arr = np.array([1.0, 2.0])
    t = Tensor(arr)
    arr[0] = 5.0
    assert t.data[0] == 1.0


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "linear", "exp", "softplus", "sin"]
floats = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.sampled_from(ACTIVATIONS), st.data())
def test_property_dense_layer_matches_finite_differences(n, fan_in, units, act, data):
    x = data.draw(hnp.arrays(np.float64, (n, fan_in), elements=floats))
    W = data.draw(hnp.arrays(np.float64, (fan_in, units), elements=floats))
    b = data.draw(hnp.arrays(np.float64, (units,), elements=floats))
    z = x @ W + b
    if act in ("relu", "leaky_relu", "elu", "selu"):  # keep away from the kink, where the derivative jumps
        b = b + np.where(np.abs(z) < 1e-3, 0.01, 0.0).max(axis=0)
    gradcheck(lambda x, W, b: getattr(x @ W + b, act)().mean() * 3.0, x, W, b, atol=1e-5, rtol=1e-4)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(2, 4), st.data())
def test_property_softmax_cross_entropy(n, classes, data):
    from backcalc import losses
    logits = data.draw(hnp.arrays(np.float64, (n, classes), elements=st.floats(-5, 5)))
    labels = data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n))
    gradcheck(lambda z: losses.cross_entropy(z, labels), logits)
    gradcheck(lambda z: z.softmax(axis=0), logits)


def test_no_two_gradients_share_memory():
    # add hands its upstream gradient on unchanged, reshape and transpose hand on views, sum a read-only
    # broadcast: every node must still end up with a writeable array of its own
    x = Tensor(np.arange(6.0).reshape(2, 3), label="x")
    W = Tensor(np.ones((3, 2)), label="W")
    m = x @ W
    z = m + Tensor([[1.0, 2.0]])
    r = z.T.reshape(4)
    s = (r + r).sum()
    s.backward()
    nodes = s.tape().nodes
    grads = [n.grad for n in nodes if n.grad is not None]
    assert len(grads) == len(nodes)
    for i, g in enumerate(grads):
        assert g.flags.writeable
        for h in grads[i + 1:]:
            assert not np.shares_memory(g, h)
    # ∂s/∂z = 2 everywhere; ∂s/∂W = xᵀ·2 = column sums of x times 2 = [[6, 6], [10, 10], [14, 14]]
    assert z.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]] and m.grad.tolist() == z.grad.tolist()
    assert W.grad.tolist() == [[6.0, 6.0], [10.0, 10.0], [14.0, 14.0]]


def test_fan_out_gradients_add_up():
    # y = x·x + 3x + x: ∂y/∂x = 2x + 4 at x = [1, 2] is [6, 8]; three contributions summed in place
    x = Tensor([1.0, 2.0])
    y = (x * x + 3 * x + x).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [6.0, 8.0]


def test_factors_are_computed_when_needed_and_never_overwritten():
    # the factors are not kept by the forward pass; backward computes them for itself, writes its product
    # into them only when nobody else holds them, and a factor read before backward stays as read
    x = Tensor(np.linspace(-2.0, 2.0, 12).reshape(3, 4))
    s = x.sigmoid()
    assert s._local is None
    with np.errstate(over="ignore"):
        want = s.data * (1.0 / (1.0 + np.exp(x.data)))  # σ(x)·σ(−x)
    (s * 3.0).sum().backward()
    assert s._local is None  # backward used the factors without keeping them
    assert np.array_equal(x.grad, 3.0 * want)
    t = x.tanh()
    read = t.local[0]
    before = read.copy()
    (t * 2.0).sum().backward()
    assert t.local[0] is read and np.array_equal(read, before)
    assert np.array_equal(x.grad, 2.0 * before)


def test_sigmoid_forward_in_one_buffer_equals_the_formula_bit_for_bit():
    a = np.random.default_rng(1).normal(0.0, 30.0, size=(50, 7))
    with np.errstate(over="ignore"):
        assert np.array_equal(Tensor(a).sigmoid().data, 1.0 / (1.0 + np.exp(-a)))


def test_a_gradient_handed_on_is_shared_until_read():
    # + hands ∂L/∂z on unchanged to z0: one array for both during backward, two arrays once read
    z0 = Tensor(np.ones((2, 3))) * 2.0
    z = z0 + Tensor([[1.0, 2.0, 3.0]])
    (z * z).sum().backward()
    assert z._grad is z0._grad and z._shared and z0._shared
    g = z.grad
    assert not np.shares_memory(g, z0.grad) and np.array_equal(g, z0.grad)
    g[0, 0] = -1.0
    assert z0.grad[0, 0] == 2.0 * z.data[0, 0]


def test_sigmoid_factor_in_one_buffer_equals_the_formula_bit_for_bit():
    a = np.random.default_rng(2).normal(0.0, 30.0, size=(40, 5))
    s = Tensor(a).sigmoid()
    with np.errstate(over="ignore"):
        assert np.array_equal(s.local[0], s.data * (1.0 / (1.0 + np.exp(a))))
