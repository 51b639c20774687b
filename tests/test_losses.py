"""Losses: hand-computed values, reductions, stability at extreme logits."""

import math
import warnings

import numpy as np
import pytest

from backcalc import Tensor, Value, gradcheck, losses
from backcalc.errors import DomainError, ShapeError


def test_half_sse_sum_over_samples():
    # ½((1 − 0)² + (3 − 1)²) = ½(1 + 4) = 5/2; ∂/∂pred = pred − target = [1, 2]
    p = Tensor([[1.0], [3.0]])
    L = losses.half_sse(p, [[0.0], [1.0]])
    L.backward()
    assert L.item() == 2.5 and p.grad.tolist() == [[1.0], [2.0]]


def test_sse_and_mse():
    p = Tensor([[1.0], [3.0]])
    assert losses.sse(p, [[0.0], [1.0]]).item() == 5.0
    m = losses.mse(p, [[0.0], [1.0]])
    m.backward()
    assert m.item() == 2.5 and p.grad.tolist() == [[1.0], [2.0]]  # 2(p − t)/2


def test_bce_values_and_zero_log_zero():
    # −mean(ln 0.8 + ln(1 − 0.4)) with targets 1 and 0
    p = Tensor([0.8, 0.4])
    L = losses.bce(p, [1.0, 0.0])
    assert L.item() == pytest.approx(-(math.log(0.8) + math.log(0.6)) / 2)
    # a probability of exactly 1 against target 1 costs nothing and is not nan
    assert losses.bce(Tensor([1.0, 0.0]), [1.0, 0.0]).item() == 0.0
    with pytest.raises(DomainError, match="bce_with_logits"):
        losses.bce(Tensor([0.0]), [1.0])


def test_bce_with_logits_matches_bce_and_is_stable():
    z = np.array([-2.0, 0.5, 3.0])
    t = np.array([0.0, 1.0, 1.0])
    a = losses.bce_with_logits(Tensor(z), t).item()
    b = losses.bce(Tensor(z).sigmoid(), t).item()
    assert a == pytest.approx(b, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zz = Tensor([1000.0, -1000.0])
        L = losses.bce_with_logits(zz, [0.0, 1.0])
        L.backward()
        assert L.item() == 1000.0  # mean(1000, 1000)
        assert zz.grad.tolist() == [0.5, -0.5]  # (σ(z) − t)/2
    gradcheck(lambda z: losses.bce_with_logits(z, t), z)


def test_cross_entropy_by_hand_and_extremes():
    # logits [0, 0, 0], label 1: loss = ln 3; ∂/∂z = softmax − onehot = [1/3, −2/3, 1/3]
    z = Tensor([[0.0, 0.0, 0.0]])
    L = losses.cross_entropy(z, [1])
    L.backward()
    assert L.item() == pytest.approx(math.log(3))
    assert np.allclose(z.grad, [[1 / 3, -2 / 3, 1 / 3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert losses.cross_entropy(Tensor([[1000.0, -1000.0]]), [1]).item() == 2000.0
    with pytest.raises(ShapeError, match="outside 0..2"):
        losses.cross_entropy(Tensor([[0.0, 0.0, 0.0]]), [3])


def test_scalar_value_losses():
    p = Value(2.5)
    L = losses.half_sse(p, 3.0)
    L.backward()
    assert L.data == 0.125 and p.grad == -0.5
