"""Batch normalization (Ioffe & Szegedy, 2015) and layer normalization (Ba et al., 2016).

Both standardize activations and then apply a learned affine map; they differ in the
axis they average over:

* BatchNorm, per feature over the batch:  x_hat[n, d] = (x[n, d] - mean_n x[:, d]) / sqrt(var_n x[:, d] + eps)
* LayerNorm, per sample over features:   x_hat[n, d] = (x[n, d] - mean_d x[n, :]) / sqrt(var_d x[n, :] + eps)
* both:                                  out = gamma * x_hat + beta

The normalization uses the *biased* variance (divide by N or D). BatchNorm keeps running
estimates for inference, updated as torch does:
``running = (1 - momentum) * running + momentum * batch_stat`` with the *unbiased*
(N - 1) batch variance. Running statistics live in an immutable :class:`BatchNormState`;
:func:`batchnorm_forward` never mutates it and returns the updated state as ``cache.state``.

For images (N, C, H, W) the same idea comes in four flavours that differ only in the set of
entries sharing one mean and variance (:func:`normalization_sets`): BatchNorm2d (per channel over
N, H, W), LayerNorm (per sample over C, H, W), GroupNorm (per sample over a group of channels and
H, W) and InstanceNorm (GroupNorm with one channel per group). RMSNorm drops the centring and
divides by the root mean square over the features. :func:`ema_half_life` converts the two
momentum conventions for running averages (torch's and Keras's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_choice,
    check_finite_output,
    check_float,
    check_int,
    check_shapes,
    check_state,
    finite_output,
)

__all__ = ['BatchNormState', 'BatchNormCache', 'LayerNormCache', 'batchnorm_forward', 'batchnorm_backward',
           'layernorm_forward', 'layernorm_backward', 'batchnorm2d_forward', 'batchnorm2d_backward',
           'GroupNormCache', 'groupnorm_forward', 'groupnorm_backward', 'RMSNormCache', 'rmsnorm_forward',
           'rmsnorm_backward', 'normalization_sets', 'ema_half_life']


# --------------------------------------------------------------------------- state and caches
@dataclass(frozen=True)
class BatchNormState:
    """Running statistics of a BatchNorm layer (what ``torch.nn.BatchNorm1d`` keeps as buffers).

    Attributes
    ----------
    running_mean : ndarray, shape (D,)
        Exponential moving average of the batch means (starts at 0).
    running_var : ndarray, shape (D,)
        Exponential moving average of the *unbiased* batch variances (starts at 1).
    num_batches_tracked : int
        Training-mode forward passes seen so far.
    """

    running_mean: np.ndarray
    running_var: np.ndarray
    num_batches_tracked: int = 0

    @classmethod
    def initial(cls, D: int, dtype=np.float64) -> BatchNormState:
        """Torch's starting point: mean 0, variance 1 for each of the ``D`` features."""
        D = check_int(D, "D", minimum=1)
        return cls(np.zeros(D, dtype=dtype), np.ones(D, dtype=dtype), 0)


@dataclass(frozen=True)
class BatchNormCache:
    """What :func:`batchnorm_backward` needs, plus the updated running statistics.

    Attributes
    ----------
    x_hat : ndarray, shape (N, D)
        Normalized input.
    inv_std : ndarray, shape (D,)
        1 / sqrt(var + eps) with the statistics that were used (batch or running).
    gamma : ndarray, shape (D,)
    train : bool
        Whether batch statistics were used (they then depend on every row: the backward
        pass has the extra mean/variance terms).
    state : BatchNormState
        The running statistics after this call (unchanged in eval mode).
    batch_mean, batch_var : ndarray, shape (D,) or None
        The batch statistics (biased variance) in train mode.
    """

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    train: bool
    state: BatchNormState
    batch_mean: np.ndarray | None = None
    batch_var: np.ndarray | None = None


@dataclass(frozen=True)
class LayerNormCache:
    """What :func:`layernorm_backward` needs: ``x_hat`` (..., D), ``inv_std`` (..., 1), ``gamma`` (D,)."""

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray


