"""Weight initialisation schemes, and a probe of what they do to activations across depth.

Weights follow the course's ``x @ W`` convention: ``W`` has shape (fan_in, fan_out) = (D, H).
(torch's ``nn.Linear.weight`` is the transpose, (fan_out, fan_in).)

- Xavier/Glorot (2010): Var(W) = 2 / (fan_in + fan_out) keeps the variance of a *linear*
  (or tanh near 0) layer's signal in both passes.
- He/Kaiming (2015): Var(W) = 2 / fan_in keeps it through ReLU, which zeroes half the signal.
"""

from __future__ import annotations

import math

import numpy as np

from nnbasics._validate import check_choice, check_float, check_int, check_rng

__all__ = ['zeros', 'constant', 'normal', 'xavier_uniform', 'xavier_normal', 'he_normal', 'he_uniform', 'SCHEMES', 'init_weights']


def _shape(shape) -> tuple[int, int]:
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"shape must be a (fan_in, fan_out) pair, got {shape!r}")
    return (check_int(shape[0], "shape[0] (fan_in)", minimum=1),
            check_int(shape[1], "shape[1] (fan_out)", minimum=1))


def _dtype(dtype):
    dt = np.dtype(dtype)
    if not np.issubdtype(dt, np.floating):
        raise TypeError(f"dtype must be a floating dtype, got {dt}")
    return dt


def zeros(shape, *, dtype=np.float64) -> np.ndarray:
    """All-zero weights W (fan_in, fan_out). Every hidden unit is then identical: never use it
    for the weights of hidden layers (biases are fine)."""
    return np.zeros(_shape(shape), dtype=_dtype(dtype))


def constant(shape, value: float, *, dtype=np.float64) -> np.ndarray:
    """Every weight equal to ``value``: shape (fan_in, fan_out). Symmetric, like :func:`zeros`."""
    return np.full(_shape(shape), check_float(value, "value"), dtype=_dtype(dtype))


def normal(shape, std: float, *, rng, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, std^2), shape (fan_in, fan_out), ignoring the layer's size.

    Parameters
    ----------
    shape : (int, int)
        (fan_in, fan_out).
    std : float >= 0
    rng : numpy Generator or int
    dtype : floating dtype

    Returns
    -------
    ndarray, shape (fan_in, fan_out)
    """
    shape = _shape(shape)
    std = check_float(std, "std", minimum=0.0)
    return (std * check_rng(rng).standard_normal(shape)).astype(_dtype(dtype))


def xavier_uniform(shape, *, rng, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """Glorot uniform: W ~ U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)).

    Var(U(-a, a)) = a^2 / 3 = gain^2 2 / (fan_in + fan_out). Same as ``torch.nn.init.xavier_uniform_``.

    Returns
    -------
    ndarray, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _shape(shape)
    gain = check_float(gain, "gain", minimum=0.0)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return check_rng(rng).uniform(-a, a, size=(fan_in, fan_out)).astype(_dtype(dtype))


def xavier_normal(shape, *, rng, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """Glorot normal: W ~ N(0, gain^2 2 / (fan_in + fan_out)), shape (fan_in, fan_out)."""
    fan_in, fan_out = _shape(shape)
    gain = check_float(gain, "gain", minimum=0.0)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return (std * check_rng(rng).standard_normal((fan_in, fan_out))).astype(_dtype(dtype))


def _fan(fan_in: int, fan_out: int, mode: str) -> int:
    check_choice(mode, "mode", ("fan_in", "fan_out"))
    return fan_in if mode == "fan_in" else fan_out


def he_normal(shape, *, rng, mode: str = "fan_in", dtype=np.float64) -> np.ndarray:
    """He/Kaiming normal for ReLU: W ~ N(0, 2 / fan_in), shape (fan_in, fan_out).

    ``mode="fan_out"`` uses 2 / fan_out instead (preserves the backward pass).
    Same as ``torch.nn.init.kaiming_normal_(w, nonlinearity="relu")``.
    """
    fan_in, fan_out = _shape(shape)
    std = math.sqrt(2.0 / _fan(fan_in, fan_out, mode))
    return (std * check_rng(rng).standard_normal((fan_in, fan_out))).astype(_dtype(dtype))


def he_uniform(shape, *, rng, mode: str = "fan_in", dtype=np.float64) -> np.ndarray:
    """He/Kaiming uniform: W ~ U(-a, a), a = sqrt(6 / fan_in) so that Var = 2 / fan_in."""
    fan_in, fan_out = _shape(shape)
    a = math.sqrt(6.0 / _fan(fan_in, fan_out, mode))
    return check_rng(rng).uniform(-a, a, size=(fan_in, fan_out)).astype(_dtype(dtype))


#: Named schemes for :func:`init_weights`, :func:`activation_stats` and the widget.
SCHEMES = ("zeros", "normal_0.01", "normal_1", "xavier_uniform", "xavier_normal", "he_normal",
           "he_uniform")


def init_weights(scheme: str, shape, *, rng, dtype=np.float64) -> np.ndarray:
    """Weights (fan_in, fan_out) from one of :data:`SCHEMES` (``normal_<std>`` for a fixed std)."""
    check_choice(scheme, "scheme", SCHEMES)
    if scheme == "zeros":
        return zeros(shape, dtype=dtype)
    if scheme.startswith("normal_"):
        return normal(shape, float(scheme.split("_")[1]), rng=rng, dtype=dtype)
    return {"xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal,
            "he_normal": he_normal, "he_uniform": he_uniform}[scheme](shape, rng=rng, dtype=dtype)
