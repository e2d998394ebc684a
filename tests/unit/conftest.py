"""Shared fixtures of the nnbook unit tests.

Every test runs with an Agg matplotlib backend (no display) and is checked not to touch NumPy's
global random state: nnbook promises explicit randomness (a seed or a Generator) everywhere.
"""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest


def _same_state(a, b) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and tuple(a[2:]) == tuple(b[2:])


@pytest.fixture(autouse=True)
def _global_random_state_untouched():
    """Fail any test after which NumPy's global random state has changed."""
    before = np.random.get_state()  # noqa: NPY002 (the legacy global state is what must stay untouched)
    yield
    after = np.random.get_state()  # noqa: NPY002
    assert _same_state(before, after), "NumPy's global random state was changed during the test"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def assert_close(actual, expected, rtol=1e-12, atol=0.0):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)
