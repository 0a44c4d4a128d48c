"""Convolution as a sliding dense layer with shared weights (the im2col view).

im2col copies every receptive field (a C x k window, or C x kh x kw patch) into one row;
the convolution is then a single dense layer applied to all rows with the same weights:
out[n, f, p] = sum_j cols[n, p, j] w[f, j] + b[f]. Like torch (and every deep-learning
library) this is cross-correlation: the kernel is not flipped.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_finite_output,
    check_int,
    check_shapes,
    check_state,
    finite_output,
)

__all__ = ['output_length', 'im2col_1d', 'conv1d_forward', 'im2col_2d', 'col2im_2d', 'conv2d_forward',
           'conv2d_backward', 'parameter_counts', 'maxpool2d_forward', 'maxpool2d_backward', 'receptive_field']


def output_length(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """Output size of a convolution along one axis: floor((n + 2 padding - k) / stride) + 1."""
    return _output_length(n, k, stride, padding)


def _output_length(n, k, stride, padding, n_name: str = "n", k_name: str = "k") -> int:
    n = check_int(n, n_name, minimum=1)
    k = check_int(k, k_name, minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    if n + 2 * padding < k:
        raise ValueError(f"kernel size {k_name}={k} is larger than the padded input "
                         f"{n_name} + 2*padding = {n} + 2*{padding}")
    return (n + 2 * padding - k) // stride + 1


def im2col_1d(x, k: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Windows of a 1-D signal as rows.

    Parameters
    ----------
    x : array_like, shape (N, C, L)
    k : int
        Kernel width.
    stride, padding : int
        As in ``torch.nn.functional.conv1d`` (zero padding on both ends).

    Returns
    -------
    cols : ndarray, shape (N, L_out, C k)
        Row p holds x[:, :, p*stride : p*stride + k] flattened channel-major.
    """
    x = as_float_array(x, "x", ndim=3)
    n, c, length = x.shape
    L_out = _output_length(length, k, stride, padding, "L")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    starts = stride * np.arange(L_out)[:, None] + np.arange(k)[None, :]  # (L_out, k)
    cols = xp[:, :, starts]  # (N, C, L_out, k)
    return cols.transpose(0, 2, 1, 3).reshape(n, L_out, c * k)


@finite_output("the weighted sums overflow: x or w too large; scale the inputs")
def conv1d_forward(x, w, b=None, *, stride: int = 1, padding: int = 0):
    """1-D convolution (cross-correlation) as one dense layer over im2col rows.

    Math: out[n, f, p] = b[f] + sum_{c, j} w[f, c, j] x[n, c, p stride + j - padding].

    Parameters
    ----------
    x : array_like, shape (N, C, L)
    w : array_like, shape (F, C, k)
        F filters (torch's ``conv1d`` weight layout).
    b : array_like, shape (F,), optional
    stride, padding : int

    Returns
    -------
    out : ndarray, shape (N, F, L_out)
    cache : tuple
    """
    x = as_float_array(x, "x", ndim=3)
    w = as_float_array(w, "w", ndim=3)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has C={x.shape[1]} channels but w expects C={w.shape[1]}")
    f = w.shape[0]
    b = np.zeros(f, dtype=x.dtype) if b is None else as_float_array(b, "b", ndim=1)
    if b.shape != (f,):
        raise ValueError(f"b must have shape (F,) = ({f},), got {b.shape}")
    cols = im2col_1d(x, w.shape[2], stride, padding)  # (N, L_out, C k)
    out = cols @ w.reshape(f, -1).T + b  # (N, L_out, F): the same dense layer at every position
    return out.transpose(0, 2, 1), (cols, w, x.shape, stride, padding)


def _patch_index(c: int, h: int, wd: int, kh: int, kw: int, stride: int):
    H_out = (h - kh) // stride + 1
    W_out = (wd - kw) // stride + 1
    ci = np.repeat(np.arange(c), kh * kw)  # (C kh kw,)
    ri = np.tile(np.repeat(np.arange(kh), kw), c)
    cj = np.tile(np.arange(kw), c * kh)
    rows = stride * np.repeat(np.arange(H_out), W_out)  # (P,)
    colsi = stride * np.tile(np.arange(W_out), H_out)
    return ci[None, :], rows[:, None] + ri[None, :], colsi[:, None] + cj[None, :], H_out, W_out


