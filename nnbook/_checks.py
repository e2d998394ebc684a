"""Input checks shared by the library: each raises an error that names the argument."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def as_float_array(value: Any, name: str, *, ndim: int | Iterable[int] | None = None) -> np.ndarray:
    """Return `value` as a finite float array, or raise naming `name`."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}") from exc
    kind = arr.dtype.kind  # f float, i/u integer, b bool, c complex; anything else is not a number
    if kind == "c":
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if kind not in "fiub":
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}")
    if kind != "f":
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.isfinite(arr).sum())
        raise ValueError(f"{name} must contain only finite values, got {bad} non-finite entries")
    return arr


def positive_int(value: Any, name: str) -> int:
    """Return `value` as an int >= 1, or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def positive_float(value: Any, name: str) -> float:
    """Return `value` as a finite float > 0, or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        number = math.inf
    if not 0 < number < math.inf:  # also false for nan
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def choice(value: Any, name: str, options: Iterable[str]) -> str:
    """Return `value` if it is one of `options`, or raise naming `name`."""
    options = list(options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {options}, got {_describe(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def rng_from(seed: Any, name: str = "seed") -> np.random.Generator:
    """A NumPy Generator from an int seed, a Generator or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"{name} must be a non-negative int, a numpy Generator or None, got {_describe(seed)}")
    return np.random.default_rng(int(seed))
