"""A multilayer perceptron from scratch in numpy: forward with caches, backward, SGD training.

Parameters live in a dict ``{"W1": (D, H), "b1": (H,), ..., "WL": (H, C), "bL": (C,)}``.
Hidden layers use an activation from :data:`nnbasics.core.layers.ACTIVATIONS`; the output is
sigmoid + BCE when C = 1 and softmax + cross-entropy when C > 1, so in both cases
dL/dZ_L = (Y_hat - Y) / B. Also here: the worked example of notebook 02, the "stacked
linear layers collapse" demonstration, a 1-D universal-approximation fit, the tiny
network traced by the backprop stepper, and the same MLP trained in torch for comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_choice,
    check_float,
    check_int,
    check_rng,
    check_same_rows,
    check_shapes,
    check_state,
    finite_output,
)
from nnbasics.core import kernels, layers, losses
from nnbasics.core.history import History

__all__ = ['HIDDEN_ACTIVATIONS', 'init_params', 'forward', 'backward', 'loss_and_grads', 'two_layer_forward', 'two_layer_backward', 'predict_proba', 'predict', 'accuracy', 'TrainingSetup', 'check_params', 'check_training_args', 'n_layers', 'train']


HIDDEN_ACTIVATIONS = tuple(layers.ACTIVATIONS)


# --------------------------------------------------------------------------- parameters
def init_params(sizes, *, rng, scale: str = "he") -> dict:
    """Random weights for layer widths ``sizes = (D, H_1, ..., C)``.

    Parameters
    ----------
    sizes : sequence of int
        At least two widths: input D, hidden widths, output C.
    rng : numpy Generator or int
    scale : {"he", "xavier"}
        W_l ~ N(0, 2 / fan_in) ("he", for ReLU) or N(0, 1 / fan_in) ("xavier"-style, for tanh/sigmoid).

    Returns
    -------
    dict
        ``W{l}`` of shape (sizes[l-1], sizes[l]) and zero ``b{l}`` of shape (sizes[l],), l = 1..L.
    """
    if not isinstance(sizes, (tuple, list)) or len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 widths (D, ..., C), got {sizes!r}")
    sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
    check_choice(scale, "scale", ("he", "xavier"))
    rng = check_rng(rng)
    gain = 2.0 if scale == "he" else 1.0
    params = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{i}"] = rng.standard_normal((a, b)) * np.sqrt(gain / a)
        params[f"b{i}"] = np.zeros(b)
    return params


def n_layers(params: dict) -> int:
    """The number L of dense layers in ``params`` (keys W1..WL); a gap (b2 but no W2) is an error."""
    if not isinstance(params, dict) or "W1" not in params:
        raise TypeError("params must be a dict with keys W1, b1, ..., as made by init_params")
    n = 0
    while f"W{n + 1}" in params:
        n += 1
    expected = {f"{k}{i}" for i in range(1, n + 1) for k in "Wb"}
    if set(params) != expected:
        extra = sorted(set(params) - expected)
        missing = sorted(expected - set(params))
        raise ValueError(f"params must hold W1..W{n} and b1..b{n} and nothing else; "
                         f"unexpected keys {extra}, missing keys {missing}")
    return n


def _targets(y, n: int, c: int) -> np.ndarray:
    """Integer labels (N,) -> Y: (N, 1) of 0/1 when C = 1, one-hot (N, C) otherwise."""
    if c == 1:
        y = as_labels(y, "y", n_classes=2, n_samples=n)
        return y[:, None].astype(np.float64)
    y = as_labels(y, "y", n_classes=c, n_samples=n)
    Y = np.zeros((n, c))
    Y[np.arange(n), y] = 1.0
    return Y


def _output_probs(Z: np.ndarray) -> np.ndarray:
    """Sigmoid for one output column, stable softmax over classes otherwise (unchecked)."""
    return kernels.sigmoid(Z) if Z.shape[1] == 1 else kernels.softmax(Z, axis=1)  # (N, C)


def _output_loss(Z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    if Z.shape[1] == 1:
        return losses.bce_with_logits(Z, Y)
    return losses.softmax_cross_entropy(Z, np.argmax(Y, axis=1))


# --------------------------------------------------------------------------- L-layer, cache API
@finite_output("X @ W + b overflows in some layer: X or the weights in params are too large; scale X")
def forward(X, params: dict, activation: str = "relu") -> tuple[np.ndarray, list]:
    """Forward pass through L dense layers; returns the output logits and every layer's cache.

    Parameters
    ----------
    X : array_like, shape (N, D)
    params : dict
        From :func:`init_params`.
    activation : str
        Hidden activation, one of :data:`HIDDEN_ACTIVATIONS`.

    Returns
    -------
    logits : ndarray, shape (N, C)
    caches : list
        ``[(dense_cache, act_cache), ..., (dense_cache, None)]`` — one entry per layer.
    """
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    X = as_float_array(X, "X", ndim=2)
    check_params(params, X.shape[1])
    return _forward(X, params, activation)


def check_params(params: dict, d: int) -> int:
    """Validate a weight dict for inputs with ``d`` features and return L.

    Keys W1, b1, ..., WL, bL and nothing else; finite float arrays whose shapes chain
    D -> H_1 -> ... -> C. Errors name the entry, e.g. ``params['b2']``.
    """
    L = n_layers(params)
    width = d
    for i in range(1, L + 1):
        W = as_float_array(params[f"W{i}"], f"params['W{i}']", ndim=2)
        b = as_float_array(params.get(f"b{i}"), f"params['b{i}']", ndim=1)
        if W.shape[0] != width:
            what = "X has" if i == 1 else f"layer {i - 1} outputs"
            raise ValueError(f"{what} {width} features but params['W{i}'] expects {W.shape[0]} "
                             f"(x has {width} features but w expects D={W.shape[0]})")
        if b.shape[0] != W.shape[1]:
            raise ValueError(f"params['b{i}'] has {b.shape[0]} entries but params['W{i}'] has {W.shape[1]} outputs")
        width = W.shape[1]
    return L


def _forward(X, params, activation):
    """:func:`forward` without the checks (the training loop's inner call)."""
    act_f, _ = kernels.ACTIVATIONS[activation]
    L = n_layers(params)
    A, caches = X, []
    for i in range(1, L + 1):
        Z, dc = kernels.dense_forward(A, params[f"W{i}"], params[f"b{i}"])  # (N, H_l)
        if i < L:
            A, ac = act_f(Z)
        else:
            A, ac = Z, None
        caches.append((dc, ac))
    return A, caches


@finite_output("the gradient overflows: dlogits or the cached activations and weights are too large")
def backward(dlogits, caches: list, activation: str = "relu") -> dict:
    """Backward pass for :func:`forward`: walk the caches in reverse applying the chain rule.

    Parameters
    ----------
    dlogits : array_like, shape (N, C)
        dL/dlogits (already divided by the batch size if the loss is a mean).
    caches : list
        From :func:`forward`.
    activation : str
        The hidden activation used in the forward pass.

    Returns
    -------
    grads : dict
        ``"W{l}"`` and ``"b{l}"`` (the gradients dL/dW_l, dL/db_l), keyed and shaped like ``params``.
    """
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    d = as_float_array(dlogits, "dlogits", ndim=2)
    _check_caches(caches)
    x_last, w_last = caches[-1][0]
    if d.shape != (x_last.shape[0], w_last.shape[1]):
        raise ValueError(f"dlogits has shape {d.shape} but the logits had shape "
                         f"{(x_last.shape[0], w_last.shape[1])}")
    return _backward(d, caches, activation)


def _check_caches(caches) -> None:
    """The per-layer caches of :func:`forward`: finite, and shapes chaining D -> H_1 -> ... -> C."""
    check_state(caches, "caches", list, "forward")
    if not caches:
        raise TypeError("caches must be the list returned by forward(), got an empty list")
    specs = []
    for i, layer in enumerate(caches):
        if not (isinstance(layer, tuple) and len(layer) == 2 and isinstance(layer[0], tuple) and len(layer[0]) == 2):
            raise TypeError(f"caches[{i}] must be the ((x, W), activation cache) pair made by forward, "
                            f"got {type(layer).__name__}")
        (x, w), act = layer
        specs += [(f"caches[{i}][0][0] (x)", x, f"N D{i}"), (f"caches[{i}][0][1] (W)", w, f"D{i} D{i + 1}")]
        if isinstance(act, np.ndarray):  # relu caches Z, sigmoid/tanh their output: (N, H)
            specs.append((f"caches[{i}][1]", act, f"N D{i + 1}"))
    check_shapes(*specs)


def _backward(d, caches, activation):
    """:func:`backward` without the checks."""
    _, act_b = kernels.ACTIVATIONS[activation]
    grads = {}
    for i in range(len(caches), 0, -1):
        dc, ac = caches[i - 1]
        if ac is not None:
            d = act_b(d, ac)  # through the activation: elementwise g'
        d, grads[f"W{i}"], grads[f"b{i}"] = kernels.dense_backward(d, dc)  # d becomes dL/dA_{l-1}
    return grads


@finite_output("the loss or its gradient overflows: X or the weights in params are too large; scale X")
def loss_and_grads(X, y, params: dict, activation: str = "relu") -> tuple[float, dict]:
    """Mean loss on (X (N, D), integer labels y (N,)) and its gradient for every parameter.

    C = 1 outputs use sigmoid + BCE (labels 0/1), C > 1 softmax + cross-entropy.
    """
    Z, caches = forward(X, params, activation)
    Y = _targets(y, Z.shape[0], Z.shape[1])
    loss, dZ = _output_loss(Z, Y)
    return loss, backward(dZ, caches, activation)


# --------------------------------------------------------------------------- two layers, written out
@finite_output("X @ W + b overflows in some layer: X or the weights in params are too large; scale X")
def two_layer_forward(X, params: dict, activation: str = "relu") -> tuple[np.ndarray, dict]:
    """Z1 = X W1 + b1, A1 = g(Z1), Z2 = A1 W2 + b2, Y_hat = softmax(Z2) (sigmoid if C = 1).

    Parameters
    ----------
    X : array_like, shape (B, D)
    params : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    activation : str

    Returns
    -------
    Y_hat : ndarray, shape (B, C)
    cache : dict
        X, Z1, A1, Z2, Y_hat — what the backward pass reads instead of recomputing.
    """
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    if n_layers(params) != 2:
        raise ValueError(f"two_layer_forward needs exactly W1 and W2, got {n_layers(params)} layers")
    X = as_float_array(X, "X", ndim=2)
    check_params(params, X.shape[1])
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    act_f, _ = kernels.ACTIVATIONS[activation]
    Z1 = X @ W1 + b1  # (B, D) @ (D, H) -> (B, H)
    A1, _ = act_f(Z1)  # (B, H)
    Z2 = A1 @ W2 + b2  # (B, H) @ (H, C) -> (B, C)
    Y_hat = _output_probs(Z2)  # (B, C)
    return Y_hat, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2, "Y_hat": Y_hat}


