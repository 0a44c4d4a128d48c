"""Gradient checking: central finite differences and the relative error.

df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h), truncation error O(h^2). In float64 with
h ~ 1e-5 an exact backward pass agrees to a relative error of about 1e-7 or better;
an error around 1e-2 means a bug (or a kink such as ReLU's at 0 between x - h and x + h).
float32 is refused: its rounding error (~1e-7 relative) divided by 2h swamps the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import NonFiniteError, as_float_array, check_float, check_rng, finite_output

__all__ = ['GOOD', 'BAD', 'numerical_gradient', 'relative_error', 'GradCheckResult', 'check_gradients', 'check_layer']


#: Relative errors below this: the backward pass is right (float64, h = 1e-5).
GOOD = 1e-7


#: Relative errors above this: almost certainly a bug.
BAD = 1e-2


def _check_float64(x, name: str) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x)
    if arr.dtype == np.float32 or arr.dtype == np.float16:
        raise TypeError(f"{name} is {arr.dtype}: finite differences need float64 (float32 rounding "
                        f"error / 2h swamps the derivative); convert with {name}.astype(np.float64)")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"{name} must be a float64 numpy array (it is perturbed in place), "
                        f"got {type(x).__name__} with dtype {arr.dtype}")
    as_float_array(x, name)  # finite, non-empty
    return x


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function with respect to the array ``x``.

    ``x`` is perturbed **in place** one element at a time (and restored), so ``f`` is a
    closure that reads ``x``: ``numerical_gradient(lambda: loss(W), W)``.

    Parameters
    ----------
    f : callable
        ``f() -> float``.
    x : ndarray of float64, any shape
    h : float > 0
        Step size.

    Returns
    -------
    grad : ndarray, shape of ``x``
        (f(x + h e_i) - f(x - h e_i)) / (2 h) for every element i.

    Raises
    ------
    TypeError
        If ``f`` returns something other than one number (None, a string, an array of several).
    NonFiniteError
        If ``f`` returns NaN or inf, or the difference quotient overflows.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable returning a float, got {type(f).__name__}")
    x = _check_float64(x, "x")
    h = check_float(h, "h", minimum=0.0, min_inclusive=False)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + h
            fp = _value(f, i)
            x[i] = old - h
            fm = _value(f, i)
        finally:
            x[i] = old  # restored even when f fails
        with np.errstate(over="ignore"):
            grad[i] = (fp - fm) / (2.0 * h)
        if not np.isfinite(grad[i]):
            raise NonFiniteError(f"numerical_gradient: (f(x + h) - f(x - h)) / 2h overflows at x{list(i)} "
                                 f"(f = {fp:.3g} and {fm:.3g}, h = {h:g}); scale f or x")
        it.iternext()
    return grad


def _value(f, i) -> float:
    """``f()`` as a float, with errors naming ``f`` (``i`` is the perturbed element of x)."""
    value = f()
    arr = np.asarray(value) if not isinstance(value, (str, bytes)) and value is not None else None
    if arr is None or arr.size != 1 or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"f must return one number (the loss), got {type(value).__name__}"
                        + (f" of shape {arr.shape}" if arr is not None and arr.size != 1 else ""))
    if np.iscomplexobj(arr):
        raise TypeError(f"f must return a real number, got {arr.dtype}")
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        raise NonFiniteError(f"numerical_gradient: f returned {value} with x{list(i)} perturbed by ±h; "
                             "f must be finite near x (does its loss overflow, or take log(0)?)")
    return value


@finite_output("a and b too large: |a| + |b| overflows float64")
def relative_error(a, b, eps: float = 1e-12) -> float:
    """Largest elementwise relative error max_i |a_i - b_i| / max(|a_i| + |b_i|, eps).

    Parameters
    ----------
    a, b : array_like, same shape

    Returns
    -------
    float
        0 for identical arrays; ~1e-7 or less for a correct float64 gradient vs central differences.
    """
    a = as_float_array(a, "a", allow_empty=True, dtype=np.float64)  # float32 a + b must not overflow
    b = as_float_array(b, "b", allow_empty=True, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}")
    eps = check_float(eps, "eps", minimum=0.0, min_inclusive=False)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), eps)))


@dataclass(frozen=True)
class GradCheckResult:
    """The outcome of :func:`check_gradients`.

    Attributes
    ----------
    errors : dict of str -> float
        Relative error per parameter.
    worst : dict of str -> tuple
        Per parameter: (index of the worst element, analytic value, numerical value).
    tol : float
        The threshold used.
    """

    errors: dict
    worst: dict
    tol: float

    @property
    def passed(self) -> bool:
        return all(e <= self.tol for e in self.errors.values())

    @property
    def failing(self) -> list:
        """Names of the parameters whose relative error exceeds ``tol``."""
        return [k for k, e in self.errors.items() if e > self.tol]

    def message(self) -> str:
        """One line per parameter, naming the worst element of each failing one."""
        lines = []
        for name, err in self.errors.items():
            idx, a, n = self.worst[name]
            status = "ok" if err <= self.tol else "FAIL"
            lines.append(f"{name}: relative error {err:.2e} [{status}]"
                         + ("" if err <= self.tol else
                            f" — worst element {name}{list(idx)}: analytic {a:.8g}, numerical {n:.8g}"))
        return "\n".join(lines)


def check_gradients(f: Callable[[], float], params: dict, grads: dict, *, h: float = 1e-5,
                    tol: float = 1e-6, raise_on_fail: bool = True) -> GradCheckResult:
    """Compare analytic gradients with central differences, parameter by parameter.

    Parameters
    ----------
    f : callable
        ``f() -> float``, the loss, reading the arrays in ``params`` (perturbed in place).
    params : dict of str -> ndarray (float64)
    grads : dict of str -> array_like
        Analytic dL/dparam for every key of ``params``, same shapes.
    h : float
    tol : float
        Largest acceptable relative error.
    raise_on_fail : bool
        Raise ``AssertionError`` naming the failing parameter and element.

    Returns
    -------
    GradCheckResult
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError("params and grads must be dicts mapping names to arrays")
    missing = set(params) - set(grads)
    if missing:
        raise ValueError(f"grads lacks {sorted(missing)}: give an analytic gradient for every parameter")
    tol = check_float(tol, "tol", minimum=0.0, min_inclusive=False)
    errors, worst = {}, {}
    for name, p in params.items():
        g = as_float_array(grads[name], f"grads[{name!r}]")
        p = _check_float64(p, f"params[{name!r}]")
        if g.shape != p.shape:
            raise ValueError(f"grads[{name!r}] has shape {g.shape} but params[{name!r}] has shape {p.shape}")
        num = numerical_gradient(f, p, h)
        rel = np.abs(g - num) / np.maximum(np.abs(g) + np.abs(num), 1e-12)
        i = np.unravel_index(int(np.argmax(rel)), rel.shape)
        errors[name] = float(rel[i])
        worst[name] = (tuple(int(k) for k in i), float(g[i]), float(num[i]))
    result = GradCheckResult(errors, worst, tol)
    if raise_on_fail and not result.passed:
        raise AssertionError("gradient check failed:\n" + result.message())
    return result


