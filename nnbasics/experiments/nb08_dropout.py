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
from nnbasics.core.dropout import (
    dropout_forward,
    dropout_mask,
    dropout_ridge_solution,
    spatial_dropout_forward,
)
from nnbasics.core.norm import BatchNormState, batchnorm_forward

__all__ = ['scaling_mismatch', 'DropoutRun', 'small_noisy_data', 'dropout_run', 'dropout_experiment', 'unscaled_eval_penalty',
           'mc_dropout_predict', 'noisy_digits', 'label_noise_experiment', 'dropout_mse_monte_carlo',
           'dropout_linear_regression', 'dropout_bn_variance_shift', 'smooth_feature_maps',
           'spatial_dropout_information', 'far_points']


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


# --------------------------------------------------------------------------- a regime where dropout helps
def noisy_digits(*, n_train: int = 300, noise: float = 0.4, seed: int = 0):
    """The first ``n_train`` digits training images with a fraction ``noise`` of their labels
    replaced by uniformly random *other* classes; validation labels stay clean.

    Returns
    -------
    X_train (n_train, 64), y_train (n_train,) noisy labels, corrupted (n_train,) bool,
    X_val (M, 64), y_val (M,) clean labels
    """
    from nnbasics import data

    n_train = check_int(n_train, "n_train", minimum=10)
    noise = check_float(noise, "noise", minimum=0.0, maximum=1.0)
    seed = check_int(seed, "seed")
    split = data.digits(rng=seed)
    if n_train > len(split.y_train):
        raise ValueError(f"n_train={n_train} but the digits training split has {len(split.y_train)} images")
    rng = np.random.default_rng(seed + 10_000)
    y = split.y_train[:n_train].copy()
    corrupted = rng.random(n_train) < noise
    y[corrupted] = (y[corrupted] + rng.integers(1, 10, size=int(corrupted.sum()))) % 10  # never the true class
    return split.X_train[:n_train], y, corrupted, split.X_val, split.y_val


def label_noise_experiment(ps=(0.0, 0.5, 0.8), *, n_train: int = 300, noise: float = 0.4,
                           hidden=(128, 128), epochs: int = 40, lr: float = 1e-3, batch_size: int = 32,
                           seed: int = 0) -> dict:
    """Dropout where it helps: an MLP that can memorise a small training set with noisy labels.

    For each drop rate p: a 64-128-128-10 MLP (dropout after each hidden ReLU, masks from a local
    generator) trained with Adam on :func:`noisy_digits`; after every epoch, in eval mode, the
    validation accuracy (clean labels) and the fraction of *corrupted* training images the model
    predicts with their wrong, noisy label (how much noise it memorised).

    Returns
    -------
    dict
        ``ps``; for each p: ``val_acc[p]`` and ``memorised[p]`` (per-epoch lists),
        ``train_loss[p]`` (per-epoch eval-mode loss on the noisy training labels), and the
        summaries ``final_val_acc[p]``, ``best_val_acc[p]``, ``best_epoch[p]``, ``final_memorised[p]``.
    """
    import torch

    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, evaluate, fit

    ps = tuple(check_drop_probability(p) for p in ps)
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if not (isinstance(hidden, (tuple, list)) and hidden):
        raise ValueError(f"hidden must be a non-empty tuple of widths, got {hidden!r}")
    Xtr, ytr, corrupted, Xva, yva = noisy_digits(n_train=n_train, noise=noise, seed=seed)
    Xc = torch.as_tensor(Xtr[corrupted], dtype=torch.float32)
    out = {"ps": ps, "val_acc": {}, "memorised": {}, "train_loss": {}, "final_val_acc": {}, "best_val_acc": {},
           "best_epoch": {}, "final_memorised": {}, "noise": noise, "n_train": n_train}
    for p in ps:
        model = build_mlp(MLPConfig(d_in=64, hidden=tuple(hidden), d_out=10, dropout=p, seed=seed))
        gen = torch.Generator().manual_seed(seed)
        va, mem, tl = [], [], []

        def measure(m, _hist, va=va, mem=mem, tl=tl):
            tl.append(evaluate(m, Xtr, ytr)[0])
            va.append(evaluate(m, Xva, yva)[1])
            m.eval()
            with torch.no_grad():
                mem.append(float((m(Xc).argmax(1).numpy() == ytr[corrupted]).mean()))

        fit(model, Xtr, ytr, cfg=TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, optimizer="adam",
                                             seed=seed, threads=1),
            on_epoch=measure, forward=lambda m, xb, gen=gen: _forward_seeded(m, xb, gen))
        out["val_acc"][p], out["memorised"][p], out["train_loss"][p] = va, mem, tl
        out["final_val_acc"][p], out["final_memorised"][p] = va[-1], mem[-1]
        out["best_epoch"][p] = int(np.argmax(va))
        out["best_val_acc"][p] = float(max(va))
    return out


# --------------------------------------------------------------------------- dropout as adaptive L2 (linear model)
def _xy(X, y):
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has N={X.shape[0]} rows but y has {y.shape[0]}")
    return X, y


