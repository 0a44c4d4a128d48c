"""Notebook 03's measured demos: a traced tiny network, memory of the caches, autodiff cost, numpy vs torch training."""

from __future__ import annotations

import time

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_float,
    check_int,
)
from nnbasics.core import activations, layers, losses
from nnbasics.core.history import History
from nnbasics.core.mlp import check_training_args, forward, init_params
from nnbasics.lab.models import check_input, torch_model_from_params

__all__ = ['train_torch', 'tiny_network_trace', 'memory_report', 'autodiff_cost']


def train_torch(X, y, *, hidden=(64,), n_classes: int | None = None, activation: str = "relu",
                lr: float = 0.1, epochs: int = 20, batch_size: int = 32, rng, X_val=None, y_val=None,
                dtype=None, progress: bool = False) -> dict:
    """Train the same network in torch: same initial weights, same mini-batches, same SGD.

    The model is :func:`nnbasics.lab.models.build_mlp` holding the weights :func:`train` would
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
        ``model`` (torch.nn.Sequential), ``history`` (:class:`~nnbasics.core.history.History`, params as
        float64 numpy arrays), ``seconds`` float.
    """
    import torch

    s = check_training_args(X, y, hidden, n_classes, activation, lr, epochs, batch_size, rng)
    X, y, lr, epochs, batch_size, rng, c = s.X, s.y, s.lr, s.epochs, s.batch_size, s.rng, s.n_outputs
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    dtype = dtype or torch.float32
    p0 = init_params([X.shape[1], *hidden, c], rng=rng, scale="he" if activation == "relu" else "xavier")
    model = torch_model_from_params(p0, activation, dtype=dtype)
    check_input(model, X, "X")
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
    diverged = False
    from nnbasics.lab.runtime import one_thread

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
            if not (np.isfinite(loss) and all(bool(torch.isfinite(p).all()) for p in model.parameters())):
                diverged = True  # as train(): stop, and say so
                tl.append(float("nan"))
                break
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
    return {"model": model, "history": History(train_loss=tl, train_acc=ta, val_loss=vl, val_acc=va, seconds=seconds,
                                       params=params, activation=activation, diverged=diverged),
            "seconds": seconds}


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
    p = float(activations.sigmoid(np.array(o)))
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
