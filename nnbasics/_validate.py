"""Argument checks shared by every public function.

Each helper raises ``TypeError``/``ValueError`` whose message names the argument,
what it received and what was expected, so a learner never sees a silent NaN or a
numpy traceback from deep inside the library.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np


def as_float_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None,
                   allow_empty: bool = False, finite: bool = True, dtype=None) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray after checking it.

    Parameters
    ----------
    x : array_like
        The value to check.
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    allow_empty : bool
        Whether an array with zero elements is acceptable.
    finite : bool
        Reject NaN and inf.
    dtype : numpy dtype, optional
        Cast to this floating dtype; by default keep float32/float64 and turn
        integers/bools into float64.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a numeric array, could not convert: {err}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real-valued, got dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got shape {arr.shape} ({arr.ndim}-D)")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one element")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN/inf value(s); expected finite numbers")
    return arr


def as_labels(y, name: str, *, n_classes: int | None = None, n_samples: int | None = None) -> np.ndarray:
    """Return integer class labels ``y`` of shape (N,) as int64, checking range and length."""
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name} must be an array of integer labels, got {type(y).__name__}")
    if hasattr(y, "detach") and hasattr(y, "numpy"):
        y = y.detach().cpu().numpy()
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (N,), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; expected at least one label")
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold whole-number class labels, got non-integer values")
        arr = arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < 0:
        raise ValueError(f"{name} must be >= 0, got minimum {arr.min()}")
    if n_classes is not None and arr.max() >= n_classes:
        raise ValueError(f"{name} must be < C={n_classes}, got maximum {arr.max()}")
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ValueError(f"{name} has {arr.shape[0]} labels but there are N={n_samples} samples")
    return arr


def check_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer within [minimum, maximum] and return it."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return int(value)


def check_float(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
                min_inclusive: bool = True, max_inclusive: bool = True) -> float:
    """Check that ``value`` is a finite real number within the given bounds and return it."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value < minimum or (not min_inclusive and value == minimum)):
        op = ">=" if min_inclusive else ">"
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    if maximum is not None and (value > maximum or (not max_inclusive and value == maximum)):
        op = "<=" if max_inclusive else "<"
        raise ValueError(f"{name} must be {op} {maximum}, got {value}")
    return value


def check_choice(value, name: str, choices) -> str:
    """Check that ``value`` is one of ``choices`` and return it."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_notebook(notebook, name: str = "notebook") -> str:
    """Check that ``notebook`` is a two-digit notebook number such as ``"01"`` and return it."""
    if not (isinstance(notebook, str) and len(notebook) == 2 and notebook.isdigit()):
        raise ValueError(f"{name} must be a two-digit string like '01', got {notebook!r}")
    return notebook


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` as a Generator; an int seeds a new one. ``None`` is refused (no hidden seeding)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a numpy Generator or an int seed, got {type(rng).__name__}")


def check_same_rows(a: np.ndarray, name_a: str, b: np.ndarray, name_b: str) -> None:
    """Check that two arrays agree on their first dimension N."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"{name_a} has N={a.shape[0]} rows but {name_b} has N={b.shape[0]}")


def check_drop_probability(p, name: str = "p") -> float:
    """A dropout probability: a float in [0, 1) (p = 1 would drop everything and divide by 0)."""
    return check_float(p, name, minimum=0.0, maximum=1.0, max_inclusive=False)


def as_index_array(ids, n_rows: int, name: str = "ids") -> np.ndarray:
    """Integer row indices into a table of ``n_rows`` rows, as int64 (torch tensors accepted)."""
    if hasattr(ids, "detach") and hasattr(ids, "numpy"):
        ids = ids.detach().cpu().numpy()
    arr = np.asarray(ids)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer row indices, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_rows):
        raise ValueError(f"{name} must lie in 0..{n_rows - 1} (the table has V={n_rows} rows), "
                         f"got values from {arr.min()} to {arr.max()}")
    return arr.astype(np.int64, copy=False)
