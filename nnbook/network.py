"""A deep neural network: a stack of Dense layers, with gradients three ways."""

from __future__ import annotations

import copy as _copy
from collections.abc import Sequence

import numpy as np

from . import gradients as _gradients
from ._checks import as_float_array, choice, positive_float, positive_int, rng_from
from .layers import Cache, Dense
from .losses import Loss, get_loss

Array = np.ndarray

GRADIENT_METHODS = ("backprop", "numerical", "numerical-loop")
DIFFERENCES = ("forward", "central")


def parameter_count(hidden_depth: int, num_neuron: int, num_inputs: int, num_outputs: int) -> int:
    """Trainable parameters of DNN(hidden_depth, num_neuron, num_inputs, num_outputs), in closed form:

    P = (n_in + 1) m + (d - 1)(m + 1) m + (m + 1) n_out,
    with d hidden layers of m units: weights plus one bias per unit, layer by layer.
    """
    d, m = positive_int(hidden_depth, "hidden_depth"), positive_int(num_neuron, "num_neuron")
    n_in, n_out = positive_int(num_inputs, "num_inputs"), positive_int(num_outputs, "num_outputs")
    return (n_in + 1) * m + (d - 1) * (m + 1) * m + (m + 1) * n_out


def parameter_count_from_sizes(sizes: Sequence[int]) -> int:
    """Trainable parameters of a stack with layer sizes [n_0, n_1, ..., n_L]: sum of (n_{l-1} + 1) n_l."""
    sizes = _checked_sizes(sizes)
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def _checked_sizes(sizes: Sequence[int]) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer widths, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must name at least an input and an output width, got {list(sizes)}")
    return [positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes)]


def _integer_labels(y: Array) -> bool:
    """Whether y holds integers (class labels, kept as they are) rather than float targets."""
    try:
        return np.asarray(y).dtype.kind in "iu"
    except ValueError:  # ragged lists: as_float_array reports them
        return False


