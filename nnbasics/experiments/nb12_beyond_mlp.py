"""Notebook 12's measured demos: a tiny CNN, gradient flow through time, a recommender from two embedding tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_index_array,
    check_finite_output,
    check_float,
    check_int,
    check_rng,
    check_shapes,
    check_state,
    finite_output,
)
from nnbasics.core.embeddings import embedding_backward, embedding_forward
from nnbasics.core.recurrent import (
    init_lstm,
    init_rnn,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
)

__all__ = ['build_tiny_cnn', 'GradientFlow', 'gradient_through_time', 'Ratings', 'synthetic_ratings', 'Recommender',
           'predict_ratings', 'train_recommender', 'Footprint', 'gradient_footprint', 'PermutationCheck',
           'permutation_check', 'residual_branch_ratio', 'two_head_patterns', 'cnn_vs_mlp', 'tabular_comparison']


def build_tiny_cnn(n_classes: int = 10, *, channels: int = 8, side: int = 8, seed: int = 0):
    """A small torch CNN for flattened square images (N, side^2): conv3x3 -> ReLU -> maxpool2 -> linear.

    It takes the same (N, D) input as an MLP (it unflattens internally), so
    :func:`nnbasics.lab.train.fit` trains both the same way.
    """
    import torch
    import torch.nn as nn

    n_classes = check_int(n_classes, "n_classes", minimum=2)
    channels = check_int(channels, "channels", minimum=1)
    side = check_int(side, "side", minimum=2)
    seed = check_int(seed, "seed")
    model = nn.Sequential(
        nn.Unflatten(1, (1, side, side)),  # (N, 1, side, side)
        nn.Conv2d(1, channels, 3, padding=1),  # (N, ch, side, side)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, ch, side/2, side/2)
        nn.Flatten(),
        nn.Linear(channels * (side // 2) ** 2, n_classes),
    )
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                bound = 1.0 / np.sqrt(m.weight[0].numel())
                m.weight.uniform_(-bound, bound, generator=gen)
                m.bias.uniform_(-bound, bound, generator=gen)
    return model


@dataclass(frozen=True)
class GradientFlow:
    """How much of a loss on the last step reaches each earlier input.

    Attributes
    ----------
    steps_back : ndarray, shape (T,)
        0 for the last input x_T, T-1 for the first x_1.
    rnn, lstm : ndarray, shape (T,)
        Mean over seeds of ||dL/dx_t|| / ||dL/dx_T||, ordered by ``steps_back``.
    forget_gate_mean : float
        Average forget-gate activation of the LSTM (how much cell state it keeps per step).
    """

    steps_back: np.ndarray
    rnn: np.ndarray
    lstm: np.ndarray
    forget_gate_mean: float


@finite_output("a gradient overflows or vanishes to exactly 0 (0/0): rnn_gain or forget_bias too extreme")
def gradient_through_time(T: int = 30, *, D: int = 4, H: int = 32, N: int = 8, forget_bias: float = 1.0,
                          rnn_gain: float = 1.0, seeds: int = 5, rng=0) -> GradientFlow:
    """Measure vanishing gradients: L = sum(h_T * v) for a random v, gradient norm w.r.t. each x_t.

    Both networks get torch's default initialisation (the LSTM with ``forget_bias`` added to its
    forget gate); inputs are standard normal. Norms are relative to the last step's, averaged
    (geometric mean) over ``seeds`` draws.

    Parameters
    ----------
    T : int
        Sequence length.
    D, H, N : int
        Input size, hidden size and batch size.
    forget_bias : float
        Added to the LSTM forget-gate bias.
    rnn_gain : float
        Multiplies the RNN's recurrent matrix (> 1 moves it towards exploding).
    seeds : int
        Independent draws to average.
    rng : numpy.random.Generator or int

    Returns
    -------
    GradientFlow
    """
    T = check_int(T, "T", minimum=2, maximum=1000)
    seeds = check_int(seeds, "seeds", minimum=1)
    check_float(rnn_gain, "rnn_gain", minimum=0.0)
    check_float(forget_bias, "forget_bias")
    rng = check_rng(rng)
    logs_rnn, logs_lstm, fgs = [], [], []
    for _ in range(seeds):
        xs = rng.standard_normal((T, N, D))
        v = rng.standard_normal((N, H))
        h0 = np.zeros((N, H))
        dhs = np.zeros((T, N, H))
        dhs[-1] = v
        W, U, b = init_rnn(D, H, rng=rng, gain=rnn_gain)
        _hs, caches = rnn_forward(xs, h0, W, U, b)
        dxs = rnn_backward(dhs, caches)[0]
        norms = np.linalg.norm(dxs.reshape(T, -1), axis=1)
        logs_rnn.append(np.log(norms / norms[-1]))
        W, U, b = init_lstm(D, H, rng=rng, forget_bias=forget_bias)
        _hs, _cs, caches = lstm_forward(xs, h0, h0, W, U, b)
        dxs = lstm_backward(dhs, caches)[0]
        norms = np.linalg.norm(dxs.reshape(T, -1), axis=1)
        logs_lstm.append(np.log(norms / norms[-1]))
        fgs.append(np.mean([cache[6].mean() for cache in caches]))
    rnn = np.exp(np.mean(logs_rnn, axis=0))[::-1]
    lstm = np.exp(np.mean(logs_lstm, axis=0))[::-1]
    return GradientFlow(np.arange(T), rnn, lstm, float(np.mean(fgs)))


@dataclass(frozen=True)
class Ratings:
    """Synthetic user-item ratings r = mu + b_u + b_i + <p_u, q_i> + noise.

    Attributes
    ----------
    users, items : ndarray of int, shape (N,)
    ratings : ndarray, shape (N,)
    n_users, n_items : int
    true_users : ndarray, shape (n_users, K)
        The hidden taste vectors p_u that generated the data.
    true_items : ndarray, shape (n_items, K)
    train : ndarray of bool, shape (N,)
        Which ratings are for training (the rest are held out).
    """

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    n_users: int
    n_items: int
    true_users: np.ndarray
    true_items: np.ndarray
    train: np.ndarray


def synthetic_ratings(n_users: int = 60, n_items: int = 40, *, rank: int = 3, density: float = 0.35,
                      noise: float = 0.1, val_fraction: float = 0.2, rng) -> Ratings:
    """Observed entries of a low-rank rating matrix, split into train and held-out ratings.

    Parameters
    ----------
    n_users, n_items : int
        Sizes of the two lookup tables.
    rank : int
        K, the number of hidden taste dimensions.
    density : float in (0, 1]
        Fraction of (user, item) pairs that are rated.
    noise : float >= 0
        Standard deviation of the rating noise.
    val_fraction : float in [0, 1)
        Fraction of the ratings held out.
    rng : numpy.random.Generator or int

    Returns
    -------
    Ratings
    """
    n_users = check_int(n_users, "n_users", minimum=1)
    n_items = check_int(n_items, "n_items", minimum=1)
    rank = check_int(rank, "rank", minimum=1)
    density = check_float(density, "density", minimum=0.0, maximum=1.0, min_inclusive=False)
    noise = check_float(noise, "noise", minimum=0.0)
    val_fraction = check_float(val_fraction, "val_fraction", minimum=0.0, maximum=1.0, max_inclusive=False)
    rng = check_rng(rng)
    P = rng.standard_normal((n_users, rank)) / rank ** 0.25
    Q = rng.standard_normal((n_items, rank)) / rank ** 0.25
    bu = 0.3 * rng.standard_normal(n_users)
    bi = 0.3 * rng.standard_normal(n_items)
    mask = rng.random((n_users, n_items)) < density
    users, items = np.nonzero(mask)
    r = 3.0 + bu[users] + bi[items] + np.sum(P[users] * Q[items], axis=1) + noise * rng.standard_normal(users.size)
    train = rng.random(users.size) >= val_fraction
    return Ratings(users.astype(np.int64), items.astype(np.int64), r, n_users, n_items, P, Q, train)


@dataclass(frozen=True)
class Recommender:
    """A trained dot-product recommender (its tables) and its RMSE after every epoch.

    Attributes
    ----------
    user_table : ndarray, shape (n_users, E)
        float64 (like the other tables), whatever the dtype of the ratings.
    item_table : ndarray, shape (n_items, E)
    user_bias, item_bias : ndarray, shapes (n_users,), (n_items,)
    mean : float
        Global mean rating of the training set.
    train_rmse, val_rmse : list of float
        Root-mean-square error after every epoch.
    baseline_rmse : float
        Held-out RMSE of always predicting the training mean.
    """

    user_table: np.ndarray
    item_table: np.ndarray
    user_bias: np.ndarray
    item_bias: np.ndarray
    mean: float
    train_rmse: list = field(default_factory=list)
    val_rmse: list = field(default_factory=list)
    baseline_rmse: float = float("nan")


@finite_output("mean + biases + <P[u], Q[i]> overflows: the tables or mean are too large")
def predict_ratings(users, items, user_table, item_table, user_bias, item_bias, mean: float) -> np.ndarray:
    """r_hat = mean + b_u + b_i + <P[u], Q[i]> for pairs (users (N,), items (N,)) -> (N,).

    Shapes: user_table (U, E), item_table (I, E), user_bias (U,), item_bias (I,).
    """
    P = as_float_array(user_table, "user_table", ndim=2)  # (U, E)
    Q = as_float_array(item_table, "item_table", ndim=2)  # (I, E)
    if Q.shape[1] != P.shape[1]:
        raise ValueError(f"item_table has E={Q.shape[1]} columns but user_table has E={P.shape[1]}")
    bu = as_float_array(user_bias, "user_bias", ndim=1)  # (U,)
    bi = as_float_array(item_bias, "item_bias", ndim=1)  # (I,)
    if bu.shape[0] != P.shape[0]:
        raise ValueError(f"user_bias has {bu.shape[0]} entries but user_table has U={P.shape[0]} rows")
    if bi.shape[0] != Q.shape[0]:
        raise ValueError(f"item_bias has {bi.shape[0]} entries but item_table has I={Q.shape[0]} rows")
    mean = check_float(mean, "mean")
    u = as_index_array(users, P.shape[0], "users")
    i = as_index_array(items, Q.shape[0], "items")
    if u.shape != i.shape:
        raise ValueError(f"users has shape {u.shape} but items has shape {i.shape}; they must match")
    return mean + bu[u] + bi[i] + np.sum(P[u] * Q[i], axis=-1)  # (N,)


@np.errstate(over="ignore", invalid="ignore")  # divergence is reported by check_finite_output below
def train_recommender(data: Ratings, *, dim: int = 3, epochs: int = 60, lr: float = 1.0,
                      batch_size: int = 64, weight_decay: float = 1e-3, rng=0) -> Recommender:
    """Learn user and item embeddings by mini-batch SGD on the squared error, from scratch.

    Model: r_hat = mu + b_u + b_i + <P[u], Q[i]>; loss = mean (r_hat - r)^2 + wd (|P[u]|^2 + |Q[i]|^2).
    Gradients flow into the tables only through :func:`embedding_backward`, so each step
    updates only the rows of the users and items in the batch.

    Parameters
    ----------
    data : Ratings
    dim : int
        Embedding size E.
    epochs, batch_size : int
    lr : float > 0
    weight_decay : float >= 0
        L2 penalty on the looked-up embedding rows.
    rng : numpy.random.Generator or int
        Initial tables (N(0, 0.1^2)) and batch order.

    Returns
    -------
    Recommender
        Its tables are float64.
    """
    check_state(data, "data", Ratings, "synthetic_ratings")
    dims = check_shapes(("data.users", data.users, "N"), ("data.items", data.items, "N"),
                        ("data.ratings", data.ratings, "N"), ("data.train", data.train, "N"),
                        ("data.true_users", data.true_users, "U K"), ("data.true_items", data.true_items, "I K"))
    if (dims["U"], dims["I"]) != (data.n_users, data.n_items):
        raise ValueError(f"data has n_users={data.n_users}, n_items={data.n_items} but true_users, true_items "
                         f"have {dims['U']}, {dims['I']} rows; pass the Ratings from synthetic_ratings")
    as_index_array(data.users, data.n_users, "data.users")
    as_index_array(data.items, data.n_items, "data.items")
    dim = check_int(dim, "dim", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
    rng = check_rng(rng)
    tr, va = data.train, ~data.train
    u_tr, i_tr, r_tr = data.users[tr], data.items[tr], data.ratings[tr]
    mean = float(r_tr.mean())
    P = 0.1 * rng.standard_normal((data.n_users, dim))
    Q = 0.1 * rng.standard_normal((data.n_items, dim))
    bu = np.zeros(data.n_users)
    bi = np.zeros(data.n_items)

    diverged = f"training diverged: lr={lr:g} is too large for these ratings (or data.ratings are huge); lower lr"

    def rmse(mask):
        if not mask.any():
            return float("nan")
        pred = predict_ratings(data.users[mask], data.items[mask], P, Q, bu, bi, mean)
        return float(check_finite_output(np.sqrt(np.mean((pred - data.ratings[mask]) ** 2)), "train_recommender",
                                         diverged))

    train_rmse, val_rmse = [], []
    n = r_tr.size
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            u, i, r = u_tr[idx], i_tr[idx], r_tr[idx]
            pu, cache_u = embedding_forward(u, P)  # (B, E)
            qi, cache_i = embedding_forward(i, Q)  # (B, E)
            err = mean + bu[u] + bi[i] + np.sum(pu * qi, axis=1) - r  # (B,)
            derr = 2.0 * err / idx.size  # dL/dr_hat
            dpu = derr[:, None] * qi + 2 * weight_decay * pu / idx.size  # (B, E)
            dqi = derr[:, None] * pu + 2 * weight_decay * qi / idx.size  # (B, E)
            check_finite_output((dpu, dqi), "train_recommender", diverged)
            dP = embedding_backward(dpu, cache_u)
            dQ = embedding_backward(dqi, cache_i)
            P -= lr * dP
            Q -= lr * dQ
            np.add.at(bu, u, -lr * derr)
            np.add.at(bi, i, -lr * derr)
            check_finite_output((P, Q, bu, bi), "train_recommender", diverged)
        train_rmse.append(rmse(tr))
        val_rmse.append(rmse(va))
    baseline = float(np.sqrt(np.mean((data.ratings[va] - mean) ** 2))) if va.any() else float("nan")
    return Recommender(P, Q, bu, bi, mean, train_rmse, val_rmse, baseline)


# --------------------------------------------------------------------------- receptive field, measured
@dataclass(frozen=True)
class Footprint:
    """Which units of every layer one output unit depends on, found by backpropagation.

    Attributes
    ----------
    masks : list of ndarray of bool
        ``masks[0]`` over the input positions, ``masks[l]`` over layer l's outputs: True where
        the gradient of the chosen (middle) last-layer unit is non-zero.
    sizes : ndarray of int, shape (L,)
        Measured receptive field of one unit of each layer, in input pixels.
    centres : list of ndarray
        ``centres[l][i]``: input position at the centre of unit i of layer l's receptive field
        (``centres[0]`` are the input positions themselves), for drawing.
    """

    masks: list
    sizes: np.ndarray
    centres: list


def gradient_footprint(kernels, strides, *, n: int | None = None) -> Footprint:
    """Measure receptive fields with autograd: a stack of 1-D convolutions (all weights 1, no
    padding, float64), the gradient of single units w.r.t. the input and every layer.

    Parameters
    ----------
    kernels, strides : sequence of int
        One entry per layer (pooling windows count as layers with their size and stride).
    n : int, optional
        Input length (default: large enough for every layer to have a middle unit).

    Returns
    -------
    Footprint
    """
    import torch
    import torch.nn.functional as F

    from nnbasics.core.conv import output_length, receptive_field

    sizes, jumps = receptive_field(kernels, strides)  # validates kernels/strides
    n = int(sizes[-1] + 4 * jumps[-1]) if n is None else check_int(n, "n", minimum=1)
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    acts, h = [x], x
    for k, s in zip(kernels, strides):
        output_length(h.shape[-1], int(k), int(s))  # the input must be long enough
        h = F.conv1d(h, torch.ones(1, 1, int(k), dtype=torch.float64), stride=int(s))
        acts.append(h)
    grads = torch.autograd.grad(h[0, 0, h.shape[-1] // 2], acts, retain_graph=True)
    masks = [(g[0, 0] != 0).numpy() for g in grads]

    def seen(unit):  # input positions with a non-zero gradient of one unit
        return np.flatnonzero(torch.autograd.grad(unit, x, retain_graph=True)[0][0, 0].numpy())

    measured, centres = [], [np.arange(n, dtype=np.float64)]
    for a in acts[1:]:
        first, middle = seen(a[0, 0, 0]), seen(a[0, 0, a.shape[-1] // 2])
        measured.append(int(middle[-1] - middle[0] + 1))
        step = (seen(a[0, 0, 1]).mean() - first.mean()) if a.shape[-1] > 1 else 0.0
        centres.append(first.mean() + step * np.arange(a.shape[-1]))
    return Footprint(masks, np.array(measured, dtype=np.int64), centres)


# --------------------------------------------------------------------------- attention and positions
@dataclass(frozen=True)
class PermutationCheck:
    """Self-attention without positions cannot tell token order; with positions it can.

    Attributes
    ----------
    error_without_positions : float
        max |block(x[perm]) - block(x)[perm]| (0 up to rounding: permutation equivariance).
    error_with_positions : float
        The same with sinusoidal positional encodings added to the tokens first.
    """

    error_without_positions: float
    error_with_positions: float


def permutation_check(L: int = 6, D: int = 8, n_heads: int = 2, *, rng=0) -> PermutationCheck:
    """Permute the tokens of a sequence and compare a Transformer block's outputs, with and without
    sinusoidal positional encodings (the permutation is a random derangement of the L tokens)."""
    from nnbasics.core.attention import sinusoidal_positions
    from nnbasics.core.transformer import transformer_block_forward, transformer_block_params

    L = check_int(L, "L", minimum=2)
    rng = check_rng(rng)
    params = transformer_block_params(D, n_heads, 4 * D, rng=rng)
    x = rng.standard_normal((L, D))
    perm = rng.permutation(L)
    while np.any(perm == np.arange(L)):  # every token moves
        perm = rng.permutation(L)
    pe = sinusoidal_positions(L, D)

    def block(z):
        return transformer_block_forward(z, params, n_heads=n_heads)[0]

    without = float(np.max(np.abs(block(x[perm]) - block(x)[perm])))
    with_pe = float(np.max(np.abs(block(x[perm] + pe) - block(x + pe)[perm])))
    return PermutationCheck(without, with_pe)


@finite_output("the block's output overflows: out_scale too large")
def residual_branch_ratio(out_scale: float = 1.0, *, L: int = 8, D: int = 16, n_heads: int = 2,
                          seeds: int = 5, rng=0) -> np.ndarray:
    """How far a fresh pre-LN block is from the identity: ||block(x) - x|| / ||x|| per seed.

    ``out_scale`` multiplies the last projection of both residual branches (Wo and W2); GPT-2
    uses 1/sqrt(2 * n_layers), some models start them at 0.

    Returns
    -------
    ndarray, shape (seeds,)
    """
    from nnbasics.core.transformer import transformer_block_forward, transformer_block_params

    seeds = check_int(seeds, "seeds", minimum=1)
    rng = check_rng(rng)
    ratios = []
    for _ in range(seeds):
        params = transformer_block_params(D, n_heads, 4 * D, rng=rng, out_scale=out_scale)
        x = rng.standard_normal((L, D))
        y, _ = transformer_block_forward(x, params, n_heads=n_heads)
        ratios.append(np.linalg.norm(y - x) / np.linalg.norm(x))
    return np.array(ratios)


def two_head_patterns(tokens, *, n_vocab: int, strength: float = 4.0) -> dict:
    """Two attention heads with hand-set weights: head 1 follows the previous token, head 2 the
    earlier occurrences of the same word (causal self-attention).

    Each token is a one-hot word (``n_vocab`` columns) next to a one-hot position (L columns), padded
    to D = 2 max(n_vocab, L) features, so each head has D/2 dimensions. Head 1's queries carry the
    position t, its keys the position s + 1: q_t . k_s = strength² only when s = t - 1. Head 2's
    queries and keys both carry the word: q_t . k_s = strength² when the words match. Values and
    the output projection are identities.

    Parameters
    ----------
    tokens : array_like of int, shape (L,), values in [0, n_vocab)
    n_vocab : int >= 1
    strength : float > 0
        The weights' size: the favoured logit is strength² / sqrt(D/2) above the others.

    Returns
    -------
    dict
        ``x`` (L, D) the tokens, ``params`` (Wq, Wk, Wv, Wo (D, D), biases (D,) zero), ``n_heads`` 2,
        ``same_word`` (L, L) bool (s <= t and the words match).
    """
    n_vocab = check_int(n_vocab, "n_vocab", minimum=1)
    tokens = as_index_array(tokens, n_vocab, "tokens")
    if tokens.ndim != 1 or len(tokens) < 2:
        raise ValueError(f"tokens must be a sequence of at least 2 word ids, got shape {tokens.shape}")
    strength = check_float(strength, "strength", minimum=0.0, min_inclusive=False)
    L = len(tokens)
    dh = max(n_vocab, L)  # each head's width
    D = 2 * dh
    x = np.zeros((L, D))
    x[np.arange(L), tokens] = 1.0  # the word, columns 0 .. n_vocab-1
    x[np.arange(L), dh + np.arange(L)] = 1.0  # the position, columns dh .. dh+L-1
    Wq, Wk = np.zeros((D, D)), np.zeros((D, D))
    for t in range(L):  # head 1 (output columns 0 .. dh-1): positions
        Wq[dh + t, t] = strength
        if t + 1 < L:
            Wk[dh + t, t + 1] = strength  # key of position s points at s + 1
    for w in range(n_vocab):  # head 2 (output columns dh .. D-1): words
        Wq[w, dh + w] = Wk[w, dh + w] = strength
    params = {"Wq": Wq, "Wk": Wk, "Wv": np.eye(D), "Wo": np.eye(D),
              **{b: np.zeros(D) for b in ("bq", "bk", "bv", "bo")}}
    t, s = np.arange(L)[:, None], np.arange(L)[None, :]
    return {"x": x, "params": params, "n_heads": 2, "same_word": (s <= t) & (tokens[:, None] == tokens[None, :])}


# --------------------------------------------------------------------------- architecture guide
def cnn_vs_mlp(seed: int = 0, *, epochs: int = 6) -> dict:
    """Digits: a tiny CNN and an MLP, same optimiser and epochs. Returns accuracies and parameter counts."""
    from nnbasics import data
    from nnbasics.lab import models, train

    seed = check_int(seed, "seed", minimum=0)
    split = data.digits(rng=seed)
    cfg = train.TrainConfig(epochs=check_int(epochs, "epochs", minimum=1), batch_size=128, lr=2e-2, seed=seed)
    mlp = models.build_mlp(models.MLPConfig(d_in=64, hidden=(32,), d_out=10, seed=seed))
    cnn = build_tiny_cnn(10, channels=8, seed=seed)
    out = {}
    for name, model in (("mlp", mlp), ("cnn", cnn)):
        hist = train.fit(model, split.X_train, split.y_train, split.X_val, split.y_val, cfg)
        out[name] = {"val_acc": hist.val_acc[-1], "params": models.count_parameters(model)}
    return out


def tabular_comparison(rng: int = 0) -> dict:
    """Breast cancer (569 patients, 30 features on very different scales), 30 % held out:
    gradient-boosted trees on raw features vs an MLP on raw and on standardised features.

    Returns
    -------
    dict
        ``trees``, ``mlp_raw``, ``mlp_standardised`` (validation accuracies) and ``n_val``.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    from nnbasics import data
    from nnbasics.lab import models, train

    tab = data.breast_cancer(rng=check_int(rng, "rng", minimum=0))
    with threadpool_limits(1):  # tiny trees: one thread avoids oversubscribing a shared machine
        gbt = HistGradientBoostingClassifier(max_iter=50, random_state=0).fit(tab.X_train, tab.y_train)
    out = {"trees": float(gbt.score(tab.X_val, tab.y_val)), "n_val": int(tab.y_val.size)}
    cfg = train.TrainConfig(epochs=20, batch_size=64, lr=3e-3, seed=0)
    Xtr_std, Xva_std = data.standardize(tab.X_train, tab.X_val)
    for name, (Xtr, Xva) in {"mlp_raw": (tab.X_train, tab.X_val), "mlp_standardised": (Xtr_std, Xva_std)}.items():
        net = models.build_mlp(models.MLPConfig(d_in=30, hidden=(32,), d_out=2, seed=0))
        out[name] = float(train.fit(net, Xtr, tab.y_train, Xva, tab.y_val, cfg).val_acc[-1])
    return out