def _check_affine(x: np.ndarray, gamma, beta):
    D = x.shape[-1]
    gamma = as_float_array(gamma, "gamma", ndim=1)
    beta = as_float_array(beta, "beta", ndim=1)
    if gamma.shape[0] != D:
        raise ValueError(f"gamma has {gamma.shape[0]} entries but x has D={D} features")
    if beta.shape[0] != D:
        raise ValueError(f"beta has {beta.shape[0]} entries but x has D={D} features")
    return gamma, beta


# --------------------------------------------------------------------------- BatchNorm
@finite_output("x's spread overflows the variance (or gamma * x_hat overflows); scale x or gamma")
def batchnorm_forward(x, gamma, beta, state: BatchNormState | None = None, *, train: bool = True,
                      momentum: float = 0.1, eps: float = 1e-5):
    """Batch normalization of a mini-batch, as ``torch.nn.BatchNorm1d`` (affine, tracking stats).

    Train mode:  mu = mean_n x,  var = mean_n (x - mu)^2  (biased),
    out = gamma * (x - mu) / sqrt(var + eps) + beta,
    running_mean <- (1 - momentum) running_mean + momentum mu,
    running_var  <- (1 - momentum) running_var + momentum var * N / (N - 1)  (unbiased).
    Eval mode uses running_mean and running_var instead of the batch statistics.

    Parameters
    ----------
    x : array_like, shape (N, D)
        A mini-batch; train mode needs N >= 2 (one sample has no variance).
    gamma, beta : array_like, shape (D,)
        Learned scale and shift.
    state : BatchNormState, optional
        Running statistics; default :meth:`BatchNormState.initial` (mean 0, var 1).
    train : bool
        Use batch statistics (and update the running ones) or the running statistics.
    momentum : float in [0, 1]
        Weight of the new batch in the running averages (torch's convention, default 0.1).
    eps : float > 0
        Added to the variance for numerical safety.

    Returns
    -------
    out : ndarray, shape (N, D)
    cache : BatchNormCache
        For :func:`batchnorm_backward`; ``cache.state`` holds the *new* running statistics
        (the ``state`` argument is never modified).
    """
    x = as_float_array(x, "x", ndim=2)
    gamma, beta = _check_affine(x, gamma, beta)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be True or False, got {train!r}")
    momentum = check_float(momentum, "momentum", minimum=0.0, maximum=1.0)
    eps = check_float(eps, "eps", minimum=0.0, min_inclusive=False)
    N, D = x.shape
    if state is None:
        state = BatchNormState.initial(D, dtype=x.dtype)
    check_state(state, "state", BatchNormState, "BatchNormState.initial or batchnorm_forward",
                nonneg=("running_var",))
    for field in ("running_mean", "running_var"):
        shape = np.shape(getattr(state, field))
        if shape != (D,):
            raise ValueError(f"state holds statistics for {shape[0] if len(shape) == 1 else shape} features "
                             f"(state.{field} has shape {shape}) but x has D={D}")
    check_int(state.num_batches_tracked, "state.num_batches_tracked", minimum=0)
    if train:
        if N < 2:
            raise ValueError(f"x has N={N} rows; train-mode BatchNorm needs N >= 2 "
                             "(a single sample has no batch variance) — use train=False")
        mu = x.mean(axis=0)  # (D,)
        var = ((x - mu) ** 2).mean(axis=0)  # (D,) biased: divide by N
        inv_std = 1.0 / np.sqrt(var + eps)  # (D,)
        x_hat = (x - mu) * inv_std  # (N, D)
        new_state = BatchNormState(
            running_mean=(1 - momentum) * state.running_mean + momentum * mu,
            running_var=(1 - momentum) * state.running_var + momentum * var * N / (N - 1),
            num_batches_tracked=state.num_batches_tracked + 1,
        )
        cache = BatchNormCache(x_hat, inv_std, gamma, True, new_state, mu, var)
    else:
        inv_std = 1.0 / np.sqrt(state.running_var + eps)  # (D,)
        x_hat = (x - state.running_mean) * inv_std  # (N, D)
        cache = BatchNormCache(x_hat, inv_std, gamma, False, state)
    return gamma * x_hat + beta, cache


