"""nnbook.network: building a DNN, its forward pass, losses, predictions and the sources S4 and S5."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook import DNN, parameter_count, parameter_count_from_sizes
from nnbook.layers import Dense
from nnbook.numdiff import numerical_gradient


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---- building ----

def test_dnn_structure_s1():
    # S1: 10 inputs, 5 hidden layers of 32, 2 sigmoid outputs
    net = DNN(5, 32, 10, 2, seed=0)
    assert net.sizes == [10, 32, 32, 32, 32, 32, 2]
    assert len(net.layers) == 6 and all(isinstance(layer, Dense) for layer in net.layers)
    assert [layer.activation.name for layer in net.layers] == ["sigmoid"] * 6  # output_activation None = activation
    # (10 + 1) 32 + 4 (32 + 1) 32 + (32 + 1) 2 = 352 + 4224 + 66 = 4642
    assert net.n_params == 4642 == parameter_count(5, 32, 10, 2)


def test_from_sizes_and_output_activation():
    net = DNN.from_sizes([784, 100, 10], "sigmoid", "softmax", seed=0)
    assert net.sizes == [784, 100, 10]
    assert [layer.activation.name for layer in net.layers] == ["sigmoid", "softmax"]
    # (784 + 1) 100 + (100 + 1) 10 = 78500 + 1010 = 79510
    assert net.n_params == 79510 == parameter_count_from_sizes([784, 100, 10])
    assert DNN.from_sizes([4, 3], "relu").layers[0].activation.name == "relu"  # one layer: the output's
    assert DNN.from_sizes([4, 3], "relu", "identity").layers[0].activation.name == "identity"


@pytest.mark.parametrize("d, m, n_in, n_out", [(1, 1, 1, 1), (1, 100, 1000, 10), (3, 7, 5, 2), (10, 4, 2, 3)])
def test_parameter_count_closed_form_matches_layers(d, m, n_in, n_out):
    net = DNN(d, m, n_in, n_out, seed=0)
    assert parameter_count(d, m, n_in, n_out) == net.n_params == sum(W.size + b.size for W, b in net.parameters())


def test_parameter_count_by_hand():
    # S3: (1000 + 1) 100 + (100 + 1) 10 = 100100 + 1010
    assert parameter_count_from_sizes([1000, 100, 10]) == 101110
    # one hidden layer of 1 unit: (1 + 1) 1 + (1 + 1) 1 = 4
    assert parameter_count(1, 1, 1, 1) == 4


def test_init_and_scale_reach_the_layers():
    net = DNN.from_sizes([1000, 100, 10], "relu", "identity", init="normal", scale=1.0, seed=0)
    assert net.layers[0].W.std() == pytest.approx(1.0, rel=0.02)
    net = DNN.from_sizes([1000, 100, 10], "relu", "identity", init="he", seed=0)
    assert net.layers[0].W.std() == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert all(np.all(b == 0) for _, b in net.parameters())


def test_layers_draw_from_one_generator_in_order():
    rng = np.random.default_rng(9)
    W0 = rng.standard_normal((3, 4)) * 0.01
    W1 = rng.standard_normal((4, 2)) * 0.01
    net = DNN.from_sizes([3, 4, 2], seed=9)
    np.testing.assert_array_equal(net.layers[0].W, W0)
    np.testing.assert_array_equal(net.layers[1].W, W1)


def test_seed_determinism():
    a = DNN(2, 5, 3, 2, seed=123)
    b = DNN(2, 5, 3, 2, seed=123)
    for (Wa, ba), (Wb, bb) in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)
    assert not np.array_equal(a.layers[0].W, DNN(2, 5, 3, 2, seed=124).layers[0].W)


def test_repr():
    assert repr(DNN.from_sizes([3, 4, 2], "tanh", "identity", seed=0)) == (
        "DNN(sizes=[3, 4, 2], activations=['tanh', 'identity'], n_params=26)"
    )


# ---- forward ----

def test_forward_by_hand():
    net = DNN.from_sizes([2, 2, 1], "relu", "identity", seed=0)
    net.layers[0].W = [[1.0, -1.0], [2.0, 0.5]]
    net.layers[0].b = [0.0, 1.0]
    net.layers[1].W = [[3.0], [-2.0]]
    net.layers[1].b = [0.5]
    # x = [1, 1]: z1 = [1 + 2, -1 + 0.5 + 1] = [3, 0.5]; relu same; out = 9 - 1 + 0.5 = 8.5
    # x = [-1, 0]: z1 = [-1, 1 + 1] = [-1, 2]; relu [0, 2]; out = -4 + 0.5 = -3.5
    np.testing.assert_array_equal(net(np.array([[1.0, 1.0], [-1.0, 0.0]])), [[8.5], [-3.5]])
    np.testing.assert_array_equal(net(np.array([1.0, 1.0])), [8.5])
    out, caches = net.forward(np.array([[1.0, 1.0]]))
    assert len(caches) == 2
    np.testing.assert_array_equal(caches[0].z, [[3.0, 0.5]])
    np.testing.assert_array_equal(caches[1].x, [[3.0, 0.5]])
    np.testing.assert_array_equal(out, [[8.5]])


def test_loss_predict_accuracy_by_hand():
    net = DNN.from_sizes([2, 3], "identity", seed=0)
    net.layers[0].W = np.eye(2, 3)  # outputs [x0, x1, 0]
    x = np.array([[2.0, 1.0], [-1.0, 3.0], [-2.0, -1.0], [0.5, 0.0]])
    np.testing.assert_array_equal(net.predict(x), [0, 1, 2, 0])
    assert net.accuracy(x, np.array([0, 1, 2, 1])) == 0.75
    assert net.accuracy(x, np.eye(3)[[0, 0, 2, 0]]) == 0.75  # one-hot rows work too
    assert net.predict(np.array([0.0, 4.0])) == 1
    # half_mse on the first sample against [2, 1, 1]: errors [0, 0, -1]: 0.5 * 1 / 3
    assert net.loss(x[:1], np.array([[2.0, 1.0, 1.0]])) == pytest.approx(1 / 6, rel=1e-15)
    assert net.loss(x[0], np.array([2.0, 1.0, 1.0]), loss="sse") == 1.0  # a single sample and its target
    # softmax_cross_entropy with labels: outputs [0, 0, 0] for x = 0 -> log 3
    assert net.loss(np.zeros((1, 2)), np.array([2]), "softmax_cross_entropy") == pytest.approx(np.log(3), rel=1e-15)


def test_targets_as_plain_lists():
    net = DNN.from_sizes([2, 3], "identity", seed=0)
    x = [[1.0, 0.0], [0.0, 1.0]]
    assert net.loss(x, [2, 0], "softmax_cross_entropy") == net.loss(np.array(x), np.array([2, 0]), "softmax_cross_entropy")
    assert net.loss(x, [[0.0, 0.0, 1.0]] * 2, "sse") == net.loss(np.array(x), np.array([[0, 0, 1.0]] * 2), "sse")
    assert net.accuracy(x, [0, 1]) == net.accuracy(np.array(x), np.array([0, 1]))


def test_parameters_are_live_and_copy_is_independent():
    net = DNN.from_sizes([3, 4, 2], seed=0)
    (W0, b0), _ = net.parameters()
    assert W0 is net.layers[0].W and b0 is net.layers[0].b
    W0[0, 0] = 5.0
    assert net.layers[0].W[0, 0] == 5.0
    twin = net.copy()
    twin.layers[0].W[0, 0] = -5.0
    twin.layers[1].b[:] = 1.0
    assert net.layers[0].W[0, 0] == 5.0 and np.all(net.layers[1].b == 0)
    x = np.ones((2, 3))
    assert not np.array_equal(net(x), twin(x))


def test_float32_network():
    net = DNN.from_sizes([3, 5, 2], "tanh", "identity", seed=0, dtype=np.float32, init="xavier")
    assert net.dtype == np.float32
    x = np.random.default_rng(0).standard_normal((4, 3))
    y = np.random.default_rng(1).standard_normal((4, 2))
    assert net(x).dtype == np.float32
    value, grads = net.gradients(x, y)
    assert all(dW.dtype == np.float32 and db.dtype == np.float32 for dW, db in grads)
    # the same weights in float64 give the same gradient to float32 precision
    net64 = DNN.from_sizes([3, 5, 2], "tanh", "identity", seed=0)
    for l64, l32 in zip(net64.layers, net.layers):
        l64.W, l64.b = l32.W.astype(np.float64), l32.b.astype(np.float64)
    value64, grads64 = net64.gradients(x, y)
    assert value == pytest.approx(value64, rel=1e-5)
    for (a, b), (c, d) in zip(grads, grads64):
        np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(b, d, rtol=1e-4, atol=1e-6)
    _, num = net.gradients(x, y, method="numerical", h=1e-2)
    assert all(dW.dtype == np.float32 for dW, _ in num)


@pytest.mark.parametrize("loss, output", [("softmax_cross_entropy", "identity"), ("cross_entropy", "softmax")])
def test_float32_network_with_class_labels_stays_float32(loss, output):
    # integer labels must not turn the backward pass into float64 (one-hot rows of the prediction's dtype)
    net = DNN.from_sizes([3, 5, 4], "relu", output, seed=0, dtype=np.float32, init="he")
    x = np.random.default_rng(0).standard_normal((6, 3))
    labels = np.array([0, 3, 1, 2, 3, 0])
    _, grads = net.gradients(x, labels, loss)
    assert all(dW.dtype == np.float32 and db.dtype == np.float32 for dW, db in grads)


# ---- gradients API ----

def test_gradients_shapes_and_value():
    net = DNN.from_sizes([3, 4, 2], seed=0)
    x = np.random.default_rng(0).standard_normal((5, 3))
    y = np.random.default_rng(1).standard_normal((5, 2))
    for method in ("backprop", "numerical", "numerical-loop"):
        value, grads = net.gradients(x, y, method=method)
        assert value == net.loss(x, y)
        assert [(dW.shape, db.shape) for dW, db in grads] == [((3, 4), (4,)), ((4, 2), (2,))]


def test_gradients_do_not_change_the_network():
    net = DNN.from_sizes([3, 4, 2], "tanh", seed=0, init="xavier")
    before = [(W.copy(), b.copy()) for W, b in net.parameters()]
    x = np.random.default_rng(0).standard_normal((5, 3))
    y = np.random.default_rng(1).standard_normal((5, 2))
    for method in ("backprop", "numerical", "numerical-loop"):
        for difference in ("forward", "central"):
            net.gradients(x, y, method=method, difference=difference)
    for (W, b), (W0, b0) in zip(net.parameters(), before):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


def test_single_sample_gradients_equal_batch_of_one():
    net = DNN.from_sizes([3, 4, 2], "tanh", seed=0, init="xavier")
    x, y = np.array([0.1, -0.2, 0.3]), np.array([1.0, 0.0])
    v1, g1 = net.gradients(x, y)
    v2, g2 = net.gradients(x[None], y[None])
    assert v1 == v2
    for (a, b), (c, d) in zip(g1, g2):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_labels_and_one_hot_give_the_same_gradients():
    net = DNN.from_sizes([3, 4, 3], "tanh", "softmax", seed=0, init="xavier")
    x = np.random.default_rng(0).standard_normal((6, 3))
    labels = np.array([0, 1, 2, 2, 1, 0])
    for method in ("backprop", "numerical"):
        v1, g1 = net.gradients(x, labels, "cross_entropy", method=method)
        v2, g2 = net.gradients(x, np.eye(3)[labels], "cross_entropy", method=method)
        assert v1 == pytest.approx(v2, rel=1e-15)
        for (a, _), (c, _) in zip(g1, g2):
            np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-15)


# ---- the sources ----

S4_W = np.array([[-0.8339355, -0.13553598, 1.21013523], [-0.52139142, 1.6686686, -0.82705022]])


def test_s4_simple_net():
    x, t = np.array([0.6, 0.9]), np.array([0.0, 0.0, 1.0])
    linear = DNN.from_sizes([2, 3], "identity")
    linear.layers[0].W = S4_W
    # x @ W by hand: [0.6(-0.8339355) + 0.9(-0.52139142), ...] = [-0.969613578, 1.420480152, -0.01826406]
    np.testing.assert_allclose(linear(x), [-0.969613578, 1.420480152, -0.01826406], rtol=1e-8)
    net = DNN.from_sizes([2, 3], "softmax")
    net.layers[0].W = S4_W
    z = x @ S4_W
    s = np.exp(z) / np.exp(z).sum()
    assert net.loss(x, t, "cross_entropy") == pytest.approx(-np.log(s[2] + 1e-7), rel=1e-12)
    # S4 style: the loss reads W through the closure, numerical_gradient perturbs it in place
    dW = numerical_gradient(lambda _: net.loss(x, t, "cross_entropy"), net.layers[0].W)
    np.testing.assert_array_equal(net.layers[0].W, S4_W)  # restored
    # closed form of softmax + cross-entropy: dW = x^T (s - t) (delta 1e-7 changes it by ~1e-7)
    np.testing.assert_allclose(dW, np.outer(x, s - t), rtol=1e-6, atol=1e-7)
    _, grads = net.gradients(x, t, "cross_entropy")
    np.testing.assert_allclose(grads[0][0], dW, rtol=1e-6, atol=1e-8)


def s5_setup():
    """S5's draws, in its order, from the legacy generator it seeds (not the global state)."""
    rng = np.random.RandomState(12345)
    W1 = rng.randn(4, 3) * 0.01
    W2 = rng.randn(4, 4) * 0.01
    W3 = rng.randn(2, 4) * 0.01
    x = rng.rand(3, 5)
    y = rng.randn(2, 5)
    return (W1, W2, W3), x, y


