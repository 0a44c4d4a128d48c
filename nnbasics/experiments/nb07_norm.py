"""Notebook 07's measured demos: batch-size noise of BatchNorm, the forgotten ``model.eval()``, norms vs
learning rate, and the internal-covariate-shift test of Santurkar et al. (2018)."""

from __future__ import annotations

import functools

import numpy as np

from nnbasics._validate import as_float_array, check_float, check_int, check_rng
from nnbasics.core.norm import batchnorm_forward, layernorm_forward
from nnbasics.lab.runtime import one_thread

__all__ = ['batch_size_noise', 'forgotten_eval', 'compare_norms', 'covariate_shift_experiment']


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
        (draws, D) and ``ln_outputs`` likewise (all float64, whatever the inputs' dtype).
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

    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

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


def compare_norms(*, norms=("none", "batch", "layer"), lrs=(0.1, 0.3, 1.0, 3.0), depth: int = 6,
                  width: int = 32, epochs: int = 4, n_train: int = 512, batch_size: int = 64,
                  init: str = "he", seed: int = 0) -> dict:
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
    init : str
        Weight init of :class:`~nnbasics.lab.models.MLPConfig` (default He, the one notebook 06
        recommends for ReLU; ``"default"`` is torch's, whose signal shrinks layer after layer).
    seed : int

    Returns
    -------
    dict
        ``curves[(norm, lr)]``: list of per-epoch training losses (NaN if diverged);
        ``final[(norm, lr)]``: last loss; ``val_acc[(norm, lr)]``; ``tolerated[norm]``:
        the learning rates that trained; ``dead[(norm, lr)]``: per hidden layer, the fraction
        of ReLUs that output 0 on every training image after training (eval mode);
        ``weight_growth[(norm, lr)]``: per hidden linear layer, ||W|| after / ||W|| before;
        ``norms``, ``lrs``, ``chance_loss``.
    """
    from nnbasics.lab.diagnostics import dead_fraction, layer_outputs
    from nnbasics.lab.models import INITS, NORMS, MLPConfig, build_mlp, linear_layers
    from nnbasics.lab.train import TrainConfig, fit

    for n in norms:
        if n not in NORMS:
            raise ValueError(f"norms must hold values from {list(NORMS)}, got {n!r}")
    lrs = tuple(check_float(lr, "lrs[i]", minimum=0.0, min_inclusive=False) for lr in lrs)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=2)
    epochs = check_int(epochs, "epochs", minimum=1)
    n_train = check_int(n_train, "n_train", minimum=10)
    batch_size = check_int(batch_size, "batch_size", minimum=2)
    if init not in INITS:
        raise ValueError(f"init must be one of {list(INITS)}, got {init!r}")
    seed = check_int(seed, "seed")
    Xtr, ytr, Xva, yva = _digits_small(seed, n_train)
    chance = float(np.log(10))
    curves, final, val_acc, tolerated, dead, growth = {}, {}, {}, {}, {}, {}
    for norm in norms:
        tolerated[norm] = []
        for lr in lrs:
            model = build_mlp(MLPConfig(d_in=64, hidden=(width,) * depth, d_out=10, norm=norm,
                                        init=init, seed=seed))
            before = [float(m.weight.detach().norm()) for m in linear_layers(model)[:-1]]
            with one_thread():
                h = fit(model, Xtr, ytr, Xva, yva, TrainConfig(epochs=epochs, batch_size=batch_size,
                                                               lr=lr, optimizer="sgd", seed=seed))
            loss = h.train_loss + [float("nan")] * (epochs - len(h.train_loss))
            curves[(norm, lr)] = loss
            final[(norm, lr)] = loss[-1]
            ok = not h.diverged and np.isfinite(loss[-1])
            val_acc[(norm, lr)] = h.val_acc[-1] if (h.val_acc and ok) else float("nan")
            after = [float(m.weight.detach().norm()) for m in linear_layers(model)[:-1]]
            growth[(norm, lr)] = np.array(after) / np.array(before)
            dead[(norm, lr)] = (np.array([dead_fraction(a) for a in layer_outputs(model, Xtr)]) if ok
                                else np.full(depth, np.nan))
            if ok and loss[-1] < 0.8 * chance:
                tolerated[norm].append(lr)
    return {"curves": curves, "final": final, "val_acc": val_acc, "tolerated": tolerated,
            "dead": dead, "weight_growth": growth, "norms": tuple(norms), "lrs": lrs,
            "chance_loss": chance, "init": init}


def _shift_forward(model, xb, *, gen, shift: float, scale: tuple, noisy: bool, record: list):
    """Training forward pass of a :func:`~nnbasics.lab.models.build_mlp` MLP that records, for every
    hidden layer, the per-unit mean and std over the batch of the activation's input, optionally
    after injecting a random per-unit shift and scale that changes at every step."""
    import torch

    blocks = list(model)
    x, stats = xb, []
    for block in blocks[:-1]:
        layers = list(block)
        z = layers[0](x)  # the Linear
        rest = layers[1:]
        if rest and not isinstance(rest[0], (torch.nn.ReLU,)):  # a BatchNorm/LayerNorm before the ReLU
            z, rest = rest[0](z), rest[1:]
        if noisy:  # one shift and scale per unit for the whole batch: a moving distribution
            H = z.shape[1]
            c = (2 * torch.rand(H, generator=gen) - 1) * shift
            s = scale[0] + (scale[1] - scale[0]) * torch.rand(H, generator=gen)
            z = z * s + c
        stats.append(torch.stack([z.mean(0), z.std(0)]).detach().numpy())  # (2, H)
        for layer in rest:
            z = layer(z)
        x = z
    record.append(np.stack(stats))  # (L, 2, H)
    return blocks[-1](x)


def covariate_shift_experiment(*, lr: float = 1.0, epochs: int = 6, depth: int = 6, width: int = 32,
                               n_train: int = 512, batch_size: int = 64, shift: float = 1.0,
                               scale=(0.25, 1.75), seed: int = 0) -> dict:
    """Does BatchNorm work by reducing internal covariate shift? (Santurkar et al., 2018)

    Ioffe & Szegedy (2015) motivated BatchNorm as fixing *internal covariate shift*: each layer's
    input distribution moves whenever the layers below are updated. Santurkar et al. tested it
    by injecting noise right after every BatchNorm: a random per-unit shift c ~ U(-shift, shift)
    and scale s ~ U(scale) for the whole batch, redrawn at every step, which makes each layer's
    input distribution move *more* than in a network without normalization. Three He-initialised
    deep MLPs (no norm, BatchNorm, BatchNorm + noise) are trained with plain SGD at ``lr``; for
    each we measure the shift: the mean over steps, layers and units of the absolute change,
    from one step to the next, of the per-unit batch mean and batch std of the ReLU's input.

    Parameters
    ----------
    lr : float > 0
        SGD learning rate, the same for all three.
    epochs, depth, width, n_train, batch_size : int
    shift : float >= 0
        Half-width of the uniform per-unit shift.
    scale : (float, float)
        Range of the uniform per-unit scale, 0 < low <= high.
    seed : int
        Data, weights, shuffling and the injected noise.

    Returns
    -------
    dict
        ``variants`` ("none", "batch", "batch+noise"); for each variant v: ``final_loss[v]``,
        ``val_acc[v]``, ``curves[v]`` (per-epoch training loss), ``shift[v]`` (the mean shift per
        step) and ``shift_per_layer[v]`` (depth,).
    """
    import torch

    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, fit

    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    epochs = check_int(epochs, "epochs", minimum=1)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=2)
    n_train = check_int(n_train, "n_train", minimum=10)
    batch_size = check_int(batch_size, "batch_size", minimum=2)
    shift = check_float(shift, "shift", minimum=0.0)
    if not (isinstance(scale, (tuple, list)) and len(scale) == 2):
        raise ValueError(f"scale must be a pair (low, high), got {scale!r}")
    lo = check_float(scale[0], "scale[0]", minimum=0.0, min_inclusive=False)
    hi = check_float(scale[1], "scale[1]", minimum=lo)
    seed = check_int(seed, "seed")
    Xtr, ytr, Xva, yva = _digits_small(seed, n_train)
    variants = ("none", "batch", "batch+noise")
    out = {"variants": variants, "final_loss": {}, "val_acc": {}, "curves": {}, "shift": {},
           "shift_per_layer": {}, "lr": lr}
    for v in variants:
        model = build_mlp(MLPConfig(d_in=64, hidden=(width,) * depth, d_out=10,
                                    norm="none" if v == "none" else "batch", init="he", seed=seed))
        gen = torch.Generator().manual_seed(seed + 1)
        record: list = []

        def forward(m, xb, gen=gen, record=record, noisy=(v == "batch+noise")):
            return _shift_forward(m, xb, gen=gen, shift=shift, scale=(lo, hi), noisy=noisy, record=record)

        h = fit(model, Xtr, ytr, Xva, yva, TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr,
                                                       optimizer="sgd", seed=seed), forward=forward)
        S = np.stack(record)  # (steps, L, 2, H)
        per_layer = np.abs(np.diff(S, axis=0)).mean(axis=(0, 2, 3))  # (L,)
        loss = h.train_loss + [float("nan")] * (epochs - len(h.train_loss))
        out["curves"][v] = loss
        out["final_loss"][v] = loss[-1]
        out["val_acc"][v] = h.val_acc[-1] if h.val_acc and not h.diverged else float("nan")
        out["shift_per_layer"][v] = per_layer
        out["shift"][v] = float(per_layer.mean())
    return out