@finite_output("dout or gamma too large: the gradient overflows; scale the loss")
def batchnorm_backward(dout, cache: BatchNormCache):
    """Gradients of :func:`batchnorm_forward`.

    Train mode (every row's output depends on the batch mean and variance):
    dx = inv_std / N * (N dx_hat - sum_n dx_hat - x_hat sum_n (dx_hat x_hat)),  dx_hat = dout * gamma.
    Eval mode (fixed running statistics): dx = dout * gamma * inv_std.

    Parameters
    ----------
    dout : array_like, shape (N, D)
        Upstream gradient dL/dout.
    cache : BatchNormCache
        From :func:`batchnorm_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dgamma : ndarray, shape (D,)
        sum_n dout * x_hat
    dbeta : ndarray, shape (D,)
        sum_n dout
    """
    check_state(cache, "cache", BatchNormCache, "batchnorm_forward", nonneg=("inv_std", "batch_var"))
    dout = as_float_array(dout, "dout", ndim=2)
    if dout.shape != np.shape(cache.x_hat):
        raise ValueError(f"dout has shape {dout.shape} but the forward output had shape {np.shape(cache.x_hat)}")
    stats = [(f"cache.{k}", getattr(cache, k), "D") for k in ("batch_mean", "batch_var") if getattr(cache, k) is not None]
    check_shapes(("dout", dout, "N D"), ("cache.x_hat", cache.x_hat, "N D"),
                 ("cache.inv_std", cache.inv_std, "D"), ("cache.gamma", cache.gamma, "D"),
                 ("cache.state.running_mean", cache.state.running_mean, "D"),
                 ("cache.state.running_var", cache.state.running_var, "D"), *stats)
    x_hat, inv_std = cache.x_hat, cache.inv_std
    dgamma = (dout * x_hat).sum(axis=0)  # (D,)
    dbeta = dout.sum(axis=0)  # (D,)
    dx_hat = dout * cache.gamma  # (N, D)
    if not cache.train:
        return dx_hat * inv_std, dgamma, dbeta
    N = dout.shape[0]
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))  # (N, D)
    return dx, dgamma, dbeta


# --------------------------------------------------------------------------- LayerNorm
@finite_output("x's spread overflows the variance (or gamma * x_hat overflows); scale x or gamma")
def layernorm_forward(x, gamma, beta, eps: float = 1e-5):
    """Layer normalization over the last axis, as ``torch.nn.LayerNorm(D)``.

    mu = mean_d x,  var = mean_d (x - mu)^2 (biased),  out = gamma * (x - mu) / sqrt(var + eps) + beta.
    Each sample (each token of a sequence) is normalized on its own: no batch statistics,
    no running averages, identical in train and eval mode, any N (even 1) or sequence length.

    Parameters
    ----------
    x : array_like, shape (N, D) or (N, T, D)
        Samples (or sequences of T tokens) with D features each.
    gamma, beta : array_like, shape (D,)
    eps : float > 0

    Returns
    -------
    out : ndarray, same shape as x
    cache : LayerNormCache
    """
    x = as_float_array(x, "x", ndim=(2, 3))
    gamma, beta = _check_affine(x, gamma, beta)
    eps = check_float(eps, "eps", minimum=0.0, min_inclusive=False)
    mu = x.mean(axis=-1, keepdims=True)  # (..., 1)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # (..., 1) biased: divide by D
    # an overflowed variance would make inv_std 0 and x_hat silently all zeros
    check_finite_output(var, "layernorm_forward", "x's spread overflows the variance of a sample; scale x")
    inv_std = 1.0 / np.sqrt(var + eps)  # (..., 1)
    x_hat = (x - mu) * inv_std  # (..., D)
    return gamma * x_hat + beta, LayerNormCache(x_hat, inv_std, gamma)


