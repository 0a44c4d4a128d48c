"""Notebook 08's measured demos: the scaling mismatch, dropout rate vs overfitting, MC dropout."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_drop_probability,
    check_float,
    check_int,
    check_rng,
    finite_output,
)
from nnbasics.core.dropout import dropout_mask

__all__ = ['scaling_mismatch', 'DropoutRun', 'small_noisy_data', 'dropout_run', 'dropout_experiment', 'unscaled_eval_penalty', 'mc_dropout_predict']


@finite_output("x / (1 - p) or the means overflow: x too large for its dtype")
def scaling_mismatch(x, p: float, *, rng, draws: int = 200) -> dict:
    """Mean activation in training (inverted vs. unscaled dropout) against inference.

    Parameters
    ----------
    x : array_like, shape (N, H)
        Activations, with a nonzero mean (the ratios divide by it).
    p : float in [0, 1)
    rng : numpy.random.Generator or int
    draws : int
        Masks averaged for the training-time expectation.

    Returns
    -------
    dict
        ``eval_mean`` (mean of x, what inference sees), ``inverted_mean`` and ``unscaled_mean``
        (training-time means averaged over draws), ``inverted_ratio`` (~1) and
        ``unscaled_ratio`` (~1 - p): train mean / eval mean.
    """
    x = as_float_array(x, "x", ndim=2)
    p = check_drop_probability(p)
    rng = check_rng(rng)
    draws = check_int(draws, "draws", minimum=1)
    if float(x.mean()) == 0.0:
        raise ValueError("x has mean 0: the ratios train mean / eval mean are undefined; "
                         "use activations with a nonzero mean (e.g. after a ReLU)")
    inv, raw = 0.0, 0.0
    for _ in range(draws):
        mask = dropout_mask(x.shape, p, rng)
        raw += float((x * mask).mean())
        inv += float((x * mask / (1 - p)).mean())
    ev = float(x.mean())
    inv, raw = inv / draws, raw / draws
    return {"eval_mean": ev, "inverted_mean": inv, "unscaled_mean": raw,
            "inverted_ratio": inv / ev if ev else float("nan"),
            "unscaled_ratio": raw / ev if ev else float("nan")}


# --------------------------------------------------------------------------- experiments (notebook 08)
@dataclass(frozen=True)
class DropoutRun:
    """One training run of :func:`dropout_run` (tuples: one entry per epoch).

    Attributes
    ----------
    p : float
    train_loss, val_loss, train_acc, val_acc : tuple of float
        All measured in eval mode after each epoch (no dropout), so the train/val gap
        compares like with like.
    grid : tuple (xx, yy, prob)
        A 60 x 60 mesh over the data and the final model's probability of class 1 on it.
    data : tuple (X_train, y_train, X_val, y_val)
    model : torch.nn.Module
        The trained model (eval mode).
    """

    p: float
    train_loss: tuple
    val_loss: tuple
    train_acc: tuple
    val_acc: tuple
    grid: tuple
    data: tuple
    model: object

    @property
    def gap(self) -> float:
        """Final validation loss minus final training loss (the overfitting gap)."""
        return self.val_loss[-1] - self.train_loss[-1]


def small_noisy_data(*, n_train: int = 40, n_val: int = 200, noise: float = 0.35, seed: int = 0):
    """A small, noisy two-moons problem: easy to memorize, hard to generalize from.

    Returns
    -------
    X_train (n_train, 2), y_train (n_train,), X_val (n_val, 2), y_val (n_val,)
    """
    from nnbasics import data

    n_train = check_int(n_train, "n_train", minimum=4)
    n_val = check_int(n_val, "n_val", minimum=1)
    X, y = data.moons(n_train + n_val, rng=seed, noise=noise)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@functools.lru_cache(maxsize=32)
def dropout_run(p: float, *, n_train: int = 40, hidden: int = 128, epochs: int = 100,
                lr: float = 1e-2, seed: int = 0) -> DropoutRun:
    """Fit an over-parameterized MLP (2 -> hidden -> hidden -> 2, ~17k weights) on 40 noisy points.

    Cached per settings (``functools.lru_cache``): a widget or a later cell asking for the
    same run gets it instantly. Full-batch Adam, the same seed (data, weights, masks) for
    every p, dropout after each hidden ReLU.

    Parameters
    ----------
    p : float in [0, 1)
    n_train : int
        Training points (validation: 200 more from the same distribution).
    hidden, epochs : int
    lr : float
    seed : int

    Returns
    -------
    DropoutRun
    """
    import torch

    from nnbasics.data import grid
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.runtime import one_thread
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    p = check_drop_probability(p)
    hidden = check_int(hidden, "hidden", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    seed = check_int(seed, "seed")
    Xtr, ytr, Xva, yva = small_noisy_data(n_train=n_train, seed=seed)
    model = build_mlp(MLPConfig(d_in=2, hidden=(hidden, hidden), d_out=2, dropout=p, seed=seed))
    gen = torch.Generator().manual_seed(seed)  # dropout masks from a local generator
    tl, vl, ta, va = [], [], [], []

    def measure(model, _hist):  # after every epoch, both splits in eval mode (dropout off)
        for X_, y_, losses, accs in ((Xtr, ytr, tl, ta), (Xva, yva, vl, va)):
            loss, acc = evaluate(model, X_, y_)
            losses.append(loss)
            accs.append(acc)

    cfg = TrainConfig(optimizer="adam", lr=lr, epochs=epochs, batch_size=len(Xtr), seed=seed, threads=1)
    fit(model, Xtr, ytr, cfg=cfg, on_epoch=measure, forward=lambda m, xb: _forward_seeded(m, xb, gen))
    with one_thread():
        model.eval()
        xx, yy, pts = grid(np.vstack([Xtr, Xva]), steps=60)
        with torch.no_grad():
            prob = torch.softmax(model(torch.as_tensor(pts, dtype=torch.float32)), 1)[:, 1].numpy()
    return DropoutRun(p, tuple(tl), tuple(vl), tuple(ta), tuple(va), (xx, yy, prob.reshape(xx.shape)),
                      (Xtr, ytr, Xva, yva), model)


def _forward_seeded(model, x, gen):
    """``model(x)`` in training mode, with every nn.Dropout's mask drawn from ``gen``.

    nn.Dropout takes no generator; this applies the same inverted dropout
    (keep with probability 1 - p, scale by 1 / (1 - p)) so runs are reproducible without
    seeding torch globally.
    """
    import torch

    for layer in model.modules():
        if isinstance(layer, torch.nn.Sequential):
            continue
        if isinstance(layer, torch.nn.Dropout):
            keep = torch.rand(x.shape, generator=gen) >= layer.p
            x = x * keep / (1 - layer.p)
        else:
            x = layer(x)
    return x


def dropout_experiment(ps=(0.0, 0.2, 0.5), **kwargs) -> dict:
    """:func:`dropout_run` for each rate in ``ps``; returns ``{p: DropoutRun}``."""
    return {float(p): dropout_run(float(check_drop_probability(p)), **kwargs) for p in ps}


def unscaled_eval_penalty(run: DropoutRun, X, y) -> dict:
    """What inference looks like if training had used dropout *without* the 1 / (1 - p) scaling.

    A network trained with unscaled dropout equals one trained with inverted dropout whose
    hidden activations are 1 / (1 - p) times larger at inference; we apply exactly that to the
    trained ``run.model`` (a forward hook on each dropout layer) and compare.

    Parameters
    ----------
    run : DropoutRun
    X : array_like, shape (N, D)
    y : array_like, shape (N,)

    Returns
    -------
    dict
        ``loss``, ``acc`` (correct inference) and ``unscaled_loss``, ``unscaled_acc``.
    """
    import torch

    from nnbasics.lab.train import evaluate

    if not isinstance(run, DropoutRun):
        raise TypeError(f"run must be a DropoutRun, got {type(run).__name__}")
    model = run.model
    loss, acc = evaluate(model, X, y)
    scale = 1.0 / (1.0 - run.p)
    hooks = [m.register_forward_hook(lambda mod, inp, out: out * scale)
             for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    try:
        uloss, uacc = evaluate(model, X, y)
    finally:
        for hk in hooks:
            hk.remove()
    return {"loss": loss, "acc": acc, "unscaled_loss": uloss, "unscaled_acc": uacc}


def mc_dropout_predict(model, X, *, samples: int = 30, seed: int = 0) -> dict:
    """Monte-Carlo dropout (Gal & Ghahramani, 2016): keep dropout on at inference, average.

    Only the ``nn.Dropout`` layers are switched to training mode (BatchNorm etc. stay in eval).

    Parameters
    ----------
    model : torch.nn.Module
        A classifier with dropout layers, mapping (N, D) to (N, C) logits.
    X : array_like, shape (N, D)
    samples : int
        Stochastic forward passes T.
    seed : int
        Seeds the masks (torch's global generator is saved and restored, not left changed).

    Returns
    -------
    dict
        ``mean_prob`` (N, C): the average softmax; ``std_prob`` (N, C): its spread across
        passes; ``entropy`` (N,): predictive entropy of ``mean_prob`` (higher = less sure);
        ``prediction`` (N,). Probabilities are float64 whatever the model's dtype.
    """
    import torch

    from nnbasics.lab.models import check_input

    X = as_float_array(X, "X", ndim=2)
    check_input(model, X, "X")
    samples = check_int(samples, "samples", minimum=2)
    seed = check_int(seed, "seed")
    drops = [m for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    if not drops:
        raise ValueError("model has no nn.Dropout layers: MC dropout would return T identical passes")
    was_training = model.training
    dtype = next(model.parameters()).dtype
    Xt = torch.as_tensor(X, dtype=dtype)
    model.eval()
    for m in drops:
        m.train()
    probs = []
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)  # inside fork_rng: the caller's global state is restored afterwards
        for _ in range(samples):
            probs.append(torch.softmax(model(Xt), dim=1).double().numpy())
    model.train(was_training)
    P = np.stack(probs)  # (T, N, C)
    mean = P.mean(axis=0)  # (N, C)
    entropy = -(mean * np.log(np.clip(mean, 1e-12, None))).sum(axis=1)  # (N,)
    return {"mean_prob": mean, "std_prob": P.std(axis=0), "entropy": entropy,
            "prediction": mean.argmax(axis=1)}
