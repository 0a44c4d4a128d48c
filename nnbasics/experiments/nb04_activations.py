"""Notebook 04's measured demos: Gaussian responses of activations, dying ReLU, ReLU vs sigmoid at depth."""

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
from nnbasics.core.activations import NAMES, apply, derivative
from nnbasics.lab.diagnostics import layer_grad_norms, layer_outputs, unit_grad_norms
from nnbasics.lab.runtime import one_thread

__all__ = ['gaussian_response', 'MATCHED_INIT', 'DyingReluResult', 'dying_relu_experiment', 'relu_vs_sigmoid',
           'ZigzagResult', 'zigzag_descent']


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




#: The init each activation is usually paired with (notebook 06): He for the ReLU family,
#: Xavier for the saturating ones.
MATCHED_INIT = {"relu": "he", "leaky_relu": "he", "elu": "he", "gelu": "he",
                "sigmoid": "xavier", "tanh": "xavier", "identity": "xavier"}


@dataclass(frozen=True)
class DyingReluResult:
    """What :func:`dying_relu_experiment` measured for one activation.

    A unit is *all-negative* when its pre-activation z is <= 0 on every training input; for
    ReLU that unit outputs 0 and receives no gradient from any example: it is dead.

    Attributes
    ----------
    activation : str
    lr : float
    dead_per_epoch : ndarray, shape (epochs + 1, n_layers)
        Fraction of all-negative units per hidden layer, at initialisation (row 0) and after
        every epoch.
    dead_before, dead_after : list of float
        Rows 0 and -1 of ``dead_per_epoch``.
    born_dead : int
        Units all-negative at initialisation.
    became_dead : int
        Units alive at initialisation and all-negative at the end.
    revived : int
        Units all-negative at some epoch boundary (or at initialisation) but alive at the end.
    revived_per_layer : list of int
    negative_unit_grad : float
        Largest ``||dL/dw_j||`` (full batch, after training) over the units that end
        all-negative: exactly 0 for ReLU, positive for Leaky ReLU/ELU (NaN when no unit ends
        all-negative).
    train_loss : list of float
    final_accuracy : float
        Training accuracy after the last epoch.
    """

    activation: str
    lr: float
    dead_per_epoch: np.ndarray
    dead_before: list
    dead_after: list
    born_dead: int
    became_dead: int
    revived: int
    revived_per_layer: list
    negative_unit_grad: float
    train_loss: list
    final_accuracy: float

    @property
    def dead_after_total(self) -> float:
        """Fraction of all hidden units that end all-negative."""
        return float(np.mean(self.dead_after))


