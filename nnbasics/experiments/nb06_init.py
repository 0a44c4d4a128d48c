"""Notebook 06's measured demos: activation statistics across depth, and the symmetry problem of constant init."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_rng,
    finite_output,
)
from nnbasics.core.init import SCHEMES, init_weights
from nnbasics.lab.runtime import blas_threads

__all__ = ['ActivationStats', 'activation_stats', 'SymmetryResult', 'symmetry_experiment']


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


@finite_output("the activations overflow: input_std (or x) too large for this depth; scale them")
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
    from nnbasics.lab.models import MLPConfig, build_mlp, linear_layers
    from nnbasics.lab.runtime import one_thread
    from nnbasics.lab.train import TrainConfig, evaluate, fit

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