@finite_output("the gradient overflows: Y or the cached activations and params are too large")
def two_layer_backward(Y, cache: dict, params: dict, activation: str = "relu") -> dict:
    """The vectorized two-layer backward pass, one line per step.

    dZ2 = Y_hat - Y;  dW2 = A1^T dZ2 / B;  db2 = sum_rows(dZ2) / B;
    dA1 = dZ2 W2^T;   dZ1 = dA1 * g'(Z1);  dW1 = X^T dZ1 / B;  db1 = sum_rows(dZ1) / B.

    Parameters
    ----------
    Y : array_like, shape (B, C)
        One-hot targets (or 0/1 column when C = 1).
    cache : dict
        From :func:`two_layer_forward`.
    params : dict
        W2 (H, C) is needed for dA1.
    activation : str
        The hidden activation g.

    Returns
    -------
    grads : dict
        W1 (D, H), b1 (H,), W2 (H, C), b2 (C,) — gradients of the *mean* loss.
    """
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    Y = as_float_array(Y, "Y", ndim=2)
    check_state(cache, "cache", dict, "two_layer_forward")
    missing = {"X", "Z1", "A1", "Y_hat"} - set(cache)
    if missing:
        raise ValueError(f"cache lacks {sorted(missing)}: pass the dict returned by two_layer_forward")
    X, Z1, A1, Y_hat = cache["X"], cache["Z1"], cache["A1"], cache["Y_hat"]
    if n_layers(params) != 2:
        raise ValueError(f"two_layer_backward needs exactly W1 and W2, got {n_layers(params)} layers")
    check_params(params, np.shape(X)[1])
    check_shapes(("cache['X']", X, "B D"), ("cache['Z1']", Z1, "B H"), ("cache['A1']", A1, "B H"),
                 ("cache['Z2']", cache.get("Z2"), "B C"), ("cache['Y_hat']", Y_hat, "B C"),
                 ("params['W2']", params["W2"], "H C"))
    if Y.shape != Y_hat.shape:
        raise ValueError(f"Y has shape {Y.shape} but the network's output has shape {Y_hat.shape}")
    _, act_b = kernels.ACTIVATIONS[activation]
    act_cache = {"relu": Z1, "sigmoid": A1, "tanh": A1, "identity": Z1.shape}[activation]
    B = X.shape[0]
    dZ2 = Y_hat - Y  # (B, C)
    dW2 = A1.T @ dZ2 / B  # (H, B) @ (B, C) -> (H, C)
    db2 = dZ2.sum(axis=0) / B  # (C,)
    dA1 = dZ2 @ params["W2"].T  # (B, C) @ (C, H) -> (B, H)
    dZ1 = act_b(dA1, act_cache)  # (B, H), elementwise g'(Z1)
    dW1 = X.T @ dZ1 / B  # (D, B) @ (B, H) -> (D, H)
    db1 = dZ1.sum(axis=0) / B  # (H,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


