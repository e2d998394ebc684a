"""The dense (fully connected) layer: a = activation(x @ W + b)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, choice, positive_float, positive_int, rng_from
from .activations import Activation, get_activation

Array = np.ndarray

INITS = ("normal", "xavier", "he", "zeros")


def init_weights(
    n_in: int, n_out: int, init: str = "normal", scale: float = 0.01, rng: np.random.Generator | None = None,
    dtype: type = np.float64,
) -> Array:
    """Initial weights of shape (n_in, n_out).

    "normal": N(0, scale**2), the sources' choice (scale 0.01);
    "xavier": N(0, 2 / (n_in + n_out)) (Glorot & Bengio 2010);
    "he": N(0, 2 / n_in) (He et al. 2015), made for ReLU;
    "zeros": all zero.
    """
    choice(init, "init", INITS)
    rng = rng_from(rng)
    std = {
        "normal": scale,
        "xavier": np.sqrt(2.0 / (n_in + n_out)),
        "he": np.sqrt(2.0 / n_in),
        "zeros": 0.0,
    }[init]
    return (rng.standard_normal((n_in, n_out)) * std).astype(dtype, copy=False)


def dense_backward(x: Array, W: Array, delta: Array) -> tuple[Array, Array, Array]:
    """Backward pass of z = x @ W + b.

    x: (batch, n_in), W: (n_in, n_out), delta = dL/dz: (batch, n_out).
    Returns dx (batch, n_in), dW (n_in, n_out), db (n_out,).
    """
    return delta @ W.T, x.T @ delta, delta.sum(axis=0)


class Cache(NamedTuple):
    """What a layer's forward pass keeps for its backward pass."""

    x: Array
    z: Array
    a: Array


class Dense:
    """A fully connected layer a = activation(x @ W + b).

    Parameters
    ----------
    n_in, n_out : numbers of inputs and outputs.
    activation : "sigmoid", "tanh", "relu", "identity" or "softmax".
    seed : int or numpy Generator for the initial weights.
    init, scale : see `init_weights`. Biases start at zero.
    dtype : float64 (default) or float32.

    `W` (n_in, n_out) and `b` (n_out,) are plain arrays: read them, change them in place, or
    assign new arrays of the same shape.
    """

    def __init__(
        self, n_in: int, n_out: int, activation: str = "sigmoid", *, seed: int | np.random.Generator | None = None,
        init: str = "normal", scale: float = 0.01, dtype: type = np.float64,
    ) -> None:
        self.n_in = positive_int(n_in, "n_in")
        self.n_out = positive_int(n_out, "n_out")
        self.activation: Activation = get_activation(activation)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        scale = positive_float(scale, "scale")
        self._W = init_weights(self.n_in, self.n_out, init, scale, rng_from(seed), self.dtype)
        self._b = np.zeros(self.n_out, dtype=self.dtype)

    @property
    def W(self) -> Array:
        """Weights, shape (n_in, n_out)."""
        return self._W

    @W.setter
    def W(self, value: Array) -> None:
        self._W = self._checked_parameter(value, "W", (self.n_in, self.n_out))

    @property
    def b(self) -> Array:
        """Biases, shape (n_out,)."""
        return self._b

    @b.setter
    def b(self, value: Array) -> None:
        self._b = self._checked_parameter(value, "b", (self.n_out,))

    def _checked_parameter(self, value: Array, name: str, shape: tuple[int, ...]) -> Array:
        arr = as_float_array(value, name)
        if arr.shape != shape:
            raise ValueError(f"{name} must have shape {shape} for a {self.n_in}->{self.n_out} layer, got shape {arr.shape}")
        return np.array(arr, dtype=self.dtype)

    @property
    def n_params(self) -> int:
        """Number of trainable parameters, n_in * n_out + n_out."""
        return self.n_in * self.n_out + self.n_out

    def check_input(self, x: Array, name: str = "x") -> Array:
        """x as a 2-D array (batch, n_in) of the layer's dtype; a single sample (n_in,) becomes a batch of one."""
        x = as_float_array(x, name, ndim=(1, 2))
        if x.shape[-1] != self.n_in:
            raise ValueError(
                f"{name} has {x.shape[-1]} features per sample but the layer expects {self.n_in} ({name}.shape={x.shape})"
            )
        x = x.astype(self.dtype, copy=False)  # a float32 layer computes in float32 whatever the input
        return x.reshape(1, -1) if x.ndim == 1 else x

    def __call__(self, x: Array) -> Array:
        """activation(x @ W + b) for x of shape (batch, n_in) or (n_in,)."""
        a = self.activation(self.check_input(x) @ self._W + self._b)
        return a[0] if np.ndim(x) == 1 else a

    def forward(self, x: Array) -> tuple[Array, Cache]:
        """Output a (batch, n_out) and the cache (x, z, a) for `backward`; x must be 2-D and checked."""
        z = x @ self._W
        z += self._b
        a = self.activation(z)
        return a, Cache(x, z, a)

    def backward(self, cache: Cache, grad_a: Array, need_dx: bool = True) -> tuple[Array | None, Array, Array]:
        """From dL/da (batch, n_out) to (dx, dW, db); dx is None when `need_dx` is false."""
        delta = self.activation.backward(cache.z, cache.a, grad_a)
        if not need_dx:
            return None, cache.x.T @ delta, delta.sum(axis=0)
        return dense_backward(cache.x, self._W, delta)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r})"
