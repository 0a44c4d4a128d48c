"""Scaled dot-product attention (Vaswani et al., 2017) from scratch.

Every query scores every key, the scores become weights with the (stable) softmax of
notebook 02, and the output is the weighted average of the values:
Attention(Q, K, V) = softmax(Q K^T / sqrt(d)) V.
A causal mask lets position t attend only to positions <= t (as in a language model).
"""

from __future__ import annotations

import math

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_float,
    check_int,
    check_rng,
    check_shapes,
    check_state,
    finite_output,
)
from nnbasics.core.losses import softmax

__all__ = ['MASKED', 'causal_mask', 'attention_scores', 'attention_forward', 'attention_backward',
           'self_attention_projections', 'sinusoidal_positions']


#: Score given to masked positions. Finite (the softmax rejects inf) but so negative that
#: exp(MASKED - max) is exactly 0.0 in float32 and float64.
MASKED = -1e30


def causal_mask(Lq: int, Lk: int | None = None) -> np.ndarray:
    """Boolean (Lq, Lk) mask, True where query t may attend to key s (s <= t), like torch's is_causal."""
    Lq = check_int(Lq, "Lq", minimum=1)
    Lk = Lq if Lk is None else check_int(Lk, "Lk", minimum=1)
    return np.tril(np.ones((Lq, Lk), dtype=bool))


