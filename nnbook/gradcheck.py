"""Gradient checking: compare backprop with central differences.

The relative error is norm-wise, ||a - b|| / (||a|| + ||b||). In float64 with central
differences (h around 1e-5) expect, for a correct backward pass on a smooth network:

- below ``GOOD`` = 1e-7: correct;
- up to ``ACCEPTABLE`` = 1e-5: usually fine (for example near ReLU's kink or with float noise);
- ``BAD`` = 1e-2 and above: almost certainly a bug in the backward pass.
"""

from __future__ import annotations

import numpy as np

from .losses import Loss

GOOD = 1e-7
ACCEPTABLE = 1e-5
BAD = 1e-2


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), 0 when both are zero. a and b must have the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}, got {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def gradient_check(net, x: np.ndarray, y: np.ndarray, loss: str | Loss = "half_mse", h: float = 1e-5) -> list[dict]:
    """Backprop against central differences, layer by layer.

    Returns one dict per layer: {"layer": index, "dW": relative error, "db": relative error}.
    """
    _, exact = net.gradients(x, y, loss, method="backprop")
    _, approx = net.gradients(x, y, loss, method="numerical", difference="central", h=h)
    return [
        {"layer": i, "dW": relative_error(dw, nw), "db": relative_error(db, nb)}
        for i, ((dw, db), (nw, nb)) in enumerate(zip(exact, approx))
    ]