def check_layer(forward: Callable, backward: Callable, inputs: dict, *, rng=0, h: float = 1e-5,
                tol: float = 1e-6, raise_on_fail: bool = True) -> GradCheckResult:
    """Gradient-check a cache-API layer: ``forward(**inputs) -> (out, cache)``, ``backward(dout, cache)``.

    The scalar checked is L = sum(out * G) for a random G (N, H), so dL/dout = G and every
    output element matters.

    Parameters
    ----------
    forward : callable
        Takes the arrays of ``inputs`` as keyword arguments.
    backward : callable
        Returns one gradient per input, in the order of ``inputs`` (a single array if one input).
    inputs : dict of str -> ndarray (float64)
        e.g. ``{"x": x, "w": w, "b": b}``.
    rng : numpy Generator or int
        For G.

    Returns
    -------
    GradCheckResult
        Naming the failing input and element when ``raise_on_fail`` is False.
    """
    if not isinstance(inputs, dict) or not inputs:
        raise TypeError("inputs must be a non-empty dict mapping argument names to float64 arrays")
    rng = check_rng(rng)
    for k, v in inputs.items():
        _check_float64(v, f"inputs[{k!r}]")
    out, cache = forward(**inputs)
    G = rng.standard_normal(np.shape(out))
    grads = backward(G, cache)
    if len(inputs) == 1 and not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(inputs):
        raise ValueError(f"backward returned {len(grads)} gradient(s) for {len(inputs)} input(s)")
    analytic = dict(zip(inputs, grads))
    return check_gradients(lambda: float(np.sum(forward(**inputs)[0] * G)), inputs, analytic,
                           h=h, tol=tol, raise_on_fail=raise_on_fail)
