"""Exercises for notebook 12 — beyond the MLP: the LSTM cell, embeddings, attention, receptive fields.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 12`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def lstm_cell_forward(x, h, c, W, U, b):
    """Exercise 12.1 — one step of an LSTM cell (notebook 12, §2).

    Compute the new hidden state and cell state of one LSTM step, as ``torch.nn.LSTMCell``
    does. The four gate blocks are stacked along the last axis of W, U and b in torch's order
    **i, f, g, o** (input, forget, candidate, output), each H wide; the equations are in §2.

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
        In this order. Do not modify the inputs.
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
    """Exercise 12.2 — gradient of an embedding lookup ``out = table[ids]`` w.r.t. the table (§1).

    Parameters
    ----------
    dout : ndarray, shape (N, E)
        Gradient of the loss w.r.t. the looked-up vectors.
    ids : ndarray of int, shape (N,)
        The looked-up rows, values in 0..V-1; an id may appear several times.
    V : int
        Number of rows of the table.

    Returns
    -------
    dtable : ndarray, shape (V, E)
        dL/dtable, exactly what ``torch.nn.Embedding`` accumulates in ``weight.grad``.
    """
    # BEGIN SOLUTION 12.2
    dtable = np.zeros((V, dout.shape[1]), dtype=dout.dtype)
    np.add.at(dtable, ids, dout)  # (V, E)
    return dtable
    # END SOLUTION 12.2


def attention_forward(q, k, v, causal=False):
    """Exercise 12.3 — scaled dot-product attention for one sequence (§4).

    The same numbers as ``torch.nn.functional.scaled_dot_product_attention(q, k, v,
    is_causal=causal)`` (default scale), plus the attention weights. With ``causal=True``
    query t may only attend to keys s <= t. Must stay finite for scores of any size
    (q and k entries of 1e3 and more).

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
        Each row sums to 1; masked entries are exactly 0.
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


def receptive_field(kernels, strides):
    """Exercise 12.4 — receptive field of a stack of convolution/pooling layers (§3).

    Derive it: how many input pixels (along one axis) does one unit of each layer's output
    depend on? Layer l slides a window of ``kernels[l]`` over its input with step
    ``strides[l]`` (a pooling layer is such a window too). Padding does not change the answer.
    Check yourself against the gradient footprint measured in §3.

    Parameters
    ----------
    kernels : sequence of int >= 1, length L
        Window size of each layer, first layer first.
    strides : sequence of int >= 1, length L

    Returns
    -------
    sizes : ndarray of int, shape (L,)
        sizes[l] = receptive field, in input pixels, of one unit of layer l's output.
    """
    # BEGIN SOLUTION 12.4
    sizes, r, jump = [], 1, 1  # a single input pixel sees itself; neighbours are 1 pixel apart
    for k, s in zip(kernels, strides):
        r += (k - 1) * jump  # k units of the previous layer, `jump` input pixels apart
        jump *= s  # neighbouring units of this layer are s previous units apart
        sizes.append(r)
    return np.array(sizes, dtype=np.int64)
    # END SOLUTION 12.4
