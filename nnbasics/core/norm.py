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

The experiment helpers at the bottom (batch-size noise, the forgotten ``model.eval()``,
no norm vs BN vs LN training) return data for notebook 07; they never plot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_float,
    check_int,
    check_shapes,
    check_state,
    finite_output,
)

__all__ = ['BatchNormState', 'BatchNormCache', 'LayerNormCache', 'batchnorm_forward', 'batchnorm_backward', 'layernorm_forward', 'layernorm_backward']


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