# --------------------------------------------------------------------------- prediction
def predict_proba(X, params: dict, activation: str = "relu") -> np.ndarray:
    """Class probabilities: (N, C) softmax, or (N, 1) P(y = 1) when C = 1."""
    Z, _ = forward(X, params, activation)
    return _output_probs(Z)


def predict(X, params: dict, activation: str = "relu") -> np.ndarray:
    """Predicted integer classes, shape (N,)."""
    Z, _ = forward(X, params, activation)
    return (Z[:, 0] > 0).astype(np.int64) if Z.shape[1] == 1 else np.argmax(Z, axis=1)


def accuracy(X, y, params: dict, activation: str = "relu") -> float:
    """Fraction of rows of X (N, D) classified as their label y (N,)."""
    X = as_float_array(X, "X", ndim=2)
    y = as_labels(y, "y")
    check_same_rows(X, "X", y, "y")
    pred = predict(X, params, activation)  # (N,)
    n_out = params[f"W{n_layers(params)}"].shape[1]
    n_classes = 2 if n_out == 1 else n_out
    if y.max() >= n_classes:
        raise ValueError(f"y must be < C={n_classes} (the network's classes), got maximum {y.max()}")
    return float(np.mean(pred == y))


# --------------------------------------------------------------------------- training
def _evaluate(X, Y, params, activation):
    Z, _ = _forward(X, params, activation)
    loss, _ = _output_loss(Z, Y)
    pred = (Z[:, 0] > 0) if Z.shape[1] == 1 else np.argmax(Z, axis=1)
    truth = Y[:, 0] > 0.5 if Z.shape[1] == 1 else np.argmax(Y, axis=1)
    return loss, float(np.mean(pred == truth))


