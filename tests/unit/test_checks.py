"""Bad input everywhere: the right exception type, and a message that names the argument.

nnbook never broadcasts a wrong shape into a wrong answer; these cases pin that down across the
public API (the helpers in nnbook._checks do most of the work).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnbook import (
    DNN,
    Dense,
    _checks,
    derivative,
    digits_split,
    gradient_check,
    make_moons,
    make_spirals,
    make_xor,
    numerical_gradient,
    one_hot,
    parameter_count,
    random_sample,
    relative_error,
    sgd_step,
    train,
)
from nnbook.activations import get_activation, softmax_jacobian
from nnbook.data import train_test_split
from nnbook.losses import cross_entropy, get_loss, mse

X = np.random.default_rng(0).standard_normal((4, 3))
Y = np.random.default_rng(1).standard_normal((4, 2))
LABELS = np.array([0, 1, 1, 0])


def net():
    return DNN.from_sizes([3, 5, 2], "tanh", "identity", seed=0)


def set_W(value):
    Dense(3, 2, seed=0).W = value


def set_b(value):
    Dense(3, 2, seed=0).b = value


def square(v):
    return float(np.sum(v**2))


CASES = [
    # ---- sizes and hyperparameters ----
    ("sizes_zero", lambda: DNN.from_sizes([3, 0, 2]), ValueError, r"sizes\[1\] must be a positive integer, got 0"),
    ("sizes_short", lambda: DNN.from_sizes([3]), ValueError, r"sizes must name at least an input and an output"),
    ("sizes_string", lambda: DNN.from_sizes("32"), TypeError, r"sizes must be a list"),
    ("sizes_float", lambda: DNN.from_sizes([3, 2.5, 2]), TypeError, r"sizes\[1\] must be an integer, got 2.5"),
    ("hidden_depth_zero", lambda: DNN(0, 4, 3, 2), ValueError, r"hidden_depth must be a positive integer, got 0"),
    ("num_neuron_negative", lambda: parameter_count(1, -3, 3, 2), ValueError, r"num_neuron must be a positive integer, got -3"),
    ("n_in_float", lambda: Dense(2.0, 3), TypeError, r"n_in must be an integer"),
    ("n_out_bool", lambda: Dense(2, True), TypeError, r"n_out must be an integer"),
    ("scale_zero", lambda: Dense(3, 2, scale=0.0), ValueError, r"scale must be a positive finite number, got 0.0"),
    ("dtype_int", lambda: Dense(3, 2, dtype=np.int32), TypeError, r"dtype must be float32 or float64, got int32"),
    # ---- names ----
    ("activation_unknown", lambda: DNN(1, 4, 3, 2, activation="relux"), ValueError, r"activation must be one of .*got 'relux'"),
    ("activation_not_str", lambda: get_activation(3), TypeError, r"activation must be one of"),
    ("loss_unknown", lambda: get_loss("mae"), ValueError, r"loss must be one of .*got 'mae'"),
    ("loss_unknown_in_net", lambda: net().loss(X, Y, loss="l1"), ValueError, r"loss must be one of .*got 'l1'"),
    ("init_unknown", lambda: Dense(3, 2, init="uniform"), ValueError, r"init must be one of .*got 'uniform'"),
    ("method_unknown", lambda: net().gradients(X, Y, method="symbolic"), ValueError, r"method must be one of .*'symbolic'"),
    ("difference_unknown", lambda: net().gradients(X, Y, method="numerical", difference="backward"), ValueError,
     r"difference must be one of .*'backward'"),
    ("train_method_unknown", lambda: train(net(), X, Y, method="adam"), ValueError, r"method must be one of .*'adam'"),
    ("derivative_method", lambda: derivative(np.sin, 1.0, method="backward"), ValueError, r"method must be one of"),
    ("numgrad_method", lambda: numerical_gradient(square, np.ones(2), method="complex"), ValueError, r"method must be one of"),
    # ---- steps, rates and counts ----
    ("h_zero", lambda: net().gradients(X, Y, method="numerical", h=0.0),
     ValueError, r"h must be a positive finite number, got 0.0"),
    ("h_negative", lambda: derivative(np.sin, 1.0, h=-1e-5), ValueError, r"h must be a positive finite number"),
    ("h_nan", lambda: numerical_gradient(square, np.ones(2), h=float("nan")),
     ValueError, r"h must be a positive finite number, got nan"),
    ("h_string", lambda: derivative(np.sin, 1.0, h="1e-5"), TypeError, r"h must be a real number"),
    ("lr_zero", lambda: train(net(), X, Y, lr=0.0), ValueError, r"lr must be a positive finite number, got 0.0"),
    ("lr_negative", lambda: train(net(), X, Y, lr=-0.1), ValueError, r"lr must be a positive finite number, got -0.1"),
    ("lr_inf", lambda: train(net(), X, Y, lr=float("inf")), ValueError, r"lr must be a positive finite number, got inf"),
    ("sgd_lr_negative", lambda: sgd_step(net(), net().gradients(X, Y)[1], -0.1), ValueError, r"lr must be a positive"),
    ("epochs_zero", lambda: train(net(), X, Y, epochs=0), ValueError, r"epochs must be a positive integer, got 0"),
    ("batch_size_too_big", lambda: train(net(), X, Y, batch_size=5), ValueError,
     r"batch_size must be at most the number of samples \(4\), got 5"),
    ("batch_size_zero", lambda: train(net(), X, Y, batch_size=0), ValueError, r"batch_size must be a positive integer"),
    ("momentum_one", lambda: train(net(), X, Y, momentum=1.0), ValueError, r"momentum must be a number in \[0, 1\), got 1.0"),
    ("sgd_momentum_negative", lambda: sgd_step(net(), net().gradients(X, Y)[1], 0.1, momentum=-0.5), ValueError,
     r"momentum must be a number in \[0, 1\)"),
    ("n_zero", lambda: make_moons(0), ValueError, r"n must be a positive integer, got 0"),
    ("noise_negative", lambda: make_xor(10, noise=-0.1), ValueError, r"noise must be a non-negative number, got -0.1"),
    ("n_classes_zero", lambda: make_spirals(10, n_classes=0), ValueError, r"n_classes must be a positive integer"),
    ("n_samples_zero", lambda: random_sample(n_samples=0), ValueError, r"n_samples must be a positive integer"),
    ("test_fraction_one", lambda: digits_split(test_fraction=1.0), ValueError, r"test_fraction must be between 0 and 1, got 1.0"),
    ("test_fraction_zero", lambda: digits_split(test_fraction=0), ValueError, r"test_fraction must be a positive"),
    ("seed_negative", lambda: random_sample(seed=-1), TypeError, r"seed must be a non-negative int, a numpy Generator or None"),
    ("seed_legacy_randomstate", lambda: DNN.from_sizes([3, 2], seed=np.random.RandomState(0)), TypeError,
     r"seed must be a non-negative int, a numpy Generator or None, got .*RandomState"),
    ("seed_float", lambda: make_moons(10, seed=1.5), TypeError, r"seed must be a non-negative int"),
    # ---- inputs: shapes, dimensions, values, types ----
    ("x_features", lambda: net()(np.ones((4, 5))), ValueError, r"x has 5 features per sample but the layer expects 3"),
    ("x_3d", lambda: net()(np.ones((2, 2, 3))), ValueError, r"x must be 1-D or 2-D, got shape \(2, 2, 3\)"),
    ("x_scalar", lambda: net()(1.0), ValueError, r"x must be 1-D or 2-D, got shape \(\)"),
    ("x_nan", lambda: net()(np.array([[1.0, np.nan, 0.0]])), ValueError, r"x must contain only finite values, got 1 non-finite"),
    ("x_inf_in_loss", lambda: net().loss(np.full((4, 3), np.inf), Y), ValueError, r"x must contain only finite values"),
    ("x_string", lambda: net()("abc"), TypeError, r"x must be an array of numbers"),
    ("x_ragged", lambda: net()([[1.0, 2.0, 3.0], [1.0]]), TypeError, r"x must be an array of numbers"),
    ("x_complex", lambda: net()(np.ones(3) * 1j), TypeError, r"x must be real, got dtype complex128"),
    ("x_none", lambda: net().gradients(None, Y), TypeError, r"x must be an array of numbers, got None"),
    ("y_sample_count", lambda: net().loss(X, Y[:3]),
     ValueError, r"y must have one row per sample of x \(4 samples\), got shape \(3, 2\)"),
    ("y_outputs", lambda: net().gradients(X, np.ones((4, 3))),
     ValueError, r"y must have the prediction's shape \(4, 2\).*got shape \(4, 3\)"),
    ("y_inf", lambda: net().loss(X, np.full((4, 2), np.inf)), ValueError, r"y must contain only finite values"),
    ("y_labels_for_mse", lambda: net().loss(X, LABELS, loss="mse"), ValueError, r"y must have the prediction's shape"),
    ("y_ragged", lambda: net().loss(X, [[1.0, 2.0], [1.0]]), TypeError, r"y must be an array of numbers"),
    ("y_strings", lambda: net().gradients(X, np.array([["a", "b"]] * 4)), TypeError, r"y must be an array of numbers"),
    ("y_scalar", lambda: net().loss(X, 1.0), ValueError, r"y must have one row per sample of x"),
    ("train_y_sample_count", lambda: train(net(), X, Y[:2]), ValueError, r"y must have one row per sample of x"),
    ("labels_out_of_range", lambda: net().loss(X, np.array([0, 1, 2, 0]), loss="softmax_cross_entropy"), ValueError,
     r"y must lie in \[0, 1\] for 2 classes, got values from 0 to 2"),
    ("labels_negative", lambda: one_hot(np.array([0, -1]), 3), ValueError, r"labels must lie in \[0, 2\]"),
    ("labels_float", lambda: one_hot(np.array([0.0, 1.0]), 2), ValueError, r"labels must be a 1-D array of integers"),
    ("labels_count", lambda: net().loss(X, np.array([0, 1]), loss="softmax_cross_entropy"), ValueError,
     r"y must have one row per sample of x \(4 samples\)"),
    ("accuracy_labels_shape", lambda: net().accuracy(X, np.array([0, 1])),
     ValueError, r"labels must have shape \(4,\) to match x, got \(2,\)"),
    ("loss_value_shape", lambda: get_loss("mse").value(np.ones((2, 3)), np.ones((3, 2))), ValueError,
     r"y must have the prediction's shape \(2, 3\) for loss 'mse', got shape \(3, 2\)"),
    ("loss_value_nan_h", lambda: get_loss("sse").value(np.array([np.nan]), np.array([0.0])),
     ValueError, r"h must contain only finite values"),
    ("loss_labels_count", lambda: get_loss("cross_entropy").value(np.full((2, 3), 1 / 3), np.array([0, 1, 2])), ValueError,
     r"y holds \(3,\) labels but the prediction has shape \(2, 3\)"),
    ("mse_shapes", lambda: mse(np.ones((4, 2)), np.ones((4, 1))),
     ValueError, r"y must have the prediction's shape \(4, 2\), got shape \(4, 1\)"),
    ("cross_entropy_t_shape", lambda: cross_entropy(np.full((2, 3), 1 / 3), np.ones((2, 2))), ValueError,
     r"t must be one-hot with the prediction's shape \(2, 3\) or integer labels, got shape \(2, 2\)"),
    # ---- parameters assigned by hand ----
    ("W_wrong_shape", lambda: set_W(np.zeros((2, 3))),
     ValueError, r"W must have shape \(3, 2\) for a 3->2 layer, got shape \(2, 3\)"),
    ("b_wrong_shape", lambda: set_b(np.zeros(3)), ValueError, r"b must have shape \(2,\) for a 3->2 layer, got shape \(3,\)"),
    ("W_nan", lambda: set_W(np.full((3, 2), np.nan)), ValueError, r"W must contain only finite values, got 6 non-finite"),
    ("b_string", lambda: set_b("zeros"), TypeError, r"b must be an array of numbers"),
    ("grads_count", lambda: sgd_step(net(), [], 0.1), ValueError, r"grads must hold one \(dW, db\) pair per layer \(2\), got 0"),
    ("grads_not_pairs", lambda: sgd_step(net(), [(np.ones((3, 5)),), (np.ones((5, 2)), np.ones(2))], 0.1), ValueError,
     r"grads\[0\] must be a \(dW, db\) pair, got 1 items"),
    ("grads_shape", lambda: sgd_step(net(), [(np.ones((3, 5)), np.ones(5)), (np.ones(2), np.ones(2))], 0.1), ValueError,
     r"grads\[1\] dW must have shape \(5, 2\) like layer 1's parameter, got shape \(2,\)"),
    # ---- finite differences ----
    ("numgrad_list", lambda: numerical_gradient(square, [1.0, 2.0]),
     TypeError, r"x must be a float numpy array \(it is perturbed in place\), got list"),
    ("numgrad_int_array", lambda: numerical_gradient(square, np.array([1, 2])),
     TypeError, r"x must be a float numpy array .*dtype int"),
    ("softmax_jacobian_2d", lambda: softmax_jacobian(np.ones((2, 2))),
     ValueError, r"z must be 1-D for softmax_jacobian, got shape \(2, 2\)"),
    ("relative_error_shapes", lambda: relative_error(np.ones(3), np.ones(4)),
     ValueError, r"b must have the shape of a \(3,\), got \(4,\)"),
    ("gradient_check_h", lambda: gradient_check(net(), X, Y, h=0), ValueError, r"h must be a positive finite number"),
    # ---- data and validation ----
    ("split_lengths", lambda: train_test_split(np.ones((10, 2)), np.ones(9)),
     ValueError, r"y must have one entry per sample of x \(10\), got 9"),
    ("x_val_alone", lambda: train(net(), X, Y, x_val=X), ValueError, r"x_val and y_val must be given together"),
    ("x_val_features", lambda: train(net(), X, Y, x_val=np.ones((2, 4)), y_val=np.ones((2, 2))), ValueError,
     r"x_val has 4 features per sample but the layer expects 3"),
    ("y_val_sample_count", lambda: train(net(), X, Y, x_val=X, y_val=Y[:2]), ValueError,
     r"y_val must have one row per sample of x_val \(4 samples\)"),
    ("y_val_nan", lambda: train(net(), X, Y, x_val=X, y_val=np.full((4, 2), np.nan)),
     ValueError, r"y_val must contain only finite values"),
    ("one_hot_n_classes", lambda: one_hot(np.array([0, 1]), 2.5), TypeError, r"n_classes must be an integer, got 2.5"),
]


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_naming_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_there_are_many_distinct_cases():
    assert len({c[0] for c in CASES}) == len(CASES) >= 20


def test_a_refused_call_changes_nothing():
    n = net()
    before = [(W.copy(), b.copy()) for W, b in n.parameters()]
    with pytest.raises(ValueError):
        train(n, X, Y, lr=0.1, batch_size=10)
    with pytest.raises(ValueError):
        sgd_step(n, [(np.ones((3, 5)), np.ones(5)), (np.ones((5, 2)), np.ones(3))], 0.1)
    for (W, b), (W0, b0) in zip(n.parameters(), before):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


# ---- the helpers themselves ----

def test_as_float_array_accepts_and_converts():
    out = _checks.as_float_array([[1, 2]], "x", ndim=2)
    assert out.dtype == np.float64 and out.shape == (1, 2)
    a = np.ones(3, dtype=np.float32)
    assert _checks.as_float_array(a, "x") is a  # floats pass through without a copy
    assert _checks.as_float_array(np.array([True, False]), "mask").dtype == np.float64


def test_positive_int_and_float():
    assert _checks.positive_int(np.int64(3), "n") == 3 and type(_checks.positive_int(np.int64(3), "n")) is int
    assert _checks.positive_float(2, "lr") == 2.0 and _checks.positive_float(np.float32(0.5), "lr") == 0.5
    with pytest.raises(TypeError, match="flag must be an integer"):
        _checks.positive_int(True, "flag")


@pytest.mark.parametrize("value", [0, -1e-300, float("nan"), float("inf"), np.float32("inf"), np.float64("nan"),
                                   pytest.param(10**400, id="int-beyond-float")])
def test_positive_float_rejects_zero_negative_and_non_finite(value):
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        _checks.positive_float(value, "h")


def test_choice():
    assert _checks.choice("b", "opt", ["a", "b"]) == "b"
    with pytest.raises(ValueError, match=r"opt must be one of \['a', 'b'\], got 'c'"):
        _checks.choice("c", "opt", ["a", "b"])


def test_rng_from():
    g = np.random.default_rng(1)
    assert _checks.rng_from(g) is g
    np.testing.assert_array_equal(_checks.rng_from(7).random(3), np.random.default_rng(7).random(3))
    np.testing.assert_array_equal(_checks.rng_from(np.int64(7)).random(3), np.random.default_rng(7).random(3))
    assert isinstance(_checks.rng_from(None), np.random.Generator)
    with pytest.raises(TypeError, match="my_seed must be"):
        _checks.rng_from("7", "my_seed")


def test_describe_shortens_long_values():
    text = _checks._describe("x" * 200)
    assert len(text) < 80 and text.endswith("(str)")
    assert _checks._describe(np.zeros((2, 3))) == "an array of shape (2, 3) and dtype float64"
