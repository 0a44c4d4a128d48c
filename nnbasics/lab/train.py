"""A small, honest torch training loop: ``fit(...) -> History`` (no plotting inside).

Mini-batch training with a seeded shuffle, per-epoch train/validation loss and
accuracy, optional gradient-norm clipping, early stopping with patience (best
weights restored) and a ``tqdm`` progress bar.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    NonFiniteError,
    as_float_array,
    as_labels,
    check_choice,
    check_float,
    check_int,
)
from nnbasics.core.history import History

#: The largest float32: hyper-parameters above it cannot reach a float32 torch model.
FLOAT32_MAX = float(np.finfo(np.float32).max)

__all__ = ["TrainConfig", "History", "EarlyStopping", "fit", "evaluate", "make_optimizer"]

LOSSES = ("cross_entropy", "bce", "mse")
OPTIMIZERS = ("sgd", "adam", "adamw")


@dataclass(frozen=True)
class TrainConfig:
    """Settings for :func:`fit`.

    Attributes
    ----------
    epochs : int
        Passes over the training data.
    batch_size : int
        Mini-batch size B (the last batch may be smaller).
    lr : float
        Learning rate.
    optimizer : {"sgd", "adam", "adamw"}
    momentum : float
        SGD momentum.
    weight_decay : float
        Passed to the optimizer (L2-in-gradient for sgd/adam, decoupled for adamw).
    loss : {"cross_entropy", "bce", "mse"}
        cross_entropy takes (N, C) logits and integer labels; bce (N, 1) logits and 0/1 labels;
        mse (N, K) outputs and real targets.
    clip_grad_norm : float or None
        Clip the global gradient norm to this value before each step.
    patience : int or None
        Early stopping: stop after this many epochs without a better validation loss
        (needs validation data) and restore the best weights.
    seed : int
        Seeds the mini-batch shuffling (a local generator).
    progress : bool
        Show a tqdm progress bar over epochs.
    threads : int or None
        torch threads while training (restored afterwards). The course's models are tiny,
        and for them one thread is fastest; ``None`` keeps torch's own setting.
    """

    epochs: int = 20
    batch_size: int = 64
    lr: float = 1e-2
    optimizer: str = "adam"
    momentum: float = 0.0
    weight_decay: float = 0.0
    loss: str = "cross_entropy"
    clip_grad_norm: float | None = None
    patience: int | None = None
    seed: int = 0
    progress: bool = False
    threads: int | None = 1

    def __post_init__(self):
        check_int(self.epochs, "epochs", minimum=1)
        check_int(self.batch_size, "batch_size", minimum=1)
        # torch's optimizers convert lr and weight_decay to the parameters' float32
        check_float(self.lr, "lr", minimum=0.0, min_inclusive=False, maximum=FLOAT32_MAX)
        check_choice(self.optimizer, "optimizer", OPTIMIZERS)
        check_float(self.momentum, "momentum", minimum=0.0, maximum=1.0, max_inclusive=False)
        check_float(self.weight_decay, "weight_decay", minimum=0.0, maximum=FLOAT32_MAX)
        check_choice(self.loss, "loss", LOSSES)
        if self.clip_grad_norm is not None:
            check_float(self.clip_grad_norm, "clip_grad_norm", minimum=0.0, min_inclusive=False)
        if self.patience is not None:
            check_int(self.patience, "patience", minimum=1)
        check_int(self.seed, "seed")
        if self.threads is not None:
            check_int(self.threads, "threads", minimum=1)


class EarlyStopping:
    """Stop when the monitored value has not improved by ``min_delta`` for ``patience`` checks.

    Parameters
    ----------
    patience : int >= 1
    min_delta : float >= 0
        The improvement that counts (lower is better).

    Examples
    --------
    >>> stop = EarlyStopping(patience=2)
    >>> [stop.step(v) for v in [1.0, 0.8, 0.9, 0.85]]
    [False, False, False, True]
    >>> stop.best_index
    1
    """

    def __init__(self, patience: int, min_delta: float = 0.0):
        self.patience = check_int(patience, "patience", minimum=1)
        self.min_delta = check_float(min_delta, "min_delta", minimum=0.0)
        self.best = float("inf")
        self.best_index: int | None = None
        self.bad_checks = 0
        self._count = 0

    def step(self, value: float) -> bool:
        """Record a new value; return True when training should stop."""
        value = check_float(value, "value")
        if value < self.best - self.min_delta:
            self.best, self.best_index, self.bad_checks = value, self._count, 0
        else:
            self.bad_checks += 1
        self._count += 1
        return self.bad_checks >= self.patience

    @property
    def improved(self) -> bool:
        """Whether the latest value was a new best."""
        return self.bad_checks == 0


def make_optimizer(params, cfg: TrainConfig):
    """The torch optimizer named by ``cfg``."""
    import torch

    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


def _tensors(X, y, loss: str, dtype, names=("X", "y"), model=None):
    import torch

    from nnbasics.lab.models import check_input, linear_layers

    xname, yname = names
    X = as_float_array(X, xname, ndim=2)
    if model is not None:
        check_input(model, X, xname)
    Xt = torch.as_tensor(X, dtype=dtype)
    if hasattr(y, "detach") and hasattr(y, "numpy"):  # a torch tensor
        y = y.detach().cpu().numpy()
    if loss == "cross_entropy":
        if isinstance(y, (str, bytes)) or np.ndim(y) != 1:
            raise ValueError(f"cross_entropy needs integer labels {yname} of shape (N,), "
                             f"got {np.shape(y) if not isinstance(y, (str, bytes)) else type(y).__name__}")
        if np.size(y) != len(Xt):
            raise ValueError(f"{xname} has N={len(Xt)} rows but {yname} has {np.size(y)}")
        last = linear_layers(model) if model is not None else []
        n_classes = last[-1].out_features if last and last[-1].out_features > 1 else None
        yt = torch.as_tensor(as_labels(y, yname, n_classes=n_classes), dtype=torch.long)
    else:
        y = as_float_array(y, yname, ndim=(1, 2))
        yt = torch.as_tensor(y, dtype=dtype)
        if yt.ndim == 1:
            yt = yt[:, None]
    if len(yt) != len(Xt):
        raise ValueError(f"{xname} has N={len(Xt)} rows but {yname} has {len(yt)}")
    return Xt, yt


def _loss_fn(name: str):
    import torch.nn.functional as F

    return {"cross_entropy": F.cross_entropy, "bce": F.binary_cross_entropy_with_logits,
            "mse": F.mse_loss}[name]


def _accuracy(out, y, loss: str) -> float | None:
    if loss == "cross_entropy":
        return float((out.argmax(1) == y).double().mean())
    if loss == "bce":
        return float(((out > 0).to(y.dtype) == y).double().mean())
    return None


def evaluate(model, X, y, loss: str = "cross_entropy") -> tuple[float, float | None]:
    """Loss and accuracy (None for mse) of ``model`` in eval mode on (X (N, D), y)."""
    import torch

    check_choice(loss, "loss", LOSSES)
    dtype = next(model.parameters()).dtype
    Xt, yt = _tensors(X, y, loss, dtype, model=model)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(Xt)
        value = float(_loss_fn(loss)(out, yt))
        acc = _accuracy(out, yt, loss)
    model.train(was_training)
    if not np.isfinite(value):
        raise NonFiniteError(f"evaluate: the loss on X is {value}: the model's outputs overflow (its weights "
                             "are NaN/inf after a diverged run, or X is too large); check with first_nonfinite")
    return value, acc


def fit(model, X_train, y_train, X_val=None, y_val=None, cfg: TrainConfig | None = None,
        on_step: Callable | None = None, on_epoch: Callable | None = None,
        forward: Callable | None = None, lr_schedule: Callable | None = None) -> History:
    """Train ``model`` in place with mini-batches and return its :class:`History`.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (B, D) to (B, C) logits (or (B, K) outputs for mse).
    X_train : array_like, shape (N, D)
    y_train : array_like, shape (N,) labels or (N, K) targets
    X_val, y_val : array_like, optional
        Validation data, evaluated after every epoch in eval mode.
    cfg : TrainConfig
    on_step : callable, optional
        ``on_step(model, loss_value)`` after every optimizer step (diagnostics; no plotting).
    on_epoch : callable, optional
        ``on_epoch(model, history)`` after every epoch, e.g. to record extra measurements.
    forward : callable, optional
        ``forward(model, xb) -> out`` replaces ``model(xb)`` in training steps (e.g. dropout
        masks drawn from a local generator); evaluation always calls ``model(X)``.
    lr_schedule : callable, optional
        ``lr_schedule(epoch, history) -> lr`` before every epoch (epoch 0, 1, ...; ``history`` holds
        the epochs so far): the learning rate for that epoch, e.g. warmup + cosine from
        :mod:`nnbasics.core.optim`, or ``ReduceLROnPlateau.step`` on the last validation loss.

    Returns
    -------
    History
    """
    import contextlib

    from nnbasics.lab.runtime import threads

    cfg = cfg or TrainConfig()
    if not isinstance(cfg, TrainConfig):
        raise TypeError(f"cfg must be a TrainConfig, got {type(cfg).__name__}")
    with threads(cfg.threads, blas=False) if cfg.threads else contextlib.nullcontext():
        return _fit(model, X_train, y_train, X_val, y_val, cfg, on_step, on_epoch, forward, lr_schedule)


def _set_lr(opt, lr_schedule, epoch: int, hist: History) -> None:
    lr = check_float(lr_schedule(epoch, hist), "lr_schedule(epoch, history)", minimum=0.0, min_inclusive=False)
    for group in opt.param_groups:
        group["lr"] = lr


def _grad_norm(params: list, clip: float | None) -> float:
    """The gradients' total L2 norm (before clipping); clips them in place to ``clip`` if given."""
    import torch

    if clip is not None:
        return float(torch.nn.utils.clip_grad_norm_(params, clip))
    # without a limit only the norm is needed (clip_grad_norm_ with inf also rescales by 1.0)
    return float(torch.nn.utils.get_total_norm([p.grad for p in params if p.grad is not None]))


