"""Activation functions, their derivatives, and the stable forms that never overflow.

Every function takes an array `z` of pre-activations and works elementwise, except
`softmax`, which normalises along an axis (the last one by default: one row per sample).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import choice

Array = np.ndarray


def _float_dtype(z: Array) -> np.dtype:
    """The floating dtype results take: z's own if it is floating, float64 otherwise."""
    return np.result_type(np.asarray(z).dtype, np.float16)


def naive_sigmoid(z: Array) -> Array:
    """The textbook 1 / (1 + exp(-z)); `exp` overflows (with a warning) for z below about -709."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid(z: Array) -> Array:
    """Logistic sigmoid 1 / (1 + exp(-z)), for any finite z without a warning or a nan.

    The one risk is exp(-z) overflowing for z below about -709. It overflows to inf, and
    1 / (1 + inf) = 0, which is the right answer in float64 (the true value is below 1e-308),
    so that overflow is harmless and silenced. Working in place in one fresh array keeps it fast.
    """
    out = np.empty(np.shape(z), dtype=_float_dtype(z))
    np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def sigmoid_derivative(z: Array) -> Array:
    """d sigmoid / dz = s (1 - s)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: Array) -> Array:
    """Hyperbolic tangent (NumPy's is already stable)."""
    return np.tanh(z)


def tanh_derivative(z: Array) -> Array:
    """d tanh / dz = 1 - tanh(z)**2."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z: Array) -> Array:
    """Rectified linear unit max(z, 0)."""
    return np.maximum(z, 0.0)


def relu_derivative(z: Array) -> Array:
    """d relu / dz: 1 where z > 0, else 0 (we take 0 at the kink z = 0)."""
    return (np.asarray(z) > 0).astype(np.result_type(z, np.float32))


def identity(z: Array) -> Array:
    """The identity, for linear output layers."""
    return np.asarray(z)


def identity_derivative(z: Array) -> Array:
    """d z / dz = 1."""
    return np.ones_like(np.asarray(z, dtype=np.result_type(z, np.float32)))


def naive_softmax(z: Array, axis: int = -1) -> Array:
    """exp(z) / sum(exp(z)) as written; overflows to inf/inf = nan for large z."""
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax(z: Array, axis: int = -1) -> Array:
    """Softmax along `axis`, stable: subtracting the max changes nothing mathematically
    and keeps every exponent <= 0."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(z: Array) -> Array:
    """Jacobian d softmax(z)_i / d z_j = s_i (delta_ij - s_j) of a 1-D z, shape (n, n)."""
    z = np.asarray(z)
    if z.ndim != 1:
        raise ValueError(f"z must be 1-D for softmax_jacobian, got shape {z.shape}")
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


def _sigmoid_backward(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a * a * (1.0 - a)


def _relu_backward(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a * (z > 0)  # a boolean mask keeps grad_a's dtype


def _tanh_backward(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a * (1.0 - a * a)


def _identity_backward(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a


def _softmax_backward(z: Array, a: Array, grad_a: Array) -> Array:
    # Row by row this is J^T grad_a with J = diag(s) - s s^T, without building J.
    return a * (grad_a - (grad_a * a).sum(axis=-1, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """An activation by name: the function, its elementwise derivative (None for softmax,
    which is not elementwise) and its backward pass grad_z = (d a / d z)^T grad_a."""

    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array], Array] | None
    _backward: Callable[[Array, Array, Array], Array]

    def __call__(self, z: Array) -> Array:
        return self.function(z)

    def forward(self, z: Array) -> Array:
        """a = activation(z)."""
        return self.function(z)

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        """dL/dz from dL/da, given the pre-activation z and the output a = activation(z)."""
        return self._backward(z, a, grad_a)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative, _sigmoid_backward),
    "tanh": Activation("tanh", tanh, tanh_derivative, _tanh_backward),
    "relu": Activation("relu", relu, relu_derivative, _relu_backward),
    "identity": Activation("identity", identity, identity_derivative, _identity_backward),
    "softmax": Activation("softmax", softmax, None, _softmax_backward),
}


def get_activation(name: str | Activation) -> Activation:
    """Look an activation up by name ("sigmoid", "tanh", "relu", "identity", "softmax")."""
    if isinstance(name, Activation):
        return name
    return ACTIVATIONS[choice(name, "activation", ACTIVATIONS)]
