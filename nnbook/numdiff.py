"""Numerical differentiation by finite differences.

forward:  f'(x) ~ (f(x + h) - f(x)) / h            truncation error O(h)
central:  f'(x) ~ (f(x + h) - f(x - h)) / (2h)     truncation error O(h**2)

Both also suffer round-off of about ``eps * abs(f(x)) / h`` (eps = 2.2e-16 in float64), which is why
h can be too small as well as too large.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import choice, positive_float

METHODS = ("forward", "central")


def derivative(f: Callable[[float], float], x: float, h: float = 1e-5, method: str = "central") -> float:
    """Finite-difference estimate of f'(x) for a scalar function f.

    Parameters
    ----------
    f : callable taking and returning a float.
    x : the point.
    h : the step, > 0.
    method : "forward" or "central".
    """
    h = positive_float(h, "h")
    choice(method, "method", METHODS)
    if method == "forward":
        return (f(x + h) - f(x)) / h
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4, method: str = "central"
) -> np.ndarray:
    """Gradient of a scalar function of an array, one element at a time.

    Each element of `x` is perturbed **in place**, `f(x)` is evaluated, and the element is
    restored, also when `f` raises. Because the array itself changes, `f` may ignore its
    argument and read `x` through a closure (for example a network's weight matrix).

    Parameters
    ----------
    f : callable returning a float; called 2 * x.size times (central) or x.size + 1 (forward).
    x : float array of any shape, modified in place during the call and restored.
    h : the step, > 0.
    method : "forward" or "central".

    Returns
    -------
    An array shaped like `x`.
    """
    h = positive_float(h, "h")
    choice(method, "method", METHODS)
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float numpy array (it is perturbed in place), got {type(x).__name__}"
                        + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    grad = np.zeros_like(x)
    base = float(f(x)) if method == "forward" else None
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            plus = float(f(x))
            if method == "forward":
                grad[index] = (plus - base) / h
            else:
                x[index] = original - h
                grad[index] = (plus - float(f(x))) / (2 * h)
        finally:
            x[index] = original
    return grad
