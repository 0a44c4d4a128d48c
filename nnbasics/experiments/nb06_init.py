"""Notebook 06's measured demos: signal statistics across depth (forward and backward), the
singular values of a deep network's Jacobian, training curves per init, and the symmetry
problem of constant init."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_choice,
    check_finite_output,
    check_float,
    check_int,
    check_rng,
    finite_output,
)
from nnbasics.core import activations
from nnbasics.core.init import SCHEMES, init_weights
from nnbasics.lab.runtime import blas_threads

__all__ = ['ACTIVATIONS', 'ActivationStats', 'activation_stats', 'Propagation', 'signal_propagation',
           'log_rms_walk', 'jacobian_singular_values', 'init_training_curves', 'SymmetryResult', 'symmetry_experiment']

#: The activations the numpy probes support ("linear" = no activation).
ACTIVATIONS = ("relu", "tanh", "sigmoid", "selu", "linear")


def _f(act: str, z: np.ndarray) -> np.ndarray:
    return z if act == "linear" else activations.apply(act, z)


def _df(act: str, z: np.ndarray) -> np.ndarray:
    return np.ones_like(z) if act == "linear" else activations.derivative(act, z)


@dataclass(frozen=True)
class ActivationStats:
    """Per-layer statistics of a deep MLP's activations (layer 0 is the input).

    Attributes
    ----------
    activation, scheme : str
    depth, width : int
    std : ndarray, shape (depth + 1,)
        Standard deviation of all N x H activations after each layer.
    rms : ndarray, shape (depth + 1,)
        Root-mean-square sqrt(E[h^2]) of the activations: what the He/Xavier derivation keeps
        constant (for ReLU the std is smaller by sqrt(1 - 1/pi) = 0.83, its outputs not
        being zero-mean).
    mean : ndarray, shape (depth + 1,)
    frac_saturated : ndarray, shape (depth + 1,)
        tanh: |h| > 0.99; sigmoid: h < 0.01 or h > 0.99; relu: h == 0; linear and selu: 0.
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
    rms: np.ndarray
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
                     input_std: float = 1.0, x=None, gain: float = 1.0) -> ActivationStats:
    """Forward Gaussian inputs through a bias-free deep MLP and record activation statistics.

    h_0 = x ~ N(0, input_std^2) (N, H);  h_l = f(h_{l-1} @ W_l), W_l (H, H) = gain * (a draw
    from ``scheme``).

    Parameters
    ----------
    depth : int >= 1
        Number of layers L.
    width : int >= 1
        Width H of every layer (and of the input).
    activation : {"relu", "tanh", "sigmoid", "selu", "linear"}
    scheme : str
        One of :data:`SCHEMES`.
    n : int
        Number of input samples N (>= 1).
    rng : numpy Generator or int
    n_bins : int
        Histogram bins.
    input_std : float > 0
        Standard deviation of the Gaussian inputs.
    x : array_like, shape (N, H), optional
        Inputs to use instead of standard normal samples.
    gain : float >= 0
        Multiplies every weight (e.g. :func:`nnbasics.core.init.gain`).

    Returns
    -------
    ActivationStats
    """
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    check_choice(activation, "activation", ACTIVATIONS)
    gain = check_float(gain, "gain", minimum=0.0)
    check_choice(scheme, "scheme", SCHEMES)
    n_bins = check_int(n_bins, "n_bins", minimum=2)
    rng = check_rng(rng)
    if x is None:
        n = check_int(n, "n", minimum=1)
        input_std = check_float(input_std, "input_std", minimum=0.0, min_inclusive=False)
        h = input_std * rng.standard_normal((n, width))
    else:
        h = as_float_array(x, "x", ndim=2).astype(np.float64)
        if h.shape[1] != width:
            raise ValueError(f"x has {h.shape[1]} features but width is H={width}")
    layers = [h]
    with blas_threads(1):  # small matmuls: threads only fight
        for _ in range(depth):
            W = gain * init_weights(scheme, (width, width), rng=rng)  # (H, H)
            h = _f(activation, h @ W)  # (N, H)
            layers.append(h)
    lo, hi = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(activation, (-3.0, 3.0))
    if activation == "relu":
        lo = 0.0
    bins = np.linspace(lo, hi, n_bins + 1)
    hist = np.array([np.histogram(np.clip(a, lo, hi), bins=bins)[0] / a.size for a in layers])
    return ActivationStats(activation, scheme, depth, width,
                           std=np.array([a.std() for a in layers]),
                           rms=np.array([np.sqrt(np.mean(a * a)) for a in layers]),
                           mean=np.array([a.mean() for a in layers]),
                           frac_saturated=np.array([_saturated(activation, a) for a in layers]),
                           bins=bins, hist=hist)


