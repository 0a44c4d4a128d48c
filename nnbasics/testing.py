"""Tolerances and comparison helpers used by every test and self-check.

The tolerances live here, in one place; comparisons check shape and dtype
before values and name the parameter and element that failed.
"""

from __future__ import annotations

import numpy as np

#: float64 against an exact oracle (torch autograd in float64, closed forms).
F64 = dict(rtol=1e-9, atol=1e-12)
#: float64 against central finite differences (truncation error ~h^2).
FINITE_DIFF = dict(rtol=1e-6, atol=1e-8)
#: float32 computations.
F32 = dict(rtol=1e-5, atol=1e-6)


def to_numpy(x) -> np.ndarray:
    """Convert a torch tensor, list or scalar to a numpy array (no copy when possible)."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def assert_close(actual, expected, name: str = "value", *, check_dtype: bool = False,
                 rtol: float = F64["rtol"], atol: float = F64["atol"]) -> None:
    """Assert ``actual`` matches ``expected`` elementwise, with a message that teaches.

    Parameters
    ----------
    actual, expected : array_like
        What was computed and what it should be.
    name : str
        The quantity's name (e.g. ``"dW1"``), used in the message.
    check_dtype : bool
        Also require identical dtypes.
    rtol, atol : float
        As in :func:`numpy.allclose`; defaults are :data:`F64`.

    Raises
    ------
    AssertionError
        Naming the shape/dtype mismatch or the worst element and its values.
    """
    if actual is None:
        raise AssertionError(f"{name}: got None — did you forget to `return` it?")
    a = to_numpy(actual)
    e = to_numpy(expected)
    if a.shape != e.shape:
        hint = " (looks transposed)" if a.ndim == 2 and a.shape == e.shape[::-1] else ""
        raise AssertionError(f"{name}: shape {a.shape} but expected {e.shape}{hint}")
    if check_dtype and a.dtype != e.dtype:
        raise AssertionError(f"{name}: dtype {a.dtype} but expected {e.dtype}")
    a64 = a.astype(np.float64) if a.dtype != bool else a.astype(np.float64)
    e64 = e.astype(np.float64)
    if not np.all(np.isfinite(a64)):
        idx = np.argwhere(~np.isfinite(a64))[0]
        raise AssertionError(f"{name}: non-finite value {a64[tuple(idx)]} at index {tuple(int(i) for i in idx)}")
    err = np.abs(a64 - e64)
    tol = atol + rtol * np.abs(e64)
    if np.all(err <= tol):
        return
    worst = np.unravel_index(np.argmax(err - tol), err.shape) if err.ndim else ()
    worst = tuple(int(i) for i in worst)
    n_bad = int(np.count_nonzero(err > tol))
    ratio = ""
    if e64[worst] != 0 and a64[worst] != 0:
        ratio = f"; actual/expected = {a64[worst] / e64[worst]:.4g}"
    raise AssertionError(
        f"{name}: {n_bad} of {err.size} element(s) differ; worst at index {worst}: "
        f"got {a64[worst]:.10g}, expected {e64[worst]:.10g}{ratio} (rtol={rtol}, atol={atol})"
    )
