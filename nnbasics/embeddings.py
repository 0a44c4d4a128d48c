"""Embedding layers: a learned lookup table, and a tiny recommender built from two of them.

Forward is row selection, out[n] = table[ids[n]]; it equals one_hot(ids) @ table, so the
backward pass is one_hot(ids)^T @ dout: each looked-up row receives the sum of the gradients
of the positions that used it, and every other row receives exactly zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnbasics._validate import as_float_array, check_float, check_int, check_rng

__all__ = ["embedding_forward", "embedding_backward", "Ratings", "synthetic_ratings",
           "RecommenderHistory", "train_recommender", "predict_ratings"]


def _check_ids(ids, n_rows: int, name: str = "ids") -> np.ndarray:
    if hasattr(ids, "detach") and hasattr(ids, "numpy"):
        ids = ids.detach().cpu().numpy()
    arr = np.asarray(ids)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer row indices, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_rows):
        raise ValueError(f"{name} must lie in 0..{n_rows - 1} (the table has V={n_rows} rows), "
                         f"got values from {arr.min()} to {arr.max()}")
    return arr.astype(np.int64, copy=False)


def embedding_forward(ids, table):
    """Look up rows of an embedding table: out[...] = table[ids[...]].

    Math: out = one_hot(ids) @ table, computed as indexing (no one-hot matrix is built).

    Parameters
    ----------
    ids : array_like of int, shape (N,) or (N, T)
        Row indices in 0..V-1 (e.g. user ids, or token ids of N sequences of length T).
    table : array_like, shape (V, E)
        One E-dimensional vector per id.

    Returns
    -------
    out : ndarray, shape ids.shape + (E,)
    cache : tuple
        (ids, V) for :func:`embedding_backward`.
    """
    table = as_float_array(table, "table", ndim=2)
    ids = _check_ids(ids, table.shape[0])
    return table[ids], (ids, table.shape[0])  # (N, [T,] E)


def embedding_backward(dout, cache):
    """Gradient of the loss w.r.t. the table: dtable = one_hot(ids)^T @ dout.

    Rows never looked up get zero; an id that appears k times gets the sum of its k gradients
    (``np.add.at`` accumulates repeats — ``dtable[ids] += dout`` would keep only the last one).

    Parameters
    ----------
    dout : array_like, shape ids.shape + (E,)
    cache : tuple
        From :func:`embedding_forward`.

    Returns
    -------
    dtable : ndarray, shape (V, E)
    """
    ids, n_rows = cache
    dout = as_float_array(dout, "dout")
    if dout.shape[:-1] != ids.shape:
        raise ValueError(f"dout must have shape ids.shape + (E,) = {ids.shape} + (E,), got {dout.shape}")
    dtable = np.zeros((n_rows, dout.shape[-1]), dtype=dout.dtype)
    np.add.at(dtable, ids, dout)  # (V, E), repeated ids accumulate
    return dtable


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
class RecommenderHistory:
    """A trained dot-product recommender and its learning curves.

    Attributes
    ----------
    user_table : ndarray, shape (n_users, E)
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
    u = _check_ids(users, P.shape[0], "users")
    i = _check_ids(items, Q.shape[0], "items")
    if u.shape != i.shape:
        raise ValueError(f"users has shape {u.shape} but items has shape {i.shape}; they must match")
    return mean + bu[u] + bi[i] + np.sum(P[u] * Q[i], axis=-1)  # (N,)


def train_recommender(data: Ratings, *, dim: int = 3, epochs: int = 60, lr: float = 1.0,
                      batch_size: int = 64, weight_decay: float = 1e-3, rng=0) -> RecommenderHistory:
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
    RecommenderHistory
    """
    if not isinstance(data, Ratings):
        raise TypeError(f"data must be a Ratings (see synthetic_ratings), got {type(data).__name__}")
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

    def rmse(mask):
        if not mask.any():
            return float("nan")
        pred = predict_ratings(data.users[mask], data.items[mask], P, Q, bu, bi, mean)
        return float(np.sqrt(np.mean((pred - data.ratings[mask]) ** 2)))

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
            dP = embedding_backward(derr[:, None] * qi + 2 * weight_decay * pu / idx.size, cache_u)
            dQ = embedding_backward(derr[:, None] * pu + 2 * weight_decay * qi / idx.size, cache_i)
            P -= lr * dP
            Q -= lr * dQ
            np.add.at(bu, u, -lr * derr)
            np.add.at(bi, i, -lr * derr)
        train_rmse.append(rmse(tr))
        val_rmse.append(rmse(va))
    baseline = float(np.sqrt(np.mean((data.ratings[va] - mean) ** 2))) if va.any() else float("nan")
    return RecommenderHistory(P, Q, bu, bi, mean, train_rmse, val_rmse, baseline)