def log_rms_walk(*, width: int = 256, depth: int = 50, n: int = 128, networks: int = 20,
                 first_seed: int = 0) -> dict:
    """He + ReLU at finite width: how far does the RMS wander from the input's, network by network?

    Runs :func:`activation_stats` for ``networks`` independently drawn networks (seeds
    ``first_seed, first_seed + 1, ...``). For ONE input the squared norm is multiplied at each layer
    by a ratio with mean 1 and variance 5 / H, so log(RMS_L / RMS_0) has mean about -5L / (4H) and
    standard deviation about sqrt(5L / H) / 2; a batch of N inputs sharing the weights averages
    part of that away.

    Returns
    -------
    dict
        ``log_ratio`` (networks,) log(RMS_L / RMS_0); ``within2`` (networks,) bool: every layer's
        RMS within a factor 2 of the input's; ``theory_sd`` sqrt(5L/H)/2; ``theory_mean`` -5L/(4H).
    """
    width = check_int(width, "width", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    networks = check_int(networks, "networks", minimum=1)
    first_seed = check_int(first_seed, "first_seed", minimum=0)
    logs, within = [], []
    for seed in range(first_seed, first_seed + networks):
        s = activation_stats(depth=depth, width=width, activation="relu", scheme="he_normal", n=n,
                             rng=seed, n_bins=2)
        r = s.rms[1:] / s.rms[0]
        logs.append(float(np.log(r[-1])))
        within.append(bool(np.all((r > 0.5) & (r < 2))))
    return {"log_ratio": np.array(logs), "within2": np.array(within),
            "theory_sd": 0.5 * np.sqrt(5 * depth / width), "theory_mean": -5 * depth / (4 * width)}


@dataclass(frozen=True)
class Propagation:
    """Forward and backward signal sizes through a bias-free MLP (see :func:`signal_propagation`).

    Attributes
    ----------
    widths : tuple of int
        (n_0, n_1, ..., n_L): input width, then each layer's width.
    mode : {"fan_in", "fan_out"}
    forward_rms : ndarray, shape (L,)
        sqrt(E[z_l^2]) of each layer's pre-activations z_l = h_{l-1} W_l.
    backward_rms : ndarray, shape (L,)
        sqrt(E[delta_l^2]) of the gradients delta_l = dL/dz_l, for a standard normal gradient
        arriving at the top.
    """

    widths: tuple
    mode: str
    forward_rms: np.ndarray
    backward_rms: np.ndarray


def signal_propagation(widths, *, activation: str = "relu", mode: str = "fan_in", n: int = 256,
                       rng=0) -> Propagation:
    """Push N(0, 1) inputs forward and N(0, 1) gradients backward through He-initialised layers.

    Forward, Var(z_l) = n_in sigma^2 E[h^2] is kept by sigma^2 = 2 / n_in ("fan_in"); backward,
    delta_{l-1} = f'(z_{l-1}) * (delta_l W_l^T) has Var = (1/2) n_out sigma^2 Var(delta_l), kept by
    sigma^2 = 2 / n_out ("fan_out"). With unequal widths only one of the two can be flat.

    Parameters
    ----------
    widths : sequence of int
        (n_0, ..., n_L), at least two entries.
    activation : {"relu", "tanh", "sigmoid", "selu", "linear"}
    mode : {"fan_in", "fan_out"}
        He normal's variance 2 / fan_in or 2 / fan_out.
    n : int
        Number of inputs N.
    rng : numpy Generator or int

    Returns
    -------
    Propagation
    """
    from nnbasics.core.init import he_normal

    if not isinstance(widths, (tuple, list)) or len(widths) < 2:
        raise ValueError(f"widths must be a sequence of at least 2 widths (n_0, ..., n_L), got {widths!r}")
    widths = tuple(check_int(w, f"widths[{i}]", minimum=1) for i, w in enumerate(widths))
    check_choice(activation, "activation", ACTIVATIONS)
    check_choice(mode, "mode", ("fan_in", "fan_out"))
    n = check_int(n, "n", minimum=1)
    rng = check_rng(rng)
    h = rng.standard_normal((n, widths[0]))  # (N, n_0)
    Ws, zs = [], []
    with blas_threads(1):
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            W = he_normal((n_in, n_out), rng=rng, mode=mode)  # (n_in, n_out)
            z = h @ W  # (N, n_out)
            h = _f(activation, z)
            Ws.append(W)
            zs.append(z)
        delta = rng.standard_normal(zs[-1].shape)  # dL/dz_L
        deltas = [delta]
        for W, z in zip(Ws[:0:-1], zs[-2::-1]):  # from layer L down to 2
            delta = _df(activation, z) * (delta @ W.T)  # (N, n_in)
            deltas.append(delta)
    rms = lambda a: float(np.sqrt(np.mean(a * a)))  # noqa: E731
    return Propagation(widths, mode, np.array([rms(z) for z in zs]), np.array([rms(d) for d in deltas[::-1]]))


@finite_output("the Jacobian overflows: gain (or input_std with a growing activation) too large for this depth; "
               "use a gain near 1")
def jacobian_singular_values(*, depth: int = 32, width: int = 128, activation: str = "linear",
                             scheme: str = "xavier_normal", gain: float = 1.0, input_std: float = 1.0,
                             rng=0) -> np.ndarray:
    """Singular values of a deep MLP's input-output Jacobian dh_L/dh_0 at one random input.

    Row-vector layers h_l = f(h_{l-1} W_l) give dh_L/dh_0 = W_1 D_1 W_2 D_2 ... W_L D_L with
    D_l = diag(f'(z_l)). *Dynamical isometry* (Saxe et al., 2014; Pennington et al., 2017) means
    all of them are close to 1: every direction of the gradient survives the trip back.

    Parameters
    ----------
    depth, width : int
    activation : {"relu", "tanh", "sigmoid", "selu", "linear"}
    scheme : str
        One of :data:`nnbasics.core.init.SCHEMES` (e.g. "xavier_normal", "orthogonal").
    gain : float
        Multiplies every weight.
    input_std : float > 0
        Std of the Gaussian input h_0 (1, width).
    rng : numpy Generator or int

    Returns
    -------
    ndarray, shape (width,)
        Singular values, largest first.
    """
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    check_choice(activation, "activation", ACTIVATIONS)
    check_choice(scheme, "scheme", SCHEMES)
    gain = check_float(gain, "gain", minimum=0.0)
    input_std = check_float(input_std, "input_std", minimum=0.0, min_inclusive=False)
    rng = check_rng(rng)
    h = input_std * rng.standard_normal((1, width))
    J = np.eye(width)
    with blas_threads(1):
        for _ in range(depth):
            W = gain * init_weights(scheme, (width, width), rng=rng)  # (H, H)
            z = h @ W
            J = (J @ W) * _df(activation, z)  # J W D: scales column j by f'(z_j)
            h = _f(activation, z)
    check_finite_output(J, "jacobian_singular_values", "the Jacobian overflows: gain too large for this depth")
    return np.linalg.svd(J, compute_uv=False)


def init_training_curves(inits=("zeros", "small", "xavier", "he", "orthogonal"), *, depth: int = 8,
                         width: int = 64, epochs: int = 15, lr: float = 0.05, seed: int = 0) -> dict:
    """Train the same deep ReLU MLP on the digits from different initialisations.

    SGD with momentum 0.9 (Adam would rescale every weight's step and hide much of the
    init's effect); biases start at 0; "small" is N(0, 0.01^2); "orthogonal" has gain sqrt 2.

    Parameters
    ----------
    inits : tuple of str
        From {"zeros", "small", "xavier", "he", "orthogonal", "default"}.
    depth, width : int
        Hidden layers and their width.
    epochs : int
    lr : float
    seed : int
        Seeds the split, the weights and the batch order.

    Returns
    -------
    dict
        init -> {"train_loss": list, "val_acc": list} (one entry per epoch).
    """
    from nnbasics import data
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, fit

    names = {"zeros": ("zeros", 1.0), "small": ("normal", 0.01), "xavier": ("xavier", 1.0),
             "he": ("he", 1.0), "orthogonal": ("orthogonal", 1.0), "default": ("default", 1.0)}
    for name in inits:
        check_choice(name, "inits", tuple(names))
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    split = data.digits(rng=seed)
    out = {}
    for name in inits:
        init, scale = names[name]
        model = build_mlp(MLPConfig(d_in=split.X_train.shape[1], hidden=(width,) * depth, d_out=10,
                                    activation="relu", init=init, init_scale=scale, seed=seed))
        hist = fit(model, split.X_train, split.y_train, split.X_val, split.y_val,
                   cfg=TrainConfig(epochs=epochs, batch_size=64, lr=lr, optimizer="sgd", momentum=0.9,
                                   seed=seed))
        out[name] = {"train_loss": hist.train_loss, "val_acc": hist.val_acc}
    return out


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
        Hidden width H (1 gives the single-unit network that constant init is equivalent to).
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
    hidden = check_int(hidden, "hidden", minimum=1)
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