@dataclass(frozen=True)
class TrainingSetup:
    """The validated arguments shared by :func:`train` and the torch twin of notebook 03.

    Attributes
    ----------
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    lr : float
    epochs, batch_size : int
    rng : numpy Generator
    n_classes : int
        C (at least 2).
    n_outputs : int
        Output units: 1 for a binary problem (one sigmoid logit), else C.
    """

    X: np.ndarray
    y: np.ndarray
    lr: float
    epochs: int
    batch_size: int
    rng: np.random.Generator
    n_classes: int
    n_outputs: int


def check_training_args(X, y, hidden, n_classes, activation, lr, epochs, batch_size,
                        rng) -> TrainingSetup:
    """Validate the training arguments of :func:`train`; raise a ValueError/TypeError naming the bad one."""
    X = as_float_array(X, "X", ndim=2)
    y = as_labels(y, "y", n_samples=X.shape[0])
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    if not isinstance(hidden, (tuple, list)):
        raise TypeError(f"hidden must be a tuple of widths, got {type(hidden).__name__}")
    for i, h in enumerate(hidden):
        check_int(int(h) if isinstance(h, np.integer) else h, f"hidden[{i}]", minimum=1)
    n_classes = int(y.max()) + 1 if n_classes is None else check_int(n_classes, "n_classes", minimum=2)
    return TrainingSetup(X=X, y=y, lr=check_float(lr, "lr", minimum=0.0, min_inclusive=False),
                         epochs=check_int(epochs, "epochs", minimum=1),
                         batch_size=check_int(batch_size, "batch_size", minimum=1),
                         rng=check_rng(rng), n_classes=n_classes,
                         n_outputs=1 if n_classes == 2 else n_classes)


