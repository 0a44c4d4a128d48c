"""Embedding layers: a learned lookup table, and a tiny recommender built from two of them.

Forward is row selection, out[n] = table[ids[n]]; it equals one_hot(ids) @ table, so the
backward pass is one_hot(ids)^T @ dout: each looked-up row receives the sum of the gradients
of the positions that used it, and every other row receives exactly zero.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import as_float_array, as_index_array, check_state, finite_output

__all__ = ['embedding_forward', 'embedding_backward']


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
    ids = as_index_array(ids, table.shape[0])
    return table[ids], (ids, table.shape[0])  # (N, [T,] E)


@finite_output("summing the gradients of repeated ids overflows: dout too large")
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
    ids, n_rows = check_state(cache, "cache", tuple, "embedding_forward", length=2)
    dout = as_float_array(dout, "dout")
    if dout.shape[:-1] != ids.shape:
        raise ValueError(f"dout must have shape ids.shape + (E,) = {ids.shape} + (E,), got {dout.shape}")
    dtable = np.zeros((n_rows, dout.shape[-1]), dtype=dout.dtype)
    np.add.at(dtable, ids, dout)  # (V, E), repeated ids accumulate
    return dtable
