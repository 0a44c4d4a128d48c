"""Weight initialisation schemes, and a probe of what they do to activations across depth.

Weights follow the course's ``x @ W`` convention: ``W`` has shape (fan_in, fan_out) = (D, H).
(torch's ``nn.Linear.weight`` is the transpose, (fan_out, fan_in).)

- Xavier/Glorot (2010): Var(W) = 2 / (fan_in + fan_out) keeps the variance of a *linear*
  (or tanh near 0) layer's signal in both passes.
- He/Kaiming (2015): Var(W) = 2 / fan_in keeps it through ReLU, which zeroes half the signal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import as_float_array, check_choice, check_float, check_int, check_rng
from nnbasics.runtime import blas_threads

__all__ = ["zeros", "constant", "normal", "xavier_uniform", "xavier_normal", "he_normal",
           "he_uniform", "SCHEMES", "init_weights", "ActivationStats", "activation_stats",
           "SymmetryResult", "symmetry_experiment"]


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


_ACTS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),  # = 1 / (1 + e^-z), overflow-free
    "linear": lambda z: z,
}


@dataclass(frozen=True)
class ActivationStats:
    """Per-layer statistics of a deep MLP's activations (layer 0 is the input).

    Attributes
    ----------
    activation, scheme : str
    depth, width : int
    std : ndarray, shape (depth + 1,)
        Standard deviation of all N x H activations after each layer.
    mean : ndarray, shape (depth + 1,)
    frac_saturated : ndarray, shape (depth + 1,)
        tanh: |h| > 0.99; sigmoid: h < 0.01 or h > 0.99; relu: h == 0; linear: 0.
    bins : ndarray, shape (n_bins + 1,)
        Common histogram edges for ``hist``.
    hist : ndarray, shape (depth + 1, n_bins)
        Fraction of activations in each bin, per layer.
    """

    activation: str
    scheme: str
    depth: int
    width: int
    std: np.ndarray
    mean: np.ndarray
    frac_saturated: np.ndarray
    bins: np.ndarray
    hist: np.ndarray


def _saturated(act: str, h: np.ndarray) -> float:
    if act == "tanh":
        return float(np.mean(np.abs(h) > 0.99))
    if act == "sigmoid":
        return float(np.mean((h < 0.01) | (h > 0.99)))
    if act == "relu":
        return float(np.mean(h == 0))
    return 0.0


def activation_stats(*, depth: int = 50, width: int = 256, activation: str = "relu",
                     scheme: str = "he_normal", n: int = 128, rng=0, n_bins: int = 40,
                     input_std: float = 1.0, x=None) -> ActivationStats:
    """Forward Gaussian inputs through a bias-free deep MLP and record activation statistics.

    h_0 = x ~ N(0, input_std^2) (N, H);  h_l = f(h_{l-1} @ W_l), W_l (H, H) from ``scheme``.

    Parameters
    ----------
    depth : int >= 1
        Number of layers L.
    width : int >= 1
        Width H of every layer (and of the input).
    activation : {"relu", "tanh", "sigmoid", "linear"}
    scheme : str
        One of :data:`SCHEMES`.
    n : int
        Number of input samples N.
    rng : numpy Generator or int
    n_bins : int
        Histogram bins.
    input_std : float > 0
        Standard deviation of the Gaussian inputs.
    x : array_like, shape (N, H), optional
        Inputs to use instead of standard normal samples.

    Returns
    -------
    ActivationStats
    """
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    check_choice(activation, "activation", tuple(_ACTS))
    check_choice(scheme, "scheme", SCHEMES)
    n_bins = check_int(n_bins, "n_bins", minimum=2)
    rng = check_rng(rng)
    if x is None:
        n = check_int(n, "n", minimum=2)
        input_std = check_float(input_std, "input_std", minimum=0.0, min_inclusive=False)
        h = input_std * rng.standard_normal((n, width))
    else:
        h = as_float_array(x, "x", ndim=2).astype(np.float64)
        if h.shape[1] != width:
            raise ValueError(f"x has {h.shape[1]} features but width is H={width}")
    f = _ACTS[activation]
    layers = [h]
    with blas_threads(1):  # small matmuls: threads only fight
        for _ in range(depth):
            W = init_weights(scheme, (width, width), rng=rng)  # (H, H)
            h = f(h @ W)  # (N, H)
            layers.append(h)
    lo, hi = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(activation, (-3.0, 3.0))
    if activation == "relu":
        lo = 0.0
    bins = np.linspace(lo, hi, n_bins + 1)
    hist = np.array([np.histogram(np.clip(a, lo, hi), bins=bins)[0] / a.size for a in layers])
    return ActivationStats(activation, scheme, depth, width,
                           std=np.array([a.std() for a in layers]),
                           mean=np.array([a.mean() for a in layers]),
                           frac_saturated=np.array([_saturated(activation, a) for a in layers]),
                           bins=bins, hist=hist)


@dataclass(frozen=True)
class SymmetryResult:
    """What :func:`symmetry_experiment` measured.

    Attributes
    ----------
    init : str
    unit_spread : float
        max over hidden units of |W1[:, j] - W1[:, 0]| (and the same for biases and output
        weights) after training: 0 means every hidden unit is an identical copy.
    first_layer_change : float
        max |W1_after - W1_before|: did the hidden layer learn at all?
    train_loss : list of float
    accuracy : float
    """

    init: str
    unit_spread: float
    first_layer_change: float
    train_loss: list
    accuracy: float


def symmetry_experiment(init: str = "zeros", *, hidden: int = 16, epochs: int = 30,
                        lr: float = 0.05, seed: int = 0) -> SymmetryResult:
    """Train a one-hidden-layer tanh MLP on two moons and test whether its hidden units differ.

    Parameters
    ----------
    init : {"zeros", "constant", "he"}
        ``"constant"`` sets every weight to 0.3: symmetric but not zero, so the units
        *do* learn — all in lockstep.
    hidden : int
        Hidden width H.
    epochs : int
    lr : float
        Adam learning rate.
    seed : int

    Returns
    -------
    SymmetryResult
    """
    import torch

    from nnbasics import data
    from nnbasics.models import MLPConfig, build_mlp, linear_layers
    from nnbasics.runtime import one_thread
    from nnbasics.train import TrainConfig, evaluate, fit

    check_choice(init, "init", ("zeros", "constant", "he"))
    hidden = check_int(hidden, "hidden", minimum=2)
    X, y = data.moons(200, rng=seed, noise=0.1)
    (X,) = data.standardize(X)
    with one_thread():
        model = build_mlp(MLPConfig(d_in=2, hidden=(hidden,), d_out=2, activation="tanh",
                                    init="zeros" if init == "constant" else init, seed=seed),
                          dtype=torch.float64)
        l1, l2 = linear_layers(model)
        if init == "constant":
            with torch.no_grad():
                l1.weight.fill_(0.3)
                l2.weight.fill_(0.3)
        w1_before = l1.weight.detach().clone()
        hist = fit(model, X, y, cfg=TrainConfig(epochs=epochs, batch_size=50, lr=lr, seed=seed))
        W1, b1, W2 = l1.weight.detach(), l1.bias.detach(), l2.weight.detach()  # (H, D), (H,), (C, H)
        spread = max(float((W1 - W1[:1]).abs().max()), float((b1 - b1[0]).abs().max()),
                     float((W2 - W2[:, :1]).abs().max()))
        change = float((W1 - w1_before).abs().max())
        acc = evaluate(model, X, y)[1]
    return SymmetryResult(init, spread, change, hist.train_loss, float(acc))
