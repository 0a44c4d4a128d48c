"""Notebook 04's measured demos: Gaussian responses of activations, dying ReLU, ReLU vs sigmoid at depth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import check_choice, check_float, check_int, check_rng
from nnbasics.core.activations import NAMES, apply, derivative
from nnbasics.lab.diagnostics import dead_unit_fraction, layer_grad_norms, layer_outputs
from nnbasics.lab.runtime import one_thread

__all__ = ['gaussian_response', 'DyingReluResult', 'dying_relu_experiment', 'relu_vs_sigmoid']


def gaussian_response(name: str, scale: float, *, n: int = 20000, rng=0, **params) -> dict:
    """Push Gaussian inputs x ~ N(0, scale^2) through an activation and summarise the outputs.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    scale : float > 0
        Standard deviation of the inputs.
    n : int
        Number of samples.
    rng : numpy Generator or int

    Returns
    -------
    dict
        ``x`` (n,), ``y`` (n,) outputs, ``mean``, ``std`` of y, ``mean_abs_grad`` = E|f'(x)|,
        ``frac_zero_grad`` (fraction with |f'| < 1e-3: saturated or dead).
    """
    check_choice(name, "name", NAMES)
    scale = check_float(scale, "scale", minimum=0.0, min_inclusive=False)
    n = check_int(n, "n", minimum=2)
    x = scale * check_rng(rng).standard_normal(n)
    y = apply(name, x, **params)
    g = derivative(name, x, **params)
    return {"x": x, "y": y, "mean": float(y.mean()), "std": float(y.std()),
            "mean_abs_grad": float(np.abs(g).mean()),
            "frac_zero_grad": float(np.mean(np.abs(g) < 1e-3))}




@dataclass(frozen=True)
class DyingReluResult:
    """What :func:`dying_relu_experiment` measured for one activation.

    Attributes
    ----------
    activation : str
    lr : float
    dead_before, dead_after : list of float
        Per hidden layer, the fraction of units with pre-activation <= 0 on all inputs.
    dead_grad_after : float
        Fraction of all hidden units whose gradient f'(z) is exactly 0 on every input after
        training (truly dead: they will never learn again).
    train_loss : list of float
    final_accuracy : float
    """

    activation: str
    lr: float
    dead_before: list
    dead_after: list
    dead_grad_after: float
    train_loss: list
    final_accuracy: float


def dying_relu_experiment(activation: str = "relu", *, lr: float = 0.5, epochs: int = 10,
                          hidden=(32, 32, 32), n: int = 200, batch_size: int = 50,
                          optimizer: str = "adam", seed: int = 0) -> DyingReluResult:
    """Train a small MLP on two moons and count the units that died.

    Parameters
    ----------
    activation : {"relu", "leaky_relu", "elu"}
    lr : float > 0
        Learning rate; a too-large one knocks ReLU units into the all-negative region.
    epochs : int
    hidden : tuple of int
    n : int
        Number of two-moons points.
    batch_size : int
    optimizer : {"adam", "sgd", "adamw"}
    seed : int
        Seeds the data, the weights and the batch order.

    Returns
    -------
    DyingReluResult
    """
    from nnbasics import data

    check_choice(activation, "activation", ("relu", "leaky_relu", "elu"))
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    n = check_int(n, "n", minimum=4)
    X, y = data.moons(n, rng=seed, noise=0.15)
    (X,) = data.standardize(X)
    with one_thread():
        return _dying_relu(X, y, activation, lr, epochs, tuple(hidden), batch_size, optimizer, seed)


def _dying_relu(X, y, activation, lr, epochs, hidden, batch_size, optimizer, seed):
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    model = build_mlp(MLPConfig(d_in=2, hidden=hidden, d_out=2, activation=activation,
                                init="he", seed=seed))
    before = dead_unit_fraction(model, X)
    hist = fit(model, X, y, cfg=TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr,
                                            optimizer=optimizer, seed=seed))
    if hist.diverged:  # NaN weights: nothing left to count
        nan = [float("nan")] * len(before)
        return DyingReluResult(activation, lr, before, nan, float("nan"), hist.train_loss,
                               float("nan"))
    after = dead_unit_fraction(model, X)
    zs = layer_outputs(model, X, kind="linear")
    grads = [np.asarray(derivative(activation, z)) for z in zs]
    dead_grad = float(np.mean(np.concatenate([np.all(g == 0, axis=0) for g in grads])))
    _, acc = evaluate(model, X, y)
    return DyingReluResult(activation, lr, before, after, dead_grad, hist.train_loss, float(acc))


def relu_vs_sigmoid(*, depth: int = 6, width: int = 32, epochs: int = 15, lr: float = 0.05,
                    n: int = 200, seed: int = 0, activations=("sigmoid", "relu")) -> dict:
    """Same MLP, same data, same SGD budget: how fast does each activation learn, and why?

    For each activation, measured at initialisation: the gradient norm of every linear
    layer's weights on the full batch and the sparsity (fraction of exactly-zero hidden
    activations); then the training loss per epoch.

    Parameters
    ----------
    depth : int
        Number of hidden layers.
    width : int
        Hidden width H.
    epochs : int
    lr : float
        SGD (momentum 0.9) learning rate.
    n : int
        Number of spiral points.
    seed : int
    activations : tuple of str
        Names from :data:`nnbasics.lab.models.ACTIVATIONS`.

    Returns
    -------
    dict
        name -> {"grad_norms": (depth + 1,) array, first layer first, "sparsity": float,
        "train_loss": list, "accuracy": float}
    """
    from nnbasics import data

    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    n = check_int(n, "n", minimum=4)
    X, y = data.spirals(n, rng=seed, noise=0.1)
    out = {}
    with one_thread():
        for act in activations:
            out[act] = _train_and_probe(X, y, act, depth, width, epochs, lr, seed)
    return out


def _train_and_probe(X, y, act, depth, width, epochs, lr, seed) -> dict:

    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    model = build_mlp(MLPConfig(d_in=2, hidden=(width,) * depth, d_out=2, activation=act,
                                init="xavier", seed=seed))
    norms = layer_grad_norms(model, X, y)  # at initialisation, full batch
    acts = layer_outputs(model, X, kind="activation")
    sparsity = float(np.mean(np.concatenate([(a == 0).ravel() for a in acts])))
    hist = fit(model, X, y, cfg=TrainConfig(epochs=epochs, batch_size=50, lr=lr,
                                            optimizer="sgd", momentum=0.9, seed=seed))
    return {"grad_norms": norms, "sparsity": sparsity, "train_loss": hist.train_loss,
            "accuracy": float(evaluate(model, X, y)[1])}
