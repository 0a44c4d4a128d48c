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

import functools
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import as_float_array, check_float, check_int, check_rng
from nnbasics.runtime import one_thread

__all__ = [
    "BatchNormState", "BatchNormCache", "LayerNormCache",
    "batchnorm_forward", "batchnorm_backward", "layernorm_forward", "layernorm_backward",
    "batch_size_noise", "forgotten_eval", "compare_norms",
]


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
    if not isinstance(state, BatchNormState):
        raise TypeError(f"state must be a BatchNormState, got {type(state).__name__}")
    if state.running_mean.shape != (D,) or state.running_var.shape != (D,):
        raise ValueError(f"state holds statistics for {state.running_mean.shape[0]} features "
                         f"but x has D={D}")
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
    if not isinstance(cache, BatchNormCache):
        raise TypeError(f"cache must be the BatchNormCache from batchnorm_forward, got {type(cache).__name__}")
    dout = as_float_array(dout, "dout", ndim=2)
    if dout.shape != cache.x_hat.shape:
        raise ValueError(f"dout has shape {dout.shape} but the forward output had shape {cache.x_hat.shape}")
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
    if not isinstance(cache, LayerNormCache):
        raise TypeError(f"cache must be the LayerNormCache from layernorm_forward, got {type(cache).__name__}")
    dout = as_float_array(dout, "dout", ndim=(2, 3))
    if dout.shape != cache.x_hat.shape:
        raise ValueError(f"dout has shape {dout.shape} but the forward output had shape {cache.x_hat.shape}")
    x_hat, inv_std = cache.x_hat, cache.inv_std
    lead = tuple(range(dout.ndim - 1))
    dgamma = (dout * x_hat).sum(axis=lead)  # (D,)
    dbeta = dout.sum(axis=lead)  # (D,)
    dx_hat = dout * cache.gamma  # (..., D)
    D = dout.shape[-1]
    dx = inv_std / D * (D * dx_hat - dx_hat.sum(axis=-1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).sum(axis=-1, keepdims=True))  # (..., D)
    return dx, dgamma, dbeta


# --------------------------------------------------------------------------- experiments (notebook 07)
def batch_size_noise(x_sample, population, *, batch_sizes=(2, 4, 8, 16, 32, 64), draws: int = 200,
                     rng, eps: float = 1e-5) -> dict:
    """How much one sample's normalized output moves when only its batch companions change.

    For each batch size B, ``draws`` times: put ``x_sample`` in a batch with B - 1 rows drawn
    from ``population``, normalize (BatchNorm in train mode, LayerNorm), keep the sample's
    output row. The spread of that row across draws is BN's batch noise; LN's is exactly 0.

    Parameters
    ----------
    x_sample : array_like, shape (D,)
    population : array_like, shape (M, D)
        Where the companions come from (M >= max(batch_sizes) - 1).
    batch_sizes : sequence of int >= 2
    draws : int
    rng : numpy.random.Generator or int

    Returns
    -------
    dict
        ``batch_sizes`` (K,) int, ``bn_std`` (K,) and ``ln_std`` (K,): the standard deviation of
        the sample's output across draws, averaged over features; ``bn_outputs`` list of K arrays
        (draws, D) and ``ln_outputs`` likewise.
    """
    x_sample = as_float_array(x_sample, "x_sample", ndim=1)
    population = as_float_array(population, "population", ndim=2)
    D = x_sample.shape[0]
    if population.shape[1] != D:
        raise ValueError(f"population has D={population.shape[1]} features but x_sample has {D}")
    sizes = [check_int(b, "batch_sizes[i]", minimum=2) for b in batch_sizes]
    if not sizes:
        raise ValueError("batch_sizes is empty; expected at least one batch size >= 2")
    if max(sizes) - 1 > population.shape[0]:
        raise ValueError(f"batch_sizes entry {max(sizes)} needs {max(sizes) - 1} companions but "
                         f"population has only M={population.shape[0]} rows")
    draws = check_int(draws, "draws", minimum=2)
    rng = check_rng(rng)
    ones, zeros = np.ones(D), np.zeros(D)
    bn_std, ln_std, bn_outs, ln_outs = [], [], [], []
    for B in sizes:
        bn_rows, ln_rows = np.empty((draws, D)), np.empty((draws, D))
        for k in range(draws):
            idx = rng.choice(population.shape[0], size=B - 1, replace=False)
            batch = np.vstack([x_sample[None, :], population[idx]])  # (B, D)
            bn_rows[k] = batchnorm_forward(batch, ones, zeros, train=True, eps=eps)[0][0]
            ln_rows[k] = layernorm_forward(batch, ones, zeros, eps=eps)[0][0]
        bn_std.append(float(bn_rows.std(axis=0).mean()))
        ln_std.append(float(ln_rows.std(axis=0).mean()))
        bn_outs.append(bn_rows)
        ln_outs.append(ln_rows)
    return {"batch_sizes": np.array(sizes), "bn_std": np.array(bn_std), "ln_std": np.array(ln_std),
            "bn_outputs": bn_outs, "ln_outputs": ln_outs}


@functools.lru_cache(maxsize=4)
def _digits(seed: int):
    from nnbasics import data

    return data.digits(rng=seed)  # cached: callers must not modify the arrays


def _digits_small(seed: int, n_train: int | None = None):
    split = _digits(seed)
    n = len(split.y_train) if n_train is None else n_train
    return split.X_train[:n], split.y_train[:n], split.X_val, split.y_val


