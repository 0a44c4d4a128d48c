"""Notebook 03's measured demos: a traced tiny network, the gate patterns, Jacobians vs VJPs, memory of the
caches, forward vs reverse mode (counted and timed), numpy vs torch training."""

from __future__ import annotations

import time

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_float,
    check_int,
    check_rng,
    finite_output,
)
from nnbasics.core import activations, layers, losses
from nnbasics.core.history import History
from nnbasics.core.mlp import backward, check_training_args, forward, init_params, n_layers
from nnbasics.lab.models import check_input, torch_model_from_params

__all__ = ['train_torch', 'tiny_network_trace', 'gate_graph_trace', 'dense_jacobian', 'memory_report',
           'autodiff_cost', 'forward_mode_gradient', 'time_forward_backward']


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
    p0 = init_params([X.shape[1], *hidden, c], rng=rng, scale="he" if activation == "relu" else "lecun")
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

    Named as in §3's batched formulas, one example at a time: layer 1 is z1 = x W1 + b1,
    a1 = sigmoid(z1) (units ``z1[0]``, ``z1[1]``, ``a1[0]``, ``a1[1]``); layer 2 is the logit
    z2 = a1 . W2 + b2, y_hat = sigmoid(z2), L = BCE(y_hat, y). Fixed weights
    W1 = [[0.5, -0.3], [0.8, 0.2]] (input j -> unit k is W1[j, k]), b1 = [0.1, -0.1],
    W2 = [1.0, -1.5], b2 = 0.2.

    Returns
    -------
    dict
        ``nodes``: {name: {"value": float, "grad": float or None}}; ``forward``: node names in
        evaluation order; ``backward``: list of (name, explanation) in the order backprop fills
        the gradients — node names, and "W2" / "W1" for the weight gradients of a layer (filled
        as soon as dL/dz of that layer is known); ``params`` the weights; ``grads`` dL/dW1 (2, 2),
        dL/db1 (2,), dL/dW2 (2,), dL/db2 float; ``x`` (2,), ``y``.
    """
    x = np.array([check_float(x1, "x1"), check_float(x2, "x2")])
    y = check_float(y, "y", minimum=0.0, maximum=1.0)
    W1 = np.array([[0.5, -0.3], [0.8, 0.2]])
    b1 = np.array([0.1, -0.1])
    W2 = np.array([1.0, -1.5])
    b2 = 0.2
    z1 = x @ W1 + b1  # (2,)
    a1, _ = layers.sigmoid_forward(z1)
    z2 = float(a1 @ W2 + b2)
    p = float(activations.sigmoid(np.array(z2)))
    loss, _ = losses.bce_with_logits(np.array([z2]), np.array([y]))
    dz2 = p - y  # dL/dz2 = y_hat - y
    da1 = dz2 * W2
    dz1 = da1 * a1 * (1 - a1)
    dx = W1 @ dz1
    nodes = {"x[0]": (x[0], dx[0]), "x[1]": (x[1], dx[1]), "z1[0]": (z1[0], dz1[0]), "z1[1]": (z1[1], dz1[1]),
             "a1[0]": (a1[0], da1[0]), "a1[1]": (a1[1], da1[1]), "z2": (z2, dz2), "y_hat": (p, None),
             "L": (loss, 1.0)}
    nodes = {k: {"value": float(a), "grad": None if g is None else float(g)} for k, (a, g) in nodes.items()}
    grads = {"W1": np.outer(x, dz1), "b1": dz1, "W2": dz2 * a1, "b2": dz2}
    backward_steps = [
        ("L", "dL/dL = 1 (the seed of reverse mode)"),
        ("z2", "dL/dz2 = y_hat - y (sigmoid + BCE fused)"),
        ("W2", "dL/dW2[k] = a1[k] · dL/dz2 (multiply swaps), dL/db2 = dL/dz2"),
        ("a1[0]", "dL/da1[0] = W2[0] · dL/dz2"),
        ("a1[1]", "dL/da1[1] = W2[1] · dL/dz2"),
        ("z1[0]", "dL/dz1[0] = dL/da1[0] · a1[0] (1 - a1[0])"),
        ("z1[1]", "dL/dz1[1] = dL/da1[1] · a1[1] (1 - a1[1])"),
        ("W1", "dL/dW1[j, k] = x[j] · dL/dz1[k], dL/db1 = dL/dz1"),
        ("x[0]", "dL/dx[0] = W1[0, 0] dL/dz1[0] + W1[0, 1] dL/dz1[1] (paths add)"),
        ("x[1]", "dL/dx[1] = W1[1, 0] dL/dz1[0] + W1[1, 1] dL/dz1[1] (paths add)"),
    ]
    return {"nodes": nodes, "forward": ["x[0]", "x[1]", "z1[0]", "z1[1]", "a1[0]", "a1[1]", "z2", "y_hat", "L"],
            "backward": backward_steps, "params": {"W1": W1, "b1": b1, "W2": W2, "b2": b2},
            "grads": grads, "x": x, "y": y}


# --------------------------------------------------------------------------- gate patterns
@finite_output("x * y (or the sum s = x y + max(z, w)) overflows float64; use smaller inputs")
def gate_graph_trace(x: float = 3.0, y: float = -4.0, z: float = 2.0, w: float = -1.0) -> dict:
    """f = 2 (x y + max(z, w)), forward then backward, one gate at a time (cs231n's example).

    Every gate passes gradients back by a pattern: an **add** gate copies (distributes) its
    upstream gradient to every input; a **multiply** gate sends each input the upstream
    gradient times the *other* input (it swaps them); a **max** gate routes the whole
    upstream gradient to the larger input and 0 to the other.

    Returns
    -------
    dict
        ``nodes``: {name: {"value": float, "grad": float}} for x, y, z, w, a = x y,
        m = max(z, w), s = a + m, f = 2 s; ``forward``: names in evaluation order;
        ``backward``: list of (node(s), pattern, explanation) in the order backprop fills them.
    """
    x, y, z, w = (check_float(v, n) for v, n in ((x, "x"), (y, "y"), (z, "z"), (w, "w")))
    a = x * y
    m = max(z, w)
    s_ = a + m
    f = 2.0 * s_
    df = 1.0
    ds = 2.0 * df  # scale gate: times the constant
    da, dm = ds, ds  # add: distributes
    dz, dw = (dm, 0.0) if z >= w else (0.0, dm)  # max: routes to the winner (ties go to z)
    dx, dy = y * da, x * da  # multiply: swaps the inputs
    values = {"x": x, "y": y, "z": z, "w": w, "a": a, "m": m, "s": s_, "f": f}
    grads = {"x": dx, "y": dy, "z": dz, "w": dw, "a": da, "m": dm, "s": ds, "f": df}
    winner, loser = ("z", "w") if z >= w else ("w", "z")
    steps = [
        ("f", "seed", "df/df = 1"),
        ("s", "scale", f"f = 2 s: df/ds = 2 · 1 = {ds:g}"),
        ("a, m", "add distributes", f"s = a + m: both inputs get the upstream {ds:g}"),
        (f"{winner}, {loser}", "max routes",
         f"m = max(z, w) = {winner}: {winner} gets the upstream {dm:g}, {loser} gets 0"),
        ("x, y", "multiply swaps",
         f"a = x y: dx = y · {da:g} = {dx:g}, dy = x · {da:g} = {dy:g}"),
    ]
    return {"nodes": {k: {"value": float(values[k]), "grad": float(grads[k])} for k in values},
            "forward": ["x", "y", "z", "w", "a", "m", "s", "f"], "backward": steps}


# --------------------------------------------------------------------------- Jacobians vs VJPs
def dense_jacobian(N: int = 2, D: int = 3, H: int = 4, *, rng=0) -> dict:
    """The full Jacobian of Z = X W with respect to X, next to the vector-Jacobian product.

    Flattening row by row, dZ[n, h] / dX[m, d] = [n == m] W[d, h], i.e. J = kron(I_N, W^T) of
    shape (N H, N D). Backprop never builds J: for an upstream gradient G = dL/dZ it needs only
    J^T vec(G), and that equals vec(G W^T) — one small matmul instead of an (N H) x (N D) matrix.

    Returns
    -------
    dict
        ``J`` (N H, N D), ``W`` (D, H), ``G`` (N, H), ``vjp_full`` (N, D) = J^T vec(G) reshaped,
        ``vjp`` (N, D) = G W^T, ``max_abs_diff`` float, ``jacobian_entries`` (N H N D) and
        ``nonzero_fraction`` of J.
    """
    N = check_int(N, "N", minimum=1, maximum=64)
    D = check_int(D, "D", minimum=1, maximum=64)
    H = check_int(H, "H", minimum=1, maximum=64)
    rng = check_rng(rng)
    W = rng.standard_normal((D, H))
    G = rng.standard_normal((N, H))
    J = np.kron(np.eye(N), W.T)  # (N H, N D)
    vjp_full = (J.T @ G.ravel()).reshape(N, D)
    vjp = G @ W.T  # (N, H) @ (H, D) -> (N, D)
    return {"J": J, "W": W, "G": G, "vjp_full": vjp_full, "vjp": vjp,
            "max_abs_diff": float(np.max(np.abs(vjp_full - vjp))), "jacobian_entries": int(J.size),
            "nonzero_fraction": float(np.count_nonzero(J) / J.size)}


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
    return {"forward": fwd, "reverse": 2 * fwd, "forward_mode": n_params * 2 * fwd, "n_params": n_params,
            "batch": batch}


def forward_mode_gradient(X, y, params: dict, activation: str = "tanh") -> dict:
    """The full gradient of the mean softmax cross-entropy by FORWARD mode: one pass per parameter.

    Each pass pushes a tangent (the unit direction e_i of one parameter) through the network
    with the values: dZ_l = dA_{l-1} W_l + A_{l-1} dW_l + db_l, dA_l = g'(Z_l) * dZ_l, and at
    the end dL = mean_n sum_c (softmax(Z_L) - onehot(y))_{nc} dZ_L{nc}: the directional
    derivative of L along e_i, i.e. dL/dtheta_i. Reverse mode gets all P of them in one
    backward pass.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like of int, shape (N,), classes 0..C-1 with C >= 2 outputs
    params : dict
        W1, b1, ..., WL, bL.
    activation : str

    Returns
    -------
    dict
        ``grads`` (keyed like ``params``; always float64, one directional derivative per entry),
        ``passes`` int (= P, one per parameter) and ``reverse`` (the gradients from one backward
        pass, for comparison).
    """
    X = as_float_array(X, "X", ndim=2)
    logits, caches = forward(X, params, activation)  # also validates params and activation
    c = logits.shape[1]
    if c < 2:
        raise ValueError(f"params must end with C >= 2 softmax outputs (forward_mode_gradient), got C={c}")
    y = as_labels(y, "y", n_classes=c, n_samples=X.shape[0])
    L = n_layers(params)
    act_b = layers.ACTIVATIONS[activation][1]
    P = losses.softmax(logits, axis=1)
    P[np.arange(len(y)), y] -= 1.0
    dlogits = P / len(y)  # dL/dZ_L: only used to turn the final tangent into a number

    def jvp(tangent: dict) -> float:
        A, dA = X, np.zeros_like(X)
        for i in range(1, L + 1):
            Z = A @ params[f"W{i}"] + params[f"b{i}"]
            dZ = dA @ params[f"W{i}"] + A @ tangent[f"W{i}"] + tangent[f"b{i}"]  # product rule
            if i < L:
                act_cache = caches[i - 1][1]
                A, dA = layers.ACTIVATIONS[activation][0](Z)[0], act_b(dZ, act_cache)  # g'(Z) * dZ
            else:
                A, dA = Z, dZ
        return float(np.sum(dlogits * dA))

    grads, passes = {}, 0
    for k, v in params.items():
        g = np.zeros_like(v, dtype=np.float64)
        for idx in np.ndindex(v.shape):
            tangent = {q: np.zeros_like(params[q], dtype=np.float64) for q in params}
            tangent[k][idx] = 1.0
            g[idx] = jvp(tangent)
            passes += 1
        grads[k] = g
    return {"grads": grads, "passes": passes, "reverse": backward(dlogits, caches, activation)}


def time_forward_backward(sizes, batch: int, *, repeats: int = 5, rounds: int = 3, rng=0) -> dict:
    """Seconds per forward and per backward pass of the numpy MLP, and their ratio.

    Each round times ``repeats`` forward calls and, right after them, ``repeats`` backward calls:
    a pair measured back to back, so a pause caused by another program spoils one round, not the
    comparison. The medians over ``rounds`` are reported. (The best of each pass's rounds,
    taken separately, came from different moments: on two cores shared with three busy
    processes its ratio at N = 2048, 15 rounds of one call, was 1.2-1.6 against 1.5-1.9 for
    the paired median, and once 0.90 in a busy browser test.) The passes run on one BLAS thread
    after one untimed warm-up call; both are the public, validated functions.

    Returns
    -------
    dict
        ``forward``, ``backward`` (median seconds per call), ``ratio`` (the median of the
        rounds' backward / forward ratios), ``ratios`` (each round's, length ``rounds``) and
        the matmul FLOP counts ``forward_flops``, ``backward_flops`` of :func:`autodiff_cost`.
    """
    cost = autodiff_cost(sizes, batch)
    repeats = check_int(repeats, "repeats", minimum=1)
    rounds = check_int(rounds, "rounds", minimum=1)
    rng = check_rng(rng)
    params = init_params(list(sizes), rng=rng)
    X = rng.standard_normal((cost["batch"], sizes[0]))
    from nnbasics.lab.runtime import blas_threads

    fwd, bwd = [], []
    with blas_threads(1):
        logits, caches = forward(X, params, "relu")  # warm-up: allocations, caches
        backward(logits, caches, "relu")
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(repeats):
                logits, caches = forward(X, params, "relu")
            t1 = time.perf_counter()
            for _ in range(repeats):
                backward(logits, caches, "relu")
            t2 = time.perf_counter()
            fwd.append((t1 - t0) / repeats)
            bwd.append((t2 - t1) / repeats)
    ratios = [b / f for f, b in zip(fwd, bwd)]
    return {"forward": float(np.median(fwd)), "backward": float(np.median(bwd)),
            "ratio": float(np.median(ratios)), "ratios": ratios,
            "forward_flops": cost["forward"], "backward_flops": cost["reverse"]}
