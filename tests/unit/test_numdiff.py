"""nnbook.numdiff: finite differences of scalar functions and of functions of arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnbook.numdiff import derivative, numerical_gradient


def cube(x):
    return x**3


def test_derivative_central_of_cube_by_hand():
    # ((a+h)^3 - (a-h)^3) / (2h) = (6a^2 h + 2h^3) / (2h) = 3a^2 + h^2; a = 2, h = 0.1 -> 12.01
    assert derivative(cube, 2.0, h=0.1, method="central") == pytest.approx(12.01, rel=1e-12)


def test_derivative_forward_of_cube_by_hand():
    # ((a+h)^3 - a^3) / h = 3a^2 + 3a h + h^2; a = 2, h = 0.1 -> 12 + 0.6 + 0.01 = 12.61
    assert derivative(cube, 2.0, h=0.1, method="forward") == pytest.approx(12.61, rel=1e-12)


def test_derivative_default_is_central_and_accurate():
    # d/dx sin at 0.5 is cos 0.5; central with h = 1e-5 has error ~ h^2/6 ~ 1e-11
    assert derivative(math.sin, 0.5) == pytest.approx(math.cos(0.5), abs=1e-9)
    assert derivative(cube, 2.0) == pytest.approx(12.0 + 1e-10, abs=1e-8)


def test_forward_error_is_order_h_and_central_order_h_squared():
    errs_f = [abs(derivative(math.exp, 0.0, h, "forward") - 1.0) for h in (1e-2, 1e-3)]
    errs_c = [abs(derivative(math.exp, 0.0, h, "central") - 1.0) for h in (1e-2, 1e-3)]
    # forward error ~ h/2: ten times smaller h, ten times smaller error
    assert errs_f[0] / errs_f[1] == pytest.approx(10, rel=0.02)
    # central error ~ h^2/6: a hundred times smaller
    assert errs_c[0] / errs_c[1] == pytest.approx(100, rel=0.02)


def test_numerical_gradient_of_sum_of_squares_central():
    # f(x) = sum(x^2): gradient 2x; central differences are exact for quadratics (up to rounding)
    x = np.array([[1.0, 2.0], [3.0, -4.0]])
    g = numerical_gradient(lambda v: float(np.sum(v**2)), x, h=1e-3)
    np.testing.assert_allclose(g, [[2.0, 4.0], [6.0, -8.0]], rtol=1e-9)
    assert g.shape == x.shape and g.dtype == x.dtype


def test_numerical_gradient_forward_has_the_h_bias():
    # forward difference of x^2: ((x+h)^2 - x^2)/h = 2x + h
    x = np.array([1.0, -2.0, 0.5])
    g = numerical_gradient(lambda v: float(np.sum(v**2)), x, h=1e-2, method="forward")
    np.testing.assert_allclose(g, [2.01, -3.99, 1.01], rtol=1e-10)


def test_numerical_gradient_counts_calls():
    x = np.zeros((2, 3))
    calls = []

    def f(v):
        calls.append(1)
        return float(v.sum())

    numerical_gradient(f, x, method="central")
    assert len(calls) == 2 * x.size
    calls.clear()
    numerical_gradient(f, x, method="forward")
    assert len(calls) == x.size + 1


def test_numerical_gradient_perturbs_the_same_array_in_place_and_restores_it():
    x = np.array([[0.3, -1.2], [2.5, 0.7]])
    original = x.copy()
    seen = []

    def f(v):
        assert v is x  # the very same object, as S4's closure style needs
        seen.append(v.copy())
        return float(np.sum(np.sin(x)))  # reads x through the closure only

    g = numerical_gradient(f, x)
    np.testing.assert_allclose(g, np.cos(original), rtol=1e-7)
    np.testing.assert_array_equal(x, original)
    # while f ran, exactly one element differed from the original
    assert all(np.count_nonzero(s != original) == 1 for s in seen)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    original = x.copy()
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 4:  # raise while the second element is perturbed
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, original)
    assert not np.array_equal(calls[-1], original)  # it really was perturbed when f raised


def test_numerical_gradient_works_on_views_and_float32():
    big = np.arange(12, dtype=np.float64).reshape(3, 4)
    view = big[:, 1:3]
    g = numerical_gradient(lambda _: float(np.sum(big**2)), view, h=1e-3)
    np.testing.assert_allclose(g, 2 * big[:, 1:3], rtol=1e-8)
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    g32 = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x32, h=1e-2)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, [2.0, 4.0], rtol=1e-4)