def forgotten_eval(*, batch_size: int = 4, epochs: int = 5, n_train: int = 512, seed: int = 0) -> dict:
    """The classic bug: predicting with a BatchNorm model still in train mode.

    Trains a small BN MLP on ``n_train`` digits images, then scores the validation set three ways:
    ``model.eval()`` (running statistics, the right way), train mode on mini-batches of
    ``batch_size`` rows (each prediction depends on its batch companions), and train mode on
    batches that hold a single class (companions are all alike: the normalization erases
    what the rows share).

    Returns
    -------
    dict
        ``eval_acc``, ``train_mode_acc``, ``train_mode_sorted_acc`` (floats),
        ``batch_size`` and ``running_mean_changed`` (True: train-mode inference also
        silently overwrote the running statistics).
    """
    import torch

    from nnbasics.models import MLPConfig, build_mlp
    from nnbasics.train import TrainConfig, evaluate, fit

    batch_size = check_int(batch_size, "batch_size", minimum=2)
    epochs = check_int(epochs, "epochs", minimum=1)
    n_train = check_int(n_train, "n_train", minimum=10)
    seed = check_int(seed, "seed")
    Xtr, ytr, Xva, yva = _digits_small(seed, n_train)
    model = build_mlp(MLPConfig(d_in=64, hidden=(64, 64), d_out=10, norm="batch", seed=seed))
    with one_thread():
        fit(model, Xtr, ytr, cfg=TrainConfig(epochs=epochs, batch_size=64, lr=1e-2, seed=seed))
        _, eval_acc = evaluate(model, Xva, yva)
    bn = next(m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d))
    before = bn.running_mean.clone()

    def score_in_train_mode(order):
        model.train()  # the bug: no model.eval()
        correct = 0
        with torch.no_grad():
            for s in range(0, len(order) - batch_size + 1, batch_size):
                idx = order[s:s + batch_size]
                out = model(torch.as_tensor(Xva[idx], dtype=torch.float32))
                correct += int((out.argmax(1).numpy() == yva[idx]).sum())
        return correct / (len(order) // batch_size * batch_size)

    shuffled = np.random.default_rng(seed).permutation(len(yva))
    with one_thread():
        train_mode_acc = score_in_train_mode(shuffled)
        sorted_acc = score_in_train_mode(np.argsort(yva, kind="stable"))
    changed = not torch.equal(before, bn.running_mean)
    model.eval()
    return {"eval_acc": float(eval_acc), "train_mode_acc": float(train_mode_acc),
            "train_mode_sorted_acc": float(sorted_acc), "batch_size": batch_size,
            "running_mean_changed": bool(changed)}


def compare_norms(*, norms=("none", "batch", "layer"), lrs=(0.03, 0.3, 3.0), depth: int = 6,
                  width: int = 32, epochs: int = 4, n_train: int = 512, batch_size: int = 64,
                  seed: int = 0) -> dict:
    """Train the same deep MLP with no norm, BatchNorm and LayerNorm at several learning rates.

    Same data, same seed (hence the same initial linear weights), plain SGD, so the only
    difference is the normalization layer. A run counts as "tolerated" when it did not
    diverge and its final training loss is below 80 % of the chance level ln(10) (it learned
    something, rather than sitting at chance or blowing up).

    Parameters
    ----------
    norms : sequence of {"none", "batch", "layer"}
    lrs : sequence of float > 0
        SGD learning rates to try.
    depth, width : int
        Hidden layers and their width.
    epochs, n_train, batch_size : int
        Passes over the first ``n_train`` digits training images in mini-batches.
    seed : int

    Returns
    -------
    dict
        ``curves[(norm, lr)]``: list of per-epoch training losses (NaN if diverged);
        ``final[(norm, lr)]``: last loss; ``val_acc[(norm, lr)]``; ``tolerated[norm]``:
        the learning rates that trained; ``norms``, ``lrs``.
    """
    from nnbasics.models import NORMS, MLPConfig, build_mlp
    from nnbasics.train import TrainConfig, fit

    for n in norms:
        if n not in NORMS:
            raise ValueError(f"norms must hold values from {list(NORMS)}, got {n!r}")
    lrs = tuple(check_float(lr, "lrs[i]", minimum=0.0, min_inclusive=False) for lr in lrs)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=2)
    epochs = check_int(epochs, "epochs", minimum=1)
    n_train = check_int(n_train, "n_train", minimum=10)
    batch_size = check_int(batch_size, "batch_size", minimum=2)
    seed = check_int(seed, "seed")
    Xtr, ytr, Xva, yva = _digits_small(seed, n_train)
    chance = float(np.log(10))
    curves, final, val_acc, tolerated = {}, {}, {}, {}
    for norm in norms:
        tolerated[norm] = []
        for lr in lrs:
            model = build_mlp(MLPConfig(d_in=64, hidden=(width,) * depth, d_out=10, norm=norm, seed=seed))
            with one_thread():
                h = fit(model, Xtr, ytr, Xva, yva, TrainConfig(epochs=epochs, batch_size=batch_size,
                                                               lr=lr, optimizer="sgd", seed=seed))
            loss = h.train_loss + [float("nan")] * (epochs - len(h.train_loss))
            curves[(norm, lr)] = loss
            final[(norm, lr)] = loss[-1]
            val_acc[(norm, lr)] = h.val_acc[-1] if (h.val_acc and not h.diverged) else float("nan")
            if not h.diverged and np.isfinite(loss[-1]) and loss[-1] < 0.8 * chance:
                tolerated[norm].append(lr)
    return {"curves": curves, "final": final, "val_acc": val_acc, "tolerated": tolerated,
            "norms": tuple(norms), "lrs": lrs, "chance_loss": chance}
