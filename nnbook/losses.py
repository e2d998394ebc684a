"""Loss functions with their gradients.

`h` is the network's output and `y` the target, both batch-first `(batch, k)` (a single
sample `(k,)` counts as a batch of one). Every gradient is dL/dh, shaped like `h`.

=========================  ===============================================  =========
name                       L(h, y)                                          used by
=========================  ===============================================  =========
``mse``                    mean((h - y)**2) over every entry
``half_mse``               1/2 * mean((h - y)**2)                           S1
``sse``                    sum((h - y)**2)                                  S3
``half_sse_mean``          1/B * sum_i 1/2 * ||h_i - y_i||**2               S5
``cross_entropy``          -1/B * sum(t * log(p + delta)), p probabilities  S4
``softmax_cross_entropy``  cross_entropy(softmax(h), t), via log-softmax
=========================  ===============================================  =========

B is the number of samples. For the two cross-entropies the target `t` is one-hot `(B, k)`
or integer class labels `(B,)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, choice, positive_int

Array = np.ndarray

CROSS_ENTROPY_DELTA = 1e-7


def _batch_size(h: Array) -> int:
    return 1 if h.ndim < 2 else h.shape[-2]


def _total(v: Array) -> Array | float:
    """Sum over the sample and output axes (the last two). Stacked copies `(C, B, k)` of a batch,
    as the vectorized numerical gradient makes, give one loss per copy."""
    total = v.sum() if v.ndim < 2 else v.sum(axis=(-2, -1))
    return float(total) if np.ndim(total) == 0 else total


def _pair(h: Array, y: Array) -> tuple[Array, Array]:
    """h and y as arrays of one shape: a squared error never broadcasts a target silently."""
    h, y = np.asarray(h), np.asarray(y)
    if h.shape != y.shape:
        raise ValueError(f"y must have the prediction's shape {h.shape}, got shape {y.shape}")
    return h, y


def mse(h: Array, y: Array) -> float:
    """Mean squared error mean((h - y)**2)."""
    h, y = _pair(h, y)
    return _total((h - y) ** 2) / (h.shape[-1] * _batch_size(h))


def mse_gradient(h: Array, y: Array) -> Array:
    """d mse / dh = 2 (h - y) / N, N the number of entries."""
    h, y = _pair(h, y)
    return 2.0 * (h - y) / (h.shape[-1] * _batch_size(h))


def half_mse(h: Array, y: Array) -> float:
    """Half the mean squared error, 1/2 * mean((h - y)**2), the loss of S1."""
    h, y = _pair(h, y)
    return 0.5 * _total((h - y) ** 2) / (h.shape[-1] * _batch_size(h))


def half_mse_gradient(h: Array, y: Array) -> Array:
    """d half_mse / dh = (h - y) / N, N the number of entries."""
    h, y = _pair(h, y)
    return (h - y) / (h.shape[-1] * _batch_size(h))


def sse(h: Array, y: Array) -> float:
    """Sum of squared errors sum((h - y)**2), the loss of S3."""
    h, y = _pair(h, y)
    return _total((h - y) ** 2)


def sse_gradient(h: Array, y: Array) -> Array:
    """d sse / dh = 2 (h - y)."""
    h, y = _pair(h, y)
    return 2.0 * (h - y)


def half_sse_mean(h: Array, y: Array) -> float:
    """1/B * sum over samples of 1/2 * ||h_i - y_i||**2, the loss of S5."""
    h, y = _pair(h, y)
    per_sample = 0.5 * ((h - y) ** 2).sum(axis=-1)  # summed in the source's order, sample by sample
    total = per_sample.sum(axis=-1) if per_sample.ndim else per_sample
    return (float(total) if np.ndim(total) == 0 else total) / _batch_size(h)


def half_sse_mean_gradient(h: Array, y: Array) -> Array:
    """d half_sse_mean / dh = (h - y) / B."""
    h, y = _pair(h, y)
    return (h - y) / _batch_size(h)


def check_labels(labels: Array, n_classes: int, name: str = "labels") -> Array:
    """`labels` as an integer array with every value in [0, n_classes), or raise naming `name`."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{name} must be integers, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"{name} must lie in [0, {n_classes - 1}] for {n_classes} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def one_hot(labels: Array, n_classes: int, dtype: type = np.float64) -> Array:
    """Integer labels (B,) -> one-hot rows (B, n_classes) of `dtype`."""
    n_classes = positive_int(n_classes, "n_classes")
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integers, got {labels.dtype} with shape {labels.shape}")
    check_labels(labels, n_classes)
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out


def _are_labels(t: Array, h: Array) -> bool:
    """Whether t holds one integer class label per row of h (rather than rows shaped like h)."""
    return t.dtype.kind in "iu" and t.ndim == h.ndim - 1


def _as_targets(t: Array, h: Array) -> tuple[Array, Array]:
    """(h, t) as arrays for the cross-entropies: integer labels become one-hot rows shaped like h."""
    h, t = np.asarray(h), np.asarray(t)
    if _are_labels(t, h):
        t = one_hot(t.reshape(-1), h.shape[-1], np.result_type(h.dtype, np.float16)).reshape(h.shape)
    elif t.shape != h.shape:
        raise ValueError(f"t must be one-hot with the prediction's shape {h.shape} or integer labels, got shape {t.shape}")
    return h, t


def cross_entropy(p: Array, t: Array, delta: float = CROSS_ENTROPY_DELTA) -> float:
    """-1/B * sum(t * log(p + delta)) on probabilities p; `delta` keeps log away from log(0)."""
    p, t = _as_targets(t, p)
    return -_total(t * np.log(p + delta)) / _batch_size(p)


