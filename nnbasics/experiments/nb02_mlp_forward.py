"""Notebook 02's measured demos: a worked forward pass, the collapse of linear layers, universal approximation,
the loss at initialization."""

from __future__ import annotations

import numpy as np

from nnbasics import data
from nnbasics._validate import (
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_rng,
)
from nnbasics.core import layers, losses
from nnbasics.core.mlp import HIDDEN_ACTIVATIONS, forward, init_params

__all__ = ['WORKED_X', 'worked_example', 'linear_collapse', 'UA_TARGETS', 'MAX_WIDTH', 'universal_approximation',
           'loss_at_init']


# --------------------------------------------------------------------------- notebook 02 demos
WORKED_X = (0.5, 1.2, -0.7)


def worked_example(activation: str = "relu", x=WORKED_X) -> dict:
    """Notebook 02's worked example, computed: a 3-2-1 network on one input.

    Default x = [0.5, 1.2, -0.7]; W1 = [[0.8, -0.4], [0.1, 0.9], [-0.3, 0.2]], b1 = [0.2, -0.1];
    W2 = [[1.1], [-0.6]], b2 = [0.05]. z1 = x W1 + b1, a1 = g(z1), z2 = a1 W2 + b2,
    y_hat = sigmoid(z2).

    Parameters
    ----------
    activation : str
        The hidden activation g, one of :data:`nnbasics.core.mlp.HIDDEN_ACTIVATIONS`.
    x : array_like, shape (3,)
        The input.

    Returns
    -------
    dict
        x (1, 3), W1 (3, 2), b1 (2,), W2 (2, 1), b2 (1,), z1 (1, 2), a1 (1, 2), z2 (1, 1), y_hat (1, 1).
        The fixed weights are float64, and so is everything computed from them (x keeps its dtype).
    """
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    x = as_float_array(x, "x", ndim=1)
    if x.shape != (3,):
        raise ValueError(f"x must have the 3 features of the worked example, got shape {x.shape}")
    x = x[None, :]  # (1, 3)
    W1 = np.array([[0.8, -0.4], [0.1, 0.9], [-0.3, 0.2]])
    b1 = np.array([0.2, -0.1])
    W2 = np.array([[1.1], [-0.6]])
    b2 = np.array([0.05])
    z1, _ = layers.dense_forward(x, W1, b1)  # (1, 3) @ (3, 2) -> (1, 2)
    a1, _ = layers.ACTIVATIONS[activation][0](z1)
    z2, _ = layers.dense_forward(a1, W2, b2)  # (1, 2) @ (2, 1) -> (1, 1)
    y_hat, _ = layers.sigmoid_forward(z2)
    return {"x": x, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "z1": z1, "a1": a1, "z2": z2, "y_hat": y_hat}


def linear_collapse(sizes=(2, 8, 8, 3), *, rng, n: int = 5) -> dict:
    """Stacked linear layers without activations equal ONE linear layer.

    (X W1 + b1) W2 + b2 ... = X (W1 W2 ... WL) + b_eff, with b_eff = sum_l b_l W_{l+1} ... W_L.

    Returns
    -------
    dict
        ``Ws``, ``bs`` (the layers), ``W_eff`` (D, C), ``b_eff`` (C,), ``X`` (n, D),
        ``stacked`` (n, C) through the layers, ``single`` (n, C) through the one matrix,
        ``max_abs_diff`` float, ``relu_stacked`` (n, C) the same layers with ReLU in between.
    """
    rng = check_rng(rng)
    params = init_params(list(sizes), rng=rng)
    n = check_int(n, "n", minimum=1)
    L = len(sizes) - 1
    for i in range(1, L + 1):
        params[f"b{i}"] = 0.1 * rng.standard_normal(sizes[i])
    X = rng.standard_normal((n, sizes[0]))
    stacked, _ = forward(X, params, "identity")
    relu_stacked, _ = forward(X, params, "relu")
    W_eff = np.eye(sizes[0])
    b_eff = np.zeros(sizes[0])
    for i in range(1, L + 1):
        W_eff = W_eff @ params[f"W{i}"]  # (D, H_l)
        b_eff = b_eff @ params[f"W{i}"] + params[f"b{i}"]
    single = X @ W_eff + b_eff  # (n, D) @ (D, C) -> (n, C)
    return {"Ws": [params[f"W{i}"] for i in range(1, L + 1)], "bs": [params[f"b{i}"] for i in range(1, L + 1)],
            "W_eff": W_eff, "b_eff": b_eff, "X": X, "stacked": stacked, "single": single,
            "max_abs_diff": float(np.max(np.abs(stacked - single))), "relu_stacked": relu_stacked}


_TARGETS = {
    "sine": lambda x: np.sin(2 * x) + 0.3 * x,
    "step": lambda x: (x > 0).astype(np.float64),
    "abs": lambda x: np.abs(x) - 1.0,
    "bumps": lambda x: np.exp(-4 * (x - 1) ** 2) - np.exp(-4 * (x + 1) ** 2),
}