def _fit(model, X_train, y_train, X_val, y_val, cfg: TrainConfig, on_step, on_epoch, forward,
         lr_schedule=None) -> History:
    import torch
    from tqdm.auto import tqdm

    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if cfg.patience is not None and X_val is None:
        raise ValueError("early stopping (patience) needs validation data X_val, y_val")
    dtype = next(model.parameters()).dtype
    Xt, yt = _tensors(X_train, y_train, cfg.loss, dtype, ("X_train", "y_train"), model)
    has_val = X_val is not None
    if has_val:
        Xv, yv = _tensors(X_val, y_val, cfg.loss, dtype, ("X_val", "y_val"), model)
    loss_fn = _loss_fn(cfg.loss)
    params = list(model.parameters())  # once: model.parameters() walks every submodule per call
    opt = make_optimizer(params, cfg)
    gen = torch.Generator().manual_seed(cfg.seed)
    stopper = EarlyStopping(cfg.patience) if cfg.patience else None
    best_state = None
    hist = History()  # frozen: its lists grow in place, its flags are set with dataclasses.replace
    n = len(Xt)
    t0 = time.perf_counter()
    for epoch in tqdm(range(cfg.epochs), disable=not cfg.progress, desc="epochs", leave=False):
        if lr_schedule is not None:
            _set_lr(opt, lr_schedule, epoch, hist)
        model.train()
        perm = torch.randperm(n, generator=gen)
        total, correct, norms = 0.0, 0.0, []
        for start in range(0, n, cfg.batch_size):
            idx = perm[start:start + cfg.batch_size]
            xb, yb = Xt[idx], yt[idx]
            opt.zero_grad()
            out = model(xb) if forward is None else forward(model, xb)
            loss = loss_fn(out, yb)
            loss_value = loss.item()  # one sync with the value, used below
            if not math.isfinite(loss_value):
                hist = dataclasses.replace(hist, diverged=True)
                break
            loss.backward()
            norms.append(_grad_norm(params, cfg.clip_grad_norm))
            if not math.isfinite(norms[-1]):  # an inf gradient would make every weight NaN
                hist = dataclasses.replace(hist, diverged=True)
                break
            opt.step()
            total += loss_value * len(idx)
            acc = _accuracy(out.detach(), yb, cfg.loss)
            correct += (acc or 0.0) * len(idx)
            if on_step is not None:
                on_step(model, loss_value)
        if hist.diverged:
            hist.train_loss.append(float("nan"))
            break
        hist.train_loss.append(total / n)
        if cfg.loss != "mse":
            hist.train_acc.append(correct / n)
        hist.grad_norm.append(float(np.mean(norms)))
        if has_val:
            vl, va = evaluate(model, Xv, yv, cfg.loss)
            hist.val_loss.append(vl)
            if va is not None:
                hist.val_acc.append(va)
            if stopper is not None:
                stop = stopper.step(vl) if np.isfinite(vl) else True
                if stopper.improved:
                    best_state = copy.deepcopy(model.state_dict())
                    hist = dataclasses.replace(hist, best_epoch=len(hist.train_loss) - 1)
                if stop:
                    hist = dataclasses.replace(hist, stopped_early=True)
        if on_epoch is not None:
            on_epoch(model, hist)
        if hist.stopped_early:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    hist = dataclasses.replace(hist, seconds=time.perf_counter() - t0)
    return hist
