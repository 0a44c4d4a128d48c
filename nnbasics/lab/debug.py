"""Debugging a network: the overfit-one-batch check, a zoo of broken runs, and ``diagnose``.

The disciplined order (Karpathy's "recipe", cs231n): overfit a tiny batch first; then check
the labels, preprocessing parity, the output/loss pairing, finite non-zero gradients,
saturated/dead units and the learning rate. Each bug in :data:`ZOO` is a small, seeded torch
run (well under a second) that shows one symptom; :func:`diagnose` runs :data:`CHECKS`, one small
named check per symptom, which map symptoms to what to check next:

    loss flat            -> labels aligned? learning rate? outputs are logits?
    loss NaN/inf         -> learning rate too high, exploding gradients
    train/val gap        -> overfitting, or a model left in train mode
    one class predicted  -> class imbalance: read precision/recall, not accuracy
    slow training        -> learning rate too low
    growing grad norms   -> missing ``optimizer.zero_grad()`` or a too-high learning rate

Per-layer gradient norms are computed here (global L2 norm of each ``nn.Linear``'s weight
gradient), so the module depends only on torch and :mod:`nnbasics.lab.models`.
"""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_choice,
    check_float,
    check_int,
    finite_output,
)
from nnbasics.lab.runtime import one_thread

__all__ = ["OverfitResult", "overfit_small_batch", "initial_loss", "feature_skew", "ZooRun", "Bug", "Finding",
           "ZOO", "BUGS", "run_bug", "diagnose", "CHECKS", "SYMPTOMS", "loss_curve_summary"]


# --------------------------------------------------------------------------- overfit check
@dataclass(frozen=True)
class OverfitResult:
    """Outcome of :func:`overfit_small_batch`.

    Attributes
    ----------
    passed : bool
        Final loss below ``target_loss`` and every example of the batch classified correctly.
    losses : list of float
        Loss after each step; when the run diverged, its last entry is NaN.
    final_loss, final_accuracy : float
        ``final_loss`` is NaN when the run diverged.
    diverged : bool
        The loss became NaN or inf (the learning rate or the inputs are too large); training
        stopped there and ``passed`` is False.
    """

    passed: bool
    losses: list
    final_loss: float
    final_accuracy: float
    diverged: bool = False


