"""Symmetric int8 quantization from scratch: store weights as 8-bit integers plus one scale.

A real number w is stored as q = round(w / s), an integer in [-127, 127], and read back as
q * s. The scale s trades range against resolution: the rounding error is at most s/2, and
no weight may fall outside 127 s. The tightest scale that clips nothing is max|w| / 127.
Per-channel quantization gives every output channel (a column of W in x @ W) its own scale,
so a channel of small weights is not rounded with the coarse step of a channel of large ones.

An int8 matmul multiplies the integers and accumulates in int32 (8-bit products overflow
int8 at once: 127 * 127 = 16129), then rescales once: x @ W ~ (s_x s_w) (q_x @ q_w).
Activations are quantized on the fly ("dynamic" quantization), with one scale per example:
a single outlier then coarsens only its own row, not the whole batch.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import as_float_array, finite_output

__all__ = ["QMAX", "quantize_symmetric", "dequantize", "int8_matmul"]

#: Largest int8 magnitude used: symmetric quantization leaves -128 unused so that q and -q both exist.
QMAX = 127


def quantize_symmetric(w, *, per_channel: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Quantize a weight matrix to int8 with the tightest scale that clips nothing.

    Math: s_h = max_d |w_dh| / 127 (per column h; one s for the whole matrix if not
    ``per_channel``), q = round(w / s) in [-127, 127]; |w - q s| <= s / 2.

    Parameters
    ----------
    w : array_like, shape (D, H)
        Weights in the x @ W layout: column h feeds output channel h.
    per_channel : bool
        One scale per column (output channel) or one for the whole tensor.

    Returns
    -------
    q : ndarray of int8, shape (D, H)
    scale : ndarray of float64, shape (H,)
        (all entries equal when not per channel), float64 whatever the dtype of w. A column of
        zeros gets scale 1 (its q is 0).
    """
    w = as_float_array(w, "w", ndim=2).astype(np.float64)
    amax = np.abs(w).max(axis=0) if per_channel else np.full(w.shape[1], np.abs(w).max())  # (H,)
    scale = amax / QMAX  # (H,)
    scale = np.where(scale > 0, scale, 1.0)  # an all-zero (or subnormal) column: any scale works, q = 0
    q = np.clip(np.rint(w / scale), -QMAX, QMAX).astype(np.int8)  # clip only guards rounding at the edge
    return q, scale


@finite_output("q * scale overflows: scale too large")
def dequantize(q, scale) -> np.ndarray:
    """Read int8 weights back: q * scale, q (D, H) int8, scale (H,) -> (D, H) float64 (whatever scale's dtype)."""
    q = np.asarray(q)
    if q.dtype != np.int8 or q.ndim != 2:
        raise TypeError(f"q must be a 2-D int8 array, got {q.dtype} with shape {q.shape}")
    scale = as_float_array(scale, "scale", ndim=1)
    if scale.shape != (q.shape[1],):
        raise ValueError(f"scale has shape {scale.shape} but q has H={q.shape[1]} columns")
    return q.astype(np.float64) * scale.astype(np.float64)


@finite_output("the rescaled product overflows: x or scale too large")
def int8_matmul(x, q, scale, *, per_row: bool = True) -> np.ndarray:
    """x @ W computed in integers: x is quantized on the fly, the products accumulate in int32.

    Math: s_x = max|x_n| / 127 per row n (or one for all of x), q_x = round(x / s_x);
    out = (q_x @ q) (int32) * s_x * scale.

    Parameters
    ----------
    x : array_like, shape (N, D)
    q : ndarray of int8, shape (D, H)
    scale : ndarray, shape (H,)
    per_row : bool
        One activation scale per example (robust to an outlier in one example) or one for the batch.

    Returns
    -------
    ndarray, shape (N, H)
        float64, whatever the dtype of x.
    """
    x = as_float_array(x, "x", ndim=2).astype(np.float64)
    w = dequantize(q, scale)  # validates q and scale
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"x has {x.shape[1]} features but q expects D={w.shape[0]}")
    amax = np.abs(x).max(axis=1, keepdims=True) if per_row else np.full((x.shape[0], 1), np.abs(x).max())
    sx = amax / QMAX
    sx = np.where(sx > 0, sx, 1.0)  # (N, 1)
    qx = np.clip(np.rint(x / sx), -QMAX, QMAX).astype(np.int8)
    acc = qx.astype(np.int32) @ q.astype(np.int32)  # (N, H): int8 * int8 summed over D needs int32
    return acc * sx * scale