@finite_output("(y - X w)^2 overflows: X, w or y too large; scale them")
def dropout_mse_monte_carlo(X, y, w, p: float, *, draws: int = 2000, rng) -> dict:
    """Monte-Carlo estimate of the expected mean squared error of y ~ X w under input dropout.

    Each draw samples a fresh inverted-dropout mask for every entry of X (N, D) and computes
    (1/N) ||y - (X * m / (1 - p)) w||^2. Compare with the closed form
    ``mse + dropout_linear_penalty(X, w, p)``.

    Returns
    -------
    dict
        ``mean`` and ``stderr`` (standard error of the mean over draws), ``plain_mse`` (no dropout).
    """
    X, y = _xy(X, y)
    w = as_float_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w has {w.shape[0]} entries but X has D={X.shape[1]} features")
    p = check_drop_probability(p)
    draws = check_int(draws, "draws", minimum=2)
    rng = check_rng(rng)
    vals = np.empty(draws)
    for k in range(draws):
        Xm = dropout_forward(X, p, train=True, rng=rng)[0]  # (N, D)
        vals[k] = np.mean((y - Xm @ w) ** 2)
    return {"mean": float(vals.mean()), "stderr": float(vals.std(ddof=1) / np.sqrt(draws)),
            "plain_mse": float(np.mean((y - X @ w) ** 2))}


@finite_output("the descent overflows: X or y too large, or lr too large for X's scale (it diverges); "
               "scale the data or lower lr")
def dropout_linear_regression(X, y, p: float, *, lr: float = 0.01, steps: int = 4000, rng) -> dict:
    """Gradient descent on a linear model with inverted dropout on its inputs (a fresh mask per step).

    The iterates keep fluctuating (each step sees another mask); their average over the second
    half of the run estimates where the noisy descent settles, to be compared with the minimizer
    of the expected loss, :func:`~nnbasics.core.dropout.dropout_ridge_solution`.

    Returns
    -------
    dict
        ``path`` (steps + 1, D), ``w_avg`` (D,), ``w_dropout_ridge`` (D,), ``w_least_squares`` (D,);
        float32 when X and y are.
    """
    X, y = _xy(X, y)
    p = check_drop_probability(p)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    steps = check_int(steps, "steps", minimum=2)
    rng = check_rng(rng)
    N, D = X.shape
    w = np.zeros(D, dtype=X.dtype)
    path = [w]
    for _ in range(steps):
        Xm = dropout_forward(X, p, train=True, rng=rng)[0]  # (N, D)
        w = w + lr * 2.0 / N * Xm.T @ (y - Xm @ w)  # gradient step on (1/N)||y - Xm w||^2
        path.append(w)
    path = np.array(path)
    return {"path": path, "w_avg": path[steps // 2 + 1:].mean(axis=0),
            "w_dropout_ridge": dropout_ridge_solution(X, y, p),
            "w_least_squares": np.linalg.lstsq(X, y, rcond=None)[0]}


# --------------------------------------------------------------------------- dropout before BatchNorm
@finite_output("x's spread overflows the variance: x too large for its dtype; scale x")
def dropout_bn_variance_shift(x, p: float, *, rng, batch_size: int = 64, steps: int = 300,
                              momentum: float = 0.1) -> dict:
    """Dropout feeding a BatchNorm: the running variance learned in training vs the variance at eval.

    Training: ``steps`` mini-batches of ``x`` go through inverted dropout, then train-mode BatchNorm,
    which updates its running statistics. Evaluation: dropout is the identity, so BatchNorm (eval
    mode, running statistics) sees the *undropped* activations, whose variance differs from the
    dropped ones' (Li et al., 2019, "variance shift").

    Parameters
    ----------
    x : array_like, shape (M, D)
        A pool of activations (e.g. post-ReLU), M >= batch_size.
    p : float in [0, 1)

    Returns
    -------
    dict
        ``running_var`` (D,): what BatchNorm learned; ``eval_input_var`` (D,): the variance it sees at
        eval; ``eval_output_var`` (D,): the variance of its eval output (1 if nothing shifted);
        ``train_output_var`` (D,): the same in train mode on the last batch (1 by construction).
    """
    x = as_float_array(x, "x", ndim=2)
    p = check_drop_probability(p)
    rng = check_rng(rng)
    batch_size = check_int(batch_size, "batch_size", minimum=2)
    if batch_size > x.shape[0]:
        raise ValueError(f"batch_size={batch_size} but x has only M={x.shape[0]} rows")
    steps = check_int(steps, "steps", minimum=1)
    momentum = check_float(momentum, "momentum", minimum=0.0, maximum=1.0, min_inclusive=False)
    D = x.shape[1]
    ones, zeros = np.ones(D, dtype=x.dtype), np.zeros(D, dtype=x.dtype)
    state = BatchNormState.initial(D, dtype=x.dtype)
    for _ in range(steps):
        xb = x[rng.choice(x.shape[0], size=batch_size, replace=False)]
        dropped = dropout_forward(xb, p, train=True, rng=rng)[0]
        out, cache = batchnorm_forward(dropped, ones, zeros, state, train=True, momentum=momentum)
        state = cache.state
    eval_out = batchnorm_forward(x, ones, zeros, state, train=False)[0]
    return {"running_var": state.running_var, "eval_input_var": x.var(axis=0),
            "eval_output_var": eval_out.var(axis=0), "train_output_var": out.var(axis=0), "p": p}


# --------------------------------------------------------------------------- spatial dropout
def _box3(x: np.ndarray) -> np.ndarray:
    """3 x 3 mean filter over the last two axes (edges replicated)."""
    H, W = x.shape[-2:]
    pad = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(1, 1), (1, 1)], mode="edge")
    return sum(pad[..., i:i + H, j:j + W] for i in range(3) for j in range(3)) / 9.0