class DNN:
    """A fully connected network, batch-first: `net(x)` for x of shape (batch, num_inputs) or (num_inputs,).

    Parameters
    ----------
    hidden_depth : number of hidden layers (so hidden_depth + 1 Dense layers).
    num_neuron : width of every hidden layer.
    num_inputs, num_outputs : input features and outputs.
    activation : of the hidden layers ("sigmoid", "tanh", "relu", "identity").
    output_activation : of the last layer; None means the same as `activation` (as in S1),
        "identity" gives a linear output (S3, S5), "softmax" probabilities (S4).
    seed : int or numpy Generator; the layers draw their weights from it in order.
    init, scale, dtype : see `nnbook.layers.Dense`.

    `DNN.from_sizes([n_0, ..., n_L], ...)` builds any stack of widths.
    """

    def __init__(
        self, hidden_depth: int, num_neuron: int, num_inputs: int, num_outputs: int,
        activation: str = "sigmoid", output_activation: str | None = None, *,
        seed: int | np.random.Generator | None = None, init: str = "normal", scale: float = 0.01,
        dtype: type = np.float64,
    ) -> None:
        d, m = positive_int(hidden_depth, "hidden_depth"), positive_int(num_neuron, "num_neuron")
        n_in, n_out = positive_int(num_inputs, "num_inputs"), positive_int(num_outputs, "num_outputs")
        self._build([n_in] + [m] * d + [n_out], activation, output_activation, seed, init, scale, dtype)

    @classmethod
    def from_sizes(
        cls, sizes: Sequence[int], activation: str = "sigmoid", output_activation: str | None = None, *,
        seed: int | np.random.Generator | None = None, init: str = "normal", scale: float = 0.01,
        dtype: type = np.float64,
    ) -> DNN:
        """A network with layer widths `sizes` = [inputs, hidden..., outputs]."""
        net = cls.__new__(cls)
        net._build(_checked_sizes(sizes), activation, output_activation, seed, init, scale, dtype)
        return net

    def _build(self, sizes, activation, output_activation, seed, init, scale, dtype) -> None:
        rng = rng_from(seed)
        last = activation if output_activation is None else output_activation
        self.layers: list[Dense] = [
            Dense(n_in, n_out, activation if i < len(sizes) - 2 else last, seed=rng, init=init, scale=scale, dtype=dtype)
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
        ]

    # ---- shape and size ----
    @property
    def sizes(self) -> list[int]:
        """Layer widths [inputs, hidden..., outputs]."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def n_params(self) -> int:
        """Number of trainable parameters (all weights and biases)."""
        return sum(layer.n_params for layer in self.layers)

    @property
    def dtype(self) -> np.dtype:
        return self.layers[0].dtype

    def parameters(self) -> list[tuple[Array, Array]]:
        """The live (W, b) arrays of every layer, in order."""
        return [(layer.W, layer.b) for layer in self.layers]

    def copy(self) -> DNN:
        """An independent copy (weights copied)."""
        return _copy.deepcopy(self)

    def __repr__(self) -> str:
        acts = [layer.activation.name for layer in self.layers]
        return f"DNN(sizes={self.sizes}, activations={acts}, n_params={self.n_params})"

    # ---- forward ----
    def check_input(self, x: Array, name: str = "x") -> Array:
        """x as (batch, num_inputs), checked; a single sample becomes a batch of one."""
        return self.layers[0].check_input(x, name)

    def check_targets(
        self, x: Array, y: Array, loss: str | Loss, x_name: str = "x", y_name: str = "y"
    ) -> tuple[Array, Array, Loss]:
        """Checked (x, y, loss) as 2-D x and y (or 1-D integer labels), one row of y per sample of x.
        Error messages call the arguments `x_name` and `y_name`."""
        loss = get_loss(loss)
        x2 = self.check_input(x, x_name)
        y_arr = np.asarray(y) if _integer_labels(y) else as_float_array(y, y_name)
        if np.ndim(x) == 1:  # a single sample: add the batch axis to its target as well
            y_arr = y_arr[None]
        if y_arr.ndim == 0 or y_arr.shape[0] != x2.shape[0]:
            raise ValueError(
                f"{y_name} must have one row per sample of {x_name} ({x2.shape[0]} samples), got shape {np.shape(y)}"
            )
        y2 = loss.targets(np.empty((x2.shape[0], self.layers[-1].n_out), dtype=self.dtype), y_arr, y_name)
        if y2.dtype.kind == "f" and y2.dtype != self.dtype:
            y2 = y2.astype(self.dtype)
        return x2, y2, loss

    def __call__(self, x: Array) -> Array:
        """The network's output, (batch, num_outputs), or (num_outputs,) for a single sample."""
        x2 = self.check_input(x)
        out = self._output(x2)
        return out[0] if np.ndim(x) == 1 else out

    def _output(self, x: Array) -> Array:
        """Forward pass of a checked 2-D x, nothing kept."""
        for layer in self.layers:
            x = layer.activation.function(x @ layer.W + layer.b)
        return x

    def forward(self, x: Array) -> tuple[Array, list[Cache]]:
        """Output (batch, num_outputs) and every layer's cache for `backward`."""
        return self._forward(self.check_input(x))

    def _forward(self, a: Array) -> tuple[Array, list[Cache]]:
        """`forward` of a checked 2-D x."""
        caches = []
        for layer in self.layers:
            a, cache = layer.forward(a)
            caches.append(cache)
        return a, caches

    def backward(self, caches: list[Cache], grad_out: Array) -> list[tuple[Array, Array]]:
        """Backpropagate dL/d(output) through the layers: [(dW, db) per layer]."""
        grads = []
        grad = grad_out
        for i in range(len(self.layers) - 1, -1, -1):
            grad, dW, db = self.layers[i].backward(caches[i], grad, need_dx=i > 0)
            grads.append((dW, db))
        return grads[::-1]

    # ---- loss and prediction ----
    def loss(self, x: Array, y: Array, loss: str | Loss = "half_mse") -> float:
        """The loss of the network's output on (x, y)."""
        x2, y2, loss = self.check_targets(x, y, loss)
        return float(loss.function(self._output(x2), y2))

    def predict(self, x: Array) -> Array:
        """Class labels: the index of the largest output per sample."""
        return np.argmax(self(x), axis=-1)

    def accuracy(self, x: Array, labels: Array) -> float:
        """Fraction of samples whose predicted class equals `labels` (integers, or one-hot rows)."""
        x2 = self.check_input(x)
        labels = np.asarray(labels)
        if labels.ndim == 2:
            labels = labels.argmax(axis=1)
        if labels.shape != (x2.shape[0],):
            raise ValueError(f"labels must have shape ({x2.shape[0]},) to match x, got {labels.shape}")
        return float(np.mean(np.argmax(self._output(x2), axis=1) == labels))

    # ---- gradients ----
    def gradients(
        self, x: Array, y: Array, loss: str | Loss = "half_mse", method: str = "backprop",
        difference: str = "central", h: float = 1e-4,
    ) -> tuple[float, list[tuple[Array, Array]]]:
        """The loss and its gradient with respect to every weight and bias.

        Parameters
        ----------
        x, y : inputs (batch, num_inputs) and targets (batch, num_outputs) or integer labels (batch,).
        loss : a loss name (see `nnbook.losses`).
        method : "backprop" (exact, vectorized over the batch), "numerical" (finite differences,
            vectorized and chunked), or "numerical-loop" (finite differences one scalar at a time,
            the sources' literal method).
        difference, h : the finite difference ("forward" or "central") and its step, for the
            numerical methods.

        Returns
        -------
        (loss value, [(dW, db) for each layer]), each gradient shaped like its parameter.
        """
        x2, y2, loss = self.check_targets(x, y, loss)
        choice(method, "method", GRADIENT_METHODS)
        choice(difference, "difference", DIFFERENCES)
        h = positive_float(h, "h")
        if method == "backprop":
            return _gradients.backprop(self, x2, y2, loss)
        if method == "numerical-loop":
            return _gradients.numerical_loop(self, x2, y2, loss, difference, h)
        return _gradients.numerical_vectorized(self, x2, y2, loss, difference, h)