@finite_output("dout or gamma too large: the gradient overflows; scale the loss")
def layernorm_backward(dout, cache: LayerNormCache):
    """Gradients of :func:`layernorm_forward` — BatchNorm's formula with the axes swapped.

    dx = inv_std / D * (D dx_hat - sum_d dx_hat - x_hat sum_d (dx_hat x_hat)),  dx_hat = dout * gamma.

    Parameters
    ----------
    dout : array_like, shape (N, D) or (N, T, D)
    cache : LayerNormCache

    Returns
    -------
    dx : ndarray, same shape as dout
    dgamma, dbeta : ndarray, shape (D,)
        Summed over every sample (and token).
    """
    check_state(cache, "cache", LayerNormCache, "layernorm_forward", nonneg=("inv_std",))
    dout = as_float_array(dout, "dout", ndim=(2, 3))
    if dout.shape != np.shape(cache.x_hat):
        raise ValueError(f"dout has shape {dout.shape} but the forward output had shape {np.shape(cache.x_hat)}")
    lead = " ".join("NT"[:np.ndim(cache.x_hat) - 1])  # "N" or "N T"
    check_shapes(("dout", dout, f"{lead} D"), ("cache.x_hat", cache.x_hat, f"{lead} D"),
                 ("cache.inv_std", cache.inv_std, f"{lead} 1"), ("cache.gamma", cache.gamma, "D"))
    x_hat, inv_std = cache.x_hat, cache.inv_std
    lead = tuple(range(dout.ndim - 1))
    dgamma = (dout * x_hat).sum(axis=lead)  # (D,)
    dbeta = dout.sum(axis=lead)  # (D,)
    dx_hat = dout * cache.gamma  # (..., D)
    D = dout.shape[-1]
    dx = inv_std / D * (D * dx_hat - dx_hat.sum(axis=-1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=-1, keepdims=True))  # (..., D)
    return dx, dgamma, dbeta


# --------------------------------------------------------------------------- BatchNorm for conv layers
def _channels_last(x: np.ndarray) -> np.ndarray:
    """(N, C, *spatial) -> (N * prod(spatial), C): one row per (sample, position)."""
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _channels_first(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of :func:`_channels_last` for an array of ``shape`` (N, C, *spatial)."""
    N, C, *spatial = shape
    return np.moveaxis(rows.reshape(N, *spatial, C), -1, 1)


def batchnorm2d_forward(x, gamma, beta, state: BatchNormState | None = None, *, train: bool = True,
                        momentum: float = 0.1, eps: float = 1e-5):
    """BatchNorm for convolutional feature maps, as ``torch.nn.BatchNorm2d``: one mean and variance
    per *channel*, over the batch and every spatial position.

    mu_c = mean over (n, h, w) of x[n, c, h, w], var_c likewise (biased); the running variance
    uses the unbiased estimate with M = N * H * W values per channel. It is
    :func:`batchnorm_forward` on the (N*H*W, C) matrix whose rows are (sample, position) pairs.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) (or (N, C, L), any spatial rank)
    gamma, beta : array_like, shape (C,)
    state, train, momentum, eps
        As in :func:`batchnorm_forward` (``state`` holds C running statistics).

    Returns
    -------
    out : ndarray, same shape as x
    cache : tuple (BatchNormCache, shape)
        For :func:`batchnorm2d_backward`; ``cache[0].state`` is the new running state.
    """
    x = as_float_array(x, "x", ndim=(3, 4, 5))
    for name, v in (("gamma", gamma), ("beta", beta)):
        v = as_float_array(v, name, ndim=1)
        if v.shape[0] != x.shape[1]:
            raise ValueError(f"{name} has {v.shape[0]} entries but x has C={x.shape[1]} channels")
    out, cache = batchnorm_forward(_channels_last(x), gamma, beta, state, train=train,
                                   momentum=momentum, eps=eps)
    return _channels_first(out, x.shape), (cache, x.shape)


def batchnorm2d_backward(dout, cache):
    """Gradients of :func:`batchnorm2d_forward`: dx (N, C, H, W), dgamma (C,), dbeta (C,).

    The train-mode formula of :func:`batchnorm_backward` with the sums running over every
    (sample, position) pair of a channel.
    """
    if not (isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[0], BatchNormCache)):
        raise TypeError("cache must be the (BatchNormCache, shape) pair from batchnorm2d_forward")
    bn_cache, shape = cache
    dout = as_float_array(dout, "dout", ndim=len(shape))
    if dout.shape != tuple(shape):
        raise ValueError(f"dout has shape {dout.shape} but the forward output had shape {tuple(shape)}")
    dx, dgamma, dbeta = batchnorm_backward(_channels_last(dout), bn_cache)
    return _channels_first(dx, shape), dgamma, dbeta


# --------------------------------------------------------------------------- GroupNorm
@dataclass(frozen=True)
class GroupNormCache:
    """What :func:`groupnorm_backward` needs: x_hat (N, C, ...), inv_std (N, G), gamma (C,), groups."""

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    groups: int


def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    """A (C,) vector shaped to broadcast over (N, C, *spatial)."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


