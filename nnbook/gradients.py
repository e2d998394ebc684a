"""A network's gradient three ways: backprop, finite differences one scalar at a time, and the
same finite differences vectorized.

All three take checked 2-D inputs (see `DNN.gradients`, the public entry point) and return
(loss value, [(dW, db) per layer]).
"""

from __future__ import annotations

import numpy as np

from .losses import Loss, one_hot
from .numdiff import numerical_gradient

Array = np.ndarray
Grads = list[tuple[Array, Array]]

MAX_EXTRA_BYTES = 256 * 2**20  # memory budget of the vectorized numerical gradient
MAX_ROWS_PER_CHUNK = 4096  # perturbed samples pushed through the network at once (cache-friendly)


def backprop(net, x: Array, y: Array, loss: Loss) -> tuple[float, Grads]:
    """Exact gradient by backpropagation: one forward pass keeping activations, one backward pass."""
    out, caches = net.forward(x)
    return float(loss.function(out, y)), net.backward(caches, loss.derivative(out, y))


def _dense_targets(net, y: Array, loss: Loss) -> Array:
    """Integer labels as one-hot rows, so the many loss evaluations below skip the conversion."""
    if loss.takes_labels and np.issubdtype(y.dtype, np.integer):
        return one_hot(y, net.sizes[-1]).astype(net.dtype)
    return y


def numerical_loop(net, x: Array, y: Array, loss: Loss, difference: str, h: float) -> tuple[float, Grads]:
    """The sources' method: nudge one weight or bias, rerun the whole network, compare losses.

    One forward pass per scalar (two for central differences): O(P) passes of O(P) work each.
    """
    y = _dense_targets(net, y, loss)

    def current_loss(_: Array) -> float:
        return loss.function(net._output(x), y)

    value = current_loss(x)
    grads = [
        (numerical_gradient(current_loss, layer.W, h, difference), numerical_gradient(current_loss, layer.b, h, difference))
        for layer in net.layers
    ]
    return float(value), grads


def numerical_vectorized(
    net, x: Array, y: Array, loss: Loss, difference: str, h: float, max_bytes: int | None = None
) -> tuple[float, Grads]:
    """The same finite differences as `numerical_loop`, computed many perturbations at a time.

    Nudging W[i, j] (or b[j]) of layer l by h only shifts column j of that layer's
    pre-activation z, by h * x[:, i] (or h). So for a chunk of C nudges we build the C shifted
    columns at once, and push the C perturbed copies of the batch through the rest of the network
    as one stacked batch through BLAS. With an elementwise activation only one column of the
    layer's output changes too, so the next layer's input changes by a rank-one term and its
    matrix product is replaced by an outer product. Chunks keep the extra memory under `max_bytes`.
    """
    max_bytes = MAX_EXTRA_BYTES if max_bytes is None else max_bytes
    y = _dense_targets(net, y, loss)
    out, caches = net.forward(x)
    base = float(loss.function(out, y))
    steps = (h,) if difference == "forward" else (h, -h)
    batch = x.shape[0]
    grads = []
    for l, layer in enumerate(net.layers):
        inputs = np.concatenate([caches[l].x, np.ones((batch, 1), dtype=net.dtype)], axis=1)  # bias = weight on a 1
        widest = max(n for n in net.sizes[l + 1:])
        per_copy = batch * widest * np.dtype(net.dtype).itemsize * 6  # a few live (C, B, width) arrays
        chunk = int(max(1, min(max_bytes // per_copy, max(1, MAX_ROWS_PER_CHUNK // batch))))
        n = inputs.shape[1] * layer.n_out
        g = np.empty(n)
        for start in range(0, n, chunk):
            rows, cols = np.divmod(np.arange(start, min(n, start + chunk)), layer.n_out)
            losses = [_perturbed_losses(net, l, caches, inputs, rows, cols, step, y, loss) for step in steps]
            g[start:start + rows.size] = (losses[0] - base) / h if len(steps) == 1 else (losses[0] - losses[1]) / (2 * h)
        g = g.reshape(inputs.shape[1], layer.n_out).astype(net.dtype, copy=False)
        grads.append((np.ascontiguousarray(g[:-1]), g[-1].copy()))
    return base, grads


def _perturbed_losses(net, l: int, caches, inputs: Array, rows: Array, cols: Array, step: float, y: Array, loss: Loss) -> Array:
    """Loss after nudging parameter (rows[c], cols[c]) of layer l by `step`, for each c: shape (C,)."""
    layer, cache = net.layers[l], caches[l]
    copies = rows.size
    z_col = cache.z.T[cols] + step * inputs.T[rows]  # (C, B): the one column of z each nudge moves
    if layer.activation.derivative is not None and l + 1 < len(net.layers):
        # Elementwise activation: only a[:, j] moves; the next layer's z moves by (change) * W_next[j, :].
        nxt = net.layers[l + 1]
        change = layer.activation.function(z_col)
        change -= cache.a.T[cols]
        z = nxt.W[cols][:, None, :] * change[:, :, None]  # (C, B, n_next), then in place
        z += caches[l + 1].z
        out = nxt.activation.function(z)
        first_full = l + 2
    else:
        z = np.repeat(cache.z[None], copies, axis=0)
        z[np.arange(copies), :, cols] = z_col
        out = layer.activation.function(z)
        first_full = l + 1
    for later in net.layers[first_full:]:
        z = out.reshape(-1, later.n_in) @ later.W  # one BLAS call for all copies
        z += later.b
        out = later.activation.function(z.reshape(copies, -1, later.n_out))
    return loss.function(out, np.broadcast_to(y, out.shape))
