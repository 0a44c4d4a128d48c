"""A multilayer perceptron from scratch in numpy: forward with caches, backward, SGD training.

Parameters live in a dict ``{"W1": (D, H), "b1": (H,), ..., "WL": (H, C), "bL": (C,)}``.
Hidden layers use an activation from :data:`nnbasics.layers.ACTIVATIONS`; the output is
sigmoid + BCE when C = 1 and softmax + cross-entropy when C > 1, so in both cases
dL/dZ_L = (Y_hat - Y) / B. Also here: the worked example of notebook 02, the "stacked
linear layers collapse" demonstration, a 1-D universal-approximation fit, the tiny
network traced by the backprop stepper, and the same MLP trained in torch for comparison.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from nnbasics import layers, losses
from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_choice,
    check_float,
    check_int,
    check_rng,
    check_same_rows,
)

__all__ = ["init_params", "forward", "backward", "loss_and_grads", "two_layer_forward",
           "two_layer_backward", "predict_proba", "predict", "accuracy", "MLPHistory", "train",
           "torch_model_from_params", "train_torch", "worked_example", "linear_collapse",
           "universal_approximation", "tiny_network_trace", "HIDDEN_ACTIVATIONS",
           "UA_TARGETS", "memory_report", "autodiff_cost"]

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


def _n_layers(params: dict) -> int:
    if not isinstance(params, dict) or "W1" not in params:
        raise TypeError("params must be a dict with keys W1, b1, ..., as made by init_params")
    n = 0
    while f"W{n + 1}" in params:
        n += 1
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
    if Z.shape[1] == 1:
        return layers._sigmoid_fwd(Z)[0]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # (N, C), exponents <= 0
    return E / E.sum(axis=1, keepdims=True)


def _output_loss(Z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    if Z.shape[1] == 1:
        return losses.bce_with_logits(Z, Y)
    return losses.softmax_cross_entropy(Z, np.argmax(Y, axis=1))


# --------------------------------------------------------------------------- L-layer, cache API
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
    _check_params(params, X.shape[1])
    return _forward(X, params, activation)


def _check_params(params: dict, d: int) -> int:
    """Validate the weight dict once (shapes chain D -> H_1 -> ... -> C); return L."""
    L = _n_layers(params)
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
    act_f, _ = layers._CORES[activation]
    L = _n_layers(params)
    A, caches = X, []
    for i in range(1, L + 1):
        Z, dc = layers._dense_fwd(A, params[f"W{i}"], params[f"b{i}"])  # (N, H_l)
        if i < L:
            A, ac = act_f(Z)
        else:
            A, ac = Z, None
        caches.append((dc, ac))
    return A, caches


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
    if not isinstance(caches, list) or not caches:
        raise TypeError("caches must be the list returned by forward()")
    x_last, w_last = caches[-1][0]
    if d.shape != (x_last.shape[0], w_last.shape[1]):
        raise ValueError(f"dlogits has shape {d.shape} but the logits had shape "
                         f"{(x_last.shape[0], w_last.shape[1])}")
    return _backward(d, caches, activation)


def _backward(d, caches, activation):
    """:func:`backward` without the checks."""
    _, act_b = layers._CORES[activation]
    grads = {}
    for i in range(len(caches), 0, -1):
        dc, ac = caches[i - 1]
        if ac is not None:
            d = act_b(d, ac)  # through the activation: elementwise g'
        d, grads[f"W{i}"], grads[f"b{i}"] = layers._dense_bwd(d, dc)  # d becomes dL/dA_{l-1}
    return grads


def loss_and_grads(X, y, params: dict, activation: str = "relu") -> tuple[float, dict]:
    """Mean loss on (X (N, D), integer labels y (N,)) and its gradient for every parameter.

    C = 1 outputs use sigmoid + BCE (labels 0/1), C > 1 softmax + cross-entropy.
    """
    Z, caches = forward(X, params, activation)
    Y = _targets(y, Z.shape[0], Z.shape[1])
    loss, dZ = _output_loss(Z, Y)
    return loss, backward(dZ, caches, activation)


# --------------------------------------------------------------------------- two layers, written out
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
    if _n_layers(params) != 2:
        raise ValueError(f"two_layer_forward needs exactly W1 and W2, got {_n_layers(params)} layers")
    X = as_float_array(X, "X", ndim=2)
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    if X.shape[1] != W1.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features but W1 expects D={W1.shape[0]}")
    act_f, _ = layers.ACTIVATIONS[activation]
    Z1 = X @ W1 + b1  # (B, D) @ (D, H) -> (B, H)
    A1, _ = act_f(Z1)  # (B, H)
    Z2 = A1 @ W2 + b2  # (B, H) @ (H, C) -> (B, C)
    Y_hat = _output_probs(Z2)  # (B, C)
    return Y_hat, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2, "Y_hat": Y_hat}


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
    X, Z1, A1, Y_hat = cache["X"], cache["Z1"], cache["A1"], cache["Y_hat"]
    if Y.shape != Y_hat.shape:
        raise ValueError(f"Y has shape {Y.shape} but the network's output has shape {Y_hat.shape}")
    _, act_b = layers.ACTIVATIONS[activation]
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
    n_out = params[f"W{_n_layers(params)}"].shape[1]
    n_classes = 2 if n_out == 1 else n_out
    if y.max() >= n_classes:
        raise ValueError(f"y must be < C={n_classes} (the network's classes), got maximum {y.max()}")
    return float(np.mean(pred == y))


# --------------------------------------------------------------------------- training
@dataclass(frozen=True)
class MLPHistory:
    """What :func:`train` returns.

    Attributes
    ----------
    params : dict
        The trained weights.
    train_loss, train_acc : list of float
        Per epoch, measured on the whole training set after the epoch.
    val_loss, val_acc : list of float
        Per epoch on the validation set (empty without one).
    seconds : float
        Wall-clock training time.
    activation : str
    """

    params: dict
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    seconds: float = 0.0
    activation: str = "relu"

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)


def _evaluate(X, Y, params, activation):
    Z, _ = _forward(X, params, activation)
    loss, _ = _output_loss(Z, Y)
    pred = (Z[:, 0] > 0) if Z.shape[1] == 1 else np.argmax(Z, axis=1)
    truth = Y[:, 0] > 0.5 if Z.shape[1] == 1 else np.argmax(Y, axis=1)
    return loss, float(np.mean(pred == truth))


def _training_args(X, y, hidden, n_classes, activation, lr, epochs, batch_size, rng):
    """Validate the arguments shared by :func:`train` and :func:`train_torch`.

    Returns X (N, D), y (N,), lr, epochs, batch_size, rng, n_classes and the number of
    output units c (1 for binary problems, else C).
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_labels(y, "y", n_samples=X.shape[0])
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    rng = check_rng(rng)
    if not isinstance(hidden, (tuple, list)):
        raise TypeError(f"hidden must be a tuple of widths, got {type(hidden).__name__}")
    for i, h in enumerate(hidden):
        check_int(int(h) if isinstance(h, np.integer) else h, f"hidden[{i}]", minimum=1)
    n_classes = int(y.max()) + 1 if n_classes is None else check_int(n_classes, "n_classes", minimum=2)
    c = 1 if n_classes == 2 else n_classes
    return X, y, lr, epochs, batch_size, rng, n_classes, c