def cross_entropy_gradient(p: Array, t: Array, delta: float = CROSS_ENTROPY_DELTA) -> Array:
    """d cross_entropy / dp = -t / (p + delta) / B."""
    p, t = _as_targets(t, p)
    return -t / (p + delta) / _batch_size(p)


def log_softmax(z: Array) -> Array:
    """log(softmax(z)) along the last axis, computed without forming softmax (no log(0))."""
    z = np.asarray(z)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _label_positions(labels: Array, h: Array, name: str = "t") -> Array:
    """Where each sample's labelled class sits in h flattened: picks one entry per row without one-hot rows."""
    n_classes = h.shape[-1]
    return np.arange(labels.size) * n_classes + check_labels(labels, n_classes, name).reshape(-1)


def softmax_cross_entropy(logits: Array, t: Array) -> float:
    """Cross-entropy of softmax(logits) against t, -1/B * sum(t * log_softmax(logits)); stable for any logits.
    With integer labels the sum is one log-probability per sample, picked without building one-hot rows."""
    logits, t = np.asarray(logits), np.asarray(t)
    if _are_labels(t, logits):
        picked = log_softmax(logits).reshape(-1)[_label_positions(t, logits)]
        return -float(picked.sum()) / _batch_size(logits)
    logits, t = _as_targets(t, logits)
    return -_total(t * log_softmax(logits)) / _batch_size(logits)


def softmax_cross_entropy_and_gradient(logits: Array, t: Array) -> tuple[float, Array]:
    """softmax_cross_entropy and its gradient (softmax(logits) - t) / B, sharing one softmax."""
    logits, t = np.asarray(logits), np.asarray(t)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    grad = np.exp(shifted)
    row_sums = grad.sum(axis=-1, keepdims=True)
    grad /= row_sums  # softmax(logits); its log is shifted - log(row_sums)
    if _are_labels(t, logits):
        positions = _label_positions(t, logits)
        total = float((shifted.reshape(-1)[positions] - np.log(row_sums).reshape(-1)).sum())
        grad.reshape(-1)[positions] -= 1
    else:
        t = _as_targets(t, logits)[1]
        total = _total(t * (shifted - np.log(row_sums)))
        grad -= t
    batch = _batch_size(logits)
    grad /= batch
    return -total / batch, grad


def softmax_cross_entropy_gradient(logits: Array, t: Array) -> Array:
    """d softmax_cross_entropy / d logits = (softmax(logits) - t) / B (for targets summing to 1)."""
    return softmax_cross_entropy_and_gradient(logits, t)[1]


@dataclass(frozen=True)
class Loss:
    """A loss by name: `value(h, y)` and `gradient(h, y)` = dL/dh. `value` and `gradient` check
    their arguments; `function` and `derivative` are the bare formulas used in inner loops."""

    name: str
    function: Callable[[Array, Array], float]
    derivative: Callable[[Array, Array], Array]
    takes_labels: bool = False
    both: Callable[[Array, Array], tuple[float, Array]] | None = None  # (function, derivative) in one pass

    def function_and_derivative(self, h: Array, y: Array) -> tuple[float, Array]:
        """The bare (function(h, y), derivative(h, y)), from one shared pass where the loss has one."""
        if self.both is not None:
            return self.both(h, y)
        return self.function(h, y), self.derivative(h, y)

    def targets(self, h: Array, y: Array, name: str = "y") -> Array:
        """Check `y` against the prediction `h` and return it as an array (errors call it `name`)."""
        h = np.asarray(h)
        y_arr = np.asarray(y)
        if self.takes_labels and _are_labels(y_arr, h):
            if y_arr.shape != h.shape[:-1]:
                raise ValueError(f"{name} holds {y_arr.shape} labels but the prediction has shape {h.shape}")
            check_labels(y_arr, h.shape[-1], name)
            return y_arr
        y_arr = as_float_array(y, name)
        if y_arr.shape != h.shape:
            raise ValueError(
                f"{name} must have the prediction's shape {h.shape} for loss {self.name!r}, got shape {y_arr.shape}"
            )
        return y_arr

    def value(self, h: Array, y: Array) -> float:
        """The loss L(h, y) as a float."""
        h = as_float_array(h, "h")
        return self.function(h, self.targets(h, y))

    def gradient(self, h: Array, y: Array) -> Array:
        """dL/dh, shaped like h."""
        h = as_float_array(h, "h")
        return self.derivative(h, self.targets(h, y))

    def __call__(self, h: Array, y: Array) -> float:
        return self.value(h, y)

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_gradient),
    "half_mse": Loss("half_mse", half_mse, half_mse_gradient),
    "sse": Loss("sse", sse, sse_gradient),
    "half_sse_mean": Loss("half_sse_mean", half_sse_mean, half_sse_mean_gradient),
    "cross_entropy": Loss("cross_entropy", cross_entropy, cross_entropy_gradient, takes_labels=True),
    "softmax_cross_entropy": Loss(
        "softmax_cross_entropy", softmax_cross_entropy, softmax_cross_entropy_gradient, takes_labels=True,
        both=softmax_cross_entropy_and_gradient,
    ),
}


def get_loss(name: str | Loss) -> Loss:
    """Look a loss up by name (see the module docstring for the formulas)."""
    if isinstance(name, Loss):
        return name
    return LOSSES[choice(name, "loss", LOSSES)]