UA_TARGETS = tuple(_TARGETS)
#: The widest hidden layer :func:`universal_approximation` fits.
MAX_WIDTH = 4096


def universal_approximation(width: int, target: str = "sine", *, rng=0, n: int = 400,
                            ridge: float = 1e-8) -> dict:
    """Fit a 1-D function with ONE hidden ReLU layer of ``width`` units.

    Hidden unit j computes relu(a_j (x - k_j)) with a random slope a_j = ±1 and a random
    kink position k_j in the data range; the output weights are then the least-squares
    solution (a tiny ridge for stability). The fit is a piecewise-linear curve with at most
    ``width`` kinks. The units are nested: for one ``rng`` seed, a layer of width H uses the
    first H units of the same random pool of :data:`MAX_WIDTH`, so a wider layer can always
    reproduce a narrower one and its error never increases (up to the ridge).

    Parameters
    ----------
    width : int >= 1
        Hidden units H.
    target : str
        One of :data:`UA_TARGETS`.
    rng : numpy Generator or int
    n : int
        Grid points on [-3, 3].
    ridge : float >= 0

    Returns
    -------
    dict
        ``x`` (n,), ``y`` (n,) target, ``fit`` (n,), ``hidden`` (n, H) unit outputs times their
        weights, ``kinks`` (H,), ``mse`` float, ``width`` int, ``target`` str.
    """
    width = check_int(width, "width", minimum=1, maximum=MAX_WIDTH)
    check_choice(target, "target", UA_TARGETS)
    rng = check_rng(rng)
    n = check_int(n, "n", minimum=2)
    ridge = check_float(ridge, "ridge", minimum=0.0)
    x = np.linspace(-3.0, 3.0, n)
    y = _TARGETS[target](x)
    slopes = rng.choice([-1.0, 1.0], size=MAX_WIDTH)[:width]  # the same pool for every width
    kinks = rng.uniform(-3.0, 3.0, size=MAX_WIDTH)[:width]
    H = np.maximum(slopes * (x[:, None] - kinks), 0.0)  # (n, H)
    F = np.column_stack([H, np.ones(n)])  # (n, H + 1): hidden units + output bias
    coef = np.linalg.solve(F.T @ F + ridge * np.eye(width + 1), F.T @ y)  # (H + 1,)
    fit = F @ coef
    return {"x": x, "y": y, "fit": fit, "hidden": H * coef[:-1], "kinks": kinks,
            "mse": float(np.mean((fit - y) ** 2)), "width": width, "target": target}


def loss_at_init(last_layer_scales=(1.0,), *, rng=0, hidden: int = 64) -> dict:
    """Cross-entropy of an untrained 64-H-10 ReLU network on the digits, its last layer scaled.

    He-initialised weights (:func:`nnbasics.core.mlp.init_params`, zero biases), then W2
    multiplied by each scale s. The logits are s times those of the unscaled network, so small
    scales make the 10 logits nearly equal (loss -> ln 10) and large ones spread them: the
    random network is then confidently wrong (loss >> ln 10).

    Parameters
    ----------
    last_layer_scales : sequence of float > 0
        The scales s (S of them).
    rng : numpy Generator or int
        The initial weights (the data split is fixed, ``data.digits(rng=0)``).
    hidden : int >= 1
        Hidden width H.

    Returns
    -------
    dict
        ``scales`` (S,), ``loss`` (S,) mean cross-entropy on the training split, ``ln_c`` = ln 10,
        ``logit_std`` (S,), ``p_true`` (S, N) the probability given to each example's label.
        ``scales`` keeps its dtype; the losses and probabilities are float64 (the network and the
        digits are float64).
    """
    scales = as_float_array(last_layer_scales, "last_layer_scales", ndim=1)
    if np.any(scales <= 0):
        raise ValueError(f"last_layer_scales must be > 0, got minimum {scales.min()}")
    hidden = check_int(hidden, "hidden", minimum=1)
    split = data.digits(rng=0)
    params = init_params((64, hidden, 10), rng=check_rng(rng))
    base, _ = forward(split.X_train, params, "relu")  # (N, 10) logits at scale 1 (b2 = 0)
    rows = np.arange(len(split.y_train))
    out = {"loss": [], "logit_std": [], "p_true": []}
    for s in scales:
        loss, _ = losses.softmax_cross_entropy(s * base, split.y_train)
        out["loss"].append(loss)
        out["logit_std"].append(float(s * base.std()))
        out["p_true"].append(losses.softmax(s * base, axis=1)[rows, split.y_train])
    return {"scales": scales, "loss": np.array(out["loss"]), "ln_c": float(np.log(10)),
            "logit_std": np.array(out["logit_std"]), "p_true": np.array(out["p_true"])}
