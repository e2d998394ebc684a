"""Gradient descent: one step, and a training loop that records its history."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import choice, positive_float, positive_int, rng_from
from .network import DIFFERENCES, DNN, GRADIENT_METHODS

Array = np.ndarray
Grads = list[tuple[Array, Array]]


class TrainingDivergedError(FloatingPointError):
    """The loss became inf or nan during training."""


def _check_momentum(momentum: float) -> None:
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")


def _check_grads(grads: Grads, net: DNN, name: str) -> None:
    """One (dW, db) pair per layer, each shaped like its parameter: an update never broadcasts."""
    if isinstance(grads, (str, bytes)) or not hasattr(grads, "__len__") or len(grads) != len(net.layers):
        count = len(grads) if hasattr(grads, "__len__") else type(grads).__name__
        raise ValueError(f"{name} must hold one (dW, db) pair per layer ({len(net.layers)}), got {count}")
    for i, (layer, pair) in enumerate(zip(net.layers, grads)):
        if len(pair) != 2:
            raise ValueError(f"{name}[{i}] must be a (dW, db) pair, got {len(pair)} items")
        for what, grad, param in (("dW", pair[0], layer.W), ("db", pair[1], layer.b)):
            if np.shape(grad) != param.shape:
                raise ValueError(f"{name}[{i}] {what} must have shape {param.shape} like layer {i}'s parameter, "
                                 f"got shape {np.shape(grad)}")


def sgd_step(net: DNN, grads: Grads, lr: float, velocity: Grads | None = None, momentum: float = 0.0) -> Grads | None:
    """Update every W and b in place: p -= lr * dp, or with momentum v = momentum * v - lr * dp; p += v.

    The arrays themselves are updated (`net.parameters()` stays valid). Returns the new velocity
    (None without momentum); pass it back in on the next step.
    """
    lr = positive_float(lr, "lr")
    _check_momentum(momentum)
    _check_grads(grads, net, "grads")
    if velocity is not None:
        _check_grads(velocity, net, "velocity")
    return _update(net, grads, lr, velocity, momentum)


def _update(net: DNN, grads: Grads, lr: float, velocity: Grads | None, momentum: float) -> Grads | None:
    """`sgd_step` of arguments already checked (the training loop checks them once)."""
    if momentum == 0.0:
        for layer, (dW, db) in zip(net.layers, grads):
            W, b = layer.W, layer.b  # update the arrays in place, not through the (copying) setters
            W -= lr * dW
            b -= lr * db
        return None
    if velocity is None:
        velocity = [(np.zeros_like(layer.W), np.zeros_like(layer.b)) for layer in net.layers]
    new_velocity = []
    for layer, (dW, db), (vW, vb) in zip(net.layers, grads, velocity):
        vW = momentum * vW - lr * dW
        vb = momentum * vb - lr * db
        W, b = layer.W, layer.b
        W += vW
        b += vb
        new_velocity.append((vW, vb))
    return new_velocity


@dataclass
class History:
    """What `train` measured. Entry 0 is before the first update, entry e after epoch e.

    Losses are on the whole training set (and validation set); accuracies are filled in when the
    targets are integer class labels.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return max(0, len(self.loss) - 1)


def train(
    net: DNN, x: Array, y: Array, *, loss: str = "half_mse", lr: float = 0.01, epochs: int = 100,
    batch_size: int | None = None, method: str = "backprop", difference: str = "forward", h: float = 1e-4,
    momentum: float = 0.0, shuffle: bool = True, seed: int | np.random.Generator | None = None,
    x_val: Array | None = None, y_val: Array | None = None,
) -> History:
    """Train `net` in place by (mini-batch) gradient descent and return its History.

    Parameters
    ----------
    x, y : training inputs (N, num_inputs) and targets (N, num_outputs) or integer labels (N,).
    loss : a loss name (see `nnbook.losses`).
    lr, momentum : step size (> 0) and momentum in [0, 1).
    epochs : passes over the data.
    batch_size : samples per step; None for full-batch gradient descent.
    method, difference, h : how gradients are computed (see `DNN.gradients`).
    shuffle, seed : reshuffle the samples every epoch with this seed (mini-batches only).
    x_val, y_val : optional validation data, measured after every epoch.

    Raises
    ------
    TrainingDivergedError
        when the loss becomes inf or nan, naming the epoch (usually the learning rate is too large).
    """
    x2, y2, loss_fn = net.check_targets(x, y, loss)
    lr = positive_float(lr, "lr")
    epochs = positive_int(epochs, "epochs")
    _check_momentum(momentum)
    choice(method, "method", GRADIENT_METHODS)
    choice(difference, "difference", DIFFERENCES)
    h = positive_float(h, "h")
    n = x2.shape[0]
    batch_size = n if batch_size is None else positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}), got {batch_size}")
    validation = None
    if (x_val is None) != (y_val is None):
        raise ValueError("x_val and y_val must be given together")
    if x_val is not None:
        validation = net.check_targets(x_val, y_val, loss_fn, "x_val", "y_val")[:2]
    classes = np.issubdtype(y2.dtype, np.integer)
    rng = rng_from(seed)
    history = History()

    def measure(x_: Array, y_: Array) -> tuple[float, float | None]:
        """Loss and (for class labels) accuracy of the current net, from one forward pass."""
        out = net._output(x_)
        accuracy = float(np.mean(np.argmax(out, axis=1) == y_)) if classes else None
        return float(loss_fn.function(out, y_)), accuracy

    def record(epoch: int) -> None:
        with np.errstate(over="ignore", invalid="ignore"):
            value, accuracy = measure(x2, y2)
            if not np.isfinite(value):
                raise TrainingDivergedError(
                    f"the training loss became {value} in epoch {epoch}: the learning rate lr={lr:g} is probably "
                    f"too large for this network and loss; try a smaller one (e.g. lr={lr / 10:g})"
                )
            history.loss.append(value)
            if classes:
                history.accuracy.append(accuracy)
            if validation is not None:
                val_loss, val_accuracy = measure(*validation)
                history.val_loss.append(val_loss)
                if classes:
                    history.val_accuracy.append(val_accuracy)

    record(0)
    velocity = None
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n) if shuffle and batch_size < n else np.arange(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported by record()
                _, grads = net.gradients(x2[batch], y2[batch], loss_fn, method=method, difference=difference, h=h)
                velocity = _update(net, grads, lr, velocity, momentum)
        record(epoch)
    return history