@finite_output("x's spread overflows the variance, gamma * x_hat overflows, or eps is too small for x's dtype "
               "(1 / sqrt(var + eps) overflows for a constant group); scale x or gamma, or use a larger eps")
def groupnorm_forward(x, gamma, beta, groups: int, eps: float = 1e-5):
    """Group normalization (Wu & He, 2018), as ``torch.nn.functional.group_norm``.

    The C channels are split into ``groups`` consecutive groups of C / G channels; each sample
    is normalized over (its group's channels) x (all spatial positions), biased variance,
    then scaled and shifted per channel. G = 1 is LayerNorm over (C, H, W); G = C is
    InstanceNorm. Nothing depends on the batch: identical in training and inference.

    Parameters
    ----------
    x : array_like, shape (N, C) or (N, C, *spatial)
    gamma, beta : array_like, shape (C,)
    groups : int, divides C
    eps : float > 0

    Returns
    -------
    out : ndarray, same shape as x
    cache : GroupNormCache
    """
    x = as_float_array(x, "x", ndim=(2, 3, 4, 5))
    N, C = x.shape[:2]
    gamma = as_float_array(gamma, "gamma", ndim=1)
    beta = as_float_array(beta, "beta", ndim=1)
    for name, v in (("gamma", gamma), ("beta", beta)):
        if v.shape[0] != C:
            raise ValueError(f"{name} has {v.shape[0]} entries but x has C={C} channels")
    groups = check_int(groups, "groups", minimum=1)
    if C % groups:
        raise ValueError(f"groups={groups} must divide the C={C} channels")
    eps = check_float(eps, "eps", minimum=0.0, min_inclusive=False)
    xg = x.reshape(N, groups, -1)  # (N, G, C/G * spatial)
    mu = xg.mean(axis=-1, keepdims=True)  # (N, G, 1)
    var = ((xg - mu) ** 2).mean(axis=-1, keepdims=True)  # (N, G, 1) biased
    check_finite_output(var, "groupnorm_forward", "x's spread overflows the variance of a group; scale x")
    inv_std = 1.0 / np.sqrt(var + eps)  # (N, G, 1)
    x_hat = ((xg - mu) * inv_std).reshape(x.shape)  # (N, C, ...)
    out = _per_channel(gamma, x.ndim) * x_hat + _per_channel(beta, x.ndim)
    return out, GroupNormCache(x_hat, inv_std[..., 0], gamma, groups)