def train(X, y, *, hidden=(64,), n_classes: int | None = None, activation: str = "relu",
          lr: float = 0.1, epochs: int = 20, batch_size: int = 32, rng, X_val=None, y_val=None,
          params: dict | None = None, progress: bool = False) -> MLPHistory:
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
    MLPHistory
    """
    X, y, lr, epochs, batch_size, rng, n_classes, c = _training_args(
        X, y, hidden, n_classes, activation, lr, epochs, batch_size, rng)
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
        if _check_params(params, X.shape[1]) and params[f"W{_n_layers(params)}"].shape[1] != c:
            raise ValueError(f"params end with {params[f'W{_n_layers(params)}'].shape[1]} outputs "
                             f"but {n_classes} classes need C={c}")
    from tqdm.auto import tqdm

    tl, ta, vl, va = [], [], [], []
    n = X.shape[0]
    t0 = time.perf_counter()
    for _ in tqdm(range(epochs), disable=not progress, desc="epochs", leave=False):
        perm = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            Z, caches = _forward(X[idx], params, activation)
            dZ = (_output_probs(Z) - Y[idx]) / len(idx)  # dL/dZ = (Y_hat - Y) / B
            grads = _backward(dZ, caches, activation)
            for k in params:
                params[k] -= lr * grads[k]
        loss, acc = _evaluate(X, Y, params, activation)
        tl.append(loss)
        ta.append(acc)
        if X_val is not None:
            loss, acc = _evaluate(X_val, Y_val, params, activation)
            vl.append(loss)
            va.append(acc)
    return MLPHistory(params, tl, ta, vl, va, time.perf_counter() - t0, activation)


# --------------------------------------------------------------------------- the same net in torch
def torch_model_from_params(params: dict, activation: str = "relu", dtype=None):
    """A ``nnbasics.models.build_mlp`` network holding exactly these numpy weights.

    torch's ``nn.Linear`` stores W transposed (out, in); this copies ``W{l}.T``.
    """
    import torch

    from nnbasics.models import MLPConfig, build_mlp

    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    L = _n_layers(params)
    sizes = [params["W1"].shape[0]] + [params[f"W{i}"].shape[1] for i in range(1, L + 1)]
    model = build_mlp(MLPConfig(d_in=sizes[0], hidden=tuple(sizes[1:-1]), d_out=sizes[-1],
                                activation=activation), dtype=dtype or torch.float64)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for i, lin in enumerate(linears, start=1):
            lin.weight.copy_(torch.as_tensor(params[f"W{i}"].T))
            lin.bias.copy_(torch.as_tensor(params[f"b{i}"]))
    return model


def train_torch(X, y, *, hidden=(64,), n_classes: int | None = None, activation: str = "relu",
                lr: float = 0.1, epochs: int = 20, batch_size: int = 32, rng, X_val=None, y_val=None,
                dtype=None, progress: bool = False) -> dict:
    """Train the same network in torch: same initial weights, same mini-batches, same SGD.

    The model is :func:`nnbasics.models.build_mlp` holding the weights :func:`train` would
    start from (same ``rng``); torch autograd computes the gradients and the update is plain
    SGD ``p -= lr * p.grad``. With ``dtype=torch.float64`` the two trainings agree to
    rounding error, epoch by epoch — autograd as an oracle for the whole training run.
    (``torch.optim`` is not used: its first use imports torch._dynamo, several seconds.)
    torch runs on one thread while training (restored afterwards): for matrices this small,
    more threads only add synchronisation cost.

    Parameters
    ----------
    Same as :func:`train`, plus ``dtype`` (default ``torch.float32``).

    Returns
    -------
    dict
        ``model`` (torch.nn.Sequential), ``history`` (:class:`MLPHistory`, params as numpy),
        ``seconds`` float.
    """
    import torch

    X, y, lr, epochs, batch_size, rng, n_classes, c = _training_args(
        X, y, hidden, n_classes, activation, lr, epochs, batch_size, rng)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    dtype = dtype or torch.float32
    p0 = init_params([X.shape[1], *hidden, c], rng=rng, scale="he" if activation == "relu" else "xavier")
    model = torch_model_from_params(p0, activation, dtype=dtype)
    Xt = torch.as_tensor(X, dtype=dtype)
    yt = torch.as_tensor(y, dtype=dtype)[:, None] if c == 1 else torch.as_tensor(y)
    if X_val is not None:
        X_val = as_float_array(X_val, "X_val", ndim=2)
        y_val = as_labels(y_val, "y_val", n_samples=X_val.shape[0])
        Xv = torch.as_tensor(X_val, dtype=dtype)
        yv = torch.as_tensor(y_val, dtype=dtype)[:, None] if c == 1 else torch.as_tensor(y_val)
    F = torch.nn.functional
    loss_fn = F.binary_cross_entropy_with_logits if c == 1 else F.cross_entropy

    def evaluate(Xe, ye):
        with torch.no_grad():
            out = model(Xe)
            pred = (out[:, 0] > 0).to(dtype) if c == 1 else out.argmax(1)
            truth = ye[:, 0] if c == 1 else ye
            return float(loss_fn(out, ye)), float((pred == truth).double().mean())

    from tqdm.auto import tqdm

    tl, ta, vl, va = [], [], [], []
    n = X.shape[0]
    from nnbasics.runtime import one_thread

    t0 = time.perf_counter()
    with one_thread():  # tiny matmuls: extra threads only spin
        for _ in tqdm(range(epochs), disable=not progress, desc="epochs (torch)", leave=False):
            perm = torch.as_tensor(rng.permutation(n))  # the same batches as train()
            for start in range(0, n, batch_size):
                idx = perm[start:start + batch_size]
                model.zero_grad()
                loss_fn(model(Xt[idx]), yt[idx]).backward()  # autograd fills p.grad
                with torch.no_grad():
                    for p in model.parameters():
                        p -= lr * p.grad
            loss, acc = evaluate(Xt, yt)
            tl.append(loss)
            ta.append(acc)
            if X_val is not None:
                loss, acc = evaluate(Xv, yv)
                vl.append(loss)
                va.append(acc)
    seconds = time.perf_counter() - t0
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    params = {}
    for i, lin in enumerate(linears, start=1):
        params[f"W{i}"] = lin.weight.detach().double().numpy().T.copy()
        params[f"b{i}"] = lin.bias.detach().double().numpy().copy()
    return {"model": model, "history": MLPHistory(params, tl, ta, vl, va, seconds, activation),
            "seconds": seconds}


# --------------------------------------------------------------------------- notebook 02 demos
def worked_example(activation: str = "relu") -> dict:
    """Notebook 02's worked example, computed: a 3-2-1 network on one input.

    x = [0.5, 1.2, -0.7]; W1 = [[0.8, -0.4], [0.1, 0.9], [-0.3, 0.2]], b1 = [0.2, -0.1];
    W2 = [[1.1], [-0.6]], b2 = [0.05]. z1 = x W1 + b1, a1 = g(z1), z2 = a1 W2 + b2,
    y_hat = sigmoid(z2).

    Returns
    -------
    dict
        x (1, 3), W1 (3, 2), b1 (2,), W2 (2, 1), b2 (1,), z1 (1, 2), a1 (1, 2), z2 (1, 1), y_hat (1, 1).
    """
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    x = np.array([[0.5, 1.2, -0.7]])
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


def universal_approximation(width: int, target: str = "sine", *, rng=0, n: int = 400,
                            ridge: float = 1e-8) -> dict:
    """Fit a 1-D function with ONE hidden ReLU layer of ``width`` units.

    Hidden unit j computes relu(a_j x + c_j) with a random slope a_j = ±1 and a random
    kink position in the data range; the output weights are then the least-squares
    solution (a tiny ridge for stability). The fit is a piecewise-linear curve with at most
    ``width`` kinks, so wider layers can follow the target more closely.

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
    width = check_int(width, "width", minimum=1, maximum=4096)
    check_choice(target, "target", UA_TARGETS)
    rng = check_rng(rng)
    n = check_int(n, "n", minimum=2)
    ridge = check_float(ridge, "ridge", minimum=0.0)
    x = np.linspace(-3.0, 3.0, n)
    y = _TARGETS[target](x)
    slopes = rng.choice([-1.0, 1.0], size=width)
    kinks = rng.uniform(-3.0, 3.0, size=width)
    H = np.maximum(slopes * (x[:, None] - kinks), 0.0)  # (n, H)
    F = np.column_stack([H, np.ones(n)])  # (n, H + 1): hidden units + output bias
    coef = np.linalg.solve(F.T @ F + ridge * np.eye(width + 1), F.T @ y)  # (H + 1,)
    fit = F @ coef
    return {"x": x, "y": y, "fit": fit, "hidden": H * coef[:-1], "kinks": kinks,
            "mse": float(np.mean((fit - y) ** 2)), "width": width, "target": target}