def _check_qkv(q, k, v):
    q = as_float_array(q, "q", ndim=(2, 3, 4))
    k = as_float_array(k, "k", ndim=(2, 3, 4))
    v = as_float_array(v, "v", ndim=(2, 3, 4))
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q has d={q.shape[-1]} features per query but k has d={k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k has Lk={k.shape[-2]} keys but v has {v.shape[-2]} values")
    if not (q.ndim == k.ndim == v.ndim) or q.shape[:-2] != k.shape[:-2] or k.shape[:-2] != v.shape[:-2]:
        raise ValueError(f"q, k, v must share their leading (batch) dimensions, got "
                         f"{q.shape}, {k.shape}, {v.shape}")
    return q, k, v


@finite_output("q @ k^T overflows: q or k too large; scale them")
def attention_scores(q, k, *, scale: float | None = None) -> np.ndarray:
    """Scores S = Q K^T * scale (default scale = 1/sqrt(d)): q (..., Lq, d), k (..., Lk, d) -> (..., Lq, Lk)."""
    q = as_float_array(q, "q", ndim=(2, 3, 4))
    k = as_float_array(k, "k", ndim=(2, 3, 4))
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q has d={q.shape[-1]} features per query but k has d={k.shape[-1]}")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else check_float(scale, "scale", minimum=0.0, min_inclusive=False)
    return (q @ np.swapaxes(k, -1, -2)) * scale  # (..., Lq, Lk)


@finite_output("the scores or the weighted values overflow: q, k or v too large; scale them")
def attention_forward(q, k, v, *, causal: bool = False, mask=None, scale: float | None = None):
    """Scaled dot-product attention.

    Math: A = softmax(Q K^T / sqrt(d) + M) row-wise; out = A V  (M = -inf where masked).

    Parameters
    ----------
    q : array_like, shape (..., Lq, d)
        Queries (leading dimensions: batch, heads).
    k : array_like, shape (..., Lk, d)
        Keys.
    v : array_like, shape (..., Lk, dv)
        Values.
    causal : bool
        Query t sees only keys s <= t (top-left aligned, as torch's ``is_causal``).
    mask : array_like of bool, shape (Lq, Lk), optional
        True where attention is allowed (torch's boolean ``attn_mask`` convention).
    scale : float, optional
        Multiplies the scores; default 1/sqrt(d) keeps their variance near 1.

    Returns
    -------
    out : ndarray, shape (..., Lq, dv)
    cache : tuple
        (q, k, v, weights, scale); ``cache[3]`` are the attention weights (..., Lq, Lk).
    """
    q, k, v = _check_qkv(q, k, v)
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal must be True or False, got {causal!r}")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else check_float(scale, "scale", minimum=0.0, min_inclusive=False)
    scores = attention_scores(q, k, scale=scale)  # (..., Lq, Lk)
    allowed = np.ones(scores.shape[-2:], dtype=bool)
    if causal:
        allowed &= causal_mask(*scores.shape[-2:])
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != scores.shape[-2:]:
            raise ValueError(f"mask must be a boolean array of shape (Lq, Lk) = {scores.shape[-2:]}, "
                             f"got {mask.dtype} {mask.shape}")
        allowed &= mask
    if not allowed.any(axis=-1).all():
        raise ValueError("every query must be allowed to attend to at least one key (a row of the mask is all False)")
    scores = np.where(allowed, scores, MASKED)
    weights = softmax(scores, axis=-1)  # (..., Lq, Lk), rows sum to 1
    out = weights @ v  # (..., Lq, dv)
    return out, (q, k, v, weights, scale)


@finite_output("the gradient overflows: dout or the cached q, k, v too large; scale the loss")
def attention_backward(dout, cache):
    """Backward of :func:`attention_forward`.

    Math: dV = A^T dout; dA = dout V^T; dS = A * (dA - rowsum(dA * A)); dQ = dS K s; dK = dS^T Q s.

    Parameters
    ----------
    dout : array_like, shape (..., Lq, dv)
    cache : tuple

    Returns
    -------
    dq : ndarray, shape (..., Lq, d)
    dk : ndarray, shape (..., Lk, d)
    dv : ndarray, shape (..., Lk, dv)
    """
    q, k, v, weights, scale = check_state(cache, "cache", tuple, "attention_forward", length=5)
    dout = as_float_array(dout, "dout", ndim=(2, 3, 4))
    expected = weights.shape[:-1] + (v.shape[-1],)
    if dout.shape != expected:
        raise ValueError(f"dout must have shape {expected}, got {dout.shape}")
    lead = " ".join(f"B{i}" for i in range(np.ndim(q) - 2))  # batch and head axes
    check_shapes(("cache[0] (q)", q, f"{lead} Lq d"), ("cache[1] (k)", k, f"{lead} Lk d"),
                 ("cache[2] (v)", v, f"{lead} Lk dv"), ("cache[3] (weights)", weights, f"{lead} Lq Lk"),
                 ("dout", dout, f"{lead} Lq dv"))
    check_float(scale, "cache[4] (scale)", minimum=0.0, min_inclusive=False)
    dv = np.swapaxes(weights, -1, -2) @ dout  # (..., Lk, dv)
    dA = dout @ np.swapaxes(v, -1, -2)  # (..., Lq, Lk)
    dS = weights * (dA - np.sum(dA * weights, axis=-1, keepdims=True))  # softmax backward, masked entries 0
    dq = dS @ k * scale  # (..., Lq, d)
    dk = np.swapaxes(dS, -1, -2) @ q * scale  # (..., Lk, d)
    return dq, dk, dv


def self_attention_projections(D: int, d: int, *, rng) -> dict:
    """Random projection matrices Wq, Wk, Wv (D, d) and Wo (d, D), N(0, 1/D) and N(0, 1/d) entries.

    Self-attention on tokens x (L, D): q = x Wq, k = x Wk, v = x Wv, out = attention(q, k, v) Wo.
    """
    D = check_int(D, "D", minimum=1)
    d = check_int(d, "d", minimum=1)
    rng = check_rng(rng)
    return {"Wq": rng.standard_normal((D, d)) / np.sqrt(D), "Wk": rng.standard_normal((D, d)) / np.sqrt(D),
            "Wv": rng.standard_normal((D, d)) / np.sqrt(D), "Wo": rng.standard_normal((d, D)) / np.sqrt(d)}


def sinusoidal_positions(L: int, D: int, *, base: float = 10000.0) -> np.ndarray:
    """Sinusoidal positional encodings (Vaswani et al., 2017), one row per position.

    Math: PE[p, 2i] = sin(p w_i), PE[p, 2i+1] = cos(p w_i), w_i = base^(-2i/D).
    Each pair of columns is a clock turning at its own frequency, so
    PE[p] . PE[q] = sum_i cos((p - q) w_i) depends only on the offset p - q.

    Parameters
    ----------
    L : int
        Number of positions (0 .. L-1).
    D : int
        Features per position (an odd D drops the last cosine column).
    base : float > 1
        Longest wavelength / (2 pi).

    Returns
    -------
    ndarray, shape (L, D)
    """
    L = check_int(L, "L", minimum=1)
    D = check_int(D, "D", minimum=1)
    base = check_float(base, "base", minimum=1.0, min_inclusive=False)
    freqs = base ** (-np.arange(0, D, 2) / D)  # (ceil(D/2),)
    angles = np.arange(L)[:, None] * freqs[None, :]  # (L, ceil(D/2))
    pe = np.empty((L, D))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : D // 2])
    return pe