@finite_output("dout or gamma too large: the gradient overflows; scale the loss")
def groupnorm_backward(dout, cache: GroupNormCache):
    """Gradients of :func:`groupnorm_forward`: LayerNorm's backward applied to each (sample, group).

    Parameters
    ----------
    dout : array_like, same shape as the forward's x (N, C) or (N, C, *spatial)
    cache : GroupNormCache
        From :func:`groupnorm_forward`.

    Returns
    -------
    dx : ndarray, same shape as dout
    dgamma, dbeta : ndarray, shape (C,)
        Summed over samples and positions.
    """
    check_state(cache, "cache", GroupNormCache, "groupnorm_forward", nonneg=("inv_std",))
    groups = check_int(cache.groups, "cache.groups", minimum=1)
    dout = as_float_array(dout, "dout", ndim=(2, 3, 4, 5))
    if dout.shape != np.shape(cache.x_hat):
        raise ValueError(f"dout has shape {dout.shape} but the forward output had shape {np.shape(cache.x_hat)}")
    if dout.shape[1] % groups:
        raise ValueError(f"cache.groups={groups} must divide the C={dout.shape[1]} channels")
    spatial = " ".join(f"S{i}" for i in range(dout.ndim - 2))  # "S0 S1" for (N, C, H, W)
    check_shapes(("dout", dout, f"N C {spatial}"), ("cache.x_hat", cache.x_hat, f"N C {spatial}"),
                 ("cache.inv_std", cache.inv_std, f"N {groups}"), ("cache.gamma", cache.gamma, "C"))
    axes = (0,) + tuple(range(2, dout.ndim))
    dgamma = (dout * cache.x_hat).sum(axis=axes)  # (C,)
    dbeta = dout.sum(axis=axes)  # (C,)
    N = dout.shape[0]
    g = (dout * _per_channel(cache.gamma, dout.ndim)).reshape(N, cache.groups, -1)  # dL/dx_hat per group
    xh = cache.x_hat.reshape(N, cache.groups, -1)
    M = g.shape[-1]
    dx = cache.inv_std[..., None] / M * (M * g - g.sum(-1, keepdims=True)
                                         - xh * (g * xh).sum(-1, keepdims=True))
    return dx.reshape(dout.shape), dgamma, dbeta


# --------------------------------------------------------------------------- RMSNorm
@dataclass(frozen=True)
class RMSNormCache:
    """What :func:`rmsnorm_backward` needs: x_hat = x / rms (..., D), inv_rms (..., 1), gamma (D,)."""

    x_hat: np.ndarray
    inv_rms: np.ndarray
    gamma: np.ndarray


@finite_output("x * x overflows the mean square, gamma * x_hat overflows, or eps is too small for x's dtype "
               "(1 / sqrt(mean x^2 + eps) overflows for x = 0); scale x or gamma, or use a larger eps")
def rmsnorm_forward(x, gamma, eps: float = 1e-6):
    """Root-mean-square normalization (Zhang & Sennrich, 2019), as ``torch.nn.functional.rms_norm``.

    rms = sqrt(mean_d x^2 + eps),  out = gamma * x / rms. Like LayerNorm over the last axis but
    without subtracting the mean (and without beta): cheaper, and what LLaMA-style transformer
    blocks use. Invariant to a per-sample *scale*, not to a shift.

    Parameters
    ----------
    x : array_like, shape (N, D) or (N, T, D)
    gamma : array_like, shape (D,)
    eps : float > 0

    Returns
    -------
    out : ndarray, same shape as x
    cache : RMSNormCache
    """
    x = as_float_array(x, "x", ndim=(2, 3))
    gamma = as_float_array(gamma, "gamma", ndim=1)
    if gamma.shape[0] != x.shape[-1]:
        raise ValueError(f"gamma has {gamma.shape[0]} entries but x has D={x.shape[-1]} features")
    eps = check_float(eps, "eps", minimum=0.0, min_inclusive=False)
    mean_square = check_finite_output((x * x).mean(axis=-1, keepdims=True), "rmsnorm_forward",
                                      "x * x overflows the mean square; scale x")  # (..., 1)
    inv_rms = 1.0 / np.sqrt(mean_square + eps)  # (..., 1)
    x_hat = x * inv_rms  # (..., D)
    return gamma * x_hat, RMSNormCache(x_hat, inv_rms, gamma)


