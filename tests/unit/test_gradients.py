"""nnbook.gradients: backprop, the per-scalar loop and the vectorized finite differences agree.

The properties run over random architectures (depth, widths, batch size, activations, losses).
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nnbook.gradients as G
from nnbook import DNN, relative_error
from nnbook.losses import get_loss, one_hot

SQUARED = ("mse", "half_mse", "sse", "half_sse_mean")


def flat(grads):
    return np.concatenate([np.concatenate([dW.ravel(), db.ravel()]) for dW, db in grads])


@st.composite
def problems(draw, hidden=("sigmoid", "tanh"), max_width=5, max_depth=3, max_batch=4):
    """A random network with random (nonzero) biases, a batch and a loss with fitting targets."""
    n_layers = draw(st.integers(1, max_depth))
    loss = draw(st.sampled_from(SQUARED + ("cross_entropy", "softmax_cross_entropy")))
    min_out = 2 if loss in ("cross_entropy", "softmax_cross_entropy") else 1
    sizes = [draw(st.integers(1, max_width)) for _ in range(n_layers)] + [draw(st.integers(min_out, max_width))]
    activation = draw(st.sampled_from(hidden))
    if loss == "cross_entropy":  # needs probabilities
        output = draw(st.sampled_from(["softmax", "sigmoid"]))
    else:
        output = draw(st.sampled_from(["identity", "sigmoid", "tanh", "softmax"]))
    batch = draw(st.integers(1, max_batch))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    net = DNN.from_sizes(sizes, activation, output, seed=rng, init="xavier")
    for layer in net.layers:
        layer.b = 0.5 * rng.standard_normal(layer.n_out)
    x = rng.standard_normal((batch, sizes[0]))
    if loss in ("cross_entropy", "softmax_cross_entropy"):
        labels = rng.integers(0, sizes[-1], batch)
        y = labels if draw(st.booleans()) else one_hot(labels, sizes[-1])
    else:
        y = rng.standard_normal((batch, sizes[-1]))
    return net, x, y, loss


def assert_grads_close(got, expected, rel):
    err = relative_error(flat(got), flat(expected))
    assert err <= rel, f"relative error {err:.3g} > {rel:g}"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(problem=problems())
def test_backprop_matches_central_differences(problem):
    net, x, y, loss = problem
    value, exact = net.gradients(x, y, loss, method="backprop")
    value_num, approx = net.gradients(x, y, loss, method="numerical", difference="central", h=1e-5)
    assert value == value_num
    assert_grads_close(exact, approx, 1e-6)
    for (dW, db), (nW, nb) in zip(exact, approx):  # layer by layer too, where the gradient is not ~0
        scale = np.linalg.norm(flat(exact))
        if np.linalg.norm(dW) > 1e-3 * scale:
            assert relative_error(dW, nW) <= 1e-6
        if np.linalg.norm(db) > 1e-3 * scale:
            assert relative_error(db, nb) <= 1e-6


@settings(max_examples=150, deadline=None, derandomize=True)
@given(problem=problems(hidden=("relu",)))
def test_relu_backprop_matches_central_differences_away_from_the_kink(problem):
    net, x, y, loss = problem
    _, caches = net.forward(x)
    # h = 1e-5 moves a pre-activation by far less than 1e-3: no difference crosses the kink
    assume(all(np.min(np.abs(c.z)) > 1e-3 for c in caches[:-1]))
    _, exact = net.gradients(x, y, loss, method="backprop")
    _, approx = net.gradients(x, y, loss, method="numerical", difference="central", h=1e-5)
    assert_grads_close(exact, approx, 1e-6)


def test_relu_kink_is_where_differences_disagree():
    # a check of the check: with a pre-activation exactly at the kink, central differences see
    # slope 1/2 while backprop takes ReLU's derivative there as 0
    net = DNN.from_sizes([1, 1, 1], "relu", "identity")
    net.layers[0].W = [[1.0]]
    net.layers[1].W = [[1.0]]
    x, y = np.array([[0.0]]), np.array([[1.0]])
    _, exact = net.gradients(x, y, "sse")
    _, approx = net.gradients(x, y, "sse", method="numerical", h=1e-5)
    assert exact[0][1][0] == 0.0
    # sse = (relu(b) - 1)^2: (1e-5 - 1)^2 - 1 over 2e-5 = -0.99999...
    assert approx[0][1][0] == pytest.approx(-1.0, rel=1e-4)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(problem=problems(hidden=("sigmoid", "tanh", "relu", "identity"), max_width=4, max_depth=3, max_batch=3),
       difference=st.sampled_from(["forward", "central"]))
def test_vectorized_numerical_equals_the_loop(problem, difference):
    net, x, y, loss = problem
    v1, loop = net.gradients(x, y, loss, method="numerical-loop", difference=difference)
    v2, vec = net.gradients(x, y, loss, method="numerical", difference=difference)
    assert v1 == v2
    assert_grads_close(vec, loop, 1e-9)


def test_forward_and_central_differences_differ_by_order_h():
    net = DNN.from_sizes([3, 4, 2], "tanh", seed=0, init="xavier")
    x = np.random.default_rng(0).standard_normal((4, 3))
    y = np.random.default_rng(1).standard_normal((4, 2))
    _, exact = net.gradients(x, y)
    errs = {}
    for difference in ("forward", "central"):
        _, g = net.gradients(x, y, method="numerical", difference=difference, h=1e-3)
        errs[difference] = relative_error(flat(g), flat(exact))
    assert errs["central"] < 1e-5 < errs["forward"] < 1e-2


def test_numerical_softmax_hidden_layer():
    # softmax is not elementwise: the vectorized path must take its full-z branch
    net = DNN.from_sizes([3, 4, 2], "softmax", "identity", seed=0, init="xavier")
    x = np.random.default_rng(0).standard_normal((3, 3))
    y = np.random.default_rng(1).standard_normal((3, 2))
    _, exact = net.gradients(x, y)
    _, vec = net.gradients(x, y, method="numerical", h=1e-5)
    _, loop = net.gradients(x, y, method="numerical-loop", h=1e-5)
    assert_grads_close(vec, exact, 1e-6)
    assert_grads_close(vec, loop, 1e-9)


def _problem():
    # a sigmoid output: every layer takes the general path (no softmax shortcut)
    net = DNN.from_sizes([5, 6, 4, 3], "tanh", "sigmoid", seed=2, init="xavier")
    x = np.random.default_rng(3).standard_normal((7, 5))
    return net, x, np.random.default_rng(4).integers(0, 3, 7)


def _count(monkeypatch, name, record=lambda *args: 1):
    """Wrap G.<name> so that each call appends record(*args) to the returned list."""
    calls = []
    original = getattr(G, name)

    def counting(*args, **kwargs):
        calls.append(record(*args))
        return original(*args, **kwargs)

    monkeypatch.setattr(G, name, counting)
    return calls


def _count_calls(monkeypatch):
    """The nudges (rows) of each call of G._perturbed_losses."""
    return _count(monkeypatch, "_perturbed_losses", lambda *args: args[4].size)


def test_chunking_by_rows_gives_the_same_numbers(monkeypatch):
    net, x, y = _problem()
    _, whole = net.gradients(x, y, "cross_entropy", method="numerical")
    calls = _count_calls(monkeypatch)
    monkeypatch.setattr(G, "MAX_ROWS_PER_CHUNK", 8)  # 8 // 7 samples: one nudge per chunk
    _, chunked = net.gradients(x, y, "cross_entropy", method="numerical")
    assert len(calls) == 2 * net.n_params and set(calls) == {1}  # central: two calls per nudge
    for (a, b), (c, d) in zip(chunked, whole):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b, d, rtol=1e-12, atol=1e-15)


def test_chunking_by_memory_budget_argument(monkeypatch):
    net, x, y = _problem()
    x2, y2, loss = net.check_targets(x, y, "cross_entropy")
    _, whole = G.numerical_vectorized(net, x2, y2, loss, "forward", 1e-4)
    calls = _count_calls(monkeypatch)
    _, chunked = G.numerical_vectorized(net, x2, y2, loss, "forward", 1e-4, max_bytes=1)
    assert len(calls) == net.n_params
    np.testing.assert_allclose(flat(chunked), flat(whole), rtol=1e-12, atol=1e-15)


def test_chunking_by_module_memory_budget(monkeypatch):
    net, x, y = _problem()
    _, whole = net.gradients(x, y, "cross_entropy", method="numerical")
    calls = _count_calls(monkeypatch)
    monkeypatch.setattr(G, "MAX_EXTRA_BYTES", 1)  # less than one copy: one nudge per chunk
    _, chunked = net.gradients(x, y, "cross_entropy", method="numerical")
    np.testing.assert_allclose(flat(chunked), flat(whole), rtol=1e-12, atol=1e-15)
    assert len(calls) == 2 * net.n_params


def _classifier(output="softmax", hidden="sigmoid"):
    net = DNN.from_sizes([6, 5, 4], hidden, output, seed=5, init="xavier")
    rng = np.random.default_rng(6)
    return net, rng.standard_normal((9, 6)), rng.integers(0, 4, 9)


@pytest.mark.parametrize("output, loss", [("softmax", "cross_entropy"), ("identity", "softmax_cross_entropy")])
@pytest.mark.parametrize("difference", ["forward", "central"])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "identity"])
def test_softmax_shortcut_gives_the_general_paths_numbers(monkeypatch, output, loss, difference, hidden):
    net, x, labels = _classifier(output, hidden)
    calls = _count(monkeypatch, "_softmax_tail_losses")
    _, shortcut = net.gradients(x, labels, loss, method="numerical", difference=difference)
    assert calls  # the layer before the output took the shortcut
    _, loop = net.gradients(x, labels, loss, method="numerical-loop", difference=difference)
    monkeypatch.setattr(G, "_softmax_tail", lambda *args: None)
    _, general = net.gradients(x, labels, loss, method="numerical", difference=difference)
    assert_grads_close(shortcut, general, 1e-9)
    assert_grads_close(shortcut, loop, 1e-9)
    assert_grads_close(shortcut[1:], general[1:], 0)  # the output layer: the same code, the same numbers


def test_softmax_shortcut_blocks_and_threads_give_identical_numbers(monkeypatch):
    net, x, labels = _classifier()
    _, whole = net.gradients(x, labels, "cross_entropy", method="numerical")
    monkeypatch.setattr(G, "MAX_THREADS", 1)
    calls = _count(monkeypatch, "_softmax_tail_losses")
    monkeypatch.setattr(G, "SHORTCUT_BLOCK_ENTRIES", 1)  # one sample per block
    _, one = net.gradients(x, labels, "cross_entropy", method="numerical")
    assert len(calls) == 2 * len(x)  # central: two calls per sample
    np.testing.assert_array_equal(flat(one), flat(whole))  # the samples are added in the same order
    monkeypatch.setattr(G, "MAX_THREADS", 3)
    _, three = net.gradients(x, labels, "cross_entropy", method="numerical")
    np.testing.assert_array_equal(flat(three), flat(one))


def test_threads_do_not_change_the_numbers(monkeypatch):
    net, x, y = _problem()
    monkeypatch.setattr(G, "MAX_THREADS", 1)
    _, one = net.gradients(x, y, "cross_entropy", method="numerical")
    monkeypatch.setattr(G, "MAX_THREADS", 4)
    monkeypatch.setattr(G, "MAX_ROWS_PER_CHUNK", 8)  # many small chunks shared by the threads
    _, four = net.gradients(x, y, "cross_entropy", method="numerical")
    np.testing.assert_array_equal(flat(one), flat(four))


@pytest.mark.parametrize("value, expected", [("1", 1), (" 3 ", 3), ("64", G.THREADS_LIMIT)])
def test_thread_count_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("NNBOOK_NUM_THREADS", value)
    assert G._default_threads() == expected


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_bad_thread_count_in_the_environment_is_named(monkeypatch, value):
    monkeypatch.setenv("NNBOOK_NUM_THREADS", value)
    with pytest.raises(ValueError, match="NNBOOK_NUM_THREADS must be a positive integer"):
        G._default_threads()


def test_thread_count_defaults_to_the_cores(monkeypatch):
    monkeypatch.delenv("NNBOOK_NUM_THREADS", raising=False)
    assert 1 <= G._default_threads() <= G.THREADS_LIMIT


def test_a_workers_error_reaches_the_caller(monkeypatch):
    net, x, y = _problem()
    monkeypatch.setattr(G, "MAX_THREADS", 2)

    def broken(*args):
        raise MemoryError("no room")

    monkeypatch.setattr(G, "_perturbed_losses", broken)
    with pytest.raises(MemoryError, match="no room"):
        net.gradients(x, y, "cross_entropy", method="numerical")


@pytest.mark.parametrize("case", ["large_h", "soft_targets", "sigmoid_output", "softmax_hidden"])
def test_softmax_shortcut_declines_where_it_would_not_be_exact(monkeypatch, case):
    net, x, labels = _classifier(hidden="softmax" if case == "softmax_hidden" else "sigmoid",
                                 output="sigmoid" if case == "sigmoid_output" else "softmax")
    y, h = one_hot(labels, 4), 1e-4
    if case == "large_h":  # u = h max|x| max|W| is too large for a short series
        h = 50.0
    if case == "soft_targets":
        y = np.full((9, 4), 0.25)
    calls = _count(monkeypatch, "_softmax_tail_losses")
    _, g = net.gradients(x, y, "cross_entropy", method="numerical", h=h)
    assert not calls
    _, loop = net.gradients(x, y, "cross_entropy", method="numerical-loop", h=h)
    assert_grads_close(g, loop, 1e-9)


def test_backprop_function_directly():
    net, x, y = _problem()
    x2, y2, loss = net.check_targets(x, y, "softmax_cross_entropy")
    value, grads = G.backprop(net, x2, y2, get_loss("softmax_cross_entropy"))
    assert value == net.loss(x, y, "softmax_cross_entropy")
    _, loop = G.numerical_loop(net, x2, y2, loss, "central", 1e-5)
    assert_grads_close(grads, loop, 1e-6)


@pytest.mark.parametrize("output, loss", [("softmax", "cross_entropy"), ("sigmoid", "half_mse")])
def test_numerical_gradient_memory_stays_within_the_budget(monkeypatch, output, loss):
    # Layer 0 has 121 x 40 = 4840 nudges. Unchunked, the shortcut's arrays would take
    # 64 samples x 4840 x 8 bytes = 2.4 MiB each, the general path's 4840 x 64 x 40 x 8 = 99 MiB;
    # the budget allows 2 MiB for everything in flight.
    net = DNN.from_sizes([120, 40, 10], "sigmoid", output, seed=0, init="xavier")
    rng = np.random.default_rng(0)
    x, labels = rng.random((64, 120)), rng.integers(0, 10, 64)
    y = labels if loss == "cross_entropy" else one_hot(labels, 10)
    monkeypatch.setattr(G, "MAX_EXTRA_BYTES", 2 * 2**20)
    monkeypatch.setattr(G, "MAX_THREADS", 2)
    calls = _count(monkeypatch, "_softmax_tail_losses")
    net.gradients(x, y, loss, method="numerical")  # warm up
    assert bool(calls) == (loss == "cross_entropy")
    tracemalloc.start()
    try:
        net.gradients(x, y, loss, method="numerical")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    fixed = 3 * net.n_params * 8 + 6 * 64 * 121 * 8  # the gradient and its pieces, the caches and inputs
    assert peak < 2 * 2**20 + fixed, f"peak {peak / 2**20:.2f} MiB"
