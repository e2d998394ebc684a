"""A network's gradient three ways: backprop, finite differences one scalar at a time, and the
same finite differences vectorized.

All three take checked 2-D inputs (see `DNN.gradients`, the public entry point) and return
(loss value, [(dW, db) per layer]).
"""

from __future__ import annotations

import itertools
import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

import numpy as np

from .losses import CROSS_ENTROPY_DELTA, Loss, one_hot
from .numdiff import numerical_gradient

Array = np.ndarray
Grads = list[tuple[Array, Array]]

MAX_EXTRA_BYTES = 256 * 2**20  # memory budget of the vectorized numerical gradient
MAX_ROWS_PER_CHUNK = 4096  # perturbed samples pushed through the network at once (cache-friendly)
SHORTCUT_BLOCK_ENTRIES = 2**16  # entries of each (samples, I, J) array of the softmax shortcut (cache-friendly)
THREADS_LIMIT = 4  # the vectorized numerical gradient never uses more threads than this


def _default_threads() -> int:
    """NNBOOK_NUM_THREADS if it is set, else the cores this process may use (at most THREADS_LIMIT)."""
    value = os.environ.get("NNBOOK_NUM_THREADS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"NNBOOK_NUM_THREADS must be a positive integer, got {value!r}")
        return min(THREADS_LIMIT, int(value))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(THREADS_LIMIT, cores)


MAX_THREADS = _default_threads()  # threads of the vectorized numerical gradient


def backprop(net, x: Array, y: Array, loss: Loss) -> tuple[float, Grads]:
    """Exact gradient by backpropagation: one forward pass keeping activations, one backward pass."""
    out, caches = net._forward(x)
    value, grad_out = loss.function_and_derivative(out, y)
    return float(value), net.backward(caches, grad_out)


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
    matrix product is replaced by an outer product. A layer that feeds a softmax cross-entropy
    output takes a shortcut (`_softmax_tail_losses`). Chunks keep the extra memory under
    `max_bytes`. They are independent, so up to MAX_THREADS threads share them (NumPy releases
    the GIL inside its loops); the chunks and the order in which their results are combined do
    not depend on the number of threads, so neither do the numbers.
    """
    threads = max(1, min(THREADS_LIMIT, int(MAX_THREADS)))
    # per chunk; at most 2 * THREADS_LIMIT chunks are live at once, whatever `threads` is
    budget = (MAX_EXTRA_BYTES if max_bytes is None else max_bytes) // (2 * THREADS_LIMIT)
    y = _dense_targets(net, y, loss)
    out, caches = net._forward(x)
    base = float(loss.function(out, y))
    steps = (h,) if difference == "forward" else (h, -h)
    batch, itemsize = x.shape[0], np.dtype(net.dtype).itemsize

    def quotient(losses: list[Array]) -> Array:
        return (losses[0] - base) / h if len(losses) == 1 else (losses[0] - losses[1]) / (2 * h)

    grads = []
    with ThreadPoolExecutor(threads) if threads > 1 else _InThisThread() as pool:
        for l, layer in enumerate(net.layers):
            inputs = np.concatenate([caches[l].x, np.ones((batch, 1), dtype=net.dtype)], axis=1)  # bias = weight on a 1
            g = np.empty((inputs.shape[1], layer.n_out))
            grads.append(g)
            per_sample = g.size * itemsize * 5  # a few live (samples, I, J) arrays
            tail = _softmax_tail(net, l, caches, inputs, y, loss, h) if per_sample <= budget else None
            if tail is not None:  # every nudge of the layer at once, a block of samples at a time
                block = int(max(1, min(budget // per_sample, SHORTCUT_BLOCK_ENTRIES // g.size)))
                blocks = [slice(s, s + block) for s in range(0, batch, block)]
                g[:] = quotient([
                    _running_sum(_in_order(pool, threads, (partial(_softmax_tail_losses, tail, b, step) for b in blocks)))
                    / batch for step in steps
                ])
                continue
            widest = max(n for n in net.sizes[l + 1:])
            per_copy = batch * widest * itemsize * 6  # a few live (C, B, width) arrays
            chunk = int(max(1, min(budget // per_copy, max(1, MAX_ROWS_PER_CHUNK // batch))))
            starts = range(0, g.size, chunk)
            jobs = (partial(_chunk_losses, net, l, caches, inputs, y, loss, steps, s, min(g.size, s + chunk)) for s in starts)
            for start, losses in zip(starts, _in_order(pool, threads, jobs)):
                g.reshape(-1)[start:start + chunk] = quotient(losses)
    return base, [(np.ascontiguousarray(g[:-1], dtype=net.dtype), g[-1].astype(net.dtype)) for g in grads]


def _chunk_losses(net, l: int, caches, inputs: Array, y: Array, loss: Loss, steps, start: int, stop: int) -> list[Array]:
    """Losses after each nudge of parameters start..stop-1 of layer l (flat index), for each step."""
    rows, cols = np.divmod(np.arange(start, stop), net.layers[l].n_out)
    return [_perturbed_losses(net, l, caches, inputs, rows, cols, step, y, loss) for step in steps]


def _running_sum(parts: Iterator[Array]) -> Array:
    """The parts added up one by one, in order."""
    total = next(parts)
    for part in parts:
        total = total + part
    return total


def _in_order(pool, threads: int, jobs: Iterable[Callable[[], Array]]) -> Iterator[Array]:
    """The jobs' results in the jobs' order. Jobs are taken from the iterable as they are needed,
    with at most 2 * threads submitted and not yet consumed: the memory of pending results stays
    bounded, and the order never depends on timing. A lone job runs in this thread."""
    jobs = iter(jobs)
    first, second = next(jobs, None), next(jobs, None)
    if second is None:  # nothing to share (and worker threads allocate from slower memory pools)
        if first is not None:
            yield first()
        return
    submitted: deque[Future] = deque()
    for job in itertools.chain((first, second), jobs):
        submitted.append(pool.submit(job))
        if len(submitted) >= 2 * threads:
            yield submitted.popleft().result()
    while submitted:
        yield submitted.popleft().result()


class _InThisThread:
    """A stand-in for a thread pool with one thread: runs each job at once."""

    def submit(self, fn: Callable, *args) -> Future:
        done: Future = Future()
        done.set_result(fn(*args))
        return done

    def __enter__(self) -> _InThisThread:
        return self

    def __exit__(self, *exc) -> None:
        return None


_LIPSCHITZ = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "identity": 1.0}  # |f(u) - f(v)| <= c |u - v|
MAX_TAYLOR_TERMS = 16


class _SoftmaxTail(NamedTuple):
    """Layer l and the softmax cross-entropy output it feeds, prepared for `_softmax_tail_losses`.
    Arrays are batch-first: (B, I) for layer l's inputs, (B, J) for its units."""

    activation: Callable[[Array], Array]
    inputs: Array  # (B, I): layer l's inputs and the bias' 1s
    z: Array  # (B, J): layer l's pre-activations
    a: Array  # (B, J): its outputs
    moments: list[Array]  # m_n (B, J) = sum_k e_k W[j, k]**n / n!, e = exp(logits - max logit)
    target_w: Array  # (B, J): W[j, t] of the output layer, t the sample's class
    target_logit: Array  # (B,): logit of the sample's class minus the max logit
    target_e: Array  # (B,): exp(target_logit)
    plus_delta: bool  # cross_entropy's log(p + delta) rather than softmax_cross_entropy's log p


def _softmax_tail(net, l: int, caches, inputs: Array, y: Array, loss: Loss, h: float) -> _SoftmaxTail | None:
    """Prepare the shortcut for layer l if it applies: l feeds the last layer, the last layer
    and the loss make a softmax cross-entropy, the targets are one-hot and the nudges are small."""
    layers = net.layers
    if l != len(layers) - 2 or layers[l].activation.name not in _LIPSCHITZ:
        return None
    pair = (layers[-1].activation.name, loss.name)
    if pair not in (("softmax", "cross_entropy"), ("identity", "softmax_cross_entropy")):
        return None
    labels = y.argmax(axis=-1)
    if not np.array_equal(y, one_hot(labels, y.shape[-1])):
        return None
    W = layers[-1].W
    # A nudge moves each unit's output by at most |d| <= c h max|input| (c: the activation's Lipschitz constant),
    # the logits by d * W[j, :]. exp(d * w) = sum_n (d w)^n / n!; N terms leave a relative error of at
    # most u^N / N! * exp(2u) in the softmax denominator, u = max|d| * max|W|: N is chosen so that is
    # far below float64 rounding, or the shortcut is not taken.
    u = _LIPSCHITZ[layers[l].activation.name] * h * float(np.abs(inputs).max()) * float(np.abs(W).max())
    terms = 1
    while u**terms / math.factorial(terms) * math.exp(2 * u) > 2.0**-64:
        terms += 1
        if terms > MAX_TAYLOR_TERMS:
            return None
    logits = caches[-1].z
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    power, moments = np.ones_like(W), []
    for n in range(terms):
        moments.append(e @ power.T / math.factorial(n))
        power = power * W
    samples = np.arange(y.shape[0])
    return _SoftmaxTail(
        layers[l].activation.function, inputs, caches[l].z, caches[l].a, moments,
        np.ascontiguousarray(W[:, labels].T), shifted[samples, labels], e[samples, labels], loss.name == "cross_entropy",
    )


def _softmax_tail_losses(tail: _SoftmaxTail, samples: slice, step: float) -> Array:
    """For every parameter (i, j) of the layer before a softmax cross-entropy output (the bias as
    row i = I - 1): the per-sample losses after nudging it by `step`, summed over `samples`
    only (the caller adds the blocks up and divides by B). Shape (I, J).

    The nudge of W[i, j] changes unit j's output by d (one number per sample), so the logits move
    by d * w with w = W_out[j, :]. The softmax denominator sum_k e_k exp(d w_k) is a power series
    in d whose coefficients, the moments m_n, do not depend on i: a short polynomial (Horner's
    rule) replaces an exponential per class, and the loss needs only the target's logit.
    """
    def per_unit(v: Array) -> Array:  # (B, J) -> (samples, 1, J): the same for every input i
        return v[samples, None, :]

    d = tail.activation(per_unit(tail.z) + step * tail.inputs[samples, :, None])  # (samples, I, J)
    d -= per_unit(tail.a)
    denominator = np.broadcast_to(per_unit(tail.moments[-1]), d.shape).copy()
    for m in reversed(tail.moments[:-1]):  # Horner's rule: (((m_N d + m_N-1) d + ...) d + m_0
        denominator *= d
        denominator += per_unit(m)
    if tail.plus_delta:  # cross_entropy: -log(p_t + delta), p_t = e_t exp(d w_t) / denominator
        per_sample = d * per_unit(tail.target_w)
        np.exp(per_sample, out=per_sample)
        per_sample *= tail.target_e[samples, None, None]
        per_sample /= denominator
        per_sample += CROSS_ENTROPY_DELTA
        np.log(per_sample, out=per_sample)
        np.negative(per_sample, out=per_sample)
    else:  # softmax_cross_entropy: -log p_t = log(denominator) - (shifted logit of t + d w_t)
        per_sample = np.log(denominator)
        per_sample -= d * per_unit(tail.target_w)
        per_sample -= tail.target_logit[samples, None, None]
    return _running_sum(iter(per_sample))  # sample by sample: NumPy's sum over a short first axis is slow


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