def overfit_small_batch(model, X, y, *, steps: int = 200, lr: float = 1e-2,
                        target_loss: float = 0.05) -> OverfitResult:
    """Can the model drive the loss on a handful of examples to ~0? If not, fix that first.

    A healthy model and training step memorise a tiny batch (say 8-32 examples) quickly.
    Failing this check points at the model/loss/optimizer plumbing, not at the data size.

    Parameters
    ----------
    model : torch.nn.Module or callable
        Maps (B, D) to (B, C) logits; a zero-argument callable is called to build a fresh model.
        A module is trained in place.
    X : array_like, shape (B, D)
    y : array_like of int, shape (B,)
    steps : int
        Full-batch Adam steps.
    lr : float
        Adam learning rate.
    target_loss : float
        Cross-entropy the batch must reach.

    Returns
    -------
    OverfitResult
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        if not callable(model):
            raise TypeError(f"model must be a torch.nn.Module or a callable building one, "
                            f"got {type(model).__name__}")
        model = model()
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"the model callable returned {type(model).__name__}, not a torch.nn.Module")
    X = as_float_array(X, "X", ndim=2)
    y = as_labels(y, "y", n_samples=X.shape[0])
    from nnbasics.lab.models import check_input

    check_input(model, X, "X")
    steps = check_int(steps, "steps", minimum=1)
    dtype = next(model.parameters()).dtype
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False, maximum=float(torch.finfo(dtype).max))
    target_loss = check_float(target_loss, "target_loss", minimum=0.0, min_inclusive=False)
    Xt, yt = torch.as_tensor(X, dtype=dtype), torch.as_tensor(y)
    with one_thread():
        return _overfit(model, Xt, yt, steps, lr, target_loss)


def _overfit(model, Xt, yt, steps, lr, target_loss):
    import torch
    import torch.nn.functional as F

    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(Xt), yt)
        if not torch.isfinite(loss):
            losses.append(float("nan"))
            break
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        out = model(Xt)
        final_loss = float(F.cross_entropy(out, yt))
        acc = float((out.argmax(1) == yt).double().mean())
    diverged = bool(losses and math.isnan(losses[-1])) or not math.isfinite(final_loss)
    if diverged:
        final_loss = float("nan")
    passed = bool(not diverged and final_loss < target_loss and acc == 1.0)
    return OverfitResult(passed, losses, final_loss, acc, diverged)


# --------------------------------------------------------------------------- first checks
def initial_loss(model, X, y) -> dict:
    """The cross-entropy of an untrained classifier, and what it should be: about ln C.

    A fresh network with small random weights outputs near-equal logits, so every class gets
    probability about 1/C and the loss is -ln(1/C) = ln C (1.10 for 3 classes, 2.30 for 10).
    A loss far above ln C at step 0 means confident wrong predictions: weights (often the last
    layer) initialised too large, an input left unscaled, or labels that do not match the outputs.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (N, D) to (N, C) logits; evaluated in eval mode without changing its mode.
    X : array_like, shape (N, D)
    y : array_like of int, shape (N,)

    Returns
    -------
    dict
        ``loss``, ``expected`` (= ln C) and ``ratio`` = loss / ln C.
    """
    import torch
    import torch.nn.functional as F

    from nnbasics.lab.models import check_input

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X = as_float_array(X, "X", ndim=2)
    check_input(model, X, "X")
    y = as_labels(y, "y", n_samples=X.shape[0])
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits = model(torch.as_tensor(X, dtype=next(model.parameters()).dtype))
    finally:
        model.train(was_training)
    C = logits.shape[1]
    if C < 2 or y.max() >= C:
        raise ValueError(f"y has labels up to {y.max()} but the model outputs C={C} classes")
    loss = float(F.cross_entropy(logits, torch.as_tensor(y)))
    return {"loss": loss, "expected": math.log(C), "ratio": loss / math.log(C)}


@finite_output("a mean or standard deviation overflows: reference or served too large; rescale both")
def feature_skew(reference, served, *, max_shift: float = 0.25, std_range: tuple = (0.8, 1.25)) -> dict:
    """Compare the features a model receives in serving with those it was trained on, column by column.

    A training-serving skew check: the mean shift in units of the training standard deviation,
    |mean_served - mean_train| / std_train, and the ratio of standard deviations. A feature is
    flagged when the shift exceeds ``max_shift`` or the ratio leaves ``std_range``.

    Parameters
    ----------
    reference : array_like, shape (N, D)
        Features as the training pipeline produced them.
    served : array_like, shape (M, D)
        Features as the serving pipeline produced them.

    Returns
    -------
    dict
        ``shift`` (D,), ``std_ratio`` (D,) (float64), ``flagged`` (D,) bool.
    """
    R = as_float_array(reference, "reference", ndim=2, dtype=np.float64)  # statistics in float64
    S = as_float_array(served, "served", ndim=2, dtype=np.float64)
    if R.shape[1] != S.shape[1]:
        raise ValueError(f"served has {S.shape[1]} features but reference has {R.shape[1]}")
    max_shift = check_float(max_shift, "max_shift", minimum=0.0)
    lo, hi = (check_float(v, f"std_range[{i}]", minimum=0.0, min_inclusive=False) for i, v in enumerate(std_range))
    ref_std = R.std(axis=0)
    ref_std = np.where(ref_std > 0, ref_std, 1.0)  # a constant training feature: shifts in its own units
    shift = np.abs(S.mean(axis=0) - R.mean(axis=0)) / ref_std
    ratio = S.std(axis=0) / ref_std
    return {"shift": shift, "std_ratio": ratio, "flagged": (shift > max_shift) | (ratio < lo) | (ratio > hi)}


# --------------------------------------------------------------------------- the zoo
@dataclass
class ZooRun:
    """A History-like record of one (possibly broken) training run, one entry per step.

    Attributes
    ----------
    name : str
        Key in :data:`ZOO` (``"healthy"`` for the reference run).
    train_loss, train_acc : list of float
        Per step, on the training data (as the loop computed them — bugs included).
    val_loss, val_acc : list of float
        Every ``eval_every`` steps, as the (possibly buggy) loop evaluated them.
    grad_norm : list of float
        Global L2 norm of all gradients at each step (before the update).
    layer_grad_norms : ndarray, shape (steps, L)
        L2 norm of each linear layer's weight gradient per step.
    diverged : bool
        A loss became NaN/inf (training stopped).
    model : torch.nn.Module
        The trained model, in the mode the loop left it.
    batch : tuple (X_val (M, D) float32 tensor, y_val (M,) long tensor)
        Held-out data to inspect the model with.
    train_data : tuple (X_train (N, D), y_train (N,)) of ndarray
        The scaled training inputs and the labels the loop trained on.
    preprocessing : dict
        ``mean``/``std`` used to scale the inputs and ``train_mean``/``train_std`` of the
        training split (equal when the scaler was fitted on the training data only).
    """

    name: str
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    layer_grad_norms: np.ndarray | None = None
    diverged: bool = False
    model: object = None
    batch: tuple | None = None
    preprocessing: dict = field(default_factory=dict)
    train_data: tuple | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)


@dataclass(frozen=True)
class Bug:
    """One exhibit of the zoo: what goes wrong, what you see, how to fix it."""

    name: str
    title: str
    symptom: str
    fix: str
    expected: str  # the Finding code diagnose() must report


ZOO: dict[str, Bug] = {b.name: b for b in [
    Bug("healthy", "a healthy run", "loss falls fast; train and val agree", "nothing to fix", ""),
    Bug("softmax_before_ce", "softmax applied before CrossEntropyLoss",
        "loss stalls far above 0; outputs already sum to 1",
        "feed raw logits to F.cross_entropy (it applies log-softmax itself)", "probabilities_into_loss"),
    Bug("no_zero_grad", "optimizer.zero_grad() forgotten",
        "gradient norm grows every step; loss oscillates",
        "call opt.zero_grad() (or set_to_none) before every loss.backward()", "exploding_grads"),
    Bug("forgot_eval", "model.eval() forgotten (BatchNorm + dropout)",
        "validation scores are noisy and too low; repeated predictions differ",
        "model.eval() (and torch.no_grad()) before evaluating, model.train() after", "train_mode"),
    Bug("lr_too_high", "learning rate 30x too high", "loss explodes to NaN within about 20 steps",
        "lower the learning rate (a sweep on a log scale), or clip gradients", "nan_loss"),
    Bug("lr_too_low", "learning rate 200x too low", "loss decreases, but only by a few percent",
        "raise the learning rate by 10x steps until the loss falls quickly", "slow_training"),
    Bug("shuffled_labels", "labels shuffled out of alignment with the inputs",
        "loss stuck near log C; validation accuracy unrelated to the truth (anywhere around chance)",
        "shuffle X and y with the same permutation (or split indices, not arrays)", "labels_unrelated"),
    Bug("leakage", "normalization statistics computed on the full data set",
        "no visible effect on these i.i.d. data; the scaler's statistics differ from the training split's",
        "fit the scaler on the training split only: data.standardize(X_train, X_val)", "preprocessing_leak"),
    Bug("class_imbalance", "99 % of one class: accuracy means nothing",
        "99 % accuracy while every minority example is missed",
        "look at recall/F1/PR-AUC; reweight the loss or resample", "single_class"),
]}

#: Names of the broken runs (everything in :data:`ZOO` but ``"healthy"``).
BUGS = tuple(k for k in ZOO if k != "healthy")


def _dataset(bug: str, seed: int):
    """Raw (unscaled) train/val data for a run: 3-class blobs, or 99:1 binary for imbalance."""
    from nnbasics import data

    rng = np.random.default_rng(seed)
    if bug == "class_imbalance":
        n0, n1 = 9900, 100  # 50 validation positives: enough to read a PR curve
        X0 = rng.normal(0.0, 1.0, (n0, 2))
        X1 = rng.normal(0.8, 1.0, (n1, 2))  # overlaps the majority: hard to find
        X = np.vstack([X0, X1])
        y = np.r_[np.zeros(n0, np.int64), np.ones(n1, np.int64)]
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
        # stratified split so that the validation set has minority examples
        idx0, idx1 = np.nonzero(y == 0)[0], np.nonzero(y == 1)[0]
        val = np.r_[idx0[: n0 // 2], idx1[: n1 // 2]]
        tr = np.r_[idx0[n0 // 2:], idx1[n1 // 2:]]
        return X[tr], y[tr], X[val], y[val], 2
    X, y = data.blobs(300, rng=rng, separation=3.0, n_classes=3)
    X = X * 4.0 + np.array([10.0, -6.0])  # raw features far from zero mean / unit scale
    return X[:200], y[:200], X[200:], y[200:], 3


_BASE = dict(lr=0.1, momentum=0.9, steps=60, act="leaky_relu")
_SETTINGS = {  # per bug: SGD settings and model options (healthy: lr 0.1, momentum 0.9)
    "healthy": {},
    "softmax_before_ce": {},
    "no_zero_grad": dict(momentum=0.0),
    "forgot_eval": dict(norm="batch", dropout=0.5),
    "lr_too_high": dict(lr=3.0),  # 30x the healthy learning rate: NaN within ~20 steps for every seed
    "lr_too_low": dict(lr=5e-4),  # 200x too low: the loss falls < 10 % in 60 steps for every seed
    "shuffled_labels": {},
    "leakage": {},
    "class_imbalance": {},
}


def _layer_norms(model) -> list:
    from nnbasics.lab.models import linear_layers

    return [float(m.weight.grad.norm()) if m.weight.grad is not None else 0.0
            for m in linear_layers(model)]


def _global_norm(model) -> float:
    sq = [float(p.grad.pow(2).sum()) for p in model.parameters() if p.grad is not None]
    return math.sqrt(sum(sq))


def run_bug(name: str, *, seed: int = 0) -> ZooRun:
    """Run one exhibit of the zoo (or ``"healthy"``) with a small explicit training loop.

    Parameters
    ----------
    name : str
        A key of :data:`ZOO`.
    seed : int
        Seeds the data, the weights and dropout (local generators only).

    Returns
    -------
    ZooRun
        A fresh copy (about 1 ms): the run is trained once and cached, but its model is live
        (a forward pass in training mode moves BatchNorm's statistics), so no caller may
        change what the next one gets.
    """
    check_choice(name, "name", tuple(ZOO))
    check_int(seed, "seed", minimum=0)
    return copy.deepcopy(_run_cached(name, seed))


@functools.lru_cache(maxsize=64)
def _run_cached(name: str, seed: int) -> ZooRun:
    with one_thread():
        return _run(name, seed)


def _run(name: str, seed: int) -> ZooRun:
    import torch
    import torch.nn.functional as F

    from nnbasics.lab.models import MLPConfig, build_mlp

    s = {**_BASE, **_SETTINGS[name]}
    Xtr, ytr, Xva, yva, C = _dataset(name, seed)
    if name == "shuffled_labels":
        ytr = np.random.default_rng(seed + 1).permutation(ytr)  # y shuffled, X not: alignment lost
    # preprocessing: the scaler must be fitted on the training split
    fit_on = np.vstack([Xtr, Xva]) if name == "leakage" else Xtr
    mean, std = fit_on.mean(0), fit_on.std(0)
    pre = {"mean": mean, "std": std, "train_mean": Xtr.mean(0), "train_std": Xtr.std(0)}
    Xtr_s, Xva_s = (Xtr - mean) / std, (Xva - mean) / std
    cfg = MLPConfig(d_in=2, hidden=(32, 32), d_out=C, norm=s.get("norm", "none"), activation=s.get("act", "relu"),
                    dropout=s.get("dropout", 0.0), seed=seed)
    model = build_mlp(cfg)
    if name == "softmax_before_ce":
        model = torch.nn.Sequential(*model, torch.nn.Softmax(dim=1))  # the bug: probabilities out
    Xt = torch.as_tensor(Xtr_s, dtype=torch.float32)
    yt = torch.as_tensor(ytr)
    Xv = torch.as_tensor(Xva_s, dtype=torch.float32)
    yv = torch.as_tensor(yva)
    opt = torch.optim.SGD(model.parameters(), lr=s["lr"], momentum=s.get("momentum", 0.0))
    run = ZooRun(name=name, batch=(Xv, yv), preprocessing=pre, train_data=(Xtr_s, ytr))
    layers = []
    with torch.random.fork_rng(devices=[]):
        torch.random.manual_seed(seed)  # dropout masks, inside a forked RNG state only
        gen = torch.Generator().manual_seed(seed)
        for step in range(s["steps"]):
            model.train()
            idx = torch.randperm(len(Xt), generator=gen)[:64]
            xb, yb = Xt[idx], yt[idx]
            if name != "no_zero_grad":
                opt.zero_grad()
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            if not torch.isfinite(loss):
                run.diverged = True
                run.train_loss.append(float("nan"))
                break
            loss.backward()
            run.grad_norm.append(_global_norm(model))
            layers.append(_layer_norms(model))
            opt.step()
            run.train_loss.append(loss.item())
            run.train_acc.append(float((out.argmax(1) == yb).double().mean()))
            if step % 5 == 4 or step == s["steps"] - 1:
                if name != "forgot_eval":
                    model.eval()
                with torch.no_grad():
                    vo = model(Xv)
                    run.val_loss.append(float(F.cross_entropy(vo, yv)))
                    run.val_acc.append(float((vo.argmax(1) == yv).double().mean()))
        if name != "forgot_eval":
            model.eval()
    run.layer_grad_norms = np.array(layers, dtype=np.float64).reshape(len(layers), -1)
    run.model = model
    return run


# --------------------------------------------------------------------------- diagnose
@dataclass(frozen=True)
class Finding:
    """One symptom found by :func:`diagnose`.

    Attributes
    ----------
    code : str
        Machine-readable key, one of :data:`SYMPTOMS`.
    message : str
        What was measured.
    check : str
        What to check next.
    """

    code: str
    message: str
    check: str


#: code -> (symptom, what to check)
SYMPTOMS = {
    "nan_loss": ("loss became NaN/inf", "lower the learning rate; clip gradients; look for log(0) or /0"),
    "exploding_grads": ("gradient norm keeps growing",
                        "is optimizer.zero_grad() called every step? is the learning rate too high?"),
    "probabilities_into_loss": ("model outputs already sum to 1",
                                "CrossEntropyLoss wants logits: remove the final softmax"),
    "labels_unrelated": ("labels look unrelated to the inputs",
                         "are X and y shuffled/split together? plot a few examples with their labels"),
    "loss_flat": ("training loss barely moves and accuracy is at chance",
                  "labels aligned? learning rate? gradients non-zero?"),
    "slow_training": ("loss falls steadily but very slowly", "raise the learning rate (x10 steps)"),
    "train_mode": ("model left in training mode: repeated predictions differ",
                   "call model.eval() before evaluating (BatchNorm/dropout behave differently)"),
    "train_val_gap": ("validation much worse than training",
                      "overfitting (more data, regularization) or train/val preprocessing mismatch"),
    "single_class": ("the model predicts a single class",
                     "class imbalance: check per-class recall/F1 and the confusion matrix"),
    "dead_units": ("many ReLU units never fire", "lower the learning rate; check init and biases"),
    "preprocessing_leak": ("scaler statistics differ from the training split's",
                           "fit normalization on the training data only"),
}


def _finding(code: str, message: str) -> Finding:
    return Finding(code, message, SYMPTOMS[code][1])


def _tensor_batch(batch, model):
    import torch

    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise TypeError(f"batch must be a tuple (X, y), got {type(batch).__name__}")
    X = as_float_array(batch[0], "batch X", ndim=2)
    y = as_labels(batch[1], "batch y", n_samples=X.shape[0])
    dtype = next(model.parameters()).dtype
    return torch.as_tensor(X, dtype=dtype), torch.as_tensor(y)


def _nearest_mean_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Balanced training accuracy of a nearest-class-mean rule: near chance when labels ignore X."""
    classes = np.unique(y)
    centres = np.stack([X[y == c].mean(0) for c in classes])  # (C, D)
    d = ((X[:, None, :] - centres[None]) ** 2).sum(-1)  # (N, C)
    pred = classes[d.argmin(1)]
    return float(np.mean([np.mean(pred[y == c] == c) for c in classes]))


@dataclass(frozen=True)
class _Evidence:
    """What the checks read, gathered once by :func:`diagnose` (None where not available)."""

    loss: np.ndarray  # training loss per step (or epoch), NaN kept
    finite: np.ndarray  # its finite values
    grad_norm: np.ndarray
    diverged: bool
    train_acc: np.ndarray
    val_acc: np.ndarray
    preprocessing: dict
    outputs: object = None  # the model's outputs on the batch (torch tensor), twice
    again: object = None
    labels: np.ndarray | None = None  # the batch's labels
    training: bool = False  # the model's mode
    dead: float = 0.0  # dead fraction of the first ReLU layer on the batch
    train_data: tuple | None = None  # validated (X, y) of the training split


def _evidence(history, model, batch, train_data) -> _Evidence:
    import torch

    loss = np.asarray(history.train_loss, dtype=np.float64)
    ev = dict(loss=loss, finite=loss[np.isfinite(loss)], grad_norm=np.asarray(history.grad_norm, dtype=np.float64),
              diverged=bool(getattr(history, "diverged", False)),
              train_acc=np.asarray(getattr(history, "train_acc", []), dtype=np.float64),
              val_acc=np.asarray(getattr(history, "val_acc", []), dtype=np.float64),
              preprocessing=getattr(history, "preprocessing", None) or {})
    if model is not None and batch is not None:
        Xb, yb = _tensor_batch(batch, model)
        with torch.no_grad():
            ev.update(outputs=model(Xb), again=model(Xb))
        ev.update(labels=yb.numpy(), training=bool(model.training), dead=_first_relu_dead(model, Xb))
    td = train_data if train_data is not None else getattr(history, "train_data", None)
    if td is not None:
        Xtd = as_float_array(td[0], "train_data X", ndim=2)
        ev["train_data"] = (Xtd, as_labels(td[1], "train_data y", n_samples=Xtd.shape[0]))
    return _Evidence(**ev)


# One small check per finding code. Each reads the evidence and the codes found so far (some
# symptoms explain others) and returns what it measured, or None.
def _check_nan_loss(ev: _Evidence, found: set):
    if ev.diverged or (ev.loss.size and not np.all(np.isfinite(ev.loss))):
        return f"loss became non-finite after {ev.finite.size} steps"
    return None


def _check_exploding_grads(ev: _Evidence, found: set):
    gn = ev.grad_norm
    if gn.size < 10 or not np.all(np.isfinite(gn)):
        return None
    early, late = np.median(gn[:3]), np.median(gn[-max(3, gn.size // 5):])
    return f"gradient norm grew from {early:.3g} to {late:.3g}" if late > 4 * early and late > 1.0 else None


def _check_preprocessing_leak(ev: _Evidence, found: set):
    pre = ev.preprocessing
    if "mean" not in pre or np.allclose(pre["mean"], pre["train_mean"], rtol=1e-6, atol=1e-9):
        return None
    shift = float(np.max(np.abs(np.asarray(pre["mean"]) - pre["train_mean"])))
    return f"scaler mean differs from the training mean by up to {shift:.3g}"


def _check_probabilities_into_loss(ev: _Evidence, found: set):
    import torch

    if ev.outputs is None or ev.outputs.shape[1] < 2:
        return None
    rows = ev.outputs.double()
    if bool((rows >= 0).all()) and bool(torch.allclose(rows.sum(1), torch.ones(len(rows), dtype=rows.dtype),
                                                       atol=1e-4)):
        return "every output row is non-negative and sums to 1"
    return None


def _check_train_mode(ev: _Evidence, found: set):
    import torch

    if ev.outputs is not None and ev.training and not torch.equal(ev.outputs, ev.again):
        return "two forward passes on the same batch differ"
    return None


def _check_single_class(ev: _Evidence, found: set):
    if ev.outputs is None:
        return None
    preds = ev.outputs.argmax(1).numpy()
    if np.unique(ev.labels).size > 1 and np.unique(preds).size == 1:
        return (f"all {preds.size} predictions are class {int(preds[0])} although the batch has "
                f"{np.unique(ev.labels).size} classes")
    return None


def _check_dead_units(ev: _Evidence, found: set):
    return f"{ev.dead:.0%} of first-layer ReLUs are zero on every example" if ev.dead > 0.5 else None


def _check_labels_unrelated(ev: _Evidence, found: set):
    """Can a nearest-class-mean rule fit the training labels at all?"""
    if ev.train_data is None:
        return None
    X, y = ev.train_data
    C = np.unique(y).size
    nm = _nearest_mean_accuracy(X, y)
    if nm < 1.0 / C + 0.1:
        return f"nearest-class-mean balanced accuracy on the training data {nm:.2f} is near chance {1 / C:.2f}"
    return None


def _loss_drop(ev: _Evidence, found: set):
    """(start, end, relative drop, window) of the finite loss, or None: too short, or it diverged."""
    if ev.finite.size < 10 or "nan_loss" in found:
        return None
    k = max(3, ev.finite.size // 5)
    start, end = np.mean(ev.finite[:k]), np.mean(ev.finite[-k:])
    return start, end, (start - end) / max(abs(start), 1e-12), k


def _zero_grads(ev: _Evidence) -> bool:
    return bool(ev.grad_norm.size) and float(np.median(ev.grad_norm)) < 1e-6


def _check_loss_flat(ev: _Evidence, found: set):
    drop = _loss_drop(ev, found)
    if drop is None or drop[2] >= 0.1 or not ("labels_unrelated" in found or _zero_grads(ev)):
        return None
    why = "the gradients are ~0" if _zero_grads(ev) else "the labels look unrelated to the inputs"
    return f"loss {drop[0]:.3g} -> {drop[1]:.3g} and {why}"


def _check_slow_training(ev: _Evidence, found: set):
    drop = _loss_drop(ev, found)
    if drop is None or drop[2] >= 0.1 or found & {"loss_flat", "exploding_grads"}:
        return None
    return (f"loss fell only {drop[2]:.1%} ({drop[0]:.3g} -> {drop[1]:.3g}) although gradients are healthy "
            f"(median norm {np.median(ev.grad_norm):.2g}) and the labels are learnable")


def _check_train_val_gap(ev: _Evidence, found: set):
    drop = _loss_drop(ev, found)
    if drop is None or not (ev.train_acc.size and ev.val_acc.size) or "train_mode" in found:
        return None
    train = ev.train_acc[-drop[3]:].mean()
    return f"train accuracy {train:.2f} vs validation {ev.val_acc[-1]:.2f}" if train - ev.val_acc[-1] > 0.2 else None


#: The checks :func:`diagnose` runs, in order: (finding code, check). A check sees the codes found
#: before it, so a loss that is flat *because* the labels are unrelated is not also "slow training".
CHECKS = (
    ("nan_loss", _check_nan_loss),
    ("exploding_grads", _check_exploding_grads),
    ("preprocessing_leak", _check_preprocessing_leak),
    ("probabilities_into_loss", _check_probabilities_into_loss),
    ("train_mode", _check_train_mode),
    ("single_class", _check_single_class),
    ("dead_units", _check_dead_units),
    ("labels_unrelated", _check_labels_unrelated),
    ("loss_flat", _check_loss_flat),
    ("slow_training", _check_slow_training),
    ("train_val_gap", _check_train_val_gap),
)


def diagnose(history, model=None, batch=None, *, train_data: tuple | None = None) -> list[Finding]:
    """Map the symptom table onto checks of a run's history, its model and a batch (:data:`CHECKS`).

    Parameters
    ----------
    history : ZooRun or nnbasics.lab.train.History
        Anything with ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``grad_norm``
        lists and a ``diverged`` flag (per step or per epoch).
    model : torch.nn.Module, optional
        Enables the output, train-mode, single-class and dead-unit checks.
    batch : tuple (X (M, D), y (M,)), optional
        Held-out examples to run the model on.
    train_data : tuple (X (N, D), y (N,)), optional
        Training inputs and labels for the label-alignment check (a ZooRun uses its own).

    Returns
    -------
    list of Finding
        Empty for a healthy run.
    """
    for attr in ("train_loss", "grad_norm"):
        if not hasattr(history, attr):
            raise TypeError(f"history must have a {attr!r} list (a ZooRun or train.History), "
                            f"got {type(history).__name__}")
    if batch is not None and model is None:
        raise ValueError("batch needs a model to run it through")
    ev = _evidence(history, model, batch, train_data)
    findings: list[Finding] = []
    for code, check in CHECKS:
        message = check(ev, {f.code for f in findings})
        if message:
            findings.append(_finding(code, message))
    return findings


def _first_relu_dead(model, X) -> float:
    """Dead fraction of the first ReLU layer's units on X (0 when the model has no ReLU)."""
    import torch

    from nnbasics.lab.diagnostics import dead_fraction, layer_outputs

    relus = [m for m in model.modules() if isinstance(m, torch.nn.ReLU)]
    if not relus:
        return 0.0
    return dead_fraction(layer_outputs(model, X, kind="activation")[0])


def loss_curve_summary(run: ZooRun) -> dict:
    """First/last finite loss, steps run and max gradient norm of a run (for printing)."""
    loss = np.asarray(run.train_loss, dtype=np.float64)
    fin = loss[np.isfinite(loss)]
    return {"steps": int(loss.size), "first_loss": float(fin[0]) if fin.size else float("nan"),
            "last_loss": float(fin[-1]) if fin.size else float("nan"),
            "max_grad_norm": float(np.max(run.grad_norm)) if run.grad_norm else float("nan"),
            "diverged": bool(run.diverged)}

