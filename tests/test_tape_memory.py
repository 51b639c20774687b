"""What the Tensor tape holds: dropped outputs and gradients come back bit for bit when read (tape/keep.py,
tape/sweep.py), a deep sigmoid net holds one array per layer, and nothing anyone holds is dropped or
overwritten."""

import numpy as np
import pytest

from backcalc import Tensor, losses


def _net(seed=0, depth=4, n=6, width=5, keep=None):
    """A dense sigmoid chain as the benchmark writes it; returns (x, params, layers (m, z, h), loss)."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.uniform(-1, 1, (n, 3)), label="x")
    sizes = [3] + [width] * (depth - 1) + [1]
    params = [(Tensor(rng.normal(0, 1.5, (p, q))), Tensor(rng.normal(0, 0.5, (1, q))))
              for p, q in zip(sizes, sizes[1:])]
    a, layers = x, []
    for W, b in params:
        m = a @ W
        z = m + b
        a = z.sigmoid()
        layers.append((m, z, a))
    loss = losses.half_sse(a, rng.integers(0, 2, (n, 1)).astype(float))
    return x, params, layers, loss


def _by_hand(x, params):
    """The same forward in plain numpy: every layer's (x@W, +b, σ) arrays."""
    a, out = x, []
    for W, b in params:
        m = a @ W
        z = m + b
        with np.errstate(over="ignore"):
            a = 1.0 / (1.0 + np.exp(-z))
        out.append((m, z, a))
    return out


def test_a_deep_sigmoid_net_holds_one_array_per_layer_and_recomputes_the_rest_bit_for_bit():
    x, params, layers, loss = _net()
    # the matmul's buffer took the sum (+ reads neither input in backward), σ's output was dropped once the
    # next layer had used it: only z of each hidden layer is held
    held = [[node._data is not None for node in layer] for layer in layers[:-1]]
    assert held == [[False, True, False]] * (len(layers) - 1)
    want = _by_hand(x.data, [(W.data, b.data) for W, b in params])
    for layer, arrays in zip(layers, want):
        for node, arr in zip(layer, arrays):
            assert np.array_equal(node.data, arr)  # recomputed from the inputs, the same bits
    assert all(node._data is not None for layer in layers for node in layer)  # read once, kept


def test_gradients_of_intermediates_no_one_holds_are_freed_and_filled_when_read():
    x, params, layers, loss = _net()
    del layers  # the intermediates are now reachable only through the graph
    loss.backward()
    nodes = [n for n in loss.tape().nodes if n._rule is not None and n is not loss]
    assert len(nodes) > 4 * 3 and all(n._grad is None for n in nodes)
    assert x._grad is not None and all(W._grad is not None and b._grad is not None for W, b in params)
    assert loss._grad is not None  # the tensor backward() was called on keeps its seed
    got = [n.grad for n in nodes]
    x2, params2, layers2, loss2 = _net()
    loss2.backward(keep_grads=True)
    nodes2 = [n for n in loss2.tape().nodes if n._rule is not None and n is not loss2]
    assert all(n._grad is not None for n in nodes2)
    for g, node in zip(got, nodes2):
        assert np.array_equal(g, node.grad)
    for (W, b), (W2, b2) in zip(params, params2):
        assert np.array_equal(W.grad, W2.grad) and np.array_equal(b.grad, b2.grad)
    assert np.array_equal(x.grad, x2.grad)


def test_a_node_someone_holds_keeps_its_gradient():
    x, params, layers, loss = _net()
    loss.backward()
    assert all(node._grad is not None for layer in layers for node in layer)


def test_the_filled_gradients_are_the_latest_backward_of_each_node():
    # two losses share h; after L2.backward() the gradient of h is L2's; a node only L1 reached (u) still
    # gets L1's, filled from L1's sweep without touching h
    x = Tensor([0.5, -1.0, 2.0])
    h = x.tanh() * 1.0
    u = h * 3.0
    L1 = u.sum()
    L2 = (h * h).sum()
    L1.backward()
    L2.backward()
    assert np.array_equal(h.grad, 2.0 * h.data)
    assert u.grad.tolist() == [1.0, 1.0, 1.0]
    assert np.array_equal(h.grad, 2.0 * h.data)
    assert np.allclose(x.grad, 2.0 * h.data * (1.0 - np.tanh(x.data) ** 2), rtol=1e-12, atol=0)


def test_retain_grad_keeps_an_intermediate_gradient():
    x = Tensor(np.arange(4.0))
    h = x.exp()
    h.retain_grad()
    y = (h * 2.0).sum()
    y.backward()
    assert h._grad is not None and h._grad.tolist() == [2.0] * 4


def test_a_read_gradient_is_its_own_array():
    z0 = Tensor(np.ones((2, 3))) * 2.0
    z = z0 + Tensor([[1.0, 2.0, 3.0]])
    (z * z).sum().backward()
    g = z.grad
    assert not np.shares_memory(g, z0.grad) and np.array_equal(g, z0.grad)
    g[0, 0] = -1.0
    assert z0.grad[0, 0] == 2.0 * z.data[0, 0]


def test_an_array_someone_holds_is_neither_dropped_nor_overwritten():
    x = Tensor(np.ones((3, 2)), label="x")
    W = Tensor(np.full((2, 2), 0.5), label="W")
    m = x @ W
    mine = m.data            # a caller keeps the matmul's array: + must not write into it
    z = m + Tensor([[1.0, 2.0]])
    assert m._data is mine and mine.tolist() == [[1.0, 1.0]] * 3
    h = z.sigmoid()
    view = h.data[0]         # a view of σ's output keeps it alive: it is not dropped
    out = h @ W
    assert h._data is not None and view.base is h._data
    assert out.shape == (3, 2)


