"""nnbook.training: one SGD step by hand, the training loop, its History and its failures."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook import DNN, History, TrainingDivergedError, make_moons, random_sample, sgd_step, train


def tiny_net():
    net = DNN.from_sizes([2, 1], "identity")
    net.layers[0].W = [[1.0], [2.0]]
    net.layers[0].b = [0.5]
    return net


def test_sgd_step_by_hand():
    net = tiny_net()
    grads = [(np.array([[0.5], [-1.0]]), np.array([2.0]))]
    assert sgd_step(net, grads, 0.1) is None
    # W - 0.1 dW = [1 - 0.05, 2 + 0.1]; b = 0.5 - 0.2
    np.testing.assert_allclose(net.layers[0].W, [[0.95], [2.1]], rtol=1e-15)
    np.testing.assert_allclose(net.layers[0].b, [0.3], rtol=1e-15)


def test_sgd_step_with_momentum_by_hand():
    net = tiny_net()
    grads = [(np.array([[1.0], [0.0]]), np.array([1.0]))]
    v = sgd_step(net, grads, 0.1, momentum=0.9)
    # v1 = -0.1 g = [-0.1, 0], b: -0.1; W = [0.9, 2], b = 0.4
    np.testing.assert_allclose(v[0][0], [[-0.1], [0.0]])
    np.testing.assert_allclose(net.layers[0].W, [[0.9], [2.0]], rtol=1e-15)
    v = sgd_step(net, grads, 0.1, velocity=v, momentum=0.9)
    # v2 = 0.9 v1 - 0.1 g = -0.19; W = 0.9 - 0.19 = 0.71; b = 0.4 - 0.19 = 0.21
    np.testing.assert_allclose(net.layers[0].W, [[0.71], [2.0]], rtol=1e-15)
    np.testing.assert_allclose(net.layers[0].b, [0.21], rtol=1e-14)
    np.testing.assert_allclose(v[0][1], [-0.19], rtol=1e-15)


def test_sgd_step_updates_the_live_arrays():
    # net.parameters() hands out the live arrays; a training step must keep updating those
    net = DNN.from_sizes([3, 4, 2], seed=0)
    params = net.parameters()
    x, y = random_sample(3, 2, 4, seed=1)
    for _ in range(3):
        _, grads = net.gradients(x, y)
        sgd_step(net, grads, 0.5)
    for (W, b), layer in zip(params, net.layers):
        assert W is layer.W and b is layer.b
    v = None
    for _ in range(2):
        _, grads = net.gradients(x, y)
        v = sgd_step(net, grads, 0.5, velocity=v, momentum=0.5)
    assert all(W is layer.W for (W, _), layer in zip(params, net.layers))


def test_train_full_batch_equals_hand_loop():
    x, y = random_sample(3, 2, 6, seed=4)
    net = DNN.from_sizes([3, 4, 2], "tanh", "identity", seed=0, init="xavier")
    twin = net.copy()
    history = train(net, x, y, lr=0.1, epochs=5)
    losses = [twin.loss(x, y)]
    for _ in range(5):
        _, grads = twin.gradients(x, y)
        sgd_step(twin, grads, 0.1)
        losses.append(twin.loss(x, y))
    np.testing.assert_array_equal(history.loss, losses)
    for (W, b), (W2, b2) in zip(net.parameters(), twin.parameters()):
        np.testing.assert_array_equal(W, W2)
        np.testing.assert_array_equal(b, b2)


def test_history_entries():
    x, labels = make_moons(40, 0.1, seed=0)
    xv, lv = make_moons(20, 0.1, seed=1)
    net = DNN.from_sizes([2, 8, 2], "tanh", "softmax", seed=0, init="xavier")
    before_loss, before_acc = net.loss(x, labels, "cross_entropy"), net.accuracy(x, labels)
    h = train(net, x, labels, loss="cross_entropy", lr=0.5, epochs=7, batch_size=10, seed=0, x_val=xv, y_val=lv)
    assert isinstance(h, History) and h.epochs == 7
    assert len(h.loss) == len(h.accuracy) == len(h.val_loss) == len(h.val_accuracy) == 8
    assert h.loss[0] == before_loss and h.accuracy[0] == before_acc  # entry 0: before any update
    assert h.loss[-1] == net.loss(x, labels, "cross_entropy")  # the last: after the last epoch
    assert h.val_loss[-1] == net.loss(xv, lv, "cross_entropy") and h.val_accuracy[-1] == net.accuracy(xv, lv)
    assert all(0.0 <= a <= 1.0 for a in h.accuracy + h.val_accuracy)
    assert h.loss[-1] < h.loss[0]
    # regression targets: no accuracy
    xr, yr = random_sample(2, 1, 10, seed=3)
    hr = train(DNN.from_sizes([2, 3, 1], "tanh", "identity", seed=0), xr, yr, epochs=3)
    assert hr.accuracy == [] and hr.val_loss == [] and len(hr.loss) == 4
    assert History().epochs == 0


def test_train_reaches_good_accuracy_on_moons():
    x, labels = make_moons(200, 0.1, seed=0)
    xt, lt = make_moons(200, 0.1, seed=1)
    net = DNN.from_sizes([2, 16, 2], "tanh", "identity", seed=0, init="xavier")
    h = train(net, x, labels, loss="softmax_cross_entropy", lr=0.5, epochs=300, momentum=0.9)
    assert h.accuracy[-1] >= 0.97
    assert net.accuracy(xt, lt) >= 0.95  # and it generalises


def test_train_is_deterministic_given_a_seed():
    x, labels = make_moons(60, 0.2, seed=0)
    nets = [DNN.from_sizes([2, 6, 2], "tanh", "softmax", seed=5, init="xavier") for _ in range(3)]
    hs = [train(n, x, labels, loss="cross_entropy", lr=0.2, epochs=4, batch_size=8, seed=s)
          for n, s in zip(nets, [11, 11, 12])]
    assert hs[0].loss == hs[1].loss
    np.testing.assert_array_equal(nets[0].layers[0].W, nets[1].layers[0].W)
    assert hs[0].loss != hs[2].loss  # another shuffle, another path
    # a Generator seed works the same as its int
    n4 = DNN.from_sizes([2, 6, 2], "tanh", "softmax", seed=5, init="xavier")
    h4 = train(n4, x, labels, loss="cross_entropy", lr=0.2, epochs=4, batch_size=8, seed=np.random.default_rng(11))
    assert h4.loss == hs[0].loss


def test_no_shuffle_ignores_the_seed():
    x, labels = make_moons(30, 0.2, seed=0)
    losses = []
    for seed in (1, 2):
        net = DNN.from_sizes([2, 4, 2], "tanh", "softmax", seed=5)
        losses.append(train(net, x, labels, loss="cross_entropy", epochs=3, batch_size=7, shuffle=False, seed=seed).loss)
    assert losses[0] == losses[1]


def test_train_with_numerical_gradients_s1_style():
    # S1 in small: sigmoid stack, N(0, 0.01^2) weights, half_mse, forward differences, one sample
    x, y = random_sample(4, 2, 1, seed=0)
    net = DNN(2, 5, 4, 2, seed=0)
    twin = net.copy()
    h_loop = train(net, x, y, lr=0.5, epochs=5, method="numerical-loop", difference="forward", h=1e-4)
    h_vec = train(twin, x, y, lr=0.5, epochs=5, method="numerical", difference="forward", h=1e-4)
    assert all(b < a for a, b in zip(h_loop.loss, h_loop.loss[1:]))
    np.testing.assert_allclose(h_vec.loss, h_loop.loss, rtol=1e-12)
    # and it follows backprop closely (the forward-difference bias is O(h))
    third = DNN(2, 5, 4, 2, seed=0)
    h_bp = train(third, x, y, lr=0.5, epochs=5)
    np.testing.assert_allclose(h_vec.loss, h_bp.loss, rtol=1e-4)


def test_train_float32():
    x, labels = make_moons(50, 0.1, seed=0)
    net = DNN.from_sizes([2, 8, 2], "tanh", "softmax", seed=0, init="xavier", dtype=np.float32)
    h = train(net, x, labels, loss="cross_entropy", lr=0.5, epochs=20)
    assert net.layers[0].W.dtype == np.float32 and net.layers[1].b.dtype == np.float32
    assert h.loss[-1] < h.loss[0]


@pytest.mark.parametrize("lr", [1e3, 1e30, 1e308])
def test_train_raises_on_divergence_naming_the_epoch(lr):
    x, y = random_sample(3, 2, 8, seed=0)
    net = DNN.from_sizes([3, 8, 2], "relu", "identity", seed=0, scale=1.0)
    with pytest.raises(TrainingDivergedError, match=r"in epoch \d+.*lr=") as info:
        train(net, 100 * x, y, loss="sse", lr=lr, epochs=200)
    epoch = int(info.value.args[0].split("epoch ")[1].split(":")[0])
    assert 1 <= epoch <= 200
    assert isinstance(info.value, FloatingPointError)