def smooth_feature_maps(N: int = 8, C: int = 16, H: int = 16, W: int = 16, *, rng, passes: int = 3) -> np.ndarray:
    """Smooth random feature maps (N, C, H, W): white noise blurred ``passes`` times by a 3 x 3 mean,
    then standardized per map. Like real conv activations, neighbouring pixels are strongly correlated."""
    N, C, H, W = (check_int(v, n, minimum=1) for v, n in ((N, "N"), (C, "C"), (H, "H"), (W, "W")))
    passes = check_int(passes, "passes", minimum=0)
    x = check_rng(rng).normal(size=(N, C, H, W))
    for _ in range(passes):
        x = _box3(x)
    x = x - x.mean(axis=(-2, -1), keepdims=True)
    return x / (x.std(axis=(-2, -1), keepdims=True) + 1e-12)


@finite_output("x / (1 - p) overflows: x too large for its dtype")
def spatial_dropout_information(x, p: float, *, rng) -> dict:
    """How much of each feature map a 3 x 3 neighbourhood still sees after element vs channel dropout.

    For every map (n, c): r^2 = squared correlation between the 3 x 3 mean of the clean map and
    the 3 x 3 mean of the dropped map (0 for a map dropped entirely). Also the correlation of
    neighbouring pixels, which is why dropping single pixels removes so little.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W), W >= 2, not constant
    p : float in [0, 1)

    Returns
    -------
    dict
        ``r2_elementwise`` (N, C), ``r2_spatial`` (N, C), ``neighbour_corr`` (float).
    """
    x = as_float_array(x, "x", ndim=4)
    p = check_drop_probability(p)
    rng = check_rng(rng)
    if x.shape[-1] < 2:
        raise ValueError(f"x has shape {x.shape}: W={x.shape[-1]}, but neighbouring pixels need W >= 2")
    # r^2 and correlations do not change when x is scaled: max |x| = 1 keeps every sum of squares
    # finite for huge x and nonzero for tiny x
    x = x / np.max(np.abs(x)) if np.any(x) else x
    left, right = x[..., :, :-1].ravel(), x[..., :, 1:].ravel()
    if np.ptp(left) == 0 or np.ptp(right) == 0:
        raise ValueError("x has no spread among horizontally neighbouring pixels (x[..., :-1] or x[..., 1:] "
                         "holds one value): the neighbour correlation is undefined")
    clean = _box3(x)
    elem = _box3(dropout_forward(x, p, train=True, rng=rng)[0])
    spat = _box3(spatial_dropout_forward(x, p, train=True, rng=rng)[0])

    def r2(a, b):  # per map, over (H, W)
        a = a - a.mean(axis=(-2, -1), keepdims=True)
        b = b - b.mean(axis=(-2, -1), keepdims=True)
        den = np.sqrt((a * a).sum(axis=(-2, -1)) * (b * b).sum(axis=(-2, -1)))
        num = (a * b).sum(axis=(-2, -1))
        return np.where(den > 0, (num / np.where(den > 0, den, 1.0)) ** 2, 0.0)

    neighbour = float(np.corrcoef(left, right)[0, 1])
    return {"r2_elementwise": r2(clean, elem), "r2_spatial": r2(clean, spat), "neighbour_corr": neighbour, "p": p}


# --------------------------------------------------------------------------- MC dropout far from the data
@finite_output("radius too large for X's dtype")
def far_points(X, *, radius: float = 6.0, n: int = 200, rng) -> np.ndarray:
    """``n`` points on a circle of ``radius`` around the centre of the 2-D data ``X`` (N, 2): far from it.

    Returns an (n, 2) array in X's dtype."""
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must hold 2-D points, got D={X.shape[1]}")
    radius = check_float(radius, "radius", minimum=0.0, min_inclusive=False)
    n = check_int(n, "n", minimum=1)
    angles = check_rng(rng).uniform(0, 2 * np.pi, size=n)
    centre = X.mean(axis=0, dtype=np.float64)  # (2,) a float32 sum could overflow; the mean cannot
    return (centre + radius * np.column_stack([np.cos(angles), np.sin(angles)])).astype(X.dtype, copy=False)
