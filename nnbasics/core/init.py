"""Weight initialisation schemes, and a probe of what they do to activations across depth.

Weights follow the course's ``x @ W`` convention: ``W`` has shape (fan_in, fan_out) = (D, H).
(torch's ``nn.Linear.weight`` is the transpose, (fan_out, fan_in).)

- Xavier/Glorot (2010): Var(W) = 2 / (fan_in + fan_out) keeps the variance of a *linear*
  (or tanh near 0) layer's signal in both passes.
- He/Kaiming (2015): Var(W) = 2 / fan_in keeps it through ReLU, which zeroes half the signal.
- Orthogonal (Saxe et al., 2014): every singular value equal to ``gain``; a deep linear
  network of them is an exact isometry.
- Gains (as ``torch.nn.init.calculate_gain``): the factor by which a scheme's std is multiplied
  to suit an activation (ReLU sqrt(2), tanh 5/3, SELU 3/4).
"""

from __future__ import annotations

import math

import numpy as np

from nnbasics._validate import check_choice, check_float, check_int, check_rng

__all__ = ['zeros', 'constant', 'normal', 'xavier_uniform', 'xavier_normal', 'he_normal', 'he_uniform',
           'orthogonal', 'GAINS', 'gain', 'SCHEMES', 'init_weights']


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


def orthogonal(shape, *, rng, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """A (semi-)orthogonal matrix times ``gain``, like ``torch.nn.init.orthogonal_``.

    QR-decompose a standard normal matrix and fix the signs of R's diagonal, so the result is
    uniformly (Haar) distributed. With fan_in >= fan_out the columns are orthonormal
    (W^T W = gain^2 I), otherwise the rows (W W^T = gain^2 I): every singular value is ``gain``.

    Parameters
    ----------
    shape : (int, int)
        (fan_in, fan_out).
    rng : numpy Generator or int
    gain : float >= 0
    dtype : floating dtype

    Returns
    -------
    ndarray, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _shape(shape)
    gain = check_float(gain, "gain", minimum=0.0)
    big, small = max(fan_in, fan_out), min(fan_in, fan_out)
    q, r = np.linalg.qr(check_rng(rng).standard_normal((big, small)))  # q (big, small)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)  # sign fix: Haar-distributed
    w = q if fan_in >= fan_out else q.T
    return (gain * w).astype(_dtype(dtype))


#: ``torch.nn.init.calculate_gain``'s values (leaky_relu's depends on its slope: see :func:`gain`).
GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}


def gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale factor for an activation, as ``torch.nn.init.calculate_gain``.

    For ReLU, sqrt(2) undoes the halving of E[h^2] (He init = gain^2 / fan_in). Leaky ReLU with
    negative slope a keeps (1 + a^2) / 2 of it: gain sqrt(2 / (1 + a^2)). tanh's 5/3 and SELU's
    3/4 are torch's choices (5/3 gives tanh a stable non-zero variance; SELU's own fixed point
    needs gain 1, i.e. Var(w) = 1 / fan_in — notebook 06 measures both).

    Parameters
    ----------
    nonlinearity : {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"}
    param : float, optional
        Negative slope for ``"leaky_relu"`` (default 0.01, like torch).

    Returns
    -------
    float
    """
    check_choice(nonlinearity, "nonlinearity", (*GAINS, "leaky_relu"))
    if nonlinearity != "leaky_relu":
        return GAINS[nonlinearity]
    a = 0.01 if param is None else check_float(param, "param")
    return math.sqrt(2.0 / (1.0 + a * a))


#: Named schemes for :func:`init_weights`, :func:`activation_stats` and the widget.
SCHEMES = ("zeros", "normal_0.01", "normal_1", "xavier_uniform", "xavier_normal", "he_normal",
           "he_uniform", "orthogonal")


def init_weights(scheme: str, shape, *, rng, dtype=np.float64) -> np.ndarray:
    """Weights (fan_in, fan_out) from one of :data:`SCHEMES` (``normal_<std>`` for a fixed std)."""
    check_choice(scheme, "scheme", SCHEMES)
    if scheme == "zeros":
        return zeros(shape, dtype=dtype)
    if scheme.startswith("normal_"):
        return normal(shape, float(scheme.split("_")[1]), rng=rng, dtype=dtype)
    return {"xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal,
            "he_normal": he_normal, "he_uniform": he_uniform,
            "orthogonal": orthogonal}[scheme](shape, rng=rng, dtype=dtype)
