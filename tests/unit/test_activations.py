"""nnbook.activations: values and derivatives by hand, stability at extreme inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnbook import activations as A
from nnbook.numdiff import derivative

LN2, LN3, LN5 = math.log(2), math.log(3), math.log(5)
EXTREMES = [-1e300, -1e4, -710.0, -1.0, 0.0, 1.0, 710.0, 1e4, 1e300]


def test_sigmoid_by_hand():
    # sigmoid(0) = 1/2; sigmoid(ln 3) = 1/(1 + 1/3) = 3/4; sigmoid(-ln 3) = 1/(1 + 3) = 1/4
    np.testing.assert_allclose(A.sigmoid(np.array([0.0, LN3, -LN3])), [0.5, 0.75, 0.25], rtol=1e-15)
    # s(1 - s): 1/4 at 0, 3/16 = 0.1875 at +-ln 3
    np.testing.assert_allclose(A.sigmoid_derivative(np.array([0.0, LN3, -LN3])), [0.25, 0.1875, 0.1875], rtol=1e-15)


def test_tanh_by_hand():
    # tanh(ln 2) = (2 - 1/2)/(2 + 1/2) = 0.6; derivative 1 - 0.36 = 0.64
    np.testing.assert_allclose(A.tanh(np.array([0.0, LN2, -LN2])), [0.0, 0.6, -0.6], rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(A.tanh_derivative(np.array([0.0, LN2, -LN2])), [1.0, 0.64, 0.64], rtol=1e-15)


def test_relu_by_hand():
    z = np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0])
    np.testing.assert_array_equal(A.relu(z), [0.0, 0.0, 0.0, 1e-12, 3.0])
    # derivative 1 where z > 0, and 0 at the kink by convention
    np.testing.assert_array_equal(A.relu_derivative(z), [0.0, 0.0, 0.0, 1.0, 1.0])


def test_identity_by_hand():
    z = np.array([[-2.5, 0.0], [3.0, 7.0]])
    np.testing.assert_array_equal(A.identity(z), z)
    np.testing.assert_array_equal(A.identity_derivative(z), np.ones((2, 2)))


def test_softmax_by_hand():
    # exp([0, ln 2, ln 5]) = [1, 2, 5], sum 8 -> [1/8, 2/8, 5/8]
    z = np.array([0.0, LN2, LN5])
    np.testing.assert_allclose(A.softmax(z), [0.125, 0.25, 0.625], rtol=1e-15)
    # row-wise on a batch (axis -1), and shift invariance: adding 100 to a row changes nothing
    batch = np.array([z, z + 100.0])
    np.testing.assert_allclose(A.softmax(batch), [[0.125, 0.25, 0.625]] * 2, rtol=1e-13)
    # axis=0 normalises the columns: column [0, ln 3] -> [1/4, 3/4]
    np.testing.assert_allclose(A.softmax(np.array([[0.0], [LN3]]), axis=0), [[0.25], [0.75]], rtol=1e-15)


def test_softmax_jacobian_by_hand():
    # s = [1/8, 2/8, 5/8]: J = diag(s) - s s^T
    J = A.softmax_jacobian(np.array([0.0, LN2, LN5]))
    expected = np.array([
        [0.125 - 0.015625, -0.03125, -0.078125],
        [-0.03125, 0.25 - 0.0625, -0.15625],
        [-0.078125, -0.15625, 0.625 - 0.390625],
    ])
    np.testing.assert_allclose(J, expected, rtol=1e-14, atol=1e-17)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-16)  # softmax sums to 1 whatever z


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_derivatives_match_finite_differences(name):
    act = A.get_activation(name)
    for z in (-2.3, -0.4, 0.7, 1.9):
        assert act.derivative(np.array(z)) == pytest.approx(derivative(lambda t: float(act.function(t)), z), rel=1e-8)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity", "softmax"])
def test_activation_backward_is_jacobian_transpose_times_grad(name):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((4, 5))
    a = A.get_activation(name).function(z)
    grad_a = rng.standard_normal((4, 5))
    got = A.get_activation(name).backward(z, a, grad_a)
    for i in range(4):  # row by row against the full Jacobian, built by central differences
        J = np.empty((5, 5))
        for j in range(5):
            e = np.zeros(5)
            e[j] = 1e-6
            J[:, j] = (A.get_activation(name).function(z[i] + e) - A.get_activation(name).function(z[i] - e)) / 2e-6
        np.testing.assert_allclose(got[i], J.T @ grad_a[i], rtol=1e-6, atol=1e-9)


def test_softmax_backward_equals_explicit_jacobian():
    z = np.array([0.0, LN2, LN5])
    s = A.softmax(z)
    g = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(A.ACTIVATIONS["softmax"].backward(z, s, g), A.softmax_jacobian(z).T @ g, rtol=1e-14)


def test_get_activation_and_registry():
    assert set(A.ACTIVATIONS) == {"sigmoid", "tanh", "relu", "identity", "softmax"}
    act = A.get_activation("tanh")
    assert act.name == "tanh" and act is A.ACTIVATIONS["tanh"]
    assert A.get_activation(act) is act
    assert A.ACTIVATIONS["softmax"].derivative is None  # not elementwise
    np.testing.assert_array_equal(act(np.array([0.5])), np.tanh([0.5]))
    np.testing.assert_array_equal(act.forward(np.array([0.5])), np.tanh([0.5]))
    assert repr(act) == "Activation('tanh')"


def test_naive_forms_overflow_but_stable_forms_do_not():
    with pytest.warns(RuntimeWarning, match="overflow"):
        A.naive_sigmoid(np.array([-1000.0]))
    with pytest.warns(RuntimeWarning):
        out = A.naive_softmax(np.array([1000.0, 0.0]))
    assert np.isnan(out).any()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert A.sigmoid(np.array([-1000.0]))[0] == 0.0
        np.testing.assert_allclose(A.softmax(np.array([1000.0, 0.0])), [1.0, 0.0], atol=1e-300)
    # where they do not overflow, naive and stable forms agree
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(A.sigmoid(z), A.naive_sigmoid(z), rtol=1e-14)
    np.testing.assert_allclose(A.softmax(z), A.naive_softmax(z), rtol=1e-12)


def test_sigmoid_symmetry_and_range_at_extremes():
    z = np.array(EXTREMES)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = A.sigmoid(z)
    np.testing.assert_allclose(s + A.sigmoid(-z), 1.0, rtol=1e-15)
    assert s[0] == 0.0 and s[-1] == 1.0 and np.all((s >= 0) & (s <= 1))


extreme_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5),
    elements=st.one_of(st.sampled_from(EXTREMES), st.floats(-1e300, 1e300, allow_nan=False)),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(z=extreme_arrays)
def test_stable_activations_finite_and_warning_free(z):
    # overflow, inf - inf and division by 0 raise here (underflow to 0 is harmless)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for name in ("sigmoid", "tanh", "relu", "identity"):
            act = A.get_activation(name)
            a = act.function(z)
            assert np.all(np.isfinite(a)) and a.shape == z.shape
            assert np.all(np.isfinite(act.derivative(z)))
            assert np.all(np.isfinite(act.backward(z, a, np.ones_like(z))))
        s = A.softmax(z)
    assert np.all(np.isfinite(s)) and np.all(s >= 0)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-12)
    sig = A.sigmoid(z)
    assert np.all((sig >= 0) & (sig <= 1))
    assert np.all(np.abs(A.tanh(z)) <= 1)
    # the largest entry of each row gets the largest probability (ties within rounding allowed)
    top = np.take_along_axis(s, np.argmax(z, axis=-1)[..., None], axis=-1)[..., 0]
    np.testing.assert_array_equal(top, s.max(axis=-1))
