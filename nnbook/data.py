"""Data that needs no download: seeded synthetic sets and the bundled 8x8 handwritten digits.

The digits are the UCI "Optical Recognition of Handwritten Digits" test set as distributed with
scikit-learn (1,797 images, 8x8 pixels with values 0-16, 10 classes), by E. Alpaydin and
C. Kaynak, licensed CC BY 4.0 (see `nnbook/data/DIGITS-LICENSE.txt`).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

import numpy as np

from ._checks import positive_float, positive_int, rng_from
from .losses import one_hot

__all__ = [
    "random_sample", "make_moons", "make_spirals", "make_xor", "load_digits", "digits_split",
    "train_test_split", "one_hot",
]

Seed = int | np.random.Generator | None


def random_sample(n_inputs: int = 10, n_outputs: int = 2, n_samples: int = 1, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """x ~ N(0, 1) of shape (n_samples, n_inputs) and y ~ N(0, 1) of shape (n_samples, n_outputs), as in S1."""
    rng = rng_from(seed)
    x = rng.standard_normal((positive_int(n_samples, "n_samples"), positive_int(n_inputs, "n_inputs")))
    y = rng.standard_normal((n_samples, positive_int(n_outputs, "n_outputs")))
    return x, y


def _noise(noise: float) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    return float(noise)


def make_moons(n: int = 200, noise: float = 0.1, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: x (n, 2), labels (n,) in {0, 1}."""
    n, noise, rng = positive_int(n, "n"), _noise(noise), rng_from(seed)
    labels = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    x = np.where(labels[:, None] == 0,
                 np.column_stack([np.cos(angle), np.sin(angle)]),
                 np.column_stack([1 - np.cos(angle), 0.5 - np.sin(angle)]))
    return x + noise * rng.standard_normal((n, 2)), labels


def make_spirals(n: int = 300, n_classes: int = 3, noise: float = 0.2, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: x (n, 2) within about [-1, 1]^2, labels (n,)."""
    n, k, noise, rng = positive_int(n, "n"), positive_int(n_classes, "n_classes"), _noise(noise), rng_from(seed)
    labels = np.arange(n) % k
    radius = rng.uniform(0.05, 1.0, n)
    angle = labels * 2 * np.pi / k + 4.0 * radius + noise * rng.standard_normal(n)
    return np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]), labels


def make_xor(n: int = 200, noise: float = 0.1, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Four clusters at (+-1, +-1); label 1 where the signs differ (exclusive or): x (n, 2), labels (n,)."""
    n, noise, rng = positive_int(n, "n"), _noise(noise), rng_from(seed)
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    labels = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return corners + noise * rng.standard_normal((n, 2)), labels


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    with resources.files("nnbook").joinpath("data/digits.csv.gz").open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",")
    return table[:, :64].reshape(-1, 8, 8), table[:, 64].astype(np.int64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The bundled handwritten digits: images (1797, 8, 8) with values 0..16, labels (1797,) in 0..9."""
    images, labels = _digits()
    return images.copy(), labels.copy()


def train_test_split(x: np.ndarray, y: np.ndarray, test_fraction: float = 0.2, seed: Seed = 0) -> tuple[np.ndarray, ...]:
    """A seeded random split: (x_train, y_train, x_test, y_test)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"y must have one entry per sample of x ({x.shape[0]}), got {y.shape[0]}")
    test_fraction = positive_float(test_fraction, "test_fraction")
    if test_fraction >= 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    order = rng_from(seed).permutation(x.shape[0])
    n_test = max(1, round(test_fraction * x.shape[0]))
    if n_test >= x.shape[0]:
        raise ValueError(
            f"test_fraction={test_fraction} of {x.shape[0]} samples leaves no training samples; use a smaller one"
        )
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def digits_split(test_fraction: float = 0.2, seed: Seed = 0, scale: bool = True) -> tuple[np.ndarray, ...]:
    """The digits as flat vectors, split at random: (x_train (N, 64), y_train, x_test, y_test).

    With `scale` the pixel values are divided by 16, into [0, 1].
    """
    images, labels = _digits()
    x = images.reshape(-1, 64) / (16.0 if scale else 1.0)
    return train_test_split(x, labels, test_fraction, seed)

