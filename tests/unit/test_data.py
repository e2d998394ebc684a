"""nnbook.data: offline data sets, seeded and shaped as documented; no global random state."""

from __future__ import annotations

import numpy as np
import pytest

from nnbook import DNN, digits_split, load_digits, make_moons, make_spirals, make_xor, random_sample, train
from nnbook.data import one_hot, train_test_split


def test_random_sample_shapes_and_stream():
    x, y = random_sample(seed=0)
    assert x.shape == (1, 10) and y.shape == (1, 2)  # S1's one sample of 10 inputs, 2 targets
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(x, rng.standard_normal((1, 10)))  # x first, then y, from the seed
    np.testing.assert_array_equal(y, rng.standard_normal((1, 2)))
    x, y = random_sample(3, 4, 5, seed=1)
    assert x.shape == (5, 3) and y.shape == (5, 4)


def test_make_moons_geometry():
    x, labels = make_moons(100, noise=0.0, seed=0)
    assert x.shape == (100, 2) and labels.shape == (100,)
    np.testing.assert_array_equal(np.bincount(labels), [50, 50])
    upper, lower = x[labels == 0], x[labels == 1]
    # noise 0: class 0 on the unit upper half circle, class 1 on the circle centred (1, 0.5)
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-12)
    assert np.all(upper[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(lower[:, 1] <= 0.5)
    noisy, _ = make_moons(100, noise=0.1, seed=0)
    assert 0.05 < np.std(noisy - x) < 0.15


def test_make_spirals():
    x, labels = make_spirals(300, n_classes=3, noise=0.2, seed=0)
    assert x.shape == (300, 2)
    np.testing.assert_array_equal(np.bincount(labels), [100, 100, 100])
    radius = np.hypot(x[:, 0], x[:, 1])
    assert np.all((radius >= 0.05) & (radius <= 1.0))
    assert set(np.unique(make_spirals(20, n_classes=5, seed=0)[1])) == {0, 1, 2, 3, 4}


def test_make_xor():
    x, labels = make_xor(200, noise=0.0, seed=0)
    assert set(map(tuple, np.unique(x, axis=0))) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}
    np.testing.assert_array_equal(labels, (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(int))
    assert labels.dtype.kind == "i"
    x, labels = make_xor(400, noise=0.1, seed=1)
    np.testing.assert_array_equal(labels, (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(int))  # noise < 1


@pytest.mark.parametrize("make", [make_moons, make_spirals, make_xor])
def test_synthetic_sets_are_deterministic(make):
    a, la = make(50, seed=3)
    b, lb = make(50, seed=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, make(50, seed=4)[0])
    c, _ = make(50, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(a, c)


def test_load_digits():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 16
    np.testing.assert_array_equal(images, np.round(images))  # integer grey levels 0..16
    assert labels.dtype.kind == "i"
    np.testing.assert_array_equal(np.bincount(labels), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    # the first image is a zero: its top two rows
    np.testing.assert_array_equal(images[0, :2], [[0, 0, 5, 13, 9, 1, 0, 0], [0, 0, 13, 15, 10, 15, 5, 0]])
    assert labels[0] == 0
    images[0] = -1.0  # callers get copies: the bundled data stay intact
    labels[:] = 9
    again, labels_again = load_digits()
    assert again[0, 0, 2] == 5 and labels_again[0] == 0


def test_digits_split_shapes_ranges_and_determinism():
    x_train, y_train, x_test, y_test = digits_split()
    # round(0.2 * 1797) = 359 test samples
    assert x_train.shape == (1438, 64) and x_test.shape == (359, 64)
    assert y_train.shape == (1438,) and y_test.shape == (359,)
    assert x_train.min() == 0.0 and x_train.max() == 1.0 and x_test.max() <= 1.0
    np.testing.assert_array_equal(
        np.bincount(y_train, minlength=10) + np.bincount(y_test, minlength=10),
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
    )
    again = digits_split()
    for a, b in zip(again, (x_train, y_train, x_test, y_test)):
        np.testing.assert_array_equal(a, b)
    other = digits_split(seed=1)
    assert not np.array_equal(other[3], y_test)
    raw = digits_split(scale=False)
    np.testing.assert_array_equal(raw[0], 16 * x_train)
    assert digits_split(test_fraction=0.5)[2].shape == (898, 64)  # round(898.5) = 898 (to even)


def test_train_test_split_partitions():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    x_tr, y_tr, x_te, y_te = train_test_split(x, y, 0.3, seed=0)
    assert len(y_te) == 3 and len(y_tr) == 7
    assert sorted(np.concatenate([y_tr, y_te])) == list(range(10))
    np.testing.assert_array_equal(x_tr[:, 0], 2 * y_tr)  # rows stay paired with their labels
    np.testing.assert_array_equal(x_te[:, 1], 2 * y_te + 1)


def test_train_test_split_keeps_a_training_set():
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(np.zeros((2, 1)), np.zeros(2), 0.9)  # round(1.8) = 2 of 2 samples


def test_one_hot_is_exported_from_data():
    np.testing.assert_array_equal(one_hot(np.array([1]), 2), [[0.0, 1.0]])


def test_nothing_touches_the_global_random_state():
    before = np.random.get_state()  # noqa: NPY002 (the legacy global state is what must stay untouched)
    net = DNN(2, 4, 2, 2, "tanh", "softmax", init="xavier")  # seed=None: fresh entropy, not the global state
    DNN.from_sizes([2, 3, 2], seed=1)
    x, labels = make_moons(30)
    make_spirals(30)
    make_xor(30)
    random_sample()
    digits_split(seed=None)
    train(net, x, labels, loss="cross_entropy", epochs=2, batch_size=5)
    net.gradients(x, labels, "cross_entropy", method="numerical")
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == before[0] and np.array_equal(after[1], before[1]) and after[2:] == before[2:]


def test_seed_none_gives_fresh_randomness():
    assert not np.array_equal(make_moons(20)[0], make_moons(20)[0])
    assert not np.array_equal(DNN.from_sizes([3, 3]).layers[0].W, DNN.from_sizes([3, 3]).layers[0].W)
