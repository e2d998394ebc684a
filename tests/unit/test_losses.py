"""nnbook.losses: each formula and gradient by hand, against finite differences, stable at extremes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnbook import losses as L
from nnbook.numdiff import numerical_gradient

# One small batch for the squared errors: B = 2 samples, k = 2 outputs, N = 4 entries.
H = np.array([[1.0, 2.0], [3.0, 5.0]])
Y = np.array([[0.0, 2.0], [1.0, 1.0]])
# h - y = [[1, 0], [2, 4]], squares [[1, 0], [4, 16]], sum 21


@pytest.mark.parametrize(
    "name, value, grad",
    [
        # mean: 21 / 4 = 5.25; gradient 2 (h - y) / 4
        ("mse", 5.25, [[0.5, 0.0], [1.0, 2.0]]),
        # half of it: 2.625; gradient (h - y) / 4
        ("half_mse", 2.625, [[0.25, 0.0], [0.5, 1.0]]),
        # sum: 21; gradient 2 (h - y)
        ("sse", 21.0, [[2.0, 0.0], [4.0, 8.0]]),
        # per sample 1/2 ||.||^2 = 0.5 and 10, mean over B = 2: 5.25; gradient (h - y) / 2
        ("half_sse_mean", 5.25, [[0.5, 0.0], [1.0, 2.0]]),
    ],
)
def test_squared_error_losses_by_hand(name, value, grad):
    f = getattr(L, name)
    g = getattr(L, name + "_gradient")
    assert f(H, Y) == value  # small integers and halves: exact in floating point
    assert isinstance(f(H, Y), float)
    np.testing.assert_array_equal(g(H, Y), grad)
    loss = L.get_loss(name)
    assert loss.name == name and loss.value(H, Y) == value and loss(H, Y) == value
    np.testing.assert_array_equal(loss.gradient(H, Y), grad)


def test_squared_errors_single_sample():
    # (k,) counts as a batch of one: h - y = [3, -4], squares 9 + 16 = 25
    h, y = np.array([3.0, 0.0]), np.array([0.0, 4.0])
    assert L.mse(h, y) == 12.5 and L.half_mse(h, y) == 6.25 and L.sse(h, y) == 25.0
    assert L.half_sse_mean(h, y) == 12.5
    np.testing.assert_array_equal(L.half_sse_mean_gradient(h, y), [3.0, -4.0])


def test_half_mse_and_half_sse_mean_differ_by_the_number_of_outputs():
    # half_mse averages over all B*k entries, half_sse_mean only over the B samples: ratio k
    rng = np.random.default_rng(0)
    h, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    assert L.half_sse_mean(h, y) == pytest.approx(3 * L.half_mse(h, y), rel=1e-14)


# Cross-entropy: p = [[1/4, 3/4], [1/2, 1/2]], targets: class 1 then class 0.
P = np.array([[0.25, 0.75], [0.5, 0.5]])
T_ONE_HOT = np.array([[0.0, 1.0], [1.0, 0.0]])
T_LABELS = np.array([1, 0])
# -(ln 3/4 + ln 1/2) / 2 = (0.2876820724517809 + 0.6931471805599453) / 2
CE = 0.4904146265058631


def test_cross_entropy_by_hand():
    assert L.cross_entropy(P, T_ONE_HOT, delta=0.0) == pytest.approx(CE, rel=1e-15)
    assert L.cross_entropy(P, T_LABELS, delta=0.0) == pytest.approx(CE, rel=1e-15)
    # the default delta 1e-7 lowers it by about (1e-7/0.75 + 1e-7/0.5)/2 = 1.6666667e-7
    assert L.cross_entropy(P, T_ONE_HOT) == pytest.approx(CE - 1.6666667e-7, abs=1e-13)
    # gradient -t / p / B: -1/0.75/2 = -2/3 and -1/0.5/2 = -1
    np.testing.assert_allclose(L.cross_entropy_gradient(P, T_LABELS, delta=0.0), [[0.0, -2 / 3], [-1.0, 0.0]], rtol=1e-15)
    assert L.get_loss("cross_entropy").value(P, T_LABELS) == pytest.approx(CE - 1.6666667e-7, abs=1e-13)


def test_cross_entropy_delta_keeps_log_of_zero_finite():
    # log(0 + 1e-7) = -16.11809565095832; one sample
    with np.errstate(divide="raise"):
        assert L.cross_entropy(np.array([[0.0, 1.0]]), np.array([0])) == pytest.approx(-math.log(1e-7), rel=1e-12)


def test_softmax_cross_entropy_by_hand():
    # softmax([0, ln 3]) = [1/4, 3/4], softmax([ln 2, ln 2]) = [1/2, 1/2]: the P above
    logits = np.array([[0.0, math.log(3)], [math.log(2), math.log(2)]])
    assert L.softmax_cross_entropy(logits, T_LABELS) == pytest.approx(CE, rel=1e-14)
    assert L.softmax_cross_entropy(logits, T_ONE_HOT) == pytest.approx(CE, rel=1e-14)
    # gradient (softmax - t) / B = [[1/4, -1/4], [-1/2, 1/2]] / 2
    np.testing.assert_allclose(
        L.softmax_cross_entropy_gradient(logits, T_LABELS), [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-14
    )


def test_log_softmax_by_hand():
    # log_softmax([0, ln 2, ln 5]) = [ln 1/8, ln 2/8, ln 5/8]
    z = np.array([[0.0, math.log(2), math.log(5)]])
    np.testing.assert_allclose(L.log_softmax(z), np.log([[0.125, 0.25, 0.625]]), rtol=1e-14)


def test_one_hot_by_hand():
    np.testing.assert_array_equal(L.one_hot(np.array([2, 0, 1, 2]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert L.one_hot(np.array([], dtype=int), 4).shape == (0, 4)


def test_module_functions_accept_lists():
    # the formulas are public functions; plain nested lists must work like arrays
    assert L.cross_entropy([[0.25, 0.75], [0.5, 0.5]], [1, 0], delta=0.0) == pytest.approx(CE, rel=1e-15)
    assert L.softmax_cross_entropy([[0.0, 0.0]], [[1.0, 0.0]]) == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_allclose(L.softmax_cross_entropy_gradient([[0.0, 0.0]], [0]), [[-0.5, 0.5]])
    np.testing.assert_allclose(L.cross_entropy_gradient([[0.5, 0.5]], [1], delta=0.0), [[0.0, -2.0]])
    assert L.mse([1.0, 2.0], [1.0, 0.0]) == 2.0


@pytest.mark.parametrize("name", sorted(L.LOSSES))
def test_loss_gradients_match_finite_differences(name):
    rng = np.random.default_rng(7)
    if name == "cross_entropy":
        h = rng.uniform(0.1, 0.9, (3, 4))
    else:
        h = rng.standard_normal((3, 4))
    y = rng.integers(0, 4, 3) if L.LOSSES[name].takes_labels else rng.standard_normal((3, 4))
    loss = L.get_loss(name)
    num = numerical_gradient(lambda _: loss.value(h, y), h, h=1e-6)
    np.testing.assert_allclose(loss.gradient(h, y), num, rtol=1e-7, atol=1e-10)


def test_stacked_copies_give_one_loss_per_copy():
    # the vectorized numerical gradient evaluates (C, B, k) stacks of a batch at once
    rng = np.random.default_rng(1)
    h = rng.standard_normal((3, 2, 4))
    y = rng.standard_normal((2, 4))
    for name in ("mse", "half_mse", "sse", "half_sse_mean"):
        f = getattr(L, name)
        got = f(h, np.broadcast_to(y, h.shape))
        np.testing.assert_allclose(got, [f(h[c], y) for c in range(3)], rtol=1e-14)
    t = L.one_hot(np.array([1, 3]), 4)
    got = L.softmax_cross_entropy(h, np.broadcast_to(t, h.shape))
    np.testing.assert_allclose(got, [L.softmax_cross_entropy(h[c], t) for c in range(3)], rtol=1e-14)


def test_registry_and_get_loss():
    assert set(L.LOSSES) == {"mse", "half_mse", "sse", "half_sse_mean", "cross_entropy", "softmax_cross_entropy"}
    loss = L.get_loss("sse")
    assert L.get_loss(loss) is loss and repr(loss) == "Loss('sse')"
    assert L.LOSSES["cross_entropy"].takes_labels and not L.LOSSES["mse"].takes_labels


def test_squared_error_never_broadcasts_a_target():
    with pytest.raises(ValueError, match="y must have the prediction's shape"):
        L.mse(np.zeros((4, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="y must have the prediction's shape"):
        L.get_loss("half_mse").value(np.zeros((4, 2)), np.zeros(2))


logit_rows = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(2, 5)),
    elements=st.one_of(st.sampled_from([-1e300, -1e4, 0.0, 1e4, 1e300]), st.floats(-1e300, 1e300)),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(z=logit_rows, data=st.data())
def test_softmax_cross_entropy_finite_and_warning_free_at_extremes(z, data):
    labels = np.array(data.draw(st.lists(st.integers(0, z.shape[1] - 1), min_size=z.shape[0], max_size=z.shape[0])))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = L.softmax_cross_entropy(z, labels)
        grad = L.softmax_cross_entropy_gradient(z, labels)
        value_1h = L.softmax_cross_entropy(z, L.one_hot(labels, z.shape[1]))
    assert math.isfinite(value) and value >= 0 and math.isclose(value, value_1h, rel_tol=1e-14)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)  # (softmax - t) sums to 0 per row


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    p=hnp.arrays(
        np.float64, st.tuples(st.integers(1, 4), st.integers(2, 5)),
        elements=st.one_of(st.sampled_from([0.0, 1e-300, 1e-4, 1.0]), st.floats(0.0, 1.0)),
    ),
    data=st.data(),
)
def test_cross_entropy_finite_and_warning_free_at_extreme_probabilities(p, data):
    labels = np.array(data.draw(st.lists(st.integers(0, p.shape[1] - 1), min_size=p.shape[0], max_size=p.shape[0])))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = L.cross_entropy(p, labels)
        grad = L.cross_entropy_gradient(p, labels)
    # at worst -log(delta) = 16.12 per sample
    assert math.isfinite(value) and -1e-6 <= value <= -math.log(1e-7) + 1e-9
    assert np.all(np.isfinite(grad)) and np.all(grad <= 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("as_labels", [True, False])
def test_softmax_cross_entropy_and_gradient_in_one_pass(dtype, as_labels):
    rng = np.random.default_rng(3)
    z = (rng.standard_normal((5, 4)) * 3).astype(dtype)
    labels = np.array([0, 3, 3, 1, 2])
    t = labels if as_labels else L.one_hot(labels, 4, dtype)
    value, grad = L.softmax_cross_entropy_and_gradient(z, t)
    assert value == pytest.approx(L.softmax_cross_entropy(z, t), rel=1e-6 if dtype == np.float32 else 1e-14)
    assert grad.dtype == dtype
    expected = (np.exp(L.log_softmax(z.astype(np.float64))) - L.one_hot(labels, 4)) / 5
    np.testing.assert_allclose(grad, expected,
                               rtol=1e-5 if dtype == np.float32 else 1e-13, atol=1e-7 if dtype == np.float32 else 1e-16)
    assert L.LOSSES["softmax_cross_entropy"].function_and_derivative(z, t)[0] == value


def test_function_and_derivative_falls_back_to_the_two_formulas():
    loss = L.LOSSES["half_mse"]
    value, grad = loss.function_and_derivative(H, Y)
    assert value == loss.function(H, Y)
    np.testing.assert_array_equal(grad, loss.derivative(H, Y))


def test_one_hot_takes_a_dtype():
    assert L.one_hot(np.array([1, 0]), 2, np.float32).dtype == np.float32