# --------------------------------------------------------------------------- notebook 03 stepper
def tiny_network_trace(x1: float = 1.0, x2: float = -0.5, y: float = 1.0) -> dict:
    """Every node of a 2-2-1 sigmoid network with BCE, forward then backward, in order.

    Fixed weights w11=0.5, w12=-0.3, w21=0.8, w22=0.2 (input j -> hidden k is W1[j, k]),
    b1 = [0.1, -0.1], v = [1.0, -1.5] (hidden -> output), c = 0.2.

    Returns
    -------
    dict
        ``nodes``: {name: {"value": float, "grad": float}}; ``forward``: node names in
        evaluation order; ``backward``: list of (node, explanation) in the order backprop
        fills their gradients; ``params`` the weights; ``grads`` dL/dW1 (2, 2), db1 (2,),
        dv (2,), dc float.
    """
    x = np.array([check_float(x1, "x1"), check_float(x2, "x2")])
    y = check_float(y, "y", minimum=0.0, maximum=1.0)
    W1 = np.array([[0.5, -0.3], [0.8, 0.2]])
    b1 = np.array([0.1, -0.1])
    v = np.array([1.0, -1.5])
    c = 0.2
    z = x @ W1 + b1  # (2,)
    h, _ = layers.sigmoid_forward(z)
    o = float(h @ v + c)
    p = float(losses.sigmoid(np.array(o)))
    loss, _ = losses.bce_with_logits(np.array([o]), np.array([y]))
    do = p - y  # dL/do = y_hat - y
    dh = do * v
    dz = dh * h * (1 - h)
    dx = W1 @ dz
    nodes = {"x1": (x[0], dx[0]), "x2": (x[1], dx[1]), "z1": (z[0], dz[0]), "z2": (z[1], dz[1]),
             "h1": (h[0], dh[0]), "h2": (h[1], dh[1]), "o": (o, do), "y_hat": (p, None), "L": (loss, 1.0)}
    nodes = {k: {"value": float(a), "grad": None if g is None else float(g)} for k, (a, g) in nodes.items()}
    backward_steps = [
        ("L", "dL/dL = 1 (the seed of reverse mode)"),
        ("o", "dL/do = y_hat - y (sigmoid + BCE fused)"),
        ("h1", "dL/dh1 = dL/do · v1"),
        ("h2", "dL/dh2 = dL/do · v2"),
        ("z1", "dL/dz1 = dL/dh1 · h1 (1 - h1)"),
        ("z2", "dL/dz2 = dL/dh2 · h2 (1 - h2)"),
        ("x1", "dL/dx1 = W11 dL/dz1 + W12 dL/dz2 (sum over paths)"),
        ("x2", "dL/dx2 = W21 dL/dz1 + W22 dL/dz2 (sum over paths)"),
    ]
    return {"nodes": nodes, "forward": ["x1", "x2", "z1", "z2", "h1", "h2", "o", "y_hat", "L"],
            "backward": backward_steps, "params": {"W1": W1, "b1": b1, "v": v, "c": c},
            "grads": {"W1": np.outer(x, dz), "b1": dz, "v": do * h, "c": do}, "x": x, "y": y}