def train(X, y, *, hidden=(64,), n_classes: int | None = None, activation: str = "relu",
          lr: float = 0.1, epochs: int = 20, batch_size: int = 32, rng, X_val=None, y_val=None,
          params: dict | None = None, progress: bool = False) -> History:
    """Mini-batch SGD on the numpy MLP: W <- W - lr dL/dW after every batch.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like of int, shape (N,)
    hidden : tuple of int
        Hidden widths H_1, ..., H_{L-1}.
    n_classes : int, optional
        C; default max(y) + 1, and 2 classes use one sigmoid output (C = 1).
    activation : str
    lr : float > 0
    epochs : int >= 1
    batch_size : int >= 1
        B (the last batch of an epoch may be smaller).
    rng : numpy Generator or int
        Initial weights (unless ``params`` is given) and the shuffling.
    X_val, y_val : array_like, optional
    params : dict, optional
        Start from these weights (copied; not modified).
    progress : bool
        Show a ``tqdm.auto`` progress bar over epochs.

    Returns
    -------
    History
        With ``params`` (the trained weights, float64 whatever X's dtype) and ``activation`` set.
        If the weights become NaN/inf (too large a learning rate, or X too large), training
        stops: ``diverged`` is True and the last ``train_loss`` is NaN, as in ``lab.train.fit``.
    """
    s = check_training_args(X, y, hidden, n_classes, activation, lr, epochs, batch_size, rng)
    X, y, lr, epochs, batch_size, rng = s.X, s.y, s.lr, s.epochs, s.batch_size, s.rng
    n_classes, c = s.n_classes, s.n_outputs
    Y = _targets(y, X.shape[0], c)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val = as_float_array(X_val, "X_val", ndim=2)
        Y_val = _targets(y_val, X_val.shape[0], c)
    if params is None:
        params = init_params([X.shape[1], *hidden, c], rng=rng,
                             scale="he" if activation == "relu" else "xavier")
    else:
        params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        if check_params(params, X.shape[1]) and params[f"W{n_layers(params)}"].shape[1] != c:
            raise ValueError(f"params end with {params[f'W{n_layers(params)}'].shape[1]} outputs "
                             f"but {n_classes} classes need C={c}")
    from tqdm.auto import tqdm

    tl, ta, vl, va = [], [], [], []
    n = X.shape[0]
    diverged = False
    t0 = time.perf_counter()
    for _ in tqdm(range(epochs), disable=not progress, desc="epochs", leave=False):
        perm = rng.permutation(n)
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below, not warned
            for start in range(0, n, batch_size):
                idx = perm[start:start + batch_size]
                Z, caches = _forward(X[idx], params, activation)
                dZ = (_output_probs(Z) - Y[idx]) / len(idx)  # dL/dZ = (Y_hat - Y) / B
                grads = _backward(dZ, caches, activation)
                for k in params:
                    params[k] -= lr * grads[k]
        if not all(np.all(np.isfinite(v)) for v in params.values()):
            diverged = True
            tl.append(float("nan"))
            break
        loss, acc = _evaluate(X, Y, params, activation)
        tl.append(loss)
        ta.append(acc)
        if X_val is not None:
            loss, acc = _evaluate(X_val, Y_val, params, activation)
            vl.append(loss)
            va.append(acc)
    return History(train_loss=tl, train_acc=ta, val_loss=vl, val_acc=va, diverged=diverged,
                   seconds=time.perf_counter() - t0, params=params, activation=activation)