def dying_relu_experiment(activation: str = "relu", *, lr: float = 0.3, epochs: int = 60,
                          hidden=(8, 8, 8), dataset: str = "spirals", n: int = 300,
                          batch_size: int = 50, optimizer: str = "adam",
                          seed: int = 0) -> DyingReluResult:
    """Train a small He-initialised MLP and follow which hidden units are all-negative.

    After every epoch each unit's pre-activations on the whole training set are checked; a
    unit negative on every input is (for ReLU) dead. The record shows units *becoming* dead
    during training and some *reviving* (their inputs move when the layers below change, and
    Adam's momentum keeps moving weights whose gradient is zero).

    Parameters
    ----------
    activation : {"relu", "leaky_relu", "elu"}
    lr : float > 0
        Learning rate; a too-large one knocks ReLU units into the all-negative region.
    epochs : int
    hidden : tuple of int
        Hidden widths; narrow layers make each dead unit costly.
    dataset : {"spirals", "moons"}
        Two-class spirals (hard: needs every unit) or two moons (easy).
    n : int
        Number of points.
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
    check_choice(dataset, "dataset", ("spirals", "moons"))
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    n = check_int(n, "n", minimum=4)
    if dataset == "spirals":
        X, y = data.spirals(n, rng=seed)
    else:
        X, y = data.moons(n, rng=seed, noise=0.15)
    (X,) = data.standardize(X)
    with one_thread():
        return _dying_relu(X, y, activation, lr, epochs, tuple(hidden), batch_size, optimizer, seed)


def _all_negative(model, X) -> list:
    """Per hidden layer, a boolean mask (H_l,) of the units with z <= 0 on every row of X."""
    return [np.all(z <= 0, axis=0) for z in layer_outputs(model, X, kind="linear")]


def _dying_relu(X, y, activation, lr, epochs, hidden, batch_size, optimizer, seed):
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    model = build_mlp(MLPConfig(d_in=2, hidden=hidden, d_out=int(y.max()) + 1,
                                activation=activation, init="he", seed=seed))
    masks = [_all_negative(model, X)]
    hist = fit(model, X, y, cfg=TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr,
                                            optimizer=optimizer, seed=seed),
               on_epoch=lambda m, h: masks.append(_all_negative(m, X)))
    if hist.diverged:
        raise RuntimeError(f"training diverged (lr={lr}); no units to count")
    per_epoch = np.array([[m.mean() for m in layer] for layer in masks])  # (epochs + 1, n_layers)
    flat = np.array([np.concatenate(layer) for layer in masks])  # (epochs + 1, units)
    start, end = flat[0], flat[-1]
    revived = flat.any(axis=0) & ~end
    bounds = np.cumsum([0, *hidden])
    grads = unit_grad_norms(model, X, y)[:-1]  # hidden layers only
    end_grads = np.concatenate(grads)[end]
    _, acc = evaluate(model, X, y)
    return DyingReluResult(
        activation=activation, lr=lr, dead_per_epoch=per_epoch,
        dead_before=[float(v) for v in per_epoch[0]], dead_after=[float(v) for v in per_epoch[-1]],
        born_dead=int(start.sum()), became_dead=int((~start & end).sum()), revived=int(revived.sum()),
        revived_per_layer=[int(revived[a:b].sum()) for a, b in zip(bounds[:-1], bounds[1:])],
        negative_unit_grad=float(end_grads.max()) if end_grads.size else float("nan"),
        train_loss=hist.train_loss, final_accuracy=float(acc))


def relu_vs_sigmoid(*, depth: int = 6, width: int = 32, epochs: int = 30, lr: float = 0.05,
                    n: int = 200, seed: int = 0, activations=("sigmoid", "relu")) -> dict:
    """Same MLP, same data, same SGD budget: how fast does each activation learn, and why?

    Each activation gets its matched init (:data:`MATCHED_INIT`: He for ReLU, Xavier for
    sigmoid), so the comparison is between activations, not between a good and a bad init.
    Measured at initialisation: the gradient norm of every linear layer's weights on the full
    batch and the sparsity (fraction of exactly-zero hidden activations); then the training
    loss per epoch.

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
        Keys of :data:`MATCHED_INIT`.

    Returns
    -------
    dict
        name -> {"grad_norms": (depth + 1,) array, first layer first, "sparsity": float,
        "train_loss": list, "accuracy": float, "init": str}
    """
    from nnbasics import data

    for act in activations:
        check_choice(act, "activations", tuple(MATCHED_INIT))
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
                                init=MATCHED_INIT[act], seed=seed))
    norms = layer_grad_norms(model, X, y)  # at initialisation, full batch
    acts = layer_outputs(model, X, kind="activation")
    sparsity = float(np.mean(np.concatenate([(a == 0).ravel() for a in acts])))
    hist = fit(model, X, y, cfg=TrainConfig(epochs=epochs, batch_size=50, lr=lr,
                                            optimizer="sgd", momentum=0.9, seed=seed))
    return {"grad_norms": norms, "sparsity": sparsity, "train_loss": hist.train_loss,
            "accuracy": float(evaluate(model, X, y)[1]), "init": MATCHED_INIT[act]}


@dataclass(frozen=True)
class ZigzagResult:
    """What :func:`zigzag_descent` measured for one kind of input.

    Attributes
    ----------
    inputs : {"positive", "centred"}
    X : ndarray, shape (N, 2)
        The inputs the neuron sees (sigmoid outputs, or the same values minus their mean;
        plus ``offset``).
    w_star : ndarray, shape (2,)
        The weights that fit the targets exactly.
    path : ndarray, shape (steps + 1, 2)
        The weights after every SGD step (row 0: the start).
    loss : ndarray, shape (steps + 1,)
        Mean squared error on all N inputs along the path.
    same_sign_fraction : float
        Fraction of the steps whose two gradient components have the same sign (steps with
        a zero gradient, once w = w* exactly, are not counted; 0 when every step has one).
    hessian_eigenvalues : ndarray, shape (2,)
        Eigenvalues of the loss's Hessian E[x x^T] (ascending).
    steps_to_tol : int or None
        First step at which the loss is below ``tol`` times its starting value.
    lr : float
        The learning rate used, ``step / E||x||^2``.
    offset : float
        What was added to every input.
    """

    inputs: str
    X: np.ndarray
    w_star: np.ndarray
    path: np.ndarray
    loss: np.ndarray
    same_sign_fraction: float
    hessian_eigenvalues: np.ndarray
    steps_to_tol: int | None
    lr: float
    offset: float = 0.0

    @property
    def condition_number(self) -> float:
        """Largest over smallest Hessian eigenvalue: how elongated the loss valley is."""
        return float(self.hessian_eigenvalues[-1] / self.hessian_eigenvalues[0])

    def loss_grid(self, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
        """The loss on a grid of weights: w1 (G1,), w2 (G2,) -> (G2, G1), for contour plots."""
        W = np.stack(np.meshgrid(w1, w2), axis=-1)  # (G2, G1, 2)
        r = W @ self.X.T - self.X @ self.w_star  # (G2, G1, N) residuals
        return 0.5 * np.mean(r**2, axis=-1)


@finite_output("the weights overflow: w0, w_star or step too large")
def zigzag_descent(inputs: str = "positive", *, n: int = 200, steps: int = 300, step: float = 0.5,
                   w_star=(1.0, -1.0), w0=(0.0, 0.0), tol: float = 1e-3, seed: int = 0,
                   offset: float = 0.0) -> ZigzagResult:
    """Why zero-centred activations matter: one linear neuron fed positive vs centred inputs.

    The neuron z = w . x (two weights, no bias) is trained by per-example SGD on the squared
    error 0.5 (w . x_n - t_n)^2, with targets t_n = w* . x_n. Its gradient for one example,
    (w . x_n - t_n) x_n, is the residual times x_n: when every x_n > 0 (outputs of a sigmoid
    or ReLU layer) both components have the residual's sign, so every step moves both weights
    up or both down, and reaching w* = (1, -1) takes a zig-zag. The same inputs minus their
    mean remove that constraint (and the elongated valley of the Hessian E[x x^T]).

    Parameters
    ----------
    inputs : {"positive", "centred"}
        ``x = sigmoid(u)`` with u ~ N(0, I), or that minus its mean over the N samples.
    n : int
        Number of inputs N.
    steps : int
        SGD steps (examples visited in shuffled epochs).
    step : float > 0
        Learning rate in units of 1 / E||x||^2, so that both kinds of input take steps of the
        same relative size (centred inputs are smaller and would otherwise be handicapped).
    w_star, w0 : (float, float)
        Target weights and start.
    tol : float in (0, 1)
        ``steps_to_tol`` counts steps until loss <= tol * starting loss.
    seed : int
        Seeds the inputs and the visiting order (the same for both kinds of input).
    offset : float
        Added to every input after ``inputs`` is applied: ``"centred"`` with ``offset=m`` gives
        inputs of mean m in both coordinates, the same spread, and the same visiting order, so
        the mean can be moved continuously from 0 (centred) to all-positive.

    Returns
    -------
    ZigzagResult
        Every array float64, whatever the dtype of ``w_star`` and ``w0``.
    """
    from nnbasics.core.kernels import sigmoid

    check_choice(inputs, "inputs", ("positive", "centred"))
    n = check_int(n, "n", minimum=2)
    steps = check_int(steps, "steps", minimum=1)
    step = check_float(step, "step", minimum=0.0, min_inclusive=False)
    tol = check_float(tol, "tol", minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    offset = check_float(offset, "offset")
    w_star = as_float_array(w_star, "w_star", ndim=1)
    w = as_float_array(w0, "w0", ndim=1).astype(np.float64).copy()
    for name, v in (("w_star", w_star), ("w0", w)):
        if v.shape != (2,):
            raise ValueError(f"{name} must have 2 entries, got shape {v.shape}")
    rng = check_rng(seed)
    X = sigmoid(rng.standard_normal((n, 2)))  # (N, 2), every entry in (0, 1)
    if inputs == "centred":
        X = X - X.mean(axis=0)
    X = X + offset
    t = X @ w_star  # (N,)
    lr = step / np.mean(np.sum(X**2, axis=1))
    order = np.concatenate([rng.permutation(n) for _ in range(-(-steps // n))])[:steps]
    path, grads = [w.copy()], []
    for i in order:
        g = (w @ X[i] - t[i]) * X[i]  # one example's gradient: residual * x_n, (2,)
        w = w - lr * g
        path.append(w.copy())
        grads.append(g)
    path, grads = np.array(path), np.array(grads)  # (steps + 1, 2), (steps, 2)
    loss = 0.5 * np.mean((path @ X.T - t) ** 2, axis=1)  # (steps + 1,)
    moving = np.all(grads != 0, axis=1)  # at w = w* exactly the gradient is 0: no direction
    same = np.sign(grads[:, 0]) == np.sign(grads[:, 1])
    same_sign = float(np.count_nonzero(same & moving) / max(np.count_nonzero(moving), 1))
    below = np.flatnonzero(loss <= tol * loss[0])
    return ZigzagResult(inputs, X, w_star, path, loss, same_sign,
                        np.linalg.eigvalsh(X.T @ X / n), int(below[0]) if below.size else None, float(lr), offset)