# --------------------------------------------------------------------------- cost of backprop
def memory_report(X, params: dict, activation: str = "relu") -> dict:
    """Bytes held by the forward caches of one batch, next to the bytes of the parameters.

    Parameters
    ----------
    X : array_like, shape (N, D)
    params : dict
    activation : str

    Returns
    -------
    dict
        ``param_bytes`` int, ``cache_bytes`` int (arrays stored for backward, counted once each),
        ``per_layer`` list of int, ``batch`` N.
    """
    _, caches = forward(X, params, activation)
    seen, per_layer = set(), []
    for dc, ac in caches:
        total = 0
        for arr in (*dc, ac):
            if isinstance(arr, np.ndarray) and id(arr) not in seen and not any(
                    arr is params[k] for k in params):
                seen.add(id(arr))
                total += arr.nbytes
        per_layer.append(total)
    return {"param_bytes": int(sum(p.nbytes for p in params.values())), "cache_bytes": int(sum(per_layer)),
            "per_layer": per_layer, "batch": int(np.shape(X)[0])}


def autodiff_cost(sizes, batch: int) -> dict:
    """Multiply-add counts (FLOPs = 2 per multiply-add) of the matmuls of an MLP with widths ``sizes``.

    forward: one product per layer, 2 B n_in n_out. Reverse mode: two products per layer
    (dX and dW), about 2x forward, for ALL P parameters at once. Forward mode: one
    Jacobian-vector product (about 2x forward) per parameter direction, so P of them.

    Returns
    -------
    dict
        ``forward``, ``reverse`` (backward pass only), ``forward_mode`` FLOPs, and ``n_params`` P.
    """
    if not isinstance(sizes, (tuple, list)) or len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 widths (D, ..., C), got {sizes!r}")
    sizes = [check_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)]
    batch = check_int(batch, "batch", minimum=1)
    fwd = sum(2 * batch * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return {"forward": fwd, "reverse": 2 * fwd, "forward_mode": n_params * 2 * fwd, "n_params": n_params}