@finite_output("dout or gamma too large: the gradient overflows; scale the loss")
def rmsnorm_backward(dout, cache: RMSNormCache):
    """Gradients of :func:`rmsnorm_forward`.

    dx = inv_rms * (g - x_hat * mean_d(g * x_hat)),  g = dout * gamma  (only the scale direction
    is removed: RMSNorm does not centre).

    Parameters
    ----------
    dout : array_like, shape (N, D) or (N, T, D)
    cache : RMSNormCache
        From :func:`rmsnorm_forward`.

    Returns
    -------
    dx : ndarray, same shape as dout
    dgamma : ndarray, shape (D,)
    """
    check_state(cache, "cache", RMSNormCache, "rmsnorm_forward", nonneg=("inv_rms",))
    dout = as_float_array(dout, "dout", ndim=(2, 3))
    if dout.shape != np.shape(cache.x_hat):
        raise ValueError(f"dout has shape {dout.shape} but the forward output had shape {np.shape(cache.x_hat)}")
    lead = " ".join("NT"[:dout.ndim - 1])  # "N" or "N T"
    check_shapes(("dout", dout, f"{lead} D"), ("cache.x_hat", cache.x_hat, f"{lead} D"),
                 ("cache.inv_rms", cache.inv_rms, f"{lead} 1"), ("cache.gamma", cache.gamma, "D"))
    g = dout * cache.gamma  # (..., D)
    dx = cache.inv_rms * (g - cache.x_hat * (g * cache.x_hat).mean(axis=-1, keepdims=True))
    dgamma = (dout * cache.x_hat).reshape(-1, dout.shape[-1]).sum(axis=0)
    return dx, dgamma


# --------------------------------------------------------------------------- which entries share statistics
NORM_KINDS = ("batch", "layer", "instance", "group")


def normalization_sets(kind: str, N: int, C: int, groups: int | None = None) -> np.ndarray:
    """Label every (sample n, channel c) pair by the statistics it is normalized with.

    For activations (N, C, H, W) each normalization computes one mean and variance per *set* of
    entries; all spatial positions of an (n, c) pair always share one set, so the sets are a
    partition of the N x C grid:

    - ``"batch"``: one set per channel c (over n, h, w)
    - ``"layer"``: one set per sample n (over c, h, w)
    - ``"instance"``: one set per (n, c) (over h, w)
    - ``"group"``: one set per (n, group of C / groups consecutive channels)

    Returns
    -------
    labels : ndarray of int, shape (N, C)
        Equal labels <=> normalized together.
    """
    check_choice(kind, "kind", NORM_KINDS)
    N = check_int(N, "N", minimum=1)
    C = check_int(C, "C", minimum=1)
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")  # (N, C) each
    if kind == "batch":
        return c
    if kind == "layer":
        return n
    if kind == "instance":
        return n * C + c
    groups = check_int(groups, "groups", minimum=1)
    if C % groups:
        raise ValueError(f"groups={groups} must divide the C={C} channels")
    return n * groups + c // (C // groups)


@finite_output("momentum this close to 0 (torch) gives a half-life beyond float64")
def ema_half_life(momentum: float, convention: str = "torch") -> float:
    """Steps after which a batch's weight in a running average has halved.

    torch:  running <- (1 - m) running + m batch   (default m = 0.1: the NEW batch's weight)
    Keras:  running <- m running + (1 - m) batch   (default m = 0.99: the OLD average's weight)
    So torch's m corresponds to Keras's 1 - m. The weight of a batch k steps ago is
    m (1 - m)^k (torch), which halves after ln(1/2) / ln(1 - m) steps.

    Parameters
    ----------
    momentum : float in (0, 1)
    convention : {"torch", "keras"}

    Returns
    -------
    float
    """
    momentum = check_float(momentum, "momentum", minimum=0.0, maximum=1.0, min_inclusive=False,
                           max_inclusive=False)
    check_choice(convention, "convention", ("torch", "keras"))
    # ln of the weight the old average keeps; log1p(-m) stays exact where 1 - m rounds to 1 (m = 1e-20)
    log_decay = np.log1p(-momentum) if convention == "torch" else np.log(momentum)
    return float(np.log(0.5) / log_decay)
