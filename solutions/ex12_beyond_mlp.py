"""Exercises for notebook 12 — beyond the MLP: the LSTM cell, embeddings and attention.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 12`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def lstm_cell_forward(x, h, c, W, U, b):
    """Exercise 12.1 — one step of an LSTM cell.

    The four gate blocks are stacked along the last axis of W, U and b in torch's order
    **i, f, g, o** (input, forget, candidate, output), each H wide::

        a = x @ W + h @ U + b                       # (N, 4H)
        i, f, o = sigmoid of their blocks; g = tanh of its block
        c_new = f * c + i * g
        h_new = o * tanh(c_new)

    Parameters
    ----------
    x : ndarray, shape (N, D)
    h, c : ndarray, shape (N, H)
        Previous hidden state and cell state.
    W : ndarray, shape (D, 4H)
    U : ndarray, shape (H, 4H)
    b : ndarray, shape (4H,)

    Returns
    -------
    h_new, c_new : ndarray, shape (N, H)
    """
    # BEGIN SOLUTION 12.1
    H = h.shape[1]
    a = x @ W + h @ U + b  # (N, 4H)
    i = 1.0 / (1.0 + np.exp(-a[:, :H]))
    f = 1.0 / (1.0 + np.exp(-a[:, H:2 * H]))
    g = np.tanh(a[:, 2 * H:3 * H])
    o = 1.0 / (1.0 + np.exp(-a[:, 3 * H:]))
    c_new = f * c + i * g  # (N, H)
    h_new = o * np.tanh(c_new)  # (N, H)
    return h_new, c_new
    # END SOLUTION 12.1


def embedding_backward(dout, ids, V):
    """Exercise 12.2 — gradient of an embedding lookup ``out = table[ids]`` w.r.t. the table.

    Rows that were never looked up get zero; an id that appears several times gets the *sum*
    of the gradients of all its positions. Careful: ``dtable[ids] += dout`` does NOT add up
    repeated ids (numpy buffers the assignment) — look at ``np.add.at``.

    Parameters
    ----------
    dout : ndarray, shape (N, E)
        Gradient of the loss w.r.t. the looked-up vectors.
    ids : ndarray of int, shape (N,)
        The looked-up rows, values in 0..V-1.
    V : int
        Number of rows of the table.

    Returns
    -------
    dtable : ndarray, shape (V, E)
    """
    # BEGIN SOLUTION 12.2
    dtable = np.zeros((V, dout.shape[1]), dtype=dout.dtype)
    np.add.at(dtable, ids, dout)  # (V, E)
    return dtable
    # END SOLUTION 12.2


def attention_forward(q, k, v, causal=False):
    """Exercise 12.3 — scaled dot-product attention for one sequence.

    weights = softmax(q @ k.T / sqrt(d)) row by row (subtract each row's max before exp),
    out = weights @ v. With ``causal=True`` query t may only attend to keys s <= t: give the
    other scores -inf (or a huge negative number) before the softmax.

    Parameters
    ----------
    q : ndarray, shape (Lq, d)
    k : ndarray, shape (Lk, d)
    v : ndarray, shape (Lk, dv)
    causal : bool

    Returns
    -------
    out : ndarray, shape (Lq, dv)
    weights : ndarray, shape (Lq, Lk)
        Each row sums to 1.
    """
    # BEGIN SOLUTION 12.3
    d = q.shape[1]
    scores = q @ k.T / np.sqrt(d)  # (Lq, Lk)
    if causal:
        allowed = np.tril(np.ones(scores.shape, dtype=bool))
        scores = np.where(allowed, scores, -np.inf)
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    weights = e / e.sum(axis=1, keepdims=True)  # (Lq, Lk)
    return weights @ v, weights  # (Lq, dv)
    # END SOLUTION 12.3