def s5_column_convention(Ws, x, y):
    """S5 in its own convention (column per sample, W as (n_out, n_in)), by hand."""
    W1, W2, W3 = Ws
    M = x.shape[1]
    a1 = sigmoid(W1 @ x)
    a2 = sigmoid(W2 @ a1)
    out = W3 @ a2
    loss = np.sum(0.5 * np.sum((out - y) ** 2, axis=0)) / M
    d3 = (out - y) / M
    dW3, db3 = d3 @ a2.T, d3.sum(axis=1)
    d2 = (W3.T @ d3) * a2 * (1 - a2)
    dW2, db2 = d2 @ a1.T, d2.sum(axis=1)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    dW1, db1 = d1 @ x.T, d1.sum(axis=1)
    return loss, [(dW1, db1), (dW2, db2), (dW3, db3)]


def s5_net(Ws):
    net = DNN.from_sizes([3, 4, 4, 2], "sigmoid", "identity")
    for layer, W in zip(net.layers, Ws):
        layer.W = W.T  # our convention: (n_in, n_out)
    return net


def test_s5_forward_loss_exactly():
    Ws, x, y = s5_setup()
    net = s5_net(Ws)
    assert all(np.all(b == 0) for _, b in net.parameters())
    assert net.loss(x.T, y.T, "half_sse_mean") == 1.0595073989866606
    value, _ = net.gradients(x.T, y.T, "half_sse_mean")
    assert value == 1.0595073989866606


def test_s5_backprop_matches_column_convention():
    Ws, x, y = s5_setup()
    net = s5_net(Ws)
    loss, expected = s5_column_convention(Ws, x, y)
    assert loss == pytest.approx(1.0595073989866606, rel=1e-15)
    _, grads = net.gradients(x.T, y.T, "half_sse_mean")
    for (dW, db), (eW, eb) in zip(grads, expected):
        np.testing.assert_allclose(dW, eW.T, rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(db, eb, rtol=1e-12, atol=1e-18)
    # and one gradient step as S5 takes it (step 0.1) lowers the loss
    for layer, (dW, db) in zip(net.layers, grads):
        layer.W = layer.W - 0.1 * dW
        layer.b = layer.b - 0.1 * db
    assert net.loss(x.T, y.T, "half_sse_mean") < 1.0595073989866606
