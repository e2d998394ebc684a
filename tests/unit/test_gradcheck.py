"""nnbook.gradcheck: the relative error and the layer-by-layer gradient check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nnbook import DNN, gradcheck, gradient_check, relative_error
from nnbook.activations import get_activation


def test_relative_error_by_hand():
    assert relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0])) == 0.0
    # ||a - 0|| / (||a|| + 0) = 5 / 5
    assert relative_error(np.array([3.0, 4.0]), np.zeros(2)) == 1.0
    # ||[1, -1]|| / (1 + 1) = sqrt(2) / 2
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2, rel=1e-15)
    # [1, 1] vs [1, 1.1]: ||[0, 0.1]|| / (sqrt 2 + sqrt 2.21) = 0.1 / 2.8808 = 0.034712...
    assert relative_error([1.0, 1.0], [1.0, 1.1]) == pytest.approx(0.1 / (np.sqrt(2) + np.sqrt(2.21)), rel=1e-14)
    assert relative_error(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0  # both zero: 0, not nan
    assert relative_error(np.array([1.0, 2.0]), np.array([2.0, 4.0])) == relative_error([2.0, 4.0], [1.0, 2.0])


def test_thresholds_are_ordered():
    assert gradcheck.GOOD == 1e-7 and gradcheck.ACCEPTABLE == 1e-5 and gradcheck.BAD == 1e-2
    assert gradcheck.GOOD < gradcheck.ACCEPTABLE < gradcheck.BAD


def _setup():
    net = DNN.from_sizes([4, 5, 3], "sigmoid", "softmax", seed=0, init="xavier")
    x = np.random.default_rng(1).standard_normal((6, 4))
    labels = np.random.default_rng(2).integers(0, 3, 6)
    return net, x, labels


def test_gradient_check_passes_a_correct_network():
    net, x, labels = _setup()
    report = gradient_check(net, x, labels, loss="cross_entropy")
    assert [r["layer"] for r in report] == [0, 1]
    assert all(set(r) == {"layer", "dW", "db"} for r in report)
    assert all(r["dW"] < gradcheck.GOOD and r["db"] < gradcheck.GOOD for r in report)


def test_gradient_check_flags_a_broken_backward_pass():
    net, x, labels = _setup()
    good = get_activation("sigmoid")
    # a classic bug: forgetting the sigmoid's derivative a (1 - a) in the backward pass
    net.layers[0].activation = dataclasses.replace(good, _backward=lambda z, a, grad_a: grad_a)
    report = gradient_check(net, x, labels, loss="cross_entropy")
    assert report[0]["dW"] > gradcheck.BAD and report[0]["db"] > gradcheck.BAD
    # the output layer's own gradient does not depend on the broken derivative
    assert report[1]["dW"] < gradcheck.GOOD and report[1]["db"] < gradcheck.GOOD


def test_gradient_check_uses_h():
    net, x, labels = _setup()
    coarse = gradient_check(net, x, labels, loss="cross_entropy", h=1e-1)
    fine = gradient_check(net, x, labels, loss="cross_entropy", h=1e-5)
    # central differences: error ~ h^2, so 1e-1 is far worse than 1e-5
    assert coarse[0]["dW"] > 100 * fine[0]["dW"]