def im2col_2d(x, kh: int, kw: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Patches of images as rows.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    kh, kw : int
        Kernel height and width.
    stride, padding : int

    Returns
    -------
    cols : ndarray, shape (N, H_out W_out, C kh kw)
        Row p (row-major over output positions) holds one C x kh x kw patch, channel-major.
    """
    x = as_float_array(x, "x", ndim=4)
    n, c, h, wd = x.shape
    _output_length(h, kh, stride, padding, "H", "kh")
    _output_length(wd, kw, stride, padding, "W", "kw")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ci, ri, cj, _, _ = _patch_index(c, h + 2 * padding, wd + 2 * padding, kh, kw, stride)
    return xp[:, ci, ri, cj]  # (N, P, C kh kw)


@finite_output("summing overlapping patches of cols overflows; scale cols")
def col2im_2d(cols, x_shape, kh: int, kw: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Adjoint of :func:`im2col_2d`: scatter-add rows (N, P, C kh kw) back into images (N, C, H, W).

    Pixels shared by overlapping patches receive the sum of their gradients.
    """
    cols = as_float_array(cols, "cols", ndim=3)
    if isinstance(x_shape, (str, bytes)) or np.ndim(x_shape) != 1 or len(x_shape) != 4:
        raise ValueError(f"x_shape must be a tuple (N, C, H, W), got {x_shape!r}")
    n, c, h, wd = (check_int(int(v) if isinstance(v, np.integer) else v, f"x_shape[{i}]", minimum=1)
                   for i, v in enumerate(x_shape))
    h_out = _output_length(h, kh, stride, padding, "H", "kh")
    w_out = _output_length(wd, kw, stride, padding, "W", "kw")
    if cols.shape != (n, h_out * w_out, c * kh * kw):
        raise ValueError(f"cols has shape {cols.shape} but x_shape={tuple(x_shape)} with kh={kh}, kw={kw} "
                         f"expects (N, H_out W_out, C kh kw) = ({n}, {h_out * w_out}, {c * kh * kw})")
    dxp = np.zeros((n, c, h + 2 * padding, wd + 2 * padding), dtype=cols.dtype)
    ci, ri, cj, _, _ = _patch_index(c, h + 2 * padding, wd + 2 * padding, kh, kw, stride)
    np.add.at(dxp, (slice(None), ci, ri, cj), cols)
    return dxp[:, :, padding:padding + h, padding:padding + wd]


@finite_output("the weighted sums overflow: x or w too large; scale the inputs")
def conv2d_forward(x, w, b=None, *, stride: int = 1, padding: int = 0):
    """2-D convolution (cross-correlation) as one dense layer over im2col patches.

    Math: out[n, f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] x[n, c, i stride + u - p, j stride + v - p].

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    w : array_like, shape (F, C, kh, kw)
        torch's ``conv2d`` weight layout.
    b : array_like, shape (F,), optional
    stride, padding : int

    Returns
    -------
    out : ndarray, shape (N, F, H_out, W_out)
    cache : tuple
        For :func:`conv2d_backward`.
    """
    x = as_float_array(x, "x", ndim=4)
    w = as_float_array(w, "w", ndim=4)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has C={x.shape[1]} channels but w expects C={w.shape[1]}")
    f, _, kh, kw = w.shape
    b = np.zeros(f, dtype=x.dtype) if b is None else as_float_array(b, "b", ndim=1)
    if b.shape != (f,):
        raise ValueError(f"b must have shape (F,) = ({f},), got {b.shape}")
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    H_out = output_length(x.shape[2], kh, stride, padding)
    W_out = output_length(x.shape[3], kw, stride, padding)
    cols = im2col_2d(x, kh, kw, stride, padding)  # (N, P, C kh kw)
    out = cols @ w.reshape(f, -1).T + b  # (N, P, F)
    out = out.transpose(0, 2, 1).reshape(x.shape[0], f, H_out, W_out)
    return out, (cols, w, x.shape, stride, padding)


@finite_output("dout or the cached x, w too large: the gradient overflows; scale the loss")
def conv2d_backward(dout, cache):
    """Backward of :func:`conv2d_forward`: a dense layer's backward, then col2im.

    Math: dW = sum_{n,p} dout[n, :, p]^T cols[n, p]; dcols = dout W; dx = col2im(dcols); db = sum dout.

    Parameters
    ----------
    dout : array_like, shape (N, F, H_out, W_out)
    cache : tuple

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C, kh, kw)
    db : ndarray, shape (F,)
    """
    cols, w, x_shape, stride, padding = _check_conv2d_cache(cache)
    dout = as_float_array(dout, "dout", ndim=4)
    n, f = x_shape[0], w.shape[0]
    if dout.shape[:2] != (n, f) or dout.shape[2] * dout.shape[3] != cols.shape[1]:
        raise ValueError(f"dout must have shape (N, F, H_out, W_out) with N={n}, F={f} and "
                         f"{cols.shape[1]} positions, got {dout.shape}")
    d = dout.reshape(n, f, -1).transpose(0, 2, 1)  # (N, P, F)
    dw = np.einsum("npf,npj->fj", d, cols).reshape(w.shape)  # (F, C kh kw) shared weights: summed over p
    db = d.sum(axis=(0, 1))  # (F,)
    dcols = check_finite_output(d @ w.reshape(f, -1), "conv2d_backward",  # (N, P, C kh kw)
                                "dout @ w overflows: dout or the cached w too large; scale the loss")
    dx = col2im_2d(dcols, x_shape, w.shape[2], w.shape[3], stride, padding)
    return dx, dw, db


def _check_conv2d_cache(cache) -> tuple:
    """The cache of :func:`conv2d_forward`, checked: finite, and cols, w and x_shape fit together."""
    cols, w, x_shape, stride, padding = check_state(cache, "cache", tuple, "conv2d_forward", length=5)
    check_shapes(("cache[0] (cols)", cols, "N P K"), ("cache[1] (w)", w, "F C kh kw"))
    fits = isinstance(x_shape, tuple) and len(x_shape) == 4 and x_shape[1] == w.shape[1]
    if fits:
        positions = (((x_shape[2] + 2 * padding - w.shape[2]) // stride + 1)
                     * ((x_shape[3] + 2 * padding - w.shape[3]) // stride + 1))
        fits = cols.shape == (x_shape[0], positions, w[0].size)
    if not fits:
        raise ValueError(f"cache holds cols of shape {cols.shape}, w of shape {w.shape} and x_shape={x_shape!r}, "
                         "which do not fit together; pass the cache returned by conv2d_forward")
    return cols, w, x_shape, stride, padding


def parameter_counts(in_shape, out_channels: int, kernel: int, *, stride: int = 1, padding: int = 0) -> dict:
    """Parameters of a conv layer vs a dense layer mapping the same input to the same output size.

    Parameters
    ----------
    in_shape : tuple (C, H, W) or (C, L)
    out_channels : int
        F filters.
    kernel : int
        Square kernel size k (or width for 1-D).
    stride, padding : int

    Returns
    -------
    dict
        ``conv`` = F (C k^d + 1), ``dense`` = (C H W + 1) (F H_out W_out), ``ratio`` dense/conv,
        ``in_features``, ``out_features``.
    """
    if not isinstance(in_shape, (tuple, list)) or len(in_shape) not in (2, 3):
        raise ValueError(f"in_shape must be (C, L) or (C, H, W), got {in_shape!r}")
    dims = [check_int(s, f"in_shape[{i}]", minimum=1) for i, s in enumerate(in_shape)]
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    kernel = check_int(kernel, "kernel", minimum=1)
    c, spatial = dims[0], dims[1:]
    out_spatial = [output_length(s, kernel, stride, padding) for s in spatial]
    in_features = int(np.prod(dims))
    out_features = out_channels * int(np.prod(out_spatial))
    conv = out_channels * (c * kernel ** len(spatial) + 1)
    dense = (in_features + 1) * out_features
    return {"conv": conv, "dense": dense, "ratio": dense / conv, "in_features": in_features,
            "out_features": out_features}


# --------------------------------------------------------------------------- pooling
def maxpool2d_forward(x, k: int = 2, *, stride: int | None = None):
    """Max pooling: the largest value of every k x k window, per channel (no weights).

    Math: out[n, c, i, j] = max_{u, v < k} x[n, c, i s + u, j s + v]  (s = stride, default k).

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
    k : int
        Window size.
    stride : int, optional
        Defaults to ``k`` (non-overlapping windows, as ``torch.nn.MaxPool2d(k)``).

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out)
    cache : tuple
        For :func:`maxpool2d_backward` (which window element won).
    """
    x = as_float_array(x, "x", ndim=4)
    k = check_int(k, "k", minimum=1)
    stride = k if stride is None else check_int(stride, "stride", minimum=1)
    n, c, h, wd = x.shape
    h_out = _output_length(h, k, stride, 0, "H", "k")
    w_out = _output_length(wd, k, stride, 0, "W", "k")
    cols = im2col_2d(x.reshape(n * c, 1, h, wd), k, k, stride)  # (N C, P, k k): one channel at a time
    arg = cols.argmax(axis=-1)  # (N C, P) the winner of each window (first one on ties, as torch)
    out = np.take_along_axis(cols, arg[..., None], axis=-1)[..., 0]  # (N C, P)
    return out.reshape(n, c, h_out, w_out), (arg, x.shape, k, stride)


def maxpool2d_backward(dout, cache):
    """Backward of :func:`maxpool2d_forward`: each window's gradient goes to its maximum only.

    Parameters
    ----------
    dout : array_like, shape (N, C, H_out, W_out)
    cache : tuple

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Pixels that won several overlapping windows receive the sum of their gradients.
    """
    arg, x_shape, k, stride = cache
    n, c, h, wd = x_shape
    dout = as_float_array(dout, "dout", ndim=4)
    expected = (n, c, (h - k) // stride + 1, (wd - k) // stride + 1)
    if dout.shape != expected:
        raise ValueError(f"dout must have shape {expected}, got {dout.shape}")
    dcols = np.zeros((n * c, arg.shape[1], k * k), dtype=dout.dtype)
    np.put_along_axis(dcols, arg[..., None], dout.reshape(n * c, -1, 1), axis=-1)
    return col2im_2d(dcols, (n * c, 1, h, wd), k, k, stride).reshape(x_shape)


# --------------------------------------------------------------------------- receptive field
def receptive_field(kernels, strides) -> tuple[np.ndarray, np.ndarray]:
    """Receptive field of a stack of convolution/pooling layers, along one axis.

    Math: r_0 = 1, j_0 = 1;  r_l = r_{l-1} + (k_l - 1) j_{l-1},  j_l = j_{l-1} s_l.
    j_l is the distance, in input pixels, between neighbouring units of layer l.

    Parameters
    ----------
    kernels : sequence of int, length L
        Kernel (window) size of each layer.
    strides : sequence of int, length L

    Returns
    -------
    sizes : ndarray of int, shape (L,)
        Input pixels one unit of layer l's output depends on (padding does not change it).
    jumps : ndarray of int, shape (L,)
        Input-pixel distance between neighbouring units of layer l's output.
    """
    ks, ss = (_int_list(v, name) for v, name in ((kernels, "kernels"), (strides, "strides")))
    if len(ks) != len(ss):
        raise ValueError(f"kernels has {len(ks)} layers but strides has {len(ss)}")
    sizes, jumps, r, j = [], [], 1, 1
    for k, s in zip(ks, ss):
        r, j = r + (k - 1) * j, j * s
        sizes.append(r)
        jumps.append(j)
    return np.array(sizes, dtype=np.int64), np.array(jumps, dtype=np.int64)


def _int_list(values, name: str) -> list:
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1 or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty sequence of ints, got {values!r}")
    return [check_int(int(v) if isinstance(v, np.integer) else v, f"{name}[{i}]", minimum=1)
            for i, v in enumerate(values)]