def test_a_pinned_input_keeps_recomputation_one_step_deep():
    # σ(z) was dropped and is recomputed from z, so z is never dropped in turn, even when used again
    x = Tensor(np.linspace(-1, 1, 6))
    e = x.exp()
    s = e.sigmoid()      # e used: dropped (x is a leaf, held) ...
    assert e._data is None
    e.data               # ... and read: held again
    t = s * 2.0          # s used: dropped, and e pinned
    u = e * 3.0          # e used again: pinned, so held (s is recomputed from it)
    assert s._data is None and e._data is not None and e._pinned
    with np.errstate(over="ignore"):
        assert np.array_equal(s.data, 1.0 / (1.0 + np.exp(-np.exp(x.data))))
    assert t.shape == u.shape == (6,)


def test_a_long_chain_of_dropped_outputs_runs_without_recursion():
    x = Tensor(np.array([0.3, -0.2]))
    a = x
    for _ in range(20000):
        a = a.sin()
    a.sum().backward()
    want = np.array([0.3, -0.2])
    deriv = np.ones(2)
    for _ in range(20000):
        deriv = deriv * np.cos(want)
        want = np.sin(want)
    assert np.allclose(a.data, want, rtol=1e-12) and np.allclose(x.grad, deriv, rtol=1e-9)


@pytest.mark.parametrize("keep", [False, True])
def test_peak_memory_of_a_deep_net_is_close_to_hand_written_numpy(keep):
    # the benchmark's measurement in small: tracemalloc's peak over one forward + backward, tape vs hand
    import tracemalloc
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (200, 100))
    Ws = [rng.normal(0, 0.01, (p, q)) for p, q in zip([100] + [128] * 6, [128] * 6 + [1])]
    y = rng.integers(0, 2, (200, 1)).astype(float)

    def hand():
        acts = [x]
        for W in Ws:
            acts.append(1.0 / (1.0 + np.exp(-(acts[-1] @ W))))
        g, dWs = acts[-1] - y, []
        for n in range(len(Ws) - 1, -1, -1):
            a = acts[n + 1]
            g = g * a * (1 - a)
            dWs.append(acts[n].T @ g)
            g = g @ Ws[n].T
        return dWs

    def tape():
        X = Tensor(x, requires_grad=False)
        params = [Tensor(W) for W in Ws]
        a = X
        for W in params:
            a = (a @ W).sigmoid()
        losses.half_sse(a, y).backward(keep_grads=keep)
        return [W.grad for W in params]

    peaks = []
    for f in (hand, tape):
        tracemalloc.start()
        f()
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    if keep:  # every intermediate's gradient kept: more than the default, as documented
        assert peaks[1] > 1.6 * peaks[0]
    else:
        assert peaks[1] <= 1.6 * peaks[0]


def test_a_graph_is_freed_by_reference_counting_alone():
    # a node whose gradient was dropped must not hold its graph in a cycle: the arrays go when the last
    # user reference does, without waiting for the cyclic garbage collector
    import gc
    import weakref
    gc.disable()
    try:
        x, params, layers, loss = _net()
        loss.backward()
        probe = weakref.ref(layers[1][1])
        del x, params, layers, loss
        assert probe() is None
    finally:
        gc.enable()


def test_a_dropped_gradient_whose_root_is_gone_says_so():
    from backcalc.errors import ArgumentError
    x = Tensor([0.5, 1.0])
    h = x.tanh() * 2.0          # h is held, the tanh node under it is not
    loss = (h * h).sum()
    loss.backward()
    del loss
    assert np.array_equal(h.grad, 2.0 * h.data)
    with pytest.raises(ArgumentError, match="retain_grad"):
        h.inputs[0].grad


def test_a_dropped_output_is_recomputed_from_its_inputs_as_they_were():
    # an optimizer step rebinds W.data: the matmul under z (dropped into z's buffer) and σ (dropped once used)
    # still read back the values of the forward that made them
    x = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), label="x")
    W = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), label="W")
    m = x @ W
    z = m + Tensor([[0.1, 0.2]])
    h = x.sigmoid()
    y = h * 2.0
    want_m, want_h = x.data @ W.data, 1.0 / (1.0 + np.exp(-x.data))
    assert m._data is None and h._data is None
    W.data = W.data - 1.0
    x.data = x.data * 0.0
    assert np.array_equal(m.data, want_m) and np.array_equal(h.data, want_h)
    assert z.shape == y.shape == (2, 2)


def test_visit_sees_every_node_once_with_its_whole_gradient_and_its_factors():
    # backward(visit=...) against a second backward that keeps everything: the same gradient per node, the
    # factors .local reads, each recorded node once, from the loss down
    x, params, layers, loss = _net(seed=3)
    seen = []
    loss.backward(visit=lambda node, g, f: seen.append((node, g.copy(), [np.array(a) for a in f])))
    leaves = [np.array(W.grad) for W, _ in params]
    assert [node for node, _, _ in seen] == [n for n in reversed(loss.tape().nodes) if n._rule is not None]
    loss.backward(keep_grads=True)
    for node, g, factors in seen:
        assert np.array_equal(g, node.grad)
        want = node.local
        assert len(factors) == len(want)
        assert all(np.array_equal(f, w) for f, w in zip(factors, want))  # before g·f was written into them
    assert all(np.array_equal(a, W.grad) for a, (W, _) in zip(leaves, params))  # looking changed nothing


def test_copy_false_uses_the_array_itself():
    a = np.arange(6.0).reshape(2, 3)
    assert np.shares_memory(Tensor(a, copy=False).data, a)
    assert not np.shares_memory(Tensor(a).data, a)
    assert Tensor([1, 2], copy=False).data.dtype == np.float64  # not float64 yet: converted all the same
