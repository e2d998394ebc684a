"""nnbook.layers: the Dense layer, its initialisations and its backward pass."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook.layers import Dense, dense_backward, init_weights


def make_layer(activation="identity"):
    layer = Dense(3, 2, activation, seed=0)
    layer.W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    layer.b = np.array([4.0, 5.0])
    return layer


def test_dense_forward_by_hand():
    # x = [1, 0, -1]: x @ W = [1 - 5, 2 - 6] = [-4, -4]; + b = [0, 1]
    layer = make_layer("identity")
    np.testing.assert_array_equal(layer(np.array([[1.0, 0.0, -1.0]])), [[0.0, 1.0]])
    # a single sample gives a single output back
    out = layer(np.array([1.0, 0.0, -1.0]))
    assert out.shape == (2,)
    np.testing.assert_array_equal(out, [0.0, 1.0])
    # second sample [0, 1, 0]: [3, 4] + [4, 5] = [7, 9]; ReLU keeps positives, zeroes the rest
    relu = make_layer("relu")
    np.testing.assert_array_equal(relu(np.array([[1.0, 0.0, -2.0], [0.0, 1.0, 0.0]])), [[0.0, 0.0], [7.0, 9.0]])
    # [1, 0, -2] @ W = [1 - 10, 2 - 12] = [-9, -10]; + b = [-5, -5]


def test_dense_forward_returns_cache():
    layer = make_layer("relu")
    x = np.array([[1.0, 0.0, -2.0]])
    a, cache = layer.forward(x)
    assert cache.x is x
    np.testing.assert_array_equal(cache.z, [[-5.0, -5.0]])
    np.testing.assert_array_equal(a, [[0.0, 0.0]])
    assert cache.a is a


def test_dense_backward_by_hand():
    # x = [[1, 2]], W (2x3) = [[1, 0, -1], [2, 1, 0]], delta = [[1, -1, 2]]
    x = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    delta = np.array([[1.0, -1.0, 2.0]])
    dx, dW, db = dense_backward(x, W, delta)
    # dx = delta W^T = [1 + 0 - 2, 2 - 1 + 0] = [-1, 1]
    np.testing.assert_array_equal(dx, [[-1.0, 1.0]])
    # dW = x^T delta = [[1, -1, 2], [2, -2, 4]]
    np.testing.assert_array_equal(dW, [[1.0, -1.0, 2.0], [2.0, -2.0, 4.0]])
    np.testing.assert_array_equal(db, [1.0, -1.0, 2.0])
    # a second sample adds its own outer product and its delta to db
    x2 = np.array([[1.0, 2.0], [0.0, 1.0]])
    d2 = np.array([[1.0, -1.0, 2.0], [3.0, 0.0, 1.0]])
    _, dW2, db2 = dense_backward(x2, W, d2)
    np.testing.assert_array_equal(dW2, [[1.0, -1.0, 2.0], [5.0, -2.0, 5.0]])
    np.testing.assert_array_equal(db2, [4.0, -1.0, 3.0])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "identity", "softmax"])
def test_dense_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(11)
    layer = Dense(4, 3, activation, seed=rng, init="xavier")
    layer.b = rng.standard_normal(3)
    x = rng.standard_normal((5, 4))
    grad_a = rng.standard_normal((5, 3))

    def objective():  # a linear functional of the output, so dL/da = grad_a
        return float(np.sum(layer(x) * grad_a))

    _, cache = layer.forward(x)
    dx, dW, db = layer.backward(cache, grad_a)
    for arr, exact in ((layer.W, dW), (layer.b, db), (x, dx)):
        num = np.zeros_like(arr)
        for i in np.ndindex(arr.shape):
            old = arr[i]
            arr[i] = old + 1e-6
            up = objective()
            arr[i] = old - 1e-6
            down = objective()
            arr[i] = old
            num[i] = (up - down) / 2e-6
        np.testing.assert_allclose(exact, num, rtol=1e-6, atol=1e-9)
    none_dx, dW_again, _ = layer.backward(cache, grad_a, need_dx=False)
    assert none_dx is None
    np.testing.assert_array_equal(dW_again, dW)


def test_dense_attributes_and_repr():
    layer = Dense(5, 3, "tanh", seed=1)
    assert (layer.n_in, layer.n_out, layer.n_params) == (5, 3, 18)
    assert layer.W.shape == (5, 3) and layer.b.shape == (3,)
    assert layer.activation.name == "tanh"
    np.testing.assert_array_equal(layer.b, 0.0)
    assert repr(layer) == "Dense(5, 3, activation='tanh')"


def test_parameter_assignment_copies_and_converts():
    layer = Dense(2, 2, seed=0)
    new = [[1, 2], [3, 4]]  # a list of ints is fine: stored as floats
    layer.W = new
    assert layer.W.dtype == np.float64
    np.testing.assert_array_equal(layer.W, [[1.0, 2.0], [3.0, 4.0]])
    arr = np.ones(2)
    layer.b = arr
    arr[0] = 99.0
    assert layer.b[0] == 1.0  # the layer holds its own copy
    layer.W[0, 0] = -7.0  # in-place changes are kept
    assert layer.W[0, 0] == -7.0


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 3)), r"W must have shape \(3, 2\)"),
    (np.zeros((3, 2, 1)), r"W must have shape \(3, 2\)"),
    (np.zeros(6), r"W must have shape \(3, 2\)"),
])
def test_parameter_assignment_checks_the_shape(bad, match):
    layer = Dense(3, 2, seed=0)
    before = layer.W.copy()
    with pytest.raises(ValueError, match=match):
        layer.W = bad
    np.testing.assert_array_equal(layer.W, before)  # unchanged after a refused assignment


@pytest.mark.parametrize("init, std", [("normal", 0.01), ("xavier", np.sqrt(2 / (200 + 300))), ("he", np.sqrt(2 / 200))])
def test_init_standard_deviations(init, std):
    W = init_weights(200, 300, init, 0.01, np.random.default_rng(0))
    assert W.shape == (200, 300)
    assert W.std() == pytest.approx(std, rel=0.01)  # 60,000 draws: std within ~0.3 %
    assert abs(W.mean()) < 3 * std / np.sqrt(W.size) * 2


def test_init_normal_scale_and_zeros():
    W = init_weights(100, 100, "normal", 2.0, np.random.default_rng(0))
    assert W.std() == pytest.approx(2.0, rel=0.02)
    np.testing.assert_array_equal(init_weights(3, 4, "zeros"), np.zeros((3, 4)))
    layer = Dense(3, 4, init="zeros")
    np.testing.assert_array_equal(layer(np.ones(3)), 0.5)  # sigmoid(0)


def test_init_normal_is_standard_normal_times_scale():
    # the draw is rng.standard_normal((n_in, n_out)) * scale, so a seed fixes it exactly
    expected = np.random.default_rng(5).standard_normal((3, 4)) * 0.01
    np.testing.assert_array_equal(Dense(3, 4, seed=5).W, expected)


def test_seed_determinism_and_generator():
    a, b = Dense(4, 3, seed=42), Dense(4, 3, seed=42)
    np.testing.assert_array_equal(a.W, b.W)
    assert not np.array_equal(a.W, Dense(4, 3, seed=43).W)
    rng = np.random.default_rng(42)
    c = Dense(4, 3, seed=rng)
    np.testing.assert_array_equal(c.W, a.W)
    d = Dense(4, 3, seed=rng)  # the generator moved on
    assert not np.array_equal(d.W, a.W)


def test_float32_layer_computes_in_float32():
    layer = Dense(3, 2, "sigmoid", seed=0, dtype=np.float32)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    x = np.random.default_rng(0).standard_normal((4, 3))  # float64 input
    out = layer(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-(x @ layer.W.astype(np.float64)))), rtol=1e-6)
    layer.W = np.ones((3, 2))  # a float64 assignment keeps the layer's dtype
    assert layer.W.dtype == np.float32
